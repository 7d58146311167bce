/*
 * predbatch.h - the windows of consecutive candles, predicted at once:
 * a program adds the window of each candle as it reads it and runs the
 * batch before any read that may block, so no row waits for more input.
 */
#ifndef PREDBATCH_H
#define PREDBATCH_H

#include "ck.h"
#include "history.h"
#include "live.h"
#include "prediction.h"
#include "window.h"

struct predbatch {
	int	 cap, n, W;
	int	 pivk;		/* window_input's */
	size_t	 nx;		/* floats of one window's input */
	int	 nw;		/* windows in x */
	float	*x;		/* (cap, nx) the full windows, in order */
	double	*scale;		/* (cap) of the full windows, in x's order */
	double	*close;		/* (cap) their last close, in x's order */
	int	*has;		/* (cap) by slot, 1: a full window (W + 1
				 * candles, and its contexts) */
	float	*probs;		/* (cap, MODEL_NCLASS) */
	int	 G, P;		/* ghost candles, pivot levels (predbatch_heads) */
	float	*ghost;		/* (cap, G, MODEL_NGHOST) */
	double	*next;		/* (cap, G, 4) */
	float	*piv;		/* (cap, P, 3), or NULL */
};

int	predbatch_init(struct predbatch *, int cap,
	    const struct model_config *, char *err, size_t errlen);
void	predbatch_free(struct predbatch *);
/* Room for the heads of a model of configuration cfg (model.h): 0, or
 * CK_ERR with err. */
int	predbatch_heads(struct predbatch *, const struct model_config *,
	    char *err, size_t errlen);
/* Add the window ending at candle number i of hi (its newest) with its
 * contexts from cw (window.h; NULL: none): the slot, in the order of
 * adding; -1 when the batch is full. */
int	predbatch_add(struct predbatch *, const struct history *,
	    const struct ctxwin *, long i);
/* Predict the added windows with lv's weights: out[slot] for each slot
 * with has[slot] (the action HOLD below minconf); returns how many.  The
 * batch is emptied. */
int	predbatch_run(struct predbatch *, struct live *, float minconf,
	    struct prediction *out);

#endif
