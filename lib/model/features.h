/*
 * features.h - candles to model inputs (issue 3, section 1).  Plain double
 * arrays in, float arrays out: no candle struct, no text.
 *
 * A window ending at candle t uses W+1 candles t-W .. t: index 0 is candle
 * t-W (only its close is used), 1..W are the window's candles.
 */
#ifndef FEATURES_H
#define FEATURES_H

/* x (W, 5) features f0..f4 of the window; *s the scale (std of r3 + 1e-8).
 * o, h, l, c, v: (W+1) prices and volumes, oldest first. */
void	features_window(float *x, double *s, const double *o, const double *h,
	    const double *l, const double *c, const double *v, int W);
/* The same into x (W, nf), nf >= 5: each candle's five first, the rest
 * left as they are (the caller's further features). */
void	features_window_nf(float *x, int nf, double *s, const double *o,
	    const double *h, const double *l, const double *c, const double *v,
	    int W);
/* A context's x (N, 6): the five features of its N candles (N+1 given,
 * as above) by their own scale, and a sixth, 1 on the last candle when
 * partial (a bucket still in progress), else 0. */
void	features_context(float *x, const double *o, const double *h,
	    const double *l, const double *c, const double *v, int N,
	    int partial);
/* Ghost target g (4) for next = {open, high, low, close} of candle t+1. */
void	features_target(float *g, const double next[4], double close_t, double s);
/* A predicted ghost g (4) back to prices: close_t * exp(g * s). */
void	features_unghost(double out[4], const float *g, double close_t, double s);

#endif
