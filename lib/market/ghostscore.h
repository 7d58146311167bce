/*
 * ghostscore.h - the multi-step ghost scored per step: the close predicted
 * i candles ahead at row t against the close of row t+i, beside the naive
 * forecast "no change" (the close of row t).  A prediction waits for its
 * row, at most steps rows: O(steps^2) memory.
 */
#ifndef GHOSTSCORE_H
#define GHOSTSCORE_H

#include <stddef.h>
#include "ck.h"

#define GHOSTSCORE_MAXSTEPS	64

struct ghostscore {
	int	 steps;
	long	 n;		/* rows pushed */
	double	*close;		/* (steps) ring: row t at t % steps */
	double	*pred;		/* (steps, steps) ring of rows: NAN none */
	long	*scored;	/* (steps) */
	double	*err, *naive;	/* (steps) sums of |error| / close */
};

struct ghostscore_step {
	int	step;		/* 1 .. steps */
	long	scored, pending;
	double	mape_pct, naive_pct;	/* mean |error| / close, % */
	double	ratio;		/* mape / naive: < 1 beats "no change" */
};

/* steps 1..GHOSTSCORE_MAXSTEPS: 0, or CK_ERR (err says). */
int	ghostscore_init(struct ghostscore *, int steps, char *err,
	    size_t errlen);
void	ghostscore_free(struct ghostscore *);
/* Row n = g->n: its close and its predicted closes pred (steps), NAN
 * where none. */
void	ghostscore_push(struct ghostscore *, double close, const double *pred);
/* Step i (1 .. steps) so far. */
void	ghostscore_summary(const struct ghostscore *, int i,
	    struct ghostscore_step *);

#endif
