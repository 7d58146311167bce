/*
 * args.h - option arguments as range-checked values, strtonum style: the
 * whole text is the value and it lies in [lo, hi].  Generic: the caller
 * names the option for the message; nothing here knows a program.
 *
 * A failed parse keeps its reason in the struct argerr (the first one
 * wins) and returns lo (or -1, CKTIME_NONE), so a getopt loop can run
 * `while (!e.bad && (ch = getopt_long(...)) != -1)` and report once:
 * `if (e.bad) { warnx("%s", e.msg); usage(); }`.
 */
#ifndef ARGS_H
#define ARGS_H

#include "ck.h"

struct argerr {
	int	bad;
	char	msg[200];	/* "opt: not an integer in lo..hi: text" */
};

/* A decimal integer in lo..hi. */
long long arg_int(struct argerr *, const char *opt, const char *s,
	    long long lo, long long hi);
/* A finite decimal number ([-+]digits[.digits][e[-+]digits]) in lo..hi. */
double	arg_double(struct argerr *, const char *opt, const char *s,
	    double lo, double hi);
/* A number of seconds in 0..hi (fractions allowed). */
double	arg_seconds(struct argerr *, const char *opt, const char *s,
	    double hi);
/* The index of s in words (NULL-terminated), or -1. */
int	arg_word(struct argerr *, const char *opt, const char *s,
	    const char *const *words);
/* An action name (action.h) in any case; ACTION_NONE when not one. */
int	arg_action(struct argerr *, const char *opt, const char *s);
/* Any time form time_parse_any accepts (timeparse.h, EPOCH_AUTO). */
cktime	arg_time(struct argerr *, const char *opt, const char *s);

/*
 * One entry of a program's option list (its help text), formatted into buf:
 * two spaces, opt padded to 24 columns, then what, wrapped at 79 columns
 * with its next lines under it (an opt of 23 or more characters has what
 * on the next line).  Returns buf (cut to len).
 */
const char *arg_helpline(char *buf, size_t len, const char *opt,
	    const char *what);

#endif
