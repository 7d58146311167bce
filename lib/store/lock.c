/*
 * lock.c - the checkpoint's writer lock: a ticket in the side file
 * NAME.lock, then an exclusive flock on the checkpoint itself.
 *
 * flock alone is not fair: a process that unlocks and locks again at once
 * wins against a process already waiting (it is running, the waiter is
 * asleep).  So a writer first takes a ticket: a one-byte POSIX write lock
 * (fcntl F_SETLK) on NAME.lock at an offset that is its arrival time in
 * nanoseconds.  Only a writer with no earlier ticket asks for the
 * checkpoint's flock; once it holds it, it drops its ticket.  So the lock
 * passes in arrival order, and nothing is ever written into NAME.lock:
 * its content means nothing, and a ticket is a kernel lock that dies with
 * its process.  Two rules keep a waiter that is not running from blocking
 * a free lock: an earlier ticket held by a stopped process (SIGSTOP,
 * a debugger) is passed over, and so is one whose holder has not taken
 * the checkpoint for PASS_AFTER seconds while the checkpoint was seen
 * unlocked for PASS_FREE seconds (a waiter starved of CPU, a foreign
 * process holding a lock on NAME.lock).  A NAME.lock that is not a
 * regular file of its own (a symbolic link, a FIFO, a device, a hard link
 * to another file) or cannot be opened is never used: the writers then
 * take turns by the flock alone.  All waits poll with LOCK_NB and a
 * growing pause (up to 20 ms), so a timeout needs no signal, and a signal
 * ends a pause early.
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
#include "fattr.h"
#include "lock.h"

#define PAUSE_MAX	0.020	/* s, longest pause between two tries */
#define PASS_AFTER	1.0	/* s behind one waiter before the rule below */
#define PASS_FREE	0.1	/* s the checkpoint must stay unlocked meanwhile */
#define SCAN_MAX	64	/* stopped waiters looked around */

static void
nap(double s)
{
	struct timespec ts;

	/* a signal ends the pause early: the caller's stop flag is checked */
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* The state letter of pid from /proc/PID/stat, or 0 when unknown. */
static char
pid_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": the state follows the last ')' */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2];
}

int
lock_pid_alive(pid_t pid)
{
	char s;

	if (pid <= 0)
		return 0;
	if ((s = pid_state(pid)) == 0) {
		if (access("/proc/self/stat", R_OK) == 0)
			return 0;
		return kill(pid, 0) == 0 || errno == EPERM;
	}
	return s != 'Z' && s != 'X' && s != 'x';
}

/* Stopped by a signal or a debugger. */
static int
pid_stopped(pid_t pid)
{
	char s;

	if (pid <= 0)
		return 0;
	s = pid_state(pid);
	return s == 'T' || s == 't';
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

/*
 * Open the checkpoint base in dfd for the flock: read-write (a writer
 * must be able to write the checkpoint itself; a file without any write
 * bit is not replaced, not even by root), never through a symbolic link,
 * never blocking (a FIFO), and only a regular file.  The fd, or -1 with
 * err filled and *rc set.
 */
static int
open_ckpt(int dfd, const char *base, const char *name, struct stat *st,
    int *rc, char *err, size_t errlen)
{
	int fd, e;

	fd = openat(dfd, base, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		e = errno;
		*rc = e == EISDIR || e == ENXIO || e == ELOOP ? CK_EDATA :
		    CK_ERR;
		if (e == EACCES || e == EPERM)
			snprintf(err, errlen, "%s: %s: a writer must be able "
			    "to write the checkpoint itself (candlekit(7), "
			    "Sharing a checkpoint)", name, strerror(e));
		else if (*rc == CK_EDATA)
			snprintf(err, errlen, "%s: not a regular file", name);
		else
			snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -1;
	}
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode) ||
	    (st->st_mode & 0222) == 0) {
		e = errno;
		*rc = CK_ERR;
		if (!S_ISREG(st->st_mode)) {
			*rc = CK_EDATA;
			snprintf(err, errlen, "%s: not a regular file", name);
		} else if ((st->st_mode & 0222) == 0)
			snprintf(err, errlen, "%s: read-only (mode %04o); "
			    "not replaced: give it a write bit to train it "
			    "(candlekit(7), Sharing a checkpoint)", name,
			    (unsigned)(st->st_mode & 07777));
		else
			snprintf(err, errlen, "%s: %s", name, strerror(e));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The queue file BASE.lock beside the checkpoint open on ckfd (st): an
 * existing regular file with one link, opened without following a link
 * and without blocking, or a new one made exclusively with the
 * checkpoint's owner, group, ACL and mode.  -1 when there is none to use
 * (the writers then take turns by the flock alone).
 */
static int
queue_open(int dfd, const char *base, int ckfd, const struct stat *ck)
{
	char q[NAME_MAX + 1];
	struct stat st;
	int fd, i;

	if ((size_t)snprintf(q, sizeof(q), "%s.lock", base) >= sizeof(q))
		return -1;
	for (i = 0; i < 3; i++) {
		fd = openat(dfd, q, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
		if (fd != -1) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    st.st_nlink == 1)
				return fd;
			close(fd);
			return -1;
		}
		if (errno != ENOENT)
			return -1;
		/* 0600 until it has the checkpoint's attributes */
		fd = openat(dfd, q, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd != -1) {
			/* where that fails, it stays ours alone: the others
			 * then take turns by the flock without it */
			(void)fattr_copy(ckfd, fd, ck, 0666);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Take a ticket: a write lock on one byte at the arrival time. */
static int
ticket_take(int qfd, off_t *t)
{
	struct timespec ts;
	struct flock fl;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	*t = ts.tv_sec > 0 ? (off_t)ts.tv_sec * 1000000000 + ts.tv_nsec : 1;
	for (i = 0; i < 1000; i++, (*t)++) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = *t;
		fl.l_len = 1;
		if (fcntl(qfd, F_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES)
			return -1;
	}
	return -1;
}

/*
 * Is a running process holding a ticket before t?  1 (its pid and ticket
 * in *pid, *at), 0, or -1 with errno.  A stopped holder is looked around.
 * Read-lock queries see write locks only: a process that could merely read
 * NAME.lock cannot block anyone.
 */
static int
ahead(int qfd, off_t t, pid_t *pid, off_t *at)
{
	off_t lo[SCAN_MAX], hi[SCAN_MAX], end;
	struct flock fl;
	int n = 0;

	lo[n] = 0;
	hi[n++] = t;
	while (n > 0) {
		n--;
		if (lo[n] >= hi[n])
			continue;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = lo[n];
		fl.l_len = hi[n] - lo[n];
		if (fcntl(qfd, F_GETLK, &fl) == -1)
			return -1;
		if (fl.l_type == F_UNLCK)
			continue;
		*pid = fl.l_pid;
		*at = fl.l_start;
		if (!pid_stopped(fl.l_pid) || n + 2 > SCAN_MAX)
			return 1;
		/* a stopped waiter keeps its place but blocks no one */
		end = fl.l_len == 0 || fl.l_start + fl.l_len > hi[n] ? hi[n] :
		    fl.l_start + fl.l_len;
		lo[n + 1] = end;
		hi[n + 1] = hi[n];
		hi[n] = fl.l_start;
		n += 2;
	}
	return 0;
}

static void
comm_of(pid_t pid, char *comm, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if ((n = read(fd, comm, len - 1)) > 0) {
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
	}
	close(fd);
}

static int
timeout_error(const char *name, const struct stat *st,
    double timeout, pid_t blk, char *err, size_t errlen)
{
	char held[96], behind[96], comm[32];
	pid_t pid;

	held[0] = behind[0] = '\0';
	if (st != NULL &&
	    lock_holder(st->st_dev, st->st_ino, &pid, comm, sizeof(comm)) == 0)
		snprintf(held, sizeof(held), ": held by pid %d (%s)", (int)pid,
		    comm);
	if (blk > 0) {
		comm_of(blk, comm, sizeof(comm));
		snprintf(behind, sizeof(behind), ", queued behind pid %d (%s)",
		    (int)blk, comm);
	}
	snprintf(err, errlen, "%s: lock not obtained in %g s%s%s; wait "
	    "longer or stop that process", name, timeout, held[0] != '\0' ? held : ": holder unknown", behind);
	return CK_ETIMEOUT;
}

int
lock_acquire(struct cklock *lk, int dfd, const char *base, const char *name,
    double timeout, const volatile sig_atomic_t *stop, char *err,
    size_t errlen)
{
	struct stat st, now;
	double deadline, t, pause = 0.0001, since = 0, free_since = 0;
	off_t ticket = 0, at = -1, blk_at = -1;
	pid_t pid = 0, blk = 0;
	int fd, qfd, rc = CK_ERR, r, mine;

	lk->fd = -1;
	if (timeout < 0)
		timeout = 0;
	deadline = ck_now() + timeout;
	/* the checkpoint first: nothing is made beside what is not one */
	if ((fd = open_ckpt(dfd, base, name, &st, &rc, err, errlen)) == -1)
		return rc;
	if ((qfd = queue_open(dfd, base, fd, &st)) != -1 &&
	    ticket_take(qfd, &ticket) == -1) {
		close(qfd);
		qfd = -1;
	}
	for (;;) {
		t = ck_now();
		r = qfd == -1 ? 0 : ahead(qfd, ticket, &pid, &at);
		if (r == -1) {	/* the queue broke: the flock alone */
			close(qfd);
			qfd = -1;
			r = 0;
		}
		if (r == 0 || pid != blk || at != blk_at) {
			/* another waiter ahead (or none): its own second */
			blk = r == 1 ? pid : 0;
			blk_at = r == 1 ? at : -1;
			since = t;
			free_since = 0;
		}
		mine = r == 0;
		if (mine || t - since >= PASS_AFTER) {
			if (fd == -1 && (fd = open_ckpt(dfd, base, name,
			    &st, &rc, err, errlen)) == -1)
				goto out;
			if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
				if (!mine && (free_since == 0 ||
				    t - free_since < PASS_FREE)) {
					/* free now: pass over blk if it stays so */
					if (free_since == 0)
						free_since = t;
					flock(fd, LOCK_UN);
				} else if (fstatat(dfd, base, &now,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
				    now.st_dev == st.st_dev &&
				    now.st_ino == st.st_ino) {
					lk->fd = fd;
					lk->st = st;
					break;
				} else {
					/* a rename replaced the file: again */
					close(fd);
					fd = -1;
					continue;
				}
			} else if (errno != EWOULDBLOCK && errno != EINTR) {
				snprintf(err, errlen, "%s: flock: %s", name,
				    strerror(errno));
				goto out;
			} else
				free_since = 0;
		}
		if (stop != NULL && *stop) {
			snprintf(err, errlen, "%s: stopped while waiting for "
			    "the lock", name);
			rc = CK_EINTR;
			goto out;
		}
		if (t >= deadline) {
			rc = timeout_error(name, &st, timeout, r == 1 ?
			    pid : 0, err, errlen);
			goto out;
		}
		nap(pause);
		if ((pause *= 2) > PAUSE_MAX)
			pause = PAUSE_MAX;
	}
	/* held: the ticket goes with the queue file's descriptor */
	if (qfd != -1)
		close(qfd);
	return CK_OK;
out:
	if (fd != -1)
		close(fd);
	if (qfd != -1)
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
