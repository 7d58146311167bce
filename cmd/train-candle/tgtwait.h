/*
 * tgtwait.h - train-candle's samples waiting for their next-pivot
 * targets: with a model that has a next-pivot head, a labelled candle's
 * sample is kept until the next pivot of every head level has been
 * confirmed after it (nextpiv.h), and only then trained on, so that no
 * target is learned before the stream has shown it.  Bounded: a sample
 * whose candle is more than maxpend candles older than the newest is
 * dropped (not trained on) and counted.
 */
#ifndef TGTWAIT_H
#define TGTWAIT_H

#include "candle.h"
#include "ck.h"
#include "model.h"
#include "nextpiv.h"
#include "pivcols.h"

/* A sample waiting: its candle's number and its label. */
struct waiting {
	long	i;
	int	label;
};

struct tgtwait {
	struct nextpiv	 np;
	int		 P;
	long		 cap;		/* candles whose targets are kept */
	struct nextpiv_target *tg;	/* (cap, P): candle i's at i % cap */
	struct waiting	*q;		/* (qcap) ring, in the order held */
	long		 qh, qn, qcap;
	long		 maxpend;
	long		 dropped;	/* samples dropped, too old */
	long		 ready;		/* samples given with their targets */
};

/* For the head levels of cfg; maxpend >= 1.  0, or CK_ERR with err. */
int	tgtwait_init(struct tgtwait *, const struct model_config *cfg,
	    long maxpend, char *err, size_t errlen);
void	tgtwait_free(struct tgtwait *);
/* Candle number np.p.n (every candle of the stream, in order). */
void	tgtwait_push(struct tgtwait *, const struct candle *);
/* Keep the sample of candle i (already pushed) with its label. */
void	tgtwait_hold(struct tgtwait *, long i, int label);
/* The oldest held sample whose targets are all known, with them in tg
 * (P): 1, or 0 when the oldest is still waiting (or none is held).
 * Samples too old on the way are dropped. */
int	tgtwait_next(struct tgtwait *, struct waiting *,
	    struct nextpiv_target *tg);

#endif
