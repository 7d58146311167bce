/*
 * dataset.c - candle history to training samples: window features and
 * ghost targets, the time-ordered split, the loss's class weights,
 * shuffling.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "dataset.h"
#include "features.h"
#include "model.h"
#include "nextpiv.h"
#include "rng.h"
#include "window.h"

void
dataset_free(struct dataset *ds)
{
	free(ds->x);
	free(ds->ghost);
	free(ds->mask);
	free(ds->label);
	free(ds->cand);
	free(ds->used);
	free(ds->piv);
	free(ds->pmask);
	memset(ds, 0, sizeof(*ds));
}

int
dataset_build(struct dataset *ds, const struct history *hi,
    const struct candle *ref, const int *label, const long *known,
    const struct model_config *cfg, long *nshort, char *err, size_t errlen)
{
	struct ctxwin cw;
	long i, n = 0, last;
	double s, next[4];
	size_t nx;
	int W = cfg->W;

	memset(ds, 0, sizeof(*ds));
	ds->W = W;
	ds->G = 1;
	*nshort = 0;
	for (i = 0; i < hi->n; i++) {
		if (label[i] == ACTION_NONE)
			continue;
		if (i < W)
			(*nshort)++;
		else
			n++;
	}
	nx = model_xsize(cfg);
	ds->x = malloc((n ? n : 1) * nx * sizeof(float));
	ds->ghost = calloc(n ? n : 1, MODEL_NGHOST * sizeof(float));
	ds->mask = malloc((n ? n : 1) * sizeof(float));
	ds->label = malloc((n ? n : 1) * sizeof(int));
	ds->cand = malloc((n ? n : 1) * sizeof(long));
	ds->used = malloc((n ? n : 1) * sizeof(cktime));
	if (!ds->x || !ds->ghost || !ds->mask || !ds->label || !ds->cand ||
	    !ds->used) {
		dataset_free(ds);
		snprintf(err, errlen, "out of memory for %ld samples", n);
		return CK_ERR;
	}
	if (ctxwin_init(&cw, cfg, 1, err, errlen) != 0) {
		dataset_free(ds);
		return CK_ERR;
	}
	ds->W = W;
	ds->nx = nx;
	for (i = 0; i < hi->n; i++) {
		/* the contexts as a stream would see them at candle i */
		if (ctxwin_push(&cw, &(struct candle){ hi->t[i], hi->o[i],
		    hi->h[i], hi->l[i], hi->c[i], hi->v[i] },
		    ref != NULL ? ref + (size_t)i * cfg->nctx : NULL) != 0) {
			ctxwin_free(&cw);
			dataset_free(ds);
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return CK_ERR;
		}
		if (i < W || label[i] == ACTION_NONE)
			continue;
		/* candles i-W .. i, and the contexts */
		if (window_input(hi, &cw, i, W, window_pivk(cfg), ds->x + ds->n * nx, &s) != 0) {
			(*nshort)++;
			continue;
		}
		last = known[i] > i ? known[i] : i;
		if (i + 1 < hi->n) {
			next[0] = hi->o[i + 1];
			next[1] = hi->h[i + 1];
			next[2] = hi->l[i + 1];
			next[3] = hi->c[i + 1];
			features_target(ds->ghost + ds->n * MODEL_NGHOST, next,
			    hi->c[i], s);
			ds->mask[ds->n] = 1;
			if (last < i + 1)
				last = i + 1;
		} else
			ds->mask[ds->n] = 0;
		if (last >= hi->n)
			last = hi->n - 1;
		ds->label[ds->n] = label[i];
		ds->cand[ds->n] = i;
		ds->used[ds->n] = hi->t[last];
		ds->n++;
	}
	ctxwin_free(&cw);
	ds->ntrain = ds->n;
	return CK_OK;
}

void
dataset_split(struct dataset *ds, double frac)
{
	long i, nval;

	nval = (long)(frac * (double)ds->n + 0.5);
	if (nval > ds->n)
		nval = ds->n;
	ds->ntrain = ds->n - nval;
	memset(ds->count, 0, sizeof(ds->count));
	for (i = 0; i < ds->ntrain; i++)
		ds->count[ds->label[i]]++;
	dataset_weights(ds, CLASSW_NONE, NULL);
}

void
dataset_weights(struct dataset *ds, enum classw how, const float *given)
{
	int c, present = 0;

	for (c = 0; c < MODEL_NCLASS; c++)
		present += ds->count[c] > 0;
	for (c = 0; c < MODEL_NCLASS; c++)
		switch (how) {
		case CLASSW_AUTO:
			ds->weight[c] = ds->count[c] > 0 ? (float)((double)
			    ds->ntrain / ((double)present * ds->count[c])) : 0;
			break;
		case CLASSW_GIVEN:
			ds->weight[c] = given[c];
			break;
		default:
			ds->weight[c] = 1;
		}
}

cktime
dataset_gather(const struct dataset *ds, const long *idx, int B, float *x,
    int *label, float *ghost, float *mask)
{
	size_t nx = ds->nx;
	cktime last = CKTIME_NONE;
	long j;
	int b;

	for (b = 0; b < B; b++) {
		j = idx[b];
		memcpy(x + b * nx, ds->x + j * nx, nx * sizeof(float));
		memcpy(ghost + (size_t)b * ds->G * MODEL_NGHOST, ds->ghost +
		    j * ds->G * MODEL_NGHOST, ds->G * MODEL_NGHOST *
		    sizeof(float));
		memcpy(mask + (size_t)b * ds->G, ds->mask + j * ds->G,
		    ds->G * sizeof(float));
		label[b] = ds->label[j];
		if (ds->used[j] > last)
			last = ds->used[j];
	}
	return last;
}

void
dataset_gather_piv(const struct dataset *ds, const long *idx, int B,
    float *piv, float *pmask)
{
	int b;

	for (b = 0; b < B; b++) {
		memcpy(piv + (size_t)b * ds->P * 3, ds->piv + idx[b] * ds->P *
		    3, ds->P * 3 * sizeof(float));
		memcpy(pmask + (size_t)b * ds->P, ds->pmask + idx[b] * ds->P,
		    ds->P * sizeof(float));
	}
}

/* Every sample's next G candles (dataset_heads). */
static int
heads_ghost(struct dataset *ds, const struct history *hi, int G,
    char *err, size_t errlen)
{
	float *g = calloc((ds->n ? ds->n : 1) * G, MODEL_NGHOST * sizeof(float));
	float *mk = calloc((ds->n ? ds->n : 1) * G, sizeof(float));
	float *x = malloc((size_t)ds->W * MODEL_NFEAT * sizeof(float));
	double s;
	long i, t;
	int k;

	if (g == NULL || mk == NULL || x == NULL) {
		free(g);
		free(mk);
		free(x);
		snprintf(err, errlen, "out of memory for %ld samples", ds->n);
		return CK_ERR;
	}
	for (i = 0; i < ds->n; i++) {
		t = ds->cand[i];
		if (window_features(hi, t, ds->W, x, &s) != 0)
			continue;	/* not in a history of every candle */
		window_targets(hi, t, s, G, g + i * G * MODEL_NGHOST,
		    mk + i * G);
		for (k = 0; k < G; k++)
			if (mk[i * G + k] != 0 && hi->t[t + 1 + k] > ds->used[i])
				ds->used[i] = hi->t[t + 1 + k];
	}
	free(x);
	free(ds->ghost);
	free(ds->mask);
	ds->ghost = g;
	ds->mask = mk;
	ds->G = G;
	return CK_OK;
}

int
dataset_heads(struct dataset *ds, const struct history *hi,
    const struct model_config *cfg, char *err, size_t errlen)
{
	struct nextpiv np;
	struct nextpiv_target tg[MODEL_MAXPIV], *at = NULL;
	struct candle c;
	long *conf = NULL, i, t, r;
	double s;
	float *x = NULL;
	int P = cfg->npiv, j, G = model_ghost_steps(cfg);
	unsigned got;

	if (G > 1 && heads_ghost(ds, hi, G, err, errlen) != CK_OK)
		return CK_ERR;
	if (P == 0)
		return CK_OK;
	if (nextpiv_init(&np, cfg->piv_k, cfg->piv_level, P, err, errlen) != 0)
		return CK_ERR;
	/* per candle and level: its target, and the row that confirmed it
	 * (-1: none within the history) */
	conf = malloc((hi->n ? hi->n : 1) * P * sizeof(long));
	at = malloc((hi->n ? hi->n : 1) * P * sizeof(*at));
	ds->piv = calloc((ds->n ? ds->n : 1) * P * 3, sizeof(float));
	ds->pmask = calloc((ds->n ? ds->n : 1) * P, sizeof(float));
	x = malloc((size_t)ds->W * MODEL_NFEAT * sizeof(float));
	if (!conf || !at || !ds->piv || !ds->pmask || !x) {
		snprintf(err, errlen, "out of memory for %ld candles", hi->n);
		free(conf), free(at), free(x);
		nextpiv_free(&np);
		return CK_ERR;
	}
	ds->P = P;
	for (i = 0; i < hi->n * P; i++)
		conf[i] = -1;
	for (r = 0; r < hi->n; r++) {
		c.t = hi->t[r];
		c.open = hi->o[r];
		c.high = hi->h[r];
		c.low = hi->l[r];
		c.close = hi->c[r];
		c.volume = hi->v[r];
		got = nextpiv_push(&np, &c, tg);
		for (j = 0; j < P; j++)
			for (t = (got & 1u << j) ? tg[j].from : r; t < r; t++) {
				conf[t * P + j] = r;
				at[t * P + j] = tg[j];
			}
	}
	nextpiv_free(&np);
	for (i = 0; i < ds->n; i++) {
		t = ds->cand[i];
		if (window_features(hi, t, ds->W, x, &s) != 0)
			continue;
		for (j = 0; j < P; j++) {
			if ((r = conf[t * P + j]) < 0 || window_pivot_target(hi,
			    t, s, &at[t * P + j], ds->piv + (i * P + j) * 3) != 0)
				continue;
			ds->pmask[i * P + j] = 1;
			if (hi->t[r] > ds->used[i])
				ds->used[i] = hi->t[r];
		}
	}
	free(conf), free(at), free(x);
	return CK_OK;
}

/* Uniform in [0, n) without modulo bias (rejection). */
static uint64_t
rand_below(uint64_t *state, uint64_t n)
{
	uint64_t lim = UINT64_MAX - UINT64_MAX % n, r;

	do
		r = splitmix64(state);
	while (r >= lim);
	return r % n;
}

void
dataset_shuffle(long *idx, long n, uint64_t *state)
{
	long i, j, tmp;

	for (i = n - 1; i > 0; i--) {
		j = (long)rand_below(state, (uint64_t)i + 1);
		tmp = idx[i];
		idx[i] = idx[j];
		idx[j] = tmp;
	}
}
