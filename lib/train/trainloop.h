/*
 * trainloop.h - multi-epoch training of a checkpoint on a dataset, in
 * slices: each slice holds the checkpoint's lock (through ckpt_update) for
 * at most `slice` seconds or to the end of the epoch, runs its steps on the
 * latest weights and commits them.  Never prints: progress and per-epoch
 * figures go to the caller's hooks.
 */
#ifndef TRAINLOOP_H
#define TRAINLOOP_H

#include <signal.h>
#include <stdint.h>
#include "ckpt.h"
#include "dataset.h"
#include "model.h"
#include "skill.h"

struct epochstat {
	int	 epoch;		/* 1-based */
	long	 steps;		/* optimizer steps this epoch */
	double	 train_loss;	/* mean loss of the epoch's applied steps, before each */
	double	 val_loss;	/* the training loss (class weights, ghost term)
				 * over the validation samples (NaN: none) */
	struct skill val;	/* every validation sample, probabilities at
				 * temperature 1 (skill.h) */
	double	 rate;		/* training samples/s of the epoch (wall time, lock waits included) */
	double	 seconds;	/* wall time of the epoch's training */
};

struct trainprog {
	int	 epoch, epochs;
	long	 done, total;	/* samples of this epoch */
	double	 rate;		/* samples/s so far this epoch */
	double	 elapsed;	/* seconds since the run began */
};

enum trainstop { TRAIN_DONE, TRAIN_PATIENCE, TRAIN_SIGNAL };

struct trainopt {
	int	 epochs;	/* 10 */
	int	 batch;		/* 64 */
	int	 patience;	/* epochs without improvement before stopping; 0: never */
	struct adamw opt;
	uint64_t seed;		/* shuffling */
	double	 slice;		/* seconds per lock hold (1) */
	struct ckpt_lockopt lock;
	int	 backup;	/* copy MODEL to MODEL.GEN.bak before the first update */
	/* recorded in the checkpoint with each commit (ckpt_meta): the
	 * data's timeframe and its time range, merged with the file's */
	cktime	 timeframe, data_from, data_to;	/* CKTIME_NONE: none */
	volatile sig_atomic_t *stop;	/* non-zero: finish the step, commit, return */
	void	(*on_epoch)(void *, const struct epochstat *);
	void	(*on_progress)(void *, const struct trainprog *);
	void	*arg;
};

struct trainresult {
	enum trainstop stop;
	int	 epochs;	/* epochs completed */
	int	 best_epoch;	/* lowest validation loss (patience), or 0 */
	int	 best_restored;	/* 1: the best epoch's weights committed at the end */
	int	 best_skipped;	/* 1: not restored, another process committed since */
	long	 steps;		/* optimizer steps this run applied */
	long	 refused;	/* steps not applied: loss, gradient or update not finite */
	long	 slices;	/* commits */
	double	 seconds;	/* wall time of the run */
	struct epochstat last;	/* the last completed epoch */
	struct epochstat best;	/* the best epoch (patience), else == last */
	char	 backup[4096];	/* the backup file written, or "" */
};

void	trainopt_default(struct trainopt *);
/*
 * Train the checkpoint at path (loaded into m and meta by the caller, with
 * activations reserved for opt->batch windows) on ds.  Returns 0 (also
 * after a stop: see res->stop), CK_ETIMEOUT (slices already committed are
 * kept), CK_EDATA or CK_ERR with a reason in err.
 */
int	trainloop_run(const char *path, struct model *, struct ckpt_meta *,
	    const struct dataset *, const struct trainopt *,
	    struct trainresult *, char *err, size_t errlen);
/* The training loss (ds's class weights) and the skill (temperature 1)
 * over samples [from, to) of ds, in batches of B. */
void	trainloop_eval(struct model *, const struct dataset *, long from, long to,
	    int B, double *loss, struct skill *);

/* Calibration of a trained model on the validation split. */
struct calibresult {
	double	 temperature;	/* fitted (skill.h, skill_fit_temperature) */
	int	 untilted;	/* 1: the class weights' tilt taken out of the
				 * output bias first (it gave the lower
				 * validation log-loss) */
	struct skill before;	/* validation, temperature 1 */
	struct skill after;	/* validation, the fitted temperature */
	int	 committed;	/* 1: written to the checkpoint */
	int	 skipped;	/* 1: not written, another process committed since */
};
/*
 * Fit one temperature on the validation samples of ds, with the weights in
 * m, as model_predict gives them, once as they are and once with the class
 * weights' tilt taken out of the output bias, and keep the one of lower
 * validation log-loss: m holds it after (temperature, and the untilted
 * bias when cr->untilted), nothing is written.  0; CK_EDATA when there is
 * no validation sample; CK_ERR with no memory.
 */
int	trainloop_calibrate(struct model *, const struct dataset *,
	    struct calibresult *, char *err, size_t errlen);
/*
 * Commit what trainloop_calibrate fitted into m (the run's last commit,
 * meta its generation) to the checkpoint, one generation, unless another
 * process committed since (cr->skipped; m is then reloaded from the file).
 * 0, or an error of ckpt_update.
 */
int	trainloop_commit_calibration(const char *path, struct model *,
	    struct ckpt_meta *, const struct ckpt_lockopt *,
	    struct calibresult *, char *err, size_t errlen);

#endif
