/*
 * outfile.h - an output file written whole or not at all, safely beside
 * files other users may plant.
 *
 * A regular file or a new name is written to a temporary beside it,
 * created with O_CREAT|O_EXCL (a planted name or symbolic link makes the
 * creation fail, never redirects it) under an unpredictable name, given
 * the mode (and, when permitted, the owner and group) of the file it
 * replaces, then synced and renamed over the name: a reader sees the old
 * file or the new one, never a part.  A symbolic link at the name is
 * replaced, never followed.  What is not a regular file - "-" (standard
 * output, through a duplicate descriptor), a device, a FIFO - is written
 * in place and never renamed over.
 */
#ifndef OUTFILE_H
#define OUTFILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define OUTFILE_PATHMAX	4096

struct outfile {
	int	fd;			/* write here; -1 when not open */
	int	inplace;		/* the name itself: stdout, a device, a FIFO */
	int	isstdout;		/* "-": a duplicate of standard output */
	FILE	*fp;			/* from outfile_stdio, or NULL */
	mode_t	mode;			/* given to the temporary */
	uid_t	uid;
	gid_t	gid;
	int	keepown;		/* uid, gid: the replaced file's */
	char	path[OUTFILE_PATHMAX];
	char	tmp[OUTFILE_PATHMAX];	/* "" when in place */
};

/* Open path ("-": standard output) for writing.  0, or -1 with the
 * reason ("path: strerror") in err. */
int	outfile_open(struct outfile *, const char *path, char *err,
	    size_t errlen);
/* A stdio stream over the file (owned by the outfile); NULL on failure. */
FILE	*outfile_stdio(struct outfile *);
/* Flush, sync and put the file in place (rename over the name).  0, or
 * -1 with the reason in err; either way the outfile is closed and a
 * temporary left over is removed. */
int	outfile_close(struct outfile *, char *err, size_t errlen);
/* Give up: close, remove the temporary; the named file is unchanged. */
void	outfile_discard(struct outfile *);

#endif
