/*
 * annotjoin.h - train-batch's labels from an annotation file.
 */
#ifndef ANNOTJOIN_H
#define ANNOTJOIN_H

#include <stddef.h>
#include "annot.h"
#include "dataset.h"

struct annot_count {
	long	 used;		/* joined to a candle with W candles of history */
	long	 nocandle;	/* no candle at that time */
	long	 nohistory;	/* fewer than W candles before it */
	long	 line_nocandle, line_nohistory;	/* the first of each, or 0 */
};
/* label (n), known (n) of the history's candles from the annotations a
 * (na), joined by exact time; known[i] = i.  A second annotation of one
 * candle is CK_EDATA ("file:line: ..." with file the given name). */
int	labels_from_annot(int *label, long *known, const struct history *,
	    const struct annot *, long na, int W, const char *file,
	    struct annot_count *, char *err, size_t errlen);

#endif
