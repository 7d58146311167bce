/*
 * predcols.h - the prediction columns of a candle stream (candle-stream(5)):
 * action, confidence, p_hold, p_buy, p_sell, next_open, next_high,
 * next_low, next_close, model_gen, and, for online training, label,
 * label_time, loss; each name may carry a prefix.  Values in, text out.
 */
#ifndef PREDCOLS_H
#define PREDCOLS_H

#include <stddef.h>
#include <stdint.h>
#include "ck.h"
#include "cstream.h"
#include "prediction.h"
#include "rowqueue.h"

enum predcol {
	PC_ACTION, PC_CONF, PC_PHOLD, PC_PBUY, PC_PSELL,
	PC_NOPEN, PC_NHIGH, PC_NLOW, PC_NCLOSE, PC_GEN,
	PC_LABEL, PC_LTIME, PC_LOSS,
	PC_N
};
#define PC_NPRED	PC_LABEL	/* the prediction's own columns */

struct predcols {
	int	n;		/* PC_NPRED, or PC_N with the training columns */
	int	k[PC_N];	/* cstream_addcol slots */
	/* the heads' columns (predcols_heads), after those */
	int	nmore, npiv;
	int	kmore[PRED_MAXGHOST - 1][4];
	int	kpiv[PRED_MAXPIV][4];
};

/* Add the columns (prefix + name) to cs, before its header is written.
 * 0, or CK_ERR with err. */
int	predcols_add(struct predcols *, struct cstream *, const char *prefix,
	    int training, char *err, size_t errlen);
/* Then the columns of the ghost candles 2 .. nmore+1 ahead (next<i>_open,
 * _high, _low, _close) and of the next pivot of each level level[j]
 * (pivot_L<level>_type, _p, _price, _in).  0, or CK_ERR with err. */
int	predcols_heads(struct predcols *, struct cstream *, const char *prefix,
	    int nmore, int npiv, const int *level, char *err, size_t errlen);
/* The prediction's columns of held row r. */
void	predcols_set(const struct predcols *, struct rowqueue *, int r,
	    const struct prediction *);
/* The training columns of held row r: a label and its candle's time, the
 * loss of a step. */
void	predcols_label(const struct predcols *, struct rowqueue *, int r,
	    int action, cktime t);
void	predcols_loss(const struct predcols *, struct rowqueue *, int r,
	    float loss);

#endif
