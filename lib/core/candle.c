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
	static const char *const name[4] = { "open", "high", "low", "close" };
	const double *v[4] = { &c->open, &c->high, &c->low, &c->close };
	int i;

	if (c->open >= CANDLE_PRICE_MIN && c->open <= CANDLE_PRICE_MAX &&
	    c->high >= CANDLE_PRICE_MIN && c->high <= CANDLE_PRICE_MAX &&
	    c->low >= CANDLE_PRICE_MIN && c->low <= CANDLE_PRICE_MAX &&
	    c->close >= CANDLE_PRICE_MIN && c->close <= CANDLE_PRICE_MAX &&
	    (c->volume == 0 || (c->volume >= CANDLE_PRICE_MIN &&
	    c->volume <= CANDLE_VOLUME_MAX)) && c->low <= c->open &&
	    c->low <= c->close && c->high >= c->open && c->high >= c->close)
		return 0;	/* the common case */
	for (i = 0; i < 4; i++)
		if (!(*v[i] >= CANDLE_PRICE_MIN && *v[i] <= CANDLE_PRICE_MAX)) {
			if (*v[i] > 0)
				snprintf(why, n, "%s %g outside %g..%g", name[i],
				    *v[i], CANDLE_PRICE_MIN, CANDLE_PRICE_MAX);
			else
				snprintf(why, n, "%s not positive", name[i]);
			return -1;
		}
	if (!(c->volume >= 0))
		snprintf(why, n, "volume negative");
	else if (c->volume != 0 && !(c->volume >= CANDLE_PRICE_MIN &&
	    c->volume <= CANDLE_VOLUME_MAX))
		snprintf(why, n, "volume %g outside %g..%g", c->volume,
		    CANDLE_PRICE_MIN, CANDLE_VOLUME_MAX);
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

