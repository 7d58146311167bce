/*
 * lock.c - ckpt_update under concurrency, with forked processes: no lost
 * update, a killed holder frees the lock, the timeout and its message, the
 * fair (FIFO) hand-off checked by the order of events in CANDLEKIT_LOCK_LOG,
 * dead and stopped waiters, a foreign ticket that never moves, and kill -9
 * at each CANDLEKIT_FAULT point (the test hook, tests/hook.c).  No result
 * depends on timing: waits poll for a state (a pid in the queue file), and
 * their limits only stop a broken test.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ckpt.h"
#include "lock.h"
#include "model.h"
#include "t.h"
#include "ckpt_t.h"

#define NPROC	6	/* concurrent updaters */
#define NSTEP	8	/* updates each */

static char err[512];

/* The holder's step function: tell the parent it holds the lock, then wait
 * for a byte on go (go < 0: forever), or stop itself. */
struct hold {
	int	in;	/* write end: "I hold the lock" */
	int	go;	/* read end, or -1 */
	int	stop;	/* raise(SIGSTOP) instead of waiting */
	int	held;	/* later calls are plain steps */
};

static int
plus_one(struct model *m, struct ckpt_meta *meta, void *arg)
{
	int *bad = arg;

	(void)meta;
	/* every step must see all the steps before it: params[0] counts them */
	if (bad != NULL && m->params[0] != (float)(m->step - 7))
		(*bad)++;
	m->params[0] += 1.0f;
	m->step++;
	return 1;
}

static int
hold_fn(struct model *m, struct ckpt_meta *meta, void *arg)
{
	struct hold *h = arg;
	char c = 'x';

	if (h->held++)
		return plus_one(m, meta, NULL);
	if (write(h->in, &c, 1) != 1)
		_exit(9);
	if (h->stop)
		raise(SIGSTOP);
	if (h->go >= 0) {
		if (read(h->go, &c, 1) != 1)
			_exit(9);
	} else
		for (;;)
			pause();
	return plus_one(m, meta, NULL);
}

/* A checkpoint at generation 7 whose params[0] is 0. */
static const char *
base_ckpt(const char *name)
{
	struct ckpt_meta meta = { .trained_until = CKTIME_NONE };
	struct model m;
	const char *p = tpath(name);

	small_model(&m, 1);
	m.params[0] = 0;
	if (ckpt_create(p, &m, &meta, 1, err, sizeof(err)) != CK_OK) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	model_free(&m);
	return p;
}

/* A child that runs n updates with fn; exits 0, 2 on an update error,
 * 3 when a step saw stale weights. */
static pid_t
updater(const char *path, int n, ckpt_stepfn fn, void *arg, double timeout)
{
	struct ckpt_lockopt o = { .timeout = timeout };
	struct ckpt_meta meta = { 0 };
	struct model m;
	int bad = 0;
	pid_t pid;

	fflush(NULL);
	if ((pid = fork()) != 0)
		return pid;
	memset(&m, 0, sizeof(m));
	for (int i = 0; i < n; i++)
		if (ckpt_update(path, &m, &meta, &o, fn, arg != NULL ? arg :
		    &bad, err, sizeof(err)) != CK_OK) {
			fprintf(stderr, "updater %d: %s\n", (int)getpid(), err);
			_exit(2);
		}
	_exit(bad != 0 ? 3 : 0);
}

/* A child holding the lock inside hold_fn, then doing n - 1 more updates;
 * returns when it holds it. */
static pid_t
holder(const char *path, struct hold *h, int stop, int go, int n)
{
	int in[2];
	pid_t pid;
	char c;

	if (pipe(in) == -1)
		exit(1);
	h->in = in[1];
	h->go = go;
	h->stop = stop;
	h->held = 0;
	pid = updater(path, n, hold_fn, h, 10);
	close(in[1]);
	if (read(in[0], &c, 1) != 1)
		fprintf(stderr, "holder %d never held the lock\n", (int)pid);
	close(in[0]);
	return pid;
}

/* Exit status, or 128 + signal. */
static int
status_of(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 1 when pid holds a ticket in the queue file qpath: a POSIX write lock on
 * it, from /proc/locks */
static int
queued(const char *qpath, pid_t pid)
{
	char line[256], type[16];
	unsigned int maj, min;
	unsigned long long ino;
	struct stat st;
	FILE *fp;
	int p, in = 0;

	if (stat(qpath, &st) == -1 || (fp = fopen("/proc/locks", "r")) == NULL)
		return 0;
	while (!in && fgets(line, sizeof(line), fp) != NULL)
		in = strstr(line, "->") == NULL &&
		    sscanf(line, "%*d: %15s %*s WRITE %d %x:%x:%llu", type, &p,
		    &maj, &min, &ino) == 5 && strcmp(type, "POSIX") == 0 &&
		    p == pid && maj == major(st.st_dev) &&
		    min == minor(st.st_dev) && ino == st.st_ino;
	fclose(fp);
	return in;
}

/* Wait until pid waits in the queue (the limit only stops a broken test). */
static int
wait_queued(const char *path, pid_t pid)
{
	struct timespec ts = { 0, 2000000 };
	char q[600];

	snprintf(q, sizeof(q), "%s.lock", path);
	for (int i = 0; i < 5000; i++) {
		if (queued(q, pid))
			return 1;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "pid %d never queued\n", (int)pid);
	return 0;
}

static uint64_t
generation(const char *path, float *p0)
{
	struct ckpt_meta meta;
	struct model m;

	memset(&m, 0, sizeof(m));
	if (ckpt_load(path, &m, &meta, err, sizeof(err)) != CK_OK) {
		fprintf(stderr, "%s\n", err);
		return 0;
	}
	if (p0 != NULL)
		*p0 = m.params[0];
	model_free(&m);
	return meta.generation;
}

/* The lock log: pid, event (a: acquire, r: release), generation. */
struct ev {
	int		pid;
	char		ev;
	unsigned long long gen;
};

static int
read_log(const char *path, struct ev *e, int max)
{
	char what[16];
	FILE *fp;
	int n = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (n < max && fscanf(fp, "%d %15s %llu", &e[n].pid, what,
	    &e[n].gen) == 3) {
		e[n].ev = what[0];
		n++;
	}
	fclose(fp);
	return n;
}

static const char *
log_to(const char *name)
{
	const char *p = tpath(name);

	unlink(p);
	setenv("CANDLEKIT_LOCK_LOG", p, 1);
	return p;
}

/* NPROC processes, NSTEP updates each, all at once: nothing lost, every
 * step on the latest weights, acquire/release strictly alternate. */
static void
t_many(void)
{
	const char *p = base_ckpt("many.ckpt"), *lp = log_to("many.log");
	struct ev e[4 * NPROC * NSTEP];
	pid_t pid[NPROC];
	float p0 = -1;
	struct stat st;
	int i, n, alt = 1;

	for (i = 0; i < NPROC; i++)
		pid[i] = updater(p, NSTEP, plus_one, NULL, 60);
	for (i = 0; i < NPROC; i++)
		T_EQ(status_of(pid[i]), 0);
	unsetenv("CANDLEKIT_LOCK_LOG");
	T_EQ(generation(p, &p0), 7 + NPROC * NSTEP);
	T_NEAR(p0, NPROC * NSTEP, 0, 0);
	n = read_log(lp, e, 4 * NPROC * NSTEP);
	T_EQ(n, 2 * NPROC * NSTEP);
	for (i = 0; i + 1 < n; i += 2) {
		alt &= e[i].ev == 'a' && e[i + 1].ev == 'r' &&
		    e[i].pid == e[i + 1].pid && e[i + 1].gen == e[i].gen + 1;
		if (i >= 2)
			alt &= e[i].gen == e[i - 1].gen;
	}
	T_OK(alt);
	T_EQ(count_prefix(".many.ckpt.tmp"), 0);
	T_EQ(stat(tpath("many.ckpt.lock"), &st), 0);
	T_EQ(st.st_size, 0);
}

/* A holder killed with SIGKILL frees the lock: the waiter goes on. */
static void
t_killed_holder(void)
{
	const char *p = base_ckpt("kill.ckpt");
	struct timespec t0, t1;
	struct hold h;
	pid_t a, b;
	float p0 = -1;

	a = holder(p, &h, 0, -1, 1);
	b = updater(p, 1, plus_one, NULL, 20);
	T_OK(wait_queued(p, b));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kill(a, SIGKILL);
	T_EQ(status_of(a), 128 + SIGKILL);
	T_EQ(status_of(b), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "t_killed_holder: waiter done %.1f ms after the kill\n",
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	T_EQ(generation(p, &p0), 8);
	T_NEAR(p0, 1, 0, 0);
}

/* The timeout: the message names the holder (stopped, or sleeping in its
 * step function) and the process queued ahead. */
static void
timeout_case(int stop)
{
	const char *p = base_ckpt("slow.ckpt");
	struct ckpt_lockopt o = { .timeout = 0.3 };
	struct ckpt_meta meta = { 0 };
	struct model m;
	struct hold h;
	char want[64];
	pid_t a, b = 0;
	int st;

	memset(&m, 0, sizeof(m));
	a = holder(p, &h, stop, -1, 1);
	if (stop)
		T_EQ(waitpid(a, &st, WUNTRACED), a);
	T_EQ(ckpt_update(p, &m, &meta, &o, plus_one, NULL, err, sizeof(err)),
	    CK_ETIMEOUT);
	snprintf(want, sizeof(want), "held by pid %d (lock)", (int)a);
	T_OK(strstr(err, want) != NULL);
	T_OK(strstr(err, "lock not obtained in 0.3 s") != NULL);
	if (!stop) {
		b = updater(p, 1, plus_one, NULL, 20);
		T_OK(wait_queued(p, b));
		T_EQ(ckpt_update(p, &m, &meta, &o, plus_one, NULL, err,
		    sizeof(err)), CK_ETIMEOUT);
		snprintf(want, sizeof(want), "queued behind pid %d (lock)",
		    (int)b);
		T_OK(strstr(err, want) != NULL);
	}
	fprintf(stderr, "timeout message: %s\n", err);
	kill(a, SIGKILL);
	T_EQ(status_of(a), 128 + SIGKILL);
	if (b != 0)
		T_EQ(status_of(b), 0);
	T_EQ(generation(p, NULL), b != 0 ? 8 : 7);
	/* the lock is free again */
	o.timeout = 10;
	T_EQ(ckpt_update(p, &m, &meta, &o, plus_one, NULL, err, sizeof(err)),
	    CK_OK);
	model_free(&m);
}

static void
t_timeout_stopped(void)
{
	timeout_case(1);
}

static void
t_timeout_sleeping(void)
{
	timeout_case(0);
}

/* A releases and asks again at once; B and C were waiting, in that order:
 * the lock goes A, B, C, A. */
static void
t_fair(void)
{
	const char *p = base_ckpt("fair.ckpt"), *lp = log_to("fair.log");
	struct ev e[16];
	struct hold h;
	pid_t a, b, c;
	int go[2], n;
	char x = 'g';

	T_OK(pipe(go) == 0);
	a = holder(p, &h, 0, go[0], 2);
	b = updater(p, 1, plus_one, NULL, 20);
	T_OK(wait_queued(p, b));
	c = updater(p, 1, plus_one, NULL, 20);
	T_OK(wait_queued(p, c));
	T_OK(write(go[1], &x, 1) == 1);
	T_EQ(status_of(a), 0);
	T_EQ(status_of(b), 0);
	T_EQ(status_of(c), 0);
	unsetenv("CANDLEKIT_LOCK_LOG");
	close(go[0]);
	close(go[1]);
	n = read_log(lp, e, 16);
	T_EQ(n, 8);
	if (n == 8) {
		T_EQ(e[0].pid, a);
		T_EQ(e[2].pid, b);
		T_EQ(e[4].pid, c);
		T_EQ(e[6].pid, a);
	}
	T_EQ(generation(p, NULL), 11);
}

/* A waiter killed in the queue does not block the ones behind it. */
static void
t_dead_waiter(void)
{
	const char *p = base_ckpt("dead.ckpt");
	struct hold h;
	pid_t a, b, c;
	int go[2];
	char x = 'g', q[600];

	T_OK(pipe(go) == 0);
	a = holder(p, &h, 0, go[0], 1);
	b = updater(p, 1, plus_one, NULL, 20);
	T_OK(wait_queued(p, b));
	kill(b, SIGKILL);
	T_EQ(status_of(b), 128 + SIGKILL);
	c = updater(p, 1, plus_one, NULL, 20);
	T_OK(wait_queued(p, c));
	T_OK(write(go[1], &x, 1) == 1);
	T_EQ(status_of(a), 0);
	T_EQ(status_of(c), 0);
	close(go[0]);
	close(go[1]);
	snprintf(q, sizeof(q), "%s.lock", p);
	T_OK(!queued(q, b));
	T_EQ(generation(p, NULL), 9);
}

/* Issue 19, finding 9: a waiter stopped (SIGSTOP) at the head of the queue
 * does not keep the next one from the free lock; continued, it gets its
 * turn.  The order of events: A, C, then B. */
static void
t_stopped_waiter(void)
{
	const char *p = base_ckpt("stw.ckpt"), *lp = log_to("stw.log");
	struct ev e[16];
	struct hold h;
	pid_t a, b, c;
	int go[2], st, n;
	char x = 'g', q[600];

	snprintf(q, sizeof(q), "%s.lock", p);
	T_OK(pipe(go) == 0);
	a = holder(p, &h, 0, go[0], 1);
	b = updater(p, 1, plus_one, NULL, 60);
	T_OK(wait_queued(p, b));
	kill(b, SIGSTOP);
	T_EQ(waitpid(b, &st, WUNTRACED), b);
	c = updater(p, 1, plus_one, NULL, 10);
	T_OK(wait_queued(p, c));
	T_OK(write(go[1], &x, 1) == 1);
	T_EQ(status_of(a), 0);
	T_EQ(status_of(c), 0);		/* B, stopped ahead of it, passed over */
	T_OK(queued(q, b));		/* B keeps its place */
	kill(b, SIGCONT);
	T_EQ(status_of(b), 0);
	close(go[0]);
	close(go[1]);
	unsetenv("CANDLEKIT_LOCK_LOG");
	n = read_log(lp, e, 16);
	T_EQ(n, 6);
	if (n == 6) {
		T_EQ(e[0].pid, a);
		T_EQ(e[2].pid, c);
		T_EQ(e[4].pid, b);
	}
	T_EQ(generation(p, NULL), 10);
}

/* A running process that holds an earlier ticket but never takes the
 * checkpoint (a foreign lock on NAME.lock, a planted file's owner) delays
 * a writer by about PASS_AFTER, never until the timeout. */
static void
t_idle_ticket(void)
{
	const char *p = base_ckpt("idle.ckpt");
	struct ckpt_lockopt o = { .timeout = 10 };
	struct ckpt_meta meta = { 0 };
	struct flock fl;
	struct model m;
	char q[600], c;
	int fd, in[2];
	pid_t pid;

	snprintf(q, sizeof(q), "%s.lock", p);
	T_OK(pipe(in) == 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		if ((fd = open(q, O_RDWR | O_CREAT, 0600)) == -1)
			_exit(1);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 1;		/* before any arrival time */
		fl.l_len = 0;		/* and to the end */
		if (fcntl(fd, F_SETLK, &fl) == -1 || write(in[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(in[1]);
	T_OK(read(in[0], &c, 1) == 1);
	close(in[0]);
	memset(&m, 0, sizeof(m));
	T_EQ(ckpt_update(p, &m, &meta, &o, plus_one, NULL, err, sizeof(err)),
	    CK_OK);
	kill(pid, SIGKILL);
	T_EQ(status_of(pid), 128 + SIGKILL);
	T_EQ(generation(p, NULL), 8);
	model_free(&m);
}

/* kill -9 at each point of a save leaves a checkpoint that loads, the old
 * one before the rename and the new one after; the generation never goes
 * backwards; the dead writer's temporary file goes at the next update. */
static void
t_faults(void)
{
	static const char *point[] = { "before-write", "after-write",
	    "after-fsync", "after-rename" };
	const char *p = base_ckpt("f.ckpt");
	struct ckpt_meta meta = { 0 };
	struct model m;
	uint64_t g0, g;
	pid_t pid;
	int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 4; i++) {
		g0 = generation(p, NULL);
		fflush(NULL);
		if ((pid = fork()) == 0) {
			setenv("CANDLEKIT_FAULT", point[i], 1);
			ckpt_update(p, &m, &meta, NULL, plus_one, NULL, err,
			    sizeof(err));
			_exit(0);
		}
		T_EQ(status_of(pid), 128 + SIGKILL);
		g = generation(p, NULL);
		T_EQ(g, g0 + (i == 3));
		T_EQ(count_prefix(".f.ckpt.tmp"), i < 3);
		T_EQ(ckpt_update(p, &m, &meta, NULL, plus_one, NULL, err,
		    sizeof(err)), CK_OK);
		T_EQ(meta.generation, g + 1);
		T_EQ(count_prefix(".f.ckpt.tmp"), 0);
	}
	model_free(&m);
}

static volatile sig_atomic_t stopped;

static void
on_alarm(int sig)
{
	(void)sig;
	stopped = 1;
}

/* A signal handler's flag ends the wait with CK_EINTR. */
static void
t_stop_flag(void)
{
	const char *p = base_ckpt("stop.ckpt");
	struct ckpt_lockopt o = { .timeout = 30 };
	struct ckpt_meta meta = { 0 };
	struct sigaction sa;
	struct model m;
	struct hold h;
	pid_t a;

	memset(&m, 0, sizeof(m));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	a = holder(p, &h, 0, -1, 1);
	ckpt_stop_flag(&stopped);
	alarm(1);
	T_EQ(ckpt_update(p, &m, &meta, &o, plus_one, NULL, err, sizeof(err)),
	    CK_EINTR);
	T_OK(strstr(err, "stopped while waiting") != NULL);
	ckpt_stop_flag(NULL);
	kill(a, SIGKILL);
	T_EQ(status_of(a), 128 + SIGKILL);
	T_EQ(generation(p, NULL), 7);
	model_free(&m);
}

int
main(void)
{
	tdir_init();
	T_RUN(t_many);
	T_RUN(t_killed_holder);
	T_RUN(t_timeout_stopped);
	T_RUN(t_timeout_sleeping);
	T_RUN(t_fair);
	T_RUN(t_dead_waiter);
	T_RUN(t_stopped_waiter);
	T_RUN(t_idle_ticket);
	T_RUN(t_faults);
	T_RUN(t_stop_flag);
	tdir_done();
	return T_END();
}
