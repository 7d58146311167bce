/*
 * chart.h - what the backtest charts show, kept in fixed memory: the
 * candles in at most maxbars bars (when the buffer fills, neighbours are
 * merged pairwise and each bar then stands for twice as many candles),
 * the closed trades thinned likewise (every second one dropped, and from
 * then on only every 2^k-th kept), pivots, the ghost candles, equity,
 * buy-and-hold and drawdown, and the input's name and model.  The SVG
 * (svg.h) and HTML (html.h) writers read it.
 */
#ifndef CHART_H
#define CHART_H

#include <stddef.h>
#include <stdio.h>
#include "ck.h"
#include "candle.h"
#include "action.h"
#include "backtest.h"

#define CHART_MAXBARS	2048	/* chart_new */
#define CHART_MAXTRADES	1024	/* at least; maxbars / 2 when larger */
#define CHART_RECENT	1024	/* latest candles kept for pivot prices */
#define CHART_TAIL	30	/* latest candles kept as they are */
#define CHART_MAXSTEPS	64	/* ghost steps of a forecast */
#define CHART_MAXPIV	5	/* next-pivot levels of a forecast */
#define CHART_AHEAD	20	/* candles drawn after the last one, at most */

struct chart_bar {
	cktime	t0, t1;			/* first and last candle */
	double	open, high, low, close, volume;
	double	equity, bh, dd;		/* at the end; dd: deepest drawdown (fraction) */
	long	n;			/* candles */
	int	buy, sell;		/* signals acted upon */
	int	action;			/* the last candle's predicted action (enum action) */
	double	confidence;		/* its probability; NAN when absent */
	int	gap;			/* a closed market before a candle of this bar */
	int	ghost;			/* g holds the candle predicted for this bar */
	double	g[4];			/* open, high, low, close */
	double	phigh, plow;		/* pivot prices; 0: none */
};

/* The last row's forecasts beyond the next candle, drawn at the live end
 * only: the multi-step ghost path and the next pivot of each level. */
struct chart_fcast {
	int	steps;			/* path steps 1 .. steps; 0: none */
	double	path[CHART_MAXSTEPS][4];	/* open, high, low, close */
	int	npiv;
	int	level[CHART_MAXPIV], type[CHART_MAXPIV];	/* +1 H, -1 L */
	double	price[CHART_MAXPIV], in[CHART_MAXPIV];	/* in: candles */
};

struct chart_trade {
	cktime	t0, t1;
	double	p0, p1, pnl, ret;	/* ret: percent */
	int	side;			/* 1 long, -1 short */
};

/* One candle as the chart takes it. */
struct chart_point {
	cktime		 t;
	double		 open, high, low, close, volume;
	int		 signal;	/* 1 BUY, -1 SELL acted upon, 0 none */
	int		 action;	/* predicted (enum action) */
	double		 confidence;	/* NAN when absent */
	const double	*ghost;		/* predicted next candle (o, h, l, c) or NULL */
	double		 equity, bh, dd;
};

struct chart {
	struct chart_bar   *bar;
	int		    nbar, maxbars;
	long		    width;	/* candles per bar */
	struct chart_trade *trade;
	int		    ntrade, maxtrades;
	long		    tstride, tseen;
	int		    ghost;	/* a prediction for the next candle */
	double		    g[4];
	struct chart_fcast  fc;		/* the last row's further forecasts */
	cktime		    rt[CHART_RECENT];	/* ring of the latest candles */
	double		    rh[CHART_RECENT], rl[CHART_RECENT];
	long		    rn;
	struct chart_bar    tail[CHART_TAIL];	/* ring: the latest candles */
	long		    tn;
	struct chart_trade  ttail[CHART_TAIL];	/* ring: the latest trades */
	long		    ttn;
	long		    candles, trades;
	long		    npred;	/* candles with a prediction */
	int		    lastsig;	/* the last signal pushed by chart_row */
	cktime		    last, step;	/* last time; smallest step seen */
	int		    intraday;	/* a time of day other than 00:00 seen */
	/* the input and the model, for the titles */
	char		    input[256];
	char		    model_id[80], gen0[32], gen1[32];	/* "": none */
};

struct chart	*chart_new(void);
/* maxbars >= 16 (rounded up to even). */
struct chart	*chart_new_bars(int maxbars);
void		 chart_free(struct chart *);
void		 chart_push(struct chart *, const struct chart_point *);
/* A pivot confirmed now whose candle is at time t (high: 1, low: 0). */
void	chart_pivot(struct chart *, cktime t, int high);
void	chart_trade(struct chart *, const struct bt_trade *);
/* The last row's further forecasts (NULL: none). */
void	chart_forecast(struct chart *, const struct chart_fcast *);
/* How many candles after the last one the forecasts reach, 1 ..
 * CHART_AHEAD (1: the next candle only). */
int	chart_ahead(const struct chart *);

/* The input's name, and the model's id and first and last generations
 * (from the prediction columns; "" or NULL: unknown), for the titles. */
void	chart_input(struct chart *, const char *name);
void	chart_model(struct chart *, const char *id, const char *gen_first,
	    const char *gen_last);
/* Push the row just read: its candle, prediction r, and the backtest's
 * state after it. */
void	chart_row(struct chart *, const struct candle *, const struct bt_row *r,
	    const struct bt *);
/* Time t as YYYY-MM-DD HH:MM UTC, without the time unless intraday. */
void	chart_when(char *buf, size_t len, cktime t, int intraday);
/* "FIRST .. LAST UTC" into buf. */
void	chart_span(const struct chart *, char *buf, size_t len);
/* "backtest: INPUT, model ID generation G" into buf. */
void	chart_title(const struct chart *, char *buf, size_t len);
/* The bar of v[0..n) holding time t (the last with t0 <= t), or -1. */
int	chart_find(const struct chart_bar *v, int n, cktime t);
/* s as XML or HTML text (& < > " escaped, control characters dropped). */
void	chart_escape(FILE *, const char *s);
/* Write path with fn(fp, arg), whole or not at all (outfile.h: a
 * temporary beside it renamed over it; a device, a FIFO or "-" written in
 * place).  fn returns 0 or -1 (errno set).  0 or CK_ERR. */
int	chart_savefile(const char *path, int (*fn)(FILE *, const void *),
	    const void *arg, char *err, size_t errlen);
/* Merge the first nbar bars into at most max (>= 1) of them, in out;
 * their count. */
int	chart_view(const struct chart *, int nbar, struct chart_bar *out,
	    int max);
/* The latest candles after time t, one bar each, oldest first (at most
 * CHART_TAIL) into out; their count. */
int	chart_tail(const struct chart *, struct chart_bar *out, cktime t);

#endif
