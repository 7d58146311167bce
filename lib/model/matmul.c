/*
 * matmul.c - the model's matrix products.  Training's batched shapes go to
 * cblas_sgemm on one OpenBLAS thread (our own threads split the batch; see
 * PERF-NOTES: OpenBLAS's threads lose on these shapes).  Inference of a
 * window and per-head attention use the hand-written loops below, written on
 * 8-float vectors (GCC vector extension) with a fixed order of operations
 * per output element: a row's result never depends on the other rows.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include <cblas.h>

#include "matmul.h"
#include "simd.h"


/*
 * The backend of training's batched products, chosen once: an explicit
 * matmul_set_backend(), else $CANDLEKIT_MATMUL (blas, native), else auto:
 * for each product of the model (its IC x OC) and each direction (forward;
 * backward), the faster of the two on this machine, timed here at the first
 * training step and kept in a cache file (below), so that a machine keeps
 * its choice from run to run.  Without a cache file auto takes the hand
 * kernels: they never fall back to a generic kernel set the way OpenBLAS
 * does on CPUs newer than it knows.
 */
#define PENDING	(-2)		/* auto, waiting for matmul_choose() */
#define MAXPICK	16
static _Atomic int backend = -1;	/* -1: not read yet */
static pthread_mutex_t choose_mu = PTHREAD_MUTEX_INITIALIZER;
static char why[1024] = "the default";
/* auto's choices (backend MATMUL_MIXED or one of the two for all) */
static struct pick {
	int	IC, OC;
	int	fwd, bwd;		/* MATMUL_BLAS or MATMUL_NATIVE */
} pick[MAXPICK];
static int npick;

/* Kernel sets OpenBLAS falls back to when it does not know the CPU. */
static const char *const generic_core[] = {
	"prescott", "core2", "katmai", "coppermine", "northwood", "banias",
	"penryn", "dunnington", "atom", "unknown", "generic"
};

const char *
matmul_blas_core(void)
{
	const char *s = openblas_get_corename();

	return s != NULL && *s != '\0' ? s : "unknown";
}

int
matmul_blas_optimized(void)
{
	const char *s = matmul_blas_core();
	size_t i;

	for (i = 0; i < sizeof generic_core / sizeof generic_core[0]; i++)
		if (strcasecmp(s, generic_core[i]) == 0)
			return 0;
	return 1;
}

static enum matmul_backend
read_env(void)
{
	const char *s = getenv("CANDLEKIT_MATMUL");

	if (s != NULL && strcmp(s, "blas") == 0)
		return MATMUL_BLAS;
	if (s != NULL && strcmp(s, "native") == 0)
		return MATMUL_NATIVE;
	return MATMUL_AUTO;
}

void
matmul_set_backend(enum matmul_backend b)
{
	pthread_mutex_lock(&choose_mu);
	if (b == MATMUL_AUTO) {
		b = read_env();
		snprintf(why, sizeof why, "%s", b == MATMUL_AUTO ?
		    "auto, not timed yet" : "CANDLEKIT_MATMUL");
	} else
		snprintf(why, sizeof why, "set by the caller");
	if (b == MATMUL_MIXED)
		b = MATMUL_NATIVE;
	npick = 0;
	backend = b == MATMUL_AUTO ? PENDING : (int)b;
	pthread_mutex_unlock(&choose_mu);
}

enum matmul_backend
matmul_backend(void)
{
	int b;

	if (backend == -1)
		matmul_set_backend(MATMUL_AUTO);
	b = backend;
	return b == PENDING ? MATMUL_NATIVE : (enum matmul_backend)b;
}

const char *
matmul_backend_name(void)
{
	switch (matmul_backend()) {
	case MATMUL_BLAS:
		return "blas";
	case MATMUL_MIXED:
		return "mixed";
	default:
		return "native";
	}
}

const char *
matmul_backend_why(void)
{
	return why;
}

/* The backend of a product IC x OC, forward (bwd 0) or backward. */
static int
backend_of(int IC, int OC, int bwd)
{
	enum matmul_backend b = matmul_backend();
	int i;

	if (b != MATMUL_MIXED)
		return b;
	for (i = 0; i < npick; i++)
		if (pick[i].IC == IC && pick[i].OC == OC)
			return bwd ? pick[i].bwd : pick[i].fwd;
	return MATMUL_NATIVE;
}

/*
 * The cache of auto's choices: one line per CPU, library and shapes,
 * "key TAB choices TAB times": choices "ICxOC:fb ..." per product, f and b
 * the forward's and the backward's backend (n native, b blas); times
 * "native-us blas-us chosen-us" of a step's products.  Appended with one
 * write; the first line of a key decides, so that processes that timed at
 * the same moment still agree afterwards.  Its file: $CANDLEKIT_CACHE
 * (empty: no cache), else $XDG_CACHE_HOME/candlekit/matmul, else
 * $HOME/.cache/candlekit/matmul.
 */
#define CACHE_MAX	(1 << 20)	/* bytes read at most */

static int
cache_path(char *path, size_t len)
{
	const char *s = getenv("CANDLEKIT_CACHE"), *xdg, *home;
	char dir[PATH_MAX], sub[PATH_MAX];
	int n;

	if (s != NULL)
		return *s != '\0' && snprintf(path, len, "%s", s) < (int)len ? 0 :
		    -1;
	xdg = getenv("XDG_CACHE_HOME");
	home = getenv("HOME");
	if (xdg != NULL && *xdg == '/')
		n = snprintf(dir, sizeof dir, "%s", xdg);
	else if (home != NULL && *home == '/')
		n = snprintf(dir, sizeof dir, "%s/.cache", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= sizeof dir - 16)
		return -1;
	(void)mkdir(dir, 0777);
	if (snprintf(sub, sizeof sub, "%.*s/candlekit", PATH_MAX - 32, dir) < 0)
		return -1;
	(void)mkdir(sub, 0777);
	return snprintf(path, len, "%s/matmul", sub) < (int)len ? 0 : -1;
}

/* The CPU's name (its brand string), tabs and line ends made spaces. */
static void
cpu_name(char *s, size_t len)
{
	unsigned r[12] = { 0 };
	size_t i;

	snprintf(s, len, "cpu");
#if defined(__x86_64__) && defined(__GNUC__)
	if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000004u) {
		__get_cpuid(0x80000002, &r[0], &r[1], &r[2], &r[3]);
		__get_cpuid(0x80000003, &r[4], &r[5], &r[6], &r[7]);
		__get_cpuid(0x80000004, &r[8], &r[9], &r[10], &r[11]);
		memcpy(s, r, len < sizeof r ? len : sizeof r);
		s[len - 1 < sizeof r ? len - 1 : sizeof r] = '\0';
	}
#endif
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			s[i] = ' ';
}

static void
cache_key(char *key, size_t len, const struct matmul_shape *sh, int n)
{
	char cpu[64], *p;
	const char *cfg = openblas_get_config();
	size_t off;
	int i;

	cpu_name(cpu, sizeof cpu);
	off = (size_t)snprintf(key, len, "%s|%s|%s|%s", cpu, matmul_avx512() ?
	    "avx512" : "avx2-or-less", cfg != NULL ? cfg : "openblas",
#ifdef VERSION
	    VERSION
#else
	    "dev"
#endif
	    );
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(key + off, len - off, "|%dx%dx%d*%d",
		    sh[i].N, sh[i].IC, sh[i].OC, sh[i].count);
	for (p = key; *p != '\0'; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
}

/* The products of sh, each IC x OC once, into pk; their number. */
static int
pairs(struct pick *pk, const struct matmul_shape *sh, int n)
{
	int i, j, np = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < np; j++)
			if (pk[j].IC == sh[i].IC && pk[j].OC == sh[i].OC)
				break;
		if (j == np && np < MAXPICK) {
			pk[np].IC = sh[i].IC, pk[np].OC = sh[i].OC;
			pk[np].fwd = pk[np].bwd = MATMUL_NATIVE;
			np++;
		}
	}
	return np;
}

/* "ICxOC:fb ..." of pk */
static void
picks_format(char *s, size_t len, const struct pick *pk, int np)
{
	size_t off = 0;
	int i;

	s[0] = '\0';
	for (i = 0; i < np && off < len; i++)
		off += (size_t)snprintf(s + off, len - off, "%s%dx%d:%c%c",
		    i > 0 ? " " : "", pk[i].IC, pk[i].OC,
		    pk[i].fwd == MATMUL_BLAS ? 'b' : 'n',
		    pk[i].bwd == MATMUL_BLAS ? 'b' : 'n');
}

/* Read "ICxOC:fb ..." into pk (whose products are known); 0 or -1. */
static int
picks_parse(const char *s, struct pick *pk, int np)
{
	int i, ic, oc, used;
	char f, b;

	for (i = 0; i < np; i++) {
		if (sscanf(s, " %dx%d:%c%c%n", &ic, &oc, &f, &b, &used) != 4 ||
		    ic != pk[i].IC || oc != pk[i].OC || (f != 'n' && f != 'b') ||
		    (b != 'n' && b != 'b'))
			return -1;
		pk[i].fwd = f == 'b' ? MATMUL_BLAS : MATMUL_NATIVE;
		pk[i].bwd = b == 'b' ? MATMUL_BLAS : MATMUL_NATIVE;
		s += used;
	}
	return 0;
}

/* The first line of key in the cache into pk; 0, or -1 when none. */
static int
cache_find(const char *path, const char *key, struct pick *pk, int np,
    char *times, size_t tlen)
{
	char line[4096], *t1, *t2;
	size_t klen = strlen(key), total = 0;
	FILE *f = fopen(path, "r");
	int found = -1;

	if (f == NULL)
		return -1;
	while (found == -1 && total < CACHE_MAX &&
	    fgets(line, sizeof line, f) != NULL) {
		total += strlen(line);
		if (strncmp(line, key, klen) != 0 || line[klen] != '\t')
			continue;
		t1 = line + klen + 1;
		if ((t2 = strchr(t1, '\t')) == NULL)
			continue;
		*t2++ = '\0';
		if (picks_parse(t1, pk, np) == -1)
			continue;
		t2[strcspn(t2, "\n")] = '\0';
		snprintf(times, tlen, "%s", t2);
		found = 0;
	}
	fclose(f);
	return found;
}

static int
cache_add(const char *path, const char *key, const struct pick *pk, int np,
    const double t[3])
{
	char line[4096], ch[1024];
	int fd, n, rc = -1;

	picks_format(ch, sizeof ch, pk, np);
	n = snprintf(line, sizeof line, "%s\t%s\t%.0f %.0f %.0f\n", key, ch,
	    t[0] * 1e6, t[1] * 1e6, t[2] * 1e6);
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		return -1;
	if (write(fd, line, (size_t)n) == n)
		rc = 0;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* this thread's CPU seconds: time other processes take from the core on
 * a shared machine is not counted against either backend */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Time each shape's forward and backward products on each backend (one
 * thread), the best of ROUNDS alternating rounds (a neighbour's burst of
 * work slows one round, not the choice), and pick per product and
 * direction the faster (blas by BLAS_EDGE); t: a step's products all
 * native, all blas, as picked, in seconds.  15 rounds: on a virtual CPU
 * whose core's FMA units another guest shares, full speed came in only
 * some of the 30 us runs of an FMA loop (8% to 90% of them on an AMD EPYC
 * guest, tests/bench/peak.c), and with 5 rounds one backend's best could
 * miss every fast phase the other caught.
 */
#define ROUNDS	15
/*
 * blas only where it takes less than BLAS_EDGE of the hand kernels' time:
 * the timing runs on one thread with its buffers warm in the cache, where
 * cblas_sgemm does better than inside a step (on an AMD EPYC Zen 3 a
 * larger model, W64 d64 L4, timed even here and trained 1.3x slower on
 * blas); a near tie is noise, and the hand kernels then keep the product.
 */
#define BLAS_EDGE 0.8

static int
time_backends(const struct matmul_shape *sh, int n, struct pick *pk, int np,
    double t[3])
{
	size_t mi = 0, mw = 0, mo = 0, k;
	float *buf, *inp, *w, *bias, *out, *dout, *dinp, *dw, *wt;
	double (*best)[2][2], t0, t1, t2;
	int i, j, r, be, c, blas;

	if (n < 1 || (best = calloc((size_t)n, sizeof *best)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		mi = MAX(mi, (size_t)sh[i].N * sh[i].IC);
		mw = MAX(mw, (size_t)sh[i].IC * sh[i].OC);
		mo = MAX(mo, (size_t)sh[i].N * sh[i].OC);
	}
	/* inp dinp (mi), w dw wt bias (mw), out dout (mo) */
	if ((buf = malloc((2 * mi + 4 * mw + 2 * mo) * sizeof *buf)) == NULL) {
		free(best);
		return -1;
	}
	inp = buf, dinp = inp + mi, w = dinp + mi, dw = w + mw, wt = dw + mw;
	bias = wt + mw, out = bias + mw, dout = out + mo;
	for (k = 0; k < 2 * mi + 4 * mw + 2 * mo; k++)
		buf[k] = (float)((k * 2654435761u) % 1000) * 1e-3f - 0.5f;
	for (i = 0; i < n; i++)
		best[i][0][0] = best[i][0][1] = best[i][1][0] =
		    best[i][1][1] = HUGE_VAL;
	for (r = 0; r < ROUNDS; r++)
		for (be = 0; be < 2; be++) {
			/* native first in even rounds, blas first in odd */
			blas = (be + r) % 2;
			for (i = 0; i < n; i++) {
				const struct matmul_shape *s = &sh[i];

				t0 = now();
				for (c = 0; c < s->count; c++)
					if (blas)
						matmul_forward_ld(out, s->OC, inp,
						    s->IC, w, s->OC, bias, s->N,
						    s->IC, s->OC);
					else
						matmul_rows_ld(out, s->OC, inp,
						    s->IC, w, s->OC, bias, s->N,
						    s->IC, s->OC);
				t1 = now();
				for (c = 0; c < s->count; c++)
					if (blas)
						matmul_backward(dinp, s->IC, dw,
						    bias, dout, inp, w, s->N,
						    s->IC, s->OC);
					else
						matmul_backward_rows(dinp, dw,
						    bias, dout, inp, w, wt, s->N,
						    s->IC, s->OC);
				t2 = now();
				best[i][0][blas] = fmin(best[i][0][blas], t1 - t0);
				best[i][1][blas] = fmin(best[i][1][blas], t2 - t1);
			}
		}
	t[0] = t[1] = t[2] = 0;
	for (j = 0; j < np; j++) {
		double s[2][2] = { { 0, 0 }, { 0, 0 } };

		for (i = 0; i < n; i++)
			if (sh[i].IC == pk[j].IC && sh[i].OC == pk[j].OC)
				for (k = 0; k < 4; k++)
					s[k / 2][k % 2] += best[i][k / 2][k % 2];
		pk[j].fwd = s[0][1] < BLAS_EDGE * s[0][0] ? MATMUL_BLAS :
		    MATMUL_NATIVE;
		pk[j].bwd = s[1][1] < BLAS_EDGE * s[1][0] ? MATMUL_BLAS :
		    MATMUL_NATIVE;
		t[0] += s[0][0] + s[1][0];
		t[1] += s[0][1] + s[1][1];
		t[2] += s[0][pk[j].fwd == MATMUL_BLAS] +
		    s[1][pk[j].bwd == MATMUL_BLAS];
	}
	free(best);
	free(buf);
	return 0;
}

/* Put pk in force: one backend when all agree, else MATMUL_MIXED. */
static void
picks_apply(const struct pick *pk, int np)
{
	int i, nb = 0;

	for (i = 0; i < np; i++) {
		pick[i] = pk[i];
		nb += (pk[i].fwd == MATMUL_BLAS) + (pk[i].bwd == MATMUL_BLAS);
	}
	npick = np;
	backend = nb == 0 ? MATMUL_NATIVE : nb == 2 * np ? MATMUL_BLAS :
	    MATMUL_MIXED;
}

enum matmul_backend
matmul_choose(const struct matmul_shape *sh, int n)
{
	char path[PATH_MAX], key[1536], times[128], ch[400];
	struct pick pk[MAXPICK];
	double t[3];
	int np;

	if (backend == -1)
		matmul_set_backend(MATMUL_AUTO);
	if (backend != PENDING)
		return matmul_backend();
	pthread_mutex_lock(&choose_mu);
	if (backend != PENDING)
		goto out;
	np = pairs(pk, sh, n);
	snprintf(why, sizeof why, "auto, no cache file: the hand kernels");
	if (cache_path(path, sizeof path) == 0) {
		cache_key(key, sizeof key, sh, n);
		if (cache_find(path, key, pk, np, times, sizeof times) == 0) {
			picks_format(ch, sizeof ch, pk, np);
			snprintf(why, sizeof why, "auto, from the cache: %s "
			    "(native, blas, chosen us: %s)", ch, times);
		} else if (time_backends(sh, n, pk, np, t) == 0 &&
		    cache_add(path, key, pk, np, t) == 0 &&
		    cache_find(path, key, pk, np, times, sizeof times) == 0) {
			picks_format(ch, sizeof ch, pk, np);
			snprintf(why, sizeof why, "auto, timed: %s (a step's "
			    "products: native %.0f us, blas %.0f us, chosen "
			    "%.0f us)", ch, t[0] * 1e6, t[1] * 1e6, t[2] * 1e6);
		} else {
			np = pairs(pk, sh, n);	/* all native */
			snprintf(why, sizeof why, "auto, cache not writable: "
			    "the hand kernels");
		}
	}
	picks_apply(pk, np);
out:
	pthread_mutex_unlock(&choose_mu);
	return matmul_backend();
}

void
matmul_init(void)
{
	openblas_set_num_threads(1);
	(void)matmul_backend();
	(void)matmul_avx512();	/* checked once, before any worker thread */
}

void
matmul_batch_forward(float *out, int ldo, const float *inp, int ldi,
    const float *w, int ldw, const float *bias, int N, int IC, int OC)
{
	if (backend_of(IC, OC, 0) == MATMUL_BLAS)
		matmul_forward_ld(out, ldo, inp, ldi, w, ldw, bias, N, IC, OC);
	else
		matmul_rows_ld(out, ldo, inp, ldi, w, ldw, bias, N, IC, OC);
}

static void	blas_backward(float *, int, int, float *, float *, const float *,
		    const float *, const float *, int, int, int);
static void	backward_rows(float *, int, float *, float *, const float *,
		    const float *, const float *, float *, int, int, int);

void
matmul_batch_backward(float *dinp, int set, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, float *wt, int N,
    int IC, int OC)
{
	if (backend_of(IC, OC, 1) == MATMUL_BLAS)
		blas_backward(dinp, IC, set, dw, dbias, dout, inp, w, N, IC, OC);
	else
		backward_rows(dinp, set, dw, dbias, dout, inp, w, wt, N, IC,
		    OC);
}

void
matmul_forward(float *out, const float *inp, int ldi, const float *w,
    const float *bias, int N, int IC, int OC)
{
	matmul_forward_ld(out, OC, inp, ldi, w, OC, bias, N, IC, OC);
}

void
matmul_forward_ld(float *out, int ldo, const float *inp, int ldi,
    const float *w, int ldw, const float *bias, int N, int IC, int OC)
{
	int i;

	if (bias != NULL) {
		for (i = 0; i < N; i++)
			memcpy(out + (size_t)i * ldo, bias, OC * sizeof *out);
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, OC, IC, 1.0f,
	    inp, ldi, w, ldw, bias != NULL ? 1.0f : 0.0f, out, ldo);
}

/* matmul_backward, dinp overwritten (set 1) or added into (set 0) */
static void
blas_backward(float *dinp, int ldi, int set, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, int N, int IC, int OC)
{
	int i, j;

	/* dinp (N,IC) (+)= dout (N,OC) w^T (OC,IC) */
	if (dinp != NULL)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, IC, OC,
		    1.0f, dout, OC, w, OC, set ? 0.0f : 1.0f, dinp, ldi);
	/* dw (IC,OC) += inp^T (IC,N) dout (N,OC) */
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, IC, OC, N, 1.0f,
	    inp, ldi, dout, OC, 1.0f, dw, OC);
	if (dbias != NULL)
		for (i = 0; i < N; i++)
			for (j = 0; j < OC; j++)
				dbias[j] += dout[(size_t)i * OC + j];
}

void
matmul_backward(float *dinp, int ldi, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, int N, int IC, int OC)
{
	blas_backward(dinp, ldi, 0, dw, dbias, dout, inp, w, N, IC, OC);
}

/*
 * out = inp w + bias (acc 0) or out += inp w (acc 1), by blocks of 4 rows x
 * 16 or 8 columns, single rows, single columns.  Columns outermost: a 16-
 * column slice of w stays in L1 while the rows go by.  Element (r, j) is
 * init + inp[r,0] w[0,j] + inp[r,1] w[1,j] + ..., k ascending, whichever
 * kernel computes it: a row's bits never depend on the other rows.  The
 * accumulators are named, so that they stay in registers.
 */
#define INIT(v, o, j)	((v) = acc ? CV8((o) + (j)) : bias != NULL ? \
			    CV8(bias + (j)) : zero)
#define AI	__attribute__((always_inline))

/*
 * R rows x 16 columns, R 6 or 4 (a constant where it is inlined): 2R sums,
 * 12 for R = 6, more than the 8 the two FMA units need in flight, so a
 * late load does not stall them.  The loops over the rows are unrolled,
 * so that the sums stay in registers.
 */
static inline AI void
kx16(int R, float *out, int ldo, const float *inp, int ldi, const float *w,
    int ldw, const float *bias, int IC, int j, int acc)
{
	v8 zero = { 0 }, s0[6], s1[6], w0, w1;
	int k, r;

	_Pragma("GCC unroll 6")
	for (r = 0; r < R; r++) {
		INIT(s0[r], out + (size_t)r * ldo, j);
		INIT(s1[r], out + (size_t)r * ldo, j + 8);
	}
	for (k = 0; k < IC; k++) {
		w0 = CV8(w + (size_t)k * ldw + j);
		w1 = CV8(w + (size_t)k * ldw + j + 8);
		_Pragma("GCC unroll 6")
		for (r = 0; r < R; r++) {
			float x = inp[(size_t)r * ldi + k];

			s0[r] = s0[r] + x * w0, s1[r] = s1[r] + x * w1;
		}
	}
	_Pragma("GCC unroll 6")
	for (r = 0; r < R; r++) {
		V8(out + (size_t)r * ldo + j) = s0[r];
		V8(out + (size_t)r * ldo + j + 8) = s1[r];
	}
}

static inline AI void
k4x8(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int IC, int j, int acc)
{
	const float *i0 = inp, *i1 = inp + ldi, *i2 = i1 + ldi, *i3 = i2 + ldi;
	float *o0 = out, *o1 = out + ldo, *o2 = o1 + ldo, *o3 = o2 + ldo;
	v8 zero = { 0 }, a0, b0, c0, d0, w0;
	int k;

	INIT(a0, o0, j), INIT(b0, o1, j), INIT(c0, o2, j), INIT(d0, o3, j);
	for (k = 0; k < IC; k++) {
		w0 = CV8(w + (size_t)k * ldw + j);
		a0 = a0 + i0[k] * w0, b0 = b0 + i1[k] * w0;
		c0 = c0 + i2[k] * w0, d0 = d0 + i3[k] * w0;
	}
	V8(o0 + j) = a0, V8(o1 + j) = b0, V8(o2 + j) = c0, V8(o3 + j) = d0;
}

static inline AI void
k1x8(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int IC, int j, int acc)
{
	v8 zero = { 0 }, a0;
	int k;

	(void)ldo, (void)ldi;		/* one row */
	INIT(a0, out, j);
	for (k = 0; k < IC; k++)
		a0 = a0 + inp[k] * CV8(w + (size_t)k * ldw + j);
	V8(out + j) = a0;
}

static inline AI void
k1x1(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int IC, int j, int acc)
{
	float s = acc ? out[j] : bias != NULL ? bias[j] : 0.0f;
	int k;

	(void)ldo, (void)ldi;		/* one row */
	for (k = 0; k < IC; k++)
		s = s + inp[k] * w[(size_t)k * ldw + j];
	out[j] = s;
}

/* 8 rows x 8 columns: 8 independent sums, enough to keep both FMA units
 * busy where a block of 4 rows would wait on the latency (8-column slices:
 * a head's width) */
static inline AI void
k8x8(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int IC, int j, int acc)
{
	const float *i0 = inp, *i1 = i0 + ldi, *i2 = i1 + ldi, *i3 = i2 + ldi;
	const float *i4 = i3 + ldi, *i5 = i4 + ldi, *i6 = i5 + ldi;
	const float *i7 = i6 + ldi;
	float *o0 = out, *o1 = o0 + ldo, *o2 = o1 + ldo, *o3 = o2 + ldo;
	float *o4 = o3 + ldo, *o5 = o4 + ldo, *o6 = o5 + ldo, *o7 = o6 + ldo;
	v8 zero = { 0 }, a0, a1, a2, a3, a4, a5, a6, a7, w0;
	int k;

	INIT(a0, o0, j), INIT(a1, o1, j), INIT(a2, o2, j), INIT(a3, o3, j);
	INIT(a4, o4, j), INIT(a5, o5, j), INIT(a6, o6, j), INIT(a7, o7, j);
	for (k = 0; k < IC; k++) {
		w0 = CV8(w + (size_t)k * ldw + j);
		a0 = a0 + i0[k] * w0, a1 = a1 + i1[k] * w0;
		a2 = a2 + i2[k] * w0, a3 = a3 + i3[k] * w0;
		a4 = a4 + i4[k] * w0, a5 = a5 + i5[k] * w0;
		a6 = a6 + i6[k] * w0, a7 = a7 + i7[k] * w0;
	}
	V8(o0 + j) = a0, V8(o1 + j) = a1, V8(o2 + j) = a2, V8(o3 + j) = a3;
	V8(o4 + j) = a4, V8(o5 + j) = a5, V8(o6 + j) = a6, V8(o7 + j) = a7;
}

/* One row x 8 NV columns (NV 1, 2, 4 or 8): NV independent sums, so that
 * a single row does not wait on one chain of fused multiply-adds. */
#define K1(NV) do { \
	v8 z_ = { 0 }, s_[8], x_; \
	int q_, k_; \
	for (q_ = 0; q_ < (NV); q_++) \
		INIT(s_[q_], out, j + 8 * q_); \
	for (k_ = 0; k_ < IC; k_++) { \
		x_ = z_ + inp[k_]; \
		for (q_ = 0; q_ < (NV); q_++) \
			s_[q_] = s_[q_] + x_ * CV8(w + (size_t)k_ * ldw + j + \
			    8 * q_); \
	} \
	for (q_ = 0; q_ < (NV); q_++) \
		V8(out + j + 8 * q_) = s_[q_]; \
} while (0)

static inline AI void
k1row(float *out, const float *inp, const float *w, int ldw,
    const float *bias, int IC, int OC, int acc)
{
	v8 zero = { 0 };
	int j = 0;

	for (; j + 64 <= OC; j += 64)
		K1(8);
	if (j + 32 <= OC) {
		K1(4);
		j += 32;
	}
	if (j + 16 <= OC) {
		K1(2);
		j += 16;
	}
	if (j + 8 <= OC) {
		K1(1);
		j += 8;
	}
	(void)zero;
	for (; j < OC; j++)
		k1x1(out, 0, inp, 0, w, ldw, bias, IC, j, acc);
}

/* How many blocks of 6 rows, so that 4-row blocks take the rest (a single
 * row is the slowest case) where they can. */
static inline int
blocks6(int N)
{
	int n6 = N / 6;

	while (n6 > 0 && (N - 6 * n6) % 4 != 0)
		n6--;
	return n6;
}

/*
 * Rows of inp a panel holds: where inp is larger than 256 KB (it would
 * leave L2 between two column slices), about 12 KB of inp (a multiple of
 * 12 rows), so that the panel stays in L1 while every column slice of w
 * goes by; else all N (a panel costs a little where inp stays in L2).  The
 * sums do not change: each element is still computed by one kernel, k
 * ascending.
 */
static inline int
panel(int N, int IC)
{
	int P = 3072 / (IC > 0 ? IC : 1) / 12 * 12;

	if ((size_t)N * IC <= 65536)
		return N > 0 ? N : 1;
	return P < 12 ? 12 : P;
}

static inline AI void
rows(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int N, int IC, int OC, int acc)
{
	int r, j, p, pe, r6 = 6 * blocks6(N), r4 = r6 + ((N - r6) & ~3);
	int P = panel(N, IC);

#define ROW(r)	out + (size_t)(r) * ldo, ldo, inp + (size_t)(r) * ldi, ldi, w, \
	    ldw, bias, IC
	/* panels of P rows (6-row blocks, then 4-row blocks) */
	for (p = 0; p < r4; p = pe) {
		pe = p < r6 ? MIN(p + P, r6) : MIN(p + P, r4);
		for (j = 0; j + 16 <= OC; j += 16)
			if (p < r6)
				for (r = p; r < pe; r += 6)
					kx16(6, ROW(r), j, acc);
			else
				for (r = p; r < pe; r += 4)
					kx16(4, ROW(r), j, acc);
	}
	for (j = OC & ~15; j + 8 <= OC; j += 8) {
		for (r = 0; r + 8 <= r4; r += 8)
			k8x8(ROW(r), j, acc);
		for (; r + 4 <= r4; r += 4)
			k4x8(ROW(r), j, acc);
		for (; r < r4; r++)
			k1x8(ROW(r), j, acc);
	}
	for (; j < OC; j++)
		for (r = 0; r < r4; r++)
			k1x1(ROW(r), j, acc);
	/* the last rows one by one, all columns at once */
	for (r = r4; r < N; r++)
		k1row(out + (size_t)r * ldo, inp + (size_t)r * ldi, w, ldw, bias,
		    IC, OC, acc);
#undef ROW
}

/*
 * The same products on 16-float vectors where the CPU has AVX-512: blocks
 * of 8 rows x 32 columns (16 accumulators of the 32 zmm registers), then 8
 * x 16, single rows, and the 8-float kernels above for the last columns.
 * Element (r, j) is still init + inp[r,0] w[0,j] + ..., k ascending, one
 * fused multiply-add at a time: the same bits as the 8-float kernels, only
 * half the instructions.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define HAVE_ROWS16 1
#define T512	__attribute__((target("avx512f,avx512vl,avx2,fma")))
typedef float v16 __attribute__((vector_size(64), aligned(4)));
#define V16(p)	(*(v16 *)(p))
#define CV16(p)	(*(const v16 *)(p))
#define INIT16(v, o, j)	((v) = acc ? CV16((o) + (j)) : bias != NULL ? \
			    CV16(bias + (j)) : zero)

/* rows r..r+7 (R = 8) or r (R = 1), columns j..j+16*NV-1 (NV = 1 or 2) */
#define K16(R, NV) do { \
	const float *i_[8]; \
	float *o_[8]; \
	v16 zero = { 0 }, wa, wb = zero; \
	v16 a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7; \
	int q_, k_; \
	for (q_ = 0; q_ < (R); q_++) { \
		i_[q_] = inp + (size_t)(r + q_) * ldi; \
		o_[q_] = out + (size_t)(r + q_) * ldo; \
	} \
	a0 = a1 = a2 = a3 = a4 = a5 = a6 = a7 = zero; \
	b0 = b1 = b2 = b3 = b4 = b5 = b6 = b7 = zero; \
	INIT16(a0, o_[0], j); if (NV == 2) INIT16(b0, o_[0], j + 16); \
	if (R == 8) { \
		INIT16(a1, o_[1], j), INIT16(a2, o_[2], j), INIT16(a3, o_[3], j); \
		INIT16(a4, o_[4], j), INIT16(a5, o_[5], j), INIT16(a6, o_[6], j); \
		INIT16(a7, o_[7], j); \
		if (NV == 2) { \
			INIT16(b1, o_[1], j + 16), INIT16(b2, o_[2], j + 16); \
			INIT16(b3, o_[3], j + 16), INIT16(b4, o_[4], j + 16); \
			INIT16(b5, o_[5], j + 16), INIT16(b6, o_[6], j + 16); \
			INIT16(b7, o_[7], j + 16); \
		} \
	} \
	_Pragma("GCC unroll 4") \
	for (k_ = 0; k_ < IC; k_++) { \
		wa = CV16(w + (size_t)k_ * ldw + j); \
		if (NV == 2) \
			wb = CV16(w + (size_t)k_ * ldw + j + 16); \
		a0 = a0 + i_[0][k_] * wa; \
		if (NV == 2) b0 = b0 + i_[0][k_] * wb; \
		if (R == 8) { \
			a1 = a1 + i_[1][k_] * wa, a2 = a2 + i_[2][k_] * wa; \
			a3 = a3 + i_[3][k_] * wa, a4 = a4 + i_[4][k_] * wa; \
			a5 = a5 + i_[5][k_] * wa, a6 = a6 + i_[6][k_] * wa; \
			a7 = a7 + i_[7][k_] * wa; \
			if (NV == 2) { \
				b1 = b1 + i_[1][k_] * wb, b2 = b2 + i_[2][k_] * wb; \
				b3 = b3 + i_[3][k_] * wb, b4 = b4 + i_[4][k_] * wb; \
				b5 = b5 + i_[5][k_] * wb, b6 = b6 + i_[6][k_] * wb; \
				b7 = b7 + i_[7][k_] * wb; \
			} \
		} \
	} \
	V16(o_[0] + j) = a0; if (NV == 2) V16(o_[0] + j + 16) = b0; \
	if (R == 8) { \
		V16(o_[1] + j) = a1, V16(o_[2] + j) = a2, V16(o_[3] + j) = a3; \
		V16(o_[4] + j) = a4, V16(o_[5] + j) = a5, V16(o_[6] + j) = a6; \
		V16(o_[7] + j) = a7; \
		if (NV == 2) { \
			V16(o_[1] + j + 16) = b1, V16(o_[2] + j + 16) = b2; \
			V16(o_[3] + j + 16) = b3, V16(o_[4] + j + 16) = b4; \
			V16(o_[5] + j + 16) = b5, V16(o_[6] + j + 16) = b6; \
			V16(o_[7] + j + 16) = b7; \
		} \
	} \
} while (0)

#define ROW16(r)	out + (size_t)(r) * ldo, ldo, inp + (size_t)(r) * ldi, \
	    ldi, w, ldw, bias, IC

static T512 void
rows16(float *out, int ldo, const float *inp, int ldi, const float *w, int ldw,
    const float *bias, int N, int IC, int OC, int acc)
{
	int r, j;

	for (j = 0; j + 32 <= OC; j += 32) {
		for (r = 0; r + 8 <= N; r += 8)
			K16(8, 2);
		for (; r < N; r++)
			K16(1, 2);
	}
	for (; j + 16 <= OC; j += 16) {
		for (r = 0; r + 8 <= N; r += 8)
			K16(8, 1);
		for (; r < N; r++)
			K16(1, 1);
	}
	/* 8 columns: blocks of 8 rows keep 8 sums in flight */
	for (; j + 8 <= OC; j += 8) {
		for (r = 0; r + 8 <= N; r += 8)
			k8x8(ROW16(r), j, acc);
		for (; r < N; r++)
			k1x8(ROW16(r), j, acc);
	}
	if (j < OC)	/* the last 0..7 columns */
		rows(out + j, ldo, inp, ldi, w + j, ldw, bias != NULL ? bias +
		    j : NULL, N, IC, OC - j, acc);
}

#else
#define HAVE_ROWS16 0
#endif

int
matmul_avx512(void)
{
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
	static int have = -1;

	if (have == -1)
		have = __builtin_cpu_supports("avx512f") &&
		    __builtin_cpu_supports("avx512vl");
	return have;
#else
	return 0;
#endif
}

/* rows() on the widest vectors the CPU has; the same bits either way. */
static inline AI void
rows_any(float *out, int ldo, const float *inp, int ldi, const float *w,
    int ldw, const float *bias, int N, int IC, int OC, int acc)
{
#if HAVE_ROWS16
	if (matmul_avx512()) {
		rows16(out, ldo, inp, ldi, w, ldw, bias, N, IC, OC, acc);
		return;
	}
#endif
	rows(out, ldo, inp, ldi, w, ldw, bias, N, IC, OC, acc);
}

CLONES void
matmul_rows(float *out, const float *inp, const float *w, const float *bias,
    int N, int IC, int OC)
{
	rows_any(out, OC, inp, IC, w, OC, bias, N, IC, OC, 0);
}

CLONES void
matmul_rows_ld(float *out, int ldo, const float *inp, int ldi, const float *w,
    int ldw, const float *bias, int N, int IC, int OC)
{
	rows_any(out, ldo, inp, ldi, w, ldw, bias, N, IC, OC, 0);
}

/*
 * dw (IC,OC) += inp^T (IC,N) dout (N,OC): chunks of 64 rows stay in L1
 * while blocks of 6 x 16 (then 4 x 16) of dw accumulate in registers.
 */
#define DW_CHUNK 64

/* R rows (6 or 4, a constant where it is inlined) x 16 columns of dw,
 * rows n0..n1 of inp and dout: 2R sums in registers, 12 for R = 6, more
 * than the 8 the two FMA units need in flight. */
static inline AI void
dwx16(int R, float *dw, const float *inp, const float *dout, int n0, int n1,
    int IC, int OC, int i, int j)
{
	v8 s0[6], s1[6], e0, e1;
	int n, r;

	_Pragma("GCC unroll 6")
	for (r = 0; r < R; r++) {
		s0[r] = CV8(dw + (size_t)(i + r) * OC + j);
		s1[r] = CV8(dw + (size_t)(i + r) * OC + j + 8);
	}
	for (n = n0; n < n1; n++) {
		const float *x = inp + (size_t)n * IC + i;

		e0 = CV8(dout + (size_t)n * OC + j);
		e1 = CV8(dout + (size_t)n * OC + j + 8);
		_Pragma("GCC unroll 6")
		for (r = 0; r < R; r++)
			s0[r] = s0[r] + x[r] * e0, s1[r] = s1[r] + x[r] * e1;
	}
	_Pragma("GCC unroll 6")
	for (r = 0; r < R; r++) {
		V8(dw + (size_t)(i + r) * OC + j) = s0[r];
		V8(dw + (size_t)(i + r) * OC + j + 8) = s1[r];
	}
}

static inline AI void
dw_kernel(float *dw, const float *inp, const float *dout, int N, int IC, int OC)
{
	int n0, n1, n, i, j, i6 = 6 * blocks6(IC), i4 = i6 + ((IC - i6) & ~3);

	for (n0 = 0; n0 < N; n0 = n1) {
		n1 = n0 + DW_CHUNK < N ? n0 + DW_CHUNK : N;
		for (i = 0; i < i6; i += 6)
			for (j = 0; j + 16 <= OC; j += 16)
				dwx16(6, dw, inp, dout, n0, n1, IC, OC, i, j);
		for (; i < i4; i += 4)
			for (j = 0; j + 16 <= OC; j += 16)
				dwx16(4, dw, inp, dout, n0, n1, IC, OC, i, j);
		/* what the blocks left: the last columns, the last rows */
		for (i = 0; i < IC; i++)
			for (j = i < i4 ? OC & ~15 : 0; j < OC; j++) {
				float s = dw[(size_t)i * OC + j];

				for (n = n0; n < n1; n++)
					s = s + inp[(size_t)n * IC + i] *
					    dout[(size_t)n * OC + j];
				dw[(size_t)i * OC + j] = s;
			}
	}
}

#if HAVE_ROWS16
/*
 * dw_kernel on 16-float vectors: blocks of 8 x 32 of dw in 16 zmm
 * registers.  Every element still gets dw + its products n ascending, one
 * fused multiply-add at a time: the same bits as dw_kernel.
 */
static T512 void
dw16(float *dw, const float *inp, const float *dout, int N, int IC, int OC)
{
	v16 a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7;
	v16 e0, e1;
	int n0, n1, n, i, j, ib = IC & ~7, jb = OC & ~31;

	for (n0 = 0; n0 < N; n0 = n1) {
		n1 = n0 + DW_CHUNK < N ? n0 + DW_CHUNK : N;
		for (i = 0; i < ib; i += 8)
			for (j = 0; j < jb; j += 32) {
				float *r = dw + (size_t)i * OC + j;

#define LD(k)	a##k = CV16(r + (size_t)(k) * OC), \
		b##k = CV16(r + (size_t)(k) * OC + 16)
#define ST(k)	V16(r + (size_t)(k) * OC) = a##k, \
		V16(r + (size_t)(k) * OC + 16) = b##k
#define FMA(k)	a##k = a##k + x[k] * e0, b##k = b##k + x[k] * e1
				LD(0), LD(1), LD(2), LD(3), LD(4), LD(5), LD(6);
				LD(7);
				for (n = n0; n < n1; n++) {
					const float *x = inp + (size_t)n * IC + i;

					e0 = CV16(dout + (size_t)n * OC + j);
					e1 = CV16(dout + (size_t)n * OC + j + 16);
					FMA(0), FMA(1), FMA(2), FMA(3), FMA(4), FMA(5);
					FMA(6), FMA(7);
				}
				ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7);
#undef LD
#undef ST
#undef FMA
			}
		/* what the blocks left: the last columns, the last rows */
		for (i = 0; i < IC; i++)
			for (j = i < ib ? jb : 0; j < OC; j++) {
				float s = dw[(size_t)i * OC + j];

				for (n = n0; n < n1; n++)
					s = s + inp[(size_t)n * IC + i] *
					    dout[(size_t)n * OC + j];
				dw[(size_t)i * OC + j] = s;
			}
	}
}
#endif

/* The gradients of matmul_rows, by hand: dinp through w^T (transposed into
 * wt, IC*OC floats; overwritten when set, else added into), dw by
 * dw_kernel, dbias column sums.  Overwriting gives the bits of adding into
 * zeros. */
static inline AI void
backward_rows_any(float *dinp, int set, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, float *wt, int N,
    int IC, int OC)
{
	int i, j;

	if (dinp != NULL) {
		transpose(wt, IC, w, OC, IC, OC);
		rows_any(dinp, IC, dout, OC, wt, IC, NULL, N, OC, IC, !set);
	}
#if HAVE_ROWS16
	if (matmul_avx512())
		dw16(dw, inp, dout, N, IC, OC);
	else
#endif
		dw_kernel(dw, inp, dout, N, IC, OC);
	if (dbias != NULL)
		for (i = 0; i < N; i++) {
			const float *d = dout + (size_t)i * OC;

			for (j = 0; j + 8 <= OC; j += 8)
				V8(dbias + j) = CV8(dbias + j) + CV8(d + j);
			for (; j < OC; j++)
				dbias[j] += d[j];
		}
}

static CLONES void
backward_rows(float *dinp, int set, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, float *wt, int N,
    int IC, int OC)
{
	backward_rows_any(dinp, set, dw, dbias, dout, inp, w, wt, N, IC, OC);
}

CLONES void
matmul_backward_rows(float *dinp, float *dw, float *dbias, const float *dout,
    const float *inp, const float *w, float *wt, int N, int IC, int OC)
{
	backward_rows_any(dinp, 0, dw, dbias, dout, inp, w, wt, N, IC, OC);
}

/*
 * c[i, j] = (acc ? c[i, j] : 0) + sum_k s(i, k) b[k, j], s(i, k) = alpha
 * a[i, k] (ta 0) or a[k, i] (ta 1); k ascending, for the small per-head
 * attention products.  Blocks of 4 rows x 16 or 8 columns keep 8 or 4
 * independent sums in flight however narrow c is (a head is 8 columns).
 */
#define AIK(i, k) (ta ? a[(size_t)(k) * lda + (i)] : \
		    alpha * a[(size_t)(i) * lda + (k)])
#define CINIT(v, p)	((v) = acc ? CV8(p) : zero)

static inline AI void
small_kernel(float *c, int ldc, const float *a, int lda, int ta,
    const float *b, int ldb, int M, int N, int K, float alpha, int acc)
{
	v8 zero = { 0 }, a0, a1, b0, b1, c0, c1, d0, d1, e0, e1;
	float s0, s1, s2, s3, t;
	int i, j, k;

	for (j = 0; j + 16 <= N; j += 16) {
		for (i = 0; i + 4 <= M; i += 4) {
			float *p0 = c + (size_t)i * ldc + j, *p1 = p0 + ldc;
			float *p2 = p1 + ldc, *p3 = p2 + ldc;

			CINIT(a0, p0), CINIT(a1, p0 + 8), CINIT(b0, p1);
			CINIT(b1, p1 + 8), CINIT(c0, p2), CINIT(c1, p2 + 8);
			CINIT(d0, p3), CINIT(d1, p3 + 8);
			for (k = 0; k < K; k++) {
				e0 = CV8(b + (size_t)k * ldb + j);
				e1 = CV8(b + (size_t)k * ldb + j + 8);
				s0 = AIK(i, k), s1 = AIK(i + 1, k);
				s2 = AIK(i + 2, k), s3 = AIK(i + 3, k);
				a0 = a0 + s0 * e0, a1 = a1 + s0 * e1;
				b0 = b0 + s1 * e0, b1 = b1 + s1 * e1;
				c0 = c0 + s2 * e0, c1 = c1 + s2 * e1;
				d0 = d0 + s3 * e0, d1 = d1 + s3 * e1;
			}
			V8(p0) = a0, V8(p0 + 8) = a1, V8(p1) = b0, V8(p1 + 8) = b1;
			V8(p2) = c0, V8(p2 + 8) = c1, V8(p3) = d0, V8(p3 + 8) = d1;
		}
		for (; i < M; i++) {
			float *p0 = c + (size_t)i * ldc + j;

			CINIT(a0, p0), CINIT(a1, p0 + 8);
			for (k = 0; k < K; k++) {
				s0 = AIK(i, k);
				a0 = a0 + s0 * CV8(b + (size_t)k * ldb + j);
				a1 = a1 + s0 * CV8(b + (size_t)k * ldb + j + 8);
			}
			V8(p0) = a0, V8(p0 + 8) = a1;
		}
	}
	for (; j + 8 <= N; j += 8) {
		/* 8 rows: 8 sums in flight (a head is 8 columns; the
		 * attention's M is T or 1, the last rows come one by one) */
		for (i = 0; i + 8 <= M; i += 8) {
			float *p0 = c + (size_t)i * ldc + j, *p1 = p0 + ldc;
			float *p2 = p1 + ldc, *p3 = p2 + ldc, *p4 = p3 + ldc;
			float *p5 = p4 + ldc, *p6 = p5 + ldc, *p7 = p6 + ldc;
			v8 f0, f1, f2, f3;

			CINIT(a0, p0), CINIT(b0, p1), CINIT(c0, p2), CINIT(d0, p3);
			CINIT(f0, p4), CINIT(f1, p5), CINIT(f2, p6), CINIT(f3, p7);
			for (k = 0; k < K; k++) {
				e0 = CV8(b + (size_t)k * ldb + j);
				a0 = a0 + AIK(i, k) * e0, b0 = b0 + AIK(i + 1, k) * e0;
				c0 = c0 + AIK(i + 2, k) * e0;
				d0 = d0 + AIK(i + 3, k) * e0;
				f0 = f0 + AIK(i + 4, k) * e0;
				f1 = f1 + AIK(i + 5, k) * e0;
				f2 = f2 + AIK(i + 6, k) * e0;
				f3 = f3 + AIK(i + 7, k) * e0;
			}
			V8(p0) = a0, V8(p1) = b0, V8(p2) = c0, V8(p3) = d0;
			V8(p4) = f0, V8(p5) = f1, V8(p6) = f2, V8(p7) = f3;
		}
		for (; i < M; i++) {
			float *p0 = c + (size_t)i * ldc + j;

			CINIT(a0, p0);
			for (k = 0; k < K; k++)
				a0 = a0 + AIK(i, k) * CV8(b + (size_t)k * ldb + j);
			V8(p0) = a0;
		}
	}
	for (; j < N; j++)
		for (i = 0; i < M; i++) {
			t = acc ? c[(size_t)i * ldc + j] : 0.0f;
			for (k = 0; k < K; k++)
				t = t + AIK(i, k) * b[(size_t)k * ldb + j];
			c[(size_t)i * ldc + j] = t;
		}
}

CLONES void
mm_nn(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K, float alpha)
{
	if (alpha == 1.0f)	/* alpha a[i,k] == a[i,k]: the same sums */
		rows_any(c, ldc, a, lda, b, ldb, NULL, M, K, N, 0);
	else
		small_kernel(c, ldc, a, lda, 0, b, ldb, M, N, K, alpha, 0);
}

CLONES void
mm_nn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	small_kernel(c, ldc, a, lda, 0, b, ldb, M, N, K, 1.0f, 1);
}

CLONES void
mm_tn_acc(float *c, int ldc, const float *a, int lda, const float *b, int ldb,
    int M, int N, int K)
{
	small_kernel(c, ldc, a, lda, 1, b, ldb, M, N, K, 1.0f, 1);
}

void
matmul_forward_ref(float *out, const float *inp, int ldi, const float *w,
    const float *bias, int N, int IC, int OC)
{
	int i, j, k;

	for (i = 0; i < N; i++)
		for (j = 0; j < OC; j++) {
			double s = bias != NULL ? bias[j] : 0.0;

			for (k = 0; k < IC; k++)
				s += (double)inp[(size_t)i * ldi + k] *
				    w[(size_t)k * OC + j];
			out[(size_t)i * OC + j] = (float)s;
		}
}

void
matmul_backward_ref(float *dinp, int ldi, float *dw, float *dbias,
    const float *dout, const float *inp, const float *w, int N, int IC, int OC)
{
	int i, j, k;

	for (i = 0; i < N; i++)
		for (k = 0; k < IC; k++) {
			double s = 0.0;

			for (j = 0; j < OC; j++)
				s += (double)dout[(size_t)i * OC + j] *
				    w[(size_t)k * OC + j];
			if (dinp != NULL)
				dinp[(size_t)i * ldi + k] += (float)s;
		}
	for (k = 0; k < IC; k++)
		for (j = 0; j < OC; j++) {
			double s = 0.0;

			for (i = 0; i < N; i++)
				s += (double)inp[(size_t)i * ldi + k] *
				    dout[(size_t)i * OC + j];
			dw[(size_t)k * OC + j] += (float)s;
		}
	if (dbias != NULL)
		for (j = 0; j < OC; j++) {
			double s = 0.0;

			for (i = 0; i < N; i++)
				s += dout[(size_t)i * OC + j];
			dbias[j] += (float)s;
		}
}

/* c (M,N) = beta c + alpha op(a) op(b); op(x) = x^T when tx. */
void
mm_ref(float *c, int ldc, const float *a, int lda, int ta, const float *b,
    int ldb, int tb, int M, int N, int K, float alpha, float beta)
{
	int i, j, k;

	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double s = 0.0;

			for (k = 0; k < K; k++)
				s += (double)(ta ? a[(size_t)k * lda + i] :
				    a[(size_t)i * lda + k]) *
				    (tb ? b[(size_t)j * ldb + k] :
				    b[(size_t)k * ldb + j]);
			c[(size_t)i * ldc + j] = (float)(alpha * s +
			    (beta != 0.0f ? (double)beta * c[(size_t)i * ldc + j] : 0.0));
		}
}
