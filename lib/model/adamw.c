/*
 * adamw.c - global gradient-norm clipping then one AdamW step, exactly as
 * torch.nn.utils.clip_grad_norm_ followed by torch.optim.AdamW.
 */
#include <math.h>
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

/* The new value of one parameter and its moments, in place. */
static inline void
adamw_one(float *p, float *mm, float *v, float g, float decay, float b1,
    float b2, float step_size, float bc2s, float eps)
{
	*p *= decay;
	*mm = *mm * b1 + g * (1.0f - b1);
	*v = *v * b2 + g * g * (1.0f - b2);
	*p += -step_size * (*mm / (sqrtf(*v) / bc2s + eps));
}

/*
 * Issue 19, 6: a step that would make anything not finite is not applied.
 * The gradient norm is checked first; then a dry pass computes every new
 * value on copies (the optimizer is O(nparams), small beside the forward
 * and backward passes) and only a clean pass is applied, with the same
 * arithmetic, so an applied step is bit for bit the step it always was.
 */
float
adamw_step(struct model *m, const struct adamw *o)
{
	double norm = 0.0, bc1, bc2;
	float coef, step_size, bc2s, decay, pn, mn, vn;
	size_t j, n;
	int i, pass;

	if (m->step == UINT64_MAX)	/* the generation would wrap to 0 */
		return INFINITY;
	for (j = 0; j < m->nparams; j++)
		norm += (double)m->grads[j] * m->grads[j];
	norm = sqrt(norm);
	if (!isfinite(norm))
		return (float)norm;
	/* clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1 */
	if (o->clip > 0 && (coef = (float)(o->clip / (norm + 1e-6))) < 1.0f)
		for (j = 0; j < m->nparams; j++)
			m->grads[j] *= coef;
	bc1 = 1.0 - pow(o->beta1, (double)(m->step + 1));
	bc2 = 1.0 - pow(o->beta2, (double)(m->step + 1));
	step_size = (float)(o->lr / bc1);
	bc2s = (float)sqrt(bc2);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < m->ntensors; i++) {
			const struct model_tensor *t = &m->tensor[i];
			float *p = m->params + t->offset, *g = m->grads + t->offset;
			float *mm = m->m + t->offset, *v = m->v + t->offset;
			float b1 = o->beta1, b2 = o->beta2, eps = o->eps;

			decay = (float)(1.0 - (double)o->lr *
			    (t->decay ? o->weight_decay : 0));
			n = (size_t)t->rows * t->cols;
			if (pass == 1) {
				for (j = 0; j < n; j++)
					adamw_one(&p[j], &mm[j], &v[j], g[j],
					    decay, b1, b2, step_size, bc2s, eps);
				continue;
			}
			for (j = 0; j < n; j++) {
				pn = p[j];
				mn = mm[j];
				vn = v[j];
				adamw_one(&pn, &mn, &vn, g[j], decay, b1, b2,
				    step_size, bc2s, eps);
				if (!isfinite(pn) || !isfinite(mn) ||
				    !isfinite(vn))
					return INFINITY;
			}
		}
	m->step++;
	return (float)norm;
}
