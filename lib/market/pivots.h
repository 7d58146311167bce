/*
 * pivots.h - causal Williams market-structure pivots (the definition is
 * below and in the manual).  Knows candles as values and times, nothing of text or of
 * the model.
 *
 * Level 1, strength k: candle i is a high pivot (H) when high[i] is
 * strictly greater than the highs of candles i-k .. i-1 and greater than or
 * equal to the highs of i+1 .. i+k; a low pivot (L) likewise on lows
 * (strictly lower before, lower or equal after).  Candles 0 .. k-1 are never
 * pivots.  It is confirmed (known) when candle i+k arrives.
 * Level n > 1: of the level-(n-1) H pivots in candle order, one is a level-n
 * H when its high is strictly greater than the previous one's and greater
 * than or equal to the next one's (the first has no previous one and is
 * never a level-n pivot); L likewise.  It is confirmed when that next
 * level-(n-1) pivot of its kind is confirmed.
 *
 * Candle indices count the candles pushed, from 0.
 */
#ifndef PIVOTS_H
#define PIVOTS_H

#include <stddef.h>
#include "ck.h"
#include "candle.h"

#define PIVOTS_MAXLEVEL	5
#define PIVOTS_MAXK	10000
#define PIVOTS_K	2	/* default strength */
#define PIVOTS_LEVELS	2	/* default level count */

/* One pivot: a candle and its price (the high of an H, the low of an L). */
struct pivot {
	long	i;		/* candle index; -1: none */
	cktime	t;
	double	price;
};

/* What one row confirmed at one level: at most one H and one L, which may
 * be different candles. */
struct pivot_conf {
	struct pivot hi, lo;
};

enum trend { TREND_NONE, TREND_UP, TREND_DOWN, TREND_SIDE };

/* The streaming engine.  Memory: 2k+1 candles (a ring rounded up to a power
 * of two) and a few pivots per level,
 * whatever the input length; pivots_push never allocates. */
struct pivots {
	int	 k, levels;
	long	 n;		/* candles pushed */
	int	 cap;		/* a power of two >= 2k+1 */
	double	*hi, *lo;	/* (cap) ring of the last candles' highs, lows */
	cktime	*t;		/* (cap) their times */
	long	*dqh, *dql;	/* (cap) monotone deques of candle indices */
	int	 hh, nh, hl, nl;	/* deque heads and lengths */
	/* per level n >= 2 (index n-1): the last two level-(n-1) pivots */
	struct pivot prevh[PIVOTS_MAXLEVEL], candh[PIVOTS_MAXLEVEL];
	struct pivot prevl[PIVOTS_MAXLEVEL], candl[PIVOTS_MAXLEVEL];
	/* per level: the last two confirmed pivots of the level, for trends */
	double	 lasth[PIVOTS_MAXLEVEL][2], lastl[PIVOTS_MAXLEVEL][2];
	int	 nlasth[PIVOTS_MAXLEVEL], nlastl[PIVOTS_MAXLEVEL];
};

/* k 1..PIVOTS_MAXK, levels 1..PIVOTS_MAXLEVEL: 0, or CK_ERR (err says). */
int	pivots_init(struct pivots *, int k, int levels, char *err, size_t errlen);
void	pivots_free(struct pivots *);
/* Consume candle number p->n; conf (levels) gets what this row confirmed,
 * conf[n-1] for level n.  Returns the number of pivots confirmed. */
int	pivots_push(struct pivots *, const struct candle *, struct pivot_conf *conf);
/* Trend of a level after the last push: UP when the last two confirmed H
 * and the last two confirmed L of the level both rise (strictly), DOWN when
 * both fall, SIDE otherwise; NONE until two of each are confirmed. */
enum trend pivots_trend(const struct pivots *, int level);
const char *pivots_trendname(enum trend);
/* The oldest candle whose pivot status (at any level) may still change;
 * candles before it are final.  Equals p->n when nothing is pending. */
long	pivots_pending(const struct pivots *);
/* 1 when candle i's pivot status (every level) can no longer change after
 * the last push: i < n - k and i is no level's pending candidate (some
 * candles after pivots_pending() are decided already); else 0. */
int	pivots_decided(const struct pivots *, long i);

/* Per-candle flags over a whole series: bit PIVOT_H(n) set when the
 * candle is a level-n H pivot confirmed within the series, PIVOT_L(n) for L.
 * PIVOT_OPEN(n), n >= 2 (pivots_mark only): whether the candle is a level-n
 * pivot of some kind is not decided within the series (it is the last
 * level-(n-1) pivot of that kind; candles after the series decide).
 * labels_pivots gives a level-1 outside bar with an open level no label
 * yet, as the streaming pivlabeler does. */
#define PIVOT_H(n)	(1u << (2 * ((n) - 1)))
#define PIVOT_L(n)	(1u << (2 * ((n) - 1) + 1))
#define PIVOT_OPEN(n)	(1u << (16 + (n)))
#define PIVOT_OPENMASK	(0xffu << 16)

/* The level-1 status of candle k of the 2k+1 candles high, low [0 .. 2k]
 * (k before it, k after it): PIVOT_H(1) and/or PIVOT_L(1), or 0.  What
 * candle 2k confirms, without state. */
unsigned	pivots_at(const double *high, const double *low, int k);

/* The streaming engine over arrays: flags (n).  high, low (n).  0 or CK_ERR. */
int	pivots_mark(unsigned *flags, const double *high, const double *low,
	    long n, int k, int levels, char *err, size_t errlen);

/* The slow reference, by brute force from the definition over the whole
 * series, for tests.  hat, lat (n, levels): hat[r*levels + n-1] is the
 * candle index of the level-n H confirmed at row r, or -1; lat for L.
 * flags (n) as pivots_mark.  Allocates; 0 or CK_ERR. */
int	pivots_ref(long *hat, long *lat, unsigned *flags, const double *high,
	    const double *low, long n, int k, int levels);

#endif
