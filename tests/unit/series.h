/*
 * series.h - test series for tests/unit/pivots.c and labels.c: the bundled
 * real data (read with zlib directly, so the tests need no stream reader)
 * and seeded random walks on a coarse tick, so that equal highs and lows
 * (flat tops, equal lows) are frequent.
 */
#ifndef SERIES_H
#define SERIES_H

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct series {
	long	 n;
	double	*h, *l, *c;
};

static void
series_free(struct series *s)
{
	free(s->h);
	free(s->l);
	free(s->c);
	memset(s, 0, sizeof(*s));
}

static int
series_alloc(struct series *s, long n)
{
	s->n = n;
	s->h = calloc(n ? n : 1, sizeof(double));
	s->l = calloc(n ? n : 1, sizeof(double));
	s->c = calloc(n ? n : 1, sizeof(double));
	return s->h && s->l && s->c ? 0 : -1;
}

/* time,open,high,low,close,volume rows after a header: 0 or -1. */
static int
series_load(struct series *s, const char *path)
{
	char line[256], *p, *e;
	double v[5];
	long cap = 1024;
	int i;
	gzFile f;

	if ((f = gzopen(path, "rb")) == NULL)
		return -1;
	if (series_alloc(s, cap) == -1 || gzgets(f, line, sizeof(line)) == NULL)
		goto bad;
	s->n = 0;
	while (gzgets(f, line, sizeof(line)) != NULL) {
		if ((p = strchr(line, ',')) == NULL)
			goto bad;
		for (i = 0; i < 5; i++) {
			v[i] = strtod(p + 1, &e);
			if (e == p + 1 || (*e != ',' && *e != '\n' && *e != '\0'))
				goto bad;
			p = e;
		}
		if (s->n == cap) {
			cap *= 2;
			if ((s->h = realloc(s->h, cap * sizeof(double))) == NULL ||
			    (s->l = realloc(s->l, cap * sizeof(double))) == NULL ||
			    (s->c = realloc(s->c, cap * sizeof(double))) == NULL)
				goto bad;
		}
		s->h[s->n] = v[1];
		s->l[s->n] = v[2];
		s->c[s->n] = v[3];
		s->n++;
	}
	gzclose(f);
	return 0;
bad:
	gzclose(f);
	series_free(s);
	return -1;
}

static unsigned long series_state = 88172645463325252UL;

static double
series_rand(void)	/* xorshift64, uniform in [0, 1) */
{
	series_state ^= series_state << 13;
	series_state ^= series_state >> 7;
	series_state ^= series_state << 17;
	return (series_state >> 11) * (1.0 / 9007199254740992.0);
}

/* A random walk of n candles on a tick of 1 around 100 (many ties). */
static int
series_random(struct series *s, long n)
{
	double c = 100, o;
	long i;

	if (series_alloc(s, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		o = c;
		c = o + (double)((int)(series_rand() * 5) - 2);
		if (c < 10)
			c = 10;
		s->h[i] = (o > c ? o : c) + (int)(series_rand() * 3);
		s->l[i] = (o < c ? o : c) - (int)(series_rand() * 3);
		s->c[i] = c;
	}
	return 0;
}

/* Independent highs and lows on a tick of 1 (outside bars at every level). */
static int
series_noise(struct series *s, long n)
{
	long i;

	if (series_alloc(s, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		s->h[i] = 100 + (int)(series_rand() * 20);
		s->l[i] = 90 - (int)(series_rand() * 20);
		s->c[i] = (s->h[i] + s->l[i]) / 2;
	}
	return 0;
}

#endif
