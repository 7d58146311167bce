/*
 * window.h - a history's candles to the model's inputs and targets: the
 * one place where a series (history.h) meets features (features.h).
 */
#ifndef WINDOW_H
#define WINDOW_H

#include "candle.h"
#include "history.h"
#include "model.h"
#include "resample.h"
#include "nextpiv.h"

/* Features x (W, MODEL_NFEAT) and scale *s of the window ending at candle
 * number i: 0, or -1 when candles i-W .. i are not all kept. */
int	window_features(const struct history *, long i, int W, float *x,
	    double *s);
/* Ghost target g (MODEL_NGHOST) of that window, from candle i+1: 0, or -1
 * when candle i+1 is not kept. */
int	window_target(const struct history *, long i, double s, float *g);

/*
 * The context sequences of a model (model.h), built causally from the
 * candles as they come, one by one, with memory bounded by the settings.
 * A timeframe context resamples the candles into UTC-aligned buckets
 * (resample.h) and, at candle t, holds the last N buckets as they are
 * after candle t: the completed ones, then as the last the bucket in
 * progress built from the candles up to t (flagged), when there is one;
 * a bucket completed by t itself is a completed one.  A reference context
 * holds the reference's candles of the last N rows.  Each also keeps the
 * candle before its first (its close starts the features, features.h),
 * so it needs N+1 candles: the warm-up.  A row without the reference's
 * candle starts the reference's history anew.
 *
 * The features of the last `keep` candles pushed are remembered, so that
 * a sample labelled later finds the context its candle had.
 */
struct ctxwin {
	int		 nctx;
	struct model_ctx ctx[MODEL_MAXCTX];
	const char	*prefix[MODEL_MAXCTX];	/* a reference's column
						 * prefix; NULL: a timeframe */
	size_t		 size;		/* floats of every context, one candle */
	long		 n;		/* candles pushed */
	long		 keep;		/* candles whose features are kept */
	float		*x;		/* (keep, size) ring, by candle number */
	unsigned char	*ok;		/* (keep) the candle's are complete */
	double		*tmp;		/* (5, maxN + 1) a sequence's candles */
	struct ctxseq {
		struct resample	 rs;	/* a timeframe's buckets */
		struct history	 done;	/* completed buckets, or the
					 * reference's candles: the last N+1 */
	} seq[MODEL_MAXCTX];
};

/* For cfg's contexts (none: nothing to do, every candle has its context).
 * 0, or CK_ERR with err. */
int	ctxwin_init(struct ctxwin *, const struct model_config *, long keep,
	    char *err, size_t errlen);
void	ctxwin_free(struct ctxwin *);
/* Push the next candle c and, for each context k that is a reference,
 * ref[k]: the reference's candle in c's row, or one with time CKTIME_NONE
 * when the row has none (ref may be NULL without references).  0, or
 * CK_ERR when out of memory. */
int	ctxwin_push(struct ctxwin *, const struct candle *c,
	    const struct candle *ref);
/* x (size) the contexts of candle number i: 0, or -1 when some context
 * had not its N+1 candles then, or i is no longer kept. */
int	ctxwin_get(const struct ctxwin *, long i, float *x);
/* The whole input of candle number i (model_xsize floats): the window
 * (window_features; with pivk > 0 also the pivot features of a model's
 * piv_feat, of strength pivk) and the contexts (cw NULL: none).  0 or -1. */
int	window_input(const struct history *, const struct ctxwin *, long i,
	    int W, int pivk, float *x, double *s);
/* The pivk of a model's input: its piv_k when it reads pivot features,
 * else 0. */
int	window_pivk(const struct model_config *);
/* Ghost targets g (G, MODEL_NGHOST) of candles i+1 .. i+G, mask (G) 1
 * where that candle is kept (its g then as window_target's), else 0. */
void	window_targets(const struct history *, long i, double s, int G,
	    float *g, float *mask);
/* The next-pivot target out (3) of that window as the model learns it
 * (struct batch's piv): 1 for an H (0 for an L), the price as a ghost
 * target from candle i's close, the distance pivot - i in candles.  0, or
 * -1 when candle i is not kept. */
int	window_pivot_target(const struct history *, long i, double s,
	    const struct nextpiv_target *, float *out);

#endif
