/*
 * fattr.c - copy a checkpoint's owner, group, extended attributes (ACLs
 * included) and mode to a file made beside it: its next version, its
 * backup, its lock file.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fattr.h"

#define XMAX	65536	/* bytes: the largest attribute value Linux keeps */

/* The namespaces copied: security.* (SELinux labels, capabilities) is the
 * system's to set, and copying it would need privileges. */
static int
copied(const char *name)
{
	return strncmp(name, "user.", 5) == 0 ||
	    strncmp(name, "system.posix_acl_", 17) == 0 ||
	    strncmp(name, "trusted.", 8) == 0;
}

/* The names of fd's extended attributes, NUL-separated, in *list (freed by
 * the caller); their total length, 0 when none or unsupported, -1. */
static ssize_t
names(int fd, char **list)
{
	ssize_t n;

	*list = NULL;
	for (;;) {
		if ((n = flistxattr(fd, NULL, 0)) <= 0)
			return n == -1 && (errno == ENOTSUP || errno == ENOSYS) ?
			    0 : n;
		free(*list);
		if ((*list = malloc((size_t)n)) == NULL)
			return -1;
		if ((n = flistxattr(fd, *list, (size_t)n)) >= 0)
			return n;
		if (errno != ERANGE)	/* ERANGE: it grew meanwhile */
			return -1;
	}
}

static int
has(const char *list, ssize_t n, const char *name)
{
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
		if (strcmp(list + i, name) == 0)
			return 1;
	return 0;
}

static int
copy_xattrs(int from, int to)
{
	char *src = NULL, *dst = NULL, *val = NULL;
	ssize_t ns, nd, i, v;
	int rc = -1, e;

	if ((ns = names(from, &src)) == -1 || (nd = names(to, &dst)) == -1)
		goto out;
	/* to's own (a directory's default ACL, inherited) that from lacks */
	for (i = 0; i < nd; i += (ssize_t)strlen(dst + i) + 1)
		if (copied(dst + i) && !has(src, ns, dst + i) &&
		    fremovexattr(to, dst + i) == -1 && errno != ENODATA)
			goto out;
	if (ns > 0 && (val = malloc(XMAX)) == NULL)
		goto out;
	for (i = 0; i < ns; i += (ssize_t)strlen(src + i) + 1) {
		if (!copied(src + i))
			continue;
		if ((v = fgetxattr(from, src + i, val, XMAX)) == -1) {
			if (errno == ENODATA)	/* removed meanwhile */
				continue;
			goto out;
		}
		if (fsetxattr(to, src + i, val, (size_t)v, 0) == -1 &&
		    !(errno == EPERM && strncmp(src + i, "trusted.", 8) == 0))
			goto out;
	}
	rc = 0;
out:
	e = errno;
	free(src);
	free(dst);
	free(val);
	errno = e;
	return rc;
}

int
fattr_copy(int from, int to, const struct stat *st, mode_t mask)
{
	if (fchown(to, st->st_uid, st->st_gid) == -1 &&
	    fchown(to, (uid_t)-1, st->st_gid) == -1) {
		/* not allowed: the creator's group stays */
	}
	/* the ACL first: fchmod then sets its mask from the group bits */
	if (copy_xattrs(from, to) == -1)
		return -1;
	return fchmod(to, st->st_mode & mask);
}
