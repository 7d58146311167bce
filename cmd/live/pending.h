/*
 * pending.h - the part of the live loop that infer(1) and train-candle(1)
 * share: the rows read but not yet written, their windows, and writing
 * them with their predictions before any read that may block.  Slot r of
 * the row queue and of the window batch is the same row.
 */
#ifndef PENDING_H
#define PENDING_H

#include "csvio.h"
#include "cstream.h"
#include "history.h"
#include "live.h"
#include "predbatch.h"
#include "predcols.h"
#include "rowqueue.h"

struct pending {
	struct rowqueue		 q;
	struct predbatch	 pb;
	struct prediction	*pred;		/* (batch) */
	struct predcols		 pc;
	float			 minconf;	/* below it the action is HOLD */
	int			 failing;	/* the last reload failed */
	long			 rows, preds;
};

/* Add the prediction columns (and the training ones), then those of the
 * heads of a model of configuration cfg (ghost candles after the next one,
 * next pivots) to cs, and hold up to batch rows of its windows.  0, or
 * CK_ERR with err. */
int	pending_init(struct pending *, struct cstream *, const char *prefix,
	    int training, int batch, const struct model_config *cfg, char *err,
	    size_t errlen);
void	pending_free(struct pending *);
/* Hold the row cs has just read (candle number i of hi, its newest; its
 * contexts in cw, NULL: none): its slot, or -1 when out of memory. */
int	pending_take(struct pending *, const struct cstream *,
	    const struct history *, const struct ctxwin *, long i);
/* Take newer weights when the file changed (a failed reload is told once
 * per run of failures), predict the held rows that have a window, write
 * every held row to out. */
void	pending_flush(struct pending *, struct live *, struct csvout *);

#endif
