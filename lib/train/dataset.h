/*
 * dataset.h - candle history in memory to training samples.
 *
 * A history holds every candle read, oldest first.  A label per candle
 * (from an annotation file or from the rules of labels.h) marks the
 * candles that become samples: a sample at candle t needs the W+1 candles
 * t-W .. t (features_window); its ghost target is candle t+1 when that
 * exists.  Samples stay in time order; the last fraction is held out for
 * validation.  Knows candles, features and labels; not text or files
 * beyond reading the candle stream.
 */
#ifndef DATASET_H
#define DATASET_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include "action.h"
#include "ck.h"
#include "history.h"


/*
 * Per-candle labels: label[i] an enum action or ACTION_NONE, known[i] the
 * index of the latest candle the label depends on (>= i).  Arrays of
 * history n, allocated by the caller.
 */
struct annot_count {
	long	 used;		/* joined to a candle with W candles of history */
	long	 nocandle;	/* no candle at that time */
	long	 nohistory;	/* fewer than W candles before it */
	long	 line_nocandle, line_nohistory;	/* the first of each, or 0 */
};
/* Join annotations to candles by exact time.  A second annotation of one
 * candle is CK_EDATA ("file:line: ..." with file the given name). */
int	labels_from_annot(int *label, long *known, const struct history *,
	    const struct annot *, long n, int W, const char *file,
	    struct annot_count *, char *err, size_t errlen);
/* The rules of labels.h over the whole history: pivot labels of level
 * `level` with strength k, or every-candle labels. */
int	labels_from_pivots(int *label, long *known, const struct history *,
	    int k, int level, char *err, size_t errlen);
int	labels_from_every(int *label, long *known, const struct history *,
	    int k, double threshold, char *err, size_t errlen);

struct dataset {
	int	 W;
	long	 n;		/* samples, in time order */
	float	*x;		/* (n, W, MODEL_NFEAT) features */
	float	*ghost;		/* (n, MODEL_NGHOST) ghost targets */
	float	*mask;		/* (n) 1 where the ghost target exists */
	int	*label;		/* (n) enum action */
	long	*cand;		/* (n) index of the sample's candle t */
	cktime	*used;		/* (n) time of the latest candle the sample uses */
	long	 ntrain;	/* [0, ntrain) train, [ntrain, n) validation */
	long	 count[3];	/* training samples per class */
};

/* Samples for every labelled candle with W candles of history;
 * *nshort counts the labelled candles that had fewer. 0 or CK_ERR. */
int	dataset_build(struct dataset *, const struct history *, const int *label,
	    const long *known, int W, long *nshort, char *err, size_t errlen);
/* Hold out the last round(frac * n) samples (0 <= frac < 1) and count
 * the training classes. */
void	dataset_split(struct dataset *, double frac);
void	dataset_free(struct dataset *);
/* Copy samples idx[0..B) into batch buffers x (B,W,5), label (B),
 * ghost (B,4), mask (B); returns the latest candle time they use. */
cktime	dataset_gather(const struct dataset *, const long *idx, int B, float *x,
	    int *label, float *ghost, float *mask);

/* Fisher-Yates with an unbiased bounded draw from splitmix64 (rng.h). */
void	dataset_shuffle(long *idx, long n, uint64_t *state);

#endif
