/*
 * prediction.h - what the model says about one candle, as values: the
 * action to show, the class probabilities, the next candle in prices.
 */
#ifndef PREDICTION_H
#define PREDICTION_H

#include <stdint.h>
#include "action.h"

struct prediction {
	int		action;		/* enum action shown */
	float		conf;		/* the top class probability */
	float		p[ACTION_N];	/* in enum action order */
	double		next[4];	/* next open, high, low, close */
	uint64_t	gen;		/* the weights' generation */
};

#endif
