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
#include "candle.h"
#include "csvio.h"
#include "pivots.h"
#include "rowcopy.h"
#include "stopsig.h"
#include "timeparse.h"

struct opts {
	int	k, levels, trend, atpivot, annot, level;
};

/* A row held back by --at-pivot: its input fields and what it gets. */
struct held {
	struct rowcopy in;	/* its input fields */
	cktime	 t;
	unsigned flags;		/* PIVOT_H(n) / PIVOT_L(n): its own pivots */
	enum trend trend[PIVOTS_MAXLEVEL];
};

/* The --at-pivot queue: a ring of held rows, candle indices base.. */
struct queue {
	struct held *row;
	long	 cap, head, len, base;
};

/* A level-N pivot awaiting its turn in --annotations (sorted by index). */
struct mark {
	long	 i;
	cktime	 t;
	unsigned kind;		/* 1 H, 2 L */
};

static volatile sig_atomic_t stop;

static void
usage(int help)
{
	fprintf(help ? stdout : stderr, "usage: pivots [-k strength] "
	    "[--levels n] [--trend] [--at-pivot | --annotations [--level n]] "
	    "[file]\n");
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

/* Add the output columns: pivotN_high, pivotN_low[, trendN] per level. */
static int
addcols(struct cstream *cs, const struct opts *o, int *col)
{
	char name[32];
	int n;

	for (n = 1; n <= o->levels; n++) {
		snprintf(name, sizeof(name), "pivot%d_high", n);
		col[3 * (n - 1)] = cstream_addcol(cs, name);
		snprintf(name, sizeof(name), "pivot%d_low", n);
		col[3 * (n - 1) + 1] = cstream_addcol(cs, name);
		col[3 * (n - 1) + 2] = -1;
		if (o->trend) {
			snprintf(name, sizeof(name), "trend%d", n);
			col[3 * (n - 1) + 2] = cstream_addcol(cs, name);
		}
		if (col[3 * (n - 1)] < 0 || col[3 * (n - 1) + 1] < 0 ||
		    (o->trend && col[3 * (n - 1) + 2] < 0))
			return -1;
	}
	return 0;
}

/*
 * The time texts of the last rows, so that a level-1 pivot (always k rows
 * back) is written by copying its text, not formatting its time: formatting
 * was a tenth of the run time.  Only canonical texts without a fraction
 * (20 bytes) are copied, so the output is the same as cstream_settime's.
 */
struct texts {
	char	(*s)[20];
	unsigned char *ok;
	long	 mask;
};

static void
texts_init(struct texts *tx, int k)
{
	long cap;

	for (cap = 1; cap < k + 1; cap *= 2)
		;
	tx->mask = cap - 1;
	if ((tx->s = calloc(cap, sizeof(*tx->s))) == NULL ||
	    (tx->ok = calloc(cap, 1)) == NULL)
		err(CK_EXIT_FAIL, "time texts");
}

static void
texts_keep(struct texts *tx, struct cstream *cs, long row)
{
	const char *s;
	size_t len;

	s = cstream_field(cs, 0, &len);
	tx->ok[row & tx->mask] = len == 20;
	if (len == 20)
		memcpy(tx->s[row & tx->mask], s, 20);
}

static void
settime(struct cstream *cs, int k, const struct texts *tx,
    const struct pivot *pv)
{
	if (tx != NULL && tx->ok[pv->i & tx->mask])
		cstream_set(cs, k, tx->s[pv->i & tx->mask], 20);
	else
		cstream_settime(cs, k, pv->t);
}

/* Streaming: the pivots confirmed at this row, and the trends. */
static void
setrow(struct cstream *cs, const struct opts *o, const int *col,
    const struct pivots *p, const struct pivot_conf *conf,
    const struct texts *tx)
{
	const char *tr;
	int n;

	for (n = 1; n <= o->levels; n++) {
		if (conf[n - 1].hi.i >= 0)
			settime(cs, col[3 * (n - 1)], n == 1 ? tx : NULL,
			    &conf[n - 1].hi);
		if (conf[n - 1].lo.i >= 0)
			settime(cs, col[3 * (n - 1) + 1], n == 1 ? tx : NULL,
			    &conf[n - 1].lo);
		if (o->trend) {
			tr = pivots_trendname(pivots_trend(p, n));
			cstream_set(cs, col[3 * (n - 1) + 2], tr, strlen(tr));
		}
	}
}

static struct held *
queue_at(struct queue *q, long i)
{
	return &q->row[(q->head + (i - q->base)) % q->cap];
}

/* Hold the current input row (candle index base + len). */
static void
queue_push(struct queue *q, struct cstream *cs, const struct opts *o,
    const struct pivots *p, cktime t)
{
	struct held *h, *nrow;
	long j;
	int n;

	if (q->len == q->cap) {
		nrow = calloc(q->cap ? 2 * q->cap : 64, sizeof(*nrow));
		if (nrow == NULL)
			err(CK_EXIT_FAIL, "held rows");
		for (j = 0; j < q->len; j++)
			nrow[j] = q->row[(q->head + j) % q->cap];
		free(q->row);
		q->row = nrow;
		q->head = 0;
		q->cap = q->cap ? 2 * q->cap : 64;
	}
	h = queue_at(q, q->base + q->len);
	if (rowcopy_take(&h->in, cs) != 0)
		err(CK_EXIT_FAIL, "held rows");
	h->t = t;
	h->flags = 0;
	for (n = 1; n <= o->levels; n++)
		h->trend[n - 1] = pivots_trend(p, n);
	q->len++;
}

/* The value of added column k for a held row, as text in b. */
static size_t
heldval(char *b, const struct held *h, const struct opts *o, int k,
    const int *col)
{
	const char *tr;
	int n;

	for (n = 1; n <= o->levels; n++) {
		if ((k == col[3 * (n - 1)] && (h->flags & PIVOT_H(n))) ||
		    (k == col[3 * (n - 1) + 1] && (h->flags & PIVOT_L(n))))
			return time_format(b, h->t);
		if (k == col[3 * (n - 1) + 2]) {
			tr = pivots_trendname(h->trend[n - 1]);
			memcpy(b, tr, strlen(tr));
			return strlen(tr);
		}
	}
	return 0;
}

/* Write the held rows before candle index upto, as write_row would. */
static void
queue_release(struct queue *q, struct cstream *cs, struct csvout *out,
    const struct opts *o, const int *col, long upto)
{
	struct held *h;
	const char *f;
	size_t len;
	char b[40];
	int i, k;

	while (q->len > 0 && q->base < upto) {
		h = queue_at(q, q->base);
		for (i = 0; i < cs->ncol; i++) {
			for (k = 0; k < cs->nadd; k++)
				if (cs->addcol[k] == i)
					break;
			if (k < cs->nadd)
				csvout_field(out, b, heldval(b, h, o, k, col));
			else {
				f = rowcopy_field(&h->in, i, &len);
				csvout_field(out, f, len);
			}
		}
		for (k = 0; k < cs->nadd; k++)
			if (cs->addcol[k] < 0)
				csvout_field(out, b, heldval(b, h, o, k, col));
		csvout_end(out);
		q->head = (q->head + 1) % q->cap;
		q->len--;
		q->base++;
	}
}

static void
queue_free(struct queue *q)
{
	long j;

	for (j = 0; j < q->cap; j++)
		rowcopy_free(&q->row[j].in);
	free(q->row);
}

/* --annotations: insert a level-N pivot, keeping the list sorted. */
static void
marks_add(struct mark **m, long *len, long *cap, const struct pivot *pv,
    unsigned kind)
{
	long j;

	for (j = 0; j < *len; j++)
		if ((*m)[j].i == pv->i) {
			(*m)[j].kind |= kind;
			return;
		}
	if (*len == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((*m = realloc(*m, *cap * sizeof(**m))) == NULL)
			err(CK_EXIT_FAIL, "annotations");
	}
	for (j = *len; j > 0 && (*m)[j - 1].i > pv->i; j--)
		(*m)[j] = (*m)[j - 1];
	(*m)[j].i = pv->i;
	(*m)[j].t = pv->t;
	(*m)[j].kind = kind;
	(*len)++;
}

/* Write the marks before candle index upto: BUY at L, SELL at H. */
static void
marks_release(struct mark *m, long *len, struct csvout *out, long upto)
{
	char b[40];
	long j, done;

	for (done = 0; done < *len && m[done].i < upto; done++) {
		if (m[done].kind == 3)
			continue;	/* both: no action */
		csvout_field(out, b, time_format(b, m[done].t));
		csvout_str(out, m[done].kind == 1 ? "SELL" : "BUY");
		csvout_end(out);
	}
	for (j = done; j < *len; j++)
		m[j - done] = m[j];
	*len -= done;
}

static int
run(const struct opts *o, const char *path)
{
	struct cstream cs;
	struct csvout *out;
	struct pivots p;
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	struct candle c;
	struct queue q;
	struct texts tx;
	struct mark *m = NULL;
	long mlen = 0, mcap = 0;
	char why[512];
	int col[3 * PIVOTS_MAXLEVEL], r, n, levels;

	memset(&q, 0, sizeof(q));
	levels = o->annot ? o->level : o->levels;
	texts_init(&tx, o->k);
	if (pivots_init(&p, o->k, levels, why, sizeof(why)) != CK_OK)
		errx(CK_EXIT_FAIL, "%s", why);
	if ((out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if ((r = cstream_open(&cs, path, why, sizeof(why))) != CK_OK)
		errx(ck_exit(r), "%s", why);
	cstream_flushto(&cs, out);
	csvin_stopflag(cs.in, &stop);
	if (o->annot) {
		csvout_str(out, "time");
		csvout_str(out, "action");
		csvout_end(out);
	} else {
		if (addcols(&cs, o, col) == -1)
			errx(CK_EXIT_FAIL, "cannot add the output columns");
		cstream_write_header(&cs, out);
	}
	while (!stop && (r = cstream_next(&cs, &c, why, sizeof(why))) == 1) {
		if (pivots_push(&p, &c, conf) > 0 && o->annot) {
			if (conf[levels - 1].hi.i >= 0)
				marks_add(&m, &mlen, &mcap, &conf[levels - 1].hi, 1);
			if (conf[levels - 1].lo.i >= 0)
				marks_add(&m, &mlen, &mcap, &conf[levels - 1].lo, 2);
		}
		if (o->annot)
			marks_release(m, &mlen, out, pivots_pending(&p));
		else if (o->atpivot) {
			queue_push(&q, &cs, o, &p, c.t);
			for (n = 1; n <= levels; n++) {
				if (conf[n - 1].hi.i >= 0)
					queue_at(&q, conf[n - 1].hi.i)->flags |=
					    PIVOT_H(n);
				if (conf[n - 1].lo.i >= 0)
					queue_at(&q, conf[n - 1].lo.i)->flags |=
					    PIVOT_L(n);
			}
			queue_release(&q, &cs, out, o, col, pivots_pending(&p));
		} else {
			texts_keep(&tx, &cs, p.n - 1);
			setrow(&cs, o, col, &p, conf, &tx);
			cstream_write_row(&cs, out);
		}
		checkout(out);
	}
	/* At the end, or before a bad row (the good rows before it are
	 * written, as if the input ended there), what is still pending is
	 * no pivot. */
	if (!stop && o->annot)
		marks_release(m, &mlen, out, LONG_MAX);
	if (!stop && o->atpivot)
		queue_release(&q, &cs, out, o, col, LONG_MAX);
	csvout_flush(out);
	checkout(out);
	if (r < 0 && r != CK_EINTR)
		errx(ck_exit(r), "%s", why);
	csvout_free(out);
	cstream_close(&cs);
	pivots_free(&p);
	queue_free(&q);
	free(tx.s);
	free(tx.ok);
	free(m);
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

	while (!ae.bad && (ch = getopt_long(argc, argv, "k:", longopts,
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
