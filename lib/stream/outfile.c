/*
 * outfile.c - write a file whole or not at all (see outfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

static int
fail(struct outfile *o, const char *name, char *err, size_t errlen)
{
	int e = errno;

	snprintf(err, errlen, "%s: %s", name, strerror(e));
	outfile_discard(o);
	errno = e;
	return -1;
}

int
outfile_open(struct outfile *o, const char *path, char *err, size_t errlen)
{
	struct stat st;
	mode_t um;
	const char *slash;
	size_t dlen;
	int fd;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (strlen(path) >= sizeof(o->path) - 16) {
		errno = ENAMETOOLONG;
		return fail(o, path, err, errlen);
	}
	snprintf(o->path, sizeof(o->path), "%s", path);
	if (strcmp(path, "-") == 0) {
		/* a descriptor of its own, so that closing it leaves the
		 * caller's standard output open */
		if ((o->fd = dup(STDOUT_FILENO)) == -1)
			return fail(o, "stdout", err, errlen);
		o->inplace = o->isstdout = 1;
		return 0;
	}
	/* lstat: a symbolic link at the name is replaced, not followed */
	if (lstat(path, &st) == 0 && (S_ISCHR(st.st_mode) ||
	    S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode))) {
		if ((o->fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
			return fail(o, path, err, errlen);
		o->inplace = 1;
		return 0;
	}
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		o->mode = st.st_mode & 07777;
		o->uid = st.st_uid;
		o->gid = st.st_gid;
		o->keepown = 1;
	} else if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return fail(o, path, err, errlen);
	} else {
		um = umask(0);
		umask(um);
		o->mode = 0666 & ~um;
	}
	slash = strrchr(path, '/');
	dlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	/* mkstemp: O_CREAT|O_EXCL under a random name, mode 0600 */
	snprintf(o->tmp, sizeof(o->tmp), "%.*s.%s.XXXXXX", (int)dlen, path,
	    path + dlen);
	if ((fd = mkstemp(o->tmp)) == -1) {
		o->tmp[0] = '\0';
		return fail(o, path, err, errlen);
	}
	o->fd = fd;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return fail(o, o->tmp, err, errlen);
	/* the replaced file's owner where permitted (root), then its mode */
	if (o->keepown && fchown(fd, o->uid, o->gid) == -1 && errno != EPERM)
		return fail(o, o->tmp, err, errlen);
	if (fchmod(fd, o->mode) == -1)
		return fail(o, o->tmp, err, errlen);
	return 0;
}

FILE *
outfile_stdio(struct outfile *o)
{
	if (o->fp == NULL && o->fd >= 0)
		o->fp = fdopen(o->fd, "w");
	return o->fp;
}

int
outfile_close(struct outfile *o, char *err, size_t errlen)
{
	if (o->fp != NULL) {
		if (fflush(o->fp) != 0 || ferror(o->fp))
			return fail(o, o->path, err, errlen);
	}
	if (!o->inplace && fsync(o->fd) == -1)
		return fail(o, o->path, err, errlen);
	if (o->fp != NULL) {
		o->fd = -1;	/* fclose closes it */
		if (fclose(o->fp) != 0) {
			o->fp = NULL;
			return fail(o, o->path, err, errlen);
		}
		o->fp = NULL;
	} else if (close(o->fd) == -1) {
		o->fd = -1;
		return fail(o, o->path, err, errlen);
	}
	o->fd = -1;
	if (o->inplace)
		return 0;
	if (rename(o->tmp, o->path) == -1)
		return fail(o, o->path, err, errlen);
	o->tmp[0] = '\0';
	return 0;
}

void
outfile_discard(struct outfile *o)
{
	int e = errno;

	if (o->fp != NULL)
		fclose(o->fp);
	else if (o->fd >= 0)
		close(o->fd);
	o->fp = NULL;
	o->fd = -1;
	if (o->tmp[0] != '\0')
		unlink(o->tmp);
	o->tmp[0] = '\0';
	errno = e;
}
