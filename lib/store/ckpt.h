/*
 * ckpt.h - the model checkpoint file (model-checkpoint(5)) and the one
 * primitive every trainer uses to change it: ckpt_update, which serializes
 * weight updates from any number of processes with an flock on the file.
 * Files made beside a checkpoint (its next version, a backup, NAME.lock)
 * are made exclusively, never through a link, with its permissions.
 * Knows the model's buffers and the file system; nothing of CSV.
 */
#ifndef CKPT_H
#define CKPT_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "ck.h"
#include "model.h"

/* The file layout, model-checkpoint(5). */
#define CKPT_MAGIC	"CNDLCKPT"	/* 8 bytes at offset 0 */
#define CKPT_VERSION	2		/* the newest format read and written */
#define CKPT_HDRSIZE	128		/* version 1's header */
#define CKPT_HDRSIZE2	512		/* version 2's header: version 1's,
					 * then the heads and the contexts */
#define CKPT_ENTSIZE	48		/* one tensor table entry */
#define CKPT_TIMEOUT	30.0		/* s, default lock wait */
#define CKPT_GEN_MAX	(UINT64_C(1) << 53)	/* a higher generation is refused */
#define CKPT_GEN_STALE	UINT64_MAX	/* meta.generation after a failed update:
					 * the next update reloads */

struct ckpt_meta {
	uint64_t model_id;	/* random, chosen at creation */
	int64_t	 created;	/* cktime of creation */
	uint64_t generation;	/* optimizer steps ever applied (== model.step) */
	cktime	 trained_until;	/* latest candle any training step used, or CKTIME_NONE */
	/* the data batch training learned from: the median step between
	 * candles and the first and last candle's times; 0: not recorded
	 * (then data_from and data_to mean nothing) */
	cktime	 timeframe, data_from, data_to;
	uint32_t flags;		/* CKPT_UNTILTED */
};
/* The output bias has the class weights' tilt undone (calibrated by a
 * batch trainer, model-checkpoint(5)); the next batch training restores it
 * before its first step. */
#define CKPT_UNTILTED	1u

/* What a reader compares to know whether the file changed (hot reload). */
struct ckpt_stamp {
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	int64_t	 mtime_ns;
	uint64_t model_id;	/* from the header: a renamed-in file that */
	uint64_t generation;	/* reuses an inode is still seen */
};

struct ckpt_lockopt {
	double	timeout;	/* seconds to wait for the lock (30) */
};

/* A flag (set by the program's SIGINT/SIGTERM handler) that ends any wait
 * for the lock with CK_EINTR when non-zero; NULL: none.  Process-wide. */
void	ckpt_stop_flag(const volatile sig_atomic_t *);

/*
 * Write a new checkpoint for m.  meta->model_id 0 is replaced by a random
 * id (getrandom), meta->created 0 by $SOURCE_DATE_EPOCH if set, else the
 * current time; other values are kept (byte-identical files for the same
 * inputs: see ckpt_id_from_seed).  generation is m->step; trained_until
 * is the caller's (CKTIME_NONE: none).  Never replaces an existing file
 * unless force, and then only a checkpoint the caller can write, under
 * its lock.  0, CK_ERR, CK_EDATA, CK_ETIMEOUT, CK_EINTR.
 */
int	ckpt_create(const char *path, const struct model *, struct ckpt_meta *,
	    int force, char *err, size_t errlen);
/* A model_id derived from a seed (never 0), for reproducible files. */
uint64_t ckpt_id_from_seed(uint64_t seed);
/* The model_id a new model made from seed gets: with $SOURCE_DATE_EPOCH
 * set, one derived from the seed and it (the same inputs then give the
 * same bytes); else 0 (ckpt_create draws a random one). */
uint64_t ckpt_id_for(uint64_t seed);
/* Load: m must be zeroed or hold a model_init'ed model; on success it is
 * (re)initialized to the file's configuration (buffers and activations
 * kept when the configuration is the same), on failure left untouched.
 * A wrong magic, a newer version, a bad CRC or a truncated file is
 * CK_EDATA with a message that says which and how to fix it, and so are
 * values no training makes (a weight or moment not finite, a negative
 * second moment, a generation above CKPT_GEN_MAX); I/O errors are CK_ERR.
 * ckpt_create and ckpt_update refuse to write such values (CK_EDATA).
 * Never locks. */
int	ckpt_load(const char *path, struct model *, struct ckpt_meta *,
	    char *err, size_t errlen);
/* ckpt_load, and in stamp (may be NULL) the stamp of the very file read,
 * from the same open file: a commit after the open is another file, which
 * ckpt_changed then sees.  On a failure stamp names the file refused (all
 * zero if it could not be opened), so that a caller can wait for a new
 * file before trying again. */
int	ckpt_load_stamp(const char *path, struct model *, struct ckpt_meta *,
	    struct ckpt_stamp *stamp, char *err, size_t errlen);
/* Cheap change check for hot reload: a stat and a 128-byte read.
 * ckpt_stamp: 0 or -1; ckpt_changed: 1 when path no longer names the
 * stamped file (or cannot be read), else 0.  A stamp taken apart from the
 * load may name another file than the one loaded: use ckpt_load_stamp. */
int	ckpt_stamp(const char *path, struct ckpt_stamp *);
int	ckpt_changed(const char *path, const struct ckpt_stamp *);
/* The header for humans, as "name: value" lines. */
int	ckpt_print_info(FILE *, const char *path, char *err, size_t errlen);

/*
 * The update primitive: lock the checkpoint (fairly, with a timeout), load
 * it into m when its model_id/generation differ from meta, call fn to
 * compute and apply steps on those latest weights (fn returns the number of
 * steps applied, 0 to write nothing, or < 0 to abort), write a temporary
 * file, fsync, rename over the checkpoint, fsync the directory, unlock.
 * fn must advance m->step by exactly the steps it returns; it may raise
 * meta->trained_until; returning 0 it must leave m unchanged.  m as for
 * ckpt_load (zeroed, or a model_init'ed model; its activations are kept
 * unless the file's configuration differs).  The caller must be able to
 * write the checkpoint file itself (open it read-write), and a file with
 * no write bit is never replaced.  A symlinked path is updated
 * at its target.  opt NULL: CKPT_TIMEOUT.  Returns 0, CK_ETIMEOUT (err
 * names the holder where known), CK_EINTR (the ckpt_stop_flag was set
 * while waiting), CK_EDATA (the file is refused and left untouched), CK_ERR, or
 * fn's negative value.  After a failure once fn has run, meta->generation
 * is CKPT_GEN_STALE so that the next update reloads the file.
 */
/*
 * Copy the checkpoint at path (a symlink: its target) as it is now to
 * TARGET.GEN.bak beside it, the backup's full name in out: written as an
 * unnamed file (O_TMPFILE; else a .TARGET.tmp.PID.RANDOM file, which the
 * next update removes if the copy is killed), with the checkpoint's owner
 * and group where allowed, extended attributes and mode, fsynced, then
 * given its name by rename, which replaces an older backup or a link of
 * that name and never writes through one.  Call it under the lock (in a
 * ckpt_update step function) for a copy of a committed generation.
 * 0, CK_EDATA, CK_ERR.
 */
int	ckpt_backup(const char *path, uint64_t gen, char *out, size_t outlen,
	    char *err, size_t errlen);

typedef int (*ckpt_stepfn)(struct model *, struct ckpt_meta *, void *arg);
int	ckpt_update(const char *path, struct model *, struct ckpt_meta *,
	    const struct ckpt_lockopt *, ckpt_stepfn fn, void *arg,
	    char *err, size_t errlen);

#endif
