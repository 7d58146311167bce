/*
 * labels.c - the pivot label and the every-candle label (see labels.h),
 * over a whole series and streaming.  The values equal model.h's enum
 * action, so a label is a class index.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "pivots.h"

static const char *const names[] = { "HOLD", "BUY", "SELL" };

const char *
label_name(int label)
{
	if (label < LABEL_HOLD || label > LABEL_SELL)
		return "";
	return names[label];
}

int
label_parse(const char *s, size_t len)
{
	int i;

	for (i = LABEL_HOLD; i <= LABEL_SELL; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

int
label_pivot(int is_high, int is_low)
{
	if (is_low && !is_high)
		return LABEL_BUY;
	if (is_high && !is_low)
		return LABEL_SELL;
	return LABEL_NONE;
}

int
label_move(double close_t, double close_next, double threshold)
{
	double m = close_next / close_t - 1;

	if (m > threshold)
		return LABEL_BUY;
	if (m < -threshold)
		return LABEL_SELL;
	return LABEL_HOLD;
}

int
label_every(int is_high, int is_low, double close_t, double close_next,
    double threshold)
{
	int l = label_pivot(is_high, is_low);

	return l != LABEL_NONE ? l :
	    label_move(close_t, close_next, threshold);
}

void
labels_every(signed char *out, const unsigned *flags, const double *close,
    long n, int k, double threshold)
{
	long t;

	for (t = 0; t < n; t++)
		out[t] = t + k < n ? label_every(flags[t] & PIVOT_H(1),
		    flags[t] & PIVOT_L(1), close[t], close[t + 1], threshold) :
		    LABEL_NONE;
}

void
labels_pivots(signed char *out, const unsigned *flags, long n, int level)
{
	long t;

	for (t = 0; t < n; t++)
		out[t] = label_pivot(flags[t] & PIVOT_H(level),
		    flags[t] & PIVOT_L(level));
}

int
labeler_init(struct labeler *l, int k, double threshold, char *err,
    size_t errlen)
{
	memset(l, 0, sizeof(*l));
	if (k < 1 || k > PIVOTS_MAXK) {
		snprintf(err, errlen, "strength %d not in 1..%d", k, PIVOTS_MAXK);
		return CK_ERR;
	}
	l->k = k;
	l->threshold = threshold;
	l->t = calloc(k + 1, sizeof(*l->t));
	l->close = calloc(k + 1, sizeof(*l->close));
	if (!l->t || !l->close) {
		labeler_free(l);
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	return CK_OK;
}

void
labeler_free(struct labeler *l)
{
	free(l->t);
	free(l->close);
	l->t = NULL;
	l->close = NULL;
}

int
labeler_push(struct labeler *l, cktime t, double close, cktime hi, cktime lo,
    cktime *lt, int *label, char *err, size_t errlen)
{
	long r = l->n++, s = r - l->k;
	int cap = l->k + 1;
	cktime ts;

	l->t[r % cap] = t;
	l->close[r % cap] = close;
	ts = s >= 0 ? l->t[s % cap] : CKTIME_NONE;
	if ((hi != CKTIME_NONE && hi != ts) || (lo != CKTIME_NONE && lo != ts)) {
		snprintf(err, errlen, "a level-1 pivot confirmed here is not "
		    "the candle %d rows back: is the pivots strength -k %d?",
		    l->k, l->k);
		return CK_EDATA;
	}
	if (s < 0)
		return 0;
	*lt = ts;
	*label = label_every(hi != CKTIME_NONE, lo != CKTIME_NONE,
	    l->close[s % cap], l->close[(s + 1) % cap], l->threshold);
	return 1;
}
