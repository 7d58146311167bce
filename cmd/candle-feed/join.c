/*
 * join.c - candle-feed's as-of join with reference files (join.h).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "timeparse.h"
#include "feed.h"
#include "join.h"

/* The suffixes of a reference's columns, in the stream's order. */
static const char *const sfx[5] = { "open", "high", "low", "close",
    "volume" };

/* A prefix whose columns another program adds to the stream (infer's
 * next_open.., pivots' pivotN_high and pivotN_low): 1. */
static int
taken(const char *p)
{
	size_t n;

	if (strcmp(p, "next") == 0)
		return 1;
	if (strncmp(p, "pivot", 5) != 0 || p[5] == '\0')
		return 0;
	n = strspn(p + 5, "0123456789");
	return p[5 + n] == '\0';
}

int
join_spec(struct joinset *js, const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	struct joinref *r;
	size_t n, i;
	int k;

	if (eq == NULL || eq[1] == '\0') {
		snprintf(err, errlen, "--join: not PREFIX=FILE: %s", arg);
		return -1;
	}
	n = (size_t)(eq - arg);
	for (i = 0; i < n; i++)
		if (!(arg[i] == '_' || (arg[i] >= 'A' && arg[i] <= 'Z') ||
		    (arg[i] >= 'a' && arg[i] <= 'z') ||
		    (i > 0 && arg[i] >= '0' && arg[i] <= '9')))
			break;
	if (n == 0 || i < n || n > JOIN_MAXPREFIX) {
		snprintf(err, errlen, "--join: the prefix %.*s is not a name "
		    "of at most %d letters, digits and _ (not a digit first)",
		    (int)(n > 80 ? 80 : n), arg, JOIN_MAXPREFIX);
		return -1;
	}
	for (k = 0; k < js->n; k++)
		if (strlen(js->ref[k].prefix) == n &&
		    strncmp(js->ref[k].prefix, arg, n) == 0) {
			snprintf(err, errlen, "--join: the prefix %.*s is "
			    "given twice", (int)n, arg);
			return -1;
		}
	if ((r = realloc(js->ref, (js->n + 1) * sizeof(*r))) == NULL) {
		snprintf(err, errlen, "--join: %s", strerror(errno));
		return -1;
	}
	js->ref = r;
	r = &js->ref[js->n];
	memset(r, 0, sizeof(*r));
	memcpy(r->prefix, arg, n);
	r->prefix[n] = '\0';
	if (taken(r->prefix)) {
		snprintf(err, errlen, "--join: the prefix %s names columns "
		    "another program adds (%s_open..)", r->prefix, r->prefix);
		return -1;
	}
	r->path = eq + 1;
	r->fw.fd = -1;
	r->rv.fd = -1;
	r->last = r->prevt = r->step = CKTIME_NONE;
	js->n++;
	return 0;
}

/* Its header read: 0 or a status. */
static int
start(struct joinset *js, struct joinref *r, char *err, size_t errlen)
{
	int n;

	if ((n = feedin_start(&r->f, r->in, js->o, err, errlen)) != 0) {
		feedin_free(&r->f);
		js->fatal = 1;
		return n == CK_EINTR || n == CK_ERR ? n : CK_EDATA;
	}
	r->started = 1;
	return 0;
}

int
join_open(struct joinset *js, int follow, char *err, size_t errlen)
{
	struct joinref *r;
	int k, n;

	js->prevt = js->step = CKTIME_NONE;
	for (k = 0; k < js->n; k++) {
		r = &js->ref[k];
		r->live = follow && strcmp(r->path, "-") != 0;
		if (r->live) {
			if (follow_open(&r->fw, r->path, err, errlen) != 0)
				return CK_ERR;
			r->fw.stop = js->stop;
			r->in = csvin_new(r->path, follow_read, &r->fw, err,
			    errlen);
		} else
			r->in = csvin_open(r->path, err, errlen);
		if (r->in == NULL)
			return CK_ERR;
		csvin_onblock(r->in, js->flush, NULL);
		csvin_stopflag(r->in, js->stop);
		if (js->resample && feedrs_init(&r->rs, js->resample) != 0) {
			snprintf(err, errlen, "--resample: out of range");
			return CK_ERR;
		}
		/* the header now, but a followed file's when it comes */
		if (!r->live && (n = start(js, r, err, errlen)) != 0)
			return n;
	}
	return 0;
}

void
join_free(struct joinset *js)
{
	struct joinref *r;
	int k, i;

	for (k = 0; k < js->n; k++) {
		r = &js->ref[k];
		if (r->started)
			feedin_free(&r->f);
		if (r->in != NULL)
			csvin_free(r->in);
		if (r->live)
			follow_close(&r->fw);
		if (r->rv.fd >= 0)
			rev_close(&r->rv);
		feedrs_free(&r->rs);
		feedheld_free(&r->first);
		feedheld_free(&r->held);
		feedheld_free(&r->cur);
		for (i = 0; i < JOIN_QUEUE; i++)
			feedheld_free(&r->q[i]);
	}
	free(js->ref);
	js->ref = NULL;
	js->n = 0;
}

void
join_header(const struct joinset *js, struct csvout *out)
{
	char b[JOIN_MAXPREFIX + 16];
	int k, i;

	for (k = 0; k < js->n; k++)
		for (i = 0; i < 5; i++) {
			snprintf(b, sizeof(b), "%s_%s", js->ref[k].prefix,
			    sfx[i]);
			csvout_str(out, b);
		}
}

/* A candle of the reference's stream, read ahead. */
static int
enqueue(struct joinref *r, const struct feedrow *row)
{
	if (r->nq == JOIN_QUEUE)
		return CK_ERR;	/* cannot happen: read only when empty */
	if (feedheld_set(&r->q[r->nq], row) != 0)
		return CK_ERR;
	r->nq++;
	if (r->prevt != CKTIME_NONE)
		(void)feed_gap(&r->step, row->c.t - r->prevt);
	r->prevt = row->c.t;
	return 0;
}

/* A row in time order on to resampling and the queue. */
static int
push(struct joinset *js, struct joinref *r, const struct feedrow *row,
    char *err, size_t errlen)
{
	struct feedrow *b;
	int i, n;

	if (js->resample == 0)
		return enqueue(r, row);
	if ((n = feedrs_push(&r->rs, row, &b)) == -2) {
		feedrs_late(&r->rs, r->path, row->c.t, err, errlen);
		js->fatal = 0;
		return CK_EDATA;
	}
	if (n < 0)
		return CK_ERR;
	for (i = 0; i < n; i++) {
		if (feedrs_bucket_check(&b[i], err, errlen) != 0) {
			js->fatal = 1;
			return CK_EDATA;
		}
		if (enqueue(r, &b[i]) != 0)
			return CK_ERR;
	}
	return 0;
}

/* A row in file order: time order and equal times (as the main input's). */
static int
ordered(struct joinset *js, struct joinref *r, const struct feedrow *row,
    char *err, size_t errlen)
{
	char why[160];
	int n;

	if (r->last != CKTIME_NONE && row->c.t <= r->last) {
		if (r->afterrestart) {
			r->nold++;
			return 0;
		}
		if (row->c.t == r->last && js->dedupe == 'f')
			return 0;
		if (row->c.t == r->last && js->dedupe == 'l')
			return feedheld_set(&r->held, row) != 0 ? CK_ERR : 0;
		candle_order(row->c.t, r->last, why, sizeof(why));
		snprintf(err, errlen, "%s:%ld: %s%s", csvin_name(r->f.in),
		    row->line, why, r->nrow == 2 && !r->reversed ? " (newest "
		    "first? a pipe, a compressed or a followed file is read "
		    "as it comes: reverse it with tac)" : "");
		js->fatal = 0;
		return CK_EDATA;
	}
	r->afterrestart = 0;
	r->last = row->c.t;
	if (js->dedupe != 'l')
		return push(js, r, row, err, errlen);
	if (r->held.full && (n = push(js, r, &r->held.r, err, errlen)) != 0)
		return n;
	return feedheld_set(&r->held, row) != 0 ? CK_ERR : 0;
}

/* Newest first: the file read anew from its end. */
static int
reverse(struct joinset *js, struct joinref *r, char *err, size_t errlen)
{
	long hdr = r->f.noheader ? 0 : r->f.hdrline;

	feed_note(&r->f, "rows newest first: read from the end (line numbers "
	    "count from there)");
	feedin_free(&r->f);
	r->started = 0;
	csvin_free(r->in);
	r->in = NULL;
	if (rev_open(&r->rv, r->path, hdr, err, errlen) != 0 ||
	    (r->in = csvin_new(r->path, rev_read, &r->rv, err, errlen)) ==
	    NULL)
		return CK_ERR;
	csvin_onblock(r->in, js->flush, NULL);
	csvin_stopflag(r->in, js->stop);
	r->reversed = 1;
	return 0;
}

/* A row as read: the first of a file that can be read from its end is
 * held until the second says whether the file is newest first. */
static int
row(struct joinset *js, struct joinref *r, const struct feedrow *x,
    char *err, size_t errlen)
{
	int n;

	if (++r->nrow == 1 && !r->reversed && !r->live &&
	    feed_reversible(r->path, &r->f))
		return feedheld_set(&r->first, x) != 0 ? CK_ERR : 0;
	if (r->first.full) {
		r->first.full = 0;
		if (x->c.t < r->first.r.c.t)
			return reverse(js, r, err, errlen);
		if ((n = ordered(js, r, &r->first.r, err, errlen)) != 0)
			return n;
	}
	return ordered(js, r, x, err, errlen);
}

/* The end of the reference's input: the held row and, with partial,
 * the incomplete bucket are its last candles. */
static int
end(struct joinset *js, struct joinref *r, char *err, size_t errlen)
{
	struct feedrow *b;
	int n;

	if (r->live && r->fw.restarted) {
		/* truncated or replaced: read it anew, after the last time */
		if (r->fw.dropped)
			warnx("%s: partial last line dropped", r->path);
		r->fw.restarted = 0;
		feedin_free(&r->f);
		r->started = 0;
		csvin_free(r->in);
		if ((r->in = csvin_new(r->path, follow_read, &r->fw, err,
		    errlen)) == NULL)
			return CK_ERR;
		csvin_onblock(r->in, js->flush, NULL);
		csvin_stopflag(r->in, js->stop);
		r->afterrestart = 1;
		return 0;
	}
	if (r->first.full) {
		r->first.full = 0;
		if ((n = ordered(js, r, &r->first.r, err, errlen)) != 0)
			return n;
	}
	if (r->held.full) {
		r->held.full = 0;
		if ((n = push(js, r, &r->held.r, err, errlen)) != 0)
			return n;
	}
	if (js->partial && js->resample &&
	    (n = feedrs_partial(&r->rs, &b)) != 0) {
		if (n < 0)
			return CK_ERR;
		if (feedrs_bucket_check(b, err, errlen) != 0) {
			js->fatal = 1;
			return CK_EDATA;
		}
		if (enqueue(r, b) != 0)
			return CK_ERR;
	}
	r->eof = 1;
	return 0;
}

/* One more row of the reference read (it may block): 0 or a status. */
static int
step(struct joinset *js, struct joinref *r, char *err, size_t errlen)
{
	struct feedrow x;
	int n;

	if (!r->started && (n = start(js, r, err, errlen)) != 0)
		return n;
	n = feedin_next(&r->f, &x, err, errlen);
	if (n == CK_EDATA)
		js->fatal = r->f.fatal;
	if (n < 0)
		return n;
	if (n == 0)
		return end(js, r, err, errlen);
	return row(js, r, &x, err, errlen);
}

/* A followed reference has a line to read without waiting. */
static int
ready(struct joinref *r)
{
	if (csvin_ready(r->in) || (r->started && csvin_ready(r->f.in)))
		return 1;
	return follow_poll(&r->fw);
}

/* Sleep up to 100 ms, but not past the deadline (monotonic seconds). */
static void
nap(double deadline)
{
	struct timespec ts;
	double d = deadline - ck_now();

	if (d > 0.1)
		d = 0.1;
	if (d <= 0)
		return;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(d * 1e9);
	nanosleep(&ts, NULL);
}

/*
 * Read reference r until it has a candle at or after t, ends, or (when
 * followed) the deadline passes with nothing to read: then it lags, and
 * later rows take what it has without waiting until it catches up.
 */
static int
catchup(struct joinset *js, struct joinref *r, cktime t, double *deadline,
    char *err, size_t errlen)
{
	struct feedheld h;
	int n, i;

	for (;;) {
		while (r->nq > 0 && r->q[0].r.c.t <= t) {
			h = r->cur;
			r->cur = r->q[0];
			for (i = 1; i < r->nq; i++)
				r->q[i - 1] = r->q[i];
			r->q[--r->nq] = h;
			r->q[r->nq].full = 0;
		}
		if (r->nq > 0 || (r->cur.full && r->cur.r.c.t == t)) {
			r->lagging = 0;
			return 0;
		}
		if (r->eof)
			return 0;
		if (r->live && (n = ready(r)) <= 0) {
			if (n < 0) {
				snprintf(err, errlen, "%s: %s", r->path,
				    strerror(errno));
				return CK_ERR;
			}
			if (*js->stop)
				return CK_EINTR;
			if (r->lagging)
				return 0;
			if (*deadline < 0) {
				js->flush(NULL);
				*deadline = ck_now() + (double)js->wait / CK_SEC;
			}
			if (ck_now() >= *deadline) {
				r->lagging = 1;
				return 0;
			}
			nap(*deadline);
			continue;
		}
		if ((n = step(js, r, err, errlen)) != 0)
			return n;
	}
}

int
join_at(struct joinset *js, cktime t, char *err, size_t errlen)
{
	struct joinref *r;
	double deadline = -1;
	int k, n;

	for (k = 0; k < js->n; k++)
		if ((n = catchup(js, &js->ref[k], t, &deadline, err,
		    errlen)) != 0)
			return n;
	js->miss = 0;
	for (k = 0; k < js->n; k++) {
		r = &js->ref[k];
		if (!r->cur.full) {
			r->ndrop++;
			js->miss = 1;
		} else if (r->nq == 0 && r->cur.r.c.t < t) {
			if (r->eof)
				r->nafter++;
			else if (r->lagging)
				r->nstale++;
		}
	}
	if (js->miss && !js->keep)
		return 0;
	if (js->prevt != CKTIME_NONE)
		(void)feed_gap(&js->step, t - js->prevt);
	js->prevt = t;
	return 1;
}

void
join_fields(const struct joinset *js, struct csvout *out)
{
	const struct joinref *r;
	int k, i;

	for (k = 0; k < js->n; k++) {
		r = &js->ref[k];
		for (i = 1; i < 6; i++)
			if (r->cur.full)
				csvout_plain(out, r->cur.r.txt[i],
				    r->cur.r.len[i]);
			else
				csvout_empty(out);
	}
}

void
join_summary(const struct joinset *js)
{
	const struct joinref *r;
	char a[40], b[40];
	int k;

	for (k = 0; k < js->n; k++) {
		r = &js->ref[k];
		if (r->ndrop > 0)
			warnx("%s (%s): %ld rows before its first candle %s",
			    r->path, r->prefix, r->ndrop, js->keep ? "kept with empty "
			    "columns" : "dropped");
		if (r->nstale > 0)
			warnx("%s (%s): %ld rows joined with an earlier candle "
			    "after waiting for one at their time", r->path,
			    r->prefix, r->nstale);
		if (r->nafter > 0) {
			time_format(a, r->cur.r.c.t);
			warnx("%s (%s): %ld rows after its end joined with its "
			    "last candle (%s)", r->path, r->prefix, r->nafter, a);
		}
		if (r->nold > 0)
			warnx("%s (%s): %ld rows at or before the last time "
			    "skipped after the file was truncated or replaced",
			    r->path, r->prefix, r->nold);
		if (r->step != CKTIME_NONE && js->step != CKTIME_NONE &&
		    r->step > js->step) {
			duration_format(a, r->step);
			duration_format(b, js->step);
			warnx("%s (%s): its step (%s) is longer than the "
			    "stream's (%s): a joined candle completes after the "
			    "row that carries it", r->path, r->prefix, a, b);
		}
	}
}
