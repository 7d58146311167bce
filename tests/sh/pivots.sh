#!/bin/sh
# tests/sh/pivots.sh - pivots(1): usage, data errors, a hand-checked
# series, the prefix property, chunked input, live pass-through, --at-pivot
# against the streaming output, --annotations, feeding its output back.
. "$(dirname "$0")/../lib.sh"

in=$T_TMP/in.csv
zcat "$DATA" | sed '1s/^timestamp,/time,/' >"$in"
head -n 2001 "$in" >"$T_TMP/in2k.csv"

# --- usage ---------------------------------------------------------------
syn='usage: pivots [-k strength] [--levels n] [--trend] [--at-pivot | --annotations [--level n]] [file]'
expect help 0 "pivots --help | sed '/^$/,\$d'" "$syn"
expect version 0 'pivots --version | grep -q "^pivots [0-9]"'
expect k0 2 'pivots -k 0 </dev/null'
expect kjunk 2 'pivots -k 2x </dev/null'
expect kbig 2 'pivots -k 10001 </dev/null'
expect levels6 2 'pivots --levels 6 </dev/null'
expect levels0 2 'pivots --levels 0 </dev/null'
expect both 2 'pivots --at-pivot --annotations </dev/null'
expect level-alone 2 'pivots --level 2 </dev/null'
expect two-files 2 "pivots $in $in"
expect bad-option 2 'pivots --bogus </dev/null'
expect usage-text 0 'pivots --levels 9 2>&1 >/dev/null | tail -n 1' "$syn"
# the SYNOPSIS of the man page says the same
man=$(mandoc -Tascii man/pivots.1 2>/dev/null | col -b |
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr -s ' \t\n' ' ' |
    sed 's/^ //;s/ $//')
check man-synopsis [ "usage: $man" = "$syn" ]

# --- data errors ---------------------------------------------------------
expect empty 65 'pivots </dev/null'
expect not-candles 65 'printf "a,b\n1,2\n" | pivots'
printf 'time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,2,1,1,0\n2024-01-01T00:01:00Z,1,0.5,1,1,0\n' >"$T_TMP/bad.csv"
expect bad-row 65 "pivots $T_TMP/bad.csv"
errhas bad-row-line "bad.csv:3:"
expect missing-file 1 "pivots $T_TMP/nonexistent.csv"
expect header-only 0 'printf "time,open,high,low,close,volume\n" | pivots' \
    'time,open,high,low,close,volume,pivot1_high,pivot1_low,pivot2_high,pivot2_low'

# --- a hand-checked series (k=1) -----------------------------------------
# highs 2 3 2 4 4 3 3.5 5 4 4.5 4, lows 1 .5 1 1.5 2 1 1.2 3 2.5 3 3.5:
# candle 1 is an outside bar (H and L), 3 is the first bar of a flat top,
# level-1 H 1 3 7 9 (rows 2 4 8 10), L 1 5 8 (rows 2 6 9); level-2 H 7
# (5 > 4 and >= 4.5), known when H 9 is: row 10.
{
	echo time,open,high,low,close,volume,note
	i=0
	for hl in 2:1 3:.5 2:1 4:1.5 4:2 3:1 3.5:1.2 5:3 4:2.5 4.5:3 4:3.5; do
		h=${hl%:*} l=${hl#*:}
		echo "2024-01-02T09:3$i:00Z,$l,$h,$l,$l,100,\"a, b\""
		i=$((i + 1))
	done
} | sed 's/09:31\([0-9]\)/09:4\1/' >"$T_TMP/hand.csv"
T() { echo "2024-01-02T09:3$1:00Z"; }
golden=$(cat <<EOF
time,open,high,low,close,volume,note,pivot1_high,pivot1_low,pivot2_high,pivot2_low
$(T 0),1,2,1,1,100,"a, b",,,,
$(T 1),.5,3,.5,.5,100,"a, b",,,,
$(T 2),1,2,1,1,100,"a, b",$(T 1),$(T 1),,
$(T 3),1.5,4,1.5,1.5,100,"a, b",,,,
$(T 4),2,4,2,2,100,"a, b",$(T 3),,,
$(T 5),1,3,1,1,100,"a, b",,,,
$(T 6),1.2,3.5,1.2,1.2,100,"a, b",,$(T 5),,
$(T 7),3,5,3,3,100,"a, b",,,,
$(T 8),2.5,4,2.5,2.5,100,"a, b",$(T 7),,,
$(T 9),3,4.5,3,3,100,"a, b",,$(T 8),,
2024-01-02T09:40:00Z,3.5,4,3.5,3.5,100,"a, b",$(T 9),,$(T 7),
EOF
)
expect hand 0 "pivots -k 1 $T_TMP/hand.csv" "$golden"
expect hand-stdin 0 "pivots -k 1 - <$T_TMP/hand.csv" "$golden"
# times with a fraction: the pivot columns are canonical all the same
sed 's/:00Z,/:00.000Z,/' "$T_TMP/hand.csv" >"$T_TMP/frac.csv"
expect hand-frac 0 "pivots -k 1 $T_TMP/frac.csv | cut -d, -f9-" \
    "$(echo "$golden" | cut -d, -f9-)"
expect hand-annotations 0 "pivots -k 1 --annotations $T_TMP/hand.csv" \
    "time,action
$(T 3),SELL
$(T 5),BUY
$(T 7),SELL
$(T 8),BUY
$(T 9),SELL"
expect hand-annotations2 0 "pivots -k 1 --annotations --level 2 $T_TMP/hand.csv" \
    "time,action
$(T 7),SELL"
expect hand-trend 0 "pivots -k 1 --levels 1 --trend $T_TMP/hand.csv | awk -F, '{ print \$NF }' | paste -sd' ' -" \
    "trend1       up up up up side"

# --- whole-file properties -----------------------------------------------
pivots --levels 3 --trend "$in" >"$T_TMP/full.csv"
check full-rows [ "$(wc -l <"$T_TMP/full.csv")" -eq "$(wc -l <"$in")" ]
check full-has-level3 [ "$(cut -d, -f13 "$T_TMP/full.csv" | grep -c Z)" -gt 10 ]

# prefix property: the output for the first m rows is a prefix
ok=1
for m in 0 1 2 3 5 10 100 1000 4321 9999; do
	head -n $((m + 1)) "$in" | pivots --levels 3 --trend >"$T_TMP/pre.csv"
	head -n $((m + 1)) "$T_TMP/full.csv" | cmp -s - "$T_TMP/pre.csv" || {
		echo "prefix $m differs" >&2; ok=0; }
done
check prefix [ $ok = 1 ]

# chunked input: lines in chunks of 1 2 3 5 13 100 and all, and bytes in
# chunks of 7 (splitting lines), each chunk a separate write
chunker='
import os, sys, time
n, unit = int(sys.argv[1]), sys.argv[2]
data = sys.stdin.buffer.read()
parts = data.splitlines(True) if unit == "lines" else [data[i:i + 1] for i in range(len(data))]
for i in range(0, len(parts), n):
    os.write(1, b"".join(parts[i:i + n]))
    time.sleep(0.0005)
'
pivots -k 3 --levels 5 --trend "$T_TMP/in2k.csv" >"$T_TMP/whole.csv"
ok=1
for n in 1 2 3 5 13 100 100000; do
	/usr/bin/python3 -c "$chunker" $n lines <"$T_TMP/in2k.csv" |
	    pivots -k 3 --levels 5 --trend >"$T_TMP/chunk.csv"
	cmp -s "$T_TMP/whole.csv" "$T_TMP/chunk.csv" || {
		echo "chunks of $n lines differ" >&2; ok=0; }
done
head -n 301 "$T_TMP/in2k.csv" | /usr/bin/python3 -c "$chunker" 7 bytes |
    pivots -k 3 --levels 5 --trend >"$T_TMP/chunk.csv"
head -n 301 "$T_TMP/whole.csv" | cmp -s - "$T_TMP/chunk.csv" || {
	echo "chunks of 7 bytes differ" >&2; ok=0; }
check chunks [ $ok = 1 ]

# --at-pivot = the streaming output with each pivot moved to its own row
moved() {
	awk -F, -v OFS=, '
	NR == FNR {
		if (FNR == 1) {
			for (i = 1; i <= NF; i++)
				if ($i ~ /^pivot/) piv[i] = 1
			next
		}
		for (i in piv) if ($i != "") at[$i, i] = 1
		next
	}
	FNR == 1 { print; next }
	{ for (i in piv) $i = (($1, i) in at) ? $1 : ""; print }' "$1" "$1"
}
ok=1
for args in "--levels 3 --trend" "-k 1 --levels 5" "-k 4 --levels 2"; do
	pivots $args "$in" >"$T_TMP/s.csv"
	pivots $args --at-pivot "$in" >"$T_TMP/a.csv"
	moved "$T_TMP/s.csv" | cmp -s - "$T_TMP/a.csv" || {
		echo "--at-pivot $args differs" >&2; ok=0; }
done
check at-pivot [ $ok = 1 ]
check at-pivot-moves [ "$(cmp -s "$T_TMP/s.csv" "$T_TMP/a.csv"; echo $?)" = 1 ]

# --annotations = the single-kind pivots of the level in --at-pivot output
ok=1
for lev in 1 2 3; do
	pivots --levels 3 --at-pivot "$in" | awk -F, -v h=$((5 + 2 * lev)) '
	    NR == 1 { print "time,action"; next }
	    $h != "" && $(h + 1) == "" { print $1 ",SELL" }
	    $h == "" && $(h + 1) != "" { print $1 ",BUY" }' >"$T_TMP/want.csv"
	pivots --annotations --level $lev "$in" >"$T_TMP/ann.csv"
	cmp -s "$T_TMP/want.csv" "$T_TMP/ann.csv" || {
		echo "--annotations --level $lev differs" >&2; ok=0; }
done
check annotations [ $ok = 1 ]
check annotations-sorted sh -c "tail -n +2 $T_TMP/ann.csv | sort -c"
check annotations-many [ "$(wc -l <"$T_TMP/ann.csv")" -gt 20 ]

# its own output fed back: the columns are replaced in place
pivots "$in" >"$T_TMP/p2.csv"
expect again 0 "pivots $T_TMP/p2.csv | cmp - $T_TMP/p2.csv"
pivots --levels 3 "$in" >"$T_TMP/p3.csv"
expect more-levels 0 "pivots --levels 3 $T_TMP/p2.csv | cmp - $T_TMP/p3.csv"

# a closed downstream pipe is a quiet exit 0
expect epipe 0 "{ pivots $in; echo \$? >$T_TMP/st; } | head -n 1 >/dev/null; cat $T_TMP/st" 0

# live: rows come out before the input ends
mkfifo "$T_TMP/fifo"
pivots <"$T_TMP/fifo" >"$T_TMP/live.csv" 2>&1 &
pid=$!
exec 3>"$T_TMP/fifo"
head -n 6 "$in" >&3
i=0
while [ "$(cat "$T_TMP/live.csv" 2>/dev/null | wc -l)" -lt 6 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
n=$(wc -l <"$T_TMP/live.csv")
check live-rows [ "$n" -eq 6 ]
kill -TERM $pid
sleep 0.2
exec 3>&-	# so that a stop not honoured in a blocked read still ends
wait $pid
st=$?
check live-sigterm [ "$st" -eq 143 ]

# the README pipeline, with candle-feed
if [ -x bin/candle-feed ]; then
	expect candle-feed 0 "candle-feed $DATA | pivots --levels 2 | cmp - $T_TMP/p2.csv"
fi

t_done
