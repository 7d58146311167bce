/*
 * ckpt.c - the checkpoint file (model-checkpoint(5)): round trip, no
 * replacing, byte-identical files for the same inputs, refusal of corrupt,
 * truncated, foreign and newer files (left untouched), permissions,
 * symlinks, the change stamp (and the stamp of what was loaded), a huge
 * sparse file and a FIFO refused at once, and the numpy reader
 * tests/ckpt_read.py.
 * The locking under concurrency is tests/unit/lock.c.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "ckpt.h"
#include "lock.h"
#include "model.h"
#include "t.h"
#include "ckpt_t.h"

static char err[512];
static int fn_calls;

/* One step: every parameter + 1, step + 1. */
static int
add_one(struct model *m, struct ckpt_meta *meta, void *arg)
{
	(void)meta;
	(void)arg;
	fn_calls++;
	for (size_t i = 0; i < m->nparams; i++)
		m->params[i] += 1.0f;
	m->step++;
	return 1;
}

static int
abort_fn(struct model *m, struct ckpt_meta *meta, void *arg)
{
	(void)meta;
	(void)arg;
	m->params[0] = 1e30f;	/* a half-done step that must not survive */
	return -5;
}

static int
model_equal(const struct model *a, const struct model *b)
{
	size_t n = a->nparams * sizeof(float);

	return a->nparams == b->nparams && a->step == b->step &&
	    memcmp(a->params, b->params, n) == 0 &&
	    memcmp(a->m, b->m, n) == 0 && memcmp(a->v, b->v, n) == 0;
}

static void
t_roundtrip(void)
{
	struct ckpt_meta w = { .trained_until = 1234 * CK_SEC }, r;
	struct model a, b, c;
	struct model_config big = { .W = 8, .d = 16, .L = 2, .h = 4 };
	const char *p = tpath("rt.ckpt");

	small_model(&a, 1);
	T_EQ(ckpt_create(p, &a, &w, 0, err, sizeof(err)), CK_OK);
	T_OK(w.model_id != 0);
	T_OK(w.created > 1600000000 * CK_SEC);
	T_EQ(w.generation, 7);
	memset(&b, 0, sizeof(b));
	T_EQ(ckpt_load(p, &b, &r, err, sizeof(err)), CK_OK);
	T_OK(model_equal(&a, &b));
	T_OK(r.model_id == w.model_id && r.created == w.created);
	T_EQ(r.generation, 7);
	T_EQ(r.trained_until, 1234 * CK_SEC);
	/* into a model of another configuration: re-initialized */
	T_EQ(model_init(&c, &big, err, sizeof(err)), 0);
	T_EQ(ckpt_load(p, &c, &r, err, sizeof(err)), CK_OK);
	T_OK(model_equal(&a, &c));
	T_EQ(c.cfg.W, 4);
	model_free(&a);
	model_free(&b);
	model_free(&c);
}

static void
t_no_replace(void)
{
	const char *p = small_ckpt("keep.ckpt", 2), *copy = tpath("keep.copy");
	struct ckpt_meta meta = { .trained_until = CKTIME_NONE }, r;
	struct model m, l;
	unsigned char *b;
	size_t n;

	b = slurp(p, &n);
	T_OK(b != NULL && spew(copy, b, n) == 0);
	free(b);
	small_model(&m, 3);
	T_EQ(ckpt_create(p, &m, &meta, 0, err, sizeof(err)), CK_ERR);
	T_OK(strstr(err, "exists") != NULL);
	T_OK(same_bytes(p, copy));
	T_EQ(count_prefix(".keep.ckpt.tmp"), 0);
	meta.model_id = 0;
	T_EQ(ckpt_create(p, &m, &meta, 1, err, sizeof(err)), CK_OK);
	memset(&l, 0, sizeof(l));
	T_EQ(ckpt_load(p, &l, &r, err, sizeof(err)), CK_OK);
	T_OK(model_equal(&m, &l));
	T_OK(r.model_id == meta.model_id);
	model_free(&m);
	model_free(&l);
}

/* Same inputs, same bytes: identity from a seed, created given or from
 * SOURCE_DATE_EPOCH; and after the same update. */
static void
t_deterministic(void)
{
	struct ckpt_meta ma = { .model_id = ckpt_id_from_seed(9),
	    .trained_until = CKTIME_NONE };
	struct ckpt_meta mb = ma, r;
	struct model a, b;
	const char *pa = tpath("det.a"), *pb = tpath("det.b");

	T_OK(ckpt_id_from_seed(9) != ckpt_id_from_seed(10));
	setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
	small_model(&a, 5);
	small_model(&b, 5);
	T_EQ(ckpt_create(pa, &a, &ma, 0, err, sizeof(err)), CK_OK);
	T_EQ(ckpt_create(pb, &b, &mb, 0, err, sizeof(err)), CK_OK);
	unsetenv("SOURCE_DATE_EPOCH");
	T_EQ(ma.created, 1700000000 * CK_SEC);
	T_OK(same_bytes(pa, pb));
	T_EQ(ckpt_update(pa, &a, &ma, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(ckpt_update(pb, &b, &mb, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(ma.generation, 8);
	T_OK(same_bytes(pa, pb));
	/* another seed, another file */
	model_free(&b);
	memset(&r, 0, sizeof(r));
	r.model_id = ckpt_id_from_seed(9);
	r.created = 1700000000 * CK_SEC;
	r.trained_until = CKTIME_NONE;
	small_model(&b, 6);
	T_EQ(ckpt_create(pb, &b, &r, 1, err, sizeof(err)), CK_OK);
	T_OK(!same_bytes(pa, pb));
	model_free(&a);
	model_free(&b);
}

/* Refused by ckpt_load with a message containing want; ckpt_update on it
 * is refused too, never calls fn and leaves the bytes as they were. */
static void
refused(const char *p, const char *want)
{
	struct ckpt_meta meta = { 0 };
	struct model m;
	unsigned char *before;
	char after[512];
	size_t n;
	int calls = fn_calls;

	snprintf(after, sizeof(after), "%s/after", tdir);
	before = slurp(p, &n);
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_EDATA);
	T_OK(m.params == NULL);
	if (strstr(err, want) == NULL) {
		fprintf(stderr, "want '%s' in: %s\n", want, err);
		T_OK(0);
	}
	T_OK(strstr(err, p) != NULL);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_EDATA);
	T_EQ(fn_calls, calls);
	T_OK(before != NULL && spew(after, before, n) == 0 &&
	    same_bytes(p, after));
	T_EQ(ckpt_print_info(stdout, p, err, sizeof(err)), CK_EDATA);
	free(before);
}

static void
fix_crc(unsigned char *b, size_t n)
{
	uLong c = crc32(0, b, (uInt)(n - 4));

	for (int i = 0; i < 4; i++)
		b[n - 4 + i] = (unsigned char)(c >> 8 * i);
}

static void
put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

/* good with bytes at off set to v and a valid CRC, as p: refused. */
static void
patched(const char *good, const char *p, size_t off, uint64_t v, int bytes,
    const char *want)
{
	unsigned char *b;
	size_t n;

	b = slurp(good, &n);
	T_OK(b != NULL);
	if (b == NULL)
		return;
	put_le(b + off, v, bytes);
	fix_crc(b, n);
	T_OK(spew(p, b, n) == 0);
	refused(p, want);
	free(b);
}

static void
t_corrupt(void)
{
	const char *good = small_ckpt("good.ckpt", 4), *p = tpath("bad.ckpt");
	size_t offs[] = { 20, 44, 60, 100, 130, 200, 0, 0, 0, 0 }, n, i;
	unsigned char *b;

	b = slurp(good, &n);
	T_OK(b != NULL);
	if (b == NULL)
		return;
	offs[6] = n / 2;		/* weights */
	offs[7] = n - 100;		/* v */
	offs[8] = n - 5;		/* v's last byte */
	offs[9] = n - 1;		/* the CRC */
	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		b[offs[i]] ^= 0x10;
		T_OK(spew(p, b, n) == 0);
		/* a header field that sizes the file is found wrong before
		 * the CRC is computed (a huge file is refused at once) */
		refused(p, i < 6 ? "corrupt checkpoint" :
		    "corrupt checkpoint (CRC32");
		b[offs[i]] ^= 0x10;
	}
	/* magic */
	b[3] ^= 1;
	T_OK(spew(p, b, n) == 0);
	refused(p, "wrong magic");
	b[3] ^= 1;
	/* a trailing byte */
	T_OK(spew(p, b, n) == 0);
	T_OK(truncate(p, (off_t)n + 1) == 0);
	refused(p, "corrupt");
	/* version: newer, with or without a valid CRC */
	put_le(b + 8, CKPT_VERSION + 1, 4);
	T_OK(spew(p, b, n) == 0);
	refused(p, "newer than this candlekit reads (2); upgrade");
	fix_crc(b, n);
	T_OK(spew(p, b, n) == 0);
	refused(p, "newer");
	/* version 2 announced with version 1's header: refused, sizes */
	put_le(b + 8, 2, 4);
	fix_crc(b, n);
	T_OK(spew(p, b, n) == 0);
	refused(p, "inconsistent header (version 2");
	free(b);
	/* fields out of bounds, with valid CRCs: refused before allocating */
	patched(good, p, 16, 1u << 30, 4, "bad model configuration");	/* W */
	patched(good, p, 36, 1000000, 4, "inconsistent");	/* ntensors */
	patched(good, p, 40, UINT64_C(1) << 60, 8, "inconsistent"); /* nparams */
	patched(good, p, 32, 6, 4, "features per candle");	/* F */
	patched(good, p, 128, 'X', 1, "differs from this candlekit's layout");
}

static void
t_truncated(void)
{
	const char *good = small_ckpt("good.ckpt", 4), *p = tpath("short.ckpt");
	unsigned char *b;
	size_t n, lens[] = { 5, 8, 100, 131, 400, 0, 0 }, i;

	b = slurp(good, &n);
	T_OK(b != NULL);
	if (b == NULL)
		return;
	lens[5] = n / 2;
	lens[6] = n - 1;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		T_OK(spew(p, b, lens[i]) == 0);
		refused(p, "truncated");
	}
	T_OK(spew(p, b, 0) == 0);
	refused(p, "empty file");
	free(b);
}

static void
t_foreign(void)
{
	const char *p = tpath("foreign.csv");
	const char csv[] = "time,open,high,low,close,volume\n"
	    "2024-01-02T00:00:00Z,1,2,0.5,1.5,100\n";
	const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03";

	T_OK(spew(p, csv, sizeof(csv) - 1) == 0);
	refused(p, "not a model checkpoint (wrong magic)");
	T_OK(spew(p, gz, sizeof(gz) - 1) == 0);
	refused(p, "wrong magic");
	T_OK(spew(p, "CNDL", 4) == 0);
	refused(p, "truncated");
	memset(&err, 0, sizeof(err));
	T_EQ(ckpt_load(tdir, &(struct model){ 0 }, &(struct ckpt_meta){ 0 },
	    err, sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "not a regular file") != NULL);
	T_EQ(ckpt_load(tpath("missing"), &(struct model){ 0 },
	    &(struct ckpt_meta){ 0 }, err, sizeof(err)), CK_ERR);
	T_OK(strstr(err, "No such file") != NULL);
}

/* Updates reload when the file moved on; a failed fn writes nothing and
 * makes the next update reload. */
static void
t_update(void)
{
	const char *p = small_ckpt("up.ckpt", 7);
	struct ckpt_meta ma = { 0 }, mb = { 0 };
	struct model a, b;
	float p0;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	T_EQ(ckpt_load(p, &a, &ma, err, sizeof(err)), CK_OK);
	T_EQ(ckpt_load(p, &b, &mb, err, sizeof(err)), CK_OK);
	p0 = a.params[0];
	T_EQ(ckpt_update(p, &a, &ma, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(ckpt_update(p, &b, &mb, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(mb.generation, 9);
	T_EQ(b.step, 9);
	T_NEAR(b.params[0], p0 + 2, 0, 0);	/* b reloaded a's step */
	T_EQ(ckpt_update(p, &b, &mb, NULL, abort_fn, NULL, err, sizeof(err)),
	    -5);
	T_OK(mb.generation == CKPT_GEN_STALE);
	T_EQ(ckpt_update(p, &b, &mb, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(mb.generation, 10);
	T_NEAR(b.params[0], p0 + 3, 0, 0);
	T_EQ(count_prefix(".up.ckpt.tmp"), 0);
	T_EQ(access(tpath("up.ckpt.lock"), F_OK), 0);
	T_EQ(ckpt_update(tpath("none.ckpt"), &b, &mb, NULL, add_one, NULL, err,
	    sizeof(err)), CK_ERR);
	T_OK(strstr(err, "none.ckpt") != NULL);
	model_free(&a);
	model_free(&b);
}

/* Permission bits and group survive an update; a symlink is followed. */
static void
t_perms_symlink(void)
{
	const char *p = small_ckpt("perm.ckpt", 8), *l = tpath("link.ckpt");
	struct ckpt_meta meta = { 0 }, r;
	struct model m;
	struct stat st;
	gid_t g = getuid() == 0 ? 4242 : getgid();

	memset(&m, 0, sizeof(m));
	T_EQ(chmod(p, 0640), 0);
	T_EQ(chown(p, (uid_t)-1, g), 0);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(stat(p, &st), 0);
	T_EQ(st.st_mode & 07777, 0640);
	T_EQ(st.st_gid, g);
	T_EQ(chmod(p, 0604), 0);
	T_EQ(symlink("perm.ckpt", l), 0);
	T_EQ(ckpt_update(l, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(lstat(l, &st), 0);
	T_OK(S_ISLNK(st.st_mode));
	T_EQ(stat(p, &st), 0);
	T_EQ(st.st_mode & 07777, 0604);
	T_EQ(ckpt_load(p, &m, &r, err, sizeof(err)), CK_OK);
	T_EQ(r.generation, 9);
	T_EQ(count_prefix(".link.ckpt"), 0);
	model_free(&m);
}

static void
t_stamp(void)
{
	const char *p = small_ckpt("stamp.ckpt", 10);
	struct ckpt_meta meta = { 0 };
	struct ckpt_stamp s;
	struct model m;

	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_stamp(p, &s), 0);
	T_EQ(ckpt_changed(p, &s), 0);
	T_EQ(s.generation, 7);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(ckpt_changed(p, &s), 1);
	T_EQ(ckpt_stamp(p, &s), 0);
	T_EQ(ckpt_changed(p, &s), 0);
	/* the same inode and times but another generation is still seen */
	s.generation--;
	T_EQ(ckpt_changed(p, &s), 1);
	T_EQ(ckpt_changed(tpath("missing"), &s), 1);
	T_EQ(ckpt_stamp(tpath("missing"), &s), -1);
	model_free(&m);
}

/* Issue 19, finding 11: the stamp names the very file loaded.  A child
 * commits as fast as it can while the parent loads: every load's stamp
 * has the loaded generation, and the weights are that generation's. */
static void
t_load_stamp(void)
{
	const char *p = small_ckpt("ls.ckpt", 12);
	struct ckpt_meta meta = { 0 };
	struct ckpt_stamp s, after;
	struct model m, child;
	struct stat st;
	float p0;
	pid_t pid;
	int i, n = 0, bad = 0, loose = 0, status;

	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
	p0 = m.params[0];
	fflush(NULL);
	if ((pid = fork()) == 0) {
		memset(&child, 0, sizeof(child));
		for (i = 0; i < 300; i++)
			if (ckpt_update(p, &child, &meta, NULL, add_one, NULL,
			    err, sizeof(err)) != CK_OK)
				_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ckpt_load_stamp(p, &m, &meta, &s, err, sizeof(err)) !=
		    CK_OK) {
			bad++;
			continue;
		}
		n++;
		/* params[0] moved by one a step (float sums: a tolerance) */
		if (s.generation != meta.generation ||
		    fabsf(m.params[0] - p0 - (float)(meta.generation - 7)) >
		    1e-3f) {
			if (bad++ == 0)
				fprintf(stderr, "t_load_stamp: stamp %llu, "
				    "loaded %llu, params[0] %g from %g\n",
				    (unsigned long long)s.generation,
				    (unsigned long long)meta.generation,
				    m.params[0], p0);
		}
		/* the old way: a stamp taken after the load */
		if (ckpt_stamp(p, &after) == 0 &&
		    after.generation != meta.generation)
			loose++;
	}
	T_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_EQ(bad, 0);
	T_OK(n > 0);
	fprintf(stderr, "t_load_stamp: %d loads during 300 commits; a stamp "
	    "taken after the load named another file %d times\n", n, loose);
	/* settled: the stamp names the file, and a commit is seen */
	T_EQ(ckpt_load_stamp(p, &m, &meta, &s, err, sizeof(err)), CK_OK);
	T_EQ(meta.generation, 307);
	T_EQ(ckpt_changed(p, &s), 0);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_OK);
	T_EQ(ckpt_changed(p, &s), 1);
	/* a refused file is stamped too, so a caller can wait for another */
	T_OK(truncate(p, 200) == 0);
	T_EQ(ckpt_load_stamp(p, &m, &meta, &s, err, sizeof(err)), CK_EDATA);
	T_EQ(stat(p, &st), 0);
	T_EQ(s.ino, st.st_ino);
	T_EQ(ckpt_changed(p, &s), 0);
	model_free(&m);
}

/* Bytes this process has read so far (/proc/self/io rchar), or -1. */
static long long
bytes_read(void)
{
	char line[128];
	long long v = -1;
	FILE *fp;

	if ((fp = fopen("/proc/self/io", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "rchar: %lld", &v) == 1)
			break;
	fclose(fp);
	return v;
}

/* Issue 19, finding 12: a huge sparse file whose header gives another
 * size is refused from its header, without reading (or CRCing) the
 * body: the bytes read are counted, not timed. */
static void
t_sparse(void)
{
	const char *p = small_ckpt("sparse.ckpt", 13);
	struct ckpt_meta meta = { 0 };
	struct model m;
	long long r0, r1;

	T_OK(truncate(p, (off_t)1 << 30) == 0);
	memset(&m, 0, sizeof(m));
	r0 = bytes_read();
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "inconsistent header") != NULL);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_EDATA);
	T_EQ(ckpt_print_info(stdout, p, err, sizeof(err)), CK_EDATA);
	r1 = bytes_read();
	if (r0 >= 0 && r1 >= 0) {
		fprintf(stderr, "t_sparse: %lld bytes read to refuse a 1 GiB "
		    "file three times\n", r1 - r0);
		T_OK(r1 - r0 < (1 << 20));
	}
	T_OK(m.params == NULL);
}

/* Issue 19, finding 10: a FIFO as the checkpoint is refused (65), never
 * waited on (an alarm ends a hang as a failure). */
static void
t_fifo(void)
{
	const char *p = tpath("fifo.ckpt");
	struct ckpt_meta meta = { 0 };
	struct ckpt_stamp s;
	struct model m;

	memset(&m, 0, sizeof(m));
	T_OK(mkfifo(p, 0600) == 0);
	alarm(20);
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_EDATA);
	T_OK(strstr(err, "not a regular file") != NULL);
	T_EQ(ckpt_update(p, &m, &meta, NULL, add_one, NULL, err, sizeof(err)),
	    CK_EDATA);
	T_OK(strstr(err, "not a regular file") != NULL);
	T_EQ(ckpt_print_info(stdout, p, err, sizeof(err)), CK_EDATA);
	T_EQ(ckpt_load_stamp(p, &m, &meta, &s, err, sizeof(err)), CK_EDATA);
	alarm(0);
	T_EQ(access(tpath("fifo.ckpt.lock"), F_OK), -1);
}

static void
t_info(void)
{
	const char *p = small_ckpt("info.ckpt", 11);
	char want[64], *out = NULL;
	size_t len = 0;
	FILE *fp;

	fp = open_memstream(&out, &len);
	T_EQ(ckpt_print_info(fp, p, err, sizeof(err)), CK_OK);
	fclose(fp);
	T_OK(strstr(out, "window:        4\n") != NULL);
	T_OK(strstr(out, "heads:         2\n") != NULL);
	T_OK(strstr(out, "generation:    7\n") != NULL);
	T_OK(strstr(out, "trained_until: none\n") != NULL);
	T_OK(strstr(out, "created:       2023-11-14T22:13:20Z\n") != NULL);
	snprintf(want, sizeof(want), "model_id:      %016llx\n",
	    (unsigned long long)ckpt_id_from_seed(11));
	T_OK(strstr(out, want) != NULL);
	T_OK(strstr(out, "parameters:    ") != NULL);
	T_OK(strstr(out, "file_size:     ") != NULL);
	free(out);
}

/* tests/ckpt_read.py reads what we write. */
static void
t_python(void)
{
	const char *p = small_ckpt("py.ckpt", 12);
	const struct model_tensor *t;
	struct ckpt_meta meta;
	struct model m;
	double sw = 0, sm = 0, sv = 0, pw, pm, pv, pos12;
	unsigned long long id;
	char cmd[600], line[512];
	int W, d, L, h, F, got = 0;
	unsigned long long np, gen;
	size_t i;
	FILE *fp;

	if (access("/usr/bin/python3", X_OK) != 0) {
		fprintf(stderr, "t_python: no /usr/bin/python3, skipped\n");
		return;
	}
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
	for (i = 0; i < m.nparams; i++) {
		sw += m.params[i];
		sm += m.m[i];
		sv += m.v[i];
	}
	t = model_tensor_find(&m, "pos");
	T_OK(t != NULL);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/ckpt_read.py '%s'",
	    p);
	T_OK((fp = popen(cmd, "r")) != NULL);
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "config W %d d %d L %d h %d F %d", &W, &d, &L,
		    &h, &F) == 5) {
			T_OK(W == 4 && d == 8 && L == 1 && h == 2 && F == 5);
			got++;
		} else if (sscanf(line, "id %llx generation %llu nparams %llu",
		    &id, &gen, &np) == 3) {
			T_OK(id == meta.model_id);
			T_EQ(gen, 7);
			T_EQ(np, m.nparams);
			got++;
		} else if (sscanf(line, "sums %lf %lf %lf", &pw, &pm, &pv) == 3) {
			T_NEAR(pw, sw, 1e-9, 1e-9);
			T_NEAR(pm, sm, 1e-9, 1e-9);
			T_NEAR(pv, sv, 1e-12, 1e-9);
			got++;
		} else if (sscanf(line, "pos[1,2] %lf", &pos12) == 1) {
			T_OK(t != NULL && pos12 == m.params[t->offset +
			    (size_t)t->cols + 2]);
			got++;
		}
	}
	T_OK(fp != NULL && pclose(fp) == 0);
	T_EQ(got, 4);
	/* and refuses a corrupt file */
	snprintf(cmd, sizeof(cmd), "printf x | dd of='%s' bs=1 seek=300 "
	    "conv=notrunc 2>/dev/null; /usr/bin/python3 tests/ckpt_read.py "
	    "'%s' 2>/dev/null >/dev/null", p, p);
	T_OK(system(cmd) != 0);
	model_free(&m);
}

static uint64_t
le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* Format version 2: a model with a longer ghost, a pivot head or a
 * context is written with the 512-byte header and read back whole; a
 * model without them is still version 1; nonzero unused bytes refused. */
static void
t_version2(void)
{
	struct ckpt_meta w = { .trained_until = CKTIME_NONE }, r;
	struct model_config c = { .W = 4, .d = 8, .L = 1, .h = 2, .ghost = 3,
	    .npiv = 2, .piv_level = { 1, 3 }, .piv_k = 2, .nctx = 2,
	    .ctx = { { 3600 * CK_SEC, 5, "" }, { 0, 4, "btc" } } };
	struct model a, b;
	const char *p = tpath("v2.ckpt"), *p1 = small_ckpt("v1.ckpt", 4);
	unsigned char *f;
	size_t n;

	T_OK((f = slurp(p1, &n)) != NULL);
	T_EQ(le(f + 8, 4), 1);
	T_EQ(le(f + 12, 4), CKPT_HDRSIZE);
	free(f);
	T_EQ(model_init(&a, &c, err, sizeof(err)), 0);
	model_init_weights(&a, 5);
	T_EQ(ckpt_create(p, &a, &w, 1, err, sizeof(err)), CK_OK);
	T_OK((f = slurp(p, &n)) != NULL);
	T_EQ(le(f + 8, 4), 2);
	T_EQ(le(f + 12, 4), CKPT_HDRSIZE2);
	T_EQ(le(f + 88, 8), CKPT_HDRSIZE2 + CKPT_ENTSIZE * a.ntensors);
	memset(&b, 0, sizeof(b));
	T_EQ(ckpt_load(p, &b, &r, err, sizeof(err)), CK_OK);
	T_OK(model_config_same(&a.cfg, &b.cfg));
	T_EQ(b.cfg.ghost, 3);
	T_EQ(b.cfg.piv_level[1], 3);
	T_OK(b.cfg.ctx[0].tf == 3600 * CK_SEC && b.cfg.ctx[1].N == 4);
	T_OK(strcmp(b.cfg.ctx[1].prefix, "btc") == 0);
	T_OK(model_equal(&a, &b));
	/* tests/ckpt_read.py reads it the same */
	{
		char cmd[PATH_MAX + 64], out[512];
		FILE *fp;
		size_t k;

		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/ckpt_read.py "
		    "'%s'", p);
		T_OK((fp = popen(cmd, "r")) != NULL);
		k = fp != NULL ? fread(out, 1, sizeof(out) - 1, fp) : 0;
		out[k] = '\0';
		T_OK(fp != NULL && pclose(fp) == 0);
		T_OK(strstr(out, "heads ghost 3 npiv 2 k 2 levels 1,3\n") != NULL);
		T_OK(strstr(out, "ctx tf 3600000000000 N 5 prefix -\n") != NULL);
		T_OK(strstr(out, "ctx tf 0 N 4 prefix btc\n") != NULL);
	}
	/* a byte past the last context entry, with a valid CRC */
	f[500] = 1;
	fix_crc(f, n);
	T_OK(spew(p, f, n) == 0);
	refused(p, "unused header bytes");
	/* a prefix not NUL-padded */
	f[500] = 0;
	f[168 + 40 + 16 + 4] = 'x';
	fix_crc(f, n);
	T_OK(spew(p, f, n) == 0);
	refused(p, "unused header bytes");
	free(f);
	model_free(&a);
	model_free(&b);
}

int
main(void)
{
	tdir_init();
	T_RUN(t_roundtrip);
	T_RUN(t_no_replace);
	T_RUN(t_version2);
	T_RUN(t_deterministic);
	T_RUN(t_corrupt);
	T_RUN(t_truncated);
	T_RUN(t_foreign);
	T_RUN(t_update);
	T_RUN(t_perms_symlink);
	T_RUN(t_stamp);
	T_RUN(t_load_stamp);
	T_RUN(t_sparse);
	T_RUN(t_fifo);
	T_RUN(t_info);
	T_RUN(t_python);
	tdir_done();
	return T_END();
}
