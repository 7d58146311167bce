/*
 * tests/unit/pivots.c - the pivot engine against hand-made series and
 * against the brute-force reference (pivots_ref) on the bundled data and on
 * random series, levels 1..5 and k 1..5.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "pivots.h"
#include "series.h"

#define DATA "tests/data/hqchart_600000sh_1m.csv.gz"

/* The streaming engine over arrays, in the reference's shape:
 * hat, lat (n, levels) the candle confirmed at each row, or -1. */
static void
stream(long *hat, long *lat, const double *h, const double *l, long n, int k,
    int levels)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	char err[128];
	long r;
	int lev;

	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, k, levels, err, sizeof(err)), CK_OK);
	for (r = 0; r < n; r++) {
		c.t = 1000 + r;
		c.high = h[r];
		c.low = l[r];
		pivots_push(&p, &c, conf);
		for (lev = 0; lev < levels; lev++) {
			hat[r * levels + lev] = conf[lev].hi.i;
			lat[r * levels + lev] = conf[lev].lo.i;
			if (conf[lev].hi.i >= 0) {
				T_EQ(conf[lev].hi.t, 1000 + conf[lev].hi.i);
				T_OK(conf[lev].hi.price == h[conf[lev].hi.i]);
			}
			if (conf[lev].lo.i >= 0) {
				T_EQ(conf[lev].lo.t, 1000 + conf[lev].lo.i);
				T_OK(conf[lev].lo.price == l[conf[lev].lo.i]);
			}
		}
	}
	pivots_free(&p);
}

/* Expected confirmations: triples {level, candle, row}, ended by level 0. */
static void
expect(const long *at, long n, int levels, const int (*want)[3])
{
	long r, count = 0, found;
	int lev, w;

	for (r = 0; r < n; r++)
		for (lev = 1; lev <= levels; lev++)
			if (at[r * levels + lev - 1] >= 0)
				count++;
	for (w = 0, found = 0; want[w][0] != 0; w++) {
		T_OK(want[w][2] < n);
		if (want[w][2] >= n)
			continue;
		T_EQ(at[want[w][2] * levels + want[w][0] - 1], want[w][1]);
		found++;
	}
	T_EQ(count, found);
}

/* Run both engines on a hand-made series and check each against want. */
static void
handmade(const double *h, const double *l, long n, int k, int levels,
    const int (*wanth)[3], const int (*wantl)[3])
{
	long hat[64 * 5], lat[64 * 5], rhat[64 * 5], rlat[64 * 5];
	unsigned flags[64];

	T_OK(n <= 64);
	stream(hat, lat, h, l, n, k, levels);
	expect(hat, n, levels, wanth);
	expect(lat, n, levels, wantl);
	T_EQ(pivots_ref(rhat, rlat, flags, h, l, n, k, levels), CK_OK);
	expect(rhat, n, levels, wanth);
	expect(rlat, n, levels, wantl);
}

static const int none[][3] = { { 0, 0, 0 } };

static void
test_flat_top(void)
{
	/* k=2: the first bar of the flat top (index 3) wins, known at row 5 */
	double h[] = { 1, 2, 3, 5, 5, 4, 3, 2, 1 };
	double l[] = { .5, 1.5, 2.5, 4.5, 4.5, 3.5, 2.5, 1.5, .5 };
	const int wh[][3] = { { 1, 3, 5 }, { 0, 0, 0 } };

	handmade(h, l, 9, 2, 2, wh, none);
}

static void
test_equal_lows(void)
{
	/* the first of two equal lows is the L; the second is not */
	double h[] = { 6, 5, 4, 4, 5, 6, 7 };
	double l[] = { 5, 4, 3, 3, 4, 5, 6 };
	const int wl[][3] = { { 1, 2, 4 }, { 0, 0, 0 } };

	handmade(h, l, 7, 2, 1, none, wl);
}

static void
test_outside_bar(void)
{
	/* k=1: candle 1 is both an H and an L, both confirmed at row 2 */
	double h[] = { 2, 3, 2, 2.5 };
	double l[] = { 1, .5, 1, 1.5 };
	const int wh[][3] = { { 1, 1, 2 }, { 0, 0, 0 } };
	const int wl[][3] = { { 1, 1, 2 }, { 0, 0, 0 } };

	handmade(h, l, 4, 1, 1, wh, wl);
}

static void
test_plateau(void)
{
	/* a plateau: only its first bar, and only if the k after are <= */
	double h[] = { 1, 2, 2, 2, 1, 1 };
	double l[] = { .5, 1, 1, 1, .5, .5 };
	const int wh1[][3] = { { 1, 1, 2 }, { 0, 0, 0 } };
	const int wl1[][3] = { { 1, 4, 5 }, { 0, 0, 0 } };

	handmade(h, l, 6, 1, 1, wh1, wl1);
	handmade(h, l, 6, 2, 1, none, none);
}

static void
test_edges(void)
{
	/* the first k and the last k candles are never confirmed */
	double h[] = { 9, 1, 2, 1, 9 };
	double l[] = { 8, .5, 1.5, .5, 8 };
	const int wh[][3] = { { 1, 2, 3 }, { 0, 0, 0 } };
	const int wl[][3] = { { 1, 1, 2 }, { 1, 3, 4 }, { 0, 0, 0 } };

	handmade(h, l, 5, 1, 1, wh, wl);
	handmade(h, l, 5, 2, 1, none, none);
}

static void
test_structure(void)
{
	/*
	 * k=1, peaks at odd candles 1..15 with highs 5 7 6 10 8 9 7 8 and
	 * valleys at 1 (lows 0.5, all equal: level-1 L only).  Level 2 H:
	 * 7@3 (known when 6@5 is, row 6), 10@7 (row 10), 9@11 (row 14).
	 * Level 3 H: 10@7 (10 > 7, >= 9), known with 9@11: row 14.
	 */
	double h[17], l[17], peak[] = { 5, 7, 6, 10, 8, 9, 7, 8 };
	const int wh[][3] = {
		{ 1, 1, 2 }, { 1, 3, 4 }, { 1, 5, 6 }, { 1, 7, 8 },
		{ 1, 9, 10 }, { 1, 11, 12 }, { 1, 13, 14 }, { 1, 15, 16 },
		{ 2, 3, 6 }, { 2, 7, 10 }, { 2, 11, 14 }, { 3, 7, 14 },
		{ 0, 0, 0 }
	};
	const int wl[][3] = {
		{ 1, 2, 3 }, { 1, 4, 5 }, { 1, 6, 7 }, { 1, 8, 9 },
		{ 1, 10, 11 }, { 1, 12, 13 }, { 1, 14, 15 }, { 0, 0, 0 }
	};
	int i;

	for (i = 0; i < 17; i++) {
		h[i] = i % 2 ? peak[i / 2] : 1;
		l[i] = i % 2 ? peak[i / 2] - .5 : .5;
	}
	handmade(h, l, 17, 1, 3, wh, wl);
}

static void
test_trend(void)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	/* a zigzag rising: higher highs and higher lows, then a lower pair */
	double h[] = { 2, 4, 3, 5, 4, 6, 5, 3, 4, 2, 3 };
	char err[128];
	enum trend seen[11];
	int i;

	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, 1, 1, err, sizeof(err)), CK_OK);
	for (i = 0; i < 11; i++) {
		c.t = i;
		c.high = h[i];
		c.low = h[i] - 1;
		pivots_push(&p, &c, conf);
		seen[i] = pivots_trend(&p, 1);
	}
	/* lows 1 3 2 4 3 5 4 2 3 1 2: H 4@1 5@3 6@5 4@8 at rows 2 4 6 9,
	 * L 2@2 3@4 2@7 1@9 at rows 3 5 8 10 */
	T_EQ(seen[3], TREND_NONE);	/* one L so far */
	T_EQ(seen[5], TREND_UP);	/* H 4,5 and L 2,3 */
	T_EQ(seen[6], TREND_UP);
	T_EQ(seen[8], TREND_SIDE);	/* L 3 then 2 while H rose */
	T_EQ(seen[10], TREND_DOWN);	/* H 6 then 4, L 2 then 1 */
	T_OK(strcmp(pivots_trendname(TREND_UP), "up") == 0);
	T_OK(strcmp(pivots_trendname(TREND_NONE), "") == 0);
	pivots_free(&p);
	T_EQ(pivots_init(&p, 0, 1, err, sizeof(err)), CK_ERR);
	T_EQ(pivots_init(&p, 2, 6, err, sizeof(err)), CK_ERR);
}

/* Stream and reference agree; pivots_mark agrees; pending is honest. */
static void
agree(const struct series *s, int k, int levels)
{
	long n = s->n, *hat, *lat, *rhat, *rlat, r, j, *last, pend;
	unsigned *flags, *mflags;
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	char err[128];
	int bad = 0;

	hat = malloc(n * levels * sizeof(long));
	lat = malloc(n * levels * sizeof(long));
	rhat = malloc(n * levels * sizeof(long));
	rlat = malloc(n * levels * sizeof(long));
	last = malloc(n * sizeof(long));
	flags = malloc(n * sizeof(unsigned));
	mflags = malloc(n * sizeof(unsigned));
	T_OK(hat && lat && rhat && rlat && last && flags && mflags);
	stream(hat, lat, s->h, s->l, n, k, levels);
	T_EQ(pivots_ref(rhat, rlat, flags, s->h, s->l, n, k, levels), CK_OK);
	for (j = 0; j < n * levels && !bad; j++)
		if (hat[j] != rhat[j] || lat[j] != rlat[j]) {
			fprintf(stderr, "k %d levels %d: row %ld level %ld: "
			    "H %ld/%ld L %ld/%ld\n", k, levels, j / levels,
			    j % levels + 1, hat[j], rhat[j], lat[j], rlat[j]);
			bad = 1;
		}
	T_OK(!bad);
	T_EQ(pivots_mark(mflags, s->h, s->l, n, k, levels, err, sizeof(err)),
	    CK_OK);
	for (j = 0; j < n; j++)
		if (flags[j] != (mflags[j] & ~PIVOT_OPENMASK))
			bad = 1;
	T_OK(!bad);

	/* last[i]: the last row confirming anything about candle i */
	for (j = 0; j < n; j++)
		last[j] = -1;
	for (j = 0; j < n * levels; j++) {
		if (rhat[j] >= 0)
			last[rhat[j]] = j / levels;
		if (rlat[j] >= 0)
			last[rlat[j]] = j / levels;
	}
	/* a candle before pivots_pending() after row r gets nothing later */
	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, k, levels, err, sizeof(err)), CK_OK);
	for (r = 0, pend = 0; r < n && !bad; r++) {
		c.high = s->h[r];
		c.low = s->l[r];
		pivots_push(&p, &c, conf);
		for (j = pend; j < pivots_pending(&p); j++)
			if (last[j] > r) {
				fprintf(stderr, "candle %ld final at row %ld, "
				    "confirmed at %ld\n", j, r, last[j]);
				bad = 1;
			}
		T_OK(pivots_pending(&p) >= pend);
		pend = pivots_pending(&p);
		T_OK(pend <= r + 1);
	}
	T_OK(!bad);
	pivots_free(&p);
	free(hat);
	free(lat);
	free(rhat);
	free(rlat);
	free(last);
	free(flags);
	free(mflags);
}

static void
test_bundled(void)
{
	struct series s;
	int k, lev;

	T_OK(series_load(&s, DATA) == 0);
	if (s.n == 0)
		return;
	T_EQ(s.n, 16080);
	for (k = 1; k <= 5; k++)
		for (lev = 1; lev <= 5; lev++)
			agree(&s, k, lev);
	series_free(&s);
}

static void
test_random(void)
{
	struct series s;
	long sizes[] = { 0, 1, 2, 7, 50, 3000 };
	int k, lev, i;

	for (i = 0; i < 6; i++) {
		T_OK(series_random(&s, sizes[i]) == 0);
		for (k = 1; k <= 5; k++)
			for (lev = 1; lev <= 5; lev++)
				agree(&s, k, lev);
		series_free(&s);
	}
	T_OK(series_noise(&s, 5000) == 0);
	for (k = 1; k <= 5; k++)
		for (lev = 1; lev <= 5; lev++)
			agree(&s, k, lev);
	series_free(&s);
}

/* The reference over a prefix gives exactly the stream's rows < m. */
static void
test_prefix(void)
{
	struct series s;
	long m, n = 400, j, *hat, *lat, *rhat, *rlat;
	unsigned flags[400];
	int bad = 0;

	T_OK(series_random(&s, n) == 0);
	hat = malloc(n * 5 * sizeof(long));
	lat = malloc(n * 5 * sizeof(long));
	rhat = malloc(n * 5 * sizeof(long));
	rlat = malloc(n * 5 * sizeof(long));
	stream(hat, lat, s.h, s.l, n, 2, 5);
	for (m = 0; m <= n && !bad; m += 7) {
		T_EQ(pivots_ref(rhat, rlat, flags, s.h, s.l, m, 2, 5), CK_OK);
		for (j = 0; j < m * 5; j++)
			if (hat[j] != rhat[j] || lat[j] != rlat[j])
				bad = 1;
	}
	T_OK(!bad);
	free(hat);
	free(lat);
	free(rhat);
	free(rlat);
	series_free(&s);
}

int
main(void)
{
	T_RUN(test_flat_top);
	T_RUN(test_equal_lows);
	T_RUN(test_outside_bar);
	T_RUN(test_plateau);
	T_RUN(test_edges);
	T_RUN(test_structure);
	T_RUN(test_trend);
	T_RUN(test_bundled);
	T_RUN(test_random);
	T_RUN(test_prefix);
	return T_END();
}
