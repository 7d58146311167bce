/*
 * pivcols.h - train-candle's labels, from the pivotN_high / pivotN_low
 * columns pivots(1) adds upstream, decided by labels.h's streaming
 * labellers and nothing else:
 *  every:  the labeller decides candle r-k at row r (level-1 columns);
 *  pivots: with HOLD (the default), labels.h's pivstream over the candles
 *	themselves, strength k and levels 1..N: every candle is labelled
 *	once it can no longer become a pivot (BUY, SELL, or HOLD), and the
 *	pivots it confirms must be those of the columns (else the pivots
 *	upstream have another strength or level: a data error);
 *	without HOLD, the pivot labeller of level N (columns of levels
 *	1..N): a pivot of one kind is labelled when it is confirmed, a
 *	level-1 outside bar when both of its kinds are decided at level N.
 */
#ifndef PIVCOLS_H
#define PIVCOLS_H

#include "ck.h"
#include "cstream.h"
#include "labels.h"
#include "pivots.h"

enum on { ON_NONE, ON_PIVOTS, ON_EVERY };

struct pivcols {
	enum on		 on;
	int		 level;
	int		 hcol[PIVOTS_MAXLEVEL];	/* pivotM_high, M = 1..level */
	int		 lcol[PIVOTS_MAXLEVEL];	/* pivotM_low */
	int		 hold;		/* pivots: teach HOLD */
	struct labeler	 lb;		/* every */
	struct pivlabeler pl;		/* pivots without HOLD */
	struct pivstream ps;		/* pivots with HOLD */
};

/* A sample a row triggers: the candle's time and its label. */
struct sample {
	cktime	t;
	int	label;
};
#define PIVCOLS_MAXSAMPLES \
	(PIVLABELER_OUT > PIVSTREAM_OUT ? PIVLABELER_OUT : PIVSTREAM_OUT)

/* CK_EDATA with a clear message when the needed columns are missing. */
int	pivcols_init(struct pivcols *, const struct cstream *, enum on,
	    int level, int k, int hold, double threshold, char *err,
	    size_t errlen);
void	pivcols_free(struct pivcols *);
/* The samples the row cs has just read (candle c) triggers, oldest first:
 * their number, or CK_EDATA ("file:line: reason"). */
int	pivcols_row(struct pivcols *, const struct cstream *,
	    const struct candle *c, struct sample *out, char *err,
	    size_t errlen);

#endif
