/*
 * model_golden: the C model against PyTorch.  tests/ref/model_ref.py runs
 * "model_golden --write-input FILE" to get the weights and the batch below,
 * builds the same model in PyTorch, runs forward, backward and 3 AdamW
 * steps, and writes tests/ref/model_golden.bin; this test recomputes all of
 * it and requires |a - b| <= 1e-5 + 1e-4 |b| for every number.
 *
 * tests/unit/model_golden_ctx.c is this test for a model with contexts
 * (GOLDEN_CTX: two timeframes and a reference), its fixture
 * tests/ref/model_golden_ctx.bin (model_ref.py --ctx).
 *
 * DIR/batch (little-endian): "CKGBAT2\0", int32 B W, float32 x
 * (B, model_xsize: (B,W,5) without contexts),
 * int32 label (B), float32 target (B,4), mask (B), class weights (3),
 * float32 lr beta1 beta2 eps weight_decay clip.
 * Fixture: "CKGOLD1\0", int32 W d L h B nparams, float32 logits (B,3),
 * probs (B,3), ghost (B,4), loss, grads (nparams) of step 1 before clipping, the losses
 * of steps 1..3, params after step 3 (nparams).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "matmul.h"
#include "model.h"
#include "golden_t.h"

#define NB	6
#define NSTEP	3

#ifdef GOLDEN_CTX
#define FIXTURE	"tests/ref/model_golden_ctx.bin"
/* the window, the last 5 hours and 4 days (in progress last), and the
 * last 6 candles of a reference */
static const struct model_config cfg = { .W = 12, .d = 16, .L = 2, .h = 4,
	.nctx = 3, .ctx = { { 3600 * CK_SEC, 5, "" }, { 86400 * CK_SEC, 4, "" },
	{ 0, 6, "REF" } } };
#define XSIZE	(12 * MODEL_NFEAT + (5 + 4 + 6) * MODEL_NCTXFEAT)
#else
#define FIXTURE	"tests/ref/model_golden.bin"
static const struct model_config cfg = { .W = 12, .d = 16, .L = 2, .h = 4 };
#define XSIZE	(12 * MODEL_NFEAT)
#endif
static struct model m;
static struct adamw opt;
static float x[NB * XSIZE], target[NB * 4], mask[NB];
static int label[NB];
/* the cross-entropy's class weights (PyTorch's weight=, reduction none) */
static float cw[3] = { 0.6f, 1.8f, 1.2f };

/* The batch: xorshift64 uniforms in [-2, 2), labels 0 1 2 0 1 2, the ghost
 * target present for windows 0, 2, 3 and 5. */
static void
setup(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL;
	char err[128];
	size_t i;

	if (model_init(&m, &cfg, err, sizeof err) == -1 ||
	    model_reserve(&m, NB, 1, err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	model_init_weights(&m, 7);
	if (model_xsize(&cfg) != XSIZE) {
		fprintf(stderr, "XSIZE is not model_xsize\n");
		exit(1);
	}
	for (i = 0; i < sizeof x / sizeof x[0] + NB * 4; i++) {
		float u;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		u = (float)((s >> 11) * 0x1p-53) * 4.0f - 2.0f;
		if (i < sizeof x / sizeof x[0])
			x[i] = u;
		else
			target[i - sizeof x / sizeof x[0]] = u;
	}
	for (i = 0; i < NB; i++) {
		label[i] = i % 3;
		mask[i] = i == 1 || i == 4 ? 0.0f : 1.0f;
	}
	adamw_default(&opt);
	opt.clip = 0.5f;	/* below the first gradient's norm: clipping acts */
}

/* dir/model.ckpt by ckpt_create, dir/batch the batch and AdamW settings */
static int
write_input(const char *dir)
{
	struct ckpt_meta meta = { .model_id = ckpt_id_from_seed(7),
	    .created = 1, .trained_until = CKTIME_NONE };
	char path[4096], err[256];
	int32_t hdr[2] = { NB, cfg.W };
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
	fwrite("CKGBAT2\0", 1, 8, f);
	fwrite(hdr, sizeof hdr, 1, f);
	fwrite(x, sizeof x, 1, f);
	fwrite(label, sizeof label, 1, f);
	fwrite(target, sizeof target, 1, f);
	fwrite(mask, sizeof mask, 1, f);
	fwrite(cw, sizeof cw, 1, f);
	fwrite(o, sizeof o, 1, f);
	return fclose(f) != 0;
}

static float *fx;	/* the fixture's floats after its header */

static int
read_fixture(void)
{
	const int32_t want[] = { cfg.W, cfg.d, cfg.L, cfg.h, NB,
	    (int32_t)m.nparams };

	fx = golden_read(FIXTURE, "CKGOLD1", want, sizeof want / sizeof want[0],
	    NB * 10 + 1 + NSTEP + 2 * m.nparams);
	return fx != NULL ? 0 : -1;
}

static void
golden(void)
{
	struct batch b = { .B = NB, .x = x, .label = label, .ghost = target,
	    .mask = mask, .weight = cw };
	float probs[NB * 3], ghost[NB * 4], logits[NB * 3], zl[NB * 3], loss;
	const float *e = fx;
	int i, j;

	loss = model_forward(&m, &b, probs, ghost);
	/* logits are known up to a constant from the probabilities: compare
	 * them centred, log p - mean log p against z - mean z */
	for (i = 0; i < NB; i++) {
		double lc = 0.0, zc = 0.0;

		for (j = 0; j < 3; j++) {
			lc += log(probs[i * 3 + j]) / 3;
			zc += (double)e[i * 3 + j] / 3;
		}
		for (j = 0; j < 3; j++) {
			logits[i * 3 + j] = (float)(log(probs[i * 3 + j]) - lc);
			zl[i * 3 + j] = (float)(e[i * 3 + j] - zc);
		}
	}
	match("logits", logits, zl, NB * 3);
	e += NB * 3;
	match("probs", probs, e, NB * 3);
	e += NB * 3;
	match("ghost", ghost, e, NB * 4);
	e += NB * 4;
	T_NEAR(loss, e[0], 1e-5, 1e-4);
	e += 1;
	golden_steps(&m, &b, &opt, e, NSTEP);
}

/* Both backends of training's products (matmul.h) match PyTorch. */
static void
test_golden(void)
{
	golden_backends(&m, 7, golden);
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
