/* matmul: every kernel against its naive reference; row independence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matmul.h"
#include "t.h"

static unsigned long long rs = 88172645463325252ULL;

static float
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (float)((rs >> 11) * 0x1p-53) * 2.0f - 1.0f;
}

static float *
rnd(size_t n)
{
	float *p = malloc(n * sizeof *p);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = urand();
	return p;
}

static void
near_all(const float *a, const float *b, size_t n, double tol)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		if (!(fabs(a[i] - b[i]) <= tol + tol * fabs(b[i])))
			bad++;
	T_EQ(bad, 0);
}

enum { BW_BLAS, BW_BATCH, BW_BATCH_SET, BW_ROWS };

/* One backward (matmul_backward, matmul_batch_backward or
 * matmul_backward_rows) adding into random gradients, against the naive
 * reference; wt: IC*OC floats scratch. */
static void
backward(int kind, const float *d, const float *x, const float *w, float *wt,
    int N, int IC, int OC)
{
	float *dx1 = rnd((size_t)N * IC), *dx2 = malloc((size_t)N * IC * 4);
	float *dw1 = rnd((size_t)IC * OC), *dw2 = malloc((size_t)IC * OC * 4);
	float *db1 = rnd(OC), *db2 = malloc(OC * sizeof(float));

	memcpy(dx2, dx1, (size_t)N * IC * sizeof(float));
	memcpy(dw2, dw1, (size_t)IC * OC * sizeof(float));
	memcpy(db2, db1, OC * sizeof(float));
	if (kind == BW_BLAS)
		matmul_backward(dx1, IC, dw1, db1, d, x, w, N, IC, OC);
	else if (kind == BW_BATCH)
		matmul_batch_backward(dx1, 0, dw1, db1, d, x, w, wt, N, IC, OC);
	else if (kind == BW_BATCH_SET) {
		/* dinp overwritten: the same as adding into zeros */
		memset(dx2, 0, (size_t)N * IC * sizeof(float));
		matmul_batch_backward(dx1, 1, dw1, db1, d, x, w, wt, N, IC, OC);
	}
	else
		matmul_backward_rows(dx1, dw1, db1, d, x, w, wt, N, IC, OC);
	matmul_backward_ref(dx2, IC, dw2, db2, d, x, w, N, IC, OC);
	near_all(dx1, dx2, (size_t)N * IC, 1e-5);
	near_all(dw1, dw2, (size_t)IC * OC, 1e-5);
	near_all(db1, db2, OC, 1e-5);
	free(dx1), free(dx2), free(dw1), free(dw2), free(db1), free(db2);
}

static void
shape(int N, int IC, int OC)
{
	float *x = rnd((size_t)N * IC), *w = rnd((size_t)IC * OC), *b = rnd(OC);
	float *o1 = rnd((size_t)N * OC), *o2 = rnd((size_t)N * OC);
	float *o3 = malloc(((size_t)N * OC + (size_t)IC * OC) * sizeof(float));
	float *d = rnd((size_t)N * OC);
	int r, be;

	matmul_forward(o1, x, IC, w, b, N, IC, OC);
	matmul_forward_ref(o2, x, IC, w, b, N, IC, OC);
	near_all(o1, o2, (size_t)N * OC, 1e-5);
	matmul_forward(o1, x, IC, w, NULL, N, IC, OC);
	matmul_forward_ref(o2, x, IC, w, NULL, N, IC, OC);
	near_all(o1, o2, (size_t)N * OC, 1e-5);
	matmul_rows(o3, x, w, b, N, IC, OC);
	matmul_forward_ref(o2, x, IC, w, b, N, IC, OC);
	near_all(o3, o2, (size_t)N * OC, 1e-5);
	/* a row's bits do not depend on N nor on its place */
	for (r = 0; r < N; r++) {
		matmul_rows(o1, x + (size_t)r * IC, w, b, 1, IC, OC);
		T_OK(memcmp(o1, o3 + (size_t)r * OC, OC * sizeof(float)) == 0);
	}
	backward(BW_BLAS, d, x, w, o3, N, IC, OC);
	/* training's products on both backends */
	for (be = MATMUL_BLAS; be <= MATMUL_NATIVE; be++) {
		matmul_set_backend(be);
		T_EQ(matmul_backend(), be);
		matmul_batch_forward(o1, OC, x, IC, w, OC, b, N, IC, OC);
		matmul_forward_ref(o2, x, IC, w, b, N, IC, OC);
		near_all(o1, o2, (size_t)N * OC, 1e-5);
		backward(BW_BATCH, d, x, w, o3, N, IC, OC);
		backward(BW_BATCH_SET, d, x, w, o3, N, IC, OC);
	}
	backward(BW_ROWS, d, x, w, o3, N, IC, OC);
	free(x), free(w), free(b), free(o1), free(o2), free(o3), free(d);
}

static void
test_linear(void)
{
	shape(1, 1, 1);
	shape(7, 5, 32);
	shape(64, 32, 96);
	shape(33, 32, 3);
	shape(5, 128, 32);
	shape(9, 24, 20);
	shape(150, 7, 37);
	shape(130, 128, 32);
	/* blocks of 6 and 4 rows, single rows over 64, 32, 16, 8 and 1
	 * columns at once, 8-column slices after 16-column ones */
	shape(10, 16, 24);
	shape(14, 9, 88);
	shape(2, 33, 121);
	shape(3, 8, 72);
	shape(8, 8, 8);
	shape(13, 17, 40);
}

/* Strided: the middle columns of a wider w, rows of inp and out spaced. */
static void
strided(int N, int IC, int OC)
{
	int ldi = IC + 3, ldw = OC + 9, ldo = OC + 5, r, j, bad = 0;
	float *x = rnd((size_t)N * ldi), *w = rnd((size_t)IC * ldw), *b = rnd(OC);
	float *o1 = rnd((size_t)N * ldo), *o2 = malloc((size_t)N * ldo * 4);
	float *o3 = malloc((size_t)N * OC * 4), *wc = malloc((size_t)IC * OC * 4);
	float *xc = malloc((size_t)N * IC * 4);

	memcpy(o2, o1, (size_t)N * ldo * sizeof(float));
	for (r = 0; r < IC; r++)
		memcpy(wc + (size_t)r * OC, w + (size_t)r * ldw + 4, OC * sizeof(float));
	for (r = 0; r < N; r++)
		memcpy(xc + (size_t)r * IC, x + (size_t)r * ldi, IC * sizeof(float));
	matmul_forward_ref(o3, xc, IC, wc, b, N, IC, OC);
	matmul_rows_ld(o1, ldo, x, ldi, w + 4, ldw, b, N, IC, OC);
	matmul_forward_ld(o2, ldo, x, ldi, w + 4, ldw, b, N, IC, OC);
	for (r = 0; r < N; r++)
		for (j = 0; j < ldo; j++) {
			float *p1 = o1 + (size_t)r * ldo + j, *p2 = o2 + (size_t)r * ldo + j;

			if (j < OC) {
				bad += !(fabs(*p1 - o3[(size_t)r * OC + j]) <= 1e-5 +
				    1e-5 * fabs(o3[(size_t)r * OC + j]));
				bad += !(fabs(*p2 - o3[(size_t)r * OC + j]) <= 1e-5 +
				    1e-5 * fabs(o3[(size_t)r * OC + j]));
			} else
				bad += *p1 != *p2;	/* the gaps untouched */
		}
	T_EQ(bad, 0);
	free(x), free(w), free(b), free(o1), free(o2), free(o3), free(wc),
	    free(xc);
}

static void
test_strided(void)
{
	strided(7, 32, 64);
	strided(5, 16, 16);
	strided(9, 12, 21);
}

static void
small(int M, int N, int K)
{
	int lda = K + 3, ldb = N + 5, ldc = N + 2, ldt = M + 1;
	float *a = rnd((size_t)M * lda), *b = rnd((size_t)K * ldb);
	float *at = rnd((size_t)K * ldt);
	float *c1 = rnd((size_t)M * ldc), *c2 = malloc((size_t)M * ldc * 4);

	memcpy(c2, c1, (size_t)M * ldc * sizeof(float));
	mm_nn(c1, ldc, a, lda, b, ldb, M, N, K, 1.0f);	/* the row kernels */
	mm_ref(c2, ldc, a, lda, 0, b, ldb, 0, M, N, K, 1.0f, 0.0f);
	near_all(c1, c2, (size_t)M * ldc, 1e-5);
	mm_nn(c1, ldc, a, lda, b, ldb, M, N, K, 0.35f);
	mm_ref(c2, ldc, a, lda, 0, b, ldb, 0, M, N, K, 0.35f, 0.0f);
	near_all(c1, c2, (size_t)M * ldc, 1e-5);
	mm_nn_acc(c1, ldc, a, lda, b, ldb, M, N, K);
	mm_ref(c2, ldc, a, lda, 0, b, ldb, 0, M, N, K, 1.0f, 1.0f);
	near_all(c1, c2, (size_t)M * ldc, 1e-5);
	mm_tn_acc(c1, ldc, at, ldt, b, ldb, M, N, K);
	mm_ref(c2, ldc, at, ldt, 1, b, ldb, 0, M, N, K, 1.0f, 1.0f);
	near_all(c1, c2, (size_t)M * ldc, 1e-5);
	free(a), free(b), free(at), free(c1), free(c2);
}

static void
test_small(void)
{
	small(32, 32, 8);
	small(32, 8, 32);
	small(1, 8, 32);
	small(1, 32, 8);
	small(5, 13, 3);
	small(64, 16, 64);
}

/*
 * The backend: CANDLEKIT_MATMUL=native (set by main before the first use)
 * wins over auto; explicit settings win.
 */
static void
test_backend(void)
{
	const char *core = matmul_blas_core();

	T_EQ(matmul_backend(), MATMUL_NATIVE);
	T_OK(strcmp(matmul_backend_name(), "native") == 0);
	T_OK(*core != '\0');
	T_EQ(matmul_blas_optimized(), strcmp(core, "Prescott") != 0 &&
	    strcmp(core, "Core2") != 0 && strcmp(core, "Katmai") != 0 &&
	    strcmp(core, "unknown") != 0);
	matmul_set_backend(MATMUL_BLAS);
	T_EQ(matmul_backend(), MATMUL_BLAS);
	T_OK(strcmp(matmul_backend_name(), "blas") == 0);
	matmul_set_backend(MATMUL_AUTO);	/* the environment again */
	T_EQ(matmul_backend(), MATMUL_NATIVE);
	T_OK(strcmp(matmul_backend_why(), "CANDLEKIT_MATMUL") == 0);
}

/* a cache file's content, at most len - 1 bytes */
static void
slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

/* write the cache line "key TAB choices TAB 1 2 3" */
static int
cache_put(const char *path, const char *key, size_t klen, const char *ch)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "%.*s\t%s\t1 2 3\n", (int)klen, key, ch);
	return fclose(f);
}

/*
 * auto: timed at the first matmul_choose(), written to the cache file (one
 * line: key, a choice per product and direction, the times), and read
 * back, not timed again, by the next choice, which follows the file even
 * against the timing: all blas, all native, or mixed; no cache file, or
 * one that cannot be written: the hand kernels.
 */
static void
test_choose(void)
{
	struct matmul_shape sh[] = { { 64, 16, 48, 1 }, { 64, 64, 16, 2 },
	    { 8, 16, 48, 1 } };
	char path[] = "/tmp/ck-matmul-XXXXXX", buf[4096], *tab, *tab2;
	enum matmul_backend b;
	size_t klen;
	int fd;

	unsetenv("CANDLEKIT_MATMUL");
	T_OK((fd = mkstemp(path)) != -1);
	close(fd);
	unlink(path);
	setenv("CANDLEKIT_CACHE", path, 1);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_backend(), MATMUL_NATIVE);	/* not chosen yet */
	b = matmul_choose(sh, 3);
	T_EQ(matmul_backend(), b);
	T_OK(strncmp(matmul_backend_why(), "auto, timed", 11) == 0);
	slurp(path, buf, sizeof buf);
	T_EQ(strchr(buf, '\n') - buf, strlen(buf) - 1);	/* one line */
	T_OK((tab = strchr(buf, '\t')) != NULL);
	if (tab == NULL)
		return;
	klen = (size_t)(tab - buf);
	T_OK((tab2 = strchr(tab + 1, '\t')) != NULL);
	/* the two products, each with its forward's and backward's choice */
	T_EQ(tab2 - tab - 1, strlen("16x48:nn 64x16:nn"));
	T_OK(strncmp(tab + 1, "16x48:", 6) == 0);
	T_OK(strncmp(tab + 10, "64x16:", 6) == 0);
	T_OK(strstr(buf, "|64x16x48*1|64x64x16*2|8x16x48*1\t") != NULL);
	/* a second choice of the same process keeps the first */
	T_EQ(matmul_choose(sh, 1), b);
	/* the file decides */
	T_EQ(cache_put(path, buf, klen, "16x48:bb 64x16:bb"), 0);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_choose(sh, 3), MATMUL_BLAS);
	T_OK(strncmp(matmul_backend_why(), "auto, from the cache", 20) == 0);
	T_EQ(cache_put(path, buf, klen, "16x48:nn 64x16:nn"), 0);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_choose(sh, 3), MATMUL_NATIVE);
	T_EQ(cache_put(path, buf, klen, "16x48:nb 64x16:nn"), 0);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_choose(sh, 3), MATMUL_MIXED);
	T_OK(strcmp(matmul_backend_name(), "mixed") == 0);
	/* a line that does not fit the products is passed over: timed */
	T_EQ(cache_put(path, buf, klen, "16x48:nx 64x16:nn"), 0);
	matmul_set_backend(MATMUL_AUTO);
	(void)matmul_choose(sh, 3);
	T_OK(strncmp(matmul_backend_why(), "auto, timed", 11) == 0);
	/* other shapes: timed, a second line */
	matmul_set_backend(MATMUL_AUTO);
	(void)matmul_choose(sh, 1);
	T_OK(strncmp(matmul_backend_why(), "auto, timed", 11) == 0);
	slurp(path, buf, sizeof buf);
	T_OK((tab = strchr(buf, '\n')) != NULL && strchr(tab + 1, '\n') != NULL);
	unlink(path);
	/* no cache file; one that cannot be written */
	setenv("CANDLEKIT_CACHE", "", 1);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_choose(sh, 2), MATMUL_NATIVE);
	T_OK(strstr(matmul_backend_why(), "no cache") != NULL);
	setenv("CANDLEKIT_CACHE", "/nonexistent/ck/matmul", 1);
	matmul_set_backend(MATMUL_AUTO);
	T_EQ(matmul_choose(sh, 2), MATMUL_NATIVE);
	T_OK(strstr(matmul_backend_why(), "not writable") != NULL);
	setenv("CANDLEKIT_MATMUL", "native", 1);
	matmul_set_backend(MATMUL_AUTO);
}

int
main(void)
{
	setenv("CANDLEKIT_MATMUL", "native", 1);
	matmul_init();
	T_RUN(test_backend);
	T_RUN(test_choose);
	T_RUN(test_linear);
	T_RUN(test_strided);
	T_RUN(test_small);
	return T_END();
}
