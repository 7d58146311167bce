/*
 * cktime.c - the time type's calendar and its canonical text.  Civil dates
 * use the proleptic Gregorian calendar (days_from_civil after H. Hinnant).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "cktime.h"

int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void
put2(char *p, int v)
{
	p[0] = '0' + v / 10;
	p[1] = '0' + v % 10;
}

void
time_civil(cktime t, int *y, int *mo, int *d, int *h, int *mi, int *s,
    int64_t *ns)
{
	int64_t sec = t / CK_SEC, f = t % CK_SEC, days, rem;

	if (f < 0) {
		f += CK_SEC;
		sec--;
	}
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
	*ns = f;
}

size_t
time_format(char *buf, cktime t)
{
	int64_t ns;
	int y, m, d, h, mi, sec, n, k;

	if (t == CKTIME_NONE) {
		memcpy(buf, "none", 5);
		return 4;
	}
	time_civil(t, &y, &m, &d, &h, &mi, &sec, &ns);
	/* cktime's years are 1677..2262: always four digits (no snprintf:
	 * it cost more than the rest of a row) */
	buf[0] = '0' + y / 1000;
	buf[1] = '0' + y / 100 % 10;
	buf[2] = '0' + y / 10 % 10;
	buf[3] = '0' + y % 10;
	buf[4] = '-';
	put2(buf + 5, m);
	buf[7] = '-';
	put2(buf + 8, d);
	buf[10] = 'T';
	put2(buf + 11, h);
	buf[13] = ':';
	put2(buf + 14, mi);
	buf[16] = ':';
	put2(buf + 17, sec);
	n = 19;
	if (ns != 0) {
		buf[n++] = '.';
		for (k = 8; k >= 0; k--, ns /= 10)
			buf[n + k] = '0' + ns % 10;
		n += 9;
		for (k = 0; k < 8 && buf[n - 1] == '0'; k++)
			n--;
	}
	buf[n++] = 'Z';
	buf[n] = '\0';
	return n;
}

size_t
duration_format(char *buf, cktime d)
{
	static const struct { cktime ns; const char *u; } unit[] = {
		{ 7 * 86400 * CK_SEC, "w" }, { 86400 * CK_SEC, "d" },
		{ 3600 * CK_SEC, "h" }, { 60 * CK_SEC, "m" }, { CK_SEC, "s" },
		{ 1000000, "ms" }, { 1000, "us" }, { 1, "ns" }
	};
	size_t i;

	for (i = 0; i < sizeof(unit) / sizeof(unit[0]) - 1; i++)
		if (d != 0 && d % unit[i].ns == 0)
			break;
	return (size_t)snprintf(buf, 32, "%lld%s",
	    (long long)(d / unit[i].ns), unit[i].u);
}
