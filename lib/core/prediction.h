/*
 * prediction.h - what the model says about one candle, as values: the
 * action to show, the class probabilities, the next candle in prices.
 */
#ifndef PREDICTION_H
#define PREDICTION_H

#include <stdint.h>
#include "action.h"

#define PRED_MAXGHOST	16	/* ghost candles */
#define PRED_MAXPIV	5	/* next-pivot levels */

/* The next pivot of one level. */
struct pred_pivot {
	int		type;		/* +1: an H, -1: an L */
	float		p;		/* the type's probability, >= 0.5 */
	double		price;
	double		in;		/* candles from this one to the pivot */
};

struct prediction {
	int		action;		/* enum action shown */
	float		conf;		/* the top class probability */
	float		p[ACTION_N];	/* in enum action order */
	double		next[4];	/* next open, high, low, close */
	uint64_t	gen;		/* the weights' generation */
	int		nmore;		/* ghost candles after the next one */
	double		more[PRED_MAXGHOST - 1][4];	/* candle 2, 3, ... ahead */
	int		npiv;
	struct pred_pivot piv[PRED_MAXPIV];	/* per head level */
};

#endif
