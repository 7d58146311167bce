/*
 * model_golden_ctx: model_golden (the C model against PyTorch) for a model
 * with contexts: two timeframes and a reference, each with its own input
 * projection and positions (issue 17).  The fixture is
 * tests/ref/model_golden_ctx.bin, written by tests/ref/model_ref.py --ctx.
 */
#define GOLDEN_CTX
#include "model_golden.c"
