/*
 * history.c - the candle history: a bounded history keeps exactly the
 * last `keep` candles of an unbounded one, whatever the number pushed,
 * and numbers, finds and indexes them the same way.
 */
#include <stdlib.h>

#include "history.h"
#include "t.h"

static void
candle_at(struct candle *c, long i)
{
	c->t = (1000 + 60 * i) * CK_SEC;
	c->open = 100 + (double)(i % 7);
	c->close = 100 + (double)(i * 3 % 11);
	c->high = (c->open > c->close ? c->open : c->close) + 0.5;
	c->low = (c->open < c->close ? c->open : c->close) - 0.5;
	c->volume = 10 + (double)i;
}

static void
test_bounded(void)
{
	static const long keeps[] = { 1, 2, 3, 8, 33 };
	struct history all, b;
	struct candle c;
	size_t k;
	long i, n, j, ja, jb;

	for (k = 0; k < sizeof(keeps) / sizeof(keeps[0]); k++) {
		history_init(&all, 0);
		history_init(&b, keeps[k]);
		for (n = 0; n < 200; n++) {
			candle_at(&c, n);
			T_OK(history_push(&all, &c) == 0);
			T_OK(history_push(&b, &c) == 0);
			T_EQ(b.n, n + 1);
			/* exactly the last keep candles are kept */
			for (i = 0; i <= n; i++) {
				jb = history_index(&b, i);
				if (i < n + 1 - keeps[k]) {
					T_EQ(jb, -1);
					T_EQ(history_time(&b, i), CKTIME_NONE);
					continue;
				}
				ja = history_index(&all, i);
				T_EQ(ja, i);
				T_OK(jb >= 0);
				if (jb < 0)
					continue;
				T_EQ(b.t[jb], all.t[ja]);
				T_OK(b.o[jb] == all.o[ja] && b.h[jb] == all.h[ja] &&
				    b.l[jb] == all.l[ja] && b.c[jb] == all.c[ja] &&
				    b.v[jb] == all.v[ja]);
				T_EQ(history_find(&b, all.t[ja]), i);
			}
			/* kept candles are contiguous: a window is a slice */
			j = history_index(&b, n);
			T_EQ(j - history_index(&b, b.first), n - b.first);
			T_EQ(history_find(&b, 7), -1);
		}
		history_free(&all);
		history_free(&b);
	}
}

int
main(void)
{
	T_RUN(test_bounded);
	return T_END();
}
