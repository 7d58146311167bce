/*
 * fuzz_feed.c - any bytes as a candle file of any platform, through
 * candle-feed's detection (cmd/candle-feed/format.c): separator, decimal
 * mark, title lines, the yfinance header, headerless layouts, JSON, byte
 * order marks and UTF-16, date + time columns, number texts.
 *
 * The first byte picks the options (separator, decimal mark, time format,
 * no volume, adjusted close); the rest is the file.  It is read twice:
 * whole, and in reads of 1, 2, 3, 5, 13, 100 bytes in turn.  Both reads
 * must give the same rows (times, values, texts) and the same final status
 * and message (the chunking must not show); every row must satisfy what
 * the stream promises (candle_check, the time range, a canonical time
 * text that reads back, number texts that read back as their values); a
 * message must be one line of text.
 *
 * Then the file is joined with itself (join.c, candle-feed's --join with
 * empty columns kept): each row in time order must find as its reference
 * candle the row itself, texts and all, until the reference, read ahead,
 * meets an error the stream has not reached yet (or, newest first, is read
 * from its end).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck.h"
#include "candle.h"
#include "cktime.h"
#include "csvio.h"
#include "timeparse.h"
#include "feed.h"
#include "join.h"
#include "fuzz.h"


struct digest {
	uint64_t	h;
	long		rows;
	int		status;
	char		err[512];
};

static void
mix(struct digest *d, const void *p, size_t n)
{
	fuzz_mix(&d->h, p, n);
}

static void
check_row(const struct feedrow *r)
{
	char why[160], b[40];
	cktime t;
	double x;
	int k;

	if (candle_check(&r->c, why, sizeof(why)) != 0 || !time_in_range(r->c.t))
		abort();
	if (time_parse_iso(r->txt[0], r->len[0], &t) != 0 || t != r->c.t)
		abort();
	if (time_format(b, r->c.t) == 0)
		abort();
	for (k = 1; k < 6; k++) {
		if (parse_double(r->txt[k], r->len[k], &x) != 0 || !isfinite(x) ||
		    x != *candle_val((struct candle *)&r->c, k))
			abort();
		if (memchr(r->txt[k], ',', r->len[k]) != NULL ||
		    memchr(r->txt[k], '\n', r->len[k]) != NULL)
			abort();
	}
}

static void
readall(const uint8_t *data, size_t size, const struct feedopt *o,
    int chunked, struct digest *d)
{
	struct fuzz_src s = { data, size, 0, chunked, 0 };
	struct csvin *in;
	struct feedin f;
	struct feedrow r;
	int n, k;

	memset(d, 0, sizeof(*d));
	d->h = 0xcbf29ce484222325ULL;
	if ((in = csvin_new("fuzz", fuzz_read, &s, d->err, sizeof(d->err))) == NULL)
		abort();
	if ((n = feedin_start(&f, in, o, d->err, sizeof(d->err))) == 0) {
		while ((n = feedin_next(&f, &r, d->err, sizeof(d->err))) != 0) {
			if (n != 1) {
				if (n != CK_EDATA || f.fatal)
					break;
				mix(d, d->err, strlen(d->err));	/* skipped */
				continue;
			}
			check_row(&r);
			d->rows++;
			mix(d, &r.c, sizeof(r.c));
			mix(d, &r.line, sizeof(r.line));
			for (k = 0; k < 6; k++) {
				mix(d, &r.len[k], sizeof(r.len[k]));
				mix(d, r.txt[k], r.len[k]);
			}
		}
	}
	d->status = n;
	if (n < 0) {
		fuzz_msg(d->err, sizeof(d->err));
		if (strchr(d->err, '\n') != NULL || strchr(d->err, '\033') != NULL)
			abort();
	}
	feedin_free(&f);
	csvin_free(in);
}

static void
noflush(void *arg)
{
	(void)arg;
}

static void
selfjoin(const uint8_t *data, size_t size, const struct feedopt *o)
{
	static volatile sig_atomic_t stop;
	struct fuzz_src s = { data, size, 0, 0, 0 };
	struct joinset js;
	struct csvin *in;
	struct feedin f;
	struct feedrow r;
	const struct feedrow *j;
	char spec[96], err[512];
	cktime last = CKTIME_NONE;
	int n, k, i;

	memset(&js, 0, sizeof(js));
	js.o = o;
	js.keep = 1;
	js.stop = &stop;
	js.flush = noflush;
	snprintf(spec, sizeof(spec), "r=%s", fuzz_file(data, size));
	if (join_spec(&js, spec, err, sizeof(err)) != 0)
		abort();
	k = join_open(&js, 0, err, sizeof(err));	/* reads the header */
	if ((in = csvin_new("fuzz", fuzz_read, &s, err, sizeof(err))) == NULL)
		abort();
	n = feedin_start(&f, in, o, err, sizeof(err));
	if (n != k)
		abort();	/* the same bytes, the same header */
	if (n == 0) {
		while ((n = feedin_next(&f, &r, err, sizeof(err))) != 0) {
			if (n != 1 && (n != CK_EDATA || f.fatal))
				break;
			if (n != 1 || (last != CKTIME_NONE && r.c.t <= last))
				continue;	/* skipped, as the reference does */
			last = r.c.t;
			while ((k = join_at(&js, r.c.t, err, sizeof(err))) ==
			    CK_EDATA && !js.fatal)
				;
			if (k < 0 || js.ref[0].reversed)
				break;	/* a fatal error ahead of the stream, or
					 * read from its end as it is not */
			j = &js.ref[0].cur.r;
			if (k != 1 || js.miss || j->c.t != r.c.t ||
			    memcmp(&j->c, &r.c, sizeof(r.c)) != 0)
				abort();
			for (i = 0; i < 6; i++)
				if (j->len[i] != r.len[i] || memcmp(j->txt[i],
				    r.txt[i], r.len[i]) != 0)
					abort();
		}
	}
	feedin_free(&f);
	csvin_free(in);
	join_free(&js);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fmts[] = { NULL, "%d.%m.%Y", "%m/%d/%Y",
	    "%Y.%m.%d %H:%M" };
	struct feedopt o;
	struct digest whole, bits;
	uint8_t c;

	if (size == 0)
		return 0;
	c = data[0];
	memset(&o, 0, sizeof(o));
	o.sep = c & 1 ? ";\t|,"[(c >> 1) & 3] : 0;
	o.decimal = c & 8 ? (c & 16 ? ',' : '.') : 0;
	o.timefmt = fmts[(c >> 5) & 3];
	o.novolume = (c & 0x80) && (c & 2);
	o.closeadj = (c & 0x80) && !(c & 2);
	readall(data + 1, size - 1, &o, 0, &whole);
	readall(data + 1, size - 1, &o, 1, &bits);
	if (whole.status != bits.status || strcmp(whole.err, bits.err) != 0 ||
	    whole.h != bits.h || whole.rows != bits.rows)
		abort();
	selfjoin(data + 1, size - 1, &o);
	return 0;
}
