#!/bin/sh
# backtest(1) scoring the next-pivot columns pivot_L<level>_* and the
# multi-step ghost next<i>_*: streams of known quality written by
# tests/gen_pivfc.awk, which works out the truth and the naive forecasts
# by its own bookkeeping from pivots(1)'s output.  A perfect forecaster
# scores 100 % and no error; the naive forecaster scores exactly its
# baseline; the baselines match the generator's; the live report at row t
# uses only rows up to t; bad columns are data errors.
. "$(dirname "$0")/../lib.sh"

# stream K LEVELS STEPS MODE CANDLES OUT: a prediction stream and OUT.exp
stream() {
	mx=$(echo "$2" | tr , "\n" | sort -n | tail -1)
	pivots -k "$1" --levels "$mx" "$5" |
	    awk -F, -v levels="$2" -v steps="$3" -v mode="$4" \
	    -v out="$6.exp" -f tests/gen_pivfc.awk >"$6"
}

# flat JSON FILE: the forecast scores as "name value" lines, named as the
# generator's expectations (L<l>_..., step<i>_...)
flat() {
	python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
for p in j.get("next_pivot", []):
    l = "L%d_" % p["level"]
    for k, v in p.items():
        if k != "level":
            print(l + k, "null" if v is None else repr(v))
for g in j.get("ghost_steps", []):
    s = "step%d_" % g["step"]
    for k, v in g.items():
        if k != "step":
            print(s + k, "null" if v is None else repr(v))
' "$1"
}

# same NAME A B FILE: the values of A and B in FILE agree to 1e-12
# relative (both present; both null counts too)
same() {
	awk -v a="$2" -v b="$3" '$1 == a { x = $2; fa = 1 } $1 == b { y = $2; fb = 1 }
	    END { if (x == "null" || y == "null") exit !(fa && fb && x == y)
		d = x - y; exit !(fa && fb && d * d <= 1e-24 * (x * x + 1e-300)) }' "$4" ||
	    { fail "$1: $2 vs $3"; grep -E "^($2|$3) " "$4" >&2; return; }
	pass
}

# is NAME KEY VALUE FILE: KEY's value is exactly VALUE
is() {
	if awk -v k="$2" -v v="$3" '$1 == k { f = 1; exit !($2 == v) }
	    END { if (!f) exit 1 }' "$4"; then pass; else
		fail "$1: $2 is not $3"; grep "^$2 " "$4" >&2
	fi
}

awk -v n=1500 -v seed=11 -v ann=/dev/null -f tests/gen_synth.awk >"$T_TMP/walk.csv"
candle-feed "$DATA" >"$T_TMP/real.csv"

for data in walk real; do
	for cfg in "2 1,2 4" "3 1,3,4 2" "1 2,5 5"; do
		# level 5 turns too rarely in the walk's 1500 candles
		[ $data = walk ] && [ "$cfg" = "1 2,5 5" ] && cfg="1 2,4 5"
		set -- $cfg
		k=$1 lv=$2 gs=$3 tag="$data-k$1-L$(echo "$2" | tr -d ,)"
		for mode in perfect naive; do
			s=$T_TMP/$tag-$mode.csv
			stream "$k" "$lv" "$gs" $mode "$T_TMP/$data.csv" "$s"
			expect "$tag-$mode-run" 0 "backtest --pivot-k $k --json $s.json --summary $s.txt $s >/dev/null"
			flat "$s.json" >"$s.got"
			for l in $(echo "$lv" | tr , ' '); do
				for f in scored pending warmup; do
					is "$tag-$mode-L$l-$f" "L${l}_$f" \
					    "$(awk -v k="L${l}_$f" '$1 == k { print $2 }' "$s.exp")" "$s.got"
				done
				is "$tag-$mode-L$l-dropped" "L${l}_dropped" 0 "$s.got"
				cat "$s.exp" "$s.got" >"$s.both"
				same "$tag-$mode-L$l-naive-type" "L${l}_naive_type" \
				    "L${l}_naive_type_accuracy_pct" "$s.both"
				same "$tag-$mode-L$l-naive-price" "L${l}_naive_price" \
				    "L${l}_naive_price_error_pct" "$s.both"
				same "$tag-$mode-L$l-naive-dist" "L${l}_naive_dist" \
				    "L${l}_naive_distance_error" "$s.both"
				if [ $mode = perfect ]; then
					check "$tag-L$l-some" awk -v k="L${l}_scored" \
					    '$1 == k { exit !($2 > 0) }' "$s.got"
					is "$tag-L$l-type-100" "L${l}_type_accuracy_pct" 100 "$s.got"
					is "$tag-L$l-price-0" "L${l}_price_error_pct" 0 "$s.got"
					is "$tag-L$l-dist-0" "L${l}_distance_error" 0 "$s.got"
				else
					same "$tag-L$l-naive-is-type" "L${l}_type_accuracy_pct" \
					    "L${l}_naive_type_accuracy_pct" "$s.got"
					same "$tag-L$l-naive-is-price" "L${l}_price_error_pct" \
					    "L${l}_naive_price_error_pct" "$s.got"
					same "$tag-L$l-naive-is-dist" "L${l}_distance_error" \
					    "L${l}_naive_distance_error" "$s.got"
				fi
			done
			i=1
			while [ $i -le "$gs" ]; do
				is "$tag-$mode-step$i-scored" "step${i}_scored" \
				    "$(awk -v k="step${i}_scored" '$1 == k { print $2 }' "$s.exp")" "$s.got"
				is "$tag-$mode-step$i-pending" "step${i}_pending" \
				    "$(awk -v k="step${i}_pending" '$1 == k { print $2 }' "$s.exp")" "$s.got"
				same "$tag-$mode-step$i-naive" "step${i}_naive" \
				    "step${i}_naive_close_mape_pct" "$s.both"
				if [ $mode = perfect ]; then
					is "$tag-step$i-0" "step${i}_close_mape_pct" 0 "$s.got"
				else
					is "$tag-step$i-ratio-1" "step${i}_mape_ratio" 1 "$s.got"
				fi
				i=$((i + 1))
			done
		done
	done
done

# Step 1 of the multi-step ghost is the ghost candle backtest always
# scored: the same "no change" figure.
s=$T_TMP/walk-k2-L12-naive.csv
check step1-is-skill python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["ghost_steps"][0]["naive_close_mape_pct"] == j["skill"]["naive_close_mape_pct"]
' "$s.json"
# The text report: each figure beside its baseline, with its counts.
check text-table grep -q '^  Next Pivot (k 2) .*L1 .*L2$' "$s.txt"
check text-scored grep -q '^  Forecasts Scored ' "$s.txt"
check text-pending grep -q '^  Pending at the End ' "$s.txt"
check text-naive grep -q '^    Naive: opposite of last ' "$s.txt"
check text-steps grep -q '^  Ghost Step .*Scored .*Pending .*No Change' "$s.txt"
check json-k python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["settings"]
assert s["pivot_k"] == 2 and s["max_pending"] == 100000, s
' "$s.json"
# --prefix: the prediction columns under another name, the same scores
awk -F, 'BEGIN { OFS = "," } NR == 1 { for (i = 7; i <= NF; i++) $i = "m_" $i } { print }' \
    "$s" >"$T_TMP/prefixed.csv"
expect prefix 0 "backtest --prefix m_ --json $T_TMP/prefixed.json --summary /dev/null $T_TMP/prefixed.csv >/dev/null"
flat "$T_TMP/prefixed.json" >"$T_TMP/prefixed.got"
flat "$s.json" >"$T_TMP/unprefixed.got"
check prefix-same cmp -s "$T_TMP/prefixed.got" "$T_TMP/unprefixed.got"
check prefix-some test -s "$T_TMP/prefixed.got"

# Every forecast is accounted for once: scored, warm-up, dropped or
# pending.  --max-pending 3 drops those that wait longer (the perfect
# stream has a forecast on every row).
s=$T_TMP/real-k3-L134-perfect.csv
rows=$(($(wc -l <"$s") - 1))
expect max-pending 0 "backtest --pivot-k 3 --max-pending 3 --json $s.j3 --summary /dev/null $s >/dev/null"
flat "$s.j3" >"$s.g3"
for l in 1 3 4; do
	check "max-pending-L$l-sum" awk -v l="L${l}_" -v n="$rows" '
	    index($1, l) == 1 && $1 ~ /_(scored|pending|warmup|dropped)$/ { t += $2 }
	    $1 == l "dropped" { d = $2 } END { exit !(t == n && d > 0) }' "$s.g3"
done
# scored with another k, the hindsight of k 3 is no longer perfect
expect other-k 0 "backtest --pivot-k 2 --json $s.j2 --summary /dev/null $s >/dev/null"
flat "$s.j2" >"$s.g2"
check other-k-worse awk '$1 == "L1_type_accuracy_pct" { exit !($2 < 100) }' "$s.g2"

# A stream with the columns but no forecasts: nothing scored, nothing
# pending; without the columns the report has none of it.
stream 2 1 2 empty "$T_TMP/walk.csv" "$T_TMP/e.csv"
expect empty 0 "backtest --json $T_TMP/e.json --summary /dev/null $T_TMP/e.csv >/dev/null"
flat "$T_TMP/e.json" >"$T_TMP/e.got"
is empty-scored L1_scored 0 "$T_TMP/e.got"
is empty-pending L1_pending 0 "$T_TMP/e.got"
is empty-type L1_type_accuracy_pct null "$T_TMP/e.got"
is empty-step L1_scored 0 "$T_TMP/e.got"
cut -d, -f1-8 "$T_TMP/e.csv" >"$T_TMP/plain.csv"
expect plain 0 "backtest --json $T_TMP/p.json --summary $T_TMP/p.txt $T_TMP/plain.csv >/dev/null"
check plain-json sh -c "! grep -qE 'next_pivot|ghost_steps|pivot_k|max_pending' $T_TMP/p.json"
check plain-text sh -c "! grep -qE 'Next Pivot|Ghost Step' $T_TMP/p.txt"
# the next_* candle alone is no multi-step ghost
cut -d, -f1-12 "$T_TMP/walk-k2-L12-perfect.csv" >"$T_TMP/one.csv"
expect one-step 0 "backtest --json $T_TMP/o.json --summary /dev/null $T_TMP/one.csv >/dev/null"
check one-step-json sh -c "! grep -q ghost_steps $T_TMP/o.json"

# No lookahead: the --live line after row t is the same whether the
# stream ends there or goes on.
s=$T_TMP/walk-k2-L12-perfect.csv
backtest --live --summary /dev/null "$s" >/dev/null 2>"$T_TMP/live.all"
check live-lines test "$(wc -l <"$T_TMP/live.all")" = 1500
check live-fields grep -q ' L1 type 100.0/[0-9.]*% price 0/[0-9.e-]*% in 0/[0-9.e-]* n [0-9]* pending [0-9]* L2 type .* ghost1 0/[0-9.e-]*% n [0-9]* ghost4 0/' "$T_TMP/live.all"
ok=1
for m in 1 2 3 5 13 100 377 999 1499; do
	head -n $((m + 1)) "$s" | backtest --live --summary /dev/null \
	    >/dev/null 2>"$T_TMP/live.part"
	[ "$(tail -1 "$T_TMP/live.part")" = "$(sed -n "${m}p" "$T_TMP/live.all")" ] || {
		ok=0; echo "row $m differs" >&2; }
done
check live-prefix test $ok = 1
# the input in chunks of many sizes: the same lines
awk 'BEGIN { srand(5) } { print; if (rand() < 0.3) fflush() }' "$s" |
    backtest --live --summary /dev/null >/dev/null 2>"$T_TMP/live.chunk"
check live-chunks cmp -s "$T_TMP/live.all" "$T_TMP/live.chunk"

# The charts: the last row's forecasts at the live end.  A stream cut
# where the last row's pivots are known (hindsight of the whole walk).
head -1401 "$T_TMP/walk-k2-L12-perfect.csv" >"$T_TMP/cut.csv"
expect chart-svg 0 "backtest --svg $T_TMP/f.svg --summary /dev/null $T_TMP/cut.csv >/dev/null"
check chart-svg-xml xmllint --noout "$T_TMP/f.svg"
# the ghost path: steps 2..4 as candles, the closes joined from the last
check chart-svg-path test "$(grep -c '^<path class="gpath"' "$T_TMP/f.svg")" = 1
check chart-svg-path-steps awk '/^<path class="gpath"/ { n = gsub(/Z/, "Z"); exit !(n == 3) }' "$T_TMP/f.svg"
check chart-svg-path-line awk '/<polyline class="gline"/ { sub(/.*points="/, ""); sub(/".*/, "")
    exit !(split($0, a, " ") == 5) }' "$T_TMP/f.svg"
check chart-svg-legend grep -q '>predicted next pivot</text>' "$T_TMP/f.svg"
# each level's mark: its type, price and distance in the title
for l in 1 2; do
	want=$(awk -F, -v l=$l 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i }
	    END { p = "pivot_L" l; printf "%s at %.6g, %.3g candles", $h[p "_type"] == "H" ? "high" : "low",
	      $h[p "_price"], $h[p "_in"] }' "$T_TMP/cut.csv")
	check "chart-svg-L$l" grep -q "<title>predicted next pivot (level[ 0-9]* $l[ 0-9]*): $want after the last</title>" "$T_TMP/f.svg"
done
expect chart-svg-plain 0 "backtest --svg $T_TMP/p.svg --summary /dev/null $T_TMP/plain.csv >/dev/null"
check chart-svg-plain-none sh -c "! grep -qE 'gpath|gline|pfh|pfl|predicted next pivot' $T_TMP/p.svg"
if [ -f share/candlekit/lightweight-charts.js ]; then
	expect chart-html 0 "backtest --html $T_TMP/f.html --summary /dev/null $T_TMP/cut.csv >/dev/null"
	# the data island: the path after the next candle, one entry a
	# level at the last time plus its distance in minutes
	check chart-html-data python3 - "$T_TMP/f.html" "$T_TMP/cut.csv" <<'PY'
import csv, json, re, sys, datetime
page = open(sys.argv[1]).read()
d = json.loads(re.search(r'id="ck-data">(.*?)</script>', page, re.S).group(1))
rows = list(csv.DictReader(open(sys.argv[2])))
last = rows[-1]
t = int(datetime.datetime.strptime(last["time"], "%Y-%m-%dT%H:%M:%SZ")
        .replace(tzinfo=datetime.timezone.utc).timestamp())
assert d["fstep"] == 60, d["fstep"]
assert [p[0] for p in d["path"]] == [t + 120, t + 180, t + 240], d["path"]
for p, i in zip(d["path"], (2, 3, 4)):
    assert p[1:] == [float(last["next%d_%s" % (i, f)])
                     for f in ("open", "high", "low", "close")], p
got = sorted(d["fpiv"], key=lambda f: f[3])
assert [f[3] for f in got] == [1, 2], got
for f in got:
    g = "pivot_L%d_" % f[3]
    inn = float(last[g + "in"])
    assert f[1] == float(last[g + "price"]) and f[4] == inn, f
    assert f[2] == (1 if last[g + "type"] == "H" else -1), f
    if inn >= 1:
        assert f[0] == t + 60 * round(inn), f
PY
	expect chart-html-plain 0 "backtest --html $T_TMP/p.html --summary /dev/null $T_TMP/plain.csv >/dev/null"
	check chart-html-plain-none sh -c "! grep -qE '\"(fpiv|path|fstep)\"' $T_TMP/p.html"
	browser=$(command -v chromium || command -v chromium-browser)
	if [ -n "$browser" ]; then
		/usr/bin/python3 tests/chart-cdp.py "$browser" "$T_TMP/f.html" 2 >"$T_TMP/cdp" 2>&1
		check chart-browser-loaded test $? = 0
		check chart-browser-noconsole test -z "$(grep -E '^(console|exception)' "$T_TMP/cdp")"
		check chart-browser-ready grep -q '^body ready=1$' "$T_TMP/cdp"
	fi
fi

# Bad columns and fields: data errors naming the file and line.
H=time,open,high,low,close,volume,action,pivot_L2_type,pivot_L2_p,pivot_L2_price,pivot_L2_in
R=2024-01-01T00:00:00Z,1,2,0.5,1.5,10,HOLD
bad() {	# NAME HEADER ROW-TAIL MESSAGE
	printf '%s\n%s,%s\n' "$2" "$R" "$3" >"$T_TMP/bad.csv"
	expect "bad-$1" 65 "backtest --summary /dev/null $T_TMP/bad.csv"
	errhas "bad-$1-msg" "$4"
}
bad type "$H" "X,0.5,2,3" "bad.csv:2: pivot_L2_type 'X': not H, L or empty"
bad price "$H" "H,0.5,x,3" "bad.csv:2: bad pivot_L2_price 'x'"
bad price-neg "$H" "H,0.5,-2,3" "pivot_L2_price '-2': not positive"
bad in "$H" "L,0.5,2," "pivot_L2_type 'L': without its distance"
bad no-type "$H" ",,2,3" "pivot_L2_price '2': a forecast without its type"
bad p "$H" "H,1.5,2,3" "pivot_L2_p '1.5': not in [0, 1]"
bad level "time,open,high,low,close,volume,action,pivot_L7_type" "" \
    "pivot_L7_type: level not in 1..5"
bad group "time,open,high,low,close,volume,action,pivot_L2_type,pivot_L2_in" \
    "H,3" "pivot_L2_type without pivot_L2_price"
bad step "time,open,high,low,close,volume,action,next_open,next_high,next_low,next_close,next2_open,next2_high,next2_low,next2_close" \
    "1,1,1,1,1,1,1,zz" "bad next2_close 'zz'"
expect bad-k 2 "backtest --pivot-k 0 $T_TMP/plain.csv"
expect bad-max-pending 2 "backtest --max-pending 0 $T_TMP/plain.csv"
t_done
