#!/bin/sh
# backtest(1) charts: the SVG (well-formed, round ticks, panes, titles,
# a plain chart without predictions) and the HTML report (self-contained,
# the library's licence kept, the summary backtest prints, atomic
# rewrites, a clear failure without the library; opened in headless
# Chromium when it is installed: no console error, no request, canvases
# drawn).
. "$(dirname "$0")/../lib.sh"

# Candles of the bundled minute data with pivots, then synthetic
# predictions: BUY every 97th row, SELL every 131st, a ghost around the
# close, model generation 7.
candle-feed "$DATA" | pivots >"$T_TMP/plain.csv"
predict() {
	awk -F, -v OFS=, 'NR == 1 { print $0, "action,confidence,next_open," \
	    "next_high,next_low,next_close,model_gen"; next }
	{
		a = NR % 97 == 0 ? "BUY" : NR % 131 == 0 ? "SELL" : "HOLD"
		print $0, a, 0.6, $5, $5 * 1.002, $5 * 0.998, $5 * 1.001, 7
	}' "$@"
}
predict "$T_TMP/plain.csv" >"$T_TMP/pred.csv"
gzip -dc tests/data/mpl_goog_1d.csv.gz | candle-feed | pivots >"$T_TMP/daily.csv"
head -241 "$T_TMP/plain.csv" >"$T_TMP/day1.csv"	# one session of minutes

backtest --svg "$T_TMP/p.svg" --json "$T_TMP/p.json" "$T_TMP/pred.csv" \
    >/dev/null 2>"$T_TMP/p.err"
check pred-status test $? = 0
check pred-xml xmllint --noout "$T_TMP/p.svg"
check pred-notmp test -z "$(ls -A "$T_TMP" | grep '^\.p\.svg\.')"
backtest --svg "$T_TMP/d.svg" "$T_TMP/daily.csv" >/dev/null 2>&1
check daily-status test $? = 0
backtest --svg "$T_TMP/m.svg" "$T_TMP/day1.csv" >/dev/null 2>&1
check minutes-status test $? = 0

# labels FILE AXIS: the text of the axis's labels, one a line
labels() {
	xmllint --xpath "//*[local-name()='g'][@id='ax-$2']/*[local-name()='text']/text()" \
	    "$1" 2>/dev/null | sed 's/></>\n</g'
	echo
}

# round FILE AXIS: at least 2 labels, evenly spaced by 1, 2 or 5 times a
# power of ten, each a multiple of that step (suffixes k M G T and %)
round() {
	labels "$1" "$2" | awk '
	NF == 0 { next }
	{
		s = $0; m = 1
		if (s ~ /%$/) sub(/%$/, "", s)
		if (s ~ /k$/) { m = 1e3; sub(/k$/, "", s) }
		else if (s ~ /M$/) { m = 1e6; sub(/M$/, "", s) }
		else if (s ~ /G$/) { m = 1e9; sub(/G$/, "", s) }
		else if (s ~ /T$/) { m = 1e12; sub(/T$/, "", s) }
		if (s !~ /^-?[0-9]+(\.[0-9]+)?$/) { print "not a number: " $0; bad = 1 }
		v[n++] = s * m
	}
	function abs(x) { return x < 0 ? -x : x }
	END {
		if (bad || n < 2) { print "labels: " n; exit 1 }
		step = v[1] - v[0]
		if (step <= 0) exit 1
		e = log(step) / log(10); e = int(e < 0 ? e - 1 + 1e-9 : e + 1e-9)
		mant = step / 10 ^ e
		if (abs(mant - 1) > 1e-6 && abs(mant - 2) > 1e-6 &&
		    abs(mant - 5) > 1e-6 && abs(mant - 10) > 1e-6) {
			print "step " step; exit 1
		}
		for (i = 0; i < n; i++) {
			q = v[i] / step
			if (abs(q - int(q + (q < 0 ? -0.5 : 0.5))) > 1e-6) {
				print "not a multiple: " v[i]; exit 1
			}
			if (i > 0 && abs(v[i] - v[i - 1] - step) > 1e-6 * step) {
				print "uneven: " v[i]; exit 1
			}
		}
	}'
}
for ax in price price-last volume equity drawdown; do
	check "round-pred-$ax" round "$T_TMP/p.svg" $ax
done
for ax in price price-last volume; do
	check "round-daily-$ax" round "$T_TMP/d.svg" $ax
done
# 240 candles fit unmerged: no separate pane for the latest.
for ax in price volume; do
	check "round-minutes-$ax" round "$T_TMP/m.svg" $ax
done
check minutes-notail test -z "$(grep 'ax-price-last' "$T_TMP/m.svg")"
# The drawdown axis starts at 0 and goes down.
check dd-zero test "$(labels "$T_TMP/p.svg" drawdown | sed '/^$/d' | tail -1)" = 0%
check dd-down test "$(labels "$T_TMP/p.svg" drawdown | sed -n 1p | cut -c1)" = -
# Time labels: dates only for daily data, times of day within a session.
check time-daily test -z "$(labels "$T_TMP/d.svg" time | grep :)"
check time-daily-some test "$(labels "$T_TMP/d.svg" time | grep -c .)" -ge 4
check time-minutes test "$(labels "$T_TMP/m.svg" time | grep -c '^[0-9][0-9]:[0-9][0-9]$')" -ge 3
# A closed market takes no room: over two sessions of minutes (a lunch
# break and a night), the equity's points are evenly spaced.
head -481 "$T_TMP/pred.csv" >"$T_TMP/two.csv"
backtest --svg "$T_TMP/two.svg" "$T_TMP/two.csv" >/dev/null 2>&1
check breaks-even /usr/bin/python3 - "$T_TMP/two.svg" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
pts = re.search(r'<polyline class="eq" points="([^"]*)"', s).group(1).split()
x = [float(p.split(",")[0]) for p in pts]
d = [b - a for a, b in zip(x, x[1:])]
assert len(x) >= 100 and max(d) - min(d) <= 0.11, (len(x), min(d), max(d))
EOF
# ... and the three closures (lunch, night, lunch) are marked.
check breaks-marked test "$(grep -o 'class="brk" d="[^"]*"' "$T_TMP/two.svg" | grep -o M | grep -c .)" = 3
check breaks-dated grep -q '<text [^>]*>06-17</text>' "$T_TMP/two.svg"
# Labels outside the plot: every value label left of its frame.
check labels-left /usr/bin/python3 - "$T_TMP/p.svg" <<'EOF'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
r = ET.parse(sys.argv[1]).getroot()
frames = [f for f in r.iter(ns + "rect") if f.get("class") == "frame"]
n = 0
for g in r.iter(ns + "g"):
    if g.get("class") != "axis" or g.get("id") in (None, "ax-time", "ax-none"):
        continue
    lines = [l for l in g.iter(ns + "line")]
    for t in g.iter(ns + "text"):
        x, y = float(t.get("x")), float(t.get("y"))
        inside = [f for f in frames if float(f.get("x")) <= x <=
                  float(f.get("x")) + float(f.get("width")) and
                  float(f.get("y")) <= y - 4 <= float(f.get("y")) + float(f.get("height"))]
        assert not inside, (g.get("id"), t.text, x, y)
        n += 1
assert n >= 12, n
EOF
# Title: the input's name and the model; a legend; buy and hold drawn.
check title-input grep -q "backtest: $T_TMP/pred.csv, model generation 7" "$T_TMP/p.svg"
check legend grep -q '<g class="lg">' "$T_TMP/p.svg"
check bh-drawn grep -q '<polyline class="bh" points="[0-9]' "$T_TMP/p.svg"
check ghost-next grep -q 'class="ghostnext"' "$T_TMP/p.svg"
check tail-pane grep -q 'id="ax-price-last"' "$T_TMP/p.svg"
check elements test "$(xmllint --xpath 'count(//*)' "$T_TMP/p.svg")" -le 20000
sed 's/,7$/,7,abc123/; 1s/$/,model_id/' "$T_TMP/pred.csv" >"$T_TMP/id.csv"
backtest --svg "$T_TMP/id.svg" "$T_TMP/id.csv" >/dev/null 2>&1
check title-id grep -q "id.csv, model abc123 generation 7<" "$T_TMP/id.svg"

# Without predictions: a chart of candles, pivots and volume only.
expect plain 0 "backtest --svg $T_TMP/plain.svg $T_TMP/plain.csv >/dev/null 2>&1"
check plain-xml xmllint --noout "$T_TMP/plain.svg"
check plain-pivots grep -q 'class="ph" d="M[0-9]' "$T_TMP/plain.svg"
check plain-volume grep -q 'class="vup" d="M[0-9]' "$T_TMP/plain.svg"
check plain-noequity test -z "$(grep 'id="ax-equity"' "$T_TMP/plain.svg")"
expect plain-needs-chart 65 "backtest $T_TMP/plain.csv"

# Without the library: a clear message, status 1, no page.
CANDLEKIT_SHARE=$T_TMP/none
export CANDLEKIT_SHARE
expect html-nolib 1 "backtest --html $T_TMP/no.html $T_TMP/pred.csv"
errhas html-nolib-msg "make deps"
check html-nolib-nofile test -z "$(ls -A "$T_TMP" | grep 'no\.html')"
unset CANDLEKIT_SHARE
expect svg-every-needs 2 "backtest --svg-every 3 $T_TMP/pred.csv"

if [ ! -f share/candlekit/lightweight-charts.js ]; then
	echo "chart.sh: share/candlekit/lightweight-charts.js missing (make deps): the HTML report is not tested"
	t_done
	exit
fi
# The HTML report: one file, nothing fetched, the library and its licence.
backtest --html "$T_TMP/p.html" "$T_TMP/pred.csv" >/dev/null 2>&1
check html-status test $? = 0
check html-notmp test -z "$(ls -A "$T_TMP" | grep '^\.p\.html\.')"
h=$T_TMP/p.html
check html-end test "$(tail -1 "$h")" = "</html>"
check html-licence grep -q '@license' "$h"
check html-lwc grep -q 'TradingView Lightweight Charts' "$h"
check html-csp grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$h"
check html-nosrc test -z "$(grep -Eio '(src|href) *= *["'\'']?[a-z]+:' "$h")"
# The summary table's data is backtest's own JSON summary.
check html-summary /usr/bin/python3 - "$h" "$T_TMP/p.json" <<'EOF'
import json, re, sys
page = open(sys.argv[1]).read()
m = re.search(r'<script type="application/json" id="ck-summary">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
m = re.search(r'<script type="application/json" id="ck-data">(.*?)</script>', page, re.S)
c = json.loads(m.group(1))
assert d == json.load(open(sys.argv[2]))
assert d["candles"] == c["candles"] == 16080 and len(c["t"]) == 16080
assert c["trades_total"] == d["trades"] == len(c["trades"])
assert c["next"] is not None and c["full"]
EOF
# A hostile input name: escaped in the page's text and in its JSON.
mkdir -p "$T_TMP/</script><b>&x"
cp "$T_TMP/day1.csv" "$T_TMP/</script><b>&x/\"q'.csv"
hname="$T_TMP/</script><b>&x/\"q'.csv"
backtest --html "$T_TMP/hostile.html" --json "$T_TMP/hostile.json" \
    --svg "$T_TMP/hostile.svg" "$hname" >/dev/null 2>&1
check hostile-status test $? = 0
check hostile-svg xmllint --noout "$T_TMP/hostile.svg"
check hostile-escaped /usr/bin/python3 - "$T_TMP/hostile.html" "$T_TMP/hostile.json" "$hname" <<'EOF'
import json, re, sys
page = open(sys.argv[1]).read()
assert page.count("</script>") == page.count("<script") == 4, page.count("</script>")
assert "<b>&x" not in page and "&x/\"q" not in page
m = re.search(r'<script type="application/json" id="ck-summary">(.*?)</script>', page, re.S)
d = json.loads(m.group(1))
assert d == json.load(open(sys.argv[2]))
assert d["settings"]["input"] == sys.argv[3], (d["settings"]["input"], sys.argv[3])
t = re.search(r"<title>(.*?)</title>", page).group(1)
assert "&lt;/script&gt;&lt;b&gt;&amp;x/&quot;q'.csv" in t, t
EOF

# --live --html --svg-every 1: the page is whole whenever a reader looks.
head -301 "$T_TMP/pred.csv" >"$T_TMP/live.csv"
backtest --live --html "$T_TMP/live.html" --svg-every 1 "$T_TMP/live.csv" \
    >/dev/null 2>&1 &
bpid=$!
bad=0 seen=0
while kill -0 $bpid 2>/dev/null; do
	if [ -f "$T_TMP/live.html" ]; then
		seen=$((seen + 1))
		[ "$(tail -c 8 "$T_TMP/live.html")" = "</html>" ] || bad=$((bad + 1))
	fi
done
wait $bpid
check live-status test $? = 0
check live-whole test $bad = 0
check live-final grep -q '"candles":300,' "$T_TMP/live.html"
check live-notmp test -z "$(ls -A "$T_TMP" | grep '^\.live\.html\.')"

# In a browser (headless Chromium, through the DevTools protocol).
browser=$(command -v chromium || command -v chromium-browser)
if [ -z "$browser" ]; then
	echo "chart.sh: chromium not installed: the browser checks are skipped"
else
	backtest --html "$T_TMP/plain.html" "$T_TMP/plain.csv" >/dev/null 2>&1
	for page in p plain; do
		/usr/bin/python3 tests/chart-cdp.py "$browser" \
		    "$T_TMP/$page.html" 2 >"$T_TMP/cdp" 2>&1
		check "browser-$page-loaded" test $? = 0
		check "browser-$page-noconsole" test -z "$(grep -E '^(console|exception)' "$T_TMP/cdp")"
		check "browser-$page-norequest" test "$(grep '^request' "$T_TMP/cdp")" = \
		    "request file://$T_TMP/$page.html"
		check "browser-$page-ready" grep -q '^body ready=1$' "$T_TMP/cdp"
		check "browser-$page-canvases" awk -F= '
		    /^body canvases=/ { c = $2 } /^body painted=/ { p = $2 }
		    END { exit !(c >= 4 && p >= 4) }' "$T_TMP/cdp"
		check "browser-$page-tooltip" grep -q '^tip 20[0-9-]* [0-9:]* | O [0-9.]* H [0-9.]* L [0-9.]* C [0-9.]* | V [0-9]' "$T_TMP/cdp"
		cp "$T_TMP/cdp" "$T_TMP/cdp-$page"
	done
	check browser-tooltip-prediction grep -q '^tip .* | prediction [A-Z]* (60.0%) | next candle O ' "$T_TMP/cdp-p"
	check browser-tooltip-plain test -z "$(grep '^tip .*prediction' "$T_TMP/cdp-plain")"
	[ "$T_FAIL" -eq 0 ] || cat "$T_TMP/cdp-p" "$T_TMP/cdp-plain" >&2
fi
t_done
