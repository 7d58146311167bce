/*
 * adamw.c - global gradient-norm clipping then one AdamW step, exactly as
 * torch.nn.utils.clip_grad_norm_ followed by torch.optim.AdamW.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

void
adamw_default(struct adamw *o)
{
	o->lr = 1e-3f;
	o->beta1 = 0.9f;
	o->beta2 = 0.999f;
	o->eps = 1e-8f;
	o->weight_decay = 0.01f;
	o->clip = 1.0f;
}

/*
 * The update of n parameters: per element, in this order and unfused,
 * p = p decay; m = m b1 + g (1 - b1); v = v b2 + g g (1 - b2);
 * p = p + -step (m / (sqrt(v) / bc2s + eps)).  Every operation is an IEEE
 * one, correctly rounded, so the 8-lane version below gives the same bits.
 */
static void
update(float *p, const float *g, float *mm, float *v, size_t n, float decay,
    float b1, float b2, float eps, float step_size, float bc2s)
{
	size_t j;

	for (j = 0; j < n; j++) {
		p[j] *= decay;
		mm[j] = mm[j] * b1 + g[j] * (1.0f - b1);
		v[j] = v[j] * b2 + g[j] * g[j] * (1.0f - b2);
		p[j] += -step_size * (mm[j] / (sqrtf(v[j]) / bc2s + eps));
	}
}

/*
 * Issue 19, 6: whether update() would leave every value finite, computed
 * on copies with the same operations (so the same bits as update() and
 * update8()), nothing written.  O(n), small beside a forward and backward.
 */
static int
update_finite(const float *p, const float *g, const float *mm, const float *v,
    size_t n, float decay, float b1, float b2, float eps, float step_size,
    float bc2s)
{
	float pn, mn, vn;
	size_t j;

	for (j = 0; j < n; j++) {
		pn = p[j] * decay;
		mn = mm[j] * b1 + g[j] * (1.0f - b1);
		vn = v[j] * b2 + g[j] * g[j] * (1.0f - b2);
		pn += -step_size * (mn / (sqrtf(vn) / bc2s + eps));
		if (!isfinite(pn) || !isfinite(mn) || !isfinite(vn))
			return 0;
	}
	return 1;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>

/*
 * update() 8 lanes at a time (AVX), the same bits (see update()), the tail
 * left to the scalar loops.  write 1: the update, returning the elements
 * done; write 0: update_finite()'s check, nothing written, returning the
 * elements checked, or 0 when one is not finite (x * 0 is NaN exactly
 * when x is infinite or NaN).
 */
__attribute__((target("avx"), always_inline))
static inline size_t
step8(int write, float *p, const float *g, float *mm, float *v, size_t n,
    float decay, float b1, float b2, float eps, float step_size, float bc2s)
{
	__m256 vd = _mm256_set1_ps(decay), vb1 = _mm256_set1_ps(b1);
	__m256 vb2 = _mm256_set1_ps(b2), c1 = _mm256_set1_ps(1.0f - b1);
	__m256 c2 = _mm256_set1_ps(1.0f - b2), ve = _mm256_set1_ps(eps);
	__m256 vs = _mm256_set1_ps(-step_size), vc = _mm256_set1_ps(bc2s);
	__m256 z = _mm256_setzero_ps(), acc = z, pp, gg, m1, v1;
	size_t j;

	for (j = 0; j + 8 <= n; j += 8) {
		gg = _mm256_loadu_ps(g + j);
		pp = _mm256_mul_ps(_mm256_loadu_ps(p + j), vd);
		m1 = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(mm + j), vb1),
		    _mm256_mul_ps(gg, c1));
		v1 = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + j), vb2),
		    _mm256_mul_ps(_mm256_mul_ps(gg, gg), c2));
		pp = _mm256_add_ps(pp, _mm256_mul_ps(vs, _mm256_div_ps(m1,
		    _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(v1), vc), ve))));
		if (write) {
			_mm256_storeu_ps(mm + j, m1);
			_mm256_storeu_ps(v + j, v1);
			_mm256_storeu_ps(p + j, pp);
		} else
			acc = _mm256_add_ps(acc, _mm256_add_ps(_mm256_mul_ps(pp,
			    z), _mm256_add_ps(_mm256_mul_ps(m1, z),
			    _mm256_mul_ps(v1, z))));
	}
	return _mm256_movemask_ps(_mm256_cmp_ps(acc, acc, _CMP_UNORD_Q)) ? 0 :
	    j;
}

__attribute__((target("avx")))
static size_t
update8(float *p, const float *g, float *mm, float *v, size_t n, float decay,
    float b1, float b2, float eps, float step_size, float bc2s)
{
	return step8(1, p, g, mm, v, n, decay, b1, b2, eps, step_size, bc2s);
}

__attribute__((target("avx")))
static size_t
finite8(float *p, const float *g, float *mm, float *v, size_t n, float decay,
    float b1, float b2, float eps, float step_size, float bc2s)
{
	return step8(0, p, g, mm, v, n, decay, b1, b2, eps, step_size, bc2s);
}

/* The squares of g (n) in the four running sums s (lane k: elements k mod
 * 4), each square and sum in double as the scalar loop does them: the
 * same bits; returns the elements done. */
__attribute__((target("avx")))
static size_t
squares4(double s[4], const float *g, size_t n)
{
	__m256d acc = _mm256_loadu_pd(s), x;
	size_t j;

	for (j = 0; j + 4 <= n; j += 4) {
		x = _mm256_cvtps_pd(_mm_loadu_ps(g + j));
		acc = _mm256_add_pd(acc, _mm256_mul_pd(x, x));
	}
	_mm256_storeu_pd(s, acc);
	return j;
}

/* g (n) *= c, 8 at a time; returns the elements done */
__attribute__((target("avx")))
static size_t
scale8(float *g, size_t n, float c)
{
	__m256 vc = _mm256_set1_ps(c);
	size_t j;

	for (j = 0; j + 8 <= n; j += 8)
		_mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(g + j), vc));
	return j;
}
#define AVX	__builtin_cpu_supports("avx")
#define UPDATE8(...)	(AVX ? update8(__VA_ARGS__) : 0)
#define FINITE8(...)	(AVX ? finite8(__VA_ARGS__) : 0)
#define SQUARES4(s, g, n)	(AVX ? squares4(s, g, n) : 0)
#define SCALE8(g, n, c)	(AVX ? scale8(g, n, c) : 0)
#else
#define UPDATE8(...)	0
#define FINITE8(...)	0
#define SQUARES4(s, g, n)	0
#define SCALE8(g, n, c)	0
#endif

float
adamw_step(struct model *m, const struct adamw *o)
{
	double norm, s[4] = { 0, 0, 0, 0 }, bc1, bc2;
	float coef, step_size, bc2s, decay;
	size_t j, n, k;
	int i;

	/* the squares in four running sums (j mod 4), then added in order */
	for (j = SQUARES4(s, m->grads, m->nparams); j + 4 <= m->nparams; j += 4)
		for (k = 0; k < 4; k++)
			s[k] += (double)m->grads[j + k] * m->grads[j + k];
	for (; j < m->nparams; j++)
		s[0] += (double)m->grads[j] * m->grads[j];
	norm = sqrt((s[0] + s[1]) + (s[2] + s[3]));
	/* issue 19, 6: a step is applied whole or not at all */
	if (!isfinite(norm) || m->step == UINT64_MAX)	/* or wrap to 0 */
		return isfinite(norm) ? INFINITY : (float)norm;
	/* clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1 */
	if (o->clip > 0 && (coef = (float)(o->clip / (norm + 1e-6))) < 1.0f)
		for (j = SCALE8(m->grads, m->nparams, coef); j < m->nparams; j++)
			m->grads[j] *= coef;
	bc1 = 1.0 - pow(o->beta1, (double)(m->step + 1));
	bc2 = 1.0 - pow(o->beta2, (double)(m->step + 1));
	step_size = (float)(o->lr / bc1);
	bc2s = (float)sqrt(bc2);
	for (i = 0; i < m->ntensors; i++) {	/* the dry pass */
		const struct model_tensor *t = &m->tensor[i];
		size_t off = t->offset;

		decay = (float)(1.0 - (double)o->lr * (t->decay ? o->weight_decay : 0));
		n = (size_t)t->rows * t->cols;
		j = FINITE8(m->params + off, m->grads + off, m->m + off,
		    m->v + off, n, decay, o->beta1, o->beta2, o->eps, step_size,
		    bc2s);
		/* j 0: none checked yet, or one not finite: all again */
		if (!update_finite(m->params + off + j, m->grads + off + j,
		    m->m + off + j, m->v + off + j, n - j, decay, o->beta1,
		    o->beta2, o->eps, step_size, bc2s))
			return INFINITY;
	}
	m->step++;
	for (i = 0; i < m->ntensors; i++) {
		const struct model_tensor *t = &m->tensor[i];
		float *p = m->params + t->offset, *g = m->grads + t->offset;
		float *mm = m->m + t->offset, *v = m->v + t->offset;

		decay = (float)(1.0 - (double)o->lr * (t->decay ? o->weight_decay : 0));
		n = (size_t)t->rows * t->cols;
		j = UPDATE8(p, g, mm, v, n, decay, o->beta1, o->beta2, o->eps,
		    step_size, bc2s);
		update(p + j, g + j, mm + j, v + j, n - j, decay, o->beta1,
		    o->beta2, o->eps, step_size, bc2s);
	}
	return (float)norm;
}
