/*
 * timeparse.c - candle times: the canonical ISO-8601 UTC form, the other
 * forms candle files use, durations.  Civil dates: cktime.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "cktime.h"
#include "timeparse.h"

/*
 * Accepted times: 1850-01-01 up to, not including, 2100-01-01
 * (timeparse.h): 250 years, so that the difference of
 * any two and a time plus any duration (at most DURATION_MAX) fit cktime.
 */
#define TMIN_SEC	INT64_C(-3786825600)	/* 1850-01-01T00:00:00Z */
#define TEND_SEC	INT64_C(4102444800)	/* 2100-01-01T00:00:00Z */

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

/* n digits at s as a number, or -1. */
static int
num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if ((unsigned)(*s - '0') > 9)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

static int
mktime_ns(int y, int mo, int d, int h, int mi, int s, int64_t ns,
    int64_t offsec, cktime *t)
{
	int64_t sec;

	if (y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    s < 0 || s > 59 || ns < 0 || ns >= CK_SEC)
		return -1;
	sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
	    offsec;
	if (sec < TMIN_SEC || sec >= TEND_SEC)
		return TIME_ERANGE;
	*t = sec * CK_SEC + ns;
	return 0;
}

int
time_from_civil(int y, int mo, int d, int h, int mi, int s, int64_t ns,
    cktime *t)
{
	return mktime_ns(y, mo, d, h, mi, s, ns, 0, t);
}

int
time_in_range(cktime t)
{
	return t >= TMIN_SEC * CK_SEC && t < TEND_SEC * CK_SEC;
}

/* ".digits" at s[0..len): nanoseconds and the length used; -1 when bad. */
static int
fraction(const char *s, size_t len, int64_t *ns)
{
	size_t i;
	int64_t v = 0, scale = CK_SEC;

	if (len == 0 || s[0] != '.')
		return 0;
	for (i = 1; i < len && (unsigned)(s[i] - '0') <= 9; i++) {
		if (i > 9)
			return -1;
		scale /= 10;
		v += (s[i] - '0') * scale;
	}
	if (i == 1)
		return -1;
	*ns = v;
	return (int)i;
}

int
time_parse_iso(const char *s, size_t len, cktime *t)
{
	int y, mo, d, h, mi, sec, n;
	int64_t ns = 0;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[len - 1] != 'Z')
		return -1;
	if ((y = num(s, 4)) < 0 || (mo = num(s + 5, 2)) < 0 ||
	    (d = num(s + 8, 2)) < 0 || (h = num(s + 11, 2)) < 0 ||
	    (mi = num(s + 14, 2)) < 0 || (sec = num(s + 17, 2)) < 0)
		return -1;
	if ((n = fraction(s + 19, len - 20, &ns)) < 0 ||
	    (size_t)n != len - 20)
		return -1;
	return mktime_ns(y, mo, d, h, mi, sec, ns, 0, t);
}

/* Epoch digits[.digits] in unit (auto: by magnitude). */
static int
parse_epoch(const char *s, size_t len, enum epoch_unit unit, cktime *t)
{
	size_t i = 0;
	int64_t v = 0, mul, f = 0, fscale;
	int neg = 0, nd = 0, nf = 0;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		i++;
	}
	for (; i < len && (unsigned)(s[i] - '0') <= 9; i++, nd++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (nd == 0)
		return -1;
	if (i < len && s[i] == '.') {
		for (i++, fscale = 1; i < len && (unsigned)(s[i] - '0') <= 9;
		    i++, nf++) {
			if (nf < 9) {
				f = f * 10 + (s[i] - '0');
				fscale *= 10;
			}
		}
		if (nf == 0)
			return -1;
	} else
		fscale = 1;
	if (i != len)
		return -1;
	if (unit == EPOCH_AUTO)
		unit = v < INT64_C(100000000000) ? EPOCH_S :
		    v < INT64_C(100000000000000) ? EPOCH_MS :
		    v < INT64_C(100000000000000000) ? EPOCH_US : EPOCH_AUTO;
	switch (unit) {
	case EPOCH_S:	mul = CK_SEC; break;
	case EPOCH_MS:	mul = 1000000; break;
	case EPOCH_US:	mul = 1000; break;
	default:	return -1;
	}
	if (v > INT64_MAX / mul - 1)
		return TIME_ERANGE;
	/* f / fscale of a unit, in ns (truncated below 1 ns) */
	*t = v * mul + f * mul / fscale;	/* f*mul < 1e18 */
	if (neg)
		*t = -*t;
	return time_in_range(*t) ? 0 : TIME_ERANGE;
}

int
time_parse_any(const char *s, size_t len, enum epoch_unit unit, cktime *t)
{
	int naive;

	return time_parse_naive(s, len, unit, t, &naive);
}

/* A date YYYY-MM-DD, YYYY.MM.DD or YYYY/MM/DD at s (10 bytes): 0. */
static int
ymd(const char *s, int *y, int *mo, int *d)
{
	if ((s[4] != '-' && s[4] != '.' && s[4] != '/') || s[7] != s[4] ||
	    (*y = num(s, 4)) < 0 || (*mo = num(s + 5, 2)) < 0 ||
	    (*d = num(s + 8, 2)) < 0)
		return -1;
	return 0;
}

int
time_parse_date(const char *s, size_t len, cktime *t)
{
	int y, mo, d;

	if (len == 8 && (y = num(s, 4)) >= 0 && (mo = num(s + 4, 2)) >= 0 &&
	    (d = num(s + 6, 2)) >= 0)
		return mktime_ns(y, mo, d, 0, 0, 0, 0, 0, t);
	if (len != 10 || ymd(s, &y, &mo, &d) != 0)
		return -1;
	return mktime_ns(y, mo, d, 0, 0, 0, 0, 0, t);
}

int
time_parse_clock(const char *s, size_t len, cktime *ns)
{
	int h, mi, sec = 0, n;
	int64_t f = 0;

	if (len == 6 && (h = num(s, 2)) >= 0 && (mi = num(s + 2, 2)) >= 0 &&
	    (sec = num(s + 4, 2)) >= 0)
		;
	else if (len >= 5 && (h = num(s, 2)) >= 0 && s[2] == ':' &&
	    (mi = num(s + 3, 2)) >= 0) {
		if (len > 5) {
			if (len < 8 || s[5] != ':' || (sec = num(s + 6, 2)) < 0 ||
			    (n = fraction(s + 8, len - 8, &f)) < 0 ||
			    (size_t)n != len - 8)
				return -1;
		}
	} else
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	*ns = ((cktime)h * 3600 + mi * 60 + sec) * CK_SEC + f;
	return 0;
}

int
time_parse_naive(const char *s, size_t len, enum epoch_unit unit, cktime *t,
    int *naive)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n, oh, om;
	int64_t ns = 0, off = 0;
	size_t i;

	*naive = 0;
	if (len >= 20 && s[10] == 'T' && s[len - 1] == 'Z' &&
	    time_parse_iso(s, len, t) == 0)
		return 0;
	if (len < 10 || (s[4] != '-' && s[4] != '.' && s[4] != '/'))
		return parse_epoch(s, len, unit, t);
	if (ymd(s, &y, &mo, &d) != 0)
		return -1;
	*naive = 1;
	i = 10;
	if (i < len) {
		if ((s[i] != 'T' && s[i] != ' ') || len < i + 6 ||
		    (h = num(s + i + 1, 2)) < 0 || s[i + 3] != ':' ||
		    (mi = num(s + i + 4, 2)) < 0)
			return -1;
		i += 6;
		if (i < len && s[i] == ':') {
			if (len < i + 3 || (sec = num(s + i + 1, 2)) < 0)
				return -1;
			i += 3;
			if ((n = fraction(s + i, len - i, &ns)) < 0)
				return -1;
			i += n;
		}
		if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
			*naive = 0;
		}
		else if (i < len && (s[i] == '+' || s[i] == '-')) {
			/* +HH, +HHMM, +HH:MM */
			int sign = s[i] == '-' ? -1 : 1;

			if (len < i + 3 || (oh = num(s + i + 1, 2)) < 0)
				return -1;
			om = 0;
			if (len == i + 6 && s[i + 3] == ':')
				om = num(s + i + 4, 2);
			else if (len == i + 5)
				om = num(s + i + 3, 2);
			else if (len != i + 3)
				return -1;
			if (om < 0 || om > 59 || oh > 23)
				return -1;
			off = sign * (oh * 3600 + om * 60);
			i = len;
			*naive = 0;
		}
	}
	if (i != len)
		return -1;
	return mktime_ns(y, mo, d, h, mi, sec, ns, off, t);
}

int
duration_parse(const char *s, cktime *d)
{
	int64_t v = 0, unit;
	const char *p = s;

	for (; (unsigned)(*p - '0') <= 9; p++) {
		if (v > 1000000000)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p == s || v == 0)
		return -1;
	if (v > DURATION_MAX / CK_SEC)
		return -1;
	if (strcmp(p, "s") == 0)
		unit = CK_SEC;
	else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
		unit = 60 * CK_SEC;
	else if (strcmp(p, "h") == 0)
		unit = 3600 * CK_SEC;
	else if (strcmp(p, "d") == 0)
		unit = 86400 * CK_SEC;
	else if (strcmp(p, "w") == 0)
		unit = 7 * 86400 * CK_SEC;
	else
		return -1;
	if (v > DURATION_MAX / unit)
		return -1;
	*d = v * unit;
	return 0;
}
