/*
 * reload.c - the hot-reloaded model (lib/train/live.c) against a checkpoint
 * that other processes keep committing (issue 19, findings 11 and 12): a
 * reader opened or reloading while commits land never keeps stale weights;
 * a bad file is not read again until it changes, and failed reloads back
 * off; a good file after a bad one is taken.  No result depends on timing:
 * waits poll for a state, and their limits only stop a broken test.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "live.h"
#include "model.h"
#include "t.h"
#include "ckpt_t.h"

static char err[512];

/* A child committing n updates to p. */
static pid_t
committer(const char *p, int n)
{
	struct ckpt_meta meta = { 0 };
	struct model m;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) != 0)
		return pid;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < n; i++)
		if (ckpt_update(p, &m, &meta, NULL, step_all_plus_one, NULL, err,
		    sizeof(err)) != CK_OK)
			_exit(1);
	_exit(0);
}

static int
exited_ok(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Opened and reloading while commits land: once they stop, one reload
 * brings the last generation, every time. */
static void
t_never_stale(void)
{
	const char *p = small_ckpt("stale.ckpt", 3);
	struct ckpt_meta meta;
	struct model m;
	struct live lv;
	uint64_t last;
	pid_t pid;
	int trial, stale = 0;

	for (trial = 0; trial < 12; trial++) {
		pid = committer(p, 25);
		T_EQ(live_open(&lv, p, 1, 1, err, sizeof(err)), 0);
		for (int i = 0; i < 5; i++)
			live_reload(&lv);
		T_OK(exited_ok(pid));
		memset(&m, 0, sizeof(m));
		T_EQ(ckpt_load(p, &m, &meta, err, sizeof(err)), CK_OK);
		last = meta.generation;
		model_free(&m);
		/* no back-off is pending: no reload failed */
		T_EQ(lv.loadfail, 0);
		live_reload(&lv);
		stale += lv.meta.generation != last;
		live_close(&lv);
	}
	T_EQ(stale, 0);
}

static void
nap_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* A bad file is refused once, not again until it changes; a good one
 * after it is taken once the back-off has passed. */
static void
t_backoff(void)
{
	const char *p = small_ckpt("bo.ckpt", 4), *junk = tpath("junk");
	const char *good = tpath("good.ckpt");
	struct ckpt_meta meta = { 0 };
	struct model m;
	struct live lv;
	int i, r = 0;

	T_EQ(live_open(&lv, p, 1, 1, err, sizeof(err)), 0);
	T_OK(spew(junk, "not a checkpoint", 16) == 0);
	T_OK(rename(junk, p) == 0);
	T_EQ(live_reload(&lv), -1);
	T_EQ(lv.loadfail, 1);
	T_OK(strstr(lv.lasterr, "wrong magic") != NULL);
	T_EQ(lv.meta.generation, 7);		/* the weights kept */
	/* the same bad file, over and over past any back-off: refused once */
	for (i = 0; i < 30; i++) {
		T_EQ(live_reload(&lv), 0);
		nap_ms(10);
	}
	T_EQ(lv.loadfail, 1);
	T_OK(lv.backoff > 0);
	/* a good file in its place is taken (polled: the back-off passes) */
	small_ckpt("good.ckpt", 4);
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_update(good, &m, &meta, NULL, step_all_plus_one, NULL, err,
	    sizeof(err)), CK_OK);
	model_free(&m);
	T_OK(rename(good, p) == 0);
	for (i = 0; i < 1500 && (r = live_reload(&lv)) == 0; i++)
		nap_ms(10);
	T_EQ(r, 1);
	T_EQ(lv.meta.generation, 8);
	T_EQ(lv.loadfail, 1);
	T_EQ(lv.backoff, 0);
	live_close(&lv);
}

int
main(void)
{
	tdir_init();
	T_RUN(t_never_stale);
	T_RUN(t_backoff);
	tdir_done();
	return T_END();
}
