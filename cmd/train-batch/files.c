/*
 * files.c - candle files in, labels out (see files.h).
 */
#include <stdio.h>

#include "action.h"
#include "cktime.h"
#include "cstream.h"
#include "files.h"

int
history_read(struct history *hi, const char *path, char *err, size_t errlen)
{
	struct cstream cs;
	struct candle k;
	int r;

	if ((r = cstream_open(&cs, path, err, errlen)) != CK_OK)
		return r;
	while ((r = cstream_next(&cs, &k, err, errlen)) == 1) {
		if (hi->n > 0 && k.t <= hi->t[hi->n - 1]) {
			snprintf(err, errlen, "%s:%ld: time does not follow "
			    "the previous file's last candle", cstream_file(&cs),
			    cstream_line(&cs));
			r = CK_EDATA;
			break;
		}
		if (history_push(hi, &k) != 0) {
			snprintf(err, errlen, "out of memory");
			r = CK_ERR;
			break;
		}
	}
	cstream_close(&cs);
	return r < 0 ? r : CK_OK;
}

/* The labels as "time,label" rows under a header. */
void
labels_write(FILE *f, const struct history *hi, const int *label)
{
	char tb[40];
	long i;

	fprintf(f, "time,label\n");
	for (i = 0; i < hi->n; i++) {
		time_format(tb, hi->t[i]);
		fprintf(f, "%s,%s\n", tb, action_name(label[i]));
	}
}
