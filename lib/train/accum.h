/*
 * accum.h - online training: samples (a window of a history and its
 * label) accumulated until K are kept, then applied as one optimizer step
 * through ckpt_update, so that the gradient is computed under the lock on
 * the latest weights and every step of every process lands.
 */
#ifndef ACCUM_H
#define ACCUM_H

#include "ck.h"
#include "ckpt.h"
#include "history.h"
#include "live.h"
#include "model.h"

struct accum {
	int	 K, n;		/* samples per step, samples kept */
	int	 W;
	float	*x;		/* (K, W, MODEL_NFEAT) */
	int	*label;		/* (K) class */
	float	*ghost;		/* (K, MODEL_NGHOST) */
	float	*mask;		/* (K) 1 where the ghost target exists */
	float	*probs, *pghost;	/* (K, MODEL_NCLASS), (K, MODEL_NGHOST) */
	cktime	 tmax;		/* latest candle the kept samples use */
	struct adamw opt;
	/* results of the last step */
	float	 loss;		/* mean loss before the step */
	float	 loss_after;	/* the same samples after it */
	long	 steps;		/* steps applied */
	long	 refused;	/* steps not applied: loss, gradient or update
				 * not finite (their samples are dropped) */
};

int	accum_init(struct accum *, int K, int W, const struct adamw *,
	    char *err, size_t errlen);
void	accum_free(struct accum *);
/* Keep the sample of the window ending at candle number i of hi with a
 * label; its ghost target is used when candle i+1 is kept.  -1 when the
 * window is not in the history, 1 when K samples are kept, else 0. */
int	accum_add(struct accum *, const struct history *, long i, int label);
/* Apply the kept samples as one step under the lock on lv's checkpoint,
 * then empty the buffer; the new weights are lv's from then on.  0 or a
 * ck_status with err (CK_ETIMEOUT: nothing was applied; the samples are
 * dropped all the same).  A step that is not finite is not applied either:
 * 0, and refused grows. */
int	accum_apply(struct accum *, struct live *, const struct ckpt_lockopt *,
	    char *err, size_t errlen);

#endif
