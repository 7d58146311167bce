/*
 * feed.c - candle-feed's logic: input formats onto the canonical columns,
 * held rows, resampling, the last rows of a file, following a file.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "timeparse.h"
#include "feed.h"

/* ---- input formats ---- */

static const char *const aliases[6][6] = {
	{ "time", "timestamp", "date", "datetime", "open_time", "open time" },
	{ "open", "o" },
	{ "high", "h" },
	{ "low", "l" },
	{ "close", "c" },
	{ "volume", "v", "vol" },
};

/* Header name s matches a name for canonical column k (case and
 * surrounding blanks ignored; a UTF-8 byte order mark too). */
static int
namematch(const char *s, size_t len, int k)
{
	int j;
	size_t n;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	for (j = 0; j < 6 && aliases[k][j] != NULL; j++) {
		n = strlen(aliases[k][j]);
		if (n == len && strncasecmp(s, aliases[k][j], n) == 0)
			return 1;
	}
	return 0;
}

static int
alldigits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned)(s[i] - '0') > 9)
			return 0;
	return len > 0;
}

int
feedin_start(struct feedin *f, struct csvin *in, enum epoch_unit unit,
    char *err, size_t errlen)
{
	const char *s;
	size_t len, i, nf;
	int k, r;

	memset(f, 0, sizeof(*f));
	f->in = in;
	f->unit = unit;
	if ((r = csvin_next(in, err, errlen)) <= 0) {
		if (r == 0) {
			snprintf(err, errlen, "%s:1: no header", csvin_name(in));
			r = CK_EDATA;
		}
		f->fatal = 1;
		return r;
	}
	nf = csvin_nfields(in);
	s = csvin_field(in, 0, &len);
	if (nf == 12 && alldigits(s, len)) {
		/* Binance klines: open time, o, h, l, c, v, close time, ... */
		for (k = 0; k < 6; k++)
			f->col[k] = k;
		f->ncol = 12;
		f->binance = 1;
		f->pending = 1;
		return 0;
	}
	f->ncol = (int)nf;
	for (k = 0; k < 6; k++) {
		f->col[k] = -1;
		for (i = 0; i < nf && f->col[k] < 0; i++) {
			s = csvin_field(in, i, &len);
			if (namematch(s, len, k))
				f->col[k] = (int)i;
		}
		if (f->col[k] < 0) {
			snprintf(err, errlen, "%s:%ld: no %s column in the header",
			    csvin_name(in), csvin_line(in), aliases[k][0]);
			f->fatal = 1;
			return CK_EDATA;
		}
	}
	return 0;
}

int
feedin_next(struct feedin *f, struct feedrow *row, char *err, size_t errlen)
{
	char why[160];
	const char *s;
	size_t len, nf;
	int k, r;

	f->fatal = 0;
	if (f->pending)
		f->pending = 0;
	else if ((r = csvin_next(f->in, err, errlen)) <= 0) {
		f->fatal = 1;
		return r;
	}
	nf = csvin_nfields(f->in);
	if (nf != (size_t)f->ncol) {
		snprintf(why, sizeof(why), "%zu fields, %s %d", nf,
		    f->binance ? "klines have" : "the header has", f->ncol);
		goto bad;
	}
	s = csvin_field(f->in, f->col[0], &len);
	if (time_parse_iso(s, len, &row->c.t) == 0) {
		row->txt[0] = s;
		row->len[0] = len;
	} else if (time_parse_any(s, len, f->unit, &row->c.t) == 0) {
		row->txt[0] = f->tbuf;
		row->len[0] = time_format(f->tbuf, row->c.t);
	} else {
		snprintf(why, sizeof(why), "bad time '%.*s'",
		    len > 40 ? 40 : (int)len, s);
		goto bad;
	}
	for (k = 1; k < 6; k++) {
		s = csvin_field(f->in, f->col[k], &len);
		if (candle_parse_num(s, len, k, candle_val(&row->c, k), why,
		    sizeof(why)) != 0)
			goto bad;
		row->txt[k] = s;
		row->len[k] = len;
	}
	if (candle_check(&row->c, why, sizeof(why)) != 0)
		goto bad;
	return 1;
bad:
	snprintf(err, errlen, "%s:%ld: %s", csvin_name(f->in),
	    csvin_line(f->in), why);
	return CK_EDATA;
}

/* ---- held rows ---- */

int
feedheld_set(struct feedheld *h, const struct feedrow *r)
{
	size_t need = 0, off = 0;
	char *b;
	int k;

	for (k = 0; k < 6; k++)
		need += r->len[k];
	if (need > h->cap) {
		if ((b = realloc(h->buf, need)) == NULL)
			return -1;
		h->buf = b;
		h->cap = need;
	}
	h->r.c = r->c;
	for (k = 0; k < 6; k++) {
		memcpy(h->buf + off, r->txt[k], r->len[k]);
		h->r.len[k] = r->len[k];
		off += r->len[k];
	}
	for (k = 0, off = 0; k < 6; off += h->r.len[k], k++)
		h->r.txt[k] = h->buf + off;
	h->full = 1;
	return 0;
}

void
feedheld_free(struct feedheld *h)
{
	free(h->buf);
	memset(h, 0, sizeof(*h));
}

void
feedrow_write(const struct feedrow *r, struct csvout *out)
{
	int k;

	/* checked times and numbers hold no comma, quote or newline */
	for (k = 0; k < 6; k++)
		csvout_plain(out, r->txt[k], r->len[k]);
	csvout_end(out);
}

/* ---- resampling ---- */

static int
txt_set(struct feedtxt *t, const char *s, size_t len)
{
	char *b;

	if (len > t->cap) {
		if ((b = realloc(t->s, len)) == NULL)
			return -1;
		t->s = b;
		t->cap = len;
	}
	memcpy(t->s, s, len);
	t->len = len;
	return 0;
}

void
resample_init(struct resample *rs, cktime d)
{
	memset(rs, 0, sizeof(*rs));
	rs->d = d;
	rs->step = CKTIME_NONE;
	rs->prev = CKTIME_NONE;
}

void
resample_free(struct resample *rs)
{
	int k;

	for (k = 0; k < 6; k++)
		free(rs->txt[k].s);
}

static cktime
floordiv(cktime a, cktime b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static cktime
bucket(const struct resample *rs, cktime t)
{
	cktime mon = 4 * 86400 * CK_SEC;	/* 1970-01-05, a Monday */

	if (rs->d % (7 * 86400 * CK_SEC) == 0)
		return floordiv(t - mon, rs->d) * rs->d + mon;
	return floordiv(t, rs->d) * rs->d;
}

/* Decimals of a plain decimal text, or -1. */
static int
decimals(const char *s, size_t len)
{
	const char *dot = memchr(s, '.', len);
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned)(s[i] - '0') > 9 && s + i != dot)
			return -1;
	return dot == NULL ? 0 : (int)(len - (dot - s) - 1);
}

static void
emit(struct resample *rs, struct feedrow *out)
{
	size_t n;
	int k;

	out->c = rs->c;
	out->c.t = rs->start;
	out->txt[0] = rs->tbuf;
	out->len[0] = time_format(rs->tbuf, rs->start);
	for (k = 1; k < 6; k++) {
		out->txt[k] = rs->txt[k].s;
		out->len[k] = rs->txt[k].len;
	}
	if (rs->n > 1) {
		/* the sum of texts with at most voldec decimals has as many */
		if (rs->voldec >= 0 && rs->voldec <= 9 && rs->c.volume < 1e15) {
			n = snprintf(rs->vbuf, sizeof(rs->vbuf), "%.*f",
			    rs->voldec, rs->c.volume);
			if (rs->voldec > 0) {
				while (rs->vbuf[n - 1] == '0')
					n--;
				if (rs->vbuf[n - 1] == '.')
					n--;
			}
		} else
			n = fmt_double(rs->vbuf, rs->c.volume);
		out->txt[5] = rs->vbuf;
		out->len[5] = n;
	}
	rs->n = 0;
}

static int
add(struct resample *rs, const struct feedrow *r, struct feedrow *out)
{
	int k, dec;

	if (rs->n == 0) {
		rs->start = bucket(rs, r->c.t);
		rs->c = r->c;
		for (k = 1; k < 6; k++)
			if (txt_set(&rs->txt[k], r->txt[k], r->len[k]) != 0)
				return -1;
		rs->voldec = decimals(r->txt[5], r->len[5]);
	} else {
		if (r->c.high > rs->c.high) {
			rs->c.high = r->c.high;
			if (txt_set(&rs->txt[2], r->txt[2], r->len[2]) != 0)
				return -1;
		}
		if (r->c.low < rs->c.low) {
			rs->c.low = r->c.low;
			if (txt_set(&rs->txt[3], r->txt[3], r->len[3]) != 0)
				return -1;
		}
		rs->c.close = r->c.close;
		if (txt_set(&rs->txt[4], r->txt[4], r->len[4]) != 0)
			return -1;
		rs->c.volume += r->c.volume;
		dec = decimals(r->txt[5], r->len[5]);
		if (dec < 0 || rs->voldec < 0)
			rs->voldec = -1;
		else if (dec > rs->voldec)
			rs->voldec = dec;
	}
	rs->n++;
	rs->lastt = r->c.t;
	if (rs->step != CKTIME_NONE && rs->lastt + rs->step >= rs->start + rs->d) {
		emit(rs, out);
		return 1;
	}
	return 0;
}

int
resample_push(struct resample *rs, const struct feedrow *r,
    struct feedrow *out, int *more)
{
	cktime dt;

	*more = 0;
	if (rs->prev != CKTIME_NONE) {
		dt = r->c.t - rs->prev;
		if (dt > 0 && (rs->step == CKTIME_NONE || dt < rs->step))
			rs->step = dt;
	}
	rs->prev = r->c.t;
	if (rs->n > 0 && bucket(rs, r->c.t) != rs->start) {
		emit(rs, out);
		rs->pend = r;
		*more = 1;
		return 1;
	}
	return add(rs, r, out);
}

int
resample_pop(struct resample *rs, struct feedrow *out)
{
	const struct feedrow *r = rs->pend;

	rs->pend = NULL;
	return r == NULL ? 0 : add(rs, r, out);
}

int
resample_partial(struct resample *rs, struct feedrow *out)
{
	if (rs->n == 0)
		return 0;
	emit(rs, out);
	return 1;
}

/* ---- the last rows ---- */

int
ring_init(struct ring *g, long n)
{
	memset(g, 0, sizeof(*g));
	if (n > 0 && (g->row = calloc(n, sizeof(*g->row))) == NULL)
		return -1;
	g->n = n;
	return 0;
}

int
ring_push(struct ring *g, const struct feedrow *r)
{
	if (g->n == 0)
		return 0;
	if (feedheld_set(&g->row[g->head], r) != 0)
		return -1;
	g->head = (g->head + 1) % g->n;
	if (g->count < g->n)
		g->count++;
	return 0;
}

void
ring_write(struct ring *g, struct csvout *out)
{
	long i;

	for (i = 0; i < g->count; i++)
		feedrow_write(&g->row[(g->head - g->count + i + g->n) % g->n].r,
		    out);
	g->count = 0;
}

void
ring_free(struct ring *g)
{
	long i;

	for (i = 0; i < g->n; i++)
		feedheld_free(&g->row[i]);
	free(g->row);
}

#define BACKSZ	(64 * 1024)

off_t
feed_header_end(int fd)
{
	char buf[4096], *nl;
	off_t pos = 0;
	ssize_t r;

	for (;;) {
		r = pread(fd, buf, sizeof(buf), pos);
		if (r <= 0)
			return -1;
		if ((nl = memchr(buf, '\n', r)) != NULL)
			return pos + (nl - buf) + 1;
		pos += r;
		if (pos > CSVIO_MAXLINE + 1)
			return -1;
	}
}

off_t
feed_tail_offset(int fd, off_t size, off_t hdrend, long n)
{
	char *buf;
	off_t pos = size, start;
	ssize_t r, i;
	long seen = 0;

	if (n <= 0)
		return size;
	if ((buf = malloc(BACKSZ)) == NULL)
		return -1;
	/* a line starts after each newline but the file's final byte */
	while (pos > hdrend) {
		start = pos - BACKSZ < hdrend ? hdrend : pos - BACKSZ;
		r = pread(fd, buf, pos - start, start);
		if (r != pos - start) {
			free(buf);
			return -1;
		}
		for (i = r - 1; i >= 0; i--)
			if (buf[i] == '\n' && start + i != size - 1 &&
			    ++seen == n) {
				free(buf);
				return start + i + 1;
			}
		pos = start;
	}
	free(buf);
	return hdrend;
}

ssize_t
splice_read(void *ctx, void *buf, size_t n)
{
	struct splice *s = ctx;
	ssize_t r;

	if (s->pos < s->hdrend && s->pos + (off_t)n > s->hdrend)
		n = s->hdrend - s->pos;
	r = pread(s->fd, buf, n, s->pos);
	if (r > 0) {
		s->pos += r;
		if (s->pos == s->hdrend && s->from > s->pos)
			s->pos = s->from;
	}
	return r;
}

/* ---- following a file ---- */

int
follow_open(struct follow *fw, const char *path, char *err, size_t errlen)
{
	struct stat st;

	memset(fw, 0, sizeof(*fw));
	fw->interval_ms = 100;
	fw->cap = 64 * 1024;
	if ((fw->fd = open(path, O_RDONLY)) == -1 || fstat(fw->fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fw->fd != -1)
			close(fw->fd);
		return CK_ERR;
	}
	fw->dev = st.st_dev;
	fw->ino = st.st_ino;
	if ((fw->path = strdup(path)) == NULL ||
	    (fw->buf = malloc(fw->cap)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		follow_close(fw);
		return CK_ERR;
	}
	return 0;
}

void
follow_close(struct follow *fw)
{
	if (fw->fd != -1)
		close(fw->fd);
	free(fw->path);
	free(fw->buf);
	fw->fd = -1;
	fw->path = NULL;
	fw->buf = NULL;
}

/* Truncated or replaced: start over (1), or carry on (0). */
static int
restart(struct follow *fw)
{
	struct stat st, cur;
	int fd;

	if (stat(fw->path, &st) == -1)
		return 0;	/* gone for now: wait for it */
	if (st.st_dev != fw->dev || st.st_ino != fw->ino) {
		if ((fd = open(fw->path, O_RDONLY)) == -1)
			return 0;
		if (fstat(fd, &st) == -1) {
			close(fd);
			return 0;
		}
		close(fw->fd);
		fw->fd = fd;
		fw->dev = st.st_dev;
		fw->ino = st.st_ino;
	} else if (fstat(fw->fd, &cur) == -1 || cur.st_size >= fw->pos)
		return 0;
	else if (lseek(fw->fd, 0, SEEK_SET) == -1)
		return 0;
	fw->pos = 0;
	fw->dropped = fw->len > 0;
	fw->len = fw->ready = 0;
	fw->restarted = 1;
	return 1;
}

ssize_t
follow_read(void *ctx, void *buf, size_t n)
{
	struct follow *fw = ctx;
	struct timespec ts;
	ssize_t r;
	char *nl;

	if (fw->restarted)
		return 0;	/* until the caller starts anew */
	for (;;) {
		if (fw->ready > 0) {
			if (n > fw->ready)
				n = fw->ready;
			memcpy(buf, fw->buf, n);
			memmove(fw->buf, fw->buf + n, fw->len - n);
			fw->len -= n;
			fw->ready -= n;
			return (ssize_t)n;
		}
		if (fw->len == fw->cap) {
			/* a line this long is handed on for csvin to refuse */
			fw->ready = fw->len;
			continue;
		}
		r = read(fw->fd, fw->buf + fw->len, fw->cap - fw->len);
		if (r < 0)
			return -1;
		if (r > 0) {
			fw->pos += r;
			fw->len += r;
			for (nl = fw->buf + fw->len; nl > fw->buf && nl[-1] != '\n';
			    nl--)
				;
			fw->ready = nl - fw->buf;
			continue;
		}
		if (restart(fw))
			return 0;
		if (fw->atend != NULL)
			fw->atend(fw->atendarg);
		if (fw->stop != NULL && *fw->stop) {
			errno = EINTR;
			return -1;
		}
		ts.tv_sec = fw->interval_ms / 1000;
		ts.tv_nsec = fw->interval_ms % 1000 * 1000000;
		if (nanosleep(&ts, NULL) == -1 && errno == EINTR) {
			errno = EINTR;
			return -1;
		}
	}
}

struct csvin *
feed_open_tail(const char *path, long n, struct splice *sp, char *err,
    size_t errlen)
{
	struct stat sb;
	unsigned char magic[2];
	off_t hdr;
	int fd;

	sp->fd = -1;
	if (strcmp(path, "-") == 0)
		return NULL;
	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    pread(fd, magic, 2, 0) != 2 || (magic[0] == 0x1f &&
	    magic[1] == 0x8b) || (hdr = feed_header_end(fd)) < 0) {
		close(fd);
		return NULL;
	}
	sp->fd = fd;
	sp->pos = 0;
	sp->hdrend = hdr;
	if ((sp->from = feed_tail_offset(fd, sb.st_size, hdr, n)) < 0) {
		close(fd);
		return NULL;
	}
	return csvin_new(path, splice_read, sp, err, errlen);
}

int
feed_gap(cktime *step, cktime dt)
{
	if (*step == CKTIME_NONE || dt < *step) {
		*step = dt;
		return 0;
	}
	return dt > *step;
}

void
replay_init(struct replay *r, double speed, cktime maxwait)
{
	memset(r, 0, sizeof(*r));
	r->speed = speed;
	r->maxwait = maxwait;
	r->t = CKTIME_NONE;
}

int
replay_due(struct replay *r, cktime t, struct timespec *due)
{
	struct timespec now;
	double dt;
	cktime w;

	if (r->t == CKTIME_NONE || r->speed == 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		r->wall = now;
		r->t = t;
		return 0;
	}
	dt = (double)(t - r->t) / r->speed;
	w = dt > (double)r->maxwait ? r->maxwait : (cktime)dt;
	*due = r->wall;
	due->tv_sec += w / CK_SEC;
	due->tv_nsec += w % CK_SEC;
	if (due->tv_nsec >= CK_SEC) {
		due->tv_sec++;
		due->tv_nsec -= CK_SEC;
	}
	return 1;
}

int
replay_sleep(struct replay *r, cktime t, const struct timespec *due,
    volatile sig_atomic_t *stop)
{
	struct timespec now;

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, due, NULL) ==
	    EINTR)
		if (*stop)
			return CK_EINTR;
	clock_gettime(CLOCK_MONOTONIC, &now);
	r->wall = now.tv_sec > due->tv_sec || (now.tv_sec == due->tv_sec &&
	    now.tv_nsec > due->tv_nsec) ? now : *due;
	r->t = t;
	return 0;
}
