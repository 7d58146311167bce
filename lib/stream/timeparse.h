/*
 * timeparse.h - candle times: parsing the formats candle files use,
 * durations (the canonical text form is cktime.h's).
 */
#ifndef TIMEPARSE_H
#define TIMEPARSE_H

#include <stddef.h>
#include "ck.h"
#include "cktime.h"

enum epoch_unit { EPOCH_AUTO, EPOCH_S, EPOCH_MS, EPOCH_US };

/* Canonical stream time: YYYY-MM-DDTHH:MM:SS[.frac]Z.  0 or -1. */
int	time_parse_iso(const char *s, size_t len, cktime *t);
/* Any input form: ISO-8601 with Z or +HH:MM offset, a date (midnight UTC),
 * "YYYY-MM-DD HH:MM:SS", epoch s/ms/us (by magnitude, or unit).  0 or -1. */
int	time_parse_any(const char *s, size_t len, enum epoch_unit unit, cktime *t);
/* "30s", "1m", "5m", "1h", "4h", "1d", "1w": 0 and *d, or -1. */
int	duration_parse(const char *s, cktime *d);
/* The largest unit that divides d exactly: "90m", "2d", "1500ms". */
size_t	duration_format(char *buf, cktime d);

#endif
