/*
 * simd.h - what the model's hand-written kernels (matmul.c, layers.c)
 * share: fused multiply-adds where the CPU has them (the x86-64-v3 clone),
 * the same code for every row, so that a row's bits never depend on the
 * batch; they depend on the clone, that is on the CPU class
 * (model-checkpoint(5), NUMERICS); the 8-float vector type and its
 * transpose.  Include it before any function definition.
 */
#ifndef SIMD_H
#define SIMD_H

#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif

#ifndef CLONES		/* -DCLONES= builds the baseline only (to test it) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define CLONES
#endif
#endif

#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define MIN(a, b)	((a) < (b) ? (a) : (b))

/* 8 floats; aligned(4) so that any float pointer may be read as one. */
typedef float v8 __attribute__((vector_size(32), aligned(4)));
#define V8(p)	(*(v8 *)(p))
#define CV8(p)	(*(const v8 *)(p))

#define SHUF(a, b, i0, i1, i2, i3, i4, i5, i6, i7) \
	__builtin_shufflevector(a, b, i0, i1, i2, i3, i4, i5, i6, i7)

/* dst (cols,rows) = src (rows,cols) transposed, rows ldd and lds apart:
 * blocks of 8 x 8 by shuffles (the unpack, shuffle, permute network),
 * the edges one by one. */
static inline __attribute__((always_inline)) void
transpose(float *dst, int ldd, const float *src, int lds, int rows, int cols)
{
	v8 r[8], t[8], u[8];
	int i, j, k, rb = rows & ~7, cb = cols & ~7;

	for (j = 0; j < rb; j += 8)
		for (i = 0; i < cb; i += 8) {
			_Pragma("GCC unroll 8")
			for (k = 0; k < 8; k++)
				r[k] = CV8(src + (size_t)(j + k) * lds + i);
			_Pragma("GCC unroll 4")
			for (k = 0; k < 8; k += 2) {
				t[k] = SHUF(r[k], r[k + 1], 0, 8, 1, 9, 4, 12, 5, 13);
				t[k + 1] = SHUF(r[k], r[k + 1], 2, 10, 3, 11, 6, 14, 7,
				    15);
			}
			_Pragma("GCC unroll 2")
			for (k = 0; k < 8; k += 4) {
				u[k] = SHUF(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
				u[k + 1] = SHUF(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14,
				    15);
				u[k + 2] = SHUF(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12,
				    13);
				u[k + 3] = SHUF(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7,
				    14, 15);
			}
			_Pragma("GCC unroll 4")
			for (k = 0; k < 4; k++) {
				V8(dst + (size_t)(i + k) * ldd + j) =
				    SHUF(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
				V8(dst + (size_t)(i + k + 4) * ldd + j) =
				    SHUF(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
			}
		}
	/* the last columns of the blocks' rows, then the last rows */
	for (j = 0; cb < cols && j < rb; j++)
		for (i = cb; i < cols; i++)
			dst[(size_t)i * ldd + j] = src[(size_t)j * lds + i];
	for (j = rb; j < rows; j++)
		for (i = 0; i < cols; i++)
			dst[(size_t)i * ldd + j] = src[(size_t)j * lds + i];
}

#endif
