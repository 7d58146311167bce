#!/bin/sh
# tests/sh/layers.sh - the library stack (README "Layout"): each library in
# lib/ uses only itself, the libraries below it that the Makefile lets it use
# (make layers), the C library, libm, pthread, libcsv, zlib and OpenBLAS; a
# deliberate upward call does not link; no file in lib/ names a program or
# one of its options, never prints, never exits.
. "$(dirname "$0")/../lib.sh"

CC=${CC:-cc}
S=$T_TMP/sym
mkdir -p "$S"

# Symbols the system libraries a program links define (from bin/infer's
# dynamic dependencies and libgcc); sanitizer and profiling hooks of
# instrumented builds are not calls between our libraries.
{
	ldd bin/infer bin/train-batch | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
	    $1 ~ /^\// { print $1 }' | sort -u | while read -r so; do
		nm -D --defined-only "$so" 2>/dev/null
	done
	nm --defined-only "$($CC -print-libgcc-file-name)" 2>/dev/null
} | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$S/system"
check "system symbols found" test "$(wc -l <"$S/system")" -gt 1000

# make's own lines dropped: under a parent make run with -j, a make started
# here still says which directory it enters, whatever its options (the
# parent's variables, an instrumented build's, are kept)
nomake() {
	grep -v '^make\(\[[0-9]*\]\)*: '
}
make -s --no-print-directory layers >"$S/layers.out" || fail "make layers"
nomake <"$S/layers.out" >"$S/layers"
libs=$(cut -d: -f1 "$S/layers")
for l in $libs; do
	objs=$(ls lib/"$l"/*.c 2>/dev/null | sed 's/\.c$/.o/')
	[ -n "$objs" ] || { : >"$S/def.$l"; : >"$S/undef.$l"; continue; }
	nm --defined-only $objs | awk 'NF == 3 && $2 ~ /[A-Zi]/ { print $3 }' |
	    sort -u >"$S/def.$l"
	nm -u $objs | awk '$1 == "U" { print $2 }' | sort -u >"$S/undef.$l"
done
for l in $libs; do
	deps=$(grep "^$l:" "$S/layers" | cut -d: -f2)
	for d in $l $deps; do cat "$S/def.$d"; done | cat - "$S/system" |
	    sort -u >"$S/allow"
	comm -23 "$S/undef.$l" "$S/allow" |
	    grep -v '^_GLOBAL_OFFSET_TABLE_$' |
	    grep -v '^__\(asan\|ubsan\|sanitizer\|lsan\|msan\|tsan\|gcov\|llvm\)' \
	    >"$S/bad.$l"
	if [ -s "$S/bad.$l" ]; then
		while read -r sym; do
			from=$(for o in $libs; do
				grep -qx "$sym" "$S/def.$o" && echo "lib/$o"; done)
			fail "lib/$l uses $sym (${from:-defined nowhere}), but may use only: $l $deps"
		done <"$S/bad.$l"
	else
		pass
	fi
done

# lib/ never prints and never exits: no reference to the standard streams,
# to exit or abort, or to err(3)/warn(3) and the printf family on stdout.
for l in $libs; do
	grep -xE 'exit|_exit|_Exit|abort|err|errx|warn|warnx|verr|verrx|vwarn|vwarnx|printf|vprintf|puts|putchar|perror|stdout|stderr' \
	    "$S/undef.$l" >"$S/prints.$l"
	if [ -s "$S/prints.$l" ]; then
		fail "lib/$l prints or exits: $(tr '\n' ' ' <"$S/prints.$l")"
	else
		pass
	fi
done

# A deliberate upward call: the model library calling into the training
# library above it.  The stack's link order makes it fail to link; the same
# link with the untouched library is the control.
U=$T_TMP/up
mkdir -p "$U"
cp lib/model/libmodel.a "$U/libmodel.a"
cat lib/model/model.c >"$U/model.c"
cat >>"$U/model.c" <<'EOC'

struct accum;
void	accum_free(struct accum *);
void	model_upward_call(struct accum *);

void
model_upward_call(struct accum *a)
{
	accum_free(a);
}
EOC
link=$(make -s -n --no-print-directory -W cmd/infer.c bin/infer |
    nomake | grep -v '^mkdir' |
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta')
check "link command found" test -n "$link"
$CC -std=c11 -iquote lib/model -iquote lib/core $(pkg-config --cflags openblas 2>/dev/null) \
    -D_GNU_SOURCE -c -o "$U/model.o" "$U/model.c" 2>"$U/cc.err" ||
    fail "scratch model.c does not compile: $(head -3 "$U/cc.err")"
(cd "$U" && ar r libmodel.a model.o) 2>/dev/null
ctl=$(echo "$link" | sed "s|-o bin/infer|-o $U/infer.ctl|")
if sh -c "$ctl" 2>"$U/ctl.err"; then pass; else
	fail "control link fails: $(head -3 "$U/ctl.err")"; fi
up=$(echo "$link" | sed "s|-o bin/infer|-o $U/infer.up|; s|lib/model/libmodel.a|$U/libmodel.a|")
if sh -c "$up" 2>"$U/up.err"; then
	fail "an upward call from lib/model to lib/train linked"
else
	check "the upward call is the link error" grep -q "undefined reference to .accum_free" "$U/up.err"
fi

# lib/ never names a program, its manual page, or one of its long options
# (from the programs' option tables): in code, strings or comments.  The
# words "pivots" and "backtest" alone are concepts lib/market implements.
opts=$(sed -n 's/^[[:space:]]*{ "\([a-z][a-z0-9-]*\)", [a-z_]*_argument.*/\1/p' cmd/*.c cmd/*/*.c 2>/dev/null |
    sort -u | tr '\n' '|' | sed 's/|$//')
progs='candle-feed|pivots|infer|train-candle|train-batch|backtest'
grep -rnE --include='*.[ch]' -- \
    "candle-feed|train-candle|train-batch|\binfer\b|\b($progs)\([1-8]\)|--($opts)\b" \
    lib >"$T_TMP/names"
check "option names found" test -n "$opts"
if [ -s "$T_TMP/names" ]; then
	fail "lib/ names programs or options:"
	head -40 "$T_TMP/names" >&2
else
	pass
fi

t_done
