/*
 * window.h - a history's candles to the model's inputs and targets: the
 * one place where a series (history.h) meets features (features.h).
 */
#ifndef WINDOW_H
#define WINDOW_H

#include "history.h"
#include "nextpiv.h"

/* Features x (W, MODEL_NFEAT) and scale *s of the window ending at candle
 * number i: 0, or -1 when candles i-W .. i are not all kept. */
int	window_features(const struct history *, long i, int W, float *x,
	    double *s);
/* Ghost target g (MODEL_NGHOST) of that window, from candle i+1: 0, or -1
 * when candle i+1 is not kept. */
int	window_target(const struct history *, long i, double s, float *g);

/* Ghost targets g (G, MODEL_NGHOST) of candles i+1 .. i+G, mask (G) 1
 * where that candle is kept (its g then as window_target's), else 0. */
void	window_targets(const struct history *, long i, double s, int G,
	    float *g, float *mask);
/* The next-pivot target out (3) of that window as the model learns it
 * (struct batch's piv): 1 for an H (0 for an L), the price as a ghost
 * target from candle i's close, the distance pivot - i in candles.  0, or
 * -1 when candle i is not kept. */
int	window_pivot_target(const struct history *, long i, double s,
	    const struct nextpiv_target *, float *out);

#endif
