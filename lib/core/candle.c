/*
 * candle.c - the checks every candle passes, whatever it was read from.
 */
#include <stdio.h>

#include "ck.h"
#include "cktime.h"
#include "candle.h"

int
candle_check(const struct candle *c, char *why, size_t n)
{
	if (!(c->open > 0))
		snprintf(why, n, "open not positive");
	else if (!(c->high > 0))
		snprintf(why, n, "high not positive");
	else if (!(c->low > 0))
		snprintf(why, n, "low not positive");
	else if (!(c->close > 0))
		snprintf(why, n, "close not positive");
	else if (!(c->volume >= 0))
		snprintf(why, n, "volume negative");
	else if (c->low > c->open || c->low > c->close)
		snprintf(why, n, "low above min(open, close)");
	else if (c->high < c->open || c->high < c->close)
		snprintf(why, n, "high below max(open, close)");
	else
		return 0;
	return -1;
}

int
candle_order(cktime t, cktime last, char *why, size_t n)
{
	char a[40], b[40];

	if (last == CKTIME_NONE || t > last)
		return 0;
	time_format(a, t);
	time_format(b, last);
	if (t == last)
		snprintf(why, n, "duplicate time %s", a);
	else
		snprintf(why, n, "time %s before previous %s", a, b);
	return -1;
}

