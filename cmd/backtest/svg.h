/*
 * svg.h - the backtest chart: candles, signals, trades, pivots, ghost
 * candles, and equity and drawdown panels beneath, as one self-contained
 * SVG file.  Memory is fixed whatever the input length: the candles are
 * kept in at most CHART_MAXBARS bars; when the buffer fills, neighbours
 * are merged pairwise and each bar then stands for twice as many candles.
 * Trades are thinned likewise (every second one dropped, and from then on
 * only every 2^k-th kept).  The file holds a few thousand elements at
 * most (the bound is CHART_MAXELEMS).
 */
#ifndef SVG_H
#define SVG_H

#include <stdio.h>
#include "ck.h"

#define CHART_MAXBARS	2048
#define CHART_MAXTRADES	1024
#define CHART_RECENT	1024	/* latest candles kept for pivot prices */
#define CHART_MAXELEMS	20000

struct chart_bar {
	cktime	t0, t1;			/* first and last candle */
	double	open, high, low, close;
	double	equity, dd;		/* equity at the end; deepest drawdown (fraction) */
	long	n;			/* candles */
	int	buy, sell;		/* signals seen */
	int	ghost;			/* g holds the candle predicted for this bar */
	double	g[4];			/* open, high, low, close */
	double	phigh, plow;		/* pivot prices; 0: none */
};

struct chart_trade {
	cktime	t0, t1;
	double	p0, p1, pnl;
	int	side;			/* 1 long, -1 short */
};

struct chart {
	struct chart_bar   bar[CHART_MAXBARS];
	int		   nbar;
	long		   width;	/* candles per bar */
	struct chart_trade trade[CHART_MAXTRADES];
	int		   ntrade;
	long		   tstride, tseen;
	int		   ghost;	/* a prediction for the next candle */
	double		   g[4];
	cktime		   rt[CHART_RECENT];	/* ring of the latest candles */
	double		   rh[CHART_RECENT], rl[CHART_RECENT];
	long		   rn;
	long		   candles, trades;
};

struct chart	*chart_new(void);
void		 chart_free(struct chart *);
/* One candle; signal 1 BUY, -1 SELL, 0 none; ghost: the predicted next
 * candle (open, high, low, close) or NULL; equity and drawdown (fraction)
 * after this candle. */
void	chart_push(struct chart *, cktime t, double open, double high,
	    double low, double close, int signal, const double *ghost,
	    double equity, double dd);
/* A pivot confirmed now whose candle is at time t (high: 1, low: 0). */
void	chart_pivot(struct chart *, cktime t, int high);
void	chart_trade(struct chart *, cktime t0, double p0, cktime t1, double p1,
	    int side, double pnl);
/* The SVG document; title and caption are plain text (escaped here).
 * 0, or -1 on a write error (errno set). */
int	chart_write(const struct chart *, FILE *, const char *title,
	    const char *caption);
/* Write path whole or not at all (outfile.h: a temporary beside it renamed
 * over it; a device, a FIFO or "-" written in place).  0 or CK_ERR. */
int	chart_save(const struct chart *, const char *path, const char *title,
	    const char *caption, char *err, size_t errlen);

#endif
