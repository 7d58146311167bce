/*
 * format.c - candle files as traders have them, onto the canonical
 * columns: the dialect (separator, decimal comma, title lines, the
 * three-line yfinance header, headerless dumps, JSON arrays), the column
 * names of the common platforms, dates and times in one or two columns,
 * naive times in a zone, number texts made plain.  Every guess can be
 * overridden by an option (struct feedopt); every header error shows the
 * header as read.
 */
#include <ctype.h>
#include <err.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ck.h"
#include "csvio.h"
#include "candle.h"
#include "cstream.h"
#include "timeparse.h"
#include "feed.h"

/* ---- column names ---- */

/*
 * Names for each canonical column, in order of preference (a name is
 * compared after dropping blanks, '<' '>' and case; "volume *" is any
 * name that starts "volume ").  Column 6 is the adjusted close, 7 the
 * date of a date + time pair, 8 its time of day.
 */
#define C_ADJ	6
#define C_DATE	7
#define C_CLOCK	8
static const char *const names[9][12] = {
	{ "time", "timestamp", "datetime", "date time", "open_time",
	    "open time", "opentime", "unix", "gmt time", "local time",
	    "date", NULL },
	{ "open", "o", "eröffnung", "eroeffnung", "erster", NULL },
	{ "high", "h", "hoch", NULL },
	{ "low", "l", "tief", NULL },
	{ "close", "c", "schluss", "schlusskurs", "last", "price", NULL },
	{ "volume", "v", "vol.", "tickvol", "tick volume", "tick_volume",
	    "vol", "volumen", "umsatz", "volume *", NULL },
	{ "adj close", "adj_close", "adjclose", "adjusted close", NULL },
	{ "date", "datum", "day", NULL },
	{ "time", "zeit", "uhrzeit", "hour", NULL },
};

/* Name s[0..len) made comparable: blanks around, a BOM, '<' '>' gone,
 * lower case (ASCII). */
static size_t
normname(char *out, size_t cap, const char *s, size_t len)
{
	size_t n = 0;

	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>') {
		s++;
		len -= 2;
	}
	for (; len > 0 && n + 1 < cap; s++, len--)
		out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
	return n;
}

/* Rank of name s for canonical column k (0 best), or -1. */
static int
namerank(const char *s, int k)
{
	int j;

	for (j = 0; names[k][j] != NULL; j++) {
		if (strcmp(names[k][j], "volume *") == 0) {
			if (strncmp(s, "volume ", 7) == 0)
				return j;
		} else if (strcmp(s, names[k][j]) == 0)
			return j;
	}
	return -1;
}

/* ---- the header as read, for messages ---- */

static const char *
sepname(int c)
{
	switch (c) {
	case '\t':	return "tab";
	case ';':	return "';'";
	case '|':	return "'|'";
	default:	return "','";
	}
}

static void
headerr(struct feedin *f, char *err, size_t errlen, const char *why,
    const char *hint)
{
	char q[900];

	snprintf(err, errlen, "%s:%ld: %s in the header %s (separator %s)%s%s",
	    csvin_name(f->in), f->hdrline, why,
	    quote_text(q, sizeof(q), f->hdr, f->hdrlen), sepname(f->sep),
	    hint != NULL ? "; " : "", hint != NULL ? hint : "");
	f->fatal = 1;
}

/* ---- JSON candles: [[time, open, high, low, close, volume], ...] ---- */

/*
 * A byte source that turns freqtrade's JSON array of arrays into one CSV
 * line per candle (so "line N" in a message is candle N).  Anything else
 * ends the source with bad set.
 */
static ssize_t
json_read(void *ctx, void *buf, size_t n)
{
	struct jsonsrc *j = ctx;
	unsigned char *o = buf, c;
	size_t k = 0;
	ssize_t r;

	while (k < n && !j->bad && !j->end) {
		if (j->pos == j->len) {
			r = csvin_read_text(j->in, j->buf, sizeof(j->buf),
			    j->err, sizeof(j->err));
			if (r < 0) {
				j->bad = 2;	/* the inner reader's error */
				break;
			}
			if (r == 0) {
				if (j->depth != 0 || !j->seen)
					j->bad = 1;
				j->end = 1;
				break;
			}
			j->pos = 0;
			j->len = (size_t)r;
		}
		c = j->buf[j->pos++];
		j->off++;
		if (j->quote) {
			o[k++] = c;
			if (c == '"')
				j->quote = 0;
			else if (c == '\n' || c == ',')
				j->bad = 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		switch (j->depth) {
		case 0:
			if (c != '[' || j->seen)
				j->bad = 1;
			j->depth = 1;
			j->seen = 1;
			break;
		case 1:
			if (c == '[')
				j->depth = 2;
			else if (c == ']')
				j->depth = 0;
			else if (c != ',')
				j->bad = 1;
			break;
		default:
			if (c == ']') {
				o[k++] = '\n';
				j->depth = 1;
			} else if (c == '[' || c == '{' || c == '}')
				j->bad = 1;
			else {
				if (c == '"')
					j->quote = 1;
				o[k++] = c;
			}
		}
	}
	return (ssize_t)k;
}

/* ---- detection ---- */

/* The separator of a header or row line: the candidate (tab, ';', '|',
 * then ',') seen outside quotes most often, at least 3 times; else ','. */
static int
guess_sep(const char *s, size_t len)
{
	static const char cand[4] = { '\t', ';', '|', ',' };
	int cnt[4] = { 0 }, best = 3, i, q = 0;
	const char *c;
	size_t k;

	for (k = 0; k < len; k++) {
		if (s[k] == '"')
			q = !q;
		else if (!q && (c = memchr(cand, s[k], 4)) != NULL)
			cnt[c - cand]++;
	}
	for (i = 0; i < 3; i++)
		if (cnt[i] >= 3 && cnt[i] >= cnt[best])
			best = i;
	if (best != 3 && cnt[3] > cnt[best] && cnt[best] < 4)
		best = 3;
	return cand[best];
}

/* A number as plain decimal text with optional sign, '.', exponent. */
static int
numeric(const char *s, size_t len)
{
	double x;

	return len > 0 && parse_double(s, len, &x) == 0;
}

/* All digits. */
static int
digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned)(s[i] - '0') > 9)
			return 0;
	return len > 0;
}

/* A headerless first record: the layout its field count and first field
 * say, or NULL. */
static const char *
headerless(struct feedin *f)
{
	const char *s, *s2;
	size_t len, len2, nf = csvin_nfields(f->in), i;
	cktime t;

	s = csvin_field(f->in, 0, &len);
	s2 = csvin_field(f->in, 1, &len2);
	if (nf == 7 && time_parse_date(s, len, &t) == 0 &&
	    time_parse_clock(s2, len2, &t) == 0) {
		for (i = 2; i < 7; i++) {
			s = csvin_field(f->in, i, &len);
			if (!numeric(s, len))
				return NULL;
		}
		f->twocols = 1;
		f->tcol = 1;
		return "MetaTrader 4 history (date, time, open, high, low, "
		    "close, volume)";
	}
	if (!digits(s, len))
		return NULL;
	for (i = 1; i < 6 && i < nf; i++) {
		s = csvin_field(f->in, i, &len);
		if (!numeric(s, len))
			return NULL;
	}
	switch (nf) {
	case 12:	return "Binance klines (time, open, high, low, close, "
			    "volume, ...)";
	case 7:		return "Kraken OHLCVT (time, open, high, low, close, "
			    "volume, trades)";
	case 6:		return "time, open, high, low, close, volume";
	default:	return NULL;
	}
}

/* Column index from an item of the column option: a name of the header,
 * or a position from 1; -1 when none. */
static int
findcol(struct feedin *f, const char *item, size_t len)
{
	char a[128], b[128];
	const char *s;
	size_t n, i, nf = csvin_nfields(f->in);
	long v;

	if (digits(item, len) && len < 6) {
		v = strtol(item, NULL, 10);
		return v >= 1 && (size_t)v <= nf ? (int)v - 1 : -1;
	}
	if (f->noheader)
		return -1;
	normname(a, sizeof(a), item, len);
	for (i = 0; i < nf && i < (size_t)f->nname; i++) {
		s = f->name[i];
		n = strlen(s);
		normname(b, sizeof(b), s, n);
		if (strcmp(a, b) == 0)
			return (int)i;
	}
	return -1;
}

/* The column option: time (or date+time), open, high, low, close[,
 * volume].  0, or CK_EDATA. */
static int
bycolumns(struct feedin *f, char *err, size_t errlen)
{
	const char *p = f->o->columns, *e, *plus;
	int k, want = f->o->novolume ? 5 : 6;
	char item[128], why[160];
	size_t len;

	for (k = 0; k < want; k++) {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len >= sizeof(item))
			len = sizeof(item) - 1;
		memcpy(item, p, len);
		item[len] = '\0';
		if (k == 0 && (plus = strchr(item, '+')) != NULL) {
			f->col[0] = findcol(f, item, plus - item);
			f->tcol = findcol(f, plus + 1, strlen(plus + 1));
			f->twocols = 1;
			if (f->tcol < 0)
				goto bad;
		} else
			f->col[k] = findcol(f, item, len);
		if (f->col[k] < 0)
			goto bad;
		if (e == NULL && k < want - 1) {
			snprintf(item, sizeof(item), "%d", k + 1);
			p = NULL;
			break;
		}
		p = e != NULL ? e + 1 : p + len;
	}
	if (p == NULL || (k == want && *p != '\0' && p[-1] == ',')) {
		snprintf(err, errlen, "%s: the column list needs %d names or "
		    "positions, time first", csvin_name(f->in), want);
		f->fatal = 1;
		return CK_EDATA;
	}
	return 0;
bad:
	snprintf(why, sizeof(why), "no column %s", item);
	headerr(f, err, errlen, why, NULL);
	return CK_EDATA;
}

/* Columns by header names.  0, or CK_EDATA. */
static int
bynames(struct feedin *f, char *err, size_t errlen)
{
	char nm[128], why[200], drop[512];
	const char *s, *pick = NULL;
	size_t len, nf = (size_t)f->nname, i, dl = 0;
	int k, r, rank[9], col[9], used;

	for (k = 0; k < 9; k++) {
		rank[k] = 99;
		col[k] = -1;
	}
	for (i = 0; i < nf; i++) {
		s = f->name[i];
		len = strlen(s);
		normname(nm, sizeof(nm), s, len);
		for (k = 0; k < 9; k++)
			if ((r = namerank(nm, k)) >= 0 && r < rank[k]) {
				rank[k] = r;
				col[k] = (int)i;
			}
		if (f->o->volume != NULL && findcol(f, f->o->volume,
		    strlen(f->o->volume)) == (int)i) {
			rank[5] = -1;
			col[5] = (int)i;
		}
	}
	if (f->o->volume != NULL && rank[5] != -1) {
		snprintf(why, sizeof(why), "no volume column %s",
		    f->o->volume);
		headerr(f, err, errlen, why, NULL);
		return CK_EDATA;
	}
	/* a date column and a time-of-day column: both make the time */
	if (col[C_DATE] >= 0 && col[C_CLOCK] >= 0 &&
	    col[C_DATE] != col[C_CLOCK]) {
		f->col[0] = col[C_DATE];
		f->tcol = col[C_CLOCK];
		f->twocols = 1;
	} else {
		f->col[0] = col[0] >= 0 ? col[0] : col[C_DATE];
		f->datecol = f->col[0] >= 0 && f->col[0] == col[C_DATE];
	}
	/* "Price" is the close only where there is no Close */
	f->col[4] = col[4];
	for (k = 1; k < 6; k++)
		f->col[k] = col[k];
	if (f->o->closeadj) {
		if (col[C_ADJ] < 0) {
			headerr(f, err, errlen, "no adjusted close column",
			    NULL);
			return CK_EDATA;
		}
		f->adjcol = col[C_ADJ];
	}
	if (f->o->novolume)
		f->col[5] = -1;
	for (k = 0; k < 6; k++) {
		if (f->col[k] >= 0 || (k == 5 && f->o->novolume))
			continue;
		snprintf(why, sizeof(why), "no %s column", k == 0 ? "time" :
		    candle_colname(k));
		headerr(f, err, errlen, why, k == 5 ? "--no-volume reads it "
		    "with volume 0" : nf < 5 ? "is the separator right? "
		    "--sep names it" : "--columns names the columns");
		return CK_EDATA;
	}
	/* two columns with the same role would change nothing silently,
	 * but a time component left over would: refuse it */
	for (i = 0; i < nf; i++) {
		used = 0;
		for (k = 0; k < 6; k++)
			used |= f->col[k] == (int)i;
		used |= f->twocols && f->tcol == (int)i;
		used |= f->adjcol == (int)i;
		if (used)
			continue;
		s = f->name[i];
		len = strlen(s);
		normname(nm, sizeof(nm), s, len);
		if (namerank(nm, C_CLOCK) >= 0 && !f->o->columns) {
			snprintf(why, sizeof(why), "time-of-day column '%s' "
			    "not paired with a date", nm);
			headerr(f, err, errlen, why, "--columns date+time "
			    "names the pair");
			return CK_EDATA;
		}
		if (dl + len + 4 < sizeof(drop)) {
			dl += snprintf(drop + dl, sizeof(drop) - dl, "%s%.*s",
			    dl > 0 ? ", " : "", (int)len, s);
			pick = drop;
		}
	}
	if (pick != NULL)
		feed_note(f, "columns dropped: %s", drop);
	return 0;
}

void
feedin_free(struct feedin *f)
{
	free(f->name);
	free(f->namebuf);
	f->name = NULL;
	f->namebuf = NULL;
	if (f->json != NULL) {
		csvin_free(f->in);
		f->in = f->json->in;
		free(f->json);
		f->json = NULL;
	}
}

/* The JSON reader over in: 0, or CK_ERR. */
static int
json_open(struct feedin *f, char *err, size_t errlen)
{
	struct csvin *w;

	if ((f->json = calloc(1, sizeof(*f->json))) == NULL) {
		snprintf(err, errlen, "%s: %s", csvin_name(f->in),
		    strerror(ENOMEM));
		return CK_ERR;
	}
	f->json->in = f->in;
	if ((w = csvin_new(csvin_name(f->in), json_read, f->json, err,
	    errlen)) == NULL) {
		free(f->json);
		f->json = NULL;
		return CK_ERR;
	}
	f->in = w;
	return 0;
}

/* An empty line (csvin skips such lines; one of blanks is a record). */
static int
blank(const char *s, size_t len)
{
	return len == 0 || (len == 1 && s[0] == '\r');
}

/* Keep the header record's names (they outlive the record).  0, -1. */
static int
keepnames(struct feedin *f)
{
	size_t nf = csvin_nfields(f->in), i, len, tot = 0;
	const char *s;

	for (i = 0; i < nf; i++) {
		csvin_field(f->in, i, &len);
		tot += len + 1;
	}
	if ((f->name = calloc(nf + 1, sizeof(*f->name))) == NULL ||
	    (f->namebuf = malloc(tot + 1)) == NULL)
		return -1;
	for (i = 0, tot = 0; i < nf; i++) {
		s = csvin_field(f->in, i, &len);
		memcpy(f->namebuf + tot, s, len + 1);
		f->name[i] = f->namebuf + tot;
		tot += len + 1;
	}
	f->nname = (int)nf;
	return 0;
}

/* Line s[0..len) starts with word (any case) then the separator. */
static int
starts(const char *s, size_t len, const char *word, int sep)
{
	size_t n = strlen(word);

	return len > n && strncasecmp(s, word, n) == 0 && s[n] == sep;
}

int
feedin_start(struct feedin *f, struct csvin *in, const struct feedopt *o,
    char *err, size_t errlen)
{
	const char *line, *l2, *lay = NULL;
	size_t len, len2, skip = 0;
	int r, k, i, extra = 0, first, titles;

	memset(f, 0, sizeof(*f));
	f->in = in;
	f->o = o;
	f->tcol = -1;
	f->adjcol = -1;
	f->prevt = CKTIME_NONE;
	f->fatal = 1;
	for (k = 0; k < 6; k++)
		f->col[k] = -1;
	/* the first line that is not blank, a title or a URL (or else the
	 * first that is not blank) */
	for (k = 0, first = -1; (r = csvin_peekline(in, k, &line, &len, err,
	    errlen)) == 1 && k < 4; k++) {
		for (skip = 0; skip < len && isspace((unsigned char)line[skip]);
		    skip++)
			;
		if (skip == len)
			continue;
		if (first < 0)
			first = k;
		if (line[skip] == '[' && o->sep == 0)
			break;
		f->sep = o->sep != 0 ? o->sep : guess_sep(line, len);
		if (memchr(line, f->sep, len) != NULL)
			break;
	}
	if (r < 0)
		return r;
	if (first < 0) {
		snprintf(err, errlen, "%s:1: no header", csvin_name(in));
		return CK_EDATA;
	}
	if (r == 0 || k == 4) {
		k = first;
		if (csvin_peekline(in, k, &line, &len, err, errlen) != 1)
			return CK_ERR;
		for (skip = 0; isspace((unsigned char)line[skip]); skip++)
			;
		f->sep = o->sep != 0 ? o->sep : guess_sep(line, len);
	}
	/* the records before line k: its lines that are not blank */
	for (titles = 0, i = 0; i < k; i++)
		if (csvin_peekline(in, i, &l2, &len2, err, errlen) == 1 &&
		    !blank(l2, len2))
			titles++;
	f->hdr = f->hdrbuf;
	f->hdrlen = len > sizeof(f->hdrbuf) ? sizeof(f->hdrbuf) : len;
	memcpy(f->hdrbuf, line, f->hdrlen);
	if (line[skip] == '[' && o->sep == 0) {
		if ((r = json_open(f, err, errlen)) != 0)
			return r;
		f->sep = ',';
		lay = "JSON candles";
		titles = 0;
	} else if (starts(line, len, "price", f->sep) &&
	    csvin_peekline(in, k + 1, &l2, &len2, err, errlen) == 1 &&
	    starts(l2, len2, "ticker", f->sep) &&
	    csvin_peekline(in, k + 2, &l2, &len2, err, errlen) == 1 &&
	    (starts(l2, len2, "date", f->sep) ||
	    starts(l2, len2, "datetime", f->sep)))
		extra = 2;	/* yfinance: names, tickers, the time's name */
	csvin_setsep(f->in, f->sep);
	while (titles-- > 0)	/* title lines */
		if ((r = csvin_next(f->in, err, errlen)) <= 0)
			goto eof;
	if ((r = csvin_next(f->in, err, errlen)) <= 0)
		goto eof;
	f->hdrline = csvin_line(f->in);
	if (lay == NULL)
		lay = headerless(f);
	if (lay == NULL && o->noheader)
		lay = "time, open, high, low, close, volume";
	if (lay != NULL) {
		f->noheader = 1;
		f->pending = 1;
		f->ncol = (int)csvin_nfields(f->in);
		if (o->columns != NULL)
			r = bycolumns(f, err, errlen);
		else if (f->ncol < 6 && !(f->ncol >= 5 && o->novolume)) {
			headerr(f, err, errlen, "no header, and too few "
			    "columns for a headerless layout",
			    "--columns names the columns");
			return CK_EDATA;
		} else {
			for (k = 0; k < 6; k++)
				f->col[k] = k + (f->twocols && k > 0);
			if (o->novolume)
				f->col[5] = -1;
			feed_note(f, "no header: read as %s", lay);
		}
		f->fatal = r != 0;
		return r == 1 ? 0 : r;
	}
	if (keepnames(f) != 0) {
		snprintf(err, errlen, "%s: %s", csvin_name(f->in),
		    strerror(ENOMEM));
		return CK_ERR;
	}
	if (extra > 0) {
		while (extra-- > 0)
			if ((r = csvin_next(f->in, err, errlen)) <= 0)
				goto eof;
		f->hdrline = csvin_line(f->in);
		f->name[0] = "datetime";
	}
	f->ncol = f->nname;
	r = o->columns != NULL ? bycolumns(f, err, errlen) :
	    bynames(f, err, errlen);
	if (r != 0)
		return r;
	f->fatal = 0;
	return 0;
eof:
	if (r == 0) {
		snprintf(err, errlen, "%s:1: no header", csvin_name(f->in));
		r = CK_EDATA;
	}
	return r;
}

/* ---- rows ---- */

/*
 * Number text s[0..len) as plain decimal text in out (cap bytes) when it
 * is not already: thousands separators and the decimal comma (dec) made
 * plain, a K/M/B suffix (volume) applied by moving the point.  Returns the
 * text to use (s itself, or out) and its length in *olen; NULL with the
 * reason in why.
 */
static const char *
plainnum(struct feedin *f, int k, const char *s, size_t len, char *out,
    size_t cap, size_t *olen, char *why, size_t n)
{
	char q[64], *p;
	const char *dp = NULL;
	size_t i, o = 0, grp = 0, intd = 0, pt;
	int shift = 0, seenth = 0, th = f->dec == ',' ? '.' : ',';

	*olen = len;
	if (f->dec == '.' && memchr(s, ',', len) == NULL && !(k == 5 &&
	    len > 1 && strchr("KkMmBb", s[len - 1]) != NULL &&
	    (unsigned)(s[len - 2] - '0') <= 9))
		return s;	/* plain already, or not a number at all */
	if (len > 0 && k == 5 && len < cap - 12) {
		switch (s[len - 1]) {
		case 'K': case 'k':	shift = 3; len--; break;
		case 'M': case 'm':	shift = 6; len--; break;
		case 'B': case 'b':	shift = 9; len--; break;
		}
	}
	if (len == 0 || len + 12 > cap)
		goto bad;
	for (i = 0; i < len; i++) {
		if (s[i] == th) {
			/* groups of three digits after one to three */
			if (dp != NULL || (seenth ? grp != 3 : intd == 0 ||
			    intd > 3))
				goto bad;
			seenth = 1;
			grp = 0;
			continue;
		}
		if (s[i] == f->dec) {
			if (dp != NULL || (seenth && grp != 3))
				goto bad;
			dp = s + i;
			out[o++] = '.';
			continue;
		}
		if ((unsigned)(s[i] - '0') <= 9) {
			if (dp == NULL) {
				intd++;
				grp++;
			}
		} else if (!(i == 0 && (s[i] == '-' || s[i] == '+')))
			goto bad;
		out[o++] = s[i];
	}
	if (seenth && dp == NULL && grp != 3)
		goto bad;
	out[o] = '\0';
	if (shift > 0) {
		/* move the point shift places right */
		if ((p = memchr(out, '.', o)) == NULL) {
			p = out + o;
			*p = '.';
			o++;
		}
		pt = (size_t)(p - out);
		while (o - pt - 1 < (size_t)shift)
			out[o++] = '0';
		memmove(p, p + 1, shift);
		p[shift] = '.';
		if (o == pt + shift + 1)
			o--;		/* no fraction left */
	}
	*olen = o;
	return out;
bad:
	snprintf(why, n, "%s %s is not a number with decimal %s",
	    candle_colname(k), quote_text(q, sizeof(q), s, *olen),
	    f->dec == ',' ? "comma (--decimal , was given or detected)" :
	    "point (--decimal , reads a decimal comma)");
	return NULL;
}

/* The decimal mark from the first row: ',' when a price field has a
 * comma after any point, or a comma not followed by exactly three digits;
 * '.' when it has neither; 0 when a comma is ambiguous (1,234). */
static int
guess_decimal(struct feedin *f)
{
	const char *s, *c, *d;
	size_t len;
	int k, amb = 0;

	for (k = 1; k < 5; k++) {
		s = csvin_field(f->in, f->col[k], &len);
		if ((c = memrchr(s, ',', len)) == NULL)
			continue;
		d = memchr(s, '.', len);
		if (d != NULL)
			return d < c ? ',' : '.';
		if (s + len - c - 1 != 3 || memchr(s, ',', c - s) != NULL)
			return ',';
		amb = 1;
	}
	return amb ? (f->sep == ',' ? 0 : ',') : '.';
}

/* The hint for a date with '/' or '.' whose order is not known. */
static int
dayfirst_or_monthfirst(const char *s, size_t len)
{
	return len >= 8 && len <= 19 && (unsigned)(s[0] - '0') <= 9 &&
	    (s[1] == '/' || s[2] == '/' || s[1] == '.' || s[2] == '.');
}

/* Text through the time format option (strptime): the UTC value of its
 * civil fields, as if naive.  0 or -1 / TIME_ERANGE. */
static int
byformat(const char *fmt, const char *s, size_t len, cktime *t, int *naive)
{
	char b[128];
	const char *e;
	struct tm tm;

	if (len >= sizeof(b))
		return -1;
	memcpy(b, s, len);
	b[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	if ((e = strptime(b, fmt, &tm)) == NULL || *e != '\0')
		return -1;
	*naive = 1;
	return time_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, 0, t);
}

/*
 * A naive time (civil fields read as UTC in *t) in the TZ zone: the UTC
 * time.  In the hour repeated when clocks go back, the first of the two
 * unless it is not after prev.  0, or -1 when the time does not exist.
 */
static int
fromzone(cktime *t, cktime prev)
{
	struct tm tm, c, back;
	int y, mo, d, h, mi, sec, i, n = 0;
	int64_t ns;
	time_t cand[2], u;

	time_civil(*t, &y, &mo, &d, &h, &mi, &sec, &ns);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	for (i = 0; i < 2; i++) {
		c = tm;
		c.tm_isdst = i;
		if ((u = mktime(&c)) == (time_t)-1 ||
		    localtime_r(&u, &back) == NULL)
			continue;
		if (back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
		    back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour ||
		    back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec)
			continue;
		if (n == 0 || cand[0] != u)
			cand[n++] = u;
	}
	if (n == 0)
		return -1;
	if (n == 2 && cand[1] < cand[0]) {
		u = cand[0];
		cand[0] = cand[1];
		cand[1] = u;
	}
	u = cand[0];
	if (n == 2 && prev != CKTIME_NONE &&
	    (cktime)cand[0] * CK_SEC + ns <= prev)
		u = cand[1];
	*t = (cktime)u * CK_SEC + ns;
	return time_in_range(*t) ? 0 : TIME_ERANGE;
}

/* The row's time into row->c.t and its text: 0, or -1 with why. */
static int
rowtime(struct feedin *f, struct feedrow *row, char *why, size_t n)
{
	char q[64], q2[64], b[96];
	const char *s, *s2 = NULL;
	size_t len, len2 = 0;
	cktime clock;
	int r, naive = 0;

	s = csvin_field(f->in, f->col[0], &len);
	if (f->twocols) {
		s2 = csvin_field(f->in, f->tcol, &len2);
		if (f->o->timefmt != NULL) {
			if (len + len2 + 2 > sizeof(b))
				r = -1;
			else {
				memcpy(b, s, len);
				b[len] = ' ';
				memcpy(b + len + 1, s2, len2);
				r = byformat(f->o->timefmt, b, len + len2 + 1,
				    &row->c.t, &naive);
			}
		} else if ((r = time_parse_date(s, len, &row->c.t)) == 0) {
			if (time_parse_clock(s2, len2, &clock) != 0)
				r = -1;
			else {
				row->c.t += clock;
				naive = 1;
				if (!time_in_range(row->c.t))
					r = TIME_ERANGE;
			}
		}
	} else if (f->o->timefmt != NULL)
		r = byformat(f->o->timefmt, s, len, &row->c.t, &naive);
	else if (f->datecol && len == 8 && digits(s, len)) {
		r = time_parse_date(s, len, &row->c.t);
		naive = 1;
	} else if (!f->o->tz && time_parse_iso(s, len, &row->c.t) == 0) {
		row->txt[0] = s;
		row->len[0] = len;
		return 0;
	} else
		r = time_parse_naive(s, len, f->o->unit, &row->c.t, &naive);
	if (r == 0 && naive && f->o->tz && (r = fromzone(&row->c.t,
	    f->prevt)) == -1) {
		snprintf(why, n, "time %s%s%s does not exist in the zone "
		    "(clocks went forward)", quote_text(q, sizeof(q), s, len),
		    s2 != NULL ? " " : "", s2 != NULL ?
		    quote_text(q2, sizeof(q2), s2, len2) : "");
		return -1;
	}
	if (r != 0) {
		if (s2 != NULL) {
			snprintf(why, n, "bad date and time %s %s",
			    quote_text(q, sizeof(q), s, len),
			    quote_text(q2, sizeof(q2), s2, len2));
			if (r == TIME_ERANGE)
				snprintf(why, n, "time %s %s outside %s",
				    quote_text(q, sizeof(q), s, len),
				    quote_text(q2, sizeof(q2), s2, len2),
				    TIME_RANGE_TEXT);
		} else if (r != TIME_ERANGE && f->o->timefmt == NULL &&
		    dayfirst_or_monthfirst(s, len))
			snprintf(why, n, "date %s: day and month order unknown; "
			    "--time-format '%%m/%%d/%%Y' (or '%%d.%%m.%%Y', ...) "
			    "says it", quote_text(q, sizeof(q), s, len));
		else
			candle_bad_time(s, len, r, why, n);
		return -1;
	}
	row->txt[0] = f->tbuf;
	row->len[0] = time_format(f->tbuf, row->c.t);
	return 0;
}

/* Close, open, high and low scaled by the adjusted close's ratio. */
static int
adjust(struct feedin *f, struct feedrow *row, char *why, size_t n)
{
	const char *s;
	size_t len;
	double adj, ratio;
	int k;

	s = csvin_field(f->in, f->adjcol, &len);
	if ((s = plainnum(f, 4, s, len, f->nbuf[0], sizeof(f->nbuf[0]), &len,
	    why, n)) == NULL || candle_parse_num(s, len, 4, &adj, why, n) != 0)
		return -1;
	ratio = adj / row->c.close;
	for (k = 1; k <= 4; k++) {
		*candle_val(&row->c, k) = k == 4 ? adj :
		    *candle_val(&row->c, k) * ratio;
		row->txt[k] = f->nbuf[k];
		row->len[k] = fmt_double(f->nbuf[k], *candle_val(&row->c, k));
	}
	return 0;
}

int
feedin_next(struct feedin *f, struct feedrow *row, char *err, size_t errlen)
{
	char why[256], q[64];
	const char *s;
	size_t len, nf;
	int k, r;

	f->fatal = 0;
	if (f->pending)
		f->pending = 0;
	else if ((r = csvin_next(f->in, err, errlen)) <= 0) {
		f->fatal = 1;
		if (r == 0 && f->json != NULL && f->json->bad) {
			if (f->json->bad == 2) {
				snprintf(err, errlen, "%s", f->json->err);
				return CK_ERR;
			}
			snprintf(err, errlen, "%s: not JSON candles (an array "
			    "of [time, open, high, low, close, volume] "
			    "arrays) at byte %lld", csvin_name(f->in),
			    (long long)f->json->off);
			return CK_EDATA;
		}
		return r;
	}
	nf = csvin_nfields(f->in);
	row->line = csvin_line(f->in);
	if (nf != (size_t)f->ncol) {
		snprintf(why, sizeof(why), "%zu fields, %s %d", nf,
		    f->noheader ? "the first row has" : "the header has",
		    f->ncol);
		goto bad;
	}
	if (rowtime(f, row, why, sizeof(why)) != 0)
		goto bad;
	if (f->dec == 0 && (f->dec = f->o->decimal) == 0 &&
	    (f->dec = guess_decimal(f)) == 0) {
		s = csvin_field(f->in, f->col[4], &len);
		snprintf(why, sizeof(why), "is ',' a decimal comma or a "
		    "thousands separator in %s? --decimal , or --decimal . "
		    "says it", quote_text(q, sizeof(q), s, len));
		f->fatal = 1;
		goto bad;
	}
	for (k = 1; k < 6; k++) {
		if (f->col[k] < 0) {
			row->c.volume = 0;
			row->txt[5] = "0";
			row->len[5] = 1;
			continue;
		}
		s = csvin_field(f->in, f->col[k], &len);
		if (f->dec == '.' && len > 0 &&
		    parse_double(s, len, candle_val(&row->c, k)) == 0) {
			row->txt[k] = s;	/* the common case */
			row->len[k] = len;
			continue;
		}
		if ((len == 4 && strncasecmp(s, "null", 4) == 0) ||
		    (len == 1 && s[0] == '-')) {
			snprintf(why, sizeof(why), "missing %s (%s)",
			    candle_colname(k), quote_text(q, sizeof(q), s, len));
			goto bad;
		}
		if (len > 0 && (s = plainnum(f, k, s, len, f->nbuf[k],
		    sizeof(f->nbuf[k]), &len, why, sizeof(why))) == NULL)
			goto bad;
		if (candle_parse_num(s, len, k, candle_val(&row->c, k), why,
		    sizeof(why)) != 0)
			goto bad;
		row->txt[k] = s;
		row->len[k] = len;
	}
	if (f->adjcol >= 0 && adjust(f, row, why, sizeof(why)) != 0)
		goto bad;
	if (candle_check(&row->c, why, sizeof(why)) != 0)
		goto bad;
	f->prevt = row->c.t;
	return 1;
bad:
	snprintf(err, errlen, "%s:%ld: %s", csvin_name(f->in),
	    csvin_line(f->in), why);
	return CK_EDATA;
}

void
feed_note(const struct feedin *f, const char *fmt, ...)
{
	static char last[8][256];
	static int next;
	char b[1024];
	va_list ap;
	int n, i;

	n = snprintf(b, sizeof(b), "%s: ", csvin_name(f->in));
	va_start(ap, fmt);
	vsnprintf(b + n, sizeof(b) - n, fmt, ap);
	va_end(ap);
	for (i = 0; i < 8; i++)
		if (strncmp(b + n, last[i], sizeof(last[i]) - 1) == 0)
			return;
	snprintf(last[next], sizeof(last[next]), "%s", b + n);
	next = (next + 1) % 8;
	warnx("%s", b);
}
