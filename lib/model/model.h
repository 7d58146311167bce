/*
 * model.h - the candle transformer: parameters, forward, backward, AdamW.
 * Knows float arrays only: no text, no files.  llm.c-style memory: the
 * parameters, gradients, AdamW moments and activations are each one
 * allocation laid out from a size table (the tensor table below).
 */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>
#include <stdint.h>

#define MODEL_NFEAT	5	/* features per candle, see features.h */
#define MODEL_NPIVFEAT	2	/* more with piv_feat: the level-1 pivot H, L
				 * the candle confirms (features.h) */
#define MODEL_NCLASS	3	/* HOLD, BUY, SELL */
#define MODEL_NGHOST	4	/* next open, high, low, close */
#define MODEL_MAXL	16
/* w_in b_in pos, 12 per block, lnf_g lnf_b w_a b_a w_g b_g; up to 4 a
 * context; 4 for the pivot head */
#define MODEL_MAXTENSORS (9 + 12 * MODEL_MAXL + 4 * MODEL_MAXCTX + 4)


#define MODEL_MAXCTX	4	/* context sequences */
#define MODEL_MAXPIV	5	/* next-pivot head levels */
#define MODEL_MAXGHOST	16	/* ghost candles */

/*
 * A context sequence beside the window: the last N candles of a higher
 * timeframe of the same instrument (tf > 0, ns) or of a reference
 * instrument read from the stream's columns prefix_open ... (tf == 0).
 * The model itself uses N only; the rest says where the candles come from.
 */
struct model_ctx {
	int64_t	tf;		/* timeframe, ns; 0: a reference instrument */
	int	N;		/* candles, 1 .. MODEL_MAXW */
	char	prefix[24];	/* a reference's column prefix, NUL-terminated;
				 * empty for a timeframe */
};

/* Zero-initialised fields past h mean today's model: one ghost candle, no
 * pivot head, no context (a checkpoint of format version 1). */
struct model_config {
	int W;		/* window, candles (default 32) */
	int d;		/* width (32) */
	int L;		/* blocks (2) */
	int h;		/* heads (4); d % h == 0 */
	int ghost;	/* candles the ghost head predicts; 0 means 1 */
	int npiv;	/* next-pivot head levels, 0 .. MODEL_MAXPIV */
	int piv_level[MODEL_MAXPIV];	/* increasing, each 1 .. 5 (pivots.h) */
	int piv_k;	/* the pivots' k the levels are counted with; 0: none */
	int piv_feat;	/* 1: the window's candles have MODEL_NPIVFEAT more
			 * features (only with a pivot head) */
	int nctx;	/* context sequences, 0 .. MODEL_MAXCTX */
	struct model_ctx ctx[MODEL_MAXCTX];
};

/*
 * The tensor table, in storage order (offsets packed, no padding):
 *   w_in (F,d)  b_in (1,d)  pos (W,d)
 *   per block l: blkl.ln1_g (1,d) blkl.ln1_b (1,d) blkl.wqkv (d,3d)
 *     blkl.bqkv (1,3d) blkl.wo (d,d) blkl.bo (1,d) blkl.ln2_g (1,d)
 *     blkl.ln2_b (1,d) blkl.w1 (d,4d) blkl.b1 (1,4d) blkl.w2 (4d,d)
 *     blkl.b2 (1,d)
 *   lnf_g (1,d)  lnf_b (1,d)  w_a (d,3)  b_a (1,3)  w_g (d,4G)  b_g (1,4G)
 *   with a pivot head (npiv = P > 0): w_p (d,3P)  b_p (1,3P)
 *   per context c: ctxc.w_in (6,d) ctxc.b_in (1,d) ctxc.pos (N_c,d)
 * G is model_ghost_steps(): ghost column 4(k-1)+j is price j (open, high,
 * low, close) of the k-th next candle.  Pivot column 3j is level j's type
 * logit (H against L), 3j+1 its price, 3j+2 its distance in candles.
 * A matrix is row-major (in, out): y = x W + b (PyTorch's Linear.weight is
 * its transpose).  wqkv's columns are q, k, v, each split into h heads of
 * d/h consecutive columns.
 */
struct model_tensor {
	char	name[32];	/* e.g. "w_in", "blk0.wqkv" */
	int	rows, cols;	/* a vector has rows == 1 */
	size_t	offset;		/* in floats, into params/grads/m/v */
	int	decay;		/* 1: a weight matrix, gets AdamW weight decay */
};

struct model_state;		/* activations, thread pool: private to lib/ */

struct model {
	struct model_config cfg;
	int	ntensors;
	struct model_tensor tensor[MODEL_MAXTENSORS];
	size_t	nparams;
	float	*params;	/* (nparams) one allocation each */
	float	*grads;
	float	*m, *v;		/* AdamW first and second moments */
	uint64_t step;		/* AdamW steps applied (the checkpoint's generation) */
	float	temperature;	/* model_predict's softmax temperature; <= 0: 1 */
	struct model_state *st;
};

/* A batch of training samples. */
struct batch {
	int		B;
	const float	*x;	/* (B, model_xsize) features */
	const int	*label;	/* (B) class index 0 .. MODEL_NCLASS-1 */
	const float	*ghost;	/* (B, G, MODEL_NGHOST) ghost targets, G =
				 * model_ghost_steps() */
	const float	*mask;	/* (B, G) 1 where the ghost target exists, else 0 */
	const float	*weight; /* (MODEL_NCLASS) cross-entropy weight per class,
				  * NULL: 1 each (layers.h, loss_forward) */
	/* the next-pivot head's targets (npiv = P > 0), else ignored: */
	const float	*piv;	/* (B, P, 3): 1 for an H (0 for an L), the
				 * price as a ghost target, the distance in
				 * candles; NULL: no pivot term */
	const float	*pmask;	/* (B, P) 1 where the target exists, else 0 */
	const float	*pw;	/* (3) the type, price and distance terms'
				 * weights; NULL: layers.h's PIVW_* */
};

struct adamw {
	float lr;		/* 1e-3 */
	float beta1, beta2;	/* 0.9, 0.999 */
	float eps;		/* 1e-8 */
	float weight_decay;	/* 0.01, weight matrices only */
	float clip;		/* global gradient-norm clip, 1.0; <= 0: none */
};

void	model_config_default(struct model_config *);
void	adamw_default(struct adamw *);
/*
 * The input of one window, x: the base window's W candles of MODEL_NFEAT
 * features first, then for each context c in order its N_c candles of
 * MODEL_NCTXFEAT (the same features, by its own scale, and a flag: 1 on a
 * bucket still in progress).  model_xsize: the floats of one window;
 * model_tokens: the positions attention runs over, T = sum N_c + W, the
 * contexts first, the base window last (the heads read position T-1).
 */
#define MODEL_NCTXFEAT	6
size_t	model_xsize(const struct model_config *);
/* The window's features per candle: MODEL_NFEAT (+ MODEL_NPIVFEAT). */
int	model_nfeat(const struct model_config *);
int	model_tokens(const struct model_config *);
/* Check a configuration's bounds; 0 or -1 with a reason in err. */
int	model_config_check(const struct model_config *, char *err, size_t errlen);
/* 1 when two configurations describe the same model (ghost 0 == 1). */
int	model_config_same(const struct model_config *, const struct model_config *);
/* The ghost candles a configuration predicts: ghost, or 1 when 0. */
int	model_ghost_steps(const struct model_config *);
/* Only the tensor table and nparams, nothing allocated (to bound a
 * configuration read from a file before allocating); 0 or -1. */
int	model_layout(struct model *, const struct model_config *, char *err, size_t errlen);
/* Lay out and allocate params, grads, m, v (zeroed); returns 0 or -1. */
int	model_init(struct model *, const struct model_config *, char *err, size_t errlen);
/*
 * Random init from seed: same seed, same bits everywhere.  The generator is
 * xoshiro256** seeded by four splitmix64 outputs of seed; a uniform is
 * u = (next() >> 11) * 2^-53; a normal is Box-Muller in double,
 * sqrt(-2 ln(1 - u1)) cos(2 pi u2), one per pair of uniforms, scaled and
 * rounded to float.  Tensors are filled in table order, each row-major:
 * matrices and pos N(0, 0.02), blk*.wo and blk*.w2 N(0, 0.02/sqrt(2L)),
 * biases 0, LayerNorm gains 1.  grads, m, v and step are zeroed.
 */
void	model_init_weights(struct model *, uint64_t seed);
/*
 * Activations for batches of up to maxB windows on nthreads threads (0: one
 * per CPU the process may use, sched_getaffinity), all allocated here:
 * nothing is allocated by a forward pass or a step.  A batch is cut into
 * nthreads contiguous parts, each on its own thread (workers never pinned:
 * they inherit the process's CPU set; single-threaded products); the
 * gradients are summed in thread order, so the same seed, data and thread
 * count give the same bits.  A thread runs its part a few windows at a
 * time (about 512 rows), each through the forward and straight on through
 * the backward, so that the activations stay in the cache; every sum
 * still runs over the rows in order, so these passes change no bit.  Call
 * again to resize; 0 or -1.
 */
int	model_reserve(struct model *, int maxB, int nthreads, char *err, size_t errlen);
/* Windows a thread's pass takes: 1 up to what model_reserve chose (any
 * other value: that); returns the number in force.  It changes no bit: for
 * the tests that show it, and for benchmarks. */
int	model_set_pass(struct model *, int windows);
void	model_free(struct model *);
const struct model_tensor *model_tensor_find(const struct model *, const char *name);

/* Inference: probs (B,3) softmax of logits / m->temperature (the
 * calibrated probabilities), ghost (B,4) (either may be NULL), any
 * B (done in turns of the threads).  A window's result never depends on
 * the other windows of the batch: bulk and live give identical bits.
 * Without model_reserve the outputs are NaN. */
void	model_predict(struct model *, const float *x, int B, float *probs, float *ghost);
/* The same and the pivot head's outputs piv (B, npiv, 3): the probability
 * that the level's next pivot is an H, its price as a ghost target, its
 * distance in candles (piv may be NULL).  ghost is (B, G, 4). */
void	model_predict_heads(struct model *, const float *x, int B, float *probs,
	    float *ghost, float *piv);
/* Training pieces: forward with loss (mean over the batch; NaN when B is
 * not 1..maxB), probs (the raw softmax, temperature 1)/ghost may be NULL;
 * backward adds into grads, for the batch of the last forward (which must
 * still be valid): it runs that forward again, pass by pass, the same
 * bits (model_train_step runs each forward once). */
float	model_forward(struct model *, const struct batch *, float *probs, float *ghost);
float	model_forward_heads(struct model *, const struct batch *, float *probs,
	    float *ghost, float *piv);
void	model_zero_grad(struct model *);
void	model_backward(struct model *);
/* Clip, then one AdamW step (step++); returns the gradient norm before
 * clipping.  A step is applied whole or not at all: when the norm is not
 * finite, when any new parameter or moment would not be, or when step is
 * UINT64_MAX, nothing changes (step neither) and the return is not finite. */
float	adamw_step(struct model *, const struct adamw *);
/* zero_grad + forward + backward + adamw_step; returns the loss before the
 * step.  A loss that is not finite is not stepped on; whether the step was
 * applied is whether m->step advanced. */
float	model_train_step(struct model *, const struct batch *, const struct adamw *);

#endif
