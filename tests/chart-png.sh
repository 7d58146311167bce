#!/bin/sh
# tests/chart-png.sh - render a backtest chart with headless Chromium and
# check that the PNG is not blank (not part of make test: Chromium is
# large).  Usage: sh tests/chart-png.sh [chart.svg [out.png]]
# Without a chart, one is made by bin/backtest from the bundled data with
# synthetic actions and ghosts.  Needs Debian's chromium and
# python3-pil (or python3-numpy) for the pixel check.
set -u
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ck-chart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
svg=${1:-}
png=${2:-$tmp/chart.png}
browser=$(command -v chromium || command -v chromium-browser) || {
	echo "chart-png: chromium not found (apt-get install chromium)" >&2
	exit 1
}
if [ -z "$svg" ]; then
	svg=$tmp/chart.svg
	gzip -dc tests/data/hqchart_600000sh_1m.csv.gz | awk -F, '
	NR == 1 { print "time,open,high,low,close,volume,action,confidence," \
	    "next_open,next_high,next_low,next_close"; next }
	NR > 2001 { exit }
	{
		a = NR % 17 == 0 ? "BUY" : NR % 23 == 0 ? "SELL" : "HOLD"
		print $0 "," a ",0.6," $5 "," $5 * 1.002 "," $5 * 0.998 "," $5
	}' | bin/backtest --svg "$svg" >/dev/null 2>&1 || {
		echo "chart-png: bin/backtest failed" >&2
		exit 1
	}
fi
xmllint --noout "$svg" || exit 1
# Chromium wants an absolute file URL; as root it needs --no-sandbox.
case $svg in /*) abs=$svg ;; *) abs=$(pwd)/$svg ;; esac
timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
    --hide-scrollbars --window-size=1200,760 --screenshot="$png" \
    "file://$abs" >"$tmp/log" 2>&1
if [ ! -s "$png" ]; then
	echo "chart-png: no screenshot" >&2
	tail -5 "$tmp/log" >&2
	exit 1
fi
# Not blank: many colours, and a fair share of pixels off the background.
/usr/bin/python3 - "$png" <<'EOF'
import sys
from collections import Counter
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
px = list(im.getdata())
count = Counter(px)
bg, nbg = count.most_common(1)[0]
off = 1 - nbg / len(px)
colours = len(count)
print("chart-png: %s %dx%d, %.1f%% non-background, %d colours"
      % (sys.argv[1], w, h, 100 * off, colours))
sys.exit(0 if off > 0.02 and colours > 16 else 1)
EOF
