/*
 * model.c - the candle transformer: the tensor table, initialization, and
 * the forward and backward passes over a batch (issue 3, section 2).
 * The layers are in layers.c, the matrix products in matmul.c, AdamW in
 * adamw.c.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "layers.h"
#include "matmul.h"
#include "model.h"
#include "rng.h"

#define MODEL_MAXW	4096
#define MODEL_MAXD	2048

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void
model_config_default(struct model_config *c)
{
	memset(c, 0, sizeof *c);
	c->W = 32;
	c->d = 32;
	c->L = 2;
	c->h = 4;
	c->ghost = 1;
}

int
model_ghost_steps(const struct model_config *c)
{
	return c->ghost > 0 ? c->ghost : 1;
}

int
model_nfeat(const struct model_config *c)
{
	return MODEL_NFEAT + (c->piv_feat ? MODEL_NPIVFEAT : 0);
}

size_t
model_xsize(const struct model_config *c)
{
	size_t n = (size_t)c->W * model_nfeat(c);
	int i;

	for (i = 0; i < c->nctx; i++)
		n += (size_t)c->ctx[i].N * MODEL_NCTXFEAT;
	return n;
}

int
model_tokens(const struct model_config *c)
{
	int T = c->W, i;

	for (i = 0; i < c->nctx; i++)
		T += c->ctx[i].N;
	return T;
}

int
model_config_same(const struct model_config *a, const struct model_config *b)
{
	int i;

	if (a->W != b->W || a->d != b->d || a->L != b->L || a->h != b->h ||
	    model_ghost_steps(a) != model_ghost_steps(b) || a->npiv != b->npiv ||
	    a->piv_k != b->piv_k || a->piv_feat != b->piv_feat ||
	    a->nctx != b->nctx)
		return 0;
	for (i = 0; i < a->npiv && i < MODEL_MAXPIV; i++)
		if (a->piv_level[i] != b->piv_level[i])
			return 0;
	for (i = 0; i < a->nctx && i < MODEL_MAXCTX; i++)
		if (a->ctx[i].tf != b->ctx[i].tf || a->ctx[i].N != b->ctx[i].N ||
		    strncmp(a->ctx[i].prefix, b->ctx[i].prefix,
		    sizeof a->ctx[i].prefix) != 0)
			return 0;
	return 1;
}

int
model_config_check(const struct model_config *c, char *err, size_t errlen)
{
	long T;
	int i;

	if (c->W < 1 || c->W > MODEL_MAXW) {
		seterr(err, errlen, "window %d out of range 1..%d", c->W, MODEL_MAXW);
		return -1;
	}
	if (c->d < 1 || c->d > MODEL_MAXD) {
		seterr(err, errlen, "width %d out of range 1..%d", c->d, MODEL_MAXD);
		return -1;
	}
	if (c->L < 1 || c->L > MODEL_MAXL) {
		seterr(err, errlen, "layers %d out of range 1..%d", c->L, MODEL_MAXL);
		return -1;
	}
	if (c->h < 1 || c->h > c->d || c->d % c->h != 0) {
		seterr(err, errlen, "heads %d must divide the width %d", c->h, c->d);
		return -1;
	}
	if (c->ghost < 0 || c->ghost > MODEL_MAXGHOST) {
		seterr(err, errlen, "ghost candles %d out of range 1..%d",
		    c->ghost, MODEL_MAXGHOST);
		return -1;
	}
	if (c->npiv < 0 || c->npiv > MODEL_MAXPIV) {
		seterr(err, errlen, "pivot-head levels %d out of range 0..%d",
		    c->npiv, MODEL_MAXPIV);
		return -1;
	}
	for (i = 0; i < c->npiv; i++)
		if (c->piv_level[i] < 1 || c->piv_level[i] > 5 ||
		    (i > 0 && c->piv_level[i] <= c->piv_level[i - 1])) {
			seterr(err, errlen, "pivot-head levels must increase "
			    "within 1..5");
			return -1;
		}
	if (c->npiv > 0 && (c->piv_k < 1 || c->piv_k > 64)) {
		seterr(err, errlen, "pivot k %d out of range 1..64", c->piv_k);
		return -1;
	}
	if (c->piv_feat != 0 && (c->piv_feat != 1 || c->npiv == 0)) {
		seterr(err, errlen, "pivot features only with a pivot head");
		return -1;
	}
	if (c->nctx < 0 || c->nctx > MODEL_MAXCTX) {
		seterr(err, errlen, "contexts %d out of range 0..%d", c->nctx,
		    MODEL_MAXCTX);
		return -1;
	}
	for (i = 0, T = c->W; i < c->nctx; i++) {
		const struct model_ctx *x = &c->ctx[i];
		size_t n = strnlen(x->prefix, sizeof x->prefix);

		if (x->N < 1 || x->N > MODEL_MAXW || x->tf < 0 ||
		    n == sizeof x->prefix || (x->tf == 0) != (n > 0) ||
		    (T += x->N) > MODEL_MAXW) {
			seterr(err, errlen, "context %d: bad length, timeframe "
			    "or prefix (at most %d candles in all)", i,
			    MODEL_MAXW);
			return -1;
		}
	}
	return 0;
}

static void
addtensor(struct model *m, const char *name, int rows, int cols, int decay)
{
	struct model_tensor *t = &m->tensor[m->ntensors++];

	snprintf(t->name, sizeof t->name, "%s", name);
	t->rows = rows;
	t->cols = cols;
	t->offset = m->nparams;
	t->decay = decay;
	m->nparams += (size_t)rows * cols;
}

/* Each context's input projection and positional embedding, last. */
static void
layout_ctx(struct model *m)
{
	char nm[32];
	int c;

	for (c = 0; c < m->cfg.nctx; c++) {
		snprintf(nm, sizeof nm, "ctx%d.w_in", c);
		addtensor(m, nm, MODEL_NCTXFEAT, m->cfg.d, 1);
		snprintf(nm, sizeof nm, "ctx%d.b_in", c);
		addtensor(m, nm, 1, m->cfg.d, 0);
		snprintf(nm, sizeof nm, "ctx%d.pos", c);
		addtensor(m, nm, m->cfg.ctx[c].N, m->cfg.d, 0);
	}
}

/* The tensor table; see model.h for the order. */
static void
layout(struct model *m)
{
	int d = m->cfg.d, l;
	char nm[32];

	m->ntensors = 0;
	m->nparams = 0;
	addtensor(m, "w_in", model_nfeat(&m->cfg), d, 1);
	addtensor(m, "b_in", 1, d, 0);
	addtensor(m, "pos", m->cfg.W, d, 0);
	for (l = 0; l < m->cfg.L; l++) {
#define BLK(s, r, c, dc) do { \
	snprintf(nm, sizeof nm, "blk%d.%s", l, s); \
	addtensor(m, nm, r, c, dc); \
} while (0)
		BLK("ln1_g", 1, d, 0);
		BLK("ln1_b", 1, d, 0);
		BLK("wqkv", d, 3 * d, 1);
		BLK("bqkv", 1, 3 * d, 0);
		BLK("wo", d, d, 1);
		BLK("bo", 1, d, 0);
		BLK("ln2_g", 1, d, 0);
		BLK("ln2_b", 1, d, 0);
		BLK("w1", d, 4 * d, 1);
		BLK("b1", 1, 4 * d, 0);
		BLK("w2", 4 * d, d, 1);
		BLK("b2", 1, d, 0);
#undef BLK
	}
	addtensor(m, "lnf_g", 1, d, 0);
	addtensor(m, "lnf_b", 1, d, 0);
	addtensor(m, "w_a", d, MODEL_NCLASS, 1);
	addtensor(m, "b_a", 1, MODEL_NCLASS, 0);
	addtensor(m, "w_g", d, MODEL_NGHOST * model_ghost_steps(&m->cfg), 1);
	addtensor(m, "b_g", 1, MODEL_NGHOST * model_ghost_steps(&m->cfg), 0);
	if (m->cfg.npiv > 0) {
		addtensor(m, "w_p", d, 3 * m->cfg.npiv, 1);
		addtensor(m, "b_p", 1, 3 * m->cfg.npiv, 0);
	}
	layout_ctx(m);
}

int
model_layout(struct model *m, const struct model_config *c, char *err,
    size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (model_config_check(c, err, errlen) == -1)
		return -1;
	m->cfg = *c;
	layout(m);
	return 0;
}

int
model_init(struct model *m, const struct model_config *c, char *err,
    size_t errlen)
{
	if (model_layout(m, c, err, errlen) == -1)
		return -1;
	/* One block: params | grads | m | v, each nparams floats. */
	m->params = calloc(4 * m->nparams, sizeof(float));
	if (m->params == NULL) {
		seterr(err, errlen, "out of memory for %zu parameters", m->nparams);
		return -1;
	}
	m->grads = m->params + m->nparams;
	m->m = m->grads + m->nparams;
	m->v = m->m + m->nparams;
	return 0;
}

const struct model_tensor *
model_tensor_find(const struct model *m, const char *name)
{
	int i;

	for (i = 0; i < m->ntensors; i++)
		if (strcmp(m->tensor[i].name, name) == 0)
			return &m->tensor[i];
	return NULL;
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman, Vigna 2018). */
static uint64_t
xoshiro(uint64_t s[4])
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static double
normal(uint64_t s[4])
{
	double u1 = (double)(xoshiro(s) >> 11) * 0x1p-53;
	double u2 = (double)(xoshiro(s) >> 11) * 0x1p-53;

	return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

static int
endswith(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n >= k && strcmp(s + n - k, suf) == 0;
}

void
model_init_weights(struct model *m, uint64_t seed)
{
	uint64_t s[4], x = seed;
	size_t j, n;
	double sd;
	int i;

	for (i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
	for (i = 0; i < m->ntensors; i++) {
		const struct model_tensor *t = &m->tensor[i];
		float *p = m->params + t->offset;

		n = (size_t)t->rows * t->cols;
		if (t->decay || endswith(t->name, "pos")) {
			sd = 0.02;
			if (endswith(t->name, ".wo") || endswith(t->name, ".w2"))
				sd = 0.02 / sqrt(2.0 * m->cfg.L);
			for (j = 0; j < n; j++)
				p[j] = (float)(sd * normal(s));
		} else if (endswith(t->name, "_g") && strstr(t->name, "ln")) {
			for (j = 0; j < n; j++)
				p[j] = 1.0f;
		} else
			memset(p, 0, n * sizeof *p);
	}
	memset(m->grads, 0, 3 * m->nparams * sizeof(float));
	m->step = 0;
}

/* Pointers to the tensors of one parameter-sized buffer (params or grads). */
struct wts {
	float	*w_in, *b_in, *pos;
	struct {
		float	*ln1_g, *ln1_b, *wqkv, *bqkv, *wo, *bo;
		float	*ln2_g, *ln2_b, *w1, *b1, *w2, *b2;
	} blk[MODEL_MAXL];
	float	*lnf_g, *lnf_b, *w_a, *b_a, *w_g, *b_g;
	struct {
		float	*w_in, *b_in, *pos;
	} ctx[MODEL_MAXCTX];
	float	*w_p, *b_p;		/* the pivot head, or NULL */
};

/* The contexts' tensors, by name: wherever the table puts them. */
static void
wts_bind_ctx(struct wts *w, const struct model *m, float *base)
{
	const struct model_tensor *t;
	char nm[32];
	int c, k;

	for (c = 0; c < m->cfg.nctx; c++)
		for (k = 0; k < 3; k++) {
			snprintf(nm, sizeof nm, "ctx%d.%s", c, k == 0 ? "w_in" :
			    k == 1 ? "b_in" : "pos");
			t = model_tensor_find(m, nm);
			*(k == 0 ? &w->ctx[c].w_in : k == 1 ? &w->ctx[c].b_in :
			    &w->ctx[c].pos) = t != NULL ? base + t->offset : NULL;
		}
}

/* In table order (see layout()). */
static void
wts_bind(struct wts *w, const struct model *m, float *base)
{
	const struct model_tensor *t = m->tensor;
	size_t k;
	int l;

#define NEXT (base + (t++)->offset)
	w->w_in = NEXT;
	w->b_in = NEXT;
	w->pos = NEXT;
	for (l = 0; l < m->cfg.L; l++) {
		float **f[] = { &w->blk[l].ln1_g, &w->blk[l].ln1_b,
		    &w->blk[l].wqkv, &w->blk[l].bqkv, &w->blk[l].wo,
		    &w->blk[l].bo, &w->blk[l].ln2_g, &w->blk[l].ln2_b,
		    &w->blk[l].w1, &w->blk[l].b1, &w->blk[l].w2,
		    &w->blk[l].b2 };

		for (k = 0; k < sizeof f / sizeof f[0]; k++)
			*f[k] = NEXT;
	}
	w->lnf_g = NEXT;
	w->lnf_b = NEXT;
	w->w_a = NEXT;
	w->b_a = NEXT;
	w->w_g = NEXT;
	w->b_g = NEXT;
	w->w_p = w->b_p = NULL;
	if (m->cfg.npiv > 0) {
		w->w_p = NEXT;
		w->b_p = NEXT;
	}
#undef NEXT
	wts_bind_ctx(w, m, base);
}

/*
 * One thread's activations for a pass of up to Bm windows (N = Bm T rows),
 * saved for the backward pass, and its scratch and private gradients.  The
 * last block runs its queries, MLP and residuals on the last position only
 * (Bm rows): nothing else reaches the heads.
 */
struct acts {
	float	*enc;				/* (N,C) block 0 input */
	struct {
		float	*ln1, *m1, *r1;		/* (N,C) (N) (N) */
		float	*qkv;			/* (N,3C) */
		float	*att;			/* (Bm,NH,nq,T) */
		float	*atty, *proj, *res2;	/* (Nq,C) */
		float	*ln2, *m2, *r2;		/* (Nq,C) (Nq) (Nq) */
		float	*fch, *fchg;		/* (Nq,4C) */
		float	*fcp, *res3;		/* (Nq,C) */
		float	*full;			/* (N,C) with contexts: the next
						 * block's input, the contexts'
						 * rows of enc and res3 */
	} blk[MODEL_MAXL];
	float	*xl;				/* (Bm,C) last rows, last block input */
	float	*xq;				/* (N,C) with contexts: the
						 * window's rows of a block input */
	float	*lnf, *mf, *rf;			/* (Bm,C) (Bm) (Bm) */
	float	*logits, *probs, *ghost, *loss;	/* (Bm,3) (Bm,3) (Bm,G,4) (Bm) */
	float	*piv;				/* (Bm,P,3) the pivot head */
	/* backward scratch */
	float	*dres, *dln, *datty;		/* (N,C) */
	float	*dqkv;				/* (N,3C) */
	float	*dfch, *dfchg;			/* (N,4C) */
	float	*dlast, *dlnf;			/* (Bm,C) */
	float	*dq, *dctx;			/* (N,C) with contexts: the
						 * window rows' gradient, the
						 * contexts' rows of enc's */
	float	*dlogits, *dghost, *dpiv;	/* (Bm,3) (Bm,G,4) (Bm,P,3) */
	float	*tmp;		/* (T hs + T T, at least 2 C + T) attention scratch */
	float	*wt;				/* (4C C) a transposed weight */
	float	*grads;				/* (nparams) this thread's share */
};

struct thread {
	struct model	*m;
	int		 id;
	pthread_t	 th;
	struct acts	 a;
	int		 lo, hi;		/* windows of the current batch */
};

struct model_state {
	int		 maxB, nthreads;
	float		*gdirect;	/* m->grads, zeroed: thread 0's gradients
					 * go straight there (a training step) */
	int		 Bm, Bmax;		/* windows a pass of a thread: in
						 * force, reserved */
	int		 chosen;		/* matmul_choose() called */
	float		*mem;			/* every thread's acts, one allocation */
	struct thread	*t;			/* (nthreads) */
	struct wts	 p, g;			/* params, and each thread's grads */
	/* the current job */
	void		(*job)(struct thread *);
	const struct batch *batch;		/* of the last model_forward */
	float		*loss;			/* (maxB) its windows' losses */
	const float	*px;			/* model_predict's input */
	/* the outputs of model_predict or model_forward (each may be NULL),
	 * and the temperature of the probabilities */
	float		*pprobs, *pghost, *ppiv;
	float		 ptemp;
	int		 pB, pgroup;		/* its windows, and per group */
	atomic_int	 pnext;			/* the next window to take */
	/* the pool: workers 1..nthreads-1 */
	pthread_mutex_t	 mu;
	pthread_cond_t	 go, done;
	unsigned	 gen;
	int		 pending, stop, started;
};

/* Carve n floats from base at *off (64-byte aligned); base NULL: count. */
static float *
carve(float *base, size_t *off, size_t n)
{
	float *p = base != NULL ? base + *off : NULL;

	*off += (n + 15) & ~(size_t)15;
	return p;
}

/*
 * Rows (windows x tokens) a thread runs through the forward and backward
 * at a time: about 0.5 M floats of activations a block for the default
 * width, near the L2 cache, where a whole share of the batch would stream
 * from memory.  The windows of a pass never change a bit (model.h).
 */
#define PASS_ROWS	512

static size_t
acts_layout(struct acts *a, float *base, const struct model *m, int Bm)
{
	size_t off = 0, T = model_tokens(&m->cfg), C = m->cfg.d, NH = m->cfg.h;
	size_t N = Bm * T, nq, Nq, ctx = m->cfg.nctx > 0, scr;
	size_t G = model_ghost_steps(&m->cfg), P = m->cfg.npiv;
	int l;

#define A(f, n) (a->f = carve(base, &off, (n)))
	A(enc, N * C);
	for (l = 0; l < m->cfg.L; l++) {
		nq = l == m->cfg.L - 1 ? 1 : (size_t)m->cfg.W;
		Nq = Bm * nq;
		A(blk[l].ln1, N * C);
		A(blk[l].m1, N);
		A(blk[l].r1, N);
		A(blk[l].qkv, N * 3 * C);
		A(blk[l].att, Bm * NH * nq * T);
		A(blk[l].atty, Nq * C);
		A(blk[l].proj, Nq * C);
		A(blk[l].res2, Nq * C);
		A(blk[l].ln2, Nq * C);
		A(blk[l].m2, Nq);
		A(blk[l].r2, Nq);
		A(blk[l].fch, Nq * 4 * C);
		A(blk[l].fchg, Nq * 4 * C);
		A(blk[l].fcp, Nq * C);
		A(blk[l].res3, Nq * C);
		A(blk[l].full, ctx ? N * C : 0);
	}
	A(xl, Bm * C);
	A(xq, ctx ? N * C : 0);
	A(lnf, Bm * C);
	A(mf, Bm);
	A(rf, Bm);
	A(logits, Bm * 3);
	A(probs, Bm * 3);
	A(ghost, Bm * 4 * G);
	A(piv, Bm * 3 * P);
	A(loss, Bm);
	A(dres, N * C);
	A(dln, N * C);
	A(datty, N * C);
	A(dqkv, N * 3 * C);
	A(dfch, N * 4 * C);
	A(dfchg, N * 4 * C);
	A(dlast, Bm * C);
	A(dq, ctx ? N * C : 0);
	A(dctx, ctx ? N * C : 0);
	A(dlnf, Bm * C);
	A(dlogits, Bm * 3);
	A(dghost, Bm * 4 * G);
	A(dpiv, Bm * 3 * P);
	scr = T * (C / NH) + T * T;	/* attention_forward's, attention_last's */
	A(tmp, scr > 2 * C + T ? scr : 2 * C + T);
	A(wt, 4 * C * C);
	A(grads, m->nparams);
#undef A
	return off;
}

/* out (N,OC) = inp (N,IC) w (IC,OC) + bias, rows ldo, ldi, ldw apart */
typedef void (*mmfn)(float *, int, const float *, int, const float *, int,
    const float *, int, int, int);

/* Training's batched products: cblas_sgemm or the hand kernels, as
 * matmul.h's backend chooses. */
#define MM_TRAIN matmul_batch_forward
#define BACKWARD(dinp, dw, db, dout, inp, w, N, IC, OC) \
	matmul_batch_backward(dinp, 0, dw, db, dout, inp, w, a->wt, N, IC, OC)
/* The same, dinp overwritten rather than added into a zeroed buffer */
#define BACKWARD_SET(dinp, dw, db, dout, inp, w, N, IC, OC) \
	matmul_batch_backward(dinp, 1, dw, db, dout, inp, w, a->wt, N, IC, OC)
/* The heads' products (3 and 4 columns): too small for BLAS to pay. */
#define BACKWARD_HEAD(dinp, dw, db, dout, inp, w, N, IC, OC) \
	matmul_backward_rows(dinp, dw, db, dout, inp, w, a->wt, N, IC, OC)

/* The targets of nb windows of a batch (struct batch's, from window lo),
 * or all NULL. */
struct tgt {
	const int	*label;
	const float	*cw, *ghost, *mask;
	const float	*piv, *pmask, *pw;
};

static void
tgt_bind(struct tgt *tg, const struct model *m, const struct batch *bt, int lo)
{
	size_t G = model_ghost_steps(&m->cfg), P = m->cfg.npiv;

	tg->label = bt->label ? bt->label + lo : NULL;
	tg->cw = bt->weight;
	tg->ghost = bt->ghost ? bt->ghost + lo * 4 * G : NULL;
	tg->mask = bt->mask ? bt->mask + lo * G : NULL;
	tg->piv = P > 0 && bt->piv ? bt->piv + lo * 3 * P : NULL;
	tg->pmask = P > 0 && bt->pmask ? bt->pmask + lo * P : NULL;
	tg->pw = bt->pw;
}

/*
 * The encoder of a model with contexts, window by window: the tokens of
 * window b are rows b*T .. b*T+T-1 of enc (C), context 0's N_0 first, ...,
 * the base window's W last; x (nb, model_xsize) holds the base window's
 * W*5 features first, then each context's N_c*6.  back 0: enc = the
 * encoding with w the parameters; back 1: enc holds its gradient, added
 * into w, the gradients' tensors.
 */
static void
encode_ctx(float *enc, const float *x, const struct model *m,
    const struct wts *w, int nb, int back)
{
	size_t xs = model_xsize(&m->cfg);
	int T = model_tokens(&m->cfg), C = m->cfg.d, W = m->cfg.W, b, c, tok;
	int N, F;
	const float *xc, *xin;
	float *e, *wi, *bi, *pos;

	for (b = 0; b < nb; b++) {
		xc = x + b * xs + (size_t)W * model_nfeat(&m->cfg);
		for (c = 0, tok = 0; c <= m->cfg.nctx; c++) {
			/* the contexts, then the window */
			N = c < m->cfg.nctx ? m->cfg.ctx[c].N : W;
			F = c < m->cfg.nctx ? MODEL_NCTXFEAT :
			    model_nfeat(&m->cfg);
			xin = c < m->cfg.nctx ? xc : x + b * xs;
			wi = c < m->cfg.nctx ? w->ctx[c].w_in : w->w_in;
			bi = c < m->cfg.nctx ? w->ctx[c].b_in : w->b_in;
			pos = c < m->cfg.nctx ? w->ctx[c].pos : w->pos;
			e = enc + ((size_t)b * T + tok) * C;
			if (back)
				encoder_backward(wi, bi, pos, e, xin, 1, N, F, C);
			else
				encoder_forward(e, xin, wi, bi, pos, 1, N, F, C);
			xc += c < m->cfg.nctx ? (size_t)N * F : 0;
			tok += N;
		}
	}
}

/* The sizes of a pass over nb windows, for forward() and backward() */
struct dims {
	int	G, P;		/* ghost steps, pivot levels */
	int	T, C, NH;	/* tokens a window, width, heads */
	int	L, W;		/* blocks, the base window's candles */
	int	N;		/* rows: nb * T */
};

static struct dims
dims(const struct model *m, int nb)
{
	struct dims d;

	d.G = model_ghost_steps(&m->cfg);
	d.P = m->cfg.npiv;
	d.T = model_tokens(&m->cfg);
	d.C = m->cfg.d;
	d.NH = m->cfg.h;
	d.L = m->cfg.L;
	d.W = m->cfg.W;
	d.N = nb * d.T;
	return d;
}

/*
 * Forward of nb windows x (nb, model_xsize) into a's activations; mm
 * computes the linear layers.  tg NULL: probabilities, ghosts and pivot
 * outputs only, no backward follows: the attention probabilities are not
 * stored, GELU runs in place (less memory traffic, the same bits), and the
 * last block's attention needs no keys or values (attention_last: the
 * same up to rounding).
 */
static void
forward(struct acts *a, const struct model *m, const struct wts *p,
    const float *x, const struct tgt *tg, int nb, mmfn mm)
{
	struct dims d = dims(m, nb);
	const float *in = a->enc, *rin;
	float *gelu;
	int C = d.C, T = d.T, nq, Nq, l, b, keep = tg != NULL;

	if (m->cfg.nctx == 0)
		encoder_forward(a->enc, x, p->w_in, p->b_in, p->pos, nb, T,
		    model_nfeat(&m->cfg), C);
	else
		encode_ctx(a->enc, x, m, p, nb, 0);
	for (l = 0; l < d.L; l++) {
		/* the window's rows only: the contexts' are keys and values */
		nq = l == d.L - 1 ? 1 : d.W;
		Nq = nb * nq;
		layernorm_forward(a->blk[l].ln1, a->blk[l].m1, a->blk[l].r1, in,
		    p->blk[l].ln1_g, p->blk[l].ln1_b, d.N, C);
		if (nq == T)
			mm(a->blk[l].qkv, 3 * C, a->blk[l].ln1, C, p->blk[l].wqkv,
			    3 * C, p->blk[l].bqkv, d.N, C, 3 * C);
		else if (nq > 1) {
			/* keys and values everywhere, the queries at the
			 * window's rows */
			mm(a->blk[l].qkv + C, 3 * C, a->blk[l].ln1, C,
			    p->blk[l].wqkv + C, 3 * C, p->blk[l].bqkv + C, d.N,
			    C, 2 * C);
			for (b = 0; b < nb; b++)
				mm(a->blk[l].qkv + ((size_t)b * T + T - nq) * 3 * C,
				    3 * C, a->blk[l].ln1 + ((size_t)b * T + T - nq) *
				    C, C, p->blk[l].wqkv, 3 * C, p->blk[l].bqkv, nq,
				    C, C);
		} else {
			/* the query at T-1 only; for a backward, the keys and
			 * values everywhere, else none (attention_last) */
			if (keep)
				mm(a->blk[l].qkv + C, 3 * C, a->blk[l].ln1, C,
				    p->blk[l].wqkv + C, 3 * C, p->blk[l].bqkv + C,
				    d.N, C, 2 * C);
			mm(a->blk[l].qkv + (size_t)(T - 1) * 3 * C, T * 3 * C,
			    a->blk[l].ln1 + (size_t)(T - 1) * C, T * C,
			    p->blk[l].wqkv, 3 * C, p->blk[l].bqkv, nb, C, C);
		}
		if (nq == 1 && !keep)
			attention_last(a->blk[l].atty, a->tmp, a->blk[l].qkv +
			    (size_t)(T - 1) * 3 * C, T * 3 * C, a->blk[l].ln1,
			    p->blk[l].wqkv + C, p->blk[l].wqkv + 2 * C, 3 * C,
			    p->blk[l].bqkv + 2 * C, nb, T, C, d.NH);
		else
			attention_forward(a->blk[l].atty, a->blk[l].att, a->tmp,
			    a->blk[l].qkv, nb, T, nq, C, d.NH, keep);
		mm(a->blk[l].proj, C, a->blk[l].atty, C, p->blk[l].wo, C,
		    p->blk[l].bo, Nq, C, C);
		rin = in;
		if (nq == 1) {
			for (b = 0; b < nb; b++)
				memcpy(a->xl + (size_t)b * C,
				    in + ((size_t)b * T + T - 1) * C, C * sizeof(float));
			rin = a->xl;
		} else if (nq < T) {
			for (b = 0; b < nb; b++)
				memcpy(a->xq + (size_t)b * nq * C,
				    in + ((size_t)b * T + T - nq) * C,
				    (size_t)nq * C * sizeof(float));
			rin = a->xq;
		}
		residual_forward(a->blk[l].res2, rin, a->blk[l].proj, (size_t)Nq * C);
		layernorm_forward(a->blk[l].ln2, a->blk[l].m2, a->blk[l].r2,
		    a->blk[l].res2, p->blk[l].ln2_g, p->blk[l].ln2_b, Nq, C);
		mm(a->blk[l].fch, 4 * C, a->blk[l].ln2, C, p->blk[l].w1, 4 * C,
		    p->blk[l].b1, Nq, C, 4 * C);
		gelu = keep ? a->blk[l].fchg : a->blk[l].fch;
		gelu_forward(gelu, a->blk[l].fch, (size_t)Nq * 4 * C);
		mm(a->blk[l].fcp, C, gelu, 4 * C, p->blk[l].w2, C,
		    p->blk[l].b2, Nq, 4 * C, C);
		residual_forward(a->blk[l].res3, a->blk[l].res2, a->blk[l].fcp,
		    (size_t)Nq * C);
		in = a->blk[l].res3;
		if (nq > 1 && nq < T) {
			/* the next block's input: the contexts' rows as they
			 * came from the encoder, the window's from this block */
			for (b = 0; b < nb; b++) {
				memcpy(a->blk[l].full + (size_t)b * T * C,
				    a->enc + (size_t)b * T * C,
				    (size_t)(T - nq) * C * sizeof(float));
				memcpy(a->blk[l].full + ((size_t)b * T + T - nq) * C,
				    a->blk[l].res3 + (size_t)b * nq * C,
				    (size_t)nq * C * sizeof(float));
			}
			in = a->blk[l].full;
		}
	}
	layernorm_forward(a->lnf, a->mf, a->rf, in, p->lnf_g, p->lnf_b, nb, C);
	matmul_rows(a->logits, a->lnf, p->w_a, p->b_a, nb, C, MODEL_NCLASS);
	matmul_rows(a->ghost, a->lnf, p->w_g, p->b_g, nb, C,
	    MODEL_NGHOST * d.G);
	loss_forward(a->loss, a->probs, a->logits, a->ghost, tg ? tg->label :
	    NULL, tg ? tg->cw : NULL, tg ? tg->ghost : NULL, tg ? tg->mask :
	    NULL, nb, d.G);
	if (d.P > 0) {
		matmul_rows(a->piv, a->lnf, p->w_p, p->b_p, nb, C, 3 * d.P);
		if (tg != NULL && tg->label != NULL && tg->piv != NULL &&
		    tg->pmask != NULL)
			pivloss_forward(a->loss, a->piv, tg->piv, tg->pmask,
			    tg->pw, nb, d.P);
	}
}

static void
zero(float *p, size_t n)
{
	memset(p, 0, n * sizeof *p);
}

/* With contexts, after a block's backward (dres: its input's gradient):
 * add the contexts' rows into dctx, and, when a block comes before,
 * gather the window's rows into dq, the gradient of that block's res3. */
static void
ctx_rows_backward(struct acts *a, int nb, int T, int W, int C, int before)
{
	size_t j, nc = (size_t)(T - W) * C;
	int b;

	for (b = 0; b < nb; b++) {
		float *d = a->dctx + (size_t)b * T * C;
		const float *s = a->dres + (size_t)b * T * C;

		for (j = 0; j < nc; j++)
			d[j] += s[j];
		if (before)
			memcpy(a->dq + (size_t)b * W * C, s + nc,
			    (size_t)W * C * sizeof(float));
	}
}

/* Backward of the last forward of nb windows, added into the gradients
 * at gbase (nparams floats, laid out as the parameters); scale is 1 /
 * (the whole batch's size). */
static void
backward(struct acts *a, const struct model *m, const struct wts *p,
    const float *x, const struct tgt *tg, int nb, float scale, float *gbase)
{
	struct dims d = dims(m, nb);
	const float *in;
	float *dcur;
	struct wts g;
	int C = d.C, T = d.T, nq, Nq, l, b;

	wts_bind(&g, m, gbase);
	zero(a->dlogits, (size_t)nb * 3);
	zero(a->dghost, (size_t)nb * 4 * d.G);
	loss_backward(a->dlogits, a->dghost, a->probs, a->ghost, tg->label,
	    tg->cw, tg->ghost, tg->mask, scale, nb, d.G);
	zero(a->dlnf, (size_t)nb * C);
	BACKWARD_HEAD(a->dlnf, g.w_a, g.b_a, a->dlogits, a->lnf, p->w_a, nb, C, MODEL_NCLASS);
	BACKWARD_HEAD(a->dlnf, g.w_g, g.b_g, a->dghost, a->lnf, p->w_g, nb, C, MODEL_NGHOST * d.G);
	if (d.P > 0) {
		zero(a->dpiv, (size_t)nb * 3 * d.P);
		if (tg->piv != NULL && tg->pmask != NULL)
			pivloss_backward(a->dpiv, a->piv, tg->piv, tg->pmask,
			    tg->pw, scale, nb, d.P);
		BACKWARD_HEAD(a->dlnf, g.w_p, g.b_p, a->dpiv, a->lnf, p->w_p, nb, C, 3 * d.P);
	}
	zero(a->dlast, (size_t)nb * C);
	layernorm_backward(a->dlast, g.lnf_g, g.lnf_b, a->dlnf,
	    a->blk[d.L - 1].res3, p->lnf_g, a->mf, a->rf, nb, C);
	if (T > d.W)
		zero(a->dctx, (size_t)d.N * C);
	for (l = d.L - 1; l >= 0; l--) {
		nq = l == d.L - 1 ? 1 : d.W;
		Nq = nb * nq;
		in = l == 0 ? a->enc : T > d.W ? a->blk[l - 1].full :
		    a->blk[l - 1].res3;
		/* dcur: the gradient of res3, then of res2 */
		dcur = nq == 1 ? a->dlast : nq == T ? a->dres : a->dq;
		BACKWARD_SET(a->dfchg, g.blk[l].w2, g.blk[l].b2, dcur, a->blk[l].fchg, p->blk[l].w2, Nq, 4 * C, C);
		gelu_backward(a->dfch, a->blk[l].fch, a->dfchg, (size_t)Nq * 4 * C);
		BACKWARD_SET(a->dln, g.blk[l].w1, g.blk[l].b1, a->dfch, a->blk[l].ln2, p->blk[l].w1, Nq, C, 4 * C);
		layernorm_backward(dcur, g.blk[l].ln2_g, g.blk[l].ln2_b, a->dln,
		    a->blk[l].res2, p->blk[l].ln2_g, a->blk[l].m2, a->blk[l].r2, Nq,
		    C);
		BACKWARD_SET(a->datty, g.blk[l].wo, g.blk[l].bo, dcur, a->blk[l].atty, p->blk[l].wo, Nq, C, C);
		attention_backward(a->dqkv, a->tmp, a->datty, a->blk[l].att,
		    a->blk[l].qkv, nb, T, nq, C, d.NH);
		BACKWARD_SET(a->dln, g.blk[l].wqkv, g.blk[l].bqkv, a->dqkv, a->blk[l].ln1, p->blk[l].wqkv, d.N, C, 3 * C);
		if (nq < T) {
			/* the residual reaches the last nq positions only */
			zero(a->dres, (size_t)d.N * C);
			for (b = 0; b < nb; b++)
				memcpy(a->dres + ((size_t)b * T + T - nq) * C,
				    dcur + (size_t)b * nq * C,
				    (size_t)nq * C * sizeof(float));
		}
		layernorm_backward(a->dres, g.blk[l].ln1_g, g.blk[l].ln1_b, a->dln,
		    in, p->blk[l].ln1_g, a->blk[l].m1, a->blk[l].r1, d.N, C);
		if (T > d.W)
			ctx_rows_backward(a, nb, T, d.W, C, l > 0);
	}
	if (T > d.W)	/* the contexts' rows of enc: every block's share */
		for (b = 0; b < nb; b++)
			memcpy(a->dres + (size_t)b * T * C,
			    a->dctx + (size_t)b * T * C,
			    (size_t)(T - d.W) * C * sizeof(float));
	if (m->cfg.nctx == 0)
		encoder_backward(g.w_in, g.b_in, g.pos, a->dres, x, nb, T,
		    model_nfeat(&m->cfg), C);
	else
		encode_ctx(a->dres, x, m, &g, nb, 1);
}

/* The pool: run st->job on every thread, the caller being thread 0. */
static void *
worker(void *arg)
{
	struct thread *t = arg;
	struct model_state *st = t->m->st;
	unsigned seen = 0;

	pthread_mutex_lock(&st->mu);
	for (;;) {
		while (st->gen == seen && !st->stop)
			pthread_cond_wait(&st->go, &st->mu);
		if (st->stop)
			break;
		seen = st->gen;
		pthread_mutex_unlock(&st->mu);
		st->job(t);
		pthread_mutex_lock(&st->mu);
		if (--st->pending == 0)
			pthread_cond_signal(&st->done);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}

static void
run(struct model_state *st, void (*job)(struct thread *), int nthreads)
{
	if (nthreads <= 1) {
		job(&st->t[0]);
		return;
	}
	pthread_mutex_lock(&st->mu);
	st->job = job;
	st->pending = st->nthreads - 1;
	st->gen++;
	pthread_cond_broadcast(&st->go);
	pthread_mutex_unlock(&st->mu);
	job(&st->t[0]);
	pthread_mutex_lock(&st->mu);
	while (st->pending > 0)
		pthread_cond_wait(&st->done, &st->mu);
	pthread_mutex_unlock(&st->mu);
}

/* Windows [lo, hi) of B for each thread: contiguous, fixed by B and n. */
static int
split(struct model_state *st, int B)
{
	int i, per = (B + st->nthreads - 1) / st->nthreads, used = 0;

	for (i = 0; i < st->nthreads; i++) {
		st->t[i].lo = i * per < B ? i * per : B;
		st->t[i].hi = (i + 1) * per < B ? (i + 1) * per : B;
		if (st->t[i].hi > st->t[i].lo)
			used = i + 1;
	}
	return used;
}

static void
state_free(struct model_state *st)
{
	int i;

	if (st == NULL)
		return;
	if (st->started > 0) {
		pthread_mutex_lock(&st->mu);
		st->stop = 1;
		pthread_cond_broadcast(&st->go);
		pthread_mutex_unlock(&st->mu);
		for (i = 1; i <= st->started; i++)
			pthread_join(st->t[i].th, NULL);
	}
	pthread_mutex_destroy(&st->mu);
	pthread_cond_destroy(&st->go);
	pthread_cond_destroy(&st->done);
	free(st->mem);
	free(st->loss);
	free(st->t);
	free(st);
}

void
model_free(struct model *m)
{
	state_free(m->st);
	m->st = NULL;
	free(m->params);
	m->params = m->grads = m->m = m->v = NULL;
}

/*
 * The CPUs this process may run on (sched_getaffinity: taskset, cpusets),
 * at least 1.  The workers are not pinned: they inherit that set, and the
 * scheduler spreads them and the other programs of a pipeline over it.
 */
static int
usable_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

int
model_reserve(struct model *m, int maxB, int nthreads, char *err, size_t errlen)
{
	struct model_state *st;
	size_t per;
	int i, T, share;

	if (nthreads <= 0)
		nthreads = usable_cpus();
	if (maxB < 1 || nthreads > 256) {
		seterr(err, errlen, "bad batch size %d or thread count %d", maxB,
		    nthreads);
		return -1;
	}
	if (nthreads > maxB)
		nthreads = maxB;
	state_free(m->st);
	m->st = NULL;
	matmul_init();
	if ((st = calloc(1, sizeof *st)) == NULL ||
	    (st->t = calloc(nthreads, sizeof *st->t)) == NULL) {
		free(st);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_init(&st->mu, NULL);
	pthread_cond_init(&st->go, NULL);
	pthread_cond_init(&st->done, NULL);
	st->maxB = maxB;
	st->nthreads = nthreads;
	/* a pass: PASS_ROWS rows, at most the thread's share of maxB */
	T = model_tokens(&m->cfg);
	st->Bm = PASS_ROWS / T < 1 ? 1 : PASS_ROWS / T;
	share = (maxB + nthreads - 1) / nthreads;
	st->Bmax = st->Bm = st->Bm < share ? st->Bm : share;
	per = acts_layout(&st->t[0].a, NULL, m, st->Bm);
	if ((st->loss = calloc(maxB, sizeof *st->loss)) == NULL ||
	    (st->mem = aligned_alloc(64, per * nthreads * sizeof(float))) == NULL) {
		state_free(st);
		seterr(err, errlen, "out of memory for activations (%zu floats)",
		    per * nthreads);
		return -1;
	}
	memset(st->mem, 0, per * nthreads * sizeof(float));
	m->st = st;
	wts_bind(&st->p, m, m->params);
	for (i = 0; i < nthreads; i++) {
		st->t[i].m = m;
		st->t[i].id = i;
		acts_layout(&st->t[i].a, st->mem + per * i, m, st->Bm);
	}
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&st->t[i].th, NULL, worker, &st->t[i]) != 0) {
			seterr(err, errlen, "cannot start thread %d", i);
			m->st = NULL;
			state_free(st);
			return -1;
		}
		st->started = i;
	}
	return 0;
}

static void	outputs(const struct thread *, int, int);

/*
 * This thread's share of the batch, Bm windows a pass: the forward (losses
 * and the outputs asked for into the state's arrays), and with back the
 * backward of those windows straight after, while their activations are
 * still in the cache.  The gradients add into a.grads (thread 0's, in a
 * training step, straight into the zeroed m->grads: gdirect) window after
 * window, each element's sum in the order of the rows as in one pass of
 * the whole share: the same bits for any Bm.
 */
static void
job_pass(struct thread *t, int back)
{
	struct model_state *st = t->m->st;
	const struct batch *bt = st->batch;
	const float *x;
	struct tgt tg;
	float *g = t->id == 0 && st->gdirect ? st->gdirect : t->a.grads;
	int s, n;

	if (t->hi <= t->lo)
		return;
	if (back && g == t->a.grads)
		zero(g, t->m->nparams);
	for (s = t->lo; s < t->hi; s += n) {
		n = t->hi - s < st->Bm ? t->hi - s : st->Bm;
		x = bt->x + (size_t)s * model_xsize(&t->m->cfg);
		tgt_bind(&tg, t->m, bt, s);
		forward(&t->a, t->m, &st->p, x, &tg, n, MM_TRAIN);
		memcpy(st->loss + s, t->a.loss, (size_t)n * sizeof(float));
		outputs(t, s, n);
		if (back)
			backward(&t->a, t->m, &st->p, x, &tg, n, 1.0f / bt->B, g);
	}
}

static void
job_forward(struct thread *t)
{
	job_pass(t, 0);
}

static void
job_train(struct thread *t)
{
	job_pass(t, 1);
}

/*
 * Windows in groups of up to PREDICT_GROUP through the hand-written
 * products, each thread taking the next group as it becomes free (a core
 * taken by another process slows its own share only).  Every product, norm
 * and element-wise loop computes a row the same way whatever rows surround
 * it, so a window's bits depend neither on its group nor on its thread; a
 * group lets the last block's one-row products run 8 rows at a time.
 */
#define PREDICT_GROUP 8

/* out (n,3): probs as they are at temperature 1 (bits unchanged), else
 * the softmax of logits / T. */
static void
calibrated(float *out, const float *probs, const float *logits, float T,
    int n)
{
	double mx, s, e[MODEL_NCLASS];
	int i, j;

	if (T <= 0.0f || T == 1.0f) {
		memcpy(out, probs, (size_t)n * MODEL_NCLASS * sizeof(float));
		return;
	}
	for (i = 0; i < n; i++) {
		const float *z = logits + (size_t)i * MODEL_NCLASS;

		mx = z[0];
		for (j = 1; j < MODEL_NCLASS; j++)
			mx = z[j] > mx ? z[j] : mx;
		s = 0.0;
		for (j = 0; j < MODEL_NCLASS; j++)
			s += e[j] = exp((z[j] - mx) / T);
		for (j = 0; j < MODEL_NCLASS; j++)
			out[(size_t)i * MODEL_NCLASS + j] = (float)(e[j] / s);
	}
}

/* The pivot head's outputs of n levels-windows, (z, price, distance) each,
 * as model.h gives them: (P(H) = 1 / (1 + e^-z), price, distance). */
static void
pivout(float *out, const float *raw, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		out[3 * i] = (float)(1.0 / (1.0 + exp(-(double)raw[3 * i])));
		out[3 * i + 1] = raw[3 * i + 1];
		out[3 * i + 2] = raw[3 * i + 2];
	}
}

/* The outputs asked for of the n windows of the thread's last forward,
 * windows s.. of the batch, into the state's arrays. */
static void
outputs(const struct thread *t, int s, int n)
{
	struct model_state *st = t->m->st;
	size_t G = model_ghost_steps(&t->m->cfg), P = t->m->cfg.npiv;

	if (st->pprobs != NULL)
		calibrated(st->pprobs + (size_t)s * 3, t->a.probs, t->a.logits,
		    st->ptemp, n);
	if (st->pghost != NULL)
		memcpy(st->pghost + (size_t)s * 4 * G, t->a.ghost,
		    (size_t)n * 4 * G * sizeof(float));
	if (st->ppiv != NULL && P > 0)
		pivout(st->ppiv + (size_t)s * 3 * P, t->a.piv, n * P);
}

static void
job_predict(struct thread *t)
{
	struct model_state *st = t->m->st;
	size_t wf = model_xsize(&t->m->cfg);
	int i, n;

	while ((i = atomic_fetch_add(&st->pnext, st->pgroup)) < st->pB) {
		n = st->pB - i < st->pgroup ? st->pB - i : st->pgroup;
		forward(&t->a, t->m, &st->p, st->px + i * wf, NULL, n,
		    matmul_rows_ld);
		outputs(t, i, n);
	}
}

void
model_predict(struct model *m, const float *x, int B, float *probs,
    float *ghost)
{
	model_predict_heads(m, x, B, probs, ghost, NULL);
}

void
model_predict_heads(struct model *m, const float *x, int B, float *probs,
    float *ghost, float *piv)
{
	struct model_state *st = m->st;
	int i, n, G = model_ghost_steps(&m->cfg), P = m->cfg.npiv;

	if (st == NULL) {
		for (i = 0; i < B * 3 && probs != NULL; i++)
			probs[i] = NAN;
		for (i = 0; i < B * 4 * G && ghost != NULL; i++)
			ghost[i] = NAN;
		for (i = 0; i < B * 3 * P && piv != NULL; i++)
			piv[i] = NAN;
		return;
	}
	st->px = x;
	st->pprobs = probs;
	st->pghost = ghost;
	st->ppiv = piv;
	st->ptemp = m->temperature;
	st->pB = B;
	st->pgroup = st->Bm < PREDICT_GROUP ? st->Bm : PREDICT_GROUP;
	atomic_store(&st->pnext, 0);
	n = (B + st->pgroup - 1) / st->pgroup;
	run(st, job_predict, n < st->nthreads ? n : st->nthreads);
}

/*
 * Settle the backend of training's products (matmul.h's auto) on the
 * products of one pass of a thread in the first step: Bp windows of T
 * rows (of the share of a batch of B, not of the largest batch reserved:
 * the faster engine depends on the rows), the last block at the last
 * position only.
 */
static void
choose_backend(struct model *m, int B)
{
	int Bt = (B + m->st->nthreads - 1) / m->st->nthreads, C = m->cfg.d;
	int Bp = Bt < m->st->Bm ? Bt : m->st->Bm;
	int N = Bp * model_tokens(&m->cfg), L1 = m->cfg.L - 1;
	struct matmul_shape sh[] = {
		{ N, C, 3 * C, L1 }, { N, C, C, L1 }, { N, C, 4 * C, L1 },
		{ N, 4 * C, C, L1 }, { N, C, 2 * C, 1 }, { Bp, C, C, 2 },
		{ Bp, C, 4 * C, 1 }, { Bp, 4 * C, C, 1 }
	};

	(void)matmul_choose(L1 > 0 ? sh : sh + 4, L1 > 0 ? 8 : 4);
	m->st->chosen = 1;
}

float
model_forward(struct model *m, const struct batch *b, float *probs,
    float *ghost)
{
	return model_forward_heads(m, b, probs, ghost, NULL);
}

float
model_forward_heads(struct model *m, const struct batch *b, float *probs,
    float *ghost, float *piv)
{
	struct model_state *st = m->st;
	double s = 0.0;
	int j;

	if (st == NULL || b->B < 1 || b->B > st->maxB)
		return NAN;
	if (!st->chosen)
		choose_backend(m, b->B);
	st->batch = b;
	st->pprobs = probs;	/* the raw softmax: temperature 1 */
	st->pghost = ghost;
	st->ppiv = piv;
	st->ptemp = 1.0f;
	run(st, job_forward, split(st, b->B));
	for (j = 0; j < b->B; j++)
		s += st->loss[j];
	return (float)(s / b->B);
}

int
model_set_pass(struct model *m, int windows)
{
	struct model_state *st = m->st;

	if (st == NULL)
		return 0;
	st->Bm = windows < 1 || windows > st->Bmax ? st->Bmax : windows;
	return st->Bm;
}

void
model_zero_grad(struct model *m)
{
	zero(m->grads, m->nparams);
}

/* The batch's gradient added into m->grads: thread 0's share + thread
 * 1's + ..., in a fixed order, summed in thread 0's buffer (loops a
 * compiler vectorizes).  Where thread 0 added straight into m->grads,
 * zeroed (gdirect), the others' add into it in the same order: the same
 * sums, one pass over the gradients less. */
static void
add_grads(struct model *m, int n)
{
	struct model_state *st = m->st;
	float *s = st->gdirect ? m->grads : st->t[0].a.grads;
	size_t j;
	int i;

	for (i = 1; i < n; i++) {
		const float *g = st->t[i].a.grads;

		for (j = 0; j < m->nparams; j++)
			s[j] += g[j];
	}
	for (j = 0; !st->gdirect && j < m->nparams; j++)
		m->grads[j] += s[j];
}

/* The forward and backward of the batch of the last model_forward, the
 * gradients added into m->grads (with finite, only when the mean loss is
 * finite); returns the mean loss. */
static float
pass(struct model *m, int finite)
{
	struct model_state *st = m->st;
	double s = 0.0;
	int n, j;

	st->pprobs = st->pghost = st->ppiv = NULL;
	n = split(st, st->batch->B);
	run(st, job_train, n);
	for (j = 0; j < st->batch->B; j++)
		s += st->loss[j];
	s /= st->batch->B;
	if (!finite || isfinite(s))
		add_grads(m, n);
	return (float)s;
}

/* The forward again, pass by pass (its bits are the same), each followed
 * by its backward. */
void
model_backward(struct model *m)
{
	if (m->st == NULL || m->st->batch == NULL)
		return;
	(void)pass(m, 0);
}

float
model_train_step(struct model *m, const struct batch *b, const struct adamw *o)
{
	float loss;

	if (m->st == NULL || b->B < 1 || b->B > m->st->maxB)
		return NAN;
	if (!m->st->chosen)
		choose_backend(m, b->B);
	model_zero_grad(m);
	m->st->batch = b;
	m->st->gdirect = m->grads;
	loss = pass(m, 1);
	m->st->gdirect = NULL;
	if (!isfinite(loss)) {	/* not applied: m->step tells */
		model_zero_grad(m);	/* thread 0 added into them */
		return loss;
	}
	adamw_step(m, o);
	return loss;
}
