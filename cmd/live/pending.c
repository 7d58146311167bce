/*
 * pending.c - held rows, predicted and written (see pending.h).
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pending.h"

int
pending_init(struct pending *p, struct cstream *cs, const char *prefix,
    int training, int batch, const struct model_config *cfg, char *err,
    size_t errlen)
{
	memset(p, 0, sizeof(*p));
	if (predcols_add(&p->pc, cs, prefix, training, err, errlen) != 0 ||
	    predcols_heads(&p->pc, cs, prefix, model_ghost_steps(cfg) - 1,
	    cfg->npiv, cfg->piv_level, err, errlen) != 0 ||
	    rowqueue_init(&p->q, cs, batch, err, errlen) != 0 ||
	    predbatch_init(&p->pb, batch, cfg, err, errlen) != 0 ||
	    predbatch_heads(&p->pb, cfg, err, errlen) != 0)
		return CK_ERR;
	if ((p->pred = calloc((size_t)batch, sizeof(*p->pred))) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	return 0;
}

void
pending_free(struct pending *p)
{
	rowqueue_free(&p->q);
	predbatch_free(&p->pb);
	free(p->pred);
	memset(p, 0, sizeof(*p));
}

int
pending_take(struct pending *p, const struct cstream *cs,
    const struct history *hi, const struct ctxwin *cw, long i)
{
	int r = rowqueue_take(&p->q, cs);

	if (r < 0 || predbatch_add(&p->pb, hi, cw, i) != r)
		return -1;
	return r;
}

void
pending_flush(struct pending *p, struct live *lv, struct csvout *out)
{
	int r, rc;

	if (p->q.n == 0)
		return;
	rc = live_reload(lv);
	if (rc < 0 && !p->failing)
		warnx("reload failed, keeping generation %llu: %s",
		    (unsigned long long)lv->meta.generation, lv->lasterr);
	p->failing = rc < 0;
	p->preds += predbatch_run(&p->pb, lv, p->minconf, p->pred);
	for (r = 0; r < p->q.n; r++)
		if (p->pb.has[r])
			predcols_set(&p->pc, &p->q, r, &p->pred[r]);
	p->rows += p->q.n;
	rowqueue_write(&p->q, out);
}
