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

/*
 * The numbers a candle may hold: prices in [CANDLE_PRICE_MIN,
 * CANDLE_PRICE_MAX]; volume 0 or in [CANDLE_PRICE_MIN, CANDLE_VOLUME_MAX]:
 * normal doubles whose ratios, products and sums of many stay finite.
 */
#define CANDLE_PRICE_MIN	1e-15
#define CANDLE_PRICE_MAX	1e15
#define CANDLE_VOLUME_MAX	1e20

/* Row checks shared by every reader; 0, or -1 with the reason in why:
 * prices and volume in the ranges above, low <= min(open, close),
 * high >= max(open, close). */
int	candle_check(const struct candle *, char *why, size_t n);
/* t strictly after last (CKTIME_NONE: anything is): 0, or -1 with why. */
int	candle_order(cktime t, cktime last, char *why, size_t n);

#endif
