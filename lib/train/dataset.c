/*
 * dataset.c - candle history to training samples: labels joined by time,
 * window features and ghost targets, the time-ordered split, shuffling.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "features.h"
#include "labels.h"
#include "model.h"
#include "rng.h"
#include "pivots.h"

int
labels_from_annot(int *label, long *known, const struct history *hi,
    const struct annot *a, long na, int W, const char *file,
    struct annot_count *cnt, char *err, size_t errlen)
{
	long i, j, *line;

	memset(cnt, 0, sizeof(*cnt));
	for (i = 0; i < hi->n; i++) {
		label[i] = ACTION_NONE;
		known[i] = i;
	}
	if ((line = calloc(hi->n ? hi->n : 1, sizeof(*line))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	for (j = 0; j < na; j++) {
		if ((i = history_find(hi, a[j].t)) < 0) {
			if (cnt->nocandle++ == 0)
				cnt->line_nocandle = a[j].line;
			continue;
		}
		if (line[i] != 0) {
			snprintf(err, errlen, "%s:%ld: a second annotation of "
			    "one candle (the first at line %ld)", file,
			    a[j].line, line[i]);
			free(line);
			return CK_EDATA;
		}
		line[i] = a[j].line;
		if (i < W) {
			if (cnt->nohistory++ == 0)
				cnt->line_nohistory = a[j].line;
			continue;
		}
		label[i] = a[j].action;
		cnt->used++;
	}
	free(line);
	return CK_OK;
}

/* Flags of the level-`levels` pivots and, in known, the row at which each
 * pivot of that level was confirmed (known[i] = i elsewhere). */
static int
mark_pivots(unsigned *flags, long *known, const struct history *hi, int k,
    int levels, char *err, size_t errlen)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	long r;

	if (pivots_mark(flags, hi->h, hi->l, hi->n, k, levels, err,
	    errlen) != CK_OK)
		return CK_ERR;
	if (pivots_init(&p, k, levels, err, errlen) != CK_OK)
		return CK_ERR;
	for (r = 0; r < hi->n; r++) {
		known[r] = r;
		c.t = hi->t[r];
		c.open = hi->o[r];
		c.high = hi->h[r];
		c.low = hi->l[r];
		c.close = hi->c[r];
		c.volume = hi->v[r];
		if (pivots_push(&p, &c, conf) == 0)
			continue;
		if (conf[levels - 1].hi.i >= 0)
			known[conf[levels - 1].hi.i] = r;
		if (conf[levels - 1].lo.i >= 0)
			known[conf[levels - 1].lo.i] = r;
	}
	pivots_free(&p);
	return CK_OK;
}

/* The labels of labels.c, widened from signed char. */
static int
labels_run(int *label, long *known, const struct history *hi, int k,
    int level, int every, double threshold, char *err, size_t errlen)
{
	unsigned *flags;
	signed char *out;
	long i;
	int r = CK_ERR;

	flags = malloc((hi->n ? hi->n : 1) * sizeof(*flags));
	out = malloc(hi->n ? hi->n : 1);
	if (flags == NULL || out == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (mark_pivots(flags, known, hi, k, level, err, errlen) != CK_OK)
		goto out;
	if (every)
		labels_every(out, flags, hi->c, hi->n, k, threshold);
	else
		labels_pivots(out, flags, hi->n, level);
	for (i = 0; i < hi->n; i++) {
		label[i] = out[i];
		/* an every-candle label is decided at candle t+k */
		if (every && i + k > known[i])
			known[i] = i + k < hi->n ? i + k : hi->n - 1;
	}
	r = CK_OK;
out:
	free(flags);
	free(out);
	return r;
}

int
labels_from_pivots(int *label, long *known, const struct history *hi, int k,
    int level, char *err, size_t errlen)
{
	return labels_run(label, known, hi, k, level, 0, 0, err, errlen);
}

int
labels_from_every(int *label, long *known, const struct history *hi, int k,
    double threshold, char *err, size_t errlen)
{
	return labels_run(label, known, hi, k, 1, 1, threshold, err, errlen);
}

void
dataset_free(struct dataset *ds)
{
	free(ds->x);
	free(ds->ghost);
	free(ds->mask);
	free(ds->label);
	free(ds->cand);
	free(ds->used);
	memset(ds, 0, sizeof(*ds));
}

int
dataset_build(struct dataset *ds, const struct history *hi, const int *label,
    const long *known, int W, long *nshort, char *err, size_t errlen)
{
	long i, n = 0, last;
	double s, next[4];
	size_t nx;

	memset(ds, 0, sizeof(*ds));
	ds->W = W;
	*nshort = 0;
	for (i = 0; i < hi->n; i++) {
		if (label[i] == ACTION_NONE)
			continue;
		if (i < W)
			(*nshort)++;
		else
			n++;
	}
	nx = (size_t)W * MODEL_NFEAT;
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
	ds->W = W;
	for (i = W; i < hi->n; i++) {
		if (label[i] == ACTION_NONE)
			continue;
		/* candles i-W .. i */
		features_window(ds->x + ds->n * nx, &s, hi->o + i - W,
		    hi->h + i - W, hi->l + i - W, hi->c + i - W,
		    hi->v + i - W, W);
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
}

cktime
dataset_gather(const struct dataset *ds, const long *idx, int B, float *x,
    int *label, float *ghost, float *mask)
{
	size_t nx = (size_t)ds->W * MODEL_NFEAT;
	cktime last = CKTIME_NONE;
	long j;
	int b;

	for (b = 0; b < B; b++) {
		j = idx[b];
		memcpy(x + b * nx, ds->x + j * nx, nx * sizeof(float));
		memcpy(ghost + b * MODEL_NGHOST, ds->ghost + j * MODEL_NGHOST,
		    MODEL_NGHOST * sizeof(float));
		mask[b] = ds->mask[j];
		label[b] = ds->label[j];
		if (ds->used[j] > last)
			last = ds->used[j];
	}
	return last;
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
