#!/bin/sh
# tests/sh/examples.sh - every documented example runs as written (issue 19,
# 15): the README's Examples, its six modes, its cron and live scripts, and
# the EXAMPLES of every man page, on the bundled data, each under bash with
# pipefail, so that a failure anywhere in a pipeline counts.  (README: the
# sections "The first pipeline", "Examples", "The six modes" and the scripts
# of "Running from cron".)
#
# The substitutions, and nothing else (README, "Examples"):
#   f.csv, f.csv.gz, BTCUSDT-1m.csv, ETHUSDT-1m.csv, prices.csv.gz   the
#       bundled 1-minute bars as they are (a raw file: a timestamp column,
#       gzip) but for one thing:
#       every fifth bar only (3,216 candles over the same dates), so that
#       the examples that train on every candle take seconds, not minutes;
#       tests/data/hqchart_600000sh_1m.csv.gz is that file too;
#   candles.csv, today.csv                       the same bars as a candle
#       stream (candle-feed's output);
#   EURUSD_H1.csv                                those bars without the zone
#       (naive times);  kurse.csv                the bundled daily bars with
#       dates as 19.08.2004;  jan.csv, feb.csv   the first and the last 60%
#       of the bars (they overlap);
#   NAME.ckpt                                    a small trained model, when
#       the example uses one it does not create (with --new) itself;
#   -f, --follow                                 --last 300 (or dropped where
#       --last is given): a live pipeline's last candles, and the file's end
#       ends it;  --replay N                     --replay 0;
#   /srv/candles, /var/log/                      the example's directory;
#   date -u -d '20 days ago' +%F                 20 days before the data's end.
# The examples of one page (or of the README) run in order in one directory,
# as a reader would type them.  Not run: `make` lines (tests/sh/sweep.sh runs
# those targets), tests/chart-png.sh (a browser: make chart-png), data
# samples (a block starting "time,"), crontab lines.
# A block starting "import" is Python and runs with python3.
# The examples run in /dev/shm when there is one: their trainers fsync the
# checkpoint at every step, thousands of times, which takes minutes on a disk.
. "$(dirname "$0")/../lib.sh"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	T=$(mktemp -d /dev/shm/ck-examples.XXXXXX) || exit 1
	trap 'rm -rf "$T_TMP" "$T"' EXIT
else
	T=$T_TMP
fi
command -v bash >/dev/null || { echo "SKIP examples.sh: no bash"; t_done; exit; }

# --- the examples, one file each: NNN.PAGE.sh -----------------------------
mkdir -p "$T/ex"
# README: tab-indented runs under a "# ..." comment (Examples), the pipeline
# column of the six modes table, and the two scripts of "Running from cron"
awk -v dir="$T/ex" '
function flush() { if (cmd != "") { n++; f = sprintf("%s/%03d.README.sh", dir, n)
	printf "%s", cmd > f; close(f) } cmd = "" }
/^-+$/ { sec = prev; flush(); next }
{ prev = $0 }
sec == "Examples" || sec ~ /^The first pipeline/ {
	if ($0 ~ /^\t#/ || $0 !~ /^\t/) { flush(); next }
	sub(/^\t/, ""); cmd = cmd $0 "\n"; next
}
sec == "The six modes" && /^\t-+  -+/ {
	# the columns from the dashes under the header
	s = index($0, "  -") + 2; w = index(substr($0, s), "  ") - 1; tab = 1; next
}
sec == "The six modes" && tab {
	if ($0 !~ /^\t/) { flush(); tab = 0; next }
	p = substr($0, s, w); sub(/ +$/, "", p)
	if (p ~ /^ +\|/) { sub(/^ +/, "", p); cmd = substr(cmd, 1, length(cmd) - 1) " " p "\n" }
	else if (p != "") { flush(); cmd = p "\n" }
	next
}
sec == "Running from cron" {
	if ($0 ~ /^\t#!\/bin\/sh/) { flush(); script = 1 }
	if (script && $0 !~ /^\t/) { flush(); script = 0 }
	if (script) { sub(/^\t/, ""); cmd = cmd $0 "\n" }
	next
}
END { flush() }' README

# man pages: each .Bd -literal block and each .Dl line of EXAMPLES
for m in man/*.[1-9]; do
	awk -v dir="$T/ex" -v page="$(basename "$m")" -v n0=0 '
	function flush() { if (cmd != "") { n++; f = sprintf("%s/%03d.%s.sh", dir, n, page)
		printf "%s", cmd > f; close(f) } cmd = "" }
	function clean(s) { sub(/^\$ /, "", s); gsub(/\\e/, "\\", s); return s }
	/^\.Sh EXAMPLES/ { ex = 1; next }
	/^\.Sh / { ex = 0 }
	!ex { next }
	/^\.Bd -literal/ { lit = 1; next }
	/^\.Ed/ { lit = 0; flush(); next }
	lit { cmd = cmd clean($0) "\n"; next }
	/^\.Dl / { sub(/^\.Dl /, ""); cmd = clean($0) "\n"; flush() }' "$m"
done

# --- the data and a model --------------------------------------------------
mkdir -p "$T/data/tests/data"
zcat "$DATA" | awk 'NR == 1 || NR % 5 == 2' | gzip -n >"$T/data/tests/data/$(basename "$DATA")"
cp tests/data/mpl_goog_1d.csv.gz "$T/data/tests/data/"
for f in tests/*; do	# the rest of tests/ as it is (tests/chart-png.sh)
	[ "$f" = tests/data ] || ln -s "$top/$f" "$T/data/$f"
done
DATA=$T/data/tests/data/$(basename "$DATA")
last=$(zcat "$DATA" | tail -n 1 | cut -c1-10)
ago=$(date -u -d "$last - 20 days" +%F)
candle-feed "$DATA" >"$T/stream.csv"
train-batch -m "$T/model.ckpt" --new --seed 1 --window 8 --dim 8 --layers 1 \
    --heads 2 --labels every --epochs 1 "$T/stream.csv" >/dev/null 2>&1
check model-made [ -s "$T/model.ckpt" ]

# prepare DIR EXAMPLE: the files the example names, by the rules above
prepare() {
	for f in f.csv f.csv.gz BTCUSDT-1m.csv ETHUSDT-1m.csv prices.csv.gz; do
		[ -e "$1/$f" ] || cp "$DATA" "$1/$f"
	done
	for f in candles.csv today.csv; do
		[ -e "$1/$f" ] || cp "$T/stream.csv" "$1/$f"
	done
	[ -e "$1/EURUSD_H1.csv" ] || zcat "$DATA" | sed 's/Z,/,/' >"$1/EURUSD_H1.csv"
	[ -e "$1/kurse.csv" ] || zcat "$T/data/tests/data/mpl_goog_1d.csv.gz" |
	    sed 's/^\([0-9]*\)-\([0-9]*\)-\([0-9]*\)T[^,]*,/\3.\2.\1,/' >"$1/kurse.csv"
	n=$(zcat "$DATA" | wc -l)
	[ -e "$1/jan.csv" ] || zcat "$DATA" | head -n $((n * 6 / 10)) >"$1/jan.csv"
	[ -e "$1/feb.csv" ] || zcat "$DATA" | { head -n 1; tail -n $((n * 6 / 10)); } >"$1/feb.csv"
	[ -e "$1/tests" ] || ln -s "$T/data/tests" "$1/tests"
	for c in $(grep -oE '[A-Za-z0-9_.-]+\.ckpt' "$2" | sort -u); do
		if grep -qE -- "-m $c .*--new|--new.* -m $c" "$2"; then
			rm -f "$1/$c"
		elif [ ! -e "$1/$c" ]; then
			cp "$T/model.ckpt" "$1/$c"
		fi
	done
}
# the example as run: the substitutions of the header
subst() {
	sed -e '/--last/s/ --follow\( \|$\)/\1/g' -e '/--last/s/candle-feed -f /candle-feed /' \
	    -e 's/ --follow\( \|$\)/ --last 300\1/g' -e 's/candle-feed -f /candle-feed --last 300 /' \
	    -e 's/--replay [0-9.]*/--replay 0/g' \
	    -e "s|/srv/candles|$1|g" -e "s|/var/log/|$1/|g" \
	    -e "s|\$(date -u -d '20 days ago' +%F)|$ago|g" "$2"
}

nex=0
for e in "$T"/ex/*.sh; do
	name=$(basename "$e" .sh)
	page=${name#*.}
	first=$(sed -n '1p' "$e")
	case $first in
	time,*|make\ *|*\ make\ *)	continue ;;
	esac
	grep -q '^make ' "$e" && continue
	grep -q 'chart-png.sh' "$e" && continue	# a browser: make chart-png
	mkdir -p "$T/run/$page"
	prepare "$T/run/$page" "$e"
	t0=$(date +%s)
	nex=$((nex + 1))
	# what the machine may lack: make deps installs it
	if grep -q -- '--html' "$e" && ! ls "$top"/share/candlekit/*.js \
	    /usr/local/share/candlekit/*.js /usr/share/candlekit/*.js >/dev/null 2>&1; then
		echo "SKIP $name: backtest --html needs its charting library (make deps)"
		nex=$((nex - 1))
		continue
	fi
	case $first in
	import*numpy*)
		if ! python3 -c 'import numpy' 2>/dev/null; then
			echo "SKIP $name: no numpy (make deps)"
			nex=$((nex - 1))
			continue
		fi
		subst "$T/run/$page" "$e" >"$T/run/$name.py"
		expect "$name" 0 "cd $T/run/$page && python3 $T/run/$name.py" ;;
	'#!'*)	# a script: its own interpreter and settings
		subst "$T/run/$page" "$e" >"$T/run/$name.sh"
		expect "$name" 0 "cd $T/run/$page && ${first#??} $T/run/$name.sh >$T/run/$name.out" ;;
	*)
		subst "$T/run/$page" "$e" >"$T/run/$name.sh"
		expect "$name" 0 "cd $T/run/$page && bash -o pipefail $T/run/$name.sh >$T/run/$name.out" ;;
	esac
	echo "$name: $(($(date +%s) - t0)) s" >&2
done
check "examples-run" [ "$nex" -ge 30 ]
echo "# $nex examples run" >&2

t_done
