/*
 * chart.c - the bounded chart data both chart writers read (see chart.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ck.h"
#include "candle.h"
#include "csvio.h"
#include "outfile.h"
#include "backtest.h"
#include "chart.h"

struct chart *
chart_new_bars(int maxbars)
{
	struct chart *c;

	if (maxbars < 16)
		maxbars = 16;
	maxbars += maxbars % 2;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->maxbars = maxbars;
	c->maxtrades = maxbars / 2 > CHART_MAXTRADES ? maxbars / 2 :
	    CHART_MAXTRADES;
	c->bar = calloc((size_t)c->maxbars, sizeof(*c->bar));
	c->trade = calloc((size_t)c->maxtrades, sizeof(*c->trade));
	if (c->bar == NULL || c->trade == NULL) {
		chart_free(c);
		return NULL;
	}
	c->width = 1;
	c->tstride = 1;
	return c;
}

struct chart *
chart_new(void)
{
	return chart_new_bars(CHART_MAXBARS);
}

void
chart_free(struct chart *c)
{
	if (c == NULL)
		return;
	free(c->bar);
	free(c->trade);
	free(c);
}

static void
ghost_merge(struct chart_bar *b, const double *g)
{
	if (!b->ghost) {
		memcpy(b->g, g, sizeof(b->g));
		b->ghost = 1;
		return;
	}
	b->g[1] = fmax(b->g[1], g[1]);
	b->g[2] = fmin(b->g[2], g[2]);
	b->g[3] = g[3];
}

/* a becomes a followed by b. */
static void
bar_merge(struct chart_bar *a, const struct chart_bar *b)
{
	a->t1 = b->t1;
	a->high = fmax(a->high, b->high);
	a->low = fmin(a->low, b->low);
	a->close = b->close;
	a->volume += b->volume;
	a->equity = b->equity;
	a->bh = b->bh;
	a->dd = fmax(a->dd, b->dd);
	a->n += b->n;
	a->buy += b->buy;
	a->sell += b->sell;
	a->action = b->action;
	a->confidence = b->confidence;
	a->gap |= b->gap;
	if (b->ghost)
		ghost_merge(a, b->g);
	if (b->phigh > 0)
		a->phigh = fmax(a->phigh, b->phigh);
	if (b->plow > 0)
		a->plow = a->plow > 0 ? fmin(a->plow, b->plow) : b->plow;
}

/* Halve the bars: each new bar is two neighbours. */
static void
compact(struct chart *c)
{
	int i;

	for (i = 0; i < c->nbar / 2; i++) {
		struct chart_bar b = c->bar[2 * i];

		bar_merge(&b, &c->bar[2 * i + 1]);
		c->bar[i] = b;
	}
	if (c->nbar % 2)
		c->bar[i++] = c->bar[c->nbar - 1];
	c->nbar = i;
	c->width *= 2;
}

void
chart_push(struct chart *c, const struct chart_point *p)
{
	struct chart_bar *b;
	cktime step = c->candles > 0 ? p->t - c->last : 0;
	long k;
	int gap = 0;

	/* A closed market: a step over four times the smallest one. */
	if (step > 0 && (c->step == 0 || step < c->step))
		c->step = step;
	if (step > 0 && step > 4 * c->step)
		gap = 1;
	if (c->nbar == 0 || c->bar[c->nbar - 1].n >= c->width) {
		if (c->nbar == c->maxbars)
			compact(c);
		b = &c->bar[c->nbar++];
		memset(b, 0, sizeof(*b));
		b->t0 = p->t;
		b->open = p->open;
		b->high = p->high;
		b->low = p->low;
	} else {
		b = &c->bar[c->nbar - 1];
		b->high = fmax(b->high, p->high);
		b->low = fmin(b->low, p->low);
	}
	b->t1 = p->t;
	b->close = p->close;
	b->volume += p->volume;
	b->n++;
	b->equity = p->equity;
	b->bh = p->bh;
	b->dd = fmax(b->dd, p->dd);
	b->buy += p->signal > 0;
	b->sell += p->signal < 0;
	b->action = p->action;
	b->confidence = p->confidence;
	b->gap |= gap;
	if (c->ghost)
		ghost_merge(b, c->g);
	/* the candle alone, with the ghost predicted for it */
	b = &c->tail[c->tn++ % CHART_TAIL];
	memset(b, 0, sizeof(*b));
	b->t0 = b->t1 = p->t;
	b->open = p->open;
	b->high = p->high;
	b->low = p->low;
	b->close = p->close;
	b->volume = p->volume;
	b->n = 1;
	b->equity = p->equity;
	b->bh = p->bh;
	b->dd = p->dd;
	b->buy = p->signal > 0;
	b->sell = p->signal < 0;
	b->action = p->action;
	b->confidence = p->confidence;
	b->gap = gap;
	if ((b->ghost = c->ghost))
		memcpy(b->g, c->g, sizeof(b->g));
	if ((c->ghost = p->ghost != NULL))
		memcpy(c->g, p->ghost, sizeof(c->g));
	k = c->rn++ % CHART_RECENT;
	c->rt[k] = p->t;
	c->rh[k] = p->high;
	c->rl[k] = p->low;
	if (p->t % (86400 * (cktime)CK_SEC) != 0)
		c->intraday = 1;
	c->last = p->t;
	c->candles++;
	c->npred += p->action != ACTION_NONE;
}

int
chart_find(const struct chart_bar *v, int n, cktime t)
{
	int lo = 0, hi = n - 1, mid;

	if (n == 0 || t < v[0].t0)
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (v[mid].t0 <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

void
chart_escape(FILE *fp, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				fputc(*s, fp);
		}
}

void
chart_pivot(struct chart *c, cktime t, int high)
{
	struct chart_bar *b;
	double p = 0;
	long i, k;
	int j;

	if ((j = chart_find(c->bar, c->nbar, t)) < 0)
		return;
	b = &c->bar[j];
	/* The pivot candle's own price, when it is still in the ring. */
	for (i = c->rn - 1; i >= 0 && i >= c->rn - CHART_RECENT; i--) {
		k = i % CHART_RECENT;
		if (c->rt[k] == t) {
			p = high ? c->rh[k] : c->rl[k];
			break;
		}
		if (c->rt[k] < t)
			break;
	}
	if (p == 0)
		p = high ? b->high : b->low;
	for (i = c->tn - 1; i >= 0 && i >= c->tn - CHART_TAIL; i--)
		if (c->tail[i % CHART_TAIL].t0 == t) {
			if (high)
				c->tail[i % CHART_TAIL].phigh = p;
			else
				c->tail[i % CHART_TAIL].plow = p;
			break;
		}
	if (high)
		b->phigh = fmax(b->phigh, p);
	else
		b->plow = b->plow > 0 ? fmin(b->plow, p) : p;
}

void
chart_trade(struct chart *c, const struct bt_trade *t)
{
	struct chart_trade *tr, t1;
	long n = c->tseen++;
	int i;

	t1.t0 = t->entry_time;
	t1.t1 = t->exit_time;
	t1.p0 = t->entry_price;
	t1.p1 = t->exit_price;
	t1.side = t->side == BT_SHORT ? -1 : 1;
	t1.pnl = t->pnl;
	t1.ret = t->return_pct;
	c->ttail[c->ttn++ % CHART_TAIL] = t1;
	c->trades++;
	if (n % c->tstride)
		return;
	if (c->ntrade == c->maxtrades) {
		for (i = 0; i < c->maxtrades / 2; i++)
			c->trade[i] = c->trade[2 * i];
		c->ntrade = c->maxtrades / 2;
		c->tstride *= 2;
		if (n % c->tstride)
			return;
	}
	tr = &c->trade[c->ntrade++];
	*tr = t1;
}

void
chart_forecast(struct chart *c, const struct chart_fcast *f)
{
	if (f == NULL)
		memset(&c->fc, 0, sizeof(c->fc));
	else
		c->fc = *f;
}

int
chart_ahead(const struct chart *c)
{
	int a = c->fc.steps > 1 ? c->fc.steps : 1, j;

	for (j = 0; j < c->fc.npiv; j++)
		if (c->fc.in[j] > a)
			a = c->fc.in[j] < CHART_AHEAD ? (int)ceil(c->fc.in[j]) :
			    CHART_AHEAD;
	return a < CHART_AHEAD ? a : CHART_AHEAD;
}

void
chart_input(struct chart *c, const char *name)
{
	snprintf(c->input, sizeof(c->input), "%s", name);
}

void
chart_model(struct chart *c, const char *id, const char *gen_first,
    const char *gen_last)
{
	snprintf(c->model_id, sizeof(c->model_id), "%s", id ? id : "");
	snprintf(c->gen0, sizeof(c->gen0), "%s", gen_first ? gen_first : "");
	snprintf(c->gen1, sizeof(c->gen1), "%s", gen_last ? gen_last : "");
}

void
chart_row(struct chart *c, const struct candle *cd, const struct bt_row *r,
    const struct bt *bt)
{
	struct chart_point p;
	double g[4];

	memset(&p, 0, sizeof(p));
	p.t = cd->t;
	p.open = cd->open;
	p.high = cd->high;
	p.low = cd->low;
	p.close = cd->close;
	p.volume = cd->volume;
	/* a signal that repeats the one before changes nothing: not drawn */
	p.signal = bt->pending == ACTION_BUY ? 1 :
	    bt->pending == ACTION_SELL ? -1 : 0;
	if (p.signal == c->lastsig)
		p.signal = 0;
	else if (p.signal != 0)
		c->lastsig = p.signal;
	p.action = r->action;
	p.confidence = r->action != ACTION_NONE ? r->confidence : NAN;
	if (r->has_ghost) {
		g[0] = r->next_open;
		g[1] = r->next_high;
		g[2] = r->next_low;
		g[3] = r->next_close;
		p.ghost = g;
	}
	p.equity = bt->equity;
	p.bh = bt->first_open > 0 ? bt->cfg.cash * cd->close / bt->first_open :
	    bt->cfg.cash;
	p.dd = bt->dd;
	chart_push(c, &p);
}

void
chart_title(const struct chart *c, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len, "backtest: %s", c->input[0] ? c->input :
	    "standard input");
	if (n < 0 || (size_t)n >= len)
		return;
	if (c->model_id[0] != '\0')
		n += snprintf(buf + n, len - n, ", model %s", c->model_id);
	if (n < 0 || (size_t)n >= len || c->gen1[0] == '\0')
		return;
	if (strcmp(c->gen0, c->gen1) == 0)
		snprintf(buf + n, len - n, "%s generation %s",
		    c->model_id[0] ? "" : ", model", c->gen1);
	else
		snprintf(buf + n, len - n, "%s generations %s..%s",
		    c->model_id[0] ? "" : ", model", c->gen0, c->gen1);
}

int
chart_view(const struct chart *c, int nbar, struct chart_bar *out, int max)
{
	int g, i, n = 0;

	if (max < 1)
		max = 1;
	g = (nbar + max - 1) / max;
	if (g < 1)
		g = 1;
	for (i = 0; i < nbar; i++) {
		if (i % g == 0)
			out[n++] = c->bar[i];
		else
			bar_merge(&out[n - 1], &c->bar[i]);
	}
	return n;
}

int
chart_savefile(const char *path, int (*fn)(FILE *, const void *),
    const void *arg, char *err, size_t errlen)
{
	struct outfile of;
	FILE *fp;

	if (outfile_open(&of, path, err, errlen) != 0)
		return CK_ERR;
	if ((fp = outfile_stdio(&of)) == NULL || fn(fp, arg) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		outfile_discard(&of);
		return CK_ERR;
	}
	return outfile_close(&of, err, errlen) == 0 ? CK_OK : CK_ERR;
}

int
chart_tail(const struct chart *c, struct chart_bar *out, cktime t)
{
	long i = c->tn > CHART_TAIL ? c->tn - CHART_TAIL : 0;
	int n = 0;

	for (; i < c->tn; i++)
		if (c->tail[i % CHART_TAIL].t0 > t)
			out[n++] = c->tail[i % CHART_TAIL];
	return n;
}

void
chart_when(char *buf, size_t len, cktime t, int intraday)
{
	time_t s = (time_t)(t / CK_SEC - (t % CK_SEC < 0));
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL || strftime(buf, len, intraday ?
	    "%Y-%m-%d %H:%M" : "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
}

void
chart_span(const struct chart *c, char *buf, size_t len)
{
	char a[40], b[40];

	if (c->candles == 0) {
		snprintf(buf, len, "no candles");
		return;
	}
	chart_when(a, sizeof(a), c->bar[0].t0, c->intraday);
	chart_when(b, sizeof(b), c->last, c->intraday);
	snprintf(buf, len, "%s .. %s UTC", a, b);
}
