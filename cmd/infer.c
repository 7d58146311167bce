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
#include "candle.h"
#include "ckpt.h"
#include "csvio.h"
#include "online.h"
#include "stopsig.h"

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

static void
warnmsg(const char *msg)
{
	warnx("%s", msg);
}

static void
counts(const struct online *o)
{
	fprintf(stderr, "infer: rows=%ld predictions=%ld reloads=%ld "
	    "load_failures=%ld\n", o->n.rows, o->n.preds, o->n.reloads,
	    o->n.loadfail);
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
	struct online o;
	struct cstream cs;
	struct csvout *out;
	const char *model = NULL, *prefix = "", *file = "-";
	char errbuf[512];
	double minconf = 0;
	int ch, info = 0, rc;

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

	if ((rc = online_open(&o, model, BATCH, 0, 0, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	o.minconf = (float)minconf;
	o.warn = warnmsg;
	if ((rc = cstream_open(&cs, file, errbuf, sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s%s", errbuf, strstr(errbuf,
		    CSTREAM_NOT_STREAM) ? "; put candle-feed in front "
		    "(candle-feed FILE | infer ...)" : "");
	if ((out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (online_header(&o, &cs, out, prefix, 0, errbuf, sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);

	rc = online_run(&o, &cs, out, BATCH, NULL, NULL, &stop, errbuf,
	    sizeof(errbuf));
	if (rc == CK_ERR && csvout_error(out) != 0 && errno == EPIPE)
		rc = 0;		/* the reader is gone: a quiet end */
	else
		counts(&o);
	if (rc != 0)
		errx(ck_exit(rc), "%s", errbuf);
	csvout_free(out);
	cstream_close(&cs);
	online_close(&o);
	if (stop)
		return 128 + stop;
	return CK_EXIT_OK;
}
