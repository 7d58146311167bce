/*
 * svg.c - the backtest chart as one self-contained SVG (see svg.h).
 * Candles of one colour are one <path> (wicks and bodies), markers and
 * ghosts likewise; each trade is a <line> with a <title>.  The element
 * count is bounded by the trade buffer, not by the input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "outfile.h"
#include "svg.h"

/* Geometry, in SVG user units (pixels). */
#define CW	1200.0
#define CH	760.0
#define LEFT	72.0
#define RIGHT	16.0
#define PTOP	56.0	/* price panel */
#define PBOT	480.0
#define ETOP	500.0	/* equity panel */
#define EBOT	620.0
#define DTOP	636.0	/* drawdown panel */
#define DBOT	730.0
#define MINSLOTS 40

struct chart *
chart_new(void)
{
	struct chart *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->width = 1;
	c->tstride = 1;
	return c;
}

void
chart_free(struct chart *c)
{
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
	a->equity = b->equity;
	a->dd = fmax(a->dd, b->dd);
	a->n += b->n;
	a->buy += b->buy;
	a->sell += b->sell;
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
chart_push(struct chart *c, cktime t, double open, double high, double low,
    double close, int signal, const double *ghost, double equity, double dd)
{
	struct chart_bar *b;
	long k;

	if (c->nbar == 0 || c->bar[c->nbar - 1].n >= c->width) {
		if (c->nbar == CHART_MAXBARS)
			compact(c);
		b = &c->bar[c->nbar++];
		memset(b, 0, sizeof(*b));
		b->t0 = t;
		b->open = open;
		b->high = high;
		b->low = low;
	} else {
		b = &c->bar[c->nbar - 1];
		b->high = fmax(b->high, high);
		b->low = fmin(b->low, low);
	}
	b->t1 = t;
	b->close = close;
	b->n++;
	b->equity = equity;
	b->dd = fmax(b->dd, dd);
	b->buy += signal > 0;
	b->sell += signal < 0;
	if (c->ghost)
		ghost_merge(b, c->g);
	if ((c->ghost = ghost != NULL))
		memcpy(c->g, ghost, sizeof(c->g));
	k = c->rn++ % CHART_RECENT;
	c->rt[k] = t;
	c->rh[k] = high;
	c->rl[k] = low;
	c->candles++;
}

/* The bar holding time t (the last with t0 <= t), or -1. */
static int
bar_at(const struct chart *c, cktime t)
{
	int lo = 0, hi = c->nbar - 1, mid;

	if (c->nbar == 0 || t < c->bar[0].t0)
		return -1;
	while (lo < hi) {
		mid = (lo + hi + 1) / 2;
		if (c->bar[mid].t0 <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

void
chart_pivot(struct chart *c, cktime t, int high)
{
	struct chart_bar *b;
	double p = 0;
	long i, k;
	int j;

	if ((j = bar_at(c, t)) < 0)
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
	if (high)
		b->phigh = fmax(b->phigh, p);
	else
		b->plow = b->plow > 0 ? fmin(b->plow, p) : p;
}

void
chart_trade(struct chart *c, cktime t0, double p0, cktime t1, double p1,
    int side, double pnl)
{
	struct chart_trade *tr;
	long n = c->tseen++;
	int i;

	c->trades++;
	if (n % c->tstride)
		return;
	if (c->ntrade == CHART_MAXTRADES) {
		for (i = 0; i < CHART_MAXTRADES / 2; i++)
			c->trade[i] = c->trade[2 * i];
		c->ntrade = CHART_MAXTRADES / 2;
		c->tstride *= 2;
		if (n % c->tstride)
			return;
	}
	tr = &c->trade[c->ntrade++];
	tr->t0 = t0;
	tr->t1 = t1;
	tr->p0 = p0;
	tr->p1 = p1;
	tr->side = side;
	tr->pnl = pnl;
}

/* Drawing. */

struct scale {
	double	lo, hi, top, bot;
};

static double
sy(const struct scale *s, double v)
{
	return s->bot - (v - s->lo) / (s->hi - s->lo) * (s->bot - s->top);
}

static void
scale_pad(struct scale *s, double top, double bot)
{
	double pad;

	if (!(s->hi > s->lo)) {
		pad = fabs(s->hi) * 0.01 + 1e-9;
		s->lo -= pad;
		s->hi += pad;
	}
	pad = (s->hi - s->lo) * 0.04;
	s->lo -= pad;
	s->hi += pad;
	s->top = top;
	s->bot = bot;
}

static void
xml_text(FILE *fp, const char *s)
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

static void
fmt_time(char *buf, size_t len, cktime t)
{
	time_t s = (time_t)(t / CK_SEC - (t % CK_SEC < 0));
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M",
	    &tm) == 0)
		snprintf(buf, len, "?");
}

/* Horizontal grid lines and labels for a panel. */
static void
grid(FILE *fp, const struct scale *s, const char *fmt, double mul)
{
	double v;
	int i;

	for (i = 0; i <= 4; i++) {
		v = s->lo + (s->hi - s->lo) * (0.05 + 0.9 * i / 4);
		fprintf(fp, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"/>\n", LEFT, sy(s, v), CW - RIGHT,
		    sy(s, v));
		fprintf(fp, "<text class=\"ax\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", LEFT - 4, sy(s, v) + 4);
		fprintf(fp, fmt, v * mul);
		fputs("</text>\n", fp);
	}
}

static void
candle_seg(FILE *fp, double x, double hw, const struct scale *s, double o,
    double h, double l, double cl)
{
	double yo = sy(s, o), yc = sy(s, cl), t = fmin(yo, yc), b = fmax(yo, yc);

	if (b - t < 0.6)
		b = t + 0.6;
	fprintf(fp, "M%.1f %.1fV%.1fM%.1f %.1fH%.1fV%.1fH%.1fZ", x, sy(s, h),
	    sy(s, l), x - hw, t, x + hw, b, x - hw);
}

int
chart_write(const struct chart *c, FILE *fp, const char *title,
    const char *caption)
{
	struct scale ps = { INFINITY, -INFINITY, 0, 0 };
	struct scale es = { INFINITY, -INFINITY, 0, 0 };
	struct scale ds = { 0, 0, 0, 0 };	/* of -drawdown */
	const struct chart_bar *b;
	const struct chart_trade *tr;
	char t0[32], t1[32];
	double slots, bw, hw, x, m;
	int i, j, k, up;

	for (i = 0; i < c->nbar; i++) {
		b = &c->bar[i];
		ps.lo = fmin(ps.lo, b->low);
		ps.hi = fmax(ps.hi, b->high);
		if (b->ghost) {
			ps.lo = fmin(ps.lo, b->g[2]);
			ps.hi = fmax(ps.hi, b->g[1]);
		}
		es.lo = fmin(es.lo, b->equity);
		es.hi = fmax(es.hi, b->equity);
		ds.lo = fmin(ds.lo, -b->dd);
	}
	if (c->ghost) {
		ps.lo = fmin(ps.lo, c->g[2]);
		ps.hi = fmax(ps.hi, c->g[1]);
	}
	if (c->nbar == 0)
		ps.lo = ps.hi = es.lo = es.hi = 0;
	scale_pad(&ps, PTOP, PBOT);
	scale_pad(&es, ETOP, EBOT);
	if (ds.lo > -0.001)
		ds.lo = -0.001;
	scale_pad(&ds, DTOP, DBOT);
	slots = c->nbar + 1 < MINSLOTS ? MINSLOTS : c->nbar + 1;
	bw = (CW - LEFT - RIGHT) / slots;
	hw = fmax(bw * 0.35, 0.3);
#define X(i)	(LEFT + ((i) + 0.5) * bw)

	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\" font-size=\"11\">\n", CW, CH, CW, CH);
	fputs("<style>\n"
	    ".bg{fill:#fff}.frame{fill:none;stroke:#999}"
	    ".grid{stroke:#eee}.ax{fill:#555}\n"
	    ".up{fill:#2a9d5c;stroke:#2a9d5c;stroke-width:1}"
	    ".down{fill:#d6453d;stroke:#d6453d;stroke-width:1}\n"
	    ".ghost{fill:none;stroke:#6a5acd;stroke-dasharray:2 2;"
	    "stroke-width:1;opacity:0.8}\n"
	    ".buy{fill:#1565c0}.sell{fill:#ef6c00}"
	    ".ph{fill:none;stroke:#8e24aa;stroke-width:1.2}"
	    ".pl{fill:none;stroke:#00897b;stroke-width:1.2}\n"
	    ".win{stroke:#2a9d5c;stroke-width:1.5;opacity:0.7}"
	    ".loss{stroke:#d6453d;stroke-width:1.5;opacity:0.7}\n"
	    ".eq{fill:none;stroke:#1565c0;stroke-width:1.2}"
	    ".dd{fill:#d6453d;fill-opacity:0.35;stroke:#d6453d}\n"
	    "</style>\n", fp);
	fprintf(fp, "<rect class=\"bg\" width=\"%.0f\" height=\"%.0f\"/>\n",
	    CW, CH);
	fprintf(fp, "<text x=\"%.0f\" y=\"20\" font-size=\"14\" "
	    "font-weight=\"bold\">", LEFT);
	xml_text(fp, title ? title : "backtest");
	fprintf(fp, "</text>\n<text class=\"ax\" x=\"%.0f\" y=\"38\">", LEFT);
	xml_text(fp, caption ? caption : "");
	fprintf(fp, " (1 bar = %ld candle%s; %d of %ld trades shown)</text>\n",
	    c->width, c->width == 1 ? "" : "s", c->ntrade, c->trades);
	fprintf(fp, "<rect class=\"frame\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
	    "height=\"%.0f\"/>\n", LEFT, PTOP, CW - LEFT - RIGHT, PBOT - PTOP);
	fprintf(fp, "<rect class=\"frame\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
	    "height=\"%.0f\"/>\n", LEFT, ETOP, CW - LEFT - RIGHT, EBOT - ETOP);
	fprintf(fp, "<rect class=\"frame\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
	    "height=\"%.0f\"/>\n", LEFT, DTOP, CW - LEFT - RIGHT, DBOT - DTOP);
	grid(fp, &ps, "%.6g", 1);
	grid(fp, &es, "%.6g", 1);
	grid(fp, &ds, "%.3g%%", 100);
	fprintf(fp, "<text class=\"ax\" x=\"%.0f\" y=\"%.0f\">equity</text>\n",
	    LEFT + 4, ETOP + 12);
	fprintf(fp, "<text class=\"ax\" x=\"%.0f\" y=\"%.0f\">drawdown</text>\n",
	    LEFT + 4, DTOP + 12);
	/* Time labels under the panels. */
	for (k = 0; k < 6 && c->nbar > 0; k++) {
		i = (int)((c->nbar - 1) * k / 5.0);
		fmt_time(t0, sizeof(t0), c->bar[i].t0);
		fprintf(fp, "<text class=\"ax\" x=\"%.1f\" y=\"%.0f\" "
		    "text-anchor=\"%s\">%s</text>\n", X(i), DBOT + 16,
		    k == 0 ? "start" : k == 5 ? "end" : "middle", t0);
	}

	/* Candles: one path per colour. */
	for (up = 1; up >= 0; up--) {
		fprintf(fp, "<path class=\"%s\" d=\"", up ? "up" : "down");
		for (i = 0; i < c->nbar; i++) {
			b = &c->bar[i];
			if ((b->close >= b->open) == up)
				candle_seg(fp, X(i), hw, &ps, b->open, b->high,
				    b->low, b->close);
		}
		fputs("\"/>\n", fp);
	}
	/* Ghosts: the candle predicted for each bar, and the next one. */
	fputs("<path class=\"ghost\" d=\"", fp);
	for (i = 0; i < c->nbar; i++)
		if (c->bar[i].ghost)
			candle_seg(fp, X(i), hw, &ps, c->bar[i].g[0],
			    c->bar[i].g[1], c->bar[i].g[2], c->bar[i].g[3]);
	if (c->ghost)
		candle_seg(fp, X(c->nbar), hw, &ps, c->g[0], c->g[1], c->g[2],
		    c->g[3]);
	fputs("\"/>\n", fp);
	/* Signals: triangles below the low (BUY) and above the high (SELL),
	 * m units across, smaller as the bars narrow. */
	m = fmin(8, fmax(3, bw * 0.9));
	for (k = 0; k < 2; k++) {
		fprintf(fp, "<path class=\"%s\" d=\"", k ? "sell" : "buy");
		for (i = 0; i < c->nbar; i++) {
			b = &c->bar[i];
			x = X(i);
			if (k == 0 && b->buy)
				fprintf(fp, "M%.1f %.1fl%.1f %.1fh%.1fZ", x,
				    sy(&ps, b->low) + 2, -m / 2, m * 0.85, m);
			if (k == 1 && b->sell)
				fprintf(fp, "M%.1f %.1fl%.1f %.1fh%.1fZ", x,
				    sy(&ps, b->high) - 2, -m / 2, -m * 0.85, m);
		}
		fputs("\"/>\n", fp);
	}
	/* Pivots: small circles drawn as two arcs. */
	for (k = 0; k < 2; k++) {
		fprintf(fp, "<path class=\"%s\" d=\"", k ? "pl" : "ph");
		for (i = 0; i < c->nbar; i++) {
			double p = k ? c->bar[i].plow : c->bar[i].phigh;

			if (p > 0)
				fprintf(fp, "M%.1f %.1fa3 3 0 1 0 6 0a3 3 0 1 0 "
				    "-6 0", X(i) - 3, sy(&ps, p));
		}
		fputs("\"/>\n", fp);
	}
	/* Trades: entry to exit. */
	for (j = 0; j < c->ntrade; j++) {
		int a, z;

		tr = &c->trade[j];
		if ((a = bar_at(c, tr->t0)) < 0 || (z = bar_at(c, tr->t1)) < 0)
			continue;
		fmt_time(t0, sizeof(t0), tr->t0);
		fmt_time(t1, sizeof(t1), tr->t1);
		fprintf(fp, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
		    "x2=\"%.1f\" y2=\"%.1f\"><title>%s %s %.6g -&gt; %s %.6g: "
		    "%+.2f</title></line>\n", tr->pnl > 0 ? "win" : "loss",
		    X(a), sy(&ps, tr->p0), X(z), sy(&ps, tr->p1),
		    tr->side > 0 ? "long" : "short", t0, tr->p0, t1, tr->p1,
		    tr->pnl);
	}
	/* Equity and drawdown. */
	fputs("<polyline class=\"eq\" points=\"", fp);
	for (i = 0; i < c->nbar; i++)
		fprintf(fp, "%s%.1f,%.1f", i ? " " : "", X(i),
		    sy(&es, c->bar[i].equity));
	fputs("\"/>\n<polygon class=\"dd\" points=\"", fp);
	if (c->nbar > 0) {
		fprintf(fp, "%.1f,%.1f", X(0), sy(&ds, 0));
		for (i = 0; i < c->nbar; i++)
			fprintf(fp, " %.1f,%.1f", X(i), sy(&ds, -c->bar[i].dd));
		fprintf(fp, " %.1f,%.1f", X(c->nbar - 1), sy(&ds, 0));
	}
	fputs("\"/>\n</svg>\n", fp);
#undef X
	return ferror(fp) ? -1 : 0;
}

int
chart_save(const struct chart *c, const char *path, const char *title,
    const char *caption, char *err, size_t errlen)
{
	struct outfile of;
	FILE *fp;

	if (outfile_open(&of, path, err, errlen) != 0)
		return CK_ERR;
	if ((fp = outfile_stdio(&of)) == NULL ||
	    chart_write(c, fp, title, caption) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		outfile_discard(&of);
		return CK_ERR;
	}
	return outfile_close(&of, err, errlen) == 0 ? CK_OK : CK_ERR;
}
