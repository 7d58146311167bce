/*
 * accum.c - accumulated online samples applied under the lock (accum.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accum.h"
#include "window.h"

int
accum_init(struct accum *a, int K, const struct model_config *cfg,
    const struct adamw *opt, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->K = K;
	a->W = cfg->W;
	a->pivk = window_pivk(cfg);
	a->nx = model_xsize(cfg);
	a->G = 1;
	a->opt = *opt;
	a->tmax = CKTIME_NONE;
	a->x = malloc((size_t)K * a->nx * sizeof(float));
	a->label = malloc((size_t)K * sizeof(int));
	a->ghost = malloc((size_t)K * MODEL_NGHOST * sizeof(float));
	a->mask = malloc((size_t)K * sizeof(float));
	a->probs = malloc((size_t)K * MODEL_NCLASS * sizeof(float));
	a->pghost = malloc((size_t)K * MODEL_NGHOST * sizeof(float));
	if (!a->x || !a->label || !a->ghost || !a->mask || !a->probs ||
	    !a->pghost) {
		accum_free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

void
accum_free(struct accum *a)
{
	free(a->x);
	free(a->label);
	free(a->ghost);
	free(a->mask);
	free(a->probs);
	free(a->pghost);
	free(a->piv);
	free(a->pmask);
	memset(a, 0, sizeof(*a));
}

int
accum_heads(struct accum *a, const struct model_config *cfg, char *err,
    size_t errlen)
{
	size_t K = a->K, G = model_ghost_steps(cfg), P = cfg->npiv;

	free(a->ghost);
	free(a->mask);
	free(a->pghost);
	free(a->piv);
	free(a->pmask);
	a->G = G;
	a->P = P;
	a->ghost = malloc(K * G * MODEL_NGHOST * sizeof(float));
	a->mask = malloc(K * G * sizeof(float));
	a->pghost = malloc(K * G * MODEL_NGHOST * sizeof(float));
	a->piv = malloc(K * (P + 1) * 3 * sizeof(float));
	a->pmask = malloc(K * (P + 1) * sizeof(float));
	if (!a->ghost || !a->mask || !a->pghost || !a->piv || !a->pmask) {
		accum_free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

int
accum_add(struct accum *a, const struct history *hi, const struct ctxwin *cw,
    long i, int label)
{
	return accum_add_piv(a, hi, cw, i, label, NULL, 0);
}

int
accum_add_piv(struct accum *a, const struct history *hi,
    const struct ctxwin *cw, long i, int label,
    const struct nextpiv_target *tg, unsigned have)
{
	float *x = a->x + (size_t)a->n * a->nx;
	float *g = a->ghost + (size_t)a->n * MODEL_NGHOST;
	double s;
	cktime t;
	int k;

	if (window_input(hi, cw, i, a->W, a->pivk, x, &s) != 0)
		return -1;
	if (a->G > 1) {
		/* the next G candles, those kept */
		t = history_time(hi, i);
		window_targets(hi, i, s, a->G, a->ghost + (size_t)a->n * a->G *
		    MODEL_NGHOST, a->mask + (size_t)a->n * a->G);
		for (k = 0; k < a->G; k++)
			if (a->mask[(size_t)a->n * a->G + k] != 0)
				t = history_time(hi, i + 1 + k);
	} else if (window_target(hi, i, s, g) == 0) {
		a->mask[a->n] = 1;
		t = history_time(hi, i + 1);
	} else {
		memset(g, 0, MODEL_NGHOST * sizeof(float));
		a->mask[a->n] = 0;
		t = history_time(hi, i);
	}
	for (k = 0; k < a->P; k++) {
		float *o = a->piv + ((size_t)a->n * a->P + k) * 3;

		a->pmask[(size_t)a->n * a->P + k] = 0;
		memset(o, 0, 3 * sizeof(float));
		if (tg != NULL && (have & 1u << k) &&
		    window_pivot_target(hi, i, s, &tg[k], o) == 0) {
			a->pmask[(size_t)a->n * a->P + k] = 1;
			/* confirmed by the newest candle at the latest */
			if (history_time(hi, hi->n - 1) > t)
				t = history_time(hi, hi->n - 1);
		}
	}
	if (a->tmax == CKTIME_NONE || t > a->tmax)
		a->tmax = t;
	a->label[a->n] = label;
	a->n++;
	return a->n == a->K;
}

/* One step on the kept samples, latest weights; the buffer is emptied.
 * 1, or 0 when the step was not applied (its loss, gradient or update not
 * finite: counted in refused, the samples dropped). */
static int
step(struct accum *a, struct model *m, struct ckpt_meta *meta)
{
	struct batch b;
	uint64_t st;

	b.B = a->n;
	b.x = a->x;
	b.label = a->label;
	b.ghost = a->ghost;
	b.mask = a->mask;
	b.weight = NULL;
	b.piv = a->P > 0 ? a->piv : NULL;
	b.pmask = a->P > 0 ? a->pmask : NULL;
	b.pw = a->pw;
	st = m->step;
	a->loss = model_train_step(m, &b, &a->opt);
	if (m->step == st) {	/* not finite: not applied, nothing written */
		a->refused++;
		a->n = 0;
		a->tmax = CKTIME_NONE;
		return 0;
	}
	if (a->after)
		a->loss_after = model_forward(m, &b, a->probs, a->pghost);
	if (meta->trained_until == CKTIME_NONE || a->tmax > meta->trained_until)
		meta->trained_until = a->tmax;
	a->n = 0;
	a->tmax = CKTIME_NONE;
	return 1;
}

/* ckpt_update's callback: one step on the kept samples, latest weights. */
static int
accum_step(struct model *m, struct ckpt_meta *meta, void *arg)
{
	return step(arg, m, meta);
}

int
accum_apply(struct accum *a, struct live *lv, const struct ckpt_lockopt *lk,
    char *err, size_t errlen)
{
	long refused = a->refused;
	int rc;

	if (a->n == 0)
		return 0;
	rc = ckpt_update(lv->path, &lv->m, &lv->meta, lk, accum_step, a, err,
	    errlen);
	if (rc == 0 && a->refused == refused)
		a->steps++;
	/*
	 * The stamp must name the file holding our weights: if another
	 * writer got in after our rename, or the update failed after the
	 * step (meta is then CKPT_GEN_STALE), the stamp is cleared and the
	 * next live_reload loads the file.
	 */
	if (rc != 0)
		memset(&lv->stamp, 0, sizeof(lv->stamp));
	else
		live_stamp(lv);
	a->n = 0;
	a->tmax = CKTIME_NONE;
	return rc;
}

struct group {
	struct accum		*a;
	struct live		*lv;
	const struct accum_group *lim;
	accum_morefn		 more;
	void			*arg;
	int			 n;	/* steps applied */
};

static double
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ckpt_update's callback for a group: steps while more input is waiting,
 * the generation in meta kept equal to the weights' after each (what the
 * rows predicted in between show). */
static int
group_steps(struct model *m, struct ckpt_meta *meta, void *arg)
{
	struct group *g = arg;
	double t0 = ms_now();
	int go;

	g->n = 0;
	g->lv->holding = 1;
	do {
		g->n += step(g->a, m, meta);	/* a refused step: 0 */
		meta->generation = m->step;
		go = g->n < g->lim->max_steps && ms_now() - t0 < g->lim->max_ms;
	} while (g->more(g->arg, go) == 1 && go && g->a->n > 0);
	g->lv->holding = 0;
	return g->n;
}

int
accum_apply_group(struct accum *a, struct live *lv,
    const struct ckpt_lockopt *lk, const struct accum_group *lim,
    accum_morefn more, void *arg, char *err, size_t errlen)
{
	struct group g = { a, lv, lim, more, arg, 0 };
	int rc;

	if (a->n == 0)
		return 0;
	rc = ckpt_update(lv->path, &lv->m, &lv->meta, lk, group_steps, &g, err,
	    errlen);
	if (rc == 0)
		a->steps += g.n;
	/* as accum_apply: the stamp names the file holding our weights */
	if (rc != 0)
		memset(&lv->stamp, 0, sizeof(lv->stamp));
	else
		live_stamp(lv);
	if (rc != 0) {
		a->n = 0;
		a->tmax = CKTIME_NONE;
	}
	return rc;
}
