#!/usr/bin/python3
"""infer_ref.py - a numpy forward pass over a checkpoint, to check infer(1).

usage: infer_ref.py MODEL INFER_OUTPUT.csv [PREFIX]

Reads the checkpoint with tests/ckpt_read.py, recomputes every prediction
of infer's output (its candle columns are the input) in float64 from the
definitions of model-checkpoint(5) and issue 3 (features, pre-LayerNorm
blocks, tanh GELU, LayerNorm eps 1e-5), and compares p_hold, p_buy, p_sell,
confidence and next_* within 1e-5 + 1e-4*|value|; action where the top two
probabilities are not within 1e-4.  Rows before the first full window must
have these fields empty.  Prints the worst error; exits 1 on a mismatch.

A model with context sequences is checked too, from model-checkpoint(5)
alone: the higher timeframes resampled here from the rows seen so far
(UTC buckets, complete when a later bucket's candle comes or when the last
candle's time plus the smallest step so far reaches the bucket's end), the
references from the PREFIX_* columns, the sixth feature, the tokens, and
blocks that update the window's rows only.  Rows before every context has
its N+1 candles must have no prediction.
"""
import datetime
import csv
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ckpt_read  # noqa: E402


WEEK, MONDAY = 7 * 86400 * 10 ** 9, 4 * 86400 * 10 ** 9


def ns_of(text):
    """A canonical time (whole seconds, Z) as nanoseconds."""
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp()) * 10 ** 9


class Timeframe:
    """One timeframe context, fed the rows one by one."""

    def __init__(s, tf):
        s.tf, s.done, s.cur, s.start = tf, [], None, None
        s.step, s.prev, s.closed = None, None, None

    def push(s, t, c):
        off = MONDAY % s.tf if s.tf % WEEK == 0 else 0
        b = t - (t - off) % s.tf
        if s.cur is None and b == s.closed:
            return      # a bucket given as complete already
        if s.prev is not None and (s.step is None or t - s.prev < s.step):
            s.step = t - s.prev
        s.prev = t
        if s.cur is not None and b != s.start:
            s.done.append(s.cur)
            s.cur = None
        if s.cur is None:
            s.start, s.cur = b, list(c)
        else:
            s.cur = [s.cur[0], max(s.cur[1], c[1]), min(s.cur[2], c[2]), c[3],
                     s.cur[4] + c[4]]
        if s.step is not None and b + s.tf - t <= s.step:
            s.done.append(s.cur)
            s.cur, s.closed = None, b

    def candles(s, N):
        """The N+1 candles and whether the last is in progress, or None."""
        have = s.done[-(N + 1):] if s.cur is None else s.done[-N:] + [s.cur]
        if len(have) < N + 1 or (s.cur is not None and len(s.done) < N):
            return None
        return np.array(have), s.cur is not None


def ctx_features(cands, part):
    x, _ = features(*(cands[:, j] for j in range(5)))
    return np.concatenate([x, np.zeros((len(x), 1))], axis=1) + \
        np.eye(1, 6 * len(x), 6 * len(x) - 1).reshape(len(x), 6) * part


def features(o, h, l, c, v):
    """(W+1) arrays, oldest first -> x (W, 5), s."""
    p = c[:-1]
    r = np.stack([np.log(o[1:] / p), np.log(h[1:] / p), np.log(l[1:] / p),
                  np.log(c[1:] / p)], axis=1)
    r3 = r[:, 3]
    s = math.sqrt(np.mean((r3 - r3.mean()) ** 2)) + 1e-8
    u = np.log1p(v[1:])
    su = math.sqrt(np.mean((u - u.mean()) ** 2))
    x = np.empty((len(r3), 5))
    x[:, :4] = np.clip(r / s, -10, 10)
    x[:, 4] = np.clip((u - u.mean()) / (su + 1e-6), -10, 10)
    # the C code stores features as float32
    return x.astype(np.float32).astype(np.float64), s


def layernorm(x, g, b):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * g + b


def gelu(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def forward(P, cfg, x, T=1.0, xc=()):
    """x (W, 5), xc the contexts' (N_c, 6) -> probs (3) at temperature T,
    ghost (4)."""
    W, d, L, H = cfg["W"], cfg["d"], cfg["L"], cfg["h"]
    dh = d // H
    t = x @ P["w_in"] + P["b_in"] + P["pos"]
    e = [xc[c] @ P["ctx%d.w_in" % c] + P["ctx%d.b_in" % c] + P["ctx%d.pos" % c]
         for c in range(len(xc))]
    tc = sum(len(a) for a in e)
    t = np.concatenate(e + [t]) if e else t
    for i in range(L):
        b = "blk%d." % i
        a = layernorm(t, P[b + "ln1_g"], P[b + "ln1_b"])
        qkv = a @ P[b + "wqkv"] + P[b + "bqkv"]
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        heads = []
        for j in range(H):
            sl = slice(j * dh, (j + 1) * dh)
            att = softmax(q[tc:, sl] @ k[:, sl].T / math.sqrt(dh))
            heads.append(att @ v[:, sl])
        # the window's rows only; the contexts' stay their embedding
        u = t[tc:] + np.concatenate(heads, axis=1) @ P[b + "wo"] + P[b + "bo"]
        a = layernorm(u, P[b + "ln2_g"], P[b + "ln2_b"])
        u = u + gelu(a @ P[b + "w1"] + P[b + "b1"]) @ P[b + "w2"] + P[b + "b2"]
        t = np.concatenate([t[:tc], u])
    y = layernorm(t[-1], P["lnf_g"], P["lnf_b"])
    return softmax((y @ P["w_a"] + P["b_a"]) / T), y @ P["w_g"] + P["b_g"]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.split("\n\n")[1])
    ck = ckpt_read.read(sys.argv[1])
    cfg = ck["config"]
    P = {k: np.asarray(t[0], dtype=np.float64) for k, t in ck["tensors"].items()}
    for k in P:
        if P[k].ndim == 2 and P[k].shape[0] == 1:
            P[k] = P[k][0]
    pre = sys.argv[3] if len(sys.argv) == 4 else ""
    W = cfg["W"]
    with open(sys.argv[2], newline="") as f:
        rows = list(csv.reader(f))
    hdr, rows = rows[0], rows[1:]
    col = {n: i for i, n in enumerate(hdr)}
    data = np.array([[float(r[j]) for j in range(1, 6)] for r in rows])
    names = ["p_hold", "p_buy", "p_sell"]
    nexts = ["next_open", "next_high", "next_low", "next_close"]
    worst, bad, checked = 0.0, 0, 0
    ctx = cfg.get("ctx", [])
    tfs = [Timeframe(c["tf"]) if c["tf"] else [] for c in ctx]
    for n, r in enumerate(rows):
        xc = []
        for c, q in zip(ctx, tfs):
            if c["tf"]:
                q.push(ns_of(r[0]), data[n])
                got = q.candles(c["N"])
            else:
                f = [r[col[c["prefix"] + "_" + k]] for k in
                     ("open", "high", "low", "close", "volume")]
                if all(v == "" for v in f):
                    q.clear()
                else:
                    q.append([float(v) for v in f])
                got = (np.array(q[-(c["N"] + 1):]), 0) \
                    if len(q) >= c["N"] + 1 else None
            if got is not None:
                xc.append(ctx_features(*got))
        if n < W or len(xc) < len(ctx):
            if any(r[col[pre + c]] != "" for c in names + nexts + ["action"]):
                print("row %d: a prediction before the first full window "
                      "or the contexts' history" % (n + 2))
                bad += 1
            continue
        win = data[n - W:n + 1]
        x, s = features(win[:, 0], win[:, 1], win[:, 2], win[:, 3], win[:, 4])
        p, g = forward(P, cfg, x, ck["temperature"], xc)
        want = dict(zip(names, p))
        for j, c in enumerate(nexts):
            want[c] = win[-1, 3] * math.exp(g[j] * s)
        want["confidence"] = p.max()
        for c, w in want.items():
            got = float(r[col[pre + c]])
            e = abs(got - w)
            worst = max(worst, e / (1e-5 + 1e-4 * abs(w)))
            if e > 1e-5 + 1e-4 * abs(w):
                if bad < 10:
                    print("row %d %s: %r, want %r" % (n + 2, c, got, w))
                bad += 1
        top = np.sort(p)
        act = ["HOLD", "BUY", "SELL"][int(np.argmax(p))]
        if top[2] - top[1] > 1e-4 and r[col[pre + "action"]] != act:
            # --min-confidence may turn any action into HOLD
            if r[col[pre + "action"]] != "HOLD":
                print("row %d action: %s, want %s" % (n + 2, r[col[pre + "action"]], act))
                bad += 1
        checked += 1
    print("infer_ref: %d predictions checked, worst error %.3g of the "
          "tolerance, %d mismatches" % (checked, worst, bad))
    sys.exit(1 if bad or checked == 0 else 0)


if __name__ == "__main__":
    main()
