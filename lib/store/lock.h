/*
 * lock.h - the checkpoint's writer lock (model-checkpoint(5), LOCKING): an
 * exclusive flock on the checkpoint file itself, taken in arrival order
 * through a queue kept in the side file NAME.lock, with a timeout.
 * Used by ckpt.c; knows files and processes, nothing of the model.
 */
#ifndef LOCK_H
#define LOCK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct cklock {
	int		fd;	/* the checkpoint, flocked (-1: not held) */
	struct stat	st;	/* the locked inode (checked against the path) */
};

/*
 * Wait in the queue PATH.lock until first, then flock PATH itself; retry
 * when a rename replaced PATH while waiting.  PATH is the resolved (real)
 * path.  timeout in seconds (0: one try); stop (may be NULL) non-zero
 * ends the wait.  CK_OK, CK_ETIMEOUT (err names the holder from
 * /proc/locks where known), CK_EINTR, CK_ERR.
 */
int	lock_acquire(struct cklock *, const char *path, double timeout,
	    const volatile sig_atomic_t *stop, char *err, size_t errlen);
void	lock_release(struct cklock *);
/* The process holding an flock on (dev, ino), from /proc/locks: 0 and
 * pid (comm filled from /proc/PID/comm, "?" if unknown), or -1. */
int	lock_holder(dev_t, ino_t, pid_t *, char *comm, size_t commlen);
/* 1 when pid names a live (not zombie) process. */
int	lock_pid_alive(pid_t);
/* With CANDLEKIT_LOCK_LOG=FILE: append "pid event generation\n" (tests). */
void	lock_log(const char *event, uint64_t generation);

#endif
