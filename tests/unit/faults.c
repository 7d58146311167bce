/*
 * faults.c - checkpoint faults at the library level (tests/FAULTS.md):
 * a file-size limit (EFBIG) during a save, a read-only directory, the
 * checkpoint replaced by a directory, a missing directory, 50 random bit
 * flips, 20 random truncations and foreign files (refused, never
 * overwritten), the mode of the temporary file, and SIGKILL at each save
 * point (20 times each) and at 100 random moments.
 *
 * With arguments it is the tool tests/sh/faults.sh drives until every
 * program that opens a checkpoint exists:
 *   faults create PATH          a small checkpoint (generation 7)
 *   faults load PATH            exit status as a program's: 0, 1, 65
 *   faults gen PATH             print the generation
 *   faults update PATH [SECS]   one locked update (lock timeout SECS)
 *   faults hold PATH            take the lock, create PATH.held, sleep
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ck.h"
#include "ckpt.h"
#include "model.h"
#include "t.h"
#include "ckpt_t.h"

static char err[512];

/* Holds the lock: marks it taken, then waits to be stopped or killed. */
static int
hold_fn(struct model *m, struct ckpt_meta *meta, void *arg)
{
	FILE *fp;

	(void)m;
	(void)meta;
	if ((fp = fopen(arg, "w")) != NULL)
		fclose(fp);
	for (;;)
		pause();
	return 0;
}

static int
one_update(const char *path, double timeout)
{
	struct ckpt_lockopt o = { .timeout = timeout };
	struct ckpt_meta meta = { 0 };
	struct model m;
	int r;

	memset(&m, 0, sizeof(m));
	r = ckpt_update(path, &m, &meta, &o, step_all_plus_one, NULL, err, sizeof(err));
	if (m.params != NULL)
		model_free(&m);
	return r;
}

static int
generation(const char *path)
{
	struct ckpt_meta meta;
	struct model m;
	int r;

	memset(&m, 0, sizeof(m));
	if ((r = ckpt_load(path, &m, &meta, err, sizeof(err))) != CK_OK)
		return -1;
	model_free(&m);
	return (int)meta.generation;
}

/* The exit status of pid, 128 + signal when killed. */
static int
status_of(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
has(const char *s)
{
	return strstr(err, s) != NULL;
}

/* A file-size limit during a save: EFBIG, CK_ERR, the old file whole. */
static void
t_efbig(void)
{
	const char *p = small_ckpt("fsize.ckpt", 1), *keep = tpath("fsize.keep");
	unsigned char *b;
	size_t n;
	pid_t pid;
	int st;

	b = slurp(p, &n);
	T_OK(b != NULL && spew(keep, b, n) == 0);
	free(b);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { (rlim_t)n / 2, (rlim_t)n / 2 };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(99);
		st = one_update(p, 5);
		_exit(st == CK_ERR && has("File too large") ? 0 : 1);
	}
	T_EQ(status_of(pid), 0);
	T_OK(same_bytes(p, keep));
	T_EQ(generation(p), 7);
	T_EQ(count_prefix(".fsize.ckpt.tmp"), 0);
	/* and the next update, without the limit, works */
	T_EQ(one_update(p, 5), CK_OK);
	T_EQ(generation(p), 8);
}

/* A directory the writer may not write: CK_ERR, the file still loads.
 * As root, permission bits do not bind: the child becomes nobody. */
static void
t_readonly_dir(void)
{
	char d[600], p[700];
	struct model m;
	pid_t pid;
	int st;

	snprintf(d, sizeof(d), "%s/ro", tdir);
	snprintf(p, sizeof(p), "%s/m.ckpt", d);
	T_EQ(mkdir(d, 0755), 0);
	small_model(&m, 2);
	T_EQ(ckpt_create(p, &m, &(struct ckpt_meta){ .trained_until =
	    CKTIME_NONE }, 0, err, sizeof(err)), CK_OK);
	model_free(&m);
	T_EQ(chmod(p, 0644), 0);
	T_EQ(chmod(tdir, 0755), 0);
	T_EQ(chmod(d, 0555), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if (getuid() == 0 && (setgid(65534) == -1 || setuid(65534) == -1))
			_exit(99);
		if (generation(p) != 7)
			_exit(2);
		st = one_update(p, 5);
		_exit(st == CK_ERR && (has("Permission denied") ||
		    has("Read-only")) ? 0 : 1);
	}
	T_EQ(status_of(pid), 0);
	T_EQ(generation(p), 7);
	T_EQ(chmod(d, 0755), 0);
	T_EQ(chmod(tdir, 0700), 0);
}

/* The checkpoint path is a directory (replaced between runs): refused. */
static void
t_dir_replaced(void)
{
	const char *p = small_ckpt("dir.ckpt", 3);
	struct stat st;
	int r;

	T_EQ(unlink(p), 0);
	T_EQ(mkdir(p, 0755), 0);
	T_EQ(generation(p), -1);
	T_OK(has("not a regular file"));
	r = one_update(p, 2);
	T_OK(r == CK_EDATA || r == CK_ERR);
	T_OK(has("dir.ckpt"));
	T_OK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
	T_EQ(rmdir(p), 0);	/* still empty: nothing written into it */
}

/* A missing directory: CK_ERR naming the path; nothing created. */
static void
t_missing_dir(void)
{
	const char *p = tpath("nodir/m.ckpt");
	struct model m;

	T_EQ(one_update(p, 2), CK_ERR);
	T_OK(has("nodir"));
	small_model(&m, 4);
	T_EQ(ckpt_create(p, &m, &(struct ckpt_meta){ .trained_until =
	    CKTIME_NONE }, 0, err, sizeof(err)), CK_ERR);
	T_OK(has("nodir"));
	model_free(&m);
	T_EQ(access(tpath("nodir"), F_OK), -1);
}

/* bad: refused by load and by update (CK_EDATA, a message), untouched. */
static void
refused(const char *bad, const char *keep, int *nrefused)
{
	int r1, r2;

	memset(err, 0, sizeof(err));
	r1 = generation(bad) == -1 && err[0] != '\0';
	err[0] = '\0';
	r2 = one_update(bad, 2);
	if (r1 && r2 == CK_EDATA && err[0] != '\0' && strstr(err, bad) != NULL &&
	    same_bytes(bad, keep))
		(*nrefused)++;
	else
		fprintf(stderr, "not refused cleanly (update %d): %s\n", r2, err);
}

/* 50 bit flips at random offsets, 20 truncations at random lengths, and
 * foreign files: every one refused, none overwritten. */
static void
t_corrupt(void)
{
	const char *good = small_ckpt("good.ckpt", 5), *p = tpath("bad.ckpt");
	const char *keep = tpath("bad.keep");
	static const char *foreign[] = {
	    "time,open,high,low,close,volume\n2024-01-02T00:00:00Z,1,2,0.5,1.5,9\n",
	    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
	    "PK\x03\x04 torch.save zip with a pickle inside",
	    "\x80\x02}q\x00(X\x04\x00\x00\x00cos\nsystem\n",	/* a pickle */
	    "\177ELF\002\001\001",	/* an ELF header */
	    "CNDLCKPT",
	};
	unsigned char *b;
	size_t n, off, len, i;
	int ok = 0;

	srand(1);
	b = slurp(good, &n);
	T_OK(b != NULL);
	if (b == NULL)
		return;
	for (i = 0; i < 50; i++) {
		unsigned char bit = (unsigned char)(1u << (rand() % 8));

		off = (size_t)rand() % n;
		b[off] ^= bit;
		T_OK(spew(p, b, n) == 0 && spew(keep, b, n) == 0);
		refused(p, keep, &ok);
		b[off] ^= bit;
	}
	T_EQ(ok, 50);
	ok = 0;
	for (i = 0; i < 20; i++) {
		len = (size_t)rand() % n;
		T_OK(spew(p, b, len) == 0 && spew(keep, b, len) == 0);
		refused(p, keep, &ok);
	}
	T_EQ(ok, 20);
	ok = 0;
	for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
		len = strlen(foreign[i]) + (i == 3);
		T_OK(spew(p, foreign[i], len) == 0 && spew(keep, foreign[i], len) == 0);
		refused(p, keep, &ok);
	}
	T_EQ(ok, (int)(sizeof(foreign) / sizeof(foreign[0])));
	free(b);
}

/* Killed after writing: the temporary file left is never more open than
 * the checkpoint; the next update removes it. */
static void
t_tmp_mode(void)
{
	const char *p = small_ckpt("mode.ckpt", 6);
	char cmd[700], line[600];
	struct stat st;
	FILE *fp;
	pid_t pid;

	T_EQ(chmod(p, 0600), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		umask(0);
		setenv("CANDLEKIT_FAULT", "after-write", 1);
		one_update(p, 5);
		_exit(0);
	}
	T_EQ(status_of(pid), 128 + SIGKILL);
	T_EQ(count_prefix(".mode.ckpt.tmp"), 1);
	snprintf(cmd, sizeof(cmd), "ls -d '%s'/.mode.ckpt.tmp.*", tdir);
	T_OK((fp = popen(cmd, "r")) != NULL);
	if (fp != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			T_EQ(stat(line, &st), 0);
			T_EQ(st.st_mode & 0177, 0);
		} else
			T_OK(0);
		pclose(fp);
	}
	T_EQ(generation(p), 7);
	T_EQ(one_update(p, 5), CK_OK);
	T_EQ(count_prefix(".mode.ckpt.tmp"), 0);
	T_EQ(stat(p, &st), 0);
	T_EQ(st.st_mode & 07777, 0600);
}

/* SIGKILL at each save point, 20 times each: the file always loads, the
 * generation never goes backwards, a killed writer's temporary file is
 * gone after the next successful update. */
static void
t_kill_points(void)
{
	static const char *point[] = { "before-write", "after-write",
	    "after-fsync", "after-rename" };
	const char *p = small_ckpt("kill.ckpt", 7);
	int i, k, g, g0, bad = 0;
	pid_t pid;

	for (i = 0; i < 4; i++)
		for (k = 0; k < 20; k++) {
			g0 = generation(p);
			fflush(NULL);
			if ((pid = fork()) == 0) {
				setenv("CANDLEKIT_FAULT", point[i], 1);
				one_update(p, 5);
				_exit(0);
			}
			bad += status_of(pid) != 128 + SIGKILL;
			g = generation(p);
			bad += g != g0 + (i == 3);
			bad += one_update(p, 5) != CK_OK;
			bad += generation(p) != g + 1;
			bad += count_prefix(".kill.ckpt.tmp") != 0;
		}
	T_EQ(bad, 0);
}

/* 100 kills at random moments of a writer updating in a loop. */
static void
t_kill_random(void)
{
	const char *p = small_ckpt("rand.ckpt", 8);
	struct timespec ts;
	int i, g, last = 7, bad = 0;
	pid_t pid;

	srand(2);
	for (i = 0; i < 100; i++) {
		fflush(NULL);
		if ((pid = fork()) == 0) {
			for (;;)
				one_update(p, 5);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 200000 + rand() % 3000000;	/* 0.2 .. 3.2 ms */
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		status_of(pid);
		g = generation(p);
		if (g < last) {
			fprintf(stderr, "kill %d: generation %d after %d: %s\n",
			    i, g, last, err);
			bad++;
		}
		if (g > last)
			last = g;
	}
	T_EQ(bad, 0);
	T_EQ(one_update(p, 5), CK_OK);
	T_EQ(count_prefix(".rand.ckpt.tmp"), 0);
	T_OK(generation(p) > 7);
}

static int
tool(int argc, char **argv)
{
	struct ckpt_meta meta = { 0 };
	struct model m;
	char held[600];
	double t = 30;
	int r;

	if (argc >= 3 && strcmp(argv[1], "create") == 0) {
		small_model(&m, 1);
		meta.trained_until = CKTIME_NONE;
		r = ckpt_create(argv[2], &m, &meta, 0, err, sizeof(err));
		model_free(&m);
	} else if (argc >= 3 && strcmp(argv[1], "load") == 0) {
		r = generation(argv[2]) == -1 ? CK_EDATA : CK_OK;
		if (r != CK_OK && strstr(err, "No such file") != NULL)
			r = CK_ERR;
	} else if (argc >= 3 && strcmp(argv[1], "gen") == 0) {
		int g = generation(argv[2]);

		r = g == -1 ? CK_EDATA : CK_OK;
		if (r == CK_OK)
			printf("%d\n", g);
	} else if (argc >= 3 && strcmp(argv[1], "update") == 0) {
		if (argc >= 4)
			t = strtod(argv[3], NULL);
		r = one_update(argv[2], t);
	} else if (argc >= 3 && strcmp(argv[1], "hold") == 0) {
		snprintf(held, sizeof(held), "%s.held", argv[2]);
		memset(&m, 0, sizeof(m));
		r = ckpt_update(argv[2], &m, &meta, NULL, hold_fn, held, err,
		    sizeof(err));
	} else {
		fprintf(stderr, "usage: faults [create|load|gen|update|hold path "
		    "[timeout]]\n");
		return CK_EXIT_USAGE;
	}
	if (r != CK_OK)
		fprintf(stderr, "faults: %s\n", err);
	return ck_exit(r);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		return tool(argc, argv);
	tdir_init();
	T_RUN(t_efbig);
	T_RUN(t_readonly_dir);
	T_RUN(t_dir_replaced);
	T_RUN(t_missing_dir);
	T_RUN(t_corrupt);
	T_RUN(t_tmp_mode);
	T_RUN(t_kill_points);
	T_RUN(t_kill_random);
	tdir_done();
	return T_END();
}
