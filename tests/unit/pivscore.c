/*
 * tests/unit/pivscore.c - next-pivot forecast scores against a brute-force
 * reference: the pivots by pivots_ref, each row's target by scanning the
 * rows after it, the naive forecasts by scanning the rows up to it, on
 * random series with random forecasts; the pending bound.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "pivscore.h"
#include "series.h"

/* The reference's tallies of level lev over s with forecasts f (n). */
static void
reference(struct pivscore_tally *ty, long *pending, const struct series *s,
    int k, int lev, const struct pivscore_pred *f, long maxpend)
{
	long n = s->n, *hat, *lat, t, r, u, R, piv, h, l, dn;
	unsigned *flags;
	double price, lastp[2], ds, nd, d;
	int type, lt, has[2], ti;

	memset(ty, 0, sizeof(*ty));
	*pending = 0;
	hat = malloc((n ? n : 1) * 5 * sizeof(long));
	lat = malloc((n ? n : 1) * 5 * sizeof(long));
	flags = malloc((n ? n : 1) * sizeof(unsigned));
	T_OK(hat && lat && flags);
	T_EQ(pivots_ref(hat, lat, flags, s->h, s->l, n, k, 5), CK_OK);
#define H(r) hat[(r) * 5 + lev - 1]
#define L(r) lat[(r) * 5 + lev - 1]
	for (t = 0; t < n; t++) {
		if (f[t].type == 0)
			continue;
		for (R = t + 1; R < n && H(R) < 0 && L(R) < 0; R++)
			;
		if (R >= n || R > t + maxpend) {
			if (t + maxpend > n - 1 && R >= n)
				(*pending)++;
			else
				ty->dropped++;
			continue;
		}
		h = H(R);
		l = L(R);
		if (h >= 0 && (l < 0 || h <= l)) {
			type = 1;
			piv = h;
			price = s->h[h];
		} else {
			type = -1;
			piv = l;
			price = s->l[l];
		}
		/* the naive forecasts from rows 0 .. t */
		lt = has[0] = has[1] = 0;
		lastp[0] = lastp[1] = 0;
		for (r = 0; r <= t; r++) {
			h = H(r);
			l = L(r);
			if (h >= 0) {
				has[0] = 1;
				lastp[0] = s->h[h];
			}
			if (l >= 0) {
				has[1] = 1;
				lastp[1] = s->l[l];
			}
			if (h >= 0 && l >= 0)
				lt = h <= l ? -1 : 1;
			else if (h >= 0 || l >= 0)
				lt = h >= 0 ? 1 : -1;
		}
		/* candles resolved by a confirmation at rows <= t */
		ds = 0;
		dn = 0;
		for (u = 0; u < t; u++) {
			for (r = u + 1; r <= t && H(r) < 0 && L(r) < 0; r++)
				;
			if (r > t)
				break;
			h = H(r);
			l = L(r);
			ds += (double)((h >= 0 && (l < 0 || h <= l) ? h : l) - u);
			dn++;
		}
		ti = type > 0 ? 0 : 1;
		if (lt == 0 || !has[ti] || dn == 0) {
			ty->warmup++;
			continue;
		}
		nd = ds / dn;
		d = (double)(piv - t);
		ty->scored++;
		ty->type_hits += f[t].type == type;
		ty->naive_type_hits += -lt == type;
		ty->price_err += fabs(f[t].price - price) / price;
		ty->naive_price_err += fabs(lastp[ti] - price) / price;
		ty->dist_err += fabs(f[t].in - d);
		ty->naive_dist_err += fabs(nd - d);
	}
#undef H
#undef L
	free(hat);
	free(lat);
	free(flags);
}

static void
agree(const struct series *s, int k, long maxpend)
{
	static const int levels[] = { 1, 3, 2 };
	struct pivscore ps;
	struct pivscore_pred *f, row[3];
	struct pivscore_tally want;
	struct pivscore_summary sum;
	struct candle c;
	char err[128];
	long n = s->n, t, pend;
	int j;

	f = malloc((n ? n : 1) * 3 * sizeof(*f));
	T_OK(f != NULL);
	for (t = 0; t < n * 3; t++) {
		f[t].type = (int)(series_rand() * 3) - 1;
		f[t].price = 90 + 20 * series_rand();
		f[t].in = (int)(series_rand() * 40) / 2.0 - 3;
	}
	memset(&c, 0, sizeof(c));
	T_EQ(pivscore_init(&ps, k, levels, 3, maxpend, err, sizeof(err)),
	    CK_OK);
	for (t = 0; t < n; t++) {
		c.high = s->h[t];
		c.low = s->l[t];
		for (j = 0; j < 3; j++)
			row[j] = f[t * 3 + j];
		T_EQ(pivscore_push(&ps, &c, row, err, sizeof(err)), CK_OK);
		for (j = 0; j < 3; j++)
			T_OK(ps.lev[j].cap <= maxpend);
	}
	for (j = 0; j < 3; j++) {
		struct pivscore_pred *fj = malloc((n ? n : 1) * sizeof(*fj));

		T_OK(fj != NULL);
		for (t = 0; t < n; t++)
			fj[t] = f[t * 3 + j];
		reference(&want, &pend, s, k, levels[j], fj, maxpend);
		T_EQ(ps.lev[j].t.scored, want.scored);
		T_EQ(ps.lev[j].t.warmup, want.warmup);
		T_EQ(ps.lev[j].t.dropped, want.dropped);
		T_EQ(ps.lev[j].npend, pend);
		T_EQ(ps.lev[j].t.type_hits, want.type_hits);
		T_EQ(ps.lev[j].t.naive_type_hits, want.naive_type_hits);
		T_NEAR(ps.lev[j].t.price_err, want.price_err, 0, 1e-12);
		T_NEAR(ps.lev[j].t.naive_price_err, want.naive_price_err, 0,
		    1e-12);
		T_NEAR(ps.lev[j].t.dist_err, want.dist_err, 0, 1e-12);
		T_NEAR(ps.lev[j].t.naive_dist_err, want.naive_dist_err, 0,
		    1e-12);
		pivscore_summary(&ps, j, &sum);
		T_EQ(sum.level, levels[j]);
		T_EQ(sum.pending, pend);
		if (want.scored > 0)
			T_NEAR(sum.type_pct, 100.0 * want.type_hits /
			    want.scored, 1e-9, 0);
		else
			T_OK(isnan(sum.type_pct));
		free(fj);
	}
	pivscore_free(&ps);
	free(f);
}

static void
test_random(void)
{
	struct series s;
	long sizes[] = { 0, 1, 9, 300, 1500 }, bounds[] = { 1, 4, 30, 100000 };
	int i, k, b;

	for (i = 0; i < 5; i++) {
		T_OK(series_random(&s, sizes[i]) == 0);
		for (k = 1; k <= 3; k++)
			for (b = 0; b < 4; b++)
				agree(&s, k, bounds[b]);
		series_free(&s);
	}
	T_OK(series_noise(&s, 800) == 0);
	agree(&s, 2, 100000);
	agree(&s, 1, 3);
	series_free(&s);
}

/* A rise of 100000 candles with a forecast each and a bound of 1000:
 * the ring never holds more than the bound, the rest is dropped. */
static void
test_bounded(void)
{
	struct pivscore ps;
	struct pivscore_pred p = { 1, 200, 5 };
	struct pivscore_summary sum;
	struct candle c;
	char err[128];
	long r, n = 100000;
	int lev = 1;

	memset(&c, 0, sizeof(c));
	T_EQ(pivscore_init(&ps, 2, &lev, 1, 1000, err, sizeof(err)), CK_OK);
	for (r = 0; r < n; r++) {
		c.high = 100 + r;
		c.low = 99 + r;
		T_EQ(pivscore_push(&ps, &c, &p, err, sizeof(err)), CK_OK);
	}
	T_EQ(ps.lev[0].cap, 1000);
	pivscore_summary(&ps, 0, &sum);
	T_EQ(sum.pending, 1000);
	T_EQ(sum.dropped, n - 1000);
	T_EQ(sum.scored + sum.warmup, 0);
	pivscore_free(&ps);
	T_EQ(pivscore_init(&ps, 2, &lev, 1, 0, err, sizeof(err)), CK_ERR);
	T_EQ(pivscore_init(&ps, 2, &lev, 0, 10, err, sizeof(err)), CK_ERR);
}

int
main(void)
{
	(void)series_load;
	T_RUN(test_random);
	T_RUN(test_bounded);
	return T_END();
}
