/*
 * report.c - train-batch's text (report.h).
 */
#include <math.h>
#include <stdio.h>

#include "labels.h"
#include "report.h"
#include "timeparse.h"

static const char *const lower[] = { "hold", "buy", "sell" };

void
report_epoch_header(FILE *f)
{
	fputs("epoch,train_loss,val_loss,val_acc,val_logloss,majority_acc,"
	    "majority_logloss,persistence_acc,val_ece,precision_hold,"
	    "recall_hold,precision_buy,recall_buy,precision_sell,recall_sell,"
	    "samples_per_s\n", f);
}

static void
num(FILE *f, double x)
{
	if (!isnan(x))
		fprintf(f, "%.6g", x);
}

void
report_epoch_row(FILE *f, const struct epochstat *e)
{
	const struct skill *s = &e->val;
	double v[] = { e->train_loss, e->val_loss, s->acc, s->logloss,
	    s->major_acc, s->major_logloss, s->persist_acc, s->ece,
	    s->precision[0], s->recall[0], s->precision[1], s->recall[1],
	    s->precision[2], s->recall[2] };
	size_t i;

	fprintf(f, "%d", e->epoch);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		putc(',', f);
		num(f, v[i]);
	}
	fprintf(f, ",%.0f\n", e->rate);
}

void
report_bar(FILE *f, const struct trainprog *p)
{
	double left, pct;
	char bar[31];
	int i, n;

	pct = p->total ? (double)p->done / p->total : 1;
	n = (int)(pct * 30);
	for (i = 0; i < 30; i++)
		bar[i] = i < n ? '#' : ' ';
	bar[30] = '\0';
	left = ((double)(p->epochs - p->epoch) * p->total + p->total -
	    p->done) / (p->rate > 0 ? p->rate : 1);
	fprintf(f, "\repoch %d/%d [%s] %3.0f%% %8.0f samples/s  ETA "
	    "%d:%02d ", p->epoch, p->epochs, bar, pct * 100, p->rate,
	    (int)left / 60, (int)left % 60);
}

void
report_calibration(FILE *f, const struct calibresult *c)
{
	fprintf(f, "temperature %.4g%s: validation ECE %.4f -> %.4f, log-loss "
	    "%.4f -> %.4f (%ld samples)", c->temperature, c->untilted ?
	    ", class weights' tilt undone" : "", c->before.ece, c->after.ece,
	    c->before.logloss, c->after.logloss, c->after.n);
}

void
report_confusion(FILE *f, const char *prefix, const struct skill *s)
{
	int t, p;

	fprintf(f, "%s%-12s %8s %8s %8s %9s %7s\n", prefix, "true\\pred",
	    "HOLD", "BUY", "SELL", "precision", "recall");
	for (t = 0; t < SKILL_NCLASS; t++) {
		fprintf(f, "%s%-12s", prefix, action_name(t));
		for (p = 0; p < SKILL_NCLASS; p++)
			fprintf(f, " %8ld", s->confusion[t][p]);
		fprintf(f, " %9.3f %7.3f\n", s->precision[t], s->recall[t]);
	}
}

static void
jnum(FILE *f, const char *key, double x, const char *sep)
{
	if (isnan(x))
		fprintf(f, "  \"%s\": null%s\n", key, sep);
	else
		fprintf(f, "  \"%s\": %.9g%s\n", key, x, sep);
}

/* {"hold": x, "buy": y, "sell": z} */
static void
jclasses(FILE *f, const char *key, const double *v, const char *sep)
{
	int c;

	fprintf(f, "  \"%s\": {", key);
	for (c = 0; c < SKILL_NCLASS; c++) {
		fprintf(f, "%s\"%s\": ", c ? ", " : "", lower[c]);
		if (isnan(v[c]))
			fputs("null", f);
		else
			fprintf(f, "%.9g", v[c]);
	}
	fprintf(f, "}%s\n", sep);
}

static void
jtime(FILE *f, const char *key, cktime t, int have)
{
	char b[40];

	if (!have) {
		fprintf(f, "  \"%s\": null,\n", key);
		return;
	}
	time_format(b, t);
	fprintf(f, "  \"%s\": \"%s\",\n", key, b);
}

void
report_json(FILE *f, const struct report_run *run, const struct ckpt_meta *meta,
    const struct dataset *ds, const struct trainresult *r)
{
	static const char *stops[] = { "done", "patience", "signal" };
	const struct skill *s = &r->last.val;
	double w[SKILL_NCLASS], cnt[SKILL_NCLASS];
	int c, t, have = r->epochs > 0;

	fprintf(f, "{\n  \"model\": \"%s\",\n", run->model);
	fprintf(f, "  \"generation\": %llu,\n",
	    (unsigned long long)meta->generation);
	if (meta->trained_until == CKTIME_NONE)	/* "" as ever */
		fputs("  \"trained_until\": \"\",\n", f);
	else
		jtime(f, "trained_until", meta->trained_until, 1);
	jnum(f, "timeframe_s", meta->timeframe > 0 ?
	    (double)meta->timeframe / CK_SEC : NAN, ",");
	jtime(f, "data_from", meta->data_from, meta->timeframe > 0);
	jtime(f, "data_to", meta->data_to, meta->timeframe > 0);
	fprintf(f, "  \"labels\": \"%s\",\n  \"hold\": %s,\n", run->labels,
	    run->hold ? "true" : "false");
	for (c = 0; c < SKILL_NCLASS; c++) {
		w[c] = ds->weight[c];
		cnt[c] = (double)ds->count[c];
	}
	jclasses(f, "train_classes", cnt, ",");
	jclasses(f, "class_weights", w, ",");
	fprintf(f, "  \"stopped\": \"%s\",\n", stops[r->stop]);
	fprintf(f, "  \"epochs\": %d,\n  \"steps\": %ld,\n  \"slices\": %ld,\n",
	    r->epochs, r->steps, r->slices);
	fprintf(f, "  \"train_samples\": %ld,\n  \"val_samples\": %ld,\n",
	    ds->ntrain, ds->n - ds->ntrain);
	jnum(f, "train_loss", have ? r->last.train_loss : NAN, ",");
	jnum(f, "val_loss", have ? r->last.val_loss : NAN, ",");
	jnum(f, "val_acc", have ? s->acc : NAN, ",");
	jnum(f, "val_logloss", have ? s->logloss : NAN, ",");
	jnum(f, "majority_acc", have ? s->major_acc : NAN, ",");
	jnum(f, "majority_logloss", have ? s->major_logloss : NAN, ",");
	jnum(f, "persistence_acc", have ? s->persist_acc : NAN, ",");
	jnum(f, "val_ece", have ? s->ece : NAN, ",");
	jclasses(f, "precision", s->precision, ",");
	jclasses(f, "recall", s->recall, ",");
	fputs("  \"confusion\": [", f);
	for (t = 0; t < SKILL_NCLASS; t++)
		fprintf(f, "%s[%ld, %ld, %ld]", t ? ", " : "",
		    s->confusion[t][0], s->confusion[t][1], s->confusion[t][2]);
	fputs("],\n", f);
	fprintf(f, "  \"calibrated\": %s,\n", run->cal != NULL &&
	    run->cal->committed ? "true" : "false");
	jnum(f, "temperature", run->cal ? run->cal->temperature : NAN, ",");
	fprintf(f, "  \"untilted\": %s,\n", run->cal != NULL &&
	    run->cal->untilted ? "true" : "false");
	jnum(f, "val_acc_calibrated", run->cal ? run->cal->after.acc : NAN,
	    ",");
	jnum(f, "val_logloss_calibrated", run->cal ? run->cal->after.logloss :
	    NAN, ",");
	jnum(f, "val_ece_calibrated", run->cal ? run->cal->after.ece : NAN,
	    ",");
	jnum(f, "samples_per_s", have ? r->last.rate : NAN, ",");
	fprintf(f, "  \"best_epoch\": %d,\n", r->best_epoch);
	jnum(f, "best_val_loss", r->best_epoch ? r->best.val_loss : NAN, ",");
	jnum(f, "best_val_acc", r->best_epoch ? r->best.val.acc : NAN, ",");
	fprintf(f, "  \"best_restored\": %s,\n",
	    r->best_restored ? "true" : "false");
	fprintf(f, "  \"seconds\": %.3f\n}\n", r->seconds);
}

void
report_labels(FILE *f, const struct history *hi, const int *label,
    const float weight[MODEL_NCLASS])
{
	char tb[40];
	long i;

	fprintf(f, "time,label,weight\n");
	for (i = 0; i < hi->n; i++) {
		time_format(tb, hi->t[i]);
		if (label[i] < 0)
			fprintf(f, "%s,,\n", tb);
		else
			fprintf(f, "%s,%s,%.6g\n", tb, action_name(label[i]),
			    weight[label[i]]);
	}
}
