/*
 * predcols.c - prediction columns as text (see predcols.h).
 */
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "predcols.h"

static const char *const name[PC_N] = {
	"action", "confidence", "p_hold", "p_buy", "p_sell",
	"next_open", "next_high", "next_low", "next_close", "model_gen",
	"label", "label_time", "loss"
};

int
predcols_add(struct predcols *pc, struct cstream *cs, const char *prefix,
    int training, char *err, size_t errlen)
{
	char col[256];
	int c;

	pc->n = training ? PC_N : PC_NPRED;
	for (c = 0; c < pc->n; c++) {
		if ((size_t)snprintf(col, sizeof(col), "%s%s", prefix,
		    name[c]) >= sizeof(col)) {
			snprintf(err, errlen, "prefix too long: %.40s...",
			    prefix);
			return CK_ERR;
		}
		if ((pc->k[c] = cstream_addcol(cs, col)) < 0) {
			snprintf(err, errlen, "cannot add column %s", col);
			return CK_ERR;
		}
	}
	return 0;
}

void
predcols_set(const struct predcols *pc, struct rowqueue *q, int r,
    const struct prediction *p)
{
	const char *a = action_name(p->action);
	char b[24];
	int i;

	rowqueue_set(q, r, pc->k[PC_ACTION], a, strlen(a));
	rowqueue_setfloat(q, r, pc->k[PC_CONF], p->conf);
	for (i = 0; i < 3; i++)
		rowqueue_setfloat(q, r, pc->k[PC_PHOLD + i], p->p[i]);
	for (i = 0; i < 4; i++)
		rowqueue_setnum(q, r, pc->k[PC_NOPEN + i], p->next[i]);
	rowqueue_set(q, r, pc->k[PC_GEN], b, (size_t)snprintf(b, sizeof(b),
	    "%llu", (unsigned long long)p->gen));
}

void
predcols_label(const struct predcols *pc, struct rowqueue *q, int r,
    int action, cktime t)
{
	const char *a = action_name(action);

	rowqueue_set(q, r, pc->k[PC_LABEL], a, strlen(a));
	rowqueue_settime(q, r, pc->k[PC_LTIME], t);
}

void
predcols_loss(const struct predcols *pc, struct rowqueue *q, int r,
    float loss)
{
	rowqueue_setfloat(q, r, pc->k[PC_LOSS], loss);
}
