#!/bin/sh
# tests/valgrind-pipeline.sh - every stage of the pipeline
#   candle-feed -> pivots -> train-candle -> backtest
# (and infer, train-batch on the same slice) under valgrind memcheck, one
# stage at a time on the previous stage's output: no memory error, no leak
# (definite, indirect or possible), else exit 1.  Not part of make test (a
# few minutes); CI runs it after the suite.  Needs the normal build (make):
# valgrind cannot run the sanitizer build.  A stage whose program is not
# built yet is skipped with a note.  ROWS=N sets the slice (default 150).
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
ROWS=${ROWS:-150}
T=$(mktemp -d "${TMPDIR:-/tmp}/ck-vg.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
VG="valgrind -q --error-exitcode=1 --leak-check=full \
--show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes"
status=0
ran=0

have() { [ -x "bin/$1" ]; }

# stage NAME OUTPUT COMMAND...: run once plainly (for the next stage's
# input), then under valgrind; the outputs must agree (OUTPUT "-": a
# stage whose runs differ, e.g. a trainer: not compared).
stage() {
	name=$1 out=$2
	shift 2
	if ! have "$name"; then
		echo "SKIP $name: not in bin/ yet"
		return 1
	fi
	t0=$(date +%s)
	cmpout=$out
	[ "$out" = - ] && out=$T/$name.out cmpout=$T/$name.vgout
	if ! "$@" >"$out" 2>"$T/$name.err"; then
		echo "FAIL $name: fails without valgrind:"; sed 's/^/	/' "$T/$name.err" | head -5
		status=1
		return 1
	fi
	if $VG "$@" >"$T/$name.vgout" 2>"$T/$name.vg"; then
		if cmp -s "$cmpout" "$T/$name.vgout"; then
			echo "ok   $name ($(( $(date +%s) - t0 )) s)"
		else
			echo "FAIL $name: output differs under valgrind"
			status=1
		fi
	else
		echo "FAIL $name: valgrind:"
		grep -v '^--' "$T/$name.vg" | head -40 | sed 's/^/	/'
		status=1
	fi
	ran=$((ran + 1))
	return 0
}

zcat tests/data/hqchart_600000sh_1m.csv.gz | head -n $((ROWS + 1)) >"$T/raw.csv"
stage candle-feed "$T/feed.csv" bin/candle-feed "$T/raw.csv" ||
	sed '1s/timestamp/time/' "$T/raw.csv" >"$T/feed.csv"
stage pivots "$T/piv.csv" bin/pivots "$T/feed.csv" ||
	cp "$T/feed.csv" "$T/piv.csv"
# A small model; train-batch makes it when built, else the test tool.
if have train-batch; then
	bin/train-batch -m "$T/m.ckpt" --new --window 8 --dim 16 --layers 1 \
	    --heads 2 --labels every --epochs 1 "$T/feed.csv" >/dev/null 2>&1
	cp "$T/m.ckpt" "$T/m0.ckpt"
	stage train-batch - bin/train-batch -m "$T/m0.ckpt" \
	    --labels every --epochs 1 "$T/feed.csv"
elif [ -x tests/unit/faults ]; then
	echo "SKIP train-batch: not in bin/ yet (model from tests/unit/faults)"
	tests/unit/faults create "$T/m.ckpt"
fi
stage infer "$T/inf.csv" bin/infer -m "$T/m.ckpt" "$T/piv.csv"
# train-candle changes the model: each run starts from the same copy.
if have train-candle; then
	cp "$T/m.ckpt" "$T/tc.ckpt"
	cp "$T/m.ckpt" "$T/tc-vg.ckpt"
	t0=$(date +%s)
	bin/train-candle -m "$T/tc.ckpt" --on every "$T/piv.csv" >"$T/pred.csv" 2>"$T/tc.err" ||
	    { echo "FAIL train-candle without valgrind:"; head -5 "$T/tc.err"; status=1; }
	if $VG bin/train-candle -m "$T/tc-vg.ckpt" --on every "$T/piv.csv" \
	    >"$T/pred-vg.csv" 2>"$T/tc.vg"; then
		echo "ok   train-candle ($(( $(date +%s) - t0 )) s)"
	else
		echo "FAIL train-candle: valgrind:"
		grep -v '^--' "$T/tc.vg" | head -40 | sed 's/^/	/'
		status=1
	fi
	ran=$((ran + 1))
	stage backtest "$T/bt.csv" bin/backtest "$T/pred.csv"
else
	echo "SKIP train-candle: not in bin/ yet"
	[ -s "$T/inf.csv" ] && stage backtest "$T/bt.csv" bin/backtest "$T/inf.csv"
fi
echo "valgrind: $ran stages checked"
[ $ran -gt 0 ] || exit 1
exit $status
