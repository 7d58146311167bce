# candle-feed: input formats, validation, ranges, --last, --resample,
# --follow, --replay, chunked input.  Waits are bounded polls, never timings.
. "$(dirname "$0")/../lib.sh"

H=time,open,high,low,close,volume
T=$T_TMP
zcat "$DATA" >"$T/hq.csv"
sed '1s/^timestamp/time/' "$T/hq.csv" >"$T/hq.want"

# ---- the acceptance: byte-identical but for the header's first name
expect gz-identity 0 "candle-feed $DATA"
check gz-identity-bytes cmp -s "$T/out" "$T/hq.want"
expect plain-stdin 0 "candle-feed <$T/hq.csv"
check plain-stdin-bytes cmp -s "$T/out" "$T/hq.want"
expect gz-stdin 0 "candle-feed - <$DATA"
check gz-stdin-bytes cmp -s "$T/out" "$T/hq.want"
expect goog 0 "candle-feed tests/data/mpl_goog_1d.csv.gz | wc -l" "1048"

# ---- input formats
expect header-only 0 "printf 'timestamp,open,high,low,close,volume\n' | candle-feed" "$H"
expect no-header 65 "printf '' | candle-feed"
errhas no-header-msg "stdin:1: no header"
expect no-volume 65 "printf 'time,open,high,low,close\n' | candle-feed"
errhas no-volume-msg "stdin:1: no volume column in the header"

expect yahoo-dates 0 "printf 'Date,Open,High,Low,Close,Adj Close,Volume\n2024-06-13,10,11,9,10.5,10.4,100\n2024-06-14,10.5,12,10,11,10.9,200\n' | candle-feed" \
"$H
2024-06-13T00:00:00Z,10,11,9,10.5,100
2024-06-14T00:00:00Z,10.5,12,10,11,200"
expect short-epoch-s 0 "printf 'timestamp,o,h,l,c,v\n1718328600,1,2,0.5,1.5,3\n1718328660,1.5,2,1,1,0\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,1,2,0.5,1.5,3
2024-06-14T01:31:00Z,1.5,2,1,1,0"
expect epoch-ms 0 "printf 'open_time,volume,close,low,high,open,extra\n1718328600000,3,1.5,0.5,2,1,x\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,1,2,0.5,1.5,3"
expect epoch-us 0 "printf 'TIME,Open,HIGH,low,Close,VOL\n1718328600000000,1,2,0.5,1.5,3\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,1,2,0.5,1.5,3"
expect epoch-forced 0 "printf 'time,open,high,low,close,volume\n1718328600,1,2,0.5,1.5,3\n' | candle-feed --epoch ms" \
"$H
1970-01-20T21:18:48.6Z,1,2,0.5,1.5,3"
expect offsets 0 "printf 'datetime,open,high,low,close,volume\n2024-06-14T09:30:00+08:00,1,2,0.5,1.5,3\n2024-06-14 01:31:00,1,2,0.5,1.5,3\n2024-06-13T21:32:00.250-04:00,1,2,0.5,1.5,3\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,1,2,0.5,1.5,3
2024-06-14T01:31:00Z,1,2,0.5,1.5,3
2024-06-14T01:32:00.25Z,1,2,0.5,1.5,3"
expect subsecond-kept 0 "printf 'time,open,high,low,close,volume\n2024-06-14T01:30:00.500Z,1,2,0.5,1.5,3\n' | candle-feed" \
"$H
2024-06-14T01:30:00.500Z,1,2,0.5,1.5,3"
expect binance 0 "printf '1718328600000,66000.01,66100.5,65900,66050,12.5,1718328659999,825000.1,100,6.2,409000.5,0\n1718328660000,66050,66060,66000,66001,3,1718328719999,198000,20,1,66000,0\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,66000.01,66100.5,65900,66050,12.5
2024-06-14T01:31:00Z,66050,66060,66000,66001,3"
expect crlf-quoted 0 "printf 'time,\"open\",high,low,close,volume,note\r\n2024-06-14T01:30:00Z,\"1\",2,0.5,1.5,3,\"a,\"\"b\"\"\"\r\n' | candle-feed" \
"$H
2024-06-14T01:30:00Z,1,2,0.5,1.5,3"
expect several-files 0 "head -3 $T/hq.csv >$T/a.csv; (head -1 $T/hq.csv; sed -n 4,5p $T/hq.csv) | gzip >$T/b.csv.gz; candle-feed $T/a.csv $T/b.csv.gz" \
"$(head -5 "$T/hq.want")"

# ---- validation: every error, its message and status, good rows first
R1=2024-06-14T01:30:00Z,8.1,8.14,8.07,8.11,865600
bad() {
	expect "bad-$1" 65 "printf '$H\n$R1\n%s\n' '$2' | candle-feed" "$H
$R1"
	errhas "bad-$1-msg" "candle-feed: stdin:3: $3"
}
bad fields '2024-06-14T01:31:00Z,8.1,8.12,8.1' '4 fields, the header has 6'
bad time 'yesterday,8.1,8.12,8.1,8.12,1' "bad time 'yesterday'"
bad empty '2024-06-14T01:31:00Z,,8.12,8.1,8.12,1' 'empty open'
bad junk '2024-06-14T01:31:00Z,8.1,8.12x,8.1,8.12,1' "high not a finite number: '8.12x'"
bad inf '2024-06-14T01:31:00Z,8.1,8.12,8.1,inf,1' "close not a finite number: 'inf'"
bad nan '2024-06-14T01:31:00Z,8.1,8.12,8.1,8.12,nan' "volume not a finite number: 'nan'"
bad price '2024-06-14T01:31:00Z,0,8.12,8.1,8.12,1' 'open not positive'
bad negvol '2024-06-14T01:31:00Z,8.1,8.12,8.1,8.12,-5' 'volume negative'
bad low '2024-06-14T01:31:00Z,8.1,8.12,8.11,8.12,1' 'low above min(open, close)'
bad high '2024-06-14T01:31:00Z,8.1,8.11,8.1,8.12,1' 'high below max(open, close)'
bad dup '2024-06-14T01:30:00Z,8.1,8.12,8.1,8.12,1' 'duplicate time 2024-06-14T01:30:00Z'
bad back '2024-06-14T01:29:00Z,8.1,8.12,8.1,8.12,1' 'time 2024-06-14T01:29:00Z before previous 2024-06-14T01:30:00Z'
bad quote '2024-06-14T01:31:00Z,8.1,8"1,8.1,8.12,1' 'misplaced quote'
expect bad-physical-line 65 "printf '$H\n\n$R1\n\n\nx,1,1,1,1,1\n' | candle-feed >/dev/null"
errhas bad-physical-line-msg "stdin:6: bad time 'x'"
expect bad-long-line 65 "/usr/bin/python3 -c 'print(\"$H\"); print(\"x\" * (1 << 20 | 1))' | candle-feed"
errhas bad-long-line-msg "stdin:2: line longer than 1 MiB"
expect bad-file-name 65 "(head -3 $T/hq.csv; echo junk) >$T/bad.csv; candle-feed $T/bad.csv >$T/bo; st=\$?; wc -l <$T/bo; exit \$st" "3"
errhas bad-file-name-msg "$T/bad.csv:4: 1 fields, the header has 6"
expect missing-file 1 "candle-feed $T/nope.csv"

expect skip-bad 0 "printf '$H\n$R1\nx,1,1,1,1,1\n2024-06-14T01:29:00Z,8,8,8,8,1\n2024-06-14T01:31:00Z,8,8,8,8,1\n' | candle-feed --skip-bad" "$H
$R1
2024-06-14T01:31:00Z,8,8,8,8,1"
errhas skip-bad-warn "stdin:3: bad time 'x' (skipped)"
errhas skip-bad-count "2 bad rows skipped"
D1=2024-06-14T01:30:00Z,8,9,7,8,1
D2=2024-06-14T01:30:00Z,8,9,7,8.5,2
D3=2024-06-14T01:31:00Z,8,9,7,8,3
expect dedupe-first 0 "printf '$H\n$D1\n$D2\n$D3\n' | candle-feed --dedupe first" "$H
$D1
$D3"
expect dedupe-last 0 "printf '$H\n$D1\n$D2\n$D3\n' | candle-feed --dedupe last" "$H
$D2
$D3"
expect gaps 0 "candle-feed --gaps $DATA | cmp - $T/hq.want"
errhas gaps-lunch "hqchart_600000sh_1m.csv.gz:122: gap of 91m after 2024-06-14T03:29:00Z (step 1m)"
expect gaps-count 0 "candle-feed --gaps $DATA 2>&1 >/dev/null | tail -1" "candle-feed: 133 gaps"

# ---- ranges and --last
expect range 0 "candle-feed --from 2024-06-14T01:31:00Z --to 2024-06-14T01:33:00Z $DATA" \
"$H
$(sed -n 3,4p "$T/hq.want")"
expect range-date 0 "candle-feed --from 2024-06-17 --to 2024-06-18 $DATA | wc -l" "241"
expect range-empty 0 "candle-feed --from 2030-01-01 $DATA" "$H"
for k in 1 5 300 16080 99999; do
	tl=$( (head -1 "$T/hq.want"; tail -n +2 "$T/hq.want" | tail -n $k) )
	expect "last-$k-plain" 0 "candle-feed --last $k $T/hq.csv" "$tl"
	expect "last-$k-gz" 0 "candle-feed --last $k $DATA" "$tl"
	expect "last-$k-stdin" 0 "candle-feed --last $k <$T/hq.csv" "$tl"
done
printf '%s\n' "$H" "$R1" >"$T/noeol.csv"
printf '2024-06-14T01:31:00Z,8,8,8,8,1' >>"$T/noeol.csv"
expect last-no-final-newline 0 "candle-feed --last 1 $T/noeol.csv" "$H
2024-06-14T01:31:00Z,8,8,8,8,1"
expect last-range 0 "candle-feed --last 2 --to 2024-06-14T01:33:00Z $DATA" \
"$H
$(sed -n 3,4p "$T/hq.want")"

# ---- resampling: a hand-computed example, then the bundled data
cat >"$T/rs.csv" <<EOF
$H
2024-06-14T01:30:00Z,10,11,9,10.5,1.5
2024-06-14T01:31:00Z,10.5,12,10,11,2.25
2024-06-14T01:34:00Z,11,11.5,8.5,9,3
2024-06-14T01:35:00Z,9,9.5,9,9.25,4
2024-06-14T01:36:00Z,9.25,9.75,9.125,9.5,0.1
2024-06-14T01:44:00Z,9.5,10,9.5,10,7
2024-06-14T01:46:00Z,10,10,10,10,0.2
EOF
expect resample-5m 0 "candle-feed --resample 5m $T/rs.csv" "$H
2024-06-14T01:30:00Z,10,12,8.5,9,6.75
2024-06-14T01:35:00Z,9,9.75,9,9.5,4.1
2024-06-14T01:40:00Z,9.5,10,9.5,10,7"
expect resample-partial 0 "candle-feed --resample 5m --partial $T/rs.csv | tail -1" \
"2024-06-14T01:45:00Z,10,10,10,10,0.2"
# a bucket given as complete early is never written twice: a candle that
# falls in it after the step shrank is a data error (or skipped, counted)
printf '%s\n' "$H" 2024-01-01T00:00:00Z,1,1,1,1,1 2024-01-01T01:00:00Z,2,2,2,2,2 \
    2024-01-01T01:30:00Z,3,3,3,3,3 2024-01-01T02:00:00Z,4,4,4,4,4 >"$T/late.csv"
expect resample-late 65 "candle-feed --resample 1h $T/late.csv" "$H
2024-01-01T00:00:00Z,1,1,1,1,1
2024-01-01T01:00:00Z,2,2,2,2,2"
errhas resample-late-msg "candle 2024-01-01T01:30:00Z falls in the bucket of 2024-01-01T01:00:00Z, written already"
expect resample-late-skip 0 "candle-feed --skip-bad --resample 1h $T/late.csv" "$H
2024-01-01T00:00:00Z,1,1,1,1,1
2024-01-01T01:00:00Z,2,2,2,2,2
2024-01-01T02:00:00Z,4,4,4,4,4"
errhas resample-late-counted "1 bad rows skipped"
expect resample-1m-identity 0 "candle-feed --resample 1m $DATA | cmp - $T/hq.want"
# 67 days: the last one is incomplete (06:59 + 1m is not midnight)
expect resample-1d 0 "candle-feed --resample 1d $DATA | wc -l" "67"
expect resample-1d-partial 0 "candle-feed --resample 1d --partial $DATA | wc -l" "68"
# the first hour, 01:30..01:59, aggregated independently with awk
h1=$(sed -n 2,31p "$T/hq.csv" | awk -F, 'NR == 1 { o = $2; h = $3; l = $4 }
	{ if ($3 > h) h = $3; if ($4 < l) l = $4; c = $5; v += $6 }
	END { printf "2024-06-14T01:00:00Z,%s,%s,%s,%s,%d", o, h, l, c, v }')
expect resample-1h 0 "candle-feed --resample 1h $DATA | sed -n 2p" "$h1"
expect resample-1w 0 "candle-feed --resample 1w $DATA | sed -n 2,3p | cut -d, -f1" \
"2024-06-10T00:00:00Z
2024-06-17T00:00:00Z"
expect partial-needs-resample 2 "candle-feed --partial $DATA"

# ---- input in chunks of many sizes gives the same output
head -c 200000 "$T/hq.csv" | sed '1s/^timestamp/time/;$d' >"$T/chunk.want"
for c in 1 7 64 4096 100000; do
	expect "chunks-$c" 0 "/usr/bin/python3 -c '
import sys
d = open(\"$T/hq.csv\", \"rb\").read()[:200000]
for i in range(0, len(d), $c):
    sys.stdout.buffer.write(d[i:i + $c]); sys.stdout.buffer.flush()
' | candle-feed | cmp - $T/chunk.want"
	expect "chunks-gz-$c" 0 "/usr/bin/python3 -c '
import sys
d = open(\"$DATA\", \"rb\").read()
for i in range(0, len(d), $c * 13):
    sys.stdout.buffer.write(d[i:i + $c * 13]); sys.stdout.buffer.flush()
' | candle-feed | cmp - $T/hq.want"
done

# ---- a closed downstream pipe is a quiet success
expect epipe 0 "{ candle-feed $DATA; echo \$? >$T/st; } | head -2 >/dev/null; cat $T/st" "0"
check epipe-quiet test ! -s "$T/err"

# ---- usage
expect help 0 "candle-feed --help | head -1 | cut -d' ' -f1-2" "usage: candle-feed"
expect version 0 "candle-feed --version" "candle-feed 0.1.0"
expect bad-option 2 "candle-feed --nope"
expect bad-from 2 "candle-feed --from tomorrow"
expect bad-last 2 "candle-feed --last 0"
expect bad-resample 2 "candle-feed --resample 5x"
expect bad-dedupe 2 "candle-feed --dedupe middle"

# ---- --follow, driven by a writer; every wait is a bounded poll
# wait_lines FILE N: until FILE has N lines (at most 10 s)
# (the file may not exist yet: the background job creates it)
nlines() { cat "$1" 2>/dev/null | wc -l; }
wait_lines() {
	i=0
	while [ "$(nlines "$1")" -lt "$2" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(nlines "$1")" -eq "$2" ]
}
F=$T/live.csv
head -3 "$T/hq.csv" >"$F"
candle-feed --follow "$F" >"$T/fo" 2>"$T/fe" &
pid=$!
check follow-start wait_lines "$T/fo" 3
sed -n 4,5p "$T/hq.csv" >>"$F"
check follow-append wait_lines "$T/fo" 5
printf '%s' "$(sed -n 6p "$T/hq.csv" | cut -c1-20)" >>"$F"
sleep 0.3
check follow-partial-held wait_lines "$T/fo" 5
printf '%s\n' "$(sed -n 6p "$T/hq.csv" | cut -c21-)" >>"$F"
check follow-partial-done wait_lines "$T/fo" 6
# truncate and rewrite: old rows are skipped, new ones emitted
(head -1 "$T/hq.csv"; sed -n 2,8p "$T/hq.csv") >"$F.tmp"
cat "$F.tmp" >"$F"
check follow-truncate wait_lines "$T/fo" 8
# replace by rename
(head -1 "$T/hq.csv"; sed -n 7,10p "$T/hq.csv") >"$F.new"
mv "$F.new" "$F"
check follow-replace wait_lines "$T/fo" 10
kill -TERM $pid
wait $pid
st=$?
check follow-sigterm test "$st" -eq 143
check follow-output cmp -s "$T/fo" "$(head -10 "$T/hq.want" >"$T/fw"; echo "$T/fw")"
check follow-skipped grep -q "rows at or before the last time skipped" "$T/fe"
# --last with --follow: the last rows first, then live ones
cp "$T/hq.csv" "$F"
: >"$T/fo"	# now: the job's own > comes when it runs, maybe after a poll
candle-feed --follow --last 2 "$F" >"$T/fo" 2>/dev/null &
pid=$!
check follow-last wait_lines "$T/fo" 3
kill -INT $pid
wait $pid
check follow-sigint test $? -eq 130

# ---- --replay: pacing shown by counting rows, never by timing
# (a process stopped by SIGINT during its sleep under LeakSanitizer once
# hung in LeakSanitizer's own stop-the-world at exit on a loaded machine:
# these runs check status and pacing, not leaks)
NOLEAK="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# 1-minute rows at 600x are 0.1 s apart: in about a second a few rows, not all
expect replay-paced 0 "$NOLEAK timeout -s INT 1 candle-feed --replay 600 $DATA | wc -l"
cnt=$(cat "$T/out")
check replay-some test "$cnt" -ge 3
check replay-not-all test "$cnt" -le 40
# at 1x each wait is a minute or more, capped by --max-wait to 0.05 s
expect replay-max-wait 0 "$NOLEAK timeout -s INT 1 candle-feed --replay 1 --max-wait 0.05 $DATA | wc -l"
cnt=$(cat "$T/out")
check replay-cap-some test "$cnt" -ge 5
check replay-cap-not-all test "$cnt" -le 100
expect replay-0 0 "candle-feed --replay 0 $DATA | cmp - $T/hq.want"
expect replay-status 130 "$NOLEAK timeout --preserve-status -s INT 0.5 candle-feed --replay 60 $DATA >/dev/null"

t_done
