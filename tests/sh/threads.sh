#!/bin/sh
# tests/sh/threads.sh - threads share the machine: under taskset -c 0 every
# thread of every program stays on CPU 0 (the pool is sized from the CPUs
# the process may use), and by default no thread is pinned to one CPU.
# Each program is watched while it waits on input from a FIFO (the model
# programs have started their pools by then), train-batch while it trains;
# the CPU sets are read from /proc/PID/task/*/status.
. "$(dirname "$0")/../lib.sh"
T=$T_TMP
M=$T/m.ckpt
candle-feed --last 3000 "$DATA" >"$T/c.csv"
train-batch -m "$M" --new --window 8 --dim 16 --layers 1 --heads 2 \
    --labels every --epochs 1 --seed 7 "$T/c.csv" >/dev/null 2>&1 ||
	{ echo "cannot create a test model" >&2; exit 1; }
head -n 200 "$T/c.csv" >"$T/c200.csv"
pivots <"$T/c200.csv" >"$T/p.csv" || exit 1
infer -m "$M" "$T/c200.csv" >"$T/i.csv" 2>/dev/null || exit 1
ncpu=$(taskset -c -p $$ 2>/dev/null | sed 's/.*: //' |
    awk -F, '{ n = 0; for (i = 1; i <= NF; i++) { split($i, r, "-");
	n += (r[2] == "" ? 1 : r[2] - r[1] + 1) } print n }')
[ -n "$ncpu" ] || ncpu=1
command -v taskset >/dev/null || { echo "threads.sh: taskset missing" >&2; exit 1; }

# cpus PID: one line per thread, its Cpus_allowed_list
cpus() {
	for s in /proc/"$1"/task/*/status; do
		sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$s" 2>/dev/null
	done
}

# waiting PID: the process sleeps in a read of its FIFO (up to 20 s)
waiting() {
	i=0
	while [ $i -lt 400 ]; do
		case $(cat /proc/"$1"/wchan 2>/dev/null) in
		*pipe*|*fifo*) return 0 ;;
		esac
		[ -d /proc/"$1" ] || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# judge NAME MODE: the CPU sets in $T/sets of a program run under MODE
# (pinned: every thread on CPU 0; free: no thread on a single CPU, and the
# model programs run more than one thread)
judge() {
	if [ ! -s "$T/sets" ]; then
		fail "$1 $2: no thread seen"
		return
	fi
	if [ "$2" = pinned ]; then
		if grep -qvx 0 "$T/sets"; then
			fail "$1 under taskset -c 0: a thread may leave CPU 0: $(sort -u "$T/sets" | tr '\n' ' ')"
		else pass; fi
		return
	fi
	if grep -Eqx '[0-9]+' "$T/sets"; then
		fail "$1: a thread pinned to one CPU: $(tr '\n' ' ' <"$T/sets")"
	else pass; fi
	case $1 in
	infer|train-batch)
		if [ "$(wc -l <"$T/sets")" -ge 2 ]; then pass; else
			fail "$1: one thread on $ncpu CPUs"; fi ;;
	esac
}

# watch NAME MODE INPUT COMMAND...: run COMMAND on a FIFO, write INPUT into
# it (without closing it), read the threads' CPU sets while the program
# waits for more, then close the FIFO and let it finish
watch() {
	name=$1 mode=$2 in=$3
	shift 3
	rm -f "$T/fifo" "$T/sets"
	mkfifo "$T/fifo"
	if [ "$mode" = pinned ]; then
		taskset -c 0 "$@" <"$T/fifo" >/dev/null 2>"$T/err" &
	else
		"$@" <"$T/fifo" >/dev/null 2>"$T/err" &
	fi
	pid=$!
	exec 3>"$T/fifo"
	cat "$in" >&3
	if waiting $pid; then cpus $pid >"$T/sets"; fi
	exec 3>&-
	wait $pid
	st=$?
	[ $st = 0 ] && pass || fail "$name $mode: exit status $st: $(head -3 "$T/err")"
	judge "$name" "$mode"
}

# train-batch reads all its input first: watched while it trains (an epoch
# row has been written), then stopped
watch_train() {
	mode=$1
	rm -f "$T/sets"
	: >"$T/tb.out"
	if [ "$mode" = pinned ]; then
		taskset -c 0 train-batch -m "$M" --labels every --epochs 100000 \
		    --val 0 "$T/c.csv" >"$T/tb.out" 2>/dev/null &
	else
		train-batch -m "$M" --labels every --epochs 100000 --val 0 \
		    "$T/c.csv" >"$T/tb.out" 2>/dev/null &
	fi
	pid=$!
	i=0
	while [ $i -lt 600 ] && [ "$(wc -l <"$T/tb.out")" -lt 2 ] &&
	    [ -d /proc/$pid ]; do
		sleep 0.05
		i=$((i + 1))
	done
	cpus $pid >"$T/sets"
	kill -TERM $pid 2>/dev/null
	wait $pid
	st=$?
	[ $st = 143 ] && pass || fail "train-batch $mode: exit status $st, want 143"
	judge train-batch "$mode"
}

for mode in pinned free; do
	if [ $mode = free ] && [ "$ncpu" -lt 2 ]; then
		echo "threads.sh: one CPU usable, the unpinned cases need two" >&2
		break
	fi
	watch candle-feed $mode "$DATA" candle-feed -
	watch pivots $mode "$T/c200.csv" pivots
	watch infer $mode "$T/c200.csv" infer -m "$M"
	watch train-candle $mode "$T/p.csv" train-candle -m "$M" --on every
	watch backtest $mode "$T/i.csv" backtest
	watch_train $mode
done
t_done
