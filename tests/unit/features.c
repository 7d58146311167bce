/* features: the window features and the ghost target against a direct
 * transcription of the formulas, on hand-made candles. */
#include <stdlib.h>

#include "features.h"
#include "t.h"

#define W 6

/* candles t-W .. t, oldest first (index 0 gives only its close) */
static const double o[W + 1] = { 10, 10.1, 10.3, 10.2, 10.4, 10.3, 10.6 };
static const double h[W + 1] = { 10.2, 10.4, 10.5, 10.4, 10.6, 10.7, 10.9 };
static const double l[W + 1] = { 9.9, 10.0, 10.1, 10.0, 10.2, 10.2, 10.5 };
static const double c[W + 1] = { 10.1, 10.3, 10.2, 10.4, 10.3, 10.6, 10.8 };
static const double v[W + 1] = { 100, 250, 0, 1000, 50, 300, 120 };

/* features_window on (o, h, l, c, v) of n candles against the formulas */
static void
check_window(const double *o, const double *h, const double *l,
    const double *c, const double *v, int n)
{
	float *x = malloc((size_t)n * 5 * sizeof *x);
	double s, *r3 = malloc(n * sizeof *r3), *u = malloc(n * sizeof *u);
	double mean = 0, var = 0, mu = 0, vu = 0, su;
	int i;

	features_window(x, &s, o, h, l, c, v, n);
	for (i = 0; i < n; i++) {
		r3[i] = log(c[i + 1] / c[i]);
		mean += r3[i] / n;
		u[i] = log(1 + v[i + 1]);
		mu += u[i] / n;
	}
	for (i = 0; i < n; i++) {
		var += (r3[i] - mean) * (r3[i] - mean) / n;
		vu += (u[i] - mu) * (u[i] - mu) / n;
	}
	T_NEAR(s, sqrt(var) + 1e-8, 0, 1e-12);
	su = sqrt(vu) + 1e-6;
	for (i = 0; i < n; i++) {
		T_NEAR(x[i * 5 + 0], log(o[i + 1] / c[i]) / s, 1e-6, 1e-6);
		T_NEAR(x[i * 5 + 1], log(h[i + 1] / c[i]) / s, 1e-6, 1e-6);
		T_NEAR(x[i * 5 + 2], log(l[i + 1] / c[i]) / s, 1e-6, 1e-6);
		T_NEAR(x[i * 5 + 3], r3[i] / s, 1e-6, 1e-6);
		T_NEAR(x[i * 5 + 4], (u[i] - mu) / su, 1e-6, 1e-6);
		T_OK(fabs(x[i * 5 + 4]) <= 10);
	}
	free(x), free(r3), free(u);
}

static void
test_window(void)
{
	check_window(o, h, l, c, v, W);
}

/* windows around the 256 candles whose logs the code keeps */
static void
test_long(void)
{
	static double lo[1001], lh[1001], ll[1001], lc[1001], lv[1001];
	int i, n[] = { 255, 256, 257, 1000 };

	for (i = 0; i <= 1000; i++) {
		lc[i] = 100 * exp(0.01 * sin(i * 0.37) + 0.002 * i);
		lo[i] = lc[i] * (1 + 0.003 * cos(i * 1.3));
		lh[i] = lc[i] * 1.01, ll[i] = lc[i] * 0.99;
		lv[i] = 1000 + 900 * sin(i * 0.11);
	}
	for (i = 0; i < 4; i++)
		check_window(lo, lh, ll, lc, lv, n[i]);
}

static void
test_clamp(void)
{
	/* flat closes: s = 1e-8, every return feature clamps to +-10 */
	double cc[W + 1] = { 5, 5, 5, 5, 5, 5, 5 }, vv[W + 1] = { 0 };
	double hh[W + 1] = { 6, 6, 6, 6, 6, 6, 6 }, ll[W + 1] = { 4, 4, 4, 4, 4, 4, 4 };
	float x[W * 5];
	double s;
	int i;

	features_window(x, &s, cc, hh, ll, cc, vv, W);
	T_NEAR(s, 1e-8, 0, 1e-9);
	for (i = 0; i < W; i++) {
		T_EQ(x[i * 5 + 0], 0);
		T_OK(x[i * 5 + 1] == 10.0f);
		T_OK(x[i * 5 + 2] == -10.0f);
		T_EQ(x[i * 5 + 3], 0);
		T_EQ(x[i * 5 + 4], 0);	/* constant volume: 0 / 1e-6 */
	}
}

static void
test_ghost(void)
{
	double next[4] = { 10.9, 11.0, 10.7, 10.75 }, back[4], s = 0.01;
	float g[4];
	int j;

	features_target(g, next, 10.8, s);
	for (j = 0; j < 4; j++)
		T_NEAR(g[j], log(next[j] / 10.8) / s, 1e-6, 1e-6);
	features_unghost(back, g, 10.8, s);
	for (j = 0; j < 4; j++)
		T_NEAR(back[j], next[j], 0, 1e-7);
	/* a jump beyond 10 s clamps */
	next[1] = 12.0;
	features_target(g, next, 10.8, s);
	T_OK(g[1] == 10.0f);
}

/* Issue 19, 6: any prices the stream accepts (positive, finite,
 * subnormals included) and any finite volume >= 0 give finite features,
 * a finite positive scale, finite targets and ghost prices the stream
 * accepts back.  Before: 1e-320 next to 100 made c / p infinite, the std
 * NaN, and NaN passed the clamp. */
static void
test_extreme(void)
{
	static const double px[] = { 1e-320, 4.9e-324, 2.2250738585072014e-308,
	    1e-300, 0.01, 1, 100, 1e300, 1.7976931348623157e308 };
	static const double vol[] = { 0, 1, 1e300, 1.7976931348623157e308 };
	double oo[W + 1], hh[W + 1], ll[W + 1], cc[W + 1], vv[W + 1];
	double s, next[4], back[4], a, b;
	float x[W * 5], g[4];
	unsigned long r = 12345;
	int n, i, j, bad = 0;

	for (n = 0; n < 20000; n++) {
		for (i = 0; i <= W; i++) {
			r = r * 6364136223846793005UL + 1442695040888963407UL;
			a = px[(r >> 33) % 9];
			b = px[(r >> 45) % 9];
			oo[i] = a;
			cc[i] = b;
			hh[i] = a > b ? a : b;
			ll[i] = a < b ? a : b;
			vv[i] = vol[(r >> 20) % 4];
		}
		features_window(x, &s, oo, hh, ll, cc, vv, W);
		bad += !(isfinite(s) && s > 0);
		for (i = 0; i < W * 5; i++)
			bad += !(fabs(x[i]) <= 10);
		for (j = 0; j < 4; j++)
			next[j] = px[(r >> (8 + 4 * j)) % 9];
		features_target(g, next, cc[W], s);
		for (j = 0; j < 4; j++)
			bad += !(fabs(g[j]) <= 10);
		features_unghost(back, g, cc[W], s);
		for (j = 0; j < 4; j++)
			bad += !(isfinite(back[j]) && back[j] > 0);
	}
	T_EQ(bad, 0);
}

int
main(void)
{
	T_RUN(test_window);
	T_RUN(test_long);
	T_RUN(test_clamp);
	T_RUN(test_ghost);
	T_RUN(test_extreme);
	return T_END();
}
