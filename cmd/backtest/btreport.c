/*
 * btreport.c - the text side of backtest: column lookup, row parsing, the
 * trade list, the equity curve, the summary.  Writes only where told.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "timeparse.h"
#include "action.h"
#include "backtest.h"
#include "btreport.h"

static int
col(const struct cstream *cs, const char *prefix, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s%s", prefix, name);
	return cstream_col(cs, buf);
}

void
btr_findcols(const struct cstream *cs, const char *prefix, struct btr_cols *c)
{
	static const char *next[4] = {
		"next_open", "next_high", "next_low", "next_close"
	};
	int i, lv, end;

	c->action = col(cs, prefix, "action");
	c->confidence = col(cs, prefix, "confidence");
	c->p_buy = col(cs, prefix, "p_buy");
	c->p_sell = col(cs, prefix, "p_sell");
	c->model_gen = col(cs, prefix, "model_gen");
	c->model_id = col(cs, prefix, "model_id");
	for (i = 0; i < 4; i++)
		c->next[i] = col(cs, prefix, next[i]);
	c->npiv = 0;
	for (i = 0; i < cs->ncol && c->npiv < BTR_MAXPIV; i++) {
		end = 0;
		if (sscanf(cs->name[i], "pivot%d_high%n", &lv, &end) == 1 &&
		    cs->name[i][end] == '\0' && end > 0) {
			c->pivhigh[c->npiv] = 1;
			c->piv[c->npiv++] = i;
		} else if (sscanf(cs->name[i], "pivot%d_low%n", &lv, &end) == 1 &&
		    cs->name[i][end] == '\0' && end > 0) {
			c->pivhigh[c->npiv] = 0;
			c->piv[c->npiv++] = i;
		}
	}
}

static int
dataerr(char *err, size_t errlen, const char *what, const char *s)
{
	snprintf(err, errlen, "%s '%.40s'", what, s);
	return CK_EDATA;
}

/* A number column: 1 and *x, 0 when the column is absent or empty, -1
 * (err: "bad what 'text'") when it is not a number. */
static int
field(const struct cstream *cs, int col, const char *what, double *x,
    char *err, size_t errlen)
{
	const char *s;
	size_t len;

	if (col < 0)
		return 0;
	s = cstream_field(cs, col, &len);
	if (len == 0)
		return 0;
	if (parse_double(s, len, x) != 0) {
		dataerr(err, errlen, what, s);
		return -1;
	}
	return 1;
}

/* A probability column: NAN when absent or empty; in [0, 1]. */
static int
prob(const struct cstream *cs, int col, const char *what, double *x,
    char *err, size_t errlen)
{
	size_t len;
	int k = field(cs, col, what, x, err, errlen);

	if (k == 0)
		*x = NAN;
	if (k < 0)
		return CK_EDATA;
	if (k > 0 && !(*x >= 0 && *x <= 1))
		return dataerr(err, errlen, what, cstream_field(cs, col, &len));
	return CK_OK;
}

int
btr_readrow(const struct cstream *cs, const struct btr_cols *c, int svg,
    struct bt_row *r, char *err, size_t errlen)
{
	const char *s;
	size_t len;
	int k;

	r->action = ACTION_NONE;
	r->confidence = r->p_buy = r->p_sell = NAN;
	r->has_ghost = 0;
	s = cstream_field(cs, c->action, &len);
	if (len == 0)
		return CK_OK;
	if ((r->action = action_parse(s, len)) == ACTION_NONE)
		return dataerr(err, errlen, "bad action", s);
	if (prob(cs, c->confidence, "bad confidence", &r->confidence, err,
	    errlen) != CK_OK ||
	    prob(cs, c->p_buy, "bad p_buy", &r->p_buy, err, errlen) != CK_OK ||
	    prob(cs, c->p_sell, "bad p_sell", &r->p_sell, err, errlen) != CK_OK)
		return CK_EDATA;
	if ((k = field(cs, c->next[0], "bad ghost price", &r->next_open, err,
	    errlen)) <= 0)
		return k < 0 ? CK_EDATA : CK_OK;
	if ((k = field(cs, c->next[3], "bad ghost price", &r->next_close, err,
	    errlen)) <= 0)
		return k < 0 ? CK_EDATA : CK_OK;
	/* next_high and next_low only matter to the chart. */
	k = 0;
	if (svg && (k = field(cs, c->next[1], "bad ghost price", &r->next_high,
	    err, errlen)) > 0)
		k = field(cs, c->next[2], "bad ghost price", &r->next_low, err,
		    errlen);
	if (k < 0)
		return CK_EDATA;
	if (k == 0) {
		r->next_high = fmax(r->next_open, r->next_close);
		r->next_low = fmin(r->next_open, r->next_close);
	}
	r->has_ghost = 1;
	return CK_OK;
}

/* Whole seconds only; time_format's snprintf costs more than the rest of
 * a row. */
size_t
btr_fmt_time(struct btr_tcache *c, char *buf, cktime t)
{
	long long sec, day, rem;
	char *p;

	if (t % CK_SEC != 0)
		return time_format(buf, t);
	sec = t / CK_SEC;
	day = sec / 86400 - (sec % 86400 < 0);
	rem = sec - day * 86400;
	if (c->len == 0 || day != c->day) {
		/* "...T00:00:00Z": the date is all but the last 9 bytes */
		c->len = time_format(c->date, (cktime)day * 86400 * CK_SEC) - 9;
		c->day = day;
	}
	memcpy(buf, c->date, c->len);
	p = buf + c->len;
	p[0] = '0' + rem / 36000;
	p[1] = '0' + rem / 3600 % 10;
	p[2] = ':';
	p[3] = '0' + rem / 600 % 6;
	p[4] = '0' + rem / 60 % 10;
	p[5] = ':';
	p[6] = '0' + rem % 60 / 10;
	p[7] = '0' + rem % 10;
	p[8] = 'Z';
	p[9] = '\0';
	return c->len + 9;
}

/* Decimal digits of x in buf (24 bytes at least); no snprintf. */
static size_t
fmt_long(char *buf, long x)
{
	char d[24];
	unsigned long u;
	size_t n = 0, k = 0;

	u = x < 0 ? 0UL - (unsigned long)x : (unsigned long)x;
	do
		d[k++] = '0' + u % 10;
	while ((u /= 10) != 0);
	if (x < 0)
		buf[n++] = '-';
	while (k > 0)
		buf[n++] = d[--k];
	return n;
}

const char *const btr_trade_cols[] = {
	"entry_time", "exit_time", "side", "entry_price", "exit_price", "qty",
	"fees", "pnl", "return_pct", "bars", "exit_reason", NULL
};

void
btr_trade_header(struct csvout *o)
{
	int i;

	for (i = 0; btr_trade_cols[i] != NULL; i++)
		csvout_str(o, btr_trade_cols[i]);
	csvout_end(o);
}

void
btr_trade(struct csvout *o, struct btr_tcache *tc, const struct bt_trade *t)
{
	char buf[40];

	csvout_plain(o, buf, btr_fmt_time(tc, buf, t->entry_time));
	csvout_plain(o, buf, btr_fmt_time(tc, buf, t->exit_time));
	csvout_str(o, bt_side_name(t->side));
	csvout_num(o, t->entry_price);
	csvout_num(o, t->exit_price);
	csvout_num(o, t->qty);
	csvout_num(o, t->fees);
	csvout_num(o, t->pnl);
	csvout_num(o, t->return_pct);
	csvout_plain(o, buf, fmt_long(buf, t->bars));
	csvout_str(o, bt_reason_name(t->reason));
	csvout_end(o);
}

void
btr_equity_header(struct csvout *o)
{
	csvout_str(o, "time");
	csvout_str(o, "equity");
	csvout_str(o, "drawdown_pct");
	csvout_end(o);
}

void
btr_equity(struct csvout *o, struct btr_tcache *tc, cktime t,
    const struct bt *bt)
{
	char buf[40];

	csvout_plain(o, buf, btr_fmt_time(tc, buf, t));
	csvout_num(o, bt->equity);
	csvout_num(o, 100 * bt->dd);
	csvout_end(o);
}

void
btr_caption(char *buf, size_t len, const struct bt *bt)
{
	struct bt_summary s;

	bt_summary(bt, &s);
	snprintf(buf, len, "%ld candles, %ld trades, return %.2f%% "
	    "(buy and hold %.2f%%), max drawdown %.2f%%, equity %.2f",
	    s.candles, s.trades, s.return_pct, s.bh_return_pct, s.max_dd_pct,
	    s.equity);
}

void
btr_status(FILE *fp, const struct bt *bt, cktime t)
{
	char tb[40];

	time_format(tb, t);
	fprintf(fp, "%s %s equity %.2f open_pnl %.2f trades %ld "
	    "win_rate %.1f%%", tb, bt_side_name(bt->side), bt->equity,
	    bt->open_pnl, bt->trades,
	    bt->trades ? 100.0 * bt->wins / bt->trades : 0.0);
}
