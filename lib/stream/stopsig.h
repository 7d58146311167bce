/*
 * stopsig.h - the signals every program handles the same way: SIGINT and
 * SIGTERM ask for a clean stop (the program exits 128 + the signal's
 * number once the rows read are written), and SIGPIPE is ignored, so a
 * reader that went away is a write error (EPIPE), a quiet exit 0.
 */
#ifndef STOPSIG_H
#define STOPSIG_H

#include <signal.h>

/*
 * From now on SIGINT and SIGTERM set *flag to the signal's number.
 * Without restart a blocked read or wait ends with EINTR (a program that
 * waits for input); with it, system calls resume.  0, or -1 with errno.
 */
int	stopsig_catch(volatile sig_atomic_t *flag, int restart);

#endif
