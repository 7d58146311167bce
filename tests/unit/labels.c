/*
 * tests/unit/labels.c - the label rules, and the streaming labeler against
 * the batch computation, candle by candle, on the bundled data.
 */
#include <math.h>
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
	T_OK(strstr(err, "strength") != NULL);
	labeler_free(&lb);
	T_EQ(labeler_init(&lb, 0, LABELS_THRESHOLD, err, sizeof(err)), CK_ERR);
	pivots_free(&p);
	series_free(&s);
}

/*
 * Pivot labels with HOLD, one candle at a time: every label is given at
 * the push where the candle became final (pivots_decided), never before;
 * a HOLD never earlier than k candles after its candle; BUY and SELL are
 * the batch pivot labels; every candle decided gets a label (or is a
 * both-candle); a prefix of the stream gives a prefix of the labels.
 */
static void
hold_stream(const struct series *s, int k, int level)
{
	struct pivstream ps;
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	signed char *piv;
	unsigned *flags;
	int *lab, *lab2, ol[PIVSTREAM_OUT], j, m;
	long *at, *at2, oi[PIVSTREAM_OUT], r, i, bad = 0, early = 0, missing = 0;
	long cut = s->n / 3;
	cktime ot[PIVSTREAM_OUT];
	char err[128];

	piv = malloc(s->n + 1);
	flags = malloc((s->n + 1) * sizeof(*flags));
	lab = malloc((s->n + 1) * sizeof(int));
	lab2 = malloc((s->n + 1) * sizeof(int));
	at = malloc((s->n + 1) * sizeof(long));
	at2 = malloc((s->n + 1) * sizeof(long));
	T_EQ(pivots_mark(flags, s->h, s->l, s->n, k, level, err, sizeof(err)),
	    CK_OK);
	labels_pivots(piv, flags, s->n, level);
	T_EQ(pivstream_init(&ps, k, level, 1, err, sizeof(err)), CK_OK);
	T_EQ(pivots_init(&p, k, level, err, sizeof(err)), CK_OK);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < s->n; i++) {
		lab[i] = ACTION_NONE;
		at[i] = -1;
	}
	for (r = 0; r < s->n; r++) {
		c.t = 60 * CK_SEC * (r + 1);
		c.high = s->h[r];
		c.low = s->l[r];
		pivots_push(&p, &c, conf);	/* a second engine, as a witness */
		m = pivstream_push(&ps, &c, oi, ot, ol);
		for (j = 0; j < m; j++) {
			i = oi[j];
			T_OK(j == 0 || oi[j - 1] < i);
			T_EQ(ot[j], 60 * CK_SEC * (i + 1));
			if (at[i] != -1 || !pivots_decided(&p, i))
				early++;
			if (ol[j] == ACTION_HOLD && r < i + k)
				early++;
			lab[i] = ol[j];
			at[i] = r;
		}
		/* every decided candle has its label by now */
		if (r >= k && pivots_decided(&p, r - k) && at[r - k] == -1 &&
		    !((flags[r - k] & PIVOT_H(level)) &&
		    (flags[r - k] & PIVOT_L(level))))
			missing++;
	}
	T_EQ(early, 0);
	T_EQ(missing, 0);
	for (i = 0; i < s->n; i++) {
		if (piv[i] != ACTION_NONE && lab[i] != piv[i])
			bad++;
		if (lab[i] == ACTION_HOLD && (flags[i] & (PIVOT_H(level) |
		    PIVOT_L(level))))
			bad++;
	}
	T_EQ(bad, 0);
	/* batch over the whole series: the same labels and rows */
	T_EQ(labels_pivots_final(lab2, at2, s->h, s->l, s->n, k, level,
	    1, err, sizeof(err)), CK_OK);
	for (i = 0, bad = 0; i < s->n; i++)
		if (lab2[i] != lab[i] || (lab[i] != ACTION_NONE && at2[i] != at[i]))
			bad++;
	T_EQ(bad, 0);
	/* the prefix property: a prefix of the candles, a prefix of labels */
	T_EQ(labels_pivots_final(lab2, at2, s->h, s->l, cut, k, level,
	    1, err, sizeof(err)), CK_OK);
	for (i = 0, bad = 0; i < cut; i++)
		if (lab[i] != ACTION_NONE && at[i] < cut ? lab2[i] != lab[i] ||
		    at2[i] != at[i] : lab2[i] != ACTION_NONE)
			bad++;
	T_EQ(bad, 0);
	/* without HOLD: the pivot labels only */
	T_EQ(labels_pivots_final(lab2, at2, s->h, s->l, s->n, k, level,
	    0, err, sizeof(err)), CK_OK);
	for (i = 0, bad = 0; i < s->n; i++)
		if (lab2[i] != (lab[i] == ACTION_HOLD ? ACTION_NONE : lab[i]))
			bad++;
	T_EQ(bad, 0);
	pivstream_free(&ps);
	pivots_free(&p);
	free(piv), free(flags), free(lab), free(lab2), free(at), free(at2);
}

static void
test_hold(void)
{
	/* k=1, level 1: H at 1 and 5, L at 3, an outside bar at 7 */
	double h[] = { 1, 3, 2, 1.5, 2, 4, 2, 5, 3, 3 };
	double l[] = { .5, 2, 1, .2, 1, 3, 1, .1, 2, 2 };
	const int want[] = { -1, 2, 0, 1, 0, 2, 0, -1, 0, -1 };
	struct series s;
	int lab[10], i, k, level;
	long at[10];
	char err[128];

	/* candle 0 is never a pivot, but decided only at candle 1 like any */
	T_EQ(labels_pivots_final(lab, at, h, l, 10, 1, 1, 1, err,
	    sizeof(err)), CK_OK);
	for (i = 0; i < 10; i++)
		T_EQ(lab[i], i == 0 ? ACTION_HOLD : want[i]);
	T_EQ(at[2], 3);		/* HOLD of candle 2 at candle 3 (k = 1) */
	T_EQ(at[9], 9);		/* the last: not decided, no label */
	T_OK(series_load(&s, DATA) == 0);
	for (k = 1; k <= 3; k++)
		for (level = 1; level <= 3; level++)
			hold_stream(&s, k, level);
	series_free(&s);
	T_OK(series_random(&s, 3000) == 0);
	hold_stream(&s, 2, 2);
	hold_stream(&s, 5, 4);
	series_free(&s);
}

/* The relative threshold: x * the std of the window's log returns. */
static void
test_scaled(void)
{
	double c[] = { 100, 101, 100, 101, 100, 101, 100, 100.2, 99 };
	double h[9], l[9], s;
	int lab[9], i;
	long at[9];
	char err[128];

	for (i = 0; i < 9; i++) {
		h[i] = 200;	/* equal highs and lows: no pivots */
		l[i] = 50;
	}
	s = labels_scale(c, 4, 4);
	/* returns +a, -b, +a, -b: mean (a-b)/2, std (a+b)/2 */
	T_NEAR(s, (log(1.01) + log(101.0 / 100)) / 2, 1e-12, 1e-9);
	T_EQ(labels_every_final(lab, at, h, l, c, 9, 1, 0.5, 4, err,
	    sizeof(err)), CK_OK);
	for (i = 0; i < 4; i++)
		T_EQ(lab[i], ACTION_NONE);	/* no full window yet */
	T_EQ(lab[8], ACTION_NONE);		/* not decided */
	/* candle 6: 100 -> 100.2, +0.2%, below half of ~1% : HOLD */
	T_EQ(lab[6], ACTION_HOLD);
	T_EQ(labels_every_final(lab, at, h, l, c, 9, 1, 0.1, 4, err,
	    sizeof(err)), CK_OK);
	T_EQ(lab[6], ACTION_BUY);
	T_EQ(at[6], 7);
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
	T_RUN(test_hold);
	T_RUN(test_scaled);
	return T_END();
}
