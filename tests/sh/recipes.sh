#!/bin/sh
# tests/sh/recipes.sh - the README's operating recipes (issue 19, 16):
# the live script, run as written on a file with a bad row, fails (pipefail)
# instead of reporting backtest's success; train-batch stops quietly, with
# status 0, soon after the reader of its standard output goes away; and
# make install gives candlekit-sweep, which runs a sweep and a walk-forward
# outside the source tree.
. "$(dirname "$0")/../lib.sh"
T=$T_TMP
TINY="--window 8 --dim 8 --layers 1 --heads 2"
candle-feed "$DATA" | head -n 3001 >"$T/c.csv"

# --- the live script, as the README gives it ------------------------------
awk '/^\t#!\// { f = 1 } f && !/^\t/ { f = 0 } f { sub(/^\t/, ""); print }' README |
    awk '/^#!\// { n++ } n == 2' >"$T/live.sh"
check live-found grep -q 'train-candle -m live.ckpt' "$T/live.sh"
interp=$(sed -n '1s/^#!//p' "$T/live.sh")
mkdir "$T/srv"
sed -e "s|/srv/candles|$T/srv|" -e 's/ --follow//' "$T/live.sh" >"$T/srv/live.sh"
train-batch -m "$T/srv/live.ckpt" --new --seed 1 $TINY --labels every \
    --epochs 1 "$T/c.csv" >/dev/null
# good candles, then one whose low is above its close: candle-feed stops, 65
{ zcat "$DATA" | head -n 1000; echo '2024-12-01T00:00:00Z,8,8.1,9,8.05,100'; } \
    >"$T/srv/BTCUSDT-1m.csv"
expect live-bad-row 65 "$interp $T/srv/live.sh"
errhas live-bad-row-msg "low above"
check live-bad-row-logged grep -q 'live ended: status 65' "$T/out"
zcat "$DATA" | head -n 1000 >"$T/srv/BTCUSDT-1m.csv"
expect live-good 0 "$interp $T/srv/live.sh"

# --- train-batch | head -1 -------------------------------------------------
# 2000 epochs would take minutes; the header line is all head wants.  The
# timeout only guards a hang; the check is the status, the silence and the
# few steps taken.
expect head-new 0 "train-batch -m $T/h.ckpt --new --seed 1 $TINY --labels every --epochs 1 $T/c.csv >/dev/null"
expect head-closed 0 "timeout 300 train-batch -m $T/h.ckpt --labels every --epochs 2000 $T/c.csv | head -n 1"
check head-closed-header [ "$(wc -l <"$T/out")" -eq 1 ] && grep -q '^epoch,train_loss,' "$T/out"
check head-closed-quiet [ ! -s "$T/err" ]
st=$(bash -c "timeout 300 train-batch -m $T/h.ckpt --labels every --epochs 2000 $T/c.csv 2>$T/herr | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}")
check head-closed-status [ "$st" = 0 ]
check head-closed-status-quiet [ ! -s "$T/herr" ]
gen=$(infer --info -m "$T/h.ckpt" | sed -n 's/^generation: *//p')
# an epoch is 38 steps of 64 samples here: far fewer than 2 x 2000 epochs
check head-closed-stopped [ "${gen:-999999}" -lt 1000 ]

# --- candlekit-sweep -------------------------------------------------------
expect install 0 "make -s install PREFIX=$T/inst"
check install-sweep [ -x "$T/inst/bin/candlekit-sweep" ]
check install-share [ -f "$T/inst/share/candlekit/sweep.mk" ]
mkdir "$T/w"
cp "$T/c.csv" "$T/w/c.csv"
echo "labels=every window=8 dim=8 layers=1 heads=2 epochs=1" >"$T/w/g.grid"
P="PATH=$T/inst/bin:/usr/bin:/bin"
expect sweep-usage 2 "cd $T/w && env $P candlekit-sweep sweep"
errhas sweep-usage-msg "give DATA=file"
expect sweep-help 0 "env $P candlekit-sweep --help"
expect sweep 0 "cd $T/w && env $P candlekit-sweep sweep DATA=c.csv GRID=g.grid"
check sweep-table grep -q '^| 1 | every-w8-d8-L1-h2-e1 |' "$T/w/sweep/results.md"
expect sweep-again 0 "cd $T/w && env $P candlekit-sweep sweep DATA=c.csv GRID=g.grid -q"
expect walkforward 0 "cd $T/w && env $P candlekit-sweep walkforward DATA=c.csv WF_TRAIN=1000 WF_STEP=1000 SWEEP_WINDOW=8 SWEEP_DIM=8 SWEEP_LAYERS=1 SWEEP_HEADS=2 WF_EPOCHS=1"
check walkforward-compare [ -s "$T/w/walkforward/compare.md" ]
check no-source-tree [ ! -e "$T/w/tests" ]
expect uninstall 0 "make -s uninstall PREFIX=$T/inst"
check uninstalled [ ! -e "$T/inst/bin/candlekit-sweep" ] && [ ! -e "$T/inst/share/candlekit" ]

t_done
