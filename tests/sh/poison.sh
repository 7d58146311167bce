#!/bin/sh
# tests/sh/poison.sh - issue 19, 6: values that pass validation must not
# poison a model.  Prices at both ends of the stream's range side by side
# train to finite weights; a step whose loss, gradient or update is not finite is
# not applied, is counted, makes the trainer exit 65 and is never saved.
# (The loader's refusals are tests/unit/ckpt_values.c, the features
# tests/unit/features.c, the optimizer tests/unit/model.c.)
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
TINY="--window 8 --dim 8 --layers 1 --heads 2"

# 200 one-minute candles, every third at the bottom of the stream's price
# range (1e-15), the others at its top (1e15): ratios of 1e30 between
# neighbours.  (Prices beyond the range, such as 1e-320, which made the
# features infinite before, are refused by the stream (candle-stream(5));
# tests/unit/features.c keeps the features finite for those too.)
awk 'BEGIN { print "time,open,high,low,close,volume"
	for (i = 0; i < 200; i++) { p = i % 3 ? "1e15" : "1e-15"
		printf "%d,%s,%s,%s,%s,%d\n", 1700000000 + 60 * i, p, p, p, p, i % 7 }
}' | candle-feed >"$T/tiny.csv"
check tiny-accepted [ "$(wc -l <"$T/tiny.csv")" -eq 201 ]
printf 'time,open,high,low,close,volume\n1700000000,1e-320,1e-320,1e-320,1e-320,1\n' >"$T/sub.csv"
expect subnormal-refused 65 "candle-feed $T/sub.csv"
errhas subnormal-refused-msg "outside 1e-15..1e+15"

# Before: train_loss NaN (an empty field), every weight NaN, exit 0.
expect tiny-train 0 "train-batch -m $T/t.ckpt --new --seed 1 $TINY --labels every --epochs 2 $T/tiny.csv"
check tiny-loss-finite [ "$(awk -F, 'NR > 1 && ($2 == "" || $3 == "") ' "$T/out" | wc -l)" -eq 0 ]
check tiny-two-epochs [ "$(wc -l <"$T/out")" -eq 3 ]
# the model loads again and predicts numbers, never nan or inf
expect tiny-retrain 0 "train-batch -m $T/t.ckpt --labels every --epochs 1 $T/tiny.csv"
expect tiny-infer 0 "infer -m $T/t.ckpt $T/tiny.csv >$T/pred.csv"
check tiny-infer-finite [ "$(grep -ciE 'nan|inf' "$T/pred.csv")" -eq 0 ]
check tiny-infer-rows [ "$(wc -l <"$T/pred.csv")" -eq 201 ]
# its ghost prices are prices backtest accepts
expect tiny-backtest 0 "backtest $T/pred.csv"

# Steps that cannot be finite: learning rate 10 and weight decay 10 scale
# every weight by -99 a step, so the weights soon overflow.
candle-feed "$DATA" | head -n 1501 >"$T/real.csv"
expect refused-batch 65 "train-batch -m $T/b.ckpt --new --seed 1 $TINY --labels every --epochs 30 --lr 10 --weight-decay 10 $T/real.csv"
errhas refused-batch-msg "steps not applied: loss, gradient or update not finite"
# what was saved is finite and loads
expect refused-batch-loads 0 "infer -m $T/b.ckpt $T/real.csv"
expect refused-batch-info 0 "infer --info -m $T/b.ckpt"
gen=$(sed -n 's/^generation: *//p' "$T/out")
check refused-batch-some-applied [ "${gen:-0}" -gt 0 ]

# doctor IN OUT EXPR: a copy of a checkpoint with every weight set to the
# float EXPR and the CRC made right (model-checkpoint(5) layout)
doctor() {
	python3 -c '
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
n, doff = struct.unpack_from("<Q", b, 40)[0], struct.unpack_from("<Q", b, 88)[0]
struct.pack_into("<%df" % n, b, doff, *([float(sys.argv[3])] * n))
struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], "wb").write(b)' "$@"
}
# Huge finite weights: the forward pass overflows, every step is refused
# and the file is left as it was.
doctor "$T/b.ckpt" "$T/h.ckpt" 1e30
cp "$T/h.ckpt" "$T/h.copy"
expect refused-label 65 "tail -n 40 $T/real.csv | { head -n 1 $T/real.csv; cat; } | train-candle -m $T/h.ckpt --label BUY"
errhas refused-label-msg "step not applied: loss, gradient or update not finite"
check refused-label-untouched cmp -s "$T/h.ckpt" "$T/h.copy"
expect refused-every 65 "pivots $T/real.csv | train-candle -m $T/h.ckpt --on every >/dev/null"
check refused-every-once [ "$(grep -c 'step not applied' "$T/err")" -eq 1 ]
check refused-every-count grep -qE 'steps=0 .*refused=[1-9]' "$T/err"
check refused-every-untouched cmp -s "$T/h.ckpt" "$T/h.copy"
# (--no-calibrate: the temperature fit after training is an update of
# its own, which this test is not about)
expect refused-batch-all 65 "train-batch -m $T/h.ckpt --labels every --epochs 1 --no-calibrate $T/real.csv"
check refused-batch-untouched cmp -s "$T/h.ckpt" "$T/h.copy"

# NaN weights with a valid CRC: every program refuses the file (65)
doctor "$T/b.ckpt" "$T/n.ckpt" nan
cp "$T/n.ckpt" "$T/n.copy"
for p in "infer -m $T/n.ckpt $T/real.csv" \
    "train-candle -m $T/n.ckpt --on none $T/real.csv" \
    "train-candle -m $T/n.ckpt --label BUY $T/real.csv" \
    "train-batch -m $T/n.ckpt --labels every $T/real.csv"; do
	expect "nan-refused-${p%% *}" 65 "$p"
	errhas "nan-refused-${p%% *}-msg" "is nan; the model is unusable"
done
check nan-untouched cmp -s "$T/n.ckpt" "$T/n.copy"

t_done
