/*
 * Unit tests of lib/backtest.c: small cases worked out by hand (the
 * arithmetic is in the comments; values to 1e-9 relative), and the
 * properties of the issue on random series.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backtest.h"
#include "svg.h"
#include "t.h"

#define B ACTION_BUY
#define S ACTION_SELL
#define H ACTION_HOLD
#define MIN (60 * CK_SEC)
#define REL 1e-9

struct run {
	struct bt	bt;
	struct bt_trade	tr[64];
	int		ntr;
	double		eq[64];
	int		side[64];
};

/* rows: {open, high, low, close, action}, one minute apart. */
static void
run(struct run *r, const struct bt_config *c, const double (*rows)[5], int n)
{
	struct bt_row row;
	char err[128];
	int i, k;

	memset(r, 0, sizeof(*r));
	T_EQ(bt_init(&r->bt, c, err, sizeof(err)), CK_OK);
	for (i = 0; i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.t = i * MIN;
		row.open = rows[i][0];
		row.high = rows[i][1];
		row.low = rows[i][2];
		row.close = rows[i][3];
		row.action = (int)rows[i][4];
		row.confidence = row.p_buy = row.p_sell = NAN;
		k = bt_push(&r->bt, &row, r->tr + r->ntr, err, sizeof(err));
		T_OK(k >= 0);
		r->ntr += k;
		r->eq[i] = r->bt.equity;
		r->side[i] = r->bt.side;
	}
	r->ntr += bt_finish(&r->bt, r->tr + r->ntr);
}

static struct bt_config
cfg(double fee, double slip, int fill)
{
	struct bt_config c;

	bt_config_default(&c);
	c.fee = fee;
	c.slippage = slip;
	c.fill = fill;
	/* the policy of the first version: every signal acts at once */
	c.min_hold = c.cooldown = 0;
	return c;
}

/*
 * A long trade, fill at the next open, fee 0.1%, cash 10000.
 * BUY on row 0 fills at row 1's open 100: qty = 10000 / (100 * 1.001)
 * = 99.9000999000999, entry fee = qty * 100 * 0.001 = 9.99000999000999,
 * cash left 0.  SELL on row 2 fills at row 3's open 106: exit fee =
 * qty * 106 * 0.001 = 10.58941058941059; pnl = qty * 6 - both fees
 * = 578.8211788211788; return = pnl / (qty * 100) = 5.794 %; bars 2
 * (candles 1 and 2).  Equity at the closes: 10000, qty * 104, qty * 105,
 * 10578.82117882118.  Returns 0, 0.038961038961, 0.009615384615,
 * 0.008514285714; mean / sample sd * sqrt(525960) (1-minute median step:
 * 365.25 * 1440 per year) = 608.5048818777816.  No drawdown; exposure
 * 2 / 4 = 50 %; buy and hold 106 / 100 - 1 = 6 %.  Row 0's BUY is
 * followed by an up candle (104 > 100): a hit; row 2's SELL by a flat one
 * (106 = 106): not scored.  Hit rate 1 / 1.
 */
static void
test_long_open(void)
{
	static const double rows[][5] = {
		{ 100, 101, 99, 100, B },
		{ 100, 105, 100, 104, H },
		{ 104, 106, 103, 105, S },
		{ 106, 107, 105, 106, H },
	};
	struct bt_config c = cfg(0.001, 0, BT_FILL_OPEN);
	struct bt_summary s;
	struct run r;
	double q = 99.9000999000999;

	run(&r, &c, rows, 4);
	T_EQ(r.ntr, 1);
	T_EQ(r.tr[0].side, BT_LONG);
	T_EQ(r.tr[0].entry_time, 1 * MIN);
	T_EQ(r.tr[0].exit_time, 3 * MIN);
	T_NEAR(r.tr[0].entry_price, 100, 0, REL);
	T_NEAR(r.tr[0].exit_price, 106, 0, REL);
	T_NEAR(r.tr[0].qty, q, 0, REL);
	T_NEAR(r.tr[0].fees, 9.990009990009991 + 10.58941058941059, 0, REL);
	T_NEAR(r.tr[0].pnl, 578.8211788211788, 0, REL);
	T_NEAR(r.tr[0].return_pct, 5.794, 0, REL);
	T_EQ(r.tr[0].bars, 2);
	T_EQ(r.tr[0].reason, BT_EXIT_SIGNAL);
	T_NEAR(r.eq[0], 10000, 0, REL);
	T_NEAR(r.eq[1], q * 104, 0, REL);
	T_NEAR(r.eq[2], q * 105, 0, REL);
	T_NEAR(r.eq[3], 10578.82117882118, 0, REL);
	bt_summary(&r.bt, &s);
	T_EQ(s.candles, 4);
	T_EQ(s.start, 0);
	T_EQ(s.end, 3 * MIN);
	T_EQ(s.trades, 1);
	T_EQ(s.wins, 1);
	T_EQ(s.losses, 0);
	T_NEAR(s.win_rate, 100, 0, REL);
	T_NEAR(s.pnl, 578.8211788211788, 0, REL);
	T_NEAR(s.return_pct, 5.788211788211788, 0, REL);
	T_NEAR(s.bh_return_pct, 6, 0, REL);
	T_NEAR(s.max_dd_pct, 0, 1e-12, 0);
	T_EQ(s.max_dd_bars, 0);
	T_NEAR(s.median_step, 60, 0, REL);
	T_NEAR(s.periods_per_year, 525960, 0, REL);
	T_NEAR(s.sharpe, 608.5048818777816, 0, 1e-7);
	T_OK(isnan(s.sortino));		/* no negative return */
	T_OK(isinf(s.profit_factor));
	T_NEAR(s.expectancy, 578.8211788211788, 0, REL);
	T_NEAR(s.exposure_pct, 50, 0, REL);
	T_NEAR(s.best_pct, 5.794, 0, REL);
	T_NEAR(s.worst_pct, 5.794, 0, REL);
	T_NEAR(s.avg_pct, 5.794, 0, REL);
	T_NEAR(s.fees, 20.57942057942058, 0, REL);
	T_EQ(s.signals, 1);
	T_NEAR(s.hit_rate, 100, 0, REL);
	T_EQ(s.ghosts, 0);
	T_OK(isnan(s.ghost_mape));
}

/*
 * Short, then reverse to long, fill at the close, fee 0.1 %, slippage 1 %.
 * SELL on row 0 fills at its close 50 less 1 %: 49.5; qty = 10000 /
 * (49.5 * 1.001) = 201.81838363656547; entry fee 9.99000999; cash
 * 10000 + qty * 49.5 * 0.999.  Equity at row 1's close 48: cash - qty * 48
 * = 10292.737565464835.  BUY on row 1 fills at 48 plus 1 % = 48.48: the
 * short's pnl = qty * (49.5 - 48.48) - fees = 186.08058608058673 (return
 * 1.8626666666666731 %, fees 19.774165228710686, bars 1); cash
 * 10186.080586080583 buys qty2 = cash / (48.48 * 1.001) = 209.8990239562538
 * long.  Row 2: equity 10285.052173856437; row 3: 9655.355101987676.
 * The end closes at 46 less 1 % = 45.54: pnl = qty2 * (45.54 - 48.48) -
 * fees = -636.8378366637527 (return -6.258292079207916 %, fees
 * 19.73470623236698, bars 2).  Final 9549.242749416831.
 */
static void
test_reverse_close(void)
{
	static const double rows[][5] = {
		{ 50, 52, 49, 50, S },
		{ 50, 51, 47, 48, B },
		{ 48, 50, 47, 49, H },
		{ 49, 49, 45, 46, H },
	};
	struct bt_config c = cfg(0.001, 0.01, BT_FILL_CLOSE);
	struct bt_summary s;
	struct run r;

	c.reverse = 1;
	run(&r, &c, rows, 4);
	T_EQ(r.ntr, 2);
	T_EQ(r.tr[0].side, BT_SHORT);
	T_EQ(r.tr[0].entry_time, 0);
	T_EQ(r.tr[0].exit_time, 1 * MIN);
	T_NEAR(r.tr[0].entry_price, 49.5, 0, REL);
	T_NEAR(r.tr[0].exit_price, 48.48, 0, REL);
	T_NEAR(r.tr[0].qty, 201.81838363656547, 0, REL);
	T_NEAR(r.tr[0].pnl, 186.08058608058673, 0, REL);
	T_NEAR(r.tr[0].return_pct, 1.8626666666666731, 0, REL);
	T_NEAR(r.tr[0].fees, 19.774165228710686, 0, REL);
	T_EQ(r.tr[0].bars, 1);
	T_EQ(r.tr[0].reason, BT_EXIT_SIGNAL);
	T_EQ(r.tr[1].side, BT_LONG);
	T_EQ(r.tr[1].entry_time, 1 * MIN);
	T_EQ(r.tr[1].exit_time, 3 * MIN);
	T_NEAR(r.tr[1].entry_price, 48.48, 0, REL);
	T_NEAR(r.tr[1].exit_price, 45.54, 0, REL);
	T_NEAR(r.tr[1].qty, 209.8990239562538, 0, REL);
	T_NEAR(r.tr[1].pnl, -636.8378366637527, 0, REL);
	T_NEAR(r.tr[1].return_pct, -6.258292079207916, 0, REL);
	T_NEAR(r.tr[1].fees, 19.73470623236698, 0, REL);
	T_EQ(r.tr[1].bars, 2);
	T_EQ(r.tr[1].reason, BT_EXIT_END);
	T_NEAR(r.eq[0], 10000, 0, REL);
	T_NEAR(r.eq[1], 10292.737565464835, 0, REL);
	T_NEAR(r.eq[2], 10285.052173856437, 0, REL);
	T_NEAR(r.eq[3], 9655.355101987676, 0, REL);
	bt_summary(&r.bt, &s);
	T_NEAR(s.equity, 9549.242749416831, 0, REL);
	T_EQ(s.wins, 1);
	T_EQ(s.losses, 1);
	T_NEAR(s.win_rate, 50, 0, REL);
	/* 186.08058608058673 / 636.8378366637527 */
	T_NEAR(s.profit_factor, 0.2921946143392174, 0, 1e-8);
	T_NEAR(s.expectancy, (186.08058608058673 - 636.8378366637527) / 2, 0, REL);
	T_NEAR(s.fees, 19.774165228710686 + 19.73470623236698, 0, REL);
	T_NEAR(s.best_pct, 1.8626666666666731, 0, REL);
	T_NEAR(s.worst_pct, -6.258292079207916, 0, REL);
	/* exposure: candles 1, 2, 3 of 4 */
	T_NEAR(s.exposure_pct, 75, 0, REL);
	/* peak 10292.737565464835 at row 1; the end 9549.242749416831 is
	 * 7.22349... % below it, not recovered: 2 bars, 120 s */
	T_NEAR(s.max_dd_pct, 100 * (1 - 9549.242749416831 / 10292.737565464835),
	    0, 1e-8);
	T_EQ(s.max_dd_bars, 2);
	T_NEAR(s.max_dd_seconds, 120, 0, REL);
	/* bh 46 / 50 - 1 = -8 % */
	T_NEAR(s.bh_return_pct, -8, 0, REL);
}

/*
 * Stops, fill at the next open, no costs; stop-loss 5 %, take-profit 10 %.
 * Row 1 enters long 100 (qty 100; stop 95, target 110); its range 96..104
 * touches neither.  Row 2 (94..111) touches both: the worse first, out at
 * 95, pnl -500, bars 2.  Row 3 enters long at its open 90 (BUY of row 2;
 * qty 9500 / 90; target 99) and its high 100 takes profit: pnl 9500 / 90 * 9
 * = 950, bars 1; cash 10450.  Row 4 enters short at 80 (SELL of row 3;
 * qty 130.625; stop 84) and its high 85 stops it at 84: pnl -522.5; cash
 * 9927.5.  Row 6 enters long at 85 (qty 9927.5 / 85; stop 80.75); row 7
 * opens at 78, through the stop: out at the open 78, pnl 9927.5 / 85 *
 * -7 = -817.5588235294118; final 9109.941176470588.
 */
static void
test_stops(void)
{
	static const double rows[][5] = {
		{ 100, 100, 100, 100, B },
		{ 100, 104, 96, 100, H },
		{ 100, 111, 94, 105, B },
		{ 90, 100, 89, 98, S },
		{ 80, 85, 79, 84, H },
		{ 84, 84, 84, 84, B },
		{ 85, 86, 84, 85, H },
		{ 78, 96, 77, 90, H },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_summary s;
	struct run r;

	c.stop_loss = 0.05;
	c.take_profit = 0.10;
	run(&r, &c, rows, 8);
	T_EQ(r.ntr, 4);
	T_EQ(r.tr[0].reason, BT_EXIT_STOP);
	T_NEAR(r.tr[0].exit_price, 95, 0, REL);
	T_NEAR(r.tr[0].pnl, -500, 0, REL);
	T_EQ(r.tr[0].bars, 2);
	T_EQ(r.tr[0].exit_time, 2 * MIN);
	T_EQ(r.tr[1].reason, BT_EXIT_TAKE);
	T_NEAR(r.tr[1].entry_price, 90, 0, REL);
	T_NEAR(r.tr[1].exit_price, 99, 0, REL);
	T_NEAR(r.tr[1].pnl, 950, 0, REL);
	T_EQ(r.tr[1].bars, 1);
	T_EQ(r.tr[2].side, BT_SHORT);
	T_EQ(r.tr[2].reason, BT_EXIT_STOP);
	T_NEAR(r.tr[2].qty, 130.625, 0, REL);
	T_NEAR(r.tr[2].exit_price, 84, 0, REL);
	T_NEAR(r.tr[2].pnl, -522.5, 0, REL);
	T_NEAR(r.tr[2].return_pct, -5, 0, REL);
	T_EQ(r.tr[3].reason, BT_EXIT_STOP);
	T_NEAR(r.tr[3].entry_price, 85, 0, REL);
	T_NEAR(r.tr[3].exit_price, 78, 0, REL);
	T_NEAR(r.tr[3].pnl, -817.5588235294118, 0, REL);
	T_EQ(r.tr[3].exit_time, 7 * MIN);
	bt_summary(&r.bt, &s);
	T_NEAR(s.equity, 9109.941176470588, 0, REL);
	T_EQ(s.wins, 1);
	T_EQ(s.losses, 3);
	/* 950 / (500 + 522.5 + 817.5588235294118) */
	T_NEAR(s.profit_factor, 950 / 1840.0588235294118, 0, REL);
	T_NEAR(s.best_pct, 10, 0, REL);
	T_NEAR(s.worst_pct, -8.235294117647059, 0, REL);	/* -7 / 85 */
	T_NEAR(s.fees, 0, 1e-12, 0);
	/* exposure: candles 1, 2, 3, 4, 6, 7 of 8 */
	T_NEAR(s.exposure_pct, 75, 0, REL);
}

/*
 * Long only, size 0.5, fee 0.2 %.  Row 0's SELL is ignored (flat, no
 * shorts).  BUY of row 1 fills at row 2's open 12: qty = 0.5 * 10000 /
 * (12 * 1.002) = 415.83499667332, cash left 5000.  SELL of row 2 fills at
 * row 3's open 14 and does not open a short: pnl = qty * 2 - qty * 12 *
 * 0.002 - qty * 14 * 0.002 = 810.0465735196274, return 16.2333... %.
 * Row 3's SELL finds the position flat.  Hit rate: row 0 SELL before an
 * up candle (miss), row 1 BUY before a flat one (not scored), rows 2 and
 * 3 SELL before down candles (hits): 2 / 3.
 */
static void
test_long_only_size(void)
{
	static const double rows[][5] = {
		{ 10, 10, 10, 10, S },
		{ 10, 11, 10, 11, B },
		{ 12, 13, 11, 12, S },
		{ 14, 14, 13, 13, S },
		{ 13, 13, 12, 12, H },
	};
	struct bt_config c = cfg(0.002, 0, BT_FILL_OPEN);
	struct bt_summary s;
	struct run r;

	c.long_only = 1;
	c.size = 0.5;
	run(&r, &c, rows, 5);
	T_EQ(r.side[0], BT_FLAT);
	T_EQ(r.side[1], BT_FLAT);
	T_EQ(r.side[2], BT_LONG);
	T_EQ(r.side[3], BT_FLAT);
	T_EQ(r.side[4], BT_FLAT);
	T_EQ(r.ntr, 1);
	T_NEAR(r.tr[0].qty, 415.83499667332, 0, REL);
	T_NEAR(r.tr[0].pnl, 810.0465735196274, 0, REL);
	T_NEAR(r.tr[0].return_pct, 16.233333333333334, 0, REL);
	T_NEAR(r.eq[2], 5000 + 415.83499667332 * 12, 0, REL);
	bt_summary(&r.bt, &s);
	T_NEAR(s.equity, 10810.046573519627, 0, REL);
	T_NEAR(s.fees, 21.62341982701264, 0, REL);
	T_EQ(s.signals, 3);
	T_NEAR(s.hit_rate, 200.0 / 3, 0, REL);
}

/*
 * Drawdown and the ratios: fill at the close, no costs, BUY on row 0
 * (qty 100 at 100) held to the end; --periods-per-year 252.  Equity:
 * 10000, 11000, 9900, 8800, 10500, 12100, 11000.  Peak 11000 at row 1,
 * trough 8800 (20 %), recovered at row 5: 4 bars, 240 s.  Returns 0, 0.1,
 * -0.1, -1/9, 0.19318181818, 0.15238095238, -1/11: Sharpe = mean / sample
 * sd * sqrt(252) = 2.544426821679273; Sortino = mean / sqrt(sum of squared
 * negatives / 7) * sqrt(252) = 4.922653787394298.
 */
static void
test_drawdown(void)
{
	static const double rows[][5] = {
		{ 100, 100, 100, 100, B },
		{ 100, 110, 100, 110, H },
		{ 110, 110, 99, 99, H },
		{ 99, 99, 88, 88, H },
		{ 88, 105, 88, 105, H },
		{ 105, 121, 105, 121, H },
		{ 121, 121, 110, 110, H },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_CLOSE);
	struct bt_summary s;
	struct run r;

	c.periods_per_year = 252;
	run(&r, &c, rows, 7);
	T_NEAR(r.eq[3], 8800, 0, REL);
	bt_summary(&r.bt, &s);
	T_NEAR(s.max_dd_pct, 20, 0, REL);
	T_EQ(s.max_dd_bars, 4);
	T_NEAR(s.max_dd_seconds, 240, 0, REL);
	T_NEAR(s.sharpe, 2.544426821679273, 0, 1e-8);
	T_NEAR(s.sortino, 4.922653787394298, 0, 1e-8);
	T_NEAR(s.return_pct, 10, 0, REL);
	T_NEAR(s.exposure_pct, 600.0 / 7, 0, REL);
	T_EQ(r.tr[0].bars, 6);
	T_EQ(r.tr[0].reason, BT_EXIT_END);
}

/*
 * Ghost candles and --min-confidence 0.5.  Row 0 predicts up (10 -> 11);
 * row 1 is up (10 -> 12): a hit, |11 - 12| / 12 = 8.333 %.  Row 1 predicts
 * down (12 -> 11); row 2 is up (12 -> 13): a miss, |11 - 13| / 13 =
 * 15.385 %.  Direction 1 / 2; MAPE (1/12 + 2/13) / 2 = 11.858974358974358 %.
 * Row 0's BUY (confidence 0.4) is ignored; row 1's SELL (0.9) fills short
 * at row 2's open 12 and is scored against row 2 (up): a miss.  The end
 * closes it at 13: pnl 10000 / 12 * -1 = -833.333...
 */
static void
test_ghost_confidence(void)
{
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_row row[4];
	struct bt_trade tr[4];
	struct bt_summary s;
	struct bt bt;
	char err[64];
	int i, n = 0;

	memset(row, 0, sizeof(row));
	for (i = 0; i < 4; i++) {
		row[i].t = i * MIN;
		row[i].confidence = row[i].p_buy = row[i].p_sell = NAN;
	}
	row[0].open = 10, row[0].high = 10, row[0].low = 10, row[0].close = 10;
	row[1].open = 10, row[1].high = 12, row[1].low = 10, row[1].close = 12;
	row[2].open = 12, row[2].high = 13, row[2].low = 12, row[2].close = 13;
	row[3].open = 13, row[3].high = 13, row[3].low = 13, row[3].close = 13;
	row[0].action = ACTION_BUY, row[0].confidence = 0.4;
	row[1].action = ACTION_SELL, row[1].confidence = 0.9;
	row[0].has_ghost = row[1].has_ghost = 1;
	row[0].next_open = 10, row[0].next_close = 11;
	row[1].next_open = 12, row[1].next_close = 11;
	c.min_confidence = 0.5;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	for (i = 0; i < 4; i++)
		n += bt_push(&bt, &row[i], tr + n, err, sizeof(err));
	n += bt_finish(&bt, tr + n);
	T_EQ(bt_finish(&bt, tr + n), 0);
	T_EQ(n, 1);
	T_EQ(tr[0].side, BT_SHORT);
	T_NEAR(tr[0].pnl, -10000.0 / 12, 0, REL);
	bt_summary(&bt, &s);
	T_EQ(s.signals, 1);
	T_NEAR(s.hit_rate, 0, 1e-12, 0);
	T_EQ(s.ghosts, 2);
	T_NEAR(s.ghost_dir_pct, 50, 0, REL);
	T_EQ(s.ghost_err_n, 2);
	T_NEAR(s.ghost_mape, 11.858974358974358, 0, REL);
	/* time must increase */
	T_EQ(bt_push(&bt, &row[3], tr, err, sizeof(err)), CK_EDATA);
}

/* A random walk of n candles with a gap every 50 (steps 60 s, 600 s). */
static void
walk(struct bt_row *r, int n, unsigned seed)
{
	double p = 100, o, c, hi, lo;
	cktime t = 0;
	int i;

	srand(seed);
	for (i = 0; i < n; i++) {
		o = p * (1 + (rand() / (double)RAND_MAX - 0.5) * 0.01);
		c = o * (1 + (rand() / (double)RAND_MAX - 0.5) * 0.02);
		hi = fmax(o, c) * (1 + rand() / (double)RAND_MAX * 0.005);
		lo = fmin(o, c) * (1 - rand() / (double)RAND_MAX * 0.005);
		memset(&r[i], 0, sizeof(r[i]));
		r[i].t = t;
		r[i].open = o, r[i].high = hi, r[i].low = lo, r[i].close = c;
		r[i].confidence = r[i].p_buy = r[i].p_sell = NAN;
		r[i].action = ACTION_HOLD;
		t += i % 50 == 49 ? 10 * MIN : MIN;
		p = c;
	}
}

#define NW 2000

/* All HOLD: no trade, equity flat; the median step is the usual one. */
static void
test_prop_hold(void)
{
	static struct bt_row r[NW];
	struct bt_config c = cfg(0.001, 0.001, BT_FILL_OPEN);
	struct bt_trade tr[BT_MAXTRADES];
	struct bt_summary s;
	struct bt bt;
	char err[64];
	int i, n = 0;

	walk(r, NW, 1);
	bt_init(&bt, &c, err, sizeof(err));
	for (i = 0; i < NW; i++) {
		n += bt_push(&bt, &r[i], tr, err, sizeof(err));
		T_OK(bt.equity == 10000);
	}
	n += bt_finish(&bt, tr);
	T_EQ(n, 0);
	bt_summary(&bt, &s);
	T_OK(s.equity == 10000);
	T_OK(s.max_dd_pct == 0);
	T_NEAR(s.median_step, 60, 0, 0);
	T_OK(isnan(s.sharpe));
}

/* One BUY at the start, long only, never exited: final equity =
 * cash * (last close / entry fill) * (1 - fee) / (1 + fee). */
static void
test_prop_hold_long(void)
{
	static struct bt_row r[NW];
	struct bt_trade tr[BT_MAXTRADES];
	struct bt_summary s;
	struct bt bt;
	char err[64];
	int i, k, fill;
	double fee = 0.001, want;

	for (fill = BT_FILL_OPEN; fill <= BT_FILL_CLOSE; fill++) {
		struct bt_config c = cfg(fee, 0, fill);

		c.long_only = 1;
		walk(r, NW, 2 + fill);
		r[0].action = ACTION_BUY;
		bt_init(&bt, &c, err, sizeof(err));
		for (i = 0; i < NW; i++)
			T_EQ(bt_push(&bt, &r[i], tr, err, sizeof(err)), 0);
		k = bt_finish(&bt, tr);
		T_EQ(k, 1);
		bt_summary(&bt, &s);
		want = 10000 * (r[NW - 1].close /
		    (fill == BT_FILL_OPEN ? r[1].open : r[0].close)) *
		    (1 - fee) / (1 + fee);
		T_NEAR(s.equity, want, 0, 1e-9);
		T_NEAR(tr[0].pnl, want - 10000, 0, 1e-9);
		T_EQ(tr[0].bars, NW - 1);	/* rows 1 .. NW-1 either way */
		T_NEAR(s.exposure_pct, 100.0 * (NW - 1) / NW, 0, 1e-12);
	}
}

/* No costs, fill at the close: each trade's pnl is its qty times the sum
 * of the close-to-close moves of the candles it held (signed), the total
 * is the sum of the trades, and the position follows the signals. */
static void
test_prop_moves(void)
{
	static struct bt_row r[NW];
	static struct bt_trade tr[NW];
	static int side[NW];
	int rev, i, j, n, want, k;
	double moves, total;
	struct bt_summary s;
	struct bt bt;
	char err[64];

	for (rev = 0; rev <= 1; rev++) {
		struct bt_config c = cfg(0, 0, BT_FILL_CLOSE);

		c.reverse = rev;
		walk(r, NW, 7 + rev);
		for (i = 0; i < NW; i++)
			r[i].action = rand() % 10 == 0 ? ACTION_BUY :
			    rand() % 10 == 0 ? ACTION_SELL : ACTION_HOLD;
		bt_init(&bt, &c, err, sizeof(err));
		for (i = n = 0; i < NW; i++) {
			n += bt_push(&bt, &r[i], tr + n, err, sizeof(err));
			side[i] = bt.side;
		}
		n += bt_finish(&bt, tr + n);
		/* The position held through candle i follows row i-1's signal. */
		want = BT_FLAT;
		for (i = 1; i < NW; i++) {
			int a = r[i - 1].action, to = a == ACTION_BUY ? BT_LONG :
			    a == ACTION_SELL ? BT_SHORT : want;

			if (to != want)
				want = want == BT_FLAT || rev ? to : BT_FLAT;
			T_EQ(side[i], want);
		}
		total = 0;
		for (k = 0; k < n; k++) {
			/* candles entry+1 .. exit, by time */
			moves = 0;
			for (j = 1; j < NW; j++)
				if (r[j].t > tr[k].entry_time &&
				    r[j].t <= tr[k].exit_time)
					moves += r[j].close - r[j - 1].close;
			T_NEAR(tr[k].pnl, tr[k].side * tr[k].qty * moves, 1e-9, 1e-9);
			total += tr[k].pnl;
		}
		T_OK(n > 20);
		bt_summary(&bt, &s);
		T_NEAR(s.pnl, total, 1e-8, 1e-9);
	}
}

#define DAY (86400 * CK_SEC)

/* rows {open, high, low, close, action, p_buy, p_sell} at step apart,
 * from t0; trades into r (the end included). */
static void
runp(struct run *r, const struct bt_config *c, const double (*rows)[7], int n,
    cktime t0, cktime step)
{
	struct bt_row row;
	char err[128];
	int i, k;

	memset(r, 0, sizeof(*r));
	T_EQ(bt_init(&r->bt, c, err, sizeof(err)), CK_OK);
	for (i = 0; i < n; i++) {
		memset(&row, 0, sizeof(row));
		row.t = t0 + i * step;
		row.open = rows[i][0];
		row.high = rows[i][1];
		row.low = rows[i][2];
		row.close = rows[i][3];
		row.action = (int)rows[i][4];
		row.confidence = NAN;
		row.p_buy = rows[i][5];
		row.p_sell = rows[i][6];
		k = bt_push(&r->bt, &row, r->tr + r->ntr, err, sizeof(err));
		T_OK(k >= 0);
		r->ntr += k;
		r->eq[i] = r->bt.equity;
		r->side[i] = r->bt.side;
	}
	r->ntr += bt_finish(&r->bt, r->tr + r->ntr);
}

/* A trade's entry and exit rows (one minute apart from 0), side, bars,
 * reason. */
static void
trade_is(const struct bt_trade *t, int in, int out, int side, long bars,
    int reason)
{
	T_EQ(t->entry_time, in * MIN);
	T_EQ(t->exit_time, out * MIN);
	T_EQ(t->side, side);
	T_EQ(t->bars, bars);
	T_EQ(t->reason, reason);
}

#define N NAN
/*
 * The metrics of the report, on daily candles from 1970-01-01 (a
 * Thursday), no costs, every signal at once.  BUY on day 0 fills at day
 * 1's open 100 (qty 100); SELL on day 2 closes at day 3's open 105: +500,
 * 5 %, 2 bars, 2 days.  SELL on day 3 (flat) shorts at day 4's open 100
 * (qty 10500 / 100 = 105); BUY on day 5 covers at day 6's open 95: +525,
 * 5 %, 2 bars, 2 days.  Equity at the closes: 10000, 11000, 10500, 10500,
 * 11550, 11025, 11025; buy and hold 10000 close / 100: 10000, 11000, 10500,
 * 10000, 9000, 9500, 9500 (-5 %).
 * Drawdowns: 4.5454 % from day 1 to day 4 (3 bars, 3 days, recovered),
 * 4.5454 % from day 4 to the end (2 bars, 2 days, open): average 4.5454 %,
 * 2.5 bars, 2.5 days; the longest 3 bars; the deepest (the first) 3 bars.
 * Days (one candle each): returns 0, +10 %, -4.5454 %, 0, +10 %,
 * -4.5454 %, 0: 2 won, 3 drawn, 2 lost; best 10 %, worst -4.5454 %.
 * Two wins in a row; no loss: Kelly undefined; SQN = sqrt(2) 512.5 /
 * sd(500, 525) = sqrt(2) 512.5 / sqrt(312.5) = 41.
 * Under a month of data: 365.25 periods a year (the median step).
 * Return (ann.) = 1.1025^(365.25 / 7) - 1 = 16165.024061377331 %;
 * CAGR = 1.1025^(365.25 / 6) - 1 = 37901.18694503781 %; volatility =
 * sample sd of the 7 returns sqrt(365.25) = 116.85695955508213 %; Calmar
 * = 16165.02... / 4.5454... = 3556.305293503016.  Beta = cov / var of the
 * two return series = 0.0046129453606952335; alpha = 10.25 - beta (-5) =
 * 10.273064726803476 %.  Turnover: fills 100 100 + 100 105 + 105 100 +
 * 105 95 = 40975 over the mean equity 75600 / 7 = 3.7939814814814814.
 * By ISO week: Thu..Sun (rows 0-3: +5 %, the long trade) and Mon..Wed
 * (rows 4-6: 10500 -> 11025, +5 %, the short).
 * (Checked against a Python transcription of these formulas.)
 */
static void
test_metrics(void)
{
	static const double rows[7][7] = {
		{ 100, 100, 100, 100, B, N, N },
		{ 100, 110, 95, 110, H, N, N },
		{ 110, 110, 100, 105, S, N, N },
		{ 105, 105, 100, 100, S, N, N },
		{ 100, 100, 90, 90, H, N, N },
		{ 90, 100, 90, 95, B, N, N },
		{ 95, 95, 95, 95, H, N, N },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_summary s;
	struct bt_period p;
	static struct run r;

	c.period = BT_PERIOD_WEEK;
	runp(&r, &c, rows, 4, 0, DAY);
	T_EQ(r.ntr, 1);
	T_EQ(bt_period_take(&r.bt, &p), 0);	/* one week so far */
	runp(&r, &c, rows, 7, 0, DAY);
	T_EQ(r.ntr, 2);
	bt_summary(&r.bt, &s);
	T_EQ(s.trades, 2);
	T_NEAR(s.equity, 11025, 0, REL);
	T_NEAR(s.strat.equity_peak, 11550, 0, REL);
	T_NEAR(s.duration_seconds, 6 * 86400, 0, 0);
	T_NEAR(s.periods_per_year, 365.25, 0, REL);
	T_OK(strcmp(s.ppy_source, "median_step") == 0);
	T_NEAR(s.strat.return_ann_pct, 16165.024061377331, 0, 1e-9);
	T_NEAR(s.strat.cagr_pct, 37901.18694503781, 0, 1e-9);
	T_NEAR(s.strat.volatility_ann_pct, 116.85695955508213, 0, 1e-9);
	T_NEAR(s.strat.calmar, 3556.305293503016, 0, 1e-9);
	T_NEAR(s.beta, 0.0046129453606952335, 0, 1e-9);
	T_NEAR(s.alpha_pct, 10.273064726803476, 0, 1e-9);
	T_NEAR(s.max_dd_pct, 100.0 / 22, 0, REL);
	T_EQ(s.max_dd_bars, 3);
	T_NEAR(s.strat.avg_dd_pct, 100.0 / 22, 0, REL);
	T_EQ(s.strat.drawdowns, 2);
	T_EQ(s.strat.longest_dd_bars, 3);
	T_NEAR(s.strat.longest_dd_seconds, 3 * 86400, 0, 0);
	T_NEAR(s.strat.avg_dd_bars, 2.5, 0, 0);
	T_NEAR(s.strat.avg_dd_seconds, 2.5 * 86400, 0, 0);
	T_NEAR(s.bh.return_pct, -5, 0, REL);
	T_NEAR(s.bh.max_dd_pct, 100 * (1 - 9000.0 / 11000), 0, REL);
	T_NEAR(s.flat.return_pct, 0, 0, 0);
	T_OK(isnan(s.flat.sharpe));
	T_EQ(s.days, 7);
	T_EQ(s.days_win, 2);
	T_EQ(s.days_draw, 3);
	T_EQ(s.days_lose, 2);
	T_NEAR(s.best_day_pct, 10, 0, REL);
	T_NEAR(s.worst_day_pct, -100.0 / 22, 0, REL);
	T_EQ(s.max_wins, 2);
	T_EQ(s.max_losses, 0);
	T_OK(isnan(s.kelly));
	T_NEAR(s.sqn, 41, 0, 1e-12);
	T_NEAR(s.avg_trade_seconds, 2 * 86400, 0, 0);
	T_NEAR(s.max_trade_seconds, 2 * 86400, 0, 0);
	T_NEAR(s.avg_hold_bars, 2, 0, 0);
	T_EQ(s.max_trade_bars, 2);
	T_NEAR(s.turnover, 3.7939814814814814, 0, 1e-12);
	T_NEAR(s.fees_pct, 0, 0, 0);
	T_NEAR(s.trades_per_candle, 2.0 / 7, 0, REL);
	T_EQ(s.side[0].trades, 1);
	T_NEAR(s.side[0].pnl, 500, 0, REL);
	T_EQ(s.side[1].trades, 1);
	T_NEAR(s.side[1].pnl, 525, 0, REL);
	T_EQ(s.reason[BT_EXIT_SIGNAL].trades, 2);
	T_EQ(s.reason[BT_EXIT_END].trades, 0);
	/* the weeks: the first was handed over by day 4's push (and is
	 * still there, not taken); the second is open */
	T_EQ(bt_period_take(&r.bt, &p), 1);
	T_EQ(p.key, 0);
	T_EQ(bt_period_take(&r.bt, &p), 0);
	T_EQ(bt_period_current(&r.bt, &p), 1);
	T_EQ(p.key, 1);
	T_EQ(p.first, 4 * DAY);
	T_EQ(p.candles, 3);
	T_EQ(p.trades, 1);
	T_NEAR(p.pnl, 525, 0, REL);
	T_NEAR(p.start_equity, 10500, 0, REL);
	T_NEAR(p.end_equity, 11025, 0, REL);
}

/* The week that ends is handed over by the push that starts the next;
 * weeks run Monday to Sunday, months by the calendar. */
static void
test_periods(void)
{
	static const double rows[7][7] = {
		{ 100, 100, 100, 100, B, N, N },
		{ 100, 110, 95, 110, H, N, N },
		{ 110, 110, 100, 105, S, N, N },
		{ 105, 105, 100, 100, S, N, N },
		{ 100, 100, 90, 90, H, N, N },
		{ 90, 100, 90, 95, B, N, N },
		{ 95, 95, 95, 95, H, N, N },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_trade tr[2];
	struct bt_row row;
	struct bt_period p;
	struct bt bt;
	char err[64];
	int i, took = 0;

	c.period = BT_PERIOD_WEEK;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	for (i = 0; i < 7; i++) {
		memset(&row, 0, sizeof(row));
		row.t = i * DAY;
		row.open = rows[i][0], row.high = rows[i][1];
		row.low = rows[i][2], row.close = rows[i][3];
		row.action = (int)rows[i][4];
		row.confidence = row.p_buy = row.p_sell = NAN;
		T_OK(bt_push(&bt, &row, tr, err, sizeof(err)) >= 0);
		if (bt_period_take(&bt, &p)) {
			took++;
			T_EQ(i, 4);
			T_EQ(p.key, 0);
			T_EQ(p.candles, 4);
			T_EQ(p.trades, 1);
			T_NEAR(p.pnl, 500, 0, REL);
			T_NEAR(p.start_equity, 10000, 0, 0);
			T_NEAR(p.end_equity, 10500, 0, REL);
		}
	}
	T_EQ(took, 1);
	/* 1970-01-01 is in the week of Monday 1969-12-29; 1970-01-05 starts
	 * the next; months since year 0 */
	T_EQ(bt_period_key(BT_PERIOD_WEEK, 0), 0);
	T_EQ(bt_period_key(BT_PERIOD_WEEK, 3 * DAY + DAY - 1), 0);
	T_EQ(bt_period_key(BT_PERIOD_WEEK, 4 * DAY), 1);
	T_EQ(bt_period_key(BT_PERIOD_WEEK, -3 * DAY), 0);
	T_EQ(bt_period_key(BT_PERIOD_WEEK, -3 * DAY - 1), -1);
	T_EQ(bt_period_key(BT_PERIOD_MONTH, 31 * DAY - 1), 1970 * 12);
	T_EQ(bt_period_key(BT_PERIOD_MONTH, 31 * DAY), 1970 * 12 + 1);
	T_EQ(bt_period_key(BT_PERIOD_DAY, -1), -1);
}

/* Losses: a streak, Kelly and the exit reasons.  Long only, no costs,
 * every signal at once: +10 %, -5 %, -5 %, +20 % (entries at 100, exits
 * at 110, 95, 95, 120), the last closed by the end.  Kelly = W - (1 - W)
 * / (mean win / mean loss), W = 1/2. */
static void
test_losses_kelly(void)
{
	/* BUY at even rows, SELL at odd rows; fills at the next open */
	static const double rows[9][7] = {
		{ 100, 100, 100, 100, B, N, N },
		{ 100, 100, 100, 100, S, N, N },
		{ 110, 110, 110, 110, B, N, N },
		{ 100, 100, 100, 100, S, N, N },
		{ 95, 95, 95, 95, B, N, N },
		{ 100, 100, 100, 100, S, N, N },
		{ 95, 95, 95, 95, B, N, N },
		{ 100, 100, 100, 100, H, N, N },
		{ 120, 120, 120, 120, H, N, N },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_summary s;
	static struct run r;
	double q1, q2, q3, q4, w1, l1, l2, w2;

	c.long_only = 1;
	runp(&r, &c, rows, 9, 0, MIN);
	T_EQ(r.ntr, 4);
	/* qty 100 in at row 1's open 100, out at row 2's 110: +1000;
	 * 11000 / 100 = 110 in at row 3's 100, out at row 4's 95: -550;
	 * 10450 / 100 = 104.5 in at 100, out at 95: -522.5; 9927.5 / 100 =
	 * 99.275 in at row 7's 100, out at the end at 120: +1985.5 */
	q1 = 100, q2 = 110, q3 = 104.5, q4 = 99.275;
	w1 = q1 * 10, l1 = q2 * 5, l2 = q3 * 5, w2 = q4 * 20;
	T_NEAR(r.tr[0].pnl, w1, 0, REL);
	T_NEAR(r.tr[1].pnl, -l1, 0, REL);
	T_NEAR(r.tr[2].pnl, -l2, 0, REL);
	T_NEAR(r.tr[3].pnl, w2, 0, REL);
	T_EQ(r.tr[3].reason, BT_EXIT_END);
	bt_summary(&r.bt, &s);
	T_EQ(s.max_wins, 1);
	T_EQ(s.max_losses, 2);
	T_NEAR(s.kelly, 0.5 - 0.5 / (((w1 + w2) / 2) / ((l1 + l2) / 2)), 0,
	    1e-12);
	T_EQ(s.reason[BT_EXIT_SIGNAL].trades, 3);
	T_EQ(s.reason[BT_EXIT_SIGNAL].wins, 1);
	T_EQ(s.reason[BT_EXIT_SIGNAL].losses, 2);
	T_EQ(s.reason[BT_EXIT_END].trades, 1);
	T_NEAR(s.reason[BT_EXIT_END].pnl, w2, 0, REL);
	T_EQ(s.side[1].trades, 0);
}

/* Fees as % of the cash: one round trip at 100 with fee 1 %:
 * qty = 10000 / (100 * 1.01); fees = 2 qty 100 0.01 = 200 / 1.01. */
static void
test_fees_pct(void)
{
	static const double rows[4][7] = {
		{ 100, 100, 100, 100, B, N, N },
		{ 100, 100, 100, 100, S, N, N },
		{ 100, 100, 100, 100, H, N, N },
		{ 100, 100, 100, 100, H, N, N },
	};
	struct bt_config c = cfg(0.01, 0, BT_FILL_OPEN);
	struct bt_summary s;
	static struct run r;

	runp(&r, &c, rows, 4, 0, MIN);
	bt_summary(&r.bt, &s);
	T_NEAR(s.fees_pct, 100 * (200 / 1.01) / 10000, 0, 1e-12);
	T_NEAR(s.avg_hold_bars, 1, 0, 0);
}

/*
 * The position policy, on candles whose prices are all 100 + row: a fill
 * at row k's open is at 100 + k.  Each case names its trade list.
 */
static void
test_policy_enter_exit(void)
{
	/* enter 0.7, exit 0.5: row 0's BUY at 0.65 does not enter; row 1's
	 * at 0.75 does (long from row 2); row 2's BUY at 0.55 keeps it (above
	 * the exit level); row 3's HOLD with p_buy 0.45 leaves (row 4); row
	 * 4's SELL at 0.8 enters short (row 5); row 5's BUY at 0.6 is no
	 * entry, but the short's p_sell 0.3 < 0.5 leaves (row 6). */
	static const double rows[7][7] = {
		{ 100, 100, 100, 100, B, 0.65, 0.1 },
		{ 101, 101, 101, 101, B, 0.75, 0.1 },
		{ 102, 102, 102, 102, B, 0.55, 0.2 },
		{ 103, 103, 103, 103, H, 0.45, 0.1 },
		{ 104, 104, 104, 104, S, 0.1, 0.8 },
		{ 105, 105, 105, 105, B, 0.6, 0.3 },
		{ 106, 106, 106, 106, H, 0.2, 0.2 },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	static struct run r;

	c.enter = 0.7;
	c.exit = 0.5;
	runp(&r, &c, rows, 7, 0, MIN);
	T_EQ(r.ntr, 2);
	trade_is(&r.tr[0], 2, 4, BT_LONG, 2, BT_EXIT_SIGNAL);
	trade_is(&r.tr[1], 5, 6, BT_SHORT, 1, BT_EXIT_SIGNAL);
	/* without the exit level the HOLD keeps the long, row 4's SELL
	 * closes it at row 5, and row 5's BUY (0.6 < 0.7) opens nothing */
	c.exit = 0;
	runp(&r, &c, rows, 7, 0, MIN);
	T_EQ(r.ntr, 1);
	trade_is(&r.tr[0], 2, 5, BT_LONG, 3, BT_EXIT_SIGNAL);
	/* probabilities from the confidence when the columns are absent */
	c.enter = 0.6;
	{
		static const double r2[3][7] = {
			{ 100, 100, 100, 100, B, N, N },
			{ 101, 101, 101, 101, H, N, N },
			{ 102, 102, 102, 102, H, N, N },
		};

		runp(&r, &c, r2, 3, 0, MIN);
		T_EQ(r.ntr, 1);		/* no confidence: probability 1 */
		trade_is(&r.tr[0], 1, 2, BT_LONG, 2, BT_EXIT_END);
	}
}

static void
test_policy_on_hold(void)
{
	/* BUY, HOLD, HOLD, HOLD: keep holds to the end; exit leaves at row
	 * 2's open after row 1's HOLD */
	static const double rows[4][7] = {
		{ 100, 100, 100, 100, B, N, N },
		{ 101, 101, 101, 101, H, N, N },
		{ 102, 102, 102, 102, H, N, N },
		{ 103, 103, 103, 103, H, N, N },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	static struct run r;

	runp(&r, &c, rows, 4, 0, MIN);
	T_EQ(r.ntr, 1);
	trade_is(&r.tr[0], 1, 3, BT_LONG, 3, BT_EXIT_END);
	c.on_hold = BT_ONHOLD_EXIT;
	runp(&r, &c, rows, 4, 0, MIN);
	T_EQ(r.ntr, 1);
	trade_is(&r.tr[0], 1, 2, BT_LONG, 1, BT_EXIT_SIGNAL);
	/* min-hold 2 delays that exit to row 2's HOLD: out at row 3 */
	c.min_hold = 2;
	runp(&r, &c, rows, 4, 0, MIN);
	T_EQ(r.ntr, 1);
	trade_is(&r.tr[0], 1, 3, BT_LONG, 2, BT_EXIT_SIGNAL);
}

/* Alternating BUY and SELL on every row. */
static void
alternate(double (*rows)[7], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		rows[i][0] = rows[i][1] = rows[i][2] = rows[i][3] = 100 + i;
		rows[i][4] = i % 2 ? S : B;
		rows[i][5] = rows[i][6] = N;
	}
}

static void
test_policy_min_hold_cooldown(void)
{
	static double rows[12][7];
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	static struct run r;

	alternate(rows, 12);
	/* min-hold 3: long from 1; the SELLs of rows 1 (1 bar) and 3 (3
	 * bars) - the first that may close is row 3's: out at 4.  Then BUY
	 * at 4 -> long from 5, SELL at 7 (3 bars) -> out at 8; BUY at 8 ->
	 * long from 9, SELL at 11 (3 bars) never fills: the end at 11. */
	c.min_hold = 3;
	runp(&r, &c, (const double (*)[7])rows, 12, 0, MIN);
	T_EQ(r.ntr, 3);
	trade_is(&r.tr[0], 1, 4, BT_LONG, 3, BT_EXIT_SIGNAL);
	trade_is(&r.tr[1], 5, 8, BT_LONG, 3, BT_EXIT_SIGNAL);
	trade_is(&r.tr[2], 9, 11, BT_LONG, 3, BT_EXIT_END);
	/* cooldown 2 (min-hold 0): long 1..2 (SELL at 1: out at 2); the
	 * signals of rows 2 and 3 open nothing; row 4's BUY enters at 5,
	 * row 5's SELL closes at 6; rows 6, 7 cool; row 8's BUY enters at
	 * 9, out at 10; rows 10, 11 cool */
	c.min_hold = 0;
	c.cooldown = 2;
	runp(&r, &c, (const double (*)[7])rows, 12, 0, MIN);
	T_EQ(r.ntr, 3);
	trade_is(&r.tr[0], 1, 2, BT_LONG, 1, BT_EXIT_SIGNAL);
	trade_is(&r.tr[1], 5, 6, BT_LONG, 1, BT_EXIT_SIGNAL);
	trade_is(&r.tr[2], 9, 10, BT_LONG, 1, BT_EXIT_SIGNAL);
	/* with --reverse and no cooldown every row flips the position */
	c.cooldown = 0;
	c.reverse = 1;
	runp(&r, &c, (const double (*)[7])rows, 12, 0, MIN);
	T_EQ(r.ntr, 11);
	trade_is(&r.tr[0], 1, 2, BT_LONG, 1, BT_EXIT_SIGNAL);
	trade_is(&r.tr[1], 2, 3, BT_SHORT, 1, BT_EXIT_SIGNAL);
	trade_is(&r.tr[10], 11, 11, BT_LONG, 1, BT_EXIT_END);
	/* a cooldown stops the reversal: the close alone, as above */
	c.cooldown = 2;
	runp(&r, &c, (const double (*)[7])rows, 12, 0, MIN);
	T_EQ(r.ntr, 3);
	trade_is(&r.tr[1], 5, 6, BT_LONG, 1, BT_EXIT_SIGNAL);
}

/*
 * BT_AUTO: closes alternate 100, 101, 100, 101, ...: returns +1/100 and
 * -1/101 in turn; after rows 0..4 (4 returns) sigma^2 = (0.01^2 +
 * (1/101)^2) / 2; with fee 0.001 the round trip costs 0.002 and
 * h = ceil((10 0.002 / sigma)^2) = ceil(4.0401 ...) = 5 (the exact
 * quotient: 0.0004 / ((1e-4 + 1 / 10201) / 2) = 4.0401...).
 * Held from row 1 (BUY at 0) with SELLs from row 1 on, the first that
 * may close it is that of the row where it has been held 5 candles
 * (row 5): out at row 6; and the cooldown, also 5, then ignores the
 * entries of rows 6..10: the next long starts at row 12.
 */
static void
test_policy_auto(void)
{
	static double rows[14][7];
	struct bt_config c = cfg(0.001, 0, BT_FILL_OPEN);
	static struct run r;
	double s2 = (1e-4 + 1 / 10201.0) / 2;
	int i;

	for (i = 0; i < 14; i++) {
		rows[i][0] = rows[i][1] = rows[i][2] = rows[i][3] =
		    i % 2 ? 101 : 100;
		rows[i][4] = i == 0 || i >= 6 ? B : S;
		if (i >= 6 && i % 2)
			rows[i][4] = B;
		rows[i][5] = rows[i][6] = NAN;
	}
	rows[11][4] = B;
	T_NEAR(ceil(0.0004 / s2), 5, 0, 0);
	c.min_hold = c.cooldown = BT_AUTO;
	runp(&r, &c, (const double (*)[7])rows, 14, 0, MIN);
	T_EQ(bt_auto_bars(&r.bt), 5);
	T_OK(r.ntr >= 2);
	trade_is(&r.tr[0], 1, 6, BT_LONG, 5, BT_EXIT_SIGNAL);
	trade_is(&r.tr[1], 12, 13, BT_LONG, 2, BT_EXIT_END);
	/* no costs: no holding period */
	c.fee = 0;
	runp(&r, &c, (const double (*)[7])rows, 14, 0, MIN);
	T_EQ(bt_auto_bars(&r.bt), 0);
}

/*
 * No lookahead, for every policy option: on a random walk with random
 * actions and probabilities, the trades closed and the equity marked
 * while the first m rows are pushed are the same whatever follows.
 */
static void
test_prop_prefix_policy(void)
{
	static struct bt_row w[NW];
	static struct bt full, part;
	static const int cut[] = { 1, 2, 3, 5, 13, 100, 777, NW - 1 };
	struct bt_trade tf[NW * 2], tp[BT_MAXTRADES];
	struct bt_config c;
	char err[64];
	int i, k, m, nf, np, ok, pol, ntf[NW + 1];
	unsigned seed = 7;

	walk(w, NW, 11);
	for (i = 0; i < NW; i++) {
		seed = seed * 1103515245 + 12345;
		w[i].action = (int)(seed >> 16) % 4 - 1;	/* NONE..SELL */
		w[i].p_buy = (seed >> 8 & 255) / 255.0;
		w[i].p_sell = 1 - w[i].p_buy;
		w[i].confidence = fmax(w[i].p_buy, w[i].p_sell);
	}
	for (pol = 0; pol < 8; pol++) {
		c = cfg(0.001, 0.0005, pol & 1 ? BT_FILL_CLOSE : BT_FILL_OPEN);
		c.enter = 0.55;
		c.exit = pol & 2 ? 0.45 : 0;
		c.min_hold = pol & 4 ? 7 : pol == 3 ? BT_AUTO : 0;
		c.cooldown = pol & 2 ? 5 : pol == 1 ? BT_AUTO : 0;
		c.on_hold = pol & 4 ? BT_ONHOLD_EXIT : BT_ONHOLD_KEEP;
		c.reverse = pol == 1 || pol == 4;
		c.stop_loss = pol == 5 ? 0.003 : 0;
		c.take_profit = pol == 6 ? 0.004 : 0;
		c.long_only = pol == 7;
		c.period = BT_PERIOD_DAY;
		T_EQ(bt_init(&full, &c, err, sizeof(err)), CK_OK);
		nf = 0;
		ntf[0] = 0;
		for (i = 0; i < NW; i++) {
			nf += bt_push(&full, &w[i], tf + nf, err, sizeof(err));
			ntf[i + 1] = nf;
		}
		T_OK(nf > 10);
		for (k = 0; k < (int)(sizeof(cut) / sizeof(cut[0])); k++) {
			m = cut[k];
			T_EQ(bt_init(&part, &c, err, sizeof(err)), CK_OK);
			np = 0;
			ok = 1;
			for (i = 0; i < m; i++) {
				int j, n = bt_push(&part, &w[i], tp, err,
				    sizeof(err));

				for (j = 0; j < n; j++, np++)
					ok &= memcmp(&tp[j], &tf[np],
					    sizeof(tp[j])) == 0;
			}
			T_OK(ok);
			T_EQ(np, ntf[m]);
		}
	}
}
#undef N

/*
 * Annualisation from the data: the candles a stream has per year of
 * calendar time.  24/7 minutes: 525,960; 6.5-hour sessions of minutes on
 * weekdays: about 390 x 260.9 = 101,750; daily candles on weekdays:
 * about 260.9 (within 2 %).  Under a month: a year over the median step,
 * said so; --periods-per-year wins.
 */
static double
ppy_of(int kind, long days, double opt, const char **src)
{
	static struct bt bt;
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_trade tr[2];
	struct bt_summary s;
	struct bt_row r;
	char err[64];
	long d, m;
	/* 2024-01-01 was a Monday */
	cktime t0 = (cktime)19723 * DAY;

	c.periods_per_year = opt;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	memset(&r, 0, sizeof(r));
	r.open = r.high = r.low = r.close = 100;
	r.action = ACTION_NONE;
	r.confidence = r.p_buy = r.p_sell = NAN;
	for (d = 0; d < days; d++) {
		if (kind != 0 && d % 7 >= 5)
			continue;	/* the weekend */
		if (kind == 2) {
			r.t = t0 + d * DAY;
			T_OK(bt_push(&bt, &r, tr, err, sizeof(err)) == 0);
			continue;
		}
		for (m = 0; m < (kind == 0 ? 1440 : 390); m++) {
			r.t = t0 + d * DAY + (kind == 0 ? 0 : 870 * MIN) + m * MIN;
			T_OK(bt_push(&bt, &r, tr, err, sizeof(err)) == 0);
		}
	}
	bt_summary(&bt, &s);
	*src = s.ppy_source;
	return s.periods_per_year;
}

static void
test_annualisation(void)
{
	const char *src;

	T_NEAR(ppy_of(0, 60, 0, &src), 525960, 0, 1e-12);
	T_OK(strcmp(src, "data") == 0);
	T_NEAR(ppy_of(1, 364, 0, &src), 101750, 0, 0.02);
	T_OK(strcmp(src, "data") == 0);
	T_NEAR(ppy_of(2, 728, 0, &src), 260.9, 0, 0.02);
	/* under a month: the median step (1 minute), said so */
	T_NEAR(ppy_of(1, 20, 0, &src), 525960, 0, 1e-12);
	T_OK(strcmp(src, "median_step") == 0);
	T_NEAR(ppy_of(1, 364, 60480, &src), 60480, 0, 0);
	T_OK(strcmp(src, "option") == 0);
}

/* Issue 19 item 7: prices of 4.5e307 and more are valid (each is checked
 * on its own; their sum is not finite). */
static void
test_huge_prices(void)
{
	struct bt_config c = cfg(0.001, 0, BT_FILL_OPEN);
	struct bt_trade tr[2];
	struct bt_summary s;
	struct bt_row r;
	struct bt bt;
	char err[64];
	int i;

	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	memset(&r, 0, sizeof(r));
	r.confidence = r.p_buy = r.p_sell = NAN;
	for (i = 0; i < 4; i++) {
		r.t = i * MIN;
		r.open = r.low = 4.5e307 + i * 1e306;
		r.high = r.close = 1e308;
		r.action = i == 0 ? ACTION_BUY : i == 2 ? ACTION_SELL : ACTION_HOLD;
		T_OK(bt_push(&bt, &r, tr, err, sizeof(err)) >= 0);
	}
	bt_summary(&bt, &s);
	T_EQ(s.candles, 4);
	T_EQ(s.trades, 1);
	T_OK(isfinite(s.equity) && isfinite(s.return_pct));
	r.t = 5 * MIN;
	r.high = INFINITY;
	T_EQ(bt_push(&bt, &r, tr, err, sizeof(err)), CK_EDATA);
	r.high = 1e308;
	r.low = 0;
	T_EQ(bt_push(&bt, &r, tr, err, sizeof(err)), CK_EDATA);
}

/* Issue 19 item 7: an account reduced to a subnormal cash opens no trade
 * of zero quantity (whose return would be NaN and which would be neither
 * a win nor a loss).  Long from 1, out at 1e-315 (cash about 1e-311,
 * subnormal); the next BUY would fill at 1e300: qty 0. */
static void
test_ruined(void)
{
	static const double rows[6][5] = {
		{ 1, 1, 1, 1, B },
		{ 1, 1, 1, 1, S },
		{ 1e-315, 1, 1e-315, 1, B },
		{ 1e300, 1e300, 1e300, 1e300, S },
		{ 1e300, 1e300, 1e300, 1e300, B },
		{ 1e300, 1e300, 1e300, 1e300, H },
	};
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_summary s;
	static struct run r;
	int i;

	c.long_only = 1;
	run(&r, &c, rows, 6);
	bt_summary(&r.bt, &s);
	T_EQ(r.ntr, 1);
	T_EQ(s.trades, 1);
	T_EQ(s.wins + s.losses, s.trades);
	for (i = 0; i < r.ntr; i++)
		T_OK(isfinite(r.tr[i].return_pct) && r.tr[i].qty > 0);
}

/* Issue 19 item 8: times at both ends of the range; their difference
 * does not fit an int64_t. */
static void
test_time_range(void)
{
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_trade tr[2];
	struct bt_summary s;
	struct bt_row r;
	struct bt bt;
	char err[64];

	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	memset(&r, 0, sizeof(r));
	r.open = r.high = r.low = r.close = 100;
	r.confidence = r.p_buy = r.p_sell = NAN;
	r.action = ACTION_BUY;
	r.t = INT64_MIN + 1;
	T_EQ(bt_push(&bt, &r, tr, err, sizeof(err)), 0);
	r.t = INT64_MIN + 2;
	T_EQ(bt_push(&bt, &r, tr, err, sizeof(err)), 0);
	r.t = INT64_MAX;
	r.close = 90;
	T_EQ(bt_push(&bt, &r, tr, err, sizeof(err)), 0);
	T_EQ(bt_finish(&bt, tr), 1);
	bt_summary(&bt, &s);
	T_NEAR(s.duration_seconds, 18446744073.709551614, 0, 1e-12);
	T_OK(s.median_step > 0);
	T_OK(s.max_trade_seconds > 9e9);
	T_OK(s.max_dd_seconds > 9e9);
	T_EQ(bt_period_key(BT_PERIOD_WEEK, INT64_MIN + 1) <
	    bt_period_key(BT_PERIOD_WEEK, INT64_MAX), 1);
}

/* The skill block: 7 hits in 10 signals; Wilson 95 %: 39.6778... ..
 * 89.2208...; two-sided exact p = 2 (1 + 10 + 45 + 120) / 1024 =
 * 0.34375.  Ghost error against the naive forecast: see the numbers. */
static void
test_skill(void)
{
	struct bt_config c = cfg(0, 0, BT_FILL_OPEN);
	struct bt_trade tr[2];
	struct bt_summary s;
	struct bt_row r;
	struct bt bt;
	char err[64];
	int i;

	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	memset(&r, 0, sizeof(r));
	r.confidence = r.p_buy = r.p_sell = NAN;
	/* row i: BUY, candle i + 1 up for i < 7, down after: 7 hits of 10 */
	for (i = 0; i < 11; i++) {
		r.t = i * MIN;
		r.open = 100;
		r.close = i == 0 ? 100 : i <= 7 ? 101 : 99;
		r.high = 101, r.low = 99;
		r.action = i < 10 ? ACTION_BUY : ACTION_HOLD;
		/* the ghost says next close = 100.5 from row 0 (then nothing) */
		r.has_ghost = i == 0;
		r.next_open = 100, r.next_close = 100.5;
		T_OK(bt_push(&bt, &r, tr, err, sizeof(err)) >= 0);
	}
	bt_summary(&bt, &s);
	T_EQ(s.signals, 10);
	T_EQ(s.hits, 7);
	T_NEAR(s.hit_lo, 39.677814746114535, 0, 1e-12);
	T_NEAR(s.hit_hi, 89.2208732593699, 0, 1e-12);
	T_NEAR(s.hit_p, 0.34375, 0, 1e-12);
	/* row 1 closes at 101: ghost |100.5 - 101| / 101, naive (row 0's
	 * close 100) |100 - 101| / 101: ratio 0.5 */
	T_EQ(s.ghost_err_n, 1);
	T_NEAR(s.ghost_mape, 100 * 0.5 / 101, 0, REL);
	T_NEAR(s.naive_mape, 100 * 1.0 / 101, 0, REL);
	T_NEAR(s.mape_ratio, 0.5, 0, REL);
}

static void
test_config(void)
{
	struct bt_config c;
	struct bt bt;
	char err[64];

	bt_config_default(&c);
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_OK);
	c.size = 1.5;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_ERR);
	T_OK(strstr(err, "size") != NULL);
	bt_config_default(&c);
	c.cash = 0;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_ERR);
	bt_config_default(&c);
	c.fee = -0.1;
	T_EQ(bt_init(&bt, &c, err, sizeof(err)), CK_ERR);
}

/* Count elements: '<' not followed by '/', '?' or '!'. */
static long
elements(FILE *fp)
{
	long n = 0;
	int ch, prev = 0;

	rewind(fp);
	while ((ch = getc(fp)) != EOF) {
		if (prev == '<' && ch != '/' && ch != '?' && ch != '!')
			n++;
		prev = ch;
	}
	return n;
}

/* One candle into the chart. */
static void
cpush(struct chart *c, cktime t, double o, double h, double l, double cl,
    int signal, const double *ghost, double equity, double dd)
{
	struct chart_point p;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.open = o;
	p.high = h;
	p.low = l;
	p.close = cl;
	p.volume = 100;
	p.signal = signal;
	p.confidence = NAN;
	p.ghost = ghost;
	p.equity = equity;
	p.bh = equity;
	p.dd = dd;
	chart_push(c, &p);
}

static void
ctrade(struct chart *c, cktime t0, double p0, cktime t1, double p1)
{
	struct bt_trade t;

	memset(&t, 0, sizeof(t));
	t.entry_time = t0;
	t.exit_time = t1;
	t.entry_price = p0;
	t.exit_price = p1;
	t.side = BT_LONG;
	t.pnl = 1;
	chart_trade(c, &t);
}

/*
 * The chart keeps at most CHART_MAXBARS bars: 100,000 candles merge into
 * bars of 64 (2048 * 64 >= 100000 > 2048 * 32); the bars still cover every
 * candle, the first open, the last close and the extremes; trades thin
 * to stride 128 (100,000 / 128 = 782 kept of 1024 at most).
 */
static void
test_chart_bounded(void)
{
	struct chart *c = chart_new();
	double hi = 0, lo = 1e9, g[4] = { 1, 2, 0.5, 1.5 };
	long i, sum = 0;
	FILE *fp;
	int k;

	T_OK(c != NULL);
	for (i = 0; i < 100000; i++) {
		double p = 100 + 10 * sin(i / 1000.0);

		cpush(c, i * MIN, p, p + 1 + i % 7, p - 1, p + 0.5,
		    i % 3 == 0 ? 1 : i % 3 == 1 ? -1 : 0, i % 2 ? g : NULL,
		    10000 + i, 0.01 * (i % 5));
		hi = fmax(hi, p + 1 + i % 7);
		lo = fmin(lo, p - 1);
		ctrade(c, i * MIN, p, (i + 1) * MIN, p + 1);
	}
	T_EQ(c->width, 64);
	T_OK(c->nbar <= CHART_MAXBARS);
	T_EQ(c->nbar, (100000 + 63) / 64);
	for (k = 0; k < c->nbar; k++)
		sum += c->bar[k].n;
	T_EQ(sum, 100000);
	T_NEAR(c->bar[0].open, 100, 0, 1e-12);
	T_NEAR(c->bar[0].volume, 6400, 0, 1e-12);
	T_NEAR(c->bar[c->nbar - 1].close, 100 + 10 * sin(99999 / 1000.0) + 0.5,
	    0, 1e-12);
	T_EQ(c->bar[c->nbar - 1].t1, 99999 * MIN);
	T_EQ(c->bar[1].t0, 64 * MIN);
	for (k = 0; k < c->nbar; k++) {
		T_OK(c->bar[k].high <= hi && c->bar[k].low >= lo);
		T_OK(c->bar[k].buy > 0 && c->bar[k].sell > 0);
		T_OK(c->bar[k].ghost);
	}
	T_NEAR(c->bar[0].equity, 10063, 0, 0);
	T_NEAR(c->bar[0].dd, 0.04, 0, 1e-12);
	T_EQ(c->tstride, 128);
	T_EQ(c->ntrade, (100000 + 127) / 128);
	T_EQ(c->trade[1].t0, 128 * MIN);
	T_EQ(c->trades, 100000);
	fp = tmpfile();
	T_EQ(chart_write(c, fp, "t <&> \"q\"", "cap"), 0);
	T_OK(elements(fp) <= CHART_MAXELEMS);
	T_OK(elements(fp) > 400);	/* trades drawn, thinned to 400 */
	fclose(fp);
	chart_free(c);
}

/* A pivot takes its candle's price from the ring, else its bar's. */
static void
test_chart_pivot(void)
{
	struct chart *c = chart_new();
	long i;

	for (i = 0; i < 5000; i++)
		cpush(c, i * MIN, 10 + i, 11 + i, 9 + i, 10 + i, 0, NULL, 1, 0);
	chart_pivot(c, 4990 * MIN, 1);
	chart_pivot(c, 4991 * MIN, 0);
	/* width 4 after one compaction: 4990 is in bar 1247 (4988..4991) */
	T_EQ(c->width, 4);
	T_NEAR(c->bar[1247].phigh, 11 + 4990, 0, 0);
	T_NEAR(c->bar[1247].plow, 9 + 4991, 0, 0);
	chart_pivot(c, 8 * MIN, 1);	/* long gone from the ring */
	T_NEAR(c->bar[2].phigh, c->bar[2].high, 0, 0);
	chart_free(c);
}

/* Ticks: 1, 2 or 5 times a power of ten, the first a multiple of it. */
static void
test_chart_ticks(void)
{
	static const struct {
		double lo, hi;
		int n;
		double step, first;
	} tab[] = {
		{ 8.0139, 9.0634, 8, 0.1, 8.1 },
		{ 0, 466.274, 4, 100, 0 },
		{ -0.816, 0, 3, 0.2, -0.8 },
		{ 9.06339, 9.06339, 5, 0.02, 9.08 },	/* flat: 1% above */
		{ 1e-7, 3e-7, 4, 5e-8, 1e-7 },
		{ 12345, 98765, 8, 10000, 20000 },
		{ 300.5, 470.2, 8, 20, 320 },
	};
	double step, first, m;
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		step = nice_step(tab[i].lo, tab[i].hi, tab[i].n, &first);
		T_NEAR(step, tab[i].step, 0, 1e-12);
		T_NEAR(first, tab[i].first, 1e-15, 1e-12);
		m = step / pow(10, floor(log10(step) + 1e-12));
		T_OK(fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 ||
		    fabs(m - 5) < 1e-9);
	}
}

/* The drawing view merges whole groups of bars and keeps every candle. */
static void
test_chart_view(void)
{
	struct chart *c = chart_new();
	struct chart_bar *v;
	long i, sum = 0;
	int k, n;

	for (i = 0; i < 1000; i++)
		cpush(c, i * MIN, 10, 11 + (i == 517), 9, 10, 0, NULL, 1, 0);
	v = calloc((size_t)c->nbar, sizeof(*v));
	T_OK(v != NULL);
	n = chart_view(c, c->nbar, v, 270);
	T_EQ(n, 250);			/* groups of 4 */
	for (k = 0; k < n; k++)
		sum += v[k].n;
	T_EQ(sum, 1000);
	T_NEAR(v[129].high, 12, 0, 0);	/* 516..519 */
	T_NEAR(v[130].high, 11, 0, 0);
	T_NEAR(v[0].volume, 400, 0, 0);
	T_EQ(chart_view(c, c->nbar, v, 5000), 1000);
	T_EQ(chart_view(c, 8, v, 4), 4);
	T_EQ(v[3].t1, 7 * MIN);
	free(v);
	chart_free(c);
}

/* The latest candles as they are, each with the ghost predicted for it;
 * a pivot confirmed later marks its own candle. */
static void
test_chart_tail(void)
{
	struct chart *c = chart_new();
	struct chart_bar out[CHART_TAIL];
	double g[4];
	long i;
	int n;

	for (i = 0; i < 5000; i++) {
		g[0] = g[3] = 1000 + i;
		g[1] = 1001 + i;
		g[2] = 999 + i;
		cpush(c, i * MIN, 10 + i, 11 + i, 9 + i, 10 + i, 0, g, 1, 0);
	}
	chart_pivot(c, 4990 * MIN, 1);
	n = chart_tail(c, out, CKTIME_NONE);
	T_EQ(n, CHART_TAIL);
	T_EQ(out[0].t0, (5000 - CHART_TAIL) * MIN);
	T_EQ(out[n - 1].t0, 4999 * MIN);
	T_EQ(out[n - 1].n, 1);
	T_OK(out[n - 1].ghost);
	T_NEAR(out[n - 1].g[3], 1000 + 4998, 0, 0);	/* made at 4998 */
	T_NEAR(out[4990 - (5000 - CHART_TAIL)].phigh, 11 + 4990, 0, 0);
	T_EQ(chart_tail(c, out, 4995 * MIN), 4);
	T_EQ(out[0].t0, 4996 * MIN);
	T_OK(c->ghost);
	T_NEAR(c->g[3], 1000 + 4999, 0, 0);	/* the next candle's */
	chart_free(c);
}

int
main(void)
{
	T_RUN(test_long_open);
	T_RUN(test_reverse_close);
	T_RUN(test_stops);
	T_RUN(test_long_only_size);
	T_RUN(test_drawdown);
	T_RUN(test_ghost_confidence);
	T_RUN(test_prop_hold);
	T_RUN(test_prop_hold_long);
	T_RUN(test_prop_moves);
	T_RUN(test_config);
	T_RUN(test_metrics);
	T_RUN(test_periods);
	T_RUN(test_losses_kelly);
	T_RUN(test_fees_pct);
	T_RUN(test_policy_enter_exit);
	T_RUN(test_policy_on_hold);
	T_RUN(test_policy_min_hold_cooldown);
	T_RUN(test_policy_auto);
	T_RUN(test_prop_prefix_policy);
	T_RUN(test_annualisation);
	T_RUN(test_huge_prices);
	T_RUN(test_ruined);
	T_RUN(test_time_range);
	T_RUN(test_skill);
	T_RUN(test_chart_bounded);
	T_RUN(test_chart_pivot);
	T_RUN(test_chart_ticks);
	T_RUN(test_chart_view);
	T_RUN(test_chart_tail);
	return T_END();
}
