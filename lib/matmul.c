/*
 * matmul.c - the model's matrix products.  Training's batched shapes go to
 * cblas_sgemm on one OpenBLAS thread (our own threads split the batch; see
 * PERF-NOTES: OpenBLAS's threads lose on these shapes).  Inference of a
 * window and per-head attention use the hand-written loops below, written on
 * 8-float vectors (GCC vector extension) with a fixed order of operations
 * per output element: a row's result never depends on the other rows.
 */
#include <string.h>

#include <cblas.h>

#include "matmul.h"

/*
 * Fused multiply-adds where the CPU has them (the x86-64-v3 clone): the
 * same code for every row, so a row's bits still never depend on the batch.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

/* 8 floats; aligned(4) so that any float pointer may be read as one. */
typedef float v8 __attribute__((vector_size(32), aligned(4)));
#define V8(p)	(*(v8 *)(p))
#define CV8(p)	(*(const v8 *)(p))

void	openblas_set_num_threads(int);

void
matmul_init(void)
{
	openblas_set_num_threads(1);
}

void
matmul_forward(float *out, const float *inp, int ldi, const float *w,
    const float *bias, int N, int IC, int OC)
{
	int i;

	if (bias != NULL) {
		for (i = 0; i < N; i++)
			memcpy(out + (size_t)i * OC, bias, OC * sizeof *out);
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, OC, IC, 1.0f,
	    inp, ldi, w, OC, bias != NULL ? 1.0f : 0.0f, out, OC);
}

void
matmul_forward_add(float *out, const float *inp, const float *w,
    const float *bias, int N, int IC, int OC)
{
	int i, j;

	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, OC, IC, 1.0f,
	    inp, IC, w, OC, 1.0f, out, OC);
	if (bias != NULL)
		for (i = 0; i < N; i++)
			for (j = 0; j < OC; j++)
				out[(size_t)i * OC + j] += bias[j];
}

void
matmul_backward(float *dinp, int ldi, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, int N, int IC, int OC)
{
	int i, j;

	/* dinp (N,IC) += dout (N,OC) w^T (OC,IC) */
	if (dinp != NULL)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, IC, OC,
		    1.0f, dout, OC, w, OC, 1.0f, dinp, ldi);
	/* dw (IC,OC) += inp^T (IC,N) dout (N,OC) */
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, IC, OC, N, 1.0f,
	    inp, ldi, dout, OC, 1.0f, dw, OC);
	if (dbias != NULL)
		for (i = 0; i < N; i++)
			for (j = 0; j < OC; j++)
				dbias[j] += dout[(size_t)i * OC + j];
}

/*
 * Four rows of out = inp w + bias, then one row at a time.  Element (r, j)
 * is bias[j] + inp[r,0] w[0,j] + inp[r,1] w[1,j] + ..., added left to
 * right, whichever kernel and column block computes it: a row's bits never
 * depend on the other rows.  The accumulators are named, so that they stay
 * in registers.
 */
#define INIT(acc, j)	((acc) = bias != NULL ? CV8(bias + (j)) : zero)

static inline __attribute__((always_inline)) void
rows4(float *out, const float *inp, const float *w, const float *bias, int IC,
    int OC)
{
	const float *i0 = inp, *i1 = inp + IC, *i2 = inp + 2 * IC, *i3 = inp + 3 * IC;
	v8 zero = { 0 }, a0, a1, b0, b1, c0, c1, d0, d1, w0, w1;
	int j, k;

	for (j = 0; j + 16 <= OC; j += 16) {
		INIT(a0, j), INIT(b0, j), INIT(c0, j), INIT(d0, j);
		INIT(a1, j + 8), INIT(b1, j + 8), INIT(c1, j + 8), INIT(d1, j + 8);
		for (k = 0; k < IC; k++) {
			w0 = CV8(w + (size_t)k * OC + j);
			w1 = CV8(w + (size_t)k * OC + j + 8);
			a0 = a0 + i0[k] * w0, a1 = a1 + i0[k] * w1;
			b0 = b0 + i1[k] * w0, b1 = b1 + i1[k] * w1;
			c0 = c0 + i2[k] * w0, c1 = c1 + i2[k] * w1;
			d0 = d0 + i3[k] * w0, d1 = d1 + i3[k] * w1;
		}
		V8(out + j) = a0, V8(out + j + 8) = a1;
		V8(out + OC + j) = b0, V8(out + OC + j + 8) = b1;
		V8(out + 2 * OC + j) = c0, V8(out + 2 * OC + j + 8) = c1;
		V8(out + 3 * OC + j) = d0, V8(out + 3 * OC + j + 8) = d1;
	}
	for (; j + 8 <= OC; j += 8) {
		INIT(a0, j), INIT(b0, j), INIT(c0, j), INIT(d0, j);
		for (k = 0; k < IC; k++) {
			w0 = CV8(w + (size_t)k * OC + j);
			a0 = a0 + i0[k] * w0, b0 = b0 + i1[k] * w0;
			c0 = c0 + i2[k] * w0, d0 = d0 + i3[k] * w0;
		}
		V8(out + j) = a0, V8(out + OC + j) = b0;
		V8(out + 2 * OC + j) = c0, V8(out + 3 * OC + j) = d0;
	}
}

static inline __attribute__((always_inline)) void
rows1(float *out, const float *inp, const float *w, const float *bias, int IC,
    int OC, int j)
{
	v8 zero = { 0 }, a0, a1, a2, a3;
	int k;

	for (; j + 32 <= OC; j += 32) {
		INIT(a0, j), INIT(a1, j + 8), INIT(a2, j + 16), INIT(a3, j + 24);
		for (k = 0; k < IC; k++) {
			const float *wk = w + (size_t)k * OC + j;

			a0 = a0 + inp[k] * CV8(wk), a1 = a1 + inp[k] * CV8(wk + 8);
			a2 = a2 + inp[k] * CV8(wk + 16);
			a3 = a3 + inp[k] * CV8(wk + 24);
		}
		V8(out + j) = a0, V8(out + j + 8) = a1;
		V8(out + j + 16) = a2, V8(out + j + 24) = a3;
	}
	for (; j + 8 <= OC; j += 8) {
		INIT(a0, j);
		for (k = 0; k < IC; k++)
			a0 = a0 + inp[k] * CV8(w + (size_t)k * OC + j);
		V8(out + j) = a0;
	}
	for (; j < OC; j++) {
		float s = bias != NULL ? bias[j] : 0.0f;

		for (k = 0; k < IC; k++)
			s = s + inp[k] * w[(size_t)k * OC + j];
		out[j] = s;
	}
}

CLONES void
matmul_rows(float *out, const float *inp, const float *w, const float *bias,
    int N, int IC, int OC)
{
	int r, i, vec = OC & ~7;

	for (r = 0; r + 4 <= N; r += 4) {
		rows4(out + (size_t)r * OC, inp + (size_t)r * IC, w, bias, IC, OC);
		for (i = 0; i < 4; i++)		/* the columns past the vectors */
			rows1(out + (size_t)(r + i) * OC, inp + (size_t)(r + i) * IC,
			    w, bias, IC, OC, vec);
	}
	for (; r < N; r++)
		rows1(out + (size_t)r * OC, inp + (size_t)r * IC, w, bias, IC, OC, 0);
}

/*
 * c[i, j] = (acc ? c[i, j] : 0) + sum_k s(i, k) b[k, j], s(i, k) = alpha
 * a[i, k] (ta 0) or a[k, i] (ta 1); k ascending, for the small per-head
 * attention products.  Blocks of 32 columns in named registers.
 */
static inline __attribute__((always_inline)) void
small_kernel(float *c, int ldc, const float *a, int lda, int ta,
    const float *b, int ldb, int M, int N, int K, float alpha, int acc)
{
	v8 zero = { 0 }, a0, a1, a2, a3;
	float s, t;
	int i, j, k;

	for (i = 0; i < M; i++) {
		float *ci = c + (size_t)i * ldc;

#define AIK (ta ? a[(size_t)k * lda + i] : alpha * a[(size_t)i * lda + k])
		for (j = 0; j + 32 <= N; j += 32) {
			a0 = acc ? CV8(ci + j) : zero;
			a1 = acc ? CV8(ci + j + 8) : zero;
			a2 = acc ? CV8(ci + j + 16) : zero;
			a3 = acc ? CV8(ci + j + 24) : zero;
			for (k = 0; k < K; k++) {
				const float *bk = b + (size_t)k * ldb + j;

				s = AIK;
				a0 = a0 + s * CV8(bk), a1 = a1 + s * CV8(bk + 8);
				a2 = a2 + s * CV8(bk + 16), a3 = a3 + s * CV8(bk + 24);
			}
			V8(ci + j) = a0, V8(ci + j + 8) = a1;
			V8(ci + j + 16) = a2, V8(ci + j + 24) = a3;
		}
		for (; j + 8 <= N; j += 8) {
			a0 = acc ? CV8(ci + j) : zero;
			for (k = 0; k < K; k++) {
				s = AIK;
				a0 = a0 + s * CV8(b + (size_t)k * ldb + j);
			}
			V8(ci + j) = a0;
		}
		for (; j < N; j++) {
			t = acc ? ci[j] : 0.0f;
			for (k = 0; k < K; k++) {
				s = AIK;
				t = t + s * b[(size_t)k * ldb + j];
			}
			ci[j] = t;
		}
#undef AIK
	}
}

CLONES void
mm_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K, float alpha)
{
	small_kernel(c, ldc, a, lda, 0, b, ldb, M, N, K, alpha, 0);
}

CLONES void
mm_nn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	small_kernel(c, ldc, a, lda, 0, b, ldb, M, N, K, 1.0f, 1);
}

CLONES void
mm_tn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	small_kernel(c, ldc, a, lda, 1, b, ldb, M, N, K, 1.0f, 1);
}

void
matmul_forward_ref(float *out, const float *inp, int ldi, const float *w,
    const float *bias, int N, int IC, int OC)
{
	int i, j, k;

	for (i = 0; i < N; i++)
		for (j = 0; j < OC; j++) {
			double s = bias != NULL ? bias[j] : 0.0;

			for (k = 0; k < IC; k++)
				s += (double)inp[(size_t)i * ldi + k] *
				    w[(size_t)k * OC + j];
			out[(size_t)i * OC + j] = (float)s;
		}
}

void
matmul_backward_ref(float *dinp, int ldi, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, int N, int IC, int OC)
{
	int i, j, k;

	for (i = 0; i < N; i++)
		for (k = 0; k < IC; k++) {
			double s = 0.0;

			for (j = 0; j < OC; j++)
				s += (double)dout[(size_t)i * OC + j] *
				    w[(size_t)k * OC + j];
			if (dinp != NULL)
				dinp[(size_t)i * ldi + k] += (float)s;
		}
	for (k = 0; k < IC; k++)
		for (j = 0; j < OC; j++) {
			double s = 0.0;

			for (i = 0; i < N; i++)
				s += (double)inp[(size_t)i * ldi + k] *
				    dout[(size_t)i * OC + j];
			dw[(size_t)k * OC + j] += (float)s;
		}
	if (dbias != NULL)
		for (j = 0; j < OC; j++) {
			double s = 0.0;

			for (i = 0; i < N; i++)
				s += dout[(size_t)i * OC + j];
			dbias[j] += (float)s;
		}
}

/* c (M,N) = beta c + alpha op(a) op(b); op(x) = x^T when tx. */
void
mm_ref(float *c, int ldc, const float *a, int lda, int ta, const float *b,
    int ldb, int tb, int M, int N, int K, float alpha, float beta)
{
	int i, j, k;

	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double s = 0.0;

			for (k = 0; k < K; k++)
				s += (double)(ta ? a[(size_t)k * lda + i] :
				    a[(size_t)i * lda + k]) *
				    (tb ? b[(size_t)j * ldb + k] :
				    b[(size_t)k * ldb + j]);
			c[(size_t)i * ldc + j] = (float)(alpha * s +
			    (beta != 0.0f ? (double)beta * c[(size_t)i * ldc + j] : 0.0));
		}
}
