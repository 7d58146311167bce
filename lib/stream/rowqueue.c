/*
 * rowqueue.c - rows held until their added values are known (rowqueue.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cktime.h"
#include "csvio.h"
#include "rowqueue.h"

int
rowqueue_init(struct rowqueue *q, const struct cstream *cs, int cap,
    char *err, size_t errlen)
{
	int i, k;

	memset(q, 0, sizeof(*q));
	q->cap = cap;
	q->ncol = cs->ncol;
	q->nadd = cs->nadd;
	q->repl = malloc(((size_t)cs->ncol + 1) * sizeof(int));
	q->in = calloc((size_t)cap, sizeof(*q->in));
	q->val = malloc((size_t)cap * ((size_t)cs->nadd + 1) * ROWQUEUE_VALLEN);
	q->len = calloc((size_t)cap * ((size_t)cs->nadd + 1), 1);
	q->app = malloc((size_t)cs->nadd + 1);
	if (!q->repl || !q->in || !q->val || !q->len || !q->app) {
		rowqueue_free(q);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return CK_ERR;
	}
	for (i = 0; i < cs->ncol; i++)
		q->repl[i] = -1;
	for (k = 0; k < cs->nadd; k++) {
		q->app[k] = cs->addcol[k] < 0;
		if (!q->app[k])
			q->repl[cs->addcol[k]] = k;
	}
	return 0;
}

void
rowqueue_free(struct rowqueue *q)
{
	int r;

	if (q->in != NULL)
		for (r = 0; r < q->cap; r++)
			rowcopy_free(&q->in[r]);
	free(q->in);
	free(q->repl);
	free(q->val);
	free(q->len);
	free(q->app);
	memset(q, 0, sizeof(*q));
}

int
rowqueue_take(struct rowqueue *q, const struct cstream *cs)
{
	int r = q->n;

	if (r == q->cap || rowcopy_take(&q->in[r], cs) != 0)
		return -1;
	memset(q->len + (size_t)r * q->nadd, 0, (size_t)q->nadd);
	q->n++;
	return r;
}

int
rowqueue_set(struct rowqueue *q, int r, int k, const char *s, size_t len)
{
	size_t i = (size_t)r * q->nadd + k;

	if (r < 0 || r >= q->n || k < 0 || k >= q->nadd)
		return -1;
	if (len >= ROWQUEUE_VALLEN) {
		q->len[i] = 0;
		return -1;
	}
	memcpy(q->val + i * ROWQUEUE_VALLEN, s, len);
	q->len[i] = (unsigned char)len;
	return 0;
}

void
rowqueue_setfloat(struct rowqueue *q, int r, int k, float x)
{
	char b[40];

	rowqueue_set(q, r, k, b, fmt_float(b, x));
}

void
rowqueue_setnum(struct rowqueue *q, int r, int k, double x)
{
	char b[40];

	rowqueue_set(q, r, k, b, fmt_double(b, x));
}

void
rowqueue_settime(struct rowqueue *q, int r, int k, cktime t)
{
	char b[40];

	rowqueue_set(q, r, k, b, time_format(b, t));
}

void
rowqueue_write(struct rowqueue *q, struct csvout *out)
{
	const char *f;
	size_t len, v;
	int r, i, k;

	for (r = 0; r < q->n; r++) {
		v = (size_t)r * q->nadd;
		for (i = 0; i < q->ncol; i++) {
			if ((k = q->repl[i]) >= 0)
				csvout_field(out, q->val + (v + k) *
				    ROWQUEUE_VALLEN, q->len[v + k]);
			else {
				f = rowcopy_field(&q->in[r], i, &len);
				csvout_field(out, f, len);
			}
		}
		for (k = 0; k < q->nadd; k++)
			if (q->app[k])
				csvout_field(out, q->val + (v + k) *
				    ROWQUEUE_VALLEN, q->len[v + k]);
		csvout_end(out);
	}
	q->n = 0;
}
