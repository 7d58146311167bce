/*
 * hook.c - the test hook of lib/store (lock.h, ckpt_hook), linked only into
 * the unit tests and the test builds of the programs (bin-test/), never
 * into bin/:
 *   CANDLEKIT_FAULT=POINT     raise SIGKILL at that point of a save
 *                             (before-write, after-write, after-fsync,
 *                             after-rename, backup-copy)
 *   CANDLEKIT_LOCK_LOG=FILE   append "pid event generation" at each
 *                             acquire and release of the writer lock
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lock.h"

void
ckpt_hook(const char *event, uint64_t generation)
{
	const char *f = getenv("CANDLEKIT_FAULT");
	const char *path = getenv("CANDLEKIT_LOCK_LOG");
	char line[96];
	int fd, n;

	if (f != NULL && strcmp(f, event) == 0)
		raise(SIGKILL);
	if (path == NULL || *path == '\0' || (strcmp(event, "acquire") != 0 &&
	    strcmp(event, "release") != 0))
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
