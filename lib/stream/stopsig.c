/*
 * stopsig.c - SIGINT and SIGTERM set a stop flag; SIGPIPE is ignored.
 */
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "stopsig.h"

static volatile sig_atomic_t *stopflag;

static void
onsig(int sig)
{
	*stopflag = sig;
}

int
stopsig_catch(volatile sig_atomic_t *flag, int restart)
{
	struct sigaction sa;

	stopflag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = onsig;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	return 0;
}
