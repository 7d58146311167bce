/*
 * tgtwait.c - samples held until their next pivots are confirmed
 * (tgtwait.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgtwait.h"

int
tgtwait_init(struct tgtwait *w, const struct model_config *cfg, long maxpend,
    char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	if (nextpiv_init(&w->np, cfg->piv_k, cfg->piv_level, cfg->npiv, err,
	    errlen) != 0)
		return CK_ERR;
	w->P = cfg->npiv;
	w->maxpend = maxpend;
	w->cap = maxpend + 2;
	/* at most this many samples a row, each row's held until maxpend
	 * candles later */
	w->qcap = (maxpend + 2) * PIVCOLS_MAXSAMPLES;
	w->tg = calloc((size_t)w->cap * w->P, sizeof(*w->tg));
	w->q = calloc((size_t)w->qcap, sizeof(*w->q));
	if (w->tg == NULL || w->q == NULL) {
		tgtwait_free(w);
		snprintf(err, errlen, "out of memory for %ld waiting samples",
		    w->qcap);
		return CK_ERR;
	}
	return 0;
}

void
tgtwait_free(struct tgtwait *w)
{
	nextpiv_free(&w->np);
	free(w->tg);
	free(w->q);
	memset(w, 0, sizeof(*w));
}

void
tgtwait_push(struct tgtwait *w, const struct candle *c)
{
	struct nextpiv_target out[MODEL_MAXPIV];
	long n = w->np.p.n, t;
	unsigned got;
	int j;

	got = nextpiv_push(&w->np, c, out);
	for (j = 0; j < w->P; j++)
		if (got & 1u << j)
			for (t = out[j].from > n - w->cap ? out[j].from :
			    n - w->cap; t < n; t++)
				w->tg[(t % w->cap) * w->P + j] = out[j];
}

void
tgtwait_hold(struct tgtwait *w, long i, int label)
{
	if (w->qn == w->qcap) {		/* the oldest goes */
		w->qh = (w->qh + 1) % w->qcap;
		w->qn--;
		w->dropped++;
	}
	w->q[(w->qh + w->qn) % w->qcap].i = i;
	w->q[(w->qh + w->qn) % w->qcap].label = label;
	w->qn++;
}

int
tgtwait_next(struct tgtwait *w, struct waiting *s, struct nextpiv_target *tg)
{
	long newest = w->np.p.n - 1;
	int j;

	while (w->qn > 0) {
		*s = w->q[w->qh];
		if (newest - s->i > w->maxpend) {
			w->qh = (w->qh + 1) % w->qcap;
			w->qn--;
			w->dropped++;
			continue;
		}
		/* resolved at every level: before each level's first
		 * unresolved candle */
		for (j = 0; j < w->P; j++)
			if (s->i >= w->np.lo[j])
				return 0;
		for (j = 0; j < w->P; j++)
			tg[j] = w->tg[(s->i % w->cap) * w->P + j];
		w->qh = (w->qh + 1) % w->qcap;
		w->qn--;
		w->ready++;
		return 1;
	}
	return 0;
}
