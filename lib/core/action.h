/*
 * action.h - what a signal or a label says to do with a position: the
 * classes the model predicts, the labels it learns, the signals a
 * backtest follows, all one enum with one set of names.
 */
#ifndef ACTION_H
#define ACTION_H

#include <stddef.h>
#include "ck.h"

enum action {
	ACTION_NONE = -1,	/* no action: no label, no prediction */
	ACTION_HOLD = 0,
	ACTION_BUY = 1,
	ACTION_SELL = 2
};
#define ACTION_N	3	/* HOLD, BUY, SELL: also the model's classes */

/* An annotation: the action a candle should have had. */
struct annot {
	cktime	t;		/* the candle's time */
	int	action;		/* HOLD, BUY or SELL */
	long	line;		/* line in its file, for messages */
};

/* "HOLD", "BUY", "SELL", or "" for anything else. */
const char *action_name(int action);
/* The len bytes at s as an action name, in any case: the action, or
 * ACTION_NONE. */
int	action_parse(const char *s, size_t len);
/* The action of class probabilities p (ACTION_N, in enum order): the most
 * probable (the first of equals), HOLD when its probability *conf is below
 * minconf. */
int	action_choose(const float *p, float minconf, float *conf);

#endif
