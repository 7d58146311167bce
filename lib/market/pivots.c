/*
 * pivots.c - causal Williams market-structure pivots (see pivots.h).
 *
 * Level 1 keeps the last 2k+1 candles and two monotone deques over them
 * (sliding-window maximum of highs, minimum of lows).  The deque keeps equal
 * values, so its front is the leftmost extreme of the window: candle r-k is
 * an H exactly when it is the front after candle r is pushed (strictly above
 * the k before, at least as high as the k after).  Each level n >= 2 keeps
 * the last two level-(n-1) pivots of each kind and decides the older one
 * when a newer one is confirmed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pivots.h"

static const struct pivot nopivot = { -1, CKTIME_NONE, 0 };

int
pivots_init(struct pivots *p, int k, int levels, char *err, size_t errlen)
{
	int n;

	memset(p, 0, sizeof(*p));
	if (k < 1 || k > PIVOTS_MAXK) {
		snprintf(err, errlen, "strength %d not in 1..%d", k, PIVOTS_MAXK);
		return CK_ERR;
	}
	if (levels < 1 || levels > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "levels %d not in 1..%d", levels,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	p->k = k;
	p->levels = levels;
	for (p->cap = 1; p->cap < 2 * k + 1; p->cap *= 2)
		;
	p->hi = calloc(p->cap, sizeof(*p->hi));
	p->lo = calloc(p->cap, sizeof(*p->lo));
	p->t = calloc(p->cap, sizeof(*p->t));
	p->dqh = calloc(p->cap, sizeof(*p->dqh));
	p->dql = calloc(p->cap, sizeof(*p->dql));
	if (!p->hi || !p->lo || !p->t || !p->dqh || !p->dql) {
		pivots_free(p);
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	for (n = 0; n < PIVOTS_MAXLEVEL; n++) {
		p->prevh[n] = p->candh[n] = nopivot;
		p->prevl[n] = p->candl[n] = nopivot;
	}
	return CK_OK;
}

void
pivots_free(struct pivots *p)
{
	free(p->hi);
	free(p->lo);
	free(p->t);
	free(p->dqh);
	free(p->dql);
	p->hi = p->lo = NULL;
	p->t = NULL;
	p->dqh = p->dql = NULL;
}

/*
 * Push candle index r into a monotone deque (ring of mask+1 entries at head
 * h, length *len) after dropping indices older than oldest.  up keeps the
 * leftmost maximum of v (a ring indexed by candle & mask) at the front, else
 * the leftmost minimum.  Equal values stay, so the front is the leftmost.
 */
static void
deque_push(long *dq, int *head, int *len, long mask, const double *v, long r,
    long oldest, int up)
{
	double x = v[r & mask];
	int h = *head, n = *len;

	if (n > 0 && dq[h] < oldest) {		/* at most one a push */
		h = (h + 1) & mask;
		n--;
	}
	if (up)
		while (n > 0 && v[dq[(h + n - 1) & mask] & mask] < x)
			n--;
	else
		while (n > 0 && v[dq[(h + n - 1) & mask] & mask] > x)
			n--;
	dq[(h + n) & mask] = r;
	*head = h;
	*len = n + 1;
}

static void
remember(double last[2], int *nlast, double price)
{
	last[0] = last[1];
	last[1] = price;
	if (*nlast < 2)
		(*nlast)++;
}

/*
 * One level-(n-1) pivot in arrives for level n (index n-1): decide the
 * candidate it follows.  up: 1 for H (higher is more extreme), 0 for L.
 */
static struct pivot
advance(struct pivot *prev, struct pivot *cand, const struct pivot *in, int up)
{
	struct pivot out = nopivot;

	if (prev->i >= 0 && cand->i >= 0) {
		if (up ? cand->price > prev->price && cand->price >= in->price :
		    cand->price < prev->price && cand->price <= in->price)
			out = *cand;
	}
	*prev = *cand;
	*cand = *in;
	return out;
}

int
pivots_push(struct pivots *p, const struct candle *c, struct pivot_conf *conf)
{
	long r = p->n++, i = r - p->k, mask = p->cap - 1;
	int slot = r & mask, n, count = 0;

	p->hi[slot] = c->high;
	p->lo[slot] = c->low;
	p->t[slot] = c->t;
	deque_push(p->dqh, &p->hh, &p->nh, mask, p->hi, r, r - 2 * p->k, 1);
	deque_push(p->dql, &p->hl, &p->nl, mask, p->lo, r, r - 2 * p->k, 0);
	for (n = 0; n < p->levels; n++)
		conf[n].hi = conf[n].lo = nopivot;
	if (r < 2 * p->k)
		return 0;
	if (p->dqh[p->hh] == i) {
		conf[0].hi.i = i;
		conf[0].hi.t = p->t[i & mask];
		conf[0].hi.price = p->hi[i & mask];
	}
	if (p->dql[p->hl] == i) {
		conf[0].lo.i = i;
		conf[0].lo.t = p->t[i & mask];
		conf[0].lo.price = p->lo[i & mask];
	}
	for (n = 1; n < p->levels; n++) {
		if (conf[n - 1].hi.i >= 0)
			conf[n].hi = advance(&p->prevh[n], &p->candh[n],
			    &conf[n - 1].hi, 1);
		if (conf[n - 1].lo.i >= 0)
			conf[n].lo = advance(&p->prevl[n], &p->candl[n],
			    &conf[n - 1].lo, 0);
	}
	for (n = 0; n < p->levels; n++) {
		if (conf[n].hi.i >= 0) {
			remember(p->lasth[n], &p->nlasth[n], conf[n].hi.price);
			count++;
		}
		if (conf[n].lo.i >= 0) {
			remember(p->lastl[n], &p->nlastl[n], conf[n].lo.price);
			count++;
		}
	}
	return count;
}

enum trend
pivots_trend(const struct pivots *p, int level)
{
	const double *h = p->lasth[level - 1], *l = p->lastl[level - 1];

	if (p->nlasth[level - 1] < 2 || p->nlastl[level - 1] < 2)
		return TREND_NONE;
	if (h[1] > h[0] && l[1] > l[0])
		return TREND_UP;
	if (h[1] < h[0] && l[1] < l[0])
		return TREND_DOWN;
	return TREND_SIDE;
}

const char *
pivots_trendname(enum trend tr)
{
	switch (tr) {
	case TREND_UP:		return "up";
	case TREND_DOWN:	return "down";
	case TREND_SIDE:	return "side";
	default:		return "";
	}
}

long
pivots_pending(const struct pivots *p)
{
	long m = p->n - p->k;
	int n;

	if (m < 0)
		m = 0;
	for (n = 1; n < p->levels; n++) {
		if (p->candh[n].i >= 0 && p->candh[n].i < m)
			m = p->candh[n].i;
		if (p->candl[n].i >= 0 && p->candl[n].i < m)
			m = p->candl[n].i;
	}
	return m;
}

int
pivots_decided(const struct pivots *p, long i)
{
	int n;

	if (i < 0 || i >= p->n - p->k)
		return 0;
	for (n = 1; n < p->levels; n++)
		if (p->candh[n].i == i || p->candl[n].i == i)
			return 0;
	return 1;
}

int
pivots_mark(unsigned *flags, const double *high, const double *low, long n,
    int k, int levels, char *err, size_t errlen)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c = { 0, 0, 0, 0, 0, 0 };
	long r;
	int lev;

	if (pivots_init(&p, k, levels, err, errlen) != CK_OK)
		return CK_ERR;
	memset(flags, 0, n * sizeof(*flags));
	for (r = 0; r < n; r++) {
		c.t = r;
		c.high = high[r];
		c.low = low[r];
		if (pivots_push(&p, &c, conf) == 0)
			continue;
		for (lev = 1; lev <= levels; lev++) {
			if (conf[lev - 1].hi.i >= 0)
				flags[conf[lev - 1].hi.i] |= PIVOT_H(lev);
			if (conf[lev - 1].lo.i >= 0)
				flags[conf[lev - 1].lo.i] |= PIVOT_L(lev);
		}
	}
	for (lev = 1; lev < levels; lev++) {
		if (p.candh[lev].i >= 0)
			flags[p.candh[lev].i] |= PIVOT_OPEN(lev + 1);
		if (p.candl[lev].i >= 0)
			flags[p.candl[lev].i] |= PIVOT_OPEN(lev + 1);
	}
	pivots_free(&p);
	return CK_OK;
}

/* The reference: level 1 by scanning each candle's neighbours. */
static int
ref_level1(const double *v, long n, int k, long i, int up)
{
	long j;

	if (i < k || i + k >= n)
		return 0;
	for (j = i - k; j < i; j++)
		if (up ? !(v[i] > v[j]) : !(v[i] < v[j]))
			return 0;
	for (j = i + 1; j <= i + k; j++)
		if (up ? !(v[i] >= v[j]) : !(v[i] <= v[j]))
			return 0;
	return 1;
}

unsigned
pivots_at(const double *high, const double *low, int k)
{
	return (ref_level1(high, 2 * k + 1, k, k, 1) ? PIVOT_H(1) : 0) |
	    (ref_level1(low, 2 * k + 1, k, k, 0) ? PIVOT_L(1) : 0);
}

/* One kind (up: H) of the reference; at (n, levels) as pivots_ref. */
static int
ref_kind(long *at, unsigned *flags, const double *v, long n, int k,
    int levels, int up)
{
	long *idx, *row, m = 0, j, mm;
	int lev;

	idx = malloc((n + 1) * sizeof(*idx));
	row = malloc((n + 1) * sizeof(*row));
	if (!idx || !row) {
		free(idx);
		free(row);
		return CK_ERR;
	}
	for (j = 0; j < n; j++)
		if (ref_level1(v, n, k, j, up)) {
			idx[m] = j;
			row[m++] = j + k;
		}
	for (lev = 1; lev <= levels; lev++) {
		for (j = 0; j < m; j++) {
			at[row[j] * levels + lev - 1] = idx[j];
			flags[idx[j]] |= up ? PIVOT_H(lev) : PIVOT_L(lev);
		}
		/* the next level, from the list of this one */
		mm = 0;
		for (j = 1; j + 1 < m; j++) {
			double x = v[idx[j]], a = v[idx[j - 1]], b = v[idx[j + 1]];

			if (up ? x > a && x >= b : x < a && x <= b) {
				idx[mm] = idx[j];
				row[mm++] = row[j + 1];
			}
		}
		m = mm;
	}
	free(idx);
	free(row);
	return CK_OK;
}

int
pivots_ref(long *hat, long *lat, unsigned *flags, const double *high,
    const double *low, long n, int k, int levels)
{
	long j;

	for (j = 0; j < n * levels; j++)
		hat[j] = lat[j] = -1;
	memset(flags, 0, n * sizeof(*flags));
	if (ref_kind(hat, flags, high, n, k, levels, 1) != CK_OK ||
	    ref_kind(lat, flags, low, n, k, levels, 0) != CK_OK)
		return CK_ERR;
	return CK_OK;
}
