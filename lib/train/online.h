/*
 * online.h - what infer(1) and train-candle(1) share: the live path
 * candle row -> history -> window -> features -> model_predict -> prediction
 * columns in prices, the hot reload of a checkpoint other processes update,
 * and the online training path label -> sample -> (accumulate) -> locked
 * checkpoint update.  This is the one library module where the candle
 * stream and the model meet; it never prints and never exits.
 *
 * Rows are held (their input text copied) only between online_push and
 * online_flush; a program calls online_flush before any read that may
 * block, so no row that has been read waits for more input.
 */
#ifndef ONLINE_H
#define ONLINE_H

#include <signal.h>
#include <stdint.h>
#include "ck.h"
#include "candle.h"
#include "ckpt.h"
#include "labels.h"
#include "model.h"
#include "pivots.h"
#include "rowcopy.h"

/* The output columns, in order; train-candle adds the last three. */
enum online_col {
	OC_ACTION, OC_CONF, OC_PHOLD, OC_PBUY, OC_PSELL,
	OC_NOPEN, OC_NHIGH, OC_NLOW, OC_NCLOSE, OC_GEN,
	OC_LABEL, OC_LTIME, OC_LOSS,
	OC_N
};
#define OC_NINFER	OC_LABEL	/* infer's columns: OC_ACTION .. OC_GEN */
#define ONLINE_VALLEN	40

/*
 * Candle history: the last cap candles, kept contiguous (arrays of 2 cap,
 * moved down when full) so a window is a plain slice.  Candles are
 * numbered from 0 in arrival order; candle number i is at index
 * i - first while first <= i < n.
 */
struct hist {
	int	 cap;
	long	 n;		/* candles pushed */
	long	 first;		/* number of the oldest kept candle */
	int	 off;		/* array index of candle first */
	double	*o, *h, *l, *c, *v;	/* (2 cap) */
	cktime	*t;		/* (2 cap) */
};

int	hist_init(struct hist *, int cap, char *err, size_t errlen);
void	hist_free(struct hist *);
void	hist_push(struct hist *, const struct candle *);
/* The number of the kept candle with time t, or -1. */
long	hist_find(const struct hist *, cktime t);
/* Features x (W, 5) and scale of the window ending at candle i: 0, or -1
 * when candles i-W .. i are not all kept. */
int	hist_window(const struct hist *, long i, int W, float *x, double *s);
/* Ghost target g (4) of the window ending at i from candle i+1: 0, or -1
 * when candle i+1 is not kept. */
int	hist_target(const struct hist *, long i, double s, float *g);
cktime	hist_time(const struct hist *, long i);

/* A row held between push and flush: its input fields and our values. */
struct online_row {
	struct rowcopy in;	/* its input fields */
	long	 cand;		/* candle number to predict at, -1: none */
	double	 close;		/* its close, for the ghost in prices */
	char	 val[OC_N][ONLINE_VALLEN];
	size_t	 vlen[OC_N];
};

struct online_counts {
	long	rows;		/* rows written */
	long	preds;		/* rows with a prediction */
	long	reloads;	/* newer weights picked up from the file */
	long	loadfail;	/* reload attempts that failed (old weights kept) */
};

struct online {
	const char	*path;
	struct model	 m;		/* the weights predictions use */
	struct ckpt_meta meta;
	struct ckpt_stamp stamp;
	struct model	 spare;		/* reloads land here first */
	int		 W;
	struct hist	 h;
	float		 minconf;	/* below it the action is HOLD */
	/* columns */
	int		 ncols;		/* OC_NINFER or OC_N */
	int		 slot[OC_N];	/* cstream_addcol slots */
	int		 ncolin;	/* input columns */
	int		*repl;		/* (ncolin) our column replacing it, or -1 */
	/* the pending batch */
	int		 maxB, nb;
	struct online_row *row;		/* (maxB) */
	float		*x;		/* (maxB, W, MODEL_NFEAT) */
	double		*scale;		/* (maxB) */
	float		*probs, *ghost;	/* (maxB, 3), (maxB, 4) */
	struct online_counts n;
	char		 lasterr[256];	/* the reason of the last failed reload */
	/* the program's warning printer (lib/ never prints), or NULL */
	void		(*warn)(const char *msg);
};

/* Load the checkpoint at path, reserve for batches of maxB windows on
 * nthreads threads (0: cores), keep history candles (at least W + 1).
 * 0, or a ck_status with err. */
int	online_open(struct online *, const char *path, int maxB, int nthreads,
	    int history, char *err, size_t errlen);
void	online_close(struct online *);
/* Name our columns prefix + name on cs (before its header is written);
 * training adds label, label_time, loss.  0 or CK_ERR. */
int	online_columns(struct online *, struct cstream *, const char *prefix,
	    int training, char *err, size_t errlen);
/* online_columns, then write cs's header to out and have cs flush out
 * before a read blocks.  0 or CK_ERR. */
int	online_header(struct online *, struct cstream *, struct csvout *,
	    const char *prefix, int training, char *err, size_t errlen);
/* Hot reload: when the file changed, load it aside and take its weights
 * when it is a model of the same configuration.  1 reloaded, 0 not
 * changed (or the same weights), -1 a failed load (lasterr says; the old
 * weights are kept and the next call tries again). */
int	online_reload(struct online *);
/* Take the row cs has just read (candle c) into the pending batch; returns
 * the slot, or -1 when out of memory.  The caller flushes when online_full
 * says so. */
int	online_push(struct online *, struct cstream *, const struct candle *);
int	online_full(const struct online *);
/* Predict every pending row that has a full window (W + 1 candles), then
 * write the pending rows to out and empty the batch. */
void	online_flush(struct online *, struct cstream *, struct csvout *);
/* Set a training column of a pending row (OC_LABEL, OC_LTIME, OC_LOSS). */
void	online_setlabel(struct online *, int slot, int label, cktime t);
void	online_setloss(struct online *, int slot, float loss);

/*
 * The live loop: read each row, push it, call rowfn (training; may be
 * NULL), and when the batch is full (batch rows) or the next read may
 * block, check for newer weights (a failed reload is passed to o->warn
 * once per run of failures) and flush.  Ends at the end of input, when
 * *stop becomes non-zero (the rows read are written), or at an error:
 * CK_EDATA/CK_ERR from the input or rowfn with err, CK_ERR with errno set
 * when writing out failed (EPIPE: the reader is gone).  0 otherwise.
 */
typedef int (*online_rowfn)(struct online *, struct cstream *, int slot,
    const struct candle *, void *arg, char *err, size_t errlen);
int	online_run(struct online *, struct cstream *, struct csvout *,
	    int batch, online_rowfn, void *arg, volatile sig_atomic_t *stop,
	    char *err, size_t errlen);

const char *online_action_name(int action);
/* "BUY", "SELL", "HOLD" (any case): 0 and *a, or -1. */
int	online_action_parse(const char *s, int *a);

/*
 * Online training samples, accumulated until K are kept, then applied as
 * one optimizer step through ckpt_update: the gradient is computed under
 * the lock on the latest weights.
 */
struct online_acc {
	int	 K, n;
	int	 W;
	float	*x;		/* (K, W, MODEL_NFEAT) */
	int	*label;		/* (K) */
	float	*ghost;		/* (K, 4) */
	float	*mask;		/* (K) */
	float	*probs, *pghost;	/* (K, 3), (K, 4) forward outputs */
	cktime	 tmax;		/* latest candle the kept samples use */
	struct adamw opt;
	/* results of the last update */
	float	 loss;		/* mean loss before the step */
	float	 loss_after;	/* the same samples after it */
	long	 steps;
	long	 refused;	/* steps not applied: loss, gradient or update
				 * not finite (the samples are dropped) */
};

int	online_acc_init(struct online_acc *, int K, int W, const struct adamw *,
	    char *err, size_t errlen);
void	online_acc_free(struct online_acc *);
/* Keep a sample: the window ending at candle i of h with a label; the
 * ghost target is used when candle i+1 is kept.  0, or -1 when the window
 * is not in the history.  Returns 1 when K samples are kept. */
int	online_acc_add(struct online_acc *, const struct hist *, long i, int label);
/* Apply the kept samples as one step under the lock (ckpt_update on
 * o->path with o's model and meta), then empty the buffer and refresh o's
 * stamp; the new weights are o's from then on.  0 or a ck_status with err
 * (CK_ETIMEOUT: nothing was applied; the samples are dropped all the same).
 * A step that is not finite is not applied either: 0, and refused grows. */
int	online_acc_apply(struct online_acc *, struct online *,
	    const struct ckpt_lockopt *, char *err, size_t errlen);

/*
 * Manual training: read the whole stream into the history, then one step
 * under the lock on the window ending at the candle of time at
 * (CKTIME_NONE: the last one) with label.  a (set up here with K = 1;
 * the caller frees it) holds the losses; *t is the candle's time.  0;
 * CK_EINTR when *stop was set; CK_EDATA when there are no candles, no
 * candle at `at` in the history, or too few before it for a window; or
 * another ck_status, with err.
 */
int	online_train_once(struct online *, struct cstream *, int label,
	    cktime at, const struct adamw *, const struct ckpt_lockopt *,
	    volatile sig_atomic_t *stop, struct online_acc *a, cktime *t,
	    char *err, size_t errlen);

/*
 * Training labels from the pivotN_high / pivotN_low columns upstream
 * (pivots(1)), decided by labels.h's streaming labellers and nothing else:
 *  every:  the labeler decides candle r-k at row r (level-1 columns).
 *  pivots: the pivlabeler of level N (columns of levels 1..N): a pivot of
 *	one kind is labelled when it is confirmed, a level-1 outside bar
 *	when both of its kinds are decided at level N.
 */
enum online_on { ON_NONE, ON_PIVOTS, ON_EVERY };

struct online_labels {
	enum online_on	 on;
	int		 level;
	int		 hcol[PIVOTS_MAXLEVEL];	/* pivotM_high, M = 1..level */
	int		 lcol[PIVOTS_MAXLEVEL];	/* pivotM_low */
	struct labeler	 lb;		/* every */
	struct pivlabeler pl;		/* pivots */
};

/* The sample a row triggers: candle time and label. */
struct online_sample {
	cktime	t;
	int	label;
};
#define ONLINE_MAXSAMPLES PIVLABELER_OUT

/* CK_EDATA with a clear message when the needed columns are missing. */
int	online_labels_init(struct online_labels *, const struct cstream *,
	    enum online_on, int level, int k, double threshold, char *err,
	    size_t errlen);
void	online_labels_free(struct online_labels *);
/* The samples this row (just read, candle c) triggers, oldest first: their
 * number, or CK_EDATA ("file:line: reason"). */
int	online_labels_row(struct online_labels *, const struct cstream *,
	    const struct candle *c, struct online_sample *out, char *err,
	    size_t errlen);

#endif
