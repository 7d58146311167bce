/*
 * pivots - causal Williams market-structure pivots on a candle stream.
 * The definition is in pivots(1) and include/pivots.h; this file wires the
 * engine to the stream in three output modes: streaming (each row as it is
 * read, with the pivots confirmed at it), --at-pivot (each pivot on its own
 * row; rows held until final) and --annotations (time,action).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "ck.h"
#include "cstream.h"
#include "csvio.h"
#include "pivots.h"
#include "pivrows.h"
#include "stopsig.h"

struct opts {
	int	k, levels, trend, atpivot, annot, level;
};

static volatile sig_atomic_t stop;

static void
usage(int help)
{
	/* --help: every option with its default, as pivots(1) */
	static const char *const opthelp[][2] = {
		{ "-k strength", "candles on each side of a level-1 pivot, 1 "
		    "to 10000 (default 2)" },
		{ "--levels n", "levels of pivots, 1 to 5 (default 2)" },
		{ "--trend", "also write a trendN column per level (default: "
		    "off)" },
		{ "--at-pivot", "hindsight, for charts: each pivot on its own "
		    "row; looks ahead (default: off)" },
		{ "--annotations", "write only time,action rows of one "
		    "level's pivots, for train-batch (default: off)" },
		{ "--level n", "with --annotations: the level, 1 to 5 "
		    "(default 1)" },
		{ "-h, --help", "print this help and exit" },
		{ "--version", "print the version and exit" },
	};
	FILE *f = help ? stdout : stderr;
	char b[400];
	size_t i;

	fprintf(f, "usage: pivots [-k strength] "
	    "[--levels n] [--trend] [--at-pivot | --annotations [--level n]] "
	    "[file]\n");
	for (i = 0; help && i < sizeof(opthelp) / sizeof(opthelp[0]); i++)
		fprintf(f, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
	exit(help ? CK_EXIT_OK : CK_EXIT_USAGE);
}

/* After a write: a closed downstream pipe ends the program quietly. */
static void
checkout(struct csvout *out)
{
	if (csvout_error(out)) {
		if (errno == EPIPE)
			exit(CK_EXIT_OK);
		err(CK_EXIT_FAIL, "stdout");
	}
}

static int
run(const struct opts *o, const char *path)
{
	struct cstream cs;
	struct csvout *out;
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	struct pivq q;
	struct pivtexts tx;
	struct pivmarks m = { NULL, 0, 0 };
	struct pivot_conf *lv;
	char why[512];
	int col[3 * PIVOTS_MAXLEVEL], r, levels;

	memset(&q, 0, sizeof(q));
	levels = o->annot ? o->level : o->levels;
	if (pivtexts_init(&tx, o->k) != 0)
		err(CK_EXIT_FAIL, "time texts");
	if (pivots_init(&p, o->k, levels, why, sizeof(why)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", why);
	if ((out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if ((r = cstream_open(&cs, path, why, sizeof(why))) != CK_OK)
		errx(ck_exit(r), "%s%s", why, strstr(why, CSTREAM_NOT_STREAM) ?
		    "; put candle-feed in front (candle-feed FILE | pivots ...)" :
		    "");
	cstream_flushto(&cs, out);
	csvin_stopflag(cs.in, &stop);
	if (o->annot) {
		csvout_str(out, "time");
		csvout_str(out, "action");
		csvout_end(out);
	} else {
		if (pivrows_addcols(&cs, o->levels, o->trend, col) == -1)
			errx(CK_EXIT_FAIL, "cannot add the output columns");
		cstream_write_header(&cs, out);
	}
	while (!stop && (r = cstream_next(&cs, &c, why, sizeof(why))) == 1) {
		if (pivots_push(&p, &c, conf) > 0 && o->annot) {
			lv = &conf[levels - 1];
			if ((lv->hi.i >= 0 && pivmarks_add(&m, &lv->hi, 1) != 0) ||
			    (lv->lo.i >= 0 && pivmarks_add(&m, &lv->lo, 2) != 0))
				err(CK_EXIT_FAIL, "annotations");
		}
		if (o->annot)
			pivmarks_release(&m, out, pivots_pending(&p));
		else if (o->atpivot) {
			if (pivq_push(&q, &cs, levels, &p, c.t) != 0)
				err(CK_EXIT_FAIL, "held rows");
			pivq_mark(&q, levels, conf);
			pivq_release(&q, &cs, out, levels, col,
			    pivots_pending(&p));
		} else {
			pivtexts_keep(&tx, &cs, p.n - 1);
			pivrows_setrow(&cs, o->levels, o->trend, col, &p, conf,
			    &tx);
			cstream_write_row(&cs, out);
		}
		checkout(out);
	}
	/* At the end, or before a bad row (the good rows before it are
	 * written, as if the input ended there), what is still pending is
	 * no pivot. */
	if (!stop && o->annot)
		pivmarks_release(&m, out, LONG_MAX);
	if (!stop && o->atpivot)
		pivq_release(&q, &cs, out, levels, col, LONG_MAX);
	csvout_flush(out);
	checkout(out);
	if (r < 0 && r != CK_EINTR)
		errx(ck_exit(r), "%s", why);
	csvout_free(out);
	cstream_close(&cs);
	pivots_free(&p);
	pivq_free(&q);
	pivtexts_free(&tx);
	pivmarks_free(&m);
	if (stop)
		return 128 + stop;
	return CK_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "levels",	required_argument,	NULL, 'L' },
		{ "level",	required_argument,	NULL, 'l' },
		{ "trend",	no_argument,		NULL, 't' },
		{ "at-pivot",	no_argument,		NULL, 'a' },
		{ "annotations", no_argument,		NULL, 'A' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { PIVOTS_K, PIVOTS_LEVELS, 0, 0, 0, 0 };
	struct argerr ae = { 0 };
	int ch;

	while (!ae.bad && (ch = getopt_long(argc, argv, "hk:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'k':
			o.k = (int)arg_int(&ae, "-k", optarg, 1, PIVOTS_MAXK);
			break;
		case 'L':
			o.levels = (int)arg_int(&ae, "--levels", optarg, 1,
			    PIVOTS_MAXLEVEL);
			break;
		case 'l':
			o.level = (int)arg_int(&ae, "--level", optarg, 1,
			    PIVOTS_MAXLEVEL);
			break;
		case 't':
			o.trend = 1;
			break;
		case 'a':
			o.atpivot = 1;
			break;
		case 'A':
			o.annot = 1;
			break;
		case 'h':
			usage(1);
			break;
		case 'V':
			printf("pivots %s\n", VERSION);
			return CK_EXIT_OK;
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
	if (argc > 1 || (o.atpivot && o.annot) || (o.level && !o.annot) ||
	    (o.annot && o.trend))
		usage(0);
	if (o.annot && o.level == 0)
		o.level = 1;

	if (stopsig_catch(&stop, 0) != 0)	/* a blocked read ends */
		err(CK_EXIT_FAIL, "signals");
	return run(&o, argc == 1 ? argv[0] : NULL);
}
