#!/bin/sh
# tests/sh/numerics.sh - the promise of model-checkpoint(5), NUMERICS: the
# same binary on the same CPU class with the same thread count and the
# same backend of training's products gives byte-identical checkpoints,
# whichever CPUs the threads run on; auto's choice, once cached, holds
# from run to run.  (Another compiler, CPU class, thread count or backend
# is promised the same model up to rounding only: the golden and gradient
# tests check that, not this file.)
. "$(dirname "$0")/../lib.sh"
T=$T_TMP
candle-feed --last 2000 "$DATA" >"$T/c.csv"
train-batch -m "$T/0.ckpt" --new --window 8 --dim 16 --layers 1 --heads 2 \
    --labels every --epochs 1 --val 0 --seed 3 "$T/c.csv" >/dev/null 2>&1 ||
	{ echo "cannot create a test model" >&2; exit 1; }

# run NAME THREADS [PREFIX...]: train a copy of 0.ckpt into NAME.ckpt on
# THREADS threads, the command after PREFIX (variables, taskset)
run() {
	n=$1 th=$2
	shift 2
	cp "$T/0.ckpt" "$T/$n.ckpt"
	expect "train $n" 0 "$* train-batch -m $T/$n.ckpt --labels every \
	    --epochs 2 --batch 32 --val 0 --seed 5 --threads $th $T/c.csv >/dev/null"
}
same() { check "$1 = $2" cmp -s "$T/$1.ckpt" "$T/$2.ckpt"; }

for be in native blas; do
	for th in 1 2; do
		run $be$th.a $th CANDLEKIT_MATMUL=$be
		run $be$th.b $th CANDLEKIT_MATMUL=$be
		same $be$th.a $be$th.b
		check "$be$th trained" eval "! cmp -s $T/0.ckpt $T/$be$th.a.ckpt"
	done
	# two threads on one CPU: the count matters, not where they run
	if command -v taskset >/dev/null; then
		run $be.one 2 CANDLEKIT_MATMUL=$be taskset -c 0
		same $be.one ${be}2.a
	fi
done
# auto through a fresh cache: the first run times and writes it, the
# second reads it; both take the same backend, so the same bytes
run auto.a 1 CANDLEKIT_CACHE=$T/cache
run auto.b 1 CANDLEKIT_CACHE=$T/cache
same auto.a auto.b
check "cache one line" eval "[ \$(wc -l <$T/cache) = 1 ]"
# its choices: one per product, forward and backward (n native, b blas);
# all of one backend: the same bytes as that backend's run
ch=$(cut -f2 "$T/cache")
check "cache choices" eval "echo '$ch' | grep -Eqx '([0-9]+x[0-9]+:[nb][nb] ?)+'"
all() { [ -z "$(echo "$ch" | tr ' ' '\n' | grep -v ":$1\$")" ]; }
if all nn; then same auto.a native1.a; elif all bb; then same auto.a blas1.a; fi
t_done
