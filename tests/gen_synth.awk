# tests/gen_synth.awk - a synthetic candle series whose label is
# learnable from the window alone: BUY when the last three closes rose
# (close[t] > close[t-1] > close[t-2] > close[t-3]), else SELL.
#   awk -v n=4000 -v seed=7 -v ann=FILE -f tests/gen_synth.awk > candles.csv
# Writes the candles (1-minute bars from 2024-01-01T00:00:00Z, at most
# 31 days) to stdout and the annotations time,action to ann.  Each close
# moves by 0.1% to about 0.5% up or down (never near zero), so the sign
# of every move is plain in the features.
BEGIN {
	if (n == "") n = 4000
	if (seed == "") seed = 1
	if (n > 44640) { print "gen_synth: n at most 44640" > "/dev/stderr"; exit 2 }
	srand(seed)
	print "time,open,high,low,close,volume"
	print "time,action" > ann
	c = 100
	for (i = 0; i < n; i++) {
		o = c
		r = (0.001 + 0.002 * rand() + 0.002 * rand()) * (rand() < 0.5 ? -1 : 1)
		c = o * exp(r)
		hi = (o > c ? o : c) * (1 + 0.001 * rand())
		lo = (o < c ? o : c) * (1 - 0.001 * rand())
		d = 1 + int(i / 1440); hh = int(i % 1440 / 60); mm = i % 60
		t = sprintf("2024-01-%02dT%02d:%02d:00Z", d, hh, mm)
		printf "%s,%.6f,%.6f,%.6f,%.6f,%d\n", t, o, hi, lo, c, 100 + int(900 * rand())
		cl[i] = c
		if (i >= 3)
			print t "," (cl[i] > cl[i-1] && cl[i-1] > cl[i-2] && cl[i-2] > cl[i-3] ? "BUY" : "SELL") > ann
	}
}
