/*
 * pivcols.c - labels from the pivot columns upstream (see pivcols.h).
 */
#include <stdio.h>
#include <string.h>

#include "cktime.h"
#include "cstream.h"
#include "csvio.h"
#include "pivcols.h"
#include "timeparse.h"

static int
needcol(const struct cstream *cs, int m, int level, const char *kind,
    int *col, char *err, size_t errlen)
{
	char name[32];

	snprintf(name, sizeof(name), "pivot%d_%s", m, kind);
	if ((*col = cstream_col(cs, name)) < 0) {
		snprintf(err, errlen, "%s: no %s column: put pivots upstream "
		    "(pivots --levels %d | train-candle)", cstream_file(cs),
		    name, level);
		return CK_EDATA;
	}
	return 0;
}

int
pivcols_init(struct pivcols *ol, const struct cstream *cs,
    enum on on, int level, int k, int hold, double threshold, char *err,
    size_t errlen)
{
	int rc, m;

	memset(ol, 0, sizeof(*ol));
	ol->on = on;
	ol->level = on == ON_EVERY ? 1 : level;
	if (on == ON_NONE)
		return 0;
	if (ol->level < 1 || ol->level > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "level %d not in 1..%d", ol->level,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	for (m = 1; m <= ol->level; m++)
		if ((rc = needcol(cs, m, ol->level, "high", &ol->hcol[m - 1],
		    err, errlen)) != 0 ||
		    (rc = needcol(cs, m, ol->level, "low", &ol->lcol[m - 1],
		    err, errlen)) != 0)
			return rc;
	if (on == ON_EVERY)
		return labeler_init(&ol->lb, k, threshold, err, errlen);
	ol->hold = hold;
	if (hold)
		return pivstream_init(&ol->ps, k, ol->level, 1, err, errlen);
	return pivlabeler_init(&ol->pl, ol->level, err, errlen);
}

void
pivcols_free(struct pivcols *ol)
{
	if (ol->on == ON_EVERY)
		labeler_free(&ol->lb);
	if (ol->on == ON_PIVOTS && ol->hold)
		pivstream_free(&ol->ps);
	memset(ol, 0, sizeof(*ol));
}

/* A pivot time column of this row: 0 and *t (CKTIME_NONE when empty). */
static int
pivtime(const struct cstream *cs, int col, cktime *t, char *err,
    size_t errlen)
{
	size_t len;
	const char *s = cstream_field(cs, col, &len);

	*t = CKTIME_NONE;
	if (len == 0)
		return 0;
	if (time_parse_iso(s, len, t) != 0) {
		char q[64], qn[64];

		snprintf(err, errlen, "%s:%ld: %s: not a time: %s",
		    cstream_file(cs), cstream_line(cs),
		    quote_text(qn, sizeof(qn), cs->name[col],
		    strlen(cs->name[col])), quote_text(q, sizeof(q), s, len));
		return CK_EDATA;
	}
	return 0;
}

/* The pivots the labeller's own engine confirmed at this row against the
 * columns: equal, or CK_EDATA. */
static int
same_pivots(const struct pivcols *ol, const struct cstream *cs,
    const cktime *hi, const cktime *lo, char *err, size_t errlen)
{
	const struct pivot_conf *cf = ol->ps.conf;
	int m;

	for (m = 0; m < ol->level; m++)
		if ((cf[m].hi.i >= 0 ? cf[m].hi.t : CKTIME_NONE) != hi[m] ||
		    (cf[m].lo.i >= 0 ? cf[m].lo.t : CKTIME_NONE) != lo[m]) {
			snprintf(err, errlen, "%s:%ld: the pivot%d columns are "
			    "not the pivots of strength %d: give pivots and "
			    "train-candle the same -k", cstream_file(cs),
			    cstream_line(cs), m + 1, ol->ps.p.k);
			return CK_EDATA;
		}
	return 0;
}

int
pivcols_row(struct pivcols *ol, const struct cstream *cs,
    const struct candle *c, struct sample *out, char *err,
    size_t errlen)
{
	cktime hi[PIVOTS_MAXLEVEL], lo[PIVOTS_MAXLEVEL];
	cktime t[PIVCOLS_MAXSAMPLES];
	int label[PIVCOLS_MAXSAMPLES];
	long idx[PIVSTREAM_OUT];
	int rc, n, i, j, m;
	char why[160];

	if (ol->on == ON_NONE)
		return 0;
	for (m = 0; m < PIVOTS_MAXLEVEL; m++)	/* said for the analyzer */
		hi[m] = lo[m] = CKTIME_NONE;
	for (m = 0; m < ol->level; m++)
		if ((rc = pivtime(cs, ol->hcol[m], &hi[m], err, errlen)) != 0 ||
		    (rc = pivtime(cs, ol->lcol[m], &lo[m], err, errlen)) != 0)
			return rc;
	if (ol->on == ON_EVERY) {
		rc = labeler_push(&ol->lb, c->t, c->close, hi[0], lo[0], &t[0],
		    &label[0], why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s:%ld: %s", cstream_file(cs),
			    cstream_line(cs), why);
			return rc;
		}
		n = rc;
	} else if (ol->hold) {
		n = pivstream_push(&ol->ps, c, idx, t, label);
		if ((rc = same_pivots(ol, cs, hi, lo, err, errlen)) != 0)
			return rc;
	} else
		n = pivlabeler_push(&ol->pl, hi, lo, t, label);
	/* oldest candle first */
	for (i = 0; i < n; i++) {
		struct sample s = { t[i], label[i] };

		for (j = i; j > 0 && out[j - 1].t > s.t; j--)
			out[j] = out[j - 1];
		out[j] = s;
	}
	return n;
}
