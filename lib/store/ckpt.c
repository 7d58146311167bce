/*
 * ckpt.c - the model checkpoint file, model-checkpoint(5): writing,
 * verifying and loading it, and ckpt_update, the locked
 * load-step-write-rename cycle every trainer uses.
 *
 * A file is never changed in place: a new version is written to a
 * temporary file .NAME.tmp.PID in the same directory, fsynced and renamed
 * over NAME, so a reader (which never locks) sees the old or the new file,
 * whole.  Loading verifies the CRC over the whole file before anything is
 * believed, and bounds every size by the file's real size and by
 * model_config_check before anything is allocated.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ck.h"
#include "cktime.h"
#include "ckpt.h"
#include "fattr.h"
#include "lock.h"
#include "model.h"
#include "rng.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ckpt.c writes float32 in host order: it needs a little-endian host"
#endif

#define CHUNK	65536		/* bytes read at a time for the CRC */

/* The decoded header; offsets in model-checkpoint(5). */
struct hdr {
	uint32_t version, hdrsize, W, d, L, h, F, ntensors;
	uint64_t nparams, model_id, generation, file_size, data_off;
	int64_t	 created, trained_until;
	float	 temperature;		/* 0: none recorded (1) */
	int64_t	 timeframe, data_from, data_to;
	uint32_t flags;
	struct model_config ext;	/* version 2: ghost, npiv .. ctx */
};

static const volatile sig_atomic_t *stop_flag;	/* ckpt_stop_flag */

struct where {
	char	real[PATH_MAX];		/* the resolved checkpoint path */
	char	dir[PATH_MAX];
	char	base[NAME_MAX + 1];
	char	tmp[NAME_MAX + 1];	/* .BASE.tmp.PID.RANDOM */
};

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

/* Little-endian integers of n bytes. */
static void
put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static uint64_t
get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The size of a file with an hs-byte header, nt tensors and np
 * parameters: header, table, weights, m, v, CRC. */
static uint64_t
file_bytes(uint64_t hs, uint64_t nt, uint64_t np)
{
	return hs + CKPT_ENTSIZE * nt + 3 * 4 * np + 4;
}

/* A configuration version 1 cannot hold: written as version 2. */
static int
needs_v2(const struct model_config *c)
{
	return model_ghost_steps(c) != 1 || c->npiv > 0 || c->nctx > 0;
}

/* The header size of a format version; 0 for an unknown one. */
static uint32_t
hdrsize_of(uint32_t version)
{
	return version == 1 ? CKPT_HDRSIZE : version == 2 ? CKPT_HDRSIZE2 : 0;
}

/*
 * Version 2's fields past offset 128 (model-checkpoint(5)): 128 ghost,
 * 132 npiv, 136 piv_k, 140 piv_level[5], 160 nctx, 164 zero, then from
 * 168 MODEL_MAXCTX context entries of 40 bytes: int64 tf, uint32 N,
 * uint32 zero, char[24] prefix; zero up to 512.
 */
static void
ext_encode(unsigned char *b, const struct model_config *c)
{
	int i;

	put_le(b + 128, (uint32_t)model_ghost_steps(c), 4);
	put_le(b + 132, (uint32_t)c->npiv, 4);
	put_le(b + 136, (uint32_t)c->piv_k, 4);
	for (i = 0; i < c->npiv; i++)
		put_le(b + 140 + 4 * i, (uint32_t)c->piv_level[i], 4);
	put_le(b + 160, (uint32_t)c->nctx, 4);
	for (i = 0; i < c->nctx; i++) {
		unsigned char *e = b + 168 + 40 * i;

		put_le(e, (uint64_t)c->ctx[i].tf, 8);
		put_le(e + 8, (uint32_t)c->ctx[i].N, 4);
		memcpy(e + 16, c->ctx[i].prefix,
		    strnlen(c->ctx[i].prefix, sizeof c->ctx[i].prefix));
	}
}

/* Decode version 2's fields into c (unchecked: model_config_check bounds
 * them; a count past its table makes it fail). */
static void
ext_decode(const unsigned char *b, struct model_config *c)
{
	uint32_t u;
	int i;

	memset(c, 0, sizeof *c);
	c->ghost = (u = (uint32_t)get_le(b + 128, 4)) > INT_MAX ? -1 : (int)u;
	c->npiv = (u = (uint32_t)get_le(b + 132, 4)) > MODEL_MAXPIV ? -1 : (int)u;
	c->piv_k = (u = (uint32_t)get_le(b + 136, 4)) > INT_MAX ? -1 : (int)u;
	for (i = 0; i < MODEL_MAXPIV; i++)
		c->piv_level[i] = (u = (uint32_t)get_le(b + 140 + 4 * i, 4)) >
		    INT_MAX ? -1 : (int)u;
	c->nctx = (u = (uint32_t)get_le(b + 160, 4)) > MODEL_MAXCTX ? -1 : (int)u;
	for (i = 0; i < MODEL_MAXCTX; i++) {
		const unsigned char *e = b + 168 + 40 * i;

		c->ctx[i].tf = (int64_t)get_le(e, 8);
		c->ctx[i].N = (u = (uint32_t)get_le(e + 8, 4)) > INT_MAX ? -1 :
		    (int)u;
		memcpy(c->ctx[i].prefix, e + 16, sizeof c->ctx[i].prefix);
	}
}

/* 1 when a version 2 header's bytes past 128 are exactly what its
 * decoded fields encode to: unused bytes and prefix padding zero. */
static int
ext_clean(const unsigned char *b, const struct model_config *c)
{
	unsigned char t[CKPT_HDRSIZE2];

	if (c->npiv < 0 || c->nctx < 0)
		return 0;
	memset(t, 0, sizeof t);
	ext_encode(t, c);
	return memcmp(t + 128, b + 128, CKPT_HDRSIZE2 - 128) == 0;
}

/* The header of m into b (CKPT_HDRSIZE2 bytes); returns its size: the
 * oldest version that holds the model, so a model without the version 2
 * parts is written as it always was. */
static uint32_t
hdr_encode(unsigned char *b, const struct model *m,
    const struct ckpt_meta *meta)
{
	uint32_t v = needs_v2(&m->cfg) ? 2 : 1, hs = hdrsize_of(v);

	memset(b, 0, CKPT_HDRSIZE2);
	memcpy(b, CKPT_MAGIC, 8);
	put_le(b + 8, v, 4);
	put_le(b + 12, hs, 4);
	put_le(b + 16, (uint32_t)m->cfg.W, 4);
	put_le(b + 20, (uint32_t)m->cfg.d, 4);
	put_le(b + 24, (uint32_t)m->cfg.L, 4);
	put_le(b + 28, (uint32_t)m->cfg.h, 4);
	put_le(b + 32, (uint32_t)model_nfeat(&m->cfg), 4);
	put_le(b + 36, (uint32_t)m->ntensors, 4);
	put_le(b + 40, m->nparams, 8);
	put_le(b + 48, meta->model_id, 8);
	put_le(b + 56, (uint64_t)meta->created, 8);
	put_le(b + 64, meta->generation, 8);
	put_le(b + 72, (uint64_t)meta->trained_until, 8);
	put_le(b + 80, file_bytes(hs, (uint64_t)m->ntensors, m->nparams), 8);
	put_le(b + 88, hs + CKPT_ENTSIZE * (uint64_t)m->ntensors, 8);
	/* 96: the softmax temperature, 100: flags, 104..127: the data's
	 * timeframe and range; zero in files written before them
	 * (temperature 1, none) */
	{
		float T = m->temperature > 0 ? m->temperature : 0;
		uint32_t u;

		memcpy(&u, &T, 4);
		put_le(b + 96, u, 4);
		put_le(b + 100, meta->flags & CKPT_UNTILTED, 4);
		if (meta->timeframe > 0) {
			put_le(b + 104, (uint64_t)meta->timeframe, 8);
			put_le(b + 112, (uint64_t)meta->data_from, 8);
			put_le(b + 120, (uint64_t)meta->data_to, 8);
		}
	}
	if (v == 2)
		ext_encode(b, &m->cfg);
	return hs;
}

static void
hdr_decode(const unsigned char *b, struct hdr *h)
{
	h->version = (uint32_t)get_le(b + 8, 4);
	h->hdrsize = (uint32_t)get_le(b + 12, 4);
	h->W = (uint32_t)get_le(b + 16, 4);
	h->d = (uint32_t)get_le(b + 20, 4);
	h->L = (uint32_t)get_le(b + 24, 4);
	h->h = (uint32_t)get_le(b + 28, 4);
	h->F = (uint32_t)get_le(b + 32, 4);
	h->ntensors = (uint32_t)get_le(b + 36, 4);
	h->nparams = get_le(b + 40, 8);
	h->model_id = get_le(b + 48, 8);
	h->created = (int64_t)get_le(b + 56, 8);
	h->generation = get_le(b + 64, 8);
	h->trained_until = (int64_t)get_le(b + 72, 8);
	h->file_size = get_le(b + 80, 8);
	h->data_off = get_le(b + 88, 8);
	{
		uint32_t u = (uint32_t)get_le(b + 96, 4);

		memcpy(&h->temperature, &u, 4);
		if (!(h->temperature > 0 && h->temperature < 1e6f))
			h->temperature = 0;	/* none, or not a temperature */
		h->flags = (uint32_t)get_le(b + 100, 4) & CKPT_UNTILTED;
		h->timeframe = (int64_t)get_le(b + 104, 8);
		h->data_from = (int64_t)get_le(b + 112, 8);
		h->data_to = (int64_t)get_le(b + 120, 8);
		if (h->timeframe < 0)
			h->timeframe = 0;
	}
	if (h->version == 2)
		ext_decode(b, &h->ext);
	else {
		memset(&h->ext, 0, sizeof h->ext);
		h->ext.ghost = 1;
	}
}

static void
meta_of(const struct hdr *h, struct ckpt_meta *meta)
{
	meta->model_id = h->model_id;
	meta->created = h->created;
	meta->generation = h->generation;
	meta->trained_until = h->trained_until;
	meta->timeframe = h->timeframe;
	meta->data_from = h->data_from;
	meta->data_to = h->data_to;
	meta->flags = h->flags;
}

static void
config_of(const struct hdr *h, struct model_config *cfg)
{
	*cfg = h->ext;
	cfg->W = (int)h->W;
	cfg->d = (int)h->d;
	cfg->L = (int)h->L;
	cfg->h = (int)h->h;
	/* the pivot features: told by the features per candle */
	cfg->piv_feat = h->F == MODEL_NFEAT + MODEL_NPIVFEAT;
}

/* pread exactly len bytes; -1 with errno (EIO: the file ended early). */
static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = pread(fd, p, len, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * The header of the file open on fd, checked without reading the body: a
 * regular file, magic, version, then the header's sizes against the
 * file's size and the configuration's layout (a huge or sparse file is
 * refused at once).  Fills h and *size.  0, CK_EDATA or CK_ERR.
 */
static int
check_head(int fd, const char *name, struct hdr *h, uint64_t *fsize,
    char *err, size_t errlen)
{
	unsigned char hb[CKPT_HDRSIZE2];
	struct model_config cfg;
	struct model lay;
	struct stat st;
	uint64_t size, k, hs;
	char why[160];

	if (fstat(fd, &st) == -1)
		return fail(err, errlen, CK_ERR, "%s: %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(err, errlen, CK_EDATA, "%s: not a regular file",
		    name);
	size = (uint64_t)st.st_size;
	memset(hb, 0, sizeof(hb));
	k = size < sizeof(hb) ? size : sizeof(hb);
	if (read_at(fd, hb, (size_t)k, 0) == -1)
		return fail(err, errlen, CK_ERR, "%s: %s", name, strerror(errno));
	if (size == 0)
		return fail(err, errlen, CK_EDATA, "%s: empty file, not a "
		    "checkpoint (an interrupted copy?); restore it from a copy "
		    "or create a new one", name);
	if (memcmp(hb, CKPT_MAGIC, size < 8 ? (size_t)size : 8) != 0)
		return fail(err, errlen, CK_EDATA, "%s: not a model checkpoint "
		    "(wrong magic); check the file name (model-checkpoint(5))",
		    name);
	hdr_decode(hb, h);
	if (size < CKPT_HDRSIZE + 4)
		return fail(err, errlen, CK_EDATA, "%s: truncated checkpoint "
		    "(%llu bytes, shorter than its header); restore it from a "
		    "copy or create a new one", name, (unsigned long long)size);
	if (h->version > CKPT_VERSION)
		return fail(err, errlen, CK_EDATA, "%s: checkpoint format "
		    "version %u is newer than this candlekit reads (%d); "
		    "upgrade candlekit", name, h->version, CKPT_VERSION);
	/* The sizes, before the body is read. */
	hs = hdrsize_of(h->version);
	if (h->file_size > size && hs != 0 && h->hdrsize == hs &&
	    h->ntensors <= MODEL_MAXTENSORS &&
	    file_bytes(hs, h->ntensors, h->nparams) == h->file_size)
		return fail(err, errlen, CK_EDATA, "%s: truncated "
		    "checkpoint (%llu of %llu bytes; an interrupted "
		    "copy?); restore it from a copy, it is left "
		    "untouched", name, (unsigned long long)size,
		    (unsigned long long)h->file_size);
	if (hs == 0 || h->hdrsize != hs || h->file_size != size ||
	    h->ntensors > MODEL_MAXTENSORS || h->nparams > size ||
	    file_bytes(hs, h->ntensors, h->nparams) != size ||
	    h->data_off != hs + CKPT_ENTSIZE * (uint64_t)h->ntensors)
		return fail(err, errlen, CK_EDATA, "%s: corrupt checkpoint: "
		    "inconsistent header (version %u, %u tensors, %llu "
		    "parameters, %llu bytes; the file has %llu); restore it "
		    "from a copy, it is left untouched", name, h->version,
		    h->ntensors, (unsigned long long)h->nparams,
		    (unsigned long long)h->file_size, (unsigned long long)size);
	if (h->version == 2 && !ext_clean(hb, &h->ext)) {
		snprintf(why, sizeof(why), "unused header bytes not zero");
		goto badcfg;
	}
	if (h->W > INT_MAX || h->d > INT_MAX || h->L > INT_MAX ||
	    h->h > INT_MAX) {
		snprintf(why, sizeof(why), "a size over INT_MAX");
		goto badcfg;
	}
	config_of(h, &cfg);
	if (model_layout(&lay, &cfg, why, sizeof(why)) == -1)
		goto badcfg;
	if (lay.nparams != h->nparams)
		return fail(err, errlen, CK_EDATA, "%s: corrupt checkpoint: "
		    "inconsistent header (the configuration has %zu parameters, "
		    "the header says %llu); restore it from a copy, it is left "
		    "untouched", name, lay.nparams,
		    (unsigned long long)h->nparams);
	*fsize = size;
	return CK_OK;
badcfg:
	return fail(err, errlen, CK_EDATA, "%s: corrupt checkpoint: bad model "
	    "configuration in its header (W %u d %u L %u h %u: %s); restore "
	    "it from a copy", name, h->W, h->d, h->L, h->h, why);
}

/*
 * Verify the file open on fd without allocating: its header (check_head),
 * then the CRC of the whole file and the rest of the header.  Fills h.
 * 0, CK_EDATA or CK_ERR.
 */
static int
check_fd(int fd, const char *name, struct hdr *h, char *err, size_t errlen)
{
	unsigned char buf[CHUNK];
	uint64_t size = 0, off, k;
	uLong crc;
	uint32_t want;
	int rc;

	if ((rc = check_head(fd, name, h, &size, err, errlen)) != CK_OK)
		return rc;
	crc = crc32(0, Z_NULL, 0);
	for (off = 0; off < size - 4; off += k) {
		k = size - 4 - off < CHUNK ? size - 4 - off : CHUNK;
		if (read_at(fd, buf, (size_t)k, off) == -1)
			return fail(err, errlen, CK_ERR, "%s: %s", name,
			    strerror(errno));
		crc = crc32(crc, buf, (uInt)k);
	}
	if (read_at(fd, buf, 4, size - 4) == -1)
		return fail(err, errlen, CK_ERR, "%s: %s", name, strerror(errno));
	want = (uint32_t)get_le(buf, 4);
	if ((uint32_t)crc != want)
		return fail(err, errlen, CK_EDATA, "%s: corrupt checkpoint "
		    "(CRC32 %08x, the file says %08x); restore it from a copy, "
		    "it is left untouched", name, (unsigned)crc, want);
	/* The CRC holds: what disagrees now was written that way. */
	if (h->version == 0)
		return fail(err, errlen, CK_EDATA, "%s: bad checkpoint header "
		    "(version 0); not written by candlekit?", name);
	if (h->F != MODEL_NFEAT && (h->F != MODEL_NFEAT + MODEL_NPIVFEAT ||
	    h->ext.npiv == 0))
		return fail(err, errlen, CK_EDATA, "%s: the model reads %u "
		    "features per candle, this candlekit computes %d (%d with "
		    "a pivot head's); retrain with this version", name, h->F,
		    MODEL_NFEAT, MODEL_NFEAT + MODEL_NPIVFEAT);
	return CK_OK;
}

static void
table_encode(unsigned char *b, const struct model *m)
{
	unsigned char *e;

	memset(b, 0, CKPT_ENTSIZE * (size_t)m->ntensors);
	for (int i = 0; i < m->ntensors; i++) {
		e = b + CKPT_ENTSIZE * i;
		memcpy(e, m->tensor[i].name, strnlen(m->tensor[i].name, 31));
		put_le(e + 32, (uint32_t)m->tensor[i].rows, 4);
		put_le(e + 36, (uint32_t)m->tensor[i].cols, 4);
		put_le(e + 40, m->tensor[i].offset, 8);
	}
}

/* The file's tensor table must be ref's layout, byte for byte. */
static int
check_table(int fd, const char *name, const struct hdr *h,
    const struct model *ref, char *err, size_t errlen)
{
	unsigned char fb[CKPT_ENTSIZE * MODEL_MAXTENSORS], rb[CKPT_ENTSIZE * MODEL_MAXTENSORS];
	int i;

	if ((uint64_t)ref->ntensors != h->ntensors || ref->nparams != h->nparams)
		return fail(err, errlen, CK_EDATA, "%s: %u tensors of %llu "
		    "parameters, this candlekit lays out %d of %zu for the same "
		    "configuration; retrain with this version", name,
		    h->ntensors, (unsigned long long)h->nparams, ref->ntensors,
		    ref->nparams);
	if (read_at(fd, fb, CKPT_ENTSIZE * h->ntensors, h->hdrsize) == -1)
		return fail(err, errlen, CK_ERR, "%s: %s", name, strerror(errno));
	table_encode(rb, ref);
	for (i = 0; i < ref->ntensors; i++)
		if (memcmp(fb + CKPT_ENTSIZE * i, rb + CKPT_ENTSIZE * i,
		    CKPT_ENTSIZE) != 0)
			return fail(err, errlen, CK_EDATA, "%s: tensor %d (%.32s) "
			    "differs from this candlekit's layout (%s); retrain "
			    "with this version", name, i,
			    (const char *)(fb + CKPT_ENTSIZE * i),
			    ref->tensor[i].name);
	return CK_OK;
}

/* A new model t (zeroed buffers) for the checked file's configuration,
 * once its tensor table is found to be that model's layout. */
static int
layout_of(int fd, const char *name, const struct hdr *h, struct model *t,
    char *err, size_t errlen)
{
	struct model_config cfg;
	char why[160];
	int rc;

	config_of(h, &cfg);
	/* The configuration decides the allocation: bound it by the header's
	 * parameter count (itself bounded by the file's size) first. */
	if (model_layout(t, &cfg, why, sizeof(why)) == -1)
		return fail(err, errlen, CK_EDATA, "%s: %s", name, why);
	if (t->nparams != h->nparams)
		return fail(err, errlen, CK_EDATA, "%s: the configuration has "
		    "%zu parameters, the header says %llu: a corrupt or foreign "
		    "file; restore a backup", name, t->nparams,
		    (unsigned long long)h->nparams);
	if (model_init(t, &cfg, why, sizeof(why)) == -1)
		return fail(err, errlen, CK_ERR, "%s: %s", name, why);
	if ((rc = check_table(fd, name, h, t, err, errlen)) != CK_OK)
		model_free(t);
	return rc;
}

/*
 * Values a valid CRC cannot vouch for (issue 19, 6): a file written with
 * them loads as a model that trains and predicts NaN.  The generation must
 * be a count of steps (at most CKPT_GEN_MAX: beyond, the next step's bias
 * correction is no longer exact, and at 2^64-1 the count wraps to 0 and
 * divides by zero); with m, every parameter and first moment must be
 * finite and every second moment finite and >= 0.  Used on every load and
 * before every save.  0 or CK_EDATA with a message naming the first bad
 * value.
 */
static int
check_values(const char *name, uint64_t generation, const struct model *m,
    char *err, size_t errlen)
{
	static const char *what[3] = { "weight", "first moment",
	    "second moment" };
	const float *a[3];
	size_t j;
	int k, i;

	if (generation > CKPT_GEN_MAX)
		return fail(err, errlen, CK_EDATA, "%s: impossible generation "
		    "%llu (more than 2^53 steps); a corrupt or foreign file, "
		    "restore a backup", name, (unsigned long long)generation);
	if (m == NULL)
		return CK_OK;
	a[0] = m->params;
	a[1] = m->m;
	a[2] = m->v;
	for (k = 0; k < 3; k++)
		for (j = 0; j < m->nparams; j++) {
			/* a second moment is also never negative */
			if (isfinite(a[k][j]) && !(a[k][j] < 0 && k == 2))
				continue;
			for (i = m->ntensors - 1; i > 0 &&
			    m->tensor[i].offset > j; i--)
				;
			return fail(err, errlen, CK_EDATA, "%s: %s %zu of "
			    "tensor %s is %g; the model is unusable, restore "
			    "a backup", name, what[k], j - m->tensor[i].offset,
			    m->tensor[i].name, (double)a[k][j]);
		}
	return CK_OK;
}

/* Read the checked file into a new model, then into m (see ckpt_load). */
static int
read_fd(int fd, const char *name, const struct hdr *h, struct model *m,
    char *err, size_t errlen)
{
	struct model t;
	size_t n;
	int rc;

	if ((rc = layout_of(fd, name, h, &t, err, errlen)) != CK_OK)
		return rc;
	n = t.nparams * sizeof(float);
	if (read_at(fd, t.params, n, h->data_off) == -1 ||
	    read_at(fd, t.m, n, h->data_off + n) == -1 ||
	    read_at(fd, t.v, n, h->data_off + 2 * n) == -1) {
		rc = fail(err, errlen, CK_ERR, "%s: %s", name, strerror(errno));
		goto out;
	}
	t.step = h->generation;
	t.temperature = h->temperature;
	if ((rc = check_values(name, h->generation, &t, err, errlen)) != CK_OK)
		goto out;
	if (m->params != NULL && model_config_same(&m->cfg, &t.cfg)) {
		memcpy(m->params, t.params, n);
		memcpy(m->m, t.m, n);
		memcpy(m->v, t.v, n);
		m->step = t.step;
		m->temperature = t.temperature;
	} else {
		if (m->params != NULL)
			model_free(m);
		*m = t;
		return CK_OK;
	}
out:
	model_free(&t);
	return rc;
}

/* Open a checkpoint to read it: never blocking (a FIFO), a regular file
 * only (check_fd says so otherwise). */
static int
open_ro(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		fail(err, errlen, CK_ERR, "%s: %s", path, strerror(errno));
	return fd;
}

/* Stamp of the file open on fd, whose header is h (NULL: read it). */
static int
stamp_fd(int fd, const struct hdr *h, struct ckpt_stamp *s)
{
	unsigned char hb[CKPT_HDRSIZE2];
	struct stat st;
	struct hdr r;

	memset(s, 0, sizeof(*s));
	if (fstat(fd, &st) == -1)
		return -1;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->size = st.st_size;
	s->mtime_ns = (int64_t)st.st_mtim.tv_sec * CK_SEC + st.st_mtim.tv_nsec;
	memset(hb, 0, sizeof(hb));
	if (h == NULL && S_ISREG(st.st_mode) && read_at(fd, hb,
	    st.st_size < (off_t)sizeof(hb) ? (size_t)st.st_size : sizeof(hb),
	    0) == 0) {
		hdr_decode(hb, &r);
		h = &r;
	}
	if (h != NULL) {
		s->model_id = h->model_id;
		s->generation = h->generation;
	}
	return 0;
}

int
ckpt_load_stamp(const char *path, struct model *m, struct ckpt_meta *meta,
    struct ckpt_stamp *stamp, char *err, size_t errlen)
{
	struct hdr h;
	int fd, rc;

	if (stamp != NULL)
		memset(stamp, 0, sizeof(*stamp));
	if ((fd = open_ro(path, err, errlen)) == -1)
		return CK_ERR;
	if ((rc = check_fd(fd, path, &h, err, errlen)) == CK_OK &&
	    (rc = read_fd(fd, path, &h, m, err, errlen)) == CK_OK)
		meta_of(&h, meta);
	/* what was read, from the same open file: a commit after the open
	 * is another file, seen by ckpt_changed */
	if (stamp != NULL)
		stamp_fd(fd, rc == CK_OK ? &h : NULL, stamp);
	close(fd);
	return rc;
}

int
ckpt_load(const char *path, struct model *m, struct ckpt_meta *meta,
    char *err, size_t errlen)
{
	return ckpt_load_stamp(path, m, meta, NULL, err, errlen);
}

static int
write_all(int fd, const void *buf, size_t len, uLong *crc)
{
	const unsigned char *p = buf;
	size_t k;
	ssize_t n;

	while (len > 0) {
		k = len < (1u << 30) ? len : (1u << 30);
		if ((n = write(fd, p, k)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (crc != NULL)
			*crc = crc32(*crc, p, (uInt)n);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* An unpredictable temporary name .BASE.tmp.PID.RANDOM into w->tmp (the
 * pid lets clean_tmp know a dead writer's).  0, or -1 with errno. */
static int
tmp_name(struct where *w)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	snprintf(w->tmp, sizeof(w->tmp), ".%.200s.tmp.%d.%016llx", w->base,
	    (int)getpid(), (unsigned long long)r);
	return 0;
}

/* A new temporary file in dfd under such a name, made exclusively and
 * never through a link.  An fd, or -1 with errno. */
static int
tmp_create(int dfd, struct where *w, mode_t mode)
{
	int fd, i;

	for (i = 0; i < 16; i++) {
		if (tmp_name(w) == -1)
			return -1;
		fd = openat(dfd, w->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd != -1 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/*
 * Write m as a new temporary file (w->tmp) in dfd and fsync it.  ofd, orig:
 * the checkpoint being replaced, open, and its fstat; the temporary file
 * is never more open than it (0600 while written), then takes its owner
 * and group where allowed, its extended attributes (ACLs) and permission
 * bits.  Without orig the mode is 0666 & ~umask.
 */
static int
write_tmp(int dfd, struct where *w, const struct model *m,
    const struct ckpt_meta *meta, int ofd, const struct stat *orig,
    char *err, size_t errlen)
{
	unsigned char tb[CKPT_ENTSIZE * MODEL_MAXTENSORS], hb[CKPT_HDRSIZE2];
	unsigned char cb[4];
	size_t n = m->nparams * sizeof(float);
	uLong crc = crc32(0, Z_NULL, 0);
	uint32_t hs;
	int fd, e;

	if ((fd = tmp_create(dfd, w, orig != NULL ? 0600 : 0666)) == -1)
		return fail(err, errlen, CK_ERR, "%s/.%s.tmp: %s", w->dir,
		    w->base, strerror(errno));
	ckpt_hook("before-write", meta->generation);
	hs = hdr_encode(hb, m, meta);
	table_encode(tb, m);
	if (write_all(fd, hb, hs, &crc) == -1 ||
	    write_all(fd, tb, CKPT_ENTSIZE * (size_t)m->ntensors, &crc) == -1 ||
	    write_all(fd, m->params, n, &crc) == -1 ||
	    write_all(fd, m->m, n, &crc) == -1 ||
	    write_all(fd, m->v, n, &crc) == -1)
		goto bad;
	put_le(cb, (uint32_t)crc, 4);
	if (write_all(fd, cb, 4, NULL) == -1)
		goto bad;
	ckpt_hook("after-write", meta->generation);
	if (orig != NULL && fattr_copy(ofd, fd, orig, 0777) == -1)
		goto bad;
	if (fsync(fd) == -1)
		goto bad;
	if (close(fd) == -1) {
		fd = -1;
		goto bad;
	}
	ckpt_hook("after-fsync", meta->generation);
	return CK_OK;
bad:
	e = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dfd, w->tmp, 0);
	return fail(err, errlen, CK_ERR, "%s/%s: %s", w->dir, w->tmp,
	    strerror(e));
}

/* Put the temporary file in place (replace: rename over; else link, which
 * never replaces) and make that durable. */
static int
publish(int dfd, const struct where *w, int replace, uint64_t gen, char *err,
    size_t errlen)
{
	int e;

	if (replace ? renameat(dfd, w->tmp, dfd, w->base) == -1 :
	    linkat(dfd, w->tmp, dfd, w->base, 0) == -1) {
		e = errno;
		unlinkat(dfd, w->tmp, 0);
		if (e == EEXIST)
			return fail(err, errlen, CK_ERR, "%s: file exists; not "
			    "replaced (remove it, or force)", w->real);
		return fail(err, errlen, CK_ERR, "%s: %s", w->real, strerror(e));
	}
	if (!replace)
		unlinkat(dfd, w->tmp, 0);
	ckpt_hook("after-rename", gen);
	if (fsync(dfd) == -1)
		return fail(err, errlen, CK_ERR, "%s: fsync: %s", w->dir,
		    strerror(errno));
	return CK_OK;
}

/*
 * Resolve path (through symlinks: the target is what is updated) into
 * real, dir and base.  A path that does not exist yet is allowed when
 * !must_exist; its directory is resolved.
 */
static int
resolve(const char *path, int must_exist, struct where *w, char *err,
    size_t errlen)
{
	char d[PATH_MAX], buf[PATH_MAX];
	const char *slash;

	if (realpath(path, buf) == NULL) {
		if (errno != ENOENT || must_exist)
			return fail(err, errlen, CK_ERR, "%s: %s", path,
			    strerror(errno));
		if ((slash = strrchr(path, '/')) == NULL)
			snprintf(d, sizeof(d), ".");
		else
			snprintf(d, sizeof(d), "%.*s", (int)(slash - path + 1),
			    path);
		if (realpath(d, w->dir) == NULL)
			return fail(err, errlen, CK_ERR, "%s: %s", d,
			    strerror(errno));
		snprintf(w->base, sizeof(w->base), "%s",
		    slash != NULL ? slash + 1 : path);
	} else {
		slash = strrchr(buf, '/');
		snprintf(w->dir, sizeof(w->dir), "%.*s",
		    slash == buf ? 1 : (int)(slash - buf), buf);
		snprintf(w->base, sizeof(w->base), "%s", slash + 1);
	}
	if (w->base[0] == '\0' || strlen(w->base) > 200)
		return fail(err, errlen, CK_ERR, "%s: bad checkpoint file name",
		    path);
	if ((size_t)snprintf(w->real, sizeof(w->real), "%s/%s",
	    strcmp(w->dir, "/") == 0 ? "" : w->dir, w->base) >= sizeof(w->real))
		return fail(err, errlen, CK_ERR, "%s: path too long", path);
	w->tmp[0] = '\0';
	return CK_OK;
}

/* Remove .BASE.tmp.PID[.RANDOM] files whose process is gone (killed
 * writers and backups). */
static void
clean_tmp(int dfd, const struct where *w)
{
	char prefix[NAME_MAX + 1], *end;
	struct dirent *e;
	size_t plen;
	long pid;
	DIR *dp;
	int fd;

	plen = (size_t)snprintf(prefix, sizeof(prefix), ".%s.tmp.", w->base);
	if ((fd = dup(dfd)) == -1)
		return;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(dp);
	while ((e = readdir(dp)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    e->d_name[plen] < '0' || e->d_name[plen] > '9')
			continue;
		errno = 0;
		pid = strtol(e->d_name + plen, &end, 10);
		if ((*end != '\0' && *end != '.') || errno != 0 || pid <= 0 ||
		    pid > INT_MAX || pid == getpid() ||
		    lock_pid_alive((pid_t)pid))
			continue;
		unlinkat(dfd, e->d_name, 0);
	}
	closedir(dp);
}

static int
open_dir(const struct where *w, char *err, size_t errlen)
{
	int dfd;

	if ((dfd = open(w->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fail(err, errlen, CK_ERR, "%s: %s", w->dir, strerror(errno));
	return dfd;
}

/*
 * Before anything is made beside it: the checkpoint w names in dfd is a
 * regular file (not followed if a link took its place) that begins like a
 * checkpoint, with sizes that agree with its own (check_fd's header
 * checks).  So a link repointed at a foreign file gets no NAME.lock beside
 * that file.  0, CK_EDATA, CK_ERR.
 */
static int
precheck(int dfd, const struct where *w, const char *path, char *err,
    size_t errlen)
{
	uint64_t size;
	struct hdr h;
	int fd, rc;

	if ((fd = openat(dfd, w->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		if (errno == ELOOP || errno == ENXIO)
			return fail(err, errlen, CK_EDATA, "%s: not a regular "
			    "file", path);
		return fail(err, errlen, CK_ERR, "%s: %s", path,
		    strerror(errno));
	}
	rc = check_head(fd, path, &h, &size, err, errlen);
	close(fd);
	return rc;
}

void
ckpt_stop_flag(const volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

uint64_t
ckpt_id_from_seed(uint64_t seed)
{
	/* salted apart from model_init_weights' sequence */
	uint64_t st = seed ^ UINT64_C(0x636b70742d696400);
	uint64_t z = splitmix64(&st);

	return z != 0 ? z : 1;
}

/* $SOURCE_DATE_EPOCH in seconds: 1, 0 when unset or empty, -1 when bad. */
static int
sde(long long *s)
{
	const char *v = getenv("SOURCE_DATE_EPOCH");
	char *end;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	*s = strtoll(v, &end, 10);
	if (*end != '\0' || errno != 0 || *s < 0 || *s > INT64_MAX / CK_SEC)
		return -1;
	return 1;
}

uint64_t
ckpt_id_for(uint64_t seed)
{
	long long s;

	if (sde(&s) != 1)
		return 0;
	return ckpt_id_from_seed(ckpt_id_from_seed(seed) ^ (uint64_t)s);
}

/* Fill meta's model_id and created where the caller left them 0. */
static int
new_identity(struct ckpt_meta *meta, char *err, size_t errlen)
{
	struct timespec ts;
	long long s;
	int r;

	while (meta->model_id == 0)
		if (getrandom(&meta->model_id, sizeof(meta->model_id), 0) !=
		    (ssize_t)sizeof(meta->model_id) && errno != EINTR)
			return fail(err, errlen, CK_ERR, "getrandom: %s",
			    strerror(errno));
	if (meta->created != 0)
		return CK_OK;
	if ((r = sde(&s)) == -1)
		return fail(err, errlen, CK_ERR, "SOURCE_DATE_EPOCH: not a "
		    "number of seconds: %s", getenv("SOURCE_DATE_EPOCH"));
	if (r == 1)
		meta->created = s * CK_SEC;
	else {
		clock_gettime(CLOCK_REALTIME, &ts);
		meta->created = (int64_t)ts.tv_sec * CK_SEC + ts.tv_nsec;
	}
	return CK_OK;
}

int
ckpt_create(const char *path, const struct model *m, struct ckpt_meta *meta,
    int force, char *err, size_t errlen)
{
	struct cklock lk = { .fd = -1 };
	struct where w;
	struct stat st;
	int dfd, rc, exists;

	if ((rc = resolve(path, 0, &w, err, errlen)) != CK_OK ||
	    (rc = new_identity(meta, err, errlen)) != CK_OK)
		return rc;
	meta->generation = m->step;
	if ((rc = check_values(path, m->step, m, err, errlen)) != CK_OK)
		return rc;
	if ((dfd = open_dir(&w, err, errlen)) == -1)
		return CK_ERR;
	exists = fstatat(dfd, w.base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !force) {
		close(dfd);
		return fail(err, errlen, CK_ERR, "%s: file exists; not "
		    "replaced (remove it, or force)", path);
	}
	/* forced: only a checkpoint is replaced, under its lock */
	if (exists && ((rc = precheck(dfd, &w, path, err, errlen)) != CK_OK ||
	    (rc = lock_acquire(&lk, dfd, w.base, w.real, CKPT_TIMEOUT,
	    stop_flag, err, errlen)) != CK_OK)) {
		close(dfd);
		return rc;
	}
	if ((rc = write_tmp(dfd, &w, m, meta, lk.fd, exists ? &lk.st : NULL,
	    err, errlen)) == CK_OK)
		rc = publish(dfd, &w, exists, meta->generation, err, errlen);
	lock_release(&lk);
	close(dfd);
	return rc;
}

int
ckpt_update(const char *path, struct model *m, struct ckpt_meta *meta,
    const struct ckpt_lockopt *opt, ckpt_stepfn fn, void *arg, char *err,
    size_t errlen)
{
	struct cklock lk;
	struct model_config cfg;
	struct where w;
	struct hdr h;
	uint64_t gen0;
	int dfd, rc, n, ran = 0;

	if ((rc = resolve(path, 1, &w, err, errlen)) != CK_OK)
		return rc;
	if ((dfd = open_dir(&w, err, errlen)) == -1)
		return CK_ERR;
	if ((rc = precheck(dfd, &w, path, err, errlen)) != CK_OK ||
	    (rc = lock_acquire(&lk, dfd, w.base, w.real, opt != NULL ?
	    opt->timeout : CKPT_TIMEOUT, stop_flag, err, errlen)) != CK_OK) {
		close(dfd);
		return rc;
	}
	/* Never write over a file that does not verify. */
	if ((rc = check_fd(lk.fd, path, &h, err, errlen)) != CK_OK)
		goto out;
	config_of(&h, &cfg);
	if ((rc = check_values(path, h.generation, NULL, err, errlen)) != CK_OK)
		goto out;
	if (m->params == NULL || h.model_id != meta->model_id ||
	    h.generation != meta->generation || !model_config_same(&cfg, &m->cfg))
		rc = read_fd(lk.fd, path, &h, m, err, errlen);
	else
		rc = check_table(lk.fd, path, &h, m, err, errlen);
	if (rc != CK_OK)
		goto out;
	meta_of(&h, meta);
	m->step = gen0 = h.generation;
	ckpt_hook("acquire", gen0);
	clean_tmp(dfd, &w);
	ran = 1;
	if ((n = fn(m, meta, arg)) <= 0) {
		ckpt_hook("release", gen0);
		rc = n;
		goto out;
	}
	if (m->step != gen0 + (uint64_t)n) {
		ckpt_hook("release", gen0);
		rc = fail(err, errlen, CK_ERR, "%s: the step function reported "
		    "%d steps but applied %lld", path, n,
		    (long long)(m->step - gen0));
		goto out;
	}
	meta->generation = m->step;
	if ((rc = check_values(path, m->step, m, err, errlen)) != CK_OK ||
	    (rc = write_tmp(dfd, &w, m, meta, lk.fd, &lk.st, err,
	    errlen)) != CK_OK) {
		ckpt_hook("release", gen0);
		goto out;
	}
	/* from the rename on, the next writer may lock the new file */
	ckpt_hook("release", meta->generation);
	rc = publish(dfd, &w, 1, meta->generation, err, errlen);
out:
	if (ran && rc != CK_OK)
		meta->generation = CKPT_GEN_STALE;
	lock_release(&lk);
	close(dfd);
	return rc;
}

/* Copy the file open on in to the new file open on out; hook at half way. */
static int
copy_fd(int in, int out, uint64_t gen)
{
	static char buf[CHUNK];
	struct stat st;
	off_t off = 0;
	ssize_t n;
	int half = 0;

	if (fstat(in, &st) == -1)
		return -1;
	for (;;) {
		if ((n = pread(in, buf, sizeof(buf), off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (write_all(out, buf, (size_t)n, NULL) == -1)
			return -1;
		off += n;
		if (!half && off >= st.st_size / 2) {
			half = 1;
			ckpt_hook("backup-copy", gen);
		}
	}
}

int
ckpt_backup(const char *path, uint64_t gen, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char name[NAME_MAX + 1], fdpath[64];
	struct where w;
	struct stat st;
	int dfd, in = -1, fd = -1, rc = CK_ERR, named = 0, i;

	if ((rc = resolve(path, 1, &w, err, errlen)) != CK_OK)
		return rc;
	rc = CK_ERR;
	if ((size_t)snprintf(name, sizeof(name), "%s.%llu.bak", w.base,
	    (unsigned long long)gen) >= sizeof(name) ||
	    (size_t)snprintf(out, outlen, "%s.%llu.bak", w.real,
	    (unsigned long long)gen) >= outlen)
		return fail(err, errlen, CK_ERR, "%s: path too long", path);
	if ((dfd = open_dir(&w, err, errlen)) == -1)
		return CK_ERR;
	if ((in = openat(dfd, w.base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(in, &st) == -1) {
		fail(err, errlen, CK_ERR, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = fail(err, errlen, CK_EDATA, "%s: not a regular file", path);
		goto out;
	}
	/* an unnamed file first: a copy killed half way leaves nothing */
	if ((fd = openat(dfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
	    0600)) == -1) {
		if ((fd = tmp_create(dfd, &w, 0600)) == -1) {
			fail(err, errlen, CK_ERR, "%s/.%s.tmp: %s", w.dir,
			    w.base, strerror(errno));
			goto out;
		}
		named = 1;
	}
	if (copy_fd(in, fd, gen) == -1 || fattr_copy(in, fd, &st, 0777) == -1 ||
	    fsync(fd) == -1) {
		fail(err, errlen, CK_ERR, "%s: %s", out, strerror(errno));
		goto out;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	/* a name to rename from: linkat never replaces anything */
	for (i = 0; !named && i < 16; i++) {
		if (tmp_name(&w) == 0 && linkat(AT_FDCWD, fdpath, dfd, w.tmp,
		    AT_SYMLINK_FOLLOW) == 0)
			named = 1;
		else if (errno != EEXIST)
			break;
	}
	if (!named) {
		fail(err, errlen, CK_ERR, "%s/.%s.tmp: %s", w.dir, w.base,
		    strerror(errno));
		goto out;
	}
	/* over a link or an older backup of this name, never through it */
	if (renameat(dfd, w.tmp, dfd, name) == -1) {
		fail(err, errlen, CK_ERR, "%s: %s", out, strerror(errno));
		goto out;
	}
	named = 0;
	if (fsync(dfd) == -1) {
		fail(err, errlen, CK_ERR, "%s: fsync: %s", w.dir,
		    strerror(errno));
		goto out;
	}
	rc = CK_OK;
out:
	if (named)
		unlinkat(dfd, w.tmp, 0);
	if (fd != -1)
		close(fd);
	if (in != -1)
		close(in);
	close(dfd);
	return rc;
}

int
ckpt_stamp(const char *path, struct ckpt_stamp *s)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	rc = stamp_fd(fd, NULL, s);
	close(fd);
	return rc;
}

int
ckpt_changed(const char *path, const struct ckpt_stamp *s)
{
	struct ckpt_stamp now;

	if (ckpt_stamp(path, &now) == -1)
		return 1;
	return now.dev != s->dev || now.ino != s->ino || now.size != s->size ||
	    now.mtime_ns != s->mtime_ns || now.model_id != s->model_id ||
	    now.generation != s->generation;
}

/* The parts beyond today's model, each only when the model has it: the
 * ghost candles (more than one), the pivot head's levels and k, one line
 * per context sequence in the order the model reads them ("context:
 * 1h:24" for a timeframe, "reference:     BTC:32" for a reference
 * instrument's columns). */
static void
print_extras(FILE *fp, const struct model_config *c)
{
	char d[32];
	int i;

	if (model_ghost_steps(c) > 1)
		fprintf(fp, "ghost:         %d\n", model_ghost_steps(c));
	if (c->npiv > 0) {
		fprintf(fp, "pivot_head:    ");
		for (i = 0; i < c->npiv; i++)
			fprintf(fp, "%s%d", i ? "," : "", c->piv_level[i]);
		fprintf(fp, "\npivot_k:       %d\n", c->piv_k);
	}
	for (i = 0; i < c->nctx; i++) {
		if (c->ctx[i].tf > 0) {
			duration_format(d, c->ctx[i].tf);
			fprintf(fp, "context:       %s:%d\n", d, c->ctx[i].N);
		} else
			fprintf(fp, "reference:     %.*s:%d\n",
			    (int)sizeof(c->ctx[i].prefix), c->ctx[i].prefix,
			    c->ctx[i].N);
	}
}

int
ckpt_print_info(FILE *fp, const char *path, char *err, size_t errlen)
{
	char created[48], until[48], from[48], to[48];
	struct model t;
	struct hdr h;
	int fd, rc;

	if ((fd = open_ro(path, err, errlen)) == -1)
		return CK_ERR;
	if ((rc = check_fd(fd, path, &h, err, errlen)) == CK_OK &&
	    (rc = layout_of(fd, path, &h, &t, err, errlen)) == CK_OK)
		model_free(&t);
	close(fd);
	if (rc != CK_OK)
		return rc;
	time_format(created, h.created);
	time_format(until, h.trained_until);
	time_format(from, h.timeframe > 0 ? h.data_from : CKTIME_NONE);
	time_format(to, h.timeframe > 0 ? h.data_to : CKTIME_NONE);
	fprintf(fp, "file:          %s\n"
	    "format:        model-checkpoint version %u\n"
	    "window:        %u\n"
	    "width:         %u\n"
	    "layers:        %u\n"
	    "heads:         %u\n"
	    "features:      %u\n"
	    "parameters:    %llu\n"
	    "model_id:      %016llx\n"
	    "generation:    %llu\n"
	    "trained_until: %s\n"
	    "created:       %s\n"
	    "file_size:     %llu\n"
	    "temperature:   %.6g\n"
	    "timeframe_s:   %.9g\n"
	    "data_from:     %s\n"
	    "data_to:       %s\n",
	    path, h.version, h.W, h.d, h.L, h.h, h.F,
	    (unsigned long long)h.nparams, (unsigned long long)h.model_id,
	    (unsigned long long)h.generation, until, created,
	    (unsigned long long)h.file_size,
	    h.temperature > 0 ? h.temperature : 1.0,
	    (double)h.timeframe / CK_SEC, from, to);
	print_extras(fp, &t.cfg);
	if (ferror(fp))
		return fail(err, errlen, CK_ERR, "write error");
	return CK_OK;
}
