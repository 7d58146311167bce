/*
 * feed.h - what candle-feed does to candle files: map an input format
 * (header names, headerless Binance klines, time forms) onto the canonical
 * columns, hold rows, aggregate to a coarser timeframe, find the last rows
 * of a file from its end, and follow a growing file (tail -F).
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

/* One canonical row: values and the text written for each column. */
struct feedrow {
	struct candle	 c;
	const char	*txt[6];	/* time, open, high, low, close, volume */
	size_t		 len[6];
};

/* An input: which input column holds each canonical one. */
struct feedin {
	struct csvin	*in;
	int		 col[6];
	int		 ncol;		/* fields a row must have */
	int		 binance;	/* headerless klines */
	int		 pending;	/* the first record is a row */
	int		 fatal;		/* the last error cannot be skipped */
	enum epoch_unit	 unit;
	char		 tbuf[40];	/* time text when reformatted */
};

/* Read the header (or recognise headerless klines): 0, or CK_EDATA/CK_ERR
 * with "file:line: reason". */
int	feedin_start(struct feedin *, struct csvin *, enum epoch_unit,
	    char *err, size_t errlen);
/* 1 a row (checked: numbers, prices, ranges; not the time order); 0 end;
 * CK_EDATA (fatal set when the CSV itself is broken), CK_ERR, CK_EINTR. */
int	feedin_next(struct feedin *, struct feedrow *, char *err,
	    size_t errlen);

/* A row copied into its own storage. */
struct feedheld {
	struct feedrow	 r;
	char		*buf;
	size_t		 cap;
	int		 full;
};

int	feedheld_set(struct feedheld *, const struct feedrow *);
void	feedheld_free(struct feedheld *);
void	feedrow_write(const struct feedrow *, struct csvout *);

/*
 * Resampling: buckets of width d aligned to UTC (1w: to Mondays).  A
 * bucket is complete when a row of a later bucket arrives or when its last
 * row's time plus the input's step (the smallest time difference seen)
 * reaches the bucket's end.
 */
struct feedtxt {
	char		*s;
	size_t		 len, cap;
};

struct resample {
	cktime		 d;
	cktime		 step;		/* CKTIME_NONE until two rows */
	cktime		 prev;		/* time of the previous input row */
	int		 n;		/* rows in the bucket */
	cktime		 start;
	cktime		 lastt;		/* time of the bucket's last row */
	struct candle	 c;
	struct feedtxt	 txt[6];	/* texts of open, high, low, close, volume */
	int		 voldec;	/* decimals of the volume texts, -1 other */
	const struct feedrow *pend;	/* the row that ended a bucket */
	char		 tbuf[40], vbuf[64];
};

void	resample_init(struct resample *, cktime d);
void	resample_free(struct resample *);
/* Add a row; 1 when a completed bucket is in *out (at most two per push:
 * call resample_pop after a 1 for the second), 0 none, -1 no memory. */
int	resample_push(struct resample *, const struct feedrow *,
	    struct feedrow *out, int *more);
/* The bucket completed by the push that returned more. */
int	resample_pop(struct resample *, struct feedrow *out);
/* The incomplete last bucket, if any: 1 and *out, or 0. */
int	resample_partial(struct resample *, struct feedrow *out);

/* The last n rows, kept as copies. */
struct ring {
	struct feedheld	*row;
	long		 n, head, count;
};

int	ring_init(struct ring *, long n);
int	ring_push(struct ring *, const struct feedrow *);
void	ring_write(struct ring *, struct csvout *);	/* and empty it */
void	ring_free(struct ring *);

/*
 * Offset in a plain file (fd, size bytes) after which its last n lines
 * begin, never before hdrend (the end of its header line); -1 on a read
 * error.
 */
off_t	feed_tail_offset(int fd, off_t size, off_t hdrend, long n);
/* Offset just past the first line of fd, or -1 (error or no newline). */
off_t	feed_header_end(int fd);

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

/*
 * A plain regular file's last n rows (for --last): a csvin over its header
 * and its tail, with sp holding the open file (sp->fd, -1 when none: the
 * caller closes it after the csvin is freed).  NULL when path is "-", not
 * a regular file, compressed or unreadable (then read it whole), or when
 * csvin_new fails (err says why).
 */
struct csvin *feed_open_tail(const char *path, long n, struct splice *sp,
	    char *err, size_t errlen);

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
