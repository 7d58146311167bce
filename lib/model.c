/*
 * model.c - the candle transformer: the tensor table, initialization, and
 * the forward and backward passes over a batch (issue 3, section 2).
 * The layers are in layers.c, the matrix products in matmul.c, AdamW in
 * adamw.c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define MODEL_MAXW	4096
#define MODEL_MAXD	2048

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
model_config_default(struct model_config *c)
{
	c->W = 32;
	c->d = 32;
	c->L = 2;
	c->h = 4;
}

int
model_config_check(const struct model_config *c, char *err, size_t errlen)
{
	if (c->W < 1 || c->W > MODEL_MAXW) {
		seterr(err, errlen, "window %d out of range 1..%d", c->W, MODEL_MAXW);
		return -1;
	}
	if (c->d < 1 || c->d > MODEL_MAXD) {
		seterr(err, errlen, "width %d out of range 1..%d", c->d, MODEL_MAXD);
		return -1;
	}
	if (c->L < 1 || c->L > MODEL_MAXL) {
		seterr(err, errlen, "layers %d out of range 1..%d", c->L, MODEL_MAXL);
		return -1;
	}
	if (c->h < 1 || c->h > c->d || c->d % c->h != 0) {
		seterr(err, errlen, "heads %d must divide the width %d", c->h, c->d);
		return -1;
	}
	return 0;
}

static void
addtensor(struct model *m, const char *name, int rows, int cols, int decay)
{
	struct model_tensor *t = &m->tensor[m->ntensors++];

	snprintf(t->name, sizeof t->name, "%s", name);
	t->rows = rows;
	t->cols = cols;
	t->offset = m->nparams;
	t->decay = decay;
	m->nparams += (size_t)rows * cols;
}

/* The tensor table; see model.h for the order. */
static void
layout(struct model *m)
{
	int d = m->cfg.d, l;
	char nm[32];

	m->ntensors = 0;
	m->nparams = 0;
	addtensor(m, "w_in", MODEL_NFEAT, d, 1);
	addtensor(m, "b_in", 1, d, 0);
	addtensor(m, "pos", m->cfg.W, d, 0);
	for (l = 0; l < m->cfg.L; l++) {
#define BLK(s, r, c, dc) do { \
	snprintf(nm, sizeof nm, "blk%d.%s", l, s); \
	addtensor(m, nm, r, c, dc); \
} while (0)
		BLK("ln1_g", 1, d, 0);
		BLK("ln1_b", 1, d, 0);
		BLK("wqkv", d, 3 * d, 1);
		BLK("bqkv", 1, 3 * d, 0);
		BLK("wo", d, d, 1);
		BLK("bo", 1, d, 0);
		BLK("ln2_g", 1, d, 0);
		BLK("ln2_b", 1, d, 0);
		BLK("w1", d, 4 * d, 1);
		BLK("b1", 1, 4 * d, 0);
		BLK("w2", 4 * d, d, 1);
		BLK("b2", 1, d, 0);
#undef BLK
	}
	addtensor(m, "lnf_g", 1, d, 0);
	addtensor(m, "lnf_b", 1, d, 0);
	addtensor(m, "w_a", d, MODEL_NCLASS, 1);
	addtensor(m, "b_a", 1, MODEL_NCLASS, 0);
	addtensor(m, "w_g", d, MODEL_NGHOST, 1);
	addtensor(m, "b_g", 1, MODEL_NGHOST, 0);
}

int
model_init(struct model *m, const struct model_config *c, char *err,
    size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (model_config_check(c, err, errlen) == -1)
		return -1;
	m->cfg = *c;
	layout(m);
	/* One block: params | grads | m | v, each nparams floats. */
	m->params = calloc(4 * m->nparams, sizeof(float));
	if (m->params == NULL) {
		seterr(err, errlen, "out of memory for %zu parameters", m->nparams);
		return -1;
	}
	m->grads = m->params + m->nparams;
	m->m = m->grads + m->nparams;
	m->v = m->m + m->nparams;
	return 0;
}

const struct model_tensor *
model_tensor_find(const struct model *m, const char *name)
{
	int i;

	for (i = 0; i < m->ntensors; i++)
		if (strcmp(m->tensor[i].name, name) == 0)
			return &m->tensor[i];
	return NULL;
}

/* splitmix64 (Steele, Lea, Flood 2014), used to seed xoshiro256**. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman, Vigna 2018). */
static uint64_t
xoshiro(uint64_t s[4])
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static double
normal(uint64_t s[4])
{
	double u1 = (double)(xoshiro(s) >> 11) * 0x1p-53;
	double u2 = (double)(xoshiro(s) >> 11) * 0x1p-53;

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static int
endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

void
model_init_weights(struct model *m, uint64_t seed)
{
	uint64_t s[4], x = seed;
	size_t j, n;
	double sd;
	int i;

	for (i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
	for (i = 0; i < m->ntensors; i++) {
		const struct model_tensor *t = &m->tensor[i];
		float *p = m->params + t->offset;

		n = (size_t)t->rows * t->cols;
		if (t->decay || strcmp(t->name, "pos") == 0) {
			sd = 0.02;
			if (endswith(t->name, ".wo") || endswith(t->name, ".w2"))
				sd = 0.02 / sqrt(2.0 * m->cfg.L);
			for (j = 0; j < n; j++)
				p[j] = (float)(sd * normal(s));
		} else if (endswith(t->name, "_g") && strstr(t->name, "ln")) {
			for (j = 0; j < n; j++)
				p[j] = 1.0f;
		} else
			memset(p, 0, n * sizeof *p);
	}
	memset(m->grads, 0, 3 * m->nparams * sizeof(float));
	m->step = 0;
}

static void	state_free(struct model_state *);

void
model_free(struct model *m)
{
	state_free(m->st);
	m->st = NULL;
	free(m->params);
	m->params = m->grads = m->m = m->v = NULL;
}

/* Activations and the thread pool (model_reserve). */
struct model_state {
	int	maxB;
};

static void
state_free(struct model_state *st)
{
	free(st);
}
