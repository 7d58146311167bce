/*
 * window.c - windows of a history as model inputs (see window.h).
 */
#include "features.h"
#include "history.h"
#include "window.h"

int
window_features(const struct history *hi, long i, int W, float *x, double *s)
{
	long j = history_index(hi, i - W);

	if (j < 0 || history_index(hi, i) < 0)
		return -1;
	features_window(x, s, hi->o + j, hi->h + j, hi->l + j, hi->c + j,
	    hi->v + j, W);
	return 0;
}

int
window_target(const struct history *hi, long i, double s, float *g)
{
	long j = history_index(hi, i + 1);
	double next[4];

	if (j < 0 || history_index(hi, i) < 0)
		return -1;
	next[0] = hi->o[j];
	next[1] = hi->h[j];
	next[2] = hi->l[j];
	next[3] = hi->c[j];
	features_target(g, next, hi->c[j - 1], s);
	return 0;
}
