/*
 * files.h - train-batch's files: candle streams read into one history,
 * the labels written out (--dump-labels).
 */
#ifndef FILES_H
#define FILES_H

#include <stdio.h>
#include "history.h"

/* Append the candles of a candle stream ("-": stdin) to hi; time must keep
 * increasing across files.  0, CK_EDATA ("file:line: reason"), CK_ERR. */
int	history_read(struct history *hi, const char *path, char *err,
	    size_t errlen);
/* The labels of hi's candles to f as "time,label" rows under a header. */
void	labels_write(FILE *f, const struct history *hi, const int *label);

#endif
