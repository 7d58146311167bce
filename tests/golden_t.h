/*
 * golden_t.h - for the PyTorch golden tests (tests/unit/model_golden*.c):
 * reading a fixture, comparing a C result with it, and the part of the
 * run both tests share.
 */
#ifndef GOLDEN_T_H
#define GOLDEN_T_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matmul.h"
#include "model.h"
#include "t.h"

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

/* The n floats of the fixture at path after its magic (8 bytes) and its
 * header of nhdr int32, which must be want; NULL when it is not that. */
static float *
golden_read(const char *path, const char *magic, const int32_t *want,
    int nhdr, size_t n)
{
	FILE *f = fopen(path, "rb");
	char mg[8];
	int32_t hdr[16];
	float *fx = NULL;

	if (f == NULL) {
		fprintf(stderr, "%s: cannot open (make fixtures)\n", path);
		return NULL;
	}
	if (nhdr > 16 || fread(mg, 8, 1, f) != 1 || memcmp(mg, magic, 8) != 0 ||
	    fread(hdr, sizeof(int32_t), nhdr, f) != (size_t)nhdr ||
	    memcmp(hdr, want, nhdr * sizeof(int32_t)) != 0)
		fprintf(stderr, "%s: not a fixture for this model\n", path);
	else if ((fx = malloc((n + 1) * sizeof(float))) == NULL ||
	    fread(fx, sizeof(float), n + 1, f) != n) {
		fprintf(stderr, "%s: truncated or too long\n", path);
		free(fx);
		fx = NULL;
	}
	fclose(f);
	return fx;
}

/* After the first forward of b: the gradients against e, then the
 * losses of nstep steps and the weights after them against the fixture
 * that follows. */
static void
golden_steps(struct model *m, const struct batch *b, const struct adamw *o,
    const float *e, int nstep)
{
	float l;
	int i;

	model_zero_grad(m);
	model_backward(m);
	match("grads", m->grads, e, m->nparams);
	e += m->nparams;
	adamw_step(m, o);
	for (i = 1; i < nstep; i++) {
		l = model_train_step(m, b, o);
		T_NEAR(l, e[i], 1e-5, 1e-4);
	}
	e += nstep;
	match("params", m->params, e, m->nparams);
	T_EQ(m->step, (uint64_t)nstep);
}

/* fn on both backends of training's products (matmul.h), each from the
 * weights of seed. */
static void
golden_backends(struct model *m, uint64_t seed, void (*fn)(void))
{
	enum matmul_backend be;

	for (be = MATMUL_BLAS; be <= MATMUL_NATIVE; be++) {
		matmul_set_backend(be);
		model_init_weights(m, seed);
		fn();
		fprintf(stderr, "golden: backend %s (OpenBLAS %s) done\n",
		    matmul_backend_name(), matmul_blas_core());
	}
	matmul_set_backend(MATMUL_AUTO);
}

#endif
