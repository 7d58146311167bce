#!/bin/sh
# tests/sh/train-batch.sh - train-batch(1): learning, determinism, labels,
# annotation errors, sharing one checkpoint, signals.  Tiny models and few
# epochs keep it quick.
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
TINY="--window 8 --dim 16 --layers 1 --heads 2"
# the bundled minute bars, as a canonical stream
candle-feed "$DATA" >"$T/real.csv"
head -n 3001 "$T/real.csv" >"$T/real3k.csv"

# json KEY FILE: a value of the --json output
json() { sed -n "s/^  \"$1\": \"*\([^\",]*\)\"*,*\$/\1/p" "$2"; }

# --- usage ---------------------------------------------------------------
expect usage-none 2 'train-batch'
expect usage-nolabels 2 "train-batch -m $T/x.ckpt $T/real3k.csv"
expect usage-both 2 "train-batch -m $T/x.ckpt --labels every --annotations a $T/real3k.csv"
expect usage-badlabels 2 "train-batch -m $T/x.ckpt --labels some $T/real3k.csv"
expect usage-level-every 2 "train-batch -m $T/x.ckpt --labels every --level 2 $T/real3k.csv"
expect usage-window-old 2 "train-batch -m $T/x.ckpt --window 8 --labels every $T/real3k.csv"
expect usage-badnum 2 "train-batch -m $T/x.ckpt --new --epochs 1x --labels every $T/real3k.csv"
expect usage-patience-noval 2 "train-batch -m $T/x.ckpt --new --val 0 --patience 2 --labels every $T/real3k.csv"
expect help 0 'train-batch --help | grep -q "^usage: train-batch -m model"'
expect version 0 'train-batch --version | grep -q "^train-batch [0-9]"'
expect missing-model 1 "train-batch -m $T/none.ckpt --labels every $T/real3k.csv"
check missing-model-msg grep -q "none.ckpt" "$T_TMP/err"

# --- learning on the synthetic series: BUY after three rising closes -----
awk -v n=4000 -v seed=7 -v ann="$T/syn.ann" -f tests/gen_synth.awk >"$T/syn.csv"
expect synth-train 0 "train-batch -m $T/syn.ckpt --new $TINY --seed 3 \
    --threads 1 --annotations $T/syn.ann --epochs 12 --lr 0.005 \
    --batch 32 --json $T/syn.json $T/syn.csv >$T/syn.out"
cp "$T/syn.ckpt" "$T/synk.ckpt"	# syn.ckpt is replaced below
acc=$(json val_acc "$T/syn.json")
major=$(json majority_acc "$T/syn.json")
check "synth val_acc $acc > 0.95 (majority $major)" \
    awk -v a="$acc" 'BEGIN { exit !(a > 0.95) }'
check synth-epoch-lines awk -F, 'NR == 1 { ok = $0 == "epoch,train_loss,val_loss,val_acc,val_logloss,majority_acc,majority_logloss,persistence_acc,val_ece,precision_hold,recall_hold,precision_buy,recall_buy,precision_sell,recall_sell,samples_per_s" }
    NR > 1 { n++; ok = ok && NF == 16 && $1 == n } END { exit !(ok && n == 12) }' "$T/syn.out"
# the calibration is one more generation
check synth-calibrated test "$(json calibrated "$T/syn.json")" = true
check synth-generation awk -v g="$(json generation "$T/syn.json")" \
    -v s="$(json steps "$T/syn.json")" 'BEGIN { exit !(g == s + 1 && s == 12 * 100) }'
# the last step used the ghost candle after the last training sample, at
# index W + train_samples (line + 2): validation candles are never used
check synth-trained-until test "$(json trained_until "$T/syn.json")" = \
    "$(sed -n "$((8 + $(json train_samples "$T/syn.json") + 2))p" "$T/syn.csv" | cut -d, -f1)"

# --- creating: refuse to replace, unless --force --------------------------
expect new-exists 1 "train-batch -m $T/syn.ckpt --new $TINY --labels every --epochs 1 $T/real3k.csv"
expect new-force 0 "train-batch -m $T/syn.ckpt --new --force $TINY --labels every --epochs 1 $T/real3k.csv"

# --- the bundled data with pivot labels: training loss falls ----------------
expect real-pivots 0 "train-batch -m $T/real.ckpt --new $TINY --seed 1 \
    --labels pivots --epochs 4 --lr 0.003 $T/real.csv >$T/real.out"
check "real loss falls" awk -F, 'NR == 2 { a = $2 } END { b = $2; exit !(b < a) }' "$T/real.out"

# --- same seed, one thread: byte-identical checkpoints ---------------------
expect det-new 0 "train-batch -m $T/det.ckpt --new $TINY --seed 9 --labels every --epochs 1 --val 0 $T/real3k.csv"
cp "$T/det.ckpt" "$T/det1.ckpt"
cp "$T/det.ckpt" "$T/det2.ckpt"
expect det-1 0 "train-batch -m $T/det1.ckpt --seed 4 --threads 1 --labels pivots --epochs 2 --slice 0.01 $T/real3k.csv"
expect det-2 0 "train-batch -m $T/det2.ckpt --seed 4 --threads 1 --labels pivots --epochs 2 $T/real3k.csv"
check det-cmp cmp -s "$T/det1.ckpt" "$T/det2.ckpt"
check det-changed eval '! cmp -s "$T/det.ckpt" "$T/det1.ckpt"'

# --- --labels every: candle for candle the rule of lib/labels.c ------------
# The reference, from the definition: level-1 pivots with k=2 (strictly
# beyond the k before, at least the k after), else the next close's move
# beyond 0.05%; the last k candles have no label.
expect dump 0 "train-batch -m $T/det.ckpt --labels every --epochs 1 --dump-labels $T/dump.csv $T/real3k.csv"
awk -F, -v k=2 -v x=0.0005 'NR > 1 { n++; t[n] = $1; h[n] = $3; l[n] = $4; c[n] = $5 }
END {
	print "time,label"
	for (i = 1; i <= n; i++) {
		lab = ""
		if (i + k <= n) {
			H = L = (i > k)
			for (j = i - k; j <= i + k && (H || L); j++) {
				if (j == i) continue
				if (j < i) { if (!(h[i] > h[j])) H = 0; if (!(l[i] < l[j])) L = 0 }
				else { if (!(h[i] >= h[j])) H = 0; if (!(l[i] <= l[j])) L = 0 }
			}
			if (H && !L) lab = "SELL"
			else if (L && !H) lab = "BUY"
			else {
				m = c[i + 1] / c[i] - 1
				lab = m > x ? "BUY" : m < -x ? "SELL" : "HOLD"
			}
		}
		print t[i] "," lab
	}
}' "$T/real3k.csv" >"$T/ref.csv"
cut -d, -f1,2 "$T/dump.csv" | sed '1s/.*/time,label/' >"$T/dump2.csv"
check labels-every-equal cmp -s "$T/dump2.csv" "$T/ref.csv"
check labels-every-count test "$(wc -l <"$T/dump.csv")" -eq 3001

# --- pivot labels teach HOLD; class weights; the relative threshold --------
expect usage-nohold-every 2 "train-batch -m $T/det.ckpt --labels every --no-hold $T/real3k.csv"
expect usage-threshold-pivots 2 "train-batch -m $T/det.ckpt --labels pivots --threshold 0.5s $T/real3k.csv"
expect usage-cw-two 2 "train-batch -m $T/det.ckpt --labels pivots --class-weights 1,2 $T/real3k.csv"
expect usage-cw-word 2 "train-batch -m $T/det.ckpt --labels pivots --class-weights some $T/real3k.csv"
expect usage-cw-neg 2 "train-batch -m $T/det.ckpt --labels pivots --class-weights 1,-2,3 $T/real3k.csv"
expect usage-threshold-s 2 "train-batch -m $T/det.ckpt --labels every --threshold s $T/real3k.csv"
expect hold-dump 0 "train-batch -m $T/det.ckpt --labels pivots --epochs 1 --no-calibrate \
    --json $T/hold.json --dump-labels $T/hold.csv $T/real3k.csv"
# every candle decided is labelled: BUY at L, SELL at H (pivots --annotations),
# HOLD the others; the last k candles are not decided yet
pivots --annotations "$T/real3k.csv" | sed 1d | sort >"$T/pa"
awk -F, 'NR > 1 && ($2 == "BUY" || $2 == "SELL") { print $1 "," $2 }' "$T/hold.csv" | sort >"$T/pb"
check hold-pivots cmp -s "$T/pa" "$T/pb"
check hold-holds awk -F, 'NR > 1 && $2 == "HOLD" { h++ } NR > 1 && $2 == "" { e++ }
    END { exit !(h > 2000 && e < 30) }' "$T/hold.csv"
check hold-last-undecided awk -F, 'END { exit !($2 == "") }' "$T/hold.csv"
# inverse frequency: w_c = n / (3 n_c) over the training split's counts
# numbers NAME FILE: the numbers of the --json line NAME, one a line
numbers() { sed -n "s/^  \"$1\": //p" "$2" | tr -c '0-9.e\n-' ' ' | tr -s ' ' '\n' | grep '^[0-9]'; }
check hold-weights awk -v n="$(numbers train_classes "$T/hold.json" | tr '\n' ' ')" \
    -v w="$(numbers class_weights "$T/hold.json" | tr '\n' ' ')" 'BEGIN {
	split(n, c, " "); split(w, x, " "); t = c[1] + c[2] + c[3]
	for (i = 1; i <= 3; i++) { d = x[i] - t / (3 * c[i]); if (d * d > 1e-10 * x[i] * x[i]) exit 1 }
	exit !(c[1] > c[2] && x[1] < x[2])
}'
# the dump shows each label's weight
check hold-dump-weights awk -F, 'NR > 1 && $2 != "" { w[$2] = $3; if (seen[$2] != "" && seen[$2] != $3) bad = 1; seen[$2] = $3 }
    END { exit !(!bad && w["HOLD"] < w["BUY"] && w["HOLD"] < w["SELL"]) }' "$T/hold.csv"
expect nohold-dump 0 "train-batch -m $T/det.ckpt --labels pivots --no-hold --epochs 1 --no-calibrate \
    --dump-labels $T/nohold.csv $T/real3k.csv"
awk -F, 'NR > 1 && $2 != "" { print $1 "," $2 }' "$T/nohold.csv" | sort >"$T/pc"
check nohold-pivots-only cmp -s "$T/pa" "$T/pc"
expect cw-given 0 "train-batch -m $T/det.ckpt --labels pivots --class-weights 0.5,2,3 --epochs 1 \
    --no-calibrate --json $T/cw.json $T/real3k.csv"
check cw-given-json test "$(sed -n 's/^  "class_weights": //p' "$T/cw.json")" = '{"hold": 0.5, "buy": 2, "sell": 3},'
expect cw-none 0 "train-batch -m $T/det.ckpt --labels pivots --class-weights none --epochs 1 \
    --no-calibrate --json $T/cw.json $T/real3k.csv"
check cw-none-json test "$(sed -n 's/^  "class_weights": //p' "$T/cw.json")" = '{"hold": 1, "buy": 1, "sell": 1},'
# --threshold 0.5s: half the std of the window's W log returns (W = 8 here)
expect rel-dump 0 "train-batch -m $T/det.ckpt --labels every --threshold 0.5s --epochs 1 \
    --no-calibrate --dump-labels $T/rel.csv $T/real3k.csv"
awk -F, -v k=2 -v x=0.5 -v W=8 'NR > 1 { n++; t[n] = $1; h[n] = $3; l[n] = $4; c[n] = $5 }
END {
	print "time,label"
	for (i = 1; i <= n; i++) {
		lab = ""
		if (i + k <= n && i > W) {
			H = L = (i > k)
			for (j = i - k; j <= i + k && (H || L); j++) {
				if (j == i) continue
				if (j < i) { if (!(h[i] > h[j])) H = 0; if (!(l[i] < l[j])) L = 0 }
				else { if (!(h[i] >= h[j])) H = 0; if (!(l[i] <= l[j])) L = 0 }
			}
			m = 0; v = 0
			for (j = i - W + 1; j <= i; j++) m += log(c[j] / c[j - 1])
			m /= W
			for (j = i - W + 1; j <= i; j++) v += (log(c[j] / c[j - 1]) - m) ^ 2
			s = sqrt(v / W)
			if (H && !L) lab = "SELL"
			else if (L && !H) lab = "BUY"
			else {
				mv = c[i + 1] / c[i] - 1
				lab = mv > x * s ? "BUY" : mv < -x * s ? "SELL" : "HOLD"
			}
		}
		print t[i] "," lab
	}
}' "$T/real3k.csv" >"$T/relref.csv"
cut -d, -f1,2 "$T/rel.csv" | sed '1s/.*/time,label/' >"$T/rel2.csv"
check rel-labels-equal cmp -s "$T/rel2.csv" "$T/relref.csv"
diff "$T/rel2.csv" "$T/relref.csv" | head -4 >&2
check rel-labels-differ eval '! cmp -s "$T/rel2.csv" "$T/dump2.csv"'

# --- calibration: the temperature is in the checkpoint; timeframe, range ---
info() { infer --info -m "$1" | sed -n "s/^$2: *//p"; }
check syn-temperature awk -v a="$(info "$T/synk.ckpt" temperature)" \
    -v b="$(json temperature "$T/syn.json")" 'BEGIN { exit !(a > 0 && (a - b) ^ 2 < 1e-8 * b * b) }'
check syn-timeframe test "$(info "$T/synk.ckpt" timeframe_s)" = 60
check syn-range test "$(info "$T/synk.ckpt" data_from) $(info "$T/synk.ckpt" data_to)" = \
    "$(sed -n 2p "$T/syn.csv" | cut -d, -f1) $(tail -n 1 "$T/syn.csv" | cut -d, -f1)"
check syn-json-range test "$(json data_from "$T/syn.json") $(json timeframe_s "$T/syn.json")" = \
    "$(info "$T/synk.ckpt" data_from) 60"
# --no-calibrate: no temperature fitted, none committed (a new model: 1)
expect nocal 0 "train-batch -m $T/nocal.ckpt --new $TINY --labels pivots --epochs 1 --no-calibrate \
    --json $T/nocal.json $T/real3k.csv"
check nocal-json test "$(json calibrated "$T/nocal.json") $(json temperature "$T/nocal.json")" = "false null"
check nocal-info test "$(info "$T/nocal.ckpt" temperature)" = 1
check nocal-gen test "$(json generation "$T/nocal.json")" = "$(json steps "$T/nocal.json")"
# training a calibrated model again starts from temperature 1
cp "$T/synk.ckpt" "$T/recal.ckpt"
expect recal 0 "train-batch -m $T/recal.ckpt --annotations $T/syn.ann --epochs 1 --no-calibrate $T/syn.csv >/dev/null"
check recal-temperature test "$(info "$T/recal.ckpt" temperature)" = 1
# the calibrated synthetic model on series it never saw: ECE <= 0.05
awk -v n=3000 -v seed=11 -v ann="$T/syn2.ann" -f tests/gen_synth.awk >"$T/syn2.csv"
infer -m "$T/synk.ckpt" "$T/syn2.csv" >"$T/syn2.pred" 2>/dev/null
awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) col[FILENAME, $i] = i; next }
FILENAME == ARGV[1] { lab[$1] = $2; next }
{
	l = lab[$1]; ph = $col[FILENAME, "p_hold"]
	if (l == "" || ph == "") next
	p[0] = ph; p[1] = $col[FILENAME, "p_buy"]; p[2] = $col[FILENAME, "p_sell"]
	y = l == "HOLD" ? 0 : l == "BUY" ? 1 : 2
	a = 0; for (k = 1; k < 3; k++) if (p[k] > p[a]) a = k
	b = int(p[a] * 10); if (b > 9) b = 9
	n++; cnt[b]++; conf[b] += p[a]; right[b] += a == y
}
END {
	for (b = 0; b < 10; b++) if (cnt[b]) e += (right[b] > conf[b] ? right[b] - conf[b] : conf[b] - right[b]) / n
	printf "%d %.4f\n", n, e
}' "$T/syn2.ann" "$T/syn2.pred" >"$T/syn2.ece"
echo "# synthetic, unseen: samples, ECE: $(cat "$T/syn2.ece")"
check "synth unseen ECE <= 0.05 ($(cat "$T/syn2.ece"))" awk '{ exit !($1 > 2900 && $2 <= 0.05) }' "$T/syn2.ece"
# infer warns once when the stream's step is not the model's
candle-feed --resample 5m "$T/real.csv" >"$T/real5.csv"
expect step-warn 0 "infer -m $T/real.ckpt $T/real5.csv >/dev/null"
check step-warn-once test "$(grep -c 'candles are 300s apart, the model learned from candles 60s apart' "$T_TMP/err")" = 1
expect step-same 0 "infer -m $T/real.ckpt $T/real3k.csv >/dev/null"
check step-same-quiet eval '! grep -q "apart" "$T_TMP/err"'
# backtest --model warns the same way, once, and names the model
infer -m "$T/real.ckpt" "$T/real5.csv" 2>/dev/null >"$T/pred5.csv"
expect bt-step-warn 0 "backtest --model $T/real.ckpt --json $T/bt5.json $T/pred5.csv >/dev/null"
check bt-step-warn-once test "$(grep -c 'candles are 300s apart, the model learned from candles 60s apart' "$T_TMP/err")" = 1
check bt-model-id grep -q "\"model_id\": *\"$(infer --info -m "$T/real.ckpt" | sed -n 's/^model_id: *//p')\"" "$T/bt5.json"
infer -m "$T/real.ckpt" "$T/real3k.csv" 2>/dev/null >"$T/pred1.csv"
expect bt-step-same 0 "backtest --model $T/real.ckpt $T/pred1.csv >/dev/null"
check bt-step-same-quiet eval '! grep -q "apart" "$T_TMP/err"'
expect bt-model-bad 65 "backtest --model $T/real5.csv $T/pred1.csv >/dev/null"

# --- annotations: errors are file:line, 65 ----------------------------------
printf 'time,action\n2024-06-14T01:40:00Z,BUY\n2024-06-14T01:41:00Z,JUMP\n' >"$T/a1.csv"
expect annot-action 65 "train-batch -m $T/det.ckpt --annotations $T/a1.csv $T/real3k.csv"
errhas annot-action-msg "a1.csv:3: unknown action"
printf 'time,action\n2024-06-14T01:40:00Z,BUY\nyesterday,SELL\n' >"$T/a2.csv"
expect annot-time 65 "train-batch -m $T/det.ckpt --annotations $T/a2.csv $T/real3k.csv"
errhas annot-time-msg "a2.csv:3: bad time"
: >"$T/a3.csv"
expect annot-empty 65 "train-batch -m $T/det.ckpt --annotations $T/a3.csv $T/real3k.csv"
errhas annot-empty-msg "a3.csv:1: empty file"
printf '2024-06-14T01:40:00Z,BUY\n' >"$T/a4.csv"
expect annot-header 65 "train-batch -m $T/det.ckpt --annotations $T/a4.csv $T/real3k.csv"
errhas annot-header-msg "a4.csv:1: missing header"
printf 'time,action\n2024-06-14T01:40:00Z,BUY\n2024-06-14T01:40:00Z,SELL\n' >"$T/a5.csv"
expect annot-twice 65 "train-batch -m $T/det.ckpt --annotations $T/a5.csv $T/real3k.csv"
errhas annot-twice-msg "a5.csv:3: a second annotation"
# unmatched annotations are counted; --strict makes them an error
{ echo time,action,price; sed -n '2,40p' "$T/real3k.csv" | awk -F, '{ print $1 ",buy," $5 }'
  echo 2030-01-01T00:00:00Z,SELL,1; echo 2024-06-14T05:00:30Z,HOLD,2; } >"$T/a6.csv"
expect annot-count 0 "train-batch -m $T/det.ckpt --annotations $T/a6.csv --epochs 1 --val 0 $T/real3k.csv"
errhas annot-count-msg "a6.csv:41: 2 of 41 annotations have no candle at their time"
errhas annot-count-msg2 "a6.csv:2: 8 of 41 annotations have fewer than 8 candles before them"
expect annot-strict 65 "train-batch -m $T/det.ckpt --annotations $T/a6.csv --strict --epochs 1 $T/real3k.csv"
errhas annot-strict-msg "a6.csv:41: no candle at that time"

# --- a closed stdout (EPIPE) is a quiet success: training stops as it would
# on a signal (issue 19, 16), what was committed stays, the file loads ------
# (stdout a pipe whose reader is gone before it starts: no race)
python3 -c 'import os, sys
r, w = os.pipe(); os.close(r); os.dup2(w, 1)
os.execvp(sys.argv[1], sys.argv[1:])' train-batch -m "$T/det.ckpt" --labels every \
    --epochs 3 --val 0 --json "$T/pipe.json" "$T/real3k.csv" 2>"$T/pipe.err"
echo $? >"$T/pipe.st"
check "epipe status $(cat "$T/pipe.st")" test "$(cat "$T/pipe.st")" = 0
check epipe-quiet test ! -s "$T/pipe.err"
check epipe-stopped test "$(json steps "$T/pipe.json")" -lt 3
expect epipe-loads 0 "infer --info -m $T/det.ckpt"

# --- --backup: MODEL.GEN.bak holds the checkpoint before the first update --
cp "$T/det.ckpt" "$T/bk.ckpt"
cp "$T/det.ckpt" "$T/bk.orig"
gen=$(train-batch -m "$T/bk.ckpt" --labels every --epochs 1 --val 0 --json "$T/bk0.json" "$T/real3k.csv" >/dev/null && json generation "$T/bk0.json")
cp "$T/bk.ckpt" "$T/bk.orig"
expect backup 0 "train-batch -m $T/bk.ckpt --labels every --epochs 1 --backup --val 0 $T/real3k.csv"
check backup-file cmp -s "$T/bk.orig" "$T/bk.ckpt.$gen.bak"

# --- --patience: the generation counts a best-epoch restore as a step -------
expect patience 0 "train-batch -m $T/pat.ckpt --new $TINY --labels pivots --epochs 8 \
    --lr 0.02 --patience 1 --json $T/pat.json $T/real3k.csv"
check patience-gen test "$(json generation "$T/pat.json")" = "$(($(json steps "$T/pat.json") + 1))"
check patience-best awk -v b="$(json best_epoch "$T/pat.json")" \
    -v e="$(json epochs "$T/pat.json")" -v r="$(json best_restored "$T/pat.json")" \
    'BEGIN { exit !(b >= 1 && b <= e && (r == "true") == (b != e)) }'

# --- two trainers on one checkpoint: no lost step, alternating slices -------
train-batch -m "$T/sh.ckpt" --new $TINY --labels every --epochs 1 --val 0 \
    --json "$T/sh0.json" "$T/real3k.csv" >/dev/null
g0=$(json generation "$T/sh0.json")
export CANDLEKIT_LOCK_LOG="$T/lock.log"
train-batch -m "$T/sh.ckpt" --labels every --epochs 20 --slice 0.005 --threads 1 \
    --no-calibrate --seed 1 --json "$T/sh1.json" "$T/real3k.csv" >/dev/null 2>"$T/sh1.err" &
p1=$!
train-batch -m "$T/sh.ckpt" --labels pivots --epochs 60 --slice 0.005 --threads 1 \
    --no-calibrate --seed 2 --json "$T/sh2.json" "$T/real3k.csv" >/dev/null 2>"$T/sh2.err" &
p2=$!
wait $p1; s1=$?
wait $p2; s2=$?
unset CANDLEKIT_LOCK_LOG
check "shared both finish ($s1 $s2)" test "$s1$s2" = 00
g1=$(json generation "$T/sh1.json"); g2=$(json generation "$T/sh2.json")
n1=$(json steps "$T/sh1.json"); n2=$(json steps "$T/sh2.json")
check "shared generation max($g1,$g2) = $g0 + $n1 + $n2" awk -v a="$g1" -v b="$g2" \
    -v s=$((g0 + n1 + n2)) 'BEGIN { exit !((a > b ? a : b) == s) }'
# the acquisitions while both ran switch between the two pids, one each
awk -v a=$p1 -v b=$p2 '$1 != a && $1 != b { next } $2 ~ /acq/ { p[++n] = $1 }
END {
	for (i = 2; i <= n; i++) sw += p[i] != p[i - 1]
	print n, sw
}' "$T/lock.log" >"$T/sw"
echo "# lock acquires, switches: $(cat "$T/sw")"
check "shared lock alternates (acquires, switches: $(cat "$T/sw"))" \
    awk '{ exit !($2 >= 10) }' "$T/sw"

# --- lock timeout: 75, naming the holder ----------------------------------
if command -v flock >/dev/null; then
	flock "$T/sh.ckpt" sleep 3 &
	fl=$!
	sleep 0.3
	expect lock-timeout 75 "train-batch -m $T/sh.ckpt --labels every --epochs 1 --lock-timeout 0.5 $T/real3k.csv"
	errhas lock-timeout-msg "$T/sh.ckpt"
	kill $fl 2>/dev/null
	wait $fl 2>/dev/null
fi

# --- signals: finish the step, commit, 130 / 143 ---------------------------
for sig in INT:130 TERM:143; do
	train-batch -m "$T/sig.ckpt" --new --force $TINY --labels every --epochs 500 \
	    --json "$T/sig.json" "$T/real3k.csv" >/dev/null 2>&1 &
	p=$!
	sleep 1.5
	kill -"${sig%:*}" $p
	wait $p; st=$?
	check "signal ${sig%:*} status $st" test "$st" = "${sig#*:}"
	check "signal ${sig%:*} json" test "$(json stopped "$T/sig.json")" = signal
	check "signal ${sig%:*} committed" test "$(json generation "$T/sig.json")" -gt 0
	expect "signal ${sig%:*} loads" 0 "train-batch -m $T/sig.ckpt --labels every --epochs 1 --val 0 --json $T/sig2.json $T/real3k.csv"
	check "signal ${sig%:*} kept" test "$(json generation "$T/sig2.json")" -gt "$(json generation "$T/sig.json")"
done

t_done
