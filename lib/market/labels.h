/*
 * labels.h - the training labels, defined once for every trainer (batch
 * over a history, online over a live stream).  Knows candles as plain
 * values and times; nothing of text or of the model.
 *
 * A label is an enum action (action.h: HOLD=0, BUY=1, SELL=2, also the
 * model's class indices); ACTION_NONE means "no label".
 *
 * Pivot label, at a pivot candle of level N (pivots.h defines pivots):
 *	BUY for an L pivot, SELL for an H pivot, ACTION_NONE for a candle that
 *	is both an H and an L of that level.  The ghost target of the sample
 *	is the candle after the pivot candle.  With HOLD (pivstream below),
 *	every other candle is HOLD once it can no longer become a pivot.
 *
 * Every-candle label of candle t, with strength k and threshold x
 * (default LABELS_THRESHOLD, 0.05%, or relative to the window's scale:
 * labels_every_final), decided when candle t+k has arrived and using
 * nothing later:
 *	if t is a level-1 pivot of exactly one kind (H or L, not both): its
 *	pivot label; otherwise, with m = close[t+1]/close[t] - 1: BUY if
 *	m > +x, SELL if m < -x, else HOLD.
 * The last k candles of a series have no every-candle label yet.
 *
 * Batch use: labels_pivots_final() or labels_every_final() over the
 * series (or pivots_mark() and labels_every() / labels_pivots() over the
 * flags).
 *
 * Streaming use from candles: a struct pivstream (pivot labels, with or
 * without HOLD).  Streaming use from the pivotN_high / pivotN_low columns
 * of a pivots stream:
 * - every-candle labels: a struct labeler, pushed once per row with that
 *   row's time and close and the pivot1_high / pivot1_low times confirmed at
 *   that row (by construction the candle k rows back, or none); it returns
 *   the label of candle r-k.
 * - pivot labels of level N: a struct pivlabeler, pushed once per row with
 *   the times of levels 1..N confirmed at that row.  At level 1 the H and L
 *   of one candle are confirmed on the same row, so a label is given at the
 *   confirmation row.  At level N > 1 they can be confirmed on different
 *   rows: for a candle that is both an H and an L at level 1 (an outside
 *   bar), the label waits until both kinds are decided at level N (the
 *   decision row, when the next pivot of the level below is confirmed), so
 *   that a both-candle is never labelled.
 * Streaming and batch give the same label for every candle
 * (tests/unit/labels.c checks it on the bundled data and random series).
 */
#ifndef LABELS_H
#define LABELS_H

#include <stddef.h>
#include "ck.h"
#include "action.h"
#include "pivots.h"

#define LABELS_THRESHOLD 0.0005

/* BUY when only is_low, SELL when only is_high, else ACTION_NONE. */
int	label_pivot(int is_high, int is_low);
/* The move rule alone: BUY, SELL or HOLD from close_t to close_next. */
int	label_move(double close_t, double close_next, double threshold);
/* The every-candle rule for one candle: label_pivot when exactly one of
 * is_high, is_low (level 1), else label_move. */
int	label_every(int is_high, int is_low, double close_t, double close_next,
	    double threshold);

/* Batch, over a whole series.  flags (n) from pivots_mark (pivots.h) with
 * at least level 1 (labels_every) or level `level` (labels_pivots).
 * labels_every: out (n), out[t] for t < n-k, ACTION_NONE for the last k
 * (undecided).  labels_pivots: out (n), the pivot label of each candle at
 * that level; ACTION_NONE for non-pivots, both-candles, and the level-1
 * outside bars whose level-`level` kinds are not all decided within the
 * series (PIVOT_OPEN; a few at the end at most), exactly as the streaming
 * pivlabeler over the same series. */
void	labels_every(signed char *out, const unsigned *flags,
	    const double *close, long n, int k, double threshold);
void	labels_pivots(signed char *out, const unsigned *flags, long n,
	    int level);

/* Streaming every-candle labels.  Memory: k+1 times and closes. */
struct labeler {
	int	 k;
	double	 threshold;
	long	 n;		/* rows pushed */
	cktime	*t;		/* (k+1) ring */
	double	*close;		/* (k+1) ring */
};

/* k >= 1 (must equal the strength of the pivots upstream): 0 or CK_ERR. */
int	labeler_init(struct labeler *, int k, double threshold, char *err,
	    size_t errlen);
void	labeler_free(struct labeler *);
/*
 * Row r: its time and close, and the times of the level-1 H and L pivots
 * confirmed at this row (CKTIME_NONE when none), as the pivot1_high and
 * pivot1_low columns give them.  Returns 1 with *lt, *label set to candle
 * r-k's time and every-candle label; 0 while r < k; CK_EDATA when a
 * confirmed time is not candle r-k's (the upstream strength differs from k),
 * with the reason in err.
 */
int	labeler_push(struct labeler *, cktime t, double close, cktime hi,
	    cktime lo, cktime *lt, int *label, char *err, size_t errlen);

/* Streaming pivot labels of one level.  Memory: a few candles per level. */
#define PIVLABELER_MAX	(2 * 5 + 2)	/* 2 * PIVOTS_MAXLEVEL + 2 */
#define PIVLABELER_OUT	(PIVLABELER_MAX + 2)	/* labels one row can give */

struct pivlabeler {
	int	level;
	int	n;			/* outside bars being followed */
	struct {
		cktime	t;
		int	reach[2];	/* level reached as H, as L */
		int	open[2];	/* 1 while that kind may still rise */
	} c[PIVLABELER_MAX];
};

/* level 1..PIVOTS_MAXLEVEL: 0 or CK_ERR. */
int	pivlabeler_init(struct pivlabeler *, int level, char *err,
	    size_t errlen);
/*
 * One row: hi[m-1], lo[m-1] the times of the level-m H and L pivots
 * confirmed at this row (CKTIME_NONE when none), m = 1..level.  Writes the
 * labels decided at this row (usually 0 or 1; each for a different candle)
 * to t[] and label[] (ACTION_BUY or ACTION_SELL) and returns their count.  A label may be
 * decided after its pivot's confirmation row (see above); its window still
 * ends at the pivot candle t.
 */
int	pivlabeler_push(struct pivlabeler *, const cktime *hi,
	    const cktime *lo, cktime t[PIVLABELER_OUT],
	    int label[PIVLABELER_OUT]);

/*
 * Pivot labels that teach HOLD, decided from the candles themselves (the
 * labeller runs its own pivots engine, strength k, levels 1..level): push
 * one candle, get the labels of the candles that became final at this
 * push, oldest first.  A candle is final once it can no longer become a
 * pivot of any level up to `level` (pivots_decided): then it is BUY when
 * it is a level-`level` L pivot and not an H, SELL when an H and not an
 * L, no label when both, and HOLD when it is neither (with hold; without,
 * no label: the pivots-only mode).  So a non-pivot candle is labelled k
 * candles after it at the earliest, later while it is a lower-level pivot
 * waiting for the next one of its kind; nothing is labelled before the
 * information exists.  Memory: k + 2 * level + 2 candles.
 */
#define PIVSTREAM_OUT	(2 * PIVOTS_MAXLEVEL)	/* labels one push can give */

struct pivstream {
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];	/* the last push's */
	int	 level, hold;
	int	 n, cap;	/* candles waiting to be final, oldest first */
	struct pivwait {
		long	 i;	/* candle index */
		cktime	 t;
		unsigned kind;	/* 1: H at the level, 2: L at the level */
	} *w;
};

/* k 1..PIVOTS_MAXK, level 1..PIVOTS_MAXLEVEL: 0 or CK_ERR. */
int	pivstream_init(struct pivstream *, int k, int level, int hold,
	    char *err, size_t errlen);
void	pivstream_free(struct pivstream *);
/* Candle number s->p.n (its time and high and low are used): writes the
 * candle indices, times and labels decided at this push, oldest first, and
 * returns their count (0 .. PIVSTREAM_OUT).  s->conf then holds the pivots
 * this candle confirmed, level by level (pivots_push). */
int	pivstream_push(struct pivstream *, const struct candle *,
	    long i[PIVSTREAM_OUT], cktime t[PIVSTREAM_OUT],
	    int label[PIVSTREAM_OUT]);

/*
 * Whole series, for batch training.  high, low, close (n).  label (n)
 * gets each candle's label or ACTION_NONE, known (n) the index of the
 * candle at which it was decided (>= its own; candles not decided within
 * the series have ACTION_NONE).
 * labels_pivots_final: pivstream's labels, exactly as pushed one by one.
 * labels_every_final: the every-candle labels (known = t + k).  With
 * scale_window W > 0 the threshold is relative: candle t's threshold is
 * threshold * s_t, where s_t is the standard deviation (population) of the
 * W log returns ln(close[i] / close[i-1]), i = t-W+1 .. t, the scale of
 * the model's window (features.h); candles t < W get no label.  0 or CK_ERR.
 */
int	labels_pivots_final(int *label, long *known, const double *high,
	    const double *low, long n, int k, int level, int hold, char *err,
	    size_t errlen);
int	labels_every_final(int *label, long *known, const double *high,
	    const double *low, const double *close, long n, int k,
	    double threshold, int scale_window, char *err, size_t errlen);
/* s_t of labels_every_final, for candle t >= W of close (n). */
double	labels_scale(const double *close, long t, int W);

#endif
