/*
 * skill.h - how good a classifier's probabilities are on labelled samples,
 * next to the baselines any model must beat, and their calibration.  Plain
 * arrays in, numbers out: no text, no model.
 *
 * Samples are in time order: probs (n, 3) over the classes HOLD, BUY, SELL
 * (labels.h), label (n) the true class of each.
 * - acc: the fraction whose argmax (first of equals) is the label;
 *   logloss: the mean of -ln p[label] (p clamped at SKILL_PMIN).
 * - the majority baseline answers the training split's most frequent class
 *   (major_acc) with the training class frequencies as its probabilities
 *   (major_logloss; a class absent from training gets SKILL_PMIN).
 * - the persistence baseline answers the label of the sample before
 *   (persist_acc; the first sample takes prev, the last training label).
 * - precision[c] = right c / predicted c, recall[c] = right c / true c,
 *   NaN when the divisor is 0; confusion[true][predicted] counts.
 * - ece: expected calibration error with SKILL_BINS equal-width bins of the
 *   top probability over [0, 1] (a top probability of exactly 1 goes to
 *   the last bin): the sum over bins of (bin count / n) |accuracy in the
 *   bin - mean top probability in the bin|.
 */
#ifndef SKILL_H
#define SKILL_H

#define SKILL_NCLASS	3
#define SKILL_BINS	10
#define SKILL_PMIN	1e-7

struct skill {
	long	 n;
	double	 acc, logloss, ece;
	double	 major_acc, major_logloss, persist_acc;
	int	 majority;		/* the training majority class */
	double	 precision[SKILL_NCLASS], recall[SKILL_NCLASS];
	long	 confusion[SKILL_NCLASS][SKILL_NCLASS];	/* [true][predicted] */
};

/* count (3): training samples per class; prev: the label before the first
 * sample (-1: none, the first sample then does not count as right). */
void	skill_eval(struct skill *, const float *probs, const int *label,
	    long n, const long count[SKILL_NCLASS], int prev);
double	skill_ece(const float *probs, const int *label, long n);

/*
 * Temperature scaling (Guo et al., "On Calibration of Modern Neural
 * Networks", 2017): the T > 0 that minimizes the log-loss of
 * softmax(ln p / T) over the samples, T in [SKILL_TMIN, SKILL_TMAX]
 * (ln p stands for the logits: softmax is blind to a constant).  The
 * log-loss is convex in 1/T; bisection on its derivative.  1 when n is 0.
 */
#define SKILL_TMIN	0.05
#define SKILL_TMAX	20.0
double	skill_fit_temperature(const float *probs, const int *label, long n);

#endif
