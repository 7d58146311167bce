/*
 * report.h - train-batch's text: the per-epoch CSV rows, the progress bar,
 * the calibration line, the confusion matrix, the --json summary and the
 * --dump-labels file.  See train-batch(1).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>
#include "ckpt.h"
#include "dataset.h"
#include "trainloop.h"

void	report_epoch_header(FILE *);
void	report_epoch_row(FILE *, const struct epochstat *);
/* A bar: epoch, percentage, rate, ETA of the whole run; starts with \r. */
void	report_bar(FILE *, const struct trainprog *);
/* "temperature T: validation ECE a -> b, log-loss c -> d" (no newline). */
void	report_calibration(FILE *, const struct calibresult *);
/* The validation confusion matrix, rows the true class, with the
 * per-class precision and recall, lines prefixed by prefix. */
void	report_confusion(FILE *, const char *prefix, const struct skill *);

/* What the --json summary says beyond the run's result. */
struct report_run {
	const char *model;
	const char *labels;		/* "pivots", "every", "annotations" */
	int	 hold;			/* pivots: HOLD taught */
	const struct calibresult *cal;	/* NULL: not calibrated */
};
void	report_json(FILE *, const struct report_run *, const struct ckpt_meta *,
	    const struct dataset *, const struct trainresult *);
/* time,label,weight rows of every candle of hi (label and weight empty
 * where none). */
void	report_labels(FILE *, const struct history *, const int *label,
	    const float weight[MODEL_NCLASS]);

#endif
