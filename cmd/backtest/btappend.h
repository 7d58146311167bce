/*
 * btappend.h - backtest's trade file kept across restarts (--append): the
 * trades already recorded are read back, a line torn by a kill is cut
 * off, and the program learns whether the restarted stream replays them
 * (from before the first recorded entry: they are recomputed and checked,
 * not written again) or resumes after them (the cash resumes from their
 * pnl).  Never prints, never exits.
 */
#ifndef BTAPPEND_H
#define BTAPPEND_H

#include <stddef.h>
#include "ck.h"
#include "backtest.h"

struct btr_append {
	int	fd;			/* the file, open for appending */
	const char *path;
	int	header;			/* the file starts with the header */
	int	torn;			/* a torn last line was cut off */
	long	recorded;		/* trades in the file */
	cktime	first_entry;
	double	pnl;			/* their pnl, summed */
	struct bt_trade last;		/* the last one recorded */
	long	skip;			/* replay: recomputed trades not written */
	int	resume;			/* resume: rows up to last.exit_time skipped */
};

/* Open (create) path and read its trades.  0, CK_ERR (I/O) or CK_EDATA
 * (not a trade file of this version) with "path[:line]: reason" in err. */
int	btr_append_open(struct btr_append *, const char *path, char *err,
	    size_t errlen);
/* At the first row (time t): replay or resume; *cash is raised by the
 * recorded pnl when resuming. */
void	btr_append_start(struct btr_append *, cktime t, double *cash);
/* A trade the run closed: 1 to write it, 0 to drop it (replayed), or
 * CK_EDATA when the replay differs from the record (err says so). */
int	btr_append_trade(struct btr_append *, const struct bt_trade *,
	    char *err, size_t errlen);

#endif
