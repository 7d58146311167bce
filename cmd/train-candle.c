/*
 * train-candle - predict on every candle like infer(1), and train the
 * shared checkpoint online: at pivots, at every candle, or once by hand.
 * See train-candle(1).
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

#include "accum.h"
#include "args.h"
#include "ck.h"
#include "ckpt.h"
#include "cktime.h"
#include "cstream.h"
#include "csvio.h"
#include "history.h"
#include "labels.h"
#include "live.h"
#include "model.h"
#include "pivcols.h"
#include "tgtwait.h"
#include "pending.h"
#include "refcols.h"
#include "stopsig.h"
#include "timeparse.h"

#define BATCH	64	/* --on none: windows predicted at once */

static volatile sig_atomic_t stop;

struct counts {
	long	samples, bylabel[MODEL_NCLASS], skipped, nowindow;
};

static void
usage(int help)
{
	/* --help: every option with its default, as train-candle(1) */
	static const char *const opthelp[][2] = {
		{ "-m, --model model", "the checkpoint, trained in place "
		    "(required)" },
		{ "--on pivots|every|none", "train at each confirmed pivot, "
		    "at every decided candle, or never (one of --on and "
		    "--label is required)" },
		{ "--label BUY|SELL|HOLD", "train once on the window ending "
		    "at --at with this label, in any case (this or --on is "
		    "required)" },
		{ "--at time", "with --label: the candle (default: the last "
		    "candle)" },
		{ "--level n", "the pivot level for --on pivots, 1 to 5 "
		    "(default 1)" },
		{ "-k k", "the pivot strength, as pivots -k upstream "
		    "(default 2)" },
		{ "--no-hold", "--on pivots: train at the pivots only, no "
		    "HOLD (default: HOLD at every other candle)" },
		{ "--threshold x", "--on every: the move that makes BUY or "
		    "SELL (default 0.0005)" },
		{ "--history n", "candles kept for windows and --at "
		    "(default 4096)" },
		{ "--lr rate", "the AdamW learning rate (default 1e-4)" },
		{ "--accumulate k", "one update per k samples (default 1)" },
		{ "--commit-every n", "while rows are waiting, at most n "
		    "updates under one hold of the lock (default 64)" },
		{ "--commit-ms ms", "and at most ms milliseconds of it "
		    "(default 100)" },
		{ "--lock-timeout s", "seconds to wait for the checkpoint's "
		    "lock (default 30)" },
		{ "--min-confidence p", "HOLD when the most probable class "
		    "is below p (default 0)" },
		{ "--prefix name", "put name before the output column names "
		    "(default: none)" },
		{ "--dump-labels file", "also write each training label as "
		    "time,label to file (default: none)" },
		{ "--max-pending n", "with a next-pivot head: drop a sample "
		    "still waiting for its pivots n candles later (default "
		    "1024)" },
		{ "--dump-pivots file", "with a next-pivot head: write each "
		    "pivot target as it is trained on (default: none)" },
		{ "--info", "print the checkpoint's header and exit" },
		{ "-h, --help", "print this help and exit" },
		{ "--version", "print the version and exit" },
	};
	FILE *f = help ? stdout : stderr;
	char b[400];
	size_t i;

	fprintf(f,
	    "usage: train-candle -m model --on pivots | every | none [--level n] "
	    "[-k k]\n"
	    "           [--no-hold] [--threshold x] [--history n] [--lr rate] "
	    "[--accumulate k]\n"
	    "           [--commit-every n] [--commit-ms ms] [--lock-timeout s]\n"
	    "           [--min-confidence p] [--prefix name]\n"
	    "           [--dump-labels file] [--max-pending n] "
	    "[--dump-pivots file] [file]\n"
	    "       train-candle -m model --label BUY | SELL | HOLD [--at time] "
	    "[--history n]\n"
	    "           [--lr rate] [--lock-timeout s] [file]\n"
	    "       train-candle --info -m model\n");
	for (i = 0; help && i < sizeof(opthelp) / sizeof(opthelp[0]); i++)
		fprintf(f, "%s%s", i == 0 ? "\noptions:\n" : "",
		    arg_helpline(b, sizeof(b), opthelp[i][0], opthelp[i][1]));
	exit(help ? CK_EXIT_OK : CK_EXIT_USAGE);
}

/*
 * The loop's state: a row is read, then its samples are kept one by one;
 * when K are kept a step is due, applied (with the steps that waiting
 * input makes due after it: a group under one lock hold), and the rest of
 * the row's samples follow; then the row is predicted and written.
 */
struct trainer {
	struct pivcols		*pv;
	struct accum		*acc;
	const struct ckpt_lockopt *lk;
	const struct accum_group *grp;
	struct counts		*n;
	FILE			*dump;	/* --dump-labels, or NULL */
	struct tgtwait		*pw;	/* a next-pivot head's, or NULL */
	FILE			*pdump;	/* --dump-pivots, or NULL */
	struct cstream		*cs;
	struct history		*hi;
	struct ctxwin		*cw;	/* the contexts of the candles */
	const struct refcols	*rcols;
	struct pending		*p;
	struct live		*lv;
	struct csvout		*out;
	int			 batch;	/* rows held at most */
	int			 on;	/* enum on */
	/* the row being trained on */
	struct sample		 s[PIVCOLS_MAXSAMPLES];
	int			 ns, j;	/* its samples, the next one */
	int			 r;	/* its slot in the row queue */
	int			 inrow;
	int			 rc;	/* an error met inside a group */
	char			*err;
	size_t			 errlen;
};

/* a group ends before its rows could fill csvout's buffer: no row of it
 * reaches the reader before the group's checkpoint is written */
#define GROUP_OUTMAX	(16 * 1024)

static void
report(const struct pending *p, const struct live *lv, const struct accum *a,
    const struct counts *n, const struct tgtwait *pw)
{
	fprintf(stderr, "train-candle: rows=%ld predictions=%ld samples=%ld "
	    "buy=%ld sell=%ld hold=%ld steps=%ld skipped=%ld no_window=%ld "
	    "unapplied=%d refused=%ld reloads=%ld load_failures=%ld\n",
	    p->rows, p->preds, n->samples, n->bylabel[ACTION_BUY],
	    n->bylabel[ACTION_SELL], n->bylabel[ACTION_HOLD], a->steps,
	    n->skipped, n->nowindow, a->n, a->refused, lv->reloads,
	    lv->loadfail);
	if (pw != NULL)
		fprintf(stderr, "train-candle: pivot targets: trained=%ld "
		    "waiting=%ld dropped=%ld\n", pw->ready, pw->qn, pw->dropped);
}

/* --dump-pivots: a sample's pivot targets as it is kept for a step. */
static void
dump_pivots(FILE *f, const struct history *hi, const struct model_config *cfg,
    long i, const struct nextpiv_target *tg)
{
	char tr[48], tc[48], tp[48];
	int j;

	time_format(tr, history_time(hi, hi->n - 1));
	time_format(tc, history_time(hi, i));
	for (j = 0; j < cfg->npiv; j++) {
		if (history_time(hi, tg[j].pivot) == CKTIME_NONE)
			snprintf(tp, sizeof(tp), "#%ld", tg[j].pivot);
		else
			time_format(tp, history_time(hi, tg[j].pivot));
		fprintf(f, "%s,%s,%d,%s,%.17g,%s\n", tr, tc, cfg->piv_level[j],
		    tg[j].type > 0 ? "H" : "L", tg[j].price, tp);
	}
}

/* The held samples whose pivots are all confirmed now, kept for steps: 1
 * when a step is due, else 0. */
static int
ready_samples(struct trainer *t)
{
	struct nextpiv_target tg[MODEL_MAXPIV];
	struct waiting w;
	int rc;

	while (tgtwait_next(t->pw, &w, tg) == 1) {
		if ((rc = accum_add_piv(t->acc, t->hi, t->cw, w.i, w.label, tg,
		    (1u << t->pw->P) - 1)) < 0) {
			t->n->nowindow++;
			continue;
		}
		if (t->pdump != NULL)
			dump_pivots(t->pdump, t->hi, &t->lv->m.cfg, w.i, tg);
		t->n->samples++;
		t->n->bylabel[w.label]++;
		if (rc == 1)
			return 1;
	}
	return 0;
}

/* Keep the current row's samples from the next one on: 1 when a step is
 * due (K samples kept), 0 when the row has none left.  The row's label
 * columns show the last of them. */
static int
row_samples(struct trainer *t)
{
	struct counts *n = t->n;
	struct sample *sp;
	long i;
	int rc;

	while (t->j < t->ns) {
		sp = &t->s[t->j++];
		predcols_label(&t->p->pc, &t->p->q, t->r, sp->label, sp->t);
		if (t->dump != NULL) {
			char tb[48];

			time_format(tb, sp->t);
			fprintf(t->dump, "%s,%s\n", tb, action_name(sp->label));
		}
		if ((i = history_find(t->hi, sp->t)) >= 0 && t->pw != NULL) {
			/* its pivot targets first */
			tgtwait_hold(t->pw, i, sp->label);
			continue;
		}
		if (i < 0 ||
		    (rc = accum_add(t->acc, t->hi, t->cw, i, sp->label)) < 0) {
			n->nowindow++;
			continue;
		}
		n->samples++;
		n->bylabel[sp->label]++;
		if (rc == 1)
			return 1;
	}
	return t->pw != NULL ? ready_samples(t) : 0;
}

/*
 * Run the loop until a step is due (1), the input ends or a signal stops
 * it (0), or an error (< 0, with err).  A row's samples are trained on
 * (past candles only) before the row is predicted; a held row is written
 * before any read that may block.  block 0: read only rows already
 * waiting, and return 0 when none is (or the group's rows would reach
 * the reader).
 */
static int
advance(struct trainer *t, int block)
{
	struct candle c, ref[MODEL_MAXCTX];
	int rc;

	for (;;) {
		if (t->inrow) {
			if (row_samples(t) == 1)
				return 1;
			t->inrow = 0;
			if (t->p->q.n == t->batch || !cstream_ready(t->cs))
				pending_flush(t->p, t->lv, t->out);
		}
		if (stop || csvout_error(t->out))
			return 0;
		if (!block && (!cstream_ready(t->cs) ||
		    csvout_pending(t->out) > GROUP_OUTMAX))
			return 0;
		if ((rc = cstream_next(t->cs, &c, t->err, t->errlen)) <= 0)
			return stop ? 0 : rc;
		if ((rc = refcols_read(t->rcols, t->cs, c.t, ref, t->err,
		    t->errlen)) != 0)
			return rc;
		if (history_push(t->hi, &c) != 0 ||
		    ctxwin_push(t->cw, &c, ref) != 0 ||
		    (t->r = pending_take(t->p, t->cs, t->hi, t->cw,
		    t->hi->n - 1)) < 0)
			err(CK_EXIT_FAIL, "rows");
		if (t->pw != NULL)
			tgtwait_push(t->pw, &c);
		t->ns = t->j = 0;
		if (t->on != ON_NONE && (t->ns = pivcols_row(t->pv, t->cs, &c,
		    t->s, t->err, t->errlen)) < 0)
			return t->ns;
		t->inrow = 1;
	}
}

/* accum_morefn: the step's loss on its row; then, if the group goes on,
 * the next step due on waiting input.  An error ends the group (its steps
 * are committed) and is returned after it. */
static int
more(void *arg, int go_on)
{
	struct trainer *t = arg;
	int rc;

	predcols_loss(&t->p->pc, &t->p->q, t->r, t->acc->loss);
	if (!go_on)
		return 0;
	if ((rc = advance(t, 0)) < 0) {
		t->rc = rc;
		return 0;
	}
	return rc;
}

/* Apply the due step, and the group that follows it; 0 or < 0. */
static int
apply(struct trainer *t)
{
	long refused = t->acc->refused;
	int kept = t->acc->n, rc;

	t->rc = 0;
	/* the rows so far come from saved steps: out with them, so that the
	 * group's own stay in the buffer until its checkpoint is written */
	(void)csvout_flush(t->out);
	rc = accum_apply_group(t->acc, t->lv, t->lk, t->grp, more, t, t->err,
	    t->errlen);
	if (refused == 0 && t->acc->refused > 0)	/* the rest: refused= */
		warnx("%s: step not applied: loss, gradient or update not "
		    "finite; dropping its samples", t->lv->path);
	if (rc == CK_ETIMEOUT) {
		warnx("%s; skipping %d sample%s", t->err, kept,
		    kept == 1 ? "" : "s");
		t->n->skipped += kept;
		return 0;
	}
	return rc != 0 ? rc : t->rc;
}

/* --label: read the whole stream, then train once on the window ending at
 * `at` (or the last candle). */
static int
label_once(struct live *lv, struct cstream *cs, int history, int label,
    cktime at, const struct adamw *opt, const struct ckpt_lockopt *lk)
{
	struct history hi;
	struct ctxwin cw;
	struct refcols rcols;
	struct accum a;
	struct candle c, ref[MODEL_MAXCTX];
	char errbuf[512], tb[48], lb[40], la[40];
	double s;
	long i;
	int rc;

	history_init(&hi, history);
	if (ctxwin_init(&cw, &lv->m.cfg, history, errbuf, sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	if ((rc = refcols_init(&rcols, cs, cw.prefix, cw.nctx, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	csvin_stopflag(cs->in, &stop);
	while ((rc = cstream_next(cs, &c, errbuf, sizeof(errbuf))) == 1 &&
	    !stop) {
		if ((rc = refcols_read(&rcols, cs, c.t, ref, errbuf,
		    sizeof(errbuf))) != 0)
			break;
		if (history_push(&hi, &c) != 0 || ctxwin_push(&cw, &c, ref) != 0)
			err(CK_EXIT_FAIL, "history");
	}
	if (stop) {
		history_free(&hi);
		ctxwin_free(&cw);
		return 128 + stop;
	}
	if (rc < 0)
		errx(ck_exit(rc), "%s", errbuf);
	if (hi.n == 0)
		errx(CK_EXIT_DATA, "%s: no candles", cstream_file(cs));
	if (at == CKTIME_NONE)
		i = hi.n - 1;
	else if ((i = history_find(&hi, at)) < 0) {
		/* name the nearest earlier candle, the likely intent */
		time_format(tb, at);
		for (i = hi.n - 1; i >= hi.first && history_time(&hi, i) > at;
		    i--)
			;
		if (i < hi.first)
			errx(CK_EXIT_DATA, "%s: no candle at %s in the last %ld "
			    "candles read (all are later)", cstream_file(cs),
			    tb, hi.n - hi.first);
		time_format(la, history_time(&hi, i));
		errx(CK_EXIT_DATA, "%s: no candle at %s in the last %ld "
		    "candles read; the nearest earlier one is at %s: give that "
		    "time", cstream_file(cs), tb, hi.n - hi.first, la);
	}
	if (accum_init(&a, 1, &lv->m.cfg, opt, errbuf, sizeof(errbuf)) != 0 ||
	    accum_heads(&a, &lv->m.cfg, errbuf, sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	a.after = 1;	/* printed below */
	if (accum_add(&a, &hi, &cw, i, label) < 0) {
		time_format(tb, history_time(&hi, i));
		if (window_features(&hi, i, lv->m.cfg.W, a.x, &s) == 0)
			errx(CK_EXIT_DATA, "%s: %s: the model's contexts need "
			    "more history before it (their warm-up)",
			    cstream_file(cs), tb);
		errx(CK_EXIT_DATA, "%s: %s: a window needs %d candles up to "
		    "it, have %ld", cstream_file(cs), tb, lv->m.cfg.W + 1,
		    i - hi.first + 1);
	}
	if ((rc = accum_apply(&a, lv, lk, errbuf, sizeof(errbuf))) == CK_EINTR &&
	    stop) {
		/* stopped while waiting for the lock */
		accum_free(&a);
		history_free(&hi);
		return 128 + stop;
	}
	if (rc != 0)
		errx(ck_exit(rc), "%s", errbuf);
	if (a.refused > 0)
		errx(CK_EXIT_DATA, "%s: step not applied: loss, gradient or "
		    "update not finite; the model is left as it was", lv->path);
	time_format(tb, history_time(&hi, i));
	fmt_float(lb, a.loss);
	fmt_float(la, a.loss_after);
	printf("%s,%s,%s,%s,%llu\n", tb, action_name(label), lb, la,
	    (unsigned long long)lv->meta.generation);
	accum_free(&a);
	history_free(&hi);
	ctxwin_free(&cw);
	if (fflush(stdout) != 0 || ferror(stdout))
		err(CK_EXIT_FAIL, "stdout");
	return CK_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option lopt[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "on", required_argument, NULL, 'o' },
		{ "level", required_argument, NULL, 'L' },
		{ "threshold", required_argument, NULL, 't' },
		{ "no-hold", no_argument, NULL, 'n' },
		{ "label", required_argument, NULL, 'l' },
		{ "at", required_argument, NULL, 'a' },
		{ "history", required_argument, NULL, 'H' },
		{ "lr", required_argument, NULL, 'r' },
		{ "accumulate", required_argument, NULL, 'A' },
		{ "commit-every", required_argument, NULL, 'E' },
		{ "commit-ms", required_argument, NULL, 'M' },
		{ "lock-timeout", required_argument, NULL, 'T' },
		{ "min-confidence", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "dump-labels", required_argument, NULL, 'D' },
		{ "max-pending", required_argument, NULL, 'P' },
		{ "dump-pivots", required_argument, NULL, 'B' },
		{ "info", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const onword[] = { "none", "pivots", "every",
	    NULL };		/* enum on */
	struct argerr ae = { 0 };
	struct pending p;
	struct history hi;
	struct ctxwin cw;
	struct refcols rcols;
	struct live lv;
	struct accum acc;
	struct pivcols pv;
	struct tgtwait pw;
	struct trainer t;
	struct ckpt_lockopt lk = { 30.0 };
	struct adamw opt;
	struct accum_group grp = { ACCUM_GROUP_STEPS, ACCUM_GROUP_MS };
	struct counts n;
	struct cstream cs;
	struct csvout *out;
	enum on on = ON_NONE;
	const char *model = NULL, *prefix = "", *file = "-", *dump = NULL;
	const char *pdump = NULL;
	long maxpend = 1024;
	char errbuf[512];
	double minconf = 0, threshold = LABELS_THRESHOLD;
	cktime at = CKTIME_NONE;
	int ch, rc, info = 0, haveon = 0, level = 1, k = 2, history = 4096;
	int K = 1, label = -1, batch, hold = 1, gone = 0;
	long refused;

	adamw_default(&opt);
	opt.lr = 1e-4f;
	while (!ae.bad && (ch = getopt_long(argc, argv, "hm:k:", lopt,
	    NULL)) != -1) {
		switch (ch) {
		case 'm':
			model = optarg;
			break;
		case 'o':
			haveon = 1;
			on = (enum on)arg_word(&ae, "--on", optarg,
			    onword);
			break;
		case 'L':
			level = (int)arg_int(&ae, "--level", optarg, 1,
			    PIVOTS_MAXLEVEL);
			break;
		case 'k':
			k = (int)arg_int(&ae, "-k", optarg, 1, PIVOTS_MAXK);
			break;
		case 't':
			threshold = arg_double(&ae, "--threshold", optarg, 0,
			    1);
			break;
		case 'n':
			hold = 0;
			break;
		case 'l':
			label = arg_action(&ae, "--label", optarg);
			break;
		case 'a':
			at = arg_time(&ae, "--at", optarg);
			break;
		case 'H':
			history = (int)arg_int(&ae, "--history", optarg, 2,
			    1 << 24);
			break;
		case 'r':
			opt.lr = (float)arg_double(&ae, "--lr", optarg, 0, 10);
			break;
		case 'A':
			K = (int)arg_int(&ae, "--accumulate", optarg, 1, 4096);
			break;
		case 'E':
			grp.max_steps = (int)arg_int(&ae, "--commit-every",
			    optarg, 1, 1 << 20);
			break;
		case 'M':
			grp.max_ms = arg_double(&ae, "--commit-ms", optarg,
			    0.001, 3.6e6);
			break;
		case 'T':
			lk.timeout = arg_seconds(&ae, "--lock-timeout", optarg,
			    1e6);
			break;
		case 'c':
			minconf = arg_double(&ae, "--min-confidence", optarg,
			    0, 1);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 'D':
			dump = optarg;
			break;
		case 'P':
			maxpend = arg_int(&ae, "--max-pending", optarg, 1,
			    1 << 20);
			break;
		case 'B':
			pdump = optarg;
			break;
		case 'i':
			info = 1;
			break;
		case 'V':
			printf("train-candle %s\n", VERSION);
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
	if (argc > 1)
		usage(0);
	if (argc == 1)
		file = argv[0];
	if (info) {
		if (argc > 0 || haveon || label >= 0)
			usage(0);
		if ((rc = ckpt_print_info(stdout, model, errbuf,
		    sizeof(errbuf))) != 0)
			errx(ck_exit(rc), "%s", errbuf);
		if (fflush(stdout) != 0 || ferror(stdout))
			err(CK_EXIT_FAIL, "stdout");
		return CK_EXIT_OK;
	}
	if (haveon == (label >= 0))
		usage(0);	/* exactly one of --on and --label */
	if (label < 0 && at != CKTIME_NONE)
		usage(0);
	if ((dump != NULL || pdump != NULL) && !haveon)
		usage(0);
	if (!hold && on != ON_PIVOTS)
		usage(0);	/* --no-hold is of pivot labels */

	if (stopsig_catch(&stop, 0) != 0)	/* a blocked read ends */
		err(CK_EXIT_FAIL, "signals");
	ckpt_stop_flag(&stop);		/* and so does a wait for the lock */

	/* training predicts row by row: a step may come between two rows */
	batch = on == ON_NONE && label < 0 ? BATCH : 1;
	if ((rc = live_open(&lv, model, batch > K ? batch : K, 1, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	if ((rc = cstream_open(&cs, file, errbuf, sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s%s", errbuf, strstr(errbuf,
		    CSTREAM_NOT_STREAM) ? "; put candle-feed in front "
		    "(candle-feed FILE | train-candle ...)" : "");
	if (label >= 0) {
		rc = label_once(&lv, &cs, history, label, at, &opt, &lk);
		cstream_close(&cs);
		live_close(&lv);
		return rc;
	}

	if ((rc = pivcols_init(&pv, &cs, on, level, k, hold, threshold, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	if (accum_init(&acc, K, &lv.m.cfg, &opt, errbuf, sizeof(errbuf)) != 0 ||
	    accum_heads(&acc, &lv.m.cfg, errbuf, sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	if (pdump != NULL && lv.m.cfg.npiv == 0)
		errx(CK_EXIT_USAGE, "%s: --dump-pivots: the model has no "
		    "pivot head", model);
	if (lv.m.cfg.npiv > 0 && tgtwait_init(&pw, &lv.m.cfg, maxpend, errbuf,
	    sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	memset(&n, 0, sizeof(n));
	if ((out = csvout_new(STDOUT_FILENO)) == NULL)
		err(CK_EXIT_FAIL, "stdout");
	if (pending_init(&p, &cs, prefix, 1, batch, &lv.m.cfg, errbuf,
	    sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	p.minconf = (float)minconf;
	if (history < lv.m.cfg.W + 2)
		history = lv.m.cfg.W + 2;
	/* a waiting sample's window and next candles stay in the history */
	if (lv.m.cfg.npiv > 0 && history < maxpend + lv.m.cfg.W +
	    model_ghost_steps(&lv.m.cfg) + 2)
		history = maxpend + lv.m.cfg.W + model_ghost_steps(&lv.m.cfg) + 2;
	history_init(&hi, history);
	/* the contexts of as many candles as the history keeps */
	if (ctxwin_init(&cw, &lv.m.cfg, history, errbuf, sizeof(errbuf)) != 0)
		errx(CK_EXIT_FAIL, "%s", errbuf);
	if ((rc = refcols_init(&rcols, &cs, cw.prefix, cw.nctx, errbuf,
	    sizeof(errbuf))) != 0)
		errx(ck_exit(rc), "%s", errbuf);
	cstream_write_header(&cs, out);
	cstream_flushto(&cs, out);

	t = (struct trainer){ .pv = &pv, .acc = &acc, .lk = &lk, .grp = &grp,
	    .n = &n, .pw = lv.m.cfg.npiv > 0 ? &pw : NULL, .cs = &cs,
	    .hi = &hi, .cw = &cw, .rcols = &rcols, .p = &p, .lv = &lv,
	    .out = out, .batch = batch, .on = on, .err = errbuf,
	    .errlen = sizeof(errbuf) };
	if (dump != NULL) {
		if ((t.dump = fopen(dump, "w")) == NULL)
			err(CK_EXIT_FAIL, "%s", dump);
		fprintf(t.dump, "time,label\n");
	}
	if (pdump != NULL) {
		if ((t.pdump = fopen(pdump, "w")) == NULL)
			err(CK_EXIT_FAIL, "%s", pdump);
		fprintf(t.pdump, "row_time,time,level,type,price,pivot_time\n");
	}
	csvin_stopflag(cs.in, &stop);	/* a signal ends a blocked read */

	/*
	 * candle row -> history -> labels of past candles -> samples ->
	 * locked steps (a group while input is waiting); then the row's
	 * window -> prediction row
	 */
	while ((rc = advance(&t, 1)) == 1)
		if ((rc = apply(&t)) < 0)
			break;
	pending_flush(&p, &lv, out);
	if (rc == CK_EINTR && stop)
		rc = 0;		/* stopped while waiting for the lock */
	if (csvout_flush(out) != 0 || csvout_error(out) != 0) {
		if (errno != EPIPE)
			err(CK_EXIT_FAIL, "stdout");
		gone = 1;	/* the reader is gone: a quiet end */
	}
	if (!gone) {
		report(&p, &lv, &acc, &n, t.pw);
		if (rc < 0)
			errx(ck_exit(rc), "%s", errbuf);
	}
	if (t.dump != NULL && (ferror(t.dump) | fclose(t.dump)) != 0)
		err(CK_EXIT_FAIL, "%s", dump);
	if (t.pdump != NULL && (ferror(t.pdump) | fclose(t.pdump)) != 0)
		err(CK_EXIT_FAIL, "%s", pdump);
	if (t.pw != NULL)
		tgtwait_free(&pw);
	csvout_free(out);
	cstream_close(&cs);
	pending_free(&p);
	history_free(&hi);
	ctxwin_free(&cw);
	pivcols_free(&pv);
	refused = acc.refused;
	accum_free(&acc);
	live_close(&lv);
	if (stop && !gone)
		return 128 + stop;
	return refused > 0 ? CK_EXIT_DATA : CK_EXIT_OK;
}
