# tests/lib.sh - sourced by the shell tests in tests/sh/.
# Table-style cases:
#   expect NAME STATUS 'COMMAND' [EXPECTED-STDOUT]
# runs COMMAND with sh -c in the top directory (bin-test/, then bin/ first on
# PATH), checks its exit status and, when given, its standard output
# (compared exactly).
# Each script ends with t_done, which prints "# N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
# bin-test/ (the programs with the test hook tests/hook.c) before bin/
PATH=$top/bin-test:$top/bin:$PATH
export PATH LC_ALL=C
T_PASS=0
T_FAIL=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ck-test.XXXXXX")
trap 'rm -rf "$T_TMP"' EXIT
DATA=$top/tests/data/hqchart_600000sh_1m.csv.gz

pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $(basename "$0"): $*" >&2; }

# check NAME CONDITION...: a case that passes when the command succeeds
check() {
	n=$1; shift
	if "$@"; then pass; else fail "$n"; fi
}

expect() {
	n=$1 want=$2 cmd=$3
	sh -c "$cmd" >"$T_TMP/out" 2>"$T_TMP/err"
	st=$?
	if [ "$st" != "$want" ]; then
		fail "$n: status $st, want $want: $cmd"
		sed 's/^/	/' "$T_TMP/err" | head -5 >&2
		return
	fi
	if [ $# -ge 4 ]; then
		printf '%s' "$4" >"$T_TMP/want"
		[ -n "$4" ] && echo >>"$T_TMP/want"
		if ! cmp -s "$T_TMP/out" "$T_TMP/want"; then
			fail "$n: output differs: $cmd"
			diff -u "$T_TMP/want" "$T_TMP/out" | head -20 >&2
			return
		fi
	fi
	pass
}

# stderr of the last expect contains TEXT
errhas() {
	if grep -qF -- "$2" "$T_TMP/err"; then pass; else
		fail "$1: stderr lacks '$2'"; sed 's/^/	/' "$T_TMP/err" | head -5 >&2
	fi
}

# sanitized: true in the instrumented build of `make asan`, where the
# learning checks (seconds of training in `make test`, many minutes under
# the sanitizers) train briefly and do not judge accuracy: `make test`
# judges it on the same code.
sanitized() { [ -n "${CK_SANITIZED-}" ]; }

t_done() {
	echo "# $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
}
