/*
 * backtest - simulate trading on a prediction stream: trade list on
 * stdout, summary on stderr, equity curve and chart on request.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ck.h"
#include "csvio.h"
#include "candle.h"
#include "timeparse.h"
#include "backtest.h"
#include "svg.h"

#define MAXPIV	16

static volatile sig_atomic_t stop;

struct opts {
	const char	*summary, *json, *equity, *svg, *prefix, *file;
	long		 svg_every;
	int		 live;
};

/* Input columns, -1 when absent. */
struct cols {
	int	action, confidence, next[4];
	int	npiv, piv[MAXPIV], pivhigh[MAXPIV];
};

static void
usage_to(FILE *fp)
{
	fprintf(fp,
	    "usage: backtest [-hV] [--cash C] [--size F] [--fee F] [--slippage F]\n"
	    "                [--fill open|close] [--reverse] [--long-only]\n"
	    "                [--min-confidence P] [--stop-loss F] [--take-profit F]\n"
	    "                [--periods-per-year N] [--prefix P] [--summary FILE]\n"
	    "                [--json FILE] [--equity FILE] [--svg FILE] [--svg-every N]\n"
	    "                [--live] [file]\n");
}

static void
usage(void)
{
	usage_to(stderr);
	exit(CK_EXIT_USAGE);
}

static void
onsig(int sig)
{
	stop = sig;
}

/* A number option in [lo, hi]. */
static double
num(const char *s, double lo, double hi, const char *what)
{
	double x;

	if (parse_double(s, strlen(s), &x) != 0 || x < lo || x > hi) {
		warnx("--%s: '%s' is not a number in [%g, %g]", what, s, lo, hi);
		usage();
	}
	return x;
}

static struct csvout *
openout(const char *path)
{
	struct csvout *o;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) == -1)
		err(CK_EXIT_FAIL, "%s", path);
	if ((o = csvout_new(fd)) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	return o;
}

static int
col(const struct cstream *cs, const char *prefix, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s%s", prefix, name);
	return cstream_col(cs, buf);
}

static void
findcols(const struct cstream *cs, const char *prefix, struct cols *c)
{
	static const char *next[4] = {
		"next_open", "next_high", "next_low", "next_close"
	};
	int i, lv, end;

	c->action = col(cs, prefix, "action");
	c->confidence = col(cs, prefix, "confidence");
	for (i = 0; i < 4; i++)
		c->next[i] = col(cs, prefix, next[i]);
	c->npiv = 0;
	for (i = 0; i < cs->ncol && c->npiv < MAXPIV; i++) {
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

static void
dataerr(const struct cstream *cs, const char *what, const char *s)
{
	errx(CK_EXIT_DATA, "%s:%ld: %s '%.40s'", cstream_file(cs),
	    cstream_line(cs), what, s);
}

/* A ghost price: 1 and *x, 0 when the column is absent or empty. */
static int
field(const struct cstream *cs, int col, double *x)
{
	const char *s;
	size_t len;

	if (col < 0)
		return 0;
	s = cstream_field(cs, col, &len);
	if (len == 0)
		return 0;
	if (parse_double(s, len, x) != 0)
		dataerr(cs, "bad ghost price", s);
	return 1;
}

/* This row's prediction. */
static void
readrow(const struct cstream *cs, const struct cols *c,
    const struct bt_config *cfg, int svg, struct bt_row *r)
{
	const char *s;
	size_t len;

	r->action = BT_NONE;
	r->confidence = NAN;
	r->has_ghost = 0;
	s = cstream_field(cs, c->action, &len);
	if ((r->action = bt_parse_action(s, len)) < 0)
		dataerr(cs, "bad action", s);
	if (r->action == BT_NONE)
		return;
	if (c->confidence >= 0 && cfg->min_confidence > 0) {
		s = cstream_field(cs, c->confidence, &len);
		if (len > 0 && parse_double(s, len, &r->confidence) != 0)
			dataerr(cs, "bad confidence", s);
	}
	if (!field(cs, c->next[0], &r->next_open) ||
	    !field(cs, c->next[3], &r->next_close))
		return;
	/* next_high and next_low only matter to the chart. */
	if (!svg || !field(cs, c->next[1], &r->next_high) ||
	    !field(cs, c->next[2], &r->next_low)) {
		r->next_high = fmax(r->next_open, r->next_close);
		r->next_low = fmin(r->next_open, r->next_close);
	}
	r->has_ghost = 1;
}

/*
 * time_format with the date kept from the last call: trade and equity
 * rows mostly fall on the day of the one before, and time_format's
 * snprintf costs more than the rest of a row.  Whole seconds only.
 */
struct tcache {
	long long	day;
	size_t		len;		/* of date: "YYYY-MM-DDT" */
	char		date[40];
};

static size_t
fmt_time(struct tcache *c, char *buf, cktime t)
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

static const char *tradecols[] = {
	"entry_time", "exit_time", "side", "entry_price", "exit_price", "qty",
	"fees", "pnl", "return_pct", "bars", "exit_reason", NULL
};

static void
writetrade(struct csvout *o, const struct bt_trade *t)
{
	static struct tcache tc;
	char buf[40];

	csvout_plain(o, buf, fmt_time(&tc, buf, t->entry_time));
	csvout_plain(o, buf, fmt_time(&tc, buf, t->exit_time));
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

/* A closed trade: to the list and the chart. */
static void
emit(struct csvout *o, struct chart *ch, const struct bt_trade *t)
{
	writetrade(o, t);
	if (ch != NULL)
		chart_trade(ch, t->entry_time, t->entry_price, t->exit_time,
		    t->exit_price, t->side, t->pnl);
}

/* Summary: one table, printed as "key value" lines or as JSON. */
enum { V_TIME, V_LONG, V_NUM };

static void
summary(FILE *fp, const struct bt_summary *s, int json)
{
	const struct {
		const char *key;
		int type;
		const void *p;
	} tab[] = {
		{ "start", V_TIME, &s->start },
		{ "end", V_TIME, &s->end },
		{ "candles", V_LONG, &s->candles },
		{ "trades", V_LONG, &s->trades },
		{ "wins", V_LONG, &s->wins },
		{ "losses", V_LONG, &s->losses },
		{ "win_rate_pct", V_NUM, &s->win_rate },
		{ "final_equity", V_NUM, &s->equity },
		{ "pnl", V_NUM, &s->pnl },
		{ "return_pct", V_NUM, &s->return_pct },
		{ "buy_hold_return_pct", V_NUM, &s->bh_return_pct },
		{ "max_drawdown_pct", V_NUM, &s->max_dd_pct },
		{ "max_drawdown_bars", V_LONG, &s->max_dd_bars },
		{ "max_drawdown_seconds", V_NUM, &s->max_dd_seconds },
		{ "sharpe", V_NUM, &s->sharpe },
		{ "sortino", V_NUM, &s->sortino },
		{ "median_step_seconds", V_NUM, &s->median_step },
		{ "periods_per_year", V_NUM, &s->periods_per_year },
		{ "profit_factor", V_NUM, &s->profit_factor },
		{ "expectancy", V_NUM, &s->expectancy },
		{ "exposure_pct", V_NUM, &s->exposure_pct },
		{ "best_trade_pct", V_NUM, &s->best_pct },
		{ "worst_trade_pct", V_NUM, &s->worst_pct },
		{ "avg_trade_pct", V_NUM, &s->avg_pct },
		{ "fees", V_NUM, &s->fees },
		{ "signals", V_LONG, &s->signals },
		{ "hit_rate_pct", V_NUM, &s->hit_rate },
		{ "ghosts", V_LONG, &s->ghosts },
		{ "ghost_direction_pct", V_NUM, &s->ghost_dir_pct },
		{ "ghost_close_mape_pct", V_NUM, &s->ghost_mape },
	};
	char buf[48];
	size_t i;
	double x;

	if (json)
		fputs("{", fp);
	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		switch (tab[i].type) {
		case V_TIME:
			if (*(const cktime *)tab[i].p == CKTIME_NONE)
				snprintf(buf, sizeof(buf), json ? "null" : "-");
			else {
				buf[0] = '"';
				buf[time_format(buf + 1, *(const cktime *)tab[i].p)
				    + 1] = '\0';
				if (json)
					strcat(buf, "\"");
				else
					memmove(buf, buf + 1, strlen(buf));
			}
			break;
		case V_LONG:
			snprintf(buf, sizeof(buf), "%ld", *(const long *)tab[i].p);
			break;
		default:
			x = *(const double *)tab[i].p;
			if (isfinite(x))
				fmt_double(buf, x);
			else
				snprintf(buf, sizeof(buf), "%s", json ? "null" :
				    isnan(x) ? "n/a" : x > 0 ? "inf" : "-inf");
		}
		if (json)
			fprintf(fp, "%s\"%s\": %s", i ? ", " : "", tab[i].key, buf);
		else
			fprintf(fp, "%-22s %s\n", tab[i].key, buf);
	}
	if (json)
		fputs("}\n", fp);
}

static void
writesummary(const char *path, const struct bt_summary *s, int json)
{
	FILE *fp;

	if (path == NULL) {
		summary(stderr, s, json);
		return;
	}
	if ((fp = fopen(path, "w")) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	summary(fp, s, json);
	if (fclose(fp) != 0)
		err(CK_EXIT_FAIL, "%s", path);
}

static void
caption(char *buf, size_t len, const struct bt *bt)
{
	struct bt_summary s;

	bt_summary(bt, &s);
	snprintf(buf, len, "%ld candles, %ld trades, return %.2f%% "
	    "(buy and hold %.2f%%), max drawdown %.2f%%, equity %.2f",
	    s.candles, s.trades, s.return_pct, s.bh_return_pct, s.max_dd_pct,
	    s.equity);
}

static void
savechart(const struct chart *ch, const char *path, const struct bt *bt)
{
	char cap[256], e[512];

	caption(cap, sizeof(cap), bt);
	if (chart_save(ch, path, "backtest", cap, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", e);
}

static void
status(const struct bt *bt, cktime t)
{
	char tb[40];

	time_format(tb, t);
	fprintf(stderr, "%s %s equity %.2f open_pnl %.2f trades %ld "
	    "win_rate %.1f%%\n", tb, bt_side_name(bt->side), bt->equity,
	    bt->open_pnl, bt->trades,
	    bt->trades ? 100.0 * bt->wins / bt->trades : 0.0);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct outs {
	struct csvout	*trades, *equity;
};

static void
flushall(void *arg)
{
	struct outs *o = arg;

	csvout_flush(o->trades);
	if (o->equity != NULL)
		csvout_flush(o->equity);
}

/* A closed downstream pipe ends the program quietly. */
static void
checkout(struct csvout *o)
{
	if (csvout_error(o) || csvout_flush(o) != 0) {
		if (errno == EPIPE)
			exit(CK_EXIT_OK);
		err(CK_EXIT_FAIL, "stdout");
	}
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "cash", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 'z' },
		{ "fee", required_argument, NULL, 'f' },
		{ "slippage", required_argument, NULL, 'S' },
		{ "fill", required_argument, NULL, 'F' },
		{ "reverse", no_argument, NULL, 'r' },
		{ "long-only", no_argument, NULL, 'L' },
		{ "min-confidence", required_argument, NULL, 'm' },
		{ "stop-loss", required_argument, NULL, 's' },
		{ "take-profit", required_argument, NULL, 't' },
		{ "periods-per-year", required_argument, NULL, 'p' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "summary", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "equity", required_argument, NULL, 'e' },
		{ "svg", required_argument, NULL, 'g' },
		{ "svg-every", required_argument, NULL, 'n' },
		{ "live", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { NULL, NULL, NULL, NULL, "", "-", 0, 0 };
	struct bt_trade tr[BT_MAXTRADES];
	struct bt_config cfg;
	struct bt_summary sum;
	struct bt_row row;
	struct cstream cs;
	struct candle cd;
	struct cols cols;
	struct outs out = { NULL, NULL };
	struct chart *ch = NULL;
	struct sigaction sa;
	struct tcache etc = { 0, 0, "" };
	static struct bt bt;
	char e[512], buf[40];
	double t0 = 0, tlast = 0, ghost[4];
	int ch_, i, k, r, tty, sig;
	size_t len;
	const char *s;
	cktime pt;

	bt_config_default(&cfg);
	while ((ch_ = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		switch (ch_) {
		case 'c': cfg.cash = num(optarg, 1e-9, 1e15, "cash"); break;
		case 'z': cfg.size = num(optarg, 1e-9, 1, "size"); break;
		case 'f': cfg.fee = num(optarg, 0, 0.5, "fee"); break;
		case 'S': cfg.slippage = num(optarg, 0, 0.5, "slippage"); break;
		case 'F':
			if (strcmp(optarg, "open") == 0)
				cfg.fill = BT_FILL_OPEN;
			else if (strcmp(optarg, "close") == 0)
				cfg.fill = BT_FILL_CLOSE;
			else {
				warnx("--fill: open or close, not '%s'", optarg);
				usage();
			}
			break;
		case 'r': cfg.reverse = 1; break;
		case 'L': cfg.long_only = 1; break;
		case 'm':
			cfg.min_confidence = num(optarg, 0, 1, "min-confidence");
			break;
		case 's': cfg.stop_loss = num(optarg, 0, 0.99, "stop-loss"); break;
		case 't':
			cfg.take_profit = num(optarg, 0, 1e6, "take-profit");
			break;
		case 'p':
			cfg.periods_per_year = num(optarg, 1e-9, 1e12,
			    "periods-per-year");
			break;
		case 'P': o.prefix = optarg; break;
		case 'o': o.summary = optarg; break;
		case 'j': o.json = optarg; break;
		case 'e': o.equity = optarg; break;
		case 'g': o.svg = optarg; break;
		case 'n':
			o.svg_every = (long)num(optarg, 1, 1e12, "svg-every");
			break;
		case 'l': o.live = 1; break;
		case 'V': printf("backtest %s\n", VERSION); return CK_EXIT_OK;
		case 'h': usage_to(stdout); return CK_EXIT_OK;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1)
		o.file = argv[0];
	if (o.svg_every > 0 && o.svg == NULL) {
		warnx("--svg-every needs --svg");
		usage();
	}
	if (bt_init(&bt, &cfg, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_USAGE, "%s", e);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;	/* no SA_RESTART: a blocked read returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((r = cstream_open(&cs, o.file, e, sizeof(e))) != CK_OK)
		errx(ck_exit(r), "%s", e);
	csvin_stopflag(cs.in, &stop);
	findcols(&cs, o.prefix, &cols);
	if (cols.action < 0)
		errx(CK_EXIT_DATA, "%s: no %saction column (a prediction stream "
		    "comes from infer or train-candle)", cstream_file(&cs),
		    o.prefix);
	if ((out.trades = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (o.equity != NULL) {
		out.equity = openout(o.equity);
		csvout_str(out.equity, "time");
		csvout_str(out.equity, "equity");
		csvout_str(out.equity, "drawdown_pct");
		csvout_end(out.equity);
	}
	if (o.svg != NULL && (ch = chart_new()) == NULL)
		err(CK_EXIT_FAIL, "chart");
	csvin_onblock(cs.in, flushall, &out);
	for (i = 0; tradecols[i] != NULL; i++)
		csvout_str(out.trades, tradecols[i]);
	csvout_end(out.trades);
	tty = isatty(STDERR_FILENO) && !o.live;
	if (tty)
		t0 = tlast = now();

	memset(&row, 0, sizeof(row));
	while (!stop && (r = cstream_next(&cs, &cd, e, sizeof(e))) == 1) {
		row.t = cd.t;
		row.open = cd.open;
		row.high = cd.high;
		row.low = cd.low;
		row.close = cd.close;
		readrow(&cs, &cols, &cfg, ch != NULL, &row);
		if ((k = bt_push(&bt, &row, tr, e, sizeof(e))) < 0)
			errx(ck_exit(k), "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		for (i = 0; i < k; i++)
			emit(out.trades, ch, &tr[i]);
		if (k > 0 && csvout_error(out.trades))
			checkout(out.trades);
		if (out.equity != NULL) {
			csvout_plain(out.equity, buf, fmt_time(&etc, buf, cd.t));
			csvout_num(out.equity, bt.equity);
			csvout_num(out.equity, 100 * bt.dd);
			csvout_end(out.equity);
		}
		if (ch != NULL) {
			int sg = bt.pending == BT_BUY ? 1 :
			    bt.pending == BT_SELL ? -1 : 0;

			if (row.has_ghost) {
				ghost[0] = row.next_open;
				ghost[1] = row.next_high;
				ghost[2] = row.next_low;
				ghost[3] = row.next_close;
			}
			chart_push(ch, cd.t, cd.open, cd.high, cd.low, cd.close,
			    sg, row.has_ghost ? ghost : NULL, bt.equity, bt.dd);
			for (i = 0; i < cols.npiv; i++) {
				s = cstream_field(&cs, cols.piv[i], &len);
				if (len == 0)
					continue;
				if (time_parse_iso(s, len, &pt) != 0)
					dataerr(&cs, "bad pivot time", s);
				chart_pivot(ch, pt, cols.pivhigh[i]);
			}
			if (o.svg_every > 0 && bt.n % o.svg_every == 0)
				savechart(ch, o.svg, &bt);
		}
		if (o.live)
			status(&bt, cd.t);
		if (tty && (bt.n & 4095) == 0 && now() - tlast >= 0.5) {
			tlast = now();
			fprintf(stderr, "\r%ld candles, %.0f/s", bt.n,
			    bt.n / (tlast - t0));
		}
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	sig = stop;
	if (r < 0 && !(r == CK_EINTR && sig)) {
		flushall(&out);
		errx(ck_exit(r), "%s", e);
	}
	if (bt_finish(&bt, tr) == 1)
		emit(out.trades, ch, &tr[0]);
	checkout(out.trades);
	if (out.equity != NULL && (csvout_flush(out.equity) != 0))
		err(CK_EXIT_FAIL, "%s", o.equity);
	if (ch != NULL)
		savechart(ch, o.svg, &bt);
	bt_summary(&bt, &sum);
	writesummary(o.summary, &sum, 0);
	if (o.json != NULL)
		writesummary(o.json, &sum, 1);
	cstream_close(&cs);
	csvout_free(out.trades);
	if (out.equity != NULL)
		csvout_free(out.equity);
	chart_free(ch);
	if (sig)
		return 128 + sig;
	return CK_EXIT_OK;
}
