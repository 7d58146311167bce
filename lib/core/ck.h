/*
 * ck.h - what every candlekit module shares: the status codes library calls
 * return, and the time type.  Library code never prints and never exits: it
 * returns one of these and fills a caller's error buffer; cmd/ maps them to
 * exit statuses with ck_exit().
 */
#ifndef CK_H
#define CK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Nanoseconds since 1970-01-01T00:00:00Z (covers years 1678..2261). */
typedef int64_t cktime;
#define CKTIME_NONE INT64_MIN
#define CK_SEC  INT64_C(1000000000)

enum ck_status {
	CK_OK = 0,
	CK_ERR = -1,		/* I/O or system failure: exit 1 */
	CK_EDATA = -2,		/* bad input data or a bad file: exit 65 */
	CK_ETIMEOUT = -3,	/* a lock not obtained in time: exit 75 */
	CK_EINTR = -4		/* stopped by a signal the caller asked to honour */
};

/* Exit statuses, the same in every program (see candle-stream(5)). */
#define CK_EXIT_OK	0
#define CK_EXIT_FAIL	1
#define CK_EXIT_USAGE	2
#define CK_EXIT_DATA	65	/* EX_DATAERR */
#define CK_EXIT_TEMPFAIL 75	/* EX_TEMPFAIL */

static inline int
ck_exit(int status)
{
	switch (status) {
	case CK_OK:		return CK_EXIT_OK;
	case CK_EDATA:		return CK_EXIT_DATA;
	case CK_ETIMEOUT:	return CK_EXIT_TEMPFAIL;
	default:		return CK_EXIT_FAIL;
	}
}

/* Seconds on the monotonic clock: for intervals and deadlines only. */
static inline double
ck_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

#endif
