/*
 * lock.h - the checkpoint's writer lock (model-checkpoint(5), LOCKING): an
 * exclusive flock on the checkpoint file itself, taken in arrival order
 * through tickets, byte-range locks on the side file NAME.lock that die
 * with their process, with a timeout.
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
	struct stat	st;	/* the locked inode (checked against the name) */
};

/*
 * Take a ticket in the queue BASE.lock beside BASE in the directory open
 * on dfd (name: the checkpoint's path, for messages), wait until no running process
 * holds an earlier ticket, then flock BASE itself, opened read-write
 * (a writer must be able to write the checkpoint); retry when a rename
 * replaced BASE while waiting.  timeout in seconds (0: one try); stop (may
 * be NULL) non-zero ends the wait.  CK_OK, CK_ETIMEOUT (err names the
 * holder from /proc/locks where known), CK_EINTR, CK_EDATA (BASE is not a
 * regular file), CK_ERR.
 */
int	lock_acquire(struct cklock *, int dfd, const char *base,
	    const char *name, double timeout, const volatile sig_atomic_t *stop,
	    char *err, size_t errlen);
void	lock_release(struct cklock *);
/* The process holding an flock on (dev, ino), from /proc/locks: 0 and
 * pid (comm filled from /proc/PID/comm, "?" if unknown), or -1. */
int	lock_holder(dev_t, ino_t, pid_t *, char *comm, size_t commlen);
/* 1 when pid names a live (not zombie) process. */
int	lock_pid_alive(pid_t);
/* The test hook: a no-op here, replaced in test builds (tests/hook.c) by
 * one that logs lock events and raises SIGKILL at save points on request
 * (model-checkpoint(5), ENVIRONMENT).  Production programs have none. */
void	ckpt_hook(const char *event, uint64_t generation);

#endif
