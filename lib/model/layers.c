/*
 * layers.c - forward and backward of each layer of the model (see layers.h).
 * The element-wise loops run on 8-float vectors (GCC vector extension) with
 * a fixed order of operations, so a row's result depends on that row only;
 * exp is our own (Cody-Waite reduction and a degree-7 polynomial, within
 * 2 ulp), so that GELU and softmax vectorize.  The bits are those of the
 * binary and the CPU class (model-checkpoint(5), NUMERICS): GCC builds an
 * FMA clone (x86-64-v3) that fuses multiply-adds and a baseline one that
 * does not; AVX-512 loops give the FMA clone's bits; other compilers build
 * one unfused version.
 */
#include <math.h>
#include <string.h>

#include "layers.h"
#include "matmul.h"
#include "simd.h"

#define INLINE static inline __attribute__((always_inline))

typedef int v8i __attribute__((vector_size(32), aligned(4)));

#define LN_EPS		1e-5f
#define GELU_K0		0.7978845608028654f	/* sqrt(2/pi) */
#define GELU_K1		0.044715f
#define GHOST_W		0.1f

/*
 * y = exp(v) lane by lane, v clamped to [-87.3, 88]; VT the float vector
 * type, VIT the int one.  The same operations on every lane, so 8 and 16
 * lanes give the same bits.  EXPV_NEG: for v <= 0 (or NaN) only, where
 * the upper clamp never acts: the same bits, two operations fewer.
 * EXPV2: two at once, their steps interleaved, so that the out-of-order
 * core has twice the independent work in the same window (a single exp
 * is one long chain).
 */
#define EXPV(VT, VIT, y, x)	do { VT d__; \
	EXPV2_(VT, VIT, y, x, d__, x, 1); (void)d__; } while (0)
#define EXPV_NEG(VT, VIT, y, x)	do { VT d__; \
	EXPV2_(VT, VIT, y, x, d__, x, 0); (void)d__; } while (0)
#define EXPV2(VT, VIT, y, x, y2, x2)	EXPV2_(VT, VIT, y, x, y2, x2, 1)
#define EXPV2_NEG(VT, VIT, y, x, y2, x2) EXPV2_(VT, VIT, y, x, y2, x2, 0)
#define CLAMP_(VT, VIT, v, m, lim, cmp) do { \
	(m) = (v) cmp (lim); \
	(v) = (VT)(((m) & (VIT)((VT){ 0 } + (lim))) | (~(m) & (VIT)(v))); \
} while (0)
#define EXPV2_(VT, VIT, y, x, y2, x2, HI) do { \
	VT v_ = (x), n_, r_, p_, w_ = (x2), n2_, r2_, p2_; \
	VIT e_, m_, e2_, m2_; \
	CLAMP_(VT, VIT, v_, m_, -87.3f, <); \
	CLAMP_(VT, VIT, w_, m2_, -87.3f, <); \
	if (HI) { \
		CLAMP_(VT, VIT, v_, m_, 88.0f, >); \
		CLAMP_(VT, VIT, w_, m2_, 88.0f, >); \
	} \
	/* n = round(v / ln 2) by the 1.5 * 2^23 trick */ \
	n_ = v_ * 1.44269504f + 12582912.0f; \
	n2_ = w_ * 1.44269504f + 12582912.0f; \
	n_ = n_ - 12582912.0f, n2_ = n2_ - 12582912.0f; \
	r_ = v_ - n_ * 0.693359375f, r2_ = w_ - n2_ * 0.693359375f; \
	r_ = r_ - n_ * -2.12194440e-4f, r2_ = r2_ - n2_ * -2.12194440e-4f; \
	p_ = r_ * (1.0f / 5040) + 1.0f / 720; \
	p2_ = r2_ * (1.0f / 5040) + 1.0f / 720; \
	p_ = p_ * r_ + 1.0f / 120, p2_ = p2_ * r2_ + 1.0f / 120; \
	p_ = p_ * r_ + 1.0f / 24, p2_ = p2_ * r2_ + 1.0f / 24; \
	p_ = p_ * r_ + 1.0f / 6, p2_ = p2_ * r2_ + 1.0f / 6; \
	p_ = p_ * r_ + 0.5f, p2_ = p2_ * r2_ + 0.5f; \
	p_ = p_ * r_ + 1.0f, p2_ = p2_ * r2_ + 1.0f; \
	p_ = p_ * r_ + 1.0f, p2_ = p2_ * r2_ + 1.0f; \
	e_ = (__builtin_convertvector(n_, VIT) + 127) << 23; \
	e2_ = (__builtin_convertvector(n2_, VIT) + 127) << 23; \
	(y) = p_ * (VT)e_, (y2) = p2_ * (VT)e2_; \
} while (0)

/* 0.5 x (1 + tanh u) = x / (1 + exp(-2u)), u = sqrt(2/pi) (x + k x^3);
 * two at once (EXPV2) */
#define GELU_U(x)	(GELU_K0 * ((x) + GELU_K1 * (x) * (x) * (x)))
#define GELUV2(VT, VIT, y, x, y2, x2) do { \
	VT x__ = (x), w__ = (x2), t__, t2__; \
	EXPV2(VT, VIT, t__, -2.0f * GELU_U(x__), t2__, -2.0f * GELU_U(w__)); \
	(y) = x__ / (1.0f + t__), (y2) = w__ / (1.0f + t2__); \
} while (0)
#define GELUV(VT, VIT, y, x)	do { VT e__; \
	GELUV2(VT, VIT, y, x, e__, x); (void)e__; } while (0)
/* d *= d/dx x s(u) = s + x s (1 - s) 2 u'(x), s = (1 + tanh u) / 2 =
 * 1 / (1 + t), t = exp(-2u) */
#define GELU_GRAD(VT, d, x, t) do { \
	VT s__ = 1.0f / (1.0f + (t)); \
	(d) = (d) * (s__ + (x) * s__ * (1.0f - s__) * 2.0f * GELU_K0 * \
	    (1.0f + 3.0f * GELU_K1 * (x) * (x))); \
} while (0)

/*
 * The widest element-wise loops, for CPUs with AVX-512: 16 lanes, the same
 * operations per lane as the 8-lane code, so the same bits.  Each does the
 * first n & ~15 elements and returns how many it did (0 without AVX-512).
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define T512	__attribute__((target("avx512f,avx512vl,avx2,fma")))
typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef int v16i __attribute__((vector_size(64), aligned(4)));
#define V16(p)	(*(v16 *)(p))
#define CV16(p)	(*(const v16 *)(p))

static T512 size_t
gelu16(float *out, const float *inp, size_t n)
{
	size_t i;

	for (i = 0; i + 32 <= n; i += 32)
		GELUV2(v16, v16i, V16(out + i), CV16(inp + i), V16(out + i + 16),
		    CV16(inp + i + 16));
	for (; i + 16 <= n; i += 16)
		GELUV(v16, v16i, V16(out + i), CV16(inp + i));
	return i;
}

#define WIDE(call)	(matmul_avx512() ? (call) : 0)
#else
#define WIDE(call)	0
#endif

/* Sum of 8 lanes in a fixed order, ((v0 + v1) + (v2 + v3)) + ((v4 + v5) +
 * (v6 + v7)), by shuffles: each step adds lane pairs in place (a + b and
 * b + a are the same float). */
INLINE float
hsum8(const v8 *vp)
{
	v8 v = *vp;

	v = v + SHUF(v, v, 1, 0, 3, 2, 5, 4, 7, 6);
	v = v + SHUF(v, v, 2, 3, 0, 1, 6, 7, 4, 5);
	return v[0] + v[4];
}

/* Sum of x[0..n): 8 running lanes, then the tail. */
INLINE float
sum(const float *x, int n)
{
	v8 a = { 0 };
	float s;
	int i;

	for (i = 0; i + 8 <= n; i += 8)
		a = a + CV8(x + i);
	s = hsum8(&a);
	for (; i < n; i++)
		s += x[i];
	return s;
}

/*
 * 32 columns of a row at once, features innermost: each column's sum is
 * b + x0 w0 + x1 w1 + ... + pos in that order, but the four vectors' sums
 * are independent chains, so their fused multiply-adds overlap rather than
 * each waiting on the one before it.
 */
CLONES void
encoder_forward(float *out, const float *x, const float *w, const float *b,
    const float *pos, int B, int T, int F, int C)
{
	int bt, c, f;

	for (bt = 0; bt < B * T; bt++) {
		float *o = out + (size_t)bt * C;
		const float *xr = x + (size_t)bt * F, *p = pos + (size_t)(bt % T) * C;

		for (c = 0; c + 32 <= C; c += 32) {
			v8 a0 = CV8(b + c), a1 = CV8(b + c + 8);
			v8 a2 = CV8(b + c + 16), a3 = CV8(b + c + 24);

			for (f = 0; f < F; f++) {
				const float *wf = w + (size_t)f * C + c;

				a0 = a0 + xr[f] * CV8(wf), a1 = a1 + xr[f] * CV8(wf + 8);
				a2 = a2 + xr[f] * CV8(wf + 16);
				a3 = a3 + xr[f] * CV8(wf + 24);
			}
			V8(o + c) = a0 + CV8(p + c);
			V8(o + c + 8) = a1 + CV8(p + c + 8);
			V8(o + c + 16) = a2 + CV8(p + c + 16);
			V8(o + c + 24) = a3 + CV8(p + c + 24);
		}
		for (; c + 8 <= C; c += 8) {
			v8 a = CV8(b + c);

			for (f = 0; f < F; f++)
				a = a + xr[f] * CV8(w + (size_t)f * C + c);
			V8(o + c) = a + CV8(p + c);
		}
		for (; c < C; c++) {
			float a = b[c];

			for (f = 0; f < F; f++)
				a = a + xr[f] * w[(size_t)f * C + c];
			o[c] = a + p[c];
		}
	}
}

/* Slices of 8 columns outermost: the slice's F rows of dw (F 5, the
 * window's features, or 6, a context's: a constant where inlined) and its
 * db stay in registers over all rows; every element still sums its rows
 * in order, as the loop after it does. */
INLINE void
encoder_backward8(int F, float *dw, float *db, float *dpos, const float *dout,
    const float *x, int B, int T, int C)
{
	int bt, c, f;

	for (c = 0; c + 8 <= C; c += 8) {
		v8 w[6], b0 = CV8(db + c), d;

		_Pragma("GCC unroll 6")
		for (f = 0; f < F; f++)
			w[f] = CV8(dw + (size_t)f * C + c);
		for (bt = 0; bt < B * T; bt++) {
			const float *xr = x + (size_t)bt * F;
			float *dp = dpos + (size_t)(bt % T) * C + c;

			d = CV8(dout + (size_t)bt * C + c);
			b0 = b0 + d;
			V8(dp) = CV8(dp) + d;
			_Pragma("GCC unroll 6")
			for (f = 0; f < F; f++)
				w[f] = w[f] + xr[f] * d;
		}
		_Pragma("GCC unroll 6")
		for (f = 0; f < F; f++)
			V8(dw + (size_t)f * C + c) = w[f];
		V8(db + c) = b0;
	}
}

CLONES void
encoder_backward(float *dw, float *db, float *dpos, const float *dout,
    const float *x, int B, int T, int F, int C)
{
	int bt, c, f, c0 = F == 5 || F == 6 ? C & ~7 : 0;

	if (F == 5)
		encoder_backward8(5, dw, db, dpos, dout, x, B, T, C);
	else if (F == 6)
		encoder_backward8(6, dw, db, dpos, dout, x, B, T, C);
	for (bt = 0; bt < B * T; bt++) {
		const float *d = dout + (size_t)bt * C, *xr = x + (size_t)bt * F;
		float *dp = dpos + (size_t)(bt % T) * C;

		for (c = c0; c < C; c++) {
			db[c] += d[c];
			dp[c] += d[c];
		}
		for (f = 0; f < F; f++)
			for (c = c0; c < C; c++)
				dw[(size_t)f * C + c] += xr[f] * d[c];
	}
}

/* Rows of a block, each of layernorm_forward's passes over the block
 * before the next: the rows' chains (sum, variance, square root,
 * division) overlap instead of following one another. */
#define LN_BLOCK	8

CLONES void
layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
    const float *g, const float *b, int N, int C)
{
	int i, i0, i1, c;

	for (i0 = 0; i0 < N; i0 = i1) {
		i1 = MIN(i0 + LN_BLOCK, N);
		for (i = i0; i < i1; i++)
			mean[i] = sum(inp + (size_t)i * C, C) / C;
		for (i = i0; i < i1; i++) {
			const float *x = inp + (size_t)i * C;
			float m = mean[i], v;
			v8 a = { 0 }, t;

			for (c = 0; c + 8 <= C; c += 8) {
				t = CV8(x + c) - m;
				a = a + t * t;
			}
			v = hsum8(&a);
			for (; c < C; c++)
				v += (x[c] - m) * (x[c] - m);
			rstd[i] = 1.0f / sqrtf(v / C + LN_EPS);
		}
		for (i = i0; i < i1; i++) {
			const float *x = inp + (size_t)i * C;
			float *o = out + (size_t)i * C, m = mean[i], s = rstd[i];

			for (c = 0; c + 8 <= C; c += 8)
				V8(o + c) = (CV8(x + c) - m) * s * CV8(g + c) +
				    CV8(b + c);
			for (; c < C; c++)
				o[c] = (x[c] - m) * s * g[c] + b[c];
		}
	}
}

CLONES void
layernorm_backward(float *dinp, float *dg, float *db, const float *dout,
    const float *inp, const float *g, const float *mean, const float *rstd,
    int N, int C)
{
	int i, c;

	for (i = 0; i < N; i++) {
		const float *x = inp + (size_t)i * C, *d = dout + (size_t)i * C;
		float *dx = dinp + (size_t)i * C, m = mean[i], s = rstd[i];
		float dm, dnm, n, dn;
		v8 a1 = { 0 }, a2 = { 0 }, nv, dv;

		for (c = 0; c + 8 <= C; c += 8) {
			nv = (CV8(x + c) - m) * s;
			dv = CV8(g + c) * CV8(d + c);
			a1 = a1 + dv;
			a2 = a2 + dv * nv;
		}
		dm = hsum8(&a1);
		dnm = hsum8(&a2);
		for (; c < C; c++) {
			n = (x[c] - m) * s;
			dn = g[c] * d[c];
			dm += dn;
			dnm += dn * n;
		}
		dm /= C;
		dnm /= C;
		for (c = 0; c + 8 <= C; c += 8) {
			nv = (CV8(x + c) - m) * s;
			dv = CV8(d + c);
			V8(db + c) = CV8(db + c) + dv;
			V8(dg + c) = CV8(dg + c) + nv * dv;
			V8(dx + c) = CV8(dx + c) + (CV8(g + c) * dv - dm - nv *
			    dnm) * s;
		}
		for (; c < C; c++) {
			n = (x[c] - m) * s;
			dn = g[c] * d[c];
			db[c] += d[c];
			dg[c] += n * d[c];
			dx[c] += (dn - dm - n * dnm) * s;
		}
	}
}

/* d = the larger of a and b lane by lane: a where a > b, else b */
#define VMAX8(d, a, b) do { \
	v8i gt_ = (a) > (b); \
	(d) = (v8)((gt_ & (v8i)(a)) | (~gt_ & (v8i)(b))); \
} while (0)

/* The max of 8 lanes: a tree of shuffles (max is exact in any order). */
INLINE float
hmax8(const v8 *vp)
{
	v8 v = *vp;

	VMAX8(v, v, SHUF(v, v, 4, 5, 6, 7, 0, 1, 2, 3));
	VMAX8(v, v, SHUF(v, v, 2, 3, 0, 1, 6, 7, 4, 5));
	VMAX8(v, v, SHUF(v, v, 1, 0, 3, 2, 5, 4, 7, 6));
	return v[0];
}

/*
 * x (n) = softmax(scale x), one row in place, in three passes while it is
 * in L1: scale and the max; exp(x - max) and its sum (8 running lanes,
 * hsum8, then the tail one by one); times 1 / sum.  The tail's exps run on
 * a vector padded with zeros.
 */
INLINE void
softmax_row(float *x, int n, float scale)
{
	v8 zero = { 0 }, vm = zero, a = zero, t, t2;
	float mx, s;
	int i, k, nb = n & ~7;

	for (i = 0; i < nb; i += 8) {
		t = CV8(x + i) * scale;
		V8(x + i) = t;
		if (i == 0)
			vm = t;
		else
			VMAX8(vm, vm, t);
	}
	mx = nb > 0 ? hmax8(&vm) : x[0] * scale;
	for (; i < n; i++) {
		x[i] *= scale;
		mx = x[i] > mx ? x[i] : mx;
	}
	for (i = 0; i + 16 <= nb; i += 16) {
		EXPV2_NEG(v8, v8i, t, CV8(x + i) - mx, t2, CV8(x + i + 8) - mx);
		V8(x + i) = t, V8(x + i + 8) = t2;
		a = a + t, a = a + t2;
	}
	if (i < nb) {
		EXPV_NEG(v8, v8i, t, CV8(x + i) - mx);
		V8(x + i) = t;
		a = a + t;
	}
	s = hsum8(&a);
	if (nb < n) {
		for (k = 0; k < 8; k++)
			t[k] = nb + k < n ? x[nb + k] - mx : 0.0f;
		EXPV_NEG(v8, v8i, t, t);
		for (k = 0; nb + k < n; k++)
			s += x[nb + k] = t[k];
	}
	s = 1.0f / s;
	for (i = 0; i < nb; i += 8)
		V8(x + i) = CV8(x + i) * s;
	for (; i < n; i++)
		x[i] *= s;
}

/*
 * Attention of 8 NB query rows of one head (NB 1, 2 or 4, a constant where
 * inlined), one row per lane of the 8-float vectors: the softmax's max and
 * sums then run down the keys without a horizontal step, and a key's
 * broadcast k[j,c] (the scores) or v[j,c] (the output) serves NB blocks of
 * 8 rows, not one (on AVX2 a broadcast from memory takes an FP port, as
 * many as the fused multiply-adds it feeds when it feeds one).
 * q (8NB,hs), k, v (T,hs), rows ld apart.  att (8NB,T) and out (8NB,hs)
 * (rows ldo apart) get the bits of the row-major kernels: a score sums its
 * hs products c ascending from zero and is then scaled; exp(x - max) sums
 * in 8 running sums by key modulo 8, added as hsum8 adds its lanes, then
 * the last T % 8 keys one by one; an output sums its T products j
 * ascending from zero.  att NULL: the probabilities are not stored.
 * scr: 8 NB (hs + T) floats.
 */
INLINE void
rows8(int NB, float *out, int ldo, float *att, const float *q,
    const float *k, const float *v, int ld, int T, int hs, float scale,
    float *scr)
{
	float *qt = scr, *pt = scr + (size_t)8 * NB * hs, *p;
	v8 zero = { 0 }, s[4][3], vm[4], r[4], t, t2;
	v8 a0, a1, a2, a3, a4, a5, a6, a7;
	int j, c, bl, n8 = 8 * NB;

	/* qt (hs,8NB) = q^T; pt (NB,T,8): the scaled scores of block bl at
	 * pt + 8 T bl, key by key, and their max; keys by 3 (the last
	 * repeated when fewer are left): 12 sums in flight */
	transpose(qt, n8, q, ld, n8, hs);
	for (j = 0; j < T; j += 3) {
		const float *k0 = k + (size_t)j * ld;
		const float *k1 = k + (size_t)MIN(j + 1, T - 1) * ld;
		const float *k2 = k + (size_t)MIN(j + 2, T - 1) * ld;

		_Pragma("GCC unroll 4")
		for (bl = 0; bl < NB; bl++)
			s[bl][0] = s[bl][1] = s[bl][2] = zero;
		for (c = 0; c < hs; c++) {
			_Pragma("GCC unroll 4")
			for (bl = 0; bl < NB; bl++) {
				t = CV8(qt + (size_t)c * n8 + 8 * bl);
				s[bl][0] = s[bl][0] + k0[c] * t;
				s[bl][1] = s[bl][1] + k1[c] * t;
				s[bl][2] = s[bl][2] + k2[c] * t;
			}
		}
		_Pragma("GCC unroll 4")
		for (bl = 0; bl < NB; bl++) {
			p = pt + ((size_t)bl * T + j) * 8;
			t = s[bl][0] * scale;
			V8(p) = t;
			if (j == 0)
				vm[bl] = t;
			else
				VMAX8(vm[bl], vm[bl], t);
			if (j + 1 < T) {
				t = s[bl][1] * scale;
				V8(p + 8) = t;
				VMAX8(vm[bl], vm[bl], t);
			}
			if (j + 2 < T) {
				t = s[bl][2] * scale;
				V8(p + 16) = t;
				VMAX8(vm[bl], vm[bl], t);
			}
		}
	}
	/* exp(x - max) and the sums, block by block, and 1 / sum */
	for (bl = 0; bl < NB; bl++) {
		p = pt + (size_t)bl * T * 8;
		a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = zero;
		for (j = 0; j + 8 <= T; j += 8) {
#define EXP2(x, y, o) do { \
	EXPV2_NEG(v8, v8i, t, CV8(p + 8 * (j + (o))) - vm[bl], t2, \
	    CV8(p + 8 * (j + (o)) + 8) - vm[bl]); \
	V8(p + 8 * (j + (o))) = t, V8(p + 8 * (j + (o)) + 8) = t2; \
	(x) = (x) + t, (y) = (y) + t2; \
} while (0)
			EXP2(a0, a1, 0);
			EXP2(a2, a3, 2);
			EXP2(a4, a5, 4);
			EXP2(a6, a7, 6);
#undef EXP2
		}
		t2 = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
		for (; j < T; j++) {
			EXPV_NEG(v8, v8i, t, CV8(p + 8 * j) - vm[bl]);
			V8(p + 8 * j) = t;
			t2 = t2 + t;
		}
		r[bl] = 1.0f / t2;
	}
	/* qt (hs,8NB) = out^T, columns of v by 3 (the last repeated when
	 * fewer are left): 12 sums in flight; the first pass turns the exps
	 * into the probabilities, exp times 1 / sum, on its way */
	for (c = 0; c < hs; c += 3) {
		int c1 = MIN(c + 1, hs - 1), c2 = MIN(c + 2, hs - 1);

		_Pragma("GCC unroll 4")
		for (bl = 0; bl < NB; bl++)
			s[bl][0] = s[bl][1] = s[bl][2] = zero;
		for (j = 0; j < T; j++) {
			const float *vj = v + (size_t)j * ld;

			_Pragma("GCC unroll 4")
			for (bl = 0; bl < NB; bl++) {
				p = pt + ((size_t)bl * T + j) * 8;
				t = CV8(p);
				if (c == 0)	/* the probabilities, once */
					V8(p) = t = t * r[bl];
				s[bl][0] = s[bl][0] + vj[c] * t;
				s[bl][1] = s[bl][1] + vj[c1] * t;
				s[bl][2] = s[bl][2] + vj[c2] * t;
			}
		}
		_Pragma("GCC unroll 4")
		for (bl = 0; bl < NB; bl++) {
			V8(qt + (size_t)c * n8 + 8 * bl) = s[bl][0];
			V8(qt + (size_t)c1 * n8 + 8 * bl) = s[bl][1];
			V8(qt + (size_t)c2 * n8 + 8 * bl) = s[bl][2];
		}
	}
	transpose(out, ldo, qt, n8, hs, n8);
	for (bl = 0; att != NULL && bl < NB; bl++)
		transpose(att + (size_t)8 * bl * T, T, pt + (size_t)bl * T * 8, 8,
		    T, 8);
}

/* rows8 for 32, 16 and 8 rows, each compiled on its own: inlined into one
 * function, their sums no longer stay in registers */
#define ROWS8(name, NB) \
static __attribute__((noinline)) CLONES void \
name(float *out, int ldo, float *att, const float *q, const float *k, \
    const float *v, int ld, int T, int hs, float scale, float *scr) \
{ \
	rows8(NB, out, ldo, att, q, k, v, ld, T, hs, scale, scr); \
}
ROWS8(rows32, 4)
ROWS8(rows16, 2)
ROWS8(rows8x1, 1)
#undef ROWS8

/*
 * out (C) = the attention output of one query row, all heads at once:
 * out[c] = sum_j p_h[j] v[j,c], h = c / hs, j ascending from zero, p_h the
 * head's probabilities (its row of att, heads pa apart), v (T,C) rows ld
 * apart.  Columns by NV vectors of 8 (hs a multiple of 8: a vector is in
 * one head), NV sums in flight where one head alone has hs / 8: a single
 * row otherwise waits on one chain of T fused multiply-adds a head.
 */
#define AVROW(NV) do { \
	v8 s_[8]; \
	const float *p_[8]; \
	int q_, j_; \
	_Pragma("GCC unroll 8") \
	for (q_ = 0; q_ < (NV); q_++) { \
		s_[q_] = zero; \
		p_[q_] = p + (size_t)((c + 8 * q_) / hs) * pa; \
	} \
	for (j_ = 0; j_ < T; j_++) \
		_Pragma("GCC unroll 8") \
		for (q_ = 0; q_ < (NV); q_++) \
			s_[q_] = s_[q_] + p_[q_][j_] * \
			    CV8(v + (size_t)j_ * ld + c + 8 * q_); \
	_Pragma("GCC unroll 8") \
	for (q_ = 0; q_ < (NV); q_++) \
		V8(out + c + 8 * q_) = s_[q_]; \
} while (0)

INLINE void
av_row(float *out, const float *p, size_t pa, const float *v, int ld, int T,
    int C, int hs)
{
	v8 zero = { 0 };
	int c = 0;

	for (; c + 64 <= C; c += 64)
		AVROW(8);
	for (; c + 32 <= C; c += 32)
		AVROW(4);
	for (; c < C; c += 8)
		AVROW(1);
}
#undef AVROW

CLONES void
attention_forward(float *out, float *att, float *tmp, const float *qkv, int B,
    int T, int nq, int C, int NH, int keep)
{
	int hs = C / NH, C3 = 3 * C, b, h, i, n, i8 = nq & ~7;
	float scale = 1.0f / sqrtf((float)hs);

	for (b = 0; b < B; b++) {
		const float *qb = qkv + (size_t)b * T * C3;
		float *ob = out + (size_t)b * nq * C;

		for (h = 0; h < NH; h++) {
			float *a = att + ((size_t)b * NH + h) * nq * T;
			const float *q = qb + (size_t)(T - nq) * C3 + h * hs;
			const float *k = qb + C + h * hs, *v = qb + 2 * C + h * hs;

			/* the query rows by 32, 16, 8 */
			for (i = 0; i < i8; i += n) {
				n = i + 32 <= i8 ? 32 : i + 16 <= i8 ? 16 : 8;
				(n == 32 ? rows32 : n == 16 ? rows16 : rows8x1)(ob +
				    (size_t)i * C + h * hs, C, keep ? a + (size_t)i *
				    T : NULL,
				    q + (size_t)i * C3, k, v, C3, T, hs, scale, tmp);
			}
			if (i8 == nq)
				continue;
			/* the last rows: tmp (hs,T) = K_h^T, the scores q.k,
			 * their softmax */
			transpose(tmp, T, k, C3, T, hs);
			mm_nn(a + (size_t)i8 * T, T, q + (size_t)i8 * C3, C3, tmp, T,
			    nq - i8, T, hs, 1.0f);
			for (i = i8; i < nq; i++)
				softmax_row(a + (size_t)i * T, T, scale);
			if (hs % 8 != 0)
				mm_nn(ob + (size_t)i8 * C + h * hs, C, a + (size_t)i8 *
				    T, T, v, C3, nq - i8, hs, T, 1.0f);
		}
		/* their outputs, all heads at once */
		for (i = i8; hs % 8 == 0 && i < nq; i++)
			av_row(ob + (size_t)i * C, att + ((size_t)b * NH * nq + i) *
			    T, (size_t)nq * T, qb + 2 * C, C3, T, C, hs);
	}
}

/* out[k] = the sum of r[k]'s 8 lanes, k 0..7, by pairs of lanes added in
 * place (the order fixed, as hsum8's) */
INLINE void
hsum8x8(float *out, const v8 *r)
{
	v8 a[4], b[2];
	int k;

	_Pragma("GCC unroll 4")
	for (k = 0; k < 4; k++)	/* lanes 0+1, 2+3 of r[2k] and r[2k+1], per half */
		a[k] = SHUF(r[2 * k], r[2 * k + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
		    SHUF(r[2 * k], r[2 * k + 1], 1, 3, 9, 11, 5, 7, 13, 15);
	_Pragma("GCC unroll 2")
	for (k = 0; k < 2; k++)
		b[k] = SHUF(a[2 * k], a[2 * k + 1], 0, 2, 8, 10, 4, 6, 12, 14) +
		    SHUF(a[2 * k], a[2 * k + 1], 1, 3, 9, 11, 5, 7, 13, 15);
	/* b[0] lanes: r0 r1 r2 r3 (low half) r0 r1 r2 r3 (high half) */
	V8(out) = SHUF(b[0], b[1], 0, 1, 2, 3, 8, 9, 10, 11) +
	    SHUF(b[0], b[1], 4, 5, 6, 7, 12, 13, 14, 15);
}

/* out (n) = a (n, rows lda apart) . b (m) for rows 0..n-1: each dot sums
 * 8 running lanes over the first m & ~7 (none: zero), hsum8x8 for rows by
 * 8 (hsum8 for the last n % 8), then adds the last m % 8 products one by
 * one */
INLINE void
dots(float *out, const float *a, size_t lda, const float *b, int n, int m)
{
	v8 zero = { 0 }, r[8];
	int i, k, v, m8 = m & ~7;

#define DOT8(r, p) do { \
	(r) = m8 > 0 ? CV8(p) * CV8(b) : zero; \
	for (v = 8; v < m8; v += 8) \
		(r) = (r) + CV8((p) + v) * CV8(b + v); \
} while (0)
#define TAIL(o, p) do { \
	for (v = m8; v < m; v++) \
		(o) += (p)[v] * b[v]; \
} while (0)
	for (i = 0; i + 8 <= n; i += 8) {
		_Pragma("GCC unroll 8")
		for (k = 0; k < 8; k++)
			DOT8(r[k], a + (size_t)(i + k) * lda);
		hsum8x8(out + i, r);
		for (k = 0; m8 < m && k < 8; k++)
			TAIL(out[i + k], a + (size_t)(i + k) * lda);
	}
	for (; i < n; i++) {
		DOT8(r[0], a + (size_t)i * lda);
		out[i] = hsum8(&r[0]);
		TAIL(out[i], a + (size_t)i * lda);
	}
#undef DOT8
#undef TAIL
}

/*
 * The last position's attention without the keys and values (layers.h):
 * per window, per head h, with Wk_h and Wv_h its hs columns of wk and wv:
 *   qk (C) = Wk_h q_h, each element a dot of hs (dots());
 *   s (T)  = softmax(scale (x_j . qk)), dots of C;
 *   z (C)  = sum_j s_j x_j, j ascending from zero (av_row);
 *   out_h  = ((sum over c = 0 mod 4 of z_c Wv_h[c]) + (c = 1 mod 4)) +
 *            ((2 mod 4) + (3 mod 4)), each c ascending; + bv_h.
 * hs not a multiple of 8: out_h's sums one float at a time.
 */
CLONES void
attention_last(float *out, float *tmp, const float *q, int ldq, const float *x,
    const float *wk, const float *wv, int ldw, const float *bv, int B, int T,
    int C, int NH)
{
	int hs = C / NH, b, h, c, i, j, v, vec = hs % 8 == 0;
	float scale = 1.0f / sqrtf((float)hs), *qk = tmp, *sc = tmp + C;
	float *z = sc + T;
	v8 zero = { 0 }, a0, a1, a2, a3;

	for (b = 0; b < B; b++) {
		const float *qb = q + (size_t)b * ldq, *xb = x + (size_t)b * T * C;
		float *ob = out + (size_t)b * C;

		for (h = 0; h < NH; h++) {
			const float *qh = qb + h * hs;

			dots(qk, wk + h * hs, ldw, qh, C, hs);
			dots(sc, xb, C, qk, T, C);
			softmax_row(sc, T, scale);
			/* z: av_row with one probability row for every column */
			if (vec)
				av_row(z, sc, 0, xb, C, T, C, hs);
			for (c = 0; !vec && c < C; c++)
				for (z[c] = 0.0f, j = 0; j < T; j++)
					z[c] += sc[j] * xb[(size_t)j * C + c];
			/* out_h, 8 columns at a time: 4 sums by c mod 4 */
			for (v = 0; vec && v < hs; v += 8) {
				const float *w = wv + h * hs + v;

				a0 = a1 = a2 = a3 = zero;
				for (c = 0; c + 4 <= C; c += 4) {
					a0 = a0 + z[c] * CV8(w + (size_t)c * ldw);
					a1 = a1 + z[c + 1] * CV8(w + (size_t)(c + 1) * ldw);
					a2 = a2 + z[c + 2] * CV8(w + (size_t)(c + 2) * ldw);
					a3 = a3 + z[c + 3] * CV8(w + (size_t)(c + 3) * ldw);
				}
				for (; c < C; c++)
					a0 = a0 + z[c] * CV8(w + (size_t)c * ldw);
				V8(ob + h * hs + v) = ((a0 + a1) + (a2 + a3)) +
				    CV8(bv + h * hs + v);
			}
			for (i = 0; !vec && i < hs; i++) {
				float s = 0.0f;

				for (c = 0; c < C; c++)
					s += z[c] * wv[(size_t)c * ldw + h * hs + i];
				ob[h * hs + i] = s + bv[h * hs + i];
			}
		}
	}
}

CLONES void
attention_backward(float *dqkv, float *tmp, const float *dout, const float *att,
    const float *qkv, int B, int T, int nq, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C, b, h, i, j;
	float scale = 1.0f / sqrtf((float)hs), *datt = tmp + (size_t)T * hs;

	for (b = 0; b < B; b++) {
		const float *qb = qkv + (size_t)b * T * C3;
		const float *db = dout + (size_t)b * nq * C;
		float *dqb = dqkv + (size_t)b * T * C3;

		/* here rather than the whole of dqkv first: in the cache */
		memset(dqb, 0, (size_t)T * C3 * sizeof *dqb);
		for (h = 0; h < NH; h++) {
			const float *a = att + ((size_t)b * NH + h) * nq * T;

			/* tmp (hs,T) = V_h^T; datt (nq,T) = dout_h V_h^T */
			transpose(tmp, T, qb + 2 * C + h * hs, C3, T, hs);
			mm_nn(datt, T, db + h * hs, C, tmp, T, nq, T, hs, 1.0f);
			/* dV_h (T,hs) += att^T dout_h */
			mm_tn_acc(dqb + 2 * C + h * hs, C3, a, T, db + h * hs, C,
			    T, hs, nq);
			/* through the softmax, with the score scale */
			for (i = 0; i < nq; i++) {
				const float *ar = a + (size_t)i * T;
				float *dr = datt + (size_t)i * T, dot = 0.0f;
				v8 acc = { 0 };

				for (j = 0; j + 8 <= T; j += 8)
					acc = acc + CV8(ar + j) * CV8(dr + j);
				dot = hsum8(&acc);
				for (; j < T; j++)
					dot += ar[j] * dr[j];
				for (j = 0; j + 8 <= T; j += 8)
					V8(dr + j) = CV8(ar + j) * (CV8(dr + j) - dot) *
					    scale;
				for (; j < T; j++)
					dr[j] = ar[j] * (dr[j] - dot) * scale;
			}
			/* dQ_h (nq,hs) += dpre K_h; dK_h (T,hs) += dpre^T Q_h */
			mm_nn_acc(dqb + (size_t)(T - nq) * C3 + h * hs, C3, datt, T,
			    qb + C + h * hs, C3, nq, hs, T);
			mm_tn_acc(dqb + C + h * hs, C3, datt, T,
			    qb + (size_t)(T - nq) * C3 + h * hs, C3, T, hs, nq);
		}
	}
}

CLONES void
gelu_forward(float *out, const float *inp, size_t n)
{
	size_t i, k;
	v8 x;

	for (i = WIDE(gelu16(out, inp, n)); i + 16 <= n; i += 16)
		GELUV2(v8, v8i, V8(out + i), CV8(inp + i), V8(out + i + 8),
		    CV8(inp + i + 8));
	for (; i < n; i += 8) {
		if (i + 8 <= n)
			x = CV8(inp + i);
		else
			for (k = 0; k < 8; k++)
				x[k] = i + k < n ? inp[i + k] : 0.0f;
		GELUV(v8, v8i, x, x);
		if (i + 8 <= n)
			V8(out + i) = x;
		else
			for (k = 0; i + k < n; k++)
				out[i + k] = x[k];
	}
}

CLONES void
gelu_backward(float *dinp, const float *inp, const float *dout, size_t n)
{
	size_t i, k;
	v8 x, x2, t, t2, d, d2;

	for (i = 0; i + 16 <= n; i += 16) {
		x = CV8(inp + i), x2 = CV8(inp + i + 8);
		d = CV8(dout + i), d2 = CV8(dout + i + 8);
		EXPV2(v8, v8i, t, -2.0f * GELU_U(x), t2, -2.0f * GELU_U(x2));
		GELU_GRAD(v8, d, x, t);
		GELU_GRAD(v8, d2, x2, t2);
		V8(dinp + i) = d;
		V8(dinp + i + 8) = d2;
	}
	for (; i < n; i += 8) {
		if (i + 8 <= n) {
			x = CV8(inp + i);
			d = CV8(dout + i);
		} else
			for (k = 0; k < 8; k++) {
				x[k] = i + k < n ? inp[i + k] : 0.0f;
				d[k] = i + k < n ? dout[i + k] : 0.0f;
			}
		EXPV(v8, v8i, t, -2.0f * GELU_U(x));
		GELU_GRAD(v8, d, x, t);
		if (i + 8 <= n)
			V8(dinp + i) = d;
		else
			for (k = 0; i + k < n; k++)
				dinp[i + k] = d[k];
	}
}

CLONES void
residual_forward(float *out, const float *a, const float *b, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		V8(out + i) = CV8(a + i) + CV8(b + i);
	for (; i < n; i++)
		out[i] = a[i] + b[i];
}

void
loss_forward(float *loss, float *probs, const float *logits, const float *ghost,
    const int *label, const float *cw, const float *target, const float *mask,
    int B, int G)
{
	int i, j, k;

	for (i = 0; i < B; i++) {
		const float *z = logits + i * 3;
		double mx = z[0], s = 0.0, e[3], l;

		for (j = 1; j < 3; j++)
			mx = z[j] > mx ? z[j] : mx;
		for (j = 0; j < 3; j++)
			s += e[j] = exp(z[j] - mx);
		for (j = 0; j < 3; j++)
			probs[i * 3 + j] = (float)(e[j] / s);
		if (label == NULL)
			continue;
		l = log(s) + mx - z[label[i]];
		if (cw != NULL)
			l *= cw[label[i]];
		for (k = 0; target != NULL && mask != NULL && k < G; k++) {
			const float *gh = ghost + (size_t)(i * G + k) * 4;
			const float *tg = target + (size_t)(i * G + k) * 4;
			double g = 0.0, t;

			if (mask[i * G + k] == 0.0f)
				continue;
			for (j = 0; j < 4; j++) {
				t = (double)gh[j] - tg[j];
				g += t * t;
			}
			l += GHOST_W * mask[i * G + k] * g / (4 * G);
		}
		loss[i] = (float)l;
	}
}

void
loss_backward(float *dlogits, float *dghost, const float *probs,
    const float *ghost, const int *label, const float *cw,
    const float *target, const float *mask, float scale, int B, int G)
{
	float w;
	int i, j, k;

	for (i = 0; i < B; i++) {
		w = cw != NULL ? scale * cw[label[i]] : scale;
		for (j = 0; j < 3; j++)
			dlogits[i * 3 + j] += w * (probs[i * 3 + j] -
			    (j == label[i] ? 1.0f : 0.0f));
		if (target == NULL || mask == NULL)
			continue;
		for (k = 0; k < G; k++) {
			size_t o = (size_t)(i * G + k) * 4;

			for (j = 0; j < 4; j++)
				dghost[o + j] += scale * GHOST_W * mask[i * G +
				    k] * 2.0f * (ghost[o + j] - target[o + j]) /
				    (4 * G);
		}
	}
}

/* Huber's loss with threshold 1, and its derivative. */
static double
huber(double r)
{
	return fabs(r) <= 1.0 ? 0.5 * r * r : fabs(r) - 0.5;
}

static double
dhuber(double r)
{
	return r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r;
}

void
pivloss_forward(float *loss, const float *out, const float *target,
    const float *mask, const float *pw, int B, int P)
{
	static const float dflt[3] = { PIVW_TYPE, PIVW_PRICE, PIVW_DIST };
	int i, j;

	if (pw == NULL)
		pw = dflt;
	for (i = 0; i < B; i++) {
		double l = 0.0;

		for (j = 0; j < P; j++) {
			const float *o = out + (size_t)(i * P + j) * 3;
			const float *t = target + (size_t)(i * P + j) * 3;
			double z = o[0], bce;

			if (mask[i * P + j] == 0.0f)
				continue;
			/* log(1 + e^z) - y z, without overflow */
			bce = (z > 0 ? z : 0.0) - t[0] * z + log1p(exp(-fabs(z)));
			l += mask[i * P + j] * (pw[0] * bce +
			    pw[1] * huber((double)o[1] - t[1]) +
			    pw[2] * huber((double)o[2] - t[2]));
		}
		loss[i] = (float)((double)loss[i] + l);
	}
}

void
pivloss_backward(float *dout, const float *out, const float *target,
    const float *mask, const float *pw, float scale, int B, int P)
{
	static const float dflt[3] = { PIVW_TYPE, PIVW_PRICE, PIVW_DIST };
	int i, j;

	if (pw == NULL)
		pw = dflt;
	for (i = 0; i < B; i++)
		for (j = 0; j < P; j++) {
			size_t o = (size_t)(i * P + j) * 3;
			double w = (double)scale * mask[i * P + j];

			if (mask[i * P + j] == 0.0f)
				continue;
			dout[o] += (float)(w * pw[0] * (1.0 / (1.0 +
			    exp(-(double)out[o])) - target[o]));
			dout[o + 1] += (float)(w * pw[1] *
			    dhuber((double)out[o + 1] - target[o + 1]));
			dout[o + 2] += (float)(w * pw[2] *
			    dhuber((double)out[o + 2] - target[o + 2]));
		}
}

/* A row's mean and 1/sqrt(variance + eps), in double. */
static void
ln_stats_ref(const float *x, int C, double *mean, double *rstd)
{
	double m = 0.0, v = 0.0;
	int c;

	for (c = 0; c < C; c++)
		m += x[c];
	m /= C;
	for (c = 0; c < C; c++)
		v += (x[c] - m) * (x[c] - m);
	*mean = m;
	*rstd = 1.0 / sqrt(v / C + LN_EPS);
}

void
layernorm_forward_ref(float *out, float *mean, float *rstd, const float *inp,
    const float *g, const float *b, int N, int C)
{
	int i, c;

	for (i = 0; i < N; i++) {
		const float *x = inp + (size_t)i * C;
		double m, s;

		ln_stats_ref(x, C, &m, &s);
		for (c = 0; c < C; c++)
			out[(size_t)i * C + c] = (float)((x[c] - m) * s * g[c] + b[c]);
		mean[i] = (float)m;
		rstd[i] = (float)s;
	}
}

void
layernorm_backward_ref(float *dinp, float *dg, float *db, const float *dout,
    const float *inp, const float *g, int N, int C)
{
	int i, c;

	for (i = 0; i < N; i++) {
		const float *x = inp + (size_t)i * C, *d = dout + (size_t)i * C;
		double m, s, dm = 0.0, dnm = 0.0, n;

		ln_stats_ref(x, C, &m, &s);
		for (c = 0; c < C; c++) {
			n = (x[c] - m) * s;
			dm += (double)g[c] * d[c];
			dnm += (double)g[c] * d[c] * n;
		}
		dm /= C;
		dnm /= C;
		for (c = 0; c < C; c++) {
			n = (x[c] - m) * s;
			db[c] += d[c];
			dg[c] += (float)(n * d[c]);
			dinp[(size_t)i * C + c] += (float)(((double)g[c] * d[c] -
			    dm - n * dnm) * s);
		}
	}
}

void
attention_forward_ref(float *out, float *att, const float *qkv, int B, int T,
    int nq, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C, b, h, i, j, k;
	double scale = 1.0 / sqrt(hs), e[T], mx, s;

	for (b = 0; b < B; b++)
		for (h = 0; h < NH; h++)
			for (i = 0; i < nq; i++) {
				const float *q = qkv + ((size_t)b * T + T - nq + i) *
				    C3 + h * hs;
				float *a = att + (((size_t)b * NH + h) * nq + i) * T;

				mx = -HUGE_VAL;
				for (j = 0; j < T; j++) {
					const float *kk = qkv + ((size_t)b * T + j) *
					    C3 + C + h * hs;

					e[j] = 0.0;
					for (k = 0; k < hs; k++)
						e[j] += (double)q[k] * kk[k];
					e[j] *= scale;
					mx = e[j] > mx ? e[j] : mx;
				}
				s = 0.0;
				for (j = 0; j < T; j++)
					s += e[j] = exp(e[j] - mx);
				for (j = 0; j < T; j++)
					a[j] = (float)(e[j] / s);
				for (k = 0; k < hs; k++) {
					double o = 0.0;

					for (j = 0; j < T; j++)
						o += e[j] / s * qkv[((size_t)b * T +
						    j) * C3 + 2 * C + h * hs + k];
					out[((size_t)b * nq + i) * C + h * hs + k] =
					    (float)o;
				}
			}
}

void
attention_backward_ref(float *dqkv, const float *dout, const float *att,
    const float *qkv, int B, int T, int nq, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C, b, h, i, j, k;
	double scale = 1.0 / sqrt(hs), da[T], dot;

	memset(dqkv, 0, (size_t)B * T * C3 * sizeof *dqkv);
	for (b = 0; b < B; b++)
		for (h = 0; h < NH; h++)
			for (i = 0; i < nq; i++) {
				size_t qrow = ((size_t)b * T + T - nq + i) * C3;
				const float *a = att + (((size_t)b * NH + h) * nq +
				    i) * T;
				const float *d = dout + ((size_t)b * nq + i) * C +
				    h * hs;

				dot = 0.0;
				for (j = 0; j < T; j++) {
					size_t r = ((size_t)b * T + j) * C3;

					da[j] = 0.0;
					for (k = 0; k < hs; k++) {
						da[j] += (double)d[k] *
						    qkv[r + 2 * C + h * hs + k];
						dqkv[r + 2 * C + h * hs + k] +=
						    a[j] * d[k];
					}
					dot += a[j] * da[j];
				}
				for (j = 0; j < T; j++) {
					size_t r = ((size_t)b * T + j) * C3;
					double dp = a[j] * (da[j] - dot) * scale;

					for (k = 0; k < hs; k++) {
						dqkv[qrow + h * hs + k] += (float)(dp *
						    qkv[r + C + h * hs + k]);
						dqkv[r + C + h * hs + k] += (float)(dp *
						    qkv[qrow + h * hs + k]);
					}
				}
			}
}

void
gelu_forward_ref(float *out, const float *inp, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double x = inp[i];

		out[i] = (float)(0.5 * x * (1.0 + tanh(0.7978845608028654 *
		    (x + 0.044715 * x * x * x))));
	}
}

void
gelu_backward_ref(float *dinp, const float *inp, const float *dout, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double x = inp[i], u, t;

		u = 0.7978845608028654 * (x + 0.044715 * x * x * x);
		t = tanh(u);
		dinp[i] = (float)(dout[i] * (0.5 * (1.0 + t) + 0.5 * x *
		    (1.0 - t * t) * 0.7978845608028654 *
		    (1.0 + 3 * 0.044715 * x * x)));
	}
}
