/*
 * simd.h - what the model's hand-written kernels (matmul.c, layers.c)
 * share: fused multiply-adds where the CPU has them (the x86-64-v3 clone),
 * the same code for every row, so that a row's bits never depend on the
 * batch; they depend on the clone, that is on the CPU class
 * (model-checkpoint(5), NUMERICS); and the 8-float vector type.  Include
 * it before any function definition.
 */
#ifndef SIMD_H
#define SIMD_H

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

#endif
