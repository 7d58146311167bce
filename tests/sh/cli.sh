#!/bin/sh
# tests/sh/cli.sh - the command line as a new user meets it (issue 19, 14).
# For every program: -h is --help; --help lists every option with its
# default (or says it is required); every option of the man page's
# SYNOPSIS is in that list and every option of the list but help and
# version is in the SYNOPSIS; every option the list names is documented in
# the page, and every option the page's lists (.It Fl) name is in it; every
# long option and short option letter the source accepts is in it.  Then
# the messages: a missing -m, a file train-batch would overwrite or would
# have to create, a raw file where a candle stream is wanted, --label in
# lower case, an --at time between candles.
. "$(dirname "$0")/../lib.sh"
T=$T_TMP

# the options named in text on stdin, one a line, sorted
# (a bundle of short options such as -hV is split)
opts() {
	grep -oE '(^|[][ |{,(])--?[A-Za-z][-A-Za-z]*' | sed 's/^[][ |{,(]//' |
	    awk '/^-[A-Za-z][A-Za-z]+$/ { for (i = 2; i <= length($0); i++)
		print "-" substr($0, i, 1); next } { print }' | sort -u
}
# the first column of --help's option list (the lines after "options:")
helpcol() { sed -n '/^options:$/,$p' | sed -n 's/^  \(-[^ ].*\)$/\1/p' | sed 's/  .*//'; }
# whole entries of the list, continuation lines joined
entries() {
	sed -n '/^options:$/,$p' | sed 1d | awk '
	    /^  -/ { if (e != "") print e; e = $0; next }
	    { sub(/^ +/, " "); e = e $0 }
	    END { if (e != "") print e }'
}
# the rendered SYNOPSIS of a page
synopsis() {
	mandoc -Tascii "$1" | col -b |
	    awk '/^SYNOPSIS/ { f = 1; next } /^[A-Z]/ { f = 0 } f'
}
# options a page's source names with Fl after SYNOPSIS, or in .It lines only
manopts() {
	sed -n '/^\.Sh DESCRIPTION/,$p' "$1" | grep -E "${2:-.}" |
	    sed 's/\\-/-/g' | grep -oE 'Fl -?-?[A-Za-z][-A-Za-z]*' |
	    sed 's/^Fl /-/' | sort -u
}
# long options and short letters the source gives getopt
srcopts() {
	grep -oE '\{ *"[a-z][-a-z]*", *(no|required|optional)_argument' "$1" |
	    sed 's/^{ *"\([^"]*\)".*/--\1/'
	grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$1" |
	    sed 's/.*"\(.*\)"/\1/' | tr -d ':' | fold -w1 | sed 's/^/-/'
}

nprog=0
for p in candle-feed pivots infer train-candle train-batch backtest; do
	nprog=$((nprog + 1))
	expect "$p-help" 0 "$p --help"
	cp "$T/out" "$T/help"
	expect "$p-h" 0 "$p -h"
	check "$p-h-is-help" cmp -s "$T/out" "$T/help"
	helpcol <"$T/help" | opts >"$T/list"
	check "$p-list" [ "$(wc -l <"$T/list")" -ge 4 ]
	# SYNOPSIS options are in the list, and the list's in the SYNOPSIS
	synopsis "man/$p.1" | opts >"$T/syn"
	comm -23 "$T/syn" "$T/list" >"$T/d"
	check "$p-synopsis-in-help" [ ! -s "$T/d" ]
	sed 's/^/	synopsis, not --help: /' "$T/d" >&2
	# (an entry such as "-f, --follow" is there when one of its names is)
	helpcol <"$T/help" | grep -vE -- '^(-h, --help|-V, --version|--version)$' |
	    while read -r e; do
		echo "$e" | opts | comm -12 - "$T/syn" | grep -q . || echo "$e"
	    done >"$T/d"
	check "$p-help-in-synopsis" [ ! -s "$T/d" ]
	sed 's/^/	--help, not synopsis: /' "$T/d" >&2
	# documented in the page; the page's option lists all in --help
	manopts "man/$p.1" >"$T/man"
	comm -23 "$T/list" "$T/man" >"$T/d"
	check "$p-help-documented" [ ! -s "$T/d" ]
	sed 's/^/	--help, not in the page: /' "$T/d" >&2
	manopts "man/$p.1" '^\.It Fl' | comm -23 - "$T/list" >"$T/d"
	check "$p-page-items-in-help" [ ! -s "$T/d" ]
	sed 's/^/	page item, not --help: /' "$T/d" >&2
	# what the source accepts
	srcopts "cmd/$p.c" | sort -u | comm -23 - "$T/list" >"$T/d"
	check "$p-source-in-help" [ ! -s "$T/d" ]
	sed 's/^/	accepted, not in --help: /' "$T/d" >&2
	# every entry says its default, or that it is required
	entries <"$T/help" | grep -vE '^  (-h, --help|-V, --version|--version|--info) ' |
	    grep -vE 'default|required' >"$T/d"
	check "$p-defaults" [ ! -s "$T/d" ]
	sed 's/^/	no default: /' "$T/d" >&2
	# a usage error prints the usage alone, not the list
	expect "$p-usage-short" 2 "$p --no-such-option"
	check "$p-usage-no-list" [ "$(grep -c '^options:' "$T/err")" -eq 0 ]
done
check programs [ "$nprog" -eq 6 ]

# --- messages --------------------------------------------------------------
candle-feed "$DATA" | head -n 400 >"$T/c.csv"
TINY="--window 8 --dim 8 --layers 1 --heads 2"
for c in "infer $T/c.csv" "train-candle --on none $T/c.csv" \
    "train-batch --labels every $T/c.csv"; do
	expect "no-m-${c%% *}" 2 "$c"
	check "no-m-${c%% *}-first" [ "$(head -n 1 "$T/err")" = "${c%% *}: -m model is required" ]
done
expect new-missing 1 "train-batch -m $T/m.ckpt --labels every $T/c.csv"
errhas new-missing-msg "add --new to create it"
check new-missing-none [ ! -e "$T/m.ckpt" ]
expect new 0 "train-batch -m $T/m.ckpt --new $TINY --epochs 1 --labels every $T/c.csv"
cp "$T/m.ckpt" "$T/m.copy"
expect overwrite 1 "train-batch -m $T/m.ckpt --new $TINY --epochs 1 --labels every $T/c.csv"
errhas overwrite-msg "add --force to replace it"
check overwrite-untouched cmp -s "$T/m.ckpt" "$T/m.copy"
# raw files: the bundled data has a timestamp column
for c in pivots "infer -m $T/m.ckpt" "train-batch -m $T/m.ckpt --labels every" \
    backtest "train-candle -m $T/m.ckpt --on none"; do
	expect "raw-${c%% *}" 65 "$c $DATA"
	errhas "raw-${c%% *}-msg" "put candle-feed in front (candle-feed FILE |"
done
# --label in any case
expect label-lower 0 "train-candle -m $T/m.ckpt --label buy $T/c.csv"
check label-lower-buy grep -q ',BUY,' "$T/out"
expect label-mixed 0 "train-candle -m $T/m.ckpt --label Sell $T/c.csv"
expect label-bad 2 "train-candle -m $T/m.ckpt --label buyy $T/c.csv"
# --at between two candles names the earlier one
t1=$(sed -n '300p' "$T/c.csv" | cut -d, -f1)
t2=$(sed -n '301p' "$T/c.csv" | cut -d, -f1)
mid=$(echo "$t1" | sed 's/:00Z$/:30Z/')
check at-mid-between [ "$mid" != "$t1" ] && [ "$(printf '%s\n%s\n%s\n' "$t1" "$mid" "$t2" | sort | sed -n 2p)" = "$mid" ]
expect at-mid 65 "train-candle -m $T/m.ckpt --label BUY --at $mid $T/c.csv"
errhas at-mid-msg "the nearest earlier one is at $t1"
expect at-exact 0 "train-candle -m $T/m.ckpt --label BUY --at $t1 $T/c.csv"

t_done
