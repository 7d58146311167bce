/*
 * pivscore.c - next-pivot forecasts scored against the confirmed pivots
 * and naive forecasts (see pivscore.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pivscore.h"

int
pivscore_init(struct pivscore *ps, int k, const int *levels, int nlev,
    long maxpend, char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	if (maxpend < 1) {
		snprintf(err, errlen, "pending bound %ld not positive", maxpend);
		return CK_ERR;
	}
	ps->maxpend = maxpend;
	return nextpiv_init(&ps->np, k, levels, nlev, err, errlen);
}

void
pivscore_free(struct pivscore *ps)
{
	int j;

	for (j = 0; j < PIVOTS_MAXLEVEL; j++) {
		free(ps->lev[j].ring);
		ps->lev[j].ring = NULL;
		ps->lev[j].cap = 0;
	}
	nextpiv_free(&ps->np);
}

/* Score the waiting rows .. r-1 of level L, which target tg. */
static void
resolve(struct pivscore_level *L, const struct nextpiv_target *tg, long r)
{
	const struct pivscore_pend *e;
	struct pivscore_tally *ty = &L->t;
	int ti = tg->type > 0 ? 0 : 1;
	int ok = L->lasttype != 0 && L->has[ti] && L->dn > 0;
	double nprice = L->last[ti], nd = ok ? L->dsum / L->dn : 0, d;
	long t, m = r - tg->from;

	for (t = L->first > tg->from ? L->first : tg->from; t < r; t++) {
		e = &L->ring[t % L->cap];
		if (e->type == 0)
			continue;
		L->npend--;
		if (!ok) {
			ty->warmup++;
			continue;
		}
		d = (double)(tg->pivot - t);
		ty->scored++;
		ty->type_hits += e->type == tg->type;
		ty->naive_type_hits += -L->lasttype == tg->type;
		ty->price_err += fabs(e->price - tg->price) / tg->price;
		ty->naive_price_err += fabs(nprice - tg->price) / tg->price;
		ty->dist_err += fabs(e->in - d);
		ty->naive_dist_err += fabs(nd - d);
	}
	/* the distances of candles from .. r-1, kept or not */
	L->dsum += (double)m * (double)tg->pivot -
	    ((double)tg->from + (double)(r - 1)) * (double)m / 2;
	L->dn += m;
	L->first = r;
}

/* This row's confirmations of L's level: the last pivot and prices. */
static void
confirmed(struct pivscore_level *L, const struct pivot_conf *cf)
{
	if (cf->hi.i >= 0) {
		L->has[0] = 1;
		L->last[0] = cf->hi.price;
	}
	if (cf->lo.i >= 0) {
		L->has[1] = 1;
		L->last[1] = cf->lo.price;
	}
	/* both: the later pivot candle is the last (the same one: H, then L) */
	if (cf->hi.i >= 0 && cf->lo.i >= 0)
		L->lasttype = cf->hi.i <= cf->lo.i ? -1 : 1;
	else
		L->lasttype = cf->hi.i >= 0 ? 1 : -1;
}

/* Row r's forecast p into L's ring: 0, or -1 (out of memory). */
static int
add(struct pivscore_level *L, long maxpend, long r,
    const struct pivscore_pred *p)
{
	struct pivscore_pend *nr;
	long t, cap;

	/* rows first .. r-1 are in the ring (none while cap is 0) */
	if (L->cap > 0 && r - L->first + 1 > maxpend) {
		if (L->ring[L->first % L->cap].type != 0) {
			L->t.dropped++;
			L->npend--;
		}
		L->first++;
	}
	if (r - L->first + 1 > L->cap) {
		cap = L->cap ? 2 * L->cap : 64;
		if (cap > maxpend)
			cap = maxpend;
		if ((nr = malloc(cap * sizeof(*nr))) == NULL)
			return -1;
		for (t = L->first; L->cap > 0 && t < r; t++)
			nr[t % cap] = L->ring[t % L->cap];
		free(L->ring);
		L->ring = nr;
		L->cap = cap;
	}
	L->ring[r % L->cap].type = p->type > 0 ? 1 : p->type < 0 ? -1 : 0;
	L->ring[r % L->cap].price = p->price;
	L->ring[r % L->cap].in = p->in;
	L->npend += p->type != 0;
	return 0;
}

int
pivscore_push(struct pivscore *ps, const struct candle *c,
    const struct pivscore_pred *pred, char *err, size_t errlen)
{
	struct nextpiv_target out[PIVOTS_MAXLEVEL];
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	long r = ps->np.p.n;
	unsigned mask;
	int j;

	mask = nextpiv_push_conf(&ps->np, c, out, conf);
	for (j = 0; j < ps->np.nlev; j++) {
		if (mask & (1u << j)) {
			resolve(&ps->lev[j], &out[j], r);
			confirmed(&ps->lev[j], &conf[ps->np.level[j] - 1]);
		}
		if (add(&ps->lev[j], ps->maxpend, r, &pred[j]) != 0) {
			snprintf(err, errlen, "out of memory");
			return CK_ERR;
		}
	}
	return CK_OK;
}

void
pivscore_summary(const struct pivscore *ps, int j, struct pivscore_summary *s)
{
	const struct pivscore_level *L = &ps->lev[j];
	const struct pivscore_tally *t = &L->t;
	double n = (double)t->scored;

	s->level = ps->np.level[j];
	s->scored = t->scored;
	s->pending = L->npend;
	s->warmup = t->warmup;
	s->dropped = t->dropped;
	s->type_pct = n > 0 ? 100 * t->type_hits / n : NAN;
	s->naive_type_pct = n > 0 ? 100 * t->naive_type_hits / n : NAN;
	s->price_pct = n > 0 ? 100 * t->price_err / n : NAN;
	s->naive_price_pct = n > 0 ? 100 * t->naive_price_err / n : NAN;
	s->dist = n > 0 ? t->dist_err / n : NAN;
	s->naive_dist = n > 0 ? t->naive_dist_err / n : NAN;
}
