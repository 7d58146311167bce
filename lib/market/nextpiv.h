/*
 * nextpiv.h - the next pivot of a level, as a target for each candle, in
 * one pass and without lookahead beyond what confirms it.
 *
 * The next pivot of a level "confirmed after candle t" is the first pivot
 * of that level that pivots_push reports as confirmed by a row r > t.  A
 * confirmation at row r resolves every candle t < r not resolved yet, so
 * the unresolved candles are always one contiguous range, lo .. n-1: the
 * state is O(1) per level, whatever the input length.  When one row
 * confirms an H and an L of the same level, the one with the earlier pivot
 * candle is next (the same candle, an outside bar: the H).  The distance
 * from candle t is pivot - t; it may be <= 0 (a pivot candle at or before
 * t confirmed after t).
 */
#ifndef NEXTPIV_H
#define NEXTPIV_H

#include <stddef.h>
#include "ck.h"
#include "candle.h"
#include "pivots.h"

struct nextpiv_target {
	int	type;		/* +1: an H, -1: an L */
	double	price;		/* the H's high or the L's low */
	long	pivot;		/* the pivot candle's index */
	long	from;		/* the first candle this resolves */
};

struct nextpiv {
	struct pivots p;
	int	nlev;
	int	level[PIVOTS_MAXLEVEL];	/* each 1 .. PIVOTS_MAXLEVEL */
	long	lo[PIVOTS_MAXLEVEL];	/* the first unresolved candle */
};

/* k 1..PIVOTS_MAXK; levels (nlev, 1..PIVOTS_MAXLEVEL of them) each
 * 1..PIVOTS_MAXLEVEL, in any order: 0, or CK_ERR (err says). */
int	nextpiv_init(struct nextpiv *, int k, const int *levels, int nlev,
	    char *err, size_t errlen);
void	nextpiv_free(struct nextpiv *);
/* Push candle n = np->p.n.  For every level j whose next pivot this candle
 * confirmed, out[j] is set: candles out[j].from .. n-1 (all unresolved
 * ones before this candle) have it as their target.  out (nlev); entries
 * of other levels are left as they were.  Returns the bit mask of those
 * levels (bit j: np->level[j]).  Never allocates. */
unsigned nextpiv_push(struct nextpiv *, const struct candle *,
	    struct nextpiv_target out[]);

#endif
