/*
 * tests/unit/labels.c - the label rules, and the streaming labeler against
 * the batch computation, candle by candle, on the bundled data.
 */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "labels.h"
#include "pivots.h"
#include "series.h"

#define DATA "tests/data/hqchart_600000sh_1m.csv.gz"

static void
test_rules(void)
{
	T_EQ(label_pivot(0, 1), ACTION_BUY);
	T_EQ(label_pivot(1, 0), ACTION_SELL);
	T_EQ(label_pivot(1, 1), ACTION_NONE);
	T_EQ(label_pivot(0, 0), ACTION_NONE);
	T_EQ(label_move(100, 100.06, LABELS_THRESHOLD), ACTION_BUY);
	T_EQ(label_move(100, 99.94, LABELS_THRESHOLD), ACTION_SELL);
	T_EQ(label_move(100, 100.04, LABELS_THRESHOLD), ACTION_HOLD);
	T_EQ(label_move(100, 100, LABELS_THRESHOLD), ACTION_HOLD);
	T_EQ(label_move(100, 100.04, 0), ACTION_BUY);
	T_EQ(label_move(8, 8.01, LABELS_THRESHOLD), ACTION_BUY);	/* 0.125% */
	/* a pivot of one kind wins over the move; a both-candle does not */
	T_EQ(label_every(1, 0, 100, 101, LABELS_THRESHOLD), ACTION_SELL);
	T_EQ(label_every(0, 1, 100, 99, LABELS_THRESHOLD), ACTION_BUY);
	T_EQ(label_every(1, 1, 100, 99, LABELS_THRESHOLD), ACTION_SELL);
	T_EQ(label_every(1, 1, 100, 100, LABELS_THRESHOLD), ACTION_HOLD);
	T_OK(strcmp(action_name(ACTION_BUY), "BUY") == 0);
	T_OK(strcmp(action_name(ACTION_NONE), "") == 0);
	T_EQ(action_parse("SELL", 4), ACTION_SELL);
	T_EQ(action_parse("HOLD", 4), ACTION_HOLD);
	T_EQ(action_parse("BUY", 3), ACTION_BUY);
	T_EQ(action_parse("buy", 3), ACTION_BUY);
	T_EQ(action_parse("BUYS", 4), -1);
}

static void
test_batch(void)
{
	/* k=1: H at 1 and 5, L at 3, an outside bar at 7 */
	double h[] = { 1, 3, 2, 1.5, 2, 4, 2, 5, 3, 3 };
	double l[] = { .5, 2, 1, .2, 1, 3, 1, .1, 2, 2 };
	double c[] = { 1, 2, 2, 1, 1.5, 3.5, 1.5, 1.5, 2.5, 2.5 };
	signed char piv[10], every[10];
	unsigned flags[10];
	char err[128];
	const signed char wpiv[] = { -1, 2, -1, 1, -1, 2, -1, -1, -1, -1 };
	/* 0: move 1->2 BUY; 2: 2->1 SELL; 4: BUY; 6: flat HOLD; 7: both,
	 * move 1.5->2.5 BUY; 8: 2.5->2.5 HOLD; 9: undecided */
	const signed char wevery[] = { 1, 2, 2, 1, 1, 2, 0, 1, 0, -1 };
	int i;

	T_EQ(pivots_mark(flags, h, l, 10, 1, 1, err, sizeof(err)), CK_OK);
	T_EQ(flags[7], PIVOT_H(1) | PIVOT_L(1));
	labels_pivots(piv, flags, 10, 1);
	labels_every(every, flags, c, 10, 1, LABELS_THRESHOLD);
	for (i = 0; i < 10; i++) {
		T_EQ(piv[i], wpiv[i]);
		T_EQ(every[i], wevery[i]);
	}
	labels_every(every, flags, c, 10, 3, LABELS_THRESHOLD);
	T_EQ(every[6], ACTION_HOLD);
	T_EQ(every[7], ACTION_NONE);
}

/* Stream the series through pivots and the labeler; compare with batch. */
static void
agree(const struct series *s, int k, double threshold)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct labeler lb;
	struct candle c;
	signed char *batch, *seen;
	unsigned *flags;
	char err[128];
	long r, decided = 0, bad = 0;
	cktime lt;
	int label, st;

	batch = malloc(s->n + 1);
	seen = malloc(s->n + 1);
	flags = malloc((s->n + 1) * sizeof(*flags));
	T_OK(batch && seen && flags);
	T_EQ(pivots_mark(flags, s->h, s->l, s->n, k, 1, err, sizeof(err)), CK_OK);
	labels_every(batch, flags, s->c, s->n, k, threshold);
	memset(seen, ACTION_NONE, s->n + 1);
	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, k, 1, err, sizeof(err)), CK_OK);
	T_EQ(labeler_init(&lb, k, threshold, err, sizeof(err)), CK_OK);
	for (r = 0; r < s->n; r++) {
		c.t = 60 * CK_SEC * (r + 1);
		c.high = s->h[r];
		c.low = s->l[r];
		c.close = s->c[r];
		pivots_push(&p, &c, conf);
		st = labeler_push(&lb, c.t, c.close, conf[0].hi.t, conf[0].lo.t,
		    &lt, &label, err, sizeof(err));
		T_EQ(st, r >= k);
		if (st == 1) {
			T_EQ(lt, 60 * CK_SEC * (r - k + 1));
			seen[r - k] = label;
			decided++;
		}
	}
	T_EQ(decided, s->n > k ? s->n - k : 0);
	for (r = 0; r < s->n; r++)
		if (seen[r] != batch[r])
			bad++;
	T_EQ(bad, 0);
	pivots_free(&p);
	labeler_free(&lb);
	free(batch);
	free(seen);
	free(flags);
}

static void
test_bundled(void)
{
	struct series s;
	long count[3] = { 0, 0, 0 }, t;
	signed char *lab;
	unsigned *flags;
	char err[128];
	int k;

	T_OK(series_load(&s, DATA) == 0);
	if (s.n == 0)
		return;
	for (k = 1; k <= 5; k++)
		agree(&s, k, LABELS_THRESHOLD);
	agree(&s, 2, 0);
	agree(&s, 2, 0.01);
	/* the real data gives all three labels */
	lab = malloc(s.n);
	flags = malloc(s.n * sizeof(*flags));
	T_EQ(pivots_mark(flags, s.h, s.l, s.n, 2, 1, err, sizeof(err)), CK_OK);
	labels_every(lab, flags, s.c, s.n, 2, LABELS_THRESHOLD);
	for (t = 0; t < s.n - 2; t++)
		count[lab[t]]++;
	T_OK(count[ACTION_HOLD] > 0 && count[ACTION_BUY] > 0 &&
	    count[ACTION_SELL] > 0);
	free(lab);
	free(flags);
	series_free(&s);
}

static void
test_random(void)
{
	struct series s;
	long sizes[] = { 0, 1, 3, 2000 };
	int i, k;

	for (i = 0; i < 4; i++) {
		T_OK(series_random(&s, sizes[i]) == 0);
		for (k = 1; k <= 5; k++)
			agree(&s, k, 0.01);
		series_free(&s);
	}
}

/*
 * Streaming pivot labels of a level against labels_pivots, candle by
 * candle; returns the number of candles that are both an H and an L at
 * that level (none of which may be labelled).
 */
static long
agree_pivots(const struct series *s, int k, int level)
{
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct pivlabeler pl;
	struct candle c;
	signed char *batch, *seen;
	unsigned *flags;
	cktime hi[PIVOTS_MAXLEVEL], lo[PIVOTS_MAXLEVEL], t[PIVLABELER_OUT];
	char err[128];
	long r, bad = 0, both = 0, i;
	int label[PIVLABELER_OUT], m, j, got;

	batch = malloc(s->n + 1);
	seen = malloc(s->n + 1);
	flags = malloc((s->n + 1) * sizeof(*flags));
	T_OK(batch && seen && flags);
	T_EQ(pivots_mark(flags, s->h, s->l, s->n, k, level, err, sizeof(err)),
	    CK_OK);
	labels_pivots(batch, flags, s->n, level);
	memset(seen, ACTION_NONE, s->n + 1);
	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, k, level, err, sizeof(err)), CK_OK);
	T_EQ(pivlabeler_init(&pl, level, err, sizeof(err)), CK_OK);
	for (r = 0; r < s->n; r++) {
		c.t = 1000 + r;
		c.high = s->h[r];
		c.low = s->l[r];
		pivots_push(&p, &c, conf);
		for (m = 0; m < level; m++) {
			hi[m] = conf[m].hi.t;
			lo[m] = conf[m].lo.t;
		}
		got = pivlabeler_push(&pl, hi, lo, t, label);
		for (j = 0; j < got; j++) {
			i = t[j] - 1000;
			T_OK(i >= 0 && i < r && seen[i] == ACTION_NONE);
			if (i >= 0 && i < r)
				seen[i] = label[j];
		}
	}
	for (r = 0; r < s->n; r++) {
		if (seen[r] != batch[r]) {
			fprintf(stderr, "k %d level %d candle %ld: stream %d "
			    "batch %d flags %x\n", k, level, r, seen[r],
			    batch[r], flags[r]);
			bad++;
		}
		if ((flags[r] & PIVOT_H(level)) && (flags[r] & PIVOT_L(level)))
			both++;
	}
	T_EQ(bad, 0);
	pivots_free(&p);
	free(batch);
	free(seen);
	free(flags);
	return both;
}

static void
test_pivot_stream(void)
{
	struct series s;
	long both[PIVOTS_MAXLEVEL + 1] = { 0 };
	char err[128];
	struct pivlabeler pl;
	int k, lev;

	T_OK(series_load(&s, DATA) == 0);
	for (k = 1; k <= 5; k++)
		for (lev = 1; lev <= 5; lev++)
			agree_pivots(&s, k, lev);
	series_free(&s);
	T_OK(series_random(&s, 20000) == 0);
	for (k = 1; k <= 5; k++)
		for (lev = 1; lev <= 5; lev++)
			agree_pivots(&s, k, lev);
	series_free(&s);
	T_OK(series_noise(&s, 50000) == 0);
	for (k = 1; k <= 5; k++)
		for (lev = 1; lev <= 5; lev++)
			both[lev] += agree_pivots(&s, k, lev);
	series_free(&s);
	/* the case the delayed decision is for does occur */
	T_OK(both[1] > 0 && both[2] > 0 && both[3] > 0);
	T_EQ(pivlabeler_init(&pl, 6, err, sizeof(err)), CK_ERR);
}

static void
test_mismatch(void)
{
	/* pivots with k=2 upstream, a labeler told k=3: an error, not labels */
	struct series s;
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct labeler lb;
	struct candle c;
	char err[128];
	cktime lt;
	long r;
	int label, st = 0;

	T_OK(series_random(&s, 200) == 0);
	memset(&c, 0, sizeof(c));
	T_EQ(pivots_init(&p, 2, 1, err, sizeof(err)), CK_OK);
	T_EQ(labeler_init(&lb, 3, LABELS_THRESHOLD, err, sizeof(err)), CK_OK);
	for (r = 0; r < s.n && st >= 0; r++) {
		c.t = r;
		c.high = s.h[r];
		c.low = s.l[r];
		c.close = s.c[r];
		pivots_push(&p, &c, conf);
		st = labeler_push(&lb, c.t, c.close, conf[0].hi.t, conf[0].lo.t,
		    &lt, &label, err, sizeof(err));
	}
	T_EQ(st, CK_EDATA);
	T_OK(strstr(err, "-k") != NULL);
	labeler_free(&lb);
	T_EQ(labeler_init(&lb, 0, LABELS_THRESHOLD, err, sizeof(err)), CK_ERR);
	pivots_free(&p);
	series_free(&s);
}

int
main(void)
{
	T_RUN(test_rules);
	T_RUN(test_batch);
	T_RUN(test_bundled);
	T_RUN(test_random);
	T_RUN(test_pivot_stream);
	T_RUN(test_mismatch);
	return T_END();
}
