/*
 * tests/unit/context.c - context sequences (issue 17): the tensor table
 * and input sizes of a context model, a finite-difference check of its
 * whole gradient (the contexts' encoders included), batch and thread
 * independence, the context features, the causal contexts of ctxwin
 * against a naive recomputation from the candles up to each one (gaps,
 * buckets completed by their last candle, a reference with empty rows),
 * and streaming = batch: the windows a stream builds (infer's path) are
 * the bytes of dataset_build's samples, and predict the same bits, also
 * through the checkpoint and the batches infer predicts in.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "ckpt.h"
#include "dataset.h"
#include "features.h"
#include "history.h"
#include "live.h"
#include "model.h"
#include "predbatch.h"
#include "resample.h"
#include "t.h"
#include "window.h"

#define HOUR	(3600 * CK_SEC)
#define NC	1500		/* candles of the test series */

static char err[256];
static unsigned long long rs = 0x9e3779b97f4a7c15ULL;

static double
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) * 0x1p-53;
}

/* W 4, two timeframes (1h: 3, 4h: 2) and a reference (2) */
static void
config(struct model_config *c, int W, int d)
{
	model_config_default(c);
	c->W = W;
	c->d = d;
	c->L = 2;
	c->h = 2;
	c->nctx = 3;
	c->ctx[0].tf = HOUR;
	c->ctx[0].N = 3;
	c->ctx[1].tf = 4 * HOUR;
	c->ctx[1].N = 2;
	c->ctx[2].N = 2;
	strcpy(c->ctx[2].prefix, "REF");
}

static void
test_layout(void)
{
	struct model_config c, p;
	struct model m, mp;
	const struct model_tensor *t;

	config(&c, 4, 8);
	T_EQ(model_config_check(&c, err, sizeof(err)), 0);
	T_EQ(model_xsize(&c), 4 * 5 + (3 + 2 + 2) * 6);
	T_EQ(model_tokens(&c), 4 + 3 + 2 + 2);
	p = c;
	p.nctx = 0;
	T_EQ(model_xsize(&p), 4 * 5);
	T_EQ(model_tokens(&p), 4);
	T_EQ(model_init(&m, &c, err, sizeof(err)), 0);
	T_EQ(model_init(&mp, &p, err, sizeof(err)), 0);
	/* the plain table first, unchanged, then 3 tensors a context */
	T_EQ(m.ntensors, mp.ntensors + 9);
	T_OK(memcmp(m.tensor, mp.tensor, mp.ntensors * sizeof(m.tensor[0])) ==
	    0);
	T_EQ(m.nparams, mp.nparams + 3 * (6 * 8 + 8) + (3 + 2 + 2) * 8);
	T_OK((t = model_tensor_find(&m, "ctx1.w_in")) != NULL && t->rows == 6 &&
	    t->cols == 8 && t->decay == 1);
	T_OK((t = model_tensor_find(&m, "ctx2.pos")) != NULL && t->rows == 2 &&
	    t->decay == 0 && t->offset + 16 == m.nparams);
	T_OK((t = model_tensor_find(&m, "ctx0.b_in")) != NULL && t->rows == 1);
	/* contexts of more than MODEL_MAXW tokens in all are refused */
	c.ctx[0].N = 4096 - 4 - 2;
	T_EQ(model_config_check(&c, err, sizeof(err)), -1);
	c.ctx[0].N = 3;
	strcpy(c.ctx[0].prefix, "X");	/* a timeframe with a prefix */
	T_EQ(model_config_check(&c, err, sizeof(err)), -1);
	model_free(&m);
	model_free(&mp);
}

static float *
randx(const struct model_config *c, int B)
{
	size_t n = (size_t)B * model_xsize(c), i;
	float *x = malloc(n * sizeof(float));

	for (i = 0; i < n; i++)
		x[i] = (float)(4 * urand() - 2);
	return x;
}

/* Central differences over every parameter of a small context model of
 * L blocks. */
static void
gradcheck(int L)
{
	struct model_config c;
	struct model m;
	struct batch b;
	float *x, *g, target[12], mask[3] = { 1, 0, 1 };
	int label[3] = { 0, 1, 2 }, k;
	size_t i, bad = 0;
	double lp, lm;

	config(&c, 4, 8);
	c.L = L;
	if (model_init(&m, &c, err, sizeof(err)) != 0 ||
	    model_reserve(&m, 3, 1, err, sizeof(err)) != 0) {
		T_OK(0);
		return;
	}
	model_init_weights(&m, 3);
	/* weights 10x the init, so that every gradient is well above noise */
	for (k = 0; k < m.ntensors; k++)
		if (m.tensor[k].decay || strstr(m.tensor[k].name, "pos"))
			for (i = 0; i < (size_t)m.tensor[k].rows *
			    m.tensor[k].cols; i++)
				m.params[m.tensor[k].offset + i] *= 10;
	x = randx(&c, 3);
	for (k = 0; k < 12; k++)
		target[k] = (float)(urand() - 0.5);
	b = (struct batch){ .B = 3, .x = x, .label = label, .ghost = target, .mask = mask };
	model_zero_grad(&m);
	model_forward(&m, &b, NULL, NULL);
	model_backward(&m);
	g = malloc(m.nparams * sizeof(float));
	memcpy(g, m.grads, m.nparams * sizeof(float));
	for (i = 0; i < m.nparams; i++) {
		float save = m.params[i], up = save + 1e-2f, dn = save - 1e-2f;
		float num;

		m.params[i] = up;
		lp = model_forward(&m, &b, NULL, NULL);
		m.params[i] = dn;
		lm = model_forward(&m, &b, NULL, NULL);
		m.params[i] = save;
		num = (float)((lp - lm) / ((double)up - dn));
		if (!(fabs(g[i] - num) <= 1e-4 + 2e-2 * fabs(num)) && bad++ < 5)
			fprintf(stderr, "param %zu: backward %.7g, differences "
			    "%.7g\n", i, g[i], num);
	}
	T_EQ(bad, 0);
	/* the contexts' encoders do get gradient */
	for (k = 0, lp = 0; k < m.ntensors; k++)
		if (strncmp(m.tensor[k].name, "ctx", 3) == 0)
			for (i = 0; i < (size_t)m.tensor[k].rows *
			    m.tensor[k].cols; i++)
				lp += fabs(g[m.tensor[k].offset + i]);
	T_OK(lp > 0);
	free(g);
	free(x);
	model_free(&m);
}

static void
test_gradcheck(void)
{
	gradcheck(1);
	gradcheck(2);
	gradcheck(3);
}

/* A window's prediction is the same bits alone, in a batch, on 1 or 2
 * threads; forward's loss on 1 and 2 threads too. */
static void
test_independence(void)
{
	struct model_config c;
	struct model a, b2;
	float *x, pa[7 * 3], pb[3], ga[7 * 4], gb[4];
	int i;

	config(&c, 6, 16);
	if (model_init(&a, &c, err, sizeof(err)) != 0 ||
	    model_init(&b2, &c, err, sizeof(err)) != 0 ||
	    model_reserve(&a, 7, 2, err, sizeof(err)) != 0 ||
	    model_reserve(&b2, 1, 1, err, sizeof(err)) != 0) {
		T_OK(0);
		return;
	}
	model_init_weights(&a, 9);
	memcpy(b2.params, a.params, a.nparams * sizeof(float));
	x = randx(&c, 7);
	model_predict(&a, x, 7, pa, ga);
	for (i = 0; i < 7; i++) {
		model_predict(&b2, x + i * model_xsize(&c), 1, pb, gb);
		T_OK(memcmp(pb, pa + 3 * i, sizeof(pb)) == 0);
		T_OK(memcmp(gb, ga + 4 * i, sizeof(gb)) == 0);
	}
	/* the context changes the prediction */
	x[7 * model_xsize(&c) - 1] += 1.0f;
	model_predict(&b2, x + 6 * model_xsize(&c), 1, pb, gb);
	T_OK(memcmp(pb, pa + 18, sizeof(pb)) != 0);
	free(x);
	model_free(&a);
	model_free(&b2);
}

static void
test_features(void)
{
	double o[6], h[6], l[6], c[6], v[6], s;
	float xw[5 * 5], xc[5 * 6];
	int i, j;

	for (i = 0; i < 6; i++) {
		o[i] = 10 + urand();
		c[i] = 10 + urand();
		h[i] = fmax(o[i], c[i]) + urand();
		l[i] = fmin(o[i], c[i]) - urand();
		v[i] = 100 * urand();
	}
	features_window(xw, &s, o, h, l, c, v, 5);
	features_context(xc, o, h, l, c, v, 5, 1);
	for (i = 0; i < 5; i++)
		for (j = 0; j < 5; j++)
			T_OK(xc[i * 6 + j] == xw[i * 5 + j]);
	for (i = 0; i < 5; i++)
		T_OK(xc[i * 6 + 5] == (i == 4 ? 1.0f : 0.0f));
	features_context(xc, o, h, l, c, v, 5, 0);
	T_OK(xc[4 * 6 + 5] == 0.0f);
}

/* A minute series with gaps (single minutes, a whole hour, most of a 4h
 * bucket) and a reference with a run of empty rows. */
static void
series(struct candle *k, struct candle *ref)
{
	cktime t = 1704067200LL * CK_SEC;	/* 2024-01-01T00:00:00Z */
	double p = 100, q = 50;
	int i;

	for (i = 0; i < NC; i++) {
		t += 60 * CK_SEC;
		if (i % 17 == 5)
			t += 60 * CK_SEC;
		if (i == 300)
			t += HOUR;
		if (i == 700)
			t += 3 * HOUR + 20 * 60 * CK_SEC;
		k[i].t = t;
		k[i].open = p;
		p *= exp(0.004 * (urand() - 0.5));
		k[i].close = p;
		k[i].high = fmax(k[i].open, p) * (1 + 0.001 * urand());
		k[i].low = fmin(k[i].open, p) * (1 - 0.001 * urand());
		k[i].volume = 1000 * urand();
		ref[3 * i] = ref[3 * i + 1] = (struct candle){ .t = CKTIME_NONE };
		ref[3 * i + 2] = (struct candle){ t, q, q * 1.001, q * 0.998, 0,
		    10 * urand() };
		q *= exp(0.004 * (urand() - 0.5));
		ref[3 * i + 2].close = fmin(fmax(q, ref[3 * i + 2].low),
		    ref[3 * i + 2].high);
		if (i >= 900 && i < 904)
			ref[3 * i + 2].t = CKTIME_NONE;
	}
}

/* Context k of config() at candle i from the candles 0..i alone: the
 * buckets (the last one in progress unless its last candle's time plus
 * one minute, the series' step, reaches its end), or the reference's
 * rows since its last empty one.  0 and x, or -1 without N+1. */
static int
naive(const struct candle *k, const struct candle *ref, int i, int ctx,
    int N, cktime tf, float *x)
{
	static double col[5][NC + 1];
	struct resample rs;
	int n = 0, j, part = 0;
	cktime b, cur = CKTIME_NONE;

	if (tf == 0) {
		for (j = i; j >= 0 && ref[3 * j + ctx].t != CKTIME_NONE; j--)
			;
		if (i - j < N + 1)
			return -1;
		for (j = i - N; j <= i; j++, n++) {
			col[0][n] = ref[3 * j + ctx].open;
			col[1][n] = ref[3 * j + ctx].high;
			col[2][n] = ref[3 * j + ctx].low;
			col[3][n] = ref[3 * j + ctx].close;
			col[4][n] = ref[3 * j + ctx].volume;
		}
		features_context(x, col[0], col[1], col[2], col[3], col[4], N,
		    0);
		return 0;
	}
	resample_init(&rs, tf);
	for (j = 0; j <= i; j++) {
		b = resample_bucket(&rs, k[j].t);
		if (b != cur) {
			cur = b;
			col[0][n] = k[j].open;
			col[1][n] = k[j].high;
			col[2][n] = k[j].low;
			col[4][n] = 0;
			n++;
		}
		col[1][n - 1] = fmax(col[1][n - 1], k[j].high);
		col[2][n - 1] = fmin(col[2][n - 1], k[j].low);
		col[3][n - 1] = k[j].close;
		col[4][n - 1] += k[j].volume;
	}
	part = !(i > 0 && k[i].t + 60 * CK_SEC >= cur + tf);
	if (n < N + 1)
		return -1;
	for (j = 0; j < 5; j++)
		memmove(col[j], col[j] + n - N - 1, (N + 1) * sizeof(double));
	features_context(x, col[0], col[1], col[2], col[3], col[4], N, part);
	return 0;
}

static void
test_ctxwin(void)
{
	static struct candle k[NC], ref[3 * NC];
	struct model_config c;
	struct ctxwin cw;
	float x[64], y[64], *p;
	int i, j, ok, nok = 0, bad = 0;

	config(&c, 4, 8);
	series(k, ref);
	T_EQ(ctxwin_init(&cw, &c, 7, err, sizeof(err)), 0);
	T_EQ(cw.size, (3 + 2 + 2) * 6);
	T_OK(cw.prefix[0] == NULL && cw.prefix[1] == NULL &&
	    strcmp(cw.prefix[2], "REF") == 0);
	for (i = 0; i < NC; i++) {
		T_EQ(ctxwin_push(&cw, &k[i], ref + 3 * i), 0);
		for (j = 0, ok = 1, p = y; j < 3; j++) {
			if (naive(k, ref, i, j, c.ctx[j].N, c.ctx[j].tf, p) != 0)
				ok = 0;
			p += c.ctx[j].N * 6;
		}
		nok += ok;
		if ((ctxwin_get(&cw, i, x) == 0) != ok ||
		    (ok && memcmp(x, y, cw.size * sizeof(float)) != 0)) {
			if (bad++ < 3)
				fprintf(stderr, "candle %d differs\n", i);
		}
		/* the last 7 candles' are kept, no older */
		if (i >= 7)
			T_OK(ctxwin_get(&cw, i - 7, x) == -1);
	}
	T_EQ(bad, 0);
	T_OK(nok > NC / 2);
	ctxwin_free(&cw);
}

/* infer's path (a bounded history, the contexts pushed row by row) and
 * dataset_build (the whole history) give the same bytes and bits. */
static void
test_stream_batch(void)
{
	static struct candle k[NC], ref[3 * NC];
	static int label[NC];
	static long known[NC];
	struct model_config c;
	struct history all, hi;
	struct ctxwin cw;
	struct dataset ds;
	struct model m;
	size_t nx;
	long nshort, s = 0;
	float *x, pa[3], pb[3], ga[4], gb[4];
	double sc;
	int i, bad = 0;

	config(&c, 5, 8);
	nx = model_xsize(&c);
	series(k, ref);
	history_init(&all, 0);
	for (i = 0; i < NC; i++) {
		T_EQ(history_push(&all, &k[i]), 0);
		label[i] = i % 3 == 0 ? ACTION_NONE : i % 2 ? ACTION_BUY :
		    ACTION_SELL;
		known[i] = i;
	}
	T_EQ(dataset_build(&ds, &all, ref, label, known, &c, &nshort, err,
	    sizeof(err)), CK_OK);
	T_OK(ds.n > NC / 4 && nshort > 0);
	T_EQ(ds.nx, nx);
	T_EQ(model_init(&m, &c, err, sizeof(err)), 0);
	T_EQ(model_reserve(&m, 1, 1, err, sizeof(err)), 0);
	model_init_weights(&m, 4);
	x = malloc(nx * sizeof(float));
	history_init(&hi, c.W + 2);
	T_EQ(ctxwin_init(&cw, &c, 1, err, sizeof(err)), 0);
	for (i = 0; i < NC; i++) {
		T_EQ(history_push(&hi, &k[i]), 0);
		T_EQ(ctxwin_push(&cw, &k[i], ref + 3 * i), 0);
		if (window_input(&hi, &cw, i, c.W, 0, x, &sc) != 0) {
			if (s < ds.n && ds.cand[s] == i)
				bad++;	/* a sample the stream lacks */
			continue;
		}
		if (s >= ds.n || ds.cand[s] != i)
			continue;	/* not labelled */
		if (memcmp(x, ds.x + s * nx, nx * sizeof(float)) != 0)
			bad++;
		model_predict(&m, x, 1, pa, ga);
		model_predict(&m, ds.x + s * nx, 1, pb, gb);
		if (memcmp(pa, pb, sizeof(pa)) != 0 ||
		    memcmp(ga, gb, sizeof(ga)) != 0)
			bad++;
		s++;
	}
	T_EQ(s, ds.n);
	T_EQ(bad, 0);
	free(x);
	ctxwin_free(&cw);
	history_free(&hi);
	history_free(&all);
	dataset_free(&ds);
	model_free(&m);
}

/* infer's own path: the checkpoint through live.h, the rows through
 * predbatch.h in batches of 1, 2, 3, 5, 13 and 64 (pending.c's), against
 * model_predict over dataset_build's samples: the same probabilities. */
static void
test_predbatch(void)
{
	static const int chunk[] = { 1, 2, 3, 5, 13, 64 };
	static struct candle k[NC], ref[3 * NC];
	static int label[NC];
	static long known[NC];
	static struct prediction out[64];
	char dir[] = "/tmp/ck-context.XXXXXX", path[64];
	struct ckpt_meta meta = { .model_id = 7, .created = 1,
	    .trained_until = CKTIME_NONE };
	struct model_config c;
	struct history all, hi;
	struct ctxwin cw;
	struct predbatch pb;
	struct dataset ds;
	struct live lv;
	struct model m;
	float p[3], g[4];
	long nshort, s = 0, i = 0;
	int r, n, q, bad = 0, slot[64];

	config(&c, 6, 16);
	series(k, ref);
	history_init(&all, 0);
	for (r = 0; r < NC; r++) {
		T_EQ(history_push(&all, &k[r]), 0);
		label[r] = ACTION_BUY;
		known[r] = r;
	}
	T_EQ(dataset_build(&ds, &all, ref, label, known, &c, &nshort, err,
	    sizeof(err)), CK_OK);
	T_EQ(model_init(&m, &c, err, sizeof(err)), 0);
	T_EQ(model_reserve(&m, 1, 1, err, sizeof(err)), 0);
	model_init_weights(&m, 11);
	if (mkdtemp(dir) == NULL) {
		T_OK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/m.ckpt", dir);
	T_EQ(ckpt_create(path, &m, &meta, 0, err, sizeof(err)), 0);
	T_EQ(live_open(&lv, path, 64, 0, err, sizeof(err)), 0);
	T_EQ(predbatch_init(&pb, 64, &lv.m.cfg, err, sizeof(err)), 0);
	history_init(&hi, c.W + 2);
	T_EQ(ctxwin_init(&cw, &lv.m.cfg, 1, err, sizeof(err)), 0);
	for (q = 0; i < NC; q++) {
		n = chunk[q % 6];
		for (r = 0; r < n && i < NC; r++, i++) {
			T_EQ(history_push(&hi, &k[i]), 0);
			T_EQ(ctxwin_push(&cw, &k[i], ref + 3 * i), 0);
			slot[r] = (int)i;
			T_EQ(predbatch_add(&pb, &hi, &cw, i), r);
		}
		n = r;
		predbatch_run(&pb, &lv, 0, out);
		for (r = 0; r < n; r++) {
			int has = s < ds.n && ds.cand[s] == slot[r];

			if (pb.has[r] != has) {
				bad++;
				continue;
			}
			if (!has)
				continue;
			model_predict(&m, ds.x + s * ds.nx, 1, p, g);
			if (memcmp(p, out[r].p, sizeof(p)) != 0)
				bad++;
			s++;
		}
	}
	T_EQ(s, ds.n);
	T_EQ(bad, 0);
	unlink(path);
	rmdir(dir);
	predbatch_free(&pb);
	ctxwin_free(&cw);
	live_close(&lv);
	history_free(&hi);
	history_free(&all);
	dataset_free(&ds);
	model_free(&m);
}

int
main(void)
{
	T_RUN(test_layout);
	T_RUN(test_gradcheck);
	T_RUN(test_independence);
	T_RUN(test_features);
	T_RUN(test_ctxwin);
	T_RUN(test_stream_batch);
	T_RUN(test_predbatch);
	return T_END();
}
