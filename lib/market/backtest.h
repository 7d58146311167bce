/*
 * backtest.h - trading simulation over prediction rows: one row per candle
 * (time, OHLC, the predicted action and confidence, optionally the ghost
 * candle next_*) in, closed trades and running metrics out.  Knows
 * prediction rows, not the model, not text.  Memory is fixed: no call
 * allocates.
 *
 * Timing (no lookahead): the action of row t is a pending order; it fills
 * when row t+1 arrives, at the open of t+1 (BT_FILL_OPEN) or at the close
 * of t (BT_FILL_CLOSE, optimistic).  An order pending at the end is
 * dropped.  Within a row: the pending fill, then stop-loss / take-profit
 * over the row's range, then the mark to market at its close.
 */
#ifndef BACKTEST_H
#define BACKTEST_H

#include <stddef.h>
#include "ck.h"

enum bt_action { BT_NONE = 0, BT_HOLD, BT_BUY, BT_SELL };
enum bt_side { BT_SHORT = -1, BT_FLAT = 0, BT_LONG = 1 };
enum bt_reason { BT_EXIT_SIGNAL, BT_EXIT_STOP, BT_EXIT_TAKE, BT_EXIT_END };
enum bt_fill { BT_FILL_OPEN, BT_FILL_CLOSE };

struct bt_config {
	double	cash;		/* initial capital, > 0 */
	double	size;		/* fraction of equity per entry, (0, 1] */
	double	fee;		/* per side, fraction of the notional */
	double	slippage;	/* each fill moves against the trader by this fraction */
	double	stop_loss;	/* fraction of the entry fill; 0: none */
	double	take_profit;	/* likewise */
	double	min_confidence;	/* weaker signals count as HOLD */
	double	periods_per_year; /* 0: 365.25 days / median step */
	int	fill;		/* enum bt_fill */
	int	reverse;	/* an opposite signal closes and opens at once */
	int	long_only;
};

struct bt_row {
	cktime	t;
	double	open, high, low, close;
	int	action;		/* enum bt_action; BT_NONE: no prediction */
	double	confidence;	/* NAN when absent */
	int	has_ghost;	/* next_* hold the predicted next candle */
	double	next_open, next_high, next_low, next_close;
};

struct bt_trade {
	cktime	entry_time, exit_time;	/* candles whose price filled */
	int	side;			/* BT_LONG or BT_SHORT */
	double	entry_price, exit_price; /* fills, slippage included */
	double	qty;
	double	fees;			/* entry + exit */
	double	pnl;			/* net of fees, in cash units */
	double	return_pct;		/* 100 pnl / (qty entry_price) */
	long	bars;			/* candles the position was exposed to */
	int	reason;			/* enum bt_reason */
};

/* At most this many trades close in one bt_push (a pending close, then a
 * stop on the reversed position). */
#define BT_MAXTRADES	2
/* Distinct time steps kept for the median (bounded memory). */
#define BT_MAXSTEPS	256

struct bt {
	struct bt_config cfg;
	/* position */
	int	side;
	double	qty, entry, entry_fee;
	cktime	entry_time;
	long	bars;			/* of the open position */
	double	cash;			/* cash after entry costs / short proceeds */
	double	equity;			/* marked at the last close */
	double	open_pnl;		/* side qty (close - entry) - entry fee */
	/* the previous row */
	long	n;			/* rows pushed */
	cktime	start, last;
	double	first_open, last_close, prev_open, prev_close, prev_equity;
	int	pending;		/* action of the previous row, filtered */
	int	prev_ghost;
	double	ghost_open, ghost_close;
	int	finished;
	/* trade statistics */
	long	trades, wins, losses;
	double	gross_win, gross_loss, fees, sum_ret, best, worst;
	long	exposed;		/* candles in a position */
	/* equity curve */
	double	peak, dd;		/* dd: current drawdown, fraction */
	long	peak_i;
	cktime	peak_t;
	double	max_dd;
	long	max_dd_peak, max_dd_bars;	/* its peak row; peak to recovery */
	cktime	max_dd_peak_t, max_dd_span;
	int	max_dd_open;		/* the deepest drawdown is not recovered */
	/* per-candle returns (Welford) */
	long	nret;
	double	rmean, rm2, rdown2;
	/* time steps for the median */
	int	nsteps;
	cktime	step[BT_MAXSTEPS];
	long	stepn[BT_MAXSTEPS];
	/* prediction quality */
	long	sig_n, sig_hit, gdir_n, gdir_hit, gerr_n;
	double	gerr_sum;
};

struct bt_summary {
	cktime	start, end;
	long	candles, trades, wins, losses;
	double	win_rate;		/* % of trades with pnl > 0 */
	double	equity, pnl, return_pct, bh_return_pct;
	double	max_dd_pct;		/* % below the running peak */
	long	max_dd_bars;		/* from the peak to recovery (or the end) */
	double	max_dd_seconds;
	double	sharpe, sortino;	/* annualized; NAN when undefined */
	double	periods_per_year;
	double	median_step;		/* seconds */
	double	profit_factor;		/* INFINITY with no loss, NAN with no trade */
	double	expectancy;		/* mean pnl per trade, cash units */
	double	exposure_pct;
	double	best_pct, worst_pct, avg_pct;	/* trade return_pct */
	double	fees;
	long	signals;		/* BUY/SELL rows scored */
	double	hit_rate;		/* % */
	long	ghosts;			/* ghost directions scored */
	double	ghost_dir_pct;		/* % */
	long	ghost_err_n;
	double	ghost_mape;		/* mean |next_close - close| / close, % */
};

/* 0, or CK_ERR with the reason in err (a setting out of range). */
int	bt_init(struct bt *, const struct bt_config *, char *err, size_t errlen);
void	bt_config_default(struct bt_config *);
/* "BUY", "SELL", "HOLD" (any case), "" (BT_NONE): the action, or -1. */
int	bt_parse_action(const char *s, size_t len);
/* Push the next row: the number of trades closed into out (at most
 * BT_MAXTRADES), or CK_EDATA when time does not increase or a price is
 * not positive (err says which). */
int	bt_push(struct bt *, const struct bt_row *, struct bt_trade *out,
	    char *err, size_t errlen);
/* End of input: close an open position at the last close.  Returns the
 * number of trades written into out (0 or 1); later calls return 0. */
int	bt_finish(struct bt *, struct bt_trade *out);
/* The metrics so far; any time, before or after bt_finish. */
void	bt_summary(const struct bt *, struct bt_summary *);
const char *bt_side_name(int side);
const char *bt_reason_name(int reason);

#endif
