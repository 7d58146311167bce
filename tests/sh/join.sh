# candle-feed --join (issue 17, section 1): the as-of join of the stream with
# reference files, against an independent join (tests/sh/join.sh's Python:
# each row with the reference's latest candle at or before its time) of
# candle-feed's own outputs for the two files; drops and --join-keep; two
# references; a reference in another dialect; bad references; the prefix
# property; chunked input; --follow with a growing reference and
# --join-wait (bounded polls, never timings); bounded memory (peak RSS of a
# long input against a short one); the columns through pivots, infer and
# backtest.
. "$(dirname "$0")/../lib.sh"

T=$T_TMP
H=time,open,high,low,close,volume

# gen SEED N START STEP: N candles from epoch START, STEP seconds apart, a
# random walk, some steps skipped (gaps); as epoch seconds, or as ISO times
# with semicolons and decimal commas when DIALECT=eu
gen() {
	awk -v seed="$1" -v n="$2" -v t="$3" -v step="$4" -v eu="${DIALECT:-}" '
	function iso(s) { return strftime("%Y-%m-%d %H:%M:%S", s, 1) }
	BEGIN { srand(seed); p = 100
		if (eu) print "Datum;Eröffnung;Hoch;Tief;Schluss;Volumen"
		else print "timestamp,open,high,low,close,volume"
		for (i = 0; i < n; i++) {
			t += step * (rand() < 0.15 ? 1 + int(rand() * 4) : 1)
			o = p; c = p * (1 + (rand() - 0.5) / 50)
			h = (o > c ? o : c) * (1 + rand() / 200)
			l = (o < c ? o : c) * (1 - rand() / 200)
			v = int(rand() * 1000); p = c
			if (eu) { s = sprintf("%s;%.4f;%.4f;%.4f;%.4f;%d", iso(t),
			    o, h, l, c, v); gsub(/\./, ",", s); print s }
			else printf "%d,%.4f,%.4f,%.4f,%.4f,%d\n", t, o, h, l, c, v
		}
	}'
}

# asof MAIN REF PREFIX [keep]: the join of two candle streams, by Python
cat >"$T/asof.py" <<'EOF'
import bisect, sys
from datetime import datetime
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
main = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
ref = [l.rstrip("\n").split(",") for l in open(sys.argv[2])]
keep = len(sys.argv) > 4
rt = [t(r[0]) for r in ref[1:]]
print(",".join(main[0] + [sys.argv[3] + "_" + c for c in ref[0][1:6]]))
for m in main[1:]:
    i = bisect.bisect_right(rt, t(m[0]))
    if i == 0:
        if keep:
            print(",".join(m + [""] * 5))
        continue
    print(",".join(m + ref[i][1:6]))
EOF
asof() { /usr/bin/python3 "$T/asof.py" "$@"; }

gen 1 3000 1717999980 60 >"$T/m.csv"
# the reference: starts later, other gaps, half of its times between the
# stream's minutes, in another dialect (semicolons, decimal commas, ISO)
DIALECT=eu gen 2 1500 1718000400 120 >"$T/r.csv"
DIALECT=eu gen 3 2800 1718000010 60 >"$T/r2.csv"
candle-feed "$T/m.csv" >"$T/m.s"
candle-feed "$T/r.csv" >"$T/r.s"
candle-feed "$T/r2.csv" >"$T/r2.s"

# ---- as-of semantics against the independent join
expect join 0 "candle-feed --join btc=$T/r.csv $T/m.csv"
asof "$T/m.s" "$T/r.s" btc >"$T/want"
check join-asof cmp -s "$T/out" "$T/want"
check join-some-rows [ "$(wc -l <"$T/want")" -gt 2000 ]
# equal times are joined with that candle, times between with the one before
check join-equal-times [ "$(cut -d, -f1 "$T/m.s" | sort | comm -12 - "$(cut -d, -f1 "$T/r.s" | sort >"$T/rt"; echo "$T/rt")" | wc -l)" -gt 100 ]
nbefore=$(awk -F, -v f="$(sed -n 2p "$T/r.s" | cut -d, -f1)" 'NR > 1 && $1 < f' "$T/m.s" | wc -l)
check join-dropped-some [ "$nbefore" -gt 0 ]
errhas join-drop-count "$T/r.csv (btc): $nbefore rows before its first candle dropped"
expect join-keep 0 "candle-feed --join-keep --join btc=$T/r.csv $T/m.csv"
asof "$T/m.s" "$T/r.s" btc keep >"$T/want"
check join-keep-asof cmp -s "$T/out" "$T/want"
errhas join-keep-count "$T/r.csv (btc): $nbefore rows before its first candle kept with empty columns"
check join-keep-all-rows [ "$(wc -l <"$T/out")" -eq "$(wc -l <"$T/m.s")" ]
# the reference's end: later rows take its last candle, noted
head -300 "$T/r.csv" >"$T/rshort.csv"
candle-feed "$T/rshort.csv" >"$T/rshort.s"
expect join-after-end 0 "candle-feed --join btc=$T/rshort.csv $T/m.csv"
asof "$T/m.s" "$T/rshort.s" btc >"$T/want"
check join-after-end-asof cmp -s "$T/out" "$T/want"
errhas join-after-end-note "rows after its end joined with its last candle"

# ---- two references, in the order given
expect join-two 0 "candle-feed --join a=$T/r.csv --join b=$T/r2.csv $T/m.csv"
asof "$T/m.s" "$T/r.s" a >"$T/w1"
asof "$T/w1" "$T/r2.s" b >"$T/want"
check join-two-asof cmp -s "$T/out" "$T/want"
expect join-two-header 0 "candle-feed --join a=$T/r.csv --join b=$T/r2.csv $T/m.csv | head -1" \
"$H,a_open,a_high,a_low,a_close,a_volume,b_open,b_high,b_low,b_close,b_volume"
# a reference joined to itself is the stream twice
expect join-self 0 "candle-feed --join x=$T/m.csv $T/m.csv | cut -d, -f7- | sed 1d"
check join-self-same cmp -s "$T/out" "$(sed 1d "$T/m.s" | cut -d, -f2- >"$T/w"; echo "$T/w")"

# ---- with --resample the reference is resampled the same way
expect join-resample 0 "candle-feed --resample 5m --join btc=$T/r.csv $T/m.csv"
candle-feed --resample 5m "$T/m.csv" >"$T/m5"
candle-feed --resample 5m "$T/r.csv" >"$T/r5"
asof "$T/m5" "$T/r5" btc >"$T/want"
check join-resample-asof cmp -s "$T/out" "$T/want"
expect join-resample-partial 0 "candle-feed --resample 1h --partial --join btc=$T/rshort.csv $T/m.csv"
candle-feed --resample 1h --partial "$T/m.csv" >"$T/m5"
candle-feed --resample 1h --partial "$T/rshort.csv" >"$T/r5"
asof "$T/m5" "$T/r5" btc >"$T/want"
check join-resample-partial-asof cmp -s "$T/out" "$T/want"
# --from, --to, --last apply to the rows written; the reference is read
# from its start
expect join-from 0 "candle-feed --from 2024-06-10T12:00:00Z --to 2024-06-11 --join btc=$T/r.csv $T/m.csv"
candle-feed --from 2024-06-10T12:00:00Z --to 2024-06-11 "$T/m.csv" >"$T/mf"
asof "$T/mf" "$T/r.s" btc >"$T/want"
check join-from-asof cmp -s "$T/out" "$T/want"
expect join-last 0 "candle-feed --last 10 --join btc=$T/r.csv $T/m.csv"
check join-last-rows cmp -s "$T/out" "$(asof "$T/m.s" "$T/r.s" btc | { head -1; tail -10; } >"$T/w"; echo "$T/w")"
# a reference with a longer step than the stream's is noted
candle-feed --resample 1h "$T/r.csv" >"$T/r1h.s"
expect join-coarse 0 "candle-feed --join h=$T/r1h.s $T/m.csv >/dev/null"
errhas join-coarse-note "its step (1h) is longer than the stream's (1m)"
expect join-same-step 0 "candle-feed --join h=$T/r2.csv $T/m.csv >/dev/null"
check join-same-step-quiet [ "$(grep -c 'is longer than' "$T/err")" -eq 0 ]

# ---- options and bad references
expect prefix-digit 2 "candle-feed --join 1x=$T/r.csv $T/m.csv"
errhas prefix-digit-msg "the prefix 1x is not a name"
expect prefix-char 2 "candle-feed --join a-b=$T/r.csv $T/m.csv"
expect prefix-empty 2 "candle-feed --join =$T/r.csv $T/m.csv"
expect prefix-nofile 2 "candle-feed --join btc $T/m.csv"
expect prefix-twice 2 "candle-feed --join a=$T/r.csv --join a=$T/r2.csv $T/m.csv"
errhas prefix-twice-msg "the prefix a is given twice"
expect prefix-next 2 "candle-feed --join next=$T/r.csv $T/m.csv"
expect prefix-pivot 2 "candle-feed --join pivot2=$T/r.csv $T/m.csv"
expect prefix-pivots-ok 0 "candle-feed --join pivots=$T/r.csv $T/m.csv >/dev/null"
expect prefix-underscore 0 "candle-feed --join _B_2=$T/r.csv $T/m.csv | head -1 | cut -d, -f7" "_B_2_open"
expect wait-needs-join 2 "candle-feed --join-wait 1 $T/m.csv"
expect keep-needs-join 2 "candle-feed --join-keep $T/m.csv"
expect wait-bad 2 "candle-feed --join-wait -1 --join a=$T/r.csv $T/m.csv"
expect ref-stdin-twice 2 "candle-feed --join a=- <$T/m.csv"
expect ref-stdin 0 "candle-feed --join btc=- $T/m.csv <$T/r.csv"
check ref-stdin-asof cmp -s "$T/out" "$(asof "$T/m.s" "$T/r.s" btc >"$T/w"; echo "$T/w")"
expect ref-missing 1 "candle-feed --join a=$T/nope.csv $T/m.csv"
errhas ref-missing-msg "$T/nope.csv"
# a bad line: file:line, status 65, the rows before it written
awk 'NR == 201 { sub(/;[0-9]+$/, ";-5") } 1' "$T/r.csv" >"$T/rbad.csv"
expect ref-bad 65 "candle-feed --join btc=$T/rbad.csv $T/m.csv"
errhas ref-bad-msg "$T/rbad.csv:201: "
badt=$(candle-feed "$T/rbad.csv" 2>/dev/null | tail -1 | cut -d, -f1)
check ref-bad-rows-before [ "$(tail -1 "$T/out" | cut -d, -f1)" \< "$(sed -n 202p "$T/r.csv" | cut -d';' -f1 | sed 's/ /T/; s/$/Z/')" ]
check ref-bad-some-rows [ "$(wc -l <"$T/out")" -gt 100 ]
asof "$T/m.s" "$T/r.s" btc >"$T/w1"
check ref-bad-prefix cmp -s "$T/out" "$(head -n "$(wc -l <"$T/out")" "$T/w1" >"$T/w"; echo "$T/w")"
expect ref-bad-skip 0 "candle-feed --skip-bad --join btc=$T/rbad.csv $T/m.csv"
errhas ref-bad-skip-count "1 bad rows skipped"
awk 'NR == 301 { print prev } { prev = $0 } 1' "$T/r.csv" >"$T/rdup.csv"
expect ref-order 65 "candle-feed --join btc=$T/rdup.csv $T/m.csv"
errhas ref-order-msg "$T/rdup.csv:301: "
expect ref-dedupe 0 "candle-feed --dedupe first --join btc=$T/rdup.csv $T/m.csv"
check ref-dedupe-asof cmp -s "$T/out" "$(asof "$T/m.s" "$T/r.s" btc >"$T/w"; echo "$T/w")"
{ head -1 "$T/r.csv"; sed 1d "$T/r.csv" | tac; } >"$T/rnew.csv"
expect ref-newest-first 0 "candle-feed --join btc=$T/rnew.csv $T/m.csv"
check ref-newest-first-asof cmp -s "$T/out" "$(asof "$T/m.s" "$T/r.s" btc >"$T/w"; echo "$T/w")"
errhas ref-newest-first-note "rows newest first: read from the end"
gzip -c "$T/rnew.csv" >"$T/rnew.csv.gz"
expect ref-newest-first-gz 65 "candle-feed --join btc=$T/rnew.csv.gz $T/m.csv"
errhas ref-newest-first-gz-msg "reverse it with tac"
# a reference as freqtrade JSON, gzip-compressed
/usr/bin/python3 -c '
import sys
from datetime import datetime
rows = [l.strip().split(",") for l in open(sys.argv[1])][1:]
ms = lambda s: int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()) * 1000
print("[" + ",\n".join("[%d,%s]" % (ms(r[0]), ",".join(r[1:])) for r in rows) + "]")
' "$T/rshort.s" | gzip >"$T/r.json.gz"
expect ref-json 0 "candle-feed --join btc=$T/r.json.gz $T/m.csv"
check ref-json-asof cmp -s "$T/out" "$(asof "$T/m.s" "$T/rshort.s" btc >"$T/w"; echo "$T/w")"
printf 'just,some,words\n' >"$T/rhdr.csv"
expect ref-no-header 65 "candle-feed --join btc=$T/rhdr.csv $T/m.csv"
errhas ref-no-header-msg "$T/rhdr.csv:1: "

# ---- the prefix property: the first rows of the stream give the first
# rows of the output
candle-feed --join btc=$T/r.csv --join b=$T/r2.csv "$T/m.csv" >"$T/full" 2>/dev/null
for n in 1 2 50 700 1234 2999; do
	head -n $((n + 1)) "$T/m.csv" >"$T/mp.csv"
	candle-feed --join btc=$T/r.csv --join b=$T/r2.csv "$T/mp.csv" >"$T/part" 2>/dev/null
	check "prefix-$n" cmp -s "$T/part" "$(head -n "$(wc -l <"$T/part")" "$T/full" >"$T/w"; echo "$T/w")"
done

# ---- chunked input, of the stream and of the reference, gives the same bytes
head -c 30000 "$T/m.csv" | sed '$d' >"$T/mc.csv"
candle-feed --join btc=$T/r.csv "$T/mc.csv" >"$T/mc.want" 2>/dev/null
head -c 20000 "$T/r.csv" | sed '$d' >"$T/rc.csv"
candle-feed --join btc=$T/rc.csv "$T/mc.csv" >"$T/mc.ref.want" 2>/dev/null
for c in 1 2 3 5 13 100; do
	expect "chunks-main-$c" 0 "/usr/bin/python3 -c '
import sys
d = open(\"$T/mc.csv\", \"rb\").read()
for i in range(0, len(d), $c):
    sys.stdout.buffer.write(d[i:i + $c]); sys.stdout.buffer.flush()
' | candle-feed --join btc=$T/r.csv | cmp - $T/mc.want"
	expect "chunks-ref-$c" 0 "/usr/bin/python3 -c '
import sys
d = open(\"$T/rc.csv\", \"rb\").read()
for i in range(0, len(d), $c):
    sys.stdout.buffer.write(d[i:i + $c]); sys.stdout.buffer.flush()
' | candle-feed --join btc=- $T/mc.csv | cmp - $T/mc.ref.want"
done

# ---- --follow: a row waits for the reference's candle at its time
# wait_lines FILE N [TRIES]: until FILE has N lines (at most TRIES x 0.05 s,
# default 10 s); lines_stay FILE N: it still has N lines after 0.3 s
nlines() { cat "$1" 2>/dev/null | wc -l; }
wait_lines() {
	i=0
	while [ "$(nlines "$1")" -lt "$2" ] && [ $i -lt "${3:-200}" ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(nlines "$1")" -eq "$2" ]
}
lines_stay() { sleep 0.3; [ "$(nlines "$1")" -eq "$2" ]; }
# row K of the stream m.s, of the reference r.s
mrow() { sed -n "$(($1 + 1))p" "$T/m.s"; }
rrow() { sed -n "$(($1 + 1))p" "$T/r.s"; }
# the stream's rows 1..4 at the reference's times, plus one between
awk -F, 'NR == 1 { print; next } NR <= 5' "$T/r.s" | sed 's/,\([0-9.]*\)$/,1/' >"$T/lm0"
M=$T/lm.csv R=$T/lr.csv
{ sed -n 1,3p "$T/lm0"; } >"$M"
{ sed -n 1,2p "$T/r.s"; } >"$R"
: >"$T/fo"	# before the job: its own > comes when it runs
candle-feed -f --join-wait 60 --join r="$R" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check follow-first wait_lines "$T/fo" 2
check follow-waits lines_stay "$T/fo" 2
sed -n 3p "$T/r.s" >>"$R"
check follow-ref-grows wait_lines "$T/fo" 3
check follow-exact [ "$(sed -n 3p "$T/fo")" = "$(sed -n 3p "$T/lm0"),$(rrow 2 | cut -d, -f2-)" ]
sed -n 4p "$T/lm0" >>"$M"
check follow-waits-again lines_stay "$T/fo" 3
sed -n 5p "$T/r.s" >>"$R"	# after the row's time: the one before it
check follow-later wait_lines "$T/fo" 4
check follow-asof [ "$(sed -n 4p "$T/fo")" = "$(sed -n 4p "$T/lm0"),$(rrow 2 | cut -d, -f2-)" ]
sed -n 5p "$T/lm0" >>"$M"	# the reference's candle is there: at once
check follow-ready wait_lines "$T/fo" 5
check follow-ready-value [ "$(sed -n 5p "$T/fo")" = "$(sed -n 5p "$T/lm0"),$(rrow 4 | cut -d, -f2-)" ]
kill -TERM $pid
wait $pid
check follow-sigterm test $? -eq 143
check follow-no-stale [ "$(grep -c 'after waiting' "$T/fe")" -eq 0 ]
# a stalled reference: the first row waits --join-wait, then the reference
# lags and later rows do not wait (eight rows of 3 s waits would take 24 s,
# more than the 20 s this polls)
sed -n 1,2p "$T/r.s" >"$R"
head -2 "$T/lm0" >"$M"
: >"$T/fo"	# before the job: its own > comes when it runs
candle-feed -f --join-wait 3 --join r="$R" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check stall-first wait_lines "$T/fo" 2
sed 1d "$T/m.s" | awk -F, -v t="$(sed -n 2p "$T/r.s" | cut -d, -f1)" '$1 > t' |
    head -8 >"$T/later"
cat "$T/later" >>"$M"
check stall-rows wait_lines "$T/fo" 10 400
check stall-values [ "$(sed 1,2d "$T/fo" | cut -d, -f7- | sort -u)" = "$(rrow 1 | cut -d, -f2-)" ]
kill -INT $pid
wait $pid
check stall-sigint test $? -eq 130
check stall-count grep -q "(r): 8 rows joined with an earlier candle after waiting" "$T/fe"
# --join-wait 0: never wait
head -2 "$T/lm0" >"$M"
cat "$T/later" >>"$M"
: >"$T/fo"	# before the job: its own > comes when it runs
candle-feed -f --join-wait 0 --join r="$R" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check nowait-rows wait_lines "$T/fo" 10
kill -TERM $pid
wait $pid
# a stop while a row waits: the rows before it are out, status 143
sed -n 1,2p "$T/r.s" >"$R"
head -3 "$T/lm0" >"$M"
: >"$T/fo"
candle-feed -f --join-wait 600 --join r="$R" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check stop-flushed wait_lines "$T/fo" 2
check stop-waits lines_stay "$T/fo" 2
kill -TERM $pid
wait $pid
check stop-status test $? -eq 143
check stop-output [ "$(nlines "$T/fo")" -eq 2 ]
# a reference from a pipe (a FIFO) that stalls: the wait holds too (a read
# that blocked would keep the rows back for the writer's 30 s)
mkfifo "$T/fifo"
head -2 "$T/lm0" >"$M"
cat "$T/later" >>"$M"
(sed -n 1,2p "$T/r.s"; exec sleep 30) >"$T/fifo" &
wpid=$!
: >"$T/fo"
candle-feed -f --join-wait 1 --join r="$T/fifo" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check fifo-rows wait_lines "$T/fo" 10
kill -TERM $pid
wait $pid
kill $wpid
wait $wpid 2>/dev/null
check fifo-values [ "$(sed 1,2d "$T/fo" | cut -d, -f7- | sort -u)" = "$(rrow 1 | cut -d, -f2-)" ]
check fifo-count grep -q "(r): 8 rows joined with an earlier candle after waiting" "$T/fe"
# a replaced reference is read anew, its old rows skipped
sed -n 1,2p "$T/r.s" >"$R"
head -2 "$T/lm0" >"$M"
: >"$T/fo"	# before the job: its own > comes when it runs
candle-feed -f --join-wait 60 --join r="$R" "$M" >"$T/fo" 2>"$T/fe" &
pid=$!
check replace-first wait_lines "$T/fo" 2
sed -n 3p "$T/lm0" >>"$M"
sed -n 1,3p "$T/r.s" >"$R.new"
mv "$R.new" "$R"
check replace-read wait_lines "$T/fo" 3
check replace-value [ "$(sed -n 3p "$T/fo")" = "$(sed -n 3p "$T/lm0"),$(rrow 2 | cut -d, -f2-)" ]
kill -TERM $pid
wait $pid
check replace-skipped grep -q "(r): 1 rows at or before the last time skipped" "$T/fe"

# ---- memory: the peak RSS of 100 times the rows is that of the short input
# (the references' candles held do not grow with the files)
gen 5 2000 1717999980 60 >"$T/ms.csv"
DIALECT=eu gen 6 1000 1718000400 120 >"$T/rs.csv"
gen 5 200000 1717999980 60 >"$T/ml.csv"
DIALECT=eu gen 6 100000 1718000400 120 >"$T/rl.csv"
rss() { /usr/bin/time -f %M -o "$T/rss" candle-feed "$@" >/dev/null 2>&1; cat "$T/rss"; }
for o in "" "--resample 5m"; do
	s=$(rss $o --join a=$T/rs.csv --join b=$T/rs.csv "$T/ms.csv")
	l=$(rss $o --join a=$T/rl.csv --join b=$T/rl.csv "$T/ml.csv")
	echo "peak RSS ${o:-as read}: $s KB for 2000 rows, $l KB for 200000" >&2
	check "memory-bounded${o:+-resample}" [ "$l" -le $((s + s / 4)) ]
done

# ---- pass-through: pivots and infer keep the joined columns; backtest's
# trades are those of the stream without them
expect through-pivots 0 "candle-feed --join btc=$T/r.csv $T/m.csv | pivots | cut -d, -f1-11"
check through-pivots-kept cmp -s "$T/out" "$(asof "$T/m.s" "$T/r.s" btc >"$T/w"; echo "$T/w")"
candle-feed --join btc=$T/r.csv "$T/m.csv" 2>/dev/null >"$T/j.s"
sed 1d "$T/j.s" | cut -d, -f1-6 | { echo "$H"; cat; } >"$T/jplain.s"
train-batch -m "$T/t.ckpt" --new --seed 1 --window 8 --dim 8 --layers 1 \
    --heads 2 --labels every --epochs 1 "$T/jplain.s" >/dev/null 2>&1
check through-model [ -s "$T/t.ckpt" ]
expect through-infer 0 "pivots <$T/j.s | infer -m $T/t.ckpt"
cp "$T/out" "$T/ji"
check through-infer-header [ "$(head -1 "$T/ji" | cut -d, -f1-15)" = "$H,btc_open,btc_high,btc_low,btc_close,btc_volume,pivot1_high,pivot1_low,pivot2_high,pivot2_low" ]
check through-infer-kept cmp -s "$(cut -d, -f1-11 "$T/ji" >"$T/w1"; echo "$T/w1")" "$T/j.s"
pivots <"$T/jplain.s" | infer -m "$T/t.ckpt" >"$T/pi" 2>/dev/null
check through-infer-same cmp -s "$(cut -d, -f1-6,12- "$T/ji" >"$T/w2"; echo "$T/w2")" "$T/pi"
expect through-backtest 0 "backtest --enter 0.4 --summary $T/js.txt <$T/ji"
cp "$T/out" "$T/jb"
backtest --enter 0.4 --summary "$T/ps.txt" <"$T/pi" >"$T/pb" 2>/dev/null
check through-backtest-same cmp -s "$T/jb" "$T/pb"
check through-backtest-summary cmp -s "$T/js.txt" "$T/ps.txt"
check through-backtest-trades [ "$(wc -l <"$T/jb")" -gt 1 ] || head "$T/jb" >&2
# train-batch reads past them: the same training (but its speed)
train-batch -m "$T/t2.ckpt" --new --seed 1 --window 8 --dim 8 --layers 1 \
    --heads 2 --labels every --epochs 1 "$T/j.s" 2>/dev/null |
    sed 's/,[^,]*$//' >"$T/tb1"
train-batch -m "$T/t3.ckpt" --new --seed 1 --window 8 --dim 8 --layers 1 \
    --heads 2 --labels every --epochs 1 "$T/jplain.s" 2>/dev/null |
    sed 's/,[^,]*$//' >"$T/tb2"
check through-train-batch cmp -s "$T/tb1" "$T/tb2"
check through-train-batch-ran [ "$(wc -l <"$T/tb1")" -eq 2 ]
# train-candle passes them on
cp "$T/t.ckpt" "$T/tc.ckpt"
expect through-train-candle 0 "head -500 $T/j.s | pivots | train-candle -m $T/tc.ckpt --on pivots | cut -d, -f1-11"
check through-train-candle-kept cmp -s "$T/out" "$(head -500 "$T/j.s" >"$T/w"; echo "$T/w")"

t_done
