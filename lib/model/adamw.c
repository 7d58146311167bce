/*
 * adamw.c - global gradient-norm clipping then one AdamW step, exactly as
 * torch.nn.utils.clip_grad_norm_ followed by torch.optim.AdamW.
 */
#include <math.h>

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

float
adamw_step(struct model *m, const struct adamw *o)
{
	double norm = 0.0, bc1, bc2;
	float coef, step_size, bc2s, decay;
	size_t j, n;
	int i;

	for (j = 0; j < m->nparams; j++)
		norm += (double)m->grads[j] * m->grads[j];
	norm = sqrt(norm);
	/* clip_grad_norm_: scale by max_norm / (norm + 1e-6) when below 1 */
	if (o->clip > 0 && (coef = (float)(o->clip / (norm + 1e-6))) < 1.0f)
		for (j = 0; j < m->nparams; j++)
			m->grads[j] *= coef;
	m->step++;
	bc1 = 1.0 - pow(o->beta1, (double)m->step);
	bc2 = 1.0 - pow(o->beta2, (double)m->step);
	step_size = (float)(o->lr / bc1);
	bc2s = (float)sqrt(bc2);
	for (i = 0; i < m->ntensors; i++) {
		const struct model_tensor *t = &m->tensor[i];
		float *p = m->params + t->offset, *g = m->grads + t->offset;
		float *mm = m->m + t->offset, *v = m->v + t->offset;
		float b1 = o->beta1, b2 = o->beta2, eps = o->eps;

		decay = (float)(1.0 - (double)o->lr * (t->decay ? o->weight_decay : 0));
		n = (size_t)t->rows * t->cols;
		for (j = 0; j < n; j++) {
			p[j] *= decay;
			mm[j] = mm[j] * b1 + g[j] * (1.0f - b1);
			v[j] = v[j] * b2 + g[j] * g[j] * (1.0f - b2);
			p[j] += -step_size * (mm[j] / (sqrtf(v[j]) / bc2s + eps));
		}
	}
	return (float)norm;
}
