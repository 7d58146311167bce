/*
 * model_golden_piv: the C model with three ghost candles, a next-pivot
 * head of two levels and the pivot features (piv_feat: 7 features per
 * window candle, F 7 in the checkpoint) against PyTorch.
 * "tests/ref/model_ref.py --piv" runs "model_golden_piv --write-input
 * DIR", builds the same model in PyTorch, runs forward, backward and 3
 * AdamW steps, and writes tests/ref/model_golden_piv.bin; this test
 * recomputes all of it and requires |a - b| <= 1e-5 + 1e-4 |b| for every
 * number.
 *
 * DIR/batch (little-endian): "CKGBATP\0", int32 B W NG NP, float32 x
 * (B,W,7), int32 label (B), float32 ghost targets (B,NG,4), their mask
 * (B,NG), pivot targets (B,NP,3), their mask (B,NP), class weights (3), pivot
 * weights (3), lr beta1 beta2 eps weight_decay clip.
 * Fixture: "CKGOLDP\0", int32 W d L h B nparams NG NP, float32 probs (B,3),
 * ghost (B,NG,4), pivot outputs (B,NP,3) (NP(H), price, distance), loss,
 * grads (nparams) of step 1 before clipping, the losses of steps 1..3,
 * params after step 3 (nparams).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "matmul.h"
#include "model.h"
#include "golden_t.h"

#define FIXTURE	"tests/ref/model_golden_piv.bin"
#define NB	6
#define NSTEP	3
#define NG	3
#define NP	2
#define NW	12
#define NF	(MODEL_NFEAT + MODEL_NPIVFEAT)	/* model_nfeat(&cfg) */

static const struct model_config cfg = { .W = NW, .d = 16, .L = 2, .h = 4,
    .ghost = NG, .npiv = NP, .piv_level = { 1, 2 }, .piv_k = 2,
    .piv_feat = 1 };
static struct model m;
static struct adamw opt;
static float x[NB * NW * NF], gt[NB * NG * 4], gm[NB * NG];
static float pt[NB * NP * 3], pm[NB * NP];
static int label[NB];
static float cw[3] = { 0.6f, 1.8f, 1.2f };
static float pw[3] = { 1.5f, 0.7f, 0.2f };

static float
unif(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (float)((*s >> 11) * 0x1p-53) * 4.0f - 2.0f;
}

/* xorshift64 uniforms in [-2, 2); some targets missing; pivot prices and
 * distances on both sides of Huber's threshold. */
static void
setup(void)
{
	uint64_t s = 0x2545f4914f6cdd1dULL;
	char err[128];
	size_t i;

	if (model_init(&m, &cfg, err, sizeof err) == -1 ||
	    model_reserve(&m, NB, 1, err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	if (model_xsize(&cfg) != NW * NF) {
		fprintf(stderr, "x is not the model's input\n");
		exit(1);
	}
	model_init_weights(&m, 11);
	for (i = 0; i < sizeof x / sizeof x[0]; i++)
		x[i] = unif(&s);
	for (i = 0; i < NB * NG * 4; i++)
		gt[i] = unif(&s);
	for (i = 0; i < NB * NG; i++)
		gm[i] = i % 4 == 3 ? 0.0f : 1.0f;
	for (i = 0; i < NB * NP; i++) {
		pt[3 * i] = i % 3 == 0 ? 1.0f : 0.0f;
		pt[3 * i + 1] = 1.5f * unif(&s);
		pt[3 * i + 2] = 3.0f * unif(&s);
		pm[i] = i % 5 == 4 ? 0.0f : 1.0f;
	}
	for (i = 0; i < NB; i++)
		label[i] = i % 3;
	adamw_default(&opt);
	opt.clip = 0.5f;
}

static int
write_input(const char *dir)
{
	struct ckpt_meta meta = { .model_id = ckpt_id_from_seed(11),
	    .created = 1, .trained_until = CKTIME_NONE };
	char path[4096], err[256];
	int32_t hdr[4] = { NB, NW, NG, NP };
	float o[6] = { opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay,
	    opt.clip };
	FILE *f;

	snprintf(path, sizeof path, "%s/model.ckpt", dir);
	if (ckpt_create(path, &m, &meta, 1, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	snprintf(path, sizeof path, "%s/batch", dir);
	if ((f = fopen(path, "wb")) == NULL)
		return 1;
	fwrite("CKGBATP\0", 1, 8, f);
	fwrite(hdr, sizeof hdr, 1, f);
	fwrite(x, sizeof x, 1, f);
	fwrite(label, sizeof label, 1, f);
	fwrite(gt, sizeof gt, 1, f);
	fwrite(gm, sizeof gm, 1, f);
	fwrite(pt, sizeof pt, 1, f);
	fwrite(pm, sizeof pm, 1, f);
	fwrite(cw, sizeof cw, 1, f);
	fwrite(pw, sizeof pw, 1, f);
	fwrite(o, sizeof o, 1, f);
	return fclose(f) != 0;
}

static float *fx;	/* the fixture's floats after its header */

static int
read_fixture(void)
{
	const int32_t want[] = { cfg.W, cfg.d, cfg.L, cfg.h, NB,
	    (int32_t)m.nparams, NG, NP };

	fx = golden_read(FIXTURE, "CKGOLDP", want, sizeof want / sizeof want[0],
	    NB * (3 + 4 * NG + 3 * NP) + 1 + NSTEP +
	    2 * m.nparams);
	return fx != NULL ? 0 : -1;
}

static void
golden(void)
{
	struct batch b = { .B = NB, .x = x, .label = label, .ghost = gt,
	    .mask = gm, .weight = cw, .piv = pt, .pmask = pm, .pw = pw };
	float probs[NB * 3], ghost[NB * NG * 4], piv[NB * NP * 3], loss;
	const float *e = fx;

	loss = model_forward_heads(&m, &b, probs, ghost, piv);
	match("probs", probs, e, NB * 3);
	e += NB * 3;
	match("ghost", ghost, e, NB * NG * 4);
	e += NB * NG * 4;
	match("pivot", piv, e, NB * NP * 3);
	e += NB * NP * 3;
	T_NEAR(loss, e[0], 1e-5, 1e-4);
	e += 1;
	golden_steps(&m, &b, &opt, e, NSTEP);
}

static void
test_golden(void)
{
	golden_backends(&m, 11, golden);
}

int
main(int argc, char *argv[])
{
	setup();
	if (argc == 3 && strcmp(argv[1], "--write-input") == 0)
		return write_input(argv[2]);
	if (read_fixture() == -1) {
		T_OK(0);
		return T_END();
	}
	T_RUN(test_golden);
	free(fx);
	model_free(&m);
	return T_END();
}
