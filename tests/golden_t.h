/*
 * golden_t.h - for the PyTorch golden tests (tests/unit/model_golden*.c):
 * the comparison of a C result with a fixture's.
 */
#ifndef GOLDEN_T_H
#define GOLDEN_T_H

#include <math.h>
#include <stdio.h>

#include "t.h"

/* Every element within 1e-5 + 1e-4 |b|; reports the first few misses. */
static void
match(const char *what, const float *a, const float *b, size_t n)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (!(fabs((double)a[i] - b[i]) <= 1e-5 + 1e-4 * fabs(b[i]))) {
			if (bad++ < 5)
				fprintf(stderr, "%s[%zu]: %.9g vs torch %.9g\n",
				    what, i, a[i], b[i]);
		}
	if (bad > 0)
		fprintf(stderr, "%s: %zu of %zu differ\n", what, bad, n);
	T_EQ(bad, 0);
}

#endif
