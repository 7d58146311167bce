/*
 * candle-feed - turn candle files into the canonical candle stream.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
#include "cstream.h"
#include "timeparse.h"
#include "feed.h"
#include "stopsig.h"

static volatile sig_atomic_t stop;

static struct {
	cktime		 from, to, resample, maxwait;
	long		 last;
	double		 replay;	/* < 0: off */
	int		 follow, partial, skipbad, dedupe, gaps;
	enum epoch_unit	 unit;
} opt = { CKTIME_NONE, CKTIME_NONE, 0, 5 * CK_SEC, 0, -1, 0, 0, 0, 0, 0,
	EPOCH_AUTO };

static struct {
	struct csvout	*out;
	struct ring	 ring;
	int		 ringon;	/* rows go to the ring */
	struct resample	 rs;
	struct feedheld	 held;		/* --dedupe last */
	cktime		 last;		/* time of the last accepted row */
	cktime		 step;		/* smallest step seen, for --gaps */
	int		 afterrestart;	/* skip rows at or before last */
	int		 done;		/* --to reached */
	int		 header;	/* written */
	long		 bad, old, ngaps;
	struct replay	 replay;
} st;

static void
usage(int status)
{
	/* --help: every option with its default, as candle-feed(1) */
	static const char *const help[][2] = {
		{ "-f, --follow", "after the last file, wait for lines "
		    "appended to it (default: off)" },
		{ "--from time", "keep candles at or after time (default: "
		    "from the first)" },
		{ "--to time", "keep candles before time (default: to the "
		    "end)" },
		{ "--last n", "write only the last n candles (default: all)" },
		{ "--resample dur", "aggregate to buckets of dur, e.g. 5m 1h "
		    "1d 1w (default: off)" },
		{ "--partial", "with --resample, also write the incomplete "
		    "last bucket (default: off)" },
		{ "--replay speed", "write each candle when its time comes, "
		    "at speed times real time; 0: at once, each flushed "
		    "(default: off)" },
		{ "--max-wait s", "cap any one --replay wait at s seconds "
		    "(default 5)" },
		{ "--skip-bad", "warn about a bad row and skip it (default: "
		    "off, stop at it)" },
		{ "--dedupe first|last", "keep the first or last of equal "
		    "times (default: off, an error)" },
		{ "--gaps", "report steps larger than the usual on standard "
		    "error (default: off)" },
		{ "--epoch s|ms|us", "the unit of numeric times (default: "
		    "told by magnitude)" },
		ARG_HELP_ROWS
	};
	FILE *f = status == 0 ? stdout : stderr;
	char b[400];
	size_t i;

	fprintf(f, "usage: candle-feed [-f] [--from time] [--to time] "
	    "[--last n] [--resample dur [--partial]]\n"
	    "\t[--replay speed [--max-wait s]] [--skip-bad] "
	    "[--dedupe first|last] [--gaps]\n"
	    "\t[--epoch s|ms|us] [file ...]\n");
	for (i = 0; status == 0 && i < sizeof(help) / sizeof(help[0]); i++)
		fprintf(f, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), help[i][0], help[i][1]));
	exit(status);
}

static void
finish_output(void)
{
	if (csvout_flush(st.out) != 0) {
		if (errno == EPIPE)
			exit(CK_EXIT_OK);
		err(CK_EXIT_FAIL, "stdout");
	}
}

static void
summary(void)
{
	if (st.bad > 0)
		warnx("%ld bad rows skipped", st.bad);
	if (st.old > 0)
		warnx("%ld rows at or before the last time skipped after the "
		    "file was truncated or replaced", st.old);
	if (opt.gaps)
		warnx("%ld gaps", st.ngaps);
}

static void
stopped(void)
{
	finish_output();
	summary();
	exit(128 + stop);
}

static void
flushcb(void *arg)
{
	(void)arg;
	finish_output();
}

/* Reached the end of a followed file: the last rows so far, then live. */
static void
atend(void *arg)
{
	(void)arg;
	if (st.ringon) {
		ring_write(&st.ring, st.out);
		st.ringon = 0;
	}
	finish_output();
}

static void
replay_wait(cktime t)
{
	struct timespec due;

	if (replay_due(&st.replay, t, &due) == 0)
		return;
	finish_output();
	if (replay_sleep(&st.replay, t, &due, &stop) != 0)
		stopped();
}

static void
emit(const struct feedrow *r)
{
	if (st.ringon) {
		if (ring_push(&st.ring, r) != 0)
			err(CK_EXIT_FAIL, NULL);
		return;
	}
	if (opt.replay >= 0)
		replay_wait(r->c.t);
	feedrow_write(r, st.out);
	if (opt.replay >= 0 || csvout_error(st.out))
		finish_output();
}

/* Range, then resampling. */
static void
pass(const struct feedrow *r)
{
	struct feedrow b;
	int more, n;

	if (opt.from != CKTIME_NONE && r->c.t < opt.from)
		return;
	if (opt.to != CKTIME_NONE && r->c.t >= opt.to) {
		st.done = 1;
		return;
	}
	if (opt.resample == 0) {
		emit(r);
		return;
	}
	if ((n = resample_push(&st.rs, r, &b, &more)) == 1)
		emit(&b);
	if (more && (n = resample_pop(&st.rs, &b)) == 1)
		emit(&b);
	if (n < 0)
		err(CK_EXIT_FAIL, NULL);
}

static void
endstream(void)
{
	struct feedrow b;

	if (st.held.full) {
		pass(&st.held.r);
		st.held.full = 0;
	}
	if (opt.partial && resample_partial(&st.rs, &b))
		emit(&b);
	if (st.ringon)
		ring_write(&st.ring, st.out);
	st.ringon = 0;
}

/* A bad row: stop with every good row written, or count and go on. */
static void
bad(const char *msg, int fatal)
{
	if (opt.skipbad && !fatal) {
		warnx("%s (skipped)", msg);
		st.bad++;
		return;
	}
	if (st.held.full) {
		pass(&st.held.r);
		st.held.full = 0;
	}
	if (st.ringon)
		ring_write(&st.ring, st.out);
	finish_output();
	warnx("%s", msg);
	exit(CK_EXIT_DATA);
}

static void
gap(struct feedin *f, const struct feedrow *r)
{
	char a[40], b[40], c[40];
	cktime dt = r->c.t - st.last;

	if (feed_gap(&st.step, dt)) {
		duration_format(a, dt);
		time_format(b, st.last);
		duration_format(c, st.step);
		warnx("%s:%ld: gap of %s after %s (step %s)", csvin_name(f->in),
		    csvin_line(f->in), a, b, c);
		st.ngaps++;
	}
}

/* Time order, duplicates, then on. */
static void
row(struct feedin *f, const struct feedrow *r)
{
	char why[160], msg[320];

	if (st.last != CKTIME_NONE && r->c.t <= st.last) {
		if (st.afterrestart) {
			st.old++;
			return;
		}
		if (r->c.t == st.last && opt.dedupe == 'f')
			return;
		if (r->c.t == st.last && opt.dedupe == 'l') {
			if (feedheld_set(&st.held, r) != 0)
				err(CK_EXIT_FAIL, NULL);
			return;
		}
		candle_order(r->c.t, st.last, why, sizeof(why));
		snprintf(msg, sizeof(msg), "%s:%ld: %s", csvin_name(f->in),
		    csvin_line(f->in), why);
		bad(msg, 0);
		return;
	}
	if (opt.gaps && st.last != CKTIME_NONE)
		gap(f, r);
	st.afterrestart = 0;
	st.last = r->c.t;
	if (opt.dedupe == 'l') {
		if (st.held.full)
			pass(&st.held.r);
		if (feedheld_set(&st.held, r) != 0)
			err(CK_EXIT_FAIL, NULL);
	} else
		pass(r);
}

/* Read one input to its end (or, following, until stopped). */
static void
input(struct csvin *in, struct follow *fw)
{
	struct feedin f;
	struct feedrow r;
	char msg[512];
	int n;

	for (;;) {
		csvin_onblock(in, flushcb, NULL);
		csvin_stopflag(in, &stop);
		if ((n = feedin_start(&f, in, opt.unit, msg, sizeof(msg))) != 0)
			goto fail;
		if (!st.header) {
			for (n = 0; n < 6; n++)
				csvout_str(st.out, candle_colname(n));
			csvout_end(st.out);
			st.header = 1;
		}
		while (!st.done && !stop &&
		    (n = feedin_next(&f, &r, msg, sizeof(msg))) != 0) {
			if (n == 1)
				row(&f, &r);
			else if (n == CK_EDATA)
				bad(msg, f.fatal);
			else
				goto fail;
		}
		if (stop)
			stopped();
		if (fw == NULL || !fw->restarted || st.done)
			break;
		/* truncated or replaced: read the file anew */
		if (fw->dropped)
			warnx("%s: partial last line dropped", fw->path);
		fw->restarted = 0;
		csvin_free(in);
		if ((in = csvin_new(fw->path, follow_read, fw, msg,
		    sizeof(msg))) == NULL)
			errx(CK_EXIT_FAIL, "%s", msg);
		st.afterrestart = 1;
	}
	csvin_free(in);
	return;
fail:
	if (n == CK_EINTR)
		stopped();
	if (n == CK_EDATA)
		bad(msg, 1);
	finish_output();
	errx(CK_EXIT_FAIL, "%s", msg);
}

/* --last from the end of a plain regular file, or NULL. */
static struct csvin *
open_tail(const char *path, struct splice *sp, char *msg, size_t len)
{
	sp->fd = -1;
	if (opt.last <= 0 || opt.follow || opt.from != CKTIME_NONE ||
	    opt.to != CKTIME_NONE || opt.resample || opt.skipbad ||
	    opt.dedupe)
		return NULL;
	return feed_open_tail(path, opt.last, sp, msg, len);
}

static void
options(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "last", required_argument, NULL, 'n' },
		{ "resample", required_argument, NULL, 'r' },
		{ "partial", no_argument, NULL, 'p' },
		{ "follow", no_argument, NULL, 'f' },
		{ "replay", required_argument, NULL, 'R' },
		{ "max-wait", required_argument, NULL, 'W' },
		{ "skip-bad", no_argument, NULL, 's' },
		{ "dedupe", required_argument, NULL, 'd' },
		{ "gaps", no_argument, NULL, 'g' },
		{ "epoch", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const dedupe[] = { "first", "last", NULL };
	static const char *const unit[] = { "s", "ms", "us", NULL };
	static const enum epoch_unit units[] = { EPOCH_S, EPOCH_MS, EPOCH_US };
	struct argerr e = { 0 };
	int c;

	while (!e.bad && (c = getopt_long(argc, argv, "fh", lo, NULL)) != -1) {
		switch (c) {
		case 'F':	opt.from = arg_time(&e, "--from", optarg); break;
		case 'T':	opt.to = arg_time(&e, "--to", optarg); break;
		case 'n':	opt.last = (long)arg_int(&e, "--last", optarg, 1,
				    1000000000);
				break;
		case 'r':	if (duration_parse(optarg, &opt.resample) != 0)
					errx(CK_EXIT_USAGE, "bad duration: %s", optarg);
				break;
		case 'p':	opt.partial = 1; break;
		case 'f':	opt.follow = 1; break;
		case 'R':	opt.replay = arg_double(&e, "--replay", optarg, 0,
				    1e12);
				break;
		case 'W':	opt.maxwait = (cktime)(arg_seconds(&e,
				    "--max-wait", optarg, 1e6) * CK_SEC);
				break;
		case 's':	opt.skipbad = 1; break;
		case 'd':	if (arg_word(&e, "--dedupe", optarg, dedupe) >= 0)
					opt.dedupe = optarg[0];
				break;
		case 'g':	opt.gaps = 1; break;
		case 'e':	if ((c = arg_word(&e, "--epoch", optarg, unit)) >= 0)
					opt.unit = units[c];
				break;
		case 'h':	usage(CK_EXIT_OK); break;
		case 'V':	puts("candle-feed " VERSION);
				exit(CK_EXIT_OK);
		default:	usage(CK_EXIT_USAGE);
		}
	}
	if (e.bad) {
		warnx("%s", e.msg);
		usage(CK_EXIT_USAGE);
	}
	if (opt.partial && opt.resample == 0)
		errx(CK_EXIT_USAGE, "--partial needs --resample");
}

int
main(int argc, char *argv[])
{
	static char *stdinonly[] = { "-", NULL };
	struct splice sp;
	struct follow fw;
	struct csvin *in;
	char msg[512], **files;
	int i, nfiles, live;

	options(argc, argv);
	files = optind < argc ? argv + optind : stdinonly;
	nfiles = optind < argc ? argc - optind : 1;
	if (stopsig_catch(&stop, 0) != 0)	/* a blocked wait ends */
		err(CK_EXIT_FAIL, "signals");
	if ((st.out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, NULL);
	st.last = st.step = CKTIME_NONE;
	replay_init(&st.replay, opt.replay, opt.maxwait);
	if (opt.resample)
		resample_init(&st.rs, opt.resample);
	if (opt.last > 0) {
		if (ring_init(&st.ring, opt.last) != 0)
			err(CK_EXIT_FAIL, NULL);
		st.ringon = 1;
	}
	sp.fd = -1;
	for (i = 0; i < nfiles && !st.done; i++) {
		live = opt.follow && i == nfiles - 1 && strcmp(files[i], "-") != 0;
		if (live) {
			if (follow_open(&fw, files[i], msg, sizeof(msg)) != 0)
				errx(CK_EXIT_FAIL, "%s", msg);
			fw.stop = &stop;
			fw.atend = atend;
			in = csvin_new(files[i], follow_read, &fw, msg, sizeof(msg));
		} else if ((in = open_tail(files[i], &sp, msg, sizeof(msg))) ==
		    NULL)
			in = csvin_open(files[i], msg, sizeof(msg));
		if (in == NULL) {
			finish_output();
			errx(CK_EXIT_FAIL, "%s", msg);
		}
		input(in, live ? &fw : NULL);
		if (live)
			follow_close(&fw);
		if (sp.fd >= 0)
			close(sp.fd);
		sp.fd = -1;
	}
	endstream();
	finish_output();
	summary();
	return CK_EXIT_OK;
}
