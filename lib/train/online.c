/*
 * online.c - the live path shared by infer(1) and train-candle(1): candle
 * history, windows, batched prediction into the output columns, hot
 * reload, and the accumulated samples of online training applied through
 * ckpt_update.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ck.h"
#include "candle.h"
#include "ckpt.h"
#include "csvio.h"
#include "features.h"
#include "model.h"
#include "online.h"
#include "timeparse.h"

static const char *colname[OC_N] = {
	"action", "confidence", "p_hold", "p_buy", "p_sell",
	"next_open", "next_high", "next_low", "next_close", "model_gen",
	"label", "label_time", "loss"
};

static const char *actname[MODEL_NCLASS] = { "HOLD", "BUY", "SELL" };

/* --- history --- */

/* The history's arrays, carved from one allocation of 6 (2 cap) slots. */
#define HIST_NARR	6
_Static_assert(sizeof(cktime) == sizeof(double), "history slots");

int
hist_init(struct hist *h, int cap, char *err, size_t errlen)
{
	size_t n = 2 * (size_t)cap;

	memset(h, 0, sizeof(*h));
	h->cap = cap;
	/* double and cktime have one size: o h l c v as doubles, then t */
	if ((h->o = malloc(HIST_NARR * n * sizeof(double))) == NULL) {
		snprintf(err, errlen, "history of %d candles: %s", cap,
		    strerror(ENOMEM));
		return CK_ERR;
	}
	h->h = h->o + n;
	h->l = h->h + n;
	h->c = h->l + n;
	h->v = h->c + n;
	h->t = (cktime *)(void *)(h->v + n);
	return 0;
}

void
hist_free(struct hist *h)
{
	free(h->o);
	memset(h, 0, sizeof(*h));
}

void
hist_push(struct hist *h, const struct candle *c)
{
	long kept = h->n - h->first;
	int j;

	if (h->off + kept == 2 * (long)h->cap) {
		/* full: keep the newest cap - 1 candles at the bottom */
		int drop = (int)kept - (h->cap - 1), a;
		size_t n = 2 * (size_t)h->cap;

		for (a = 0; a < HIST_NARR; a++)
			memmove(h->o + a * n, h->o + a * n + h->off + drop,
			    (size_t)(h->cap - 1) * sizeof(double));
		h->first += drop;
		h->off = 0;
		kept = h->cap - 1;
	} else if (kept == h->cap) {
		h->first++;
		h->off++;
		kept--;
	}
	j = h->off + (int)kept;
	h->o[j] = c->open;
	h->h[j] = c->high;
	h->l[j] = c->low;
	h->c[j] = c->close;
	h->v[j] = c->volume;
	h->t[j] = c->t;
	h->n++;
}

long
hist_find(const struct hist *h, cktime t)
{
	long lo = h->first, hi = h->n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		cktime tm = h->t[h->off + (mid - h->first)];

		if (tm == t)
			return mid;
		if (tm < t)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

cktime
hist_time(const struct hist *h, long i)
{
	if (i < h->first || i >= h->n)
		return CKTIME_NONE;
	return h->t[h->off + (i - h->first)];
}

int
hist_window(const struct hist *h, long i, int W, float *x, double *s)
{
	long j;

	if (i - W < h->first || i >= h->n)
		return -1;
	j = h->off + (i - W - h->first);
	features_window(x, s, h->o + j, h->h + j, h->l + j, h->c + j,
	    h->v + j, W);
	return 0;
}

int
hist_target(const struct hist *h, long i, double s, float *g)
{
	double next[4];
	long j;

	if (i < h->first || i + 1 >= h->n)
		return -1;
	j = h->off + (i + 1 - h->first);
	next[0] = h->o[j];
	next[1] = h->h[j];
	next[2] = h->l[j];
	next[3] = h->c[j];
	features_target(g, next, h->c[j - 1], s);
	return 0;
}

/* --- the live model --- */

int
online_open(struct online *o, const char *path, int maxB, int nthreads,
    int history, char *err, size_t errlen)
{
	int rc, W, i;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if ((rc = ckpt_load(path, &o->m, &o->meta, err, errlen)) != 0)
		return rc;
	if (ckpt_stamp(path, &o->stamp) != 0) {
		/* replaced between load and stamp: the next check reloads */
		memset(&o->stamp, 0, sizeof(o->stamp));
	}
	W = o->W = o->m.cfg.W;
	if (model_reserve(&o->m, maxB, nthreads, err, errlen) != 0)
		goto fail;
	if (history < W + 2)
		history = W + 2;
	if (hist_init(&o->h, history, err, errlen) != 0)
		goto fail;
	o->maxB = maxB;
	o->row = calloc((size_t)maxB, sizeof(*o->row));
	o->x = malloc((size_t)maxB * W * MODEL_NFEAT * sizeof(float));
	o->scale = malloc((size_t)maxB * sizeof(double));
	o->probs = malloc((size_t)maxB * MODEL_NCLASS * sizeof(float));
	o->ghost = malloc((size_t)maxB * MODEL_NGHOST * sizeof(float));
	if (!o->row || !o->x || !o->scale || !o->probs || !o->ghost) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto fail;
	}
	for (i = 0; i < maxB; i++)
		o->row[i].cand = -1;
	o->ncols = OC_NINFER;
	return 0;
fail:
	online_close(o);
	return CK_ERR;
}

void
online_close(struct online *o)
{
	int i;

	if (o->row)
		for (i = 0; i < o->maxB; i++)
			rowcopy_free(&o->row[i].in);
	free(o->row);
	free(o->x);
	free(o->scale);
	free(o->probs);
	free(o->ghost);
	free(o->repl);
	hist_free(&o->h);
	model_free(&o->m);
	if (o->spare.params)
		model_free(&o->spare);
	memset(o, 0, sizeof(*o));
}

int
online_columns(struct online *o, struct cstream *cs, const char *prefix,
    int training, char *err, size_t errlen)
{
	char name[256];
	int c, k, i;

	o->ncols = training ? OC_N : OC_NINFER;
	o->ncolin = cs->ncol;
	o->repl = malloc(((size_t)cs->ncol + 1) * sizeof(int));
	if (o->repl == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	for (i = 0; i < cs->ncol; i++)
		o->repl[i] = -1;
	for (c = 0; c < o->ncols; c++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", prefix,
		    colname[c]) >= sizeof(name)) {
			snprintf(err, errlen, "prefix too long: %s", prefix);
			return CK_ERR;
		}
		if ((k = cstream_addcol(cs, name)) < 0) {
			snprintf(err, errlen, "cannot add column %s", name);
			return CK_ERR;
		}
		o->slot[c] = k;
		if (cs->addcol[k] >= 0)
			o->repl[cs->addcol[k]] = c;
	}
	return 0;
}

int
online_header(struct online *o, struct cstream *cs, struct csvout *out,
    const char *prefix, int training, char *err, size_t errlen)
{
	if (online_columns(o, cs, prefix, training, err, errlen) != 0)
		return CK_ERR;
	cstream_write_header(cs, out);
	cstream_flushto(cs, out);
	return 0;
}

int
online_reload(struct online *o)
{
	struct ckpt_stamp st;
	struct ckpt_meta meta;
	const struct model_config *a, *b;

	if (!ckpt_changed(o->path, &o->stamp))
		return 0;
	/* stamp first: a replacement after it is seen by the next check */
	if (ckpt_stamp(o->path, &st) != 0) {
		snprintf(o->lasterr, sizeof(o->lasterr), "%s: %s", o->path,
		    strerror(errno));
		o->n.loadfail++;
		return -1;
	}
	if (ckpt_load(o->path, &o->spare, &meta, o->lasterr,
	    sizeof(o->lasterr)) != 0) {
		o->n.loadfail++;
		return -1;
	}
	a = &o->m.cfg;
	b = &o->spare.cfg;
	if (a->W != b->W || a->d != b->d || a->L != b->L || a->h != b->h) {
		snprintf(o->lasterr, sizeof(o->lasterr),
		    "%s: replaced by a model of another configuration "
		    "(W%d d%d L%d h%d); keeping the loaded weights", o->path,
		    b->W, b->d, b->L, b->h);
		o->stamp = st;
		o->n.loadfail++;
		return -1;
	}
	o->stamp = st;
	if (meta.model_id == o->meta.model_id &&
	    meta.generation == o->meta.generation)
		return 0;
	memcpy(o->m.params, o->spare.params, o->m.nparams * sizeof(float));
	memcpy(o->m.m, o->spare.m, o->m.nparams * sizeof(float));
	memcpy(o->m.v, o->spare.v, o->m.nparams * sizeof(float));
	o->m.step = o->spare.step;
	o->meta = meta;
	o->n.reloads++;
	return 1;
}

int
online_full(const struct online *o)
{
	return o->nb == o->maxB;
}

int
online_push(struct online *o, struct cstream *cs, const struct candle *c)
{
	struct online_row *r = &o->row[o->nb];
	int i;

	hist_push(&o->h, c);
	if (rowcopy_take(&r->in, cs) != 0)
		return -1;
	for (i = 0; i < OC_N; i++)
		r->vlen[i] = 0;
	r->cand = -1;
	r->close = c->close;
	if (hist_window(&o->h, o->h.n - 1, o->W,
	    o->x + (size_t)o->nb * o->W * MODEL_NFEAT, &o->scale[o->nb]) == 0)
		r->cand = o->h.n - 1;
	return o->nb++;
}

static void
setval(struct online_row *r, int c, const char *s, size_t len)
{
	if (len >= ONLINE_VALLEN)
		len = ONLINE_VALLEN - 1;
	memcpy(r->val[c], s, len);
	r->vlen[c] = len;
}

static void
setfloat(struct online_row *r, int c, float x)
{
	r->vlen[c] = fmt_float(r->val[c], x);
}

static void
setdouble(struct online_row *r, int c, double x)
{
	r->vlen[c] = fmt_double(r->val[c], x);
}

/* Fill a row's prediction columns from probs (3) and ghost (4). */
static void
fill_pred(struct online *o, struct online_row *r, const float *p,
    const float *g, double scale)
{
	double next[4];
	int a = 0, i;

	for (i = 1; i < MODEL_NCLASS; i++)
		if (p[i] > p[a])
			a = i;
	setfloat(r, OC_CONF, p[a]);
	if (p[a] < o->minconf)
		a = ACTION_HOLD;
	setval(r, OC_ACTION, actname[a], strlen(actname[a]));
	setfloat(r, OC_PHOLD, p[ACTION_HOLD]);
	setfloat(r, OC_PBUY, p[ACTION_BUY]);
	setfloat(r, OC_PSELL, p[ACTION_SELL]);
	features_unghost(next, g, r->close, scale);
	for (i = 0; i < 4; i++)
		setdouble(r, OC_NOPEN + i, next[i]);
	r->vlen[OC_GEN] = (size_t)snprintf(r->val[OC_GEN], ONLINE_VALLEN,
	    "%llu", (unsigned long long)o->meta.generation);
}

void
online_flush(struct online *o, struct cstream *cs, struct csvout *out)
{
	const char *f;
	size_t len;
	int i, j, c, first = -1, nw;

	(void)cs;
	/* the windows of a batch are consecutive rows: predict them at once */
	for (i = 0; i < o->nb; i++)
		if (o->row[i].cand >= 0) {
			first = i;
			break;
		}
	if (first >= 0) {
		/* rows after the first full window all have one */
		nw = o->nb - first;
		model_predict(&o->m, o->x + (size_t)first * o->W * MODEL_NFEAT,
		    nw, o->probs, o->ghost);
		for (i = 0; i < nw; i++)
			fill_pred(o, &o->row[first + i],
			    o->probs + i * MODEL_NCLASS,
			    o->ghost + i * MODEL_NGHOST, o->scale[first + i]);
		o->n.preds += nw;
	}
	for (i = 0; i < o->nb; i++) {
		struct online_row *r = &o->row[i];

		for (j = 0; j < o->ncolin; j++) {
			if ((c = o->repl[j]) >= 0)
				csvout_field(out, r->val[c], r->vlen[c]);
			else {
				f = rowcopy_field(&r->in, j, &len);
				csvout_field(out, f, len);
			}
		}
		for (c = 0; c < o->ncols; c++)
			if (cs->addcol[o->slot[c]] < 0)
				csvout_field(out, r->val[c], r->vlen[c]);
		csvout_end(out);
	}
	o->n.rows += o->nb;
	o->nb = 0;
}

/* A failed write: CK_ERR, errno kept for the caller (EPIPE is quiet). */
static int
outerr(char *err, size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "stdout: %s", strerror(e));
	errno = e;
	return CK_ERR;
}

int
online_run(struct online *o, struct cstream *cs, struct csvout *out,
    int batch, online_rowfn rowfn, void *arg, volatile sig_atomic_t *stop,
    char *err, size_t errlen)
{
	struct candle c;
	int rc, slot, failing = 0;

	csvin_stopflag(cs->in, stop);	/* a signal ends a blocked read */
	while (!*stop) {
		rc = cstream_next(cs, &c, err, errlen);
		if (rc == 0 || (rc < 0 && *stop))
			break;
		if (rc < 0)
			goto out;
		if ((slot = online_push(o, cs, &c)) < 0) {
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			rc = CK_ERR;
			goto out;
		}
		if (rowfn != NULL &&
		    (rc = rowfn(o, cs, slot, &c, arg, err, errlen)) < 0)
			goto out;
		/* never hold a read row while the next read may block */
		if (o->nb >= batch || !cstream_ready(cs)) {
			rc = online_reload(o);
			if (rc < 0 && !failing && o->warn != NULL) {
				char msg[sizeof(o->lasterr) + 64];

				snprintf(msg, sizeof(msg), "reload failed, "
				    "keeping generation %llu: %s",
				    (unsigned long long)o->meta.generation,
				    o->lasterr);
				o->warn(msg);
			}
			failing = rc < 0;
			online_flush(o, cs, out);
			if (csvout_error(out) != 0)
				return outerr(err, errlen);
		}
	}
	rc = 0;
out:
	online_flush(o, cs, out);
	if (csvout_flush(out) != 0 && rc == 0)
		return outerr(err, errlen);
	return rc;
}

void
online_setlabel(struct online *o, int slot, int label, cktime t)
{
	struct online_row *r = &o->row[slot];
	char buf[48];

	setval(r, OC_LABEL, actname[label], strlen(actname[label]));
	setval(r, OC_LTIME, buf, time_format(buf, t));
}

void
online_setloss(struct online *o, int slot, float loss)
{
	setfloat(&o->row[slot], OC_LOSS, loss);
}

const char *
online_action_name(int a)
{
	return a >= 0 && a < MODEL_NCLASS ? actname[a] : "";
}

int
online_action_parse(const char *s, int *a)
{
	int i;

	for (i = 0; i < MODEL_NCLASS; i++)
		if (strcasecmp(s, actname[i]) == 0) {
			*a = i;
			return 0;
		}
	return -1;
}

/* --- online training --- */

int
online_acc_init(struct online_acc *a, int K, int W, const struct adamw *opt,
    char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->K = K;
	a->W = W;
	a->opt = *opt;
	a->tmax = CKTIME_NONE;
	a->x = malloc((size_t)K * W * MODEL_NFEAT * sizeof(float));
	a->label = malloc((size_t)K * sizeof(int));
	a->ghost = malloc((size_t)K * MODEL_NGHOST * sizeof(float));
	a->mask = malloc((size_t)K * sizeof(float));
	a->probs = malloc((size_t)K * MODEL_NCLASS * sizeof(float));
	a->pghost = malloc((size_t)K * MODEL_NGHOST * sizeof(float));
	if (!a->x || !a->label || !a->ghost || !a->mask || !a->probs ||
	    !a->pghost) {
		online_acc_free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

void
online_acc_free(struct online_acc *a)
{
	free(a->x);
	free(a->label);
	free(a->ghost);
	free(a->mask);
	free(a->probs);
	free(a->pghost);
	memset(a, 0, sizeof(*a));
}

int
online_acc_add(struct online_acc *a, const struct hist *h, long i, int label)
{
	float *x = a->x + (size_t)a->n * a->W * MODEL_NFEAT;
	float *g = a->ghost + (size_t)a->n * MODEL_NGHOST;
	double s;
	cktime t;

	if (hist_window(h, i, a->W, x, &s) != 0)
		return -1;
	if (hist_target(h, i, s, g) == 0) {
		a->mask[a->n] = 1;
		t = hist_time(h, i + 1);
	} else {
		memset(g, 0, MODEL_NGHOST * sizeof(float));
		a->mask[a->n] = 0;
		t = hist_time(h, i);
	}
	if (a->tmax == CKTIME_NONE || t > a->tmax)
		a->tmax = t;
	a->label[a->n] = label;
	a->n++;
	return a->n == a->K;
}

/* ckpt_update's callback: one step on the kept samples, latest weights. */
static int
acc_step(struct model *m, struct ckpt_meta *meta, void *arg)
{
	struct online_acc *a = arg;
	struct batch b;
	uint64_t st;

	b.B = a->n;
	b.x = a->x;
	b.label = a->label;
	b.ghost = a->ghost;
	b.mask = a->mask;
	st = m->step;
	a->loss = model_train_step(m, &b, &a->opt);
	if (m->step == st) {	/* not finite: not applied, nothing written */
		a->refused++;
		return 0;
	}
	a->loss_after = model_forward(m, &b, a->probs, a->pghost);
	if (meta->trained_until == CKTIME_NONE || a->tmax > meta->trained_until)
		meta->trained_until = a->tmax;
	return 1;
}

int
online_acc_apply(struct online_acc *a, struct online *o,
    const struct ckpt_lockopt *lk, char *err, size_t errlen)
{
	long refused = a->refused;
	int rc;

	if (a->n == 0)
		return 0;
	rc = ckpt_update(o->path, &o->m, &o->meta, lk, acc_step, a, err,
	    errlen);

	/*
	 * The stamp must name the file holding our weights: if another
	 * writer got in after our rename, or the update failed after the
	 * step (meta is then CKPT_GEN_STALE), a zero stamp makes the next
	 * online_reload load the file.
	 */
	if (rc == 0 && a->refused == refused)
		a->steps++;
	if (rc != 0 || ckpt_stamp(o->path, &o->stamp) != 0 ||
	    o->stamp.model_id != o->meta.model_id ||
	    o->stamp.generation != o->meta.generation)
		memset(&o->stamp, 0, sizeof(o->stamp));
	a->n = 0;
	a->tmax = CKTIME_NONE;
	return rc;
}

int
online_train_once(struct online *o, struct cstream *cs, int label, cktime at,
    const struct adamw *opt, const struct ckpt_lockopt *lk,
    volatile sig_atomic_t *stop, struct online_acc *a, cktime *t, char *err,
    size_t errlen)
{
	struct candle c;
	char tb[48], tn[48];
	long i;
	int rc;

	memset(a, 0, sizeof(*a));
	csvin_stopflag(cs->in, stop);
	while ((rc = cstream_next(cs, &c, err, errlen)) == 1 && !*stop)
		hist_push(&o->h, &c);
	if (*stop)
		return CK_EINTR;
	if (rc < 0)
		return rc;
	if (o->h.n == 0) {
		snprintf(err, errlen, "%s: no candles", cstream_file(cs));
		return CK_EDATA;
	}
	if (at == CKTIME_NONE)
		i = o->h.n - 1;
	else if ((i = hist_find(&o->h, at)) < 0) {
		/* name the nearest earlier candle, the likely intent */
		time_format(tb, at);
		for (i = o->h.n - 1; i >= o->h.first && hist_time(&o->h, i) > at;
		    i--)
			;
		if (i >= o->h.first)
			time_format(tn, hist_time(&o->h, i));
		snprintf(err, errlen, "%s: no candle at %s in the last %ld "
		    "candles read%s%s%s", cstream_file(cs), tb,
		    o->h.n - o->h.first, i >= o->h.first ? "; the nearest "
		    "earlier one is at " : " (all are later)",
		    i >= o->h.first ? tn : "", i >= o->h.first ? ": give that "
		    "time" : "");
		return CK_EDATA;
	}
	*t = hist_time(&o->h, i);
	if ((rc = online_acc_init(a, 1, o->W, opt, err, errlen)) != 0)
		return rc;
	if (online_acc_add(a, &o->h, i, label) < 0) {
		time_format(tb, *t);
		snprintf(err, errlen, "%s: %s: a window needs %d candles up to "
		    "it, have %ld", cstream_file(cs), tb, o->W + 1,
		    i - o->h.first + 1);
		return CK_EDATA;
	}
	return online_acc_apply(a, o, lk, err, errlen);
}

/* --- labels from the pivot columns upstream --- */

static int
needcol(const struct cstream *cs, int m, int level, const char *kind,
    int *col, char *err, size_t errlen)
{
	char name[32];

	snprintf(name, sizeof(name), "pivot%d_%s", m, kind);
	if ((*col = cstream_col(cs, name)) < 0) {
		snprintf(err, errlen, "%s: no %s column: put pivots upstream "
		    "(pivots --levels %d | train-candle)", cstream_file(cs),
		    name, level);
		return CK_EDATA;
	}
	return 0;
}

int
online_labels_init(struct online_labels *ol, const struct cstream *cs,
    enum online_on on, int level, int k, double threshold, char *err,
    size_t errlen)
{
	int rc, m;

	memset(ol, 0, sizeof(*ol));
	ol->on = on;
	ol->level = on == ON_EVERY ? 1 : level;
	if (on == ON_NONE)
		return 0;
	if (ol->level < 1 || ol->level > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "level %d not in 1..%d", ol->level,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	for (m = 1; m <= ol->level; m++)
		if ((rc = needcol(cs, m, ol->level, "high", &ol->hcol[m - 1],
		    err, errlen)) != 0 ||
		    (rc = needcol(cs, m, ol->level, "low", &ol->lcol[m - 1],
		    err, errlen)) != 0)
			return rc;
	if (on == ON_EVERY)
		return labeler_init(&ol->lb, k, threshold, err, errlen);
	return pivlabeler_init(&ol->pl, ol->level, err, errlen);
}

void
online_labels_free(struct online_labels *ol)
{
	if (ol->on == ON_EVERY)
		labeler_free(&ol->lb);
	memset(ol, 0, sizeof(*ol));
}

/* A pivot time column of this row: 0 and *t (CKTIME_NONE when empty). */
static int
pivtime(const struct cstream *cs, int col, cktime *t, char *err,
    size_t errlen)
{
	size_t len;
	const char *s = cstream_field(cs, col, &len);

	*t = CKTIME_NONE;
	if (len == 0)
		return 0;
	if (time_parse_iso(s, len, t) != 0) {
		snprintf(err, errlen, "%s:%ld: %s: not a time: %.*s",
		    cstream_file(cs), cstream_line(cs), cs->name[col],
		    (int)(len > 40 ? 40 : len), s);
		return CK_EDATA;
	}
	return 0;
}

int
online_labels_row(struct online_labels *ol, const struct cstream *cs,
    const struct candle *c, struct online_sample *out, char *err,
    size_t errlen)
{
	cktime hi[PIVOTS_MAXLEVEL], lo[PIVOTS_MAXLEVEL];
	cktime t[PIVLABELER_OUT];
	int label[PIVLABELER_OUT];
	int rc, n, i, j, m;
	char why[160];

	if (ol->on == ON_NONE)
		return 0;
	hi[0] = lo[0] = CKTIME_NONE;	/* level >= 1; said for the analyzer */
	for (m = 0; m < ol->level; m++)
		if ((rc = pivtime(cs, ol->hcol[m], &hi[m], err, errlen)) != 0 ||
		    (rc = pivtime(cs, ol->lcol[m], &lo[m], err, errlen)) != 0)
			return rc;
	if (ol->on == ON_EVERY) {
		rc = labeler_push(&ol->lb, c->t, c->close, hi[0], lo[0], &t[0],
		    &label[0], why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%ld: %s", cstream_file(cs),
			    cstream_line(cs), why);
			return rc;
		}
		n = rc;
	} else
		n = pivlabeler_push(&ol->pl, hi, lo, t, label);
	/* oldest candle first */
	for (i = 0; i < n; i++) {
		struct online_sample s = { t[i], label[i] };

		for (j = i; j > 0 && out[j - 1].t > s.t; j--)
			out[j] = out[j - 1];
		out[j] = s;
	}
	return n;
}
