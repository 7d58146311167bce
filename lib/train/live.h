/*
 * live.h - the model a running program predicts with: loaded from a
 * checkpoint that other processes keep updating, and reloaded (hot) when
 * the file has changed, without ever holding torn or foreign weights.
 */
#ifndef LIVE_H
#define LIVE_H

#include "ck.h"
#include "ckpt.h"
#include "model.h"

struct live {
	const char	*path;
	struct model	 m;		/* the weights predictions use */
	struct ckpt_meta meta;		/* of the weights in m */
	struct ckpt_stamp stamp;	/* of the file m was loaded from, or of
					 * the last one refused */
	struct model	 spare;		/* reloads land here first */
	long		 reloads;	/* newer weights taken from the file */
	long		 loadfail;	/* reloads that failed (m kept) */
	char		 lasterr[256];	/* the reason of the last failure */
	double		 retry_at;	/* ck_now() before which no reload */
	double		 backoff;	/* s, the pause after the next failure */
	int		 holding;	/* inside a group of steps under the
					 * lock: m is newer than the file, and
					 * live_reload keeps it */
};

/* Load the checkpoint at path and reserve for batches of maxB windows on
 * nthreads threads (0: the CPUs this process may use).  0, or a ck_status
 * with err. */
int	live_open(struct live *, const char *path, int maxB, int nthreads,
	    char *err, size_t errlen);
void	live_close(struct live *);
/* When the file changed, load it aside and take its weights when it is a
 * model of the same configuration.  1 reloaded, 0 not changed (or the
 * same weights, or within the back-off), -1 a failed load (lasterr says;
 * the old weights are kept).  After a failure no reload is tried for a
 * pause that doubles from 0.1 to 10 s with each failure in a row, and a
 * file refused as bad is not tried again until it changes. */
int	live_reload(struct live *);
/* Predict B windows x (B, W, MODEL_NFEAT): probs (B, MODEL_NCLASS), the
 * ghost candles ghost (B, G, 4) and in prices next (B, G, 4) from each
 * window's last close (B) and scale (B), and the pivot head's outputs piv
 * (B, npiv, 3) as model_predict_heads gives them (NULL: not wanted). */
void	live_predict(struct live *, const float *x, int B, const double *close,
	    const double *scale, float *probs, double *next, float *ghost,
	    float *piv);
/* After this process wrote the file itself: stamp it, so that the next
 * live_reload does not load our own weights again (a mismatch with meta
 * clears the stamp, and the next check reloads). */
void	live_stamp(struct live *);

#endif
