#!/bin/sh
# tests/demo.sh - what `make demo` runs once the programs are built: trains
# a small model on the bundled data with train-batch, evaluates it honestly
# with a walk-forward backtest (make walkforward), draws the chart, prints
# the summary, and rehearses the live pipeline on a slice of the data
# replayed as fast as it goes.  Everything is written under demo/ (removed
# first); about 30 s on 2 cores.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PATH=$top/bin:$PATH
export LC_ALL=C
unset MAKEFLAGS MFLAGS MAKELEVEL
D=demo
DATA=tests/data/hqchart_600000sh_1m.csv.gz
rm -rf "$D"
mkdir -p "$D"
say() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }
# align: CSV on standard input as aligned columns
align() {
	awk -F, '{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
	    if (NF > nf) nf = NF }
	END { for (r = 1; r <= NR; r++) { for (i = 1; i <= nf; i++) printf i < nf ? "%-*s  " : "%-.*s\n", w[i], c[r, i] } }'
}

say "1. batch training: a small model on pivot labels, June and July 2024"
show "candle-feed --to 2024-08-01 $DATA > $D/train.csv"
candle-feed --to 2024-08-01 "$DATA" >"$D/train.csv"
show "train-batch -m $D/model.ckpt --new --seed 1 --window 32 --dim 32 --layers 2 --labels pivots --epochs 8 --patience 2 $D/train.csv"
train-batch -m "$D/model.ckpt" --new --seed 1 --window 32 --dim 32 \
    --layers 2 --labels pivots --epochs 8 --patience 2 \
    --json "$D/train.json" "$D/train.csv" | align
infer --info -m "$D/model.ckpt" | grep -E '^(parameters|generation|trained_until):'

say "2. walk-forward: train on 20 days, predict the next 5, roll on"
show "make walkforward WF_DIR=$D/walkforward"
make --no-print-directory -s walkforward WF_DIR="$D/walkforward" >"$D/walkforward.log"
align <"$D/walkforward/folds.csv"
echo
cat "$D/walkforward/compare.md"

say "3. the chart of the walk-forward predictions, with pivots and trades"
show "pivots $D/walkforward/walk.csv | backtest --fee 0.0005 --periods-per-year 60480 --svg $D/chart.svg --summary $D/summary.txt > $D/trades.csv"
pivots "$D/walkforward/walk.csv" |
    backtest --fee 0.0005 --periods-per-year 60480 --svg "$D/chart.svg" \
    --summary "$D/summary.txt" >"$D/trades.csv"
grep -E '^(start|end|candles|trades|win_rate_pct|return_pct|buy_hold_return_pct|max_drawdown_pct|sharpe|hit_rate_pct) ' "$D/summary.txt"
echo "chart: $D/chart.svg ($(wc -c <"$D/chart.svg") bytes); trades: $D/trades.csv"

say "4. live rehearsal: the last two trading days replayed through pivots and train-candle"
cp "$D/model.ckpt" "$D/live.ckpt"
show "candle-feed --from 2024-09-13 --replay 0 $DATA | pivots | train-candle -m $D/live.ckpt --on pivots | backtest --long-only > $D/live-trades.csv"
candle-feed --from 2024-09-13 --replay 0 "$DATA" | pivots |
    train-candle -m "$D/live.ckpt" --on pivots 2>"$D/live.log" |
    tee "$D/live.csv" |
    backtest --long-only --fee 0.0005 --periods-per-year 60480 \
    --summary "$D/live-summary.txt" >"$D/live-trades.csv"
cat "$D/live.log"
echo "rows written: $(($(wc -l <"$D/live.csv") - 1)); trained rows (label set):"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["loss"] != "" { n++; last = $c["time"] "  label " $c["label"] " at " $c["label_time"] "  loss " $c["loss"] "  gen " $c["model_gen"] }
    END { print "  " n " updates; the last: " last }' "$D/live.csv"
echo "generation before: $(infer --info -m "$D/model.ckpt" | sed -n 's/^generation: *//p'), after: $(infer --info -m "$D/live.ckpt" | sed -n 's/^generation: *//p')"
grep -E '^(trades|return_pct) ' "$D/live-summary.txt"

say "done: everything is in $D/ (open $D/chart.svg in a browser)"
