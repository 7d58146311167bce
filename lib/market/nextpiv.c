/*
 * nextpiv.c - the next confirmed pivot of each level (see nextpiv.h).
 */
#include <stdio.h>
#include <string.h>

#include "nextpiv.h"

int
nextpiv_init(struct nextpiv *np, int k, const int *levels, int nlev,
    char *err, size_t errlen)
{
	int j;

	memset(np, 0, sizeof(*np));
	if (nlev < 1 || nlev > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "levels %d not in 1..%d", nlev,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	for (j = 0; j < nlev; j++)
		if (levels[j] < 1 || levels[j] > PIVOTS_MAXLEVEL ||
		    (j > 0 && levels[j] <= levels[j - 1])) {
			snprintf(err, errlen, "levels must increase within "
			    "1..%d", PIVOTS_MAXLEVEL);
			return CK_ERR;
		}
	if (pivots_init(&np->p, k, levels[nlev - 1], err, errlen) != 0)
		return CK_ERR;
	np->nlev = nlev;
	for (j = 0; j < nlev; j++) {
		np->level[j] = levels[j];
		np->lo[j] = 0;
	}
	return 0;
}

void
nextpiv_free(struct nextpiv *np)
{
	pivots_free(&np->p);
	memset(np, 0, sizeof(*np));
}

unsigned
nextpiv_push(struct nextpiv *np, const struct candle *c,
    struct nextpiv_target out[])
{
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	const struct pivot *pv;
	long n = np->p.n;
	unsigned mask = 0;
	int j, type;

	pivots_push(&np->p, c, conf);
	for (j = 0; j < np->nlev; j++) {
		const struct pivot_conf *cf = &conf[np->level[j] - 1];

		if (cf->hi.i < 0 && cf->lo.i < 0)
			continue;
		if (cf->hi.i >= 0 && (cf->lo.i < 0 || cf->hi.i <= cf->lo.i)) {
			pv = &cf->hi;
			type = 1;
		} else {
			pv = &cf->lo;
			type = -1;
		}
		if (np->lo[j] >= n)	/* nothing unresolved before n */
			continue;
		out[j].type = type;
		out[j].price = pv->price;
		out[j].pivot = pv->i;
		out[j].from = np->lo[j];
		np->lo[j] = n;
		mask |= 1u << j;
	}
	return mask;
}
