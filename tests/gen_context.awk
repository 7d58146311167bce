# tests/gen_context.awk - 1-minute candles whose labels the 32-candle
# window cannot see (issue 17, acceptance): two independent random walks,
# the traded one (time,open,...,volume) and a reference beside it in the
# columns REF_open, REF_high, REF_low, REF_close, REF_volume (as
# candle-feed --join writes them; tests/sh/context.sh checks that the two
# walks as two files, joined, give these bytes).
#   awk -v n=43200 -v seed=7 -v every=4 -v ann4h=A -v annref=B \
#       -f tests/gen_context.awk > candles.csv
# Candles from 2024-01-01T00:00:00Z (a Monday), at most 31 days.  Every
# `every` candles an annotation is written to each file:
#   ann4h: BUY when the last completed 4-hour bucket (UTC-aligned) of the
#          traded walk closed above its open, else SELL (the bucket a
#          candle ends is complete at that candle);
#   annref: BUY when the reference's candle of the same minute closed
#          above its open, else SELL.
# Each close moves by 0.05% to 0.25% up or down; a candle opens at the
# previous close.
function walk(c) {
	m = 0.0005 + 0.001 * rand() + 0.001 * rand()
	return c * exp(rand() < 0.5 ? -m : m)
}
function candle(o, c) {
	return sprintf("%.6f,%.6f,%.6f,%.6f,%d", o, \
	    (o > c ? o : c) * (1 + 0.0005 * rand()), \
	    (o < c ? o : c) * (1 - 0.0005 * rand()), c, 100 + int(900 * rand()))
}
BEGIN {
	if (n == "") n = 43200
	if (seed == "") seed = 1
	if (every == "") every = 4
	if (n > 44640) { print "gen_context: n at most 44640" > "/dev/stderr"; exit 2 }
	srand(seed)
	print "time,open,high,low,close,volume,REF_open,REF_high,REF_low,REF_close,REF_volume"
	print "time,action" > ann4h
	print "time,action" > annref
	c = 100; r = 50
	for (i = 0; i < n; i++) {
		o = c; c = walk(o)
		ro = r; r = walk(ro)
		b = int(i / 240)
		if (i % 240 == 0)
			bo[b] = o
		bc[b] = c
		d = 1 + int(i / 1440); hh = int(i % 1440 / 60); mm = i % 60
		t = sprintf("2024-01-%02dT%02d:%02d:00Z", d, hh, mm)
		print t "," candle(o, c) "," candle(ro, r)
		if (i % every != every - 1)
			continue
		last = (i + 1) % 240 == 0 ? b : b - 1
		if (last >= 0)
			print t "," (bc[last] > bo[last] ? "BUY" : "SELL") > ann4h
		print t "," (r > ro ? "BUY" : "SELL") > annref
	}
}
