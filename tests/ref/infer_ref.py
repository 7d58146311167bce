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
"""
import csv
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ckpt_read  # noqa: E402


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


def forward(P, cfg, x, T=1.0):
    """x (W, 5) -> probs (3) at temperature T, ghost (4)."""
    W, d, L, H = cfg["W"], cfg["d"], cfg["L"], cfg["h"]
    dh = d // H
    t = x @ P["w_in"] + P["b_in"] + P["pos"]
    for i in range(L):
        b = "blk%d." % i
        a = layernorm(t, P[b + "ln1_g"], P[b + "ln1_b"])
        qkv = a @ P[b + "wqkv"] + P[b + "bqkv"]
        q, k, v = qkv[:, :d], qkv[:, d:2 * d], qkv[:, 2 * d:]
        heads = []
        for j in range(H):
            sl = slice(j * dh, (j + 1) * dh)
            att = softmax(q[:, sl] @ k[:, sl].T / math.sqrt(dh))
            heads.append(att @ v[:, sl])
        t = t + np.concatenate(heads, axis=1) @ P[b + "wo"] + P[b + "bo"]
        a = layernorm(t, P[b + "ln2_g"], P[b + "ln2_b"])
        t = t + gelu(a @ P[b + "w1"] + P[b + "b1"]) @ P[b + "w2"] + P[b + "b2"]
    y = layernorm(t[W - 1], P["lnf_g"], P["lnf_b"])
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
    for n, r in enumerate(rows):
        if n < W:
            if any(r[col[pre + c]] != "" for c in names + nexts + ["action"]):
                print("row %d: a prediction before the first full window" % (n + 2))
                bad += 1
            continue
        win = data[n - W:n + 1]
        x, s = features(win[:, 0], win[:, 1], win[:, 2], win[:, 3], win[:, 4])
        p, g = forward(P, cfg, x, ck["temperature"])
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
