/*
 * cktime.h - the time type (ck.h: nanoseconds since the epoch, UTC) as
 * civil dates and as canonical text.
 */
#ifndef CKTIME_H
#define CKTIME_H

#include <stddef.h>
#include <stdint.h>
#include "ck.h"

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t	days_from_civil(int y, int m, int d);
void	civil_from_days(int64_t z, int *y, int *m, int *d);
/* The civil fields of t (UTC). */
void	time_civil(cktime t, int *y, int *mo, int *d, int *h, int *mi, int *s,
	    int64_t *ns);
/* Canonical text YYYY-MM-DDTHH:MM:SS[.frac]Z, sub-second digits only when
 * non-zero; "none" for CKTIME_NONE.  buf >= 40; returns the length. */
size_t	time_format(char *buf, cktime t);
/* A duration in the largest unit that divides d exactly: "90m", "2d",
 * "1500ms" (buf >= 32); returns the length. */
size_t	duration_format(char *buf, cktime d);

#endif
