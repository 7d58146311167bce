/*
 * lock.c - the checkpoint's writer lock: a FIFO queue in the side file
 * NAME.lock, then an exclusive flock on the checkpoint itself.
 *
 * flock alone is not fair: a process that unlocks and locks again at once
 * wins against a process already waiting (it is running, the waiter is
 * asleep).  So a writer first appends its pid to the queue file NAME.lock
 * (edited under a brief flock of that file), waits until its pid is first,
 * and only then polls the checkpoint's flock; once it holds the flock it
 * removes itself from the queue.  At most one process, the head of the
 * queue, ever asks for the checkpoint's flock, so the lock passes in
 * arrival order.  Entries of dead processes are dropped by whoever edits
 * the queue next.  All waits poll with LOCK_NB and a growing pause (up to
 * 20 ms), so a timeout needs no signal.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ck.h"
#include "lock.h"

#define QMAX		1024	/* queue entries kept */
#define PAUSE_MAX	0.020	/* s, longest pause between two tries */

enum qop { Q_ADD, Q_HEAD, Q_DEL };

static void
nap(double s)
{
	struct timespec ts;

	/* a signal ends the pause early: the caller's stop flag is checked */
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* flock(LOCK_EX) polled until deadline; -1 with errno EWOULDBLOCK on timeout. */
static int
flock_until(int fd, double deadline)
{
	double pause = 1e-4;

	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || ck_now() >= deadline)
			return -1;
		nap(pause);
		if ((pause *= 2) > PAUSE_MAX)
			pause = PAUSE_MAX;
	}
}

int
lock_pid_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && access("/proc/self/stat", R_OK) == 0)
			return 0;
		return kill(pid, 0) == 0 || errno == EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 1;
	return p[2] != 'Z' && p[2] != 'X' && p[2] != 'x';
}

/*
 * Edit the queue under its flock: drop dead pids, then add or remove this
 * process (Q_HEAD re-adds it if someone dropped it).  *head is the first
 * pid left, 0 if none.  0, or -1 with errno (EWOULDBLOCK: deadline passed).
 */
static int
queue_edit(int qfd, enum qop op, double deadline, pid_t *head)
{
	char buf[QMAX * 12 + 1];
	pid_t q[QMAX], me = getpid();
	char *p, *end;
	ssize_t n;
	size_t len;
	long v;
	int i, nq = 0, mine = 0, changed = 0, e;

	if (flock_until(qfd, deadline) == -1)
		return -1;
	if ((n = pread(qfd, buf, sizeof(buf) - 1, 0)) == -1)
		goto fail;
	buf[n] = '\0';
	for (p = buf; *p != '\0'; p = end) {
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p) {		/* not a number: skip the line */
			end = p + strcspn(p, "\n");
			end += *end == '\n';
			changed = 1;
			continue;
		}
		if (v <= 0 || v > INT_MAX || errno != 0 || nq == QMAX ||
		    (v == me && (op != Q_HEAD || mine)) ||
		    (v != me && !lock_pid_alive((pid_t)v))) {
			changed = 1;
			continue;
		}
		mine |= v == me;
		q[nq++] = (pid_t)v;
	}
	if ((op == Q_ADD || (op == Q_HEAD && !mine)) && nq < QMAX) {
		q[nq++] = me;
		changed = 1;
	}
	if (changed) {
		for (len = 0, i = 0; i < nq; i++)
			len += snprintf(buf + len, sizeof(buf) - len, "%d\n",
			    (int)q[i]);
		if (pwrite(qfd, buf, len, 0) != (ssize_t)len ||
		    ftruncate(qfd, (off_t)len) == -1)
			goto fail;
	}
	*head = nq > 0 ? q[0] : 0;
	flock(qfd, LOCK_UN);
	return 0;
fail:
	e = errno;
	flock(qfd, LOCK_UN);
	errno = e;
	return -1;
}

int
lock_holder(dev_t dev, ino_t ino, pid_t *pid, char *comm, size_t commlen)
{
	char line[256], type[16], path[64];
	unsigned int maj, min;
	unsigned long long in;
	FILE *fp;
	ssize_t n;
	int p, fd, found = 0;

	if ((fp = fopen("/proc/locks", "re")) == NULL)
		return -1;
	/* "1: FLOCK  ADVISORY  WRITE 4242 00:2a:1311 0 EOF"; waiters have "->" */
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", type, &p,
		    &maj, &min, &in) == 5 && strcmp(type, "FLOCK") == 0 &&
		    maj == major(dev) && min == minor(dev) && in == ino && p > 0)
			found = 1;
	}
	fclose(fp);
	if (!found)
		return -1;
	*pid = p;
	snprintf(comm, commlen, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", p);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if ((n = read(fd, comm, commlen - 1)) > 0) {
			comm[n] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
		}
		close(fd);
	}
	return 0;
}

/* " held by pid N (comm)" for the flock on path's inode, or "". */
static void
holder_text(char *buf, size_t len, const char *path, const char *what)
{
	struct stat st;
	char comm[32];
	pid_t pid;

	buf[0] = '\0';
	if (stat(path, &st) == 0 &&
	    lock_holder(st.st_dev, st.st_ino, &pid, comm, sizeof(comm)) == 0)
		snprintf(buf, len, "%s pid %d (%s)", what, (int)pid, comm);
}

static int
fail(char *err, size_t errlen, int rc, const char *msg, const char *path)
{
	snprintf(err, errlen, msg, path);
	return rc;
}

static int
timeout_error(const char *path, const char *qpath, double timeout, pid_t head,
    int queue_stuck, char *err, size_t errlen)
{
	char held[96], behind[96], comm[32], cpath[64];
	FILE *fp;

	if (queue_stuck) {
		holder_text(held, sizeof(held), qpath, ", held by");
		snprintf(err, errlen, "%s: queue file locked for over %g s%s; "
		    "stop that process or wait longer", qpath, timeout, held);
		return CK_ETIMEOUT;
	}
	holder_text(held, sizeof(held), path, ": held by");
	behind[0] = '\0';
	if (head != getpid() && head > 0) {
		snprintf(cpath, sizeof(cpath), "/proc/%d/comm", (int)head);
		snprintf(comm, sizeof(comm), "?");
		if ((fp = fopen(cpath, "re")) != NULL) {
			if (fgets(comm, sizeof(comm), fp) != NULL)
				comm[strcspn(comm, "\n")] = '\0';
			fclose(fp);
		}
		snprintf(behind, sizeof(behind), ", queued behind pid %d (%s)",
		    (int)head, comm);
	}
	snprintf(err, errlen, "%s: lock not obtained in %g s%s%s; wait longer "
	    "or stop that process", path, timeout,
	    held[0] != '\0' ? held : ": holder unknown", behind);
	return CK_ETIMEOUT;
}

int
lock_acquire(struct cklock *lk, const char *path, double timeout,
    const volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	char qpath[PATH_MAX];
	struct stat pst;
	double deadline, pause = 0.001;
	pid_t head = 0;
	int qfd, fd, rc = CK_ERR;

	lk->fd = -1;
	if (timeout < 0)
		timeout = 0;
	if ((size_t)snprintf(qpath, sizeof(qpath), "%s.lock", path) >=
	    sizeof(qpath)) {
		snprintf(err, errlen, "%s: path too long", path);
		return CK_ERR;
	}
	if ((qfd = open(qpath, O_RDWR | O_CREAT | O_CLOEXEC, 0666)) == -1) {
		snprintf(err, errlen, "%s: %s", qpath, strerror(errno));
		return CK_ERR;
	}
	deadline = ck_now() + timeout;
	if (queue_edit(qfd, Q_ADD, deadline, &head) == -1)
		goto qfail;
	for (;;) {
		if (queue_edit(qfd, Q_HEAD, deadline, &head) == -1)
			goto qfail;
		if (head == getpid()) {
			/* Read-write where allowed: Linux NFS clients carry
			 * flock to the server as a write lock, which needs a
			 * file opened for writing (flock(2)).  The file itself
			 * is never written through fd. */
			if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1 &&
			    (errno == EACCES || errno == EROFS || errno == EISDIR))
				fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd == -1) {
				snprintf(err, errlen, "%s: %s", path,
				    strerror(errno));
				goto out;
			}
			if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
				/* a rename may have replaced the file */
				if (fstat(fd, &lk->st) == 0 &&
				    stat(path, &pst) == 0 &&
				    pst.st_dev == lk->st.st_dev &&
				    pst.st_ino == lk->st.st_ino) {
					lk->fd = fd;
					break;
				}
				close(fd);
				continue;
			}
			if (errno != EWOULDBLOCK && errno != EINTR) {
				snprintf(err, errlen, "%s: flock: %s", path,
				    strerror(errno));
				close(fd);
				goto out;
			}
			close(fd);
		}
		if (stop != NULL && *stop) {
			rc = fail(err, errlen, CK_EINTR, "%s: stopped while "
			    "waiting for the lock", path);
			goto out;
		}
		if (ck_now() >= deadline) {
			rc = timeout_error(path, qpath, timeout, head, 0, err,
			    errlen);
			goto out;
		}
		nap(pause);
		if ((pause *= 2) > PAUSE_MAX)
			pause = PAUSE_MAX;
	}
	/* held: leave the queue (give it a moment past a spent deadline) */
	if (queue_edit(qfd, Q_DEL, ck_now() + timeout + 1, &head) == -1) {
		lock_release(lk);
		goto qfail;
	}
	close(qfd);
	return CK_OK;
qfail:
	if (errno == EWOULDBLOCK)
		rc = timeout_error(path, qpath, timeout, head, 1, err, errlen);
	else
		snprintf(err, errlen, "%s: %s", qpath, strerror(errno));
out:
	queue_edit(qfd, Q_DEL, ck_now() + 1, &head);
	close(qfd);
	return rc;
}

void
lock_release(struct cklock *lk)
{
	if (lk->fd != -1)
		close(lk->fd);
	lk->fd = -1;
}

void
lock_log(const char *event, uint64_t generation)
{
	const char *path = getenv("CANDLEKIT_LOCK_LOG");
	char line[96];
	int fd, n;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof(line), "%d %s %llu\n", (int)getpid(), event,
	    (unsigned long long)generation);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0666)) == -1)
		return;
	if (write(fd, line, (size_t)n) != n) {
		/* a test log: nothing to report to */
	}
	close(fd);
}
