/*
 * fattr.h - the permissions a file candlekit makes beside a checkpoint
 * takes from it: owner and group (where allowed), extended attributes
 * (POSIX ACLs travel as system.posix_acl_access) and mode bits.
 */
#ifndef FATTR_H
#define FATTR_H

#include <sys/stat.h>

/*
 * Give the file open on to the attributes of the file open on from (st:
 * its fstat): owner and group where allowed (a group alone otherwise), the
 * extended attributes from's user, system and trusted namespaces hold (to's
 * own that from lacks are removed; security.* is left to the system), then
 * the mode bits st->st_mode & mask.  0, or -1 with errno.
 */
int	fattr_copy(int from, int to, const struct stat *st, mode_t mask);

#endif
