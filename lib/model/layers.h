/*
 * layers.h - the model's layers as llm.c-style pairs of free functions:
 * outputs first, then saved values, then inputs and weights, then sizes.
 * A backward adds into its gradient outputs (callers zero them).  B windows,
 * T positions, C width, NH heads, F features; "nq" query positions per
 * window (T, or 1 for a block that only the last position needs).
 * Each layer has a naive _ref (double arithmetic) for the tests.
 */
#ifndef LAYERS_H
#define LAYERS_H

#include <stddef.h>

/* out (B,T,C) = x (B,T,F) w (F,C) + b (C) + pos (T,C) */
void	encoder_forward(float *out, const float *x, const float *w,
	    const float *b, const float *pos, int B, int T, int F, int C);
void	encoder_backward(float *dw, float *db, float *dpos, const float *dout,
	    const float *x, int B, int T, int F, int C);

/* out (N,C), mean (N), rstd (N) from inp (N,C), gain g (C), bias b (C);
 * eps 1e-5, population variance. */
void	layernorm_forward(float *out, float *mean, float *rstd, const float *inp,
	    const float *g, const float *b, int N, int C);
void	layernorm_backward(float *dinp, float *dg, float *db, const float *dout,
	    const float *inp, const float *g, const float *mean, const float *rstd,
	    int N, int C);

/*
 * Multi-head attention without a mask.  qkv (B,T,3C): q, k, v each split in
 * NH heads of C/NH columns.  The queries are the last nq positions of each
 * window.  out (B,nq,C); att (B,NH,nq,T) the softmax probabilities
 * (keep 1; keep 0, a forward no backward follows: scratch, partly left
 * as it was); tmp (T * C/NH + nq * T floats) scratch.  keep changes no
 * bit of out.
 */
void	attention_forward(float *out, float *att, float *tmp, const float *qkv,
	    int B, int T, int nq, int C, int NH, int keep);
/*
 * The attention output of the last position alone where no backward
 * follows, from the normalized rows rather than the keys and values: the
 * score of position j is x_j . (Wk_h q_h) (the bias's q_h . bk_h is the
 * same for every j, and a softmax does not see it), the output
 * (sum_j p_j x_j) Wv_h + bv_h (the p_j sum to 1): 2 C C + 2 NH T C
 * multiply-adds where the keys and values take 2 T C C.  q (B rows, ldq
 * apart) the last position's queries (bias added); x (B,T,C) the rows the
 * keys and values would be made of; wk, wv (C, C) rows ldw apart, bv (C).
 * out (B,C); tmp (2 C + T floats) scratch.  The same as attention_forward
 * with nq 1 up to rounding.
 */
void	attention_last(float *out, float *tmp, const float *q, int ldq,
	    const float *x, const float *wk, const float *wv, int ldw,
	    const float *bv, int B, int T, int C, int NH);
/* dqkv (B,T,3C) = (overwritten); tmp (T * C/NH + nq * T floats) scratch. */
void	attention_backward(float *dqkv, float *tmp, const float *dout,
	    const float *att, const float *qkv, int B, int T, int nq, int C,
	    int NH);

/* GELU, tanh form: out (n) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
void	gelu_forward(float *out, const float *inp, size_t n);
/* dinp (n) = (overwritten) */
void	gelu_backward(float *dinp, const float *inp, const float *dout, size_t n);

/* out (n) = a + b */
void	residual_forward(float *out, const float *a, const float *b, size_t n);

/*
 * The heads' loss.  logits (B,3) -> probs (B,3) softmax; per-sample loss
 * (B) = cw[label] CE(logits, label) + 0.1 sum_k mask_k mean_j
 * (ghost_kj - target_kj)^2 / G over the G ghost candles k and their 4
 * prices j.  ghost, target (B,G,4), mask (B,G).  cw (3) the class
 * weights, NULL: 1 each.  target and mask may be NULL (no ghost term);
 * label NULL: probs only.
 */
void	loss_forward(float *loss, float *probs, const float *logits,
	    const float *ghost, const int *label, const float *cw,
	    const float *target, const float *mask, int B, int G);
/* dlogits (B,3), dghost (B,G,4) += scale * dloss/d. */
void	loss_backward(float *dlogits, float *dghost, const float *probs,
	    const float *ghost, const int *label, const float *cw,
	    const float *target, const float *mask, float scale, int B, int G);

/*
 * The next-pivot head's loss, added into loss (B).  out, target (B,P,3)
 * for P levels: out = (z, price, distance), target = (y, price,
 * distance) with y 1 for an H, 0 for an L; mask (B,P) 1 where the target
 * exists.  Per sample: sum_j mask_j (pw0 BCE(z, y) + pw1 huber(price) +
 * pw2 huber(distance)), BCE(z, y) = log(1 + e^z) - y z, huber(r) = r^2/2
 * for |r| <= 1, else |r| - 1/2.  pw (3) NULL: the defaults below.
 */
#define PIVW_TYPE	1.0f
#define PIVW_PRICE	1.0f
#define PIVW_DIST	0.1f
void	pivloss_forward(float *loss, const float *out, const float *target,
	    const float *mask, const float *pw, int B, int P);
/* dout (B,P,3) += scale * dloss/dout. */
void	pivloss_backward(float *dout, const float *out, const float *target,
	    const float *mask, const float *pw, float scale, int B, int P);

/* The naive references. */
void	layernorm_forward_ref(float *out, float *mean, float *rstd,
	    const float *inp, const float *g, const float *b, int N, int C);
void	layernorm_backward_ref(float *dinp, float *dg, float *db,
	    const float *dout, const float *inp, const float *g, int N, int C);
void	attention_forward_ref(float *out, float *att, const float *qkv, int B,
	    int T, int nq, int C, int NH);
void	attention_backward_ref(float *dqkv, const float *dout, const float *att,
	    const float *qkv, int B, int T, int nq, int C, int NH);
void	gelu_forward_ref(float *out, const float *inp, size_t n);
void	gelu_backward_ref(float *dinp, const float *inp, const float *dout,
	    size_t n);

#endif
