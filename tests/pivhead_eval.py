#!/usr/bin/env python3
"""tests/pivhead_eval.py - markets for the next-pivot head's learning test
(tests/sh/pivhead.sh) and its scores against naive forecasts.

  pivhead_eval.py zigzag N SEED > candles.csv
      a noisy zigzag: swings of alternating direction, each of an
      amplitude drawn uniformly from 3% to 6% and a length drawn uniformly
      from 8 to 16 candles, a noise N(0, 0.003^2) on every candle's
      log-return
  pivhead_eval.py walk N SEED > candles.csv
      a random walk: log-returns N(0, 0.002^2), wicks |N(0, 0.001^2)|
  pivhead_eval.py score K FROM infer.csv [walk SEED]
      level-1 pivots of strength K (pivots(1)'s definition, computed
      here); for each candle t >= FROM with a next pivot confirmed after it
      in the file: the head's columns pivot_L1_* against the truth, and
      the naive forecasts (type: the opposite of the last pivot confirmed
      by t; price: the last pivot confirmed by t of the true type;
      distance: the mean distance of the targets resolved by t).  Type
      accuracies are shares; price errors mean |log ratio| and, as
      *_price_pct, mean |error| in percent of the pivot's price;
      distance errors mean |candles|.  With
      "walk SEED": also the best forecast that knows the walk's law,
      by simulating 400 continuations of the walk from each candle's
      past (the type most often next, the median price and distance).
      Prints name=value lines.
"""
import math
import random
import sys

SIGMA, WICK, NOISE = 0.002, 0.001, 0.003


def stamp(i):
    d, m = divmod(i, 1440)
    return "2024-01-%02dT%02d:%02d:00Z" % (1 + d, m // 60, m % 60)


def emit(rows):
    print("time,open,high,low,close,volume")
    for i, (o, h, l, c) in enumerate(rows):
        print("%s,%.6f,%.6f,%.6f,%.6f,%d" % (stamp(i), o, h, l, c,
                                             100 + i % 7 * 10))


def candle(rng, o, r):
    c = o * math.exp(r)
    h = max(o, c) * math.exp(abs(rng.gauss(0, WICK)))
    l = min(o, c) * math.exp(-abs(rng.gauss(0, WICK)))
    return (o, h, l, c)


def zigzag(n, seed):
    rng = random.Random(seed)
    rows, c, up = [], 100.0, 1
    while len(rows) < n:
        amp = rng.uniform(0.03, 0.06)
        m = rng.randint(8, 16)
        for _ in range(m):
            r = up * amp / m + rng.gauss(0, NOISE)
            rows.append(candle(rng, c, r))
            c = rows[-1][3]
        up = -up
    return rows[:n]


def walk(n, seed):
    rng = random.Random(seed)
    rows, c = [], 100.0
    for _ in range(n):
        rows.append(candle(rng, c, rng.gauss(0, SIGMA)))
        c = rows[-1][3]
    return rows


def confirmations(hi, lo, k):
    """row r -> (type, pivot candle, price) of the next-pivot rule"""
    conf = {}
    for i in range(k, len(hi) - k):
        h = all(hi[i] > hi[j] for j in range(i - k, i)) and \
            all(hi[i] >= hi[j] for j in range(i + 1, i + k + 1))
        l_ = all(lo[i] < lo[j] for j in range(i - k, i)) and \
            all(lo[i] <= lo[j] for j in range(i + 1, i + k + 1))
        if h:
            conf[i + k] = (1, i, hi[i])
        elif l_:
            conf[i + k] = (-1, i, lo[i])
    return conf


def first_conf(hi, lo, k, t):
    """the next pivot confirmed after candle t in hi, lo, or None"""
    for r in range(t + 1, len(hi)):
        i = r - k
        if i < k:
            continue
        if hi[i] > max(hi[i - k:i]) and hi[i] >= max(hi[i + 1:r + 1]):
            return (1, i, hi[i])
        if lo[i] < min(lo[i - k:i]) and lo[i] <= min(lo[i + 1:r + 1]):
            return (-1, i, lo[i])
    return None


def bayes(rng, hi, lo, k, t, sims=400, horizon=60):
    """the walk-law forecast at candle t from its past: majority type,
    median price, median distance over simulated continuations"""
    types, prices, dists = [], [], []
    for _ in range(sims):
        h, l = hi[max(0, t - 2 * k):t + 1], lo[max(0, t - 2 * k):t + 1]
        off = t - (len(h) - 1)
        c = CLOSE[t]
        got = None
        for step in range(horizon):
            _, hh, ll, c = candle(rng, c, rng.gauss(0, SIGMA))
            h.append(hh)
            l.append(ll)
            got = first_conf(h, l, k, t - off)
            if got is not None:
                break
        if got is None:
            continue
        types.append(got[0])
        prices.append(math.log(got[2]))
        dists.append(got[1] + off - t)
    if not types:
        return None
    types.sort()
    prices.sort()
    dists.sort()
    ty = 1 if sum(types) >= 0 else -1
    return ty, math.exp(prices[len(prices) // 2]), dists[len(dists) // 2]


CLOSE = []


def score(k, start, path, walkseed=None):
    rows = [line.rstrip("\n").split(",") for line in open(path)]
    head, rows = rows[0], rows[1:]
    col = {n: j for j, n in enumerate(head)}
    hi = [float(r[col["high"]]) for r in rows]
    lo = [float(r[col["low"]]) for r in rows]
    CLOSE[:] = [float(r[col["close"]]) for r in rows]
    conf = confirmations(hi, lo, k)
    n = len(rows)
    # the target of every candle: the first confirmation row after it
    target, nxt = [None] * n, None
    for t in range(n - 1, -1, -1):
        target[t] = nxt
        if t in conf:
            nxt = (t,) + conf[t]
    last = {1: None, -1: None}
    lasttype = None
    dsum = dn = 0
    resolved_to = 0          # candles < this one are resolved
    rng = random.Random(walkseed or 0)
    s = {"n": 0, "head_type": 0, "naive_type": 0, "head_price": 0.0,
         "naive_price": 0.0, "head_dist": 0.0, "naive_dist": 0.0,
         "head_price_pct": 0.0, "naive_price_pct": 0.0}
    b = {"n": 0, "head_type": 0, "bayes_type": 0, "head_price": 0.0,
         "bayes_price": 0.0, "head_dist": 0.0, "bayes_dist": 0.0}
    pd = {"type": [], "price": [], "dist": []}
    for t in range(n):
        if t in conf:
            ty, i, p = conf[t]
            last[ty] = p
            lasttype = ty
            # candles resolved_to .. t-1 have this target now
            for u in range(resolved_to, t):
                dsum += i - u
                dn += 1
            resolved_to = t
        tg = target[t]
        if t < start or tg is None or lasttype is None or dn == 0 or \
                last[tg[1]] is None or rows[t][col["pivot_L1_type"]] == "":
            continue
        ty, price, dist = tg[1], tg[3], tg[2] - t
        hty = 1 if rows[t][col["pivot_L1_type"]] == "H" else -1
        hp = float(rows[t][col["pivot_L1_price"]])
        hd = float(rows[t][col["pivot_L1_in"]])
        s["n"] += 1
        s["head_type"] += hty == ty
        s["naive_type"] += -lasttype == ty
        s["head_price"] += abs(math.log(hp / price))
        s["naive_price"] += abs(math.log(last[ty] / price))
        s["head_price_pct"] += 100 * abs(hp - price) / price
        s["naive_price_pct"] += 100 * abs(last[ty] - price) / price
        s["head_dist"] += abs(hd - dist)
        s["naive_dist"] += abs(dsum / dn - dist)
        if walkseed is not None and t % 4 == 0:
            f = bayes(rng, hi, lo, k, t)
            if f is None:
                continue
            b["n"] += 1
            dt = (hty == ty) - (f[0] == ty)
            dp = abs(math.log(f[1] / price)) - abs(math.log(hp / price))
            dd = abs(f[2] - dist) - abs(hd - dist)
            b["head_type"] += hty == ty
            b["bayes_type"] += f[0] == ty
            b["head_price"] += abs(math.log(hp / price))
            b["bayes_price"] += abs(math.log(f[1] / price))
            b["head_dist"] += abs(hd - dist)
            b["bayes_dist"] += abs(f[2] - dist)
            pd["type"].append(dt)
            pd["price"].append(dp)
            pd["dist"].append(dd)
    for key in s:
        if key != "n":
            s[key] /= max(s["n"], 1)
        print("%s=%.6g" % (key, s[key]))
    if walkseed is None:
        return
    for key in b:
        if key != "n":
            b[key] /= max(b["n"], 1)
        print("w_%s=%.6g" % (key, b[key]))
    # the head's gain over the law-aware forecast per candle (positive:
    # the head is better), its mean and standard error
    for key, v in pd.items():
        m = sum(v) / max(len(v), 1)
        var = sum((x - m) ** 2 for x in v) / max(len(v) - 1, 1)
        print("gain_%s=%.6g" % (key, m))
        print("se_%s=%.6g" % (key, math.sqrt(var / max(len(v), 1))))


def main(a):
    if len(a) == 3 and a[0] in ("zigzag", "walk"):
        emit((zigzag if a[0] == "zigzag" else walk)(int(a[1]), int(a[2])))
    elif len(a) in (4, 6) and a[0] == "score":
        score(int(a[1]), int(a[2]), a[3],
              int(a[5]) if len(a) == 6 and a[4] == "walk" else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
