# candlekit - small Unix tools that train and run a transformer on market candles.
# Settings users override (make PREFIX=/usr CFLAGS=...):
VERSION = 0.1.0
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
# Where backtest looks for the HTML report's charting library (after
# ../share/candlekit beside the program).
SHAREDIR = $(PREFIX)/share/candlekit
DESTDIR =
CC = cc
AR = ar
CFLAGS = -std=c11 -O2 -g -Wall -Wextra -Wpedantic
LDFLAGS =
BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
BLAS_LIBS = $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
PYTHON = /usr/bin/python3

# Debian packages the build, the tests and the benchmarks need (make deps).
DEPS = build-essential pkg-config libcsv-dev libopenblas-dev zlib1g-dev \
	mandoc libxml2-utils python3 python3-numpy python3-pandas python3-torch \
	clang libclang-rt-14-dev valgrind cppcheck clang-tidy parallel \
	npm chromium

# The libraries, a stack: each uses only those below it (LIBDEPS), and the
# programs link them top first, so that an upward reference does not link
# (tests/sh/layers.sh checks both).  The model's library keeps the name
# libmodel.a.
LIBS = train store model market stream core
LIBDEPS_train = store market model core
LIBDEPS_store = model core
LIBDEPS_model = core
LIBDEPS_market = core
LIBDEPS_stream = core
LIBDEPS_core =
LIBA = $(foreach l,$(LIBS),lib/$(l)/lib$(l).a)

# -iquote: lib/model/features.h must not shadow glibc's <features.h>.
# A library's objects see only its own headers and those of the libraries
# it may use, so an upward #include does not compile either.
INCS = $(foreach l,$(LIBS),-iquote lib/$(l))
$(foreach l,$(LIBS),$(eval lib/$(l)/%.o: INCS = $(foreach d,$(l) $(LIBDEPS_$(l)),-iquote lib/$(d))))
CPPFLAGS = $(INCS) $(BLAS_CFLAGS) -D_GNU_SOURCE -DVERSION=\"$(VERSION)\" \
	-DCK_SHAREDIR=\"$(SHAREDIR)\"
LDLIBS = -lcsv $(BLAS_LIBS) -lz -lpthread -lm

LIBSRC = $(wildcard lib/*/*.c)
LIBOBJ = $(LIBSRC:.c=.o)
HDR = $(wildcard lib/*/*.h)
PROG = $(patsubst cmd/%.c,bin/%,$(wildcard cmd/*.c))
TESTPROG = $(patsubst bin/%,bin-test/%,$(PROG))
UNIT = $(patsubst %.c,%,$(wildcard tests/unit/*.c))
MAN1 = $(wildcard man/*.1)
MAN5 = $(wildcard man/*.5)
MAN7 = $(wildcard man/*.7)

# The HTML report's charting library, TradingView's Lightweight Charts:
# the npm package pinned in vendor/package.json and package-lock.json,
# installed by npm ci into vendor/node_modules (not committed), copied with
# its licence into share/candlekit, where bin/backtest finds it (in
# ../share/candlekit beside the program); make install puts it in SHAREDIR.
LWC = vendor/node_modules/lightweight-charts
LWCJS = $(LWC)/dist/lightweight-charts.standalone.production.js
JSLIB = share/candlekit/lightweight-charts.js
JSDEP = $(if $(wildcard $(LWCJS)),$(JSLIB))

all: $(PROG) $(JSDEP)

$(LIBOBJ): $(HDR)

.c.o:
	$(CC) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

.SECONDEXPANSION:
$(LIBA): $$(patsubst %.c,%.o,$$(wildcard $$(@D)/*.c))
	rm -f $@
	$(AR) rcs $@ $^

# A program: cmd/NAME.c and its own files cmd/NAME/*.c, then the stack.
# The two programs that predict on a live stream share cmd/live/.
SHARE_infer = live
SHARE_train-candle = live
PDIRS = $(foreach d,$(1) $(SHARE_$(1)),cmd/$(d))
bin/%: cmd/%.c $$(foreach d,$$(call PDIRS,$$*),$$(wildcard $$(d)/*.[ch])) $(LIBA) $(HDR)
	mkdir -p bin
	$(CC) $(CFLAGS) $(CPPFLAGS) $(foreach d,$(call PDIRS,$*),-iquote $(d)) \
		$(LDFLAGS) -o $@ cmd/$*.c \
		$(wildcard $(foreach d,$(call PDIRS,$*),$(d)/*.c)) $(LIBA) $(LDLIBS)

# The same program with the test hook tests/hook.c (CANDLEKIT_FAULT,
# CANDLEKIT_LOCK_LOG), which replaces lib/store's no-op: for the tests only
# (tests/lib.sh puts bin-test/ first); bin/ never has it.
bin-test/%: cmd/%.c $$(foreach d,$$(call PDIRS,$$*),$$(wildcard $$(d)/*.[ch])) tests/hook.c $(LIBA) $(HDR)
	mkdir -p bin-test
	$(CC) $(CFLAGS) $(CPPFLAGS) $(foreach d,$(call PDIRS,$*),-iquote $(d)) \
		$(LDFLAGS) -o $@ cmd/$*.c \
		$(wildcard $(foreach d,$(call PDIRS,$*),$(d)/*.c)) tests/hook.c \
		$(LIBA) $(LDLIBS)

# A unit test named for a program also links that program's own files.
tests/unit/%: tests/unit/%.c tests/t.h tests/hook.c $$(wildcard cmd/$$*/*.c) $$(wildcard cmd/$$*/*.h) $(LIBA) $(HDR)
	$(CC) $(CFLAGS) $(CPPFLAGS) -iquote cmd/$* -iquote tests $(LDFLAGS) -o $@ $< \
		$(wildcard cmd/$*/*.c) tests/hook.c $(LIBA) $(LDLIBS)

units: $(UNIT)

# The stack, one library a line with those it may use (tests/sh/layers.sh).
layers:
	printf '%s\n' $(foreach l,$(LIBS),"$(l): $(LIBDEPS_$(l))")

check: test
test: $(PROG) $(TESTPROG) $(UNIT) $(JSDEP)
	sh tests/run

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, in a separate tree.
asan:
	rm -rf build-asan && mkdir -p build-asan
	tar cf - Makefile README cmd lib tests man | (cd build-asan && tar xf -)
	cd build-asan && $(MAKE) clean && CK_SANITIZED=1 $(MAKE) test CC=clang \
		CFLAGS="-std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Wpedantic" \
		LDFLAGS="-fsanitize=address,undefined"

fixtures: $(PROG) $(UNIT)
	$(PYTHON) tests/ref/model_ref.py
	$(PYTHON) tests/ref/model_ref.py --ctx
	$(PYTHON) tests/ref/model_ref.py --piv

lint:
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN7)

deps:
	sh tests/deps.sh $(DEPS)
	$(MAKE) jsdeps

jsdeps:
	cd vendor && npm ci --no-audit --no-fund --ignore-scripts
	$(MAKE) $(JSLIB)

$(JSLIB): $(LWCJS)
	mkdir -p share/candlekit
	cp -f $(LWCJS) $@
	cp -f $(LWC)/LICENSE share/candlekit/lightweight-charts.LICENSE

demo: deps
	$(MAKE) all
	sh tests/demo.sh

# candlekit-sweep runs tests/sweep.mk, installed with its scripts under
# SHAREDIR, outside the source tree (candlekit(7)).
SWEEP_FILES = tests/sweep/cell tests/sweep/cells tests/sweep/lib.sh \
	tests/sweep/table tests/sweep/walk tests/sweep/default.grid

install: $(PROG)
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7 \
		$(DESTDIR)$(SHAREDIR)/sweep
	cp -f $(PROG) $(DESTDIR)$(PREFIX)/bin/
	cp -f tests/sweep.mk $(DESTDIR)$(SHAREDIR)/sweep.mk
	cp -f $(SWEEP_FILES) $(DESTDIR)$(SHAREDIR)/sweep/
	sed -e 's|@SHARE@|$(SHAREDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		tests/sweep/candlekit-sweep > $(DESTDIR)$(PREFIX)/bin/candlekit-sweep
	chmod 755 $(DESTDIR)$(PREFIX)/bin/candlekit-sweep
	[ -z "$(MAN1)" ] || cp -f $(MAN1) $(DESTDIR)$(MANPREFIX)/man1/
	[ -z "$(MAN5)" ] || cp -f $(MAN5) $(DESTDIR)$(MANPREFIX)/man5/
	[ -z "$(MAN7)" ] || cp -f $(MAN7) $(DESTDIR)$(MANPREFIX)/man7/
	if [ -f $(JSLIB) ]; then mkdir -p $(DESTDIR)$(SHAREDIR) && \
		cp -f share/candlekit/* $(DESTDIR)$(SHAREDIR)/; fi

uninstall:
	for p in $(PROG); do rm -f $(DESTDIR)$(PREFIX)/bin/$${p#bin/}; done
	rm -f $(DESTDIR)$(PREFIX)/bin/candlekit-sweep
	rm -rf $(DESTDIR)$(SHAREDIR)

clean:
	rm -rf bin bin-test build-asan share $(LIBA) $(LIBOBJ) $(UNIT) tests/tmp

.PHONY: all units layers check test asan fixtures lint deps jsdeps demo install uninstall clean

# Fuzzing (clang libFuzzer): make fuzz FUZZ_SECONDS=60; CI replays the
# regression inputs and runs a fixed number of executions with a fixed seed
# (half as many for the two slowest harnesses, about 80 s each, to keep CI
# under 20 minutes).
FUZZ_SECONDS = 30
fuzz: $(LIBA)
	sh tests/fuzz/run -t $(FUZZ_SECONDS)
fuzz-ci: $(LIBA)
	sh tests/fuzz/run -n 200000 annot ckpt csv time
	sh tests/fuzz/run -n 100000 engines feed

.PHONY: fuzz fuzz-ci
include tests/sweep.mk

# Render a chart (SVG) or report (HTML) to a PNG with headless Chromium
# (Debian: chromium): make chart-png IN=bt.html OUT=bt.png.  Without IN:
# the bundled data's chart and report, into tests/tmp/chart-svg.png and
# tests/tmp/chart-html.png.  tests/sh/chart.sh opens the report in
# Chromium when it is installed.
chart-png: $(PROG)
	sh tests/chart-png.sh $(IN) $(OUT)

.PHONY: chart-png
