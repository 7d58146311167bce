/*
 * html.c - the interactive backtest report (see html.h): the chart data
 * and the JSON summary as JSON islands, the charting library and
 * the page's script (htmljs.c) inline, a Content-Security-Policy that
 * forbids every request.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ck.h"
#include "csvio.h"
#include "backtest.h"
#include "chart.h"
#include "html.h"

#ifndef CK_SHAREDIR
#define CK_SHAREDIR "/usr/local/share/candlekit"
#endif

extern const char *const html_js[];	/* htmljs.c */

static int
readall(const char *path, char **buf, size_t *len)
{
	FILE *fp;
	char *b = NULL, *nb;
	size_t n = 0, cap = 0, k;

	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	do {
		if (cap - n < 65536) {
			cap = cap ? 2 * cap : 262144;
			if ((nb = realloc(b, cap + 1)) == NULL) {
				free(b);
				fclose(fp);
				return -1;
			}
			b = nb;
		}
		k = fread(b + n, 1, cap - n, fp);
		n += k;
	} while (k > 0);
	if (ferror(fp)) {
		free(b);
		fclose(fp);
		errno = EIO;
		return -1;
	}
	fclose(fp);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

/* dir and tail into d (4096 bytes): 1, or 0 when too long. */
static int
adddir(char *d, const char *dir, const char *tail)
{
	int k = snprintf(d, 4096, "%s%s", dir, tail);

	return k >= 0 && k < 4096 - 64;
}

int
html_lib_load(struct html_lib *l, char *err, size_t errlen)
{
	char dirs[3][4096], exe[4096], *p;
	const char *env = getenv("CANDLEKIT_SHARE");
	ssize_t k;
	int i, nd = 0;

	memset(l, 0, sizeof(*l));
	if (env != NULL && *env != '\0')
		nd += adddir(dirs[nd], env, "");
	else {
		k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (k > 0) {
			exe[k] = '\0';
			if ((p = strrchr(exe, '/')) != NULL) {
				*p = '\0';
				nd += adddir(dirs[nd], exe, "/../share/candlekit");
			}
		}
		nd += adddir(dirs[nd], CK_SHAREDIR, "");
	}
	if (nd == 0) {
		snprintf(err, errlen, "CANDLEKIT_SHARE: name too long");
		return CK_ERR;
	}
	for (i = 0; i < nd; i++) {
		k = snprintf(l->path, sizeof(l->path), "%s/%s", dirs[i],
		    HTML_LIBFILE);
		if (k < 0 || (size_t)k >= sizeof(l->path))
			continue;
		if (readall(l->path, &l->js, &l->len) == 0)
			break;
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", l->path, strerror(errno));
			return CK_ERR;
		}
	}
	if (l->js == NULL) {
		snprintf(err, errlen, "the HTML report needs the charting "
		    "library %s, not found in %s%s%s (make deps installs it)",
		    HTML_LIBFILE, dirs[0], nd > 1 ? " nor " : "",
		    nd > 1 ? dirs[nd - 1] : "");
		return CK_ERR;
	}
	/* It goes inside a <script> element. */
	if (strlen(l->js) != l->len || strstr(l->js, "</script") != NULL ||
	    strstr(l->js, "LightweightCharts") == NULL) {
		snprintf(err, errlen, "%s: not a Lightweight Charts standalone "
		    "build that can be inlined", l->path);
		html_lib_free(l);
		return CK_ERR;
	}
	return CK_OK;
}

void
html_lib_free(struct html_lib *l)
{
	free(l->js);
	l->js = NULL;
	l->len = 0;
}

/* JSON text inside a <script> element: "<" never appears as such. */
static void
json_island(FILE *fp, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '<')
			fputs("\\u003c", fp);
		else
			fputc(s[i], fp);
}

static void
num(FILE *fp, double x)
{
	char buf[40];
	size_t len;

	if (!isfinite(x)) {
		fputs("null", fp);
		return;
	}
	len = fmt_double(buf, x);
	fwrite(buf, 1, len, fp);
}

/* One array of a bar field: "key":[...], */
enum { F_O, F_H, F_L, F_C, F_V, F_EQ, F_BH, F_DD, F_PH, F_PL, F_N,
	F_BUY, F_SELL, F_ACT, F_CONF };
static void
column(FILE *fp, const struct chart *c, const char *key, int f)
{
	const struct chart_bar *b;
	int i;

	fprintf(fp, "\"%s\":[", key);
	for (i = 0; i < c->nbar; i++) {
		b = &c->bar[i];
		if (i)
			fputc(',', fp);
		switch (f) {
		case F_O: num(fp, b->open); break;
		case F_H: num(fp, b->high); break;
		case F_L: num(fp, b->low); break;
		case F_C: num(fp, b->close); break;
		case F_V: num(fp, b->volume); break;
		case F_EQ: num(fp, b->equity); break;
		case F_BH: num(fp, b->bh); break;
		case F_DD: num(fp, 100 * b->dd); break;
		case F_PH: num(fp, b->phigh); break;
		case F_PL: num(fp, b->plow); break;
		case F_N: fprintf(fp, "%ld", b->n); break;
		case F_BUY: fprintf(fp, "%d", b->buy); break;
		case F_SELL: fprintf(fp, "%d", b->sell); break;
		case F_ACT: fprintf(fp, "\"%s\"", action_name(b->action));
			break;
		default: num(fp, b->confidence);
		}
	}
	fputs("],\n", fp);
}

/*
 * The last row's further forecasts (chart.h) by bar time, after the
 * last bar (at time prev, a bar stepw seconds): "path" the ghost steps
 * 2.. as [t, o, h, l, c]; "fpiv" the next pivots as [t, price, type,
 * level, in]; "fstep" the seconds a bar.  A candle j ahead falls in bar ceil(j / width) after the
 * last (one step a bar: steps sharing a bar after the first are left
 * out); a pivot at or before the last candle on the bar that holds it,
 * when that candle is still among the recent ones.
 */
static void
forecast(FILE *fp, const struct chart *c, const long long *ts,
    long long prev, long long stepw)
{
	const struct chart_fcast *f = &c->fc;
	long long t, tl = prev;
	long m, k;
	int j, q, b;

	fputs(",\n\"path\":[", fp);
	for (j = 2, b = 0; c->nbar > 0 && j <= f->steps; j++) {
		t = prev + (j + c->width - 1) / c->width * stepw;
		if (t <= tl || (j - 1 + c->width - 1) / c->width ==
		    (j + c->width - 1) / c->width)
			continue;
		fprintf(fp, "%s[%lld", b++ ? "," : "", t);
		for (q = 0; q < 4; q++) {
			fputc(',', fp);
			num(fp, f->path[j - 1][q]);
		}
		fputc(']', fp);
		tl = t;
	}
	fprintf(fp, "],\n\"fstep\":%lld,\n\"fpiv\":[", stepw);
	for (j = 0, b = 0; c->nbar > 0 && j < f->npiv; j++) {
		/* far ahead: drawn 200 candles ahead, the text says more */
		m = lround(fmin(f->in[j], 200));
		if (m >= 1)
			t = prev + (m + c->width - 1) / c->width * stepw;
		else {
			/* candle rn-1+m of the recent ring, if still there */
			k = c->rn - 1 + m;
			if (k < 0 || k < c->rn - CHART_RECENT)
				continue;
			q = chart_find(c->bar, c->nbar, c->rt[k % CHART_RECENT]);
			if (q < 0)
				continue;
			t = ts[q];
		}
		fprintf(fp, "%s[%lld,", b++ ? "," : "", t);
		num(fp, f->price[j]);
		fprintf(fp, ",%d,%d,", f->type[j], f->level[j]);
		num(fp, f->in[j]);
		fputc(']', fp);
	}
	fputc(']', fp);
}

static int
data(FILE *fp, const struct chart *c, int full)
{
	static const struct {
		const char *key;
		int f;
	} cols[] = {
		{ "o", F_O }, { "h", F_H }, { "l", F_L }, { "c", F_C },
		{ "v", F_V }, { "eq", F_EQ }, { "bh", F_BH }, { "dd", F_DD },
		{ "ph", F_PH }, { "pl", F_PL }, { "w", F_N }, { "buy", F_BUY },
		{ "sell", F_SELL }, { "act", F_ACT }, { "conf", F_CONF },
	};
	const struct chart_trade *tr;
	long long s, prev = LLONG_MIN, *ts;
	size_t k;
	int i, j;

	/* Bar times in whole seconds, strictly increasing. */
	if ((ts = malloc(sizeof(*ts) * (size_t)(c->nbar + 1))) == NULL)
		return -1;
	for (i = 0; i < c->nbar; i++) {
		s = c->bar[i].t0 / CK_SEC - (c->bar[i].t0 % CK_SEC < 0);
		ts[i] = prev = s > prev ? s : prev + 1;
	}

	fprintf(fp, "{\"full\":%s,\"intraday\":%s,\"width\":%ld,"
	    "\"candles\":%ld,\"trades_total\":%ld,\n\"t\":[",
	    full ? "true" : "false", c->intraday ? "true" : "false", c->width,
	    c->candles, c->trades);
	for (i = 0; i < c->nbar; i++)
		fprintf(fp, "%s%lld", i ? "," : "", ts[i]);
	fputs("],\n", fp);
	for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		column(fp, c, cols[k].key, cols[k].f);
	fputs("\"g\":[", fp);
	for (i = 0; i < c->nbar; i++) {
		if (i)
			fputc(',', fp);
		if (!c->bar[i].ghost) {
			fputs("null", fp);
			continue;
		}
		for (j = 0; j < 4; j++) {
			fputc(j ? ',' : '[', fp);
			num(fp, c->bar[i].g[j]);
		}
		fputc(']', fp);
	}
	fputs("],\n\"next\":", fp);
	if (c->ghost && c->nbar > 0) {
		/* one step after the last bar */
		fprintf(fp, "{\"t\":%lld,\"g\":", prev + (c->step > 0 ?
		    (c->step * c->width + CK_SEC - 1) / CK_SEC : 1));
		for (j = 0; j < 4; j++) {
			fputc(j ? ',' : '[', fp);
			num(fp, c->g[j]);
		}
		fputs("]}", fp);
	} else
		fputs("null", fp);
	if (c->fc.steps > 1 || c->fc.npiv > 0)
		forecast(fp, c, ts, prev, c->step > 0 ?
		    (c->step * c->width + CK_SEC - 1) / CK_SEC : 1);
	/* Trades by the times of the bars that hold their candles. */
	fputs(",\n\"trades\":[", fp);
	for (j = 0; j < c->ntrade; j++) {
		tr = &c->trade[j];
		fprintf(fp, "%s[", j ? "," : "");
		for (k = 0; k < 2; k++) {
			i = chart_find(c->bar, c->nbar, k ? tr->t1 : tr->t0);
			fprintf(fp, "%s%lld,", k ? "," : "", ts[i < 0 ? 0 : i]);
			num(fp, k ? tr->p1 : tr->p0);
		}
		fprintf(fp, ",%d,", tr->side);
		num(fp, tr->pnl);
		fputc(',', fp);
		num(fp, tr->ret);
		fputc(']', fp);
	}
	fputs("]}", fp);
	free(ts);
	return 0;
}

static const char css[] =
    "body{font:13px/1.4 sans-serif;margin:12px 16px;color:#222}"
    "h1{font-size:17px;margin:0 0 2px}.sub{color:#555;margin:0 0 6px}\n"
    "#wrap{position:relative}#chart{width:100%;"
    "height:clamp(560px,78vh,900px)}\n"
    "#tip{position:absolute;display:none;z-index:10;pointer-events:none;"
    "background:rgba(255,255,255,0.95);border:1px solid #bbb;"
    "padding:5px 8px;font-size:12px;white-space:nowrap}\n"
    ".lg span{margin-right:14px;white-space:nowrap}"
    ".sw{display:inline-block;width:12px;height:10px;margin-right:4px;"
    "vertical-align:middle}\n"
    "#zoom{margin:4px 0}#zoom button{margin-right:6px}\n"
    ".kv{display:grid;grid-template-columns:repeat(auto-fill,"
    "minmax(280px,1fr));column-gap:28px}"
    ".kv div{display:flex;justify-content:space-between;"
    "border-bottom:1px solid #eee;padding:2px 0}"
    ".kv .v,td{font-variant-numeric:tabular-nums}\n"
    ".tables{display:flex;flex-wrap:wrap;gap:0 36px;align-items:flex-start}"
    "h3{font-size:14px;margin:14px 0 4px}"
    "table{border-collapse:collapse}th{text-align:right;"
    "padding:2px 10px;border-bottom:1px solid #bbb}"
    "td{border-bottom:1px solid #eee;padding:2px 10px;text-align:right}"
    "td:first-child,th:first-child{text-align:left;padding-left:0}\n"
    ".notice{color:#777;font-size:11px;margin-top:16px}\n";

int
html_write(const struct chart *c, FILE *fp, const struct html_lib *lib,
    const char *summary, const char *caption)
{
	char title[512];
	int i, full, hasghost = 0, hassig = 0, haspiv = 0;

	for (i = 0; i < c->nbar; i++) {
		hasghost |= c->bar[i].ghost;
		hassig |= c->bar[i].buy || c->bar[i].sell;
		haspiv |= c->bar[i].phigh > 0 || c->bar[i].plow > 0;
	}
	hasghost |= c->ghost;
	full = c->npred > 0 || c->ntrade > 0;
	chart_title(c, title, sizeof(title));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; script-src 'unsafe-inline'; "
	    "style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n<title>",
	    fp);
	chart_escape(fp, title);
	fprintf(fp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", css);
	chart_escape(fp, title);
	fputs("</h1>\n<p class=\"sub\">", fp);
	chart_span(c, title, sizeof(title));
	chart_escape(fp, title);
	if (full && caption != NULL && *caption != '\0') {
		fputs(": ", fp);
		chart_escape(fp, caption);
	} else
		fprintf(fp, ", %ld candle%s", c->candles, c->candles == 1 ?
		    "" : "s");
	fputs("</p>\n<div class=\"lg\">"
	    "<span><i class=\"sw\" style=\"background:#26a69a\"></i>rise</span>"
	    "<span><i class=\"sw\" style=\"background:#ef5350\"></i>fall</span>",
	    fp);
	if (hasghost)
		fputs("<span><i class=\"sw\" style=\"border:1px solid #7e57c2;"
		    "background:rgba(126,87,194,0.18)\"></i>ghost (predicted "
		    "candle)</span>", fp);
	if (c->nbar > 0 && c->fc.steps > 1)
		fputs("<span><i class=\"sw\" style=\"border:1px solid #512da8;"
		    "background:rgba(126,87,194,0.3)\"></i>ghost path</span>", fp);
	if (c->nbar > 0 && c->fc.npiv > 0)
		fputs("<span style=\"color:#8e24aa\">&#9679; predicted next "
		    "pivot</span>", fp);
	if (hassig)
		fputs("<span style=\"color:#1565c0\">&#9650; BUY</span>"
		    "<span style=\"color:#ef6c00\">&#9660; SELL</span>", fp);
	if (haspiv)
		fputs("<span style=\"color:#8e24aa\">&#9679; pivot high</span>"
		    "<span style=\"color:#00897b\">&#9679; pivot low</span>", fp);
	if (c->ntrade > 0)
		fputs("<span><i class=\"sw\" style=\"height:2px;background:"
		    "#2e7d32\"></i>winning trade</span><span><i class=\"sw\" "
		    "style=\"height:2px;background:#c62828\"></i>losing trade"
		    "</span>", fp);
	if (full)
		fputs("<span><i class=\"sw\" style=\"height:2px;background:"
		    "#1565c0\"></i>equity</span><span><i class=\"sw\" style=\""
		    "height:0;border-top:2px dashed #888\"></i>buy and hold"
		    "</span><span><i class=\"sw\" style=\"background:"
		    "rgba(239,83,80,0.35)\"></i>drawdown</span>", fp);
	fprintf(fp, "</div>\n<div id=\"zoom\">view: <button data-bars=\"0\">"
	    "all</button><button data-bars=\"1000\">last 1000 bars</button>"
	    "<button data-bars=\"300\">last 300</button><button "
	    "data-bars=\"100\">last 100</button> (drag to pan, wheel to "
	    "zoom; panes: candles, volume%s; one bar = %ld candle%s)</div>\n"
	    "<div id=\"wrap\"><div id=\"chart\"></div><div id=\"tip\"></div>"
	    "</div>\n<h2>Summary</h2>\n<div id=\"summary\"></div>\n",
	    full ? ", equity, drawdown" : "", c->width,
	    c->width == 1 ? "" : "s");
	fputs("<p class=\"notice\">Charts drawn with TradingView Lightweight "
	    "Charts&trade;, Copyright (c) TradingView, Inc., "
	    "https://www.tradingview.com/, licensed under the Apache License "
	    "2.0; its licence notice is kept at the top of the script below."
	    "</p>\n<script>\n", fp);
	fwrite(lib->js, 1, lib->len, fp);
	fputs("\n</script>\n<script type=\"application/json\" id=\"ck-data\">",
	    fp);
	if (data(fp, c, full) != 0)
		return -1;
	fputs("</script>\n<script type=\"application/json\" id=\"ck-summary\">",
	    fp);
	json_island(fp, summary, strlen(summary));
	fputs("</script>\n<script>\n", fp);
	for (i = 0; html_js[i] != NULL; i++)
		fputs(html_js[i], fp);
	fputs("</script>\n</body>\n</html>\n", fp);
	return ferror(fp) ? -1 : 0;
}

struct htmlargs {
	const struct chart	*c;
	const struct html_lib	*lib;
	const char		*summary, *caption;
};

static int
html_fn(FILE *fp, const void *arg)
{
	const struct htmlargs *a = arg;

	return html_write(a->c, fp, a->lib, a->summary, a->caption);
}

int
html_save(const struct chart *c, const char *path, const struct html_lib *lib,
    const char *summary, const char *caption, char *err, size_t errlen)
{
	struct htmlargs a = { c, lib, summary, caption };

	return chart_savefile(path, html_fn, &a, err, errlen);
}
