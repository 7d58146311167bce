/*
 * tests/unit/dataset.c - history to samples: the W-candle history rule,
 * the ghost mask, the time of the latest candle used, the split, the class
 * weights, and the seeded shuffle.
 */
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "t.h"
#include "annot.h"
#include "labels.h"
#include "dataset.h"
#include "features.h"
#include "model.h"

#define N 40
#define WLEN 4

static void
make_history(struct history *hi)
{
	long i;

	struct candle c;

	history_init(hi, 0);
	for (i = 0; i < N; i++) {
		c.t = (1000 + 60 * i) * CK_SEC;
		c.open = 100 + (i % 7);
		c.close = 100 + (i * 3 % 11);
		c.high = (c.open > c.close ? c.open : c.close) + 0.5;
		c.low = (c.open < c.close ? c.open : c.close) - 0.5;
		c.volume = 10 + i;
		T_OK(history_push(hi, &c) == 0);
	}
}

static void
test_find(void)
{
	struct history hi;

	make_history(&hi);
	T_EQ(history_find(&hi, 1000 * CK_SEC), 0);
	T_EQ(history_find(&hi, (1000 + 60 * 39) * CK_SEC), 39);
	T_EQ(history_find(&hi, (1000 + 60 * 17) * CK_SEC), 17);
	T_EQ(history_find(&hi, 1001 * CK_SEC), -1);
	T_EQ(history_find(&hi, 0), -1);
	history_free(&hi);
}

static void
test_join_build(void)
{
	struct history hi;
	struct dataset ds;
	int label[N];
	long known[N], nshort, i;
	struct model_config cfg;
	char err[256];
	float x[WLEN * MODEL_NFEAT], g[MODEL_NGHOST];
	double s, next[4];

	make_history(&hi);
	/* candle 2 (too early), 10, 39 (no ghost), 20 */
	for (i = 0; i < N; i++) {
		label[i] = ACTION_NONE;
		known[i] = i;
	}
	label[2] = ACTION_BUY;
	label[10] = ACTION_SELL;
	label[39] = ACTION_HOLD;
	label[20] = ACTION_BUY;
	model_config_default(&cfg);
	cfg.W = WLEN;
	T_EQ(dataset_build(&ds, &hi, NULL, label, known, &cfg, &nshort, err,
	    sizeof(err)), CK_OK);
	T_EQ(ds.n, 3);
	T_EQ(nshort, 1);	/* candle 2 */
	T_EQ(ds.cand[0], 10);
	T_EQ(ds.cand[1], 20);
	T_EQ(ds.cand[2], 39);
	T_EQ(ds.label[1], ACTION_BUY);
	/* the features are features_window's over candles t-W .. t */
	features_window(x, &s, hi.o + 6, hi.h + 6, hi.l + 6, hi.c + 6,
	    hi.v + 6, WLEN);
	T_OK(memcmp(x, ds.x, sizeof(x)) == 0);
	next[0] = hi.o[11];
	next[1] = hi.h[11];
	next[2] = hi.l[11];
	next[3] = hi.c[11];
	features_target(g, next, hi.c[10], s);
	T_OK(memcmp(g, ds.ghost, sizeof(g)) == 0);
	T_EQ(ds.mask[0], 1);
	T_EQ(ds.used[0], hi.t[11]);
	/* the last candle has no ghost target and uses only itself */
	T_EQ(ds.mask[2], 0);
	T_EQ(ds.used[2], hi.t[39]);

	dataset_split(&ds, 0.34);
	T_EQ(ds.ntrain, 2);
	T_EQ(ds.count[ACTION_SELL], 1);
	T_EQ(ds.count[ACTION_BUY], 1);
	T_EQ(ds.count[ACTION_HOLD], 0);
	dataset_split(&ds, 0);
	T_EQ(ds.ntrain, 3);
	dataset_free(&ds);
	history_free(&hi);
}

static void
test_shuffle(void)
{
	long a[100], b[100], seen[100];
	uint64_t s1 = 42, s2 = 42, s3 = 43;
	int i, same = 1;

	for (i = 0; i < 100; i++)
		a[i] = b[i] = i;
	dataset_shuffle(a, 100, &s1);
	dataset_shuffle(b, 100, &s2);
	T_OK(memcmp(a, b, sizeof(a)) == 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 100; i++)
		seen[a[i]]++;
	for (i = 0; i < 100; i++)
		T_EQ(seen[i], 1);
	for (i = 0; i < 100; i++)
		b[i] = i;
	dataset_shuffle(b, 100, &s3);
	for (i = 0; i < 100; i++)
		same &= a[i] == b[i];
	T_OK(!same);
	/* splitmix64's published first output for seed 0 */
	s1 = 0;
	T_OK(splitmix64(&s1) == UINT64_C(0xe220a8397b1dcdaf));
}

static void
test_action_names(void)
{
	T_EQ(action_parse("BUY", 3), ACTION_BUY);
	T_EQ(action_parse("sell", 4), ACTION_SELL);
	T_EQ(action_parse("Hold", 4), ACTION_HOLD);
	T_EQ(action_parse("BUYS", 4), ACTION_NONE);
	T_EQ(action_parse("", 0), ACTION_NONE);
	T_OK(strcmp(action_name(ACTION_SELL), "SELL") == 0);
	T_OK(strcmp(action_name(ACTION_NONE), "") == 0);
}

/* Inverse-frequency class weights, by hand: 9 training samples of which
 * 6 HOLD, 2 BUY, 1 SELL give 9/(3*6), 9/(3*2), 9/(3*1); with SELL absent
 * (6, 3, 0): 9/(2*6), 9/(2*3) and 0.  Mean weight per sample: 1. */
static void
test_weights(void)
{
	struct dataset ds;
	float given[3] = { 0.2f, 4, 5 };

	memset(&ds, 0, sizeof(ds));
	ds.ntrain = 9;
	ds.count[ACTION_HOLD] = 6;
	ds.count[ACTION_BUY] = 2;
	ds.count[ACTION_SELL] = 1;
	dataset_weights(&ds, CLASSW_AUTO, NULL);
	T_NEAR(ds.weight[ACTION_HOLD], 0.5, 1e-7, 0);
	T_NEAR(ds.weight[ACTION_BUY], 1.5, 1e-7, 0);
	T_NEAR(ds.weight[ACTION_SELL], 3.0, 1e-7, 0);
	T_NEAR(6 * ds.weight[0] + 2 * ds.weight[1] + ds.weight[2], 9, 1e-6, 0);
	ds.count[ACTION_BUY] = 3;
	ds.count[ACTION_SELL] = 0;
	dataset_weights(&ds, CLASSW_AUTO, NULL);
	T_NEAR(ds.weight[ACTION_HOLD], 0.75, 1e-7, 0);
	T_NEAR(ds.weight[ACTION_BUY], 1.5, 1e-7, 0);
	T_OK(ds.weight[ACTION_SELL] == 0);
	dataset_weights(&ds, CLASSW_NONE, NULL);
	T_OK(ds.weight[0] == 1 && ds.weight[1] == 1 && ds.weight[2] == 1);
	dataset_weights(&ds, CLASSW_GIVEN, given);
	T_OK(ds.weight[0] == 0.2f && ds.weight[1] == 4 && ds.weight[2] == 5);
}

int
main(void)
{
	T_RUN(test_find);
	T_RUN(test_join_build);
	T_RUN(test_shuffle);
	T_RUN(test_action_names);
	T_RUN(test_weights);
	return T_END();
}
