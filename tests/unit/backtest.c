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

#define B BT_BUY
#define S BT_SELL
#define H BT_HOLD
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
		row.confidence = NAN;
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
		row[i].confidence = NAN;
	}
	row[0].open = 10, row[0].high = 10, row[0].low = 10, row[0].close = 10;
	row[1].open = 10, row[1].high = 12, row[1].low = 10, row[1].close = 12;
	row[2].open = 12, row[2].high = 13, row[2].low = 12, row[2].close = 13;
	row[3].open = 13, row[3].high = 13, row[3].low = 13, row[3].close = 13;
	row[0].action = BT_BUY, row[0].confidence = 0.4;
	row[1].action = BT_SELL, row[1].confidence = 0.9;
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
		r[i].confidence = NAN;
		r[i].action = BT_HOLD;
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
		r[0].action = BT_BUY;
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
			r[i].action = rand() % 10 == 0 ? BT_BUY :
			    rand() % 10 == 0 ? BT_SELL : BT_HOLD;
		bt_init(&bt, &c, err, sizeof(err));
		for (i = n = 0; i < NW; i++) {
			n += bt_push(&bt, &r[i], tr + n, err, sizeof(err));
			side[i] = bt.side;
		}
		n += bt_finish(&bt, tr + n);
		/* The position held through candle i follows row i-1's signal. */
		want = BT_FLAT;
		for (i = 1; i < NW; i++) {
			int a = r[i - 1].action, to = a == BT_BUY ? BT_LONG :
			    a == BT_SELL ? BT_SHORT : want;

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

static void
test_parse(void)
{
	T_EQ(bt_parse_action("BUY", 3), BT_BUY);
	T_EQ(bt_parse_action("sell", 4), BT_SELL);
	T_EQ(bt_parse_action("Hold", 4), BT_HOLD);
	T_EQ(bt_parse_action("", 0), BT_NONE);
	T_EQ(bt_parse_action("BUYX", 4), -1);
	T_EQ(bt_parse_action("1", 1), -1);
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
		{ 8.0139, 9.0634, 8, 0.2, 8.2 },
		{ 0, 466.274, 4, 200, 0 },
		{ -0.816, 0, 3, 0.5, -0.5 },
		{ 9.06339, 9.06339, 5, 0.02, 9.08 },	/* flat: 1% above */
		{ 1e-7, 3e-7, 4, 5e-8, 1e-7 },
		{ 12345, 98765, 8, 20000, 20000 },
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
	T_RUN(test_parse);
	T_RUN(test_config);
	T_RUN(test_chart_bounded);
	T_RUN(test_chart_pivot);
	T_RUN(test_chart_ticks);
	T_RUN(test_chart_view);
	T_RUN(test_chart_tail);
	return T_END();
}
