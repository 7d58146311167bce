/*
 * btfcast.h - backtest's forecast columns beyond the action and the next
 * candle: the next-pivot groups <prefix>pivot_L<level>_type, _p, _price,
 * _in and the multi-step ghost next<i>_open .. next<i>_close (i >= 2;
 * i = 1 is next_*), read from the stream and scored as it goes
 * (pivscore.h, ghostscore.h).  Writes only to the FILE * it is given.
 */
#ifndef BTFCAST_H
#define BTFCAST_H

#include <stdio.h>
#include "ck.h"
#include "candle.h"
#include "cstream.h"
#include "pivscore.h"
#include "ghostscore.h"
#include "chart.h"

/* Input columns, -1 when absent. */
struct btr_fcols {
	int	npiv;			/* pivot groups found */
	int	level[PIVOTS_MAXLEVEL];
	int	type[PIVOTS_MAXLEVEL], p[PIVOTS_MAXLEVEL];
	int	price[PIVOTS_MAXLEVEL], in[PIVOTS_MAXLEVEL];
	int	steps;			/* ghost steps, >= 2 when scored */
	int	ghost[GHOSTSCORE_MAXSTEPS][4];	/* open, high, low, close */
};

struct btr_fcast {
	struct btr_fcols	cols;
	int			k;		/* the pivots' strength */
	long			maxpend;
	struct pivscore		ps;		/* when cols.npiv > 0 */
	struct ghostscore	gs;		/* when cols.steps >= 2 */
	struct chart_fcast	last;		/* the last row's, for the charts */
};

/* The forecast columns of the stream whose names start with prefix
 * into f->cols, and the scorers for them (k, maxpend: pivscore_init).
 * 1 when there are some, 0 when none, CK_EDATA (a group without one of
 * its columns, a level not in 1..5) or CK_ERR with err. */
int	btr_fcast_init(struct btr_fcast *, const struct cstream *,
	    const char *prefix, int k, long maxpend, char *err, size_t errlen);
void	btr_fcast_free(struct btr_fcast *);
/* This row: its candle and forecasts.  0, or CK_EDATA with err "what
 * 'field'" (the caller adds file:line), or CK_ERR. */
int	btr_fcast_push(struct btr_fcast *, const struct cstream *,
	    const struct candle *, char *err, size_t errlen);
/* The --live status line's part: " L2 type 61.2/50.0% ..." */
void	btr_fcast_status(FILE *, const struct btr_fcast *);

#endif
