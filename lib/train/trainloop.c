/*
 * trainloop.c - epochs of shuffled mini-batches, run in slices through
 * ckpt_update so that every step is computed on the latest committed
 * weights and other trainers get the lock between slices.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cktime.h"
#include "trainloop.h"

struct slicectx {
	const struct dataset *ds;
	const struct trainopt *o;
	const char	*path;
	struct trainresult *res;
	long		*perm;		/* (ntrain) this epoch's order */
	int		 steps;		/* applied by the last call of slice_fn */
	long		 pos;		/* next position in perm */
	int		 epoch;
	double		 t_run;		/* when the run began */
	double		 t_epoch;	/* when the epoch began */
	double		 loss_sum;	/* sum of loss * B this epoch */
	long		 loss_n;	/* the samples of the steps applied */
	float		*x, *ghost, *mask;
	int		*label;
	int		 backup_done;
	/* the best-epoch commit */
	int		 restore;
	uint64_t	 mygen;		/* generation after our last commit */
	uint64_t	 model_id;	/* the model this run trains */
	float		*best;		/* (3 * nparams) params, m, v */
	char		 err[512];
};

void
trainopt_default(struct trainopt *o)
{
	memset(o, 0, sizeof(*o));
	o->epochs = 10;
	o->batch = 64;
	adamw_default(&o->opt);
	o->slice = 1;
	o->lock.timeout = 30;
}

/* The data's timeframe (this run's) and time range (merged with the
 * file's) into the checkpoint's header. */
static void
record_data(struct ckpt_meta *meta, const struct trainopt *o)
{
	if (o->timeframe <= 0)
		return;
	if (meta->timeframe <= 0 || o->data_from < meta->data_from)
		meta->data_from = o->data_from;
	if (meta->timeframe <= 0 || o->data_to > meta->data_to)
		meta->data_to = o->data_to;
	meta->timeframe = o->timeframe;
}

/*
 * The class weights tilt the probabilities: a model trained with weights
 * w estimates p_c w_c, renormalized.  Calibration may undo it in the output
 * bias (b_a - ln w, sign -1) and then marks the checkpoint CKPT_UNTILTED; the
 * next batch training puts it back (sign +1) before its first step, so
 * that the bias does not drift run after run.  Classes of weight 0 (absent
 * from training) are left alone.
 */
static void
tilt(struct model *m, const float *w, int sign)
{
	const struct model_tensor *t = model_tensor_find(m, "b_a");
	int c;

	for (c = 0; c < MODEL_NCLASS; c++)
		if (t != NULL && w[c] > 0)
			m->params[t->offset + c] += (float)sign * logf(w[c]);
}

/* Before a run's first step: the tilt back, the temperature reset (the
 * weights are about to change; the calibration fits a new one). */
static void
uncalibrate(struct model *m, struct ckpt_meta *meta, const float *w)
{
	if (meta->flags & CKPT_UNTILTED)
		tilt(m, w, 1);
	meta->flags &= ~CKPT_UNTILTED;
	m->temperature = 0;
}

/* One slice, under the lock: steps until the slice's time is up, the
 * epoch ends or a stop is asked for.  Returns the steps applied. */
static int
slice_fn(struct model *m, struct ckpt_meta *meta, void *arg)
{
	struct slicectx *c = arg;
	const struct trainopt *o = c->o;
	const struct dataset *ds = c->ds;
	struct trainprog pr;
	struct batch b;
	double t0 = ck_now(), t;
	cktime last = CKTIME_NONE, u;
	long ntrain = ds->ntrain;
	uint64_t st;
	float loss;
	int steps = 0, r;

	c->steps = 0;
	if (meta->model_id != c->model_id || m->cfg.W != ds->W) {
		snprintf(c->err, sizeof(c->err), "%.400s: replaced by another "
		    "model while training; stopping", c->path);
		return CK_EDATA;
	}
	if (o->backup && !c->backup_done) {
		if ((r = ckpt_backup(c->path, meta->generation,
		    c->res->backup, sizeof(c->res->backup), c->err,
		    sizeof(c->err))) != 0)
			return r;
		c->backup_done = 1;
	}
	if (c->restore) {
		/* the best epoch's weights, unless someone else committed */
		if (meta->generation != c->mygen) {
			c->res->best_skipped = 1;
			return 0;
		}
		memcpy(m->params, c->best, m->nparams * sizeof(float));
		memcpy(m->m, c->best + m->nparams, m->nparams * sizeof(float));
		memcpy(m->v, c->best + 2 * m->nparams, m->nparams * sizeof(float));
		m->step++;
		c->res->best_restored = 1;
		return c->steps = 1;
	}
	b.x = c->x;
	b.label = c->label;
	b.ghost = c->ghost;
	b.mask = c->mask;
	b.weight = ds->weight;
	while (c->pos < ntrain && !(o->stop && *o->stop)) {
		if (steps == 0)		/* each commit's first step */
			uncalibrate(m, meta, ds->weight);
		b.B = ntrain - c->pos < o->batch ? ntrain - c->pos : o->batch;
		u = dataset_gather(ds, c->perm + c->pos, b.B, c->x, c->label,
		    c->ghost, c->mask);
		if (u > last)
			last = u;
		st = m->step;
		loss = model_train_step(m, &b, &o->opt);
		c->pos += b.B;
		if (m->step == st)	/* not finite: not applied */
			c->res->refused++;
		else {
			c->loss_sum += (double)loss * b.B;
			c->loss_n += b.B;
			steps++;
		}
		t = ck_now();
		if (o->on_progress) {
			pr.epoch = c->epoch;
			pr.epochs = o->epochs;
			pr.done = c->pos;
			pr.total = ntrain;
			pr.rate = c->pos / (t - c->t_epoch + 1e-9);
			pr.elapsed = t - c->t_run;
			o->on_progress(o->arg, &pr);
		}
		if (t - t0 >= o->slice)
			break;
	}
	if (steps > 0 && (meta->trained_until == CKTIME_NONE ||
	    last > meta->trained_until))
		meta->trained_until = last;
	if (steps > 0)
		record_data(meta, o);
	return c->steps = steps;
}

/* probs (to - from, 3) of samples [from, to) by the training forward;
 * returns the mean training loss. */
static double
eval_probs(struct model *m, const struct dataset *ds, long from, long to,
    int B, float *probs)
{
	struct batch b;
	double sum = 0;
	long i;

	for (i = from; i < to; i += B) {
		b.B = to - i < B ? to - i : B;
		b.x = ds->x + i * ds->W * MODEL_NFEAT;
		b.label = ds->label + i;
		b.ghost = ds->ghost + i * MODEL_NGHOST;
		b.mask = ds->mask + i;
		b.weight = ds->weight;
		sum += (double)model_forward(m, &b, probs + (i - from) *
		    MODEL_NCLASS, NULL) * b.B;
	}
	return sum / (to - from);
}

void
trainloop_eval(struct model *m, const struct dataset *ds, long from, long to,
    int B, double *loss, struct skill *sk)
{
	float *probs;

	*loss = NAN;
	if (to <= from || (probs = malloc((to - from) * MODEL_NCLASS *
	    sizeof(float))) == NULL) {
		skill_eval(sk, NULL, NULL, 0, ds->count, -1);
		return;
	}
	*loss = eval_probs(m, ds, from, to, B, probs);
	skill_eval(sk, probs, ds->label + from, to - from, ds->count,
	    from > 0 ? ds->label[from - 1] : -1);
	free(probs);
}

struct calibctx {
	uint64_t gen;		/* the generation the temperature was fitted on */
	struct calibresult *cr;
};

static int
calib_fn(struct model *m, struct ckpt_meta *meta, void *arg)
{
	struct calibctx *c = arg;

	if (meta->generation != c->gen) {
		c->cr->skipped = 1;
		return 0;
	}
	m->step++;	/* m holds the new bias and temperature already */
	if (c->cr->untilted)
		meta->flags |= CKPT_UNTILTED;
	c->cr->committed = 1;
	return 1;
}

/* probs (n, 3) of the validation samples as model_predict gives them, at
 * temperature T. */
static void
predict_val(struct model *m, const struct dataset *ds, float T, float *probs)
{
	float keep = m->temperature;

	m->temperature = T;
	model_predict(m, ds->x + ds->ntrain * ds->W * MODEL_NFEAT,
	    (int)(ds->n - ds->ntrain), probs, NULL);
	m->temperature = keep;
}

int
trainloop_calibrate(struct model *m, const struct dataset *ds,
    struct calibresult *cr, char *err, size_t errlen)
{
	struct skill kept;
	double T;
	long nv = ds->n - ds->ntrain;
	int prev = ds->ntrain > 0 ? ds->label[ds->ntrain - 1] : -1;
	const int *lab = ds->label + ds->ntrain;
	float *probs;

	memset(cr, 0, sizeof(*cr));
	cr->temperature = 1;
	if (nv <= 0 || nv > INT_MAX) {
		snprintf(err, errlen, "no validation samples to calibrate on");
		return CK_EDATA;
	}
	if ((probs = malloc(nv * MODEL_NCLASS * sizeof(float))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	predict_val(m, ds, 1, probs);
	skill_eval(&cr->before, probs, lab, nv, ds->count, prev);
	/* a temperature for the probabilities as they are, and one with the
	 * tilt undone: the lower validation log-loss wins (the weights in m
	 * change here; ckpt_update writes them when the file is still at our
	 * generation, else reloads m from it) */
	T = skill_fit_temperature(probs, lab, nv);
	predict_val(m, ds, (float)T, probs);
	skill_eval(&kept, probs, lab, nv, ds->count, prev);
	tilt(m, ds->weight, -1);
	predict_val(m, ds, 1, probs);
	cr->temperature = skill_fit_temperature(probs, lab, nv);
	predict_val(m, ds, (float)cr->temperature, probs);
	skill_eval(&cr->after, probs, lab, nv, ds->count, prev);
	cr->untilted = 1;
	if (!(cr->after.logloss < kept.logloss)) {
		tilt(m, ds->weight, 1);
		cr->temperature = T;
		cr->after = kept;
		cr->untilted = 0;
	}
	m->temperature = (float)cr->temperature;
	free(probs);
	return CK_OK;
}

int
trainloop_commit_calibration(const char *path, struct model *m,
    struct ckpt_meta *meta, const struct ckpt_lockopt *lock,
    struct calibresult *cr, char *err, size_t errlen)
{
	struct calibctx c;
	int r;

	c.gen = meta->generation;
	c.cr = cr;
	r = ckpt_update(path, m, meta, lock, calib_fn, &c, err, errlen);
	return r < 0 ? r : CK_OK;
}

/* Commit slices until the epoch is done or a stop is asked for. */
static int
run_epoch(struct slicectx *c, struct model *m, struct ckpt_meta *meta,
    char *err, size_t errlen)
{
	const struct trainopt *o = c->o;
	int r;

	while (c->pos < c->ds->ntrain && !(o->stop && *o->stop)) {
		c->err[0] = '\0';
		r = ckpt_update(c->path, m, meta, &o->lock, slice_fn, c, err,
		    errlen);
		if (r == CK_EINTR && o->stop && *o->stop)
			break;
		if (r < 0) {
			if (c->err[0] != '\0')
				snprintf(err, errlen, "%s", c->err);
			return r;
		}
		c->res->slices++;
		c->res->steps += c->steps;
		c->mygen = meta->generation;
	}
	return CK_OK;
}

int
trainloop_run(const char *path, struct model *m, struct ckpt_meta *meta,
    const struct dataset *ds, const struct trainopt *o,
    struct trainresult *res, char *err, size_t errlen)
{
	struct slicectx c;
	struct epochstat es;
	double t_run = ck_now(), best_loss = INFINITY;
	long i, nx = (long)ds->W * MODEL_NFEAT;
	uint64_t rng = o->seed;
	int since_best = 0, r = CK_ERR, e;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.ds = ds;
	c.o = o;
	c.path = path;
	c.res = res;
	c.mygen = meta->generation;
	c.t_run = t_run;
	c.model_id = meta->model_id;
	c.perm = malloc((ds->ntrain ? ds->ntrain : 1) * sizeof(long));
	c.x = malloc(o->batch * nx * sizeof(float));
	c.ghost = malloc(o->batch * MODEL_NGHOST * sizeof(float));
	c.mask = malloc(o->batch * sizeof(float));
	c.label = malloc(o->batch * sizeof(int));
	if (o->patience > 0)
		c.best = malloc(3 * m->nparams * sizeof(float));
	if (!c.perm || !c.x || !c.ghost || !c.mask || !c.label ||
	    (o->patience > 0 && !c.best)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < ds->ntrain; i++)
		c.perm[i] = i;
	res->stop = TRAIN_DONE;
	for (e = 1; e <= o->epochs; e++) {
		dataset_shuffle(c.perm, ds->ntrain, &rng);
		c.epoch = e;
		c.pos = 0;
		c.loss_sum = 0;
		c.loss_n = 0;
		c.t_epoch = ck_now();
		if ((r = run_epoch(&c, m, meta, err, errlen)) != CK_OK)
			goto out;
		if (c.pos < ds->ntrain) {
			res->stop = TRAIN_SIGNAL;
			break;
		}
		memset(&es, 0, sizeof(es));
		es.epoch = e;
		es.seconds = ck_now() - c.t_epoch;
		es.rate = ds->ntrain / (es.seconds + 1e-9);
		es.train_loss = c.loss_n ? c.loss_sum / c.loss_n : NAN;
		es.steps = (ds->ntrain + o->batch - 1) / o->batch;
		trainloop_eval(m, ds, ds->ntrain, ds->n, o->batch,
		    &es.val_loss, &es.val);
		res->epochs = e;
		res->last = es;
		if (o->on_epoch)
			o->on_epoch(o->arg, &es);
		if (o->patience <= 0)
			continue;
		if (es.val_loss < best_loss) {
			best_loss = es.val_loss;
			res->best_epoch = e;
			res->best = es;
			since_best = 0;
			memcpy(c.best, m->params, m->nparams * sizeof(float));
			memcpy(c.best + m->nparams, m->m,
			    m->nparams * sizeof(float));
			memcpy(c.best + 2 * m->nparams, m->v,
			    m->nparams * sizeof(float));
		} else if (++since_best >= o->patience) {
			res->stop = TRAIN_PATIENCE;
			break;
		}
	}
	if (o->patience > 0 && res->stop != TRAIN_SIGNAL &&
	    res->best_epoch > 0 && res->best_epoch != res->epochs) {
		c.restore = 1;
		c.err[0] = '\0';
		if ((r = ckpt_update(path, m, meta, &o->lock, slice_fn, &c, err,
		    errlen)) < 0) {
			if (c.err[0] != '\0')
				snprintf(err, errlen, "%s", c.err);
			goto out;
		}
		if (res->best_restored) {
			res->steps += c.steps;
			res->slices++;
		}
	}
	if (res->best_epoch == 0)
		res->best = res->last;
	r = CK_OK;
out:
	res->seconds = ck_now() - t_run;
	free(c.perm);
	free(c.x);
	free(c.ghost);
	free(c.mask);
	free(c.label);
	free(c.best);
	return r;
}
