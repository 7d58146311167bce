#!/bin/sh
# tests/chart-png.sh - render a backtest chart (SVG) or report (HTML) to a
# PNG with headless Chromium (Debian: chromium), and check that the
# picture is not blank.
# Usage: sh tests/chart-png.sh [-s WIDTHxHEIGHT] FILE.svg|FILE.html OUT.png
#        sh tests/chart-png.sh			(make chart-png)
# The second form charts the bundled minute data with synthetic
# predictions into tests/tmp/chart.svg and tests/tmp/chart.html and
# renders both to tests/tmp/chart-svg.png and tests/tmp/chart-html.png.
# An SVG is shot at its own size; an HTML page at 1400x1100 unless -s.
set -u
cd "$(dirname "$0")/.." || exit 1
size=
if [ "${1:-}" = -s ]; then
	size=${2:?}
	shift 2
fi
browser=$(command -v chromium || command -v chromium-browser) || {
	echo "chart-png: chromium not found (apt-get install chromium)" >&2
	exit 1
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-chart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# shot IN OUT: one screenshot
shot() {
	in=$1 out=$2
	case $in in /*) abs=$in ;; *) abs=$(pwd)/$in ;; esac
	case $in in
	*.svg)
		xmllint --noout "$in" || return 1
		w=$(xmllint --xpath 'string(/*/@width)' "$in")
		h=$(xmllint --xpath 'string(/*/@height)' "$in")
		wh=${size:-$w,$h} ;;
	*)	wh=${size:-1400,1100} ;;
	esac
	wh=$(echo "$wh" | tr x ,)
	rm -f "$out"
	prof=$(mktemp -d "$tmp/profile.XXXXXX") || return 1
	# A fresh profile, no network of its own, a few seconds of virtual
	# time for the page's script to draw.
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$prof" \
	    --hide-scrollbars --window-size="$wh" --virtual-time-budget=5000 \
	    --screenshot="$out" "file://$abs" >"$tmp/log" 2>&1
	if [ ! -s "$out" ]; then
		echo "chart-png: no screenshot of $in" >&2
		tail -5 "$tmp/log" >&2
		return 1
	fi
	# Not blank: many colours, a fair share of pixels off the background.
	/usr/bin/python3 - "$out" <<'EOF'
import sys
from collections import Counter
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
count = Counter(im.getdata())
bg, nbg = count.most_common(1)[0]
off = 1 - nbg / (w * h)
print("chart-png: %s %dx%d, %.1f%% non-background, %d colours"
      % (sys.argv[1], w, h, 100 * off, len(count)))
sys.exit(0 if off > 0.02 and len(count) > 16 else 1)
EOF
}

if [ $# -ge 2 ]; then
	shot "$1" "$2"
	exit
fi
if [ $# -eq 1 ]; then
	echo "usage: sh tests/chart-png.sh [-s WxH] FILE.svg|FILE.html OUT.png" >&2
	exit 2
fi
mkdir -p tests/tmp
# Synthetic predictions on the bundled data: a signal now and then, a
# ghost candle a little off the close, a pivot column from pivots(1).
bin/candle-feed tests/data/hqchart_600000sh_1m.csv.gz | bin/pivots |
awk -F, -v OFS=, '
NR == 1 { print $0, "action,confidence,next_open,next_high,next_low,next_close,model_gen"; next }
{
	a = NR % 97 == 0 ? "BUY" : NR % 131 == 0 ? "SELL" : "HOLD"
	print $0, a, 0.6, $5, $5 * 1.002, $5 * 0.998, $5 * (NR % 3 ? 1.001 : 0.999), 7
}' >"$tmp/pred.csv" || exit 1
bin/backtest --svg tests/tmp/chart.svg --html tests/tmp/chart.html \
    "$tmp/pred.csv" >/dev/null 2>"$tmp/err" || {
	cat "$tmp/err" >&2
	exit 1
}
shot tests/tmp/chart.svg tests/tmp/chart-svg.png &&
    shot tests/tmp/chart.html tests/tmp/chart-html.png
