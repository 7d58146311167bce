/*
 * tests/unit/ghostscore.c - the multi-step ghost scores against the
 * definition computed over the whole series (every step 1..16, some
 * predictions missing), and the prefix property: scores after row t are
 * the whole series' over rows whose target is <= t.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "ghostscore.h"

static unsigned long state = 12345;

static double
rnd(void)
{
	state = state * 6364136223846793005UL + 1442695040888963407UL;
	return (state >> 11) * (1.0 / 9007199254740992.0);
}

/* Rows 0 .. m-1 of close (n) and pred (n, steps) pushed: the scores of
 * step i against the definition. */
static void
check(const double *close, const double *pred, long m, int steps)
{
	struct ghostscore g;
	struct ghostscore_step s;
	char err[128];
	double e, z, p;
	long t, sc, pe;
	int i;

	T_EQ(ghostscore_init(&g, steps, err, sizeof(err)), CK_OK);
	for (t = 0; t < m; t++)
		ghostscore_push(&g, close[t], pred + t * steps);
	for (i = 1; i <= steps; i++) {
		e = z = 0;
		sc = pe = 0;
		for (t = 0; t < m; t++) {
			p = pred[t * steps + i - 1];
			if (isnan(p))
				continue;
			if (t + i >= m) {
				pe++;
				continue;
			}
			sc++;
			e += fabs(p - close[t + i]) / close[t + i];
			z += fabs(close[t] - close[t + i]) / close[t + i];
		}
		ghostscore_summary(&g, i, &s);
		T_EQ(s.step, i);
		T_EQ(s.scored, sc);
		T_EQ(s.pending, pe);
		if (sc > 0) {
			T_NEAR(s.mape_pct, 100 * e / sc, 0, 1e-12);
			T_NEAR(s.naive_pct, 100 * z / sc, 0, 1e-12);
			T_NEAR(s.ratio, e / z, 0, 1e-12);
		} else
			T_OK(isnan(s.mape_pct) && isnan(s.naive_pct));
	}
	ghostscore_free(&g);
}

static void
test_random(void)
{
	long n = 500, t, m;
	double *close, *pred;
	int steps, i;

	for (steps = 1; steps <= 16; steps += 5) {
		close = malloc(n * sizeof(*close));
		pred = malloc(n * steps * sizeof(*pred));
		T_OK(close && pred);
		for (t = 0; t < n; t++) {
			close[t] = 100 * exp(0.1 * (rnd() - 0.5) * sqrt(t + 1.0));
			for (i = 0; i < steps; i++)
				pred[t * steps + i] = rnd() < 0.1 ? NAN :
				    close[t] * (1 + 0.01 * (rnd() - 0.5));
		}
		for (m = 0; m <= n; m += m < 20 ? 1 : 37)
			check(close, pred, m, steps);
		free(close);
		free(pred);
	}
}

/* A perfect forecaster: no error, every step; "no change" itself: ratio 1. */
static void
test_perfect_naive(void)
{
	struct ghostscore g, z;
	struct ghostscore_step s;
	double close[40], pred[4], same[4];
	char err[128];
	int t, i;

	for (t = 0; t < 40; t++)
		close[t] = 50 + 10 * sin(t * 0.7);
	T_EQ(ghostscore_init(&g, 4, err, sizeof(err)), CK_OK);
	T_EQ(ghostscore_init(&z, 4, err, sizeof(err)), CK_OK);
	for (t = 0; t < 40; t++) {
		for (i = 0; i < 4; i++) {
			pred[i] = t + i + 1 < 40 ? close[t + i + 1] : NAN;
			same[i] = close[t];
		}
		ghostscore_push(&g, close[t], pred);
		ghostscore_push(&z, close[t], same);
	}
	for (i = 1; i <= 4; i++) {
		ghostscore_summary(&g, i, &s);
		T_EQ(s.scored, 40 - i);
		T_EQ(s.pending, 0);
		T_OK(s.mape_pct == 0 && s.ratio == 0 && s.naive_pct > 0);
		ghostscore_summary(&z, i, &s);
		T_EQ(s.pending, i);
		T_OK(s.ratio == 1);
	}
	ghostscore_free(&g);
	ghostscore_free(&z);
	T_EQ(ghostscore_init(&g, 0, err, sizeof(err)), CK_ERR);
	T_EQ(ghostscore_init(&g, GHOSTSCORE_MAXSTEPS + 1, err, sizeof(err)),
	    CK_ERR);
}

int
main(void)
{
	T_RUN(test_random);
	T_RUN(test_perfect_naive);
	return T_END();
}
