/*
 * annot.h - annotation files: CSV with the header time,action[,...] and one
 * row per labelled candle (BUY, SELL or HOLD; extra columns ignored), as
 * written by hand or by a program.  Knows text and times, not candles or
 * the model.  struct annot is action.h's.
 */
#ifndef ANNOT_H
#define ANNOT_H

#include <stddef.h>
#include "ck.h"
#include "action.h"

/*
 * Read every annotation of path ("-": standard input) into a new array
 * *a of *n entries (the caller frees it).  The time accepts every form
 * time_parse_any does; the action is BUY, SELL or HOLD in any case.  Returns 0,
 * CK_EDATA with "file:line: reason" in err (unknown action, bad time, empty
 * file, missing header, too few fields), or CK_ERR.
 */
int	annot_read(const char *path, struct annot **a, long *n,
	    char *err, size_t errlen);

#endif
