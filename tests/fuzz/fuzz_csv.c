/*
 * fuzz_csv.c - any bytes as a candle stream.
 *
 * 1. The record reader (csvin_new over memory) twice: whole, and in reads
 *    of 1, 2, 3, 5, 13, 100 bytes in turn.  The records, their lines, the
 *    final status and the whole error message (line and reason) must be
 *    the same (the chunking must not show), fields must be NUL-terminated
 *    at their length, and an error must carry a message.
 * 2. The candle stream (cstream) over the same bytes as a file: every row
 *    it accepts must satisfy what cstream_next promises (finite, positive
 *    prices, low/high bounds, strictly increasing time); the accepted rows,
 *    written back with an added column, must read back as the same candles;
 *    every number must survive fmt_double/parse_double.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cstream.h"
#include "ck.h"
#include "csvio.h"
#include "timeparse.h"
#include "fuzz.h"

#define MAXROWS	4096	/* rows compared in the round trip */


/* A digest of everything the reader returned: records, lines, status. */
struct digest {
	uint64_t	h;
	long		nrec;
	int		status;
	char		err[256];
};

static void
mix(struct digest *d, const void *p, size_t n)
{
	fuzz_mix(&d->h, p, n);
}

static void
read_records(const uint8_t *data, size_t size, int chunked, struct digest *d)
{
	struct fuzz_src s = { data, size, 0, chunked, 0 };
	struct csvin *in;
	const char *f;
	size_t i, nf, len;
	long line;
	int r;

	memset(d, 0, sizeof(*d));
	d->h = 0xcbf29ce484222325ULL;
	if ((in = csvin_new("fuzz", fuzz_read, &s, d->err, sizeof(d->err))) == NULL)
		abort();
	while ((r = csvin_next(in, d->err, sizeof(d->err))) == 1) {
		d->nrec++;
		nf = csvin_nfields(in);
		line = csvin_line(in);
		if (line < 1)
			abort();
		mix(d, &nf, sizeof(nf));
		mix(d, &line, sizeof(line));
		for (i = 0; i < nf; i++) {
			f = csvin_field(in, i, &len);
			if (f[len] != '\0')
				abort();
			mix(d, &len, sizeof(len));
			mix(d, f, len);
		}
		f = csvin_field(in, nf, &len);	/* past the end: "" */
		if (len != 0 || f[0] != '\0')
			abort();
	}
	d->status = r;
	if (r < 0)
		fuzz_msg(d->err, sizeof(d->err));
	else if (r != 0)
		abort();
	csvin_free(in);
}

static void
number_roundtrip(double x)
{
	char b[40];
	double y;
	size_t n = fmt_double(b, x);

	if (n == 0 || n >= sizeof(b) || b[n] != '\0')
		abort();
	if (parse_double(b, n, &y) != 0 || y != x)
		abort();
}

/* The accepted rows as the stream promises them. */
static void
check_candle(const struct candle *c, cktime last)
{
	char b[40];
	cktime t;
	size_t n;

	if (!(c->open > 0 && c->high > 0 && c->low > 0 && c->close > 0 &&
	    c->volume >= 0) || !isfinite(c->open) || !isfinite(c->high) ||
	    !isfinite(c->low) || !isfinite(c->close) || !isfinite(c->volume))
		abort();
	if (c->low > c->open || c->low > c->close || c->high < c->open ||
	    c->high < c->close)
		abort();
	if (last != CKTIME_NONE && c->t <= last)
		abort();
	n = time_format(b, c->t);
	if (time_parse_iso(b, n, &t) != 0 || t != c->t)
		abort();
	for (int i = 1; i <= 5; i++)
		number_roundtrip(*candle_val((struct candle *)c, i));
}

static struct candle rows[MAXROWS];

static void
stream(const uint8_t *data, size_t size)
{
	static int outfd = -1;
	static char outpath[64];
	struct cstream cs, back;
	struct csvout *out;
	struct candle c;
	char err[256];
	long n = 0, i;
	int r, k;

	if (cstream_open(&cs, fuzz_file(data, size), err, sizeof(err)) != CK_OK) {
		fuzz_msg(err, sizeof(err));
		return;
	}
	if (outfd == -1) {
		if ((outfd = memfd_create("fuzzout", 0)) == -1)
			abort();
		snprintf(outpath, sizeof(outpath), "/proc/self/fd/%d", outfd);
	}
	if (ftruncate(outfd, 0) == -1 || lseek(outfd, 0, SEEK_SET) == -1)
		abort();
	out = csvout_new(outfd);
	k = cstream_addcol(&cs, "fuzz_t");
	if (out == NULL || k < 0)
		abort();
	cstream_write_header(&cs, out);
	while ((r = cstream_next(&cs, &c, err, sizeof(err))) == 1) {
		check_candle(&c, n > 0 ? rows[n - 1].t : CKTIME_NONE);
		if (n < MAXROWS)
			rows[n] = c;
		n++;
		cstream_settime(&cs, k, c.t);
		cstream_write_row(&cs, out);
	}
	if (r < 0)
		fuzz_msg(err, sizeof(err));
	if (csvout_flush(out) != 0)
		abort();
	csvout_free(out);
	cstream_close(&cs);

	/* What was written reads back as the same candles. */
	if (cstream_open(&back, outpath, err, sizeof(err)) != CK_OK)
		abort();
	if (cstream_col(&back, "fuzz_t") < 0)
		abort();
	for (i = 0; (r = cstream_next(&back, &c, err, sizeof(err))) == 1; i++)
		if (i >= n || (i < MAXROWS && memcmp(&c, &rows[i], sizeof(c)) != 0))
			abort();
	if (r != 0 || i != n)
		abort();
	cstream_close(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole, bits;

	read_records(data, size, 0, &whole);
	read_records(data, size, 1, &bits);
	if (whole.status != bits.status || strcmp(whole.err, bits.err) != 0 ||
	    whole.h != bits.h || whole.nrec != bits.nrec)
		abort();
	stream(data, size);
	return 0;
}
