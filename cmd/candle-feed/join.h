/*
 * join.h - candle-feed's as-of join: beside each row of the main stream,
 * the latest candle of each reference file at or before its time.  A
 * reference is read as the main input is (feed.h: the same layouts,
 * checks and options, resampled the same way; a plain file newest first
 * read from its end), lazily and in bounded
 * memory: the latest candle at or before the main time and the few read
 * ahead of it.
 */
#ifndef JOIN_H
#define JOIN_H

#include <signal.h>

#include "ck.h"
#include "csvio.h"
#include "feed.h"

#define JOIN_MAXPREFIX	64
#define JOIN_QUEUE	4	/* rows read ahead: at most 3 (resampling) */

struct joinref {
	char		 prefix[JOIN_MAXPREFIX + 1];
	const char	*path;
	int		 live;		/* followed */
	struct follow	 fw;
	struct csvin	*in;
	struct feedin	 f;
	int		 started;	/* f read the header */
	int		 eof;		/* no more candles */
	int		 lagging;	/* a wait ran out; no more until it
					 * catches up */
	int		 afterrestart;	/* skip rows at or before last */
	long		 nrow;		/* rows read */
	cktime		 last;		/* the last row's time (order) */
	struct feedrs	 rs;
	struct feedheld	 first;		/* its first row, until the second */
	struct revsrc	 rv;		/* newest first: read from its end */
	int		 reversed;
	struct feedheld	 held;		/* equal times, the last kept */
	struct feedheld	 cur;		/* latest candle at or before the time */
	struct feedheld	 q[JOIN_QUEUE];	/* read ahead, in time order */
	int		 nq;
	cktime		 prevt, step;	/* its smallest step */
	long		 ndrop;		/* rows before its first candle */
	long		 nstale;	/* rows joined before it caught up */
	long		 nafter;	/* rows after its end */
	long		 nold;		/* rows skipped after a restart */
};

/* What every reference shares: the options of the main input. */
struct joinset {
	struct joinref	*ref;
	int		 n;
	int		 keep;		/* rows without a candle: empty columns */
	cktime		 wait;		/* longest wait of a row for a followed
					 * reference */
	const struct feedopt *o;
	cktime		 resample;	/* 0: off */
	int		 partial, dedupe;
	volatile sig_atomic_t *stop;
	void		(*flush)(void *);	/* before any wait */
	int		 fatal;		/* the last CK_EDATA cannot be skipped */
	int		 miss;		/* the row has a reference without a candle */
	cktime		 prevt, step;	/* the main rows' smallest step */
};

/* "PREFIX=FILE" added: 0, or -1 with the reason in err. */
int	join_spec(struct joinset *, const char *arg, char *err, size_t errlen);
/* Open every reference (followed when follow and not "-") and read the
 * header of those not followed: 0, CK_ERR, CK_EDATA or CK_EINTR. */
int	join_open(struct joinset *, int follow, char *err, size_t errlen);
void	join_free(struct joinset *);
/* The PREFIX_open .. PREFIX_volume names after the six of the stream. */
void	join_header(const struct joinset *, struct csvout *);
/*
 * The references at main time t: 1 (the row is written, join_fields
 * gives its columns), 0 (dropped: a reference has no candle yet), or
 * CK_EDATA ("file:line: reason"; fatal set when it cannot be skipped:
 * call again to go on), CK_ERR, CK_EINTR.
 */
int	join_at(struct joinset *, cktime t, char *err, size_t errlen);
void	join_fields(const struct joinset *, struct csvout *);
/* The counts, on standard error. */
void	join_summary(const struct joinset *);

#endif
