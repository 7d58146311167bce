/*
 * svg.c - the backtest chart as one self-contained SVG (see svg.h).
 * Candles of one colour are one <path> (wicks and bodies), markers and
 * ghosts likewise; each trade is a <line> with a <title>.  The x axis
 * counts bars, not time, so a closed market takes no room.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart.h"
#include "svg.h"

/* Geometry, in SVG user units (pixels). */
#define CW	1200.0
#define LEFT	80.0
#define RIGHT	20.0
#define PW	(CW - LEFT - RIGHT)
#define PTOP	84.0	/* price pane */
#define PBOT	484.0
#define VTOP	502.0	/* volume pane */
#define VBOT	572.0
#define ETOP	596.0	/* equity pane */
#define EBOT	736.0
#define DTOP	760.0	/* drawdown pane */
#define DBOT	850.0
#define MINBAR	4.0	/* narrowest bar drawn, px */
#define MINSLOTS 40
#define MARKS	18.0	/* room above and below the candles for marks, px */
#define PS(i)	((i) < nm ? &ps : &ts)	/* the price scale of bar i */
#define MAXDRAWN 400	/* trades drawn at most */
#define TAILW	300.0	/* the latest candles, unmerged */
#define TAILGAP	56.0

struct scale {
	double	lo, hi, top, bot;
};

static double
sy(const struct scale *s, double v)
{
	return s->bot - (v - s->lo) / (s->hi - s->lo) * (s->bot - s->top);
}

double
nice_step(double lo, double hi, int n, double *first)
{
	double raw, mag, r, step;

	if (n < 1)
		n = 1;
	if (!(hi > lo))
		hi = lo + fmax(fabs(lo) * 0.01, 1e-9);
	raw = (hi - lo) / n;
	mag = pow(10, floor(log10(raw)));
	r = raw / mag;
	/* the nearest of 1, 2, 5, 10 (geometrically): about n ticks */
	step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
	if (first != NULL)
		*first = ceil(lo / step - 1e-9) * step;
	return step;
}

static struct tm
utc(cktime t)
{
	time_t s = (time_t)(t / CK_SEC - (t % CK_SEC < 0));
	struct tm tm;

	if (gmtime_r(&s, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	return tm;
}

/* Value labels: decimals enough for the step; SI suffixes for volume. */
enum { AX_PLAIN, AX_PCT, AX_SI };

static void
fmt_tick(char *buf, size_t len, double v, double step, int kind)
{
	static const char *si[] = { "", "k", "M", "G", "T" };
	int d, k = 0;

	if (fabs(v) < step * 1e-6)
		v = 0;
	if (kind == AX_SI)
		while (k < 4 && fmax(fabs(v), step) >= 1000) {
			v /= 1000;
			step /= 1000;
			k++;
		}
	d = (int)ceil(-log10(step) - 1e-9);
	if (d < 0 || v == 0)
		d = 0;
	if (v == 0)
		k = 0;
	snprintf(buf, len, "%.*f%s", d, v, kind == AX_PCT ? "%" :
	    kind == AX_SI ? si[k] : "");
}

/* A pane's frame from x0 to x1, horizontal grid lines and value labels
 * (left of the frame; none without an id), its name above it. */
static void
pane(FILE *fp, const char *id, const char *name, const struct scale *s,
    double step, double first, int kind, double x0, double x1)
{
	char buf[48];
	double v, y;
	long long k;

	fprintf(fp, "<rect class=\"frame\" x=\"%.0f\" y=\"%.0f\" "
	    "width=\"%.0f\" height=\"%.0f\"/>\n", x0, s->top, x1 - x0,
	    s->bot - s->top);
	if (name != NULL)
		fprintf(fp, "<text class=\"pane\" x=\"%.0f\" y=\"%.0f\">%s"
		    "</text>\n", x0, s->top - 5, name);
	fprintf(fp, "<g class=\"axis\" id=\"ax-%s\">\n", id ? id : "none");
	for (k = llround(first / step); (v = k * step) <= s->hi + step * 1e-9;
	    k++) {
		if (v < s->lo - step * 1e-9)
			continue;
		y = sy(s, v);
		fmt_tick(buf, sizeof(buf), v, step, kind);
		fprintf(fp, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" "
		    "x2=\"%.0f\" y2=\"%.1f\"/>", x0, y, x1, y);
		if (id != NULL)
			fprintf(fp, "<text x=\"%.0f\" y=\"%.1f\">%s</text>",
			    x0 - 6, y + 4, buf);
		fputc('\n', fp);
	}
	fputs("</g>\n", fp);
}

/* A pane below the price: one frame, or two when the latest candles
 * are apart (from x1 on), the second sharing the scale. */
static void
lower(FILE *fp, const char *id, const char *name, const struct scale *s,
    double step, double first, int kind, double x1)
{
	pane(fp, id, name, s, step, first, kind, LEFT, x1);
	if (x1 < CW - RIGHT)
		pane(fp, NULL, NULL, s, step, first, kind, CW - RIGHT - TAILW,
		    CW - RIGHT);
}

/* Scale [lo, hi] into [top, bot] with about n round ticks, leaving pad
 * pixels free at each end. */
static void
scale_fit(struct scale *s, double lo, double hi, double top, double bot,
    double pad, int n, double *step, double *first)
{
	double f;

	if (!(hi > lo)) {
		f = fmax(fabs(hi) * 0.01, 1e-9);
		lo -= f;
		hi += f;
	}
	*step = nice_step(lo, hi, n, first);
	/* pad px at each end: stretch the value range */
	f = (hi - lo) / (bot - top - 2 * pad);
	s->lo = lo - pad * f;
	s->hi = hi + pad * f;
	s->top = top;
	s->bot = bot;
}

static void
candle_seg(FILE *fp, double x, double hw, const struct scale *s, double o,
    double h, double l, double cl)
{
	double yo = sy(s, o), yc = sy(s, cl), t = fmin(yo, yc), b = fmax(yo, yc);

	if (b - t < 0.8)
		b = t + 0.8;
	fprintf(fp, "M%.1f %.1fV%.1fM%.1f %.1fH%.1fV%.1fH%.1fZ", x, sy(s, h),
	    sy(s, l), x - hw, t, x + hw, b, x - hw);
}

/* Calendar buckets for time labels, smallest first. */
enum { U_SEC, U_WEEK, U_MONTH, U_YEAR };
static const struct unit {
	int	kind;
	long	n;		/* seconds, months or years */
} units[] = {
	{ U_SEC, 60 }, { U_SEC, 300 }, { U_SEC, 900 }, { U_SEC, 1800 },
	{ U_SEC, 3600 }, { U_SEC, 7200 }, { U_SEC, 14400 }, { U_SEC, 21600 },
	{ U_SEC, 43200 }, { U_SEC, 86400 }, { U_WEEK, 1 }, { U_MONTH, 1 },
	{ U_MONTH, 3 }, { U_MONTH, 6 }, { U_YEAR, 1 }, { U_YEAR, 2 },
	{ U_YEAR, 5 }, { U_YEAR, 10 }, { U_YEAR, 20 }, { U_YEAR, 50 },
	{ U_YEAR, 100 },
};

static const struct unit oneday = { U_SEC, 86400 };

static long long
bucket(const struct unit *u, cktime t)
{
	long long s = t / CK_SEC - (t % CK_SEC < 0), d;
	struct tm tm;

	switch (u->kind) {
	case U_SEC:
		return s / u->n - (s % u->n < 0);
	case U_WEEK:	/* from Monday: day 0 was a Thursday */
		d = s / 86400 - (s % 86400 < 0) + 3;
		return d / 7 - (d % 7 < 0);
	case U_MONTH:
		tm = utc(t);
		return ((long long)tm.tm_year * 12 + tm.tm_mon) / u->n;
	default:
		tm = utc(t);
		return ((long long)tm.tm_year + 1900) / u->n;
	}
}

/* A label for bucket start of the bar at time t. */
static void
bucket_label(char *buf, size_t len, const struct unit *u, cktime t)
{
	long long s = t / CK_SEC - (t % CK_SEC < 0);
	struct tm tm;

	if (u->kind == U_SEC && u->n < 86400) {
		s -= s % u->n + (s % u->n < 0 ? u->n : 0);
		tm = utc((cktime)s * CK_SEC);
		strftime(buf, len, tm.tm_hour == 0 && tm.tm_min == 0 ?
		    "%m-%d" : "%H:%M", &tm);
		return;
	}
	tm = utc(t);
	if (u->kind == U_MONTH)
		strftime(buf, len, tm.tm_mon == 0 ? "%Y" : "%Y-%m", &tm);
	else if (u->kind == U_YEAR)
		strftime(buf, len, "%Y", &tm);
	else
		strftime(buf, len, "%Y-%m-%d", &tm);
}

/* Time labels under the lowest pane (bot), and vertical grid lines
 * through every pane, for bars v[from..to) at xs: at bucket starts of the
 * smallest unit that gives at most max labels, nearly all 60 px apart. */
#define LABELGAP 60.0
static void
time_axis(FILE *fp, const struct chart *c, const struct chart_bar *v,
    const double *xs, int from, int to, int max, double bot)
{
	static const double panes[] = { PTOP, PBOT, VTOP, VBOT, ETOP, EBOT,
	    DTOP, DBOT };
	const struct unit *u = NULL;
	char buf[32];
	size_t k;
	int i, j, cnt, crowded;
	long long day;
	double x, lastx;

	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		u = &units[k];
		if (!c->intraday && u->kind == U_SEC && u->n < 86400)
			continue;
		lastx = -1e9;
		for (cnt = crowded = 0, i = from + 1; i < to; i++) {
			if (bucket(u, v[i].t0) == bucket(u, v[i - 1].t0))
				continue;
			cnt++;
			x = (xs[i - 1] + xs[i]) / 2;
			if (x - lastx < LABELGAP)
				crowded++;
			else
				lastx = x;
		}
		if (cnt <= max && crowded * 5 <= cnt)
			break;
	}
	lastx = -1e9;
	day = bucket(&oneday, v[from].t0);
	for (i = from + 1; i < to && u != NULL; i++) {
		if (bucket(u, v[i].t0) == bucket(u, v[i - 1].t0))
			continue;
		x = (xs[i - 1] + xs[i]) / 2;
		if (x - lastx < LABELGAP || x > CW - RIGHT - 20)
			continue;
		lastx = x;
		bucket_label(buf, sizeof(buf), u, v[i].t0);
		/* times of day: a new day is named by its date */
		if (bucket(&oneday, v[i].t0) != day) {
			day = bucket(&oneday, v[i].t0);
			if (u->kind == U_SEC && u->n < 86400) {
				struct tm tm = utc(v[i].t0);

				strftime(buf, sizeof(buf), "%m-%d", &tm);
			}
		}
		fputs("<path class=\"vgrid\" d=\"", fp);
		for (j = 0; j < 8 && panes[j] < bot; j += 2)
			fprintf(fp, "M%.1f %.0fV%.0f", x, panes[j], panes[j + 1]);
		fprintf(fp, "\"/><text x=\"%.1f\" y=\"%.0f\">%s</text>\n", x,
		    bot + 16, buf);
	}
}

/* One legend entry at *x: a swatch (SVG markup at 0,0) and a name. */
static void
legend(FILE *fp, double *x, double y, const char *swatch, const char *name)
{
	fprintf(fp, "<g transform=\"translate(%.0f %.0f)\">%s<text x=\"16\" "
	    "y=\"4\">%s</text></g>\n", *x, y, swatch, name);
	*x += 30 + 5.6 * strlen(name);
}

static const char style[] =
    "<style>\n"
    "text{fill:#333}.bg{fill:#fff}.frame{fill:none;stroke:#bbb}"
    ".grid,.vgrid{stroke:#eee;fill:none}"
    ".brk{stroke:#bbb;stroke-dasharray:1 3;fill:none}\n"
    ".axis text{fill:#555;font-size:11px;text-anchor:end}"
    "#ax-time text{text-anchor:middle}\n"
    ".pane{fill:#555;font-size:11px;font-weight:bold}"
    ".sub{fill:#555}.lg text{font-size:11px}\n"
    ".up{fill:#26a69a;stroke:#26a69a;stroke-width:1}"
    ".down{fill:#ef5350;stroke:#ef5350;stroke-width:1}\n"
    ".vup{fill:#26a69a;opacity:0.45}.vdown{fill:#ef5350;opacity:0.45}\n"
    ".ghost{fill:#7e57c2;fill-opacity:0.12;stroke:#7e57c2;"
    "stroke-dasharray:2 2;stroke-width:1}\n"
    ".ghostnext{fill:#7e57c2;fill-opacity:0.35;stroke:#512da8;"
    "stroke-width:1.2}.now{stroke:#7e57c2;stroke-dasharray:3 3}\n"
    ".buy{fill:#1565c0}.sell{fill:#ef6c00}"
    ".ph{fill:#8e24aa}.pl{fill:#00897b}\n"
    ".win{stroke:#2e7d32;stroke-width:1.2;opacity:0.55}"
    ".loss{stroke:#c62828;stroke-width:1.2;opacity:0.55}\n"
    ".eq{fill:none;stroke:#1565c0;stroke-width:1.4}"
    ".bh{fill:none;stroke:#888;stroke-width:1.2;stroke-dasharray:5 3}"
    ".dd{fill:#ef5350;fill-opacity:0.3;stroke:#ef5350}\n"
    "</style>\n";

/* Only with forecasts beyond the next candle. */
static const char fcstyle[] =
    "<style>\n"
    ".gpath{fill:#7e57c2;fill-opacity:0.2;stroke:#512da8;stroke-width:1;"
    "stroke-dasharray:2 1}.gline{fill:none;stroke:#512da8;"
    "stroke-width:1;stroke-dasharray:1 2}\n"
    ".pfh{fill:#8e24aa;stroke:#4a148c}.pfl{fill:#00897b;stroke:#004d40}"
    ".pft{font-size:9px;fill:#333}\n"
    "</style>\n";

/* A trade whose entry and exit are among bars [from, to): 1, or 0 when
 * it is not. */
static int
trade(FILE *fp, const struct chart_trade *tr, const struct chart_bar *v,
    const double *xs, const double *hws, int from, int to,
    const struct scale *s)
{
	char t0[32], t1[32];
	int a, z;

	if (to <= from || tr->t1 > v[to - 1].t1 ||
	    (a = chart_find(v + from, to - from, tr->t0)) < 0 ||
	    (z = chart_find(v + from, to - from, tr->t1)) < 0)
		return 0;
	a += from;
	z += from;
	chart_when(t0, sizeof(t0), tr->t0, 1);
	chart_when(t1, sizeof(t1), tr->t1, 1);
	fprintf(fp, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
	    "x2=\"%.1f\" y2=\"%.1f\"><title>%s %s %.6g -&gt; %s %.6g: "
	    "%+.2f (%+.2f%%)</title></line>\n", tr->pnl > 0 ? "win" : "loss",
	    xs[a] - hws[a], sy(s, tr->p0), xs[z] + hws[z], sy(s, tr->p1),
	    tr->side > 0 ? "long" : "short", t0, tr->p0, t1, tr->p1, tr->pnl,
	    tr->ret);
	return 1;
}

/* Equity, buy and hold, and the drawdown area of bars [a, z). */
static void
curves(FILE *fp, const struct chart_bar *v, const double *xs, int a, int z,
    const struct scale *es, const struct scale *ds)
{
	int i, k;

	for (k = 0; k < 2; k++) {
		fprintf(fp, "<polyline class=\"%s\" points=\"", k ? "bh" : "eq");
		for (i = a; i < z; i++)
			fprintf(fp, "%s%.1f,%.1f", i > a ? " " : "", xs[i],
			    sy(es, k ? v[i].bh : v[i].equity));
		fputs("\"/>\n", fp);
	}
	fprintf(fp, "<polygon class=\"dd\" points=\"%.1f,%.1f", xs[a],
	    sy(ds, 0));
	for (i = a; i < z; i++)
		fprintf(fp, " %.1f,%.1f", xs[i], sy(ds, -100 * v[i].dd));
	fprintf(fp, " %.1f,%.1f\"/>\n", xs[z - 1], sy(ds, 0));
}

static int
same_fcast(const struct chart_fcast *f, int a, int b)
{
	return f->type[a] == f->type[b] && f->price[a] == f->price[b] &&
	    f->in[a] == f->in[b];
}

/*
 * The last row's further forecasts, right of the last bar (at xl, close
 * yl; dx px a candle, ah candles of room, section from x0): the ghost
 * path (steps 2.., candles with their closes joined from the last close)
 * and a diamond per level at the predicted pivot's candle and price,
 * named; one beyond the room sits at its edge with the distance.
 */
static void
forecast(FILE *fp, const struct chart *c, double xl, double yl, double dx,
    int ah, double x0, const struct scale *s)
{
	const struct chart_fcast *f = &c->fc;
	double x, y, hw = fmax(fmin(dx * 0.36, 6), 1.5);
	int j, q, last = f->steps < ah ? f->steps : ah;

	if (last > 1) {
		fputs("<path class=\"gpath\" d=\"", fp);
		for (j = 2; j <= last; j++)
			candle_seg(fp, xl + j * dx, hw, s, f->path[j - 1][0],
			    f->path[j - 1][1], f->path[j - 1][2],
			    f->path[j - 1][3]);
		fprintf(fp, "\"><title>ghost path: the next %d candles as "
		    "predicted at the last one</title></path>\n"
		    "<polyline class=\"gline\" points=\"%.1f,%.1f", last, xl,
		    yl);
		for (j = 1; j <= last; j++)
			fprintf(fp, " %.1f,%.1f", xl + j * dx,
			    sy(s, f->path[j - 1][3]));
		fputs("\"/>\n", fp);
	}
	/* levels with the same forecast share one mark: "L1,2 H" */
	for (j = 0; j < f->npiv; j++) {
		for (q = 0; q < j && !same_fcast(f, q, j); q++)
			;
		x = xl + fmin(f->in[j], ah) * dx;
		if (q < j || x < x0)
			continue;	/* drawn, or no longer drawn apart */
		y = sy(s, f->price[j]);
		/* the name right of the mark, or left of it at the edge */
		fprintf(fp, "<g><path class=\"%s\" d=\"M%.1f %.1fl4 4l-4 4l-4 "
		    "-4Z\"/><text class=\"pft\" x=\"%.1f\" y=\"%.1f\"%s>L",
		    f->type[j] > 0 ? "pfh" : "pfl", x, y - 4,
		    x + 45 > CW - RIGHT ? x - 6 : x + 6, y + 3,
		    x + 45 > CW - RIGHT ? " text-anchor=\"end\"" : "");
		for (q = j; q < f->npiv; q++)
			if (same_fcast(f, q, j))
				fprintf(fp, "%s%d", q > j ? "," : "", f->level[q]);
		fprintf(fp, " %s", f->type[j] > 0 ? "H" : "L");
		if (f->in[j] > ah)
			fprintf(fp, " in %.3g", f->in[j]);
		fprintf(fp, "</text><title>predicted next pivot (level");
		for (q = j; q < f->npiv; q++)
			if (same_fcast(f, q, j))
				fprintf(fp, " %d", f->level[q]);
		fprintf(fp, "): %s at %.6g, %.3g candles after the last"
		    "</title></g>\n", f->type[j] > 0 ? "high" : "low",
		    f->price[j], f->in[j]);
	}
}

/* Whether pivot price p of bar i is a turning point among its drawn
 * neighbours in [from, to) (high: none higher; low: none lower). */
static int
turning(const struct chart_bar *v, int from, int to, int i, int high)
{
	double p = high ? v[i].phigh : v[i].plow;
	int j;

	if (p <= 0)
		return 0;
	for (j = i - 1; j <= i + 1; j++)
		if (j >= from && j < to && j != i &&
		    (high ? v[j].high > p : v[j].low < p))
			return 0;
	return 1;
}

int
chart_write(const struct chart *c, FILE *fp, const char *title,
    const char *caption)
{
	struct scale ps, vs, es, ds;
	struct chart_bar *v, *b;
	char tbuf[512];
	double lo = INFINITY, hi = -INFINITY, elo = INFINITY, ehi = -INFINITY;
	double vmax = 0, ddmax = 0, step, first, bw, tw, x, y, m, lastx;
	double ch, bot, mainw, *xs, *hws, tlo = 0, thi = 0, x0t;
	struct scale ts;
	int i, j, k, n, nm, up, a, z, full, stride, hasghost = 0;
	int hassig = 0, haspiv = 0, max, hastrades = c->ntrade > 0, drawn;
	int ah = chart_ahead(c);
	long per;

	v = calloc((size_t)c->nbar + CHART_TAIL + 1, sizeof(*v));
	xs = calloc((size_t)c->nbar + CHART_TAIL + 2, sizeof(*xs));
	hws = calloc((size_t)c->nbar + CHART_TAIL + 2, sizeof(*hws));
	if (v == NULL || xs == NULL || hws == NULL) {
		free(v);
		free(xs);
		free(hws);
		return -1;
	}
	/*
	 * The bars, merged to at least MINBAR px each.  When merged, the
	 * latest candles are drawn again after them as they are, TAILW px
	 * wide, so that the ghost candles at the live end can be seen.
	 */
	max = (int)(PW / MINBAR) - 2;
	per = c->width * (c->nbar > max ? (c->nbar + max - 1) / max : 1);
	mainw = PW;
	if (per > 1 && c->tn >= CHART_TAIL) {
		mainw = PW - TAILW - TAILGAP;
		max = (int)(mainw / MINBAR) - 1;
		per = c->width * (c->nbar > max ? (c->nbar + max - 1) / max : 1);
		nm = chart_view(c, c->nbar, v, max);
		n = nm + chart_tail(c, v + nm, CKTIME_NONE);
	} else
		nm = n = chart_view(c, c->nbar, v, max);
	/* room after the last bar for ah candles of forecast */
	bw = mainw / (nm + ah < MINSLOTS ? MINSLOTS : nm + ah);
	tw = TAILW / (CHART_TAIL + 1 + ah);
	for (i = 0; i <= n; i++) {
		if (i < nm || n == nm) {
			xs[i] = LEFT + (i + 0.5) * bw;
			hws[i] = fmax(bw * 0.36, 0.4);
		} else {
			xs[i] = CW - RIGHT - TAILW + (i - nm + 0.5) * tw;
			hws[i] = tw * 0.36;
		}
	}
	for (i = 0; i < n; i++) {
		b = &v[i];
		if (i == nm) {	/* the tail's own price range */
			tlo = lo;
			thi = hi;
			lo = INFINITY;
			hi = -INFINITY;
		}
		lo = fmin(lo, b->low);
		hi = fmax(hi, b->high);
		if (b->ghost) {
			lo = fmin(lo, b->g[2]);
			hi = fmax(hi, b->g[1]);
			hasghost = 1;
		}
		elo = fmin(elo, fmin(b->equity, b->bh));
		ehi = fmax(ehi, fmax(b->equity, b->bh));
		vmax = fmax(vmax, b->volume / (double)b->n);
		ddmax = fmax(ddmax, b->dd);
		hassig |= b->buy || b->sell;
		haspiv |= b->phigh > 0 || b->plow > 0;
	}
	if (c->ghost) {
		lo = fmin(lo, c->g[2]);
		hi = fmax(hi, c->g[1]);
		hasghost = 1;
	}
	for (i = 1; n > 0 && i < c->fc.steps && i < ah; i++) {
		lo = fmin(lo, c->fc.path[i][2]);
		hi = fmax(hi, c->fc.path[i][1]);
	}
	for (i = 0; n > 0 && i < c->fc.npiv; i++) {
		lo = fmin(lo, c->fc.price[i]);
		hi = fmax(hi, c->fc.price[i]);
	}
	if (n == 0)
		lo = hi = elo = ehi = 1;
	if (n > nm) {	/* lo, hi: the tail's; tlo, thi: the rest's */
		x = lo;
		lo = tlo;
		tlo = x;
		x = hi;
		hi = thi;
		thi = x;
	}
	/* Without predictions: candles, pivots and volume only. */
	full = c->npred > 0 || hastrades;
	if (!full)
		caption = NULL;
	bot = full ? DBOT : VBOT;
	ch = bot + 34;

	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"sans-serif\" font-size=\"12\">\n", CW, ch, CW, ch);
	fputs(style, fp);
	if (n > 0 && (c->fc.steps > 1 || c->fc.npiv > 0))
		fputs(fcstyle, fp);
	fprintf(fp, "<rect class=\"bg\" width=\"%.0f\" height=\"%.0f\"/>\n",
	    CW, ch);
	if (title == NULL) {
		chart_title(c, tbuf, sizeof(tbuf));
		title = tbuf;
	}
	fprintf(fp, "<text x=\"%.0f\" y=\"22\" font-size=\"15\" "
	    "font-weight=\"bold\">", LEFT);
	chart_escape(fp, title);
	fprintf(fp, "</text>\n<text class=\"sub\" x=\"%.0f\" y=\"40\">", LEFT);
	chart_span(c, tbuf, sizeof(tbuf));
	chart_escape(fp, tbuf);
	if (caption != NULL && *caption != '\0') {
		fputs(": ", fp);
		chart_escape(fp, caption);
	} else
		fprintf(fp, ", %ld candle%s", c->candles, c->candles == 1 ?
		    "" : "s");
	fputs("</text>\n", fp);

	/* Legend: what is drawn. */
	fputs("<g class=\"lg\">\n", fp);
	x = LEFT;
	legend(fp, &x, 60, "<path class=\"up\" d=\"M4 -7V7M1 -4H7V4H1Z\"/>",
	    "rise");
	legend(fp, &x, 60, "<path class=\"down\" d=\"M4 -7V7M1 -4H7V4H1Z\"/>",
	    "fall");
	if (hasghost)
		legend(fp, &x, 60, "<path class=\"ghost\" d=\"M4 -7V7M0 -4H8V4"
		    "H0Z\"/>", "ghost (predicted candle)");
	if (n > 0 && c->fc.steps > 1)
		legend(fp, &x, 60, "<path class=\"gpath\" d=\"M4 -7V7M0 -4H8V4"
		    "H0Z\"/>", "ghost path");
	if (n > 0 && c->fc.npiv > 0)
		legend(fp, &x, 60, "<path class=\"pfh\" d=\"M4 -4l4 4l-4 4l-4 "
		    "-4Z\"/>", "predicted next pivot");
	if (hassig) {
		legend(fp, &x, 60, "<path class=\"buy\" d=\"M4 -5l-4 8h8Z\"/>",
		    "BUY");
		legend(fp, &x, 60, "<path class=\"sell\" d=\"M4 5l-4 -8h8Z\"/>",
		    "SELL");
	}
	if (haspiv) {
		legend(fp, &x, 60, "<circle class=\"ph\" cx=\"4\" r=\"2.5\"/>",
		    "pivot high");
		legend(fp, &x, 60, "<circle class=\"pl\" cx=\"4\" r=\"2.5\"/>",
		    "pivot low");
	}
	if (hastrades) {
		legend(fp, &x, 60, "<line class=\"win\" x1=\"0\" y1=\"3\" "
		    "x2=\"10\" y2=\"-3\"/>", "winning trade");
		legend(fp, &x, 60, "<line class=\"loss\" x1=\"0\" y1=\"3\" "
		    "x2=\"10\" y2=\"-3\"/>", "losing trade");
	}
	if (full) {
		legend(fp, &x, 60, "<line class=\"eq\" x1=\"0\" y1=\"0\" "
		    "x2=\"12\" y2=\"0\"/>", "equity");
		legend(fp, &x, 60, "<line class=\"bh\" x1=\"0\" y1=\"0\" "
		    "x2=\"12\" y2=\"0\"/>", "buy and hold");
	}
	fputs("</g>\n", fp);

	/* Panes and their value axes. */
	x0t = CW - RIGHT - TAILW;
	scale_fit(&ps, lo, hi, PTOP, PBOT, MARKS, 8, &step, &first);
	pane(fp, "price", NULL, &ps, step, first, AX_PLAIN, LEFT, LEFT + mainw);
	ts = ps;
	if (n > nm) {
		scale_fit(&ts, tlo, thi, PTOP, PBOT, MARKS, 8, &step, &first);
		pane(fp, "price-last", NULL, &ts, step, first, AX_PLAIN, x0t,
		    CW - RIGHT);
		fprintf(fp, "<text class=\"pane\" x=\"%.0f\" y=\"%.0f\">"
		    "the last %d candles, one bar each</text>\n", x0t,
		    PTOP - 5, n - nm);
	}
	scale_fit(&vs, 0, vmax > 0 ? vmax : 1, VTOP, VBOT, 0, 2, &step, &first);
	vs.hi = fmax(vs.hi, ceil(vs.hi / step - 1e-9) * step);
	vs.lo = 0;
	lower(fp, "volume", "volume per candle", &vs, step, first, AX_SI,
	    n > nm ? LEFT + mainw : CW - RIGHT);
	if (full) {
		scale_fit(&es, elo, ehi, ETOP, EBOT, 6, 4, &step, &first);
		lower(fp, "equity", "equity and buy and hold", &es, step, first,
		    AX_PLAIN, n > nm ? LEFT + mainw : CW - RIGHT);
		/* Drawdown in percent, from 0 down to a round tick. */
		step = nice_step(-100 * fmax(ddmax, 1e-3), 0, 3, &first);
		ds.hi = 0;
		ds.lo = floor(-100 * ddmax / step - 1e-9) * step;
		if (ds.lo > -step)
			ds.lo = -step;
		ds.top = DTOP;
		ds.bot = DBOT;
		lower(fp, "drawdown", "drawdown", &ds, step, ds.lo, AX_PCT,
		    n > nm ? LEFT + mainw : CW - RIGHT);
	}
	fputs("<g class=\"axis\" id=\"ax-time\">\n", fp);
	time_axis(fp, c, v, xs, 0, nm, (int)(mainw / 90), bot);
	if (n > nm)
		time_axis(fp, c, v, xs, nm, n, (int)(TAILW / 90), bot);
	fputs("</g>\n", fp);

	/* Market closures take no room; where they are few enough to tell
	 * apart, a dotted line marks them in the price pane. */
	for (a = 0; a < n; a = z) {
		z = a < nm ? nm : n;
		for (k = 0, i = a + 1; i < z; i++)
			k += v[i].gap;
		if (k == 0 || k * 8 > z - a)
			continue;
		fputs("<path class=\"brk\" d=\"", fp);
		for (i = a + 1; i < z; i++)
			if (v[i].gap)
				fprintf(fp, "M%.1f %.0fV%.0f", (xs[i - 1] + xs[i]) / 2,
				    PTOP, PBOT);
		fputs("\"/>\n", fp);
	}
	/* Ghosts beneath the candles: the candle predicted for each bar. */
	fputs("<path class=\"ghost\" d=\"", fp);
	for (i = 0; i < n; i++)
		if (v[i].ghost)
			candle_seg(fp, xs[i], hws[i] * 1.3, PS(i), v[i].g[0],
			    v[i].g[1], v[i].g[2], v[i].g[3]);
	fputs("\"/>\n", fp);
	/* Candles: one path per colour. */
	for (up = 1; up >= 0; up--) {
		fprintf(fp, "<path class=\"%s\" d=\"", up ? "up" : "down");
		for (i = 0; i < n; i++) {
			b = &v[i];
			if ((b->close >= b->open) == up)
				candle_seg(fp, xs[i], hws[i], PS(i), b->open,
				    b->high, b->low, b->close);
		}
		fputs("\"/>\n", fp);
	}
	/* The live end: the next candle as predicted, after a line. */
	if (c->ghost && n > 0) {
		x = (xs[n - 1] + xs[n]) / 2;
		fprintf(fp, "<line class=\"now\" x1=\"%.1f\" y1=\"%.0f\" "
		    "x2=\"%.1f\" y2=\"%.0f\"/>\n<path class=\"ghostnext\" d=\"",
		    x, PTOP, x, PBOT);
		candle_seg(fp, xs[n], fmax(hws[n - 1], 2.5), PS(n), c->g[0],
		    c->g[1], c->g[2], c->g[3]);
		fprintf(fp, "\"><title>predicted next candle: open %.6g high "
		    "%.6g low %.6g close %.6g</title></path>\n", c->g[0],
		    c->g[1], c->g[2], c->g[3]);
	}
	if (n > 0)	/* a candle is xs[n] - xs[n-1] wide at the end */
		forecast(fp, c, xs[n - 1], sy(PS(n - 1), v[n - 1].close),
		    xs[n] - xs[n - 1], ah, n > nm ? x0t : LEFT, PS(n - 1));
	/* Trades: thin lines from entry to exit over the candles; the
	 * latest ones, all of them, in the tail. */
	stride = c->ntrade / MAXDRAWN + 1;
	for (j = 0, drawn = 0; j < c->ntrade; j += stride)
		drawn += trade(fp, &c->trade[j], v, xs, hws, 0, nm, &ps);
	for (j = 0; n > nm && j < CHART_TAIL && j < c->ttn; j++)
		trade(fp, &c->ttail[j], v, xs, hws, nm, n, &ts);  /* again */
	/* Pivots: small dots just above the high and below the low where
	 * they still turn at this scale, one per 5 px at most; signals:
	 * triangles beyond them, one per 6 px at most. */
	for (k = 0; k < 2; k++) {
		fprintf(fp, "<path class=\"%s\" d=\"", k ? "pl" : "ph");
		lastx = -1e9;
		for (i = 0; i < n; i++) {
			if (!turning(v, i < nm ? 0 : nm, i < nm ? nm : n, i, !k) ||
			    xs[i] - lastx < 5)
				continue;
			lastx = xs[i];
			y = k ? sy(PS(i), v[i].low) + 5 : sy(PS(i), v[i].high) - 5;
			fprintf(fp, "M%.1f %.1fa2 2 0 1 0 4 0a2 2 0 1 0 -4 0",
			    xs[i] - 2, y);
		}
		fputs("\"/>\n", fp);
	}
	for (k = 0; k < 2; k++) {
		fprintf(fp, "<path class=\"%s\" d=\"", k ? "sell" : "buy");
		lastx = -1e9;
		for (i = 0; i < n; i++) {
			b = &v[i];
			m = fmin(7, fmax(3, hws[i] * 2.4));
			if ((k == 0 ? b->buy : b->sell) == 0 || xs[i] - lastx < 6)
				continue;
			lastx = xs[i];
			if (k == 0 && b->buy)
				fprintf(fp, "M%.1f %.1fl%.1f %.1fh%.1fZ", xs[i],
				    sy(PS(i), b->low) + 9, -m / 2, m * 0.9, m);
			if (k == 1 && b->sell)
				fprintf(fp, "M%.1f %.1fl%.1f %.1fh%.1fZ", xs[i],
				    sy(PS(i), b->high) - 9, -m / 2, -m * 0.9, m);
		}
		fputs("\"/>\n", fp);
	}
	/* Volume per candle (bars of different widths compare). */
	for (up = 1; up >= 0; up--) {
		fprintf(fp, "<path class=\"%s\" d=\"", up ? "vup" : "vdown");
		for (i = 0; i < n; i++) {
			b = &v[i];
			if ((b->close >= b->open) != up || b->volume <= 0)
				continue;
			fprintf(fp, "M%.1f %.1fH%.1fV%.1fH%.1fZ", xs[i] - hws[i],
			    VBOT, xs[i] + hws[i], fmax(fmin(sy(&vs, b->volume /
			    (double)b->n), VBOT - 0.8), VTOP), xs[i] - hws[i]);
		}
		fputs("\"/>\n", fp);
	}
	/* Equity beside buy and hold; the drawdown from 0 down. */
	if (full && n > 0)
		for (a = 0; a < n; a = z) {	/* the rest, then the tail */
			z = a < nm ? nm : n;
			curves(fp, v, xs, a, z, &es, &ds);
		}
	fprintf(fp, "<text class=\"sub\" x=\"%.0f\" y=\"%.0f\" "
	    "text-anchor=\"end\" font-size=\"10\">1 bar = %ld candle%s",
	    CW - RIGHT, ch - 4, per, per == 1 ? "" : "s");
	if (full)
		fprintf(fp, "; %d of %ld trades drawn", drawn, c->trades);
	fputs("</text>\n", fp);
	fputs("</svg>\n", fp);
	free(v);
	free(xs);
	free(hws);
	return ferror(fp) ? -1 : 0;
}

struct svgargs {
	const struct chart	*c;
	const char		*title, *caption;
};

static int
svg_fn(FILE *fp, const void *arg)
{
	const struct svgargs *a = arg;

	return chart_write(a->c, fp, a->title, a->caption);
}

int
chart_save(const struct chart *c, const char *path, const char *title,
    const char *caption, char *err, size_t errlen)
{
	struct svgargs a = { c, title, caption };

	return chart_savefile(path, svg_fn, &a, err, errlen);
}
