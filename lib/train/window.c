/*
 * window.c - windows of a history as model inputs (see window.h).
 */
#include <string.h>

#include "features.h"
#include "history.h"
#include "model.h"
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

void
window_targets(const struct history *hi, long i, double s, int G, float *g,
    float *mask)
{
	int k;

	for (k = 0; k < G; k++) {
		/* step k: candle i+1+k against candle i's close */
		long j = history_index(hi, i + 1 + k), c = history_index(hi, i);
		double next[4];

		mask[k] = 0;
		memset(g + k * MODEL_NGHOST, 0, MODEL_NGHOST * sizeof(float));
		if (j < 0 || c < 0)
			continue;
		next[0] = hi->o[j];
		next[1] = hi->h[j];
		next[2] = hi->l[j];
		next[3] = hi->c[j];
		features_target(g + k * MODEL_NGHOST, next, hi->c[c], s);
		mask[k] = 1;
	}
}

int
window_pivot_target(const struct history *hi, long i, double s,
    const struct nextpiv_target *tg, float *out)
{
	long c = history_index(hi, i);
	double p[4];
	float g[4];

	if (c < 0)
		return -1;
	p[0] = p[1] = p[2] = p[3] = tg->price;
	features_target(g, p, hi->c[c], s);
	out[0] = tg->type > 0 ? 1.0f : 0.0f;
	out[1] = g[0];
	out[2] = (float)(tg->pivot - i);
	return 0;
}
