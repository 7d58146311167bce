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
predbatch_init(struct predbatch *pb, int cap, int W, char *err, size_t errlen)
{
	memset(pb, 0, sizeof(*pb));
	pb->cap = cap;
	pb->W = W;
	pb->x = malloc((size_t)cap * W * MODEL_NFEAT * sizeof(float));
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
predbatch_add(struct predbatch *pb, const struct history *hi, long i)
{
	int r = pb->n;
	long j = history_index(hi, i);

	if (r == pb->cap)
		return -1;
	pb->has[r] = window_features(hi, i, pb->W,
	    pb->x + (size_t)r * pb->W * MODEL_NFEAT, &pb->scale[r]) == 0;
	pb->close[r] = j >= 0 ? hi->c[j] : 0;
	pb->n++;
	return r;
}

int
predbatch_run(struct predbatch *pb, struct live *lv, float minconf,
    struct prediction *out)
{
	int first, nw, i, k;

	/* windows are of consecutive candles: once one is full, the
	 * later ones are too */
	for (first = 0; first < pb->n && !pb->has[first]; first++)
		;
	nw = pb->n - first;
	pb->n = 0;
	if (nw == 0)
		return 0;
	live_predict(lv, pb->x + (size_t)first * pb->W * MODEL_NFEAT, nw,
	    pb->close + first, pb->scale + first, pb->probs, pb->next,
	    pb->ghost);
	for (i = 0; i < nw; i++) {
		struct prediction *p = &out[first + i];

		for (k = 0; k < MODEL_NCLASS; k++)
			p->p[k] = pb->probs[i * MODEL_NCLASS + k];
		p->action = action_choose(p->p, minconf, &p->conf);
		memcpy(p->next, pb->next + 4 * i, sizeof(p->next));
		p->gen = lv->meta.generation;
	}
	return nw;
}
