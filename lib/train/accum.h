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
#include "window.h"
#include "nextpiv.h"

struct accum {
	int	 K, n;		/* samples per step, samples kept */
	int	 W;
	int	 pivk;	/* window_input's */
	size_t	 nx;		/* floats of one window's input */
	float	*x;		/* (K, nx) */
	int	*label;		/* (K) class */
	int	 G, P;		/* ghost candles, pivot levels (accum_heads) */
	float	*ghost;		/* (K, G, MODEL_NGHOST) */
	float	*mask;		/* (K, G) 1 where the ghost target exists */
	float	*probs, *pghost;	/* (K, MODEL_NCLASS), (K, G, MODEL_NGHOST) */
	float	*piv, *pmask;	/* (K, P, 3), (K, P) pivot targets */
	const float *pw;	/* (3) the pivot terms' weights, NULL: the
				 * model's defaults */
	cktime	 tmax;		/* latest candle the kept samples use */
	struct adamw opt;
	/* results of the last step */
	float	 loss;		/* mean loss before the step */
	float	 loss_after;	/* the same samples after it, when after */
	int	 after;		/* 1: compute loss_after (a forward more) */
	long	 steps;		/* steps applied */
	long	 refused;	/* steps not applied: loss, gradient or update
				 * not finite (their samples are dropped) */
};

int	accum_init(struct accum *, int K, const struct model_config *,
	    const struct adamw *, char *err, size_t errlen);
void	accum_free(struct accum *);
/* Room for the targets of the heads of configuration cfg (model.h):
 * 0, or CK_ERR with err. */
int	accum_heads(struct accum *, const struct model_config *, char *err,
	    size_t errlen);
/* Keep the sample of the window ending at candle number i of hi, with
 * its contexts from cw (window.h; NULL: none), with a label; its ghost
 * target is used when candle i+1 is kept.  -1 when the window or its
 * contexts are not kept, 1 when K samples are kept, else 0. */
int	accum_add(struct accum *, const struct history *,
	    const struct ctxwin *, long i, int label);
/* The same with the next-pivot targets tg (P) of candle i, those of the
 * levels in bit mask `have` (bit j: level j) used, the others not. */
int	accum_add_piv(struct accum *, const struct history *,
	    const struct ctxwin *, long i, int label,
	    const struct nextpiv_target *tg, unsigned have);
/* Apply the kept samples as one step under the lock on lv's checkpoint,
 * then empty the buffer; the new weights are lv's from then on.  0 or a
 * ck_status with err (CK_ETIMEOUT: nothing was applied; the samples are
 * dropped all the same).  A step that is not finite is not applied either:
 * 0, and refused grows. */
int	accum_apply(struct accum *, struct live *, const struct ckpt_lockopt *,
	    char *err, size_t errlen);

/*
 * Group commits: when more input is already waiting, consecutive steps
 * under one lock hold and one checkpoint write for the group, each step the
 * same arithmetic on the same weights as accum_apply would give it, so
 * that the file after the group is the file after as many single updates.
 * A group ends after max_steps steps or once it has held the lock max_ms
 * milliseconds (the next writer in the lock's queue goes next), or when
 * the caller has no step due on waiting input.
 */
struct accum_group {
	int	max_steps;	/* >= 1; 1: every step its own commit */
	double	max_ms;		/* > 0 */
};
#define ACCUM_GROUP_STEPS	64	/* the defaults */
#define ACCUM_GROUP_MS		100.0

/*
 * The caller's side of a group, called after each step (lv's weights and
 * generation are then those after it; the file is written at the end of
 * the group): go_on 0, the group ends: take note of the step and return
 * 0; go_on 1: take note of the step, then keep samples from input that is
 * already waiting until the next step is due (1: the kept samples are
 * applied next) or none is (0: the group is committed and ends); never a
 * read that may block.
 */
typedef int (*accum_morefn)(void *arg, int go_on);

/* accum_apply for the kept samples, then further steps while more says
 * so and the group is under its limits.  0 or a ck_status with err as for
 * accum_apply (CK_ETIMEOUT: no step was applied). */
int	accum_apply_group(struct accum *, struct live *,
	    const struct ckpt_lockopt *, const struct accum_group *,
	    accum_morefn more, void *arg, char *err, size_t errlen);

#endif
