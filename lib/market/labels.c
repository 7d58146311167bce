/*
 * labels.c - the pivot label and the every-candle label (see labels.h),
 * over a whole series and streaming.  A label is an enum action
 * (action.h), which is also the model's class index.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "pivots.h"

int
label_pivot(int is_high, int is_low)
{
	if (is_low && !is_high)
		return ACTION_BUY;
	if (is_high && !is_low)
		return ACTION_SELL;
	return ACTION_NONE;
}

int
label_move(double close_t, double close_next, double threshold)
{
	double m = close_next / close_t - 1;

	if (m > threshold)
		return ACTION_BUY;
	if (m < -threshold)
		return ACTION_SELL;
	return ACTION_HOLD;
}

int
label_every(int is_high, int is_low, double close_t, double close_next,
    double threshold)
{
	int l = label_pivot(is_high, is_low);

	return l != ACTION_NONE ? l :
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
		    ACTION_NONE;
}

void
labels_pivots(signed char *out, const unsigned *flags, long n, int level)
{
	long t;
	unsigned open = 0;
	int lev;

	for (lev = 2; lev <= level; lev++)
		open |= PIVOT_OPEN(lev);
	for (t = 0; t < n; t++) {
		if ((flags[t] & open) && (flags[t] & PIVOT_H(1)) &&
		    (flags[t] & PIVOT_L(1)))
			out[t] = ACTION_NONE;	/* not decided yet */
		else
			out[t] = label_pivot(flags[t] & PIVOT_H(level),
			    flags[t] & PIVOT_L(level));
	}
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
		    "the candle %d rows back: the pivots upstream have another "
		    "strength than %d", l->k, l->k);
		return CK_EDATA;
	}
	if (s < 0)
		return 0;
	*lt = ts;
	*label = label_every(hi != CKTIME_NONE, lo != CKTIME_NONE,
	    l->close[s % cap], l->close[(s + 1) % cap], l->threshold);
	return 1;
}

int
pivlabeler_init(struct pivlabeler *pl, int level, char *err, size_t errlen)
{
	memset(pl, 0, sizeof(*pl));
	if (level < 1 || level > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "level %d not in 1..%d", level,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	pl->level = level;
	return CK_OK;
}

static int
followed(const struct pivlabeler *pl, cktime t)
{
	int j;

	for (j = 0; j < pl->n; j++)
		if (pl->c[j].t == t)
			return 1;
	return 0;
}

static int
emit(cktime *t, int *label, int n, cktime ct, int l)
{
	t[n] = ct;
	label[n] = l;
	return n + 1;
}

int
pivlabeler_push(struct pivlabeler *pl, const cktime *hi, const cktime *lo,
    cktime t[PIVLABELER_OUT], int label[PIVLABELER_OUT])
{
	const cktime *at[2] = { hi, lo };
	int N = pl->level, j, kind, m, n = 0;

	if (N == 1) {
		if (hi[0] != CKTIME_NONE && hi[0] != lo[0])
			n = emit(t, label, n, hi[0], ACTION_SELL);
		if (lo[0] != CKTIME_NONE && lo[0] != hi[0])
			n = emit(t, label, n, lo[0], ACTION_BUY);
		return n;
	}
	/*
	 * An outside bar at level m is decided for level m+1 when the next
	 * level-m pivot of its kind is confirmed: it rises if it is confirmed
	 * at level m+1 on that row, else it stops.
	 */
	for (j = 0; j < pl->n; j++)
		for (kind = 0; kind < 2; kind++) {
			if (!pl->c[j].open[kind])
				continue;
			m = pl->c[j].reach[kind];
			if (at[kind][m - 1] == CKTIME_NONE ||
			    at[kind][m - 1] <= pl->c[j].t)
				continue;
			if (at[kind][m] == pl->c[j].t)
				pl->c[j].reach[kind] = m + 1;
			pl->c[j].open[kind] = at[kind][m] == pl->c[j].t &&
			    m + 1 < N;
		}
	/* level-N pivots of one kind at level 1: labelled at once */
	if (hi[N - 1] != CKTIME_NONE && !followed(pl, hi[N - 1]))
		n = emit(t, label, n, hi[N - 1], ACTION_SELL);
	if (lo[N - 1] != CKTIME_NONE && !followed(pl, lo[N - 1]))
		n = emit(t, label, n, lo[N - 1], ACTION_BUY);
	/* outside bars decided for both kinds */
	for (j = 0; j < pl->n; ) {
		if (pl->c[j].open[0] || pl->c[j].open[1]) {
			j++;
			continue;
		}
		if ((pl->c[j].reach[0] == N) != (pl->c[j].reach[1] == N))
			n = emit(t, label, n, pl->c[j].t,
			    pl->c[j].reach[0] == N ? ACTION_SELL : ACTION_BUY);
		pl->c[j] = pl->c[--pl->n];
	}
	/* a new outside bar: follow it */
	if (hi[0] != CKTIME_NONE && hi[0] == lo[0] && pl->n < PIVLABELER_MAX) {
		pl->c[pl->n].t = hi[0];
		pl->c[pl->n].reach[0] = pl->c[pl->n].reach[1] = 1;
		pl->c[pl->n].open[0] = pl->c[pl->n].open[1] = 1;
		pl->n++;
	}
	return n;
}

int
pivstream_init(struct pivstream *s, int k, int level, int hold, char *err,
    size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (level < 1 || level > PIVOTS_MAXLEVEL) {
		snprintf(err, errlen, "level %d not in 1..%d", level,
		    PIVOTS_MAXLEVEL);
		return CK_ERR;
	}
	if (pivots_init(&s->p, k, level, err, errlen) != CK_OK)
		return CK_ERR;
	s->level = level;
	s->hold = hold;
	/* the last k candles and a pending candidate per kind and level */
	s->cap = k + 2 * level + 2;
	if ((s->w = calloc(s->cap, sizeof(*s->w))) == NULL) {
		pivots_free(&s->p);
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	return CK_OK;
}

void
pivstream_free(struct pivstream *s)
{
	if (s->w != NULL)
		pivots_free(&s->p);
	free(s->w);
	s->w = NULL;
}

static void
pivstream_mark(struct pivstream *s, long i, unsigned kind)
{
	int j;

	for (j = 0; j < s->n; j++)
		if (s->w[j].i == i)
			s->w[j].kind |= kind;
}

int
pivstream_push(struct pivstream *s, const struct candle *c,
    long i[PIVSTREAM_OUT], cktime t[PIVSTREAM_OUT], int label[PIVSTREAM_OUT])
{
	struct pivot_conf *conf = s->conf;
	int j, n = 0, keep = 0, l;

	/* at most k + 2 (level - 1) wait, so there is room for one more */
	s->w[s->n].i = s->p.n;
	s->w[s->n].t = c->t;
	s->w[s->n].kind = 0;
	s->n++;
	if (pivots_push(&s->p, c, conf) > 0) {
		if (conf[s->level - 1].hi.i >= 0)
			pivstream_mark(s, conf[s->level - 1].hi.i, 1);
		if (conf[s->level - 1].lo.i >= 0)
			pivstream_mark(s, conf[s->level - 1].lo.i, 2);
	}
	for (j = 0; j < s->n; j++) {
		if (!pivots_decided(&s->p, s->w[j].i) || n == PIVSTREAM_OUT) {
			s->w[keep++] = s->w[j];
			continue;
		}
		l = label_pivot(s->w[j].kind & 1, s->w[j].kind & 2);
		if (l == ACTION_NONE && s->w[j].kind == 0 && s->hold)
			l = ACTION_HOLD;
		if (l == ACTION_NONE)
			continue;
		i[n] = s->w[j].i;
		t[n] = s->w[j].t;
		label[n++] = l;
	}
	s->n = keep;
	return n;
}

int
labels_pivots_final(int *label, long *known, const double *high, const double *low, long n, int k, int level,
    int hold, char *err, size_t errlen)
{
	struct pivstream s;
	struct candle c;
	long r, idx[PIVSTREAM_OUT];
	cktime lt[PIVSTREAM_OUT];
	int lab[PIVSTREAM_OUT], j, m;

	if (pivstream_init(&s, k, level, hold, err, errlen) != CK_OK)
		return CK_ERR;
	memset(&c, 0, sizeof(c));
	for (r = 0; r < n; r++) {
		label[r] = ACTION_NONE;
		known[r] = r;
	}
	for (r = 0; r < n; r++) {
		c.t = r;
		c.high = high[r];
		c.low = low[r];
		m = pivstream_push(&s, &c, idx, lt, lab);
		for (j = 0; j < m; j++) {
			label[idx[j]] = lab[j];
			known[idx[j]] = r;
		}
	}
	pivstream_free(&s);
	return CK_OK;
}

double
labels_scale(const double *close, long t, int W)
{
	double m = 0, v = 0, r;
	long i;

	for (i = t - W + 1; i <= t; i++)
		m += log(close[i] / close[i - 1]);
	m /= W;
	for (i = t - W + 1; i <= t; i++) {
		r = log(close[i] / close[i - 1]) - m;
		v += r * r;
	}
	return sqrt(v / W);
}

int
labels_every_final(int *label, long *known, const double *high, const double *low, const double *close, long n,
    int k, double threshold, int scale_window, char *err, size_t errlen)
{
	unsigned *flags;
	signed char *out;
	long r;

	flags = malloc((n ? n : 1) * sizeof(*flags));
	out = malloc(n ? n : 1);
	if (flags == NULL || out == NULL) {
		free(flags);
		free(out);
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	if (pivots_mark(flags, high, low, n, k, 1, err, errlen) != CK_OK) {
		free(flags);
		free(out);
		return CK_ERR;
	}
	labels_every(out, flags, close, n, k, threshold);
	for (r = 0; r < n; r++) {
		label[r] = out[r];
		known[r] = r + k < n ? r + k : n - 1;
		if (scale_window <= 0 || label[r] == ACTION_NONE)
			continue;
		if (r < scale_window)
			label[r] = ACTION_NONE;
		else
			label[r] = label_every(flags[r] & PIVOT_H(1),
			    flags[r] & PIVOT_L(1), close[r], close[r + 1],
			    threshold * labels_scale(close, r, scale_window));
	}
	free(flags);
	free(out);
	return CK_OK;
}
