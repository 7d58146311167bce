/*
 * btsummary.h - backtest's summary: the metrics of struct bt_summary, the
 * settings that produced them and the period breakdown, as an aligned,
 * rounded text report or as one JSON object with stable snake_case keys
 * (backtest(1) lists them).  Writes only to the FILE * it is given.
 */
#ifndef BTSUMMARY_H
#define BTSUMMARY_H

#include <stdio.h>
#include "backtest.h"
#include "btfcast.h"

/* Everything the run was told, echoed in the JSON's "settings", and the
 * forecast scores beside the trades. */
struct btr_settings {
	const struct bt_config *cfg;
	const struct btr_fcast *fc;	/* NULL: no forecast columns */
	const char	*input, *prefix, *append;	/* NULL: none */
	char		 model_gen_first[32], model_gen_last[32];	/* "": none */
	char		 model_id[80];
};

/* The closed periods of --breakdown, grown by the program. */
struct btr_breakdown {
	int		 period;		/* enum bt_calendar */
	size_t		 n, cap;
	struct bt_period *row;
};

/* 0, or -1 (out of memory). */
int	btr_breakdown_add(struct btr_breakdown *, const struct bt_period *);
void	btr_breakdown_free(struct btr_breakdown *);
const char *btr_period_name(int period);

void	btr_summary_text(FILE *, const struct bt_summary *,
	    const struct btr_settings *, const struct btr_breakdown *);
void	btr_summary_json(FILE *, const struct bt_summary *,
	    const struct btr_settings *, const struct btr_breakdown *);

#endif
