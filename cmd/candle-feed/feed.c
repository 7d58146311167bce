/*
 * feed.c - candle-feed's logic: held rows, resampling, the last rows of a
 * file, following a file.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	h->r.line = r->line;
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
feedrow_fields(const struct feedrow *r, struct csvout *out)
{
	int k;

	/* checked times and numbers hold no comma, quote or newline */
	for (k = 0; k < 6; k++)
		csvout_plain(out, r->txt[k], r->len[k]);
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

int
feedrs_init(struct feedrs *f, cktime d)
{
	memset(f, 0, sizeof(*f));
	return resample_init(&f->rs, d);
}

void
feedrs_free(struct feedrs *f)
{
	int k, i;

	for (k = 0; k < 6; k++) {
		free(f->txt[k].s);
		for (i = 0; i < 2; i++)
			free(f->otxt[i][k].s);
	}
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

/* Completed bucket c as out[i], with the texts held. */
static int
complete(struct feedrs *f, int i, const struct candle *c)
{
	struct feedrow *o = &f->out[i];
	char *v = f->vbuf[i];
	size_t n;
	int k;

	o->c = *c;
	o->line = 0;
	o->txt[0] = f->tbuf[i];
	o->len[0] = time_format(f->tbuf[i], c->t);
	for (k = 1; k < 6; k++)
		if (txt_set(&f->otxt[i][k], f->txt[k].s, f->txt[k].len) != 0)
			return -1;
	for (k = 1; k < 6; k++) {
		o->txt[k] = f->otxt[i][k].s;
		o->len[k] = f->otxt[i][k].len;
	}
	if (f->n > 1) {
		/* the sum of texts with at most voldec decimals has as many */
		if (f->voldec >= 0 && f->voldec <= 9 && c->volume < 1e15) {
			n = snprintf(v, sizeof(f->vbuf[i]), "%.*f", f->voldec,
			    c->volume);
			if (f->voldec > 0) {
				while (v[n - 1] == '0')
					n--;
				if (v[n - 1] == '.')
					n--;
			}
		} else
			n = fmt_double(v, c->volume);
		o->txt[5] = v;
		o->len[5] = n;
	}
	return 0;
}

int
feedrs_push(struct feedrs *f, const struct feedrow *r, struct feedrow **out)
{
	struct candle prev, cur;
	unsigned fl;
	int k, dec, n = 0;

	fl = resample_push(&f->rs, &r->c, &prev, &cur);
	if (fl & RESAMPLE_LATE)
		return -2;
	if ((fl & RESAMPLE_PREV) && complete(f, n++, &prev) != 0)
		return -1;
	if (fl & RESAMPLE_OPEN) {
		for (k = 1; k < 6; k++)
			if (txt_set(&f->txt[k], r->txt[k], r->len[k]) != 0)
				return -1;
		f->voldec = decimals(r->txt[5], r->len[5]);
		f->n = 0;
	} else {
		if ((fl & RESAMPLE_HIGH) &&
		    txt_set(&f->txt[2], r->txt[2], r->len[2]) != 0)
			return -1;
		if ((fl & RESAMPLE_LOW) &&
		    txt_set(&f->txt[3], r->txt[3], r->len[3]) != 0)
			return -1;
		if (txt_set(&f->txt[4], r->txt[4], r->len[4]) != 0)
			return -1;
		dec = decimals(r->txt[5], r->len[5]);
		if (dec < 0 || f->voldec < 0)
			f->voldec = -1;
		else if (dec > f->voldec)
			f->voldec = dec;
	}
	f->n++;
	if ((fl & RESAMPLE_CUR) && complete(f, n++, &cur) != 0)
		return -1;
	*out = f->out;
	return n;
}

int
feedrs_bucket_check(const struct feedrow *b, char *msg, size_t len)
{
	char why[160];

	if (!time_in_range(b->c.t))
		snprintf(why, sizeof(why), "its start is outside %s",
		    TIME_RANGE_TEXT);
	if (time_in_range(b->c.t) &&
	    candle_check(&b->c, why, sizeof(why)) == 0)
		return 0;
	snprintf(msg, len, "resampled candle %.*s: %s", (int)b->len[0],
	    b->txt[0], why);
	return -1;
}

void
feedrs_late(const struct feedrs *f, const char *name, cktime t, char *msg,
    size_t len)
{
	char a[40], b[40];

	time_format(a, t);
	time_format(b, resample_bucket(&f->rs, t));
	snprintf(msg, len, "%s%scandle %s falls in the bucket of %s, written "
	    "already as complete: the candles came closer together than "
	    "before (resample a series with one step)", name != NULL ? name :
	    "", name != NULL ? ": " : "", a, b);
}

int
feedrs_partial(struct feedrs *f, struct feedrow **out)
{
	struct candle c;

	if (!resample_partial(&f->rs, &c))
		return 0;
	if (complete(f, 0, &c) != 0)
		return -1;
	*out = f->out;
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
ring_write(struct ring *g, void (*put)(const struct feedrow *))
{
	long i;

	for (i = 0; i < g->count; i++)
		put(ring_at(g, i));
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

/* One read at the file's end: bytes read (complete lines made ready), 0
 * at its end, -1 on an error. */
static ssize_t
fill(struct follow *fw)
{
	ssize_t r;
	char *nl;

	r = read(fw->fd, fw->buf + fw->len, fw->cap - fw->len);
	if (r > 0) {
		fw->pos += r;
		fw->len += r;
		for (nl = fw->buf + fw->len; nl > fw->buf && nl[-1] != '\n';
		    nl--)
			;
		fw->ready = nl - fw->buf;
	}
	return r;
}

int
follow_poll(struct follow *fw)
{
	struct pollfd p;
	ssize_t r;

	if (fw->restarted || fw->ready > 0 || fw->len == fw->cap)
		return 1;
	p.fd = fw->fd;
	p.events = POLLIN;
	if (poll(&p, 1, 0) != 1)
		return 0;
	if ((r = fill(fw)) < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (r == 0)
		return restart(fw);	/* at its end: replaced, truncated? */
	return fw->ready > 0 || fw->len == fw->cap;
}

ssize_t
follow_read(void *ctx, void *buf, size_t n)
{
	struct follow *fw = ctx;
	struct timespec ts;
	ssize_t r;

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
		if ((r = fill(fw)) < 0)
			return -1;
		if (r > 0)
			continue;
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
feed_open_tail(const char *path, long n, long hdrlines, struct splice *sp,
    char *err, size_t errlen)
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
	    magic[1] == 0x8b) || (hdr = feed_header_end(fd, hdrlines)) < 0) {
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

/* ---- rows held for joining files ---- */

struct feedrow *
ring_at(struct ring *g, long i)
{
	return &g->row[(g->head - g->count + i + 2 * g->n) % g->n].r;
}

void
ring_drop(struct ring *g)
{
	if (g->count > 0)
		g->count--;
}

long
ring_find(struct ring *g, cktime t)
{
	long lo = 0, hi = g->count - 1, mid;
	cktime m;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		m = ring_at(g, mid)->c.t;
		if (m == t)
			return mid;
		if (m < t)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

int
ring_set(struct ring *g, long i, const struct feedrow *r)
{
	return feedheld_set(&g->row[(g->head - g->count + i + 2 * g->n) %
	    g->n], r);
}

/* ---- a newest-first file read from its end ---- */

int
feed_reversible(const char *path, const struct feedin *f)
{
	unsigned char m[2];
	int fd, ok;

	if (strcmp(path, "-") == 0 || f->json != NULL ||
	    csvin_encoding(f->in) == CSVIN_UTF16LE ||
	    csvin_encoding(f->in) == CSVIN_UTF16BE)
		return 0;
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	ok = pread(fd, m, 2, 0) == 2 && !(m[0] == 0x1f && m[1] == 0x8b);
	close(fd);
	return ok;
}

#define REVBLK	(64 * 1024)

off_t
feed_header_end(int fd, long n)
{
	char buf[4096], *p, *e;
	off_t pos = 0;
	ssize_t r;

	while (n > 0) {
		if ((r = pread(fd, buf, sizeof(buf), pos)) <= 0)
			return -1;
		for (p = buf, e = buf + r; n > 0 &&
		    (p = memchr(p, '\n', e - p)) != NULL; p++)
			if (--n == 0)
				return pos + (p - buf) + 1;
		pos += r;
		if (pos > (off_t)n * (CSVIO_MAXLINE + 1))
			return -1;
	}
	return 0;
}

int
rev_open(struct revsrc *v, const char *path, long hdrlines, char *err,
    size_t errlen)
{
	struct stat sb;

	memset(v, 0, sizeof(*v));
	if ((v->fd = open(path, O_RDONLY)) == -1 || fstat(v->fd, &sb) == -1 ||
	    (v->hdrend = feed_header_end(v->fd, hdrlines)) < 0 ||
	    (v->blk = malloc(REVBLK)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno != 0 ?
		    errno : EIO));
		rev_close(v);
		return CK_ERR;
	}
	v->end = sb.st_size;
	v->bstart = v->end;
	return 0;
}

void
rev_close(struct revsrc *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	free(v->blk);
	free(v->line);
	v->blk = v->line = NULL;
}

/* The byte at pos (hdrend <= pos < end), from a block read backwards. */
static int
rev_byte(struct revsrc *v, off_t pos)
{
	off_t s;
	ssize_t r;

	if (pos < v->bstart || pos >= v->bstart + (off_t)v->blen) {
		s = pos + 1 - REVBLK < v->hdrend ? v->hdrend : pos + 1 - REVBLK;
		if ((r = pread(v->fd, v->blk, pos + 1 - s, s)) != pos + 1 - s)
			return -1;
		v->bstart = s;
		v->blen = (size_t)r;
	}
	return (unsigned char)v->blk[pos - v->bstart];
}

ssize_t
rev_read(void *ctx, void *buf, size_t n)
{
	struct revsrc *v = ctx;
	off_t ls, e;
	ssize_t r;
	size_t len;
	int c;
	char *b;

	if (v->hpos < v->hdrend) {
		if ((off_t)n > v->hdrend - v->hpos)
			n = v->hdrend - v->hpos;
		if ((r = pread(v->fd, buf, n, v->hpos)) > 0)
			v->hpos += r;
		return r;
	}
	while (v->lpos == v->llen) {
		if (v->end <= v->hdrend)
			return 0;
		/* the line that ends at end: back to the LF before it */
		e = v->end;
		if ((c = rev_byte(v, e - 1)) < 0)
			return -1;
		ls = c == '\n' ? e - 1 : e;
		while (ls > v->hdrend && (c = rev_byte(v, ls - 1)) != '\n') {
			if (c < 0)
				return -1;
			if (e - ls > CSVIO_MAXLINE)
				break;	/* csvin refuses it */
			ls--;
		}
		len = (size_t)(e - ls);
		if (len + 1 > v->lcap) {
			if ((b = realloc(v->line, len + 1)) == NULL)
				return -1;
			v->line = b;
			v->lcap = len + 1;
		}
		if (pread(v->fd, v->line, len, ls) != (ssize_t)len)
			return -1;
		if (len == 0 || v->line[len - 1] != '\n')
			v->line[len++] = '\n';
		v->llen = len;
		v->lpos = 0;
		v->end = ls;
	}
	if (n > v->llen - v->lpos)
		n = v->llen - v->lpos;
	memcpy(buf, v->line + v->lpos, n);
	v->lpos += n;
	return (ssize_t)n;
}
