/*
 * candle.h - a candle as a value: its open time and OHLCV.
 */
#ifndef CANDLE_H
#define CANDLE_H

#include <stddef.h>
#include "ck.h"

struct candle {
	cktime	t;
	double	open, high, low, close, volume;
};

/* Row checks shared by every reader; 0, or -1 with the reason in why:
 * prices > 0, volume >= 0, low <= min(open, close), high >= max(open, close). */
int	candle_check(const struct candle *, char *why, size_t n);
/* t strictly after last (CKTIME_NONE: anything is): 0, or -1 with why. */
int	candle_order(cktime t, cktime last, char *why, size_t n);

#endif
