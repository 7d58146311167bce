# make sweep, sweep-parallel and walkforward (tests/sweep.mk) on a tiny grid,
# in a clean copy of the sources (make builds the programs first): the table, make's dependencies (a second run does nothing, one setting
# redoes only its cells), GNU parallel's table against make's, and the
# walk-forward rule checked independently with tests/ckpt_read.py.
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
unset MAKEFLAGS MFLAGS MAKELEVEL
candle-feed --from 2024-06-14 --to 2024-06-21 "$DATA" >"$T/slice.csv"
cat >"$T/tiny.grid" <<'END'
# three cells: two against pivot labels, one against every-candle labels
labels=pivots window=8,16
labels=every window=8
END
# a clean copy of the sources: make builds the programs the sweep needs
C=$T/clone
mkdir "$C"
tar cf - Makefile cmd lib/*/*.c lib/*/*.h tests/sweep.mk tests/sweep | (cd "$C" && tar xf -)
M="make -C $C --no-print-directory DATA=$T/slice.csv GRID=$T/tiny.grid"
M="$M SWEEP_DIR=$T/sw SWEEP_DIM=8 SWEEP_LAYERS=1 SWEEP_HEADS=2 SWEEP_EPOCHS=1"
# tiny models are unsure: let every signal enter, so that cells trade
M="$M BT_ENTER=0"
CELLS="every-w8 pivots-w16 pivots-w8"

# newer NAME...: the cells whose checkpoint is newer than $T/mark
newer() {
	for c in "$@"; do
		[ -n "$(find "$T/sw/$c/model.ckpt" -newer "$T/mark")" ] && echo "$c"
	done | tr '\n' ' '
}

# ---- a tiny sweep from a clean copy, two jobs at a time
expect sweep-j2 0 "$M -j2 sweep >$T/log 2>&1"
check built-programs test -x "$C/bin/train-batch" -a -x "$C/bin/infer" -a -x "$C/bin/backtest"
check table-csv test -s "$T/sw/results.csv"
expect table-header 0 "head -n 1 $T/sw/results.csv | cut -d, -f1-8" "cell,labels,window,dim,layers,heads,lr,epochs"
expect table-cells 0 "sed 1d $T/sw/results.csv | cut -d, -f1 | sort | xargs" "$CELLS"
# sorted by sharpe (column 18), best first; cells without one (null: no
# trade) last
expect table-sorted 0 "awk -F, 'NR > 1 && \$18 != \"\" && (none || (NR > 2 && \$18 + 0 > prev + 0)) { print \"unsorted at \" NR } NR > 1 { prev = \$18; if (\$18 == \"\") none = 1 }' $T/sw/results.csv" ""
# the table carries each cell's own backtest and train-batch figures
for c in $CELLS; do
	# the top-level sharpe: nested objects dropped first
	s=$(sed 's/^ *{//; :a; s/{[^{}]*}//g; s/\[[^][]*\]//g; ta' "$T/sw/$c/backtest.json" |
	    tr ',' '\n' | sed -n 's/^ *"sharpe": *//p' | sed 's/^null$//')
	g=$(sed -n 's/^ *"generation": *\([0-9]*\).*/\1/p' "$T/sw/$c/train.json")
	expect "table-$c" 0 "awk -F, '\$1 == \"$c\" { print \$18, \$9 }' $T/sw/results.csv" "$s $g"
done
expect table-md 0 "sed -n '1p;3p' $T/sw/results.md | cut -d'|' -f2-4" " rank | cell | labels 
 1 | $(sed -n '2s/,.*//p' "$T/sw/results.csv") | $(sed -n '2s/^[^,]*,\([^,]*\),.*/\1/p' "$T/sw/results.csv") "
expect md-rows 0 "wc -l <$T/sw/results.md" "5"
# every cell has its own checkpoint, with the cell's settings
expect own-checkpoints 0 "ls -i $T/sw/*/model.ckpt | awk '{ print \$1 }' | sort -u | wc -l" "3"
expect ckpt-settings 0 "infer --info -m $T/sw/pivots-w16/model.ckpt | sed -n 's/^\(window\|width\|layers\): *//p' | xargs" "16 8 1"

# ---- a second run does nothing
expect up-to-date 0 "$M -q sweep"
touch "$T/mark"
expect second-run 0 "$M sweep" "make: Nothing to be done for 'sweep'."
expect second-run-untouched 0 "find $T/sw -type f -newer $T/mark | wc -l" "0"

# ---- one setting redoes only its cells: the threshold is every's alone
expect threshold-stale 1 "$M -q sweep SWEEP_THRESHOLD=0.005"
expect threshold-run 0 "$M -j2 sweep SWEEP_THRESHOLD=0.005 >$T/log"
expect threshold-only-every 0 "sed -n 's,^sh tests/sweep/cell \([a-z]*\) .*/,\1 ,p' $T/log | xargs" \
    "train every-w8 predict every-w8 backtest every-w8"
check threshold-redone test "$(newer $CELLS)" = "every-w8 "
expect threshold-up-to-date 0 "$M -q sweep SWEEP_THRESHOLD=0.005"
expect threshold-table 0 "grep -c '^every-w8,' $T/sw/results.csv" "1"
# a changed grid line: the new cell is made, the others are kept
touch "$T/mark"
sed -i 's/window=8,16/window=8,12/' "$T/tiny.grid"
expect grid-edit 0 "$M -j2 sweep SWEEP_THRESHOLD=0.005 >/dev/null"
check grid-edit-redone test "$(newer every-w8 pivots-w8 pivots-w12)" = "pivots-w12 "
expect grid-edit-cells 0 "sed 1d $T/sw/results.csv | cut -d, -f1 | sort | xargs" "every-w8 pivots-w12 pivots-w8"
# the data and the binaries are dependencies too
touch "$T/slice.csv"
expect data-stale 1 "$M -q sweep SWEEP_THRESHOLD=0.005"
expect data-run 0 "$M -j2 sweep SWEEP_THRESHOLD=0.005 >/dev/null"
touch -r "$C/bin/backtest" "$T/mark"
touch "$C/bin/backtest"
expect bin-stale 1 "$M -q sweep SWEEP_THRESHOLD=0.005"
touch -r "$T/mark" "$C/bin/backtest"
expect bin-restored 0 "$M -q sweep SWEEP_THRESHOLD=0.005"
# a bad grid is refused before anything runs
echo "labels=pivots widow=8" >"$T/bad.grid"
expect bad-grid 2 "$M sweep GRID=$T/bad.grid"
errhas bad-grid-msg "bad.grid:1: unknown key widow"

# ---- backtest settings as grid keys: the policy swept; a backtest-only
# change redoes the backtests alone
cat >"$T/bt.grid" <<'END'
labels=pivots window=8 min_hold=0,5 on_hold=keep,exit fee=0.001
END
B="$M GRID=$T/bt.grid SWEEP_DIR=$T/bts"
BTCELLS="pivots-w8-mh0-fee0.001-ohexit pivots-w8-mh0-fee0.001-ohkeep pivots-w8-mh5-fee0.001-ohexit pivots-w8-mh5-fee0.001-ohkeep"
expect bt-grid 0 "$B -j2 sweep >$T/log 2>&1"
expect bt-grid-cells 0 "sed 1d $T/bts/results.csv | cut -d, -f1 | sort | xargs" "$BTCELLS"
for c in $BTCELLS; do
	mh=${c#pivots-w8-mh}; mh=${mh%%-*}
	oh=${c##*-oh}
	check "bt-grid-settings-$c" /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["settings"]
assert s["min_hold"] == int(sys.argv[2]) and s["on_hold"] == sys.argv[3], s
assert s["fee"] == 0.001 and s["cooldown"] == "auto" and s["periods_per_year"] is None
assert s["enter"] == 0
' "$T/bts/$c/backtest.json" "$mh" "$oh"
	expect "bt-grid-table-$c" 0 "awk -F, '\$1 == \"$c\" { print \$27, \$30 }' $T/bts/results.csv" "$mh $oh"
done
touch "$T/mark"
expect bt-grid-cooldown 0 "$B -j2 sweep BT_COOLDOWN=3 >$T/log 2>&1"
expect bt-grid-backtest-only 0 "sed -n 's,^sh tests/sweep/cell \([a-z]*\) .*,\1,p' $T/log | sort -u | xargs" "backtest"
check bt-grid-models-kept test -z "$(find "$T"/bts/*/model.ckpt -newer "$T/mark")"
check bt-grid-cooldown-echo /usr/bin/python3 -c '
import json, sys
assert json.load(open(sys.argv[1]))["settings"]["cooldown"] == 3
' "$T/bts/pivots-w8-mh0-fee0.001-ohkeep/backtest.json"
echo "labels=pivots on_hold=maybe" >"$T/badbt.grid"
expect bad-bt-grid 2 "$M sweep GRID=$T/badbt.grid SWEEP_DIR=$T/bad2"
errhas bad-bt-grid-msg "on_hold must be keep or exit"

# ---- GNU parallel on this host gives make's table
expect parallel 0 "$M sweep-parallel SWEEP_THRESHOLD=0.005 HOSTS=: SWEEP_DIR=$T/par >/dev/null"
check parallel-same-table cmp -s "$T/sw/results.csv" "$T/par/results.csv"
check parallel-same-md cmp -s "$T/sw/results.md" "$T/par/results.md"
expect parallel-up-to-date 0 "$M -q sweep SWEEP_THRESHOLD=0.005 SWEEP_DIR=$T/par"
expect parallel-nothing-left 0 "$M sweep-parallel SWEEP_THRESHOLD=0.005 HOSTS=: SWEEP_DIR=$T/par 2>&1 | grep -c 'cell all'" "1"

# ---- walk-forward: 480 candles of history, 3 periods of 240
W="$M WF_DIR=$T/wf WF_TRAIN=480 WF_STEP=240 WF_EPOCHS=1"
expect walkforward 0 "$W walkforward"
expect wf-folds 0 "sed 1d $T/wf/folds.csv | wc -l" "3"
expect wf-compare 0 "cut -d, -f1 $T/wf/compare.csv | sed -n '2,4p' | xargs" "candles trades return_pct"
expect wf-candles 0 "grep '^candles,' $T/wf/compare.csv" "candles,720,720"
expect wf-up-to-date 0 "$W -q walkforward"

# wfrule DIR: every prediction's time is after the trained_until of the
# checkpoint that made it, and its model_gen is that checkpoint's; read
# with tests/ckpt_read.py, independently of the roller's own check
wfrule() {
	/usr/bin/python3 - "$1" <<'END'
import csv, glob, os, sys
from datetime import datetime, timezone
sys.path.insert(0, 'tests')
from ckpt_read import read

def ns(t):
    d = datetime.fromisoformat(t.replace('Z', '+00:00'))
    return int(d.replace(tzinfo=timezone.utc).timestamp()) * 10**9 + d.microsecond * 1000

d, n, bad = sys.argv[1], 0, []
pairs = [(f, f) for f in sorted(glob.glob(d + '/fold-*'))]
pairs.append((d + '/fold-000', d))          # the model trained once
for model, preds in pairs:
    c = read(model + '/model.ckpt')
    name = 'once.csv' if preds == d else 'pred.csv'
    for row in csv.DictReader(open(os.path.join(preds, name))):
        if not row['action']:
            continue
        n += 1
        if ns(row['time']) <= c['trained_until'] or int(row['model_gen']) != c['generation']:
            bad.append(f"{preds}/{name}: {row['time']} gen {row['model_gen']}")
print(n, 'predictions,', len(bad), 'bad', *bad[:1])
sys.exit(1 if bad or n == 0 else 0)
END
}
check wf-rule-python wfrule "$T/wf" >/dev/null
expect wf-rule-roller 0 "sh $C/tests/sweep/walk check $T/wf"
expect wf-all-predicted 0 "sed 1d $T/wf/walk.csv | awk -F, '\$7 == \"\"' | wc -l" "0"
expect wf-rows 0 "sed 1d $T/wf/walk.csv | wc -l" "720"
# generations rise fold by fold: each fold retrains the one before
expect wf-warm 0 "awk -F, 'NR > 2 && \$7 <= g { print \"not rising\" } NR > 1 { g = \$7 }' $T/wf/folds.csv" ""
# a walk whose first fold was made by a later model breaks the rule, and
# both checks say so
cp -R "$T/wf" "$T/bad"
cp "$T/bad/fold-002/model.ckpt" "$T/bad/fold-000/model.ckpt"
if wfrule "$T/bad" >/dev/null 2>&1; then fail "wf-bad-python: a lookahead passed"; else pass; fi
expect wf-bad-roller 1 "sh $C/tests/sweep/walk check $T/bad"
errhas wf-bad-roller-msg "fold-000/pred.csv:2: prediction for"

t_done
