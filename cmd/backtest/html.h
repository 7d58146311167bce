/*
 * html.h - the interactive backtest report: one self-contained HTML file
 * (no network access when opened) with candles, volume, pivots, signals,
 * trades, ghost candles, equity beside buy-and-hold and drawdown in panes
 * on one time axis (zoom and pan, a crosshair with a tooltip) and the
 * summary table.  The charts are drawn by TradingView's Lightweight
 * Charts, whose standalone build (with its licence banner) is copied into
 * the page; it is read at run time from HTML_LIBFILE in the first of:
 * $CANDLEKIT_SHARE (when set, the only place looked in), the program's
 * directory's ../share/candlekit, and CK_SHAREDIR (the installed place).
 */
#ifndef HTML_H
#define HTML_H

#include <stdio.h>
#include "ck.h"
#include "backtest.h"
#include "chart.h"

#define HTML_LIBFILE	"lightweight-charts.js"
#define HTML_MAXBARS	65536	/* bars kept when the report is asked for */

struct html_lib {
	char	*js;
	size_t	 len;
	char	 path[4096];
};

/* Find and read the library.  0, or CK_ERR with the reason in err. */
int	html_lib_load(struct html_lib *, char *err, size_t errlen);
void	html_lib_free(struct html_lib *);
/* The report; summary: a JSON object (backtest's --json summary, shown
 * as the table); caption: plain text.  0, or -1 on a write error. */
int	html_write(const struct chart *, FILE *, const struct html_lib *,
	    const char *summary, const char *caption);
/* Through chart_savefile: whole or not at all.  0 or CK_ERR. */
int	html_save(const struct chart *, const char *path,
	    const struct html_lib *, const char *summary, const char *caption,
	    char *err, size_t errlen);

#endif
