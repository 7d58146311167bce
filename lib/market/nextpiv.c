/*
 * nextpiv.c - the next confirmed pivot of each level (see nextpiv.h), on
 * top of the streaming pivot engine: each row's confirmations resolve the
 * whole unresolved range of their level at once.
 */
#include <stdio.h>
#include <string.h>

#include "nextpiv.h"

int
nextpiv_init(struct nextpiv *np, int k, const int *levels, int nlev,
    char *err, size_t errlen)
{
	int j, top = 1;

	memset(np, 0, sizeof(*np));
	if (nlev < 1 || nlev > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "%d levels not in 1..%d", nlev,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	for (j = 0; j < nlev; j++) {
		if (levels[j] < 1 || levels[j] > PIVOTS_MAXLEVEL) {
			snprintf(err, errlen, "level %d not in 1..%d",
			    levels[j], PIVOTS_MAXLEVEL);
			return CK_ERR;
		}
		if (levels[j] > top)
			top = levels[j];
		np->level[j] = levels[j];
		np->lo[j] = 0;
	}
	np->nlev = nlev;
	return pivots_init(&np->p, k, top, err, errlen);
}

void
nextpiv_free(struct nextpiv *np)
{
	pivots_free(&np->p);
}

unsigned
nextpiv_push(struct nextpiv *np, const struct candle *c,
    struct nextpiv_target out[])
{
	struct pivot_conf conf[PIVOTS_MAXLEVEL];
	const struct pivot *hi, *lo, *pv;
	long n = np->p.n;
	unsigned mask = 0;
	int j;

	if (pivots_push(&np->p, c, conf) == 0)
		return 0;
	for (j = 0; j < np->nlev; j++) {
		hi = &conf[np->level[j] - 1].hi;
		lo = &conf[np->level[j] - 1].lo;
		if (hi->i < 0 && lo->i < 0)
			continue;
		/* both in one row: the earlier pivot candle; the same: H */
		if (hi->i >= 0 && (lo->i < 0 || hi->i <= lo->i)) {
			pv = hi;
			out[j].type = 1;
		} else {
			pv = lo;
			out[j].type = -1;
		}
		out[j].price = pv->price;
		out[j].pivot = pv->i;
		out[j].from = np->lo[j];
		np->lo[j] = n;
		mask |= 1u << j;
	}
	return mask;
}
