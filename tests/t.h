/*
 * t.h - the unit test harness.  Each test is a function run by T_RUN; a
 * check that fails prints file:line and marks the current test failed.
 * main() ends with "return T_END();", which prints "# N passed, N failed"
 * (read by tests/run) and returns non-zero when anything failed or nothing ran.
 */
#ifndef T_H
#define T_H

#include <math.h>
#include <stdio.h>

static int t_pass, t_fail, t_bad;

#define T_OK(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: T_OK(%s) failed\n", __FILE__, __LINE__, #c); \
		t_bad++; \
	} \
} while (0)

#define T_EQ(a, b) do { \
	long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) { \
		fprintf(stderr, "%s:%d: T_EQ(%s, %s): %lld != %lld\n", \
		    __FILE__, __LINE__, #a, #b, t_a_, t_b_); \
		t_bad++; \
	} \
} while (0)

/* |a - b| <= abs + rel * |b|; a NaN never passes. */
#define T_NEAR(a, b, abs, rel) do { \
	double t_a_ = (double)(a), t_b_ = (double)(b); \
	if (!(fabs(t_a_ - t_b_) <= (abs) + (rel) * fabs(t_b_))) { \
		fprintf(stderr, "%s:%d: T_NEAR(%s, %s): %.9g vs %.9g\n", \
		    __FILE__, __LINE__, #a, #b, t_a_, t_b_); \
		t_bad++; \
	} \
} while (0)

#define T_RUN(fn) do { \
	int t_before_ = t_bad; \
	fn(); \
	if (t_bad != t_before_) { \
		t_fail++; \
		fprintf(stderr, "FAIL %s\n", #fn); \
	} else \
		t_pass++; \
} while (0)

#define T_END() (printf("# %d passed, %d failed\n", t_pass, t_fail), \
	fflush(stdout), (t_fail != 0 || t_pass == 0))

#endif
