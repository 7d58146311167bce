#!/bin/sh
# backtest(1): options, trade list, summary, equity, chart, live mode.
# Prediction streams are written by hand here (independent of infer).
. "$(dirname "$0")/../lib.sh"

H=time,open,high,low,close,volume,action,confidence,p_hold,p_buy,p_sell,next_open,next_high,next_low,next_close,model_gen
T=entry_time,exit_time,side,entry_price,exit_price,qty,fees,pnl,return_pct,bars,exit_reason
# the policy of the first version: every signal acts at once
P0="--min-hold 0 --cooldown 0"

# near KEY VALUE FILE: the summary's KEY is VALUE to 1e-12 relative
near() {
	awk -v k="$1" -v v="$2" '$1 == k { d = $2 - v; f = 1
		exit !(d * d <= 1e-24 * v * v) } END { if (!f) exit 1 }' "$3"
}

# row TIME O H L C ACTION: a prediction row (confidence 0.9, no ghost)
row() { echo "$1,$2,$3,$4,$5,100,$6,0.9,,,,,,,,1"; }

# A long trade without costs: BUY on 00:00 fills at 00:01's open 100
# (qty 100), SELL on 00:02 fills at 00:03's open 110: pnl 1000, 10 %, 2 bars.
{
	echo "$H"
	row 2024-01-01T00:00:00Z 100 101 99 100 BUY
	row 2024-01-01T00:01:00Z 100 105 100 104 HOLD
	row 2024-01-01T00:02:00Z 104 106 103 105 SELL
	row 2024-01-01T00:03:00Z 110 111 105 106 HOLD
} >"$T_TMP/a.csv"
expect long 0 "backtest $P0 --fee 0 --summary $T_TMP/sum $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:03:00Z,long,100,110,100,0,1000,10,2,signal"
# The same SELL with --reverse opens a short at 110, closed at the end at
# 106: pnl (110 - 106) * 11000 / 110 = 400, 3.6363... %, 1 bar.
expect reverse 0 "backtest $P0 --fee 0 --reverse $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:03:00Z,long,100,110,100,0,1000,10,2,signal
2024-01-01T00:03:00Z,2024-01-01T00:03:00Z,short,110,106,100,0,400,3.6363636363636362,1,end"
# --fill close: in at 00:00's close 100, out at 00:02's close 105.
expect fill-close 0 "backtest $P0 --fee 0 --fill close $T_TMP/a.csv" \
"$T
2024-01-01T00:00:00Z,2024-01-01T00:02:00Z,long,100,105,100,0,500,5,2,signal"
# --cash 5000 --size 0.5: qty 2500 / 100 = 25; pnl 250, 10 %.
expect size 0 "backtest $P0 --fee 0 --cash 5000 --size 0.5 $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:03:00Z,long,100,110,25,0,250,10,2,signal"
# --stop-loss 0.02: stop at 98 not touched (lows 100, 103); --take-profit
# 0.04: 104 reached by 00:01's high 105: out at 104, 4 %, 1 bar.
expect take-profit 0 "backtest $P0 --fee 0 --long-only --stop-loss 0.02 --take-profit 0.04 $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:01:00Z,long,100,104,100,0,400,4,1,take_profit"
# The policy from the command line (the engine's cases are in
# tests/unit/backtest.c): --on-hold exit leaves at 00:02's open 104 after
# 00:01's HOLD: +400, 4 %, 1 bar; flat, 00:02's SELL then shorts at 00:03's
# open 110 (qty 10400 / 110), closed by the end at 106; --enter 0.95
# opens nothing (confidence
# 0.9); --min-hold 3 keeps the long past 00:02's SELL (2 bars) to the end.
expect on-hold-exit 0 "backtest $P0 --fee 0 --on-hold exit $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:02:00Z,long,100,104,100,0,400,4,1,signal
2024-01-01T00:03:00Z,2024-01-01T00:03:00Z,short,110,106,94.54545454545455,0,378.1818181818182,3.6363636363636362,1,end"
expect enter-above 0 "backtest $P0 --enter 0.95 $T_TMP/a.csv" "$T"
expect min-hold-3 0 "backtest --cooldown 0 --min-hold 3 --fee 0 $T_TMP/a.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:03:00Z,long,100,106,100,0,600,6,3,end"
# --min-confidence 0.95 ignores every signal (confidence 0.9).
expect min-confidence 0 "backtest $P0 --min-confidence 0.95 $T_TMP/a.csv" "$T"
# Fee 0.1 % and slippage 1 %: in at 101, out at 108.9; qty = 10000 /
# (101 * 1.001); fees qty * (101 + 108.9) * 0.001.
backtest $P0 --fee 0.001 --slippage 0.01 --json "$T_TMP/j" "$T_TMP/a.csv" \
    >"$T_TMP/out" 2>/dev/null
check fee-slippage awk -F, 'NR == 2 {
	q = 10000 / (101 * 1.001); f = q * (101 + 108.9) * 0.001
	p = q * 7.9 - f
	ok = $4 == 101 && $5 == 108.9 && (($6 - q) ^ 2) < 1e-18 &&
	    (($7 - f) ^ 2) < 1e-18 && (($8 - p) ^ 2) < 1e-16
	exit !ok }' "$T_TMP/out"

# The summary: keys and values of the first case.  Equity 10000, 10400,
# 10500, 11000 (flat after the exit at 00:03's open); buy and hold
# 106 / 100 - 1 = 6 %; exposure 2 / 4 = 50 %; row 00:00's BUY before an up
# candle (hit), 00:02's SELL before a down one (110 -> 106): hit.
jq1() { /usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(not eval(sys.argv[2]))' "$@"; }
check summary-text grep -q '^# Trades  *1$' "$T_TMP/sum"
check summary-return grep -q '^Return \[%\]  *10.00$' "$T_TMP/sum"
check summary-bh grep -q '^Buy & Hold Return \[%\]  *6.00$' "$T_TMP/sum"
check summary-exposure grep -q '^Exposure Time \[%\]  *50.00$' "$T_TMP/sum"
check summary-hit grep -q '^Hit Rate \[%\]  *100.00 ' "$T_TMP/sum"
check summary-sortino grep -q '^Sortino Ratio  *n/a$' "$T_TMP/sum"
backtest $P0 --fee 0 --json "$T_TMP/j" "$T_TMP/a.csv" >/dev/null 2>&1
check json /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["trades"] == 1 and j["wins"] == 1 and j["losses"] == 0
assert j["final_equity"] == 11000 and j["pnl"] == 1000
assert j["return_pct"] == 10 and j["max_drawdown_pct"] == 0
assert j["start"] == "2024-01-01T00:00:00Z" and j["end"] == "2024-01-01T00:03:00Z"
assert j["median_step_seconds"] == 60 and j["periods_per_year"] == 525960
assert j["periods_per_year_source"] == "median_step"
assert j["sortino"] is None and j["profit_factor"] is None
assert j["ghost_close_mape_pct"] is None and j["ghosts"] == 0
assert abs(j["buy_hold_return_pct"] - 6) < 1e-12 and j["exposure_pct"] == 50
assert j["hit_rate_pct"] == 100
' "$T_TMP/j"

# --equity: one row per candle.
backtest $P0 --fee 0 --equity "$T_TMP/eq" "$T_TMP/a.csv" >/dev/null 2>&1
check equity diff -u - "$T_TMP/eq" <<EOF
time,equity,drawdown_pct
2024-01-01T00:00:00Z,10000,0
2024-01-01T00:01:00Z,10400,0
2024-01-01T00:02:00Z,10500,0
2024-01-01T00:03:00Z,11000,0
EOF

# Long only: the SELL on a flat position does nothing; BUY at 00:01's
# open 10 (after the first SELL was ignored), held to the end close 12.
{
	echo "$H"
	row 2024-01-01T00:00:00Z 10 10 10 10 SELL
	row 2024-01-01T00:01:00Z 10 11 10 11 BUY
	row 2024-01-01T00:02:00Z 12 13 11 12 HOLD
} >"$T_TMP/lo.csv"
expect long-only 0 "backtest $P0 --fee 0 --long-only $T_TMP/lo.csv" \
"$T
2024-01-01T00:02:00Z,2024-01-01T00:02:00Z,long,12,12,833.3333333333334,0,0,0,1,end"

# Gap through a stop: long from 100 (stop 95); 00:02 opens at 90: out at 90.
{
	echo "$H"
	row 2024-01-01T00:00:00Z 100 100 100 100 BUY
	row 2024-01-01T00:01:00Z 100 101 99 100 HOLD
	row 2024-01-01T00:02:00Z 90 99 89 95 HOLD
} >"$T_TMP/gap.csv"
expect gap-stop 0 "backtest $P0 --fee 0 --stop-loss 0.05 $T_TMP/gap.csv" \
"$T
2024-01-01T00:01:00Z,2024-01-01T00:02:00Z,long,100,90,100,0,-1000,-10,2,stop_loss"

# Errors and edge cases.
expect no-action 65 "printf 'time,open,high,low,close,volume\n2024-01-01T00:00:00Z,1,1,1,1,1\n' | backtest"
errhas no-action-msg "no action column"
{ echo "$H"; row 2024-01-01T00:00:00Z 1 1 1 1 BUY; row 2024-01-01T00:01:00Z 1 1 1 1 MAYBE; } >"$T_TMP/bad.csv"
expect bad-action 65 "backtest $T_TMP/bad.csv"
errhas bad-action-msg "bad.csv:3: bad action 'MAYBE'"
expect empty 0 "echo '$H' | backtest" "$T"
{ echo "$H"; echo "2024-01-01T00:00:00Z,1,1,1,1,1,,,,,,,,,,"; echo "2024-01-01T00:01:00Z,1,1,1,1,1,,,,,,,,,,"; } >"$T_TMP/none.csv"
expect no-prediction 0 "backtest $T_TMP/none.csv" "$T"
expect bad-fee 2 "backtest $P0 --fee x $T_TMP/a.csv"
expect bad-fill 2 "backtest --fill later $T_TMP/a.csv"
expect svg-every-alone 2 "backtest --svg-every 5 $T_TMP/a.csv"
expect two-files 2 "backtest $T_TMP/a.csv $T_TMP/a.csv"
expect help 0 "backtest --help | head -1 | grep -q '^usage: backtest'"
expect version 0 "backtest --version | grep -q '^backtest '"
expect prefix 0 "sed '1s/action/m1_action/' $T_TMP/a.csv | backtest --fee 0 --prefix m1_ | wc -l | tr -d ' '" 2

# A longer stream from the bundled data: synthetic actions and ghosts,
# pivots on some rows.  (candle-feed is not needed: only the header's
# first name differs from the canonical stream.)
gen() {
	gzip -dc "$DATA" | awk -F, -v n="$1" -v H="$H,pivot1_high,pivot1_low" '
	NR == 1 { print H; next }
	NR > n + 1 { exit }
	{
		a = NR < 33 ? "" : NR % 17 == 0 ? "BUY" : NR % 23 == 0 ? "SELL" : "HOLD"
		if (a == "") { print $0 ",,,,,,,,,,,,"; next }
		ph = NR % 29 == 0 ? prev : ""
		pr = a == "BUY" ? "0.2,0.6,0.2" : a == "SELL" ? "0.2,0.2,0.6" : "0.6,0.2,0.2"
		print $0 "," a ",0.6," pr "," $5 "," $5 * 1.002 "," $5 * 0.998 "," \
		    $5 * 1.001 ",1," ph ","
		prev = $1
	}'
}
gen 16080 >"$T_TMP/big.csv"
backtest $P0 --svg "$T_TMP/big.svg" --json "$T_TMP/big.json" \
    "$T_TMP/big.csv" >"$T_TMP/big.trades" 2>/dev/null
check svg-xml xmllint --noout "$T_TMP/big.svg"
check svg-elements test "$(xmllint --xpath 'count(//*)' "$T_TMP/big.svg")" -le 20000
check svg-has-trades grep -q '<line class="\(win\|loss\)"' "$T_TMP/big.svg"
check svg-has-pivots grep -q 'class="ph" d="M' "$T_TMP/big.svg"
check svg-has-ghosts grep -q 'class="ghost" d="M' "$T_TMP/big.svg"
# Every trade line's pnl adds up to the summary's pnl.
check trades-sum /usr/bin/python3 -c '
import csv, json, sys
t = list(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
assert len(t) == j["trades"] > 100
s = sum(float(r["pnl"]) for r in t)
assert abs(s - j["pnl"]) < 1e-6 * 10000, (s, j["pnl"])
assert j["ghosts"] > 1000 and j["signals"] > 100
' "$T_TMP/big.trades" "$T_TMP/big.json"
# A closed pipe downstream is a quiet success.
expect epipe 0 "backtest $T_TMP/big.csv 2>/dev/null | head -1" "$T"

# Properties.  All HOLD: no trade, equity flat.
sed '2,$s/,BUY,/,HOLD,/; 2,$s/,SELL,/,HOLD,/' "$T_TMP/big.csv" >"$T_TMP/hold.csv"
backtest $P0 --json "$T_TMP/hj" "$T_TMP/hold.csv" >"$T_TMP/out" 2>/dev/null
check hold-notrades test "$(cat "$T_TMP/out")" = "$T"
check hold-flat /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["final_equity"] == 10000 and j["max_drawdown_pct"] == 0 and j["trades"] == 0
' "$T_TMP/hj"
# One BUY at the first prediction, long only, never exited:
# final = cash * (last close / entry fill) * (1 - fee) / (1 + fee).
awk -F, 'NR == 1 { print; next } { if ($7 != "") { $7 = n++ ? "HOLD" : "BUY"; $9 = $10 = $11 = "" } print }' \
    OFS=, "$T_TMP/big.csv" >"$T_TMP/one.csv"
backtest $P0 --long-only --fee 0.001 --json "$T_TMP/oj" "$T_TMP/one.csv" >"$T_TMP/out" 2>/dev/null
check one-buy /usr/bin/python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
j = json.load(open(sys.argv[2]))
first = next(i for i, r in enumerate(rows) if r["action"] == "BUY")
entry = float(rows[first + 1]["open"])
want = 10000 * (float(rows[-1]["close"]) / entry) * (1 - 0.001) / (1 + 0.001)
assert abs(j["final_equity"] - want) <= 1e-9 * want, (j["final_equity"], want)
assert j["trades"] == 1
' "$T_TMP/one.csv" "$T_TMP/oj"
# No costs, fill at the close: pnl is the sum of qty * close-to-close moves
# while in position (checked trade by trade from the stream).
backtest $P0 --fee 0 --fill close --reverse --json "$T_TMP/mj" "$T_TMP/big.csv" \
    >"$T_TMP/mt" 2>/dev/null
check moves /usr/bin/python3 -c '
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
idx = {r["time"]: i for i, r in enumerate(rows)}
c = [float(r["close"]) for r in rows]
tot = 0
for t in csv.DictReader(open(sys.argv[2])):
    a, b = idx[t["entry_time"]], idx[t["exit_time"]]
    sgn = 1 if t["side"] == "long" else -1
    mv = sum(c[i] - c[i - 1] for i in range(a + 1, b + 1))
    p = sgn * float(t["qty"]) * mv
    assert abs(float(t["pnl"]) - p) <= 1e-9 * 10000, (t, p)
    tot += p
j = json.load(open(sys.argv[3]))
assert abs(j["pnl"] - tot) <= 1e-7 * 10000, (j["pnl"], tot)
' "$T_TMP/big.csv" "$T_TMP/mt" "$T_TMP/mj"

# Live: rows fed one at a time through a fifo; after each row, wait (up to
# 10 s) for its status line before writing the next, so every line is
# seen before the input ends.  Then SIGTERM: summary and status 143.
mkfifo "$T_TMP/fifo"
head -41 "$T_TMP/big.csv" >"$T_TMP/live.csv"
backtest --live --svg "$T_TMP/live.svg" --svg-every 1 <"$T_TMP/fifo" \
    >"$T_TMP/lt" 2>"$T_TMP/le" &
bpid=$!
exec 3>"$T_TMP/fifo"
sed -n 1p "$T_TMP/live.csv" >&3
ok=1 n=0
while [ $n -lt 40 ]; do
	n=$((n + 1))
	sed -n "$((n + 1))p" "$T_TMP/live.csv" >&3
	w=0
	while [ "$(grep -c ' equity ' "$T_TMP/le")" -lt $n ]; do
		w=$((w + 1))
		[ $w -gt 1000 ] && { ok=0; break; }
		sleep 0.01
	done
	[ $ok = 1 ] || break
	xmllint --noout "$T_TMP/live.svg" 2>/dev/null || ok=0
done
check live-lines test $ok = 1
check live-count test "$(grep -c ' equity ' "$T_TMP/le")" = 40
kill -TERM $bpid
wait $bpid
st=$?
exec 3>&-
check live-term-status test $st = 143
check live-term-summary grep -q '^Candles  *40$' "$T_TMP/le"
check live-svg xmllint --noout "$T_TMP/live.svg"

# --svg-every 1 over a whole file while a reader checks the chart as
# often as it can: the chart is well-formed at every moment.
gen 1000 >"$T_TMP/mid.csv"
backtest --svg "$T_TMP/every.svg" --svg-every 1 "$T_TMP/mid.csv" \
    >/dev/null 2>&1 &
bpid=$!
bad=0 seen=0
while kill -0 $bpid 2>/dev/null; do
	if [ -f "$T_TMP/every.svg" ]; then
		seen=$((seen + 1))
		xmllint --noout "$T_TMP/every.svg" 2>/dev/null || bad=$((bad + 1))
	fi
done
wait $bpid
check svg-every-status test $? = 0
check svg-every-wellformed test $bad = 0
check svg-every-final xmllint --noout "$T_TMP/every.svg"
check svg-every-notmp test -z "$(ls -A "$T_TMP" | grep '^\.every\.svg\.')"

# --json - and --summary -: standard output, after the trade list.
expect json-stdout 0 "backtest $P0 --fee 0 --json - $T_TMP/a.csv 2>/dev/null | sed 1,2d | python3 -c 'import json, sys; j = json.load(sys.stdin); sys.exit(j[\"trades\"] != 1)'"
check json-no-dash-file test ! -e ./-
expect summary-stdout 0 "backtest $P0 --fee 0 --summary - $T_TMP/a.csv 2>/dev/null | grep -c '^# Trades  *1\$'" 1
# The settings echo: every option's value, the input, the model's
# generation from the model_gen column.
backtest --cash 5000 --size 0.5 --fee 0.002 --slippage 0.001 --fill close \
    --reverse --long-only --min-confidence 0.1 --enter 0.55 --exit 0.3 \
    --min-hold 4 --cooldown 6 --on-hold exit --stop-loss 0.05 \
    --take-profit 0.1 --periods-per-year 252 --breakdown week \
    --json "$T_TMP/sj" "$T_TMP/a.csv" >/dev/null 2>&1
check settings-echo /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["settings"]
want = dict(cash=5000, size=0.5, fee=0.002, slippage=0.001, fill="close",
    reverse=True, long_only=True, min_confidence=0.1, enter=0.55, exit=0.3,
    min_hold=4, cooldown=6, on_hold="exit", stop_loss=0.05, take_profit=0.1,
    periods_per_year=252, breakdown="week", prefix="", append=None,
    model_id=None, model_gen_first="1", model_gen_last="1")
for k, v in want.items():
    assert s[k] == v, (k, s[k], v)
assert s["input"].endswith("a.csv")
' "$T_TMP/sj"
backtest --json "$T_TMP/dj" "$T_TMP/a.csv" >/dev/null 2>&1
check settings-defaults /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["settings"]
want = dict(cash=10000, size=1, fee=0.001, slippage=0, fill="open",
    reverse=False, long_only=False, min_confidence=0, enter=0.6, exit=0,
    min_hold="auto", cooldown="auto", on_hold="keep", stop_loss=0, take_profit=0,
    periods_per_year=None, breakdown=None)
for k, v in want.items():
    assert s[k] == v, (k, s[k], v)
' "$T_TMP/dj"
expect help-defaults 0 "backtest --help | grep -c -e '--min-hold N|auto ' -e '--enter P .*(default 0.6)' -e '--cooldown N|auto .*(default auto)' -e '--on-hold keep|exit .*(default keep)'" 4
expect bad-enter 2 "backtest --enter 1.5 $T_TMP/a.csv"
errhas bad-enter-msg "enter: not a number in 0..1: 1.5"
expect bad-min-hold 2 "backtest --min-hold -1 $T_TMP/a.csv"
expect bad-cooldown 2 "backtest --cooldown automatic $T_TMP/a.csv"
expect bad-on-hold 2 "backtest --on-hold sell $T_TMP/a.csv"
expect bad-breakdown 2 "backtest --breakdown year $T_TMP/a.csv"
expect bad-prob 65 "sed '3s/,HOLD,0.9,/,HOLD,1.9,/' $T_TMP/a.csv | backtest"
errhas bad-prob-msg ":3: bad confidence '1.9'"

# Rounding in the text summary: 4 significant digits, percentages with 2
# decimals, durations as 3d 04:05:00.  Two candles 3 days 4 h 5 min apart
# ... a BUY at 9, out at the end at 17.363: qty 10000 / 9 = 1111.11...,
# pnl 10000 (17.363 / 9 - 1) = 9292.222...: "9292" (4 digits kept whole);
# return 92.92222...% -> 92.92; the trade lasted 3d 04:05:00; profit
# factor inf.
{
	echo "$H"
	row 2024-01-01T00:00:00Z 9 9 9 9 BUY
	row 2024-01-01T00:01:00Z 9 9 9 9 HOLD
	row 2024-01-04T04:06:00Z 17.363 17.363 17.363 17.363 HOLD
} >"$T_TMP/r.csv"
backtest $P0 --fee 0 --summary "$T_TMP/rs" "$T_TMP/r.csv" >/dev/null 2>&1
check round-pct grep -q '^Return \[%\]  *92\.92$' "$T_TMP/rs"
check round-money grep -q '^Equity Final  *19292$' "$T_TMP/rs"
check round-4sig grep -q '^Expectancy  *9292$' "$T_TMP/rs"
check round-duration grep -q '^Max\. Trade Duration  *3d 04:05:00$' "$T_TMP/rs"
check round-duration2 grep -q '^Duration  *3d 04:06:00$' "$T_TMP/rs"
check round-inf grep -q '^Profit Factor  *inf$' "$T_TMP/rs"
check round-sig4 grep -q '^Avg\. Hold \[candles\]  *2$' "$T_TMP/rs"
check round-no-long-numbers test -z "$(grep -E '[0-9]\.[0-9]{5}' "$T_TMP/rs")"
# aligned: every value of the first group starts in column 30
check round-aligned awk 'NR <= 33 { if (substr($0, 29, 1) != " " || substr($0, 30, 1) == " ") bad++ } END { exit bad }' "$T_TMP/rs"

# --breakdown: one row per period in the text and in the JSON, adding up
# to the totals.
backtest $P0 --breakdown day --json "$T_TMP/bj" --summary "$T_TMP/bs" \
    "$T_TMP/big.csv" >/dev/null 2>&1
check breakdown-json /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
b = j["breakdown"]
assert len(b) == j["days"] == j["days_win"] + j["days_draw"] + j["days_lose"] > 50
assert sum(r["candles"] for r in b) == j["candles"]
assert sum(r["trades"] for r in b) == j["trades"]
assert abs(sum(r["pnl"] for r in b) - j["pnl"]) < 1e-6
assert abs(b[-1]["end_equity"] - j["final_equity"]) < 1e-9
e = 10000
for r in b:
    assert abs(r["start_equity"] - e) < 1e-9; e = r["end_equity"]
assert max(r["return_pct"] for r in b) == j["best_day_pct"]
assert min(r["return_pct"] for r in b) == j["worst_day_pct"]
assert b[0]["period"] == "2024-06-14"
' "$T_TMP/bj"
check breakdown-text grep -q '^  2024-06-14 ' "$T_TMP/bs"
backtest $P0 --breakdown month --json "$T_TMP/mj2" "$T_TMP/big.csv" >/dev/null 2>&1
check breakdown-month /usr/bin/python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["breakdown"]
assert [r["period"] for r in b] == ["2024-06", "2024-07", "2024-08", "2024-09"], b
' "$T_TMP/mj2"
backtest $P0 --breakdown week --json "$T_TMP/wj" "$T_TMP/big.csv" >/dev/null 2>&1
check breakdown-week /usr/bin/python3 -c '
import json, sys, datetime
b = json.load(open(sys.argv[1]))["breakdown"]
assert b[0]["period"] == "2024-06-10"     # the Monday of Friday 2024-06-14
for r in b:
    assert datetime.date.fromisoformat(r["period"]).weekday() == 0
' "$T_TMP/wj"

# Annualisation on the bundled data: the candles it has per year of
# calendar time (about 240 a day on about 252 trading days: 60,480, less
# the holidays of its summer months), computed here independently.
backtest --json "$T_TMP/aj" "$T_TMP/big.csv" >/dev/null 2>&1
check ppy-bundled /usr/bin/python3 -c '
import csv, json, sys
from datetime import datetime
rows = list(csv.reader(open(sys.argv[1])))[1:]
t = [datetime.fromisoformat(r[0].replace("Z", "+00:00")).timestamp() for r in rows]
want = (len(t) - 1) * 365.25 * 86400 / (t[-1] - t[0])
j = json.load(open(sys.argv[2]))
assert j["periods_per_year_source"] == "data"
assert abs(j["periods_per_year"] - want) < 1e-6 * want, (j["periods_per_year"], want)
assert 55000 < want < 66000, want
' "$T_TMP/big.csv" "$T_TMP/aj"
gzip -dc "$top/tests/data/mpl_goog_1d.csv.gz" | awk -F, -v H="$H" '
	NR == 1 { print H; next } { print $0 ",,,,,,,,,," }' >"$T_TMP/daily.csv"
backtest --json "$T_TMP/dj2" "$T_TMP/daily.csv" >/dev/null 2>&1
check ppy-daily /usr/bin/python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert abs(j["periods_per_year"] - 252) < 0.02 * 252, j["periods_per_year"]
' "$T_TMP/dj2"

# --append: trades go to FILE once, across restarts.  An uninterrupted
# run, then the same stream through a pipe that is cut mid-stream (the
# process killed with SIGKILL), then restarted with the whole stream:
# the file ends equal to the uninterrupted one (no second header, no
# trade twice, the equity and the open position rebuilt by the replay).
backtest --append "$T_TMP/full.csv" "$T_TMP/big.csv" 2>/dev/null
check append-written test "$(wc -l <"$T_TMP/full.csv")" -gt 5
check append-stdout-empty test -z "$(backtest --append "$T_TMP/x.csv" "$T_TMP/a.csv" 2>/dev/null)"
mkfifo "$T_TMP/afifo"
backtest --live --append "$T_TMP/kill.csv" <"$T_TMP/afifo" \
    >/dev/null 2>"$T_TMP/ale" &
bpid=$!
exec 4>"$T_TMP/afifo"
head -9000 "$T_TMP/big.csv" >&4
w=0
while [ "$(grep -c ' equity ' "$T_TMP/ale")" -lt 8999 ] && [ $w -lt 1000 ]; do
	w=$((w + 1))
	sleep 0.02
done
kill -KILL $bpid
wait $bpid 2>/dev/null
exec 4>&-
n1=$(($(wc -l <"$T_TMP/kill.csv") - 1))
check append-killed-partial test "$n1" -gt 0 -a "$n1" -lt "$(($(wc -l <"$T_TMP/full.csv") - 1))"
# a kill may tear the last line: the restart cuts it off
printf '2024-07-01T00:00:00Z,2024-07' >>"$T_TMP/kill.csv"
expect append-restart 0 "backtest --live --append $T_TMP/kill.csv $T_TMP/big.csv 2>/dev/null"
check append-equal cmp "$T_TMP/full.csv" "$T_TMP/kill.csv"
check append-one-header test "$(grep -c '^entry_time' "$T_TMP/kill.csv")" = 1
# a second restart over the same stream adds nothing
expect append-again 0 "backtest --append $T_TMP/kill.csv $T_TMP/big.csv 2>/dev/null"
check append-again-equal cmp "$T_TMP/full.csv" "$T_TMP/kill.csv"
# resumed after the recorded trades: the cash goes on from their pnl
last=$(tail -1 "$T_TMP/kill.csv" | cut -d, -f2)
awk -F, -v t="$last" 'NR == 1 || $1 > t' "$T_TMP/big.csv" >"$T_TMP/after.csv"
head -3 "$T_TMP/full.csv" >"$T_TMP/res.csv"
backtest --append "$T_TMP/res.csv" --json "$T_TMP/rj" "$T_TMP/after.csv" >/dev/null 2>&1
check append-resume-cash /usr/bin/python3 -c '
import csv, json, sys
t = list(csv.DictReader(open(sys.argv[1])))[:2]
j = json.load(open(sys.argv[2]))
assert abs(j["settings"]["cash"] - (10000 + sum(float(r["pnl"]) for r in t))) < 1e-9
' "$T_TMP/full.csv" "$T_TMP/rj"
# another input replayed over the record is refused
expect append-mismatch 65 "backtest --min-hold 0 --cooldown 0 --append $T_TMP/kill.csv $T_TMP/big.csv"
errhas append-mismatch-msg "differ from those recorded"
head -2000 "$T_TMP/big.csv" >"$T_TMP/short.csv"
expect append-short-replay 65 "backtest --append $T_TMP/kill.csv $T_TMP/short.csv"
errhas append-short-replay-msg "recorded trades were replayed"
check append-short-untouched cmp "$T_TMP/full.csv" "$T_TMP/kill.csv"
echo "not,a,trade,list" >"$T_TMP/junk.csv"
expect append-junk 65 "backtest --append $T_TMP/junk.csv $T_TMP/a.csv"
ln -s "$T_TMP/full.csv" "$T_TMP/alink.csv"
expect append-link 1 "backtest --append $T_TMP/alink.csv $T_TMP/a.csv"

# Issue 19: prices at the top of the stream's range (candle-stream(5):
# 1e-15..1e15) are valid, each checked on its own; beyond it (4.5e307) a
# row is refused naming the column and the range, never "not positive".
{
	echo "$H"
	row 2024-01-01T00:00:00Z 4.5e14 1e15 4.5e14 1e15 BUY
	row 2024-01-01T00:01:00Z 5e14 1e15 5e14 1e15 HOLD
	row 2024-01-01T00:02:00Z 5e14 1e15 5e14 9e14 SELL
	row 2024-01-01T00:03:00Z 5e14 1e15 5e14 9e14 HOLD
} >"$T_TMP/huge.csv"
{
	echo "$H"
	row 2024-01-01T00:00:00Z 4.5e307 1e308 4.5e307 1e308 BUY
} >"$T_TMP/huger.csv"
expect huge-prices-refused 65 "backtest $P0 $T_TMP/huger.csv >/dev/null"
errhas huge-prices-refused-msg "huger.csv:2: open 4.5e+307 outside 1e-15..1e+15"
expect huge-prices 0 "backtest $P0 --json $T_TMP/hg $T_TMP/huge.csv | sed 1d | wc -l" 1
check huge-prices-json jq1 "$T_TMP/hg" 'j["trades"] == 1 and j["wins"] + j["losses"] == 1'

# Issue 19 item 3: files a neighbour plants beside the chart.  A planted
# FILE.tmp link is not followed; a link at FILE is replaced, its target
# untouched; a FIFO and a device node are written in place, never
# renamed over; a replaced chart keeps its mode.
echo secret >"$T_TMP/victim"
ln -s "$T_TMP/victim" "$T_TMP/p.svg.tmp"
expect svg-planted-tmp 0 "backtest --svg $T_TMP/p.svg $T_TMP/a.csv >/dev/null"
check svg-planted-tmp-victim test "$(cat "$T_TMP/victim")" = secret
check svg-planted-tmp-chart xmllint --noout "$T_TMP/p.svg"
ln -s "$T_TMP/victim" "$T_TMP/l.svg"
expect svg-planted-link 0 "backtest --svg $T_TMP/l.svg $T_TMP/a.csv >/dev/null"
check svg-planted-link-victim test "$(cat "$T_TMP/victim")" = secret
check svg-planted-link-replaced test -f "$T_TMP/l.svg" -a ! -h "$T_TMP/l.svg"
chmod 640 "$T_TMP/p.svg"
backtest --svg "$T_TMP/p.svg" "$T_TMP/a.csv" >/dev/null 2>&1
check svg-mode-kept test "$(stat -c %a "$T_TMP/p.svg")" = 640
mkfifo "$T_TMP/svgfifo"
timeout 20 cat "$T_TMP/svgfifo" >"$T_TMP/fromfifo" &
expect svg-fifo 0 "backtest --svg $T_TMP/svgfifo $T_TMP/a.csv >/dev/null"
wait
check svg-fifo-kept test -p "$T_TMP/svgfifo"
check svg-fifo-chart xmllint --noout "$T_TMP/fromfifo"
if mknod "$T_TMP/null" c 1 3 2>/dev/null; then
	expect svg-device 0 "backtest --svg $T_TMP/null $T_TMP/a.csv >/dev/null"
	check svg-device-kept test -c "$T_TMP/null"
else
	echo "# svg-device skipped: mknod needs root"
fi

# Real predictions.  A tiny model (window 8) trained one epoch on a slice.
M=$T_TMP/m.ckpt
candle-feed --last 400 "$DATA" >"$T_TMP/c.csv"
# pivot labels without HOLD: a one-epoch model of 400 candles that learned
# HOLD would say nothing else
train-batch -m "$M" --new --window 8 --dim 8 --layers 1 --heads 2 \
    --seed 1 --labels pivots --no-hold --epochs 1 "$T_TMP/c.csv" >/dev/null 2>&1
check model-made test -s "$M"
modelgen() { infer --info -m "$1" | awk '/^generation:/ { print $2 }'; }

# infer | backtest: every row is a candle; the trades are those closed
# by the signals infer wrote (a position is still open at the end, or
# every trade closed on a signal).
infer -m "$M" "$T_TMP/c.csv" 2>/dev/null >"$T_TMP/pred.csv"
expect infer-pipe 0 "backtest $P0 --enter 0 --summary $T_TMP/isum --json $T_TMP/ij <$T_TMP/pred.csv >$T_TMP/itr"
check infer-candles grep -q '^Candles  *400$' "$T_TMP/isum"
nsig=$(awk -F, 'NR > 1 && ($7 == "BUY" || $7 == "SELL")' "$T_TMP/pred.csv" | wc -l)
ntr=$(($(wc -l <"$T_TMP/itr") - 1))
check infer-signals test "$nsig" -gt 0
check infer-trades test "$ntr" -ge 1 -a "$ntr" -le "$nsig"
check infer-trades-sum grep -q "^# Trades  *$ntr\$" "$T_TMP/isum"
check infer-ghosts jq1 "$T_TMP/ij" 'j["ghosts"] > 100'
check infer-mape jq1 "$T_TMP/ij" '0 < j["ghost_close_mape_pct"] < 5'
check infer-mape-ratio jq1 "$T_TMP/ij" 'j["skill"]["mape_ratio"] > 0'
check infer-model-gen jq1 "$T_TMP/ij" 'j["settings"]["model_gen_first"] == j["settings"]["model_gen_last"] != None' 
check infer-json /usr/bin/python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(not (j["candles"] == 400 and j["trades"] == int(sys.argv[2])))' \
    "$T_TMP/ij" "$ntr"
# the pipe and a file argument agree
expect infer-file 0 "infer -m $M $T_TMP/c.csv 2>/dev/null | backtest $P0 --enter 0 2>/dev/null | cmp - $T_TMP/itr"

# Training while backtesting, on a copy: the original checkpoint is
# unchanged, the copy's generation rose by the steps taken, and backtest
# reads train-candle's extra columns.
cp "$M" "$T_TMP/bt.ckpt"
cp "$M" "$T_TMP/orig.ckpt"
g0=$(modelgen "$T_TMP/bt.ckpt")
expect train-pipe 0 "candle-feed $T_TMP/c.csv | pivots | train-candle -m $T_TMP/bt.ckpt --on pivots 2>$T_TMP/tcerr | backtest --summary $T_TMP/tsum >$T_TMP/ttr"
check train-orig-unchanged cmp -s "$M" "$T_TMP/orig.ckpt"
g1=$(modelgen "$T_TMP/bt.ckpt")
steps=$(sed -n 's/.* steps=\([0-9]*\).*/\1/p' "$T_TMP/tcerr")
check train-gen-rose test "$g1" -gt "$g0"
check train-gen-steps test "$g1" = $((g0 + ${steps:-0}))
check train-candles grep -q '^Candles  *400$' "$T_TMP/tsum"
check train-trades-header test "$(head -1 "$T_TMP/ttr")" = "$T"

t_done
