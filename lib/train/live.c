/*
 * live.c - a model kept current with its checkpoint (see live.h).
 */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "features.h"
#include "live.h"
#include "model.h"

int
live_open(struct live *lv, const char *path, int maxB, int nthreads,
    char *err, size_t errlen)
{
	int rc;

	memset(lv, 0, sizeof(*lv));
	lv->path = path;
	/* the stamp of the very file loaded: a commit after it is seen */
	if ((rc = ckpt_load_stamp(path, &lv->m, &lv->meta, &lv->stamp, err,
	    errlen)) != 0)
		return rc;
	if (model_reserve(&lv->m, maxB, nthreads, err, errlen) != 0) {
		live_close(lv);
		return CK_ERR;
	}
	return 0;
}

void
live_close(struct live *lv)
{
	if (lv->m.params)
		model_free(&lv->m);
	if (lv->spare.params)
		model_free(&lv->spare);
	memset(lv, 0, sizeof(*lv));
}

void
live_stamp(struct live *lv)
{
	if (ckpt_stamp(lv->path, &lv->stamp) != 0 ||
	    lv->stamp.model_id != lv->meta.model_id ||
	    lv->stamp.generation != lv->meta.generation)
		memset(&lv->stamp, 0, sizeof(lv->stamp));
}

#define BACKOFF_MIN	0.1	/* s, the pause after a first failed reload */
#define BACKOFF_MAX	10.0

/* A failed reload: count it, and pause before the next (live.h). */
static int
reload_failed(struct live *lv)
{
	lv->loadfail++;
	lv->backoff = lv->backoff < BACKOFF_MIN ? BACKOFF_MIN :
	    lv->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : lv->backoff * 2;
	lv->retry_at = ck_now() + lv->backoff;
	return -1;
}

int
live_reload(struct live *lv)
{
	struct ckpt_stamp st;
	struct ckpt_meta meta;
	const struct model_config *a, *b;
	int rc;

	if (lv->holding)
		return 0;
	if (lv->backoff > 0 && ck_now() < lv->retry_at)
		return 0;
	if (!ckpt_changed(lv->path, &lv->stamp))
		return 0;
	/* the stamp of what is read, from the same open file */
	rc = ckpt_load_stamp(lv->path, &lv->spare, &meta, &st, lv->lasterr,
	    sizeof(lv->lasterr));
	if (rc == CK_EDATA)
		lv->stamp = st;		/* a bad file: wait for another */
	if (rc != 0)
		return reload_failed(lv);
	lv->stamp = st;
	a = &lv->m.cfg;
	b = &lv->spare.cfg;
	if (!model_config_same(a, b)) {
		snprintf(lv->lasterr, sizeof(lv->lasterr),
		    "%s: replaced by a model of another configuration "
		    "(W%d d%d L%d h%d, %d context sequences); keeping the "
		    "loaded weights", lv->path, b->W, b->d, b->L, b->h, b->nctx);
		return reload_failed(lv);
	}
	lv->backoff = 0;
	if (meta.model_id == lv->meta.model_id &&
	    meta.generation == lv->meta.generation)
		return 0;
	memcpy(lv->m.params, lv->spare.params, lv->m.nparams * sizeof(float));
	memcpy(lv->m.m, lv->spare.m, lv->m.nparams * sizeof(float));
	memcpy(lv->m.v, lv->spare.v, lv->m.nparams * sizeof(float));
	lv->m.step = lv->spare.step;
	lv->m.temperature = lv->spare.temperature;
	lv->meta = meta;
	lv->reloads++;
	return 1;
}

void
live_predict(struct live *lv, const float *x, int B, const double *close,
    const double *scale, float *probs, double *next, float *ghost,
    float *piv)
{
	int i, k, G = model_ghost_steps(&lv->m.cfg);

	model_predict_heads(&lv->m, x, B, probs, ghost, piv);
	for (i = 0; i < B; i++)
		for (k = 0; k < G; k++)
			features_unghost(next + 4 * ((size_t)i * G + k), ghost +
			    MODEL_NGHOST * ((size_t)i * G + k), close[i],
			    scale[i]);
}
