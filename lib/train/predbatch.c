/*
 * predbatch.c - batched prediction of consecutive windows (predbatch.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "model.h"
#include "predbatch.h"
#include "window.h"

_Static_assert(MODEL_NCLASS == ACTION_N, "the model's classes are the actions");

int
predbatch_init(struct predbatch *pb, int cap, const struct model_config *cfg,
    char *err, size_t errlen)
{
	memset(pb, 0, sizeof(*pb));
	pb->cap = cap;
	pb->W = cfg->W;
	pb->pivk = window_pivk(cfg);
	pb->nx = model_xsize(cfg);
	pb->x = malloc((size_t)cap * pb->nx * sizeof(float));
	pb->scale = malloc((size_t)cap * sizeof(double));
	pb->close = malloc((size_t)cap * sizeof(double));
	pb->has = malloc((size_t)cap * sizeof(int));
	pb->probs = malloc((size_t)cap * MODEL_NCLASS * sizeof(float));
	pb->G = 1;
	pb->ghost = malloc((size_t)cap * MODEL_NGHOST * sizeof(float));
	pb->next = malloc((size_t)cap * 4 * sizeof(double));
	if (!pb->x || !pb->scale || !pb->close || !pb->has || !pb->probs ||
	    !pb->ghost || !pb->next) {
		predbatch_free(pb);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

void
predbatch_free(struct predbatch *pb)
{
	free(pb->x);
	free(pb->scale);
	free(pb->close);
	free(pb->has);
	free(pb->probs);
	free(pb->ghost);
	free(pb->next);
	free(pb->piv);
	memset(pb, 0, sizeof(*pb));
}

int
predbatch_heads(struct predbatch *pb, const struct model_config *cfg,
    char *err, size_t errlen)
{
	int G = model_ghost_steps(cfg), P = cfg->npiv;
	float *g = malloc((size_t)pb->cap * G * MODEL_NGHOST * sizeof(float));
	double *nx = malloc((size_t)pb->cap * G * 4 * sizeof(double));
	float *pv = malloc((size_t)pb->cap * (P + 1) * 3 * sizeof(float));

	if (g == NULL || nx == NULL || pv == NULL || G > PRED_MAXGHOST ||
	    P > PRED_MAXPIV) {
		free(g);
		free(nx);
		free(pv);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	free(pb->ghost);
	free(pb->next);
	free(pb->piv);
	pb->ghost = g;
	pb->next = nx;
	pb->piv = pv;
	pb->G = G;
	pb->P = P;
	return 0;
}

/* The heads' outputs of the run's i-th full window into p. */
static void
heads_out(const struct predbatch *pb, int i, struct prediction *p)
{
	double pr[4];
	float z[4];
	const float *v;
	int k, j;

	p->nmore = pb->G - 1;
	for (k = 1; k < pb->G; k++)
		for (j = 0; j < 4; j++)
			p->more[k - 1][j] = pb->next[((size_t)i * pb->G + k) * 4 + j];
	p->npiv = pb->P;
	for (k = 0; k < pb->P; k++) {
		v = pb->piv + ((size_t)i * pb->P + k) * 3;
		p->piv[k].type = v[0] >= 0.5f ? 1 : -1;
		p->piv[k].p = v[0] >= 0.5f ? v[0] : 1.0f - v[0];
		z[0] = z[1] = z[2] = z[3] = v[1];
		features_unghost(pr, z, pb->close[i], pb->scale[i]);
		p->piv[k].price = pr[0];
		p->piv[k].in = v[2];
	}
}

int
predbatch_add(struct predbatch *pb, const struct history *hi,
    const struct ctxwin *cw, long i)
{
	int r = pb->n, w = pb->nw;
	long j = history_index(hi, i);

	if (r == pb->cap)
		return -1;
	pb->has[r] = window_input(hi, cw, i, pb->W, pb->pivk, pb->x + (size_t)w * pb->nx,
	    &pb->scale[w]) == 0;
	pb->close[w] = j >= 0 ? hi->c[j] : 0;
	pb->nw += pb->has[r];
	pb->n++;
	return r;
}

int
predbatch_run(struct predbatch *pb, struct live *lv, float minconf,
    struct prediction *out)
{
	int nw = pb->nw, n = pb->n, r, i, k;

	pb->n = pb->nw = 0;
	if (nw == 0)
		return 0;
	/* the full windows only, in x's order: slot r's is the i-th */
	live_predict(lv, pb->x, nw, pb->close, pb->scale, pb->probs, pb->next,
	    pb->ghost, pb->P > 0 ? pb->piv : NULL);
	for (r = 0, i = 0; r < n; r++) {
		struct prediction *p = &out[r];

		if (!pb->has[r])
			continue;
		for (k = 0; k < MODEL_NCLASS; k++)
			p->p[k] = pb->probs[i * MODEL_NCLASS + k];
		p->action = action_choose(p->p, minconf, &p->conf);
		memcpy(p->next, pb->next + (size_t)4 * pb->G * i,
		    sizeof(p->next));
		p->gen = lv->meta.generation;
		heads_out(pb, i, p);
		i++;
	}
	return nw;
}
