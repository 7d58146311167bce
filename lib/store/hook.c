/*
 * hook.c - the test hook ckpt_hook (lock.h): nothing happens here.  Test
 * builds link tests/hook.c, whose definition replaces this one, so that no
 * installed program carries a way to be killed or traced from its
 * environment.
 */
#include <stdint.h>

#include "lock.h"

__attribute__((weak)) void
ckpt_hook(const char *event, uint64_t generation)
{
	(void)event;
	(void)generation;
}
