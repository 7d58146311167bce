/*
 * layers.c - forward and backward of each layer of the model (see layers.h).
 * The element-wise loops run on 8-float vectors (GCC vector extension) with
 * a fixed order of operations, so a row's result depends on that row only;
 * exp is our own (Cody-Waite reduction and a degree-7 polynomial, within
 * 2 ulp), so that GELU and softmax vectorize and give the same bits on
 * every x86-64.
 */
#include <math.h>
#include <string.h>

#include "layers.h"
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
#define INLINE static inline __attribute__((always_inline))

typedef float v8 __attribute__((vector_size(32), aligned(4)));
typedef int v8i __attribute__((vector_size(32), aligned(4)));
#define V8(p)	(*(v8 *)(p))
#define CV8(p)	(*(const v8 *)(p))

#define LN_EPS		1e-5f
#define GELU_K0		0.7978845608028654f	/* sqrt(2/pi) */
#define GELU_K1		0.044715f
#define GHOST_W		0.1f

/* y[0..8) = exp(x[0..8)), x clamped to [-87.3, 88]. */
INLINE void
exp8(float *y, const float *x)
{
	v8 v = CV8(x), n, r, p;
	v8i e, m, lo = (v8i)((v8){ 0 } - 87.3f), hi = (v8i)((v8){ 0 } + 88.0f);

	m = v < -87.3f;
	v = (v8)((m & lo) | (~m & (v8i)v));
	m = v > 88.0f;
	v = (v8)((m & hi) | (~m & (v8i)v));
	/* n = round(v / ln 2) by the 1.5 * 2^23 trick */
	n = v * 1.44269504f + 12582912.0f;
	n = n - 12582912.0f;
	r = v - n * 0.693359375f;
	r = r - n * -2.12194440e-4f;
	p = r * (1.0f / 5040) + 1.0f / 720;
	p = p * r + 1.0f / 120;
	p = p * r + 1.0f / 24;
	p = p * r + 1.0f / 6;
	p = p * r + 0.5f;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	e = (__builtin_convertvector(n, v8i) + 127) << 23;
	V8(y) = p * (v8)e;
}

/* Sum of 8 lanes in a fixed order. */
INLINE float
hsum8(const v8 *vp)
{
	v8 v = *vp;

	return ((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]));
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

CLONES void
encoder_forward(float *out, const float *x, const float *w, const float *b,
    const float *pos, int B, int T, int F, int C)
{
	int bt, c, f;

	for (bt = 0; bt < B * T; bt++) {
		float *o = out + (size_t)bt * C;
		const float *xr = x + (size_t)bt * F, *p = pos + (size_t)(bt % T) * C;

		for (c = 0; c + 8 <= C; c += 8) {
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

void
encoder_backward(float *dw, float *db, float *dpos, const float *dout,
    const float *x, int B, int T, int F, int C)
{
	int bt, c, f;

	for (bt = 0; bt < B * T; bt++) {
		const float *d = dout + (size_t)bt * C, *xr = x + (size_t)bt * F;
		float *dp = dpos + (size_t)(bt % T) * C;

		for (c = 0; c < C; c++) {
			db[c] += d[c];
			dp[c] += d[c];
		}
		for (f = 0; f < F; f++)
			for (c = 0; c < C; c++)
				dw[(size_t)f * C + c] += xr[f] * d[c];
	}
}

CLONES void
layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
    const float *g, const float *b, int N, int C)
{
	int i, c;

	for (i = 0; i < N; i++) {
		const float *x = inp + (size_t)i * C;
		float *o = out + (size_t)i * C, m, v, s;
		v8 a = { 0 }, t;

		m = sum(x, C) / C;
		for (c = 0; c + 8 <= C; c += 8) {
			t = CV8(x + c) - m;
			a = a + t * t;
		}
		v = hsum8(&a);
		for (; c < C; c++)
			v += (x[c] - m) * (x[c] - m);
		s = 1.0f / sqrtf(v / C + LN_EPS);
		for (c = 0; c + 8 <= C; c += 8)
			V8(o + c) = (CV8(x + c) - m) * s * CV8(g + c) + CV8(b + c);
		for (; c < C; c++)
			o[c] = (x[c] - m) * s * g[c] + b[c];
		mean[i] = m;
		rstd[i] = s;
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
		for (c = 0; c < C; c++) {
			n = (x[c] - m) * s;
			dn = g[c] * d[c];
			db[c] += d[c];
			dg[c] += n * d[c];
			dx[c] += (dn - dm - n * dnm) * s;
		}
	}
}

/* x[0..n) = softmax(x[0..n)) in place. */
INLINE void
softmax_row(float *x, int n)
{
	float mx = x[0], s, t[8];
	v8 vm;
	int i, k;

	if (n >= 8) {
		vm = CV8(x);
		for (i = 8; i + 8 <= n; i += 8) {
			v8i gt = CV8(x + i) > vm;

			vm = (v8)((gt & (v8i)CV8(x + i)) | (~gt & (v8i)vm));
		}
		for (k = 0; k < 8; k++)
			mx = vm[k] > mx ? vm[k] : mx;
	}
	for (i = n & ~7; i < n; i++)
		mx = x[i] > mx ? x[i] : mx;
	for (i = 0; i + 8 <= n; i += 8) {
		V8(x + i) = CV8(x + i) - mx;
		exp8(x + i, x + i);
	}
	if (i < n) {
		for (k = 0; k < 8; k++)
			t[k] = i + k < n ? x[i + k] - mx : 0.0f;
		exp8(t, t);
		for (k = 0; i + k < n; k++)
			x[i + k] = t[k];
	}
	s = 1.0f / sum(x, n);
	for (i = 0; i + 8 <= n; i += 8)
		V8(x + i) = CV8(x + i) * s;
	for (; i < n; i++)
		x[i] *= s;
}

CLONES void
attention_forward(float *out, float *att, float *tmp, const float *qkv, int B,
    int T, int nq, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C, b, h, i, j;
	float scale = 1.0f / sqrtf((float)hs);

	for (b = 0; b < B; b++) {
		const float *qb = qkv + (size_t)b * T * C3;

		for (h = 0; h < NH; h++) {
			float *a = att + ((size_t)b * NH + h) * nq * T;

			/* tmp (hs,T) = K_h^T */
			for (j = 0; j < T; j++)
				for (i = 0; i < hs; i++)
					tmp[(size_t)i * T + j] =
					    qb[(size_t)j * C3 + C + h * hs + i];
			mm_nn(a, T, qb + (size_t)(T - nq) * C3 + h * hs, C3, tmp, T,
			    nq, T, hs, scale);
			for (i = 0; i < nq; i++)
				softmax_row(a + (size_t)i * T, T);
			mm_nn(out + (size_t)b * nq * C + h * hs, C, a, T,
			    qb + 2 * C + h * hs, C3, nq, hs, T, 1.0f);
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

		for (h = 0; h < NH; h++) {
			const float *a = att + ((size_t)b * NH + h) * nq * T;

			/* tmp (hs,T) = V_h^T; datt (nq,T) = dout_h V_h^T */
			for (j = 0; j < T; j++)
				for (i = 0; i < hs; i++)
					tmp[(size_t)i * T + j] =
					    qb[(size_t)j * C3 + 2 * C + h * hs + i];
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
				for (j = 0; j < T; j++)
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
	float t[8];
	size_t i, k;
	v8 x, u;

	for (i = 0; i < n; i += 8) {
		if (i + 8 <= n)
			x = CV8(inp + i);
		else
			for (k = 0; k < 8; k++)
				x[k] = i + k < n ? inp[i + k] : 0.0f;
		/* 0.5 x (1 + tanh u) = x / (1 + exp(-2u)) */
		u = GELU_K0 * (x + GELU_K1 * x * x * x);
		V8(t) = -2.0f * u;
		exp8(t, t);
		x = x / (1.0f + CV8(t));
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
	float t[8];
	size_t i, k;
	v8 x, u, s, d;

	for (i = 0; i < n; i += 8) {
		if (i + 8 <= n) {
			x = CV8(inp + i);
			d = CV8(dout + i);
		} else
			for (k = 0; k < 8; k++) {
				x[k] = i + k < n ? inp[i + k] : 0.0f;
				d[k] = i + k < n ? dout[i + k] : 0.0f;
			}
		u = GELU_K0 * (x + GELU_K1 * x * x * x);
		V8(t) = -2.0f * u;
		exp8(t, t);
		s = 1.0f / (1.0f + CV8(t));	/* (1 + tanh u) / 2 */
		/* d/dx x s(u) = s + x s (1 - s) 2 u'(x) */
		d = d * (s + x * s * (1.0f - s) * 2.0f * GELU_K0 *
		    (1.0f + 3.0f * GELU_K1 * x * x));
		if (i + 8 <= n)
			V8(dinp + i) = CV8(dinp + i) + d;
		else
			for (k = 0; i + k < n; k++)
				dinp[i + k] += d[k];
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
    const int *label, const float *target, const float *mask, int B)
{
	int i, j;

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
		if (target != NULL && mask != NULL && mask[i] != 0.0f) {
			double g = 0.0, t;

			for (j = 0; j < 4; j++) {
				t = (double)ghost[i * 4 + j] - target[i * 4 + j];
				g += t * t;
			}
			l += GHOST_W * mask[i] * g / 4;
		}
		loss[i] = (float)l;
	}
}

void
loss_backward(float *dlogits, float *dghost, const float *probs,
    const float *ghost, const int *label, const float *target,
    const float *mask, float scale, int B)
{
	int i, j;

	for (i = 0; i < B; i++) {
		for (j = 0; j < 3; j++)
			dlogits[i * 3 + j] += scale * (probs[i * 3 + j] -
			    (j == label[i] ? 1.0f : 0.0f));
		if (target == NULL || mask == NULL)
			continue;
		for (j = 0; j < 4; j++)
			dghost[i * 4 + j] += scale * GHOST_W * mask[i] * 2.0f *
			    (ghost[i * 4 + j] - target[i * 4 + j]) / 4;
	}
}

void
layernorm_forward_ref(float *out, float *mean, float *rstd, const float *inp,
    const float *g, const float *b, int N, int C)
{
	int i, c;

	for (i = 0; i < N; i++) {
		const float *x = inp + (size_t)i * C;
		double m = 0.0, v = 0.0, s;

		for (c = 0; c < C; c++)
			m += x[c];
		m /= C;
		for (c = 0; c < C; c++)
			v += (x[c] - m) * (x[c] - m);
		s = 1.0 / sqrt(v / C + LN_EPS);
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
		double m = 0.0, v = 0.0, s, dm = 0.0, dnm = 0.0, n;

		for (c = 0; c < C; c++)
			m += x[c];
		m /= C;
		for (c = 0; c < C; c++)
			v += (x[c] - m) * (x[c] - m);
		s = 1.0 / sqrt(v / C + LN_EPS);
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
		dinp[i] += (float)(dout[i] * (0.5 * (1.0 + t) + 0.5 * x *
		    (1.0 - t * t) * 0.7978845608028654 *
		    (1.0 + 3 * 0.044715 * x * x)));
	}
}
