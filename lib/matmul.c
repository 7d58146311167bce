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

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
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
 * nr rows (a constant after inlining) of out = inp w + bias.  Element
 * (r, j) is bias[j] + inp[r,0] w[0,j] + inp[r,1] w[1,j] + ..., added left
 * to right, whatever nr and whichever column block holds j.
 */
static inline __attribute__((always_inline)) void
rows_kernel(int nr, float *out, const float *inp, const float *w,
    const float *bias, int IC, int OC)
{
	v8 a0[4], a1[4], zero = { 0 };
	float x;
	int i, j, k;

	for (j = 0; j + 16 <= OC; j += 16) {
		for (i = 0; i < nr; i++) {
			a0[i] = bias != NULL ? CV8(bias + j) : zero;
			a1[i] = bias != NULL ? CV8(bias + j + 8) : zero;
		}
		for (k = 0; k < IC; k++) {
			v8 w0 = CV8(w + (size_t)k * OC + j);
			v8 w1 = CV8(w + (size_t)k * OC + j + 8);

			for (i = 0; i < nr; i++) {
				x = inp[(size_t)i * IC + k];
				a0[i] = a0[i] + x * w0;
				a1[i] = a1[i] + x * w1;
			}
		}
		for (i = 0; i < nr; i++) {
			V8(out + (size_t)i * OC + j) = a0[i];
			V8(out + (size_t)i * OC + j + 8) = a1[i];
		}
	}
	for (; j + 8 <= OC; j += 8) {
		for (i = 0; i < nr; i++)
			a0[i] = bias != NULL ? CV8(bias + j) : zero;
		for (k = 0; k < IC; k++) {
			v8 w0 = CV8(w + (size_t)k * OC + j);

			for (i = 0; i < nr; i++)
				a0[i] = a0[i] + inp[(size_t)i * IC + k] * w0;
		}
		for (i = 0; i < nr; i++)
			V8(out + (size_t)i * OC + j) = a0[i];
	}
	for (; j < OC; j++)
		for (i = 0; i < nr; i++) {
			float s = bias != NULL ? bias[j] : 0.0f;

			for (k = 0; k < IC; k++)
				s = s + inp[(size_t)i * IC + k] * w[(size_t)k * OC + j];
			out[(size_t)i * OC + j] = s;
		}
}

CLONES void
matmul_rows(float *out, const float *inp, const float *w, const float *bias,
    int N, int IC, int OC)
{
	int r;

	for (r = 0; r + 4 <= N; r += 4)
		rows_kernel(4, out + (size_t)r * OC, inp + (size_t)r * IC, w, bias,
		    IC, OC);
	for (; r < N; r++)
		rows_kernel(1, out + (size_t)r * OC, inp + (size_t)r * IC, w, bias,
		    IC, OC);
}

/* c (M,N) (+)= a (M,K) b (K,N), vectorized over N. */
static inline __attribute__((always_inline)) void
nn_kernel(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K, float alpha, int acc)
{
	int i, j, k;

	for (i = 0; i < M; i++) {
		float *ci = c + (size_t)i * ldc;

		if (!acc)
			memset(ci, 0, N * sizeof *ci);
		for (k = 0; k < K; k++) {
			float s = alpha * a[(size_t)i * lda + k];
			const float *bk = b + (size_t)k * ldb;

			for (j = 0; j + 8 <= N; j += 8)
				V8(ci + j) = CV8(ci + j) + s * CV8(bk + j);
			for (; j < N; j++)
				ci[j] += s * bk[j];
		}
	}
}

CLONES void
mm_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K, float alpha)
{
	nn_kernel(c, ldc, a, lda, b, ldb, M, N, K, alpha, 0);
}

CLONES void
mm_nn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	nn_kernel(c, ldc, a, lda, b, ldb, M, N, K, 1.0f, 1);
}

CLONES void
mm_tn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	int i, j, k;

	for (k = 0; k < K; k++) {
		const float *bk = b + (size_t)k * ldb;

		for (i = 0; i < M; i++) {
			float s = a[(size_t)k * lda + i];
			float *ci = c + (size_t)i * ldc;

			for (j = 0; j + 8 <= N; j += 8)
				V8(ci + j) = CV8(ci + j) + s * CV8(bk + j);
			for (; j < N; j++)
				ci[j] += s * bk[j];
		}
	}
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
