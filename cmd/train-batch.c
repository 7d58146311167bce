/*
 * train-batch - multi-epoch training of a model checkpoint on candle
 * history, labelled by an annotation file or by the rules of labels.c,
 * then calibrated on the validation split.  See train-batch(1).
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annot.h"
#include "annotjoin.h"
#include "args.h"
#include "candle.h"
#include "ck.h"
#include "ckpt.h"
#include "cstream.h"
#include "dataset.h"
#include "files.h"
#include "labels.h"
#include "model.h"
#include "pivots.h"
#include "refcols.h"
#include "report.h"
#include "stopsig.h"
#include "timeframe.h"
#include "timeparse.h"
#include "trainloop.h"

static volatile sig_atomic_t stop;
static int epipe;		/* the reader of stdout is gone: not an error */

struct progress {
	int	 tty, verbose;
	double	 last;		/* when the bar was last drawn (run seconds) */
	int	 drawn;
};

static void
usage_to(FILE *f, int status)
{
	/* --help: every option with its default, as train-batch(1) */
	static const char *const opthelp[][2] = {
		{ "-m, --model model", "the checkpoint, trained in place "
		    "(required)" },
		{ "--new", "create the checkpoint first (default: it must "
		    "exist)" },
		{ "--force", "with --new: replace an existing file (default: "
		    "refuse)" },
		{ "--window W", "with --new: candles per window (default 32)" },
		{ "--dim D", "with --new: the model width (default 32)" },
		{ "--layers L", "with --new: transformer blocks (default 2)" },
		{ "--heads H", "with --new: attention heads (default 4)" },
		{ "--context TF:N[,TF:N...]", "with --new: the last N candles "
		    "of timeframe TF beside the window, e.g. 1h:24,1d:16 "
		    "(default: none)" },
		{ "--ref PREFIX[:N]", "with --new: the last N candles of the "
		    "reference in columns PREFIX_open... (N default: the "
		    "window), repeatable (default: none)" },
		{ "--ghost N", "with --new: the next N candles the ghost head "
		    "predicts (default 1)" },
		{ "--pivot-head L[,L...]", "with --new: a next-pivot head for "
		    "these pivot levels (default: none)" },
		{ "--pivot-k K", "with --pivot-head: the pivots' strength "
		    "(default 2)" },
		{ "--pivot-weights t,p,d", "the pivot head's loss weights: "
		    "type, price, distance (default 1,1,0.1)" },
		{ "--annotations file", "labels from a time,action file (one "
		    "of --annotations and --labels is required)" },
		{ "--strict", "with --annotations: an annotation without its "
		    "candle or history is an error (default: warn)" },
		{ "--labels pivots|every", "labels by rule: at pivots, or "
		    "at every candle (this or --annotations is required)" },
		{ "-k K", "the pivot strength for --labels (default 2)" },
		{ "--level N", "--labels pivots: the pivot level (default 1)" },
		{ "--no-hold", "--labels pivots: label the pivots only, no "
		    "HOLD (default: HOLD at every other candle)" },
		{ "--threshold X[s]", "--labels every: the move that makes "
		    "BUY or SELL, a fraction of the close, or with s times "
		    "the volatility (default 0.0005)" },
		{ "--class-weights auto|none|h,b,s", "the loss's class "
		    "weights: inverse frequency, 1, or as given (default "
		    "auto)" },
		{ "--epochs N", "passes over the training samples (default "
		    "10)" },
		{ "--batch B", "samples per optimizer step (default 64)" },
		{ "--lr X", "the AdamW learning rate (default 0.001)" },
		{ "--weight-decay X", "AdamW's decoupled weight decay "
		    "(default 0.01)" },
		{ "--clip X", "the gradient-norm clip; 0: none (default 1)" },
		{ "--seed S", "initialization (with --new) and shuffling "
		    "(default 0)" },
		{ "--threads T", "threads a batch is split across; 0: one "
		    "per CPU (default 0)" },
		{ "--val fraction", "the latest samples kept for validation; "
		    "0: none (default 0.2)" },
		{ "--patience P", "stop after P epochs without a better "
		    "validation loss (default: never)" },
		{ "--no-calibrate", "do not fit the temperature after "
		    "training (default: calibrate)" },
		{ "--json file", "write a summary of the run as JSON "
		    "(default: none)" },
		{ "--backup", "copy the checkpoint to MODEL.GEN.bak before "
		    "the first update (default: off)" },
		{ "--slice S", "hold the lock at most S seconds at a time "
		    "(default 1)" },
		{ "--lock-timeout S", "seconds to wait for the lock "
		    "(default 30)" },
		{ "--dump-labels file", "write the labels as time,label to "
		    "file (default: none)" },
		{ "-v, --verbose", "report sample counts and the final generation "
		    "(default: off)" },
		{ "-h, --help", "print this help and exit" },
		{ "--version", "print the version and exit" },
	};
	char b[400];
	size_t i;

	fprintf(f,
	    "usage: train-batch -m model\n"
	    "                   [--new [--force] [--window W] [--dim D] [--layers L]\n"
	    "                   [--heads H] [--context TF:N[,TF:N...]] [--ref PREFIX[:N]]\n"
	    "                   [--ghost N] [--pivot-head L[,L...] [--pivot-k K]]]\n"
	    "                   [--pivot-weights t,p,d]\n"
	    "                   {--annotations file [--strict] |\n"
	    "                   --labels pivots|every [-k K] [--level N] [--no-hold]\n"
	    "                   [--threshold X[s]]} [--class-weights auto|none|h,b,s]\n"
	    "                   [--epochs N] [--batch B] [--lr X] [--weight-decay X]\n"
	    "                   [--clip X] [--seed S] [--threads T] [--val fraction]\n"
	    "                   [--patience P] [--no-calibrate] [--json file] [--backup]\n"
	    "                   [--slice S] [--lock-timeout S] [--dump-labels file] [-v]\n"
	    "                   [candles ...]\n");
	for (i = 0; status == CK_EXIT_OK &&
	    i < sizeof(opthelp) / sizeof(opthelp[0]); i++)
		fprintf(f, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
	exit(status);
}

static void
usage(void)
{
	usage_to(stderr, CK_EXIT_USAGE);
}

/*
 * The reader of stdout is gone (issue 19, 16): a pipe whose read end is
 * closed polls POLLERR.  Then stop as on a signal, after the step, and end
 * quietly with 0 as the other programs do at their next write; the epoch
 * rows come too seldom to wait for a write to fail.
 */
static void
reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };

	if (!epipe && poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		epipe = 1;
	if (epipe && !stop)
		stop = SIGPIPE;
}

/* A bar on a terminal: epoch, percentage, rate, ETA of the whole run. */
static void
on_progress(void *arg, const struct trainprog *p)
{
	struct progress *pg = arg;

	reader_gone();
	if (!pg->tty || (p->elapsed - pg->last < 0.1 && p->done < p->total))
		return;
	pg->last = p->elapsed;
	report_bar(stderr, p);
	pg->drawn = 1;
}

static void
out_flush(void)
{
	if (fflush(stdout) != 0 && errno == EPIPE)
		epipe = 1;
	reader_gone();
}

static void
on_epoch(void *arg, const struct epochstat *e)
{
	struct progress *pg = arg;

	if (pg->drawn) {
		fputs("\r\033[K", stderr);
		pg->drawn = 0;
	}
	report_epoch_row(stdout, e);
	out_flush();
	if (pg->verbose)
		report_confusion(stderr, "", &e->val);
}

static void
write_json(const char *path, const struct report_run *run,
    const struct ckpt_meta *meta, const struct dataset *ds,
    const struct trainresult *r)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	report_json(f, run, meta, ds, r);
	if (fclose(f) != 0)
		err(CK_EXIT_FAIL, "%s", path);
}

static void
dump_labels(const char *path, const struct history *hi, const int *label,
    const float *weight)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		err(CK_EXIT_FAIL, "%s", path);
	report_labels(f, hi, label, weight);
	if (fclose(f) != 0)
		err(CK_EXIT_FAIL, "%s", path);
}

/* The reference candles of each row, (n, nctx) as ctxwin_push takes
 * them; none without references. */
struct refrows {
	int		 nctx;
	const char	*prefix[MODEL_MAXCTX];	/* NULL: not a reference */
	struct candle	*c;
	long		 n, alloc;
};

static void
refrows_init(struct refrows *rr, const struct model_config *cfg)
{
	int k;

	memset(rr, 0, sizeof(*rr));
	for (k = 0; k < cfg->nctx; k++)
		if (cfg->ctx[k].tf == 0) {
			rr->prefix[k] = cfg->ctx[k].prefix;
			rr->nctx = cfg->nctx;
		}
}

/* The row cs has just read. */
static void
refrows_add(struct refrows *rr, const struct refcols *rc,
    const struct cstream *cs, cktime t)
{
	char ebuf[512];
	struct candle *p;
	int r;

	if (rr->nctx == 0)
		return;
	if (rr->n == rr->alloc) {
		rr->alloc = rr->alloc ? 2 * rr->alloc : 4096;
		if ((p = reallocarray(rr->c, rr->alloc, rr->nctx *
		    sizeof(*p))) == NULL)
			err(CK_EXIT_FAIL, NULL);
		rr->c = p;
	}
	if ((r = refcols_read(rc, cs, t, rr->c + rr->n * rr->nctx, ebuf,
	    sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);
	rr->n++;
}

/* Append the candles of a candle stream ("-": stdin), and the reference
 * candles of its rows; time must keep increasing across files. */
static void
read_history(struct history *hi, struct refrows *rr, const char *path)
{
	struct cstream cs;
	struct refcols rc;
	struct candle k;
	char ebuf[512];
	int r;

	if ((r = cstream_open(&cs, path, ebuf, sizeof(ebuf))) != CK_OK)
		errx(ck_exit(r), "%s%s", ebuf, strstr(ebuf,
		    CSTREAM_NOT_STREAM) ? "; put candle-feed in front "
		    "(candle-feed FILE | train-batch ...)" : "");
	if ((r = refcols_init(&rc, &cs, rr->prefix, rr->nctx, ebuf,
	    sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);
	while ((r = cstream_next(&cs, &k, ebuf, sizeof(ebuf))) == 1) {
		if (hi->n > 0 && k.t <= hi->t[hi->n - 1])
			errx(CK_EXIT_DATA, "%s:%ld: time does not follow the "
			    "previous file's last candle", cstream_file(&cs),
			    cstream_line(&cs));
		if (history_push(hi, &k) != 0)
			err(CK_EXIT_FAIL, NULL);
		refrows_add(rr, &rc, &cs, k.t);
	}
	if (r < 0)
		errx(ck_exit(r), "%s", ebuf);
	cstream_close(&cs);
}

enum {
	O_NEW = 256, O_FORCE, O_WINDOW, O_DIM, O_LAYERS, O_HEADS, O_SEED,
	O_ANNOT, O_STRICT, O_LABELS, O_LEVEL, O_THRESHOLD, O_EPOCHS, O_BATCH,
	O_LR, O_WD, O_CLIP, O_THREADS, O_VAL, O_PATIENCE, O_JSON, O_BACKUP,
	O_SLICE, O_LOCKTIMEOUT, O_DUMP, O_NOHOLD, O_CLASSW, O_NOCALIB, O_HELP,
	O_VERSION, O_CONTEXT, O_REF, O_GHOST, O_PIVHEAD, O_PIVK, O_PIVW
};

static const struct option longopts[] = {
	{ "model", required_argument, NULL, 'm' },
	{ "new", no_argument, NULL, O_NEW },
	{ "force", no_argument, NULL, O_FORCE },
	{ "window", required_argument, NULL, O_WINDOW },
	{ "dim", required_argument, NULL, O_DIM },
	{ "layers", required_argument, NULL, O_LAYERS },
	{ "heads", required_argument, NULL, O_HEADS },
	{ "context", required_argument, NULL, O_CONTEXT },
	{ "ref", required_argument, NULL, O_REF },
	{ "ghost", required_argument, NULL, O_GHOST },
	{ "pivot-head", required_argument, NULL, O_PIVHEAD },
	{ "pivot-k", required_argument, NULL, O_PIVK },
	{ "pivot-weights", required_argument, NULL, O_PIVW },
	{ "seed", required_argument, NULL, O_SEED },
	{ "annotations", required_argument, NULL, O_ANNOT },
	{ "strict", no_argument, NULL, O_STRICT },
	{ "labels", required_argument, NULL, O_LABELS },
	{ "level", required_argument, NULL, O_LEVEL },
	{ "threshold", required_argument, NULL, O_THRESHOLD },
	{ "epochs", required_argument, NULL, O_EPOCHS },
	{ "batch", required_argument, NULL, O_BATCH },
	{ "lr", required_argument, NULL, O_LR },
	{ "weight-decay", required_argument, NULL, O_WD },
	{ "clip", required_argument, NULL, O_CLIP },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "val", required_argument, NULL, O_VAL },
	{ "patience", required_argument, NULL, O_PATIENCE },
	{ "json", required_argument, NULL, O_JSON },
	{ "backup", no_argument, NULL, O_BACKUP },
	{ "slice", required_argument, NULL, O_SLICE },
	{ "lock-timeout", required_argument, NULL, O_LOCKTIMEOUT },
	{ "dump-labels", required_argument, NULL, O_DUMP },
	{ "no-hold", no_argument, NULL, O_NOHOLD },
	{ "class-weights", required_argument, NULL, O_CLASSW },
	{ "no-calibrate", no_argument, NULL, O_NOCALIB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, O_HELP },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 }
};

struct args {
	const char *model, *annot, *labels, *json, *dump;
	int	 new, force, strict, k, level, threads, verbose, newopt;
	int	 kset, levelset, thrset, nohold, scaled, nocalib;
	int	 pivkset, pivwset;
	float	 pw[3];		/* --pivot-weights */
	enum classw classw;
	float	 cw[MODEL_NCLASS];
	double	 threshold, val;
	struct model_config cfg;
	struct trainopt to;
	/* --context, then --ref, in the order given; a reference's N 0 until
	 * the window is known */
	int	 ntf, nref;
	struct model_ctx tf[MODEL_MAXCTX], ref[MODEL_MAXCTX];
};

static void
argbad(struct argerr *e, const char *fmt, const char *s)
{
	if (e->bad)
		return;
	e->bad = 1;
	snprintf(e->msg, sizeof(e->msg), fmt, s);
}

/* 1 when the contexts are full: one more is an error */
static int
toomany(const struct args *a, struct argerr *e)
{
	char n[16];

	if (a->ntf + a->nref < MODEL_MAXCTX)
		return 0;
	snprintf(n, sizeof(n), "%d", MODEL_MAXCTX);
	argbad(e, "--context, --ref: at most %s sequences in all", n);
	return 1;
}

/* --context TF:N[,TF:N...] */
static void
contexts(struct args *a, struct argerr *e, const char *s)
{
	char buf[256], *p, *q, *c;
	cktime d;

	if (strlen(s) >= sizeof(buf)) {
		argbad(e, "--context: too long: %.100s", s);
		return;
	}
	memcpy(buf, s, strlen(s) + 1);
	for (p = buf; p != NULL && !e->bad; p = q) {
		if ((q = strchr(p, ',')) != NULL)
			*q++ = '\0';
		if ((c = strchr(p, ':')) == NULL) {
			argbad(e, "--context: not TF:N: %.100s", p);
			return;
		}
		*c++ = '\0';
		if (duration_parse(p, &d) != 0) {
			argbad(e, "--context: not a timeframe (30s, 5m, 1h, "
			    "4h, 1d, 1w, ...): %.100s", p);
			return;
		}
		if (toomany(a, e))
			return;
		a->tf[a->ntf].tf = d;
		a->tf[a->ntf++].N = (int)arg_int(e, "--context", c, 1, 4096);
	}
}

/* --ref PREFIX[:N] */
static void
reference(struct args *a, struct argerr *e, const char *s)
{
	struct model_ctx *r = &a->ref[a->nref];
	const char *c = strchr(s, ':'), *p;
	size_t n = c != NULL ? (size_t)(c - s) : strlen(s);

	for (p = s; p < s + n; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
		    *p != '.')
			break;
	if (n == 0 || n >= sizeof(r->prefix) || p < s + n) {
		argbad(e, "--ref: not a column prefix of 1 to 23 letters, "
		    "digits, _ - . : %.100s", s);
		return;
	}
	if (toomany(a, e))
		return;
	memset(r, 0, sizeof(*r));
	memcpy(r->prefix, s, n);
	r->N = c != NULL ? (int)arg_int(e, "--ref", c + 1, 1, 4096) : 0;
	a->nref++;
}

/* --threshold X (a fraction of the close) or Xs (of the window's scale) */
static void
threshold(struct args *a, struct argerr *e, const char *s)
{
	char buf[64];
	size_t n = strlen(s);

	a->thrset = 1;
	a->scaled = n > 1 && n < sizeof(buf) && s[n - 1] == 's';
	if (!a->scaled) {
		a->threshold = arg_double(e, "--threshold", s, 0, 1);
		return;
	}
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	a->threshold = arg_double(e, "--threshold", buf, 0, 100);
}

/* --class-weights auto | none | h,b,s */
static void
classweights(struct args *a, struct argerr *e, const char *s)
{
	char buf[200], *f[MODEL_NCLASS + 1], *p;
	int n = 0, i;

	if (strcmp(s, "auto") == 0 || strcmp(s, "none") == 0) {
		a->classw = s[0] == 'a' ? CLASSW_AUTO : CLASSW_NONE;
		return;
	}
	a->classw = CLASSW_GIVEN;
	snprintf(buf, sizeof(buf), "%s", s);
	for (p = buf; n <= MODEL_NCLASS; p++) {
		f[n++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p = '\0';
	}
	if (n != MODEL_NCLASS) {
		if (!e->bad) {
			e->bad = 1;
			snprintf(e->msg, sizeof(e->msg), "--class-weights: "
			    "not auto, none or three weights h,b,s: %s", s);
		}
		return;
	}
	for (i = 0; i < MODEL_NCLASS; i++)
		a->cw[i] = (float)arg_double(e, "--class-weights", f[i], 0, 1e6);
}

/* Up to max comma-separated numbers in lo..hi into v; how many, or 0
 * after setting e. */
static int
numlist(struct argerr *e, const char *opt, const char *s, double lo,
    double hi, double *v, int max)
{
	char buf[200], *p, *q;
	int n = 0;

	if (strlen(s) >= sizeof(buf)) {
		e->bad = 1;
		snprintf(e->msg, sizeof(e->msg), "%s: too long", opt);
		return 0;
	}
	memcpy(buf, s, strlen(s) + 1);
	for (p = buf; p != NULL && !e->bad; p = q) {
		if ((q = strchr(p, ',')) != NULL)
			*q++ = '\0';
		if (n == max) {
			e->bad = 1;
			snprintf(e->msg, sizeof(e->msg), "%s: more than %d "
			    "values: %s", opt, max, s);
			return 0;
		}
		v[n++] = arg_double(e, opt, p, lo, hi);
	}
	return e->bad ? 0 : n;
}

/* --pivot-head L[,L...]: increasing levels */
static void
pivothead(struct args *a, struct argerr *e, const char *s)
{
	double v[MODEL_MAXPIV];
	int n, i;

	n = numlist(e, "--pivot-head", s, 1, PIVOTS_MAXLEVEL, v, MODEL_MAXPIV);
	for (i = 0; i < n; i++) {
		a->cfg.piv_level[i] = (int)v[i];
		if (v[i] != (int)v[i] || (i > 0 && v[i] <= v[i - 1])) {
			e->bad = 1;
			snprintf(e->msg, sizeof(e->msg), "--pivot-head: not "
			    "increasing whole levels 1..%d: %s",
			    PIVOTS_MAXLEVEL, s);
			return;
		}
	}
	a->cfg.npiv = n;
	a->cfg.piv_feat = 1;	/* its input: the pivot features (model.h) */
	if (a->cfg.piv_k == 0)
		a->cfg.piv_k = PIVOTS_K;
}

/* --pivot-weights t,p,d */
static void
pivotweights(struct args *a, struct argerr *e, const char *s)
{
	double v[3];
	int i;

	if (numlist(e, "--pivot-weights", s, 0, 1e6, v, 3) != 3) {
		if (!e->bad) {
			e->bad = 1;
			snprintf(e->msg, sizeof(e->msg), "--pivot-weights: "
			    "not three weights t,p,d: %s", s);
		}
		return;
	}
	for (i = 0; i < 3; i++)
		a->pw[i] = (float)v[i];
	a->pivwset = 1;
}

static void
parse(struct args *a, int argc, char **argv)
{
	static const char *const labword[] = { "pivots", "every", NULL };
	struct argerr e = { 0 };
	int ch, i;

	memset(a, 0, sizeof(*a));
	model_config_default(&a->cfg);
	trainopt_default(&a->to);
	a->k = PIVOTS_K;
	a->level = 1;
	a->threshold = LABELS_THRESHOLD;
	a->val = 0.2;
	while (!e.bad && (ch = getopt_long(argc, argv, "hm:k:v", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':	a->model = optarg; break;
		case 'k':
			a->k = arg_int(&e, "-k", optarg, 1, PIVOTS_MAXK);
			a->kset = 1;
			break;
		case 'v':	a->verbose = 1; break;
		case O_NEW:	a->new = 1; break;
		case O_FORCE:	a->force = 1; break;
		case O_WINDOW:
			a->cfg.W = arg_int(&e, "--window", optarg, 1, 4096);
			a->newopt = 1;
			break;
		case O_DIM:
			a->cfg.d = arg_int(&e, "--dim", optarg, 1, 4096);
			a->newopt = 1;
			break;
		case O_LAYERS:
			a->cfg.L = arg_int(&e, "--layers", optarg,
			    1, MODEL_MAXL);
			a->newopt = 1;
			break;
		case O_HEADS:
			a->cfg.h = arg_int(&e, "--heads", optarg, 1, 4096);
			a->newopt = 1;
			break;
		case O_CONTEXT:
			contexts(a, &e, optarg);
			a->newopt = 1;
			break;
		case O_REF:
			reference(a, &e, optarg);
			a->newopt = 1;
			break;
		case O_GHOST:
			a->cfg.ghost = arg_int(&e, "--ghost", optarg, 1,
			    MODEL_MAXGHOST);
			a->newopt = 1;
			break;
		case O_PIVHEAD:
			pivothead(a, &e, optarg);
			a->newopt = 1;
			break;
		case O_PIVK:
			a->cfg.piv_k = arg_int(&e, "--pivot-k", optarg, 1, 64);
			a->pivkset = 1;
			a->newopt = 1;
			break;
		case O_PIVW:
			pivotweights(a, &e, optarg);
			break;
		case O_SEED:
			a->to.seed = arg_int(&e, "--seed", optarg,
			    0, LLONG_MAX);
			break;
		case O_ANNOT:	a->annot = optarg; break;
		case O_STRICT:	a->strict = 1; break;
		case O_LABELS:
			if (arg_word(&e, "--labels", optarg, labword) >= 0)
				a->labels = optarg;
			break;
		case O_LEVEL:
			a->level = arg_int(&e, "--level", optarg,
			    1, PIVOTS_MAXLEVEL);
			a->levelset = 1;
			break;
		case O_THRESHOLD:
			threshold(a, &e, optarg);
			break;
		case O_NOHOLD:	a->nohold = 1; break;
		case O_CLASSW:	classweights(a, &e, optarg); break;
		case O_NOCALIB:	a->nocalib = 1; break;
		case O_EPOCHS:
			a->to.epochs = arg_int(&e, "--epochs", optarg,
			    1, 1000000);
			break;
		case O_BATCH:
			a->to.batch = arg_int(&e, "--batch", optarg, 1, 65536);
			break;
		case O_LR:
			a->to.opt.lr = arg_double(&e, "--lr", optarg, 0, 10);
			break;
		case O_WD:
			a->to.opt.weight_decay = arg_double(&e,
			    "--weight-decay", optarg, 0, 10);
			break;
		case O_CLIP:
			a->to.opt.clip = arg_double(&e, "--clip", optarg,
			    0, 1e9);
			break;
		case O_THREADS:
			a->threads = arg_int(&e, "--threads", optarg, 0, 1024);
			break;
		case O_VAL:
			a->val = arg_double(&e, "--val", optarg, 0, 0.99);
			break;
		case O_PATIENCE:
			a->to.patience = arg_int(&e, "--patience", optarg, 1,
			    1000000);
			break;
		case O_JSON:	a->json = optarg; break;
		case O_BACKUP:	a->to.backup = 1; break;
		case O_SLICE:
			a->to.slice = arg_seconds(&e, "--slice", optarg, 1e9);
			break;
		case O_LOCKTIMEOUT:
			a->to.lock.timeout = arg_seconds(&e, "--lock-timeout",
			    optarg, 1e9);
			break;
		case O_DUMP:	a->dump = optarg; break;
		case O_VERSION:
			printf("train-batch %s\n", VERSION);
			exit(CK_EXIT_OK);
		case 'h':
		case O_HELP:
			usage_to(stdout, CK_EXIT_OK);
			break;
		default:
			usage();
		}
	}
	if (e.bad) {
		warnx("%s", e.msg);
		usage();
	}
	if (a->model == NULL) {
		warnx("-m model is required");
		usage();
	}
	if ((a->annot != NULL) == (a->labels != NULL)) {
		warnx("give one of --annotations and --labels");
		usage();
	}
	if ((a->force || a->newopt) && !a->new) {
		warnx("--force, --window, --dim, --layers, --heads, --context, "
		    "--ref, --ghost, --pivot-head, --pivot-k need --new");
		usage();
	}
	if (a->pivkset && a->cfg.npiv == 0) {
		warnx("--pivot-k needs --pivot-head");
		usage();
	}
	for (i = 0; i < a->ntf; i++)
		a->cfg.ctx[a->cfg.nctx++] = a->tf[i];
	for (i = 0; i < a->nref; i++) {
		a->cfg.ctx[a->cfg.nctx] = a->ref[i];
		if (a->ref[i].N == 0)
			a->cfg.ctx[a->cfg.nctx].N = a->cfg.W;
		a->cfg.nctx++;
	}
	if (a->strict && a->annot == NULL) {
		warnx("--strict needs --annotations");
		usage();
	}
	if (a->labels == NULL ? a->kset || a->levelset || a->thrset ||
	    a->nohold : strcmp(a->labels, "pivots") == 0 ? a->thrset :
	    a->levelset || a->nohold) {
		warnx("-k, --level, --no-hold, --threshold do not go with these "
		    "labels");
		usage();
	}
	if (a->to.patience > 0 && a->val <= 0) {
		warnx("--patience needs a validation set (--val)");
		usage();
	}
}

/* The per-candle labels, from the annotation file or the rules. */
static void
make_labels(const struct args *a, const struct history *hi, int W, int *label,
    long *known)
{
	struct annot_count cnt;
	struct annot *an;
	char ebuf[512];
	long na;
	int r;

	if (a->annot != NULL) {
		if ((r = annot_read(a->annot, &an, &na, ebuf, sizeof(ebuf))) != 0)
			errx(ck_exit(r), "%s", ebuf);
		r = labels_from_annot(label, known, hi, an, na, W, a->annot,
		    &cnt, ebuf, sizeof(ebuf));
		free(an);
		if (r != 0)
			errx(ck_exit(r), "%s", ebuf);
		if (a->strict && cnt.nocandle > 0)
			errx(CK_EXIT_DATA, "%s:%ld: no candle at that time "
			    "(%ld such annotations)", a->annot,
			    cnt.line_nocandle, cnt.nocandle);
		if (a->strict && cnt.nohistory > 0)
			errx(CK_EXIT_DATA, "%s:%ld: fewer than %d candles "
			    "before it (%ld such annotations)", a->annot,
			    cnt.line_nohistory, W, cnt.nohistory);
		if (cnt.nocandle > 0)
			warnx("%s:%ld: %ld of %ld annotations have no candle at "
			    "their time (this is the first); not used", a->annot,
			    cnt.line_nocandle, cnt.nocandle, na);
		if (cnt.nohistory > 0)
			warnx("%s:%ld: %ld of %ld annotations have fewer than %d "
			    "candles before them (this is the first); not used",
			    a->annot, cnt.line_nohistory, cnt.nohistory, na, W);
		return;
	}
	if (strcmp(a->labels, "pivots") == 0)
		r = labels_pivots_final(label, known, hi->h, hi->l, hi->n, a->k,
		    a->level, !a->nohold, ebuf, sizeof(ebuf));
	else
		r = labels_every_final(label, known, hi->h, hi->l, hi->c, hi->n,
		    a->k, a->threshold, a->scaled ? W : 0, ebuf, sizeof(ebuf));
	if (r != 0)
		errx(ck_exit(r), "%s", ebuf);
}

/* Make (--new: written by main once there are samples) or load the
 * checkpoint; activations for the batch. */
static void
open_model(struct args *a, struct model *m, struct ckpt_meta *meta)
{
	char ebuf[512];
	int r;

	memset(meta, 0, sizeof(*meta));
	if (a->new) {
		if (model_config_check(&a->cfg, ebuf, sizeof(ebuf)) != 0) {
			warnx("%s", ebuf);
			usage();
		}
		if (model_init(m, &a->cfg, ebuf, sizeof(ebuf)) != 0)
			errx(CK_EXIT_FAIL, "%s", ebuf);
		model_init_weights(m, a->to.seed);
		meta->trained_until = CKTIME_NONE;
		/* with SOURCE_DATE_EPOCH, the same bytes for the same seed */
		meta->model_id = ckpt_id_for(a->to.seed);
		/* refused before any work (ckpt_create refuses it too) */
		if (!a->force && access(a->model, F_OK) == 0)
			errx(CK_EXIT_FAIL, "%s: file exists; not replaced "
			    "(add --force to replace it)", a->model);
	} else if ((r = ckpt_load(a->model, m, meta, ebuf, sizeof(ebuf))) != 0) {
		if (access(a->model, F_OK) != 0 && errno == ENOENT)
			errx(ck_exit(r), "%s; add --new to create it", ebuf);
		errx(ck_exit(r), "%s", ebuf);
	}
	if (a->pivwset && m->cfg.npiv == 0)
		errx(CK_EXIT_USAGE, "%s: --pivot-weights: the model has no "
		    "pivot head", a->model);
	if (model_reserve(m, a->to.batch, a->threads, ebuf, sizeof(ebuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", ebuf);
}

/* The data's timeframe and time range, for the checkpoint. */
static void
data_span(struct trainopt *to, const struct history *hi)
{
	to->timeframe = timeframe_median(hi->t, hi->n);
	to->data_from = hi->n ? hi->t[0] : 0;
	to->data_to = hi->n ? hi->t[hi->n - 1] : 0;
}

/* Fit and commit the temperature; say what it did. */
static void
calibrate(struct args *a, struct model *m, struct ckpt_meta *meta,
    const struct dataset *ds, struct calibresult *cr)
{
	char ebuf[512];
	int r;

	if ((r = trainloop_calibrate(m, ds, cr, ebuf, sizeof(ebuf))) != 0 ||
	    (r = trainloop_commit_calibration(a->model, m, meta, &a->to.lock,
	    cr, ebuf, sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);
	fputs("train-batch: ", stderr);
	report_calibration(stderr, cr);
	fputs(cr->skipped ? "; not committed: another process committed "
	    "since\n" : "\n", stderr);
	if (a->verbose) {
		warnx("validation, calibrated:");
		report_confusion(stderr, "    ", &cr->after);
	}
}

int
main(int argc, char **argv)
{
	struct args a;
	struct history hi;
	struct refrows rr;
	struct dataset ds;
	struct model m;
	struct ckpt_meta meta;
	struct trainresult res;
	struct calibresult cal;
	struct report_run run;
	struct progress pg;
	char ebuf[512];
	static int *label;	/* static: still reachable at an errx() */
	static long *known;
	long nshort;
	int r, i;

	parse(&a, argc, argv);
	argc -= optind;
	argv += optind;

	/* the model first: it says which reference columns to read */
	memset(&m, 0, sizeof(m));
	open_model(&a, &m, &meta);
	refrows_init(&rr, &m.cfg);
	history_init(&hi, 0);
	for (i = 0; i < argc || (i == 0 && argc == 0); i++)
		read_history(&hi, &rr, argc ? argv[i] : "-");

	label = malloc((hi.n ? hi.n : 1) * sizeof(*label));
	known = malloc((hi.n ? hi.n : 1) * sizeof(*known));
	if (label == NULL || known == NULL)
		err(CK_EXIT_FAIL, NULL);
	make_labels(&a, &hi, m.cfg.W, label, known);
	if ((r = dataset_build(&ds, &hi, rr.c, label, known, &m.cfg, &nshort,
	    ebuf, sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);
	free(rr.c);
	rr.c = NULL;
	if ((r = dataset_heads(&ds, &hi, &m.cfg, ebuf, sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);
	if (a.pivwset)
		ds.pw = a.pw;
	dataset_split(&ds, a.val);
	dataset_weights(&ds, a.classw, a.cw);
	if (a.dump != NULL)
		dump_labels(a.dump, &hi, label, ds.weight);
	free(label);
	free(known);
	if (a.verbose)
		warnx("%ld candles, %ld samples (%ld train: %ld HOLD, %ld BUY, "
		    "%ld SELL, class weights %.4g %.4g %.4g; %ld validation), "
		    "%ld labels without %d candles of history%s", hi.n, ds.n,
		    ds.ntrain, ds.count[ACTION_HOLD], ds.count[ACTION_BUY],
		    ds.count[ACTION_SELL], ds.weight[ACTION_HOLD],
		    ds.weight[ACTION_BUY], ds.weight[ACTION_SELL], ds.n - ds.ntrain,
		    nshort, m.cfg.W, m.cfg.nctx ? " or their contexts' warm-up" :
		    "");
	if (ds.ntrain == 0)
		errx(CK_EXIT_DATA, "no training samples: %ld candles, %ld "
		    "labelled with %d candles of history%s", hi.n, ds.n, m.cfg.W,
		    m.cfg.nctx ? " and their contexts' warm-up" : "");
	data_span(&a.to, &hi);

	/* --new: the file only once there is something to train on */
	if (a.new && (r = ckpt_create(a.model, &m, &meta, a.force, ebuf,
	    sizeof(ebuf))) != 0)
		errx(ck_exit(r), "%s", ebuf);

	if (stopsig_catch(&stop, 1) != 0)	/* the loop checks the flag */
		err(CK_EXIT_FAIL, "signals");
	ckpt_stop_flag(&stop);		/* and so does a wait for the lock */
	memset(&pg, 0, sizeof(pg));
	pg.tty = isatty(STDERR_FILENO);
	pg.verbose = a.verbose;
	a.to.stop = &stop;
	a.to.on_epoch = on_epoch;
	a.to.on_progress = on_progress;
	a.to.arg = &pg;

	report_epoch_header(stdout);
	out_flush();
	r = trainloop_run(a.model, &m, &meta, &ds, &a.to, &res, ebuf,
	    sizeof(ebuf));
	if (pg.drawn)
		fputc('\n', stderr);
	if (r != 0)
		errx(ck_exit(r), "%s", ebuf);
	if (res.refused > 0)
		warnx("%s: %ld of %ld steps not applied: loss, gradient or "
		    "update not finite (the weights were left as they were)",
		    a.model, res.refused, res.refused + res.steps);
	if (res.best_skipped)
		warnx("%s: not restoring epoch %d's weights: another process "
		    "committed since; keeping the current ones", a.model,
		    res.best_epoch);
	memset(&run, 0, sizeof(run));
	run.model = a.model;
	run.labels = a.annot != NULL ? "annotations" : a.labels;
	run.hold = a.annot == NULL && strcmp(a.labels, "pivots") == 0 &&
	    !a.nohold;
	if (!a.nocalib && res.stop != TRAIN_SIGNAL && res.epochs > 0) {
		if (ds.n - ds.ntrain > 0) {
			calibrate(&a, &m, &meta, &ds, &cal);
			run.cal = &cal;
		} else if (a.val > 0)
			warnx("no validation samples: not calibrated "
			    "(temperature kept at %.4g)", m.temperature > 0 ?
			    m.temperature : 1.0);
	}
	if (a.verbose) {
		warnx("%s: generation %llu, %ld steps in %ld slices, %.1f s%s",
		    a.model, (unsigned long long)meta.generation, res.steps,
		    res.slices, res.seconds, res.best_restored ?
		    ", best epoch's weights restored" : "");
		if (res.backup[0] != '\0')
			warnx("backup: %s", res.backup);
	}
	if (a.json != NULL)
		write_json(a.json, &run, &meta, &ds, &res);
	dataset_free(&ds);
	history_free(&hi);
	model_free(&m);
	out_flush();
	if (ferror(stdout) && !epipe)
		err(CK_EXIT_FAIL, "stdout");
	if (res.stop == TRAIN_SIGNAL && epipe)
		return CK_EXIT_OK;	/* the reader went away: a quiet end */
	if (res.stop == TRAIN_SIGNAL)
		return 128 + stop;
	return res.refused > 0 ? CK_EXIT_DATA : CK_EXIT_OK;
}
