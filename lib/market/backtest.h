/*
 * backtest.h - trading simulation over prediction rows: one row per candle
 * (time, OHLC, the predicted action, its confidence and class
 * probabilities, optionally the ghost candle next_*) in, closed trades and
 * running metrics out.  Knows prediction rows, not the model, not text.
 * Memory is fixed: no call allocates.
 *
 * Timing (no lookahead): the position policy turns row t into an order;
 * it fills when row t+1 arrives, at the open of t+1 (BT_FILL_OPEN) or at
 * the close of t (BT_FILL_CLOSE, optimistic).  An order pending at the end
 * is dropped.  Within a row: the pending fill, then stop-loss /
 * take-profit over the row's range, then the mark to market at its close,
 * then the policy's order for the next row.
 */
#ifndef BACKTEST_H
#define BACKTEST_H

#include <stddef.h>
#include <stdint.h>
#include "ck.h"
#include "action.h"

enum bt_side { BT_SHORT = -1, BT_FLAT = 0, BT_LONG = 1 };
enum bt_reason { BT_EXIT_SIGNAL, BT_EXIT_STOP, BT_EXIT_TAKE, BT_EXIT_END,
	BT_NREASON };
enum bt_fill { BT_FILL_OPEN, BT_FILL_CLOSE };
enum bt_onhold { BT_ONHOLD_KEEP, BT_ONHOLD_EXIT };
enum bt_calendar { BT_PERIOD_NONE, BT_PERIOD_DAY, BT_PERIOD_WEEK,
	BT_PERIOD_MONTH };

struct bt_config {
	double	cash;		/* initial capital, > 0 */
	double	size;		/* fraction of equity per entry, (0, 1] */
	double	fee;		/* per side, fraction of the notional */
	double	slippage;	/* each fill moves against the trader by this fraction */
	double	stop_loss;	/* fraction of the entry fill; 0: none */
	double	take_profit;	/* likewise */
	double	min_confidence;	/* weaker signals count as HOLD */
	double	periods_per_year; /* 0: from the data (see bt_summary) */
	/* the position policy */
	double	enter;		/* a side's probability that opens it, [0, 1] */
	double	exit;		/* the held side's probability below which it
				 * closes; 0: never on probability alone */
	long	min_hold;	/* candles before a signal may close a position;
				 * BT_AUTO: from the costs and the volatility */
	long	cooldown;	/* candles after a close before an entry; BT_AUTO */
	int	on_hold;	/* enum bt_onhold: what HOLD does to a position */
	int	fill;		/* enum bt_fill */
	int	reverse;	/* an opposite signal closes and opens at once */
	int	long_only;
	int	period;		/* enum bt_calendar: bt_period_take's rows */
};

struct bt_row {
	cktime	t;
	double	open, high, low, close;
	int	action;		/* enum action; ACTION_NONE: no prediction */
	double	confidence;	/* NAN when absent */
	double	p_buy, p_sell;	/* class probabilities, NAN when absent */
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

/*
 * BT_AUTO holding period: the candles h over which the typical move of
 * the market so far, sigma sqrt(h) (sigma: the root mean square of the
 * close-to-close returns up to this row), reaches BT_AUTO_COVER times the
 * cost of a round trip, 2 (fee + slippage):
 * h = ceil((BT_AUTO_COVER 2 (fee + slippage) / sigma)^2), at most
 * BT_AUTO_MAX; 0 without costs.
 */
#define BT_AUTO		(-1L)
#define BT_AUTO_COVER	10.0
#define BT_AUTO_MAX	100000L

/* At most this many trades close in one bt_push (a pending close, then a
 * stop on the reversed position). */
#define BT_MAXTRADES	2
/* Distinct time steps kept for the median (bounded memory). */
#define BT_MAXSTEPS	256

/* Running statistics of one equity curve (the strategy's, buy and
 * hold's): per-candle returns and drawdowns. */
struct bt_curve {
	double	value, prev, peak, dd, max_dd, sum;
	long	n, nret;
	double	rmean, rm2, rdown2;	/* returns: Welford; downside squares */
	long	peak_i;
	cktime	peak_t;
	long	max_dd_peak, max_dd_bars;	/* the deepest: its peak row, length */
	double	max_dd_secs;
	int	max_dd_open;		/* the deepest drawdown is not recovered */
	/* drawdown episodes, peak to recovery, the open one excluded */
	double	ep_depth;		/* of the open episode; 0: none open */
	long	ndd, sum_dd_bars, longest_bars;
	double	sum_depth, sum_dd_secs, longest_secs;
};

/* Trades of one kind (a side, an exit reason). */
struct bt_tstats {
	long	trades, wins, losses;
	double	pnl, sum_ret;
};

/* One calendar period's account (UTC days, ISO weeks from Monday,
 * months).  A trade counts in the period of the row that carried its
 * exit out. */
struct bt_period {
	int64_t	key;			/* day, week or month number */
	cktime	first;			/* its first candle */
	long	candles, trades, wins, losses;
	double	pnl, fees;
	double	start_equity, end_equity; /* the previous period's last mark */
};

struct bt {
	struct bt_config cfg;
	/* position */
	int	side;
	double	qty, entry, entry_fee;
	cktime	entry_time;
	long	bars;			/* of the open position */
	double	cash;			/* cash after entry costs / short proceeds */
	double	equity;			/* marked at the last close */
	double	dd;			/* its drawdown, fraction */
	double	open_pnl;		/* side qty (close - entry) - entry fee */
	int	order;			/* the policy's target for the next fill:
					 * a side, or BT_KEEP */
	long	cool;			/* rows whose signals may not enter */
	double	r2sum;			/* squared close-to-close returns */
	long	r2n;
	/* the previous row */
	long	n;			/* rows pushed */
	cktime	start;
	double	first_open;
	struct bt_row prev;		/* the last row pushed (n > 0) */
	int	pending;		/* action of the previous row, filtered */
	int	finished;
	/* trade statistics */
	long	trades, wins, losses;
	double	gross_win, gross_loss, fees, sum_ret, best, worst;
	double	pnl_mean, pnl_m2;	/* Welford over trade pnl */
	long	streak, max_wins, max_losses;	/* streak > 0: wins */
	long	bars_sum, bars_max;
	double	secs_sum, secs_max;
	double	traded;			/* sum of |qty fill| over every fill */
	struct bt_tstats side_st[2];	/* long, short */
	struct bt_tstats reason_st[BT_NREASON];
	long	exposed;		/* candles in a position */
	/* equity curves and their co-movement (alpha, beta) */
	struct bt_curve eq, bh;
	double	cov;			/* co-moment of the two return series */
	/* days, and the breakdown period */
	struct bt_period day, per, per_done;
	int	per_ready;
	long	days_win, days_draw, days_lose;
	double	best_day, worst_day;
	/* time steps for the median */
	int	nsteps;
	uint64_t step[BT_MAXSTEPS];
	long	stepn[BT_MAXSTEPS];
	/* prediction quality */
	long	sig_n, sig_hit, gdir_n, gdir_hit, gerr_n;
	double	gerr_sum, naive_sum;
};
#define BT_KEEP	2		/* bt.order: no change */

/* The metrics of one equity curve. */
struct bt_curve_summary {
	double	equity, equity_peak, return_pct, return_ann_pct, cagr_pct;
	double	volatility_ann_pct, sharpe, sortino, calmar;
	double	max_dd_pct, avg_dd_pct;
	long	max_dd_bars, longest_dd_bars, drawdowns;
	double	max_dd_seconds, longest_dd_seconds, avg_dd_bars, avg_dd_seconds;
};

struct bt_summary {
	cktime	start, end;
	double	duration_seconds;
	long	candles, trades, wins, losses;
	double	win_rate;		/* % of trades with pnl > 0 */
	double	equity, pnl, return_pct, bh_return_pct;
	double	max_dd_pct;		/* % below the running peak */
	long	max_dd_bars;		/* from the peak to recovery (or the end) */
	double	max_dd_seconds;
	double	sharpe, sortino;	/* annualized; NAN when undefined */
	double	periods_per_year;
	const char *ppy_source;		/* "option", "data" or "median_step" */
	double	median_step;		/* seconds */
	double	profit_factor;		/* INFINITY with no loss, NAN with no trade */
	double	expectancy;		/* mean pnl per trade, cash units */
	double	exposure_pct;
	double	best_pct, worst_pct, avg_pct;	/* trade return_pct */
	double	fees;
	/* the strategy, buy and hold (no costs), the flat account */
	struct bt_curve_summary strat, bh, flat;
	double	alpha_pct, beta;
	double	sqn, kelly;
	double	avg_trade_seconds, max_trade_seconds, avg_hold_bars;
	long	max_trade_bars;
	long	max_wins, max_losses;	/* consecutive */
	double	turnover, fees_pct, trades_per_candle;
	long	auto_bars;		/* BT_AUTO's figure at the end */
	struct bt_tstats side[2], reason[BT_NREASON];
	long	days, days_win, days_draw, days_lose;
	double	best_day_pct, worst_day_pct;
	/* skill */
	long	signals;		/* BUY/SELL rows scored */
	long	hits;
	double	hit_rate;		/* % */
	double	hit_lo, hit_hi;		/* Wilson 95% interval, % */
	double	hit_p;			/* two-sided exact binomial p against 50% */
	long	ghosts;			/* ghost directions scored */
	double	ghost_dir_pct;		/* % */
	long	ghost_err_n;
	double	ghost_mape;		/* mean |next_close - close| / close, % */
	double	naive_mape;		/* the same for "next close = this close" */
	double	mape_ratio;		/* ghost_mape / naive_mape */
};

/* 0, or CK_ERR with the reason in err (a setting out of range). */
int	bt_init(struct bt *, const struct bt_config *, char *err, size_t errlen);
void	bt_config_default(struct bt_config *);
/* Push the next row: the number of trades closed into out (at most
 * BT_MAXTRADES), or CK_EDATA when time does not increase or a price is
 * not positive and finite (err says which). */
int	bt_push(struct bt *, const struct bt_row *, struct bt_trade *out,
	    char *err, size_t errlen);
/* End of input: close an open position at the last close.  Returns the
 * number of trades written into out (0 or 1); later calls return 0. */
int	bt_finish(struct bt *, struct bt_trade *out);
/* The metrics so far; any time, before or after bt_finish. */
void	bt_summary(const struct bt *, struct bt_summary *);
/* The BT_AUTO holding period after the rows so far. */
long	bt_auto_bars(const struct bt *);
/* A breakdown period completed by the last bt_push: 1 and *p, else 0. */
int	bt_period_take(struct bt *, struct bt_period *p);
/* The period still open (the last one at the end): 1 and *p, else 0. */
int	bt_period_current(const struct bt *, struct bt_period *p);
/* The period's number of a time (days since the epoch, weeks from the
 * Monday of 1969-12-29, months since year 0). */
int64_t	bt_period_key(int period, cktime t);
const char *bt_side_name(int side);
const char *bt_reason_name(int reason);

#endif
