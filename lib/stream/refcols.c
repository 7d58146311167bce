/*
 * refcols.c - a joined reference candle from a stream's columns
 * (refcols.h).
 */
#include <stdio.h>
#include <string.h>

#include "refcols.h"

int
refcols_init(struct refcols *rc, const struct cstream *cs,
    const char *const *prefix, int n, char *err, size_t errlen)
{
	char name[REFCOLS_PREFIX + 16];
	int k, j;

	memset(rc, 0, sizeof(*rc));
	if (n > REFCOLS_MAX) {
		snprintf(err, errlen, "more than %d references", REFCOLS_MAX);
		return CK_EDATA;
	}
	rc->n = n;
	for (k = 0; k < n; k++)
		for (j = 0; j < 5; j++) {
			rc->col[k][j] = -1;
			if (prefix[k] == NULL)
				continue;
			snprintf(rc->prefix[k], sizeof(rc->prefix[k]), "%s",
			    prefix[k]);
			snprintf(name, sizeof(name), "%s_%s", rc->prefix[k],
			    candle_colname(j + 1));
			if ((rc->col[k][j] = cstream_col(cs, name)) < 0) {
				snprintf(err, errlen, "%s: no column %s (the "
				    "reference instrument %s; join it to the "
				    "stream)", cstream_file(cs), name,
				    rc->prefix[k]);
				return CK_EDATA;
			}
		}
	return 0;
}

int
refcols_read(const struct refcols *rc, const struct cstream *cs, cktime t,
    struct candle *out, char *err, size_t errlen)
{
	char why[160];
	const char *s;
	size_t len;
	int k, j, empty;

	for (k = 0; k < rc->n; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		out[k].t = CKTIME_NONE;
		if (rc->col[k][0] < 0)
			continue;
		for (j = 0, empty = 0; j < 5; j++) {
			s = cstream_field(cs, rc->col[k][j], &len);
			empty += s == NULL || len == 0;
		}
		if (empty == 5)
			continue;
		for (j = 0; j < 5; j++) {
			s = cstream_field(cs, rc->col[k][j], &len);
			if (s == NULL)
				s = "", len = 0;
			if (candle_parse_num(s, len, j + 1,
			    candle_val(&out[k], j + 1), why, sizeof(why)) != 0)
				goto bad;
		}
		out[k].t = t;
		if (candle_check(&out[k], why, sizeof(why)) == 0)
			continue;
bad:
		snprintf(err, errlen, "%s:%ld: reference %s: %s",
		    cstream_file(cs), cstream_line(cs), rc->prefix[k], why);
		return CK_EDATA;
	}
	return 0;
}
