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
