/*
 * refcols.h - a reference instrument's candle joined to a candle stream:
 * the pass-through columns PREFIX_open, PREFIX_high, PREFIX_low,
 * PREFIX_close, PREFIX_volume of each row (candle-stream(5)), checked as
 * the stream checks its own candle.  Empty in every one: the row has no
 * reference candle.
 */
#ifndef REFCOLS_H
#define REFCOLS_H

#include "candle.h"
#include "cstream.h"

#define REFCOLS_MAX	8
#define REFCOLS_PREFIX	24	/* a prefix's bytes, its NUL included */

struct refcols {
	int	 n;			/* slots */
	int	 col[REFCOLS_MAX][5];	/* input columns; -1: slot unused */
	char	 prefix[REFCOLS_MAX][REFCOLS_PREFIX];
};

/* Slots 0 .. n-1, prefix[k] NULL for a slot without a reference: find the
 * columns in cs's header.  0, or CK_EDATA with err naming the column
 * missing. */
int	refcols_init(struct refcols *, const struct cstream *,
	    const char *const *prefix, int n, char *err, size_t errlen);
/* The row cs has just read: out[k] the reference's candle of slot k at
 * the row's time t, or with time CKTIME_NONE when its fields are all
 * empty (or the slot is unused).  0, or CK_EDATA with err
 * ("file:line: reason"). */
int	refcols_read(const struct refcols *, const struct cstream *, cktime t,
	    struct candle *out, char *err, size_t errlen);

#endif
