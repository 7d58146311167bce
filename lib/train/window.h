/*
 * window.h - a history's candles to the model's inputs and targets: the
 * one place where a series (history.h) meets features (features.h).
 */
#ifndef WINDOW_H
#define WINDOW_H

#include "history.h"

/* Features x (W, MODEL_NFEAT) and scale *s of the window ending at candle
 * number i: 0, or -1 when candles i-W .. i are not all kept. */
int	window_features(const struct history *, long i, int W, float *x,
	    double *s);
/* Ghost target g (MODEL_NGHOST) of that window, from candle i+1: 0, or -1
 * when candle i+1 is not kept. */
int	window_target(const struct history *, long i, double s, float *g);

#endif
