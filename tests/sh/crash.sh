#!/bin/sh
# tests/sh/crash.sh - trainers killed with SIGKILL in the save path (the
# test-only fault hook CANDLEKIT_FAULT of lib/ckpt.c: before-write,
# after-write, after-fsync, after-rename) and at random moments: every time
# the checkpoint loads, the generation never goes backwards, and the next
# update works and leaves no temporary file behind.
. "$(dirname "$0")/../lib.sh"
M=$T_TMP/m.ckpt
candle-feed --last 300 "$DATA" >"$T_TMP/c.csv"
pivots "$T_TMP/c.csv" >"$T_TMP/p.csv"
train-batch -m "$M" --new --window 8 --dim 16 --layers 1 --heads 2 \
    --labels every --epochs 1 --seed 2 "$T_TMP/c.csv" >/dev/null 2>&1 ||
	{ echo "cannot create a test model" >&2; exit 1; }
gen() { infer --info -m "$M" 2>/dev/null | awk '/^generation:/ { print $2 }'; }
tmpfiles() { ls -A "$T_TMP" | grep -c '\.tmp\.' ; }

# the fault points: --label is killed (137) inside its one update; only
# after the rename is the new generation there
for point in before-write after-write after-fsync after-rename; do
	g=$(gen)
	CANDLEKIT_FAULT=$point train-candle -m "$M" --label BUY "$T_TMP/c.csv" \
	    >/dev/null 2>&1
	check $point-killed [ $? = 137 ]
	check $point-loads infer --info -m "$M" >/dev/null
	case $point in
	after-rename)	check $point-gen [ "$(gen)" = $((g + 1)) ] ;;
	*)		check $point-gen [ "$(gen)" = "$g" ] ;;
	esac
	# the next writer works and cleans the dead writer's temporary file
	g=$(gen)
	expect $point-next 0 "train-candle -m $M --label SELL $T_TMP/c.csv"
	check $point-next-gen [ "$(gen)" = $((g + 1)) ]
	check $point-no-tmp [ "$(tmpfiles)" = 0 ]
done
# a streaming trainer killed at its first save
g=$(gen)
CANDLEKIT_FAULT=after-fsync train-candle -m "$M" --on every "$T_TMP/p.csv" \
    >/dev/null 2>&1
check stream-killed [ $? = 137 ]
check stream-gen [ "$(gen)" = "$g" ]

# random kill -9 of streaming trainers, two at a time
prev=$(gen)
start=$prev
ok=1
i=0
while [ $i -lt 12 ]; do
	train-candle -m "$M" --on every "$T_TMP/p.csv" >/dev/null 2>&1 &
	a=$!
	train-candle -m "$M" --on pivots "$T_TMP/p.csv" >/dev/null 2>&1 &
	b=$!
	sleep "0.$(awk -v s=$i 'BEGIN { srand(s); printf "%02d", 5 + int(rand() * 40) }')"
	kill -9 $a $b 2>/dev/null
	wait $a $b 2>/dev/null
	g=$(gen)
	if [ -z "$g" ] || [ "$g" -lt "$prev" ]; then
		ok=0
		echo "kill $i: generation '$g' after $prev" >&2
	fi
	prev=$g
	i=$((i + 1))
done
check random-kills [ $ok = 1 ]
check random-kills-progress [ "$prev" -gt "$start" ]
expect after-kills 0 "train-candle -m $M --label HOLD $T_TMP/c.csv"
check after-kills-no-tmp [ "$(tmpfiles)" = 0 ]

t_done
