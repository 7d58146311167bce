/*
 * pivrows.c - the stream side of pivots(1): added columns, streaming rows,
 * the --at-pivot queue of held rows and the --annotations marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "cstream.h"
#include "csvio.h"
#include "pivots.h"
#include "pivrows.h"
#include "rowcopy.h"
#include "timeparse.h"

int
pivrows_addcols(struct cstream *cs, int levels, int trend, int *col)
{
	char name[32];
	int n;

	for (n = 1; n <= levels; n++) {
		snprintf(name, sizeof(name), "pivot%d_high", n);
		col[3 * (n - 1)] = cstream_addcol(cs, name);
		snprintf(name, sizeof(name), "pivot%d_low", n);
		col[3 * (n - 1) + 1] = cstream_addcol(cs, name);
		col[3 * (n - 1) + 2] = -1;
		if (trend) {
			snprintf(name, sizeof(name), "trend%d", n);
			col[3 * (n - 1) + 2] = cstream_addcol(cs, name);
		}
		if (col[3 * (n - 1)] < 0 || col[3 * (n - 1) + 1] < 0 ||
		    (trend && col[3 * (n - 1) + 2] < 0))
			return -1;
	}
	return 0;
}

/*
 * Formatting a time was a tenth of the run time.  Only canonical texts
 * without a fraction (20 bytes) are copied, so the output is the same as
 * cstream_settime's.
 */
int
pivtexts_init(struct pivtexts *tx, int k)
{
	long cap;

	for (cap = 1; cap < k + 1; cap *= 2)
		;
	tx->mask = cap - 1;
	tx->ok = NULL;
	if ((tx->s = calloc(cap, sizeof(*tx->s))) == NULL ||
	    (tx->ok = calloc(cap, 1)) == NULL)
		return -1;
	return 0;
}

void
pivtexts_keep(struct pivtexts *tx, const struct cstream *cs, long row)
{
	const char *s;
	size_t len;

	s = cstream_field(cs, 0, &len);
	tx->ok[row & tx->mask] = len == 20;
	if (len == 20)
		memcpy(tx->s[row & tx->mask], s, 20);
}

void
pivtexts_free(struct pivtexts *tx)
{
	free(tx->s);
	free(tx->ok);
}

static void
settime(struct cstream *cs, int k, const struct pivtexts *tx,
    const struct pivot *pv)
{
	if (tx != NULL && tx->ok[pv->i & tx->mask])
		cstream_set(cs, k, tx->s[pv->i & tx->mask], 20);
	else
		cstream_settime(cs, k, pv->t);
}

void
pivrows_setrow(struct cstream *cs, int levels, int trend, const int *col,
    const struct pivots *p, const struct pivot_conf *conf,
    const struct pivtexts *tx)
{
	const char *tr;
	int n;

	for (n = 1; n <= levels; n++) {
		if (conf[n - 1].hi.i >= 0)
			settime(cs, col[3 * (n - 1)], n == 1 ? tx : NULL,
			    &conf[n - 1].hi);
		if (conf[n - 1].lo.i >= 0)
			settime(cs, col[3 * (n - 1) + 1], n == 1 ? tx : NULL,
			    &conf[n - 1].lo);
		if (trend) {
			tr = pivots_trendname(pivots_trend(p, n));
			cstream_set(cs, col[3 * (n - 1) + 2], tr, strlen(tr));
		}
	}
}

static struct pivheld *
pivq_at(struct pivq *q, long i)
{
	return &q->row[(q->head + (i - q->base)) % q->cap];
}

int
pivq_push(struct pivq *q, const struct cstream *cs, int levels,
    const struct pivots *p, cktime t)
{
	struct pivheld *h, *nrow;
	long j;
	int n;

	if (q->len == q->cap) {
		nrow = calloc(q->cap ? 2 * q->cap : 64, sizeof(*nrow));
		if (nrow == NULL)
			return -1;
		for (j = 0; j < q->len; j++)
			nrow[j] = q->row[(q->head + j) % q->cap];
		free(q->row);
		q->row = nrow;
		q->head = 0;
		q->cap = q->cap ? 2 * q->cap : 64;
	}
	h = pivq_at(q, q->base + q->len);
	if (rowcopy_take(&h->in, cs) != 0)
		return -1;
	h->t = t;
	h->flags = 0;
	for (n = 1; n <= levels; n++)
		h->trend[n - 1] = pivots_trend(p, n);
	q->len++;
	return 0;
}

void
pivq_mark(struct pivq *q, int levels, const struct pivot_conf *conf)
{
	int n;

	for (n = 1; n <= levels; n++) {
		if (conf[n - 1].hi.i >= 0)
			pivq_at(q, conf[n - 1].hi.i)->flags |= PIVOT_H(n);
		if (conf[n - 1].lo.i >= 0)
			pivq_at(q, conf[n - 1].lo.i)->flags |= PIVOT_L(n);
	}
}

/* The value of added column k for a held row, as text in b. */
static size_t
heldval(char *b, const struct pivheld *h, int levels, int k, const int *col)
{
	const char *tr;
	int n;

	for (n = 1; n <= levels; n++) {
		if ((k == col[3 * (n - 1)] && (h->flags & PIVOT_H(n))) ||
		    (k == col[3 * (n - 1) + 1] && (h->flags & PIVOT_L(n))))
			return time_format(b, h->t);
		if (k == col[3 * (n - 1) + 2]) {
			tr = pivots_trendname(h->trend[n - 1]);
			memcpy(b, tr, strlen(tr));
			return strlen(tr);
		}
	}
	return 0;
}

void
pivq_release(struct pivq *q, const struct cstream *cs, struct csvout *out,
    int levels, const int *col, long upto)
{
	struct pivheld *h;
	const char *f;
	size_t len;
	char b[40];
	int i, k;

	while (q->len > 0 && q->base < upto) {
		h = pivq_at(q, q->base);
		for (i = 0; i < cs->ncol; i++) {
			for (k = 0; k < cs->nadd; k++)
				if (cs->addcol[k] == i)
					break;
			if (k < cs->nadd)
				csvout_field(out, b, heldval(b, h, levels, k,
				    col));
			else {
				f = rowcopy_field(&h->in, i, &len);
				csvout_field(out, f, len);
			}
		}
		for (k = 0; k < cs->nadd; k++)
			if (cs->addcol[k] < 0)
				csvout_field(out, b, heldval(b, h, levels, k,
				    col));
		csvout_end(out);
		q->head = (q->head + 1) % q->cap;
		q->len--;
		q->base++;
	}
}

void
pivq_free(struct pivq *q)
{
	long j;

	for (j = 0; j < q->cap; j++)
		rowcopy_free(&q->row[j].in);
	free(q->row);
}

int
pivmarks_add(struct pivmarks *ms, const struct pivot *pv, unsigned kind)
{
	struct pivmark *nm;
	long j;

	for (j = 0; j < ms->len; j++)
		if (ms->m[j].i == pv->i) {
			ms->m[j].kind |= kind;
			return 0;
		}
	if (ms->len == ms->cap) {
		if ((nm = realloc(ms->m, (ms->cap ? 2 * ms->cap : 16) *
		    sizeof(*nm))) == NULL)
			return -1;
		ms->m = nm;
		ms->cap = ms->cap ? 2 * ms->cap : 16;
	}
	for (j = ms->len; j > 0 && ms->m[j - 1].i > pv->i; j--)
		ms->m[j] = ms->m[j - 1];
	ms->m[j].i = pv->i;
	ms->m[j].t = pv->t;
	ms->m[j].kind = kind;
	ms->len++;
	return 0;
}

void
pivmarks_release(struct pivmarks *ms, struct csvout *out, long upto)
{
	struct pivmark *m = ms->m;
	char b[40];
	long j, done;

	for (done = 0; done < ms->len && m[done].i < upto; done++) {
		if (m[done].kind == 3)
			continue;	/* both: no action */
		csvout_field(out, b, time_format(b, m[done].t));
		csvout_str(out, m[done].kind == 1 ? "SELL" : "BUY");
		csvout_end(out);
	}
	for (j = done; j < ms->len; j++)
		m[j - done] = m[j];
	ms->len -= done;
}

void
pivmarks_free(struct pivmarks *ms)
{
	free(ms->m);
}
