/*
 * cstream.c - the canonical candle stream (candle-stream(5)): header check,
 * row validation, and output with columns appended or replaced in place.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ck.h"
#include "csvio.h"
#include "timeparse.h"
#include "cstream.h"

static const char *const canon[6] = {
	"time", "open", "high", "low", "close", "volume"
};

const char *
candle_colname(int i)
{
	return i >= 0 && i < 6 ? canon[i] : NULL;
}

double *
candle_val(struct candle *c, int col)
{
	switch (col) {
	case 1:		return &c->open;
	case 2:		return &c->high;
	case 3:		return &c->low;
	case 4:		return &c->close;
	default:	return &c->volume;
	}
}

int
candle_parse_num(const char *s, size_t len, int col, double *x, char *why,
    size_t n)
{
	char q[64];

	if (len == 0) {
		snprintf(why, n, "empty %s", canon[col]);
		return -1;
	}
	if (parse_double(s, len, x) != 0) {
		snprintf(why, n, "%s not a finite number: %s", canon[col],
		    quote_text(q, sizeof(q), s, len));
		return -1;
	}
	return 0;
}

void
candle_bad_time(const char *s, size_t len, int r, char *why, size_t n)
{
	char q[64];

	if (r == TIME_ERANGE)
		snprintf(why, n, "time %s outside %s",
		    quote_text(q, sizeof(q), s, len), TIME_RANGE_TEXT);
	else
		snprintf(why, n, "bad time %s", quote_text(q, sizeof(q), s, len));
}

void
cstream_close(struct cstream *cs)
{
	int i;

	csvin_free(cs->in);
	cs->in = NULL;
	if (cs->name != NULL)
		for (i = 0; i < cs->ncol; i++)
			free(cs->name[i]);
	free(cs->name);
	cs->name = NULL;
	for (i = 0; i < cs->nadd; i++) {
		free(cs->addname[i]);
		free(cs->val[i]);
	}
	cs->nadd = 0;
}

int
cstream_open(struct cstream *cs, const char *path, char *err, size_t errlen)
{
	char q[64];
	size_t len;
	int i, r;

	memset(cs, 0, sizeof(*cs));
	cs->last = CKTIME_NONE;
	if ((cs->in = csvin_open(path, err, errlen)) == NULL)
		return CK_ERR;
	if ((r = csvin_next(cs->in, err, errlen)) <= 0) {
		if (r == 0) {
			snprintf(err, errlen, "%s:1: no header",
			    csvin_name(cs->in));
			r = CK_EDATA;
		}
		goto fail;
	}
	cs->ncol = (int)csvin_nfields(cs->in);
	if ((cs->name = calloc(cs->ncol, sizeof(*cs->name))) == NULL)
		goto nomem;
	for (i = 0; i < cs->ncol; i++)
		if ((cs->name[i] = strdup(csvin_field(cs->in, i, &len))) == NULL)
			goto nomem;
	for (i = 0; i < 6; i++)
		if (i >= cs->ncol || strcmp(cs->name[i], canon[i]) != 0) {
			snprintf(err, errlen, "%s:%ld: header column %d is not "
			    "'%s' but %s (" CSTREAM_NOT_STREAM ")",
			    csvin_name(cs->in), csvin_line(cs->in), i + 1,
			    canon[i], i < cs->ncol ? quote_text(q, sizeof(q),
			    cs->name[i], strlen(cs->name[i])) : "missing");
			r = CK_EDATA;
			goto fail;
		}
	return CK_OK;
nomem:
	snprintf(err, errlen, "%s: %s", csvin_name(cs->in), strerror(ENOMEM));
	r = CK_ERR;
fail:
	cstream_close(cs);
	return r;
}

static void
flushcb(void *arg)
{
	csvout_flush(arg);
}

void
cstream_flushto(struct cstream *cs, struct csvout *out)
{
	csvin_onblock(cs->in, flushcb, out);
}

/* Two digits at s, or -1. */
static int
two(const char *s)
{
	if ((unsigned)(s[0] - '0') > 9 || (unsigned)(s[1] - '0') > 9)
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/*
 * time_parse_iso, with the start of the day of the last whole-second time
 * kept: a time of the same day ("YYYY-MM-DDT" the same) only has its clock
 * read, and gives the same result as time_parse_iso would.
 */
static int
parse_time(struct cstream *cs, const char *s, size_t len, cktime *t)
{
	int h, m, sec;
	int64_t base;

	if (len == 20 && cs->dayok && memcmp(s, cs->day, 11) == 0 &&
	    s[13] == ':' && s[16] == ':' && s[19] == 'Z' &&
	    (h = two(s + 11)) >= 0 && h <= 23 &&
	    (m = two(s + 14)) >= 0 && m <= 59 &&
	    (sec = two(s + 17)) >= 0 && sec <= 59) {
		*t = cs->daybase + (cktime)(h * 3600 + m * 60 + sec) * CK_SEC;
		return 0;
	}
	if ((h = time_parse_iso(s, len, t)) != 0)
		return h;
	if (len == 20) {
		/* parsed: the clock digits are good */
		base = *t / CK_SEC - (two(s + 11) * 3600 + two(s + 14) * 60 +
		    two(s + 17));
		/* the whole day within cktime's range */
		cs->dayok = base >= INT64_MIN / CK_SEC + 1 &&
		    base + 86399 <= INT64_MAX / CK_SEC - 1;
		cs->daybase = base * CK_SEC;
		memcpy(cs->day, s, 11);
	}
	return 0;
}

int
cstream_next(struct cstream *cs, struct candle *c, char *err, size_t errlen)
{
	char why[160];
	const char *s;
	double v[5];
	size_t len, nf;
	int i, r;

	if ((r = csvin_next(cs->in, err, errlen)) <= 0)
		return r;
	cs->rows++;
	nf = csvin_nfields(cs->in);
	if (nf != (size_t)cs->ncol) {
		snprintf(why, sizeof(why), "%zu fields, the header has %d",
		    nf, cs->ncol);
		goto bad;
	}
	s = csvin_field(cs->in, 0, &len);
	if ((r = parse_time(cs, s, len, &c->t)) != 0) {
		candle_bad_time(s, len, r, why, sizeof(why));
		goto bad;
	}
	for (i = 0; i < 5; i++) {
		s = csvin_field(cs->in, i + 1, &len);
		if (len == 0 || parse_double(s, len, &v[i]) != 0) {
			/* the reason */
			candle_parse_num(s, len, i + 1, &v[i], why,
			    sizeof(why));
			goto bad;
		}
	}
	c->open = v[0];
	c->high = v[1];
	c->low = v[2];
	c->close = v[3];
	c->volume = v[4];
	if (candle_check(c, why, sizeof(why)) != 0 ||
	    (cs->last != CKTIME_NONE && c->t <= cs->last &&
	    candle_order(c->t, cs->last, why, sizeof(why)) != 0))
		goto bad;
	cs->last = c->t;
	return 1;
bad:
	snprintf(err, errlen, "%s:%ld: %s", csvin_name(cs->in),
	    csvin_line(cs->in), why);
	return CK_EDATA;
}

int
cstream_ready(struct cstream *cs)
{
	return csvin_ready(cs->in);
}

int
cstream_col(const struct cstream *cs, const char *name)
{
	int i;

	for (i = 0; i < cs->ncol; i++)
		if (strcmp(cs->name[i], name) == 0)
			return i;
	return -1;
}

const char *
cstream_field(const struct cstream *cs, int col, size_t *len)
{
	return csvin_field(cs->in, col, len);
}

const char *
cstream_file(const struct cstream *cs)
{
	return csvin_name(cs->in);
}

long
cstream_line(const struct cstream *cs)
{
	return csvin_line(cs->in);
}

int
cstream_addcol(struct cstream *cs, const char *name)
{
	int k;

	for (k = 0; k < cs->nadd; k++)
		if (strcmp(cs->addname[k], name) == 0)
			return k;
	if (cs->nadd == CSTREAM_MAXADD)
		return -1;
	k = cs->nadd;
	if ((cs->addname[k] = strdup(name)) == NULL)
		return -1;
	cs->valcap[k] = 32;
	if ((cs->val[k] = malloc(cs->valcap[k])) == NULL) {
		free(cs->addname[k]);
		return -1;
	}
	cs->vallen[k] = 0;
	cs->addcol[k] = cstream_col(cs, name);
	cs->nadd++;
	return k;
}

void
cstream_set(struct cstream *cs, int k, const char *s, size_t len)
{
	char *v;
	size_t cap;

	if (k < 0 || k >= cs->nadd)
		return;
	if (len > cs->valcap[k]) {
		for (cap = cs->valcap[k]; cap < len; cap *= 2)
			;
		if ((v = realloc(cs->val[k], cap)) == NULL)
			return;	/* the value stays empty */
		cs->val[k] = v;
		cs->valcap[k] = cap;
	}
	memcpy(cs->val[k], s, len);
	cs->vallen[k] = len;
}

void
cstream_setnum(struct cstream *cs, int k, double x)
{
	char b[40];

	cstream_set(cs, k, b, fmt_double(b, x));
}

void
cstream_setfloat(struct cstream *cs, int k, float x)
{
	char b[40];

	cstream_set(cs, k, b, fmt_float(b, x));
}

void
cstream_setint(struct cstream *cs, int k, long long x)
{
	char b[40];

	cstream_set(cs, k, b, (size_t)snprintf(b, sizeof(b), "%lld", x));
}

void
cstream_settime(struct cstream *cs, int k, cktime t)
{
	char b[40];

	cstream_set(cs, k, b, time_format(b, t));
}

void
cstream_write_header(struct cstream *cs, struct csvout *out)
{
	int i, k;

	for (i = 0; i < cs->ncol; i++)
		csvout_str(out, cs->name[i]);
	for (k = 0; k < cs->nadd; k++)
		if (cs->addcol[k] < 0)
			csvout_str(out, cs->addname[k]);
	csvout_end(out);
}

/*
 * The six canonical fields passed through: each was validated as a time or
 * a number, so none needs quotes.  When they lie one after another (one
 * separator byte between), they are copied as one piece.
 */
static void
write_canon(struct cstream *cs, struct csvout *out)
{
	const char *f[6];
	char b[512];
	size_t len[6], n;
	int i;

	for (i = 0; i < 6; i++) {
		f[i] = csvin_field(cs->in, i, &len[i]);
		if (i > 0 && f[i] != f[i - 1] + len[i - 1] + 1)
			break;
	}
	if (i == 6 && (n = (size_t)(f[5] + len[5] - f[0])) <= sizeof(b)) {
		memcpy(b, f[0], n);
		for (i = 0; i < 5; i++)
			b[f[i] + len[i] - f[0]] = ',';
		csvout_plain(out, b, n);
		return;
	}
	for (i = 0; i < 6; i++) {
		f[i] = csvin_field(cs->in, i, &len[i]);
		csvout_plain(out, f[i], len[i]);
	}
}

void
cstream_write_row(struct cstream *cs, struct csvout *out)
{
	const char *s;
	size_t len;
	int i, k, repl = 0;

	for (k = 0; k < cs->nadd; k++)
		if (cs->addcol[k] >= 0)
			repl = 1;
	i = 0;
	if (!repl) {
		write_canon(cs, out);
		i = 6;
	}
	for (; i < cs->ncol; i++) {
		for (k = 0; repl && k < cs->nadd; k++)
			if (cs->addcol[k] == i)
				break;
		if (repl && k < cs->nadd)
			csvout_field(out, cs->val[k], cs->vallen[k]);
		else {
			s = csvin_field(cs->in, i, &len);
			csvout_field(out, s, len);
		}
	}
	for (k = 0; k < cs->nadd; k++)
		if (cs->addcol[k] < 0) {
			if (cs->vallen[k] == 0)
				csvout_empty(out);
			else
				csvout_field(out, cs->val[k], cs->vallen[k]);
		}
	csvout_end(out);
	for (k = 0; k < cs->nadd; k++)
		cs->vallen[k] = 0;
}
