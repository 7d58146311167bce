#!/bin/sh
# tests/demo.sh - what `make demo` runs once the programs are built: the
# README's first pipeline on the bundled data, told honestly.  It trains a
# model with the default labels (pivots with HOLD, inverse-frequency class
# weights) and calibrates it, checks the calibration on candles it never
# saw, runs the walk-forward backtest with the default position policy and
# a realistic fee (0.05% a side), prints the skill block beside the PnL of
# the model, buy-and-hold and the flat account, says in one line whether
# the model beat the baselines, draws the chart, and rehearses the live
# pipeline.  Everything is written under demo/ (removed first); about a
# minute on 2 cores.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
PATH=$top/bin:$PATH
PY=${PYTHON:-/usr/bin/python3}
export LC_ALL=C
unset MAKEFLAGS MFLAGS MAKELEVEL
D=demo
DATA=tests/data/hqchart_600000sh_1m.csv.gz
FEE=0.0005
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
# cols NAME...: those columns of the CSV on standard input
cols() {
	awk -F, -v want="$*" 'NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) c[$i] = i }
	    { s = ""; for (i = 1; i <= n; i++) s = s (i > 1 ? "," : "") $c[w[i]]; print s }'
}

say "1. batch training on June and July 2024: pivot labels with HOLD, calibrated"
show "candle-feed --to 2024-08-01 $DATA > $D/train.csv"
candle-feed --to 2024-08-01 "$DATA" >"$D/train.csv"
show "train-batch -m $D/model.ckpt --new --seed 1 --labels pivots --epochs 8 --json $D/train.json $D/train.csv"
train-batch -m "$D/model.ckpt" --new --seed 1 --labels pivots --epochs 8 \
    --json "$D/train.json" "$D/train.csv" 2>"$D/train.log" >"$D/epochs.csv"
cols epoch val_acc majority_acc persistence_acc val_logloss majority_logloss val_ece \
    recall_buy precision_buy recall_sell precision_sell <"$D/epochs.csv" | align
cat "$D/train.log"
infer --info -m "$D/model.ckpt" | grep -E '^(generation|temperature|timeframe_s|data_from|data_to):'

say "2. the calibration on August and September, which the model never saw"
candle-feed --from 2024-08-01 "$DATA" >"$D/test.csv"
show "infer -m $D/model.ckpt $D/test.csv > $D/test-pred.csv"
infer -m "$D/model.ckpt" "$D/test.csv" >"$D/test-pred.csv" 2>/dev/null
infer -m "$D/model.ckpt" --min-confidence 0.6 "$D/test.csv" >"$D/test-pred60.csv" 2>/dev/null
# the true labels of those candles, by the same rule (a scratch copy of the
# model learns nothing that is used)
cp "$D/model.ckpt" "$D/scratch.ckpt"
train-batch -m "$D/scratch.ckpt" --labels pivots --epochs 1 --val 0 --no-calibrate \
    --dump-labels "$D/test-labels.csv" "$D/test.csv" >/dev/null
rm -f "$D/scratch.ckpt" "$D/scratch.ckpt.lock"
awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
FILENAME == ARGV[1] { lab[$1] = $2; next }
FILENAME == ARGV[3] { a = $col[FILENAME, "action"]; if (a == "BUY" || a == "SELL") s60++; next }
{
	a = $col[FILENAME, "action"]; if (a == "BUY" || a == "SELL") s++
	l = lab[$1]; ph = $col[FILENAME, "p_hold"]
	if (l == "" || ph == "") next
	p[0] = ph; p[1] = $col[FILENAME, "p_buy"]; p[2] = $col[FILENAME, "p_sell"]
	y = l == "HOLD" ? 0 : l == "BUY" ? 1 : 2
	m = 0; for (k = 1; k < 3; k++) if (p[k] > p[m]) m = k
	b = int(p[m] * 10); if (b > 9) b = 9
	n++; cnt[b]++; conf[b] += p[m]; right[b] += m == y; acc += m == y; cls[y]++
	ll += -log(p[y] > 1e-7 ? p[y] : 1e-7)
}
END {
	for (b = 0; b < 10; b++) if (cnt[b]) e += (right[b] > conf[b] ? right[b] - conf[b] : conf[b] - right[b]) / n
	maj = cls[0] > cls[1] ? cls[0] : cls[1]; maj = maj > cls[2] ? maj : cls[2]
	printf "%d labelled candles: accuracy %.3f (always the commonest label: %.3f), log-loss %.3f\n", n, acc / n, maj / n, ll / n
	printf "expected calibration error (10 bins): %.3f\n", e
	printf "BUY/SELL signals: %d; with --min-confidence 0.6: %d\n", s, s60
}' "$D/test-labels.csv" "$D/test-pred.csv" "$D/test-pred60.csv"

say "3. walk-forward: train on 4,800 candles (20 days), predict the next 1,200, roll on"
show "make walkforward WF_DIR=$D/walkforward WF_VAL=0.2 BT_OPTS='--fee $FEE'"
make --no-print-directory -s walkforward WF_DIR="$D/walkforward" WF_VAL=0.2 \
    BT_OPTS="--fee $FEE" >"$D/walkforward.log"
align <"$D/walkforward/folds.csv"
"$PY" - "$D/walkforward/walk.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
s, k, st = d["strategy"], d["skill"], d["settings"]
def f(x, fmt="%.2f"):
    return "-" if x is None else fmt % x
print("\nout of sample, %s .. %s, %d candles; policy: enter %s, exit %s, "
      "min-hold %s, cooldown %s, on-hold %s; fee %s a side"
      % (d["start"], d["end"], d["candles"], st["enter"], st["exit"],
         st["min_hold"], st["cooldown"], st["on_hold"], st["fee"]))
print("%-14s %10s %10s %8s %10s" % ("", "return %", "max dd %", "sharpe", "final"))
for name, key in (("model", "strategy"), ("buy and hold", "buy_hold"), ("flat", "flat")):
    r = d[key]
    print("%-14s %10s %10s %8s %10s" % (name, f(r["return_pct"]), f(r["max_drawdown_pct"]),
          f(r["sharpe"]), f(r["final_equity"], "%.0f")))
print("trades %d (one round trip per %s candles), fees %.2f%% of the cash, "
      "turnover %.1f, average hold %s candles"
      % (d["trades"], f(d["candles"] / d["trades"] if d["trades"] else None, "%.0f"),
         d["fees_pct"], d["turnover"], f(d["avg_hold_bars"], "%.0f")))
print("skill: %d signals, hit rate %s%% (95%% interval %s..%s%%), p-value %s against 50%%;"
      % (k["signals"], f(k["hit_rate_pct"], "%.1f"), f(k["hit_rate_lo_pct"], "%.1f"),
         f(k["hit_rate_hi_pct"], "%.1f"), f(k["hit_rate_p_value"], "%.3g")))
print("       ghost close error %s%% against %s%% for 'next close = this close' (ratio %s)"
      % (f(k["ghost_close_mape_pct"], "%.4f"), f(k["naive_close_mape_pct"], "%.4f"),
         f(k["mape_ratio"], "%.3f")))
ret, bh = s["return_pct"], d["buy_hold"]["return_pct"]
p = k["hit_rate_p_value"]
beat = ret > bh and ret > 0
sig = p is not None and p < 0.05 and (k["hit_rate_pct"] or 0) > 50
print("\nverdict: the model %s buy-and-hold (%+.2f%% vs %+.2f%%) and %s the flat "
      "account (0%%); its signals are %s (hit rate p-value %s)."
      % ("beat" if ret > bh else "did not beat", ret, bh,
         "beat" if ret > 0 else "did not beat",
         "better than a coin at the 5% level" if sig else "no better than a coin",
         f(p, "%.3g")))
PYEOF

say "4. the chart of the walk-forward predictions, with pivots and trades"
show "pivots $D/walkforward/walk.csv | backtest --fee $FEE --svg $D/chart.svg --summary $D/summary.txt > $D/trades.csv"
pivots "$D/walkforward/walk.csv" |
    backtest --fee "$FEE" --svg "$D/chart.svg" --summary "$D/summary.txt" \
    >"$D/trades.csv"
echo "chart: $D/chart.svg ($(wc -c <"$D/chart.svg") bytes); trades: $D/trades.csv; summary: $D/summary.txt"

say "5. live rehearsal: the last two trading days replayed through pivots and train-candle"
cp "$D/model.ckpt" "$D/live.ckpt"
show "candle-feed --from 2024-09-13 --replay 0 $DATA | pivots | train-candle -m $D/live.ckpt --on pivots | backtest --fee $FEE > $D/live-trades.csv"
candle-feed --from 2024-09-13 --replay 0 "$DATA" | pivots |
    train-candle -m "$D/live.ckpt" --on pivots 2>"$D/live.log" |
    tee "$D/live.csv" |
    backtest --fee "$FEE" --json "$D/live.json" --summary /dev/null \
    >"$D/live-trades.csv"
cat "$D/live.log"
echo "rows written: $(($(wc -l <"$D/live.csv") - 1)); trained rows (label set):"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["label"] != "" { n[$c["label"]]++; last = $c["time"] "  label " $c["label"] " at " $c["label_time"] "  gen " $c["model_gen"] }
    END { print "  HOLD " n["HOLD"] ", BUY " n["BUY"] ", SELL " n["SELL"] "; the last: " last }' "$D/live.csv"
echo "generation before: $(infer --info -m "$D/model.ckpt" | sed -n 's/^generation: *//p'), after: $(infer --info -m "$D/live.ckpt" | sed -n 's/^generation: *//p')"
"$PY" -c 'import json, sys; d = json.load(open(sys.argv[1]))
k = d["skill"]
print("live: %d trades, return %.2f%% (buy and hold %.2f%%), fees %.2f%% of the cash"
      % (d["trades"], d["return_pct"], d["buy_hold_return_pct"], d["fees_pct"]))
if k["signals"] > 0:
    print("live skill: %d signals, hit rate %.1f%% (95%% interval %.1f..%.1f%%, p = %.3f against a coin)"
          % (k["signals"], k["hit_rate_pct"], k["hit_rate_lo_pct"], k["hit_rate_hi_pct"], k["hit_rate_p_value"]))
why = []
if d["trades"] < 30:
    why.append("%d trades are too few to judge a return" % d["trades"])
if k["signals"] > 0 and (k.get("hit_rate_p_value") or 0) >= 0.05:
    why.append("a hit rate of %.1f%% on %d signals is not told apart from a fair coin (50%%)"
               % (k["hit_rate_pct"], k["signals"]))
if why:
    print("so this rehearses the live pipeline; it is not evidence of skill: %s."
          % "; ".join(why))
    print("judge the model on the walk-forward backtest (3.)")' "$D/live.json"

say "done: everything is in $D/ (open $D/chart.svg in a browser)"
