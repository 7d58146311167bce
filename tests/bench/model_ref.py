#!/usr/bin/python3
"""model_ref.py - the PyTorch side of tests/bench/model.

Usage: model_ref.py W[+N1,N2,...] d L h seconds threads
W+N1,N2,...: a model with contexts of N1, N2, ... candles (6 features
each, their own input projection and positions, tokens before the
window's: keys and values at every block, the blocks updating the
window's rows only, as lib/model does).
Runs the same transformer as lib/model.c in PyTorch (eager, float32) with
torch.set_num_threads(threads) and prints one line
"torch W d L h threads train_sps latency_us batch_wps latency_cpu_us
latency_p10_us":
training samples/s at batch 64 (forward, backward, clip_grad_norm_,
AdamW), one-window inference latency (no_grad, eager), batch-256 inference
windows/s, the one-window latency in the process's CPU time, and the
10th percentile of the single one-window calls' wall times.
Run it with OPENBLAS_NUM_THREADS=1 (see PERF-NOTES: OpenBLAS's own threads
make these small products slower); tests/bench/model does.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(s, d, h, tc=0):
        super().__init__()
        s.h, s.tc = h, tc
        s.ln1, s.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        s.qkv, s.o = nn.Linear(d, 3 * d), nn.Linear(d, d)
        s.fc, s.proj = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(s, x):
        B, T, C = x.shape
        q, k, v = s.qkv(s.ln1(x)).split(C, dim=2)
        q, k, v = [t.view(B, T, s.h, C // s.h).transpose(1, 2) for t in (q, k, v)]
        if s.tc:    # queries at the window's rows only
            q = q[:, :, s.tc:]
        att = torch.softmax(q @ k.transpose(-2, -1) * (1.0 / (C // s.h) ** 0.5), -1)
        y = s.o((att @ v).transpose(1, 2).reshape(B, T - s.tc, C))
        if s.tc:
            xc, x = x[:, :s.tc], x[:, s.tc:] + y
        else:
            x = x + y
        x = x + s.proj(F.gelu(s.fc(s.ln2(x)), approximate="tanh"))
        return torch.cat([xc, x], 1) if s.tc else x


class Model(nn.Module):
    def __init__(s, W, d, L, h, ctx=()):
        super().__init__()
        s.W, s.ctx = W, list(ctx)
        s.inp = nn.Linear(5, d)
        s.pos = nn.Parameter(torch.randn(W, d) * 0.02)
        s.cinp = nn.ModuleList([nn.Linear(6, d) for _ in s.ctx])
        s.cpos = nn.ParameterList([nn.Parameter(torch.randn(n, d) * 0.02)
                                   for n in s.ctx])
        s.blocks = nn.ModuleList([Block(d, h, sum(s.ctx)) for _ in range(L)])
        s.lnf = nn.LayerNorm(d)
        s.act, s.ghost = nn.Linear(d, 3), nn.Linear(d, 4)

    def forward(s, x):
        """x (B, W*5 + sum N*6): the window, then each context"""
        B, off, toks = x.shape[0], s.W * 5, []
        for n, inp, pos in zip(s.ctx, s.cinp, s.cpos):
            toks.append(inp(x[:, off:off + n * 6].reshape(B, n, 6)) + pos)
            off += n * 6
        toks.append(s.inp(x[:, :s.W * 5].reshape(B, s.W, 5)) + s.pos)
        x = torch.cat(toks, 1) if s.ctx else toks[0]
        for b in s.blocks:
            x = b(x)
        y = s.lnf(x[:, -1])
        return s.act(y), s.ghost(y)


def timed(fn, secs):
    """(calls, seconds, CPU seconds a call, 10th percentile of a single
    call's seconds) of the best of 5 slices of secs: the machine is
    shared."""
    fn()
    best, cpu, calls = None, None, []
    for _ in range(5):
        n, t0, c0 = 0, time.perf_counter(), time.process_time()
        t1 = t0
        while True:
            t = time.perf_counter()
            if t - t0 >= secs / 5:
                break
            if n > 0:
                calls.append(t - t1)
            t1 = t
            fn()
            n += 1
        t, c = t - t0, (time.process_time() - c0) / n
        if best is None or n / t > best[0] / best[1]:
            best = (n, t)
        cpu = c if cpu is None or c < cpu else cpu
    calls.sort()
    return best[0], best[1], cpu, calls[len(calls) // 10] if calls else 0


def main():
    Wc = sys.argv[1].split("+")
    W, ctx = int(Wc[0]), [int(n) for n in Wc[1].split(",")] if len(Wc) > 1 else []
    d, L, h = (int(a) for a in sys.argv[2:5])
    secs, threads = float(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    m = Model(W, d, L, h, ctx)
    isw = lambda n, p: p.dim() == 2 and "pos" not in n
    decay = [p for n, p in m.named_parameters() if isw(n, p)]
    other = [p for n, p in m.named_parameters() if not isw(n, p)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": other, "weight_decay": 0.0}], lr=1e-3)
    x = torch.randn(256, W * 5 + 6 * sum(ctx))
    label = torch.arange(64) % 3
    target, mask = torch.full((64, 4), 0.1), torch.ones(64)

    def step():
        opt.zero_grad()
        logits, ghost = m(x[:64])
        loss = (F.cross_entropy(logits, label, reduction="none") +
                0.1 * mask * ((ghost - target) ** 2).mean(1)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()

    n, t, _, _ = timed(step, secs)
    train = n * 64 / t
    with torch.no_grad():
        one = x[:1]
        n, t, cpu, p10 = timed(lambda: torch.softmax(m(one)[0], 1), secs / 2)
        lat = t / n * 1e6
        n, t, _, _ = timed(lambda: torch.softmax(m(x)[0], 1), secs / 2)
        bat = n * 256 / t
    print("torch %s %d %d %d %d %.0f %.2f %.0f %.2f %.2f" % (
        sys.argv[1], d, L, h, threads, train, lat, bat, cpu * 1e6, p10 * 1e6))


if __name__ == "__main__":
    main()
