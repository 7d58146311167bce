# tests/gen_pivfc.awk - a prediction stream with next-pivot and
# multi-step ghost columns of known quality, for tests/sh/pivreport.sh.
#   pivots -k K --levels M candles.csv |
#   awk -F, -v levels=1,2 -v steps=3 -v mode=perfect -v out=FILE \
#       -f tests/gen_pivfc.awk > stream.csv
# Reads the candles with pivotN_high,pivotN_low (the pivot candle's time,
# on its confirmation row) and works out from them, by its own
# bookkeeping (independent of backtest), each candle's next pivot of each
# level (the first confirmed after the candle; both in one row: the
# earlier candle, the same one: H).  mode:
#   perfect  the true next pivot and the true next candles (hindsight)
#   naive    the naive forecasts backtest compares with: the type
#            opposite to the last confirmed pivot, the price of the last
#            pivot of the target's type, the mean distance so far; the
#            ghost "no change" (every price = this close)
#   empty    no forecast (the columns empty)
# out gets the expected scores, one "name value" a line:
#   L<l>_scored, L<l>_pending, L<l>_warmup, L<l>_naive_type,
#   L<l>_naive_price, L<l>_naive_dist (percent, percent, candles; null
#   when none is scored) and
#   step<i>_scored, step<i>_pending, step<i>_naive (close MAPE, percent).
BEGIN { OFS = "," }
NR == 1 {
	for (i = 1; i <= NF; i++)
		col[$i] = i
	next
}
{
	n = NR - 2
	tm[n] = $1; op[n] = $2; hi[n] = $3; lo[n] = $4; cl[n] = $5; vo[n] = $6
	idx[$1] = n
	for (l = 1; l <= 5; l++) {
		ph[l, n] = ("pivot" l "_high" in col) ? $(col["pivot" l "_high"]) : ""
		pl[l, n] = ("pivot" l "_low" in col) ? $(col["pivot" l "_low"]) : ""
	}
}
END {
	n++
	nl = split(levels, lev, ",")
	for (j = 1; j <= nl; j++)
		truth(lev[j])
	head = "time,open,high,low,close,volume,action,confidence"
	for (i = 1; i <= steps; i++)
		head = head "," g("open", i) "," g("high", i) "," g("low", i) "," g("close", i)
	for (j = 1; j <= nl; j++) {
		p = "pivot_L" lev[j]
		head = head "," p "_type," p "_p," p "_price," p "_in"
	}
	print head
	for (t = 0; t < n; t++) {
		line = tm[t] "," op[t] "," hi[t] "," lo[t] "," cl[t] "," vo[t] ",HOLD,0.5"
		for (i = 1; i <= steps; i++)
			line = line "," ghost(t, i)
		for (j = 1; j <= nl; j++)
			line = line "," fcast(lev[j], t)
		print line
	}
	if (out != "")
		expected()
}
function g(f, i) { return i == 1 ? "next_" f : "next" i "_" f }
# The next pivot of level l for every candle, and the naive forecasts
# known at each row (after its own confirmations).
function truth(l,    r, a, b, t, from, typ, piv, pr, lt, hh, hl, lh, ll, ds, dn) {
	from = 0; lt = 0; hh = hl = 0; ds = dn = 0
	for (r = 0; r < n; r++) {
		a = ph[l, r] != "" ? idx[ph[l, r]] : -1
		b = pl[l, r] != "" ? idx[pl[l, r]] : -1
		if (a >= 0 || b >= 0) {
			if (a >= 0 && (b < 0 || a <= b)) {
				typ = 1; piv = a; pr = hi[a]
			} else {
				typ = -1; piv = b; pr = lo[b]
			}
			for (t = from; t < r; t++) {
				T[l, t] = typ; P[l, t] = pr; I[l, t] = piv
				ds += piv - t; dn++
			}
			from = r
			if (a >= 0) { hh = 1; lh = hi[a] }
			if (b >= 0) { hl = 1; ll = lo[b] }
			lt = (a >= 0 && b >= 0) ? (a <= b ? -1 : 1) : (a >= 0 ? 1 : -1)
		}
		NLT[l, r] = lt; NHH[l, r] = hh; NLH[l, r] = lh
		NHL[l, r] = hl; NLL[l, r] = ll; NDS[l, r] = ds; NDN[l, r] = dn
	}
	RES[l] = from	# candles from here on are unresolved
}
function ghost(t, i) {
	if (mode == "empty")
		return ",,,"
	if (mode == "naive")
		return cl[t] "," cl[t] "," cl[t] "," cl[t]
	if (t + i >= n)
		return ",,,"
	return op[t + i] "," hi[t + i] "," lo[t + i] "," cl[t + i]
}
function naiveok(l, t,    ty) {
	if (t >= RES[l] || NLT[l, t] == 0 || NDN[l, t] == 0)
		return 0
	ty = T[l, t]
	return ty > 0 ? NHH[l, t] : NHL[l, t]
}
function fcast(l, t,    ty) {
	if (mode == "empty")
		return ",,,"
	if (mode == "perfect") {
		if (t >= RES[l])	# unknown to hindsight too: any forecast
			return "H,0.5," hi[t] ",1"
		return (T[l, t] > 0 ? "H" : "L") ",1," P[l, t] "," (I[l, t] - t)
	}
	if (!naiveok(l, t))
		return ",,,"
	ty = T[l, t]
	return (NLT[l, t] > 0 ? "L" : "H") ",0.5," \
	    sprintf("%.17g", ty > 0 ? NLH[l, t] : NLL[l, t]) "," \
	    sprintf("%.17g", NDS[l, t] / NDN[l, t])
}
# The expected scores of the naive forecasts, over the rows a forecast
# of this mode is scored on.
function expected(    j, l, t, i, ns, np, nw, th, pe, de, ty, pr, d, ce) {
	for (j = 1; j <= nl; j++) {
		l = lev[j]; ns = np = nw = th = pe = de = 0
		for (t = 0; t < n; t++) {
			if (fcast(l, t) == ",,,")
				continue
			if (t >= RES[l]) { np++; continue }
			if (NLT[l, t] == 0 || NDN[l, t] == 0 ||
			    !(T[l, t] > 0 ? NHH[l, t] : NHL[l, t])) { nw++; continue }
			ns++
			ty = T[l, t]
			th += (-NLT[l, t] == ty)
			pr = ty > 0 ? NLH[l, t] : NLL[l, t]
			pe += (pr > P[l, t] ? pr - P[l, t] : P[l, t] - pr) / P[l, t]
			d = I[l, t] - t
			d = NDS[l, t] / NDN[l, t] - d
			de += d < 0 ? -d : d
		}
		print "L" l "_scored " ns > out
		print "L" l "_pending " np > out
		print "L" l "_warmup " nw > out
		if (ns > 0) {
			printf "L%d_naive_type %.17g\n", l, 100 * th / ns > out
			printf "L%d_naive_price %.17g\n", l, 100 * pe / ns > out
			printf "L%d_naive_dist %.17g\n", l, de / ns > out
		} else
			printf "L%d_naive_type null\nL%d_naive_price null\n" \
			    "L%d_naive_dist null\n", l, l, l > out
	}
	for (i = 1; i <= steps; i++) {
		ns = np = ce = 0
		for (t = 0; t < n; t++) {
			if (ghost(t, i) == ",,,")
				continue
			if (t + i >= n) { np++; continue }
			ns++
			d = cl[t] - cl[t + i]
			ce += (d < 0 ? -d : d) / cl[t + i]
		}
		print "step" i "_scored " ns > out
		print "step" i "_pending " np > out
		if (ns > 0)
			printf "step%d_naive %.17g\n", i, 100 * ce / ns > out
		else
			printf "step%d_naive null\n", i > out
	}
}
