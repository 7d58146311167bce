/*
 * backtest.c - the trading simulation of a prediction stream: the position
 * policy, fills, costs, stops, and the metrics of the equity curve, of buy
 * and hold, of the trades and of the signals.  All state is in struct bt;
 * nothing allocates.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cktime.h"
#include "backtest.h"

#define YEAR_S	(365.25 * 86400.0)
#define DAY_NS	(86400 * CK_SEC)

void
bt_config_default(struct bt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->cash = 10000;
	c->size = 1;
	c->fee = 0.001;
	c->fill = BT_FILL_OPEN;
	c->enter = 0.6;
	c->exit = 0;
	c->min_hold = BT_AUTO;
	c->cooldown = BT_AUTO;
	c->on_hold = BT_ONHOLD_KEEP;
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
	if (!(c->enter >= 0 && c->enter <= 1))
		return bad(err, errlen, "enter");
	if (!(c->exit >= 0 && c->exit <= 1))
		return bad(err, errlen, "exit");
	if (c->min_hold < BT_AUTO || c->cooldown < BT_AUTO)
		return bad(err, errlen, c->min_hold < BT_AUTO ? "min-hold" :
		    "cooldown");
	if (c->on_hold != BT_ONHOLD_KEEP && c->on_hold != BT_ONHOLD_EXIT)
		return bad(err, errlen, "on-hold");
	if (c->period < BT_PERIOD_NONE || c->period > BT_PERIOD_MONTH)
		return bad(err, errlen, "period");
	memset(bt, 0, sizeof(*bt));
	bt->cfg = *c;
	bt->cash = bt->equity = c->cash;
	bt->eq.value = bt->eq.prev = bt->eq.peak = c->cash;
	bt->bh.value = bt->bh.prev = bt->bh.peak = c->cash;
	bt->best = bt->best_day = -INFINITY;
	bt->worst = bt->worst_day = INFINITY;
	bt->order = BT_KEEP;
	bt->pending = ACTION_NONE;
	return CK_OK;
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

	return reason >= 0 && reason < BT_NREASON ? name[reason] : "?";
}

static int
sign(double x)
{
	return (x > 0) - (x < 0);
}

/* a - b in seconds, for a >= b anywhere in the time range: the difference
 * is taken unsigned (it may not fit an int64_t). */
static double
span(cktime a, cktime b)
{
	uint64_t d = (uint64_t)a - (uint64_t)b;
	uint64_t sec = d / (uint64_t)CK_SEC, ns = d % (uint64_t)CK_SEC;

	return (double)sec + (double)ns / 1e9;
}

int64_t
bt_period_key(int period, cktime t)
{
	int64_t day = t / DAY_NS - (t % DAY_NS < 0);
	int y, m, d;

	switch (period) {
	case BT_PERIOD_WEEK:
		/* 1970-01-01 was a Thursday: day + 3 counts from a Monday */
		return (day + 3) / 7 - ((day + 3) % 7 < 0);
	case BT_PERIOD_MONTH:
		civil_from_days(day, &y, &m, &d);
		return (int64_t)y * 12 + (m - 1);
	default:
		return day;
	}
}

long
bt_auto_bars(const struct bt *bt)
{
	double cost = 2 * (bt->cfg.fee + bt->cfg.slippage), s2, h;

	if (cost == 0)
		return 0;
	s2 = bt->r2n > 0 ? bt->r2sum / bt->r2n : 0;	/* sigma^2 */
	if (!(s2 > 0))
		return BT_AUTO_MAX;
	h = ceil(BT_AUTO_COVER * BT_AUTO_COVER * cost * cost / s2);
	return h < BT_AUTO_MAX ? (long)h : BT_AUTO_MAX;
}

static long
min_hold(const struct bt *bt)
{
	return bt->cfg.min_hold == BT_AUTO ? bt_auto_bars(bt) : bt->cfg.min_hold;
}

static long
cooldown(const struct bt *bt)
{
	return bt->cfg.cooldown == BT_AUTO ? bt_auto_bars(bt) : bt->cfg.cooldown;
}

/* Open a position at price level px (slippage applied here) with the
 * equity at hand, which is all cash when flat.  An account too small to
 * buy a normal (non-zero, non-subnormal) quantity opens nothing. */
static void
open_pos(struct bt *bt, int side, double px, cktime t)
{
	const struct bt_config *c = &bt->cfg;
	double fill, qty, fee;

	if (!(bt->cash > 0))
		return;		/* ruined: nothing left to trade */
	fill = side == BT_LONG ? px * (1 + c->slippage) : px * (1 - c->slippage);
	qty = c->size * bt->cash / (fill * (1 + c->fee));
	if (!isnormal(qty) || !isnormal(qty * fill))
		return;
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
	bt->traded += qty * fill;
	bt->per.fees += fee;
}

static void
tstats_add(struct bt_tstats *s, const struct bt_trade *tr)
{
	s->trades++;
	s->wins += tr->pnl > 0;
	s->losses += tr->pnl < 0;
	s->pnl += tr->pnl;
	s->sum_ret += tr->return_pct;
}

/* The trade's statistics. */
static void
count_trade(struct bt *bt, const struct bt_trade *tr)
{
	double d, secs;

	bt->trades++;
	if (tr->pnl > 0) {
		bt->wins++;
		bt->gross_win += tr->pnl;
		bt->streak = bt->streak > 0 ? bt->streak + 1 : 1;
		if (bt->streak > bt->max_wins)
			bt->max_wins = bt->streak;
	} else if (tr->pnl < 0) {
		bt->losses++;
		bt->gross_loss -= tr->pnl;
		bt->streak = bt->streak < 0 ? bt->streak - 1 : -1;
		if (-bt->streak > bt->max_losses)
			bt->max_losses = -bt->streak;
	} else
		bt->streak = 0;
	d = tr->pnl - bt->pnl_mean;
	bt->pnl_mean += d / bt->trades;
	bt->pnl_m2 += d * (tr->pnl - bt->pnl_mean);
	bt->sum_ret += tr->return_pct;
	if (tr->return_pct > bt->best)
		bt->best = tr->return_pct;
	if (tr->return_pct < bt->worst)
		bt->worst = tr->return_pct;
	bt->bars_sum += tr->bars;
	if (tr->bars > bt->bars_max)
		bt->bars_max = tr->bars;
	secs = span(tr->exit_time, tr->entry_time);
	bt->secs_sum += secs;
	if (secs > bt->secs_max)
		bt->secs_max = secs;
	tstats_add(&bt->side_st[tr->side == BT_LONG ? 0 : 1], tr);
	tstats_add(&bt->reason_st[tr->reason], tr);
	bt->per.trades++;
	bt->per.wins += tr->pnl > 0;
	bt->per.losses += tr->pnl < 0;
	bt->per.pnl += tr->pnl;
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
	bt->per.fees += fee;
	bt->traded += bt->qty * fill;
	count_trade(bt, tr);
	bt->side = BT_FLAT;
	bt->qty = bt->entry = bt->entry_fee = 0;
	bt->bars = 0;
	bt->cool = cooldown(bt);
}

/* Carry out the order: move to side target at price level px. */
static int
carry_out(struct bt *bt, int target, double px, cktime t,
    struct bt_trade *out)
{
	int n = 0;

	if (target == bt->side)
		return 0;
	if (bt->side != BT_FLAT)
		close_pos(bt, px, t, BT_EXIT_SIGNAL, &out[n++]);
	if (target != BT_FLAT)
		open_pos(bt, target, px, t);
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

/*
 * The position policy: the target side after row r, or BT_KEEP.  A side
 * enters when its action is the row's and its probability reaches enter
 * (no entry during the cooldown); a position is left, once it has been
 * held min_hold candles, when the opposite side enters (reversing only
 * with no cooldown), on a HOLD under on_hold exit, or when its own
 * probability falls below exit.
 */
static int
decide(struct bt *bt, int act, const struct bt_row *r)
{
	const struct bt_config *c = &bt->cfg;
	double pb, ps, held;
	int can_enter = bt->cool == 0, opp;

	if (bt->cool > 0)
		bt->cool--;
	if (act == ACTION_NONE)
		return BT_KEEP;
	/* a side's probability: its column, else the confidence of the
	 * action that names it (1 without one), else 0 */
	pb = !isnan(r->p_buy) ? r->p_buy : act != ACTION_BUY ? 0 :
	    !isnan(r->confidence) ? r->confidence : 1;
	ps = !isnan(r->p_sell) ? r->p_sell : act != ACTION_SELL ? 0 :
	    !isnan(r->confidence) ? r->confidence : 1;
	if (bt->side == BT_FLAT) {
		if (!can_enter)
			return BT_KEEP;
		if (act == ACTION_BUY && pb >= c->enter)
			return BT_LONG;
		if (act == ACTION_SELL && ps >= c->enter && !c->long_only)
			return BT_SHORT;
		return BT_KEEP;
	}
	if (bt->bars < min_hold(bt))
		return BT_KEEP;
	held = bt->side == BT_LONG ? pb : ps;
	opp = bt->side == BT_LONG ? act == ACTION_SELL && ps >= c->enter :
	    act == ACTION_BUY && pb >= c->enter;
	if (opp)
		return c->reverse && cooldown(bt) == 0 &&
		    !(bt->side == BT_LONG && c->long_only) ? -bt->side : BT_FLAT;
	if (act == ACTION_HOLD && c->on_hold == BT_ONHOLD_EXIT)
		return BT_FLAT;
	if (c->exit > 0 && held < c->exit)
		return BT_FLAT;
	return BT_KEEP;
}

static void
count_step(struct bt *bt, uint64_t d)
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
static uint64_t
median_step(const struct bt *bt)
{
	long total = 0, half, seen = 0;
	uint64_t lo = 0, best;
	int i, first = 1;

	for (i = 0; i < bt->nsteps; i++)
		total += bt->stepn[i];
	if (total == 0)
		return 0;
	half = (total - 1) / 2;
	/* Walk the distinct values in increasing order. */
	for (;;) {
		best = UINT64_MAX;
		for (i = 0; i < bt->nsteps; i++)
			if ((first || bt->step[i] > lo) && bt->step[i] < best)
				best = bt->step[i];
		for (i = 0; i < bt->nsteps; i++)
			if (bt->step[i] == best)
				seen += bt->stepn[i];
		if (seen > half)
			return best;
		lo = best;
		first = 0;
	}
}

/* The curve's value v at the close of row i, time t; newret: a new
 * candle (else the value changed within the last one). */
static void
curve_mark(struct bt_curve *c, double v, cktime t, long i, int newret)
{
	double r, d, dd;

	c->value = v;
	if (newret) {
		r = c->prev > 0 ? v / c->prev - 1 : 0;
		c->nret++;
		d = r - c->rmean;
		c->rmean += d / c->nret;
		c->rm2 += d * (r - c->rmean);
		if (r < 0)
			c->rdown2 += r * r;
		c->prev = v;
		c->n++;
		c->sum += v;
	}
	if (v >= c->peak) {
		if (c->max_dd_open) {
			c->max_dd_bars = i - c->max_dd_peak;
			c->max_dd_secs = span(t, c->peak_t);
			c->max_dd_open = 0;
		}
		if (c->ep_depth > 0) {
			c->ndd++;
			c->sum_depth += c->ep_depth;
			c->sum_dd_bars += i - c->peak_i;
			c->sum_dd_secs += span(t, c->peak_t);
			if (i - c->peak_i > c->longest_bars)
				c->longest_bars = i - c->peak_i;
			if (span(t, c->peak_t) > c->longest_secs)
				c->longest_secs = span(t, c->peak_t);
			c->ep_depth = 0;
		}
		c->peak = v;
		c->peak_i = i;
		c->peak_t = t;
		c->dd = 0;
	} else {
		dd = c->peak > 0 ? 1 - v / c->peak : 1;
		c->dd = dd;
		if (dd > c->ep_depth)
			c->ep_depth = dd;
		if (dd > c->max_dd) {
			c->max_dd = dd;
			c->max_dd_peak = c->peak_i;
			c->max_dd_open = 1;
		}
	}
}

/* Mark to market at the close; the equity curve's statistics. */
static void
mark(struct bt *bt, double close, cktime t, int newret)
{
	double rs, rb;
	long i = newret ? bt->n : bt->n - 1;	/* the end close: the last row */

	bt->equity = bt->cash + bt->side * bt->qty * close;
	bt->open_pnl = bt->side == BT_FLAT ? 0 :
	    bt->side * bt->qty * (close - bt->entry) - bt->entry_fee;
	rs = bt->eq.prev > 0 ? bt->equity / bt->eq.prev - 1 : 0;
	curve_mark(&bt->eq, bt->equity, t, i, newret);
	bt->dd = bt->eq.dd;
	if (newret) {
		rb = close / (bt->n ? bt->prev.close : bt->first_open) - 1;
		/* Welford's co-moment: buy and hold's mean before this
		 * return, the strategy's after it */
		bt->cov += (rb - bt->bh.rmean) * (rs - bt->eq.rmean);
		curve_mark(&bt->bh, bt->cfg.cash * close / bt->first_open, t, i,
		    1);
	}
	bt->day.end_equity = bt->per.end_equity = bt->equity;
}

/* Score the previous row's predictions against this candle. */
static void
score(struct bt *bt, const struct bt_row *r)
{
	int dir = sign(r->close - r->open);

	if ((bt->pending == ACTION_BUY || bt->pending == ACTION_SELL) &&
	    dir != 0) {
		bt->sig_n++;
		if ((bt->pending == ACTION_BUY) == (dir > 0))
			bt->sig_hit++;
	}
	if (bt->prev.has_ghost) {
		bt->gerr_n++;
		bt->gerr_sum += fabs(bt->prev.next_close - r->close) / r->close;
		bt->naive_sum += fabs(bt->prev.close - r->close) / r->close;
		if (dir != 0) {
			bt->gdir_n++;
			if (sign(bt->prev.next_close - bt->prev.next_open) == dir)
				bt->gdir_hit++;
		}
	}
}

static void
day_done(struct bt *bt, const struct bt_period *d)
{
	double r = d->end_equity / d->start_equity - 1;

	if (r > bt->best_day)
		bt->best_day = r;
	if (r < bt->worst_day)
		bt->worst_day = r;
	bt->days_win += r > 0;
	bt->days_draw += r == 0;
	bt->days_lose += r < 0;
}

static void
period_start(struct bt_period *p, int64_t key, cktime t, double equity)
{
	memset(p, 0, sizeof(*p));
	p->key = key;
	p->first = t;
	p->start_equity = p->end_equity = equity;
}

/* A new row at time t: close the day and the period it leaves. */
static void
periods(struct bt *bt, cktime t)
{
	int64_t k = bt_period_key(BT_PERIOD_DAY, t);

	if (bt->n == 0 || k != bt->day.key) {
		if (bt->n > 0)
			day_done(bt, &bt->day);
		period_start(&bt->day, k, t, bt->equity);
	}
	bt->day.candles++;
	if (bt->cfg.period == BT_PERIOD_NONE)
		return;
	k = bt_period_key(bt->cfg.period, t);
	if (bt->n == 0 || k != bt->per.key) {
		if (bt->n > 0) {
			bt->per_done = bt->per;
			bt->per_ready = 1;
		}
		period_start(&bt->per, k, t, bt->equity);
	}
	bt->per.candles++;
}

static int
badprice(double x)
{
	return !(x > 0) || !isfinite(x);
}

int
bt_push(struct bt *bt, const struct bt_row *r, struct bt_trade *out,
    char *err, size_t errlen)
{
	int n = 0, act;
	double ret;

	/* each price on its own: a sum of valid prices may overflow */
	if (badprice(r->open) || badprice(r->high) || badprice(r->low) ||
	    badprice(r->close)) {
		snprintf(err, errlen, "price not positive and finite");
		return CK_EDATA;
	}
	if (bt->n > 0 && r->t <= bt->prev.t) {
		snprintf(err, errlen, "time does not increase");
		return CK_EDATA;
	}
	periods(bt, r->t);
	if (bt->n == 0) {
		bt->start = r->t;
		bt->first_open = r->open;
		bt->eq.peak_t = bt->bh.peak_t = r->t;
	} else {
		count_step(bt, (uint64_t)r->t - (uint64_t)bt->prev.t);
		score(bt, r);
		ret = r->close / bt->prev.close - 1;
		bt->r2sum += ret * ret;
		bt->r2n++;
		if (bt->order != BT_KEEP) {
			if (bt->cfg.fill == BT_FILL_OPEN)
				n += carry_out(bt, bt->order, r->open, r->t, out);
			else
				n += carry_out(bt, bt->order, bt->prev.close,
				    bt->prev.t, out);
		}
	}
	if (bt->side != BT_FLAT) {
		bt->bars++;
		bt->exposed++;
		n += stops(bt, r, out + n);
	}
	mark(bt, r->close, r->t, 1);

	act = r->action;
	if ((act == ACTION_BUY || act == ACTION_SELL) &&
	    bt->cfg.min_confidence > 0 &&
	    !(r->confidence >= bt->cfg.min_confidence))
		act = ACTION_HOLD;
	bt->pending = act;
	bt->order = decide(bt, act, r);
	bt->prev = *r;
	bt->n++;
	return n;
}

int
bt_finish(struct bt *bt, struct bt_trade *out)
{
	if (bt->finished)
		return 0;
	bt->finished = 1;
	bt->pending = ACTION_NONE;
	bt->order = BT_KEEP;
	if (bt->n == 0 || bt->side == BT_FLAT)
		return 0;
	close_pos(bt, bt->prev.close, bt->prev.t, BT_EXIT_END, out);
	mark(bt, bt->prev.close, bt->prev.t, 0);
	return 1;
}

int
bt_period_take(struct bt *bt, struct bt_period *p)
{
	if (!bt->per_ready)
		return 0;
	*p = bt->per_done;
	bt->per_ready = 0;
	return 1;
}

int
bt_period_current(const struct bt *bt, struct bt_period *p)
{
	if (bt->n == 0 || bt->cfg.period == BT_PERIOD_NONE)
		return 0;
	*p = bt->per;
	return 1;
}

static double
pct(long a, long b)
{
	return b > 0 ? 100.0 * a / b : NAN;
}

/* The Wilson score interval of k hits in n at 95%, in %. */
static void
wilson(long k, long n, double *lo, double *hi)
{
	const double z = 1.959963984540054;
	double p, den, mid, half;

	if (n == 0) {
		*lo = *hi = NAN;
		return;
	}
	p = (double)k / n;
	den = 1 + z * z / n;
	mid = (p + z * z / (2.0 * n)) / den;
	half = z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / den;
	*lo = 100 * fmax(0, mid - half);
	*hi = 100 * fmin(1, mid + half);
}

/* Two-sided exact binomial test of k hits in n against 1/2:
 * 2 P(X <= min(k, n - k)), at most 1. */
static double
binom_p(long k, long n)
{
	long m = k < n - k ? k : n - k, i;
	double lf = lgamma(n + 1.0), s = 0;

	if (n == 0)
		return NAN;
	for (i = 0; i <= m; i++)
		s += exp(lf - lgamma(i + 1.0) - lgamma(n - i + 1.0) -
		    n * log(2.0));
	return fmin(1, 2 * s);
}

/* One curve's metrics; years: the calendar span. */
static void
curve_summary(const struct bt_curve *c, double cash, double ppy,
    double years, long lastrow, cktime lastt, struct bt_curve_summary *s)
{
	double sd, down, g, ep;
	long ndd = c->ndd;
	double sum_depth = c->sum_depth, sum_bars = (double)c->sum_dd_bars;
	double sum_secs = c->sum_dd_secs;

	memset(s, 0, sizeof(*s));
	s->equity = c->value;
	s->equity_peak = c->peak;
	s->return_pct = 100 * (c->value / cash - 1);
	g = c->value > 0 ? c->value / cash : 0;
	s->return_ann_pct = c->nret > 0 && isfinite(ppy) ?
	    100 * (pow(g, ppy / c->nret) - 1) : NAN;
	s->cagr_pct = years > 0 ? 100 * (pow(g, 1 / years) - 1) : NAN;
	sd = c->nret > 1 ? sqrt(c->rm2 / (c->nret - 1)) : 0;
	down = c->nret > 0 ? sqrt(c->rdown2 / c->nret) : 0;
	s->volatility_ann_pct = c->nret > 1 ? 100 * sd * sqrt(ppy) : NAN;
	s->sharpe = sd > 0 ? c->rmean / sd * sqrt(ppy) : NAN;
	s->sortino = down > 0 ? c->rmean / down * sqrt(ppy) : NAN;
	s->max_dd_pct = 100 * c->max_dd;
	s->calmar = c->max_dd > 0 ? s->return_ann_pct / s->max_dd_pct : NAN;
	if (c->max_dd_open) {
		s->max_dd_bars = lastrow - c->max_dd_peak;
		s->max_dd_seconds = span(lastt, c->peak_t);
	} else {
		s->max_dd_bars = c->max_dd_bars;
		s->max_dd_seconds = c->max_dd_secs;
	}
	s->longest_dd_bars = c->longest_bars;
	s->longest_dd_seconds = c->longest_secs;
	ep = c->ep_depth;
	if (ep > 0) {		/* the episode still open at the end */
		ndd++;
		sum_depth += ep;
		sum_bars += lastrow - c->peak_i;
		sum_secs += span(lastt, c->peak_t);
		if (lastrow - c->peak_i > s->longest_dd_bars)
			s->longest_dd_bars = lastrow - c->peak_i;
		if (span(lastt, c->peak_t) > s->longest_dd_seconds)
			s->longest_dd_seconds = span(lastt, c->peak_t);
	}
	s->drawdowns = ndd;
	s->avg_dd_pct = ndd ? 100 * sum_depth / ndd : 0;
	s->avg_dd_bars = ndd ? sum_bars / ndd : 0;
	s->avg_dd_seconds = ndd ? sum_secs / ndd : 0;
}

void
bt_summary(const struct bt *bt, struct bt_summary *s)
{
	uint64_t med = median_step(bt);
	double years, sd, r, avgeq;
	long i;
	struct bt_period d;

	memset(s, 0, sizeof(*s));
	s->start = bt->n ? bt->start : CKTIME_NONE;
	s->end = bt->n ? bt->prev.t : CKTIME_NONE;
	s->duration_seconds = bt->n ? span(bt->prev.t, bt->start) : 0;
	s->candles = bt->n;
	s->trades = bt->trades;
	s->wins = bt->wins;
	s->losses = bt->losses;
	s->win_rate = pct(bt->wins, bt->trades);
	s->median_step = (double)med / CK_SEC;
	/* periods per year: the stream's own candles per year of calendar
	 * time, over a month or more; else a year over the median step */
	if (bt->cfg.periods_per_year > 0) {
		s->periods_per_year = bt->cfg.periods_per_year;
		s->ppy_source = "option";
	} else if (bt->n > 1 && s->duration_seconds >= YEAR_S / 12) {
		s->periods_per_year = (bt->n - 1) * YEAR_S / s->duration_seconds;
		s->ppy_source = "data";
	} else {
		s->periods_per_year = med > 0 ? YEAR_S / s->median_step : NAN;
		s->ppy_source = "median_step";
	}
	years = s->duration_seconds / YEAR_S;
	curve_summary(&bt->eq, bt->cfg.cash, s->periods_per_year, years,
	    bt->n - 1, bt->prev.t, &s->strat);
	curve_summary(&bt->bh, bt->cfg.cash, s->periods_per_year, years,
	    bt->n - 1, bt->prev.t, &s->bh);
	memset(&s->flat, 0, sizeof(s->flat));
	s->flat.equity = s->flat.equity_peak = bt->cfg.cash;
	s->flat.volatility_ann_pct = bt->n > 1 ? 0 : NAN;
	s->flat.sharpe = s->flat.sortino = s->flat.calmar = NAN;
	s->flat.return_ann_pct = bt->n > 0 ? 0 : NAN;
	s->flat.cagr_pct = years > 0 ? 0 : NAN;
	if (bt->n == 0) {
		s->bh.return_pct = s->bh.equity = s->bh.equity_peak = NAN;
		s->bh.return_ann_pct = s->bh.cagr_pct = NAN;
	}

	s->equity = bt->equity;
	s->pnl = bt->equity - bt->cfg.cash;
	s->return_pct = 100 * s->pnl / bt->cfg.cash;
	s->bh_return_pct = bt->n ? 100 * (bt->prev.close / bt->first_open - 1) :
	    NAN;
	s->max_dd_pct = s->strat.max_dd_pct;
	s->max_dd_bars = s->strat.max_dd_bars;
	s->max_dd_seconds = s->strat.max_dd_seconds;
	s->sharpe = s->strat.sharpe;
	s->sortino = s->strat.sortino;
	/* beta: the strategy's returns regressed on buy and hold's */
	s->beta = bt->bh.rm2 > 0 ? bt->cov / bt->bh.rm2 : NAN;
	s->alpha_pct = isfinite(s->beta) ?
	    s->return_pct - s->beta * s->bh_return_pct : NAN;

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
	sd = bt->trades > 1 ? sqrt(bt->pnl_m2 / (bt->trades - 1)) : 0;
	s->sqn = sd > 0 ? sqrt((double)bt->trades) * bt->pnl_mean / sd : NAN;
	s->kelly = bt->wins > 0 && bt->losses > 0 ?
	    (double)bt->wins / bt->trades - (double)(bt->trades - bt->wins) /
	    bt->trades / ((bt->gross_win / bt->wins) /
	    (bt->gross_loss / bt->losses)) : NAN;
	s->avg_trade_seconds = bt->trades ? bt->secs_sum / bt->trades : NAN;
	s->max_trade_seconds = bt->trades ? bt->secs_max : NAN;
	s->avg_hold_bars = bt->trades ? (double)bt->bars_sum / bt->trades : NAN;
	s->max_trade_bars = bt->bars_max;
	s->max_wins = bt->max_wins;
	s->max_losses = bt->max_losses;
	avgeq = bt->eq.n > 0 ? bt->eq.sum / bt->eq.n : NAN;
	s->turnover = avgeq > 0 ? bt->traded / avgeq : NAN;
	s->fees_pct = 100 * bt->fees / bt->cfg.cash;
	s->trades_per_candle = bt->n ? (double)bt->trades / bt->n : NAN;
	s->auto_bars = bt_auto_bars(bt);
	for (i = 0; i < 2; i++)
		s->side[i] = bt->side_st[i];
	for (i = 0; i < BT_NREASON; i++)
		s->reason[i] = bt->reason_st[i];

	/* days, the open one included */
	s->days_win = bt->days_win;
	s->days_draw = bt->days_draw;
	s->days_lose = bt->days_lose;
	s->best_day_pct = bt->best_day;
	s->worst_day_pct = bt->worst_day;
	if (bt->n > 0) {
		d = bt->day;
		r = d.end_equity / d.start_equity - 1;
		s->days_win += r > 0;
		s->days_draw += r == 0;
		s->days_lose += r < 0;
		s->best_day_pct = fmax(s->best_day_pct, r);
		s->worst_day_pct = fmin(s->worst_day_pct, r);
	}
	s->days = s->days_win + s->days_draw + s->days_lose;
	s->best_day_pct = s->days ? 100 * s->best_day_pct : NAN;
	s->worst_day_pct = s->days ? 100 * s->worst_day_pct : NAN;

	s->signals = bt->sig_n;
	s->hits = bt->sig_hit;
	s->hit_rate = pct(bt->sig_hit, bt->sig_n);
	wilson(bt->sig_hit, bt->sig_n, &s->hit_lo, &s->hit_hi);
	s->hit_p = binom_p(bt->sig_hit, bt->sig_n);
	s->ghosts = bt->gdir_n;
	s->ghost_dir_pct = pct(bt->gdir_hit, bt->gdir_n);
	s->ghost_err_n = bt->gerr_n;
	s->ghost_mape = bt->gerr_n ? 100 * bt->gerr_sum / bt->gerr_n : NAN;
	s->naive_mape = bt->gerr_n ? 100 * bt->naive_sum / bt->gerr_n : NAN;
	s->mape_ratio = bt->naive_sum > 0 ? bt->gerr_sum / bt->naive_sum : NAN;
}
