# candle-feed on the files traders have: one hand-written sample per
# platform under tests/data/formats/ (see its README), each against a
# hand-written expected stream; the date + time data-loss case; --tz across
# DST changes; messages; the time and number ranges; chunked input and the
# prefix property for every new path.
. "$(dirname "$0")/../lib.sh"

D=tests/data/formats
H=time,open,high,low,close,volume
T=$T_TMP

# ---- each sample: name, options, input, expected stream
# (no options where the layout is unambiguous)
cases='
binance||binance.csv|binance.want
yahoo||yahoo.csv|yahoo.want
yahoo-adj|--close adj|yahoo_adj.csv|yahoo_adj.want
yfinance-0.2.51||yfinance.csv|yfinance.want
tradingview||tradingview.csv|tradingview.want
stooq-daily||stooq_daily.csv|stooq_daily.want
stooq-intraday||stooq_intraday.csv|stooq_intraday.want
stooq-bulk||stooq_bulk.txt|stooq_bulk.want
iso-offsets||iso_offsets.csv|iso_offsets.want
metatrader5||mt5.csv|mt5.want
metatrader5-utf16||mt5_utf16.csv|mt5.want
metatrader4||mt4.csv|mt4.want
european|--time-format %d.%m.%Y|european.csv|european.want
semicolon-decimal-comma||semicolon.csv|semicolon.want
quoted-decimal-comma||quoted_decimal_comma.csv|quoted_decimal_comma.want
quoted-thousands||quoted_thousands.csv|quoted_thousands.want
us-dates|--time-format %m/%d/%Y|us_dates.csv|us_dates.want
ccxt||ccxt.csv|ccxt.want
kraken||kraken.csv|kraken.want
freqtrade-json||freqtrade.json|freqtrade.want
freqtrade-json-gz||freqtrade.json.gz|freqtrade.want
no-volume|--no-volume|forex_novolume.csv|forex_novolume.want
newest-first||newest_first.csv|newest_first.want
cryptodatadownload||cryptodatadownload.csv|cryptodatadownload.want
investing|--time-format %m/%d/%Y|investing.csv|investing.want
tz-athens|--tz Europe/Athens|tz_athens.csv|tz_athens.want
tz-new-york|--tz America/New_York|tz_newyork.csv|tz_newyork.want
'
# (expect uses n, want and cmd: the loops name theirs otherwise)
echo "$cases" | while IFS='|' read -r name opts file wf; do
	[ -n "$name" ] || continue
	expect "$name" 0 "candle-feed $opts $D/$file | cmp - $D/$wf"
	echo "$T_PASS $T_FAIL" >"$T/count"
done
read -r T_PASS T_FAIL <"$T/count"

# ---- the guesses a file cannot settle: the option is named
expect us-dates-ambiguous 65 "candle-feed $D/us_dates.csv" "$H"
errhas us-dates-hint "--time-format '%m/%d/%Y'"
expect european-ambiguous 65 "candle-feed $D/european.csv" "$H"
errhas european-hint "day and month order unknown"
expect no-volume-hint 65 "candle-feed $D/forex_novolume.csv"
errhas no-volume-hint-msg "--no-volume reads it with volume 0"
expect thousands-or-decimal 65 "printf 'Date,Open,High,Low,Close,Volume\n2024-03-04,\"1,234\",\"1,240\",\"1,230\",\"1,235\",5\n' | candle-feed" "$H"
errhas thousands-or-decimal-msg "--decimal , or --decimal . says it"
expect decimal-forced 0 "printf 'Date,Open,High,Low,Close,Volume\n2024-03-04,\"1,234\",\"1,240\",\"1,230\",\"1,235\",5\n' | candle-feed --decimal ," \
"$H
2024-03-04T00:00:00Z,1.234,1.240,1.230,1.235,5"
expect tz-gap 65 "printf 'datetime,open,high,low,close,volume\n2024-03-31 03:30:00,1,1,1,1,1\n' | candle-feed --tz Europe/Athens" "$H"
errhas tz-gap-msg "does not exist in the zone (clocks went forward)"
expect tz-unknown 2 "candle-feed --tz Mars/Olympus_Mons $D/yahoo.csv"
expect tz-utc-unchanged 0 "candle-feed --tz Europe/Athens $D/binance.csv | cmp - $D/binance.want"
expect yahoo-null 65 "candle-feed $D/yahoo_null.csv" "$(head -2 $D/yahoo_null.want)"
errhas yahoo-null-msg "yahoo_null.csv:3: missing open ('null')"
expect yahoo-null-skip 0 "candle-feed --skip-bad $D/yahoo_null.csv | cmp - $D/yahoo_null.want"
errhas yahoo-null-skip-count "1 bad rows skipped"
expect nan-cell 65 "printf '$H\n2024-03-04T00:00:00Z,1,1,1,NaN,1\n' | candle-feed"
errhas nan-cell-msg "close not a finite number: 'NaN'"
expect empty-cell 65 "printf '$H\n2024-03-04T00:00:00Z,1,,1,1,1\n' | candle-feed"
errhas empty-cell-msg "empty high"
expect volume-choice 0 "candle-feed --volume 'Volume USDT' $D/cryptodatadownload.csv | sed -n 2p" \
"2024-03-04T01:00:00Z,62280.50,62600.00,62100.00,62500.00,63900120.00"
expect volume-missing 65 "candle-feed --volume nope $D/yahoo.csv"
expect columns-by-position 0 "printf 'a;b;c;d;e;f;g\nx;1704067200;1;2;0.5;1.5;3\n' | candle-feed --columns 2,3,4,5,6,7" \
"$H
2024-01-01T00:00:00Z,1,2,0.5,1.5,3"
expect columns-date-time 0 "printf 'd,t,o,h,l,c,v\n2024-01-01,10:00,1,2,0.5,1.5,3\n' | candle-feed --columns d+t,o,h,l,c,v" \
"$H
2024-01-01T10:00:00Z,1,2,0.5,1.5,3"
expect header-none 0 "printf '2024-01-01T10:00:00Z|1|2|0.5|1.5|3\n' | candle-feed --header none --sep '|'" \
"$H
2024-01-01T10:00:00Z,1,2,0.5,1.5,3"
expect investing-month-names 0 "printf '\"Date\",\"Price\",\"Open\",\"High\",\"Low\",\"Vol.\",\"Change %%\"\n\"Mar 01, 2024\",\"5,137.08\",\"5,098.51\",\"5,140.33\",\"5,094.16\",\"1.23M\",\"0.80%%\"\n' | candle-feed --time-format '%b %d, %Y'" \
"$H
2024-03-01T00:00:00Z,5098.51,5140.33,5094.16,5137.08,1230000"
expect bad-sep 2 "candle-feed --sep x $D/yahoo.csv"

# ---- messages show the header as read and name the option
expect header-shown 65 "printf 'Datum|Kurs|Menge\n01.01.2024|1|2\n' | candle-feed"
errhas header-shown-msg "stdin:1: no time column in the header 'Datum|Kurs|Menge' (separator ','); is the separator right? --sep names it"
expect header-sep-shown 65 "printf 'when;open;high;low;close;volume\n' | candle-feed"
errhas header-sep-shown-msg "no time column in the header 'when;open;high;low;close;volume' (separator ';'); --columns names the columns"
# bytes of a field are quoted, never echoed: one line, no escape sequence
expect quoted-newline 65 "printf '$H\n\"2024-01-01\nT00\",1,1,1,1,1\n' | candle-feed"
check quoted-newline-one-line test "$(wc -l <"$T/err")" -eq 1
errhas quoted-newline-msg "bad time '2024-01-01\\nT00'"
expect quoted-escape 65 "printf '$H\n2024-01-01T00:00:00Z,1,\033[31mred,1,1,1\n' | candle-feed"
errhas quoted-escape-msg "high not a finite number: '\\x1b[31mred'"
check quoted-escape-no-esc sh -c "! grep -q \"$(printf '\033')\" $T/err"
expect quoted-long 65 "(echo $H; printf '%0300d,1,1,1,1,1\n' 0 | tr 0 x) | candle-feed"
check quoted-long-bounded test "$(wc -c <"$T/err")" -lt 200
expect bad-json 65 "printf '[[1709510400000,1,1,1,1,1],{\"a\":1}]' | candle-feed" \
"$H
2024-03-04T00:00:00Z,1,1,1,1,1"
errhas bad-json-msg "not JSON candles"
expect newest-first-stdin 65 "candle-feed <$D/newest_first.csv" \
"$H
2024-03-04T00:03:00Z,11,11.5,10.9,11.4,130"
errhas newest-first-stdin-msg "reverse a pipe with tac"
expect newest-first-gz 65 "gzip <$D/newest_first.csv >$T/nf.csv.gz; candle-feed $T/nf.csv.gz"
expect newest-first-last 0 "candle-feed --last 2 $D/newest_first.csv" \
"$H
$(sed -n 4,5p $D/newest_first.want)"
expect newest-first-tac 0 "(head -1 $D/newest_first.csv; tail -n +2 $D/newest_first.csv | tac) | candle-feed | cmp - $D/newest_first.want"

# ---- the separate date and time columns: 40 hourly bars stay 40 bars,
# whatever --dedupe and --skip-bad say
expect date-time-40 0 "candle-feed $D/stooq_intraday.csv | tail -n +2 | wc -l" "40"
for d in "" "--dedupe first" "--dedupe last"; do
	for s in "" "--skip-bad"; do
		expect "date-time-kept${d:+-}${d#--dedupe }${s:+-skip}" 0 \
		    "candle-feed $d $s $D/stooq_intraday.csv | cmp - $D/stooq_intraday.want"
	done
done
# a time cell that cannot be read: that row is bad, never midnight
sed '5s/,03:00:00,/,3 o clock,/' "$D/stooq_intraday.csv" >"$T/badclock.csv"
expect date-time-bad-clock 65 "candle-feed $T/badclock.csv >$T/o; st=\$?; wc -l <$T/o; exit \$st" "4"
errhas date-time-bad-clock-msg "badclock.csv:5: bad date and time '2024-03-04' '3 o clock'"
grep -v '^2024-03-04T03:00:00Z' $D/stooq_intraday.want >"$T/want39"
for d in "" "--dedupe first" "--dedupe last"; do
	expect "date-time-bad-clock-skip${d:+-}${d#--dedupe }" 0 \
	    "candle-feed $d --skip-bad $T/badclock.csv | cmp - $T/want39"
	check "date-time-bad-clock-skip-rows${d:+-}${d#--dedupe }" test "$(candle-feed $d --skip-bad $T/badclock.csv 2>/dev/null | wc -l)" -eq 40	# header + 39
done
# a time-of-day column left without a date is refused, not dropped
expect clock-unpaired 65 "printf 'timestamp,open,high,low,close,volume,Uhrzeit\n1709510400,1,1,1,1,1,10:00\n' | candle-feed"
errhas clock-unpaired-msg "time-of-day column 'uhrzeit' not paired with a date"

# ---- overlapping files
expect overlap-error 65 "candle-feed $D/overlap_a.csv $D/overlap_b.csv >/dev/null"
errhas overlap-error-hint "--dedupe first|last joins them"
expect overlap-first 0 "candle-feed --dedupe first $D/overlap_a.csv $D/overlap_b.csv | cmp - $D/overlap_first.want"
errhas overlap-first-count "1 rows at times already read differed (the first kept)"
expect overlap-last 0 "candle-feed --dedupe last $D/overlap_a.csv $D/overlap_b.csv | cmp - $D/overlap_last.want"
errhas overlap-last-count "1 rows at times already read differed (the last kept)"
expect overlap-same 0 "candle-feed --dedupe first $D/overlap_a.csv $D/overlap_a.csv | cmp - $D/overlap_a.csv"
check overlap-same-quiet test ! -s "$T/err"

# ---- the accepted ranges (candle-stream(5))
expect time-1677 65 "printf '$H\n1677-09-22T00:00:00Z,1,1,1,1,1\n' | candle-feed"
errhas time-1677-msg "outside 1850-01-01T00:00:00Z to 2099-12-31T23:59:59Z"
expect time-2262 65 "printf '$H\n2262-04-11T00:00:00Z,1,1,1,1,1\n' | candle-feed"
expect time-epoch-far 65 "printf 'timestamp,open,high,low,close,volume\n9223372036,1,1,1,1,1\n' | candle-feed"
expect time-ends 0 "printf '$H\n1850-01-01T00:00:00Z,1,1,1,1,1\n1850-01-01T00:01:00Z,1,1,1,1,1\n2099-12-31T23:59:59Z,1,1,1,1,1\n' | candle-feed --gaps --resample 1d --partial --replay 1000000" \
"$H
1850-01-01T00:00:00Z,1,1,1,1,2
2099-12-31T00:00:00Z,1,1,1,1,1"
expect week-before-range 65 "printf '$H\n1850-01-01T00:00:00Z,1,1,1,1,1\n1850-01-08T00:00:00Z,1,1,1,1,1\n' | candle-feed --resample 1w"
errhas week-before-range-msg "resampled candle 1849-12-31T00:00:00Z: its start is outside"
expect resample-max 2 "candle-feed --resample 521w $D/yahoo.csv"
expect price-subnormal 65 "printf '$H\n2024-01-01T00:00:00Z,1e-320,1,1e-320,1,1\n' | candle-feed"
errhas price-subnormal-msg "open 9.99989e-321 outside 1e-15..1e+15"
expect price-huge 65 "printf '$H\n2024-01-01T00:00:00Z,1,1.7e308,1,1,1\n' | candle-feed"
expect volume-huge 65 "printf '$H\n2024-01-01T00:00:00Z,1,1,1,1,1.7e308\n' | candle-feed"
expect volume-sum 65 "printf '$H\n2024-01-01T00:00:00Z,1,1,1,1,1e20\n2024-01-01T00:01:00Z,1,1,1,1,1e20\n' | candle-feed --resample 2m" "$H"
errhas volume-sum-msg "resampled candle 2024-01-01T00:00:00Z: volume 2e+20 outside"
expect volume-sum-ok 0 "printf '$H\n2024-01-01T00:00:00Z,1,1,1,1,5e19\n2024-01-01T00:01:00Z,1,1,1,1,5e19\n' | candle-feed --resample 2m | candle-feed" \
"$H
2024-01-01T00:00:00Z,1,1,1,1,1e+20"

# ---- --last: the tail of every sample's stream (a plain file is read
# from its end after its header lines: title lines and the yfinance header
# kept; UTF-16 and JSON read whole)
echo "$cases" | while IFS='|' read -r name opts file wf; do
	[ -n "$name" ] || continue
	expect "last-$name" 0 "candle-feed $opts --last 2 $D/$file | tail -n +2" \
	    "$(tail -n 2 "$D/$wf")"
	echo "$T_PASS $T_FAIL" >"$T/count"
done
read -r T_PASS T_FAIL <"$T/count"

# ---- chunked input and the prefix property, for every path read from a
# stream (the newest-first ones are read from a file's end instead)
# FILE's bytes in writes of 1, 2, 3, 5, 13, 100 in turn
cat >"$T/chunks.py" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
i = k = 0
while i < len(d):
    n = (1, 2, 3, 5, 13, 100)[k % 6]
    sys.stdout.buffer.write(d[i:i + n]); sys.stdout.buffer.flush()
    i += n; k += 1
EOF
echo "$cases" | while IFS='|' read -r name opts file wf; do
	case $name in ''|newest-first|cryptodatadownload|investing) continue ;; esac
	expect "chunks-$name" 0 "/usr/bin/python3 $T/chunks.py $D/$file | candle-feed $opts | cmp - $D/$wf"
	case $file in *.gz|*utf16*) echo "$T_PASS $T_FAIL" >"$T/count"; continue ;; esac
	# every prefix of the input gives a prefix of the output
	nl=$(wc -l <"$D/$file")
	ok=1
	k=1
	while [ "$k" -le "$nl" ]; do
		head -n "$k" "$D/$file" | candle-feed $opts >"$T/p" 2>/dev/null
		head -c "$(wc -c <"$T/p")" "$D/$wf" | cmp -s - "$T/p" || ok=0
		k=$((k + 1))
	done
	check "prefix-$name" test "$ok" -eq 1
	echo "$T_PASS $T_FAIL" >"$T/count"
done
read -r T_PASS T_FAIL <"$T/count"

t_done
