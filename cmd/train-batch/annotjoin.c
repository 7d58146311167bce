/*
 * annotjoin.c - an annotation file's labels joined to the history's candles
 * by exact time (annotjoin.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annotjoin.h"
#include "labels.h"

int
labels_from_annot(int *label, long *known, const struct history *hi,
    const struct annot *a, long na, int W, const char *file,
    struct annot_count *cnt, char *err, size_t errlen)
{
	long i, j, *line;

	memset(cnt, 0, sizeof(*cnt));
	for (i = 0; i < hi->n; i++) {
		label[i] = ACTION_NONE;
		known[i] = i;
	}
	if ((line = calloc(hi->n ? hi->n : 1, sizeof(*line))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return CK_ERR;
	}
	for (j = 0; j < na; j++) {
		if ((i = history_find(hi, a[j].t)) < 0) {
			if (cnt->nocandle++ == 0)
				cnt->line_nocandle = a[j].line;
			continue;
		}
		if (line[i] != 0) {
			snprintf(err, errlen, "%s:%ld: a second annotation of "
			    "one candle (the first at line %ld)", file,
			    a[j].line, line[i]);
			free(line);
			return CK_EDATA;
		}
		line[i] = a[j].line;
		if (i < W) {
			if (cnt->nohistory++ == 0)
				cnt->line_nohistory = a[j].line;
			continue;
		}
		label[i] = a[j].action;
		cnt->used++;
	}
	free(line);
	return CK_OK;
}
