/*
 * ckpt.h - the model checkpoint file (model-checkpoint(5)) and the one
 * primitive every trainer uses to change it: ckpt_update, which serializes
 * weight updates from any number of processes with an flock on the file.
 * Knows the model's buffers and the file system; nothing of CSV.
 */
#ifndef CKPT_H
#define CKPT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "ck.h"
#include "model.h"

struct ckpt_meta {
	uint64_t model_id;	/* random, chosen at creation */
	int64_t	 created;	/* cktime of creation */
	uint64_t generation;	/* optimizer steps ever applied (== model.step) */
	cktime	 trained_until;	/* latest candle any training step used, or CKTIME_NONE */
};

/* What a reader compares to know whether the file changed (hot reload). */
struct ckpt_stamp {
	dev_t	 dev;
	ino_t	 ino;
	off_t	 size;
	int64_t	 mtime_ns;
};

struct ckpt_lockopt {
	double	timeout;	/* seconds to wait for the lock (30) */
};

/* Write a new checkpoint for m (creating meta's model_id and created);
 * never replaces an existing file unless force.  0 or CK_ERR/CK_EDATA. */
int	ckpt_create(const char *path, const struct model *, struct ckpt_meta *,
	    int force, char *err, size_t errlen);
/* Load: m is (re)initialized to the file's configuration.  A wrong magic, a
 * newer version, a bad CRC or a truncated file is CK_EDATA with a message
 * that says which and how to fix it; I/O errors are CK_ERR.  Never locks. */
int	ckpt_load(const char *path, struct model *, struct ckpt_meta *,
	    char *err, size_t errlen);
/* Cheap change check: fill a stamp; 1 when path no longer matches it. */
int	ckpt_stamp(const char *path, struct ckpt_stamp *);
int	ckpt_changed(const char *path, const struct ckpt_stamp *);
/* The header for humans (infer --info). */
int	ckpt_print_info(FILE *, const char *path, char *err, size_t errlen);

/*
 * The update primitive: lock the checkpoint (fairly, with a timeout), load
 * it into m when its model_id/generation differ from meta, call fn to
 * compute and apply steps on those latest weights (fn returns the number of
 * steps applied, 0 to write nothing, or < 0 to abort), write a temporary
 * file, fsync, rename over the checkpoint, fsync the directory, unlock.
 * Returns 0, CK_ETIMEOUT (err names the holder where known), CK_EDATA,
 * CK_ERR, or fn's negative value.
 */
typedef int (*ckpt_stepfn)(struct model *, struct ckpt_meta *, void *arg);
int	ckpt_update(const char *path, struct model *, struct ckpt_meta *,
	    const struct ckpt_lockopt *, ckpt_stepfn fn, void *arg,
	    char *err, size_t errlen);

#endif
