/*
 * pivrows.h - the stream side of pivots(1): the added columns, the rows
 * of the streaming mode, the rows held back by --at-pivot until their
 * pivots are final, and the level-N pivots awaiting --annotations.  Knows
 * the candle stream and the pivot engine; writes only to the csvout the
 * program owns; never prints, never exits (-1 is an allocation failure,
 * errno set).
 */
#ifndef PIVROWS_H
#define PIVROWS_H

#include "ck.h"
#include "cstream.h"
#include "csvio.h"
#include "pivots.h"
#include "rowcopy.h"

/* A row held back by --at-pivot: its input fields and what it gets. */
struct pivheld {
	struct rowcopy in;	/* its input fields */
	cktime	 t;
	unsigned flags;		/* PIVOT_H(n) / PIVOT_L(n): its own pivots */
	enum trend trend[PIVOTS_MAXLEVEL];
};

/* The --at-pivot queue: a ring of held rows, candle indices base.. */
struct pivq {
	struct pivheld *row;
	long	 cap, head, len, base;
};

/* A level-N pivot awaiting its turn in --annotations (sorted by index). */
struct pivmark {
	long	 i;
	cktime	 t;
	unsigned kind;		/* 1 H, 2 L */
};

struct pivmarks {
	struct pivmark *m;
	long	 len, cap;
};

/*
 * The time texts of the last rows, so that a level-1 pivot (always k rows
 * back) is written by copying its text, not formatting its time.
 */
struct pivtexts {
	char	(*s)[20];
	unsigned char *ok;
	long	 mask;
};

/* Add pivotN_high, pivotN_low[, trendN] per level; col gets 3 per level
 * (-1: no trend column).  0, or -1 when a column cannot be added. */
int	pivrows_addcols(struct cstream *, int levels, int trend, int *col);

int	pivtexts_init(struct pivtexts *, int k);
void	pivtexts_keep(struct pivtexts *, const struct cstream *, long row);
void	pivtexts_free(struct pivtexts *);
/* Streaming: set this row's added columns, the pivots confirmed at it
 * (conf) and the trends. */
void	pivrows_setrow(struct cstream *, int levels, int trend, const int *col,
	    const struct pivots *, const struct pivot_conf *conf,
	    const struct pivtexts *);

/* Hold the current input row (candle index base + len). */
int	pivq_push(struct pivq *, const struct cstream *, int levels,
	    const struct pivots *, cktime t);
/* Flag the held rows that the pivots in conf fall on. */
void	pivq_mark(struct pivq *, int levels, const struct pivot_conf *conf);
/* Write the held rows before candle index upto, as the streaming mode
 * would write them. */
void	pivq_release(struct pivq *, const struct cstream *, struct csvout *,
	    int levels, const int *col, long upto);
void	pivq_free(struct pivq *);

/* Insert a level-N pivot (kind 1 H, 2 L), keeping the list sorted. */
int	pivmarks_add(struct pivmarks *, const struct pivot *, unsigned kind);
/* Write the marks before candle index upto as time,action: BUY at L,
 * SELL at H, nothing for a candle that is both. */
void	pivmarks_release(struct pivmarks *, struct csvout *, long upto);
void	pivmarks_free(struct pivmarks *);

#endif
