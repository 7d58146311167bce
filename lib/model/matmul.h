/*
 * matmul.h - every matrix product of the model.  cblas_sgemm (OpenBLAS, one
 * thread) for the batched shapes of training; hand-written kernels where a
 * call is too small for BLAS to pay (one window at inference, per-head
 * attention).  Each has a naive _ref beside it for the tests.
 * Matrices are row-major; w is (in, out): out = inp w + bias.
 */
#ifndef MATMUL_H
#define MATMUL_H

/* Keep OpenBLAS to one thread (our threads split the batch instead) and
 * choose the backend (below). */
void	matmul_init(void);

/*
 * Training's batched products run on cblas_sgemm or on the hand-written
 * kernels.  MATMUL_AUTO (the default) reads the environment variable
 * CANDLEKIT_MATMUL ("blas", "native"; anything else or unset is auto);
 * auto then waits for matmul_choose(), which takes, for each product of
 * the caller's shapes (IC x OC) and each direction (forward, backward), the
 * faster of the two on this machine (blas by a margin): timed once (a
 * fraction of a second), on the products one thread computes in the first
 * training step, and kept in a cache file, one line per CPU model,
 * OpenBLAS build, library version and shapes, so that later runs make the
 * same choice without timing.  The cache file is $CANDLEKIT_CACHE (empty: none), else
 * $XDG_CACHE_HOME/candlekit/matmul, else $HOME/.cache/candlekit/matmul;
 * without one, or before matmul_choose(), auto means the hand kernels.
 * The choice holds for the whole process; the two backends give the same
 * products up to rounding, not the same bits.
 */
enum matmul_backend {
	MATMUL_AUTO = 0, MATMUL_BLAS = 1, MATMUL_NATIVE = 2,
	MATMUL_MIXED = 3	/* auto's choice: some products on each */
};
void	matmul_set_backend(enum matmul_backend);
/* The backend in force: MATMUL_BLAS, MATMUL_NATIVE or MATMUL_MIXED; its
 * name "blas", "native" or "mixed"; and how it was chosen, in words (with
 * the choice per product and the timings when auto timed or read them). */
enum matmul_backend matmul_backend(void);
const char *matmul_backend_name(void);
const char *matmul_backend_why(void);
/* A product of a training step, N x IC times IC x OC, count times. */
struct matmul_shape { int N, IC, OC, count; };
/* Settle auto for these products (forward and backward of each); returns
 * the backend in force.  Only the first call of a process times. */
enum matmul_backend matmul_choose(const struct matmul_shape *, int n);
/* OpenBLAS's kernel set (openblas_get_corename()), and whether it is one
 * written for a CPU rather than a generic fallback (Prescott, Core2, ...). */
const char *matmul_blas_core(void);
int	matmul_blas_optimized(void);

/* 1 when the CPU runs AVX-512 (checked once): the row kernels and the
 * layers' element-wise loops then use 16-float vectors, with the same bits
 * as their 8-float versions. */
int	matmul_avx512(void);

/* The batched products of training on the backend in force for IC x OC:
 * out (N,OC) = inp (N,IC) w (IC,OC) + bias, rows ldo, ldi, ldw floats
 * apart; and their gradients: dinp (N,IC) (NULL: skip) overwritten when
 * set, else added into, dw (IC,OC) and dbias (OC, or NULL) added into,
 * with inp and dout packed; wt: IC*OC floats scratch. */
void	matmul_batch_forward(float *out, int ldo, const float *inp, int ldi,
	    const float *w, int ldw, const float *bias, int N, int IC, int OC);
void	matmul_batch_backward(float *dinp, int set, float *dw, float *dbias,
	    const float *dout, const float *inp, const float *w, float *wt, int N,
	    int IC, int OC);

/* out (N,OC) = inp (N,IC) w (IC,OC) + bias (OC, or NULL); the rows of inp
 * are ldi floats apart.  cblas_sgemm. */
void	matmul_forward(float *out, const float *inp, int ldi, const float *w,
	    const float *bias, int N, int IC, int OC);
/* The same with the rows of out, inp and w ldo, ldi, ldw floats apart. */
void	matmul_forward_ld(float *out, int ldo, const float *inp, int ldi,
	    const float *w, int ldw, const float *bias, int N, int IC, int OC);
/* Gradients of matmul_forward, added into: dinp (N,IC) (rows ldi apart;
 * NULL: skip), dw (IC,OC), dbias (OC, or NULL) from dout (N,OC). */
void	matmul_backward(float *dinp, int ldi, float *dw, float *dbias,
	    const float *dout, const float *inp, const float *w, int N, int IC,
	    int OC);

/* One window at inference: the same as matmul_forward (ldi = IC) with hand
 * loops whose result for a row depends on that row only, never on N. */
void	matmul_rows(float *out, const float *inp, const float *w,
	    const float *bias, int N, int IC, int OC);
void	matmul_rows_ld(float *out, int ldo, const float *inp, int ldi,
	    const float *w, int ldw, const float *bias, int N, int IC, int OC);

/* The gradients of matmul_rows by hand (no BLAS), added into dinp (N,IC)
 * (NULL: skip), dw (IC,OC), dbias (OC, or NULL); wt: IC*OC floats scratch.
 * The result for an element depends on N, never on the thread. */
void	matmul_backward_rows(float *dinp, float *dw, float *dbias,
	    const float *dout, const float *inp, const float *w, float *wt, int N,
	    int IC, int OC);

/* Small products for per-head attention, row-major with leading dimensions
 * (hand loops, vectorized over N). */
/* c (M,N) = alpha a (M,K) b (K,N) */
void	mm_nn(float *c, int ldc, const float *a, int lda, const float *b,
	    int ldb, int M, int N, int K, float alpha);
/* c (M,N) += a (M,K) b (K,N) */
void	mm_nn_acc(float *c, int ldc, const float *a, int lda, const float *b,
	    int ldb, int M, int N, int K);
/* c (M,N) += a^T b: a (K,M), b (K,N) */
void	mm_tn_acc(float *c, int ldc, const float *a, int lda, const float *b,
	    int ldb, int M, int N, int K);

/* Naive references (double accumulation), for the tests. */
void	matmul_forward_ref(float *out, const float *inp, int ldi, const float *w,
	    const float *bias, int N, int IC, int OC);
void	matmul_backward_ref(float *dinp, int ldi, float *dw, float *dbias,
	    const float *dout, const float *inp, const float *w, int N, int IC,
	    int OC);
/* c (M,N) = beta c + alpha op(a) op(b), op(x) = x^T when tx */
void	mm_ref(float *c, int ldc, const float *a, int lda, int ta,
	    const float *b, int ldb, int tb, int M, int N, int K, float alpha,
	    float beta);

#endif
