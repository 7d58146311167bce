/*
 * trainloop.c - epochs of shuffled mini-batches, run in slices through
 * ckpt_update so that every step is computed on the latest committed
 * weights and other trainers get the lock between slices.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timeparse.h"
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

/* Copy the checkpoint as it is now to PATH.GEN.bak (temporary file, fsync,
 * rename), so a bad retrain can be rolled back. */
static int
backup(const char *path, uint64_t gen, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char tmp[4200], buf[65536];
	ssize_t n, w, off;
	int in, fd = -1, r = -1;

	snprintf(out, outlen, "%s.%llu.bak", path, (unsigned long long)gen);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", out, (long)getpid());
	if ((in = open(path, O_RDONLY)) < 0) {
		snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		snprintf(err, errlen, "%.400s: %s", tmp, strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
			goto out;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(fd, buf + off, n - off)) < 0 &&
			    errno != EINTR) {
				snprintf(err, errlen, "%.400s: %s", tmp,
				    strerror(errno));
				goto out;
			} else if (w < 0)
				w = 0;
	}
	if (fsync(fd) != 0 || rename(tmp, out) != 0) {
		snprintf(err, errlen, "%.400s: %s", out, strerror(errno));
		goto out;
	}
	r = 0;
out:
	close(in);
	if (fd >= 0)
		close(fd);
	if (r != 0)
		unlink(tmp);
	return r;
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
	int steps = 0;

	c->steps = 0;
	if (meta->model_id != c->model_id || m->cfg.W != ds->W) {
		snprintf(c->err, sizeof(c->err), "%.400s: replaced by another "
		    "model while training; stopping", c->path);
		return CK_EDATA;
	}
	if (o->backup && !c->backup_done) {
		if (backup(c->path, meta->generation, c->res->backup,
		    sizeof(c->res->backup), c->err, sizeof(c->err)) != 0)
			return CK_ERR;
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
	while (c->pos < ntrain && !(o->stop && *o->stop)) {
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
	return c->steps = steps;
}

void
trainloop_eval(struct model *m, const struct dataset *ds, long from, long to,
    int B, int majority, double *loss, double *acc, double *major_acc)
{
	float *probs, *ghost;
	struct batch b;
	double sum = 0;
	long i, right = 0, major = 0;
	int j, k, arg;

	*loss = *acc = *major_acc = NAN;
	if (to <= from)
		return;
	probs = malloc(B * MODEL_NCLASS * sizeof(float));
	ghost = malloc(B * MODEL_NGHOST * sizeof(float));
	if (probs == NULL || ghost == NULL)
		goto out;
	for (i = from; i < to; i += B) {
		b.B = to - i < B ? to - i : B;
		b.x = ds->x + i * ds->W * MODEL_NFEAT;
		b.label = ds->label + i;
		b.ghost = ds->ghost + i * MODEL_NGHOST;
		b.mask = ds->mask + i;
		sum += (double)model_forward(m, &b, probs, ghost) * b.B;
		for (j = 0; j < b.B; j++) {
			arg = 0;
			for (k = 1; k < MODEL_NCLASS; k++)
				if (probs[j * MODEL_NCLASS + k] >
				    probs[j * MODEL_NCLASS + arg])
					arg = k;
			right += arg == b.label[j];
			major += majority == b.label[j];
		}
	}
	*loss = sum / (to - from);
	*acc = (double)right / (to - from);
	*major_acc = (double)major / (to - from);
out:
	free(probs);
	free(ghost);
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
	int majority = 0, since_best = 0, r = CK_ERR, e;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	c.ds = ds;
	c.o = o;
	c.path = path;
	c.res = res;
	c.mygen = meta->generation;
	c.t_run = t_run;
	c.model_id = meta->model_id;
	for (i = 1; i < MODEL_NCLASS; i++)
		if (ds->count[i] > ds->count[majority])
			majority = i;
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
		trainloop_eval(m, ds, ds->ntrain, ds->n, o->batch, majority,
		    &es.val_loss, &es.val_acc, &es.major_acc);
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

/* The per-epoch CSV table, as train-batch(1) writes it. */
void
trainloop_epoch_header(FILE *f)
{
	fputs("epoch,train_loss,val_loss,val_acc,majority_acc,samples_per_s\n",
	    f);
}

static void
print_num(FILE *f, double x)
{
	if (!isnan(x))
		fprintf(f, "%.6g", x);
}

void
trainloop_epoch_row(FILE *f, const struct epochstat *e)
{
	fprintf(f, "%d,", e->epoch);
	print_num(f, e->train_loss);
	putc(',', f);
	print_num(f, e->val_loss);
	putc(',', f);
	print_num(f, e->val_acc);
	putc(',', f);
	print_num(f, e->major_acc);
	fprintf(f, ",%.0f\n", e->rate);
}

/* A bar: epoch, percentage, rate, ETA of the whole run; starts with \r. */
void
trainloop_bar(FILE *f, const struct trainprog *p)
{
	double left, pct;
	char bar[31];
	int i, n;

	pct = p->total ? (double)p->done / p->total : 1;
	n = (int)(pct * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < n ? '#' : ' ';
	bar[30] = '\0';
	left = ((double)(p->epochs - p->epoch) * p->total + p->total -
	    p->done) / (p->rate > 0 ? p->rate : 1);
	fprintf(f, "\repoch %d/%d [%s] %3.0f%% %8.0f samples/s  ETA "
	    "%d:%02d ", p->epoch, p->epochs, bar, pct * 100, p->rate,
	    (int)left / 60, (int)left % 60);
}

static void
json_num(FILE *f, const char *key, double x, const char *sep)
{
	if (isnan(x))
		fprintf(f, "  \"%s\": null%s\n", key, sep);
	else
		fprintf(f, "  \"%s\": %.9g%s\n", key, x, sep);
}

void
trainloop_json(FILE *f, const char *model, const struct ckpt_meta *meta,
    const struct dataset *ds, const struct trainresult *r)
{
	static const char *stops[] = { "done", "patience", "signal" };
	char tu[40] = "";

	if (meta->trained_until != CKTIME_NONE)
		time_format(tu, meta->trained_until);
	fprintf(f, "{\n  \"model\": \"%s\",\n", model);
	fprintf(f, "  \"generation\": %llu,\n",
	    (unsigned long long)meta->generation);
	fprintf(f, "  \"trained_until\": \"%s\",\n", tu);
	fprintf(f, "  \"stopped\": \"%s\",\n", stops[r->stop]);
	fprintf(f, "  \"epochs\": %d,\n  \"steps\": %ld,\n  \"slices\": %ld,\n",
	    r->epochs, r->steps, r->slices);
	fprintf(f, "  \"train_samples\": %ld,\n  \"val_samples\": %ld,\n",
	    ds->ntrain, ds->n - ds->ntrain);
	json_num(f, "train_loss", r->epochs ? r->last.train_loss : NAN, ",");
	json_num(f, "val_loss", r->epochs ? r->last.val_loss : NAN, ",");
	json_num(f, "val_acc", r->epochs ? r->last.val_acc : NAN, ",");
	json_num(f, "majority_acc", r->epochs ? r->last.major_acc : NAN, ",");
	json_num(f, "samples_per_s", r->epochs ? r->last.rate : NAN, ",");
	fprintf(f, "  \"best_epoch\": %d,\n", r->best_epoch);
	json_num(f, "best_val_loss", r->best_epoch ? r->best.val_loss : NAN, ",");
	json_num(f, "best_val_acc", r->best_epoch ? r->best.val_acc : NAN, ",");
	fprintf(f, "  \"best_restored\": %s,\n",
	    r->best_restored ? "true" : "false");
	fprintf(f, "  \"seconds\": %.3f\n}\n", r->seconds);
}
