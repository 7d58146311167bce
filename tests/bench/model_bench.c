/*
 * model_bench - the C side of tests/bench/model: training samples/s at
 * batch 64, one-window inference latency, batch-256 inference windows/s.
 * Usage: model_bench W d L h seconds threads [train]
 * threads 0: the cores; "train": the training figure only (the others are
 * printed as 0).  Training's products run on the backend matmul.h chooses
 * (CANDLEKIT_MATMUL, OPENBLAS_CORETYPE).  Each figure is the best of 5
 * slices of the time: the machine is shared.  Prints one line:
 * "c W d L h train_sps latency_us batch_wps nominal_flops backend core
 * infer_flops avx512 threads # how-the-backend-was-chosen", threads the
 * number used (0 resolved to the CPUs the process may use).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ck.h"
#include "matmul.h"
#include "model.h"

/* Forward FLOPs of one window of the whole model (every position). */
static double
flops(const struct model_config *c)
{
	double T = c->W, C = c->d;

	return 2 * T * MODEL_NFEAT * C + c->L * (T * 24 * C * C + 4 * T * T * C) +
	    2 * C * (MODEL_NCLASS + MODEL_NGHOST);
}

/* FLOPs of one window at inference, where the last block computes keys
 * and values everywhere but the rest for the last position only. */
static double
flops_infer(const struct model_config *c)
{
	double T = c->W, C = c->d;

	return 2 * T * MODEL_NFEAT * C + (c->L - 1) * (T * 24 * C * C +
	    4 * T * T * C) + 2 * T * C * 2 * C + 20 * C * C + 4 * T * C +
	    2 * C * (MODEL_NCLASS + MODEL_NGHOST);
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
	double secs, t0, t, train, lat, bat;
	size_t wf;

	if (argc != 7 && !(argc == 8 && strcmp(argv[7], "train") == 0)) {
		fprintf(stderr, "usage: model_bench W d L h seconds threads [train]\n");
		return 2;
	}
	only_train = argc == 8;
	c.W = atoi(argv[1]), c.d = atoi(argv[2]), c.L = atoi(argv[3]);
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
	wf = (size_t)c.W * MODEL_NFEAT;
	x = malloc(256 * wf * sizeof *x);
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
	train = lat = bat = 0;
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
	for (k = 0; k < 5 && !only_train; k++) {
		t0 = ck_now();
		for (n = 0; (t = ck_now() - t0) < secs / 10; n++)
			model_predict(&m, x + (n & 255) * wf, 1, probs, ghost);
		if (lat == 0 || t / n * 1e6 < lat)
			lat = t / n * 1e6;
	}
	model_predict(&m, x, 256, probs, ghost);
	for (k = 0; k < 5 && !only_train; k++) {
		t0 = ck_now();
		for (n = 0; (t = ck_now() - t0) < secs / 10; n++)
			model_predict(&m, x, 256, probs, ghost);
		if (n * 256.0 / t > bat)
			bat = n * 256.0 / t;
	}

	printf("c %d %d %d %d %.0f %.2f %.0f %.0f %s %s %.0f %d %d # %s\n",
	    c.W, c.d, c.L, c.h, train, lat, bat, flops(&c),
	    matmul_backend_name(), matmul_blas_core(), flops_infer(&c),
	    matmul_avx512(), nth, matmul_backend_why());
	free(x), free(tg), free(mk), free(lab);
	model_free(&m);
	return 0;
}
