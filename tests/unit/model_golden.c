/*
 * model_golden: the C model against PyTorch.  tests/ref/model_ref.py runs
 * "model_golden --write-input FILE" to get the weights and the batch below,
 * builds the same model in PyTorch, runs forward, backward and 3 AdamW
 * steps, and writes tests/ref/model_golden.bin; this test recomputes all of
 * it and requires |a - b| <= 1e-5 + 1e-4 |b| for every number.
 *
 * DIR/batch (little-endian): "CKGBAT2\0", int32 B W, float32 x (B,W,5),
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
#include "t.h"

#define FIXTURE	"tests/ref/model_golden.bin"
#define NB	6
#define NSTEP	3

static const struct model_config cfg = { .W = 12, .d = 16, .L = 2, .h = 4 };
static struct model m;
static struct adamw opt;
static float x[NB * 12 * MODEL_NFEAT], target[NB * 4], mask[NB];
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
static size_t nfx;

static int
read_fixture(void)
{
	FILE *f = fopen(FIXTURE, "rb");
	char magic[8];
	int32_t hdr[6];
	long sz;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open (make fixtures)\n", FIXTURE);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (sz < 32 || fread(magic, 8, 1, f) != 1 || fread(hdr, sizeof hdr, 1, f)
	    != 1 || memcmp(magic, "CKGOLD1", 8) != 0 || hdr[0] != cfg.W ||
	    hdr[1] != cfg.d || hdr[2] != cfg.L || hdr[3] != cfg.h ||
	    hdr[4] != NB || hdr[5] != (int32_t)m.nparams) {
		fprintf(stderr, "%s: not a fixture for this model\n", FIXTURE);
		fclose(f);
		return -1;
	}
	nfx = (size_t)(sz - 32) / sizeof(float);
	fx = malloc(nfx * sizeof(float));
	if (fread(fx, sizeof(float), nfx, f) != nfx || nfx != NB * 10 + 1 + NSTEP +
	    2 * m.nparams) {
		fprintf(stderr, "%s: truncated\n", FIXTURE);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Every element within 1e-5 + 1e-4 |b|; reports the first few misses. */
static void
match(const char *what, const float *a, const float *b, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (!(fabs((double)a[i] - b[i]) <= 1e-5 + 1e-4 * fabs(b[i]))) {
			if (bad++ < 5)
				fprintf(stderr, "%s[%zu]: %.9g vs torch %.9g\n",
				    what, i, a[i], b[i]);
		}
	if (bad > 0)
		fprintf(stderr, "%s: %zu of %zu differ\n", what, bad, n);
	T_EQ(bad, 0);
}

/* The whole fixture on the backend in force, from the weights of setup(). */
static void
golden(void)
{
	struct batch b = { NB, x, label, target, mask, cw };
	float probs[NB * 3], ghost[NB * 4], logits[NB * 3], zl[NB * 3], loss, l;
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
	model_zero_grad(&m);
	model_backward(&m);
	match("grads", m.grads, e, m.nparams);
	e += m.nparams;
	adamw_step(&m, &opt);
	for (i = 1; i < NSTEP; i++) {
		l = model_train_step(&m, &b, &opt);
		T_NEAR(l, e[i], 1e-5, 1e-4);
	}
	e += NSTEP;
	match("params", m.params, e, m.nparams);
	T_EQ(m.step, NSTEP);
}

/* Both backends of training's products (matmul.h) match PyTorch. */
static void
test_golden(void)
{
	enum matmul_backend be;

	for (be = MATMUL_BLAS; be <= MATMUL_NATIVE; be++) {
		matmul_set_backend(be);
		model_init_weights(&m, 7);
		golden();
		fprintf(stderr, "golden: backend %s (OpenBLAS %s) done\n",
		    matmul_backend_name(), matmul_blas_core());
	}
	matmul_set_backend(MATMUL_AUTO);
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
