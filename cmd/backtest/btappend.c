/*
 * btappend.c - the trade file kept across restarts (see btappend.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ck.h"
#include "csvio.h"
#include "timeparse.h"
#include "backtest.h"
#include "btreport.h"
#include "btappend.h"

static int
syserr(const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return CK_ERR;
}

/* Cut a last line without its newline: what a kill left half written. */
static int
cut_torn(struct btr_append *a, char *err, size_t errlen)
{
	char buf[4096];
	off_t end, pos;
	ssize_t n, i;

	if ((end = lseek(a->fd, 0, SEEK_END)) == -1)
		return syserr(a->path, err, errlen);
	for (pos = end; pos > 0; pos -= n) {
		n = pos < (off_t)sizeof(buf) ? (ssize_t)pos : (ssize_t)sizeof(buf);
		if (pread(a->fd, buf, (size_t)n, pos - n) != n)
			return syserr(a->path, err, errlen);
		for (i = n - 1; i >= 0; i--)
			if (buf[i] == '\n')
				break;
		if (i >= 0) {
			pos = pos - n + i + 1;
			break;
		}
	}
	if (pos < 0)
		pos = 0;
	if (pos != end) {
		if (ftruncate(a->fd, pos) == -1)
			return syserr(a->path, err, errlen);
		a->torn = 1;
	}
	return CK_OK;
}

static int
bad(const struct btr_append *a, long line, const char *why, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "%s:%ld: %s", a->path, line, why);
	return CK_EDATA;
}

static int
read_trades(struct btr_append *a, char *err, size_t errlen)
{
	struct csvin *in;
	const char *s;
	size_t len, i, ncol;
	int r;

	for (ncol = 0; btr_trade_cols[ncol] != NULL; ncol++)
		;
	if ((in = csvin_open(a->path, err, errlen)) == NULL)
		return CK_ERR;
	while ((r = csvin_next(in, err, errlen)) == 1) {
		long line = csvin_line(in);

		if (!a->header) {
			for (i = 0; btr_trade_cols[i] != NULL; i++)
				if (i >= csvin_nfields(in) ||
				    strcmp(csvin_field(in, i, &len),
				    btr_trade_cols[i]) != 0)
					break;
			if (i != ncol || csvin_nfields(in) != ncol) {
				csvin_free(in);
				return bad(a, line, "not a backtest trade list "
				    "(its header differs)", err, errlen);
			}
			a->header = 1;
			continue;
		}
		if (csvin_nfields(in) != ncol)
			goto badrow;
		s = csvin_field(in, 0, &len);
		if (time_parse_iso(s, len, &a->last.entry_time) != 0)
			goto badrow;
		s = csvin_field(in, 1, &len);
		if (time_parse_iso(s, len, &a->last.exit_time) != 0)
			goto badrow;
		s = csvin_field(in, 2, &len);
		a->last.side = strcmp(s, "long") == 0 ? BT_LONG :
		    strcmp(s, "short") == 0 ? BT_SHORT : BT_FLAT;
		s = csvin_field(in, 7, &len);
		if (a->last.side == BT_FLAT ||
		    parse_double(s, len, &a->last.pnl) != 0)
			goto badrow;
		if (a->recorded++ == 0)
			a->first_entry = a->last.entry_time;
		a->pnl += a->last.pnl;
		continue;
badrow:
		csvin_free(in);
		return bad(a, line, "not a trade row", err, errlen);
	}
	csvin_free(in);
	return r < 0 ? r : CK_OK;
}

int
btr_append_open(struct btr_append *a, const char *path, char *err,
    size_t errlen)
{
	struct stat st;
	int r;

	memset(a, 0, sizeof(*a));
	a->path = path;
	/* the user's file: never through a link a neighbour planted */
	a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (a->fd == -1)
		return syserr(path, err, errlen);
	if (fstat(a->fd, &st) == -1)
		return syserr(path, err, errlen);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return CK_EDATA;
	}
	if ((r = cut_torn(a, err, errlen)) != CK_OK)
		return r;
	return read_trades(a, err, errlen);
}

void
btr_append_start(struct btr_append *a, cktime t, double *cash)
{
	if (a->recorded == 0)
		return;
	if (t <= a->first_entry)
		a->skip = a->recorded;
	else {
		a->resume = 1;
		*cash += a->pnl;
	}
}

int
btr_append_trade(struct btr_append *a, const struct bt_trade *t, char *err,
    size_t errlen)
{
	if (a->skip == 0)
		return 1;
	if (--a->skip == 0 && (t->entry_time != a->last.entry_time ||
	    t->exit_time != a->last.exit_time || t->side != a->last.side)) {
		snprintf(err, errlen, "%s: the replayed trades differ from "
		    "those recorded (another input, or other settings?)",
		    a->path);
		return CK_EDATA;
	}
	return 0;
}
