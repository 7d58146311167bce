# tests/sh/faults.sh - faults at the program level (tests/FAULTS.md): a
# stopped and a killed lock holder, corrupt, truncated and foreign
# checkpoints, a file-size limit during a save, read-only, missing and
# replaced checkpoint paths, permission bits, group and symlinks kept,
# hostile input to every program, and a closed downstream pipe at every
# stage.  A case whose program is not built yet is skipped with a note (not
# counted as a pass).  The library-level cases are tests/unit/faults.c,
# whose tool mode ("faults update PATH") stands in for a trainer here.
. tests/lib.sh

F=$top/tests/unit/faults
[ -x "$F" ] || { echo "faults.sh: build tests/unit/faults first (make)" >&2; exit 1; }
T=$T_TMP
SKIPS=0

have() { [ -x "$top/bin/$1" ]; }
skip() { SKIPS=$((SKIPS + 1)); echo "SKIP $*: not in bin/ yet"; }

# A small valid stream: header and 40 rows of the bundled 1-minute data.
zcat "$DATA" | sed '1s/timestamp/time/' | sed -n 1,41p >"$T/ok.csv"
H=$(head -1 "$T/ok.csv")

# The programs that open a checkpoint, one "name command" a line (input
# $T/in.csv, checkpoint $M, lock timeout $TO); the library tool stands in
# for the trainers not built yet.  Read with "while read" from a file, so
# the counters stay in this shell.
echo "lib $F update \$M \$TO" >"$T/trainers"
if have train-candle && have pivots; then
	pivots --levels 1 "$T/ok.csv" >"$T/inp.csv"
	# --label: one sample, one save, and a lock timeout is status 75
	# (in streaming modes it is a warning and the stream goes on: below)
	echo "train-candle train-candle -m \$M --label BUY --lock-timeout \$TO \$T/inp.csv" >>"$T/trainers"
else skip "train-candle (with pivots)"; fi
if have train-batch; then
	echo "train-batch train-batch -m \$M --labels every --epochs 1 --lock-timeout \$TO \$T/in.csv" >>"$T/trainers"
else skip train-batch; fi
cp "$T/trainers" "$T/readers"
if have infer; then
	echo "infer infer -m \$M \$T/in.csv" >>"$T/readers"
else skip infer; fi
TO=5

# hold_lock M: a process ($holder) that holds M's lock until killed
hold_lock() {
	rm -f "$1.held"
	"$F" hold "$1" 2>/dev/null &
	holder=$!
	i=0
	while [ ! -e "$1.held" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}

# ---- the lock holder stopped, then killed ----
M=$T/lock.ckpt
"$F" create "$M"
hold_lock "$M"
check holder-has-lock test -e "$M.held"
kill -STOP $holder
cp "$T/ok.csv" "$T/in.csv"
while read -r name run; do
	expect "stopped-holder-$name" 75 "M=$M T=$T TO=1; $run"
	errhas "stopped-holder-$name-names-pid" "$holder"
done <"$T/trainers"
if have train-candle && have pivots; then
	head -12 "$T/inp.csv" >"$T/inp12.csv"
	expect stopped-holder-train-candle-stream 0 "train-candle -m $M --on every --lock-timeout 0.2 $T/inp12.csv >/dev/null"
	errhas stopped-holder-train-candle-stream-warns "held by pid $holder"
fi
kill -KILL $holder
wait $holder 2>/dev/null
expect killed-holder-next-proceeds 0 "$F update $M 20"
expect killed-holder-file-loads 0 "$F load $M"

# ---- corrupt, truncated and foreign checkpoints: 65, never overwritten ----
"$F" create "$T/good.ckpt"
/usr/bin/python3 - "$T/good.ckpt" "$T/bad" <<'EOF'
import random, sys
good = open(sys.argv[1], 'rb').read()
r = random.Random(1)
out = []
for i in range(50):
    b = bytearray(good)
    b[r.randrange(len(b))] ^= 1 << r.randrange(8)
    out.append(bytes(b))
for i in range(20):
    out.append(good[:r.randrange(len(good))])
out.append(b'time,open,high,low,close,volume\n2024-01-02T00:00:00Z,1,2,0.5,1.5,9\n')
out.append(b'PK\x03\x04' + bytes(r.randrange(256) for _ in range(300)))
out.append(b'\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.')
for i, b in enumerate(out):
    open('%s%02d' % (sys.argv[2], i), 'wb').write(b)
EOF
while read -r name run; do
	nf=0 bad=0
	for f in "$T"/bad[0-9][0-9]; do
		cp "$f" "$T/c.ckpt"
		M=$T/c.ckpt
		eval "$run" >/dev/null 2>"$T/cerr" </dev/null
		st=$?
		nf=$((nf + 1))
		if [ $st -ne 65 ] || ! grep -q "c.ckpt" "$T/cerr" ||
		    ! cmp -s "$f" "$T/c.ckpt"; then
			bad=$((bad + 1))
			echo "$name: $(basename "$f"): status $st: $(head -1 "$T/cerr")" >&2
		fi
	done
	check "corrupt-refused-$name ($nf files)" [ $bad -eq 0 -a $nf -eq 73 ]
done <"$T/readers"

# ---- a file-size limit during a save: status 1, the old file intact ----
# ulimit -f counts 512-byte blocks; the checkpoint is about 13 KB.
while read -r name run; do
	"$F" create "$T/fs.ckpt.$name" 2>/dev/null
	cp "$T/fs.ckpt.$name" "$T/fs.keep"
	expect "efbig-$name" 1 "M=$T/fs.ckpt.$name T=$T TO=5; trap '' XFSZ; ulimit -f 8; $run >/dev/null"
	errhas "efbig-$name-says" "File too large"
	check "efbig-$name-intact" cmp -s "$T/fs.ckpt.$name" "$T/fs.keep"
done <"$T/trainers"

# ---- read-only directory, a directory in place, a missing directory ----
mkdir "$T/ro"
"$F" create "$T/ro/m.ckpt"
chmod 755 "$T"
chmod 644 "$T/ro/m.ckpt"
chmod 555 "$T/ro"
cp "$T/ro/m.ckpt" "$T/ro.keep"
asuser=
[ "$(id -u)" = 0 ] && asuser="setpriv --reuid=65534 --regid=65534 --clear-groups"
mkdir "$T/isdir.ckpt"
while read -r name run; do
	expect "readonly-dir-$name" 1 "M=$T/ro/m.ckpt T=$T TO=5; export M T TO; $asuser sh -c '$run' >/dev/null"
	check "readonly-dir-$name-intact" cmp -s "$T/ro/m.ckpt" "$T/ro.keep"
	expect "dir-in-place-$name" 65 "M=$T/isdir.ckpt T=$T TO=5; $run >/dev/null"
	errhas "dir-in-place-$name-says" "not a regular file"
	expect "missing-dir-$name" 1 "M=$T/nodir/m.ckpt T=$T TO=5; $run >/dev/null"
	errhas "missing-dir-$name-names" "nodir"
done <"$T/trainers"
chmod 755 "$T/ro"
chmod 700 "$T"
check dir-in-place-empty rmdir "$T/isdir.ckpt"
check missing-dir-not-created [ ! -e "$T/nodir" ]

# ---- permission bits, group and symlinks kept by a save ----
while read -r name run; do
	"$F" create "$T/p.$name.ckpt"
	chmod 640 "$T/p.$name.ckpt"
	g=$(id -g)
	[ "$(id -u)" = 0 ] && g=4242
	chgrp "$g" "$T/p.$name.ckpt"
	ln -s "p.$name.ckpt" "$T/l.$name.ckpt"
	expect "save-via-symlink-$name" 0 "M=$T/l.$name.ckpt T=$T TO=5; $run >/dev/null"
	check "symlink-kept-$name" test -L "$T/l.$name.ckpt"
	check "mode-kept-$name" [ "$(stat -c %a "$T/p.$name.ckpt")" = 640 ]
	check "group-kept-$name" [ "$(stat -c %g "$T/p.$name.ckpt")" = "$g" ]
	check "no-tmp-left-$name" [ "$(ls -A "$T" | grep -c "^\.p\.$name\.ckpt\.tmp")" = 0 ]
done <"$T/trainers"

# ---- issue 19: locks that wedge, a checkpoint that is a FIFO, a huge
# sparse checkpoint, whole-file determinism, test hooks in bin/ ----
# the ticket of pid $1 on lock file $2 (a POSIX write lock, /proc/locks)
queued() {
	ino=$(stat -c %i "$2" 2>/dev/null) || return 1
	grep -v -- '->' /proc/locks | grep -q "POSIX .*WRITE $1 [0-9a-f:]*:$ino "
}
wait_queued() {
	i=0
	while ! queued "$1" "$2" && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	queued "$1" "$2"
}
if have train-candle && have train-batch; then
	M=$T/w.ckpt
	"$F" create "$M"
	# 9. a waiter stopped (SIGSTOP) at the head of the queue does not keep
	# the next writer from a free lock; once continued it trains too
	hold_lock "$M"
	train-candle -m "$M" --label BUY --lock-timeout 60 "$T/ok.csv" >/dev/null 2>&1 &
	w1=$!
	check stopped-waiter-queued wait_queued $w1 "$M.lock"
	kill -STOP $w1
	kill -KILL $holder
	wait $holder 2>/dev/null
	expect stopped-waiter-passed 0 "train-candle -m $M --label SELL --lock-timeout 10 $T/ok.csv >/dev/null"
	kill -CONT $w1
	wait $w1
	check stopped-waiter-continues [ $? = 0 ]
	check stopped-waiter-gen [ "$("$F" gen "$M")" = 9 ]
	# 9. a waiter killed with -9 leaves nothing in the queue: NAME.lock
	# stays empty, and its pid, reused or not, is nowhere
	hold_lock "$M"
	train-candle -m "$M" --label BUY --lock-timeout 60 "$T/ok.csv" >/dev/null 2>&1 &
	w1=$!
	check killed-waiter-queued wait_queued $w1 "$M.lock"
	kill -KILL $w1
	wait $w1 2>/dev/null
	check killed-waiter-gone sh -c "! grep -q 'POSIX .*WRITE $w1 ' /proc/locks"
	check killed-waiter-lock-empty [ ! -s "$M.lock" ]
	# 10. SIGTERM and SIGINT end a wait for the lock at once: 143, 130
	# (not 75 after --lock-timeout)
	train-candle -m "$M" --label BUY --lock-timeout 60 "$T/ok.csv" >/dev/null 2>"$T/term.err" &
	w1=$!
	check term-waiter-queued wait_queued $w1 "$M.lock"
	kill -TERM $w1
	wait $w1
	check term-ends-wait-143 [ $? = 143 ]
	pivots --levels 1 "$T/ok.csv" >"$T/inp.csv" 2>/dev/null
	train-candle -m "$M" --on every --lock-timeout 60 "$T/inp.csv" >/dev/null 2>"$T/term.err" &
	w1=$!
	check term-stream-queued wait_queued $w1 "$M.lock"
	kill -TERM $w1
	wait $w1
	check term-stream-ends-wait-143 [ $? = 143 ]
	train-batch -m "$M" --labels every --epochs 1 --lock-timeout 60 "$T/ok.csv" >/dev/null 2>&1 &
	w1=$!
	check int-waiter-queued wait_queued $w1 "$M.lock"
	kill -INT $w1
	wait $w1
	check int-ends-wait-130 [ $? = 130 ]
	kill -KILL $holder
	wait $holder 2>/dev/null
	check after-stops-gen [ "$("$F" gen "$M")" = 9 ]
else skip "issue 19 lock cases (train-candle, train-batch)"; fi
# 10. a checkpoint that is a FIFO: refused with 65, never a hang
mkfifo "$T/fifo.ckpt"
while read -r name run; do
	expect "fifo-ckpt-$name" 65 "M=$T/fifo.ckpt T=$T TO=2; cp $T/ok.csv $T/in.csv; timeout 60 sh -c \"$run\" >/dev/null </dev/null"
	errhas "fifo-ckpt-$name-says" "not a regular file"
done <"$T/readers"
if have infer; then
	expect fifo-ckpt-info 65 "timeout 60 infer --info -m $T/fifo.ckpt"
fi
# 12. a huge sparse file whose header gives another size: 65 at once (the
# body is neither read nor CRC'd: tests/unit/ckpt.c counts the bytes read)
"$F" create "$T/sparse.ckpt"
truncate -s 20G "$T/sparse.ckpt"
while read -r name run; do
	expect "sparse-ckpt-$name" 65 "M=$T/sparse.ckpt T=$T TO=2; cp $T/ok.csv $T/in.csv; timeout 120 sh -c \"$run\" >/dev/null </dev/null"
	errhas "sparse-ckpt-$name-says" "inconsistent header"
done <"$T/readers"
rm -f "$T/sparse.ckpt"
# 17. train-batch --new twice with one seed and SOURCE_DATE_EPOCH: the
# same bytes; a --new run without samples leaves no file
if have train-batch; then
	for i in 1 2; do
		SOURCE_DATE_EPOCH=1700000000 train-batch -m "$T/det$i.ckpt" --new \
		    --window 8 --dim 16 --layers 1 --heads 2 --labels every \
		    --epochs 1 --seed 5 --threads 1 "$T/ok.csv" >/dev/null 2>&1
	done
	check sde-same-bytes cmp -s "$T/det1.ckpt" "$T/det2.ckpt"
	train-batch -m "$T/det3.ckpt" --new --window 8 --dim 16 --layers 1 \
	    --heads 2 --labels every --epochs 1 --seed 6 --threads 1 \
	    "$T/ok.csv" >/dev/null 2>&1
	check no-sde-other-id [ "$(infer --info -m "$T/det3.ckpt" | grep model_id)" != "$(infer --info -m "$T/det1.ckpt" | grep model_id)" ]
	head -1 "$T/ok.csv" >"$T/hdr.csv"
	expect new-no-samples 65 "train-batch -m $T/none.ckpt --new --window 8 --dim 16 --layers 1 --heads 2 --labels every $T/hdr.csv"
	check new-no-samples-no-file [ ! -e "$T/none.ckpt" ]
else skip "issue 19 determinism (train-batch)"; fi
# the test hook (tests/hook.c) is in bin-test/ only, never in bin/
for p in "$top"/bin/*; do
	check "no-test-hook-$(basename "$p")" sh -c "! strings '$p' | grep -q 'CANDLEKIT_FAULT\|CANDLEKIT_LOCK_LOG'"
done

# ---- hostile input to every program ----
# Each program gets variants of a valid input of its own kind (candles; a
# pivot stream for train-candle; predictions for backtest) made by
# tests/hostile.py, bad from line 4 on: status 65 with "in.csv:4:" (line 1
# for noise and an empty file), no crash, no hang; a filter has written the
# 2 rows before the bad one.  The valid variants (header only, CRLF, no
# final newline) exit 0 (train-batch may refuse a header-only input with
# 65: nothing to train on).
"$F" create "$T/h.ckpt"
base() {	# the valid input for program $1 in $T/base.csv, or fail
	case $1 in
	train-candle)	have pivots && pivots --levels 1 "$T/ok.csv" >"$T/base.csv" ;;
	backtest)	have infer && infer -m "$T/h.ckpt" "$T/ok.csv" >"$T/base.csv" 2>/dev/null ;;
	*)		cp "$T/ok.csv" "$T/base.csv" ;;
	esac
}
for prog in candle-feed pivots infer train-candle train-batch backtest; do
	if ! have $prog; then skip "hostile input to $prog"; continue; fi
	if ! base $prog; then skip "hostile input to $prog (its input needs pivots or infer)"; continue; fi
	/usr/bin/python3 tests/hostile.py "$T/base.csv" "$T/h.$prog" >"$T/hostile"
	case $prog in
	infer)		args="-m $T/h.ckpt" ;;
	train-candle)	args="-m $T/h.ckpt --on every" ;;
	train-batch)	args="-m $T/h.ckpt --labels every --epochs 1" ;;
	*)		args= ;;
	esac
	while read -r hn line; do
		cp "$T/h.$prog/$hn" "$T/in.csv"
		timeout 60 sh -c "$prog $args $T/in.csv" >"$T/hout" 2>"$T/herr"
		st=$?
		if [ "$line" = 0 ]; then
			ok=$st
			[ "$prog:$hn:$st" = train-batch:header-only:65 ] && ok=0
			check "hostile-$prog-$hn-valid (status $st: $(head -c 150 "$T/herr"))" [ $ok -eq 0 ]
			continue
		fi
		if [ $st -ne 65 ] || ! grep -q "in.csv:$line:" "$T/herr"; then
			fail "hostile-$prog-$hn: status $st, want 65 with in.csv:$line: ($(head -c 200 "$T/herr"))"
		else
			pass
		fi
		case $prog:$line in
		candle-feed:4|pivots:4|infer:4|train-candle:4)
			check "hostile-$prog-$hn-rows-before ($(grep -c '^20' "$T/hout") rows)" \
			    [ "$(grep -c '^20' "$T/hout")" -eq 2 ] ;;
		esac
	done <"$T/hostile"
	check "hostile-$prog-ckpt-loads" "$F" load "$T/h.ckpt"
done

# ---- a closed downstream pipe at every stage: quiet exit 0 ----
"$F" create "$T/pipe.ckpt"
cp "$T/pipe.ckpt" "$T/pipe.keep"
zcat "$DATA" | sed '1s/timestamp/time/' >"$T/all.csv"
stage() {	# name command-with-input
	if ! have "$1"; then skip "head -1 after $1"; return; fi
	{ sh -c "$2" 2>"$T/perr"; echo $? >"$T/pst"; } | head -1 >/dev/null
	check "pipe-$1-status ($(cat "$T/pst"))" [ "$(cat "$T/pst")" = 0 ]
	# quiet: no error (backtest's summary on stderr is its output)
	check "pipe-$1-quiet" [ -z "$(grep -i 'pipe\|error\|write' "$T/perr")" ]
}
stage candle-feed "candle-feed $DATA"
stage pivots "pivots $T/all.csv"
stage infer "infer -m $T/pipe.ckpt $T/all.csv"
if have pivots; then
	pivots --levels 1 "$T/all.csv" >"$T/allp.csv" 2>/dev/null
	stage train-candle "train-candle -m $T/pipe.ckpt --on every $T/allp.csv"
else skip "head -1 after train-candle (needs pivots)"; fi
if have pivots && have infer; then
	pivots "$T/all.csv" 2>/dev/null | infer -m "$T/pipe.ckpt" >"$T/pred.csv" 2>/dev/null
	stage backtest "backtest $T/pred.csv"
else skip "head -1 after backtest (needs pivots and infer)"; fi
check pipe-ckpt-loads "$F" load "$T/pipe.ckpt"

echo "# skipped $SKIPS cases whose program is not built yet"
t_done
