/*
 * timeparse.c - tests of time parsing, formatting and durations.  Epoch
 * values checked with GNU date (date -u -d @1718328600 = 2024-06-14 01:30).
 */
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "timeparse.h"
#include "t.h"

#define T0 (INT64_C(1718328600) * CK_SEC)	/* 2024-06-14T01:30:00Z */

static cktime
any(const char *s, enum epoch_unit u)
{
	cktime t;

	if (time_parse_any(s, strlen(s), u, &t) != 0)
		return CKTIME_NONE;
	return t;
}

static void
test_iso(void)
{
	cktime t;
	char b[40];

	T_EQ(time_parse_iso("2024-06-14T01:30:00Z", 20, &t), 0);
	T_EQ(t, T0);
	T_EQ(time_parse_iso("2024-06-14T01:30:00.5Z", 22, &t), 0);
	T_EQ(t, T0 + CK_SEC / 2);
	T_EQ(time_parse_iso("2024-06-14T01:30:00.123456789Z", 30, &t), 0);
	T_EQ(t, T0 + 123456789);
	T_EQ(time_parse_iso("1970-01-01T00:00:00Z", 20, &t), 0);
	T_EQ(t, 0);
	T_EQ(time_parse_iso("1969-12-31T23:59:59Z", 20, &t), 0);
	T_EQ(t, -CK_SEC);
	T_EQ(time_parse_iso("2024-02-29T00:00:00Z", 20, &t), 0);
	/* not canonical or not valid */
	T_EQ(time_parse_iso("2023-02-29T00:00:00Z", 20, &t), -1);
	T_EQ(time_parse_iso("2024-06-14 01:30:00Z", 20, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T01:30:00", 19, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T24:00:00Z", 20, &t), -1);
	T_EQ(time_parse_iso("2024-13-14T01:30:00Z", 20, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T01:60:00Z", 20, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T01:30:00.Z", 21, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T01:30:00.1234567891Z", 31, &t), -1);
	T_EQ(time_parse_iso("2024-06-14T01:3a:00Z", 20, &t), -1);
	/* the accepted range, 1850-01-01 up to 2100-01-01 */
	T_EQ(time_parse_iso("2300-01-01T00:00:00Z", 20, &t), TIME_ERANGE);
	T_EQ(time_parse_iso("2100-01-01T00:00:00Z", 20, &t), TIME_ERANGE);
	T_EQ(time_parse_iso("1849-12-31T23:59:59.999999999Z", 30, &t),
	    TIME_ERANGE);
	T_EQ(time_parse_iso("1850-01-01T00:00:00Z", 20, &t), 0);
	T_OK(time_in_range(t) && !time_in_range(t - 1));
	T_EQ(time_parse_iso("2099-12-31T23:59:59.999999999Z", 30, &t), 0);
	T_OK(time_in_range(t) && !time_in_range(t + 1));
	T_EQ(time_parse_any("9223372036", 10, EPOCH_AUTO, &t), TIME_ERANGE);
	T_EQ(time_parse_any("-9223372036", 11, EPOCH_S, &t), TIME_ERANGE);
	T_EQ(time_parse_any("1677-09-22", 10, EPOCH_AUTO, &t), TIME_ERANGE);
	T_EQ(time_parse_any("2262-04-11T23:47:16+05:00", 25, EPOCH_AUTO, &t),
	    TIME_ERANGE);
	/* round trips */
	time_format(b, T0);
	T_OK(strcmp(b, "2024-06-14T01:30:00Z") == 0);
	time_format(b, T0 + CK_SEC / 2);
	T_OK(strcmp(b, "2024-06-14T01:30:00.5Z") == 0);
	time_format(b, T0 + 1000);
	T_OK(strcmp(b, "2024-06-14T01:30:00.000001Z") == 0);
	T_EQ(time_format(b, -CK_SEC / 2), 22);
	T_OK(strcmp(b, "1969-12-31T23:59:59.5Z") == 0);
	time_format(b, 951782400 * CK_SEC);
	T_OK(strcmp(b, "2000-02-29T00:00:00Z") == 0);
}

static void
test_format_sweep(void)
{
	cktime t, u;
	char b[40];
	int bad = 0;

	/* every 7 hours 13 minutes over 1850..2100 */
	for (t = -3786825600LL * CK_SEC; t < 4102444800LL * CK_SEC;
	    t += (7 * 3600 + 13 * 60 + 17) * CK_SEC + 1234567) {
		time_format(b, t);
		if (time_parse_iso(b, strlen(b), &u) != 0 || u != t)
			bad++;
	}
	T_EQ(bad, 0);
}

static void
test_any(void)
{
	T_EQ(any("2024-06-14T01:30:00Z", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14T09:30:00+08:00", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14T09:30:00+0800", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14T09:30:00+08", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-13T21:30:00-04:00", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14 01:30:00", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14 01:30", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14T01:30Z", EPOCH_AUTO), T0);
	T_EQ(any("2024-06-14 01:30:00.250Z", EPOCH_AUTO), T0 + CK_SEC / 4);
	T_EQ(any("2024-06-14", EPOCH_AUTO), T0 - 5400 * CK_SEC);
	T_EQ(any("1718328600", EPOCH_AUTO), T0);
	T_EQ(any("1718328600000", EPOCH_AUTO), T0);
	T_EQ(any("1718328600000000", EPOCH_AUTO), T0);
	T_EQ(any("1718328600.5", EPOCH_AUTO), T0 + CK_SEC / 2);
	T_EQ(any("1718328600500", EPOCH_AUTO), T0 + CK_SEC / 2);
	T_EQ(any("1718328600", EPOCH_S), T0);
	T_EQ(any("1718328600", EPOCH_MS), 1718328600 * INT64_C(1000000));
	T_EQ(any("1718328600000", EPOCH_MS), T0);
	T_EQ(any("1718328600000000", EPOCH_US), T0);
	T_EQ(any("0", EPOCH_AUTO), 0);
	/* errors */
	T_EQ(any("", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("2024-06-14T", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("2024-06-31", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("2024-06-14T01:30:00+25:00", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("2024-06-14T01:30:00 junk", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("17183x8600", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("1e9", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("171832860000000000000", EPOCH_AUTO), CKTIME_NONE);
	T_EQ(any("99999999999999", EPOCH_S), CKTIME_NONE);
	T_EQ(any("June 14", EPOCH_AUTO), CKTIME_NONE);
}

static void
test_duration(void)
{
	cktime d;

	T_EQ(duration_parse("30s", &d), 0);
	T_EQ(d, 30 * CK_SEC);
	T_EQ(duration_parse("1m", &d), 0);
	T_EQ(d, 60 * CK_SEC);
	T_EQ(duration_parse("15m", &d), 0);
	T_EQ(d, 900 * CK_SEC);
	T_EQ(duration_parse("4h", &d), 0);
	T_EQ(d, 4 * 3600 * CK_SEC);
	T_EQ(duration_parse("1d", &d), 0);
	T_EQ(d, 86400 * CK_SEC);
	T_EQ(duration_parse("1w", &d), 0);
	T_EQ(d, 7 * 86400 * CK_SEC);
	T_EQ(duration_parse("0m", &d), -1);
	T_EQ(duration_parse("m", &d), -1);
	T_EQ(duration_parse("5", &d), -1);
	T_EQ(duration_parse("5x", &d), -1);
	T_EQ(duration_parse("-5m", &d), -1);
	T_EQ(duration_parse("99999999999999999999d", &d), -1);
}

/* The dates, times of day and naive times of other platforms' files. */
static void
test_forms(void)
{
	cktime t, ns;
	int naive;

	T_EQ(time_parse_date("2024-06-14", 10, &t), 0);
	T_EQ(t, T0 - 5400 * CK_SEC);
	T_EQ(time_parse_date("2024.06.14", 10, &t), 0);
	T_EQ(t, T0 - 5400 * CK_SEC);
	T_EQ(time_parse_date("2024/06/14", 10, &t), 0);
	T_EQ(time_parse_date("20240614", 8, &t), 0);
	T_EQ(t, T0 - 5400 * CK_SEC);
	T_EQ(time_parse_date("2024-06.14", 10, &t), -1);
	T_EQ(time_parse_date("14.06.2024", 10, &t), -1);
	T_EQ(time_parse_date("20240631", 8, &t), -1);
	T_EQ(time_parse_date("18000101", 8, &t), TIME_ERANGE);
	T_EQ(time_parse_clock("01:30", 5, &ns), 0);
	T_EQ(ns, 5400 * CK_SEC);
	T_EQ(time_parse_clock("01:30:00", 8, &ns), 0);
	T_EQ(ns, 5400 * CK_SEC);
	T_EQ(time_parse_clock("013000", 6, &ns), 0);
	T_EQ(ns, 5400 * CK_SEC);
	T_EQ(time_parse_clock("01:30:00.25", 11, &ns), 0);
	T_EQ(ns, 5400 * CK_SEC + CK_SEC / 4);
	T_EQ(time_parse_clock("24:00", 5, &ns), -1);
	T_EQ(time_parse_clock("1:30", 4, &ns), -1);
	T_EQ(time_parse_clock("01:30:", 6, &ns), -1);
	T_EQ(time_parse_naive("2024.06.14 01:30", 16, EPOCH_AUTO, &t, &naive), 0);
	T_EQ(t, T0);
	T_EQ(naive, 1);
	T_EQ(time_parse_naive("2024-06-14T01:30Z", 17, EPOCH_AUTO, &t, &naive), 0);
	T_EQ(naive, 0);
	T_EQ(time_parse_naive("2024-06-14T09:30+08:00", 22, EPOCH_AUTO, &t,
	    &naive), 0);
	T_EQ(naive, 0);
	T_EQ(t, T0);
	T_EQ(time_parse_naive("1718328600", 10, EPOCH_AUTO, &t, &naive), 0);
	T_EQ(naive, 0);
	T_EQ(time_from_civil(2024, 6, 14, 1, 30, 0, 0, &t), 0);
	T_EQ(t, T0);
	T_EQ(time_from_civil(2024, 2, 30, 0, 0, 0, 0, &t), -1);
	T_EQ(time_from_civil(1700, 1, 1, 0, 0, 0, 0, &t), TIME_ERANGE);
	T_EQ(duration_parse("520w", &t), 0);
	T_EQ(duration_parse("521w", &t), -1);
	T_EQ(duration_parse("99999999999d", &t), -1);
}

int
main(void)
{
	T_RUN(test_iso);
	T_RUN(test_format_sweep);
	T_RUN(test_any);
	T_RUN(test_duration);
	T_RUN(test_forms);
	return T_END();
}
