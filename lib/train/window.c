/*
 * window.c - windows of a history as model inputs (see window.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "history.h"
#include "model.h"
#include "pivots.h"
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

int
ctxwin_init(struct ctxwin *cw, const struct model_config *cfg, long keep,
    char *err, size_t errlen)
{
	int k, maxN = 0;

	memset(cw, 0, sizeof(*cw));
	cw->nctx = cfg->nctx;
	memcpy(cw->ctx, cfg->ctx, sizeof(cw->ctx));
	cw->keep = keep > 0 ? keep : 1;
	for (k = 0; k < cw->nctx; k++) {
		cw->size += (size_t)cw->ctx[k].N * MODEL_NCTXFEAT;
		if (cw->ctx[k].N > maxN)
			maxN = cw->ctx[k].N;
		history_init(&cw->seq[k].done, cw->ctx[k].N + 1);
		cw->prefix[k] = cw->ctx[k].tf == 0 ? cw->ctx[k].prefix : NULL;
		if (cw->ctx[k].tf > 0 && resample_init(&cw->seq[k].rs,
		    cw->ctx[k].tf) != 0) {
			snprintf(err, errlen, "context %d: timeframe out of "
			    "range", k);
			return CK_ERR;
		}
	}
	if (cw->nctx == 0)
		return 0;
	cw->x = malloc(cw->keep * cw->size * sizeof(float));
	cw->ok = calloc(cw->keep, 1);
	cw->tmp = malloc(5 * ((size_t)maxN + 1) * sizeof(double));
	if (cw->x == NULL || cw->ok == NULL || cw->tmp == NULL) {
		ctxwin_free(cw);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

void
ctxwin_free(struct ctxwin *cw)
{
	int k;

	for (k = 0; k < cw->nctx; k++)
		history_free(&cw->seq[k].done);
	free(cw->x);
	free(cw->ok);
	free(cw->tmp);
	memset(cw, 0, sizeof(*cw));
}

/* Context k's features after the latest candle into x (N, 6): 0, or -1
 * without its N+1 candles. */
static int
ctx_features(struct ctxwin *cw, int k, float *x)
{
	struct ctxseq *q = &cw->seq[k];
	const struct history *d = &q->done;
	double *col[5];
	struct candle p;
	long j, have, i;
	int N = cw->ctx[k].N, part, c;

	part = cw->ctx[k].tf > 0 && resample_peek(&q->rs, &p);
	have = d->n - d->first;
	if (have + part < N + 1)
		return -1;
	if (!part) {
		j = history_index(d, d->n - N - 1);
		features_context(x, d->o + j, d->h + j, d->l + j, d->c + j,
		    d->v + j, N, 0);
		return 0;
	}
	/* the completed N, then the one in progress */
	j = history_index(d, d->n - N);
	for (c = 0; c < 5; c++)
		col[c] = cw->tmp + (size_t)c * (N + 1);
	for (i = 0; i < N; i++) {
		col[0][i] = d->o[j + i];
		col[1][i] = d->h[j + i];
		col[2][i] = d->l[j + i];
		col[3][i] = d->c[j + i];
		col[4][i] = d->v[j + i];
	}
	col[0][N] = p.open;
	col[1][N] = p.high;
	col[2][N] = p.low;
	col[3][N] = p.close;
	col[4][N] = p.volume;
	features_context(x, col[0], col[1], col[2], col[3], col[4], N, 1);
	return 0;
}

int
ctxwin_push(struct ctxwin *cw, const struct candle *c,
    const struct candle *ref)
{
	struct candle prev, cur, r;
	struct ctxseq *q;
	unsigned fl;
	size_t slot;
	float *x;
	int k, ok = 1;

	if (cw->nctx == 0) {
		cw->n++;
		return 0;
	}
	for (k = 0; k < cw->nctx; k++) {
		q = &cw->seq[k];
		if (cw->ctx[k].tf == 0) {
			if (ref == NULL || ref[k].t == CKTIME_NONE) {
				history_free(&q->done);	/* anew */
				continue;
			}
			r = ref[k];
			r.t = c->t;
			if (history_push(&q->done, &r) != 0)
				return CK_ERR;
			continue;
		}
		fl = resample_push(&q->rs, c, &prev, &cur);
		if ((fl & RESAMPLE_PREV) && history_push(&q->done, &prev) != 0)
			return CK_ERR;
		if ((fl & RESAMPLE_CUR) && history_push(&q->done, &cur) != 0)
			return CK_ERR;
	}
	slot = (size_t)(cw->n % cw->keep);
	x = cw->x + slot * cw->size;
	for (k = 0; k < cw->nctx; k++) {
		if (ctx_features(cw, k, x) != 0)
			ok = 0;
		x += (size_t)cw->ctx[k].N * MODEL_NCTXFEAT;
	}
	cw->ok[slot] = (unsigned char)ok;
	cw->n++;
	return 0;
}

int
ctxwin_get(const struct ctxwin *cw, long i, float *x)
{
	size_t slot;

	if (cw->nctx == 0)
		return 0;
	if (i < 0 || i >= cw->n || i < cw->n - cw->keep)
		return -1;
	slot = (size_t)(i % cw->keep);
	if (!cw->ok[slot])
		return -1;
	memcpy(x, cw->x + slot * cw->size, cw->size * sizeof(float));
	return 0;
}

/* The window's features with the pivot features of strength k: candle
 * p of the window (1 .. W) has 1 in its sixth when it confirms a level-1
 * H (candle p-k; pivots.h), in its seventh for an L; 0 when not, and
 * in candles 1 .. 2k-1, whose earlier neighbours the window lacks. */
static int
window_pivfeat(const struct history *hi, long i, int W, int k, float *x,
    double *s)
{
	const int nf = MODEL_NFEAT + MODEL_NPIVFEAT;
	long j = history_index(hi, i - W);
	unsigned at;
	int p;

	if (j < 0 || history_index(hi, i) < 0)
		return -1;
	features_window_nf(x, nf, s, hi->o + j, hi->h + j, hi->l + j,
	    hi->c + j, hi->v + j, W);
	for (p = 1; p <= W; p++) {
		float *f = x + (size_t)(p - 1) * nf + MODEL_NFEAT;

		at = p >= 2 * k ? pivots_at(hi->h + j + p - 2 * k,
		    hi->l + j + p - 2 * k, k) : 0;
		f[0] = at & PIVOT_H(1) ? 1.0f : 0.0f;
		f[1] = at & PIVOT_L(1) ? 1.0f : 0.0f;
	}
	return 0;
}

int
window_pivk(const struct model_config *c)
{
	return c->piv_feat ? c->piv_k : 0;
}

int
window_input(const struct history *hi, const struct ctxwin *cw, long i,
    int W, int pivk, float *x, double *s)
{
	if ((pivk > 0 ? window_pivfeat(hi, i, W, pivk, x, s) :
	    window_features(hi, i, W, x, s)) != 0)
		return -1;
	if (cw != NULL && ctxwin_get(cw, i, x + (size_t)W * (MODEL_NFEAT +
	    (pivk > 0 ? MODEL_NPIVFEAT : 0))) != 0)
		return -1;
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
