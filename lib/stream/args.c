/*
 * args.c - option arguments as range-checked values (see args.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "args.h"
#include "csvio.h"
#include "timeparse.h"

static void
fail(struct argerr *e, const char *opt, const char *what, const char *s)
{
	if (e->bad++)
		return;
	snprintf(e->msg, sizeof(e->msg), "%s: %s: %.60s", opt, what, s);
}

long long
arg_int(struct argerr *e, const char *opt, const char *s, long long lo,
    long long hi)
{
	char what[80], *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || x < lo || x > hi) {
		snprintf(what, sizeof(what), "not an integer in %lld..%lld",
		    lo, hi);
		fail(e, opt, what, s);
		return lo;
	}
	return x;
}

double
arg_double(struct argerr *e, const char *opt, const char *s, double lo,
    double hi)
{
	char what[80];
	double x;

	/* !(in range) also refuses a NaN */
	if (parse_double(s, strlen(s), &x) != 0 || !(x >= lo && x <= hi)) {
		snprintf(what, sizeof(what), "not a number in %g..%g", lo, hi);
		fail(e, opt, what, s);
		return lo;
	}
	return x;
}

double
arg_seconds(struct argerr *e, const char *opt, const char *s, double hi)
{
	char what[80];
	double x;

	if (parse_double(s, strlen(s), &x) != 0 || !(x >= 0 && x <= hi)) {
		snprintf(what, sizeof(what), "not a number of seconds in "
		    "0..%g", hi);
		fail(e, opt, what, s);
		return 0;
	}
	return x;
}

int
arg_word(struct argerr *e, const char *opt, const char *s,
    const char *const *words)
{
	char what[120];
	size_t n = 0;
	int i;

	for (i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	n = (size_t)snprintf(what, sizeof(what), "not one of");
	for (i = 0; words[i] != NULL && n < sizeof(what); i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, "%s %s",
		    i ? "," : "", words[i]);
	fail(e, opt, what, s);
	return -1;
}

int
arg_action(struct argerr *e, const char *opt, const char *s)
{
	int a = action_parse(s, strlen(s));

	if (a == ACTION_NONE)
		fail(e, opt, "not one of BUY, SELL, HOLD (any case)", s);
	return a;
}

cktime
arg_time(struct argerr *e, const char *opt, const char *s)
{
	cktime t;

	if (time_parse_any(s, strlen(s), EPOCH_AUTO, &t) != 0) {
		fail(e, opt, "not a time", s);
		return CKTIME_NONE;
	}
	return t;
}

const char *
arg_helpline(char *buf, size_t len, const char *opt, const char *what)
{
	const int col = 26, width = 79;
	size_t n, w;
	int x;

	if (len == 0)
		return buf;
	n = (size_t)snprintf(buf, len, "  %s", opt);
	x = (int)strlen(opt) + 2;
	if (x > col - 2 && n < len) {	/* a long opt: what below it */
		n += (size_t)snprintf(buf + n, len - n, "\n");
		x = 0;
	}
	while (*what != '\0' && n < len) {
		/* the next word: up to a space */
		w = strcspn(what, " ");
		if (x >= col - 1 && x + 1 + (int)w > width) {
			n += (size_t)snprintf(buf + n, len - n, "\n%*s", col, "");
			x = col;
		} else {
			n += (size_t)snprintf(buf + n, len - n, "%*s",
			    x < col ? col - x : 1, "");
			x = x < col ? col : x + 1;
		}
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%.*s", (int)w,
			    what);
		x += (int)w;
		what += w;
		what += strspn(what, " ");
	}
	if (n < len)
		snprintf(buf + n, len - n, "\n");
	return buf;
}
