/*
 * timeparse.h - candle times: parsing the forms candle files use,
 * durations (the canonical text form is cktime.h's).
 *
 * Every time is in [1850-01-01T00:00:00Z, 2100-01-01T00:00:00Z): a time
 * outside is refused with TIME_ERANGE (-2), so that the difference of two
 * times, or a time plus a duration (at most DURATION_MAX), always fits.
 */
#ifndef TIMEPARSE_H
#define TIMEPARSE_H

#include <stddef.h>
#include "ck.h"
#include "cktime.h"

enum epoch_unit { EPOCH_AUTO, EPOCH_S, EPOCH_MS, EPOCH_US };

#define TIME_ERANGE	(-2)
#define TIME_RANGE_TEXT	"1850-01-01T00:00:00Z to 2099-12-31T23:59:59Z"
#define DURATION_MAX	(520 * 7 * 86400 * CK_SEC)	/* 520 weeks */

/* 1 when t lies in the accepted range. */
int	time_in_range(cktime t);
/* A UTC time from civil fields (ns < 1e9): 0, -1 (no such time) or
 * TIME_ERANGE. */
int	time_from_civil(int y, int mo, int d, int h, int mi, int s, int64_t ns,
	    cktime *t);

/* Canonical stream time: YYYY-MM-DDTHH:MM:SS[.frac]Z.  0, -1 or
 * TIME_ERANGE (so below for every parser). */
int	time_parse_iso(const char *s, size_t len, cktime *t);
/* Any input form: ISO-8601 with Z or +HH:MM offset, a date (midnight UTC),
 * "YYYY-MM-DD HH:MM:SS" (the date also with '.' or '/' between year,
 * month and day), epoch s/ms/us (by magnitude, or unit). */
int	time_parse_any(const char *s, size_t len, enum epoch_unit unit, cktime *t);
/* The same, *naive set when the text has a civil time without zone (read
 * as UTC here). */
int	time_parse_naive(const char *s, size_t len, enum epoch_unit unit,
	    cktime *t, int *naive);
/* A date alone: YYYY-MM-DD, YYYY.MM.DD, YYYY/MM/DD or YYYYMMDD, as its
 * midnight UTC. */
int	time_parse_date(const char *s, size_t len, cktime *t);
/* A time of day: HH:MM, HH:MM:SS[.frac] or HHMMSS, as nanoseconds. */
int	time_parse_clock(const char *s, size_t len, cktime *ns);
/* "30s", "1m", "5m", "1h", "4h", "1d", "1w" up to DURATION_MAX: 0 and
 * *d, or -1. */
int	duration_parse(const char *s, cktime *d);

#endif
