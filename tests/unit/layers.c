/*
 * layers: every layer's forward against its naive reference, and every
 * backward against central finite differences of J = sum(out * R) for a
 * fixed random R (float forward, h = 1e-2: tolerances 2e-3 + 2e-2 |g|).
 */
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "matmul.h"
#include "t.h"

#define FD_H	1e-2
#define FD_ABS	2e-3
#define FD_REL	2e-2

static unsigned long long rs = 0x2545F4914F6CDD1DULL;

static float
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (float)((rs >> 11) * 0x1p-53) * 2.0f - 1.0f;
}

static float *
rnd(size_t n, float scale)
{
	float *p = malloc(n * sizeof *p);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = urand() * scale;
	return p;
}

static float *
zeros(size_t n)
{
	return calloc(n, sizeof(float));
}

static void
near_all(const char *what, const float *a, const float *b, size_t n,
    double abs, double rel)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (!(fabs((double)a[i] - b[i]) <= abs + rel * fabs(b[i])) &&
		    bad++ < 3)
			fprintf(stderr, "%s[%zu]: %.8g vs %.8g\n", what, i, a[i], b[i]);
	T_EQ(bad, 0);
}

/* The layer under test: fills out from the inputs; J = sum out R. */
static void	(*fwd)(void);
static float	*out, *R;
static size_t	 nout;

static double
objective(void)
{
	double j = 0.0;
	size_t i;

	fwd();
	for (i = 0; i < nout; i++)
		j += (double)out[i] * R[i];
	return j;
}

/* Compare the analytic gradient g of J wrt p (n) with central differences. */
static void
fdcheck(const char *what, float *p, const float *g, size_t n)
{
	float num[4096];
	size_t i;
	double jp, jm;

	for (i = 0; i < n && i < 4096; i++) {
		float save = p[i], up = save + (float)FD_H, dn = save - (float)FD_H;

		p[i] = up;
		jp = objective();
		p[i] = dn;
		jm = objective();
		p[i] = save;
		num[i] = (float)((jp - jm) / ((double)up - dn));
	}
	near_all(what, g, num, i, FD_ABS, FD_REL);
}

/* matmul_forward / matmul_backward */
static float *mx, *mw, *mb;
static int mN = 5, mIC = 7, mOC = 9;

static void
fwd_matmul(void)
{
	matmul_forward(out, mx, mIC, mw, mb, mN, mIC, mOC);
}

static void
test_matmul(void)
{
	float *dx, *dw, *db;

	mx = rnd(mN * mIC, 1), mw = rnd(mIC * mOC, 1), mb = rnd(mOC, 1);
	nout = mN * mOC, out = zeros(nout), R = rnd(nout, 1);
	dx = zeros(mN * mIC), dw = zeros(mIC * mOC), db = zeros(mOC);
	fwd = fwd_matmul;
	matmul_backward(dx, mIC, dw, db, R, mx, mw, mN, mIC, mOC);
	fdcheck("matmul dinp", mx, dx, mN * mIC);
	fdcheck("matmul dw", mw, dw, mIC * mOC);
	fdcheck("matmul dbias", mb, db, mOC);
	free(mx), free(mw), free(mb), free(out), free(R), free(dx), free(dw),
	    free(db);
}

/* encoder */
static float *ex, *ew, *eb, *ep;
enum { EB = 2, ET = 3, EF = 5, EC = 8 };

static void
fwd_encoder(void)
{
	encoder_forward(out, ex, ew, eb, ep, EB, ET, EF, EC);
}

static void
test_encoder(void)
{
	float *dw = zeros(EF * EC), *db = zeros(EC), *dp = zeros(ET * EC);
	float *ref = zeros(EB * ET * EC);
	int b, t, c, f;

	ex = rnd(EB * ET * EF, 1), ew = rnd(EF * EC, 1), eb = rnd(EC, 1);
	ep = rnd(ET * EC, 1);
	nout = EB * ET * EC, out = zeros(nout), R = rnd(nout, 1);
	fwd = fwd_encoder;
	fwd();
	for (b = 0; b < EB; b++)
		for (t = 0; t < ET; t++)
			for (c = 0; c < EC; c++) {
				double s = eb[c] + ep[t * EC + c];

				for (f = 0; f < EF; f++)
					s += (double)ex[(b * ET + t) * EF + f] *
					    ew[f * EC + c];
				ref[(b * ET + t) * EC + c] = (float)s;
			}
	near_all("encoder", out, ref, nout, 1e-5, 1e-5);
	encoder_backward(dw, db, dp, R, ex, EB, ET, EF, EC);
	fdcheck("encoder dw", ew, dw, EF * EC);
	fdcheck("encoder db", eb, db, EC);
	fdcheck("encoder dpos", ep, dp, ET * EC);
	free(ex), free(ew), free(eb), free(ep), free(out), free(R), free(dw),
	    free(db), free(dp), free(ref);
}

/* layernorm */
static float *lx, *lg, *lb, *lm, *lr;
static int lN = 4, lC;

static void
fwd_layernorm(void)
{
	layernorm_forward(out, lm, lr, lx, lg, lb, lN, lC);
}

static void
layernorm_case(int C)
{
	float *dx, *dg, *db, *dx2, *dg2, *db2, *o2, *m2, *r2;

	lC = C;
	lx = rnd(lN * C, 2), lg = rnd(C, 1), lb = rnd(C, 1);
	lm = zeros(lN), lr = zeros(lN), m2 = zeros(lN), r2 = zeros(lN);
	nout = lN * C, out = zeros(nout), R = rnd(nout, 1), o2 = zeros(nout);
	dx = zeros(lN * C), dg = zeros(C), db = zeros(C);
	dx2 = zeros(lN * C), dg2 = zeros(C), db2 = zeros(C);
	fwd = fwd_layernorm;
	fwd();
	layernorm_forward_ref(o2, m2, r2, lx, lg, lb, lN, C);
	near_all("layernorm", out, o2, nout, 1e-5, 1e-5);
	near_all("layernorm rstd", lr, r2, lN, 1e-6, 1e-5);
	layernorm_backward(dx, dg, db, R, lx, lg, lm, lr, lN, C);
	layernorm_backward_ref(dx2, dg2, db2, R, lx, lg, lN, C);
	near_all("layernorm dinp/ref", dx, dx2, lN * C, 1e-5, 1e-4);
	near_all("layernorm dg/ref", dg, dg2, C, 1e-5, 1e-4);
	fdcheck("layernorm dinp", lx, dx, lN * C);
	fdcheck("layernorm dg", lg, dg, C);
	fdcheck("layernorm db", lb, db, C);
	free(lx), free(lg), free(lb), free(lm), free(lr), free(m2), free(r2);
	free(out), free(R), free(o2), free(dx), free(dg), free(db), free(dx2),
	    free(dg2), free(db2);
}

static void
test_layernorm(void)
{
	layernorm_case(16);
	layernorm_case(13);
}

/* attention */
static float *aq, *aatt, *atmp;
static int aB = 2, aT, anq, aC, aNH;

static void
fwd_attention(void)
{
	attention_forward(out, aatt, atmp, aq, aB, aT, anq, aC, aNH, 1);
}

static void
attention_case(int T, int nq, int C, int NH)
{
	size_t nqkv = (size_t)aB * T * 3 * C, natt = (size_t)aB * NH * nq * T;
	float *d, *d2, *o2, *att2;

	aT = T, anq = nq, aC = C, aNH = NH;
	aq = rnd(nqkv, 1.5f), aatt = zeros(natt), att2 = zeros(natt);
	atmp = zeros((size_t)T * (C / NH) + (size_t)nq * T);
	nout = (size_t)aB * nq * C, out = zeros(nout), R = rnd(nout, 1);
	o2 = zeros(nout), d = zeros(nqkv), d2 = zeros(nqkv);
	fwd = fwd_attention;
	fwd();
	attention_forward_ref(o2, att2, aq, aB, T, nq, C, NH);
	near_all("attention", out, o2, nout, 1e-5, 1e-4);
	near_all("attention att", aatt, att2, natt, 1e-6, 1e-4);
	/* without keeping the probabilities: the same bits of out */
	memcpy(o2, out, nout * sizeof *out);
	memset(out, 0, nout * sizeof *out);
	memcpy(att2, aatt, natt * sizeof *aatt);
	attention_forward(out, att2, atmp, aq, aB, aT, anq, aC, aNH, 0);
	T_OK(memcmp(out, o2, nout * sizeof *out) == 0);
	attention_backward(d, atmp, R, aatt, aq, aB, T, nq, C, NH);
	attention_backward_ref(d2, R, aatt, aq, aB, T, nq, C, NH);
	near_all("attention dqkv/ref", d, d2, nqkv, 1e-5, 1e-4);
	fdcheck("attention dqkv", aq, d, nqkv);
	free(aq), free(aatt), free(att2), free(atmp), free(out), free(R),
	    free(o2), free(d), free(d2);
}

static void
test_attention(void)
{
	attention_case(8, 8, 16, 2);
	attention_case(8, 1, 16, 2);
	attention_case(5, 5, 12, 3);
	attention_case(11, 1, 12, 4);
	attention_case(20, 20, 16, 2);	/* 16-lane softmax and a tail */
	attention_case(33, 1, 16, 4);
	attention_case(16, 16, 32, 2);	/* heads of 16: 2 x 2 blocks */
}

/*
 * attention_last against attention_forward with nq 1 on the keys and
 * values made of the same rows: x (B,T,C), wqkv (C,3C), bqkv (3C), qkv = x
 * wqkv + bqkv in double; the last row's query as attention_last reads it
 * (rows T*3C apart).
 */
static void
attention_last_case(int T, int C, int NH)
{
	size_t n = (size_t)aB * T * C, nqkv = (size_t)aB * T * 3 * C;
	float *x = rnd(n, 1.0f), *w = rnd((size_t)C * 3 * C, 0.3f);
	float *bq = rnd((size_t)3 * C, 0.2f), *qkv = zeros(nqkv);
	float *o1 = zeros((size_t)aB * C), *o2 = zeros((size_t)aB * C);
	float *att = zeros((size_t)aB * NH * T);
	float *tmp = zeros((size_t)T * (C / NH) + T * T + 2 * C + T);
	size_t r;
	int c, k;

	for (r = 0; r < (size_t)aB * T; r++)
		for (c = 0; c < 3 * C; c++) {
			double s = bq[c];

			for (k = 0; k < C; k++)
				s += (double)x[r * C + k] * w[(size_t)k * 3 * C + c];
			qkv[r * 3 * C + c] = (float)s;
		}
	attention_forward(o1, att, tmp, qkv, aB, T, 1, C, NH, 1);
	attention_last(o2, tmp, qkv + (size_t)(T - 1) * 3 * C, T * 3 * C, x,
	    w + C, w + 2 * C, 3 * C, bq + 2 * C, aB, T, C, NH);
	near_all("attention_last", o2, o1, (size_t)aB * C, 1e-5, 1e-4);
	free(x), free(w), free(bq), free(qkv), free(o1), free(o2), free(att),
	    free(tmp);
}

static void
test_attention_last(void)
{
	attention_last_case(32, 32, 4);	/* the default: heads of 8 */
	attention_last_case(64, 64, 4);	/* heads of 16 */
	attention_last_case(13, 24, 3);	/* rows by 8 and a tail */
	attention_last_case(5, 12, 3);	/* heads of 4: one float at a time */
	attention_last_case(104, 32, 4);	/* with contexts */
}

/* gelu */
static float *gx;

static void
fwd_gelu(void)
{
	gelu_forward(out, gx, nout);
}

static void
test_gelu(void)
{
	float *d, *d2, *o2;
	size_t i;

	nout = 37;
	gx = rnd(nout, 4), out = zeros(nout), R = rnd(nout, 1), o2 = zeros(nout);
	gx[0] = -30, gx[1] = 30, gx[2] = 0;
	d = zeros(nout), d2 = zeros(nout);
	fwd = fwd_gelu;
	fwd();
	gelu_forward_ref(o2, gx, nout);
	near_all("gelu", out, o2, nout, 1e-6, 2e-6);
	gelu_backward(d, gx, R, nout);
	gelu_backward_ref(d2, gx, R, nout);
	near_all("gelu backward/ref", d, d2, nout, 1e-6, 1e-5);
	fdcheck("gelu dinp", gx, d, nout);
	/* each element alone (the 8-lane tail) gives the bits it gets among
	 * 37 (16-lane loops on AVX-512) */
	fwd();
	for (i = 0; i < nout; i++) {
		float one;

		gelu_forward(&one, gx + i, 1);
		T_OK(memcmp(&one, out + i, sizeof one) == 0);
	}
	/* exp over its range: gelu of large |x| is x or 0 */
	for (i = 0; i < 2; i++)
		T_OK(isfinite(out[i]));
	T_OK(out[0] == 0.0f || fabs(out[0]) < 1e-30);
	T_OK(out[1] == 30.0f);
	free(gx), free(out), free(R), free(o2), free(d), free(d2);
}

/* the loss, with and without the ghost mask */
static float *zl, *zg, *zt, *zm, *zp;
static int zlab[4] = { 0, 1, 2, 1 };
static const float *zcw;	/* class weights or NULL */
enum { ZB = 4 };

static void
fwd_loss(void)
{
	loss_forward(out, zp, zl, zg, zlab, zcw, zt, zm, ZB, 1);
}

static void
loss_case(const float *maskv, const float *cw)
{
	float *dl = zeros(ZB * 3), *dg = zeros(ZB * 4), ones[ZB] = { 1, 1, 1, 1 };
	int i, j;

	zcw = cw;
	zl = rnd(ZB * 3, 2), zg = rnd(ZB * 4, 1), zt = rnd(ZB * 4, 1);
	zm = malloc(ZB * sizeof(float));
	memcpy(zm, maskv, ZB * sizeof(float));
	zp = zeros(ZB * 3), nout = ZB, out = zeros(ZB);
	R = malloc(ZB * sizeof(float));
	memcpy(R, ones, sizeof ones);
	fwd = fwd_loss;
	fwd();
	for (i = 0; i < ZB; i++) {
		double s = 0, g = 0;

		for (j = 0; j < 3; j++)
			s += exp(zl[i * 3 + j]);
		for (j = 0; j < 4; j++)
			g += (zg[i * 4 + j] - zt[i * 4 + j]) *
			    (zg[i * 4 + j] - zt[i * 4 + j]) / 4;
		T_NEAR(out[i], (cw ? cw[zlab[i]] : 1) * (log(s) -
		    zl[i * 3 + zlab[i]]) + 0.1 * zm[i] * g, 1e-6, 1e-6);
	}
	loss_backward(dl, dg, zp, zg, zlab, zcw, zt, zm, 1.0f, ZB, 1);
	fdcheck("loss dlogits", zl, dl, ZB * 3);
	fdcheck("loss dghost", zg, dg, ZB * 4);
	for (i = 0; i < ZB; i++)
		if (zm[i] == 0)
			for (j = 0; j < 4; j++)
				T_OK(dg[i * 4 + j] == 0.0f);
	free(zl), free(zg), free(zt), free(zm), free(zp), free(out), free(R),
	    free(dl), free(dg);
}

static void
test_loss(void)
{
	float all[ZB] = { 1, 1, 1, 1 }, some[ZB] = { 1, 0, 1, 0 };
	float none[ZB] = { 0, 0, 0, 0 };

	float cw[3] = { 0.25f, 3.0f, 1.5f };

	loss_case(all, NULL);
	loss_case(some, NULL);
	loss_case(none, NULL);
	/* weighted: each sample's cross-entropy times its class's weight */
	loss_case(some, cw);
	loss_case(none, cw);
}

int
main(void)
{
	matmul_init();
	T_RUN(test_matmul);
	T_RUN(test_encoder);
	T_RUN(test_layernorm);
	T_RUN(test_attention);
	T_RUN(test_attention_last);
	T_RUN(test_gelu);
	T_RUN(test_loss);
	return T_END();
}
