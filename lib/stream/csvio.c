/*
 * csvio.c - CSV records in (libcsv, gzip by magic through zlib inflate on
 * raw read() chunks) and out (buffered, RFC 4180 quoting), and the number
 * text both sides share.
 *
 * Input is fed to libcsv one physical line at a time, so the line count is
 * exact (a quoted field may span lines; a record's line is where it starts)
 * and a record ends inside the segment that holds its terminator.  The
 * common line (whole in the buffer, no quote, no CR) skips libcsv: it is
 * split at its commas in place, where its fields then lie.  Reads
 * never wait with rows held: when no input is ready (poll, zero timeout),
 * the onblock hook runs before the read.
 */
#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>
#include <zlib.h>

#include "ck.h"
#include "csvio.h"

/*
 * Built with -DCSVIO_LIBC=1 (tests/bench/csvio only): the C library and
 * libcsv in place of the three hand-made paths that a benchmark must keep
 * justifying: the in-place line splitter, the number parser's fast path and
 * the exact shortest formatter.
 */
#ifndef CSVIO_LIBC
#define CSVIO_LIBC 0
#endif

#define RAWSZ	(64 * 1024)	/* bytes per read() */
#define DECSZ	(128 * 1024)	/* inflated bytes per inflate() */

struct csvin {
	char		*name;
	int		 fd;		/* -1 with readfn */
	int		 ownfd;
	ssize_t		(*readfn)(void *, void *, size_t);
	void		*ctx;
	void		(*onblock)(void *);
	void		*blockarg;
	volatile sig_atomic_t *stop;

	unsigned char	*raw;		/* bytes as read */
	size_t		 rawpos, rawlen;
	int		 eof;		/* the source said 0 */
	int		 sniffed;	/* gzip magic looked at */
	int		 gz;		/* inflating */
	int		 zend;		/* a gzip member ended */
	int		 zbad;		/* inflate failed: after its output */
	z_stream	 z;
	unsigned char	*dec;		/* inflated bytes (gz only) */
	const unsigned char *p;		/* bytes to parse: p[0..plen) */
	size_t		 plen;

	int		 sep;		/* field separator */
	int		 enc;		/* ENC_*: from a byte order mark */
	unsigned char	 head[4];	/* the first bytes, to see a BOM */
	size_t		 headlen;
	const unsigned char *nextp;	/* a chunk held behind the head */
	size_t		 nextlen;
	int		 u16odd;	/* UTF-16: a byte of a unit held */
	unsigned char	 u16b;
	unsigned	 u16hi;		/* a high surrogate held, or 0 */
	unsigned char	*ubuf;		/* UTF-8 from UTF-16 */
	size_t		 ubufcap;
	unsigned char	*pk;		/* bytes read ahead by csvin_peekline */
	size_t		 pklen, pkcap;
	int		 pkeof;		/* ... up to the end of input */
	int		 reading;	/* csvin_next was called */

	struct csv_parser csv;
	int		 done;		/* csv_fini called */
	long		 line;		/* physical lines fed (complete) */
	size_t		 linelen;	/* bytes of the current line so far */
	long		 recline;	/* line the current record starts */
	int		 started;	/* a record is being parsed */
	int		 nrec;		/* records ended during this parse */
	int		 crwait;	/* an unquoted CR ended the bytes: LF next */
	int		 toolong;

	int		 inplace;	/* this record's fields are in line */
	char		*lbuf;		/* ... this line, split in place */
	char		*rec;		/* fields, each NUL-terminated */
	size_t		 reclen, reccap;
	size_t		*off;		/* field start offsets */
	size_t		*flen;
	size_t		 nf, nfcap;
};

static int
nospace(unsigned char c)
{
	(void)c;
	return 0;
}

static void
setname(struct csvin *in, const char *name)
{
	in->name = strdup(name == NULL || strcmp(name, "-") == 0 ?
	    "stdin" : name);
}

static struct csvin *
csvin_alloc(const char *name, char *err, size_t errlen)
{
	struct csvin *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		goto fail;
	in->fd = -1;
	in->sep = ',';
	setname(in, name);
	in->raw = malloc(RAWSZ);
	in->reccap = 4096;
	in->rec = malloc(in->reccap);
	in->nfcap = 32;
	in->off = malloc(in->nfcap * sizeof(*in->off));
	in->flen = malloc(in->nfcap * sizeof(*in->flen));
	if (in->name == NULL || in->raw == NULL || in->rec == NULL ||
	    in->off == NULL || in->flen == NULL)
		goto fail;
	if (csv_init(&in->csv, CSV_STRICT | CSV_STRICT_FINI) != 0)
		goto fail;
	csv_set_space_func(&in->csv, nospace);
	return in;
fail:
	snprintf(err, errlen, "%s: %s", name == NULL ? "stdin" : name,
	    strerror(ENOMEM));
	csvin_free(in);		/* owns no descriptor yet */
	return NULL;
}

struct csvin *
csvin_open(const char *path, char *err, size_t errlen)
{
	struct csvin *in;
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((in = csvin_alloc(path, err, errlen)) == NULL) {
		if (fd != STDIN_FILENO)
			close(fd);
		return NULL;
	}
	in->fd = fd;
	in->ownfd = fd != STDIN_FILENO;
	return in;
}

struct csvin *
csvin_new(const char *name, ssize_t (*readfn)(void *, void *, size_t),
    void *ctx, char *err, size_t errlen)
{
	struct csvin *in;

	if ((in = csvin_alloc(name, err, errlen)) == NULL)
		return NULL;
	in->readfn = readfn;
	in->ctx = ctx;
	return in;
}

void
csvin_free(struct csvin *in)
{
	if (in == NULL)
		return;
	if (in->ownfd)
		close(in->fd);
	if (in->gz)
		inflateEnd(&in->z);
	csv_free(&in->csv);
	free(in->dec);
	free(in->ubuf);
	free(in->pk);
	free(in->name);
	free(in->raw);
	free(in->rec);
	free(in->off);
	free(in->flen);
	free(in);
}

void
csvin_onblock(struct csvin *in, void (*fn)(void *), void *arg)
{
	in->onblock = fn;
	in->blockarg = arg;
}

void
csvin_stopflag(struct csvin *in, volatile sig_atomic_t *flag)
{
	in->stop = flag;
}

void
csvin_setsep(struct csvin *in, int c)
{
	in->sep = c;
	csv_set_delim(&in->csv, (unsigned char)c);
}

int
csvin_encoding(const struct csvin *in)
{
	return in->enc;
}

/* Room for twice as many fields: 0, or -1 (no memory). */
static int
morefields(struct csvin *in)
{
	size_t n = in->nfcap > 0 ? in->nfcap * 2 : 16;
	size_t *o, *l;

	if ((o = realloc(in->off, n * sizeof(*o))) == NULL)
		return -1;
	in->off = o;
	if ((l = realloc(in->flen, n * sizeof(*l))) == NULL)
		return -1;
	in->flen = l;
	in->nfcap = n;
	return 0;
}

/* libcsv callbacks: append a field; end a record. */
static void
cb_field(void *s, size_t len, void *arg)
{
	struct csvin *in = arg;
	size_t need;

	if (in->toolong)
		return;
	if (in->nf == in->nfcap && morefields(in) != 0)
		goto big;
	need = in->reclen + len + 1;
	if (need > CSVIO_MAXLINE + 1024)
		goto big;
	if (need > in->reccap) {
		size_t n = in->reccap;
		char *r;

		while (n < need)
			n *= 2;
		if ((r = realloc(in->rec, n)) == NULL)
			goto big;
		in->rec = r;
		in->reccap = n;
	}
	in->off[in->nf] = in->reclen;
	in->flen[in->nf] = len;
	if (len > 0)
		memcpy(in->rec + in->reclen, s, len);
	in->rec[in->reclen + len] = '\0';
	in->reclen += len + 1;
	in->nf++;
	return;
big:
	in->toolong = 1;
}

static void
cb_record(int c, void *arg)
{
	struct csvin *in = arg;

	(void)c;
	in->nrec++;
	in->started = 0;
}

static void
blockwait(struct csvin *in)
{
	struct pollfd pfd;

	if (in->onblock == NULL)
		return;
	if (in->fd >= 0) {
		pfd.fd = in->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) == 1)
			return;
	}
	in->onblock(in->blockarg);
}

/* Raw bytes from the source: >0, 0 at end, CK_ERR / CK_EINTR. */
static ssize_t
rawread(struct csvin *in, void *buf, size_t n, char *err, size_t errlen)
{
	ssize_t r;

	for (;;) {
		blockwait(in);
		if (in->readfn != NULL)
			r = in->readfn(in->ctx, buf, n);
		else
			r = read(in->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno == EINTR) {
			if (in->stop != NULL && *in->stop)
				return CK_EINTR;
			continue;
		}
		snprintf(err, errlen, "%s: %s", in->name, strerror(errno));
		return CK_ERR;
	}
}

/*
 * Make in->p/plen hold more bytes to parse: 1, 0 at the end of input,
 * or a status.
 */
static int
refill_bytes(struct csvin *in, char *err, size_t errlen)
{
	ssize_t r;
	int zr;

	if (!in->sniffed) {
		/* Enough bytes to see the gzip magic (or the end). */
		while (in->rawlen < 2 && !in->eof) {
			r = rawread(in, in->raw + in->rawlen, RAWSZ - in->rawlen,
			    err, errlen);
			if (r < 0)
				return (int)r;
			if (r == 0)
				in->eof = 1;
			in->rawlen += r;
		}
		in->sniffed = 1;
		if (in->rawlen >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
			memset(&in->z, 0, sizeof(in->z));
			if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK ||
			    (in->dec = malloc(DECSZ)) == NULL) {
				snprintf(err, errlen, "%s: zlib: out of memory",
				    in->name);
				return CK_ERR;
			}
			in->gz = 1;
		}
	}
	if (!in->gz) {
		if (in->rawpos < in->rawlen) {
			in->p = in->raw + in->rawpos;
			in->plen = in->rawlen - in->rawpos;
			in->rawpos = in->rawlen;
			return 1;
		}
		if (in->eof)
			return 0;
		r = rawread(in, in->raw, RAWSZ, err, errlen);
		if (r < 0)
			return (int)r;
		in->rawpos = in->rawlen = r;
		if (r == 0) {
			in->eof = 1;
			return 0;
		}
		in->p = in->raw;
		in->plen = r;
		return 1;
	}
	for (;;) {
		if (in->zbad)
			goto bad;
		if (in->rawpos == in->rawlen) {
			if (in->eof)
				break;
			r = rawread(in, in->raw, RAWSZ, err, errlen);
			if (r < 0)
				return (int)r;
			in->rawpos = 0;
			in->rawlen = r;
			if (r == 0) {
				in->eof = 1;
				break;
			}
		}
		if (in->zend) {
			/* Another member follows (concatenated gzip). */
			if (inflateReset(&in->z) != Z_OK)
				goto bad;
			in->zend = 0;
		}
		in->z.next_in = in->raw + in->rawpos;
		in->z.avail_in = in->rawlen - in->rawpos;
		in->z.next_out = in->dec;
		in->z.avail_out = DECSZ;
		zr = inflate(&in->z, Z_NO_FLUSH);
		in->rawpos = in->rawlen - in->z.avail_in;
		if (zr == Z_STREAM_END)
			in->zend = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			in->zbad = 1;	/* the bytes before the error first */
		if (in->z.avail_out < DECSZ) {
			in->p = in->dec;
			in->plen = DECSZ - in->z.avail_out;
			return 1;
		}
	}
	if (!in->zend) {
		snprintf(err, errlen, "%s: truncated gzip data", in->name);
		return CK_EDATA;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: bad gzip data: %s", in->name,
	    in->z.msg != NULL ? in->z.msg : "inflate failed");
	return CK_EDATA;
}

/* Code point c as UTF-8 at p: the length. */
static size_t
utf8put(unsigned char *p, unsigned c)
{
	if (c < 0x80) {
		p[0] = c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = 0xc0 | c >> 6;
		p[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		p[0] = 0xe0 | c >> 12;
		p[1] = 0x80 | (c >> 6 & 0x3f);
		p[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	p[0] = 0xf0 | c >> 18;
	p[1] = 0x80 | (c >> 12 & 0x3f);
	p[2] = 0x80 | (c >> 6 & 0x3f);
	p[3] = 0x80 | (c & 0x3f);
	return 4;
}

/*
 * UTF-16 bytes s[0..n) (eof: none follow) as UTF-8 in in->p/plen; a byte
 * or a high surrogate is carried to the next call, so any split of the
 * input gives the same text.  An unpaired surrogate or an odd last byte
 * becomes U+FFFD.  0, or -1 (no memory).
 */
static int
u16conv(struct csvin *in, const unsigned char *s, size_t n, int eof)
{
	size_t need = n / 2 * 3 + 8, o = 0, i;
	unsigned u;
	unsigned char *b;

	if (need > in->ubufcap) {
		if ((b = realloc(in->ubuf, need)) == NULL)
			return -1;
		in->ubuf = b;
		in->ubufcap = need;
	}
	for (i = 0; i < n; i++) {
		if (!in->u16odd) {
			in->u16b = s[i];
			in->u16odd = 1;
			continue;
		}
		in->u16odd = 0;
		u = in->enc == CSVIN_UTF16LE ? (unsigned)in->u16b | s[i] << 8 :
		    (unsigned)in->u16b << 8 | s[i];
		if (in->u16hi != 0) {
			if (u >= 0xdc00 && u <= 0xdfff) {
				o += utf8put(in->ubuf + o, 0x10000 +
				    ((in->u16hi - 0xd800) << 10) + (u - 0xdc00));
				in->u16hi = 0;
				continue;
			}
			o += utf8put(in->ubuf + o, 0xfffd);
			in->u16hi = 0;
		}
		if (u >= 0xd800 && u <= 0xdbff)
			in->u16hi = u;
		else
			o += utf8put(in->ubuf + o, u >= 0xdc00 && u <= 0xdfff ?
			    0xfffd : u);
	}
	if (eof && (in->u16odd || in->u16hi != 0)) {
		o += utf8put(in->ubuf + o, 0xfffd);
		in->u16odd = 0;
		in->u16hi = 0;
	}
	in->p = in->ubuf;
	in->plen = o;
	return 0;
}

/* The encoding from the first bytes: the length of its byte order mark. */
static size_t
bom(struct csvin *in)
{
	const unsigned char *h = in->head;

	if (in->headlen >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
		in->enc = CSVIN_UTF8BOM;
		return 3;
	}
	if (in->headlen >= 2 && h[0] == 0xff && h[1] == 0xfe) {
		in->enc = CSVIN_UTF16LE;
		return 2;
	}
	if (in->headlen >= 2 && h[0] == 0xfe && h[1] == 0xff) {
		in->enc = CSVIN_UTF16BE;
		return 2;
	}
	in->enc = CSVIN_PLAIN;
	return 0;
}

/*
 * Make in->p/plen hold more text to parse (bytes after any gzip layer,
 * byte order mark and UTF-16 decoding): 1, 0 at the end, or a status.
 * The first four bytes are gathered to see a byte order mark, whatever
 * the reads.
 */
static int
refill(struct csvin *in, char *err, size_t errlen)
{
	size_t k, skip;
	int r;

	for (;;) {
		if (in->nextlen > 0) {
			in->p = in->nextp;
			in->plen = in->nextlen;
			in->nextlen = 0;
			r = 1;
		} else if ((r = refill_bytes(in, err, errlen)) < 0)
			return r;
		if (in->enc == CSVIN_UNKNOWN) {
			if (r == 1) {
				k = 4 - in->headlen;
				if (k > in->plen)
					k = in->plen;
				memcpy(in->head + in->headlen, in->p, k);
				in->headlen += k;
				in->p += k;
				in->plen -= k;
				if (in->headlen < 4)
					continue;
			}
			skip = bom(in);
			in->nextp = in->p;
			in->nextlen = in->plen;
			in->p = in->head + skip;
			in->plen = in->headlen - skip;
			r = in->plen > 0 || in->nextlen > 0;
		}
		if (in->enc == CSVIN_UTF16LE || in->enc == CSVIN_UTF16BE) {
			if (u16conv(in, in->p, r == 1 ? in->plen : 0,
			    r == 0) != 0) {
				snprintf(err, errlen, "%s: %s", in->name,
				    strerror(ENOMEM));
				return CK_ERR;
			}
			if (r == 0 && in->plen > 0)
				return 1;
		}
		if (r == 0)
			return 0;
		if (in->plen > 0)
			return 1;
	}
}

int
csvin_peekline(struct csvin *in, int k, const char **line, size_t *len,
    char *err, size_t errlen)
{
	const unsigned char *s, *e, *nl;
	unsigned char *b;
	size_t cap;
	int i, r;

	if (in->reading) {
		snprintf(err, errlen, "%s: read ahead after reading", in->name);
		return CK_ERR;
	}
	for (;;) {
		s = e = in->pk;
		if (s != NULL)
			e += in->pklen;
		for (i = 0; i < k && s < e &&
		    (nl = memchr(s, '\n', e - s)) != NULL; i++)
			s = nl + 1;
		if (i == k && s < e && ((nl = memchr(s, '\n', e - s)) != NULL ||
		    in->pkeof || in->pklen >= CSVIO_MAXLINE)) {
			*line = (const char *)s;
			*len = nl != NULL ? (size_t)(nl - s) : (size_t)(e - s);
			return 1;
		}
		if (in->pkeof || in->pklen >= CSVIO_MAXLINE)
			return 0;
		if ((r = refill(in, err, errlen)) < 0)
			return r;
		if (r == 0) {
			in->pkeof = 1;
			in->p = in->pk;
			in->plen = in->pklen;
			continue;
		}
		if (in->pklen + in->plen > in->pkcap) {
			for (cap = in->pkcap > 0 ? in->pkcap : 4096;
			    cap < in->pklen + in->plen; cap *= 2)
				;
			if ((b = realloc(in->pk, cap)) == NULL) {
				snprintf(err, errlen, "%s: %s", in->name,
				    strerror(ENOMEM));
				return CK_ERR;
			}
			in->pk = b;
			in->pkcap = cap;
		}
		memcpy(in->pk + in->pklen, in->p, in->plen);
		in->pklen += in->plen;
		/* what csvin_next reads first */
		in->p = in->pk;
		in->plen = in->pklen;
	}
}

static int
parse_error(struct csvin *in, long line, const char *why, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s:%ld: %s", in->name, line, why);
	return CK_EDATA;
}

/*
 * A whole line of n bytes (its LF not counted) at a record's start, with
 * no quote and no CR, holds one record whose fields are what lies between
 * its commas: split it in place (commas and the LF become NULs) instead of
 * through libcsv, which costs a call and a copy per field.  0, or -1 when
 * the line does not qualify (libcsv takes it).
 */
static int
splitline(struct csvin *in, size_t n)
{
	char *s = (char *)in->p, *e = s + n, *q;

	if (n == 0 || memchr(s, '"', n) != NULL || memchr(s, '\r', n) != NULL)
		return -1;
	in->lbuf = s;
	in->nf = 0;
	for (;;) {
		if (in->nf == in->nfcap && morefields(in) != 0) {
			/* put the commas back for libcsv */
			while (in->nf-- > 0)
				in->lbuf[in->off[in->nf] + in->flen[in->nf]] =
				    (char)in->sep;
			in->nf = 0;
			return -1;
		}
		if ((q = memchr(s, in->sep, e - s)) == NULL)
			q = e;
		in->off[in->nf] = s - in->lbuf;
		in->flen[in->nf++] = q - s;
		*q = '\0';
		if (q == e)
			break;
		s = q + 1;
	}
	in->inplace = 1;
	return 0;
}

/*
 * Feed p[0..n) to libcsv in pieces that end at each CR: an unquoted CR
 * (libcsv back at ROW_NOT_BEGUN, pstate 0, after it) must be followed by
 * an LF or the end of input; when it ends the bytes at hand, crwait leaves
 * the decision to the next byte.  So every error is found at the same byte
 * whatever the reads: 0 or CK_EDATA.  Only lines with a quote or a CR come
 * here.
 */
static int
feed(struct csvin *in, size_t n, char *err, size_t errlen)
{
	const unsigned char *s = in->p, *e = in->p + n, *end = in->p + in->plen;
	const unsigned char *cr;
	size_t k;

	while (s < e) {
		cr = memchr(s, '\r', e - s);
		k = cr != NULL ? (size_t)(cr - s) + 1 : (size_t)(e - s);
		if (csv_parse(&in->csv, s, k, cb_field, cb_record, in) != k &&
		    !in->toolong)
			return parse_error(in, in->line + 1,
			    csv_error(&in->csv) == CSV_EPARSE ?
			    "misplaced quote" : csv_strerror(csv_error(&in->csv)),
			    err, errlen);
		/* a field grew too long before any parse error */
		if (in->toolong)
			return parse_error(in, in->recline,
			    "record longer than 1 MiB", err, errlen);
		s += k;
		if (cr != NULL && in->csv.pstate == 0) {
			if (s == end)
				in->crwait = 1;
			else if (*s != '\n')
				return parse_error(in, in->line + 1,
				    "carriage return outside quotes", err, errlen);
		}
	}
	return 0;
}

int
csvin_next(struct csvin *in, char *err, size_t errlen)
{
	const unsigned char *nl;
	size_t n, lim;
	int r;

	in->nf = 0;
	in->reclen = 0;
	in->nrec = 0;
	in->inplace = 0;
	in->reading = 1;
	if (in->done)
		return 0;
	for (;;) {
		if (in->plen == 0) {
			r = refill(in, err, errlen);
			if (r < 0)
				return r;
			if (r == 0) {
				in->done = 1;
				if (csv_fini(&in->csv, cb_field, cb_record,
				    in) != 0)
					return parse_error(in, in->recline,
					    "unterminated quoted field",
					    err, errlen);
				if (in->toolong)
					return parse_error(in, in->recline,
					    "record longer than 1 MiB",
					    err, errlen);
				return in->nrec > 0 ? 1 : 0;
			}
		}
		if (in->crwait) {
			if (in->p[0] != '\n')
				return parse_error(in, in->line + 1,
				    "carriage return outside quotes", err,
				    errlen);
			in->crwait = 0;
		}
		nl = memchr(in->p, '\n', in->plen);
		n = nl != NULL ? (size_t)(nl - in->p) + 1 : in->plen;
		if (nl != NULL && !in->started && in->linelen == 0 &&
		    n <= CSVIO_MAXLINE + 1 && !CSVIO_LIBC &&
		    splitline(in, n - 1) == 0) {
			in->recline = ++in->line;
			in->p += n;
			in->plen -= n;
			return 1;
		}
		if (!in->started && in->p[0] != '\n' &&
		    !(in->p[0] == '\r' && (n == 1 || in->p[1] == '\n'))) {
			in->started = 1;
			in->recline = in->line + 1;
		}
		/* A line past the limit: its bytes up to the limit first, so
		 * an error before it is the one reported, whatever the reads. */
		lim = n;
		if (in->linelen + n > CSVIO_MAXLINE + (nl != NULL))
			lim = CSVIO_MAXLINE - in->linelen;
		if ((r = feed(in, lim, err, errlen)) != 0)
			return r;
		if (lim < n)
			return parse_error(in, in->line + 1,
			    "line longer than 1 MiB", err, errlen);
		in->p += n;
		in->plen -= n;
		if (nl != NULL) {
			in->line++;
			in->linelen = 0;
		} else
			in->linelen += n;
		/* After a CR ending the bytes, the next byte decides. */
		if (in->nrec == 1 && !in->crwait)
			return 1;
	}
}

ssize_t
csvin_read_text(struct csvin *in, void *buf, size_t n, char *err,
    size_t errlen)
{
	int r;

	in->reading = 1;
	if (in->plen == 0) {
		if (in->done)
			return 0;
		if ((r = refill(in, err, errlen)) <= 0) {
			in->done = r == 0;
			return r;
		}
	}
	if (n > in->plen)
		n = in->plen;
	memcpy(buf, in->p, n);
	in->p += n;
	in->plen -= n;
	return (ssize_t)n;
}

int
csvin_ready(struct csvin *in)
{
	struct pollfd pfd;

	if (in->done || in->eof)
		return 1;
	if (in->plen > 0 && memchr(in->p, '\n', in->plen) != NULL)
		return 1;
	if (in->nextlen > 0)
		return 1;
	if (in->gz && in->rawpos < in->rawlen)
		return 1;	/* may inflate to a line without reading */
	if (in->fd < 0)
		return 0;
	pfd.fd = in->fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 1;
}

size_t
csvin_nfields(const struct csvin *in)
{
	return in->nf;
}

const char *
csvin_field(const struct csvin *in, size_t i, size_t *len)
{
	if (i >= in->nf) {
		if (len != NULL)
			*len = 0;
		return "";
	}
	if (len != NULL)
		*len = in->flen[i];
	return (in->inplace ? in->lbuf : in->rec) + in->off[i];
}

long
csvin_line(const struct csvin *in)
{
	return in->recline;
}

const char *
csvin_name(const struct csvin *in)
{
	return in->name;
}

/* ---- output ---- */

#define OUTSZ	(64 * 1024)

struct csvout {
	int	 fd;
	int	 err;		/* errno of the first failure, sticky */
	int	 nf;		/* fields written in this row */
	size_t	 len;
	char	 buf[OUTSZ];
};

struct csvout *
csvout_new(int fd)
{
	struct csvout *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->fd = fd;
	return o;
}

void
csvout_free(struct csvout *o)
{
	free(o);
}

static void
writeall(struct csvout *o, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && o->err == 0) {
		w = write(o->fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->err = errno;
			return;
		}
		s += w;
		n -= w;
	}
}

int
csvout_flush(struct csvout *o)
{
	if (o->len > 0) {
		writeall(o, o->buf, o->len);
		o->len = 0;
	}
	if (o->err != 0) {
		errno = o->err;
		return -1;
	}
	return 0;
}

int
csvout_error(const struct csvout *o)
{
	return o->err;
}

size_t
csvout_pending(const struct csvout *o)
{
	return o->len;
}

/* Raw bytes, no separator, no quoting. */
void
csvout_raw(struct csvout *o, const char *s, size_t n)
{
	if (o->len + n > OUTSZ) {
		csvout_flush(o);
		if (n > OUTSZ) {
			writeall(o, s, n);
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void
sep(struct csvout *o)
{
	if (o->nf++ > 0) {
		if (o->len == OUTSZ)
			csvout_flush(o);
		o->buf[o->len++] = ',';
	}
}

static int
needquote(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return 1;
	return 0;
}

void
csvout_field(struct csvout *o, const char *s, size_t len)
{
	const char *q;

	sep(o);
	if (!needquote(s, len)) {
		csvout_raw(o, s, len);
		return;
	}
	csvout_raw(o, "\"", 1);
	while ((q = memchr(s, '"', len)) != NULL) {
		csvout_raw(o, s, q - s + 1);
		csvout_raw(o, "\"", 1);
		len -= q - s + 1;
		s = q + 1;
	}
	csvout_raw(o, s, len);
	csvout_raw(o, "\"", 1);
}

void
csvout_plain(struct csvout *o, const char *s, size_t len)
{
	sep(o);
	if (o->len + len <= OUTSZ) {
		memcpy(o->buf + o->len, s, len);
		o->len += len;
	} else
		csvout_raw(o, s, len);
}

void
csvout_str(struct csvout *o, const char *s)
{
	csvout_field(o, s, strlen(s));
}

void
csvout_empty(struct csvout *o)
{
	sep(o);
}

void
csvout_num(struct csvout *o, double x)
{
	char b[32];

	sep(o);
	csvout_raw(o, b, fmt_double(b, x));
}

void
csvout_float(struct csvout *o, float x)
{
	char b[32];

	sep(o);
	csvout_raw(o, b, fmt_float(b, x));
}

void
csvout_int(struct csvout *o, long long x)
{
	char b[32];
	int n;

	sep(o);
	n = snprintf(b, sizeof(b), "%lld", x);
	csvout_raw(o, b, n);
}

void
csvout_end(struct csvout *o)
{
	o->nf = 0;
	if (o->len == OUTSZ)
		csvout_flush(o);
	o->buf[o->len++] = '\n';
}

/* ---- numbers ---- */

/*
 * Lay out significant digits d[0..nd) with decimal exponent e (value =
 * 0.d1d2... * 10^(e+1), i.e. d1.d2... * 10^e) the way Python's repr does:
 * fixed notation for -4 <= e < 16, else d.ddde+XX.
 */
static size_t
layout(char *buf, int neg, const char *d, int nd, int e)
{
	char *p = buf;
	int i;

	if (neg)
		*p++ = '-';
	if (e >= -4 && e < 16) {
		if (e < 0) {
			*p++ = '0';
			*p++ = '.';
			for (i = -1; i > e; i--)
				*p++ = '0';
			memcpy(p, d, nd);
			p += nd;
		} else if (nd <= e + 1) {
			memcpy(p, d, nd);
			p += nd;
			for (i = nd; i <= e; i++)
				*p++ = '0';
		} else {
			memcpy(p, d, e + 1);
			p += e + 1;
			*p++ = '.';
			memcpy(p, d + e + 1, nd - e - 1);
			p += nd - e - 1;
		}
	} else {
		*p++ = d[0];
		if (nd > 1) {
			*p++ = '.';
			memcpy(p, d + 1, nd - 1);
			p += nd - 1;
		}
		*p++ = 'e';
		*p++ = e < 0 ? '-' : '+';
		if (e < 0)
			e = -e;
		if (e >= 100)
			*p++ = '0' + e / 100;
		*p++ = '0' + e / 10 % 10;
		*p++ = '0' + e % 10;
	}
	*p = '\0';
	return p - buf;
}

/* Digits and exponent of b, the text of "%.*e" (trailing zeros dropped). */
static void
digits(const char *b, char *d, int *nd, int *e)
{
	const char *p = b;
	int n = 0;

	if (*p == '-')
		p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			d[n++] = *p;
	*e = (int)strtol(p + 1, NULL, 10);
	while (n > 1 && d[n - 1] == '0')
		n--;
	*nd = n;
}

static const double pow10tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};
/*
 * Exact decimal digits for the doubles that make up nearly all data
 * (normal, below 2^64): x = m 2^E, and x 10^k is formed exactly as an
 * integer over a power of two, in 128 bits or, for small numbers, in
 * 32-bit limbs; so the p-digit rounding (ties to even, as printf) and the
 * test that those digits read back (as strtod, ties to even) need neither
 * printf nor strtod.
 */
__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10u[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

enum { REM_NONE, REM_LOW, REM_HALF, REM_HIGH };	/* fraction 0, <, =, > 1/2 */

/* The class of the fraction r / 2^sh (r < 2^sh), or r / p. */
static int
remclass2(u128 r, int sh)
{
	u128 half = (u128)1 << (sh - 1);

	return r == 0 ? REM_NONE : r < half ? REM_LOW : r == half ? REM_HALF :
	    REM_HIGH;
}

/* floor(m 5^k / 2^sh), sh >= 1, in 64-bit limbs (m < 2^55,
 * 5^340 < 2^790). */
static int
floor_big(uint64_t m, int k, int sh, uint64_t *d, int *rem)
{
	static uint64_t pow5[28];
	uint64_t w[16] = { 0 }, hb;	/* zeroed: the analyzer cannot see n */
	u128 c;
	int n = 1, i, j, lo, b, low;

	if (k > 340 || sh < 1)
		return -1;
	if (pow5[0] == 0)
		for (pow5[0] = 1, i = 1; i < 28; i++)
			pow5[i] = pow5[i - 1] * 5;	/* 5^27 < 2^63 */
	w[0] = m;
	for (; k > 0; k -= j) {
		j = k > 27 ? 27 : k;
		for (c = 0, i = 0; i < n; i++) {
			c += (u128)w[i] * pow5[j];
			w[i] = (uint64_t)c;
			c >>= 64;
		}
		if (c != 0)
			w[n++] = (uint64_t)c;
	}
	lo = sh / 64;
	b = sh % 64;
	for (i = lo + 2; i < n; i++)
		if (w[i] != 0)
			return -1;
	c = lo < n ? w[lo] : 0;
	if (lo + 1 < n)
		c |= (u128)w[lo + 1] << 64;
	c >>= b;
	if (c >> 64)
		return -1;
	*d = (uint64_t)c;
	/* the bits below sh: the half bit, and whether any other is set */
	hb = (sh - 1) / 64 < n ? w[(sh - 1) / 64] : 0;
	low = (hb & ((UINT64_C(1) << ((sh - 1) % 64)) - 1)) != 0;
	for (i = 0; i < (sh - 1) / 64 && i < n && !low; i++)
		low = w[i] != 0;
	if (hb >> ((sh - 1) % 64) & 1)
		*rem = low ? REM_HIGH : REM_HALF;
	else
		*rem = low ? REM_LOW : REM_NONE;
	return 0;
}

/* floor(m 2^E 10^k) and the class of its fraction; -1 out of range. */
static int
scaled(uint64_t m, int E, int k, uint64_t *d, int *rem)
{
	u128 n, q, p;

	if (E >= 0) {
		if (E > 11)
			return -1;
		n = (u128)m << E;		/* < 2^66 */
		if (k >= 0) {
			if (k > 19 || (n >> 64))
				return -1;
			n *= pow10u[k];
			if (n >> 64)
				return -1;
			*d = (uint64_t)n;
			*rem = REM_NONE;
			return 0;
		}
		if (-k > 19)
			return -1;
		p = pow10u[-k];
		q = n / p;
		n -= q * p;
		if (q >> 64)
			return -1;
		*d = (uint64_t)q;
		*rem = n == 0 ? REM_NONE : 2 * n < p ? REM_LOW :
		    2 * n == p ? REM_HALF : REM_HIGH;
		return 0;
	}
	if (k < 0)
		return -1;
	if (k > 21 || -E > 120)
		return floor_big(m, k, -E - k, d, rem);
	n = (u128)m * (k > 19 ? pow10u[19] : pow10u[k]);
	if (k > 19)
		n *= pow10u[k - 19];		/* m 10^k < 2^55 2^69.8 */
	q = n >> -E;
	if (q >> 64)
		return -1;
	*d = (uint64_t)q;
	*rem = remclass2(n - (q << -E), -E);
	return 0;
}

/*
 * Shortest text of a nonzero double (or normal float) below 2^64; 0
 * outside that range.  With e = floor(log10(x)) and k = P - 1 - e (P = 17
 * digits for a double, 9 for a float): F + f = x 10^k (F the P-digit
 * integer part, f its fraction's class), and likewise the midpoints to x's
 * neighbours, hi and lo (the gap below a power of two is half the gap
 * above, but for the smallest normal).  The p-digit rounding of x (ties to
 * even, as printf), scaled back to P digits, reads back as x (as strtod,
 * ties to even) when it lies strictly between lo and hi, or on one of them
 * when m is even.  A subnormal may need any number of digits.
 */
static size_t
fmt_exact(char *buf, double x, int isfloat)
{
	static const char pairs[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char d[24] = { '0' };
	uint64_t bits, m, top, f, hi, lo, q = 0, r, sc, v;
	uint32_t fb;
	int E, e, k, p, P, nd, i, rem, rhi, rlo, tries, up, sub;
	double ax = fabs(x);
	float fx;

	/* a subnormal double: no implicit bit, and any number of digits */
	sub = !isfloat && ax < DBL_MIN;
	if (!(ax > 0 && (!isfloat || ax >= FLT_MIN) &&
	    ax < 18446744073709551616.0))
		return 0;
	if (isfloat) {
		fx = (float)ax;
		memcpy(&fb, &fx, sizeof(fb));
		top = UINT64_C(1) << 23;
		m = (fb & (top - 1)) | top;
		E = (int)(fb >> 23) - 150;
		P = 9;
	} else {
		memcpy(&bits, &ax, sizeof(bits));
		top = UINT64_C(1) << 52;
		m = (bits & (top - 1)) | (sub ? 0 : top);
		E = sub ? -1074 : (int)(bits >> 52) - 1075;
		P = 17;
	}
	/* floor(log10(x)), or one less: corrected below */
	e = sub ? (int)floor(log10(ax)) :
	    (int)floor((E + (isfloat ? 23 : 52)) * 0.30102999566398120);
	for (tries = 0;; tries++) {
		if (tries == 3 || scaled(m, E, P - 1 - e, &f, &rem) != 0)
			return 0;
		if (f >= pow10u[P])
			e++;
		else if (f < pow10u[P - 1])
			e--;
		else
			break;
	}
	k = P - 1 - e;
	if (scaled(2 * m + 1, E - 1, k, &hi, &rhi) != 0 ||
	    (m == top && E > -1074 ? scaled(4 * m - 1, E - 2, k, &lo, &rlo) :
	    scaled(2 * m - 1, E - 1, k, &lo, &rlo)) != 0)
		return 0;
	for (p = sub ? 1 : isfloat ? 6 : 15; p <= P; p++) {
		sc = pow10u[P - p];
		q = f / sc;
		r = f % sc;
		if (sc == 1)
			up = rem == REM_HIGH || (rem == REM_HALF && (q & 1));
		else
			up = 2 * r > sc || (2 * r == sc &&
			    (rem != REM_NONE || (q & 1)));
		q += up;
		v = q * sc;
		if (p == P)
			break;
		if ((v < hi || (v == hi && rhi != REM_NONE) ||
		    (v == hi && !(m & 1))) &&
		    (v > lo || (v == lo && rlo == REM_NONE && !(m & 1))))
			break;
	}
	/* q has p digits, or is 10^p after a carry */
	if (q == pow10u[p]) {
		q = pow10u[p - 1];
		e++;
	}
	for (i = p - 2; i >= 0; i -= 2) {	/* two digits a division */
		memcpy(d + i, pairs + 2 * (q % 100), 2);
		q /= 100;
	}
	if (i == -1)
		d[0] = '0' + q;
	for (nd = p; nd > 1 && d[nd - 1] == '0'; nd--)
		;
	return layout(buf, signbit(x) != 0, d, nd, e);
}

static size_t
fmt_special(char *buf, double x)
{
	if (isnan(x))
		return (size_t)sprintf(buf, "nan");
	if (isinf(x))
		return (size_t)sprintf(buf, x < 0 ? "-inf" : "inf");
	if (x == 0)
		return (size_t)sprintf(buf, signbit(x) ? "-0" : "0");
	return 0;
}

/*
 * Shortest round-trip text.  Start at 15 significant digits (6 for a
 * float): when x round-trips there, its shortest form D has at most that
 * many digits, and since |x - D| is at most half an ulp (2^-53 relative;
 * 2^-24 for a float) while that grid's half-spacing is at least 5e-16 (5e-7),
 * the rounded text is D padded with zeros: dropping them gives D.  Otherwise
 * add digits until it round-trips (17 always does; 9 for a float).  One or
 * two snprintf/strtod pairs for most numbers.  Subnormals, whose ulp is
 * relatively larger, start from one digit.
 */
static size_t
fmt_shortest(char *buf, double x, int isfloat)
{
	char d[24] = { '0' }, b[40];
	int p, nd, e;
	size_t n;

	if ((n = fmt_special(buf, x)) > 0)
		return n;
	if (!CSVIO_LIBC && (n = fmt_exact(buf, x, isfloat)) > 0)
		return n;
	if (fabs(x) < (isfloat ? FLT_MIN : DBL_MIN))
		p = 1;
	else
		p = isfloat ? 6 : 15;
	for (;; p++) {
		snprintf(b, sizeof(b), "%.*e", p - 1, x);
		if (p == (isfloat ? 9 : 17))
			break;
		if (isfloat ? strtof(b, NULL) == (float)x : strtod(b, NULL) == x)
			break;
	}
	digits(b, d, &nd, &e);
	return layout(buf, signbit(x) != 0, d, nd, e);
}

size_t
fmt_double(char *buf, double x)
{
	return fmt_shortest(buf, x, 0);
}

size_t
fmt_float(char *buf, float x)
{
	return fmt_shortest(buf, x, 1);
}


/*
 * Decimal only: [+-] digits [. digits] [e [+-] digits], at least one
 * digit in the mantissa.  With a mantissa below 2^53 and a power of ten
 * up to 22 the result is one correctly rounded IEEE operation on exact
 * operands (Clinger's fast path); anything else goes to strtod.
 */
static int
parse_slow(const char *s, size_t len, double *x)
{
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	int neg = 0, nd = 0, nsig = 0, frac = 0, ex = 0, eneg = 0, nex = 0;
	long e;
	double v;
	char tmp[128], *buf;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++) {
		if (nsig > 0 || *p != '0') {
			if (nsig < 19)
				m = m * 10 + (*p - '0');
			else
				frac--;	/* dropped digit: fall back below */
			nsig++;
		}
	}
	if (p < end && *p == '.') {
		p++;
		for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++) {
			if (nsig > 0 || *p != '0') {
				if (nsig < 19)
					m = m * 10 + (*p - '0');
				nsig++;
			}
			frac++;
		}
	}
	if (nd == 0)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && (unsigned)(*p - '0') < 10; p++, nex++)
			if (ex < 100000)
				ex = ex * 10 + (*p - '0');
		if (nex == 0)
			return -1;
	}
	if (p != end)
		return -1;
	e = (eneg ? -(long)ex : ex) - frac;
	if (!CSVIO_LIBC && nsig <= 19 && m <= (UINT64_C(1) << 53) &&
	    e >= -22 && e <= 22) {
		v = (double)m;
		v = e >= 0 ? v * pow10tab[e] : v / pow10tab[-e];
		*x = neg ? -v : v;
		return 0;
	}
	if (m == 0 && nsig == 0) {
		*x = neg ? -0.0 : 0.0;
		return 0;
	}
	buf = len < sizeof(tmp) ? tmp : malloc(len + 1);
	if (buf == NULL)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtod(buf, NULL);
	if (buf != tmp)
		free(buf);
	if (!isfinite(v))
		return -1;
	*x = v;
	return 0;
}

int
parse_double(const char *s, size_t len, double *x)
{
#if CSVIO_LIBC
	/* the same grammar through strtod (tests/bench/csvio) */
	return parse_slow(s, len, x);
#endif
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	int neg = 0, nd = 0, frac = 0;
	double v;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	/* The common case: digits [. digits], 19 digits at most, exact. */
	for (; p < end && (unsigned)(*p - '0') < 10; p++, nd++)
		m = m * 10 + (*p - '0');
	if (p < end && *p == '.')
		for (p++; p < end && (unsigned)(*p - '0') < 10; p++, nd++, frac++)
			m = m * 10 + (*p - '0');
	if (p != end || nd == 0 || nd > 19 || m > (UINT64_C(1) << 53) ||
	    frac > 22)
		return parse_slow(s, len, x);
	v = frac > 0 ? (double)m / pow10tab[frac] : (double)m;
	*x = neg ? -v : v;
	return 0;
}

/* ---- text for messages ---- */

/* Length of a valid UTF-8 sequence at s[0..n) for a printable code point
 * (U+00A0 and above), or 0. */
static size_t
utf8ok(const unsigned char *s, size_t n)
{
	unsigned c;
	size_t k, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	c = s[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < 0xa0 || (k == 3 && c < 0x800) || (k == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return k;
}

const char *
quote_text(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char e[8];
	size_t o = 0, i = 0, k, n;

	buf[o++] = '\'';
	while (i < len) {
		k = 1;
		n = 0;
		switch (p[i]) {
		case '\n':	e[n++] = '\\'; e[n++] = 'n'; break;
		case '\r':	e[n++] = '\\'; e[n++] = 'r'; break;
		case '\t':	e[n++] = '\\'; e[n++] = 't'; break;
		case '\\':	e[n++] = '\\'; e[n++] = '\\'; break;
		case '\'':	e[n++] = '\\'; e[n++] = '\''; break;
		default:
			if (p[i] >= 0x20 && p[i] < 0x7f)
				e[n++] = (char)p[i];
			else if ((k = utf8ok(p + i, len - i)) > 0) {
				memcpy(e, p + i, k);
				n = k;
			} else {
				k = 1;
				e[n++] = '\\';
				e[n++] = 'x';
				e[n++] = hex[p[i] >> 4];
				e[n++] = hex[p[i] & 15];
			}
		}
		/* room for this, the closing quote and NUL, or for "...'" */
		if (o + n + (i + k < len ? 5 : 2) > size)
			break;
		memcpy(buf + o, e, n);
		o += n;
		i += k;
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}
