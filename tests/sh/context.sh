#!/bin/sh
# tests/sh/context.sh - context sequences (issue 17): learning what only a
# context can tell (a 4-hour candle; a reference instrument's candle,
# joined by candle-feed --join), --info, the warm-up, bounded memory, the
# numpy reference (tests/ref/infer_ref.py), no lookahead across bucket
# boundaries (the prefix property, chunked input), train-candle beside
# infer and in every mode, the lock with two trainers, hot reload, usage
# and data errors.
. "$(dirname "$0")/../lib.sh"
C=$T_TMP/c.csv
# (under the sanitizers a quarter of it: enough for the warm-up, memory and
# lookahead checks below, with the learning checks not judged there)
N=28800
sanitized && N=7200
awk -v n=$N -v seed=11 -v every=6 -v ann4h="$T_TMP/a.ann" \
    -v annref="$T_TMP/b.ann" -f tests/gen_context.awk >"$T_TMP/gen.csv"
# the two walks as two files, joined again by candle-feed --join
cut -d, -f1-6 "$T_TMP/gen.csv" >"$T_TMP/main.csv"
cut -d, -f1,7-11 "$T_TMP/gen.csv" |
    sed '1s/.*/time,open,high,low,close,volume/' >"$T_TMP/ref.csv"
expect join 0 "candle-feed --join REF=$T_TMP/ref.csv $T_TMP/main.csv >$C"
check join-same cmp -s "$C" "$T_TMP/gen.csv"
# the last epoch's validation accuracy (held-out: the latest 20%)
valacc() { tail -1 "$1" | cut -d, -f4; }
# and the majority class's share there
major() { tail -1 "$1" | cut -d, -f6; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }
# near chance: no more than 0.08 above the larger class's share of the
# held-out labels (two classes, BUY and SELL: majority_acc is the training
# majority's share there, m, or 1 - m)
nearchance() { ! ge "$(valacc "$1")" "$(awk -v m="$(major "$1")" 'BEGIN { print (m > 0.5 ? m : 1 - m) + 0.08 }')"; }

# (a) the direction of the last completed 4-hour candle
train() {	# name annotations [options]
	n=$1 a=$2; shift 2
	expect "learn-$n" 0 "train-batch -m $T_TMP/$n.ckpt --new --annotations $a --epochs $EP --threads 1 --seed 3 $* $C >$T_TMP/$n.out"
}
# under the sanitizers: one short epoch, accuracy not judged (make test
# judges it)
EP=5
sanitized && EP=1
train a-plain "$T_TMP/a.ann"
train a-ctx "$T_TMP/a.ann" --context 4h:8
# (b) the direction of the reference's candle of the same minute (joined)
train b-plain "$T_TMP/b.ann"
train b-ref "$T_TMP/b.ann" --ref REF
for n in a-plain a-ctx b-plain b-ref; do
	echo "context.sh: held-out accuracy $n $(valacc "$T_TMP/$n.out")" \
	    "(majority class $(major "$T_TMP/$n.out"))"
done
sanitized || check a-plain-near-chance nearchance "$T_TMP/a-plain.out"
sanitized || check a-ctx-learns ge "$(valacc "$T_TMP/a-ctx.out")" 0.9
sanitized || check b-plain-near-chance nearchance "$T_TMP/b-plain.out"
sanitized || check b-ref-learns ge "$(valacc "$T_TMP/b-ref.out")" 0.9
expect info 0 "infer --info -m $T_TMP/a-ctx.ckpt | grep -E '^(context|reference):'" "context:       4h:8"
expect info-ref 0 "infer --info -m $T_TMP/b-ref.ckpt | grep -E '^(context|reference):'" "reference:     REF:32"
expect info-plain 0 "infer --info -m $T_TMP/a-plain.ckpt | awk '/^(context|reference):/ { n++ } END { print n + 0 }'" "0"

# the warm-up of 4h:8: nine 4-hour buckets, the ninth in progress: the
# first prediction is at the first candle of the ninth (row 8 * 240)
expect warmup-run 0 "head -2501 $C | infer -m $T_TMP/a-ctx.ckpt >$T_TMP/w.csv"
check warmup-empty [ "$(sed -n "2,$((8 * 240 + 1))p" "$T_TMP/w.csv" | cut -d, -f12 | grep -c .)" = 0 ]
check warmup-first [ -n "$(sed -n "$((8 * 240 + 2))p" "$T_TMP/w.csv" | cut -d, -f12)" ]
errhas warmup-counts "rows=2500 predictions=$((2500 - 8 * 240))"
expect warmup-reference 0 "/usr/bin/python3 tests/ref/infer_ref.py $T_TMP/a-ctx.ckpt $T_TMP/w.csv"

# memory: bounded by the longest context, not by the input's length
if [ -x /usr/bin/time ]; then
	rss() { /usr/bin/time -f %M infer -m "$T_TMP/a-ctx.ckpt" "$1" 2>&1 >/dev/null | tail -1; }
	head -2501 "$C" >"$T_TMP/short.csv"
	r1=$(rss "$T_TMP/short.csv") r2=$(rss "$C")
	check memory-bounded [ "$r2" -le $((r1 + 2048)) ]
fi

# a small model with a 1-hour context and the reference: no lookahead
M=$T_TMP/m.ckpt
head -1201 "$C" >"$T_TMP/s.csv"
S=$T_TMP/s.csv
expect small 0 "train-batch -m $M --new --window 8 --dim 16 --layers 1 --heads 2 --context 1h:4 --ref REF:6 --labels every --epochs 1 --seed 5 $S >/dev/null"
expect small-info 0 "infer --info -m $M | grep -E '^(context|reference):'" "context:       1h:4
reference:     REF:6"
expect all 0 "infer -m $M $S >$T_TMP/all.csv"
# rows before 4 full hours (the fifth in progress) have no prediction
errhas all-counts "rows=1200 predictions=$((1200 - 4 * 60))"
# the numpy reference, from model-checkpoint(5) alone (its own resampling)
expect reference 0 "/usr/bin/python3 tests/ref/infer_ref.py $M $T_TMP/all.csv"
# the prefix property, cut at, before and after hour boundaries
for k in 240 241 299 300 301 359 360 361 1000; do
	head -$((k + 1)) "$S" >"$T_TMP/p.csv"
	head -$((k + 1)) "$T_TMP/all.csv" >"$T_TMP/p.want"
	expect prefix-$k 0 "infer -m $M $T_TMP/p.csv | cmp - $T_TMP/p.want"
done
# chunked input: chunks of 1, 2, 3, 5, 13, 100 bytes, each flushed
cat >"$T_TMP/chunks.py" <<'PY'
import sys, time
data = open(sys.argv[1], "rb").read()
out, i, k, sizes = sys.stdout.buffer, 0, 0, [1, 2, 3, 5, 13, 100]
while i < len(data):
    n = sizes[k % len(sizes)]
    out.write(data[i:i + n])
    out.flush()
    i, k = i + n, k + 1
    if k % 97 == 0:
        time.sleep(0.001)
PY
expect chunks 0 "/usr/bin/python3 $T_TMP/chunks.py $S | infer -m $M | cmp - $T_TMP/all.csv"
# train-candle predicts as infer does, and trains a context model
expect tc-none 0 "train-candle -m $M --on none $S | cut -d, -f1-21 >$T_TMP/tc.csv"
expect tc-same 0 "cut -d, -f1-21 $T_TMP/all.csv | cmp - $T_TMP/tc.csv"
g0=$(infer --info -m "$M" | awk '/^generation:/ { print $2 }')
pivots --levels 1 "$S" >"$T_TMP/piv.csv"
expect tc-every 0 "train-candle -m $M --on every $T_TMP/piv.csv >/dev/null"
check tc-steps [ "$(infer --info -m "$M" | awk '/^generation:/ { print $2 }')" -gt "$g0" ]
expect tc-label 0 "train-candle -m $M --label BUY $S"
expect tc-pivots 0 "train-candle -m $M --on pivots $T_TMP/piv.csv >/dev/null"
# the lock: two trainers at once on one context checkpoint lose no step
cp "$M" "$T_TMP/two.ckpt"
g1=$(infer --info -m "$T_TMP/two.ckpt" | awk '/^generation:/ { print $2 }')
train-candle -m "$T_TMP/two.ckpt" --on every "$T_TMP/piv.csv" >/dev/null 2>"$T_TMP/t1.err" &
train-candle -m "$T_TMP/two.ckpt" --on every "$T_TMP/piv.csv" >/dev/null 2>"$T_TMP/t2.err"
wait
steps() { sed -n 's/.* steps=\([0-9]*\).*/\1/p' "$1"; }
check two-steps [ "$(steps "$T_TMP/t1.err")" -gt 0 ]
check two-no-lost-step [ "$(infer --info -m "$T_TMP/two.ckpt" | awk '/^generation:/ { print $2 }')" = $((g1 + $(steps "$T_TMP/t1.err") + $(steps "$T_TMP/t2.err"))) ]
expect tc-label-warmup 65 "head -200 $S | train-candle -m $M --label BUY"
errhas tc-label-warmup-why "contexts need more history"

# hot reload: a manual label beside a slowly fed infer raises its
# model_gen; a replacement with other contexts is refused, the weights kept
cat >"$T_TMP/lines.py" <<'PY'
import os, sys, time
data, pause = open(sys.argv[1], "rb").read(), int(sys.argv[2])
for i, line in enumerate(data.splitlines(True)):
    if i == pause:
        while not os.path.exists(sys.argv[3]):
            time.sleep(0.01)
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()
PY
slowinfer() {	# model output: infer on $S, pausing at line 600 until go
	rm -f "$T_TMP/go"
	/usr/bin/python3 "$T_TMP/lines.py" "$S" 600 "$T_TMP/go" |
		infer -m "$1" >"$2" 2>"$2.err" &
	i=0
	while [ "$(cat "$2" 2>/dev/null | wc -l)" -lt 600 ] && [ $i -lt 400 ]; do
		sleep 0.05; i=$((i + 1))
	done
}
cp "$M" "$T_TMP/hot.ckpt"
g0=$(infer --info -m "$T_TMP/hot.ckpt" | awk '/^generation:/ { print $2 }')
slowinfer "$T_TMP/hot.ckpt" "$T_TMP/hot.out"
expect hot-label 0 "train-candle -m $T_TMP/hot.ckpt --label BUY $S | cut -d, -f2,5" "BUY,$((g0 + 1))"
touch "$T_TMP/go"
wait
check hot-before [ "$(sed -n 600p "$T_TMP/hot.out" | cut -d, -f21)" = "$g0" ]
check hot-after [ "$(tail -1 "$T_TMP/hot.out" | cut -d, -f21)" = "$((g0 + 1))" ]
check hot-counts grep -q 'reloads=1 load_failures=0' "$T_TMP/hot.out.err"
cp "$M" "$T_TMP/other.ckpt"
infer -m "$T_TMP/other.ckpt" "$S" >"$T_TMP/other.want" 2>/dev/null
slowinfer "$T_TMP/other.ckpt" "$T_TMP/other.out"
train-batch -m "$T_TMP/o2.ckpt" --new --window 8 --dim 16 --layers 1 --heads 2 --context 1h:5 --ref REF:6 --labels every --epochs 1 "$S" >/dev/null 2>&1
mv "$T_TMP/o2.ckpt" "$T_TMP/other.ckpt"
touch "$T_TMP/go"
wait
check other-kept cmp -s "$T_TMP/other.out" "$T_TMP/other.want"
check other-warned grep -q 'another configuration' "$T_TMP/other.out.err"

# errors: usage, missing or bad reference columns
expect usage-context 2 "train-batch -m $T_TMP/u.ckpt --new --context 1h $S"
expect usage-context-tf 2 "train-batch -m $T_TMP/u.ckpt --new --context 1x:4 --labels every $S"
expect usage-context-new 2 "train-batch -m $M --context 1h:4 --labels every $S"
expect usage-ref 2 "train-batch -m $T_TMP/u.ckpt --new --ref 'A B' --labels every $S"
expect usage-too-many 2 "train-batch -m $T_TMP/u.ckpt --new --context 1h:2,2h:2,3h:2 --ref A --ref B --labels every $S"
expect no-warmup 65 "train-batch -m $T_TMP/u.ckpt --new --context 1d:30 --labels every $S"
errhas no-warmup-why "contexts' warm-up"
check no-warmup-no-file [ ! -e "$T_TMP/u.ckpt" ]
cut -d, -f1-6 "$S" >"$T_TMP/noref.csv"
expect no-ref-cols 65 "infer -m $M $T_TMP/noref.csv"
errhas no-ref-cols-why "no column REF_open"
expect no-ref-cols-train 65 "train-batch -m $M --labels every $T_TMP/noref.csv"
sed '500s/,[^,]*$/,-3/' "$S" >"$T_TMP/badref.csv"
expect bad-ref 65 "infer -m $M $T_TMP/badref.csv >/dev/null"
errhas bad-ref-where "badref.csv:500: reference REF"
# rows without the reference (empty columns) start its history anew
awk -F, -v OFS=, 'NR >= 400 && NR < 403 { $7 = $8 = $9 = $10 = $11 = "" } 1' "$S" >"$T_TMP/gap.csv"
expect gap 0 "infer -m $M $T_TMP/gap.csv >$T_TMP/gap.out"
check gap-empty [ "$(sed -n '400,407p' "$T_TMP/gap.out" | cut -d, -f12 | grep -c .)" = 0 ]
check gap-after [ -n "$(sed -n 409p "$T_TMP/gap.out" | cut -d, -f12)" ]
expect gap-reference 0 "/usr/bin/python3 tests/ref/infer_ref.py $M $T_TMP/gap.out"
t_done
