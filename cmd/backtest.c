/*
 * backtest - simulate trading on a prediction stream: trade list on
 * stdout, summary on stderr, equity curve and chart on request.
 */
#include <err.h>
#include <errno.h>
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
#include "cstream.h"
#include "timeparse.h"
#include "args.h"
#include "stopsig.h"
#include "outfile.h"
#include "backtest.h"
#include "ckpt.h"
#include "model.h"
#include "timeframe.h"
#include "chart.h"
#include "svg.h"
#include "html.h"
#include "btreport.h"
#include "btsummary.h"
#include "btappend.h"
#include "btfcast.h"

struct opts {
	const char	*summary, *json, *equity, *svg, *html, *prefix, *file, *append;
	long		 svg_every;
	int		 live;
	const char	*model;		/* --model: the checkpoint, or NULL */
	int		 pivot_k;	/* --pivot-k; 0: the model's, else PIVOTS_K */
	long		 max_pending;	/* --max-pending */
};

static void
usage_to(FILE *fp)
{
	fprintf(fp,
	    "usage: backtest [-hV] [--cash C] [--size F] [--fee F] [--slippage F]\n"
	    "                [--fill open|close] [--reverse] [--long-only]\n"
	    "                [--min-confidence P] [--enter P] [--exit P]\n"
	    "                [--min-hold N|auto] [--cooldown N|auto]\n"
	    "                [--on-hold keep|exit]\n"
	    "                [--stop-loss F] [--take-profit F] [--periods-per-year N]\n"
	    "                [--breakdown day|week|month] [--prefix P]\n"
	    "                [--summary FILE] [--json FILE] [--equity FILE]\n"
	    "                [--append FILE] [--svg FILE] [--html FILE]\n"
	    "                [--svg-every N] [--live] [--model FILE]\n"
	    "                [--pivot-k K] [--max-pending N] [file]\n");
}

/* --help: the usage, then every option with its default, as backtest(1). */
static void
help(void)
{
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
		    "side at once (default: off)" },
		{ "--long-only", "never go short (default: off)" },
		{ "--min-confidence P", "weaker signals count as HOLD "
		    "(default 0)" },
		{ "--enter P", "a side's probability that opens it "
		    "(default 0.6)" },
		{ "--exit P", "leave when the held side's probability is "
		    "below P (default 0: off)" },
		{ "--min-hold N|auto", "candles before a signal may close a "
		    "position (default auto: the costs over the market's "
		    "moves)" },
		{ "--cooldown N|auto", "candles after a close before an entry "
		    "(default auto)" },
		{ "--on-hold keep|exit", "what HOLD does to a position "
		    "(default keep)" },
		{ "--stop-loss F", "exit at this loss fraction of the entry "
		    "(default 0: none)" },
		{ "--take-profit F", "exit at this gain fraction of the entry "
		    "(default 0: none)" },
		{ "--periods-per-year N", "annualize with N (default: the "
		    "data's candles per year)" },
		{ "--breakdown day|week|month", "per-period tables in the "
		    "summary (default: none)" },
		{ "--prefix P", "read the columns P<name> (default: none)" },
		{ "--summary FILE", "the summary there, - for stdout "
		    "(default: standard error)" },
		{ "--json FILE", "the summary as JSON there, - for stdout "
		    "(default: none)" },
		{ "--equity FILE", "time,equity,drawdown_pct per candle "
		    "(default: none)" },
		{ "--append FILE", "trades to FILE across restarts (default: "
		    "standard output)" },
		{ "--svg FILE", "a chart (default: none)" },
		{ "--html FILE", "an interactive report (default: none)" },
		{ "--svg-every N", "rewrite the chart and report every N "
		    "candles (default: at the end)" },
		{ "--live", "a status line per candle on standard error "
		    "(default: off)" },
		{ "--model FILE", "the checkpoint the predictions came from: "
		    "its id in the report, a warning when the candles' step "
		    "differs from its timeframe (default: none)" },
		{ "--pivot-k K", "the pivots' strength the pivot_L<level>_* "
		    "forecasts are scored with (default: the --model "
		    "checkpoint's, else 2)" },
		{ "--max-pending N", "pivot forecasts waiting for their "
		    "pivot, per level, at most N rows; older ones are dropped "
		    "and counted (default 100000)" },
		{ "-h, --help", "print this help and exit" },
		{ "-V, --version", "print the version and exit" },
	};
	char b[400];
	size_t i;

	usage_to(stdout);
	for (i = 0; i < sizeof(opthelp) / sizeof(opthelp[0]); i++)
		printf("%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
}

static void
usage(void)
{
	usage_to(stderr);
	exit(CK_EXIT_USAGE);
}

/* An output file through outfile.h: a whole file or none. */
static struct csvout *
openout(struct outfile *of, const char *path)
{
	struct csvout *o;
	char e[512];

	if (outfile_open(of, path, e, sizeof(e)) != 0)
		errx(CK_EXIT_FAIL, "%s", e);
	if ((o = csvout_new(of->fd)) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	return o;
}

static void
dataerr(const struct cstream *cs, const char *what, const char *s)
{
	errx(CK_EXIT_DATA, "%s:%ld: %s '%.40s'", cstream_file(cs),
	    cstream_line(cs), what, s);
}

/* A closed trade: to the list (unless --append has it already) and the
 * chart. */
static void
emit(struct csvout *o, struct btr_tcache *tc, struct chart *ch,
    struct btr_append *ap, const struct bt_trade *t)
{
	char e[512];
	int k = 1;

	if (ap != NULL && (k = btr_append_trade(ap, t, e, sizeof(e))) < 0)
		errx(CK_EXIT_DATA, "%s", e);
	if (k == 1)
		btr_trade(o, tc, t);
	if (ch != NULL)
		chart_trade(ch, t);
}

/* The summary, as text or JSON, to path (NULL: stderr; "-": stdout). */
static void
writesummary(const char *path, const struct bt_summary *s,
    const struct btr_settings *st, const struct btr_breakdown *bd, int json)
{
	struct outfile of;
	char e[512];
	FILE *fp;

	if (path == NULL) {
		btr_summary_text(stderr, s, st, bd);
		return;
	}
	if (outfile_open(&of, path, e, sizeof(e)) != 0)
		errx(CK_EXIT_FAIL, "%s", e);
	if ((fp = outfile_stdio(&of)) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	if (json)
		btr_summary_json(fp, s, st, bd);
	else
		btr_summary_text(fp, s, st, bd);
	if (outfile_close(&of, e, sizeof(e)) != 0)
		errx(CK_EXIT_FAIL, "%s", e);
}

/* The model's generation (and id) from the prediction columns. */
static void
modelcols(const struct cstream *cs, const struct btr_cols *cols,
    struct btr_settings *st)
{
	const char *s;
	size_t len;

	if (cols->model_gen >= 0) {
		s = cstream_field(cs, cols->model_gen, &len);
		if (len > 0 && len < sizeof(st->model_gen_last)) {
			if (st->model_gen_first[0] == '\0')
				memcpy(st->model_gen_first, s, len + 1);
			memcpy(st->model_gen_last, s, len + 1);
		}
	}
	if (cols->model_id >= 0) {
		s = cstream_field(cs, cols->model_id, &len);
		if (len > 0 && len < sizeof(st->model_id))
			memcpy(st->model_id, s, len + 1);
	}
}

/* The SVG chart and the HTML report (with the JSON summary). */
static void
savechart(struct chart *ch, const struct opts *o, const struct html_lib *lib,
    const struct bt *bt, const struct btr_settings *st,
    const struct btr_breakdown *bd)
{
	struct bt_summary s;
	char cap[256], e[512], *js = NULL;
	size_t jslen = 0;
	FILE *mf;

	btr_caption(cap, sizeof(cap), bt);
	chart_forecast(ch, st->fc != NULL ? &st->fc->last : NULL);
	chart_model(ch, st->model_id, st->model_gen_first, st->model_gen_last);
	if (o->svg != NULL &&
	    chart_save(ch, o->svg, NULL, cap, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", e);
	if (o->html == NULL)
		return;
	bt_summary(bt, &s);
	if ((mf = open_memstream(&js, &jslen)) == NULL)
		err(CK_EXIT_FAIL, "summary");
	btr_summary_json(mf, &s, st, bd);
	if (fclose(mf) != 0)
		err(CK_EXIT_FAIL, "summary");
	if (html_save(ch, o->html, lib, js, cap, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", e);
	free(js);
}

struct outs {
	struct csvout	*trades, *equity;
	struct outfile	 eqf;
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

/* A number of candles, or "auto" (BT_AUTO). */
static long
candles(struct argerr *ae, const char *opt, const char *s)
{
	if (strcmp(s, "auto") == 0)
		return BT_AUTO;
	return (long)arg_int(ae, opt, s, 0, 1000000000);
}

/* A getopt_long option's long name, for messages. */
static const char *
optname(const struct option *lo, int ch)
{
	for (; lo->name != NULL; lo++)
		if (lo->val == ch)
			return lo->name;
	return "?";
}

/*
 * --model: the checkpoint's id for the report, and its timeframe for the
 * step watch (0: none recorded, nothing to compare).  0, or -1 after a
 * message.
 */
static int
model_meta(const char *path, struct btr_settings *st,
    struct timeframe_watch *w, int *piv_k)
{
	struct model m;
	struct ckpt_meta meta;
	char e[512];

	memset(&m, 0, sizeof(m));
	if (ckpt_load(path, &m, &meta, e, sizeof(e)) != CK_OK) {
		warnx("--model: %s", e);
		return -1;
	}
	*piv_k = m.cfg.npiv > 0 ? m.cfg.piv_k : 0;
	model_free(&m);
	snprintf(st->model_id, sizeof(st->model_id), "%016llx",
	    (unsigned long long)meta.model_id);
	timeframe_watch_init(w, meta.timeframe);
	return 0;
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
		{ "enter", required_argument, NULL, 'E' },
		{ "exit", required_argument, NULL, 'X' },
		{ "min-hold", required_argument, NULL, 'H' },
		{ "cooldown", required_argument, NULL, 'C' },
		{ "on-hold", required_argument, NULL, 'O' },
		{ "stop-loss", required_argument, NULL, 's' },
		{ "take-profit", required_argument, NULL, 't' },
		{ "periods-per-year", required_argument, NULL, 'p' },
		{ "breakdown", required_argument, NULL, 'B' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "summary", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ "equity", required_argument, NULL, 'e' },
		{ "append", required_argument, NULL, 'A' },
		{ "svg", required_argument, NULL, 'g' },
		{ "html", required_argument, NULL, 'W' },
		{ "svg-every", required_argument, NULL, 'n' },
		{ "live", no_argument, NULL, 'l' },
		{ "model", required_argument, NULL, 'M' },
		{ "pivot-k", required_argument, NULL, 'k' },
		{ "max-pending", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const fills[] = { "open", "close", NULL };
	static const char *const holds[] = { "keep", "exit", NULL };
	static const char *const periods[] = { "day", "week", "month", NULL };
	struct opts o = { NULL, NULL, NULL, NULL, NULL, "", "-", NULL, 0, 0, NULL,
	    0, PIVSCORE_MAXPEND };
	struct html_lib lib = { NULL, 0, "" };
	struct bt_trade tr[BT_MAXTRADES];
	struct bt_config cfg;
	struct bt_summary sum;
	struct bt_row row;
	struct bt_period per;
	struct cstream cs;
	struct candle cd;
	struct btr_cols cols;
	struct btr_settings st;
	struct timeframe_watch tfw;
	struct btr_breakdown bd;
	struct btr_append ap, *app = NULL;
	struct btr_fcast fc;
	struct outs out;
	struct chart *ch = NULL;
	struct btr_tcache etc = { 0, 0, "" }, ttc = { 0, 0, "" };
	struct argerr ae = { 0, "" };
	static struct bt bt;
	static volatile sig_atomic_t stop;
	char e[512];
	double t0 = 0, tlast = 0;
	int ch_, i, k, r, tty, sig, started = 0, hasfc, model_k = 0;
	size_t len;
	const char *s, *on;
	cktime pt;

	bt_config_default(&cfg);
	memset(&out, 0, sizeof(out));
	while (!ae.bad &&
	    (ch_ = getopt_long(argc, argv, "hV", lo, NULL)) != -1) {
		on = optname(lo, ch_);
		switch (ch_) {
		case 'c': cfg.cash = arg_double(&ae, on, optarg, 1e-9, 1e15); break;
		case 'z': cfg.size = arg_double(&ae, on, optarg, 1e-9, 1); break;
		case 'f': cfg.fee = arg_double(&ae, on, optarg, 0, 0.5); break;
		case 'S': cfg.slippage = arg_double(&ae, on, optarg, 0, 0.5); break;
		case 'F': cfg.fill = arg_word(&ae, on, optarg, fills); break;
		case 'r': cfg.reverse = 1; break;
		case 'L': cfg.long_only = 1; break;
		case 'm':
			cfg.min_confidence = arg_double(&ae, on, optarg, 0, 1);
			break;
		case 'E': cfg.enter = arg_double(&ae, on, optarg, 0, 1); break;
		case 'X': cfg.exit = arg_double(&ae, on, optarg, 0, 1); break;
		case 'H': cfg.min_hold = candles(&ae, on, optarg); break;
		case 'C': cfg.cooldown = candles(&ae, on, optarg); break;
		case 'O': cfg.on_hold = arg_word(&ae, on, optarg, holds); break;
		case 's': cfg.stop_loss = arg_double(&ae, on, optarg, 0, 0.99); break;
		case 't':
			cfg.take_profit = arg_double(&ae, on, optarg, 0, 1e6);
			break;
		case 'p':
			cfg.periods_per_year = arg_double(&ae, on, optarg, 1e-9,
			    1e12);
			break;
		case 'B': cfg.period = arg_word(&ae, on, optarg, periods) + 1; break;
		case 'P': o.prefix = optarg; break;
		case 'o': o.summary = optarg; break;
		case 'j': o.json = optarg; break;
		case 'e': o.equity = optarg; break;
		case 'A': o.append = optarg; break;
		case 'g': o.svg = optarg; break;
		case 'W': o.html = optarg; break;
		case 'n':
			o.svg_every = (long)arg_int(&ae, on, optarg, 1,
			    1000000000000LL);
			break;
		case 'l': o.live = 1; break;
		case 'M': o.model = optarg; break;
		case 'k':
			o.pivot_k = (int)arg_int(&ae, on, optarg, 1, PIVOTS_MAXK);
			break;
		case 'x':
			o.max_pending = (long)arg_int(&ae, on, optarg, 1,
			    100000000);
			break;
		case 'V': printf("backtest %s\n", VERSION); return CK_EXIT_OK;
		case 'h': help(); return CK_EXIT_OK;
		default: usage();
		}
	}
	if (ae.bad) {
		warnx("--%s", ae.msg);
		usage();
	}
	argc -= optind;
	argv += optind;
	if (argc > 1)
		usage();
	if (argc == 1)
		o.file = argv[0];
	if (o.svg_every > 0 && o.svg == NULL && o.html == NULL) {
		warnx("--svg-every needs --svg or --html");
		usage();
	}
	if (o.html != NULL && html_lib_load(&lib, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_FAIL, "--html: %s", e);
	if (bt_init(&bt, &cfg, e, sizeof(e)) != CK_OK)
		errx(CK_EXIT_USAGE, "%s", e);
	memset(&st, 0, sizeof(st));
	st.cfg = &cfg;
	st.input = strcmp(o.file, "-") == 0 ? "(stdin)" : o.file;
	st.prefix = o.prefix;
	st.append = o.append;
	timeframe_watch_init(&tfw, 0);
	if (o.model != NULL && model_meta(o.model, &st, &tfw, &model_k) != 0)
		return CK_EXIT_DATA;
	if (o.pivot_k > 0 && model_k > 0 && o.pivot_k != model_k)
		warnx("--pivot-k %d: the model's pivots have k %d: its pivot "
		    "forecasts are scored against other pivots", o.pivot_k,
		    model_k);
	if (o.pivot_k == 0)
		o.pivot_k = model_k > 0 ? model_k : PIVOTS_K;
	memset(&bd, 0, sizeof(bd));
	bd.period = cfg.period;

	/* no restart: a blocked read returns */
	if (stopsig_catch(&stop, 0) != 0)
		err(CK_EXIT_FAIL, "sigaction");

	if ((r = cstream_open(&cs, o.file, e, sizeof(e))) != CK_OK)
		errx(ck_exit(r), "%s%s", e, strstr(e, CSTREAM_NOT_STREAM) ?
		    "; put candle-feed in front (candle-feed FILE | infer -m "
		    "MODEL | backtest)" : "");
	csvin_stopflag(cs.in, &stop);
	btr_findcols(&cs, o.prefix, &cols);
	if ((hasfc = btr_fcast_init(&fc, &cs, o.prefix, o.pivot_k,
	    o.max_pending, e, sizeof(e))) < 0)
		errx(ck_exit(hasfc), "%s: %s", cstream_file(&cs), e);
	st.fc = hasfc ? &fc : NULL;
	if (cols.action < 0 && o.svg == NULL && o.html == NULL)
		errx(CK_EXIT_DATA, "%s: no %saction column (a prediction stream "
		    "comes from infer or train-candle)", cstream_file(&cs),
		    o.prefix);
	if (o.append != NULL) {
		if ((r = btr_append_open(&ap, o.append, e, sizeof(e))) != CK_OK)
			errx(ck_exit(r), "%s", e);
		if (ap.torn)
			warnx("%s: a torn last line was cut off", o.append);
		app = &ap;
		if ((out.trades = csvout_new(ap.fd)) == NULL)
			err(CK_EXIT_FAIL, "%s", o.append);
	} else if ((out.trades = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (o.equity != NULL) {
		out.equity = openout(&out.eqf, o.equity);
		btr_equity_header(out.equity);
	}
	if ((o.svg != NULL || o.html != NULL) && (ch = o.html != NULL ?
	    chart_new_bars(HTML_MAXBARS) : chart_new()) == NULL)
		err(CK_EXIT_FAIL, "chart");
	if (ch != NULL)
		chart_input(ch, st.input);
	csvin_onblock(cs.in, flushall, &out);
	if (app == NULL || !ap.header)
		btr_trade_header(out.trades);
	tty = isatty(STDERR_FILENO) && !o.live;
	if (tty)
		t0 = tlast = ck_now();

	memset(&row, 0, sizeof(row));
	row.action = ACTION_NONE;	/* stays so without an action column */
	row.confidence = NAN;
	while (!stop && (r = cstream_next(&cs, &cd, e, sizeof(e))) == 1) {
		if (timeframe_watch_push(&tfw, cd.t))
			warnx("%s", tfw.msg);
		if (!started && app != NULL) {
			/* a restart: replay the recorded trades, or resume
			 * after them with their cash */
			btr_append_start(&ap, cd.t, &cfg.cash);
			if (bt_init(&bt, &cfg, e, sizeof(e)) != CK_OK)
				errx(CK_EXIT_DATA, "%s: the recorded trades "
				    "leave no cash", o.append);
		}
		started = 1;
		/* every candle, replayed ones too: the pivots need them all */
		if (hasfc && (k = btr_fcast_push(&fc, &cs, &cd, e,
		    sizeof(e))) != CK_OK)
			errx(ck_exit(k), "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		if (app != NULL && ap.resume && cd.t <= ap.last.exit_time)
			continue;
		row.t = cd.t;
		row.open = cd.open;
		row.high = cd.high;
		row.low = cd.low;
		row.close = cd.close;
		/* without predictions (a chart only) every row is ACTION_NONE */
		if (cols.action >= 0 && btr_readrow(&cs, &cols, ch != NULL,
		    &row, e, sizeof(e)) != CK_OK)
			errx(CK_EXIT_DATA, "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		modelcols(&cs, &cols, &st);
		if ((k = bt_push(&bt, &row, tr, e, sizeof(e))) < 0)
			errx(ck_exit(k), "%s:%ld: %s", cstream_file(&cs),
			    cstream_line(&cs), e);
		for (i = 0; i < k; i++)
			emit(out.trades, &ttc, ch, app, &tr[i]);
		if (k > 0 && csvout_error(out.trades))
			checkout(out.trades);
		if (bt_period_take(&bt, &per) && btr_breakdown_add(&bd, &per))
			err(CK_EXIT_FAIL, "breakdown");
		if (out.equity != NULL) {
			btr_equity(out.equity, &etc, cd.t, &bt);
		}
		if (ch != NULL) {
			chart_row(ch, &cd, &row, &bt);
			for (i = 0; i < cols.npiv; i++) {
				s = cstream_field(&cs, cols.piv[i], &len);
				if (len == 0)
					continue;
				if (time_parse_iso(s, len, &pt) != 0)
					dataerr(&cs, "bad pivot time", s);
				chart_pivot(ch, pt, cols.pivhigh[i]);
			}
			if (o.svg_every > 0 && bt.n % o.svg_every == 0)
				savechart(ch, &o, &lib, &bt, &st, &bd);
		}
		if (o.live) {
			btr_status(stderr, &bt, cd.t);
			if (hasfc)
				btr_fcast_status(stderr, &fc);
			fputc('\n', stderr);
		}
		if (tty && (bt.n & 4095) == 0 && ck_now() - tlast >= 0.5) {
			tlast = ck_now();
			fprintf(stderr, "\r%ld candles, %.0f/s", bt.n,
			    bt.n / (tlast - t0));
		}
	}
	if (tty)
		fprintf(stderr, "\r\033[K");
	if (timeframe_watch_end(&tfw))
		warnx("%s", tfw.msg);
	sig = stop;
	if (r < 0 && !(r == CK_EINTR && sig)) {
		flushall(&out);
		errx(ck_exit(r), "%s", e);
	}
	/* a replay to the end of the input must reproduce every recorded
	 * trade */
	if (app != NULL && ap.skip > 0 && !sig) {
		flushall(&out);
		errx(CK_EXIT_DATA, "%s: the input ended before %ld of its "
		    "recorded trades were replayed (another input, or other "
		    "settings?)", o.append, ap.skip);
	}
	/* with --append the open position is not closed into the file: the
	 * next run replays it */
	if (bt_finish(&bt, tr) == 1 && app == NULL)
		emit(out.trades, &ttc, ch, NULL, &tr[0]);
	checkout(out.trades);
	if (out.equity != NULL) {
		if (csvout_flush(out.equity) != 0)
			err(CK_EXIT_FAIL, "%s", o.equity);
		if (outfile_close(&out.eqf, e, sizeof(e)) != 0)
			errx(CK_EXIT_FAIL, "%s", e);
	}
	bt_summary(&bt, &sum);
	if (bt_period_current(&bt, &per) && btr_breakdown_add(&bd, &per))
		err(CK_EXIT_FAIL, "breakdown");
	if (ch != NULL)		/* the report's summary: the one below */
		savechart(ch, &o, &lib, &bt, &st, &bd);
	writesummary(o.summary, &sum, &st, &bd, 0);
	if (o.json != NULL)
		writesummary(o.json, &sum, &st, &bd, 1);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(CK_EXIT_FAIL, "stdout");
	cstream_close(&cs);
	csvout_free(out.trades);
	if (app != NULL && close(ap.fd) != 0)
		err(CK_EXIT_FAIL, "%s", o.append);
	if (out.equity != NULL)
		csvout_free(out.equity);
	chart_free(ch);
	if (hasfc)
		btr_fcast_free(&fc);
	btr_breakdown_free(&bd);
	html_lib_free(&lib);
	if (sig)
		return 128 + sig;
	return CK_EXIT_OK;
}
