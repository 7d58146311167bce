/*
 * resample.c - tests of lib/market/resample: a hand-computed example,
 * UTC and Monday alignment, both completions (a later bucket's candle, the
 * step reaching the end), the partial bucket, agreement with a naive
 * grouping on random series, and times at the ends of cktime's range
 * without overflow (run under UBSan by make asan).
 */
#include <stdint.h>
#include <string.h>

#include "ck.h"
#include "candle.h"
#include "resample.h"
#include "t.h"

#define MIN	(60 * CK_SEC)
#define T0	(INT64_C(1718328600) * CK_SEC)	/* 2024-06-14T01:30:00Z, a Friday */

static struct candle
cdl(cktime t, double o, double h, double l, double c, double v)
{
	struct candle x = { t, o, h, l, c, v };

	return x;
}

static int
same(const struct candle *a, const struct candle *b)
{
	return a->t == b->t && a->open == b->open && a->high == b->high &&
	    a->low == b->low && a->close == b->close && a->volume == b->volume;
}

/* The hand example of tests/sh/candle-feed.sh (resample-5m). */
static void
test_example(void)
{
	struct candle in[] = {
		cdl(T0, 10, 11, 9, 10.5, 1.5),
		cdl(T0 + MIN, 10.5, 12, 10, 11, 2.25),
		cdl(T0 + 4 * MIN, 11, 11.5, 8.5, 9, 3),
		cdl(T0 + 5 * MIN, 9, 9.5, 9, 9.25, 4),
		cdl(T0 + 6 * MIN, 9.25, 9.75, 9.125, 9.5, 0.1),
		cdl(T0 + 14 * MIN, 9.5, 10, 9.5, 10, 7),
		cdl(T0 + 16 * MIN, 10, 10, 10, 10, 0.2),
	};
	struct candle want[] = {
		cdl(T0, 10, 12, 8.5, 9, 6.75),
		cdl(T0 + 5 * MIN, 9, 9.75, 9, 9.5, 4.1),
		cdl(T0 + 10 * MIN, 9.5, 10, 9.5, 10, 7),
		cdl(T0 + 15 * MIN, 10, 10, 10, 10, 0.2),
	};
	struct resample rs;
	struct candle prev, cur, got[8];
	unsigned fl;
	int i, n = 0;

	T_EQ(resample_init(&rs, 5 * MIN), 0);
	for (i = 0; i < 7; i++) {
		fl = resample_push(&rs, &in[i], &prev, &cur);
		if (fl & RESAMPLE_PREV)
			got[n++] = prev;
		if (fl & RESAMPLE_CUR)
			got[n++] = cur;
		if (i == 0)
			T_EQ(fl, RESAMPLE_OPEN | RESAMPLE_HIGH | RESAMPLE_LOW);
		if (i == 1)
			T_EQ(fl, RESAMPLE_HIGH);
		if (i == 2)	/* 01:34 + the 1m step ends 01:30..01:35 */
			T_EQ(fl, RESAMPLE_LOW | RESAMPLE_CUR);
	}
	T_EQ(n, 3);
	T_EQ(resample_partial(&rs, &got[n]), 1);
	n++;
	T_EQ(resample_partial(&rs, &got[n]), 0);
	for (i = 0; i < 4; i++)
		T_OK(same(&got[i], &want[i]));
}

static void
test_align(void)
{
	struct resample rs;

	T_EQ(resample_init(&rs, 7 * 86400 * CK_SEC), 0);
	/* the Monday before 2024-06-14 is 2024-06-10 */
	T_EQ(resample_bucket(&rs, T0), INT64_C(1717977600) * CK_SEC);
	T_EQ(resample_bucket(&rs, 0), -3 * 86400 * CK_SEC);	/* 1969-12-29 */
	T_EQ(resample_bucket(&rs, -1), -3 * 86400 * CK_SEC);
	T_EQ(resample_init(&rs, 86400 * CK_SEC), 0);
	T_EQ(resample_bucket(&rs, -1), -86400 * CK_SEC);
	T_EQ(resample_bucket(&rs, T0), INT64_C(1718323200) * CK_SEC);
	T_EQ(resample_init(&rs, 0), -1);
	T_EQ(resample_init(&rs, 521 * 7 * 86400 * CK_SEC), -1);
}

static uint64_t rnd = 88172645463325252ULL;

static uint64_t
next(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* Random gappy series against grouping by floor(t / d) after the fact
 * (each starts with a 1-minute step, so no bucket ends early on a step
 * not yet seen). */
static void
test_random(void)
{
	static struct candle in[2000], ref[2000], got[2000];
	struct resample rs;
	struct candle prev, cur;
	cktime t = -50 * MIN, d;
	int i, k, n, nref, trial;
	unsigned fl;

	for (trial = 0; trial < 20; trial++) {
		d = (cktime)(1 + next() % 30) * MIN;
		for (i = 0; i < 2000; i++) {
			t += (cktime)(1 + (i > 1 && next() % 8 == 0 ?
			    next() % 50 : 0)) * MIN;
			in[i] = cdl(t, 10 + next() % 5, 20, 1, 10, next() % 7);
		}
		/* the reference: every bucket, complete or not */
		nref = 0;
		for (i = 0; i < 2000; i++) {
			cktime b = in[i].t / d * d - (in[i].t % d < 0 ? d : 0);

			if (nref > 0 && ref[nref - 1].t == b) {
				ref[nref - 1].close = in[i].close;
				ref[nref - 1].volume += in[i].volume;
			} else {
				ref[nref] = in[i];
				ref[nref++].t = b;
			}
		}
		T_EQ(resample_init(&rs, d), 0);
		for (i = 0, n = 0; i < 2000; i++) {
			fl = resample_push(&rs, &in[i], &prev, &cur);
			if (fl & RESAMPLE_PREV)
				got[n++] = prev;
			if (fl & RESAMPLE_CUR)
				got[n++] = cur;
		}
		if (resample_partial(&rs, &got[n]))
			n++;
		T_EQ(n, nref);
		for (k = 0; k < n && k < nref; k++)
			if (!same(&got[k], &ref[k])) {
				T_OK(0);
				break;
			}
	}
}

/* Candles at the very ends of cktime: no overflow, buckets in order. */
static void
test_ends(void)
{
	static const cktime d[] = { 1, MIN, 86400 * CK_SEC,
	    7 * 86400 * CK_SEC, 520 * 7 * 86400 * CK_SEC };
	struct resample rs;
	struct candle c, prev, cur;
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		T_EQ(resample_init(&rs, d[i]), 0);
		c = cdl(INT64_MIN + 1, 1, 1, 1, 1, 1);
		T_OK(resample_bucket(&rs, c.t) <= c.t);
		resample_push(&rs, &c, &prev, &cur);
		c.t = INT64_MIN + 2;
		resample_push(&rs, &c, &prev, &cur);
		c.t = INT64_MAX - 1;
		T_OK(resample_bucket(&rs, c.t) <= c.t);
		T_OK(resample_bucket(&rs, c.t) > c.t - d[i]);
		resample_push(&rs, &c, &prev, &cur);
		c.t = INT64_MAX;
		resample_push(&rs, &c, &prev, &cur);
		if (resample_partial(&rs, &cur))
			T_OK(cur.t <= INT64_MAX && cur.t > INT64_MAX - d[i] - 1);
	}
}

/*
 * A bucket given as complete early (its last candle's time plus the step
 * reached its end) is never given twice: a later candle in it, once the
 * step has shrunk, is refused and changes nothing (found by fuzz_engines:
 * 00:00, 01:00, 01:30 at 1h gave two 01:00 buckets).
 */
static void
test_late(void)
{
	struct resample rs;
	struct candle c, prev, cur;
	unsigned fl;

	T_EQ(resample_init(&rs, 60 * MIN), 0);
	c = cdl(0, 1, 1, 1, 1, 1);
	T_EQ(resample_push(&rs, &c, &prev, &cur) & RESAMPLE_CUR, 0);
	c = cdl(60 * MIN, 2, 2, 2, 2, 2);
	fl = resample_push(&rs, &c, &prev, &cur);
	T_OK((fl & RESAMPLE_PREV) && prev.t == 0);
	T_OK((fl & RESAMPLE_CUR) && cur.t == 60 * MIN && cur.close == 2);
	c = cdl(90 * MIN, 3, 3, 3, 3, 3);
	T_EQ(resample_push(&rs, &c, &prev, &cur), RESAMPLE_LATE);
	T_EQ(resample_count(&rs), 0);
	T_EQ(resample_partial(&rs, &cur), 0);
	/* the next bucket goes on as if the refused candle never came
	 * (the step is still an hour, so 02:00 ends its bucket) */
	c = cdl(120 * MIN, 4, 4, 4, 4, 4);
	fl = resample_push(&rs, &c, &prev, &cur);
	T_OK((fl & RESAMPLE_OPEN) && !(fl & (RESAMPLE_LATE | RESAMPLE_PREV)));
	T_OK((fl & RESAMPLE_CUR) && cur.t == 120 * MIN && cur.open == 4);
}

int
main(void)
{
	T_RUN(test_example);
	T_RUN(test_align);
	T_RUN(test_random);
	T_RUN(test_ends);
	T_RUN(test_late);
	return T_END();
}
