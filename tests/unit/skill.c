/*
 * tests/unit/skill.c - accuracy, log-loss, the majority and persistence
 * baselines, precision, recall and the confusion matrix, the calibration
 * error and the temperature fit, on cases computed by hand.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "skill.h"

/* Four samples, bins of the top probability:
 *   0.85 right, 0.80 wrong	bin 8: 2 samples, accuracy 1/2, mean 0.825
 *   0.50 right			bin 5: accuracy 1, mean 0.5
 *   0.60 right			bin 6: accuracy 1, mean 0.6
 * ECE = 2/4 |0.5 - 0.825| + 1/4 |1 - 0.5| + 1/4 |1 - 0.6| = 0.3875. */
static const float p4[] = {
	0.10f, 0.85f, 0.05f,
	0.80f, 0.10f, 0.10f,
	0.50f, 0.30f, 0.20f,
	0.20f, 0.20f, 0.60f,
};
static const int l4[] = { 1, 2, 0, 2 };

static void
test_ece(void)
{
	float one[3] = { 1, 0, 0 }, tie[3] = { 0.4f, 0.4f, 0.2f };
	int hold = 0, buy = 1;

	T_NEAR(skill_ece(p4, l4, 4), 0.3875, 1e-6, 0);
	/* perfectly sure and right: 0; a top probability of 1 is in bin 9 */
	T_NEAR(skill_ece(one, &hold, 1), 0, 1e-12, 0);
	T_NEAR(skill_ece(one, &buy, 1), 1, 1e-12, 0);
	/* the first of equal probabilities is the prediction */
	T_NEAR(skill_ece(tie, &hold, 1), 0.6, 1e-6, 0);
	T_OK(isnan(skill_ece(p4, l4, 0)));
}

static void
test_eval(void)
{
	/* labels 1 2 0 2 after a previous label 2; training counts
	 * HOLD 6, BUY 2, SELL 2: majority HOLD, prior (0.6, 0.2, 0.2) */
	long count[3] = { 6, 2, 2 };
	struct skill s;
	double ll;

	skill_eval(&s, p4, l4, 4, count, 2);
	T_EQ(s.n, 4);
	T_EQ(s.majority, 0);
	T_NEAR(s.acc, 0.75, 1e-12, 0);		/* all but sample 1 */
	ll = -(log(0.85) + log(0.10) + log(0.50) + log(0.60)) / 4;
	T_NEAR(s.logloss, ll, 1e-6, 1e-6);
	T_NEAR(s.major_acc, 0.25, 1e-12, 0);	/* one HOLD in four */
	T_NEAR(s.major_logloss, -(log(0.2) * 3 + log(0.6)) / 4, 1e-9, 1e-9);
	/* the previous labels 2 1 2 0 against 1 2 0 2: none right */
	T_NEAR(s.persist_acc, 0, 1e-12, 0);
	/* predicted: BUY, HOLD, HOLD, SELL */
	T_EQ(s.confusion[1][1], 1);
	T_EQ(s.confusion[2][0], 1);
	T_EQ(s.confusion[0][0], 1);
	T_EQ(s.confusion[2][2], 1);
	T_NEAR(s.precision[0], 0.5, 1e-12, 0);	/* HOLD twice, right once */
	T_NEAR(s.recall[0], 1, 1e-12, 0);
	T_NEAR(s.precision[2], 1, 1e-12, 0);
	T_NEAR(s.recall[2], 0.5, 1e-12, 0);	/* two SELL, one found */
	T_NEAR(s.recall[1], 1, 1e-12, 0);
	T_NEAR(s.ece, 0.3875, 1e-6, 0);
	/* persistence counts from the sample before */
	skill_eval(&s, p4 + 3, l4 + 1, 3, count, l4[0]);
	T_NEAR(s.persist_acc, 0, 1e-12, 0);
	skill_eval(&s, p4, (const int[]){ 1, 1, 1, 0 }, 4, count, 1);
	T_NEAR(s.persist_acc, 0.75, 1e-12, 0);
	/* one sample, HOLD predicted and true: BUY never predicted nor true */
	skill_eval(&s, p4 + 6, l4 + 2, 1, count, 2);
	T_OK(isnan(s.precision[1]) && isnan(s.recall[1]));
	T_NEAR(s.precision[0], 1, 1e-12, 0);
	skill_eval(&s, p4, l4, 0, count, -1);
	T_OK(isnan(s.acc) && isnan(s.ece));
}

static uint64_t rs = 0x2545f4914f6cdd1dULL;

static double
urand(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (double)(rs >> 11) * 0x1p-53;
}

/*
 * A known miscalibrated case: labels drawn from softmax(z), reported as
 * softmax(z * 2.5) (overconfident, the true temperature 2.5), or as
 * softmax(z / 2) (underconfident, 0.5).  The fit finds the temperature,
 * and on fresh draws the recalibrated ECE is small.
 */
static void
draw(float *rep, float *fixed, int *lab, long n, double k, double T)
{
	double z[3], q[3], s, u;
	long i;
	int j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < 3; j++)
			z[j] = 2 * urand() - 1 + (j == 0 ? 0.7 : 0);
		for (s = 0, j = 0; j < 3; j++)
			s += q[j] = exp(z[j]);
		u = urand() * s;
		for (lab[i] = 0; lab[i] < 2 && u > q[lab[i]]; lab[i]++)
			u -= q[lab[i]];
		for (s = 0, j = 0; j < 3; j++)
			s += q[j] = exp(z[j] * k);
		for (j = 0; j < 3; j++)
			rep[i * 3 + j] = (float)(q[j] / s);
		if (fixed == NULL)
			continue;
		for (s = 0, j = 0; j < 3; j++)
			s += q[j] = exp(z[j] * k / T);
		for (j = 0; j < 3; j++)
			fixed[i * 3 + j] = (float)(q[j] / s);
	}
}

static void
fit_case(double k)
{
	enum { N = 40000 };
	float *p = malloc(N * 3 * sizeof(float)), *q = malloc(N * 3 *
	    sizeof(float));
	int *lab = malloc(N * sizeof(int));
	double T, before, after;

	draw(p, NULL, lab, N, k, 1);
	T = skill_fit_temperature(p, lab, N);
	fprintf(stderr, "reported at %g: fitted temperature %.4f\n", k, T);
	T_NEAR(T, k, 0, 0.05);
	/* unseen draws, recalibrated with the fitted temperature */
	draw(p, q, lab, N, k, T);
	before = skill_ece(p, lab, N);
	after = skill_ece(q, lab, N);
	fprintf(stderr, "unseen ECE %.4f -> %.4f\n", before, after);
	T_OK(after <= 0.02);
	T_OK(after < before);
	free(p), free(q), free(lab);
}

static void
test_temperature(void)
{
	int lab[2] = { 0, 1 };
	float sure[6] = { 0.999f, 0.0005f, 0.0005f, 0.0005f, 0.999f, 0.0005f };

	fit_case(2.5);
	fit_case(0.5);
	T_NEAR(skill_fit_temperature(sure, lab, 0), 1, 0, 0);
	/* always right: the sharpest temperature allowed */
	T_NEAR(skill_fit_temperature(sure, lab, 2), SKILL_TMIN, 0, 1e-9);
	/* always wrong: the flattest */
	lab[0] = 2;
	lab[1] = 2;
	T_NEAR(skill_fit_temperature(sure, lab, 2), SKILL_TMAX, 0, 1e-9);
}

int
main(void)
{
	T_RUN(test_ece);
	T_RUN(test_eval);
	T_RUN(test_temperature);
	return T_END();
}
