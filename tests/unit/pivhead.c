/*
 * pivhead: the model's multi-step ghost and next-pivot head (issue 18): the
 * tensor table, a finite-difference check of the whole model's gradient
 * with both heads (masks on and off), the pivot loss's terms against
 * their formulas, determinism with one and two threads, a window's
 * outputs independent of its batch, and train-batch's targets
 * (dataset_heads) against the pivots found by brute force.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "dataset.h"
#include "features.h"
#include "layers.h"
#include "model.h"
#include "pivots.h"
#include "t.h"
#include "window.h"

static char err[256];
static unsigned long long rs = 0x9e3779b97f4a7c15ULL;

static float
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (float)((rs >> 11) * 0x1p-53) * 2.0f - 1.0f;
}

static int feat7;	/* 1: models with the pivot features (mk, data_make) */

struct data {
	float	*x, *ghost, *mask, *piv, *pmask;
	int	*label;
	struct batch b;
};

/* B windows for a model of W candles, G ghost candles, P levels. */
static void
data_make(struct data *d, int B, int W, int G, int P)
{
	int i, F = MODEL_NFEAT + (feat7 && P ? MODEL_NPIVFEAT : 0);

	d->x = malloc((size_t)B * W * F * sizeof(float));
	d->ghost = malloc((size_t)B * G * 4 * sizeof(float));
	d->mask = malloc((size_t)B * G * sizeof(float));
	d->piv = malloc((size_t)B * (P ? P : 1) * 3 * sizeof(float));
	d->pmask = malloc((size_t)B * (P ? P : 1) * sizeof(float));
	d->label = malloc(B * sizeof(int));
	for (i = 0; i < B * W * F; i++)
		d->x[i] = 2.0f * urand();
	for (i = 0; i < B * G * 4; i++)
		d->ghost[i] = urand();
	for (i = 0; i < B * G; i++)
		d->mask[i] = i % 5 == 4 ? 0.0f : 1.0f;
	for (i = 0; i < B * P; i++) {
		d->piv[3 * i] = i % 2 ? 1.0f : 0.0f;
		/* prices near and far (both branches of Huber's loss) */
		d->piv[3 * i + 1] = 3.0f * urand();
		d->piv[3 * i + 2] = 4.0f + 6.0f * urand();
		d->pmask[i] = i % 3 == 2 ? 0.0f : 1.0f;
	}
	for (i = 0; i < B; i++)
		d->label[i] = i % 3;
	memset(&d->b, 0, sizeof d->b);
	d->b.B = B;
	d->b.x = d->x;
	d->b.label = d->label;
	d->b.ghost = d->ghost;
	d->b.mask = d->mask;
	d->b.piv = d->piv;
	d->b.pmask = d->pmask;
}

static void
data_free(struct data *d)
{
	free(d->x), free(d->ghost), free(d->mask), free(d->piv);
	free(d->pmask), free(d->label);
}

static int
mk(struct model *m, int W, int d, int G, int P, int maxB, int nth)
{
	struct model_config c;
	int j;

	model_config_default(&c);
	c.W = W;
	c.d = d;
	c.h = 2;
	c.ghost = G;
	c.npiv = P;
	c.piv_k = P ? 2 : 0;
	c.piv_feat = feat7 && P;
	for (j = 0; j < P; j++)
		c.piv_level[j] = j + 1;
	if (model_init(m, &c, err, sizeof err) == -1 ||
	    model_reserve(m, maxB, nth, err, sizeof err) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	model_init_weights(m, 42);
	return 0;
}

static void
test_layout(void)
{
	struct model m, p;
	const struct model_tensor *t;
	int i, same = 1;

	if (mk(&m, 8, 16, 3, 2, 1, 1) == -1 || mk(&p, 8, 16, 1, 0, 1, 1) == -1) {
		T_OK(0);
		return;
	}
	T_OK((t = model_tensor_find(&m, "w_g")) && t->rows == 16 && t->cols == 12);
	T_OK((t = model_tensor_find(&m, "b_g")) && t->rows == 1 && t->cols == 12);
	T_OK((t = model_tensor_find(&m, "w_p")) && t->rows == 16 && t->cols == 6);
	T_OK((t = model_tensor_find(&m, "b_p")) && t->cols == 6 &&
	    t->offset + 6 == m.nparams);
	T_EQ(m.ntensors, p.ntensors + 2);
	T_OK(model_tensor_find(&p, "w_p") == NULL);
	/* up to w_g the same tensors, and the same initial values */
	for (i = 0; i < p.ntensors - 2; i++)
		same &= memcmp(m.params + m.tensor[i].offset, p.params +
		    p.tensor[i].offset, (size_t)p.tensor[i].rows *
		    p.tensor[i].cols * sizeof(float)) == 0;
	T_OK(same);
	model_free(&m);
	model_free(&p);
}

/* The pivot loss of one window against its formula, and each mask. */
static void
test_pivloss(void)
{
	float out[6] = { 0.7f, 0.4f, 5.0f, -1.2f, -3.0f, 0.5f };
	float tg[6] = { 1, 0.1f, 2.0f, 0, 0.2f, 1.0f };
	float mask[2] = { 1, 1 }, pw[3] = { 1, 2, 0.5f }, loss = 0, d[6] = { 0 };
	double want;

	want = log1p(exp(-0.7)) + 2 * 0.5 * 0.3 * 0.3 + 0.5 * (3.0 - 0.5) +
	    log1p(exp(-1.2)) + 2 * (3.2 - 0.5) + 0.5 * 0.5 * 0.5 * 0.5;
	pivloss_forward(&loss, out, tg, mask, pw, 1, 2);
	T_NEAR(loss, want, 1e-5, 1e-6);
	pivloss_backward(d, out, tg, mask, pw, 1.0f, 1, 2);
	T_NEAR(d[0], 1 / (1 + exp(-0.7)) - 1, 1e-6, 1e-6);
	T_NEAR(d[1], 2 * 0.3, 1e-6, 1e-6);
	T_NEAR(d[2], 0.5, 1e-6, 1e-6);
	T_NEAR(d[3], 1 / (1 + exp(1.2)), 1e-6, 1e-6);
	T_NEAR(d[4], -2, 1e-6, 1e-6);
	T_NEAR(d[5], -0.25, 1e-6, 1e-6);
	mask[0] = mask[1] = 0;
	loss = 0;
	memset(d, 0, sizeof d);
	pivloss_forward(&loss, out, tg, mask, pw, 1, 2);
	pivloss_backward(d, out, tg, mask, pw, 1.0f, 1, 2);
	T_EQ(loss, 0);
	T_EQ(d[0] + d[1] + d[2] + d[3] + d[4] + d[5], 0);
}

/* The whole model's gradient against central differences. */
static void
gradcheck(int G, int P, const float *pw)
{
	struct model m;
	struct data d;
	size_t i, bad = 0;
	float *g;
	double lp, lm;
	int k;

	if (mk(&m, 5, 8, G, P, 4, 1) == -1) {
		T_OK(0);
		return;
	}
	for (k = 0; k < m.ntensors; k++)
		if (m.tensor[k].decay || strcmp(m.tensor[k].name, "pos") == 0)
			for (i = 0; i < (size_t)m.tensor[k].rows * m.tensor[k].cols; i++)
				m.params[m.tensor[k].offset + i] *= 10;
	data_make(&d, 4, 5, G, P);
	d.b.pw = pw;
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
			fprintf(stderr, "G%d P%d param %zu: backward %.7g, "
			    "differences %.7g\n", G, P, i, g[i], num);
	}
	T_EQ(bad, 0);
	free(g);
	data_free(&d);
	model_free(&m);
}

static void
test_gradcheck(void)
{
	float pw[3] = { 0.7f, 1.5f, 0.3f };

	gradcheck(3, 0, NULL);
	gradcheck(1, 2, NULL);
	gradcheck(2, 3, pw);
	feat7 = 1;	/* and w_in's two more rows */
	gradcheck(2, 2, NULL);
	feat7 = 0;
}

/* Same seed and data: the same bits after some steps; one and two threads
 * each reproduce themselves, and agree up to rounding. */
static void
train(int nth, float *out)
{
	struct model m;
	struct data d;
	struct adamw o;
	int i;

	rs = 91;
	if (mk(&m, 16, 16, 2, 2, 24, nth) == -1)
		return;
	data_make(&d, 24, 16, 2, 2);
	adamw_default(&o);
	for (i = 0; i < 4; i++)
		model_train_step(&m, &d.b, &o);
	memcpy(out, m.params, m.nparams * sizeof(float));
	data_free(&d);
	model_free(&m);
}

static void
test_determinism(void)
{
	struct model m;
	float *a, *b, *c;
	size_t n, i, bad = 0;

	if (mk(&m, 16, 16, 2, 2, 1, 1) == -1)
		return;
	n = m.nparams;
	model_free(&m);
	a = malloc(n * sizeof(float));
	b = malloc(n * sizeof(float));
	c = malloc(n * sizeof(float));
	train(1, a);
	train(1, b);
	T_OK(memcmp(a, b, n * sizeof(float)) == 0);
	train(2, b);
	train(2, c);
	T_OK(memcmp(b, c, n * sizeof(float)) == 0);
	for (i = 0; i < n; i++)
		if (!(fabs(a[i] - b[i]) <= 1e-6 + 1e-4 * fabs(a[i])))
			bad++;
	T_EQ(bad, 0);
	free(a);
	free(b);
	free(c);
}

/* A window's outputs are the same bits in any batch; the training forward
 * agrees up to rounding; P(H) is a probability. */
static void
test_predict(void)
{
	enum { NB = 30, G = 3, P = 2, W = 12 };
	struct model m, m1;
	struct data d;
	float pa[NB * 3], ga[NB * 4 * G], va[NB * 3 * P];
	float pb[3], gb[4 * G], vb[3 * P], pf[NB * 3], gf[NB * 4 * G];
	float vf[NB * 3 * P];
	size_t wf = W * MODEL_NFEAT;
	int i, same = 1;

	if (mk(&m, W, 16, G, P, NB, 2) == -1 || mk(&m1, W, 16, G, P, 1, 1) == -1)
		return;
	data_make(&d, NB, W, G, P);
	model_predict_heads(&m, d.x, NB, pa, ga, va);
	for (i = 0; i < NB; i += 7) {
		model_predict_heads(&m1, d.x + i * wf, 1, pb, gb, vb);
		same &= memcmp(pb, pa + i * 3, sizeof pb) == 0;
		same &= memcmp(gb, ga + i * 4 * G, sizeof gb) == 0;
		same &= memcmp(vb, va + i * 3 * P, sizeof vb) == 0;
	}
	T_OK(same);
	model_forward_heads(&m, &d.b, pf, gf, vf);
	for (i = 0; i < NB * 3 * P; i++)
		T_NEAR(va[i], vf[i], 1e-6, 1e-5);
	for (i = 0; i < NB * 4 * G; i++)
		T_NEAR(ga[i], gf[i], 1e-6, 1e-5);
	for (i = 0; i < NB * P; i++)
		T_OK(va[3 * i] > 0 && va[3 * i] < 1);
	data_free(&d);
	model_free(&m);
	model_free(&m1);
}

/* n random candles into a new history hi, their highs and lows into h, l;
 * with outside, every 37th from the 5th an outside bar. */
static void
randhist(struct history *hi, double *h, double *l, long n, int outside)
{
	struct candle k;
	double px = 100;
	long i;

	history_init(hi, 0);
	for (i = 0; i < n; i++) {
		k.t = (1000 + 60 * i) * CK_SEC;
		k.open = px;
		px *= exp(0.01 * urand());
		k.close = px;
		k.high = (k.open > k.close ? k.open : k.close) * (1 + 0.002 *
		    (urand() + 1));
		k.low = (k.open < k.close ? k.open : k.close) * (1 - 0.002 *
		    (urand() + 1));
		if (outside && i % 37 == 5) {
			k.high *= 1.05;
			k.low /= 1.05;
		}
		k.volume = 10;
		h[i] = k.high;
		l[i] = k.low;
		T_OK(history_push(hi, &k) == 0);
	}
}

/*
 * dataset_heads on a random walk: each sample's ghost candles, and for each
 * level the first pivot confirmed by a row after its candle, as
 * pivots_ref finds them from the definition (the earlier pivot candle
 * when a row confirms both kinds, a tie: H).
 */
static void
test_targets(void)
{
	enum { N = 600, WW = 8, GG = 3 };
	struct model_config c;
	struct history hi;
	struct dataset ds;
	static double h[N], l[N];
	static long hat[N * 2], lat[N * 2], known[N];
	static unsigned flags[N];
	static int label[N];
	float x[WW * MODEL_NFEAT], g[GG * 4], gm[GG], want[3];
	double s;
	long i, t, r, nshort, nres = 0, bad = 0;
	int j, L, ty;

	model_config_default(&c);
	c.W = WW;
	c.ghost = GG;
	c.npiv = 2;
	c.piv_level[0] = 1;
	c.piv_level[1] = 2;
	c.piv_k = 2;
	randhist(&hi, h, l, N, 0);
	for (i = 0; i < N; i++) {
		label[i] = ACTION_HOLD;
		known[i] = i;
	}
	T_EQ(pivots_ref(hat, lat, flags, h, l, N, 2, 2), 0);
	T_EQ(dataset_build(&ds, &hi, NULL, label, known, &c, &nshort, err,
	    sizeof err), 0);
	T_EQ(dataset_heads(&ds, &hi, &c, err, sizeof err), 0);
	T_EQ(ds.G, GG);
	T_EQ(ds.P, 2);
	for (i = 0; i < ds.n; i++) {
		t = ds.cand[i];
		T_OK(window_features(&hi, t, WW, x, &s) == 0);
		window_targets(&hi, t, s, GG, g, gm);
		bad += memcmp(g, ds.ghost + i * GG * 4, sizeof g) != 0 ||
		    memcmp(gm, ds.mask + i * GG, sizeof gm) != 0;
		for (j = 0; j < GG; j++)
			bad += gm[j] != (t + 1 + j < N);
		for (j = 0; j < 2; j++) {
			struct nextpiv_target tg = { 0, 0, -1, 0 };

			L = j + 1;
			for (r = t + 1; r < N && tg.pivot < 0; r++) {
				long ih = hat[r * 2 + L - 1], il = lat[r * 2 + L - 1];

				if (ih < 0 && il < 0)
					continue;
				ty = ih >= 0 && (il < 0 || ih <= il) ? 1 : -1;
				tg.type = ty;
				tg.pivot = ty > 0 ? ih : il;
				tg.price = ty > 0 ? h[tg.pivot] : l[tg.pivot];
			}
			if (tg.pivot < 0) {
				bad += ds.pmask[i * 2 + j] != 0;
				continue;
			}
			nres++;
			T_OK(window_pivot_target(&hi, t, s, &tg, want) == 0);
			bad += ds.pmask[i * 2 + j] != 1 ||
			    memcmp(want, ds.piv + (i * 2 + j) * 3, sizeof want) != 0;
			/* the sample's time covers the confirmation */
			bad += ds.used[i] < hi.t[r - 1];
		}
	}
	T_EQ(bad, 0);
	T_OK(nres > ds.n);	/* most samples have both targets */
	dataset_free(&ds);
	history_free(&hi);
}

/* The pivot features: each window row's first five as the plain window's,
 * the two more as pivots_ref's level-1 flags of candle p-k (0 before 2k). */
static void
test_pivfeat(void)
{
	enum { N = 300, WW = 12, F7 = MODEL_NFEAT + MODEL_NPIVFEAT };
	struct history hi;
	static double h[N], l[N];
	static long hat[N], lat[N];
	static unsigned flags[N];
	float x[WW * F7], x5[WW * MODEL_NFEAT];
	double s, s5;
	long i, q, bad = 0, seen = 0;
	int p, j, K;

	randhist(&hi, h, l, N, 1);
	for (K = 1; K <= 3; K++) {
		T_EQ(pivots_ref(hat, lat, flags, h, l, N, K, 1), 0);
		for (i = WW; i < N; i++) {
			T_OK(window_input(&hi, NULL, i, WW, K, x, &s) == 0);
			T_OK(window_features(&hi, i, WW, x5, &s5) == 0);
			bad += s != s5;
			for (p = 1; p <= WW; p++) {
				const float *f = x + (p - 1) * F7;

				for (j = 0; j < MODEL_NFEAT; j++)
					bad += f[j] != x5[(p - 1) * MODEL_NFEAT + j];
				q = i - WW + p - K;	/* the pivot candle */
				if (p < 2 * K) {
					bad += f[5] != 0 || f[6] != 0;
					continue;
				}
				bad += f[5] != ((flags[q] & PIVOT_H(1)) ? 1 : 0);
				bad += f[6] != ((flags[q] & PIVOT_L(1)) ? 1 : 0);
				seen += f[5] != 0 && f[6] != 0;
			}
		}
	}
	T_EQ(bad, 0);
	T_OK(seen > 0);		/* an outside bar confirmed both */
	history_free(&hi);
}

int
main(void)
{
	T_RUN(test_layout);
	T_RUN(test_pivloss);
	T_RUN(test_gradcheck);
	T_RUN(test_determinism);
	T_RUN(test_predict);
	T_RUN(test_targets);
	T_RUN(test_pivfeat);
	return T_END();
}
