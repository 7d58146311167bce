#!/bin/sh
# tests/sh/concurrency.sh - the test that motivated the design: on one
# checkpoint at once, train-batch, two train-candle --on every, one
# train-candle --on pivots fed by candle-feed --replay 0, a loop of manual
# --label calls, and an infer reading the same checkpoint.  All exit 0; each
# trainer reports the same samples, labels and steps as when it runs alone;
# the final generation is the start plus the sum of every process's steps;
# infer never failed a load and saw the generation rise.
. "$(dirname "$0")/../lib.sh"
M=$T_TMP/m.ckpt
W=8
candle-feed --last 700 "$DATA" >"$T_TMP/all.csv"
head -401 "$T_TMP/all.csv" >"$T_TMP/a.csv"
{ head -1 "$T_TMP/all.csv"; tail -300 "$T_TMP/all.csv"; } >"$T_TMP/b.csv"
pivots "$T_TMP/a.csv" >"$T_TMP/pa.csv"
pivots "$T_TMP/b.csv" >"$T_TMP/pb.csv"
train-batch -m "$M" --new --window $W --dim 16 --layers 1 --heads 2 \
    --labels every --epochs 1 --seed 11 "$T_TMP/a.csv" >/dev/null 2>&1 ||
	{ echo "cannot create a test model" >&2; exit 1; }
gen() { infer --info -m "$1" | awk '/^generation:/ { print $2 }'; }
# the counts that must not depend on other processes
counts() { sed -n 's/.*\(samples=.* steps=[0-9]*\).*/\1/p' "$1"; }
steps() { sed -n 's/.* steps=\([0-9]*\).*/\1/p' "$1"; }

# each process as the one workload: the run itself, on a checkpoint copy
every_a() { train-candle -m "$1" --on every "$T_TMP/pa.csv" >/dev/null; }
every_b() { train-candle -m "$1" --on every "$T_TMP/pb.csv" >/dev/null; }
on_piv() {
	candle-feed --replay 0 "$T_TMP/a.csv" | pivots |
	    train-candle -m "$1" --on pivots >/dev/null
}
batch() {
	train-batch -m "$1" --labels every --epochs 2 --slice 0.05 --no-calibrate \
	    --seed 5 "$T_TMP/b.csv" >/dev/null
}
labels() {
	for i in 1 2 3 4 5 6; do
		candle-feed --last 100 "$T_TMP/a.csv" |
		    train-candle -m "$1" --label BUY >/dev/null || return 1
	done
}
g0=$(gen "$M")
alone_total=0
for w in every_a every_b on_piv batch labels; do
	cp "$M" "$T_TMP/alone.ckpt"
	$w "$T_TMP/alone.ckpt" 2>"$T_TMP/alone.$w"
	check alone-$w [ $? = 0 ]
	d=$(($(gen "$T_TMP/alone.ckpt") - g0))
	eval "alone_$w=$d"
	alone_total=$((alone_total + d))
done
check alone-labels-6 [ "$alone_labels" = 6 ]

# all at once, with an infer reading the same checkpoint slowly
cat >"$T_TMP/slow.py" <<'EOF'
import sys, time
for line in open(sys.argv[1], "rb"):
    sys.stdout.buffer.write(line)
    sys.stdout.buffer.flush()
    time.sleep(0.003)
EOF
{
	/usr/bin/python3 "$T_TMP/slow.py" "$T_TMP/b.csv" |
	    infer -m "$M" >"$T_TMP/infer.out" 2>"$T_TMP/infer.err"
	echo $? >"$T_TMP/st.infer"
} &
for w in every_a every_b on_piv batch labels; do
	{ $w "$M" 2>"$T_TMP/conc.$w"; echo $? >"$T_TMP/st.$w"; } &
done
wait
for w in every_a every_b on_piv batch labels; do
	check conc-$w-status [ "$(cat "$T_TMP/st.$w")" = 0 ]
done
for w in every_a every_b on_piv; do
	check same-counts-$w [ "$(counts "$T_TMP/conc.$w")" = "$(counts "$T_TMP/alone.$w")" ]
	check same-steps-$w [ "$(steps "$T_TMP/conc.$w")" = "$(eval echo \$alone_$w)" ]
	check some-steps-$w [ "$(eval echo \$alone_$w)" -gt 10 ]
done
check final-generation [ "$(gen "$M")" = $((g0 + alone_total)) ]
check infer-status [ "$(cat "$T_TMP/st.infer")" = 0 ]
check infer-no-load-failure grep -q 'load_failures=0' "$T_TMP/infer.err"
check infer-rows [ "$(wc -l <"$T_TMP/infer.out")" = 301 ]
# infer saw newer weights while it ran
first=$(sed -n "$((W + 2))p" "$T_TMP/infer.out" | awk -F, '{ print $NF }')
last=$(tail -1 "$T_TMP/infer.out" | awk -F, '{ print $NF }')
check infer-gen-rises [ "$last" -gt "$first" ]

t_done
