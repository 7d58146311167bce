/*
 * action.c - the names of enum action.
 */
#include <string.h>
#include <strings.h>

#include "action.h"

static const char *const name[ACTION_N] = { "HOLD", "BUY", "SELL" };

const char *
action_name(int action)
{
	return action >= 0 && action < ACTION_N ? name[action] : "";
}

int
action_parse(const char *s, size_t len)
{
	int i;

	for (i = 0; i < ACTION_N; i++)
		if (strlen(name[i]) == len && strncasecmp(s, name[i], len) == 0)
			return i;
	return ACTION_NONE;
}

int
action_choose(const float *p, float minconf, float *conf)
{
	int a = 0, i;

	for (i = 1; i < ACTION_N; i++)
		if (p[i] > p[a])
			a = i;
	*conf = p[a];
	return p[a] < minconf ? ACTION_HOLD : a;
}
