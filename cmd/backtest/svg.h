/*
 * svg.h - the backtest chart as one self-contained SVG file: a price
 * pane (candles, the signals acted upon, trades, pivots, ghost candles),
 * a volume pane, and, when the input has predictions, equity beside
 * buy-and-hold and the drawdown beneath.  Whatever the input length the
 * bars are merged so that each is drawn at least a few pixels wide (and
 * then the last CHART_TAIL candles are drawn again on the right as they
 * are, with their ghosts, on their own price scale), the value axes have
 * 1-2-5 ticks, and the time axis labels round times (dates only for daily
 * data); market closures take no room.  The file holds a few thousand
 * elements at most (the bound is CHART_MAXELEMS).
 */
#ifndef SVG_H
#define SVG_H

#include <stdio.h>
#include "ck.h"
#include "chart.h"

#define CHART_MAXELEMS	20000

/* The SVG document; title (NULL: chart_title) and caption are plain
 * text, escaped here.  0, or -1 on a write error (errno set). */
int	chart_write(const struct chart *, FILE *, const char *title,
	    const char *caption);
/* Write path whole or not at all (outfile.h: a temporary beside it renamed
 * over it; a device, a FIFO or "-" written in place).  0 or CK_ERR. */
int	chart_save(const struct chart *, const char *path, const char *title,
	    const char *caption, char *err, size_t errlen);

/* Ticks at multiples of a 1, 2 or 5 times a power of ten step, about n
 * of them (from 2n/3 to 3n/2) over [lo, hi]: the step, and the first
 * tick in *first. */
double	nice_step(double lo, double hi, int n, double *first);

#endif
