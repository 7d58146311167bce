/*
 * annot.h - annotation files: CSV with the header time,action[,...] and one
 * row per labelled candle (BUY, SELL or HOLD; extra columns ignored), as
 * written by `pivots --annotations` or by hand.  Knows text and times, not
 * candles or the model.
 */
#ifndef ANNOT_H
#define ANNOT_H

#include <stddef.h>
#include "ck.h"
#include "action.h"

struct annot {
	cktime	t;		/* the candle's time */
	int	action;		/* enum action (action.h): HOLD, BUY or SELL */
	long	line;		/* line in the file, for messages */
};

/*
 * Read every annotation of path ("-": standard input) into a new array
 * *a of *n entries (the caller frees it).  The time accepts every form
 * candle-feed does; the action is BUY, SELL or HOLD in any case.  Returns 0,
 * CK_EDATA with "file:line: reason" in err (unknown action, bad time, empty
 * file, missing header, too few fields), or CK_ERR.
 */
int	annot_read(const char *path, struct annot **a, long *n,
	    char *err, size_t errlen);

#endif
