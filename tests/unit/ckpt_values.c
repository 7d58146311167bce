/*
 * ckpt_values.c - issue 19, 6: values a valid CRC cannot vouch for.  A file
 * whose weights or moments are not finite, whose second moments are
 * negative, or whose generation is impossible (2^64-1 wrapped to 0 at the
 * next step and divided the bias correction by zero) is refused on load
 * and by an update, and such values are never written.  Before, all of
 * them loaded when the CRC was right, and a trainer made NaN weights,
 * saved them and exited 0.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ckpt.h"
#include "model.h"
#include "t.h"
#include "ckpt_t.h"

static char err[512];

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Write src's bytes to dst with f applied and the CRC made right again. */
static const char *
doctor(const char *src, const char *dst, void (*f)(unsigned char *, size_t))
{
	unsigned char *b;
	size_t n = 0;
	uLong crc;

	if ((b = slurp(src, &n)) == NULL || n < CKPT_HDRSIZE + 4)
		return NULL;
	f(b, n);
	crc = crc32(crc32(0, Z_NULL, 0), b, (uInt)(n - 4));
	for (int i = 0; i < 4; i++)
		b[n - 4 + i] = (unsigned char)(crc >> (8 * i));
	if (spew(dst, b, n) != 0)
		dst = NULL;
	free(b);
	return dst;
}

/* The three arrays follow the tensor table: params, m, v, each nparams
 * little-endian floats; small_model has them at known places. */
static size_t nparams, data_off;

static void
set_float(unsigned char *b, size_t at, float x)
{
	memcpy(b + data_off + 4 * at, &x, 4);	/* the test runs little-endian */
}

static void nan_weight(unsigned char *b, size_t n) { (void)n; set_float(b, 5, NAN); }
static void inf_weight(unsigned char *b, size_t n) { (void)n; set_float(b, 0, INFINITY); }
static void inf_m(unsigned char *b, size_t n) { (void)n; set_float(b, nparams + 3, -INFINITY); }
static void nan_v(unsigned char *b, size_t n) { (void)n; set_float(b, 2 * nparams + 9, NAN); }
static void neg_v(unsigned char *b, size_t n) { (void)n; set_float(b, 2 * nparams + 1, -1e-3f); }
static void gen_max(unsigned char *b, size_t n) { (void)n; put64(b + 64, UINT64_MAX); }
static void gen_big(unsigned char *b, size_t n) { (void)n; put64(b + 64, CKPT_GEN_MAX + 1); }
static void gen_ok(unsigned char *b, size_t n) { (void)n; put64(b + 64, CKPT_GEN_MAX); }
static void nothing(unsigned char *b, size_t n) { (void)b; (void)n; }

static int
one_step(struct model *m, struct ckpt_meta *meta, void *arg)
{
	(void)meta;
	(void)arg;
	m->params[0] += 1.0f;
	m->step++;
	return 1;
}

/* A step that poisons the weights. */
static int
nan_step(struct model *m, struct ckpt_meta *meta, void *arg)
{
	(void)meta;
	(void)arg;
	m->params[1] = NAN;
	m->step++;
	return 1;
}

static void
t_load_refuses(void)
{
	static const struct {
		const char *name, *says;
		void (*f)(unsigned char *, size_t);
	} bad[] = {
		{ "nan-weight", "weight 5 of tensor w_in is nan", nan_weight },
		{ "inf-weight", "weight 0 of tensor w_in is inf", inf_weight },
		{ "inf-m", "first moment 3 of tensor w_in is -inf", inf_m },
		{ "nan-v", "second moment", nan_v },
		{ "neg-v", "second moment 1 of tensor w_in is -0.001", neg_v },
		{ "gen-max", "impossible generation 18446744073709551615", gen_max },
		{ "gen-big", "impossible generation 9007199254740993", gen_big },
	};
	struct model m, ref;
	struct ckpt_meta meta;
	const char *p;
	char good[512];		/* tpath's buffers are a ring of 8 */
	size_t i;

	snprintf(good, sizeof(good), "%s", small_ckpt("good.ckpt", 3));
	small_model(&ref, 3);
	nparams = ref.nparams;
	data_off = CKPT_HDRSIZE + CKPT_ENTSIZE * (size_t)ref.ntensors;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = doctor(good, tpath(bad[i].name), bad[i].f);
		T_OK(p != NULL);
		memset(&m, 0, sizeof(m));
		err[0] = '\0';
		T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_EDATA);
		if (strstr(err, bad[i].says) == NULL) {
			fprintf(stderr, "%s: '%s' lacks '%s'\n", bad[i].name,
			    err, bad[i].says);
			T_OK(0);
		}
		T_OK(m.params == NULL);
		/* an update neither steps on it nor replaces it */
		memset(&meta, 0, sizeof(meta));
		T_EQ(ckpt_update(p, &m, &meta, NULL, one_step, NULL, err,
		    sizeof(err)), CK_EDATA);
		T_OK(same_bytes(p, tpath(bad[i].name)));
		model_free(&m);
	}
	/* the doctoring itself keeps a good file good; 2^53 is allowed */
	p = doctor(good, tpath("same"), nothing);
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
	model_free(&m);
	p = doctor(good, tpath("gen-ok"), gen_ok);
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
	T_OK(meta.generation == CKPT_GEN_MAX);
	model_free(&m);
	model_free(&ref);
}

/* A reader that loaded a file, whose generation then becomes 2^64-1
 * (which is also the reader's "stale" mark): the update must look. */
static void
t_update_stale_max(void)
{
	struct model m;
	struct ckpt_meta meta;
	const char *p = small_ckpt("stale.ckpt", 4), *q;

	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
	q = doctor(p, tpath("stale.ckpt"), gen_max);
	T_OK(q != NULL);
	meta.generation = CKPT_GEN_STALE;
	T_EQ(ckpt_update(p, &m, &meta, NULL, one_step, NULL, err,
	    sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "impossible generation") != NULL);
	model_free(&m);
}

static void
t_never_written(void)
{
	struct model m;
	struct ckpt_meta meta = { .trained_until = CKTIME_NONE };
	const char *p = tpath("new.ckpt"), *q;

	small_model(&m, 5);
	m.v[2] = -1.0f;
	T_EQ(ckpt_create(p, &m, &meta, 0, err, sizeof(err)), CK_EDATA);
	T_OK(access(p, F_OK) != 0 && errno == ENOENT);
	model_free(&m);

	/* a step that makes a weight NaN is not committed */
	q = small_ckpt("step.ckpt", 6);
	T_OK(doctor(q, tpath("step.copy"), nothing) != NULL);
	memset(&m, 0, sizeof(m));
	memset(&meta, 0, sizeof(meta));
	T_EQ(ckpt_update(q, &m, &meta, NULL, nan_step, NULL, err,
	    sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "weight 1 of tensor w_in is nan") != NULL);
	T_OK(same_bytes(q, tpath("step.copy")));
	T_OK(meta.generation == CKPT_GEN_STALE);
	model_free(&m);
}

int
main(void)
{
	tdir_init();
	T_RUN(t_load_refuses);
	T_RUN(t_update_stale_max);
	T_RUN(t_never_written);
	tdir_done();
	return T_END();
}
