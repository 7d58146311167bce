/*
 * annot.c - the annotation file reader: time,action[,...] rows with a header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "annot.h"
#include "csvio.h"
#include "timeparse.h"

/* The header: the first two names are time and action. */
static int
annot_header(struct csvin *in, char *err, size_t errlen)
{
	const char *f0, *f1;
	size_t l0, l1;
	int r;

	if ((r = csvin_next(in, err, errlen)) < 0)
		return r;
	if (r == 0) {
		snprintf(err, errlen, "%s:1: empty file, want the header "
		    "time,action", csvin_name(in));
		return CK_EDATA;
	}
	f0 = csvin_field(in, 0, &l0);
	f1 = csvin_nfields(in) > 1 ? csvin_field(in, 1, &l1) : "";
	if (csvin_nfields(in) < 2 || strcmp(f0, "time") != 0 ||
	    strcmp(f1, "action") != 0) {
		snprintf(err, errlen, "%s:%ld: missing header: want time,action "
		    "as the first two names, found \"%.40s\"", csvin_name(in),
		    csvin_line(in), f0);
		return CK_EDATA;
	}
	return CK_OK;
}

int
annot_read(const char *path, struct annot **ap, long *np, char *err,
    size_t errlen)
{
	struct csvin *in;
	struct annot *a = NULL, *na;
	long n = 0, cap = 0;
	const char *s;
	char q[64];
	size_t len;
	int r;

	*ap = NULL;
	*np = 0;
	if ((in = csvin_open(path, err, errlen)) == NULL)
		return CK_ERR;
	if ((r = annot_header(in, err, errlen)) != CK_OK)
		goto out;
	while ((r = csvin_next(in, err, errlen)) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((na = realloc(a, cap * sizeof(*a))) == NULL) {
				snprintf(err, errlen, "out of memory");
				r = CK_ERR;
				goto out;
			}
			a = na;
		}
		a[n].line = csvin_line(in);
		if (csvin_nfields(in) < 2) {
			snprintf(err, errlen, "%s:%ld: want time,action",
			    csvin_name(in), a[n].line);
			r = CK_EDATA;
			goto out;
		}
		s = csvin_field(in, 0, &len);
		if (time_parse_any(s, len, EPOCH_AUTO, &a[n].t) != 0) {
			snprintf(err, errlen, "%s:%ld: bad time %s",
			    csvin_name(in), a[n].line,
			    quote_text(q, sizeof(q), s, len));
			r = CK_EDATA;
			goto out;
		}
		s = csvin_field(in, 1, &len);
		if ((a[n].action = action_parse(s, len)) == ACTION_NONE) {
			snprintf(err, errlen, "%s:%ld: unknown action %s, "
			    "want BUY, SELL or HOLD", csvin_name(in),
			    a[n].line, quote_text(q, sizeof(q), s, len));
			r = CK_EDATA;
			goto out;
		}
		n++;
	}
out:
	csvin_free(in);
	if (r < 0) {
		free(a);
		return r;
	}
	*ap = a;
	*np = n;
	return CK_OK;
}
