/*
 * model_bench - the C side of tests/bench/model: training samples/s at
 * batch 64, one-window inference latency, batch-256 inference windows/s.
 * Usage: model_bench W[+N1,N2,...] d L h seconds threads [train]
 * W+N1,N2,...: a model with contexts of N1, N2, ... candles (only their
 * lengths matter to the arithmetic).
 * threads 0: the cores; "train": the training figure only (the others are
 * printed as 0).  Training's products run on the backend matmul.h chooses
 * (CANDLEKIT_MATMUL, OPENBLAS_CORETYPE).  Each figure is the best of 5
 * slices of the time: the machine is shared.  Prints one line:
 * "c W d L h train_sps latency_us batch_wps nominal_flops backend core
 * infer_flops avx512 threads latency_cpu_us train_flops latency_p10_us #
 * how-the-backend-was-chosen", threads the number used (0 resolved to
 * the CPUs the process may use), latency_cpu_us the process's CPU time a
 * window, which other processes on a shared machine do not inflate,
 * latency_p10_us the 10th percentile of the single calls' wall times
 * (the speed of a call that had its core to itself),
 * infer_flops and train_flops the FLOPs of the forward of one window
 * that prediction and training compute.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ck.h"
#include "matmul.h"
#include "model.h"

#define NCALL	(1 << 20)	/* single calls timed, at most */

/* Forward FLOPs of one window of the whole model (every position: with
 * contexts, keys and values at all T, the rest at the window's W). */
static double
flops(const struct model_config *c)
{
	double T = model_tokens(c), W = c->W, C = c->d;

	return 2 * T * MODEL_NFEAT * C + c->L * (4 * T * C * C +
	    20 * W * C * C + 4 * W * T * C) + 2 * C * (MODEL_NCLASS +
	    MODEL_NGHOST);
}

/* What training's and prediction's forwards share: the encoder, the
 * blocks before the last (keys and values at all T, the rest at the
 * window's W) and the heads. */
static double
flops_common(const struct model_config *c)
{
	double T = model_tokens(c), W = c->W, C = c->d;

	return 2 * T * MODEL_NFEAT * C + (c->L - 1) * (4 * T * C * C +
	    20 * W * C * C + 4 * W * T * C) + 2 * C * (MODEL_NCLASS +
	    MODEL_NGHOST);
}

/* FLOPs of the forward of one window in training: the last block's keys
 * and values at all T, the rest at the last position only. */
static double
flops_train(const struct model_config *c)
{
	double T = model_tokens(c), C = c->d;

	return flops_common(c) + 2 * T * C * 2 * C + 20 * C * C + 4 * T * C;
}

/* FLOPs of one window at inference: the last block at the last position
 * only and without keys or values (layers.h, attention_last): the query,
 * Wk_h q_h and Wv_h (2 C C each, all heads), the scores and the weighted
 * rows (2 NH T C each), the projection and the MLP (18 C C). */
static double
flops_infer(const struct model_config *c)
{
	double T = model_tokens(c), C = c->d, NH = c->h;

	return flops_common(c) + 24 * C * C + 4 * NH * T * C;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The process's CPU time, s. */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int
main(int argc, char *argv[])
{
	struct model_config c;
	struct model m;
	struct adamw o;
	struct batch b;
	char err[256];
	float *x, *tg, *mk, probs[256 * 3], ghost[256 * 4];
	int *lab, i, k, n, nth, only_train;
	double secs, t0, t, train, lat, bat, cpu, c0, t1, p10;
	double *call;
	int ncall;
	size_t wf;
	char *p;

	if (argc != 7 && !(argc == 8 && strcmp(argv[7], "train") == 0)) {
		fprintf(stderr, "usage: model_bench W d L h seconds threads [train]\n");
		return 2;
	}
	only_train = argc == 8;
	model_config_default(&c);
	c.W = (int)strtol(argv[1], &p, 10);
	/* +N1,N2,...: the contexts (one-hour buckets: the model only uses N) */
	for (c.nctx = 0; *p != '\0' && c.nctx < MODEL_MAXCTX; c.nctx++) {
		c.ctx[c.nctx].tf = 3600 * CK_SEC;
		c.ctx[c.nctx].N = (int)strtol(p + 1, &p, 10);
	}
	c.d = atoi(argv[2]), c.L = atoi(argv[3]);
	c.h = atoi(argv[4]);
	secs = atof(argv[5]);
	nth = atoi(argv[6]);
	if (nth <= 0) {
		cpu_set_t set;

		nth = sched_getaffinity(0, sizeof set, &set) == 0 ?
		    CPU_COUNT(&set) : 1;
	}
	if (model_init(&m, &c, err, sizeof err) == -1 ||
	    model_reserve(&m, 256, nth, err, sizeof err) == -1) {
		fprintf(stderr, "model_bench: %s\n", err);
		return 1;
	}
	model_init_weights(&m, 1);
	adamw_default(&o);
	wf = model_xsize(&c);
	x = malloc(256 * wf * sizeof *x);
	call = malloc(NCALL * sizeof *call);
	tg = malloc(256 * 4 * sizeof *tg);
	mk = malloc(256 * sizeof *mk);
	lab = malloc(256 * sizeof *lab);
	srand(1);
	for (i = 0; i < (int)(256 * wf); i++)
		x[i] = (float)(rand() / (RAND_MAX + 1.0) * 4 - 2);
	for (i = 0; i < 256; i++) {
		lab[i] = i % 3;
		mk[i] = 1;
		tg[i * 4] = tg[i * 4 + 1] = tg[i * 4 + 2] = tg[i * 4 + 3] = 0.1f;
	}
	b.B = 64, b.x = x, b.label = lab, b.ghost = tg, b.mask = mk, b.weight = NULL;

	for (i = 0; i < 3; i++)
		model_train_step(&m, &b, &o);
	train = lat = bat = cpu = 0;
	/* the best of 5 slices: the machine is shared */
	for (k = 0; k < 5; k++) {
		t0 = ck_now();
		for (n = 0; (t = ck_now() - t0) < secs / 5; n++)
			model_train_step(&m, &b, &o);
		if (n * 64.0 / t > train)
			train = n * 64.0 / t;
	}
	for (i = 0; i < 100; i++)
		model_predict(&m, x, 1, probs, ghost);
	for (k = ncall = 0; k < 5 && !only_train; k++) {
		t0 = t1 = ck_now();
		c0 = cpu_now();
		for (n = 0; (t = ck_now()) - t0 < secs / 10; n++) {
			if (n > 0 && ncall < NCALL)
				call[ncall++] = t - t1;
			t1 = t;
			model_predict(&m, x + (n & 255) * wf, 1, probs, ghost);
		}
		t -= t0;
		if (lat == 0 || t / n * 1e6 < lat)
			lat = t / n * 1e6;
		if (cpu == 0 || (cpu_now() - c0) / n * 1e6 < cpu)
			cpu = (cpu_now() - c0) / n * 1e6;
	}
	qsort(call, ncall, sizeof *call, cmp);
	p10 = ncall > 0 ? call[ncall / 10] * 1e6 : 0;
	model_predict(&m, x, 256, probs, ghost);
	for (k = 0; k < 5 && !only_train; k++) {
		t0 = ck_now();
		for (n = 0; (t = ck_now() - t0) < secs / 10; n++)
			model_predict(&m, x, 256, probs, ghost);
		if (n * 256.0 / t > bat)
			bat = n * 256.0 / t;
	}

	printf("c %s %d %d %d %.0f %.2f %.0f %.0f %s %s %.0f %d %d %.2f %.0f %.2f "
	    "# %s\n",
	    argv[1], c.d, c.L, c.h, train, lat, bat, flops(&c),
	    matmul_backend_name(), matmul_blas_core(), flops_infer(&c),
	    matmul_avx512(), nth, cpu, flops_train(&c), p10,
	    matmul_backend_why());
	free(call);
	free(x), free(tg), free(mk), free(lab);
	model_free(&m);
	return 0;
}
