/*
 * btreport.h - the text side of backtest: prediction-stream columns in,
 * trade list, equity curve, summary and status lines out.  Knows the
 * candle stream and struct bt; writes only to the csvout or FILE * the
 * program owns, never prints by itself, never exits.
 */
#ifndef BTREPORT_H
#define BTREPORT_H

#include <stdio.h>
#include "ck.h"
#include "cstream.h"
#include "csvio.h"
#include "backtest.h"

#define BTR_MAXPIV	16

/* Input columns, -1 when absent. */
struct btr_cols {
	int	action, confidence, p_buy, p_sell, next[4];
	int	model_gen, model_id;
	int	npiv, piv[BTR_MAXPIV], pivhigh[BTR_MAXPIV];
};

/*
 * time_format with the date kept from the last call: trade and equity
 * rows mostly fall on the day of the one before.  Zero it before use.
 */
struct btr_tcache {
	long long	day;
	size_t		len;		/* of date: "YYYY-MM-DDT" */
	char		date[40];
};

/* The columns of the prediction stream whose names start with prefix. */
void	btr_findcols(const struct cstream *, const char *prefix,
	    struct btr_cols *);
/* This row's prediction into r (its time and OHLC left alone); svg: the
 * chart wants next_high/next_low.  0, or CK_EDATA with err "what 'field'";
 * the caller adds file:line. */
int	btr_readrow(const struct cstream *, const struct btr_cols *, int svg,
	    struct bt_row *r, char *err, size_t errlen);
/* The time t as time_format writes it, cached by day. */
size_t	btr_fmt_time(struct btr_tcache *, char *buf, cktime t);
/* The trade list's column names, NULL-terminated. */
extern const char *const btr_trade_cols[];
void	btr_trade_header(struct csvout *);
void	btr_trade(struct csvout *, struct btr_tcache *, const struct bt_trade *);
void	btr_equity_header(struct csvout *);
void	btr_equity(struct csvout *, struct btr_tcache *, cktime t,
	    const struct bt *);
/* One line for the chart: candles, trades, returns, drawdown, equity. */
void	btr_caption(char *buf, size_t len, const struct bt *);
/* The --live status line, without its newline. */
void	btr_status(FILE *, const struct bt *, cktime t);

#endif
