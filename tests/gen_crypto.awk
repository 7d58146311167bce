# tests/gen_crypto.awk - a crypto-like candle series: hourly bars around the
# clock (no gaps), a random walk of log prices (no drift) whose volatility
# clusters (GARCH(1,1)-like: v = 1e-6 + 0.06 r^2 + 0.9 v, about 0.6% an
# hour in the long run), heavy tails (a 2% chance of a 4x move) and
# a volume that follows the volatility.  No rule is planted: a model should
# find no skill here, and the tools should say so.
#   awk -v n=20000 -v seed=5 -f tests/gen_crypto.awk > candles.csv
# Bars from 2023-01-01T00:00:00Z, one an hour (n at most 87,600: 10 years).
function gauss() { return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand()) }
function days(y) { return (y % 4 == 0) ? 366 : 365 }
BEGIN {
	if (n == "") n = 20000
	if (seed == "") seed = 1
	if (n > 87600) { print "gen_crypto: n at most 87600" > "/dev/stderr"; exit 2 }
	srand(seed)
	split("31 28 31 30 31 30 31 31 30 31 30 31", ml, " ")
	print "time,open,high,low,close,volume"
	c = 20000; v = 1e-4; y = 2023; mo = 1; d = 1; h = 0
	for (i = 0; i < n; i++) {
		r = sqrt(v) * gauss() * (rand() < 0.02 ? 4 : 1)
		o = c
		c = o * exp(r)
		hi = (o > c ? o : c) * exp(sqrt(v) * 0.5 * rand())
		lo = (o < c ? o : c) * exp(-sqrt(v) * 0.5 * rand())
		printf "%04d-%02d-%02dT%02d:00:00Z,%.2f,%.2f,%.2f,%.2f,%.4f\n", y, mo, d, h,
		    o, hi, lo, c, 50 + 5e5 * v * (0.5 + rand())
		v = 1e-6 + 0.06 * r * r + 0.9 * v
		if (++h == 24) {
			h = 0
			m = ml[mo] + (mo == 2 && days(y) == 366)
			if (++d > m) { d = 1; if (++mo > 12) { mo = 1; y++ } }
		}
	}
}
