/*
 * tests/unit/nextpiv.c - the next-pivot targets against a brute-force
 * reference (for each candle, scan the rows after it for the first
 * confirmation of the level, over pivots_ref) on random series, the
 * bundled data and hand-made cases; the tie rule; the state's bound.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "nextpiv.h"
#include "series.h"

#define DATA "tests/data/hqchart_600000sh_1m.csv.gz"

/* One candle's target: pivot -1 when unresolved. */
struct tgt {
	int	type;
	double	price;
	long	pivot;
};

/*
 * The reference: want (n, nlev) from the definition over the first m
 * candles (m <= n; the rest left unresolved).  ties (may be NULL) counts
 * rows confirming an H and an L of one level at different candles.
 */
static void
reference(struct tgt *want, const struct series *s, long m, int k,
    const int *levels, int nlev, long *ties)
{
	long *hat, *lat, t, r, h, l;
	unsigned *flags;
	int j, top = 1;

	for (j = 0; j < nlev; j++)
		if (levels[j] > top)
			top = levels[j];
	hat = malloc((m ? m : 1) * top * sizeof(long));
	lat = malloc((m ? m : 1) * top * sizeof(long));
	flags = malloc((m ? m : 1) * sizeof(unsigned));
	T_OK(hat && lat && flags);
	T_EQ(pivots_ref(hat, lat, flags, s->h, s->l, m, k, top), CK_OK);
	for (t = 0; t < s->n * nlev; t++)
		want[t].pivot = -1;
	for (j = 0; j < nlev; j++) {
		for (t = 0; t < m; t++)
			for (r = t + 1; r < m; r++) {
				h = hat[r * top + levels[j] - 1];
				l = lat[r * top + levels[j] - 1];
				if (h < 0 && l < 0)
					continue;
				if (h >= 0 && (l < 0 || h <= l)) {
					want[t * nlev + j].type = 1;
					want[t * nlev + j].price = s->h[h];
					want[t * nlev + j].pivot = h;
				} else {
					want[t * nlev + j].type = -1;
					want[t * nlev + j].price = s->l[l];
					want[t * nlev + j].pivot = l;
				}
				break;
			}
		if (ties)
			for (r = 0; r < m; r++) {
				h = hat[r * top + levels[j] - 1];
				l = lat[r * top + levels[j] - 1];
				if (h >= 0 && l >= 0 && h != l)
					ties[h < l ? 0 : 1]++;
			}
	}
	free(hat);
	free(lat);
	free(flags);
}

/*
 * The stream: got (n, nlev) as the reference, and lo (nlev) the first
 * unresolved candle after each row (lo_at (n, nlev), may be NULL).
 * Checks that each push resolves exactly the range left unresolved.
 */
static void
stream(struct tgt *got, long *lo_at, const struct series *s, int k,
    const int *levels, int nlev)
{
	struct nextpiv np;
	struct nextpiv_target out[PIVOTS_MAXLEVEL];
	struct candle c;
	char err[128];
	long r, t, first[PIVOTS_MAXLEVEL];
	unsigned mask;
	int j;

	memset(&c, 0, sizeof(c));
	T_EQ(nextpiv_init(&np, k, levels, nlev, err, sizeof(err)), CK_OK);
	for (j = 0; j < nlev; j++)
		first[j] = 0;
	for (t = 0; t < s->n * nlev; t++)
		got[t].pivot = -1;
	for (r = 0; r < s->n; r++) {
		c.t = r;
		c.high = s->h[r];
		c.low = s->l[r];
		T_EQ(np.p.n, r);
		mask = nextpiv_push(&np, &c, out);
		T_OK((mask >> nlev) == 0);
		for (j = 0; j < nlev; j++) {
			if (!(mask & (1u << j))) {
				T_EQ(np.lo[j], first[j]);
				continue;
			}
			T_EQ(out[j].from, first[j]);
			T_OK(out[j].from < r);
			T_OK(out[j].type == 1 || out[j].type == -1);
			T_OK(out[j].pivot >= 0 && out[j].pivot < r);
			for (t = out[j].from; t < r; t++) {
				got[t * nlev + j].type = out[j].type;
				got[t * nlev + j].price = out[j].price;
				got[t * nlev + j].pivot = out[j].pivot;
			}
			first[j] = r;
			T_EQ(np.lo[j], r);
		}
		if (lo_at)
			for (j = 0; j < nlev; j++)
				lo_at[r * nlev + j] = np.lo[j];
	}
	nextpiv_free(&np);
}

/* 0 when a and b (n, nlev) agree, else 1 with the first difference. */
static int
differ(const struct tgt *a, const struct tgt *b, long n, int nlev,
    const char *what)
{
	long t;

	for (t = 0; t < n * nlev; t++) {
		if (a[t].pivot == b[t].pivot && (a[t].pivot < 0 ||
		    (a[t].type == b[t].type && a[t].price == b[t].price)))
			continue;
		fprintf(stderr, "%s: candle %ld level #%ld: pivot %ld type %d "
		    "vs pivot %ld type %d\n", what, t / nlev, t % nlev,
		    a[t].pivot, a[t].type, b[t].pivot, b[t].type);
		return 1;
	}
	return 0;
}

static const int levelsets[][PIVOTS_MAXLEVEL + 1] = {
	/* count, then the levels */
	{ 1, 1 }, { 1, 2 }, { 1, 5 }, { 2, 1, 2 }, { 3, 5, 1, 3 },
	{ 5, 1, 2, 3, 4, 5 }
};
#define NSETS (int)(sizeof(levelsets) / sizeof(levelsets[0]))

static void
agree(const struct series *s, int k, long *ties)
{
	struct tgt *want, *got;
	int i;

	want = malloc((s->n ? s->n : 1) * PIVOTS_MAXLEVEL * sizeof(*want));
	got = malloc((s->n ? s->n : 1) * PIVOTS_MAXLEVEL * sizeof(*got));
	T_OK(want && got);
	for (i = 0; i < NSETS; i++) {
		reference(want, s, s->n, k, levelsets[i] + 1, levelsets[i][0],
		    ties);
		stream(got, NULL, s, k, levelsets[i] + 1, levelsets[i][0]);
		T_OK(!differ(got, want, s->n, levelsets[i][0], "random"));
	}
	free(want);
	free(got);
}

static void
test_random(void)
{
	struct series s;
	long sizes[] = { 0, 1, 2, 7, 50, 2000 }, ties[2] = { 0, 0 };
	int k, i;

	for (i = 0; i < 6; i++) {
		T_OK(series_random(&s, sizes[i]) == 0);
		for (k = 1; k <= 4; k++)
			agree(&s, k, ties);
		series_free(&s);
	}
	T_OK(series_noise(&s, 2000) == 0);
	for (k = 1; k <= 4; k++)
		agree(&s, k, ties);
	series_free(&s);
	/* the tie rule was exercised both ways (H earlier, L earlier) */
	T_OK(ties[0] > 0);
	T_OK(ties[1] > 0);
}

static void
test_bundled(void)
{
	struct series s, part;
	long ties[2] = { 0, 0 };

	T_OK(series_load(&s, DATA) == 0);
	if (s.n == 0)
		return;
	/* the brute force is quadratic where pivots are rare: a slice */
	part = s;
	part.n = 4000;
	agree(&part, 2, ties);
	agree(&part, 3, ties);
	series_free(&s);
}

/* Hand-made: the outside bar (an H and an L at one candle) is an H. */
static void
test_outside_bar(void)
{
	/* k=1: candle 1 is both an H and an L, confirmed at row 2 */
	struct series s = { 0, NULL, NULL, NULL };
	struct tgt got[5], want[5];
	double h[] = { 2, 3, 2, 2.5, 1 };
	double l[] = { 1, .5, 1, 1.5, .2 };
	int lev = 1;

	s.n = 5;
	s.h = h;
	s.l = l;
	stream(got, NULL, &s, 1, &lev, 1);
	/* candles 0, 1: the H at 1 (price 3), confirmed at row 2 */
	T_EQ(got[0].pivot, 1);
	T_EQ(got[0].type, 1);
	T_OK(got[0].price == 3);
	T_EQ(got[1].pivot, 1);
	T_EQ(got[1].type, 1);
	/* candles 2: the H at 3 (2.5 > 2, >= 1), confirmed at row 4 */
	T_EQ(got[2].pivot, 3);
	T_EQ(got[2].type, 1);
	T_EQ(got[3].pivot, 3);
	/* candle 4: nothing confirmed after it */
	T_EQ(got[4].pivot, -1);
	reference(want, &s, 5, 1, &lev, 1, NULL);
	T_OK(!differ(got, want, 5, 1, "outside bar"));
}

/* A candle's target is known from the rows up to its confirmation: the
 * reference over every prefix agrees with the stream's rows so far, and
 * what the prefix leaves unresolved is exactly lo .. m-1. */
static void
test_prefix(void)
{
	struct series s;
	struct tgt *full, *want;
	long *lo_at, m, t, n = 300;
	const int levels[] = { 1, 2, 3 };
	int j, bad = 0;

	T_OK(series_random(&s, n) == 0);
	full = malloc(n * 3 * sizeof(*full));
	want = malloc(n * 3 * sizeof(*want));
	lo_at = malloc(n * 3 * sizeof(*lo_at));
	T_OK(full && want && lo_at);
	stream(full, lo_at, &s, 2, levels, 3);
	for (m = 1; m <= n && !bad; m += 3) {
		reference(want, &s, m, 2, levels, 3, NULL);
		for (j = 0; j < 3; j++)
			for (t = 0; t < m; t++) {
				if (t < lo_at[(m - 1) * 3 + j]) {
					if (want[t * 3 + j].pivot !=
					    full[t * 3 + j].pivot)
						bad = 1;
				} else if (want[t * 3 + j].pivot != -1)
					bad = 1;
			}
	}
	T_OK(!bad);
	free(full);
	free(want);
	free(lo_at);
	series_free(&s);
}

/*
 * Bounded state: a rise of a million candles has no pivot; the drop after
 * it confirms the H at its top, which resolves all of them in one push,
 * with nothing kept per candle (the engine's ring stays 2k+1 wide).
 */
static void
test_bounded(void)
{
	struct nextpiv np;
	struct nextpiv_target out[1];
	struct candle c;
	char err[128];
	long r, n = 1000000;
	unsigned mask = 0;
	int lev = 1, cap;

	memset(&c, 0, sizeof(c));
	T_EQ(nextpiv_init(&np, 3, &lev, 1, err, sizeof(err)), CK_OK);
	cap = np.p.cap;
	T_EQ(cap, 8);
	for (r = 0; r < n; r++) {
		c.high = 100 + r;
		c.low = 99 + r;
		mask |= nextpiv_push(&np, &c, out);
	}
	T_EQ(mask, 0);
	T_EQ(np.lo[0], 0);
	for (r = 1; r <= 3; r++) {
		c.high = 100 + n - 1 - r;
		c.low = c.high - 1;
		mask = nextpiv_push(&np, &c, out);
		T_EQ(mask, r == 3);
	}
	T_EQ(out[0].from, 0);
	T_EQ(out[0].type, 1);
	T_EQ(out[0].pivot, n - 1);
	T_OK(out[0].price == 100 + n - 1);
	T_EQ(np.lo[0], n + 2);
	T_EQ(np.p.cap, cap);
	nextpiv_free(&np);
}

static void
test_init(void)
{
	struct nextpiv np;
	char err[128];
	const int ok[] = { 2, 1 }, bad0[] = { 0 }, bad6[] = { 1, 6 };

	T_EQ(nextpiv_init(&np, 2, ok, 2, err, sizeof(err)), CK_OK);
	T_EQ(np.p.levels, 2);
	T_EQ(np.nlev, 2);
	nextpiv_free(&np);
	T_EQ(nextpiv_init(&np, 2, ok, 0, err, sizeof(err)), CK_ERR);
	T_EQ(nextpiv_init(&np, 2, ok, 6, err, sizeof(err)), CK_ERR);
	T_EQ(nextpiv_init(&np, 2, bad0, 1, err, sizeof(err)), CK_ERR);
	T_OK(strstr(err, "level 0") != NULL);
	T_EQ(nextpiv_init(&np, 2, bad6, 2, err, sizeof(err)), CK_ERR);
	T_EQ(nextpiv_init(&np, 0, ok, 2, err, sizeof(err)), CK_ERR);
	T_OK(strstr(err, "strength") != NULL);
}

int
main(void)
{
	T_RUN(test_init);
	T_RUN(test_outside_bar);
	T_RUN(test_random);
	T_RUN(test_bundled);
	T_RUN(test_prefix);
	T_RUN(test_bounded);
	return T_END();
}
