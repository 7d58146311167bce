/*
 * skill.c - accuracy, log-loss, baselines, per-class precision and recall,
 * the confusion matrix, the calibration error and temperature scaling
 * (skill.h).
 */
#include <math.h>
#include <string.h>

#include "skill.h"

static int
argmax(const float *p)
{
	int k, a = 0;

	for (k = 1; k < SKILL_NCLASS; k++)
		if (p[k] > p[a])
			a = k;
	return a;
}

static double
nll(double p)
{
	return -log(p > SKILL_PMIN ? p : SKILL_PMIN);
}

void
skill_eval(struct skill *s, const float *probs, const int *label, long n,
    const long count[SKILL_NCLASS], int prev)
{
	double prior[SKILL_NCLASS], ll = 0, mll = 0;
	long i, ntrain = 0, right = 0, major = 0, persist = 0, pred[3] = { 0 };
	long truth[3] = { 0 };
	int k, a;

	memset(s, 0, sizeof(*s));
	s->n = n;
	for (k = 0; k < SKILL_NCLASS; k++) {
		ntrain += count[k];
		if (count[k] > count[s->majority])
			s->majority = k;
	}
	for (k = 0; k < SKILL_NCLASS; k++)
		prior[k] = ntrain ? (double)count[k] / ntrain : 1.0 / SKILL_NCLASS;
	for (i = 0; i < n; i++) {
		a = argmax(probs + i * SKILL_NCLASS);
		s->confusion[label[i]][a]++;
		pred[a]++;
		truth[label[i]]++;
		right += a == label[i];
		major += s->majority == label[i];
		persist += (i ? label[i - 1] : prev) == label[i];
		ll += nll(probs[i * SKILL_NCLASS + label[i]]);
		mll += nll(prior[label[i]]);
	}
	for (k = 0; k < SKILL_NCLASS; k++) {
		s->precision[k] = pred[k] ? (double)s->confusion[k][k] / pred[k] :
		    NAN;
		s->recall[k] = truth[k] ? (double)s->confusion[k][k] / truth[k] :
		    NAN;
	}
	if (n == 0) {
		s->acc = s->logloss = s->ece = NAN;
		s->major_acc = s->major_logloss = s->persist_acc = NAN;
		return;
	}
	s->acc = (double)right / n;
	s->logloss = ll / n;
	s->major_acc = (double)major / n;
	s->major_logloss = mll / n;
	s->persist_acc = (double)persist / n;
	s->ece = skill_ece(probs, label, n);
}

double
skill_ece(const float *probs, const int *label, long n)
{
	double conf[SKILL_BINS] = { 0 }, e = 0, p;
	long cnt[SKILL_BINS] = { 0 }, right[SKILL_BINS] = { 0 }, i;
	int a, b;

	if (n == 0)
		return NAN;
	for (i = 0; i < n; i++) {
		a = argmax(probs + i * SKILL_NCLASS);
		p = probs[i * SKILL_NCLASS + a];
		/* a NaN probability (a model whose forward overflows) has no
		 * bin: converting it to int is undefined; it goes to bin 0
		 * and makes the ECE NaN, as it should */
		b = isnan(p) ? 0 : (int)(p * SKILL_BINS);
		if (b >= SKILL_BINS)
			b = SKILL_BINS - 1;
		if (b < 0)
			b = 0;
		cnt[b]++;
		conf[b] += p;
		right[b] += a == label[i];
	}
	for (b = 0; b < SKILL_BINS; b++)
		if (cnt[b] > 0)
			e += fabs((double)right[b] - conf[b]) / n;
	return e;
}

/* d/dbeta of the mean log-loss of softmax(beta z): E_p[z] - z[label]. */
static double
slope(const float *probs, const int *label, long n, double beta)
{
	double z[SKILL_NCLASS], e[SKILL_NCLASS], mx, s, ez, d = 0;
	long i;
	int k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < SKILL_NCLASS; k++)
			z[k] = log(fmax(probs[i * SKILL_NCLASS + k], 1e-30));
		mx = beta * z[0];
		for (k = 1; k < SKILL_NCLASS; k++)
			mx = fmax(mx, beta * z[k]);
		for (s = 0, ez = 0, k = 0; k < SKILL_NCLASS; k++) {
			s += e[k] = exp(beta * z[k] - mx);
			ez += e[k] * z[k];
		}
		d += ez / s - z[label[i]];
	}
	return d / n;
}

double
skill_fit_temperature(const float *probs, const int *label, long n)
{
	double lo = 1 / SKILL_TMAX, hi = 1 / SKILL_TMIN, mid;
	int it;

	if (n == 0)
		return 1;
	/* the slope rises with beta: its zero is the minimum */
	if (slope(probs, label, n, lo) >= 0)
		return SKILL_TMAX;
	if (slope(probs, label, n, hi) <= 0)
		return SKILL_TMIN;
	for (it = 0; it < 60; it++) {
		mid = (lo + hi) / 2;
		if (slope(probs, label, n, mid) < 0)
			lo = mid;
		else
			hi = mid;
	}
	return 2 / (lo + hi);
}
