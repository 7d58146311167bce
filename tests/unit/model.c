/*
 * model: the configuration and the tensor table, the documented
 * initialization, a finite-difference check of the whole model's gradient
 * (with and without the ghost mask), threads and determinism, batch
 * independence of model_predict, and the overfit-one-batch test.
 */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "matmul.h"
#include "model.h"
#include "t.h"

static char err[256];

static unsigned long long rs = 0x853c49e6748fea9bULL;

static float
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (float)((rs >> 11) * 0x1p-53) * 2.0f - 1.0f;
}

struct data {
	int	 B;
	float	*x, *target, *mask;
	int	*label;
	struct batch b;
};

static void
data_make(struct data *d, int B, int W)
{
	int i;

	d->B = B;
	d->x = malloc((size_t)B * W * MODEL_NFEAT * sizeof(float));
	d->target = malloc((size_t)B * 4 * sizeof(float));
	d->mask = malloc(B * sizeof(float));
	d->label = malloc(B * sizeof(int));
	for (i = 0; i < B * W * MODEL_NFEAT; i++)
		d->x[i] = 2.0f * urand();
	for (i = 0; i < B * 4; i++)
		d->target[i] = urand();
	for (i = 0; i < B; i++) {
		d->label[i] = i % 3;
		d->mask[i] = i % 4 == 3 ? 0.0f : 1.0f;
	}
	d->b.B = B;
	d->b.x = d->x;
	d->b.label = d->label;
	d->b.ghost = d->target;
	d->b.mask = d->mask;
	d->b.weight = NULL;
}

static void
data_free(struct data *d)
{
	free(d->x), free(d->target), free(d->mask), free(d->label);
}

static int
mk(struct model *m, int W, int d, int L, int h, int maxB, int nth)
{
	struct model_config c = { .W = W, .d = d, .L = L, .h = h };

	if (model_init(m, &c, err, sizeof err) == -1 ||
	    model_reserve(m, maxB, nth, err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	model_init_weights(m, 42);
	return 0;
}

static void
test_config(void)
{
	struct model_config c, bad;
	struct model m;
	const struct model_tensor *t;

	model_config_default(&c);
	T_EQ(c.W, 32);
	T_EQ(c.d, 32);
	T_EQ(c.L, 2);
	T_EQ(c.h, 4);
	T_EQ(model_config_check(&c, err, sizeof err), 0);
	bad = c, bad.h = 5;
	T_EQ(model_config_check(&bad, err, sizeof err), -1);
	T_OK(strstr(err, "heads") != NULL);
	bad = c, bad.L = MODEL_MAXL + 1;
	T_EQ(model_config_check(&bad, err, sizeof err), -1);
	bad = c, bad.W = 0;
	T_EQ(model_config_check(&bad, err, sizeof err), -1);
	bad = c, bad.d = -4;
	T_EQ(model_init(&m, &bad, err, sizeof err), -1);
	T_EQ(model_init(&m, &c, err, sizeof err), 0);
	T_EQ(m.nparams, 26919);		/* PERF-NOTES' count */
	T_EQ(m.ntensors, 9 + 12 * 2);
	T_OK((t = model_tensor_find(&m, "blk1.w2")) != NULL);
	if (t != NULL) {
		T_EQ(t->rows, 128);
		T_EQ(t->cols, 32);
		T_EQ(t->decay, 1);
		T_EQ(t->offset, 22496);
	}
	T_OK((t = model_tensor_find(&m, "pos")) != NULL && t->decay == 0);
	T_OK((t = model_tensor_find(&m, "b_g")) != NULL &&
	    t->offset + 4 == m.nparams);
	T_OK(model_tensor_find(&m, "nope") == NULL);
	model_free(&m);
}

/* The documented generator, written again from model.h's comment. */
static uint64_t
sm64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
xo(uint64_t s[4])
{
	uint64_t r = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9, t = s[1] << 17;

	s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return r;
}

static void
test_init(void)
{
	struct model a, b;
	struct model_config c;
	uint64_t s[4], x = 5;
	const struct model_tensor *t;
	int i;

	model_config_default(&c);
	model_init(&a, &c, err, sizeof err);
	model_init(&b, &c, err, sizeof err);
	model_init_weights(&a, 5);
	model_init_weights(&b, 5);
	T_OK(memcmp(a.params, b.params, a.nparams * sizeof(float)) == 0);
	for (i = 0; i < 4; i++)
		s[i] = sm64(&x);
	for (i = 0; i < 8; i++) {	/* w_in comes first */
		double u1 = (xo(s) >> 11) * 0x1p-53, u2 = (xo(s) >> 11) * 0x1p-53;

		T_OK(a.params[i] == (float)(0.02 * sqrt(-2 * log(1 - u1)) *
		    cos(2 * M_PI * u2)));
	}
	t = model_tensor_find(&a, "blk0.ln2_g");
	T_OK(a.params[t->offset] == 1.0f && a.params[t->offset + 31] == 1.0f);
	t = model_tensor_find(&a, "blk1.b1");
	T_OK(a.params[t->offset] == 0.0f);
	model_init_weights(&b, 6);
	T_OK(memcmp(a.params, b.params, a.nparams * sizeof(float)) != 0);
	model_free(&a);
	model_free(&b);
}

/* Central differences of the loss over every parameter of a small model. */
static void
gradcheck(const float *maskv, const float *cw)
{
	struct model m;
	struct data d;
	size_t i, bad = 0;
	float *g;
	double lp, lm;
	int k;

	if (mk(&m, 5, 8, 2, 2, 3, 1) == -1) {
		T_OK(0);
		return;
	}
	/* weights 10x the init, so that every gradient is well above noise */
	for (k = 0; k < m.ntensors; k++)
		if (m.tensor[k].decay || strcmp(m.tensor[k].name, "pos") == 0)
			for (i = 0; i < (size_t)m.tensor[k].rows * m.tensor[k].cols; i++)
				m.params[m.tensor[k].offset + i] *= 10;
	data_make(&d, 3, 5);
	memcpy(d.mask, maskv, 3 * sizeof(float));
	d.b.weight = cw;
	model_zero_grad(&m);
	model_forward(&m, &d.b, NULL, NULL);
	model_backward(&m);
	g = malloc(m.nparams * sizeof(float));
	memcpy(g, m.grads, m.nparams * sizeof(float));
	for (i = 0; i < m.nparams; i++) {
		float save = m.params[i], up = save + 1e-2f, dn = save - 1e-2f, num;

		m.params[i] = up;
		lp = model_forward(&m, &d.b, NULL, NULL);
		m.params[i] = dn;
		lm = model_forward(&m, &d.b, NULL, NULL);
		m.params[i] = save;
		num = (float)((lp - lm) / ((double)up - dn));
		if (!(fabs(g[i] - num) <= 1e-4 + 2e-2 * fabs(num)) && bad++ < 5)
			fprintf(stderr, "param %zu: backward %.7g, differences %.7g\n",
			    i, g[i], num);
	}
	T_EQ(bad, 0);
	free(g);
	data_free(&d);
	model_free(&m);
}

static void
test_gradcheck_mask(void)
{
	float mask[3] = { 1, 0, 1 };

	gradcheck(mask, NULL);
}

/* Class weights in the loss (inverse-frequency style: HOLD light). */
static void
test_gradcheck_weighted(void)
{
	float mask[3] = { 1, 0, 1 }, cw[3] = { 0.3f, 2.5f, 1.7f };

	gradcheck(mask, cw);
}

/* The loss with class weights is the mean of w[label] * CE + ghost: with
 * the ghost term off, weights (a, a, a) scale the loss by a, and a weight
 * of 0 on a class removes its samples. */
static void
test_weighted_loss(void)
{
	struct model m;
	struct data d;
	float mask0[6] = { 0 }, probs[6 * 3], l1, l2, l0;
	float two[3] = { 2, 2, 2 }, nohold[3] = { 0, 1, 1 };
	double ce = 0;
	int i;

	if (mk(&m, 5, 8, 2, 2, 6, 1) == -1) {
		T_OK(0);
		return;
	}
	data_make(&d, 6, 5);
	memcpy(d.mask, mask0, sizeof mask0);
	l1 = model_forward(&m, &d.b, probs, NULL);
	d.b.weight = two;
	l2 = model_forward(&m, &d.b, NULL, NULL);
	T_NEAR(l2, 2 * l1, 1e-6, 1e-6);
	d.b.weight = nohold;
	l0 = model_forward(&m, &d.b, NULL, NULL);
	for (i = 0; i < 6; i++)
		if (d.label[i] != 0)
			ce -= log(probs[i * 3 + d.label[i]]);
	T_NEAR(l0, ce / 6, 1e-5, 1e-5);
	data_free(&d);
	model_free(&m);
}

/* model_predict applies the temperature: softmax(logits / T), the
 * logits being log(p) up to a constant; T 1 or 0 leaves the bits. */
static void
test_temperature(void)
{
	struct model m;
	struct data d;
	float p1[8 * 3], p2[8 * 3], p0[8 * 3];
	double z[3], s;
	int i, j, same;

	if (mk(&m, 8, 8, 1, 2, 8, 1) == -1) {
		T_OK(0);
		return;
	}
	data_make(&d, 8, 8);
	for (i = 0; i < 8 * 5 * 8; i++)
		d.x[i] *= 3;
	model_predict(&m, d.x, 8, p1, NULL);
	m.temperature = 1;
	model_predict(&m, d.x, 8, p0, NULL);
	T_OK(memcmp(p0, p1, sizeof p0) == 0);
	m.temperature = 2.5f;
	model_predict(&m, d.x, 8, p2, NULL);
	same = 1;
	for (i = 0; i < 8; i++) {
		for (s = 0, j = 0; j < 3; j++)
			s += z[j] = exp(log(p1[i * 3 + j]) / 2.5);
		for (j = 0; j < 3; j++)
			T_NEAR(p2[i * 3 + j], z[j] / s, 1e-6, 1e-5);
		same &= memcmp(p1 + i * 3, p2 + i * 3, 3 * sizeof(float)) == 0;
	}
	T_OK(!same);
	data_free(&d);
	model_free(&m);
}

static void
test_gradcheck_nomask(void)
{
	float mask[3] = { 0, 0, 0 };

	gradcheck(mask, NULL);
}

/* Same seed and data: same bits, with one thread and with two; with one
 * thread, ckpt writes the checkpoint to ckpt (if not NULL). */
static void
train_copy(int nth, float *out, size_t *n, const char *ckpt)
{
	struct ckpt_meta meta = { .model_id = ckpt_id_from_seed(3),
	    .created = 1, .trained_until = CKTIME_NONE };
	struct model m;
	struct data d;
	struct adamw o;
	int i;

	rs = 77;
	if (mk(&m, 32, 32, 2, 4, 64, nth) == -1)
		return;
	data_make(&d, 40, 32);
	adamw_default(&o);
	for (i = 0; i < 5; i++)
		model_train_step(&m, &d.b, &o);
	*n = 3 * m.nparams;
	memcpy(out, m.params, m.nparams * sizeof(float));
	memcpy(out + m.nparams, m.m, m.nparams * sizeof(float));
	memcpy(out + 2 * m.nparams, m.v, m.nparams * sizeof(float));
	T_EQ(m.step, 5);
	if (ckpt != NULL)
		T_EQ(ckpt_create(ckpt, &m, &meta, 1, err, sizeof err), 0);
	data_free(&d);
	model_free(&m);
}

static void
grads_for(int nth, float *out)
{
	struct model m;
	struct data d;

	rs = 78;
	if (mk(&m, 32, 32, 2, 4, 64, nth) == -1)
		return;
	data_make(&d, 64, 32);
	model_zero_grad(&m);
	model_forward(&m, &d.b, NULL, NULL);
	model_backward(&m);
	memcpy(out, m.grads, m.nparams * sizeof(float));
	data_free(&d);
	model_free(&m);
}

static void
determinism(void)
{
	size_t n = 0, n2 = 0, i, bad = 0;
	float *a = malloc(3 * 26919 * sizeof(float));
	float *b = malloc(3 * 26919 * sizeof(float));

	char dir[] = "/tmp/ck-model.XXXXXX", p1[64], p2[64];
	int same = 0;

	if (mkdtemp(dir) == NULL) {
		T_OK(0);
		return;
	}
	snprintf(p1, sizeof p1, "%s/a", dir);
	snprintf(p2, sizeof p2, "%s/b", dir);
	train_copy(1, a, &n, p1);
	train_copy(1, b, &n2, p2);
	T_EQ(n, 3 * 26919);
	T_EQ(n2, n);
	T_OK(memcmp(a, b, n * sizeof(float)) == 0);
	{
		/* byte-identical checkpoints */
		FILE *f1 = fopen(p1, "rb"), *f2 = fopen(p2, "rb");
		int c1, c2;

		if (f1 != NULL && f2 != NULL) {
			do {
				c1 = getc(f1);
				c2 = getc(f2);
			} while (c1 == c2 && c1 != EOF);
			same = c1 == c2;
		}
		if (f1 != NULL)
			fclose(f1);
		if (f2 != NULL)
			fclose(f2);
	}
	T_OK(same);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
	train_copy(2, a, &n, NULL);
	train_copy(2, b, &n2, NULL);
	T_OK(memcmp(a, b, n * sizeof(float)) == 0);
	/* the gradients of 1 and 2 threads differ only by rounding */
	grads_for(1, a);
	grads_for(2, b);
	for (i = 0; i < 26919; i++)
		if (!(fabs(a[i] - b[i]) <= 1e-7 + 1e-4 * fabs(b[i])))
			bad++;
	T_EQ(bad, 0);
	free(a);
	free(b);
}

/* Within each backend of training's products (matmul.h). */
/*
 * A thread's share in passes of 1, 3 or 7 windows rather than all at once
 * (model_set_pass): the same losses, probabilities and parameters, bit for
 * bit, on 1 and 2 threads, through training steps and model_backward.
 */
static void
after_steps(int nth, int pass, float *out, size_t *n)
{
	struct model m;
	struct data d;
	struct adamw o;
	float loss[3], probs[40 * 3];
	int i;

	rs = 91;
	*n = 0;
	if (mk(&m, 8, 16, 2, 2, 40, nth) == -1)
		return;
	T_EQ(model_set_pass(&m, pass), pass == 0 ? 40 / nth : pass);
	data_make(&d, 40, 8);
	adamw_default(&o);
	for (i = 0; i < 3; i++)
		loss[i] = model_train_step(&m, &d.b, &o);
	model_forward(&m, &d.b, probs, NULL);
	model_zero_grad(&m);
	model_backward(&m);
	memcpy(out, loss, sizeof loss);
	memcpy(out + 3, probs, sizeof probs);
	memcpy(out + 3 + 120, m.params, m.nparams * sizeof(float));
	memcpy(out + 3 + 120 + m.nparams, m.grads, m.nparams * sizeof(float));
	*n = 3 + 120 + 2 * m.nparams;
	data_free(&d);
	model_free(&m);
}

static void
test_passes(void)
{
	float *a = malloc(200000 * sizeof(float)), *b = malloc(200000 *
	    sizeof(float));
	size_t na, nb;
	int nth, p, pass[] = { 1, 3, 7 };
	struct model m;

	for (nth = 1; nth <= 2; nth++) {
		after_steps(nth, 0, a, &na);
		T_OK(na > 123 && na < 200000);
		for (p = 0; p < 3; p++) {
			after_steps(nth, pass[p], b, &nb);
			T_EQ(nb, na);
			T_OK(memcmp(a, b, na * sizeof(float)) == 0);
		}
	}
	/* out of range: what model_reserve chose */
	if (mk(&m, 8, 16, 2, 2, 40, 1) == 0) {
		T_EQ(model_set_pass(&m, 100), 40);
		T_EQ(model_set_pass(&m, -1), 40);
		T_EQ(model_set_pass(&m, 5), 5);
		model_free(&m);
	}
	free(a), free(b);
}

static void
test_determinism(void)
{
	enum matmul_backend be;

	for (be = MATMUL_BLAS; be <= MATMUL_NATIVE; be++) {
		matmul_set_backend(be);
		determinism();
	}
	matmul_set_backend(MATMUL_AUTO);
}

/* A window's prediction is the same bits whatever batch it is in. */
static void
test_predict(void)
{
	struct model m, m1;
	struct data d;
	float pa[70 * 3], ga[70 * 4], pb[3], gb[4], pf[70 * 3], gf[70 * 4];
	size_t wf = 32 * MODEL_NFEAT;
	int i, j, same = 1;

	if (mk(&m, 32, 32, 2, 4, 70, 2) == -1 || mk(&m1, 32, 32, 2, 4, 1, 1) == -1)
		return;
	data_make(&d, 70, 32);
	model_predict(&m, d.x, 70, pa, ga);
	for (i = 0; i < 70; i += 7) {
		model_predict(&m1, d.x + i * wf, 1, pb, gb);
		same &= memcmp(pb, pa + i * 3, sizeof pb) == 0;
		same &= memcmp(gb, ga + i * 4, sizeof gb) == 0;
	}
	model_predict(&m, d.x + 13 * wf, 5, pf, gf);
	same &= memcmp(pf, pa + 13 * 3, 5 * 3 * sizeof(float)) == 0;
	T_OK(same);
	/* and the training forward agrees up to rounding */
	model_forward(&m, &d.b, pf, gf);
	for (i = 0; i < 70; i++) {
		for (j = 0; j < 3; j++)
			T_NEAR(pa[i * 3 + j], pf[i * 3 + j], 1e-6, 1e-5);
		for (j = 0; j < 4; j++)
			T_NEAR(ga[i * 4 + j], gf[i * 4 + j], 1e-6, 1e-5);
		T_NEAR(pa[i * 3] + pa[i * 3 + 1] + pa[i * 3 + 2], 1, 1e-6, 0);
	}
	/* a batch over the reserve is refused */
	d.b.B = 71;
	T_OK(isnan(model_forward(&m, &d.b, NULL, NULL)));
	data_free(&d);
	model_free(&m);
	model_free(&m1);
}

static void
test_overfit(void)
{
	struct model m;
	struct data d;
	struct adamw o;
	float first, last = 0;
	int i;

	if (mk(&m, 32, 32, 2, 4, 16, 0) == -1)
		return;
	data_make(&d, 16, 32);
	adamw_default(&o);
	first = model_train_step(&m, &d.b, &o);
	for (i = 1; i < 200; i++)
		last = model_train_step(&m, &d.b, &o);
	fprintf(stderr, "overfit: loss %g -> %g\n", first, last);
	T_OK(last < first / 10);
	data_free(&d);
	model_free(&m);
}

/* The parameters and moments of m, as they are. */
static float *
snap(const struct model *m)
{
	float *s = malloc(3 * m->nparams * sizeof(float));

	if (s != NULL) {
		memcpy(s, m->params, m->nparams * sizeof(float));
		memcpy(s + m->nparams, m->m, m->nparams * sizeof(float));
		memcpy(s + 2 * m->nparams, m->v, m->nparams * sizeof(float));
	}
	return s;
}

static int
same(const struct model *m, const float *s)
{
	return memcmp(m->params, s, m->nparams * sizeof(float)) == 0 &&
	    memcmp(m->m, s + m->nparams, m->nparams * sizeof(float)) == 0 &&
	    memcmp(m->v, s + 2 * m->nparams, m->nparams * sizeof(float)) == 0;
}

/* Issue 19, 6: a step whose loss, gradient or result is not finite is not
 * applied: parameters, moments and step stay as they were.  Before, one
 * such step made every weight NaN and the generation advanced; a step at
 * generation 2^64-1 wrapped it to 0 and divided by a zero bias
 * correction. */
static void
test_refused_steps(void)
{
	struct model m;
	struct data d;
	struct adamw o;
	float *s, l;
	uint64_t st;
	size_t j;
	int i, applied = 0, refused = 0;

	if (mk(&m, 8, 8, 1, 2, 4, 1) == -1)
		return;
	data_make(&d, 4, 8);
	adamw_default(&o);
	model_train_step(&m, &d.b, &o);
	T_EQ(m.step, 1);

	/* a NaN in the gradient */
	s = snap(&m);
	model_zero_grad(&m);
	model_forward(&m, &d.b, NULL, NULL);
	model_backward(&m);
	m.grads[m.nparams / 2] = NAN;
	T_OK(!isfinite(adamw_step(&m, &o)));
	T_EQ(m.step, 1);
	T_OK(same(&m, s));

	/* a loss that overflows: huge (finite) weights */
	for (j = 0; j < m.nparams; j++)
		m.params[j] = m.params[j] * 1e30f + 1e30f;
	free(s);
	s = snap(&m);
	l = model_train_step(&m, &d.b, &o);
	T_OK(!isfinite(l));
	T_EQ(m.step, 1);
	T_OK(same(&m, s));

	/* the generation at its end does not wrap */
	model_init_weights(&m, 42);
	m.step = UINT64_MAX;
	free(s);
	s = snap(&m);
	model_train_step(&m, &d.b, &o);
	T_OK(m.step == UINT64_MAX);
	T_OK(same(&m, s));

	/* an update that would overflow (lr 10, weight decay 10: every
	 * weight times -99 a step) stops before anything is not finite */
	model_init_weights(&m, 42);
	o.lr = 10;
	o.weight_decay = 10;
	for (i = 0; i < 100; i++) {
		st = m.step;
		model_train_step(&m, &d.b, &o);
		if (m.step == st)
			refused++;
		else
			applied++;
	}
	T_OK(applied > 0);
	T_OK(refused > 0);
	for (j = 0; j < m.nparams; j++)
		if (!isfinite(m.params[j]) || !isfinite(m.m[j]) ||
		    !isfinite(m.v[j]) || m.v[j] < 0)
			break;
	T_OK(j == m.nparams);
	free(s);
	data_free(&d);
	model_free(&m);
}

/*
 * AdamW (model-checkpoint(5)) element by element, against the 8-lane
 * update: the same operations, so the same bits; and the norm it returns.
 */
static void
test_adamw(void)
{
	struct model_config c = { .W = 9, .d = 8, .L = 1, .h = 2 };
	struct model m;
	struct adamw o;
	float *p0, *m0, *v0, pe, me, ve;
	double norm = 0;
	size_t j, bad = 0;
	float got;
	int i, k;

	T_EQ(model_init(&m, &c, err, sizeof err), 0);
	model_init_weights(&m, 5);
	adamw_default(&o);
	o.clip = 0;
	p0 = malloc(3 * m.nparams * sizeof *p0);
	m0 = p0 + m.nparams, v0 = m0 + m.nparams;
	for (k = 0; k < 3; k++) {
		norm = 0;
		for (j = 0; j < m.nparams; j++) {
			m.grads[j] = urand() * 0.1f;
			norm += (double)m.grads[j] * m.grads[j];
		}
		memcpy(p0, m.params, m.nparams * sizeof *p0);
		memcpy(m0, m.m, m.nparams * sizeof *p0);
		memcpy(v0, m.v, m.nparams * sizeof *p0);
		got = adamw_step(&m, &o);
		T_NEAR(got, sqrt(norm), 0, 1e-6);
		for (i = 0; i < m.ntensors; i++) {
			const struct model_tensor *t = &m.tensor[i];
			float decay = (float)(1.0 - (double)o.lr *
			    (t->decay ? o.weight_decay : 0));
			float ss = (float)(o.lr / (1.0 - pow(o.beta1, (double)m.step)));
			float bc = (float)sqrt(1.0 - pow(o.beta2, (double)m.step));

			for (j = t->offset; j < t->offset + (size_t)t->rows *
			    t->cols; j++) {
				float g = m.grads[j];

				pe = p0[j] * decay;
				me = m0[j] * o.beta1 + g * (1.0f - o.beta1);
				ve = v0[j] * o.beta2 + g * g * (1.0f - o.beta2);
				pe += -ss * (me / (sqrtf(ve) / bc + o.eps));
				bad += memcmp(&pe, &m.params[j], 4) != 0 ||
				    memcmp(&me, &m.m[j], 4) != 0 ||
				    memcmp(&ve, &m.v[j], 4) != 0;
			}
		}
	}
	T_EQ(bad, 0);
	free(p0);
	model_free(&m);
}

/*
 * The calibration's header fields: a file written without them (zero
 * temperature, no timeframe) has zero bytes at 96..127, as every file
 * written before the fields existed, and loads with temperature 0 (1);
 * written with them, they come back.
 */
static void
test_header_fields(void)
{
	struct ckpt_meta w = { .model_id = 5, .created = 1,
	    .trained_until = CKTIME_NONE }, r;
	struct model m, l;
	unsigned char hdr[128];
	char path[] = "/tmp/ck-model-hdr.XXXXXX", err[256];
	int fd, i, zero = 1;

	if (mk(&m, 4, 8, 1, 2, 1, 1) == -1 || (fd = mkstemp(path)) == -1) {
		T_OK(0);
		return;
	}
	close(fd);
	unlink(path);	/* a name, not an empty file ckpt_create would refuse */
	memset(&l, 0, sizeof(l));
	T_EQ(ckpt_create(path, &m, &w, 0, err, sizeof err), 0);
	fd = open(path, O_RDONLY);
	T_OK(fd >= 0 && read(fd, hdr, 128) == 128);
	close(fd);
	for (i = 96; i < 128; i++)
		zero &= hdr[i] == 0;
	T_OK(zero);
	T_EQ(ckpt_load(path, &l, &r, err, sizeof err), 0);
	T_OK(l.temperature == 0 && r.timeframe == 0 && r.flags == 0);
	m.temperature = 2.5f;
	w.timeframe = 60 * CK_SEC;
	w.data_from = 1000 * CK_SEC;
	w.data_to = 5000 * CK_SEC;
	w.flags = CKPT_UNTILTED;
	T_EQ(ckpt_create(path, &m, &w, 1, err, sizeof err), 0);
	T_EQ(ckpt_load(path, &l, &r, err, sizeof err), 0);
	T_OK(l.temperature == 2.5f);
	T_OK(r.timeframe == 60 * CK_SEC && r.data_from == 1000 * CK_SEC &&
	    r.data_to == 5000 * CK_SEC && r.flags == CKPT_UNTILTED);
	unlink(path);
	snprintf(err, sizeof err, "%s.lock", path);
	unlink(err);
	model_free(&m);
	model_free(&l);
}

int
main(void)
{
	T_RUN(test_config);
	T_RUN(test_init);
	T_RUN(test_gradcheck_mask);
	T_RUN(test_gradcheck_nomask);
	T_RUN(test_gradcheck_weighted);
	T_RUN(test_weighted_loss);
	T_RUN(test_temperature);
	T_RUN(test_header_fields);
	T_RUN(test_determinism);
	T_RUN(test_passes);
	T_RUN(test_predict);
	T_RUN(test_overfit);
	T_RUN(test_refused_steps);
	T_RUN(test_adamw);
	return T_END();
}
