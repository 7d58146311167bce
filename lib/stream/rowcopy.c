/*
 * rowcopy.c - a row's input fields, copied (see rowcopy.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rowcopy.h"

int
rowcopy_take(struct rowcopy *r, const struct cstream *cs)
{
	size_t need = 0, len, *noff;
	const char *f;
	char *nbuf;
	int i;

	if (r->off == NULL || r->ncol != cs->ncol) {
		noff = realloc(r->off, ((size_t)cs->ncol + 1) * sizeof(size_t));
		if (noff == NULL)
			return -1;
		r->off = noff;
		r->ncol = cs->ncol;
	}
	for (i = 0; i < cs->ncol; i++) {
		cstream_field(cs, i, &len);
		need += len;
	}
	if (need > r->cap) {
		if ((nbuf = realloc(r->buf, 2 * need + 64)) == NULL)
			return -1;
		r->buf = nbuf;
		r->cap = 2 * need + 64;
	}
	r->len = 0;
	for (i = 0; i < cs->ncol; i++) {
		f = cstream_field(cs, i, &len);
		r->off[i] = r->len;
		memcpy(r->buf + r->len, f, len);
		r->len += len;
	}
	r->off[cs->ncol] = r->len;
	return 0;
}

const char *
rowcopy_field(const struct rowcopy *r, int i, size_t *len)
{
	*len = r->off[i + 1] - r->off[i];
	return r->buf + r->off[i];
}

void
rowcopy_free(struct rowcopy *r)
{
	free(r->buf);
	free(r->off);
	memset(r, 0, sizeof(*r));
}
