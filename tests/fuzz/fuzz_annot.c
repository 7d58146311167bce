/*
 * fuzz_annot.c - any bytes as an annotation file (annot_read, annot.h):
 * it returns the annotations or CK_EDATA with a message, nothing else.
 * What it returns must hold: a known action whose name maps back to it, a
 * time that formats and parses back, a line number past the header, lines
 * in increasing order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "ck.h"
#include "model.h"
#include "timeparse.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct annot *a = NULL;
	char err[512], b[64];
	const char *name;
	long n = -1, i;
	cktime t;
	size_t len;
	int r;

	memset(err, 0, sizeof(err));
	r = annot_read(fuzz_file(data, size), &a, &n, err, sizeof(err));
	if (r != CK_OK) {
		if (r != CK_EDATA)	/* a memory file: no I/O errors */
			abort();
		fuzz_msg(err, sizeof(err));
		return 0;
	}
	if (n < 0 || (n > 0 && a == NULL))
		abort();
	for (i = 0; i < n; i++) {
		if (a[i].action != ACTION_HOLD && a[i].action != ACTION_BUY &&
		    a[i].action != ACTION_SELL)
			abort();
		name = action_name(a[i].action);
		if (action_parse(name, strlen(name)) != a[i].action)
			abort();
		if (a[i].line < 2 || (i > 0 && a[i].line <= a[i - 1].line))
			abort();
		len = time_format(b, a[i].t);
		if (time_parse_iso(b, len, &t) != 0 || t != a[i].t)
			abort();
	}
	free(a);
	return 0;
}
