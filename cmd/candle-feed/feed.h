/*
 * feed.h - what candle-feed does to candle files: read the layouts of
 * common platforms onto the canonical columns (format.c: dialect, names,
 * dates and times, zones, number texts, JSON), hold rows, aggregate to a
 * coarser timeframe with the texts kept, find the last rows of a file from
 * its end, read a newest-first file from its end, join overlapping files,
 * and follow a growing file (tail -F).
 */
#ifndef FEED_H
#define FEED_H

#include <signal.h>
#include <sys/types.h>
#include <time.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "timeparse.h"
#include "resample.h"

/* One canonical row: values and the text written for each column. */
struct feedrow {
	struct candle	 c;
	const char	*txt[6];	/* time, open, high, low, close, volume */
	size_t		 len[6];
	long		 line;		/* where it was read */
};

/* How to read the inputs (the options; zero: detect). */
struct feedopt {
	int		 sep;		/* field separator, 0: detect */
	int		 decimal;	/* '.' or ',', 0: detect */
	const char	*columns;	/* "time,open,..." names or positions */
	const char	*timefmt;	/* strptime(3) format of the time */
	const char	*volume;	/* the volume column's name */
	int		 tz;		/* naive times in the TZ zone */
	int		 noheader;
	int		 novolume;	/* volume 0 */
	int		 closeadj;	/* the adjusted close */
	enum epoch_unit	 unit;
};

/* JSON candles turned into CSV lines for a csvin. */
struct jsonsrc {
	struct csvin	*in;		/* the file as text */
	unsigned char	 buf[16384];
	size_t		 pos, len;
	long long	 off;		/* bytes read */
	int		 depth, quote, seen, end;
	int		 bad;		/* 1 not JSON candles, 2 read error */
	char		 err[256];
};

/* An input: which input column holds each canonical one. */
struct feedin {
	struct csvin	*in;		/* records (the JSON reader's for JSON) */
	const struct feedopt *o;
	struct jsonsrc	*json;
	int		 col[6];	/* time (or date), open .. volume (-1) */
	int		 tcol;		/* time of day, with twocols */
	int		 twocols;	/* a date column and a time column */
	int		 datecol;	/* the time column is a date column */
	int		 adjcol;	/* adjusted close, or -1 */
	int		 ncol;		/* fields a row must have */
	int		 noheader;	/* headerless or JSON: first record a row */
	int		 pending;	/* the first record is a row */
	int		 fatal;		/* the last error cannot be skipped */
	int		 sep, dec;	/* dec: 0 until the first row */
	const char	**name;		/* header names */
	char		*namebuf;
	int		 nname;
	long		 hdrline;
	const char	*hdr;		/* the header line as read */
	size_t		 hdrlen;
	char		 hdrbuf[200];
	cktime		 prevt;		/* the previous row's time */
	char		 tbuf[40];	/* time text when reformatted */
	char		 nbuf[6][80];	/* number texts made plain */
};

/* Read the header (or recognise a headerless layout or JSON): 0, or
 * CK_EDATA/CK_ERR with "file:line: reason". feedin_free after. */
int	feedin_start(struct feedin *, struct csvin *, const struct feedopt *,
	    char *err, size_t errlen);
/* 1 a row (checked: numbers, prices, ranges; not the time order); 0 end;
 * CK_EDATA (fatal set when the CSV itself is broken), CK_ERR, CK_EINTR. */
int	feedin_next(struct feedin *, struct feedrow *, char *err,
	    size_t errlen);
/* Frees what feedin_start made (not the csvin it was given). */
void	feedin_free(struct feedin *);
/* A note on standard error about input f, once per text. */
void	feed_note(const struct feedin *f, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A row copied into its own storage. */
struct feedheld {
	struct feedrow	 r;
	char		*buf;
	size_t		 cap;
	int		 full;
};

int	feedheld_set(struct feedheld *, const struct feedrow *);
void	feedheld_free(struct feedheld *);
/* Its six fields, not the end of the row. */
void	feedrow_fields(const struct feedrow *, struct csvout *);

/*
 * Resampling (resample.h) with the texts of the values kept: a bucket's
 * open, high, low and close are written as their rows had them; a summed
 * volume with as many decimals as its texts had.
 */
struct feedtxt {
	char		*s;
	size_t		 len, cap;
};

struct feedrs {
	struct resample	 rs;
	struct feedtxt	 txt[6];	/* texts of open, high, low, close, volume */
	int		 voldec;	/* decimals of the volume texts, -1 other */
	long		 n;		/* rows in the bucket */
	struct feedrow	 out[2];	/* completed buckets */
	char		 tbuf[2][40], vbuf[2][64];
	struct feedtxt	 otxt[2][6];	/* their texts */
};

/* 0, or -1 when d is out of range. */
int	feedrs_init(struct feedrs *, cktime d);
void	feedrs_free(struct feedrs *);
/* Add a row: the number of completed buckets (0, 1, 2) in out[0..n), -1
 * (no memory), or -2: the row falls in a bucket already given as complete
 * (RESAMPLE_LATE), and nothing was added. */
int	feedrs_push(struct feedrs *, const struct feedrow *, struct feedrow **out);
/* A completed bucket checked as the stream checks any candle: 0, or -1
 * with "resampled candle TIME: reason" in msg. */
int	feedrs_bucket_check(const struct feedrow *, char *msg, size_t len);
/* The message for a row at t that came after its bucket was complete
 * (feedrs_push's -2), after "name: " when name is not NULL. */
void	feedrs_late(const struct feedrs *, const char *name, cktime t,
	    char *msg, size_t len);
/* The incomplete last bucket: 1 and *out, or 0. */
int	feedrs_partial(struct feedrs *, struct feedrow **out);

/* The last n rows, kept as copies. */
struct ring {
	struct feedheld	*row;
	long		 n, head, count;
};

int	ring_init(struct ring *, long n);
int	ring_push(struct ring *, const struct feedrow *);
/* Each row to put, oldest first, and empty it. */
void	ring_write(struct ring *, void (*put)(const struct feedrow *));
void	ring_free(struct ring *);
/* Row i from the oldest; drop the oldest; the row at time t (the rows in
 * time order), or -1; replace row i: 0 or -1. */
struct feedrow *ring_at(struct ring *, long i);
void	ring_drop(struct ring *);
long	ring_find(struct ring *, cktime t);
int	ring_set(struct ring *, long i, const struct feedrow *);

/*
 * A newest-first plain file read from its end: its first hdrlines lines,
 * then its other lines last first, in bounded memory.
 */
struct revsrc {
	int		 fd;
	off_t		 hdrend, hpos;	/* header bytes, and those handed on */
	off_t		 end;		/* lines before end are still to come */
	char		*blk;		/* bytes at [bstart, bstart + blen) */
	off_t		 bstart;
	size_t		 blen;
	char		*line;		/* the line being handed on */
	size_t		 llen, lpos, lcap;
};

/* 1 when the file of input f can be read from its end (a plain regular
 * file: not "-", gzip, JSON or UTF-16), else 0. */
int	feed_reversible(const char *path, const struct feedin *f);
int	rev_open(struct revsrc *, const char *path, long hdrlines, char *err,
	    size_t errlen);
void	rev_close(struct revsrc *);
ssize_t	rev_read(void *ctx, void *buf, size_t n);

/*
 * Offset in a plain file (fd, size bytes) after which its last n lines
 * begin, never before hdrend (the end of its header line); -1 on a read
 * error.
 */
off_t	feed_tail_offset(int fd, off_t size, off_t hdrend, long n);
/* Offset just past the first n lines of fd (0 for none), or -1 (error, or
 * fewer lines). */
off_t	feed_header_end(int fd, long n);

/* A byte source: [0, hdrend) then [from, end) of a file (for --last). */
struct splice {
	int		 fd;
	off_t		 pos, hdrend, from;
};

ssize_t	splice_read(void *ctx, void *buf, size_t n);

/*
 * A followed file (tail -F): read on at its end as it grows, and reopen
 * it when it is truncated or replaced.  Only complete lines are handed
 * on; a partial last line is held.  After a truncation or replacement the
 * source ends once (read returns 0) with restarted set; the caller starts
 * a new csvin over the same source.
 */
struct follow {
	char		*path;
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 pos;		/* bytes read from fd */
	char		*buf;		/* read but not handed on */
	size_t		 len, ready, cap; /* ready: bytes up to the last LF */
	int		 restarted;
	int		 dropped;	/* partial bytes lost on a restart */
	long		 interval_ms;	/* polling period at the end */
	volatile sig_atomic_t *stop;	/* set: a wait ends with EINTR */
	void		(*atend)(void *);	/* before each wait at the end */
	void		*atendarg;
};

int	follow_open(struct follow *, const char *path, char *err,
	    size_t errlen);
void	follow_close(struct follow *);
ssize_t	follow_read(void *ctx, void *buf, size_t n);
/* Without blocking: 1 when a follow_read would hand on a line (or end for
 * a restart) now, 0 when it would wait, -1 on a read error. */
int	follow_poll(struct follow *);

/*
 * A plain regular file's last n rows (for --last): a csvin over its header
 * (its first hdrlines lines) and its tail, with sp holding the open file (sp->fd, -1 when none: the
 * caller closes it after the csvin is freed).  NULL when path is "-", not
 * a regular file, compressed or unreadable (then read it whole), or when
 * csvin_new fails (err says why).
 */
struct csvin *feed_open_tail(const char *path, long n, long hdrlines,
	    struct splice *sp, char *err, size_t errlen);

/* --gaps: with the smallest step so far in *step (CKTIME_NONE at first),
 * 1 when a step of dt is a gap, else 0 (and *step keeps the smaller). */
int	feed_gap(cktime *step, cktime dt);

/*
 * --replay pacing: rows leave at speed times the pace of their stream
 * time, never more than maxwait apart.
 */
struct replay {
	double		 speed;		/* 0: as fast as possible */
	cktime		 maxwait;
	cktime		 t;		/* stream time of the last row, or CKTIME_NONE */
	struct timespec	 wall;		/* when it left (CLOCK_MONOTONIC) */
};

void	replay_init(struct replay *, double speed, cktime maxwait);
/* For the row at stream time t: 1 and *due, when it must wait until then
 * (replay_sleep), or 0 when it leaves now. */
int	replay_due(struct replay *, cktime t, struct timespec *due);
/* Sleep until due, then the row at t has left: 0, or CK_EINTR when a
 * signal interrupted the sleep and *stop is set. */
int	replay_sleep(struct replay *, cktime t, const struct timespec *due,
	    volatile sig_atomic_t *stop);

#endif
