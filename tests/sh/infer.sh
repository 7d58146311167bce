#!/bin/sh
# tests/sh/infer.sh - infer(1): usage, columns, the first full window,
# agreement with the numpy reference, identical bytes however the input
# arrives, the prefix property, --prefix and --min-confidence, never
# locking or writing the checkpoint, hot reload beside a manual
# train-candle --label, SIGTERM and EPIPE.
. "$(dirname "$0")/../lib.sh"
PY=/usr/bin/python3
M=$T_TMP/m.ckpt
C=$T_TMP/c.csv
candle-feed --last 600 "$DATA" >"$C"
train-batch -m "$M" --new --window 8 --dim 16 --layers 1 --heads 2 \
    --labels every --epochs 1 --seed 7 "$C" >/dev/null 2>&1 ||
	{ echo "cannot create a test model" >&2; exit 1; }
HDR=time,open,high,low,close,volume,action,confidence,p_hold,p_buy,p_sell,next_open,next_high,next_low,next_close,model_gen

# a feeder: the same bytes, line by line (slowly, optionally pausing before
# line N until a file exists) or in random chunks
cat >"$T_TMP/feed.py" <<'EOF'
import os, random, sys, time
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
out = sys.stdout.buffer
if mode == "lines":
    pause = int(sys.argv[3]) if len(sys.argv) > 3 else -1
    for i, line in enumerate(data.splitlines(True)):
        if i == pause:
            while not os.path.exists(sys.argv[4]):
                time.sleep(0.01)
        out.write(line)
        out.flush()
        time.sleep(0.001)
else:
    random.seed(int(sys.argv[3]))
    i = 0
    while i < len(data):
        n = random.randint(1, 300)
        out.write(data[i:i + n])
        out.flush()
        i += n
        if random.random() < 0.2:
            time.sleep(0.002)
EOF

expect help 0 'infer --help | head -1 | cut -c1-12' "usage: infer"
expect usage-none 2 'infer'
expect usage-two-files 2 "infer -m $M a b"
expect usage-minconf 2 "infer -m $M --min-confidence 1.5 $C"
expect usage-info-file 2 "infer --info -m $M $C"
expect no-model 1 "infer -m $T_TMP/nonexistent $C"
printf 'not a checkpoint at all, just some bytes.........' >"$T_TMP/bad.ckpt"
expect bad-model 65 "infer -m $T_TMP/bad.ckpt $C"
printf 'time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,0.5,1.5,10\n2024-01-01T00:01:00Z,1,0.5,2,1.5,10\n' >"$T_TMP/badrow.csv"
expect bad-row 65 "infer -m $M $T_TMP/badrow.csv"
errhas bad-row-where "badrow.csv:3:"
expect info 0 "infer --info -m $M | grep -c '^generation:'" "1"

# columns, rows before the first full window (W = 8) empty, counts
expect run 0 "infer -m $M $C >$T_TMP/all.csv"
errhas counts "infer: rows=600 predictions=592 reloads=0 load_failures=0"
check header [ "$(head -1 "$T_TMP/all.csv")" = "$HDR" ]
check empty-before-window [ "$(sed -n '2,9p' "$T_TMP/all.csv" | grep -c ',,,,,,,,,$')" = 8 ]
check first-window [ "$(sed -n 10p "$T_TMP/all.csv" | cut -d, -f7)" != "" ]
check rows [ "$(wc -l <"$T_TMP/all.csv")" = 601 ]

# the numpy forward pass over the same checkpoint
expect reference 0 "$PY tests/ref/infer_ref.py $M $T_TMP/all.csv"

# identical bytes: stdin at once, a slow line-by-line pipe, random chunks
expect stdin 0 "infer -m $M <$C | cmp - $T_TMP/all.csv"
expect slow-lines 0 "$PY $T_TMP/feed.py lines $C | infer -m $M | cmp - $T_TMP/all.csv"
for seed in 1 2 3; do
	expect chunks-$seed 0 "$PY $T_TMP/feed.py chunks $C $seed | infer -m $M | cmp - $T_TMP/all.csv"
done
# the prefix property: no lookahead
head -301 "$C" >"$T_TMP/half.csv"
head -301 "$T_TMP/all.csv" >"$T_TMP/half.out"
expect prefix-property 0 "infer -m $M $T_TMP/half.csv | cmp - $T_TMP/half.out"

# never writes the checkpoint, never takes the lock
cp "$M" "$T_TMP/before.ckpt"
rm -f "$T_TMP/lock.log"
expect no-lock 0 "CANDLEKIT_LOCK_LOG=$T_TMP/lock.log infer -m $M $C >/dev/null"
check unchanged cmp -s "$M" "$T_TMP/before.ckpt"
check no-lock-log [ ! -s "$T_TMP/lock.log" ]

# --prefix: two models side by side; the same names twice are replaced
expect prefix 0 "infer -m $M --prefix a_ $C | infer -m $M --prefix b_ | head -1 | tr , '\n' | grep -c '^[ab]_'" "20"
cut -d, -f7- "$T_TMP/all.csv" | sed '1d' >"$T_TMP/v1.txt"
expect prefix-same-values 0 "infer -m $M --prefix a_ $C | sed 1d | cut -d, -f7- | cmp - $T_TMP/v1.txt"
expect replace-in-place 0 "infer -m $M $C | infer -m $M | cmp - $T_TMP/all.csv"

# --min-confidence 1: every action HOLD, probabilities unchanged
expect minconf 0 "infer -m $M --min-confidence 1 $C | sed 1,9d | cut -d, -f7 | sort -u" "HOLD"
cut -d, -f8- "$T_TMP/all.csv" >"$T_TMP/p.txt"
expect minconf-probs 0 "infer -m $M --min-confidence 1 $C | cut -d, -f8- | cmp - $T_TMP/p.txt"

# a closed downstream pipe is a quiet exit 0
expect epipe 0 "{ infer -m $M $C; echo \$? >$T_TMP/st; } | head -1 >/dev/null; exit \$(cat $T_TMP/st)"

# rows are written while the input waits; SIGTERM prints the counts, 143
{ head -21 "$C"; sleep 3; } | infer -m "$M" >"$T_TMP/term.out" 2>"$T_TMP/term.err" &
pid=$!
i=0
while [ "$(cat "$T_TMP/term.out" 2>/dev/null | wc -l)" -lt 21 ] && [ $i -lt 400 ]; do
	sleep 0.05; i=$((i + 1))
done
check written-before-waiting [ "$(wc -l <"$T_TMP/term.out")" = 21 ]
kill -TERM $pid
wait $pid
check sigterm-status [ $? = 143 ]
check sigterm-counts grep -q 'rows=20 predictions=12' "$T_TMP/term.err"

# hot reload: a manual label beside a slowly fed infer raises its model_gen
cp "$M" "$T_TMP/hot.ckpt"
g0=$(infer --info -m "$T_TMP/hot.ckpt" | awk '/^generation:/ { print $2 }')
rm -f "$T_TMP/go"
$PY "$T_TMP/feed.py" lines "$C" 200 "$T_TMP/go" |
	infer -m "$T_TMP/hot.ckpt" >"$T_TMP/hot.out" 2>"$T_TMP/hot.err" &
i=0
while [ "$(cat "$T_TMP/hot.out" 2>/dev/null | wc -l)" -lt 200 ] && [ $i -lt 400 ]; do
	sleep 0.05; i=$((i + 1))
done
expect manual-label 0 "candle-feed --last 200 $C | train-candle -m $T_TMP/hot.ckpt --label BUY | cut -d, -f2,5" "BUY,$((g0 + 1))"
touch "$T_TMP/go"
wait
check hot-before [ "$(sed -n 200p "$T_TMP/hot.out" | cut -d, -f16)" = "$g0" ]
check hot-after [ "$(tail -1 "$T_TMP/hot.out" | cut -d, -f16)" = "$((g0 + 1))" ]
check hot-counts grep -q 'reloads=1 load_failures=0' "$T_TMP/hot.err"

# a checkpoint replaced by junk mid-run: warned once, old weights kept, no crash
cp "$M" "$T_TMP/junk.ckpt"
rm -f "$T_TMP/go"
$PY "$T_TMP/feed.py" lines "$C" 100 "$T_TMP/go" |
	infer -m "$T_TMP/junk.ckpt" >"$T_TMP/junk.out" 2>"$T_TMP/junk.err" &
jp=$!
i=0
while [ "$(cat "$T_TMP/junk.out" 2>/dev/null | wc -l)" -lt 100 ] && [ $i -lt 400 ]; do
	sleep 0.05; i=$((i + 1))
done
printf 'junk' >"$T_TMP/junk.new"
mv "$T_TMP/junk.new" "$T_TMP/junk.ckpt"
touch "$T_TMP/go"
wait $jp
check junk-status [ $? = 0 ]
check junk-same-output cmp -s "$T_TMP/junk.out" "$T_TMP/all.csv"
check junk-warned-once [ "$(grep -c 'reload failed, keeping generation .*wrong magic' "$T_TMP/junk.err")" = 1 ]
check junk-counted grep -q 'reloads=0 load_failures=[1-9]' "$T_TMP/junk.err"

t_done
