#!/bin/sh
# tests/lint.sh - static analysis of lib/ and cmd/: cppcheck (warning,
# portability, performance) and clang-tidy (checks in .clang-tidy).  Every
# finding fails unless reviewed and listed, with its reason, in
# tests/cppcheck-suppressions.txt or tests/clang-tidy-suppressions.txt.
# Exit 0 clean, 1 findings, 2 a tool missing.  JOBS=N clang-tidy processes
# (default: the number of cores).
cd "$(dirname "$0")/.." || exit 2
for t in cppcheck clang-tidy; do
	command -v $t >/dev/null || { echo "lint: $t not installed (make deps)" >&2; exit 2; }
done
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
DEFS="-D_GNU_SOURCE -DVERSION=\"lint\""
SRC=$(ls lib/*/*.c cmd/*.c cmd/*/*.c 2>/dev/null)
INC=$(for d in lib/*/ cmd/*/; do printf -- "-iquote %s " "${d%/}"; done)
export INC
T=$(mktemp -d "${TMPDIR:-/tmp}/ck-lint.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
status=0

echo "cppcheck: $(echo "$SRC" | wc -l) files"
cppcheck --std=c11 --enable=warning,portability,performance \
    --error-exitcode=1 --inline-suppr -q \
    --suppressions-list=tests/cppcheck-suppressions.txt \
    $DEFS $(echo "$INC" | sed "s/-iquote/-I/g") $SRC 2>"$T/cppcheck" || status=1
if [ -s "$T/cppcheck" ]; then
	cat "$T/cppcheck"
	status=1
fi

echo "clang-tidy: $(echo "$SRC" | wc -l) files, $JOBS jobs"
# One output file per source, so parallel runs do not interleave.
echo "$SRC" | xargs -P "$JOBS" -I{} sh -c \
    'clang-tidy --quiet "$1" -- -std=c11 $INC -D_GNU_SOURCE "-DVERSION=\"lint\"" \
    $(pkg-config --cflags openblas 2>/dev/null) >"$2/$(echo "$1" | tr / _).tidy" 2>/dev/null; :' \
    sh {} "$T"
# Findings as "file check line", minus the reviewed ones.
cat "$T"/*.tidy 2>/dev/null |
    sed -n "s#^$(pwd)/##; s#^\([^: ]*\):\([0-9]*\):[0-9]*: \(warning\|error\): .*\[\([^],]*\)[^]]*\]\$#\1 \4 \2#p" |
    sort -u >"$T/found"
grep -v '^#' tests/clang-tidy-suppressions.txt | awk 'NF == 2' >"$T/supp"
awk 'NR == FNR { ok[$1 " " $2] = 1; next } !(($1 " " $2) in ok)' \
    "$T/supp" "$T/found" >"$T/left"
# Suppressions that no longer match anything: stale, to be removed.
awk 'NR == FNR { seen[$1 " " $2] = 1; next } !(($1 " " $2) in seen) &&
    system("test -f " $1) == 0' "$T/found" "$T/supp" >"$T/stale"
if [ -s "$T/left" ]; then
	echo "clang-tidy findings (file check line):"
	sed 's/^/	/' "$T/left"
	for f in $(cut -d' ' -f1 "$T/left" | sort -u); do
		grep -h -A3 "^$(pwd)/$f:[0-9]*:[0-9]*: \(warning\|error\)" "$T"/*.tidy | head -40
	done
	status=1
fi
if [ -s "$T/stale" ]; then
	echo "lint: stale entries in tests/clang-tidy-suppressions.txt (no such finding now):"
	sed 's/^/	/' "$T/stale"
fi
[ $status -eq 0 ] && echo "lint: clean ($(wc -l <"$T/found") reviewed clang-tidy findings suppressed)"
exit $status
