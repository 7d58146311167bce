/*
 * btfcast.c - the next-pivot and multi-step ghost columns, read and
 * scored (see btfcast.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "csvio.h"
#include "cstream.h"
#include "pivscore.h"
#include "ghostscore.h"
#include "btfcast.h"

_Static_assert(CHART_MAXSTEPS >= GHOSTSCORE_MAXSTEPS, "chart path too short");
_Static_assert(CHART_MAXPIV >= PIVOTS_MAXLEVEL, "chart pivots too few");

static int
col(const struct cstream *cs, const char *prefix, const char *name)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s%s", prefix, name);
	return cstream_col(cs, buf);
}

/* The pivot groups: every <prefix>pivot_L<n>_type, in column order. */
static int
findpiv(const struct cstream *cs, const char *prefix, struct btr_fcols *c,
    char *err, size_t errlen)
{
	static const char *const part[] = { "price", "in" };
	size_t pl = strlen(prefix);
	char name[64];
	int i, j, q, lv, end, *cols[2];

	c->npiv = 0;
	for (i = 0; i < cs->ncol; i++) {
		end = 0;
		if (strncmp(cs->name[i], prefix, pl) != 0 ||
		    sscanf(cs->name[i] + pl, "pivot_L%d_type%n", &lv,
		    &end) != 1 || end == 0 || cs->name[i][pl + end] != '\0')
			continue;
		if (lv < 1 || lv > PIVOTS_MAXLEVEL) {
			snprintf(err, errlen, "%s: level not in 1..%d",
			    cs->name[i], PIVOTS_MAXLEVEL);
			return CK_EDATA;
		}
		for (j = 0; j < c->npiv; j++)
			if (c->level[j] == lv) {
				snprintf(err, errlen, "%s: twice", cs->name[i]);
				return CK_EDATA;
			}
		j = c->npiv++;
		c->level[j] = lv;
		c->type[j] = i;
		snprintf(name, sizeof(name), "pivot_L%d_p", lv);
		c->p[j] = col(cs, prefix, name);
		cols[0] = &c->price[j];
		cols[1] = &c->in[j];
		for (q = 0; q < 2; q++) {
			snprintf(name, sizeof(name), "pivot_L%d_%s", lv, part[q]);
			if ((*cols[q] = col(cs, prefix, name)) < 0) {
				snprintf(err, errlen, "%s without %s%s",
				    cs->name[i], prefix, name);
				return CK_EDATA;
			}
		}
	}
	return CK_OK;
}

/* The ghost steps: next_* then next2_* .. as long as all four exist. */
static void
findghost(const struct cstream *cs, const char *prefix, struct btr_fcols *c)
{
	static const char *const f[4] = { "open", "high", "low", "close" };
	char name[64];
	int i, q, ok;

	c->steps = 0;
	for (i = 1; i <= GHOSTSCORE_MAXSTEPS; i++) {
		for (q = 0, ok = 1; q < 4; q++) {
			if (i == 1)
				snprintf(name, sizeof(name), "next_%s", f[q]);
			else
				snprintf(name, sizeof(name), "next%d_%s", i, f[q]);
			if ((c->ghost[i - 1][q] = col(cs, prefix, name)) < 0)
				ok = 0;
		}
		if (!ok)
			break;
		c->steps = i;
	}
	if (c->steps < 2)
		c->steps = 0;
}

int
btr_fcast_init(struct btr_fcast *f, const struct cstream *cs,
    const char *prefix, int k, long maxpend, char *err, size_t errlen)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->k = k;
	f->maxpend = maxpend;
	if ((r = findpiv(cs, prefix, &f->cols, err, errlen)) != CK_OK)
		return r;
	findghost(cs, prefix, &f->cols);
	if (f->cols.npiv > 0 && pivscore_init(&f->ps, k, f->cols.level,
	    f->cols.npiv, maxpend, err, errlen) != CK_OK)
		return CK_ERR;
	if (f->cols.steps > 0 &&
	    ghostscore_init(&f->gs, f->cols.steps, err, errlen) != CK_OK) {
		btr_fcast_free(f);
		return CK_ERR;
	}
	return f->cols.npiv > 0 || f->cols.steps > 0;
}

void
btr_fcast_free(struct btr_fcast *f)
{
	if (f->cols.npiv > 0)
		pivscore_free(&f->ps);
	if (f->cols.steps > 0)
		ghostscore_free(&f->gs);
	f->cols.npiv = f->cols.steps = 0;
}

/* A number column: 1 and *x, 0 when empty, CK_EDATA when not a number. */
static int
num(const struct cstream *cs, int c, double *x, char *err, size_t errlen)
{
	char q[64];
	const char *s;
	size_t len;

	s = cstream_field(cs, c, &len);
	if (len == 0)
		return 0;
	if (parse_double(s, len, x) != 0) {
		snprintf(err, errlen, "bad %s %s", cs->name[c],
		    quote_text(q, sizeof(q), s, len));
		return CK_EDATA;
	}
	return 1;
}

static int
bad(const struct cstream *cs, int c, const char *why, char *err,
    size_t errlen)
{
	char q[64];
	const char *s;
	size_t len;

	s = cstream_field(cs, c, &len);
	snprintf(err, errlen, "%s %s: %s", cs->name[c],
	    quote_text(q, sizeof(q), s, len), why);
	return CK_EDATA;
}

/* Level j's forecast of this row into p (type 0: none). */
static int
readpiv(const struct btr_fcols *c, int j, const struct cstream *cs,
    struct pivscore_pred *p, char *err, size_t errlen)
{
	const char *s;
	size_t len;
	double x;
	int kp, ki;

	memset(p, 0, sizeof(*p));
	s = cstream_field(cs, c->type[j], &len);
	if (len == 1 && (*s == 'H' || *s == 'L'))
		p->type = *s == 'H' ? 1 : -1;
	else if (len != 0)
		return bad(cs, c->type[j], "not H, L or empty", err, errlen);
	if ((kp = num(cs, c->price[j], &p->price, err, errlen)) < 0 ||
	    (ki = num(cs, c->in[j], &p->in, err, errlen)) < 0)
		return CK_EDATA;
	if (p->type == 0 && (kp || ki))
		return bad(cs, kp ? c->price[j] : c->in[j], "a forecast "
		    "without its type", err, errlen);
	if (p->type != 0 && (!kp || !ki))
		return bad(cs, c->type[j], kp ? "without its distance" :
		    "without its price", err, errlen);
	if (kp && !(p->price > 0))
		return bad(cs, c->price[j], "not positive", err, errlen);
	if (c->p[j] >= 0) {
		if ((kp = num(cs, c->p[j], &x, err, errlen)) < 0)
			return CK_EDATA;
		if (kp && !(x >= 0 && x <= 1))
			return bad(cs, c->p[j], "not in [0, 1]", err, errlen);
	}
	return CK_OK;
}

int
btr_fcast_push(struct btr_fcast *f, const struct cstream *cs,
    const struct candle *cd, char *err, size_t errlen)
{
	struct pivscore_pred pred[PIVOTS_MAXLEVEL];
	double close[GHOSTSCORE_MAXSTEPS], g[4];
	const struct btr_fcols *c = &f->cols;
	int j, q, k, all;

	f->last.npiv = 0;
	for (j = 0; j < c->npiv; j++) {
		if (readpiv(c, j, cs, &pred[j], err, errlen) != CK_OK)
			return CK_EDATA;
		if (pred[j].type == 0)
			continue;
		k = f->last.npiv++;
		f->last.level[k] = c->level[j];
		f->last.type[k] = pred[j].type;
		f->last.price[k] = pred[j].price;
		f->last.in[k] = pred[j].in;
	}
	if (c->npiv > 0 && pivscore_push(&f->ps, cd, pred, err, errlen) != 0)
		return CK_ERR;
	if (c->steps == 0)
		return CK_OK;
	/* the path: the steps with all four prices, from step 1 on */
	f->last.steps = 0;
	for (j = 0, all = 1; j < c->steps; j++) {
		for (q = 0; q < 4; q++) {
			g[q] = NAN;
			if (num(cs, c->ghost[j][q], &g[q], err, errlen) < 0)
				return CK_EDATA;
		}
		close[j] = g[3];
		if (!isnan(g[0]) && !isnan(g[1]) && !isnan(g[2]) &&
		    !isnan(g[3]) && all) {
			memcpy(f->last.path[j], g, sizeof(g));
			f->last.steps = j + 1;
		} else
			all = 0;
	}
	ghostscore_push(&f->gs, cd->close, close);
	return CK_OK;
}

/* " a/b" with a and b as fmt (a number), n/a when undefined. */
static void
pair(FILE *fp, const char *fmt, double a, double b, const char *unit)
{
	char x[2][32];

	snprintf(x[0], sizeof(x[0]), fmt, a);
	snprintf(x[1], sizeof(x[1]), fmt, b);
	fprintf(fp, " %s/%s%s", isfinite(a) ? x[0] : "n/a",
	    isfinite(b) ? x[1] : "n/a", unit);
}

void
btr_fcast_status(FILE *fp, const struct btr_fcast *f)
{
	struct pivscore_summary s;
	struct ghostscore_step g;
	int j, i;

	for (j = 0; j < f->cols.npiv; j++) {
		pivscore_summary(&f->ps, j, &s);
		fprintf(fp, " L%d type", s.level);
		pair(fp, "%.1f", s.type_pct, s.naive_type_pct, "%");
		fputs(" price", fp);
		pair(fp, "%.3g", s.price_pct, s.naive_price_pct, "%");
		fputs(" in", fp);
		pair(fp, "%.3g", s.dist, s.naive_dist, "");
		fprintf(fp, " n %ld pending %ld", s.scored, s.pending);
	}
	for (i = 1; i <= f->cols.steps; i++) {
		if (i != 1 && i != f->cols.steps)
			continue;
		ghostscore_summary(&f->gs, i, &g);
		fprintf(fp, " ghost%d", i);
		pair(fp, "%.3g", g.mape_pct, g.naive_pct, "%");
		fprintf(fp, " n %ld", g.scored);
	}
}
