/*
 * dataset.h - candle history in memory to training samples.
 *
 * A history that keeps every candle (history.h, keep 0).  A label per
 * candle (the caller's: annotations, or the rules of labels.h) and the
 * index of the latest candle the label depends on mark the candles that
 * become samples: a sample at candle t needs the W+1 candles t-W .. t
 * (features_window); its ghost target is candle t+1 when that exists.
 * Samples stay in time order; the last fraction is held out for
 * validation.  Knows candles, features and labels; no text, no files.
 */
#ifndef DATASET_H
#define DATASET_H

#include <stddef.h>
#include <stdint.h>
#include "candle.h"
#include "ck.h"
#include "history.h"
#include "model.h"

struct dataset {
	int	 W;
	long	 n;		/* samples, in time order */
	size_t	 nx;		/* floats per sample (model_xsize) */
	float	*x;		/* (n, nx) features */
	int	 G;		/* ghost candles per sample (1 unless
				 * dataset_heads says more) */
	float	*ghost;		/* (n, G, MODEL_NGHOST) ghost targets */
	float	*mask;		/* (n, G) 1 where the ghost target exists */
	int	 P;		/* next-pivot head levels (dataset_heads) */
	float	*piv;		/* (n, P, 3) pivot targets (struct batch), or NULL */
	float	*pmask;		/* (n, P) 1 where the pivot target exists */
	const float *pw;	/* (3) the pivot terms' weights; NULL: the
				 * model's defaults */
	int	*label;		/* (n) enum action */
	long	*cand;		/* (n) index of the sample's candle t */
	cktime	*used;		/* (n) time of the latest candle the sample uses */
	long	 ntrain;	/* [0, ntrain) train, [ntrain, n) validation */
	long	 count[3];	/* training samples per class */
	float	 weight[MODEL_NCLASS];	/* the loss's class weights (1 each) */
};

/*
 * The loss's class weights (struct batch's weight), from the training
 * split's counts (dataset_split first):
 * CLASSW_AUTO	inverse frequency, w_c = ntrain / (K n_c) for the K classes
 *		present, 0 for a class absent: each present class weighs the
 *		same in the loss as a whole, and the mean weight of a training
 *		sample is 1;
 * CLASSW_NONE	1 each;
 * CLASSW_GIVEN	given (3), as they are.
 */
enum classw { CLASSW_AUTO, CLASSW_NONE, CLASSW_GIVEN };
void	dataset_weights(struct dataset *, enum classw, const float *given);

/* Samples of a model of configuration cfg for every labelled candle
 * (label >= 0) with W candles of history and its contexts (window.h,
 * ctxwin: as a stream would see them); *nshort counts the labelled
 * candles that had less.  ref (n, cfg->nctx): row i's reference candles
 * (ctxwin_push), NULL without references.  0 or CK_ERR. */
int	dataset_build(struct dataset *, const struct history *,
	    const struct candle *ref, const int *label, const long *known,
	    const struct model_config *cfg, long *nshort, char *err,
	    size_t errlen);
/*
 * The targets of the heads a configuration adds (model.h): the next G
 * candles of each sample (a step's target exists when its candle does),
 * and for each of its pivot levels the next pivot of that level confirmed
 * after the sample's candle (nextpiv.h, with cfg's piv_k) over the whole
 * history: labels may look ahead, the inputs never do.  A pivot target is
 * y = 1 for an H (0 for an L), the price as a ghost target
 * (features_target: log(price / close) / s), the distance in candles
 * (pivot - t); it exists when such a pivot is confirmed within the
 * history.  A sample's used time grows to the latest candle its targets
 * need.  Call after dataset_build, before dataset_split.  0 or CK_ERR.
 */
int	dataset_heads(struct dataset *, const struct history *,
	    const struct model_config *, char *err, size_t errlen);
/* Hold out the last round(frac * n) samples (0 <= frac < 1) and count
 * the training classes. */
void	dataset_split(struct dataset *, double frac);
void	dataset_free(struct dataset *);
/* Copy samples idx[0..B) into batch buffers x (B,nx), label (B),
 * ghost (B,G,4), mask (B,G); returns the latest candle time they use. */
cktime	dataset_gather(const struct dataset *, const long *idx, int B, float *x,
	    int *label, float *ghost, float *mask);
/* And their pivot targets piv (B,P,3), pmask (B,P) (P > 0). */
void	dataset_gather_piv(const struct dataset *, const long *idx, int B,
	    float *piv, float *pmask);

/* Fisher-Yates with an unbiased bounded draw from splitmix64 (rng.h). */
void	dataset_shuffle(long *idx, long n, uint64_t *state);

#endif
