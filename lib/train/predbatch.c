/*
 * predbatch.c - batched prediction of consecutive windows (predbatch.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	pb->nx = model_xsize(cfg);
	pb->x = malloc((size_t)cap * pb->nx * sizeof(float));
	pb->scale = malloc((size_t)cap * sizeof(double));
	pb->close = malloc((size_t)cap * sizeof(double));
	pb->has = malloc((size_t)cap * sizeof(int));
	pb->probs = malloc((size_t)cap * MODEL_NCLASS * sizeof(float));
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
	memset(pb, 0, sizeof(*pb));
}

int
predbatch_add(struct predbatch *pb, const struct history *hi,
    const struct ctxwin *cw, long i)
{
	int r = pb->n, w = pb->nw;
	long j = history_index(hi, i);

	if (r == pb->cap)
		return -1;
	pb->has[r] = window_input(hi, cw, i, pb->W, pb->x + (size_t)w * pb->nx,
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
	    pb->ghost);
	for (r = 0, i = 0; r < n; r++) {
		struct prediction *p = &out[r];

		if (!pb->has[r])
			continue;
		for (k = 0; k < MODEL_NCLASS; k++)
			p->p[k] = pb->probs[i * MODEL_NCLASS + k];
		p->action = action_choose(p->p, minconf, &p->conf);
		memcpy(p->next, pb->next + 4 * i, sizeof(p->next));
		p->gen = lv->meta.generation;
		i++;
	}
	return nw;
}
