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

#include "args.h"
#include "ck.h"
#include "csvio.h"
#include "candle.h"
#include "timeparse.h"
#include "backtest.h"
#include "svg.h"
#include "btreport.h"

static volatile sig_atomic_t stop;

struct opts {
	const char	*summary, *json, *equity, *svg, *prefix, *file;
	long		 svg_every;
	int		 live;
};

static void
usage_to(FILE *fp)
{
	/* --help: every option with its default, as backtest(1) */
	static const char *const opthelp[][2] = {
		{ "--cash C", "starting capital (default 10000)" },
		{ "--size F", "fraction of the equity per entry, in (0, 1] "
		    "(default 1)" },
		{ "--fee F", "fee per side, a fraction of the notional "
		    "(default 0.001)" },
		{ "--slippage F", "each fill moves against the trader by "
		    "this fraction (default 0)" },
		{ "--fill open|close", "fill at the next candle's open or at "
		    "the signal candle's close (default open)" },
		{ "--reverse", "an opposite signal closes and opens the other "
		    "side (default: off)" },
		{ "--long-only", "never go short (default: off)" },
		{ "--min-confidence P", "ignore signals whose confidence is "
		    "below P (default 0)" },
		{ "--stop-loss F", "exit at this fraction against the entry "
		    "(default 0: none)" },
		{ "--take-profit F", "exit at this fraction in favour of the "
		    "entry (default 0: none)" },
		{ "--periods-per-year N", "annualize with N (default: 365.25 "
		    "days over the median step)" },
		{ "--prefix P", "read the columns Paction, Pconfidence, ... "
		    "(default: none)" },
		{ "--summary FILE", "write the summary to FILE (default: "
		    "standard error)" },
		{ "--json FILE", "also write the summary as JSON to FILE "
		    "(default: none)" },
		{ "--equity FILE", "write the equity curve to FILE (default: "
		    "none)" },
		{ "--svg FILE", "write a chart to FILE (default: none)" },
		{ "--svg-every N", "rewrite the chart every N candles "
		    "(default: at the end)" },
		{ "--live", "a status line per candle on standard error "
		    "(default: off)" },
		{ "-h, --help", "print this help and exit" },
		{ "-V, --version", "print the version and exit" },
	};
	char b[400];
	size_t i;

	fprintf(fp,
	    "usage: backtest [-hV] [--cash C] [--size F] [--fee F] [--slippage F]\n"
	    "                [--fill open|close] [--reverse] [--long-only]\n"
	    "                [--min-confidence P] [--stop-loss F] [--take-profit F]\n"
	    "                [--periods-per-year N] [--prefix P] [--summary FILE]\n"
	    "                [--json FILE] [--equity FILE] [--svg FILE] [--svg-every N]\n"
	    "                [--live] [file]\n");
	for (i = 0; fp == stdout && i < sizeof(opthelp) / sizeof(opthelp[0]);
	    i++)
		fprintf(fp, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
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

static void
dataerr(const struct cstream *cs, const char *what, const char *s)
{
	errx(CK_EXIT_DATA, "%s:%ld: %s '%.40s'", cstream_file(cs),
	    cstream_line(cs), what, s);
}

/* A closed trade: to the list and the chart. */
static void
emit(struct csvout *o, struct btr_tcache *tc, struct chart *ch,
    const struct bt_trade *t)
{
	btr_trade(o, tc, t);
	if (ch != NULL)
		chart_trade(ch, t->entry_time, t->entry_price, t->exit_time,
		    t->exit_price, t->side, t->pnl);
}

static void
writesummary(const char *path, const struct bt_summary *s, int json)
{
	FILE *fp;

	if (path == NULL) {
		btr_summary(stderr, s, json);
		return;
	}
	if ((fp = fopen(path, "w")) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	btr_summary(fp, s, json);
	if (fclose(fp) != 0)
		err(CK_EXIT_FAIL, "%s", path);
}

static void
savechart(const struct chart *ch, const char *path, const struct bt *bt)
{
	char cap[256], e[512];

	btr_caption(cap, sizeof(cap), bt);
	if (chart_save(ch, path, "backtest", cap, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", e);
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
	struct btr_cols cols;
	struct outs out = { NULL, NULL };
	struct chart *ch = NULL;
	struct sigaction sa;
	struct btr_tcache etc = { 0, 0, "" }, ttc = { 0, 0, "" };
	static struct bt bt;
	char e[512];
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
		errx(ck_exit(r), "%s%s", e, strstr(e, CSTREAM_NOT_STREAM) ?
		    "; put candle-feed in front (candle-feed FILE | infer -m "
		    "MODEL | backtest)" : "");
	csvin_stopflag(cs.in, &stop);
	btr_findcols(&cs, o.prefix, &cols);
	if (cols.action < 0)
		errx(CK_EXIT_DATA, "%s: no %saction column (a prediction stream "
		    "comes from infer or train-candle)", cstream_file(&cs),
		    o.prefix);
	if ((out.trades = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (o.equity != NULL) {
		out.equity = openout(o.equity);
		btr_equity_header(out.equity);
	}
	if (o.svg != NULL && (ch = chart_new()) == NULL)
		err(CK_EXIT_FAIL, "chart");
	csvin_onblock(cs.in, flushall, &out);
	btr_trade_header(out.trades);
	tty = isatty(STDERR_FILENO) && !o.live;
	if (tty)
		t0 = tlast = ck_now();

	memset(&row, 0, sizeof(row));
	while (!stop && (r = cstream_next(&cs, &cd, e, sizeof(e))) == 1) {
		row.t = cd.t;
		row.open = cd.open;
		row.high = cd.high;
		row.low = cd.low;
		row.close = cd.close;
		if (btr_readrow(&cs, &cols, &cfg, ch != NULL, &row, e,
		    sizeof(e)) != CK_OK)
			errx(CK_EXIT_DATA, "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		if ((k = bt_push(&bt, &row, tr, e, sizeof(e))) < 0)
			errx(ck_exit(k), "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		for (i = 0; i < k; i++)
			emit(out.trades, &ttc, ch, &tr[i]);
		if (k > 0 && csvout_error(out.trades))
			checkout(out.trades);
		if (out.equity != NULL) {
			btr_equity(out.equity, &etc, cd.t, &bt);
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
			btr_status(stderr, &bt, cd.t);
		if (tty && (bt.n & 4095) == 0 && ck_now() - tlast >= 0.5) {
			tlast = ck_now();
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
		emit(out.trades, &ttc, ch, &tr[0]);
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
