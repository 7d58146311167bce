#!/bin/sh
# tests/sh/pivend.sh - issue 18 end to end: train-batch makes a model with
# three ghost candles and a two-level pivot head (k 3) from a generated
# zigzag, infer forecasts held-out candles, backtest --model scores the
# forecast columns; its level-1 figures (forecasts scored, type accuracy,
# price and distance errors and their naive baselines) agree with
# tests/pivhead_eval.py's own bookkeeping on the same stream, and its
# --pivot-k defaults to the model's k.
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
PY=/usr/bin/python3
EV="$PY tests/pivhead_eval.py"
export SOURCE_DATE_EPOCH=1700000000
$EV zigzag 3000 4 >"$T/z.csv"
head -2001 "$T/z.csv" >"$T/zt.csv"
expect train 0 "train-batch -m $T/h.ckpt --new --window 16 --dim 16 --layers 1 --heads 2 --ghost 3 --pivot-head 1,2 --pivot-k 3 --epochs 4 --threads 1 --labels every $T/zt.csv >/dev/null"
# held out: rows 2000 .. 2999 (each forecast from the model's window over
# the whole file, so every held-out row has one)
expect infer 0 "infer -m $T/h.ckpt $T/z.csv | awk 'NR == 1 || NR > 2001' >$T/hi.csv"
check held-out-rows [ "$(wc -l <"$T/hi.csv")" = 1001 ]
check held-out-filled awk -F, 'NR > 1 && $NF == "" { exit 1 }' "$T/hi.csv"

# backtest with the model and no --pivot-k: the model's k 3
expect backtest 0 "backtest --model $T/h.ckpt --json $T/b.json --summary $T/b.txt $T/hi.csv >/dev/null"
check no-warning [ ! -s "$T_TMP/err" ]
check summary-k grep -q '^ *Next Pivot (k 3) ' "$T/b.txt"
$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))
def find(o, k):
    if isinstance(o, dict):
        if k in o:
            return o[k]
        o = list(o.values())
    if isinstance(o, list):
        for v in o:
            r = find(v, k)
            if r is not None:
                return r
print("pivot_k=%s" % find(j, "pivot_k"))
p = [x for x in j["next_pivot"] if x["level"] == 1][0]
print("n=%d" % p["scored"])
print("head_type=%.17g" % (p["type_accuracy_pct"] / 100))
print("naive_type=%.17g" % (p["naive_type_accuracy_pct"] / 100))
print("head_price_pct=%.17g" % p["price_error_pct"])
print("naive_price_pct=%.17g" % p["naive_price_error_pct"])
print("head_dist=%.17g" % p["distance_error"])
print("naive_dist=%.17g" % p["naive_distance_error"])
print("levels=%s" % ",".join(str(x["level"]) for x in j["next_pivot"]))
print("steps=%s" % ",".join(str(x["step"]) for x in j["ghost_steps"]))
' "$T/b.json" >"$T/bt.val"
sed 's/^/# backtest: /' "$T/bt.val"
val() { sed -n "s/^$1=//p" "$2"; }
check json-k [ "$(val pivot_k "$T/bt.val")" = 3 ]
check json-levels [ "$(val levels "$T/bt.val")" = 1,2 ]
check json-steps [ "$(val steps "$T/bt.val")" = 1,2,3 ]

# the same figures, computed independently (pivots of strength 3, level 1)
$EV score 3 0 "$T/hi.csv" >"$T/ev.val"
sed 's/^/# independent: /' "$T/ev.val"
check scored-many [ "$(val n "$T/ev.val")" -gt 800 ]
check n-agrees [ "$(val n "$T/bt.val")" = "$(val n "$T/ev.val")" ]
for x in head_type naive_type head_price_pct naive_price_pct head_dist naive_dist; do
	check "$x-agrees" awk -v a="$(val $x "$T/bt.val")" -v b="$(val $x "$T/ev.val")" \
	    'BEGIN { d = a - b; exit !(a != "" && b != "" && d * d <= 1e-10 * (b * b + 1e-12)) }'
done

# an explicit --pivot-k other than the model's: used, with a warning
expect other-k 0 "backtest --model $T/h.ckpt --pivot-k 2 --json $T/b2.json --summary $T/b2.txt $T/hi.csv >/dev/null"
errhas other-k-warns "the model's pivots have k 3"
check other-k-used grep -q '^ *Next Pivot (k 2) ' "$T/b2.txt"
# without the model: the default k 2
expect no-model 0 "backtest --summary $T/b3.txt $T/hi.csv >/dev/null"
check no-model-k grep -q '^ *Next Pivot (k 2) ' "$T/b3.txt"

t_done
