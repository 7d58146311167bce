#!/bin/sh
# tests/sh/manpages.sh - every program in bin/ against its page man/X.1:
# the SYNOPSIS, rendered, is the usage that begins --help (whitespace and the spaces
# around | normalized), so the two name the same options; the usage on a
# bad option is the same text; --version prints "X VERSION" with the
# Makefile's VERSION; and every page in man/ is clean under
# mandoc -Tlint -W warning.
. "$(dirname "$0")/../lib.sh"
VERSION=$(sed -n 's/^VERSION *= *//p' Makefile)

# one line: whitespace runs to one space, none around |, no "usage:"
norm() { tr -s ' \t\n' '   ' | sed 's/^ *usage: *//; s/ *| */|/g; s/^ //; s/ $//'; }
# the rendered SYNOPSIS section of a page
synopsis() {
	mandoc -Tascii "$1" | col -b |
	    awk '/^SYNOPSIS/ { f = 1; next } /^[A-Z]/ { f = 0 } f' | norm
}
# the options a synopsis names, one a line, sorted
options() { grep -oE '(^|[[ |{])--?[A-Za-z][-A-Za-z]*' | sed 's/^[[ |{]//' | sort -u; }

nprog=0
for p in bin/*; do
	x=$(basename "$p")
	nprog=$((nprog + 1))
	check "$x-page" [ -f "man/$x.1" ]
	[ -f "man/$x.1" ] || continue
	synopsis "man/$x.1" >"$T_TMP/syn"
	# the usage: --help up to its option list (tests/sh/cli.sh checks that)
	"$x" --help 2>/dev/null | sed '/^$/,$d' | norm >"$T_TMP/help"
	check "$x-help-nonempty" [ -s "$T_TMP/help" ]
	check "$x-synopsis-text" cmp -s "$T_TMP/syn" "$T_TMP/help"
	cmp -s "$T_TMP/syn" "$T_TMP/help" ||
	    { echo "man:  $(cat "$T_TMP/syn")"; echo "help: $(cat "$T_TMP/help")"; } >&2
	options <"$T_TMP/syn" >"$T_TMP/synopt"
	options <"$T_TMP/help" >"$T_TMP/helpopt"
	check "$x-synopsis-options" cmp -s "$T_TMP/synopt" "$T_TMP/helpopt"
	diff "$T_TMP/synopt" "$T_TMP/helpopt" | sed 's/^/	/' >&2
	check "$x-some-options" [ "$(wc -l <"$T_TMP/synopt")" -gt 0 ]
	# --help exits 0 on stdout; a bad option gives the same usage, status 2
	expect "$x-help-status" 0 "$x --help >/dev/null"
	expect "$x-bad-option" 2 "$x --no-such-option </dev/null"
	grep -v "^$x: " "$T_TMP/err" | norm >"$T_TMP/bad"
	check "$x-bad-option-usage" cmp -s "$T_TMP/bad" "$T_TMP/help"
	expect "$x-version" 0 "$x --version" "$x $VERSION"
done
check programs [ "$nprog" -ge 6 ]

for m in man/*.[1-9]; do
	expect "lint-$(basename "$m")" 0 "mandoc -Tlint -W warning $m"
	check "lint-$(basename "$m")-quiet" [ ! -s "$T_TMP/out" -a ! -s "$T_TMP/err" ]
done

t_done
