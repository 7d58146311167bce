/*
 * features.c - a window of candles to the model's inputs, and the ghost
 * candle's target and its way back to prices (issue 3, section 1).
 * Computed in double, stored as float.  Every candle the stream accepts
 * (prices positive and finite, subnormals included; volume finite, >= 0)
 * gives finite features: a log ratio of two such prices lies within
 * +-1500 even where the ratio itself overflows or underflows.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>

#include "features.h"

#define CLAMP	10.0

/* x clamped to +-CLAMP; a NaN (which no comparison catches) is 0. */
static float
clamp(double x)
{
	if (isnan(x))
		return 0.0f;
	return (float)(x < -CLAMP ? -CLAMP : x > CLAMP ? CLAMP : x);
}

/* ln(a / b) for positive finite a, b: the quotient's log while the
 * quotient is a normal double (the common case, bit for bit as before),
 * else the difference of the logs (a / b overflowing to inf or losing
 * digits as a subnormal, as with a = 1e-320, b = 100). */
static double
logratio(double a, double b)
{
	double q = a / b;

	return isnormal(q) ? log(q) : log(a) - log(b);
}

/* Candles whose two logs window() keeps rather than computes three times
 * (4 KB of stack); longer windows compute them again: the same values. */
#define MEMO	256

/* features_window's body; x's candles nf floats apart. */
static void
window(float *x, int nf, double *s, const double *o, const double *h,
    const double *l, const double *c, const double *v, int W)
{
	double mr = 0.0, vr = 0.0, mu = 0.0, vu = 0.0, sd, su, p, r;
	double lr[MEMO], lu[MEMO];
	int i, memo = W <= MEMO;

#define R3(i)	(memo ? lr[(i) - 1] : logratio(c[i], c[(i) - 1]))
#define LU(i)	(memo ? lu[(i) - 1] : log1p(v[i]))
	/* r3 = ln(close[i] / close[i-1]): mean, then the population std */
	for (i = 1; i <= W; i++) {
		r = logratio(c[i], c[i - 1]);
		if (memo)
			lr[i - 1] = r;
		mr += r;
	}
	mr /= W;
	for (i = 1; i <= W; i++) {
		r = R3(i) - mr;
		vr += r * r;
	}
	sd = sqrt(vr / W) + 1e-8;
	for (i = 1; i <= W; i++) {
		r = log1p(v[i]);
		if (memo)
			lu[i - 1] = r;
		mu += r;
	}
	mu /= W;
	for (i = 1; i <= W; i++) {
		r = LU(i) - mu;
		vu += r * r;
	}
	su = sqrt(vu / W) + 1e-6;
	for (i = 1; i <= W; i++) {
		float *f = x + (size_t)(i - 1) * nf;

		p = c[i - 1];
		f[0] = clamp(logratio(o[i], p) / sd);
		f[1] = clamp(logratio(h[i], p) / sd);
		f[2] = clamp(logratio(l[i], p) / sd);
		f[3] = clamp(R3(i) / sd);
		f[4] = clamp((LU(i) - mu) / su);
	}
#undef R3
#undef LU
	*s = sd;
}

void
features_window(float *x, double *s, const double *o, const double *h,
    const double *l, const double *c, const double *v, int W)
{
	window(x, 5, s, o, h, l, c, v, W);
}

void
features_window_nf(float *x, int nf, double *s, const double *o,
    const double *h, const double *l, const double *c, const double *v, int W)
{
	window(x, nf, s, o, h, l, c, v, W);
}

void
features_context(float *x, const double *o, const double *h,
    const double *l, const double *c, const double *v, int N, int partial)
{
	double s;
	int i;

	window(x, 6, &s, o, h, l, c, v, N);
	for (i = 0; i < N; i++)
		x[(size_t)i * 6 + 5] = i == N - 1 && partial ? 1.0f : 0.0f;
}

void
features_target(float *g, const double next[4], double close_t, double s)
{
	int j;

	for (j = 0; j < 4; j++)
		g[j] = clamp(logratio(next[j], close_t) / s);
}

void
features_unghost(double out[4], const float *g, double close_t, double s)
{
	double y;
	int j;

	for (j = 0; j < 4; j++) {
		out[j] = close_t * exp((double)g[j] * s);
		if (isfinite(out[j]) && out[j] > 0)
			continue;
		/* beyond the doubles (a wide scale s from extreme prices):
		 * the nearest positive finite double, so that the price is
		 * one the stream accepts */
		y = log(close_t) + (double)g[j] * s;
		out[j] = y >= log(DBL_MAX) ? DBL_MAX :
		    y <= log(DBL_TRUE_MIN) ? DBL_TRUE_MIN : exp(y);
	}
}
