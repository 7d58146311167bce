/*
 * peak - this CPU's clock and single-precision FMA peak, for the %peak
 * columns of tests/bench/model, measured on one thread, each the best of 5
 * slices of the given seconds (the machine is shared):
 *   clock: a chain of dependent integer adds, one a cycle on every x86-64
 *   core since the Pentium 4 (so the clock the core really runs at, turbo
 *   included, as the kernels see it);
 *   fma: 10 independent chains of 8-lane vfmadd231ps (more than latency x
 *   units on Zen and Intel cores), in GFLOP/s.
 * The peak the bench uses is 2 FMA units x 8 lanes x 2 FLOPs x the clock;
 * the fma figure is printed beside it as a check (on a core that runs
 * AVX-512 at full width the 16-lane peak is twice that).  Both count the
 * thread's CPU time, not the wall clock: time another process takes from
 * this core on a shared machine does not lower the clock found.
 * And how steady the FMA rate is: the median of 2000 short runs of the
 * FMA loop (about 30 us each), and the share of them within 10% of the
 * best.  A virtual CPU whose physical core's FMA units are shared with
 * another guest (an SMT sibling on the host) runs such code at full speed
 * only that share of the time, and every timing of the bench with it.
 * Usage: peak seconds.  Prints "peak clock_ghz fma_gflops
 * fma_median_gflops fast_pct".  x86-64 with AVX2 and FMA only (the bench
 * checks /proc/cpuinfo first).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* cycles of n iterations of 8 dependent adds */
static void
adds(long n)
{
	long x = 0, i;

	for (i = 0; i < n; i++)
		__asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
		    "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
		    "add $1, %0" : "+r"(x));
}

/* n iterations of 10 independent 8-lane FMAs */
static void
fmas(long n)
{
	long i;

	__asm__ volatile("vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
	    "vmovaps %%ymm0, %%ymm1\n\tvmovaps %%ymm0, %%ymm2\n\t"
	    "vmovaps %%ymm0, %%ymm3\n\tvmovaps %%ymm0, %%ymm4\n\t"
	    "vmovaps %%ymm0, %%ymm5\n\tvmovaps %%ymm0, %%ymm6\n\t"
	    "vmovaps %%ymm0, %%ymm7\n\tvmovaps %%ymm0, %%ymm8\n\t"
	    "vmovaps %%ymm0, %%ymm9\n\tvmovaps %%ymm0, %%ymm10\n\t"
	    "vmovaps %%ymm0, %%ymm11" ::: "xmm0", "xmm1", "xmm2", "xmm3",
	    "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11");
	for (i = 0; i < n; i++)
		__asm__ volatile(
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm0\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm1\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm2\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm3\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm4\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm5\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm6\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm7\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm8\n\t"
		    "vfmadd231ps %%ymm10, %%ymm11, %%ymm9" ::: "xmm0", "xmm1",
		    "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
		    "xmm9");
	__asm__ volatile("vzeroupper" ::: "memory");
}

/* the best rate (iterations per second) of f over 5 slices of secs / 5 */
static double
best(void (*f)(long), double secs)
{
	double t0, t, r = 0;
	long n = 1 << 16, k, it;
	int s;

	for (s = 0; s < 5; s++) {
		t0 = now();
		for (it = 0; (t = now() - t0) < secs / 5; it += n)
			f(n);
		k = it;
		if (k / t > r)
			r = k / t;
	}
	return r;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* the FMA loop's rate in short runs: the median, and the share (%) of
 * the runs within 10% of best */
#define RUNS	2000
static void
steady(double best, double *median, double *fast)
{
	static double r[RUNS];
	double t0;
	int i, n = 0;

	for (i = 0; i < RUNS; i++) {
		t0 = now();
		fmas(4096);
		r[i] = 4096 * 10 * 16 / (now() - t0);
	}
	for (i = 0; i < RUNS; i++)
		n += r[i] >= 0.9 * best;
	qsort(r, RUNS, sizeof r[0], cmp);
	*median = r[RUNS / 2];
	*fast = 100.0 * n / RUNS;
}

int
main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5, clock, fma, med, fast;

	if (secs <= 0 || secs > 60) {
		fprintf(stderr, "usage: peak seconds\n");
		return 2;
	}
	clock = best(adds, secs) * 8;
	fma = best(fmas, secs) * 10 * 16;
	steady(fma, &med, &fast);
	printf("peak %.3f %.1f %.1f %.0f\n", clock / 1e9, fma / 1e9, med / 1e9,
	    fast);
	return 0;
}
