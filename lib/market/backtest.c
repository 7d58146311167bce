/*
 * backtest.c - the trading simulation: positions, fills,
 * costs, stops, and the metrics of the equity curve and of the trades.
 * All state is in struct bt; nothing allocates.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "action.h"
#include "backtest.h"

#define YEAR_NS	(365.25 * 86400.0 * 1e9)

void
bt_config_default(struct bt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cash = 10000;
	c->size = 1;
	c->fee = 0.001;
	c->fill = BT_FILL_OPEN;
}

static int
bad(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s out of range", what);
	return CK_ERR;
}

int
bt_init(struct bt *bt, const struct bt_config *c, char *err, size_t errlen)
{
	if (!(c->cash > 0 && isfinite(c->cash)))
		return bad(err, errlen, "cash");
	if (!(c->size > 0 && c->size <= 1))
		return bad(err, errlen, "size");
	if (!(c->fee >= 0 && c->fee < 1))
		return bad(err, errlen, "fee");
	if (!(c->slippage >= 0 && c->slippage < 1))
		return bad(err, errlen, "slippage");
	if (!(c->stop_loss >= 0 && c->stop_loss < 1))
		return bad(err, errlen, "stop-loss");
	if (!(c->take_profit >= 0 && isfinite(c->take_profit)))
		return bad(err, errlen, "take-profit");
	if (!(c->min_confidence >= 0 && c->min_confidence <= 1))
		return bad(err, errlen, "min-confidence");
	if (!(c->periods_per_year >= 0 && isfinite(c->periods_per_year)))
		return bad(err, errlen, "periods-per-year");
	memset(bt, 0, sizeof(*bt));
	bt->cfg = *c;
	bt->cash = bt->equity = bt->prev_equity = bt->peak = c->cash;
	bt->best = -INFINITY;
	bt->worst = INFINITY;
	return CK_OK;
}

int
bt_parse_action(const char *s, size_t len)
{
	if (len == 0)
		return BT_NONE;
	switch (action_parse(s, len)) {
	case ACTION_HOLD:	return BT_HOLD;
	case ACTION_BUY:	return BT_BUY;
	case ACTION_SELL:	return BT_SELL;
	default:		return -1;
	}
}

const char *
bt_side_name(int side)
{
	return side == BT_LONG ? "long" : side == BT_SHORT ? "short" : "flat";
}

const char *
bt_reason_name(int reason)
{
	static const char *name[] = { "signal", "stop_loss", "take_profit", "end" };

	return reason >= 0 && reason <= BT_EXIT_END ? name[reason] : "?";
}

static int
sign(double x)
{
	return (x > 0) - (x < 0);
}

/* Open a position at price level px (slippage applied here) with the
 * equity at hand, which is all cash when flat. */
static void
open_pos(struct bt *bt, int side, double px, cktime t)
{
	const struct bt_config *c = &bt->cfg;
	double fill, qty, fee;

	if (bt->cash <= 0)
		return;		/* ruined: nothing left to trade */
	fill = side == BT_LONG ? px * (1 + c->slippage) : px * (1 - c->slippage);
	qty = c->size * bt->cash / (fill * (1 + c->fee));
	fee = qty * fill * c->fee;
	if (side == BT_LONG)
		bt->cash -= qty * fill + fee;
	else
		bt->cash += qty * fill - fee;
	bt->side = side;
	bt->qty = qty;
	bt->entry = fill;
	bt->entry_fee = fee;
	bt->entry_time = t;
	bt->bars = 0;
	bt->fees += fee;
}

/* Close the position at price level px; the trade goes to *tr. */
static void
close_pos(struct bt *bt, double px, cktime t, int reason, struct bt_trade *tr)
{
	const struct bt_config *c = &bt->cfg;
	double fill, fee;

	fill = bt->side == BT_LONG ? px * (1 - c->slippage) :
	    px * (1 + c->slippage);
	fee = bt->qty * fill * c->fee;
	if (bt->side == BT_LONG)
		bt->cash += bt->qty * fill - fee;
	else
		bt->cash -= bt->qty * fill + fee;
	tr->entry_time = bt->entry_time;
	tr->exit_time = t;
	tr->side = bt->side;
	tr->entry_price = bt->entry;
	tr->exit_price = fill;
	tr->qty = bt->qty;
	tr->fees = bt->entry_fee + fee;
	tr->pnl = bt->side * bt->qty * (fill - bt->entry) - tr->fees;
	tr->return_pct = 100 * tr->pnl / (bt->qty * bt->entry);
	tr->bars = bt->bars;
	tr->reason = reason;

	bt->fees += fee;
	bt->trades++;
	if (tr->pnl > 0) {
		bt->wins++;
		bt->gross_win += tr->pnl;
	} else if (tr->pnl < 0) {
		bt->losses++;
		bt->gross_loss -= tr->pnl;
	}
	bt->sum_ret += tr->return_pct;
	if (tr->return_pct > bt->best)
		bt->best = tr->return_pct;
	if (tr->return_pct < bt->worst)
		bt->worst = tr->return_pct;
	bt->side = BT_FLAT;
	bt->qty = bt->entry = bt->entry_fee = 0;
	bt->bars = 0;
}

/* Carry out a BUY or SELL at price level px. */
static int
signal(struct bt *bt, int action, double px, cktime t, struct bt_trade *out)
{
	int want = action == BT_BUY ? BT_LONG : BT_SHORT, n = 0;

	if (bt->side == want)
		return 0;
	if (bt->side != BT_FLAT) {
		close_pos(bt, px, t, BT_EXIT_SIGNAL, &out[n++]);
		if (!bt->cfg.reverse)
			return n;
	}
	if (want == BT_SHORT && bt->cfg.long_only)
		return n;
	open_pos(bt, want, px, t);
	return n;
}

/* Stop-loss and take-profit over one candle; the worse first when both
 * are in its range; an open beyond a level fills at the open. */
static int
stops(struct bt *bt, const struct bt_row *r, struct bt_trade *out)
{
	const struct bt_config *c = &bt->cfg;
	int s = bt->side;
	double sl, tp, o, adv, fav;

	if (s == BT_FLAT || (c->stop_loss == 0 && c->take_profit == 0))
		return 0;
	/* In "long" terms: for a short, prices are mirrored by negation. */
	sl = s * bt->entry * (1 - s * c->stop_loss);
	tp = s * bt->entry * (1 + s * c->take_profit);
	o = s * r->open;
	adv = s == BT_LONG ? r->low : -r->high;	/* the adverse extreme */
	fav = s == BT_LONG ? r->high : -r->low;	/* the favourable one */
	if (c->stop_loss > 0 && o <= sl)
		close_pos(bt, r->open, r->t, BT_EXIT_STOP, out);
	else if (c->take_profit > 0 && o >= tp)
		close_pos(bt, r->open, r->t, BT_EXIT_TAKE, out);
	else if (c->stop_loss > 0 && adv <= sl)
		close_pos(bt, s * sl, r->t, BT_EXIT_STOP, out);
	else if (c->take_profit > 0 && fav >= tp)
		close_pos(bt, s * tp, r->t, BT_EXIT_TAKE, out);
	else
		return 0;
	return 1;
}

static void
count_step(struct bt *bt, cktime d)
{
	int i;

	/* the common step is mostly the first seen */
	for (i = 0; i < bt->nsteps; i++)
		if (bt->step[i] == d) {
			bt->stepn[i]++;
			return;
		}
	if (bt->nsteps < BT_MAXSTEPS) {
		bt->step[bt->nsteps] = d;
		bt->stepn[bt->nsteps++] = 1;
	}
}

/* The lower median of the steps kept, in ns; 0 with none. */
static cktime
median_step(const struct bt *bt)
{
	long total = 0, half, seen = 0;
	cktime lo = INT64_MIN, best;
	int i;

	for (i = 0; i < bt->nsteps; i++)
		total += bt->stepn[i];
	if (total == 0)
		return 0;
	half = (total - 1) / 2;
	/* Walk the distinct values in increasing order. */
	for (;;) {
		best = INT64_MAX;
		for (i = 0; i < bt->nsteps; i++)
			if (bt->step[i] > lo && bt->step[i] < best)
				best = bt->step[i];
		for (i = 0; i < bt->nsteps; i++)
			if (bt->step[i] == best)
				seen += bt->stepn[i];
		if (seen > half)
			return best;
		lo = best;
	}
}

/* Mark to market at the close; the equity curve's statistics. */
static void
mark(struct bt *bt, double close, cktime t, int newret)
{
	double r, d;
	long i = bt->n;

	bt->equity = bt->cash + bt->side * bt->qty * close;
	bt->open_pnl = bt->side == BT_FLAT ? 0 :
	    bt->side * bt->qty * (close - bt->entry) - bt->entry_fee;
	if (newret) {
		r = bt->prev_equity > 0 ? bt->equity / bt->prev_equity - 1 : 0;
		bt->nret++;
		d = r - bt->rmean;
		bt->rmean += d / bt->nret;
		bt->rm2 += d * (r - bt->rmean);
		if (r < 0)
			bt->rdown2 += r * r;
		bt->prev_equity = bt->equity;
	} else
		i--;		/* the end close: still the last row */
	if (bt->equity >= bt->peak) {
		if (bt->max_dd_open) {
			bt->max_dd_bars = i - bt->max_dd_peak;
			bt->max_dd_span = t - bt->max_dd_peak_t;
			bt->max_dd_open = 0;
		}
		bt->peak = bt->equity;
		bt->peak_i = i;
		bt->peak_t = t;
		bt->dd = 0;
	} else {
		bt->dd = 1 - bt->equity / bt->peak;
		if (bt->dd > bt->max_dd) {
			bt->max_dd = bt->dd;
			bt->max_dd_peak = bt->peak_i;
			bt->max_dd_peak_t = bt->peak_t;
			bt->max_dd_open = 1;
		}
	}
}

/* Score the previous row's predictions against this candle. */
static void
score(struct bt *bt, const struct bt_row *r)
{
	int dir = sign(r->close - r->open);

	if ((bt->pending == BT_BUY || bt->pending == BT_SELL) && dir != 0) {
		bt->sig_n++;
		if ((bt->pending == BT_BUY) == (dir > 0))
			bt->sig_hit++;
	}
	if (bt->prev_ghost) {
		bt->gerr_n++;
		bt->gerr_sum += fabs(bt->ghost_close - r->close) / r->close;
		if (dir != 0) {
			bt->gdir_n++;
			if (sign(bt->ghost_close - bt->ghost_open) == dir)
				bt->gdir_hit++;
		}
	}
}

int
bt_push(struct bt *bt, const struct bt_row *r, struct bt_trade *out,
    char *err, size_t errlen)
{
	int n = 0, act;

	if (!(r->open > 0 && r->high > 0 && r->low > 0 && r->close > 0) ||
	    !isfinite(r->open + r->high + r->low + r->close)) {
		snprintf(err, errlen, "price not positive");
		return CK_EDATA;
	}
	if (bt->n > 0 && r->t <= bt->last) {
		snprintf(err, errlen, "time does not increase");
		return CK_EDATA;
	}
	if (bt->n == 0) {
		bt->start = r->t;
		bt->first_open = r->open;
		bt->peak_t = r->t;
	} else {
		count_step(bt, r->t - bt->last);
		score(bt, r);
		if (bt->pending == BT_BUY || bt->pending == BT_SELL) {
			if (bt->cfg.fill == BT_FILL_OPEN)
				n += signal(bt, bt->pending, r->open, r->t, out);
			else
				n += signal(bt, bt->pending, bt->prev_close,
				    bt->last, out);
		}
	}
	if (bt->side != BT_FLAT) {
		bt->bars++;
		bt->exposed++;
		n += stops(bt, r, out + n);
	}
	mark(bt, r->close, r->t, 1);

	act = r->action;
	if ((act == BT_BUY || act == BT_SELL) && bt->cfg.min_confidence > 0 &&
	    !(r->confidence >= bt->cfg.min_confidence))
		act = BT_HOLD;
	bt->pending = act;
	bt->prev_ghost = r->has_ghost;
	bt->ghost_open = r->next_open;
	bt->ghost_close = r->next_close;
	bt->prev_open = r->open;
	bt->prev_close = r->close;
	bt->last = r->t;
	bt->n++;
	return n;
}

int
bt_finish(struct bt *bt, struct bt_trade *out)
{
	if (bt->finished)
		return 0;
	bt->finished = 1;
	bt->pending = BT_NONE;
	if (bt->n == 0 || bt->side == BT_FLAT)
		return 0;
	close_pos(bt, bt->prev_close, bt->last, BT_EXIT_END, out);
	mark(bt, bt->prev_close, bt->last, 0);
	return 1;
}

static double
pct(long a, long b)
{
	return b > 0 ? 100.0 * a / b : NAN;
}

void
bt_summary(const struct bt *bt, struct bt_summary *s)
{
	cktime med = median_step(bt);
	double sd, down;

	memset(s, 0, sizeof(*s));
	s->start = bt->n ? bt->start : CKTIME_NONE;
	s->end = bt->n ? bt->last : CKTIME_NONE;
	s->candles = bt->n;
	s->trades = bt->trades;
	s->wins = bt->wins;
	s->losses = bt->losses;
	s->win_rate = pct(bt->wins, bt->trades);
	s->equity = bt->equity;
	s->pnl = bt->equity - bt->cfg.cash;
	s->return_pct = 100 * s->pnl / bt->cfg.cash;
	s->bh_return_pct = bt->n ? 100 * (bt->prev_close / bt->first_open - 1) :
	    NAN;
	s->max_dd_pct = 100 * bt->max_dd;
	if (bt->max_dd_open) {
		s->max_dd_bars = bt->n - 1 - bt->max_dd_peak;
		s->max_dd_seconds = (double)(bt->last - bt->max_dd_peak_t) / CK_SEC;
	} else {
		s->max_dd_bars = bt->max_dd_bars;
		s->max_dd_seconds = (double)bt->max_dd_span / CK_SEC;
	}
	s->median_step = (double)med / CK_SEC;
	s->periods_per_year = bt->cfg.periods_per_year > 0 ?
	    bt->cfg.periods_per_year : med > 0 ? YEAR_NS / (double)med : NAN;
	sd = bt->nret > 1 ? sqrt(bt->rm2 / (bt->nret - 1)) : 0;
	down = bt->nret > 0 ? sqrt(bt->rdown2 / bt->nret) : 0;
	s->sharpe = sd > 0 ? bt->rmean / sd * sqrt(s->periods_per_year) : NAN;
	s->sortino = down > 0 ? bt->rmean / down * sqrt(s->periods_per_year) :
	    NAN;
	if (bt->trades == 0)
		s->profit_factor = NAN;
	else
		s->profit_factor = bt->gross_loss > 0 ?
		    bt->gross_win / bt->gross_loss :
		    bt->gross_win > 0 ? INFINITY : NAN;
	s->expectancy = bt->trades ?
	    (bt->gross_win - bt->gross_loss) / bt->trades : NAN;
	s->exposure_pct = pct(bt->exposed, bt->n);
	s->best_pct = bt->trades ? bt->best : NAN;
	s->worst_pct = bt->trades ? bt->worst : NAN;
	s->avg_pct = bt->trades ? bt->sum_ret / bt->trades : NAN;
	s->fees = bt->fees;
	s->signals = bt->sig_n;
	s->hit_rate = pct(bt->sig_hit, bt->sig_n);
	s->ghosts = bt->gdir_n;
	s->ghost_dir_pct = pct(bt->gdir_hit, bt->gdir_n);
	s->ghost_err_n = bt->gerr_n;
	s->ghost_mape = bt->gerr_n ? 100 * bt->gerr_sum / bt->gerr_n : NAN;
}
