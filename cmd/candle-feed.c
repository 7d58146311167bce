/*
 * candle-feed - turn candle files into the canonical candle stream.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
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
#include "join.h"
#include "stopsig.h"

static volatile sig_atomic_t stop;

static struct {
	cktime		 from, to, resample, maxwait;
	long		 last;
	double		 replay;	/* < 0: off */
	int		 follow, partial, skipbad, dedupe, gaps;
	struct feedopt	 in;
} opt = { CKTIME_NONE, CKTIME_NONE, 0, 5 * CK_SEC, 0, -1, 0, 0, 0, 0, 0,
	{ 0 } };

/* --join: the references, their options (the main input's) */
static struct joinset js = { .wait = 5 * CK_SEC };

static struct {
	struct csvout	*out;
	struct ring	 ring;
	int		 ringon;	/* rows go to the ring */
	struct feedrs	 rs;
	struct feedheld	 held;		/* --dedupe last */
	cktime		 last;		/* time of the last accepted row */
	cktime		 step;		/* smallest step seen, for --gaps */
	int		 afterrestart;	/* skip rows at or before last */
	int		 done;		/* --to reached */
	int		 header;	/* written */
	long		 bad, old, ngaps;
	struct replay	 replay;
	struct feedheld	 first;		/* a file's first row, held */
	struct feedin	*curf;		/* the input being read */
	struct ring	 join;		/* --dedupe over several files */
	int		 joinon;
	int		 newest;	/* the second row is before the first */
	int		 firstrow;	/* the row is a file's first */
	int		 nfile;		/* files read before this one */
	long		 differ;	/* overlapping rows that differed */
} st;

#define JOINROWS	100000	/* rows held to join overlapping files */

static void	release_first(void);

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
		{ "--sep c", "the field separator: , ; | or tab (default: "
		    "detected)" },
		{ "--decimal ,|.", "the decimal mark (default: detected from "
		    "the first row)" },
		{ "--columns list", "the columns of time, open, high, low, "
		    "close and volume, by name or position from 1 (default: "
		    "by their names)" },
		{ "--time-format fmt", "read times with strptime(3) format "
		    "fmt (default: detected)" },
		{ "--tz zone", "read times without a zone in the IANA zone "
		    "(default: UTC)" },
		{ "--header none", "the first line is a row (default: "
		    "detected)" },
		{ "--volume column", "take the volume from column, a name or "
		    "a position (default: the volume column)" },
		{ "--no-volume", "the input has no volume: every volume is 0 "
		    "(default: off, a missing volume is an error)" },
		{ "--close adj", "use the adjusted close, open, high and low "
		    "scaled with it (default: the close)" },
		{ "--join prefix=file", "append prefix_open .. prefix_volume "
		    "of file's latest candle at or before each row's time; "
		    "repeatable (default: none)" },
		{ "--join-wait s", "with -f, wait up to s seconds for a "
		    "reference's candle at a row's time (default 5)" },
		{ "--join-keep", "keep rows before a reference's first candle, "
		    "with empty columns (default: off, dropped)" },
		{ "-h, --help", "print this help and exit" },
		{ "--version", "print the version and exit" },
	};
	FILE *f = status == 0 ? stdout : stderr;
	char b[400];
	size_t i;

	fprintf(f, "usage: candle-feed [-f] [--from time] [--to time] "
	    "[--last n] [--resample dur [--partial]]\n"
	    "\t[--replay speed [--max-wait s]] [--skip-bad] "
	    "[--dedupe first|last] [--gaps]\n"
	    "\t[--epoch s|ms|us] [--sep c] [--decimal ,|.] [--columns list]\n"
	    "\t[--time-format fmt] [--tz zone] [--header none] "
	    "[--volume column]\n"
	    "\t[--no-volume] [--close adj]\n"
	    "\t[--join prefix=file [--join-wait s] [--join-keep]] [file ...]\n");
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
	if (st.differ > 0)
		warnx("%ld rows at times already read differed (the %s kept)",
		    st.differ, opt.dedupe == 'l' ? "last" : "first");
	if (opt.gaps)
		warnx("%ld gaps", st.ngaps);
	join_summary(&js);
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

static void	out_row(const struct feedrow *);

/* Reached the end of a followed file: the last rows so far, then live. */
static void
atend(void *arg)
{
	(void)arg;
	release_first();
	if (st.ringon) {
		ring_write(&st.ring, out_row);
		st.ringon = 0;
	}
	finish_output();
}

/* A reference's bad line: skipped and counted, or the end (the rows not
 * yet written wait for what it would have said). */
static void
joinbad(const char *msg)
{
	if (opt.skipbad && !js.fatal) {
		warnx("%s (skipped)", msg);
		st.bad++;
		return;
	}
	finish_output();
	warnx("%s", msg);
	exit(CK_EXIT_DATA);
}

/* A row out, with the references' columns (or dropped without them). */
static void
out_row(const struct feedrow *r)
{
	char msg[512];
	int n;

	if (js.n > 0) {
		while ((n = join_at(&js, r->c.t, msg, sizeof(msg))) ==
		    CK_EDATA)
			joinbad(msg);
		if (n == CK_EINTR)
			stopped();
		if (n < 0) {
			finish_output();
			errx(CK_EXIT_FAIL, "%s", msg);
		}
		if (n == 0)
			return;
	}
	feedrow_fields(r, st.out);
	join_fields(&js, st.out);
	csvout_end(st.out);
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
	out_row(r);
	if (opt.replay >= 0 || csvout_error(st.out))
		finish_output();
}

static void	bad(const char *, int);

/* A resampled candle: checked as the stream checks any, then out. */
static void
bucket(const struct feedrow *b)
{
	char msg[320];

	if (feedrs_bucket_check(b, msg, sizeof(msg)) != 0)
		bad(msg, 1);
	emit(b);
}

/* Range, then resampling. */
static void
pass(const struct feedrow *r)
{
	struct feedrow *b;
	int i, n;

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
	if ((n = feedrs_push(&st.rs, r, &b)) == -2) {
		char msg[320];

		feedrs_late(&st.rs, NULL, r->c.t, msg, sizeof(msg));
		bad(msg, 0);
		return;
	}
	if (n < 0)
		err(CK_EXIT_FAIL, NULL);
	for (i = 0; i < n; i++)
		bucket(&b[i]);
}

/* The rows held for joining, on. */
static void
join_flush(void)
{
	static int busy;	/* bad() from a row passed here */
	long i;

	if (busy)
		return;
	busy = 1;
	for (i = 0; i < st.join.count; i++)
		pass(ring_at(&st.join, i));
	st.join.count = 0;
	busy = 0;
}

static void
endstream(void)
{
	struct feedrow *b;

	join_flush();
	if (st.held.full) {
		pass(&st.held.r);
		st.held.full = 0;
	}
	if (opt.partial && opt.resample && feedrs_partial(&st.rs, &b) == 1)
		bucket(b);
	if (st.ringon)
		ring_write(&st.ring, out_row);
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
	join_flush();
	if (st.held.full) {
		pass(&st.held.r);
		st.held.full = 0;
	}
	if (st.ringon)
		ring_write(&st.ring, out_row);
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
		    r->line, a, b, c);
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
		snprintf(msg, sizeof(msg), "%s:%ld: %s%s", csvin_name(f->in),
		    r->line, why, st.newest ? " (newest first? a "
		    "plain file is read from its end; reverse a pipe with "
		    "tac)" : st.firstrow && st.nfile > 0 ? " (files overlap? "
		    "--dedupe first|last joins them)" : "");
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

/*
 * --dedupe over several files: the last JOINROWS rows are held, so that
 * the next file's rows at times already read are compared with them:
 * equal ones are dropped, differing ones counted and kept (last) or
 * dropped (first).
 */
static void
join(struct feedin *f, const struct feedrow *r)
{
	char why[160], msg[320];
	struct feedrow *old;
	long i;

	if (st.last != CKTIME_NONE && r->c.t <= st.last) {
		if ((i = ring_find(&st.join, r->c.t)) < 0) {
			candle_order(r->c.t, st.last, why, sizeof(why));
			snprintf(msg, sizeof(msg), "%s:%ld: %s%s",
			    csvin_name(f->in), r->line, why,
			    r->c.t < ring_at(&st.join, 0)->c.t ? " (an overlap "
			    "longer than the rows held)" : "");
			bad(msg, 0);
			return;
		}
		old = ring_at(&st.join, i);
		if (old->c.open == r->c.open && old->c.high == r->c.high &&
		    old->c.low == r->c.low && old->c.close == r->c.close &&
		    old->c.volume == r->c.volume)
			return;
		st.differ++;
		if (opt.dedupe == 'l' && ring_set(&st.join, i, r) != 0)
			err(CK_EXIT_FAIL, NULL);
		return;
	}
	if (opt.gaps && st.last != CKTIME_NONE)
		gap(f, r);
	st.last = r->c.t;
	if (st.join.count == st.join.n) {
		pass(ring_at(&st.join, 0));
		ring_drop(&st.join);
	}
	if (ring_push(&st.join, r) != 0)
		err(CK_EXIT_FAIL, NULL);
}

static void
onrow(struct feedin *f, const struct feedrow *r)
{
	if (st.joinon)
		join(f, r);
	else
		row(f, r);
}

/* The first row of a file is held until the second says whether the file
 * is newest first. */
static void
release_first(void)
{
	if (st.first.full) {
		st.first.full = 0;
		st.firstrow = 1;
		onrow(st.curf, &st.first.r);
		st.firstrow = 0;
	}
}

/* Read one input to its end (or, following, until stopped). */
static void
input(const char *path, struct csvin *in, struct follow *fw)
{
	struct feedin f;
	struct feedrow r;
	struct revsrc rv;
	char msg[512];
	long nrow;
	int n, reversed = 0;

	rv.fd = -1;
	for (;;) {
		csvin_onblock(in, flushcb, NULL);
		csvin_stopflag(in, &stop);
		if ((n = feedin_start(&f, in, &opt.in, msg, sizeof(msg))) != 0)
			goto fail;
		st.curf = &f;
		if (!st.header) {
			for (n = 0; n < 6; n++)
				csvout_str(st.out, candle_colname(n));
			join_header(&js, st.out);
			csvout_end(st.out);
			st.header = 1;
		}
		nrow = 0;
		while (!st.done && !stop &&
		    (n = feedin_next(&f, &r, msg, sizeof(msg))) != 0) {
			if (n != 1 && n != CK_EDATA)
				goto fail;
			if (n == CK_EDATA) {
				release_first();
				bad(msg, f.fatal);
				continue;
			}
			if (nrow++ > 0 || reversed || st.afterrestart) {
				if (st.first.full && r.c.t < st.first.r.c.t &&
				    fw == NULL && feed_reversible(path, &f))
					break;	/* newest first */
				st.newest = st.first.full &&
				    r.c.t < st.first.r.c.t;
				release_first();
				onrow(&f, &r);
				st.newest = 0;
			} else if (feedheld_set(&st.first, &r) != 0)
				err(CK_EXIT_FAIL, NULL);
		}
		if (stop)
			stopped();
		if (st.first.full && nrow > 1) {
			/* newest first: read the file from its end */
			st.first.full = 0;
			feed_note(&f, "rows newest first: read from the end "
			    "(line numbers count from there)");
			n = (int)(f.noheader ? 0 : f.hdrline);
			feedin_free(&f);
			csvin_free(in);
			if (rev_open(&rv, path, n, msg, sizeof(msg)) != 0 ||
			    (in = csvin_new(path, rev_read, &rv, msg,
			    sizeof(msg))) == NULL)
				errx(CK_EXIT_FAIL, "%s", msg);
			reversed = 1;
			continue;
		}
		release_first();
		feedin_free(&f);
		st.curf = NULL;
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
	if (rv.fd >= 0)
		rev_close(&rv);
	st.nfile++;
	return;
fail:
	release_first();
	if (n == CK_EINTR)
		stopped();
	if (n == CK_EDATA)
		bad(msg, 1);
	finish_output();
	errx(CK_EXIT_FAIL, "%s", msg);
}

/* --last from the end of a plain regular file, or NULL.  The header's
 * lines are found by reading the file's start as any input is read.  Not
 * with --tz: a repeated local hour is resolved by the row before it. */
static struct csvin *
open_tail(const char *path, struct splice *sp, char *msg, size_t len)
{
	struct csvin *in;
	struct feedin f;
	long hdr;
	int ok;

	sp->fd = -1;
	if (opt.last <= 0 || opt.follow || opt.from != CKTIME_NONE ||
	    opt.to != CKTIME_NONE || opt.resample || opt.skipbad ||
	    opt.dedupe || opt.in.tz || strcmp(path, "-") == 0)
		return NULL;
	if ((in = csvin_open(path, msg, len)) == NULL)
		return NULL;
	ok = feedin_start(&f, in, &opt.in, msg, len) == 0 && f.json == NULL &&
	    csvin_encoding(f.in) != CSVIN_UTF16LE &&
	    csvin_encoding(f.in) != CSVIN_UTF16BE;
	hdr = f.noheader ? 0 : f.hdrline;
	feedin_free(&f);
	csvin_free(in);
	return ok ? feed_open_tail(path, opt.last, hdr, sp, msg, len) : NULL;
}

/* --tz: an IANA zone from the system's zoneinfo, for naive times. */
static void
zone(const char *name)
{
	char path[PATH_MAX];
	const char *dir = getenv("TZDIR");

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		errx(CK_EXIT_USAGE, "--tz: not a zone name: %s", name);
	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir :
	    "/usr/share/zoneinfo", name);
	if (access(path, R_OK) != 0)
		errx(CK_EXIT_USAGE, "--tz: no zone %s (%s)", name, path);
	if (setenv("TZ", name, 1) != 0)
		err(CK_EXIT_FAIL, "setenv");
	tzset();
	opt.in.tz = 1;
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
		{ "sep", required_argument, NULL, 'S' },
		{ "decimal", required_argument, NULL, 'D' },
		{ "columns", required_argument, NULL, 'C' },
		{ "time-format", required_argument, NULL, 'M' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "header", required_argument, NULL, 'H' },
		{ "volume", required_argument, NULL, 'v' },
		{ "no-volume", no_argument, NULL, 'N' },
		{ "close", required_argument, NULL, 'c' },
		{ "join", required_argument, NULL, 'j' },
		{ "join-wait", required_argument, NULL, 'J' },
		{ "join-keep", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const dedupe[] = { "first", "last", NULL };
	static const char *const unit[] = { "s", "ms", "us", NULL };
	static const char *const seps[] = { ",", ";", "|", "tab", "\t", NULL };
	static const char sepc[] = ",;|\t\t";
	static const char *const decs[] = { ",", ".", NULL };
	static const char *const none[] = { "none", NULL };
	static const char *const adj[] = { "adj", NULL };
	static const enum epoch_unit units[] = { EPOCH_S, EPOCH_MS, EPOCH_US };
	struct argerr e = { 0 };
	int c, waitset = 0;

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
					opt.in.unit = units[c];
				break;
		case 'S':	if ((c = arg_word(&e, "--sep", optarg, seps)) >= 0)
					opt.in.sep = (unsigned char)sepc[c];
				break;
		case 'D':	if (arg_word(&e, "--decimal", optarg, decs) >= 0)
					opt.in.decimal = (unsigned char)optarg[0];
				break;
		case 'C':	opt.in.columns = optarg; break;
		case 'M':	opt.in.timefmt = optarg; break;
		case 'Z':	zone(optarg); break;
		case 'H':	if (arg_word(&e, "--header", optarg, none) >= 0)
					opt.in.noheader = 1;
				break;
		case 'v':	opt.in.volume = optarg; break;
		case 'N':	opt.in.novolume = 1; break;
		case 'c':	if (arg_word(&e, "--close", optarg, adj) >= 0)
					opt.in.closeadj = 1;
				break;
		case 'j':	if (join_spec(&js, optarg, e.msg,
				    sizeof(e.msg)) != 0)
					e.bad = 1;
				break;
		case 'J':	js.wait = (cktime)(arg_seconds(&e, "--join-wait",
				    optarg, 1e6) * CK_SEC);
				waitset = 1;
				break;
		case 'K':	js.keep = 1; break;
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
	if (opt.in.novolume && opt.in.volume != NULL)
		errx(CK_EXIT_USAGE, "--no-volume and --volume exclude each other");
	if ((waitset || js.keep) && js.n == 0)
		errx(CK_EXIT_USAGE, "--join-wait and --join-keep need --join");
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
	for (i = 0; i < js.n; i++)
		for (live = 0; live < nfiles; live++)
			if (strcmp(js.ref[i].path, "-") == 0 &&
			    strcmp(files[live], "-") == 0)
				errx(CK_EXIT_USAGE, "--join %s=-: standard input "
				    "is the main input", js.ref[i].prefix);
	if (stopsig_catch(&stop, 0) != 0)	/* a blocked wait ends */
		err(CK_EXIT_FAIL, "signals");
	if ((st.out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, NULL);
	st.last = st.step = CKTIME_NONE;
	replay_init(&st.replay, opt.replay, opt.maxwait);
	if (opt.resample && feedrs_init(&st.rs, opt.resample) != 0)
		errx(CK_EXIT_USAGE, "--resample: at most 520w");
	js.o = &opt.in;
	js.resample = opt.resample;
	js.partial = opt.partial;
	js.dedupe = opt.dedupe;
	js.stop = &stop;
	js.flush = flushcb;
	if ((i = join_open(&js, opt.follow, msg, sizeof(msg))) != 0) {
		if (i == CK_EINTR)
			exit(128 + stop);
		errx(i == CK_EDATA ? CK_EXIT_DATA : CK_EXIT_FAIL, "%s", msg);
	}
	if (opt.dedupe && nfiles > 1 && !opt.follow) {
		if (ring_init(&st.join, JOINROWS) != 0)
			err(CK_EXIT_FAIL, NULL);
		st.joinon = 1;
	}
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
		input(files[i], in, live ? &fw : NULL);
		if (live)
			follow_close(&fw);
		if (sp.fd >= 0)
			close(sp.fd);
		sp.fd = -1;
	}
	endstream();
	finish_output();
	summary();
	join_free(&js);
	return CK_EXIT_OK;
}
