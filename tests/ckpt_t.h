/*
 * ckpt_t.h - helpers shared by tests/unit/ckpt.c and tests/unit/lock.c:
 * a scratch directory, a small model, whole-file reads.
 */
#ifndef CKPT_T_H
#define CKPT_T_H

#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ckpt.h"
#include "model.h"

static char tdir[256];

/* A fresh scratch directory; removed by tdir_done. */
static inline void
tdir_init(void)
{
	const char *t = getenv("TMPDIR");

	snprintf(tdir, sizeof(tdir), "%s/ck-ckpt.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
}

static inline void
tdir_done(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tdir);
}

/* tdir/name in a static ring of buffers */
static inline const char *
tpath(const char *name)
{
	static char buf[8][512];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tdir, name);
	return buf[k];
}

/* A small model (W4 d8 L1 h2) with seeded weights, nonzero moments, step 7. */
static inline void
small_model(struct model *m, uint64_t seed)
{
	struct model_config c = { .W = 4, .d = 8, .L = 1, .h = 2 };
	char err[256];
	size_t i;

	if (model_init(m, &c, err, sizeof(err)) == -1) {
		fprintf(stderr, "model_init: %s\n", err);
		exit(1);
	}
	model_init_weights(m, seed);
	for (i = 0; i < m->nparams; i++) {
		m->m[i] = 0.001f * (float)i;
		m->v[i] = 1e-6f * (float)i;
	}
	m->step = 7;
}

/* A step function for ckpt_update: every parameter + 1, one step. */
static inline int
step_all_plus_one(struct model *m, struct ckpt_meta *meta, void *arg)
{
	(void)meta;
	(void)arg;
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] += 1.0f;
	m->step++;
	return 1;
}

/* Create tdir/name from seed, with a fixed identity; returns its path. */
static inline const char *
small_ckpt(const char *name, uint64_t seed)
{
	struct ckpt_meta meta = { .model_id = ckpt_id_from_seed(seed),
	    .created = 1700000000 * CK_SEC, .trained_until = CKTIME_NONE };
	struct model m;
	const char *p = tpath(name);
	char err[256];

	small_model(&m, seed);
	if (ckpt_create(p, &m, &meta, 1, err, sizeof(err)) != CK_OK) {
		fprintf(stderr, "ckpt_create: %s\n", err);
		exit(1);
	}
	model_free(&m);
	return p;
}

/* The whole file, malloc'ed; *len its size.  NULL if unreadable. */
static inline unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *b;
	FILE *fp;
	long n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	b = malloc((size_t)n + 1);
	if (b == NULL || fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static inline int
spew(const char *path, const void *b, size_t len)
{
	FILE *fp;
	int ok;

	if ((fp = fopen(path, "wb")) == NULL)
		return -1;
	ok = fwrite(b, 1, len, fp) == len;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/* 1 when the two files have the same bytes */
static inline int
same_bytes(const char *a, const char *b)
{
	unsigned char *x, *y;
	size_t nx = 0, ny = 0;
	int same;

	x = slurp(a, &nx);
	y = slurp(b, &ny);
	same = x != NULL && y != NULL && nx == ny && memcmp(x, y, nx) == 0;
	free(x);
	free(y);
	return same;
}

/* Entries of dir whose name starts with prefix. */
static inline int
count_prefix(const char *prefix)
{
	char cmd[600], line[64];
	FILE *fp;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '^%s'", tdir, prefix);
	if ((fp = popen(cmd, "r")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL)
			n = (int)strtol(line, NULL, 10);
		pclose(fp);
	}
	return n;
}

#endif
