/*
 * ghostscore.c - the multi-step ghost scored per step against "no
 * change" (see ghostscore.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghostscore.h"

int
ghostscore_init(struct ghostscore *g, int steps, char *err, size_t errlen)
{
	memset(g, 0, sizeof(*g));
	if (steps < 1 || steps > GHOSTSCORE_MAXSTEPS) {
		snprintf(err, errlen, "ghost steps %d not in 1..%d", steps,
		    GHOSTSCORE_MAXSTEPS);
		return CK_ERR;
	}
	g->steps = steps;
	g->close = calloc(steps, sizeof(*g->close));
	g->pred = calloc((size_t)steps * steps, sizeof(*g->pred));
	g->scored = calloc(steps, sizeof(*g->scored));
	g->err = calloc(steps, sizeof(*g->err));
	g->naive = calloc(steps, sizeof(*g->naive));
	if (!g->close || !g->pred || !g->scored || !g->err || !g->naive) {
		ghostscore_free(g);
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	return CK_OK;
}

void
ghostscore_free(struct ghostscore *g)
{
	free(g->close);
	free(g->pred);
	free(g->scored);
	free(g->err);
	free(g->naive);
	memset(g, 0, sizeof(*g));
}

void
ghostscore_push(struct ghostscore *g, double close, const double *pred)
{
	const double *p;
	long r = g->n, t;
	int i;

	for (i = 1; i <= g->steps && (t = r - i) >= 0; i++) {
		p = &g->pred[(t % g->steps) * g->steps + i - 1];
		if (isnan(*p))
			continue;
		g->scored[i - 1]++;
		g->err[i - 1] += fabs(*p - close) / close;
		g->naive[i - 1] += fabs(g->close[t % g->steps] - close) / close;
	}
	g->close[r % g->steps] = close;
	memcpy(&g->pred[(r % g->steps) * g->steps], pred,
	    g->steps * sizeof(*pred));
	g->n++;
}

void
ghostscore_summary(const struct ghostscore *g, int i,
    struct ghostscore_step *s)
{
	long t, n = g->scored[i - 1];

	s->step = i;
	s->scored = n;
	/* rows n-i .. n-1 wait for theirs */
	s->pending = 0;
	for (t = g->n - i > 0 ? g->n - i : 0; t < g->n; t++)
		s->pending += !isnan(g->pred[(t % g->steps) * g->steps + i - 1]);
	s->mape_pct = n > 0 ? 100 * g->err[i - 1] / n : NAN;
	s->naive_pct = n > 0 ? 100 * g->naive[i - 1] / n : NAN;
	s->ratio = g->naive[i - 1] > 0 ? g->err[i - 1] / g->naive[i - 1] : NAN;
}
