/*
 * btsummary.c - backtest's summary as aligned text or as JSON (see
 * btsummary.h).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "cktime.h"
#include "csvio.h"
#include "backtest.h"
#include "pivscore.h"
#include "ghostscore.h"
#include "btfcast.h"
#include "btsummary.h"

#define DAY_NS	(86400 * CK_SEC)

int
btr_breakdown_add(struct btr_breakdown *b, const struct bt_period *p)
{
	struct bt_period *r;
	size_t cap;

	if (b->n == b->cap) {
		cap = b->cap ? 2 * b->cap : 64;
		if ((r = realloc(b->row, cap * sizeof(*r))) == NULL)
			return -1;
		b->row = r;
		b->cap = cap;
	}
	b->row[b->n++] = *p;
	return 0;
}

void
btr_breakdown_free(struct btr_breakdown *b)
{
	free(b->row);
	b->row = NULL;
	b->n = b->cap = 0;
}

const char *
btr_period_name(int period)
{
	switch (period) {
	case BT_PERIOD_DAY:	return "day";
	case BT_PERIOD_WEEK:	return "week";
	case BT_PERIOD_MONTH:	return "month";
	default:		return "none";
	}
}

/* The period's label: its first day (a week: its Monday), a month as
 * YYYY-MM. */
static void
period_label(char *buf, size_t len, int period, const struct bt_period *p)
{
	int64_t day = p->first / DAY_NS - (p->first % DAY_NS < 0);
	int y, m, d;

	if (period == BT_PERIOD_WEEK)
		day -= ((day + 3) % 7 + 7) % 7;
	civil_from_days(day, &y, &m, &d);
	if (period == BT_PERIOD_MONTH)
		snprintf(buf, len, "%04d-%02d", y, m);
	else
		snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

static double
period_return(const struct bt_period *p)
{
	return 100 * (p->end_equity / p->start_equity - 1);
}

/* ---- text: 4 significant digits, percentages with 2 decimals */

static const char *
undef(double x)
{
	return isnan(x) ? "n/a" : x > 0 ? "inf" : "-inf";
}

static const char *
num4(char *buf, size_t len, double x)
{
	if (!isfinite(x))
		return undef(x);
	/* no exponent for large values: they keep their integer digits */
	if (fabs(x) >= 1e4 && fabs(x) < 1e15)
		snprintf(buf, len, "%.0f", x);
	else
		snprintf(buf, len, "%.4g", x == 0 ? 0.0 : x);
	return buf;
}

static const char *
pct2(char *buf, size_t len, double x)
{
	if (!isfinite(x))
		return undef(x);
	snprintf(buf, len, "%.2f", x);
	/* "-0.00" says nothing a "0.00" does not */
	if (strcmp(buf, "-0.00") == 0)
		snprintf(buf, len, "0.00");
	return buf;
}

/* Seconds as "3d 04:05:00" (whole seconds, rounded). */
static const char *
dur(char *buf, size_t len, double secs)
{
	double s;
	long long d;
	int h, m;

	if (!isfinite(secs) || secs < 0)
		return undef(secs);
	s = floor(secs + 0.5);
	d = (long long)(s / 86400);
	s -= (double)d * 86400;
	h = (int)(s / 3600);
	s -= h * 3600.0;
	m = (int)(s / 60);
	s -= m * 60.0;
	snprintf(buf, len, "%lldd %02d:%02d:%02d", d, h, m, (int)s);
	return buf;
}

static const char *
tstr(char *buf, cktime t)
{
	if (t == CKTIME_NONE)
		return "n/a";
	time_format(buf, t);
	return buf;
}

#define W	28	/* label column */

static void
kv(FILE *fp, const char *label, const char *val)
{
	fprintf(fp, "%-*s %s\n", W, label, val);
}

static void
kvl(FILE *fp, const char *label, long x)
{
	fprintf(fp, "%-*s %ld\n", W, label, x);
}

static void
tstats_row(FILE *fp, const char *name, const struct bt_tstats *t)
{
	char a[40], b[40], c[40];

	fprintf(fp, "  %-12s %8ld %8ld %8ld %10s %12s %12s\n", name, t->trades,
	    t->wins, t->losses,
	    pct2(a, sizeof(a), t->trades ? 100.0 * t->wins / t->trades : NAN),
	    num4(b, sizeof(b), t->pnl),
	    pct2(c, sizeof(c), t->trades ? t->sum_ret / t->trades : NAN));
}

static void
curve_row(FILE *fp, const char *label, double a, double b, double c, int pct)
{
	char x[3][40];

	if (pct)
		fprintf(fp, "  %-24s %12s %12s %12s\n", label,
		    pct2(x[0], 40, a), pct2(x[1], 40, b), pct2(x[2], 40, c));
	else
		fprintf(fp, "  %-24s %12s %12s %12s\n", label,
		    num4(x[0], 40, a), num4(x[1], 40, b), num4(x[2], 40, c));
}

/* The next-pivot scores, one column a level, each figure above its
 * naive forecast's; then the ghost steps, one a line. */
static void
fcast_text(FILE *fp, const struct btr_fcast *fc)
{
	static const struct {
		const char *label;
		size_t off;
		int kind;	/* 0: count, 1: percent, 2: number */
	} rows[] = {
		{ "Forecasts Scored", offsetof(struct pivscore_summary, scored), 0 },
		{ "Pending at the End", offsetof(struct pivscore_summary, pending), 0 },
		{ "Warm-up (not scored)", offsetof(struct pivscore_summary, warmup), 0 },
		{ "Dropped (not scored)", offsetof(struct pivscore_summary, dropped), 0 },
		{ "Type Accuracy [%]", offsetof(struct pivscore_summary, type_pct), 1 },
		{ "  Naive: opposite of last", offsetof(struct pivscore_summary, naive_type_pct), 1 },
		{ "Price Error [%]", offsetof(struct pivscore_summary, price_pct), 2 },
		{ "  Naive: last of its type", offsetof(struct pivscore_summary, naive_price_pct), 2 },
		{ "Distance Error [candles]", offsetof(struct pivscore_summary, dist), 2 },
		{ "  Naive: mean so far", offsetof(struct pivscore_summary, naive_dist), 2 },
	};
	struct pivscore_summary ps[PIVOTS_MAXLEVEL];
	struct ghostscore_step g;
	char b[64], b2[64], b3[64];
	const char *v;
	size_t r;
	int j;

	if (fc->cols.npiv > 0) {
		snprintf(b, sizeof(b), "Next Pivot (k %d)", fc->k);
		fprintf(fp, "\n  %-28s", b);
		for (j = 0; j < fc->cols.npiv; j++) {
			pivscore_summary(&fc->ps, j, &ps[j]);
			snprintf(b, sizeof(b), "L%d", ps[j].level);
			fprintf(fp, " %10s", b);
		}
		fputc('\n', fp);
	}
	for (r = 0; fc->cols.npiv > 0 && r < sizeof(rows) / sizeof(rows[0]);
	    r++) {
		fprintf(fp, "  %-28s", rows[r].label);
		for (j = 0; j < fc->cols.npiv; j++) {
			const char *f = (const char *)&ps[j] + rows[r].off;
			double x;

			if (rows[r].kind == 0) {
				snprintf(b, sizeof(b), "%ld",
				    *(const long *)(const void *)f);
				v = b;
			} else {
				memcpy(&x, f, sizeof(x));
				v = rows[r].kind == 1 ? pct2(b, sizeof(b), x) :
				    num4(b, sizeof(b), x);
			}
			fprintf(fp, " %10s", v);
		}
		fputc('\n', fp);
	}
	if (fc->cols.steps == 0)
		return;
	fprintf(fp, "\n  %-10s %8s %8s %15s %15s %10s\n", "Ghost Step",
	    "Scored", "Pending", "Close MAPE [%]", "No Change [%]", "Ratio");
	for (j = 1; j <= fc->cols.steps; j++) {
		ghostscore_summary(&fc->gs, j, &g);
		fprintf(fp, "  %-10d %8ld %8ld %15s %15s %10s\n", j, g.scored,
		    g.pending, num4(b, sizeof(b), g.mape_pct),
		    num4(b2, sizeof(b2), g.naive_pct),
		    num4(b3, sizeof(b3), g.ratio));
	}
}

void
btr_summary_text(FILE *fp, const struct bt_summary *s,
    const struct btr_settings *st, const struct btr_breakdown *bd)
{
	const struct bt_curve_summary *cs[3] = { &s->strat, &s->bh, &s->flat };
	char b[64], b2[64], b3[64], b4[40];
	size_t i;
	int k;

	kv(fp, "Start", tstr(b, s->start));
	kv(fp, "End", tstr(b, s->end));
	kv(fp, "Duration", dur(b, sizeof(b), s->duration_seconds));
	kvl(fp, "Candles", s->candles);
	kv(fp, "Exposure Time [%]", pct2(b, sizeof(b), s->exposure_pct));
	kv(fp, "Equity Final", num4(b, sizeof(b), s->equity));
	kv(fp, "Equity Peak", num4(b, sizeof(b), s->strat.equity_peak));
	kv(fp, "Commissions", num4(b, sizeof(b), s->fees));
	kv(fp, "Return [%]", pct2(b, sizeof(b), s->return_pct));
	kv(fp, "Buy & Hold Return [%]", pct2(b, sizeof(b), s->bh_return_pct));
	kv(fp, "Return (Ann.) [%]", pct2(b, sizeof(b), s->strat.return_ann_pct));
	kv(fp, "Volatility (Ann.) [%]",
	    pct2(b, sizeof(b), s->strat.volatility_ann_pct));
	kv(fp, "CAGR [%]", pct2(b, sizeof(b), s->strat.cagr_pct));
	kv(fp, "Sharpe Ratio", num4(b, sizeof(b), s->sharpe));
	kv(fp, "Sortino Ratio", num4(b, sizeof(b), s->sortino));
	kv(fp, "Calmar Ratio", num4(b, sizeof(b), s->strat.calmar));
	kv(fp, "Alpha [%]", pct2(b, sizeof(b), s->alpha_pct));
	kv(fp, "Beta", num4(b, sizeof(b), s->beta));
	kv(fp, "Max. Drawdown [%]", pct2(b, sizeof(b), -s->max_dd_pct));
	kv(fp, "Avg. Drawdown [%]", pct2(b, sizeof(b), -s->strat.avg_dd_pct));
	kv(fp, "Max. Drawdown Duration",
	    dur(b, sizeof(b), s->strat.longest_dd_seconds));
	kv(fp, "Avg. Drawdown Duration",
	    dur(b, sizeof(b), s->strat.avg_dd_seconds));
	kvl(fp, "# Trades", s->trades);
	kv(fp, "Win Rate [%]", pct2(b, sizeof(b), s->win_rate));
	kv(fp, "Best Trade [%]", pct2(b, sizeof(b), s->best_pct));
	kv(fp, "Worst Trade [%]", pct2(b, sizeof(b), s->worst_pct));
	kv(fp, "Avg. Trade [%]", pct2(b, sizeof(b), s->avg_pct));
	kv(fp, "Max. Trade Duration", dur(b, sizeof(b), s->max_trade_seconds));
	kv(fp, "Avg. Trade Duration", dur(b, sizeof(b), s->avg_trade_seconds));
	kv(fp, "Profit Factor", num4(b, sizeof(b), s->profit_factor));
	kv(fp, "Expectancy", num4(b, sizeof(b), s->expectancy));
	kv(fp, "SQN", num4(b, sizeof(b), s->sqn));
	kv(fp, "Kelly Criterion", num4(b, sizeof(b), s->kelly));

	fputc('\n', fp);
	kvl(fp, "Max. Consecutive Wins", s->max_wins);
	kvl(fp, "Max. Consecutive Losses", s->max_losses);
	kv(fp, "Best Day [%]", pct2(b, sizeof(b), s->best_day_pct));
	kv(fp, "Worst Day [%]", pct2(b, sizeof(b), s->worst_day_pct));
	snprintf(b, sizeof(b), "%ld / %ld / %ld", s->days_win, s->days_draw,
	    s->days_lose);
	kv(fp, "Days Win / Draw / Lose", b);
	kv(fp, "Avg. Hold [candles]", num4(b, sizeof(b), s->avg_hold_bars));
	kvl(fp, "Auto Hold [candles]", s->auto_bars);
	kv(fp, "Trades per Candle", num4(b, sizeof(b), s->trades_per_candle));
	kv(fp, "Turnover", num4(b, sizeof(b), s->turnover));
	kv(fp, "Fees [% of cash]", pct2(b, sizeof(b), s->fees_pct));
	snprintf(b2, sizeof(b2), "%s (%s)",
	    num4(b, sizeof(b), s->periods_per_year),
	    strcmp(s->ppy_source, "data") == 0 ? "candles per year of the data" :
	    strcmp(s->ppy_source, "option") == 0 ? "given" :
	    "a year over the median step: under a month of data");
	kv(fp, "Periods per Year", b2);

	fprintf(fp, "\n  %-24s %12s %12s %12s\n", "", "Strategy", "Buy & Hold",
	    "Flat");
	curve_row(fp, "Equity Final", cs[0]->equity, cs[1]->equity,
	    cs[2]->equity, 0);
	curve_row(fp, "Return [%]", cs[0]->return_pct, cs[1]->return_pct,
	    cs[2]->return_pct, 1);
	curve_row(fp, "Return (Ann.) [%]", cs[0]->return_ann_pct,
	    cs[1]->return_ann_pct, cs[2]->return_ann_pct, 1);
	curve_row(fp, "CAGR [%]", cs[0]->cagr_pct, cs[1]->cagr_pct,
	    cs[2]->cagr_pct, 1);
	curve_row(fp, "Volatility (Ann.) [%]", cs[0]->volatility_ann_pct,
	    cs[1]->volatility_ann_pct, cs[2]->volatility_ann_pct, 1);
	curve_row(fp, "Sharpe Ratio", cs[0]->sharpe, cs[1]->sharpe,
	    cs[2]->sharpe, 0);
	curve_row(fp, "Sortino Ratio", cs[0]->sortino, cs[1]->sortino,
	    cs[2]->sortino, 0);
	curve_row(fp, "Calmar Ratio", cs[0]->calmar, cs[1]->calmar,
	    cs[2]->calmar, 0);
	curve_row(fp, "Max. Drawdown [%]", -cs[0]->max_dd_pct,
	    -cs[1]->max_dd_pct, -cs[2]->max_dd_pct, 1);

	fprintf(fp, "\n  %-12s %8s %8s %8s %10s %12s %12s\n", "", "Trades",
	    "Wins", "Losses", "Win [%]", "PnL", "Avg. [%]");
	tstats_row(fp, "long", &s->side[0]);
	tstats_row(fp, "short", &s->side[1]);
	for (k = 0; k < BT_NREASON; k++)
		if (s->reason[k].trades > 0)
			tstats_row(fp, bt_reason_name(k), &s->reason[k]);

	fputc('\n', fp);
	kvl(fp, "Signals Scored", s->signals);
	snprintf(b3, sizeof(b3), "%s (95%%: %s .. %s)",
	    pct2(b, sizeof(b), s->hit_rate), pct2(b2, sizeof(b2), s->hit_lo),
	    pct2(b4, sizeof(b4), s->hit_hi));
	kv(fp, "Hit Rate [%]", b3);
	kv(fp, "Hit Rate p-value vs 50%", num4(b, sizeof(b), s->hit_p));
	kv(fp, "Ghost Direction [%]", pct2(b, sizeof(b), s->ghost_dir_pct));
	kv(fp, "Ghost Close MAPE [%]", num4(b, sizeof(b), s->ghost_mape));
	kv(fp, "Naive Close MAPE [%]", num4(b, sizeof(b), s->naive_mape));
	kv(fp, "MAPE Ratio (< 1: skill)", num4(b, sizeof(b), s->mape_ratio));
	if (st != NULL && st->fc != NULL)
		fcast_text(fp, st->fc);

	if (bd == NULL || bd->period == BT_PERIOD_NONE)
		return;
	fprintf(fp, "\n  %-12s %8s %8s %8s %8s %12s %10s\n",
	    btr_period_name(bd->period), "Candles", "Trades", "Wins", "Losses",
	    "PnL", "Return [%]");
	for (i = 0; i < bd->n; i++) {
		period_label(b, sizeof(b), bd->period, &bd->row[i]);
		fprintf(fp, "  %-12s %8ld %8ld %8ld %8ld %12s %10s\n", b,
		    bd->row[i].candles, bd->row[i].trades, bd->row[i].wins,
		    bd->row[i].losses, num4(b2, sizeof(b2), bd->row[i].pnl),
		    pct2(b3, sizeof(b3), period_return(&bd->row[i])));
	}
}

/* ---- JSON: one line, numbers in shortest round-trip form, undefined
 * values null */

struct jw {
	FILE	*fp;
	int	 first;
};

static void
jkey(struct jw *j, const char *k)
{
	fprintf(j->fp, "%s\"%s\": ", j->first ? "" : ", ", k);
	j->first = 0;
}

static void
jnum(struct jw *j, const char *k, double x)
{
	char buf[48];

	jkey(j, k);
	if (isfinite(x)) {
		fmt_double(buf, x);
		fputs(buf, j->fp);
	} else
		fputs("null", j->fp);
}

static void
jlong(struct jw *j, const char *k, long x)
{
	jkey(j, k);
	fprintf(j->fp, "%ld", x);
}

static void
jstr(struct jw *j, const char *k, const char *s)
{
	const unsigned char *p;

	jkey(j, k);
	if (s == NULL) {
		fputs("null", j->fp);
		return;
	}
	fputc('"', j->fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p == '"' || *p == '\\')
			fprintf(j->fp, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(j->fp, "\\u%04x", *p);
		else
			fputc(*p, j->fp);
	fputc('"', j->fp);
}

static void
jbool(struct jw *j, const char *k, int b)
{
	jkey(j, k);
	fputs(b ? "true" : "false", j->fp);
}

static void
jtime(struct jw *j, const char *k, cktime t)
{
	char buf[48];

	if (t == CKTIME_NONE) {
		jstr(j, k, NULL);
		return;
	}
	time_format(buf, t);
	jstr(j, k, buf);
}

static void
jopen(struct jw *j, const char *k, int brace)
{
	if (k != NULL)
		jkey(j, k);
	else if (!j->first)
		fputs(", ", j->fp);
	fputc(brace, j->fp);
	j->first = 1;
}

static void
jclose(struct jw *j, int brace)
{
	fputc(brace, j->fp);
	j->first = 0;
}

static void
jcurve(struct jw *j, const char *k, const struct bt_curve_summary *c)
{
	jopen(j, k, '{');
	jnum(j, "final_equity", c->equity);
	jnum(j, "equity_peak", c->equity_peak);
	jnum(j, "return_pct", c->return_pct);
	jnum(j, "return_ann_pct", c->return_ann_pct);
	jnum(j, "cagr_pct", c->cagr_pct);
	jnum(j, "volatility_ann_pct", c->volatility_ann_pct);
	jnum(j, "sharpe", c->sharpe);
	jnum(j, "sortino", c->sortino);
	jnum(j, "calmar", c->calmar);
	jnum(j, "max_drawdown_pct", c->max_dd_pct);
	jnum(j, "avg_drawdown_pct", c->avg_dd_pct);
	jlong(j, "max_drawdown_bars", c->max_dd_bars);
	jnum(j, "max_drawdown_seconds", c->max_dd_seconds);
	jlong(j, "longest_drawdown_bars", c->longest_dd_bars);
	jnum(j, "longest_drawdown_seconds", c->longest_dd_seconds);
	jnum(j, "avg_drawdown_bars", c->avg_dd_bars);
	jnum(j, "avg_drawdown_seconds", c->avg_dd_seconds);
	jlong(j, "drawdowns", c->drawdowns);
	jclose(j, '}');
}

static void
jtstats(struct jw *j, const char *k, const struct bt_tstats *t)
{
	jopen(j, k, '{');
	jlong(j, "trades", t->trades);
	jlong(j, "wins", t->wins);
	jlong(j, "losses", t->losses);
	jnum(j, "win_rate_pct", t->trades ? 100.0 * t->wins / t->trades : NAN);
	jnum(j, "pnl", t->pnl);
	jnum(j, "avg_trade_pct", t->trades ? t->sum_ret / t->trades : NAN);
	jclose(j, '}');
}

/* The forecast scores: arrays of objects, one a level and one a step. */
static void
jfcast(struct jw *j, const struct btr_fcast *fc)
{
	struct pivscore_summary p;
	struct ghostscore_step g;
	int i;

	if (fc->cols.npiv > 0) {
		jopen(j, "next_pivot", '[');
		for (i = 0; i < fc->cols.npiv; i++) {
			pivscore_summary(&fc->ps, i, &p);
			jopen(j, NULL, '{');
			jlong(j, "level", p.level);
			jlong(j, "scored", p.scored);
			jlong(j, "pending", p.pending);
			jlong(j, "warmup", p.warmup);
			jlong(j, "dropped", p.dropped);
			jnum(j, "type_accuracy_pct", p.type_pct);
			jnum(j, "naive_type_accuracy_pct", p.naive_type_pct);
			jnum(j, "price_error_pct", p.price_pct);
			jnum(j, "naive_price_error_pct", p.naive_price_pct);
			jnum(j, "distance_error", p.dist);
			jnum(j, "naive_distance_error", p.naive_dist);
			jclose(j, '}');
		}
		jclose(j, ']');
	}
	if (fc->cols.steps > 0) {
		jopen(j, "ghost_steps", '[');
		for (i = 1; i <= fc->cols.steps; i++) {
			ghostscore_summary(&fc->gs, i, &g);
			jopen(j, NULL, '{');
			jlong(j, "step", g.step);
			jlong(j, "scored", g.scored);
			jlong(j, "pending", g.pending);
			jnum(j, "close_mape_pct", g.mape_pct);
			jnum(j, "naive_close_mape_pct", g.naive_pct);
			jnum(j, "mape_ratio", g.ratio);
			jclose(j, '}');
		}
		jclose(j, ']');
	}
}

static void
jsettings(struct jw *j, const struct btr_settings *st)
{
	const struct bt_config *c = st->cfg;

	jopen(j, "settings", '{');
	jstr(j, "input", st->input);
	jnum(j, "cash", c->cash);
	jnum(j, "size", c->size);
	jnum(j, "fee", c->fee);
	jnum(j, "slippage", c->slippage);
	jstr(j, "fill", c->fill == BT_FILL_CLOSE ? "close" : "open");
	jbool(j, "reverse", c->reverse);
	jbool(j, "long_only", c->long_only);
	jnum(j, "min_confidence", c->min_confidence);
	jnum(j, "stop_loss", c->stop_loss);
	jnum(j, "take_profit", c->take_profit);
	jnum(j, "enter", c->enter);
	jnum(j, "exit", c->exit);
	if (c->min_hold == BT_AUTO)
		jstr(j, "min_hold", "auto");
	else
		jlong(j, "min_hold", c->min_hold);
	if (c->cooldown == BT_AUTO)
		jstr(j, "cooldown", "auto");
	else
		jlong(j, "cooldown", c->cooldown);
	jstr(j, "on_hold", c->on_hold == BT_ONHOLD_EXIT ? "exit" : "keep");
	if (c->periods_per_year > 0)
		jnum(j, "periods_per_year", c->periods_per_year);
	else
		jstr(j, "periods_per_year", NULL);
	jstr(j, "breakdown", c->period == BT_PERIOD_NONE ? NULL :
	    btr_period_name(c->period));
	jstr(j, "prefix", st->prefix);
	jstr(j, "append", st->append);
	jstr(j, "model_id", st->model_id[0] ? st->model_id : NULL);
	jstr(j, "model_gen_first", st->model_gen_first[0] ?
	    st->model_gen_first : NULL);
	jstr(j, "model_gen_last", st->model_gen_last[0] ?
	    st->model_gen_last : NULL);
	if (st->fc != NULL && st->fc->cols.npiv > 0) {
		jlong(j, "pivot_k", st->fc->k);
		jlong(j, "max_pending", st->fc->maxpend);
	}
	jclose(j, '}');
}

void
btr_summary_json(FILE *fp, const struct bt_summary *s,
    const struct btr_settings *st, const struct btr_breakdown *bd)
{
	struct jw j = { fp, 1 };
	char b[48];
	size_t i;
	int k;

	fputc('{', fp);
	/* the keys of the first version, in their order */
	jtime(&j, "start", s->start);
	jtime(&j, "end", s->end);
	jlong(&j, "candles", s->candles);
	jlong(&j, "trades", s->trades);
	jlong(&j, "wins", s->wins);
	jlong(&j, "losses", s->losses);
	jnum(&j, "win_rate_pct", s->win_rate);
	jnum(&j, "final_equity", s->equity);
	jnum(&j, "pnl", s->pnl);
	jnum(&j, "return_pct", s->return_pct);
	jnum(&j, "buy_hold_return_pct", s->bh_return_pct);
	jnum(&j, "max_drawdown_pct", s->max_dd_pct);
	jlong(&j, "max_drawdown_bars", s->max_dd_bars);
	jnum(&j, "max_drawdown_seconds", s->max_dd_seconds);
	jnum(&j, "sharpe", s->sharpe);
	jnum(&j, "sortino", s->sortino);
	jnum(&j, "median_step_seconds", s->median_step);
	jnum(&j, "periods_per_year", s->periods_per_year);
	jnum(&j, "profit_factor", s->profit_factor);
	jnum(&j, "expectancy", s->expectancy);
	jnum(&j, "exposure_pct", s->exposure_pct);
	jnum(&j, "best_trade_pct", s->best_pct);
	jnum(&j, "worst_trade_pct", s->worst_pct);
	jnum(&j, "avg_trade_pct", s->avg_pct);
	jnum(&j, "fees", s->fees);
	jlong(&j, "signals", s->signals);
	jnum(&j, "hit_rate_pct", s->hit_rate);
	jlong(&j, "ghosts", s->ghosts);
	jnum(&j, "ghost_direction_pct", s->ghost_dir_pct);
	jnum(&j, "ghost_close_mape_pct", s->ghost_mape);
	/* added with the report traders compare with */
	jstr(&j, "periods_per_year_source", s->ppy_source);
	jnum(&j, "duration_seconds", s->duration_seconds);
	jnum(&j, "equity_peak", s->strat.equity_peak);
	jnum(&j, "return_ann_pct", s->strat.return_ann_pct);
	jnum(&j, "volatility_ann_pct", s->strat.volatility_ann_pct);
	jnum(&j, "cagr_pct", s->strat.cagr_pct);
	jnum(&j, "calmar", s->strat.calmar);
	jnum(&j, "alpha_pct", s->alpha_pct);
	jnum(&j, "beta", s->beta);
	jnum(&j, "avg_drawdown_pct", s->strat.avg_dd_pct);
	jlong(&j, "longest_drawdown_bars", s->strat.longest_dd_bars);
	jnum(&j, "longest_drawdown_seconds", s->strat.longest_dd_seconds);
	jnum(&j, "avg_drawdown_bars", s->strat.avg_dd_bars);
	jnum(&j, "avg_drawdown_seconds", s->strat.avg_dd_seconds);
	jlong(&j, "drawdowns", s->strat.drawdowns);
	jnum(&j, "sqn", s->sqn);
	jnum(&j, "kelly", s->kelly);
	jnum(&j, "avg_trade_seconds", s->avg_trade_seconds);
	jnum(&j, "max_trade_seconds", s->max_trade_seconds);
	jnum(&j, "avg_hold_bars", s->avg_hold_bars);
	jlong(&j, "max_trade_bars", s->max_trade_bars);
	jlong(&j, "max_consecutive_wins", s->max_wins);
	jlong(&j, "max_consecutive_losses", s->max_losses);
	jnum(&j, "turnover", s->turnover);
	jnum(&j, "fees_pct", s->fees_pct);
	jnum(&j, "trades_per_candle", s->trades_per_candle);
	jlong(&j, "auto_hold_bars", s->auto_bars);
	jnum(&j, "best_day_pct", s->best_day_pct);
	jnum(&j, "worst_day_pct", s->worst_day_pct);
	jlong(&j, "days", s->days);
	jlong(&j, "days_win", s->days_win);
	jlong(&j, "days_draw", s->days_draw);
	jlong(&j, "days_lose", s->days_lose);
	/* nested objects last: a flat reader of the keys above stops at the
	 * first "{" after the opening one */
	jtstats(&j, "long", &s->side[0]);
	jtstats(&j, "short", &s->side[1]);
	jopen(&j, "exit_reasons", '{');
	for (k = 0; k < BT_NREASON; k++)
		jtstats(&j, bt_reason_name(k), &s->reason[k]);
	jclose(&j, '}');
	jcurve(&j, "strategy", &s->strat);
	jcurve(&j, "buy_hold", &s->bh);
	jcurve(&j, "flat", &s->flat);
	jopen(&j, "skill", '{');
	jlong(&j, "signals", s->signals);
	jlong(&j, "hits", s->hits);
	jnum(&j, "hit_rate_pct", s->hit_rate);
	jnum(&j, "hit_rate_lo_pct", s->hit_lo);
	jnum(&j, "hit_rate_hi_pct", s->hit_hi);
	jnum(&j, "hit_rate_p_value", s->hit_p);
	jlong(&j, "ghosts", s->ghost_err_n);
	jnum(&j, "ghost_direction_pct", s->ghost_dir_pct);
	jnum(&j, "ghost_close_mape_pct", s->ghost_mape);
	jnum(&j, "naive_close_mape_pct", s->naive_mape);
	jnum(&j, "mape_ratio", s->mape_ratio);
	jclose(&j, '}');
	if (st->fc != NULL)
		jfcast(&j, st->fc);
	jsettings(&j, st);
	if (bd != NULL && bd->period != BT_PERIOD_NONE) {
		jopen(&j, "breakdown", '[');
		for (i = 0; i < bd->n; i++) {
			jopen(&j, NULL, '{');
			period_label(b, sizeof(b), bd->period, &bd->row[i]);
			jstr(&j, "period", b);
			jtime(&j, "first", bd->row[i].first);
			jlong(&j, "candles", bd->row[i].candles);
			jlong(&j, "trades", bd->row[i].trades);
			jlong(&j, "wins", bd->row[i].wins);
			jlong(&j, "losses", bd->row[i].losses);
			jnum(&j, "pnl", bd->row[i].pnl);
			jnum(&j, "fees", bd->row[i].fees);
			jnum(&j, "start_equity", bd->row[i].start_equity);
			jnum(&j, "end_equity", bd->row[i].end_equity);
			jnum(&j, "return_pct", period_return(&bd->row[i]));
			jclose(&j, '}');
		}
		jclose(&j, ']');
	}
	fputs("}\n", fp);
}
