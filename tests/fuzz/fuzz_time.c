/*
 * fuzz_time.c - any bytes as time and duration text: time_parse_iso,
 * time_parse_any (every epoch unit) and duration_parse.  Whatever parses
 * must format back (time_format) to canonical text that parses to the same
 * instant; the canonical form must be accepted by time_parse_any too; a
 * duration must be positive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ck.h"
#include "timeparse.h"

static void
canonical(cktime t)
{
	char b[64];
	cktime u;
	size_t n;

	memset(b, 'x', sizeof(b));
	n = time_format(b, t);
	if (n == 0 || n >= 40 || b[n] != '\0' || strlen(b) != n)
		abort();
	if (time_parse_iso(b, n, &u) != 0 || u != t)
		abort();
	if (time_parse_any(b, n, EPOCH_AUTO, &u) != 0 || u != t)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum epoch_unit units[] = { EPOCH_AUTO, EPOCH_S,
	    EPOCH_MS, EPOCH_US };
	char *s;
	cktime t, d;

	/* An exact-size copy, so a read past len is caught by ASan. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	if (time_parse_iso(s, size, &t) == 0)
		canonical(t);
	for (size_t i = 0; i < 4; i++)
		if (time_parse_any(s, size, units[i], &t) == 0)
			canonical(t);
	free(s);

	/* duration_parse takes a C string. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (duration_parse(s, &d) == 0 && d <= 0)
		abort();
	free(s);
	return 0;
}
