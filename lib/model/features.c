/*
 * features.c - a window of candles to the model's inputs, and the ghost
 * candle's target and its way back to prices (issue 3, section 1).
 * Computed in double, stored as float.
 */
#include <math.h>
#include <stddef.h>

#include "features.h"

#define CLAMP	10.0

static float
clamp(double x)
{
	return (float)(x < -CLAMP ? -CLAMP : x > CLAMP ? CLAMP : x);
}

void
features_window(float *x, double *s, const double *o, const double *h,
    const double *l, const double *c, const double *v, int W)
{
	double mr = 0.0, vr = 0.0, mu = 0.0, vu = 0.0, sd, su, p, r;
	int i;

	/* r3 = ln(close[i] / close[i-1]): mean, then the population std */
	for (i = 1; i <= W; i++)
		mr += log(c[i] / c[i - 1]);
	mr /= W;
	for (i = 1; i <= W; i++) {
		r = log(c[i] / c[i - 1]) - mr;
		vr += r * r;
	}
	sd = sqrt(vr / W) + 1e-8;
	for (i = 1; i <= W; i++)
		mu += log1p(v[i]);
	mu /= W;
	for (i = 1; i <= W; i++) {
		r = log1p(v[i]) - mu;
		vu += r * r;
	}
	su = sqrt(vu / W) + 1e-6;
	for (i = 1; i <= W; i++) {
		float *f = x + (size_t)(i - 1) * 5;

		p = c[i - 1];
		f[0] = clamp(log(o[i] / p) / sd);
		f[1] = clamp(log(h[i] / p) / sd);
		f[2] = clamp(log(l[i] / p) / sd);
		f[3] = clamp(log(c[i] / p) / sd);
		f[4] = clamp((log1p(v[i]) - mu) / su);
	}
	*s = sd;
}

void
features_target(float *g, const double next[4], double close_t, double s)
{
	int j;

	for (j = 0; j < 4; j++)
		g[j] = clamp(log(next[j] / close_t) / s);
}

void
features_unghost(double out[4], const float *g, double close_t, double s)
{
	int j;

	for (j = 0; j < 4; j++)
		out[j] = close_t * exp((double)g[j] * s);
}
