/*
 * infer - append the model's prediction to every candle of a stream.
 * See infer(1).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "ck.h"
#include "ckpt.h"
#include "cstream.h"
#include "csvio.h"
#include "history.h"
#include "live.h"
#include "pending.h"
#include "refcols.h"
#include "stopsig.h"
#include "timeframe.h"

#define BATCH	64	/* windows predicted at once when input is waiting */

static volatile sig_atomic_t stop;

static void
usage(int help)
{
	/* --help: every option with its default, as infer(1) */
	static const char *const opthelp[][2] = {
		{ "-m, --model model", "the checkpoint (required)" },
		{ "--min-confidence p", "HOLD when the most probable class "
		    "is below p, 0 to 1 (default 0)" },
		{ "--prefix name", "put name before the output column names "
		    "(default: none)" },
		{ "--info", "print the checkpoint's header and exit" },
		{ "-h, --help", "print this help and exit" },
		{ "--version", "print the version and exit" },
	};
	FILE *f = help ? stdout : stderr;
	char b[400];
	size_t i;

	fprintf(f,
	    "usage: infer -m model [--min-confidence p] [--prefix name] [file]\n"
	    "       infer --info -m model\n");
	for (i = 0; help && i < sizeof(opthelp) / sizeof(opthelp[0]); i++)
		fprintf(f, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
	exit(help ? CK_EXIT_OK : CK_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	static const struct option lopt[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "min-confidence", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "info", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct argerr ae = { 0 };
	struct pending p;
	struct history hi;
	struct live lv;
	struct candle c;
	struct cstream cs;
	struct csvout *out;
	struct timeframe_watch tfw;
	struct ctxwin cw;
	struct refcols rcols;
	struct candle ref[MODEL_MAXCTX];
	const char *model = NULL, *prefix = "", *file = "-";
	char errbuf[512];
	double minconf = 0;
	int ch, info = 0, rc, gone = 0;

	while (!ae.bad && (ch = getopt_long(argc, argv, "hm:", lopt, NULL)) !=
	    -1) {
		switch (ch) {
		case 'm':
			model = optarg;
			break;
		case 'c':
			minconf = arg_double(&ae, "--min-confidence", optarg,
			    0, 1);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'i':
			info = 1;
			break;
		case 'V':
			printf("infer %s\n", VERSION);
			return CK_EXIT_OK;
		case 'h':
			usage(1);
			break;
		default:
			usage(0);
		}
	}
	if (ae.bad) {
		warnx("%s", ae.msg);
		usage(0);
	}
	argc -= optind;
	argv += optind;
	if (model == NULL) {
		warnx("-m model is required");
		usage(0);
	}
	if (argc > 1 || (info && argc > 0))
		usage(0);
	if (argc == 1)
		file = argv[0];
	if (info) {
		if ((rc = ckpt_print_info(stdout, model, errbuf,
		    sizeof(errbuf))) != 0)
			errx(ck_exit(rc), "%s", errbuf);
		if (fflush(stdout) != 0 || ferror(stdout))
			err(CK_EXIT_FAIL, "stdout");
		return CK_EXIT_OK;
	}

	if (stopsig_catch(&stop, 0) != 0)	/* a blocked read ends */
		err(CK_EXIT_FAIL, "signals");

	if ((rc = live_open(&lv, model, BATCH, 0, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	if ((rc = cstream_open(&cs, file, errbuf, sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s%s", errbuf, strstr(errbuf,
		    CSTREAM_NOT_STREAM) ? "; put candle-feed in front "
		    "(candle-feed FILE | infer ...)" : "");
	if ((out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (pending_init(&p, &cs, prefix, 0, BATCH, &lv.m.cfg, errbuf,
	    sizeof(errbuf)) != 0 || ctxwin_init(&cw, &lv.m.cfg, 1, errbuf,
	    sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	if ((rc = refcols_init(&rcols, &cs, cw.prefix, cw.nctx, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	p.minconf = (float)minconf;
	history_init(&hi, lv.m.cfg.W + 2);
	cstream_write_header(&cs, out);
	cstream_flushto(&cs, out);
	csvin_stopflag(cs.in, &stop);	/* a signal ends a blocked read */

	/* candle row -> history and contexts -> window -> batch ->
	 * prediction row */
	timeframe_watch_init(&tfw, lv.meta.timeframe);
	rc = 0;
	while (!stop && !csvout_error(out)) {
		if ((rc = cstream_next(&cs, &c, errbuf, sizeof(errbuf))) <= 0) {
			if (stop)
				rc = 0;
			break;
		}
		if (timeframe_watch_push(&tfw, c.t))
			warnx("%s", tfw.msg);
		if ((rc = refcols_read(&rcols, &cs, c.t, ref, errbuf,
		    sizeof(errbuf))) != 0)
			break;
		if (history_push(&hi, &c) != 0 ||
		    ctxwin_push(&cw, &c, ref) != 0 ||
		    pending_take(&p, &cs, &hi, &cw, hi.n - 1) < 0)
			err(CK_EXIT_FAIL, "rows");
		rc = 0;
		/* never hold a read row while the next read may block */
		if (p.q.n == BATCH || !cstream_ready(&cs))
			pending_flush(&p, &lv, out);
	}
	pending_flush(&p, &lv, out);
	if (timeframe_watch_end(&tfw))
		warnx("%s", tfw.msg);
	if (csvout_flush(out) != 0 || csvout_error(out) != 0) {
		if (errno != EPIPE)
			err(CK_EXIT_FAIL, "stdout");
		gone = 1;	/* the reader is gone: a quiet end */
	}
	if (!gone) {
		fprintf(stderr, "infer: rows=%ld predictions=%ld reloads=%ld "
		    "load_failures=%ld\n", p.rows, p.preds, lv.reloads,
		    lv.loadfail);
		if (rc < 0)
			errx(ck_exit(rc), "%s", errbuf);
	}
	csvout_free(out);
	cstream_close(&cs);
	pending_free(&p);
	history_free(&hi);
	ctxwin_free(&cw);
	live_close(&lv);
	if (stop && !gone)
		return 128 + stop;
	return CK_EXIT_OK;
}
