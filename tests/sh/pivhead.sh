#!/bin/sh
# tests/sh/pivhead.sh - the multi-step ghost and the next-pivot head (issue
# 18): options, columns, the prefix property, --ghost 1 as today's model,
# determinism, train-candle never training a pivot target before its
# confirmation (candles fed one at a time), the lock and hot reload with a
# head model, and learning: on noisy zigzags the head beats the naive
# type, price and distance forecasts on held-out candles; on a random walk
# it does not beat the forecast that knows the walk's law beyond noise.
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
PY=/usr/bin/python3
EV="$PY tests/pivhead_eval.py"
TINY="--window 8 --dim 16 --layers 1 --heads 2"
export SOURCE_DATE_EPOCH=1700000000
$EV zigzag 700 3 >"$T/z.csv"
gen() { infer --info -m "$1" | awk '/^generation:/ { print $2 }'; }

# --- options --------------------------------------------------------------
expect usage-head-old 2 "train-batch -m $T/x.ckpt --pivot-head 1 --labels every $T/z.csv"
expect usage-k-nohead 2 "train-batch -m $T/x.ckpt --new --pivot-k 3 --labels every $T/z.csv"
expect usage-levels-order 2 "train-batch -m $T/x.ckpt --new --pivot-head 2,1 --labels every $T/z.csv"
expect usage-level-6 2 "train-batch -m $T/x.ckpt --new --pivot-head 6 --labels every $T/z.csv"
expect usage-ghost-0 2 "train-batch -m $T/x.ckpt --new --ghost 0 --labels every $T/z.csv"
expect usage-ghost-17 2 "train-batch -m $T/x.ckpt --new --ghost 17 --labels every $T/z.csv"
expect usage-weights 2 "train-batch -m $T/x.ckpt --new --pivot-head 1 --pivot-weights 1,2 --labels every $T/z.csv"
expect plain 0 "train-batch -m $T/plain.ckpt --new $TINY --epochs 1 --threads 1 --labels every $T/z.csv"
expect usage-weights-plain 2 "train-batch -m $T/plain.ckpt --pivot-weights 1,1,1 --labels every $T/z.csv"
errhas weights-plain-msg "has no pivot head"

# --- --ghost 1 is today's model, bit for bit ------------------------------
expect ghost1 0 "train-batch -m $T/g1.ckpt --new $TINY --ghost 1 --epochs 1 --threads 1 --labels every $T/z.csv"
check ghost1-same cmp -s "$T/plain.ckpt" "$T/g1.ckpt"

# --- a head model: columns, determinism, prefix ---------------------------
HEAD="$TINY --ghost 3 --pivot-head 1,2 --pivot-k 2"
expect head 0 "train-batch -m $T/h.ckpt --new $HEAD --epochs 2 --threads 1 --labels every $T/z.csv"
expect head-again 0 "train-batch -m $T/h2.ckpt --new $HEAD --epochs 2 --threads 1 --labels every $T/z.csv"
check head-deterministic cmp -s "$T/h.ckpt" "$T/h2.ckpt"
# --info: the ghost candles and the head's levels and k, after the header;
# a plain model has none of these lines
expect info-head 0 "infer --info -m $T/h.ckpt | sed -n '/^data_to:/,\$p' | sed 1d" "ghost:         3
pivot_head:    1,2
pivot_k:       2"
expect info-plain 0 "infer --info -m $T/plain.ckpt | awk '/^(ghost|pivot_head|pivot_k):/ { n++ } END { print n + 0 }'" "0"
expect infer-head 0 "infer -m $T/h.ckpt $T/z.csv >$T/hi.csv"
check head-columns [ "$(head -1 "$T/hi.csv")" = "time,open,high,low,close,volume,action,confidence,p_hold,p_buy,p_sell,next_open,next_high,next_low,next_close,model_gen,next2_open,next2_high,next2_low,next2_close,next3_open,next3_high,next3_low,next3_close,pivot_L1_type,pivot_L1_p,pivot_L1_price,pivot_L1_in,pivot_L2_type,pivot_L2_p,pivot_L2_price,pivot_L2_in" ]
check head-warmup [ "$(sed -n 2p "$T/hi.csv" | cut -d, -f7-)" = ",,,,,,,,,,,,,,,,,,,,,,,,," ]
check head-values awk -F, 'NR > 10 { n++; if (($25 == "H" || $25 == "L") && $26 >= 0.5 && $26 <= 1 && $27 > 0 && $28 ~ /^-?[0-9]+(\.[0-9])?$/ && $29 != "" && $20 > 0) ok++ } END { exit !(n > 600 && ok == n) }' "$T/hi.csv"
head -301 "$T/z.csv" >"$T/z300.csv"
expect infer-prefix 0 "infer -m $T/h.ckpt $T/z300.csv >$T/hi300.csv"
check head-prefix cmp -s "$T/hi300.csv" "$(head -301 "$T/hi.csv" >"$T/hi301.csv"; echo "$T/hi301.csv")"
# fed in chunks through a pipe: the same rows
expect infer-chunks 0 "$PY -c 'import sys,time
d=open(sys.argv[1],\"rb\").read(); i=0
for n in [1,2,3,5,13,100]*400:
    if i >= len(d): break
    sys.stdout.buffer.write(d[i:i+n]); sys.stdout.buffer.flush(); i += n
' $T/z.csv | infer -m $T/h.ckpt >$T/hchunk.csv"
check head-chunks cmp -s "$T/hi.csv" "$T/hchunk.csv"

# --- train-candle: a pivot target only after its confirmation -------------
# one candle at a time: the driver writes the next row only once the
# previous one's output row is back
cat >"$T/onebyone.py" <<'PYEOF'
import subprocess, sys
cmd, src = sys.argv[1], sys.argv[2]
p = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE)
lines = open(src, "rb").read().splitlines(True)
p.stdin.write(lines[0]); p.stdin.flush()
out = [p.stdout.readline()]
for l in lines[1:]:
    p.stdin.write(l); p.stdin.flush()
    out.append(p.stdout.readline())
p.stdin.close()
out += p.stdout.readlines()
sys.stdout.buffer.write(b"".join(out))
sys.exit(p.wait())
PYEOF
pivots -k 2 --levels 2 "$T/z.csv" >"$T/zp.csv"
cp "$T/h.ckpt" "$T/tc.ckpt"
expect candle-one-by-one 0 "$PY $T/onebyone.py 'train-candle -m $T/tc.ckpt --on every --dump-pivots $T/dp.csv' $T/zp.csv >$T/tc.out"
check candle-rows [ "$(wc -l <"$T/tc.out")" = 701 ]
# every logged target: the first pivot of its level confirmed after its
# candle (by the pivots columns), logged at or after that confirmation
cat >"$T/check.py" <<'PYEOF'
import sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
col = {n: j for j, n in enumerate(rows[0])}
rows = rows[1:]
times = [r[0] for r in rows]
def target(t, L):
    for r in rows[times.index(t) + 1:]:
        h, l = r[col["pivot%d_high" % L]], r[col["pivot%d_low" % L]]
        if h and (not l or h <= l):
            return r[0], "H", h
        if l:
            return r[0], "L", l
bad = n = 0
for d in list(open(sys.argv[2]))[1:]:
    row, t, L, ty, price, pt = d.rstrip("\n").split(",")
    conf, ty2, pt2 = target(t, int(L))
    n += 1
    if row < conf or ty != ty2 or pt != pt2:
        bad += 1
        if bad < 5:
            print("early or wrong:", d.strip(), "want", conf, ty2, pt2)
print("targets", n, "bad", bad)
sys.exit(bad != 0 or n < 500)
PYEOF
check candle-no-early $PY "$T/check.py" "$T/zp.csv" "$T/dp.csv"
# steps: one per decided candle, all landed
check candle-steps [ "$(gen "$T/tc.ckpt")" -gt "$(($(gen "$T/h.ckpt") + 300))" ]
# bounded: a short --max-pending drops level-2 samples, counted
cp "$T/h.ckpt" "$T/tc2.ckpt"
expect candle-maxpend 0 "train-candle -m $T/tc2.ckpt --on every --max-pending 4 $T/zp.csv >/dev/null"
check candle-dropped grep -q 'pivot targets: trained=[0-9]* waiting=[0-9]* dropped=[1-9]' "$T_TMP/err"

# --- the lock and hot reload with a head model ----------------------------
cp "$T/h.ckpt" "$T/lk.ckpt"
g0=$(gen "$T/lk.ckpt")
cp "$T/h.ckpt" "$T/a1.ckpt"
train-candle -m "$T/a1.ckpt" --on every "$T/zp.csv" >/dev/null 2>&1
d1=$(($(gen "$T/a1.ckpt") - g0))
cp "$T/h.ckpt" "$T/a3.ckpt"
train-batch -m "$T/a3.ckpt" --labels every --epochs 1 --slice 0.05 --no-calibrate "$T/z.csv" >/dev/null 2>&1
d3=$(($(gen "$T/a3.ckpt") - g0))
{ train-candle -m "$T/lk.ckpt" --on every "$T/zp.csv" >/dev/null 2>"$T/l1.err"; echo $? >"$T/l1.st"; } &
{ train-candle -m "$T/lk.ckpt" --on every "$T/zp.csv" >/dev/null 2>"$T/l2.err"; echo $? >"$T/l2.st"; } &
{ train-batch -m "$T/lk.ckpt" --labels every --epochs 1 --slice 0.05 --no-calibrate "$T/z.csv" >/dev/null 2>"$T/l3.err"; echo $? >"$T/l3.st"; } &
$PY -c 'import sys, time
for l in open(sys.argv[1], "rb"):
    sys.stdout.buffer.write(l); sys.stdout.buffer.flush(); time.sleep(0.004)
' "$T/z.csv" | infer -m "$T/lk.ckpt" >"$T/lki.csv" 2>"$T/lki.err"
wait
check lock-status [ "$(cat "$T/l1.st" "$T/l2.st" "$T/l3.st" | tr -d '\n')" = 000 ]
# every step of every process landed
check lock-generation [ "$(gen "$T/lk.ckpt")" = $((g0 + 2 * d1 + d3)) ]
check hot-reload grep -q 'reloads=[1-9][0-9]* load_failures=0' "$T/lki.err"
check hot-columns [ "$(awk -F, '{ print NF }' "$T/lki.csv" | sort -u)" = 32 ]

# --- learning -------------------------------------------------------------
if sanitized; then
	echo "# learning: not under the sanitizers (make test judges it)"
	t_done
	exit
fi
# Held out: candles 6000 .. 7999 (the model trains on the first 6000), on
# three zigzags (seeds 1, 2, 3).  Stated margins on each: type accuracy
# at least 0.01 above the naive forecast's (measured over seeds 1..5:
# +0.020 to +0.053); price error (mean |log ratio|) at most 0.7 of the
# naive forecast's; distance error (mean |candles|) at most 0.9 of the
# naive one.  The type rests on the pivot features (model-checkpoint(5)):
# without them the head was weakest at the candle that confirms a pivot.
LEARN="--window 32 --dim 32 --layers 2 --heads 4 --pivot-head 1 --pivot-k 2 \
    --pivot-weights 3,1,0.1 --labels every --epochs 20 --lr 0.003 --threads 1 --seed 1"
val() { sed -n "s/^$1=//p" "$2"; }
for seed in 1 2 3; do
	Z=$T/zz$seed
	$EV zigzag 8000 $seed >"$Z.csv"
	head -6001 "$Z.csv" >"$Z.train.csv"
	expect zz$seed-train 0 "nice train-batch -m $Z.ckpt --new $LEARN $Z.train.csv >/dev/null"
	expect zz$seed-infer 0 "infer -m $Z.ckpt $Z.csv >$Z.infer.csv"
	$EV score 2 6000 "$Z.infer.csv" >"$Z.score"
	sed "s/^/# zigzag $seed: /" "$Z.score"
	check zz$seed-type awk -v h="$(val head_type "$Z.score")" -v n="$(val naive_type "$Z.score")" 'BEGIN { exit !(h >= n + 0.01) }'
	check zz$seed-price awk -v h="$(val head_price "$Z.score")" -v n="$(val naive_price "$Z.score")" 'BEGIN { exit !(h <= 0.7 * n) }'
	check zz$seed-dist awk -v h="$(val head_dist "$Z.score")" -v n="$(val naive_dist "$Z.score")" 'BEGIN { exit !(h <= 0.9 * n) }'
	check zz$seed-count [ "$(val n "$Z.score")" -gt 1500 ]
done
# the random walk: the head's gain over the law-aware forecast (positive:
# the head better) stays below 3 standard errors plus the simulation's
# own noise (0.01 in accuracy, 0.0002 in |log ratio|, 0.1 candles)
$EV walk 8000 2 >"$T/rw.csv"
head -6001 "$T/rw.csv" >"$T/rwt.csv"
expect rw-train 0 "nice train-batch -m $T/rw.ckpt --new $LEARN $T/rwt.csv >/dev/null"
expect rw-infer 0 "infer -m $T/rw.ckpt $T/rw.csv >$T/rwi.csv"
$EV score 2 6000 "$T/rwi.csv" walk 5 >"$T/rw.score"
sed 's/^/# walk: /' "$T/rw.score"
for x in "type 0.01" "price 0.0002" "dist 0.1"; do
	set -- $x
	check rw-$1 awk -v g="$(val gain_$1 "$T/rw.score")" -v s="$(val se_$1 "$T/rw.score")" -v e="$2" 'BEGIN { exit !(g != "" && g < 3 * s + e) }'
done

t_done
