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

static int addcol(struct cstream *, const char *, const char *, char *,
    size_t);

int
predcols_add(struct predcols *pc, struct cstream *cs, const char *prefix,
    int training, char *err, size_t errlen)
{
	int c;

	pc->n = training ? PC_N : PC_NPRED;
	pc->nmore = pc->npiv = 0;
	for (c = 0; c < pc->n; c++)
		if ((pc->k[c] = addcol(cs, prefix, name[c], err, errlen)) < 0)
			return CK_ERR;
	return 0;
}

/* Add column prefix + name; its slot, or -1 with err. */
static int
addcol(struct cstream *cs, const char *prefix, const char *name, char *err,
    size_t errlen)
{
	char col[256];
	int k;

	if ((size_t)snprintf(col, sizeof(col), "%s%s", prefix, name) >=
	    sizeof(col)) {
		snprintf(err, errlen, "prefix too long: %.40s...", prefix);
		return -1;
	}
	if ((k = cstream_addcol(cs, col)) < 0)
		snprintf(err, errlen, "cannot add column %s", col);
	return k;
}

int
predcols_heads(struct predcols *pc, struct cstream *cs, const char *prefix,
    int nmore, int npiv, const int *level, char *err, size_t errlen)
{
	static const char *const price[4] = { "open", "high", "low", "close" };
	static const char *const pivf[4] = { "type", "p", "price", "in" };
	char nm[64];
	int i, j;

	if (nmore < 0 || nmore >= PRED_MAXGHOST || npiv < 0 ||
	    npiv > PRED_MAXPIV) {
		snprintf(err, errlen, "%d ghost candles or %d pivot levels "
		    "out of range", nmore + 1, npiv);
		return CK_ERR;
	}
	pc->nmore = nmore;
	pc->npiv = npiv;
	for (i = 0; i < nmore; i++)
		for (j = 0; j < 4; j++) {
			snprintf(nm, sizeof(nm), "next%d_%s", i + 2, price[j]);
			if ((pc->kmore[i][j] = addcol(cs, prefix, nm, err,
			    errlen)) < 0)
				return CK_ERR;
		}
	for (i = 0; i < npiv; i++)
		for (j = 0; j < 4; j++) {
			snprintf(nm, sizeof(nm), "pivot_L%d_%s", level[i],
			    pivf[j]);
			if ((pc->kpiv[i][j] = addcol(cs, prefix, nm, err,
			    errlen)) < 0)
				return CK_ERR;
		}
	return 0;
}

/* The heads' columns of held row r. */
static void
set_heads(const struct predcols *pc, struct rowqueue *q, int r,
    const struct prediction *p)
{
	const struct pred_pivot *v;
	char b[40];
	int i, j, n;

	for (i = 0; i < pc->nmore && i < p->nmore; i++)
		for (j = 0; j < 4; j++)
			rowqueue_setnum(q, r, pc->kmore[i][j], p->more[i][j]);
	for (i = 0; i < pc->npiv && i < p->npiv; i++) {
		v = &p->piv[i];
		rowqueue_set(q, r, pc->kpiv[i][0], v->type > 0 ? "H" : "L", 1);
		rowqueue_setfloat(q, r, pc->kpiv[i][1], v->p);
		rowqueue_setnum(q, r, pc->kpiv[i][2], v->price);
		/* one decimal at most: 3 rather than 3.0 */
		n = snprintf(b, sizeof(b), "%.1f", v->in);
		if (n >= 2 && n < (int)sizeof(b) && strcmp(b + n - 2, ".0") == 0)
			n -= 2;
		if (n == 2 && strncmp(b, "-0", 2) == 0)
			b[0] = '0', n = 1;
		rowqueue_set(q, r, pc->kpiv[i][3], b, (size_t)n);
	}
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
	set_heads(pc, q, r, p);
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
