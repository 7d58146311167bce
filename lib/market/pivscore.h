/*
 * pivscore.h - scores of next-pivot forecasts against the pivots the
 * candles confirm, beside naive forecasts, in one causal pass.
 *
 * A row's forecast for a level (the type, price and distance of the next
 * pivot of that level confirmed after the row, as nextpiv.h defines it)
 * waits until that pivot is confirmed, then is scored beside three naive
 * forecasts made with what was known at the row: the type opposite to
 * the last confirmed pivot of the level; the price of the last confirmed
 * pivot of the target's type; the mean distance (pivot candle - row) of
 * every candle resolved so far.  A forecast is scored only when all three
 * exist (before that it counts as warm-up), so every figure and its
 * baseline are over the same rows.  Every pivot confirmed at one row
 * resolves all the rows waiting, so the naive forecasts are the same for
 * all of them: only the forecasts are kept, at most maxpend rows a level
 * (older ones are dropped and counted).
 */
#ifndef PIVSCORE_H
#define PIVSCORE_H

#include <stddef.h>
#include "ck.h"
#include "candle.h"
#include "nextpiv.h"

#define PIVSCORE_MAXPEND	100000	/* the default bound */

/* One row's forecast for one level. */
struct pivscore_pred {
	int	type;		/* +1 H, -1 L; 0: none (nothing to score) */
	double	price;		/* the pivot's price */
	double	in;		/* candles from the row to the pivot candle */
};

struct pivscore_tally {
	long	scored;		/* resolved, with the naive forecasts */
	long	warmup;		/* resolved before a naive forecast existed */
	long	dropped;	/* waited more than maxpend rows */
	long	type_hits, naive_type_hits;
	double	price_err, naive_price_err;	/* sums of |error| / price */
	double	dist_err, naive_dist_err;	/* sums of |error|, candles */
};

/* A waiting forecast; the ring holds rows first .. n-1. */
struct pivscore_pend {
	double	price, in;
	int	type;
};

struct pivscore_level {
	struct pivscore_pend *ring;	/* (cap), row t at t % cap */
	long	 cap, first;
	long	 npend;			/* forecasts in the ring */
	int	 lasttype;		/* of the last confirmed pivot; 0: none */
	int	 has[2];		/* an H (0), an L (1) confirmed */
	double	 last[2];		/* their last prices */
	double	 dsum;			/* distances of the resolved candles */
	long	 dn;
	struct pivscore_tally t;
};

struct pivscore {
	struct nextpiv		np;
	long			maxpend;
	struct pivscore_level	lev[PIVOTS_MAXLEVEL];
};

/* The figures of one level. */
struct pivscore_summary {
	int	level;
	long	scored, pending, warmup, dropped;
	double	type_pct, naive_type_pct;	/* accuracy, % */
	double	price_pct, naive_price_pct;	/* mean |error| / price, % */
	double	dist, naive_dist;		/* mean |error|, candles */
};

/* Levels as nextpiv_init; maxpend >= 1.  0, or CK_ERR (err says). */
int	pivscore_init(struct pivscore *, int k, const int *levels, int nlev,
	    long maxpend, char *err, size_t errlen);
void	pivscore_free(struct pivscore *);
/* Candle n = ps->np.p.n and its forecasts pred (nlev, in the levels'
 * order).  0, or CK_ERR (out of memory). */
int	pivscore_push(struct pivscore *, const struct candle *,
	    const struct pivscore_pred *pred, char *err, size_t errlen);
/* Level j (0 .. nlev-1) so far; pending: forecasts still waiting. */
void	pivscore_summary(const struct pivscore *, int j,
	    struct pivscore_summary *);

#endif
