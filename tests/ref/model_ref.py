#!/usr/bin/python3
"""model_ref.py - the PyTorch reference for the candle transformer.

Run from anywhere with /usr/bin/python3 (Debian's python3-torch); `make
fixtures` runs it.  It builds tests/unit/model_golden if needed, runs
`tests/unit/model_golden --write-input DIR` to get the weights the C code
initialized, as a checkpoint written by ckpt_create (read here with
tests/ckpt_read.py), and a fixed batch, builds the same model in PyTorch, runs the
forward pass, the backward pass and 3 AdamW steps (clip_grad_norm_ before
each), and writes tests/ref/model_golden.bin, which the C test compares
against (formats: see tests/unit/model_golden.c).

With --ctx, the same for a model with contexts (tests/unit/model_golden_ctx,
written to tests/ref/model_golden_ctx.bin): each context's candles x_c
(B,N_c,6) are encoded as x_c @ ctx<c>.w_in + ctx<c>.b_in + ctx<c>.pos, the
tokens of every context (in order) and then the window's are concatenated;
attention runs over all of them, but the blocks update the window's rows
only (the contexts' rows stay their encoding: keys and values at every
block); the heads read the last row (the window's last candle).
With --piv the same for a model with three ghost candles, a next-pivot
head of two levels and the pivot features (piv_feat: the header's F is 7,
x (B,W,7), w_in (7,d)): tests/unit/model_golden_piv and
tests/ref/model_golden_piv.bin (formats: see tests/unit/model_golden_piv.c).
"""
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CTX = "--ctx" in sys.argv[1:]
NAME = "model_golden_ctx" if CTX else "model_golden"
BIN = os.path.join(TOP, "tests", "unit", NAME)
OUT = os.path.join(TOP, "tests", "ref", NAME + ".bin")
NSTEP = 3


sys.path.insert(0, os.path.join(TOP, "tests"))
import ckpt_read  # noqa: E402  tests/ckpt_read.py, the checkpoint reader


def decays(name):
    """AdamW's weight decay: the weight matrices (not biases, LayerNorm, pos)."""
    return name.split(".")[-1] in ("w_in", "wqkv", "wo", "w1", "w2", "w_a", "w_g",
                                   "w_p")


def tensors_of(ck):
    tensors = []
    for name, (w, _, _) in ck["tensors"].items():
        toff = int((w.__array_interface__["data"][0] -
                    ck["weights"].__array_interface__["data"][0]) // 4)
        tensors.append((name, w.shape[0], w.shape[1], toff, decays(name)))
    return tensors


def read_input_piv(d):
    """the --piv batch: x, label, ghost targets and mask, pivot targets and
    mask, class and pivot weights, AdamW settings"""
    ck = ckpt_read.read(os.path.join(d, "model.ckpt"))
    cfg = dict(ck["config"])
    with open(os.path.join(d, "batch"), "rb") as f:
        buf = f.read()
    assert buf[:8] == b"CKGBATP\0", "not a model_golden_piv batch file"
    B, W, G, P = struct.unpack_from("<4i", buf, 8)
    assert W == cfg["W"] and G == cfg["ghost"] and P == cfg["npiv"]
    assert cfg["F"] == 7, "not a model with the pivot features"
    cfg["B"] = B
    off = 24
    out = {}
    for name, dtype, shape in (("x", "<f4", (B, W * cfg["F"])),
                               ("label", "<i4", (B,)),
                               ("gt", "<f4", (B, G, 4)), ("gm", "<f4", (B, G)),
                               ("pt", "<f4", (B, P, 3)), ("pm", "<f4", (B, P)),
                               ("cw", "<f4", (3,)), ("pw", "<f4", (3,)),
                               ("opt", "<f4", (6,))):
        n = int(np.prod(shape))
        out[name] = np.frombuffer(buf, dtype=dtype, count=n,
                                  offset=off).reshape(shape).copy()
        off += 4 * n
    assert off == len(buf), "batch file size"
    return cfg, tensors_of(ck), ck["weights"].copy(), out


def read_input(d):
    ck = ckpt_read.read(os.path.join(d, "model.ckpt"))
    cfg = dict(ck["config"])
    with open(os.path.join(d, "batch"), "rb") as f:
        buf = f.read()
    assert buf[:8] == b"CKGBAT2\0", "not a model_golden batch file"
    B, W = struct.unpack_from("<2i", buf, 8)
    assert W == cfg["W"]
    cfg["B"] = B
    off = 16

    def take(dtype, n):
        nonlocal off
        a = np.frombuffer(buf, dtype=dtype, count=n, offset=off)
        off += 4 * n
        return a.copy()

    xsize = W * cfg["F"] + sum(c["N"] * 6 for c in cfg["ctx"])
    x = take("<f4", B * xsize).reshape(B, xsize)
    label = take("<i4", B)
    target = take("<f4", B * 4).reshape(B, 4)
    mask = take("<f4", B)
    cw = take("<f4", 3)
    opt = take("<f4", 6)
    assert off == len(buf), "batch file size"
    return cfg, tensors_of(ck), ck["weights"].copy(), x, label, target, mask, \
        cw, opt


def encode(P, cfg, x):
    """x (B, xsize): the window's W*F features, then each context's N*6 ->
    the tokens (B,T,C): every context's in order, the window's last."""
    B, W, NF = x.shape[0], cfg["W"], cfg["F"]
    toks, off = [], W * NF
    for c, ctx in enumerate(cfg["ctx"]):
        xc = x[:, off:off + ctx["N"] * 6].reshape(B, ctx["N"], 6)
        off += ctx["N"] * 6
        p = lambda s: P["ctx%d.%s" % (c, s)]
        toks.append(xc @ p("w_in") + p("b_in") + p("pos"))
    toks.append(x[:, :W * NF].reshape(B, W, NF) @ P["w_in"] + P["b_in"] +
                P["pos"])
    return torch.cat(toks, dim=1)


def forward(P, cfg, x):
    """x (B,xsize) -> logits (B,3), ghost (B,4G); every token, every block."""
    return heads(P, trunk(P, cfg, x))[:2]


def heads(P, y):
    """the final LayerNorm's output y (B,D) -> logits, ghost, pivot head"""
    return (y @ P["w_a"] + P["b_a"][0], y @ P["w_g"] + P["b_g"][0],
            y @ P["w_p"] + P["b_p"][0] if "w_p" in P else None)


def trunk(P, cfg, x):
    """x (B,xsize) -> the final LayerNorm at the last position (B,D)"""
    z = encode(P, cfg, x)
    B, T, C, NH = x.shape[0], z.shape[1], cfg["d"], cfg["h"]
    hs, Tc = C // NH, z.shape[1] - cfg["W"]
    for l in range(cfg["L"]):
        p = lambda s: P["blk%d.%s" % (l, s)]
        a = F.layer_norm(z, (C,), p("ln1_g")[0], p("ln1_b")[0], eps=1e-5)
        qkv = a @ p("wqkv") + p("bqkv")
        q, k, v = qkv.split(C, dim=2)
        q = q.view(B, T, NH, hs).transpose(1, 2)
        k = k.view(B, T, NH, hs).transpose(1, 2)
        v = v.view(B, T, NH, hs).transpose(1, 2)
        att = torch.softmax((q @ k.transpose(-2, -1)) * (1.0 / hs ** 0.5), dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        if Tc:  # the window's rows only; the contexts' stay as they are
            zc, z = z[:, :Tc], z[:, Tc:] + (y @ p("wo") + p("bo"))[:, Tc:]
        else:
            z = z + y @ p("wo") + p("bo")
        a = F.layer_norm(z, (C,), p("ln2_g")[0], p("ln2_b")[0], eps=1e-5)
        z = z + F.gelu(a @ p("w1") + p("b1"), approximate="tanh") @ p("w2") + p("b2")
        if Tc:
            z = torch.cat([zc, z], dim=1)
    return F.layer_norm(z[:, -1], (C,), P["lnf_g"][0], P["lnf_b"][0], eps=1e-5)


def loss_of(logits, ghost, label, cw, target, mask):
    # per sample cw[label] * CE, then the plain mean over the batch
    ce = F.cross_entropy(logits, label, weight=cw, reduction="none")
    mse = ((ghost - target) ** 2).mean(dim=1)
    return (ce + 0.1 * mask * mse).mean()


def loss_piv(logits, ghost, piv, b):
    """the loss of model-checkpoint(5), Training, with every head"""
    B, G, _ = b["gt"].shape
    ce = F.cross_entropy(logits, b["label"], weight=b["cw"], reduction="none")
    mse = ((ghost.view(B, G, 4) - b["gt"]) ** 2).mean(dim=2)
    gh = 0.1 * (b["gm"] * mse).sum(dim=1) / G
    u, v, d = piv.view(B, -1, 3).unbind(dim=2)
    y, vt, dt = b["pt"].unbind(dim=2)
    bce = F.softplus(u) - y * u
    hub = lambda r: F.huber_loss(r, torch.zeros_like(r), reduction="none",
                                 delta=1.0)
    pw = b["pw"]
    pv = (b["pm"] * (pw[0] * bce + pw[1] * hub(v - vt) + pw[2] * hub(d - dt)))
    return (ce + gh + pv.sum(dim=1)).mean()


def train(tensors, params, opt, step_fn):
    """NSTEP AdamW steps (clip_grad_norm_ before each) on the weights params
    laid out by tensors; step_fn(P) -> (loss, outputs to keep).  Returns
    step 1's outputs and loss, its gradients, the losses, the final weights."""
    P = {}
    for name, rows, cols, toff, decay in tensors:
        t = torch.tensor(params[toff:toff + rows * cols].reshape(rows, cols))
        P[name] = t.requires_grad_(True)
    lr, b1, b2, eps, wd, clip = [float(v) for v in opt]
    groups = [
        {"params": [P[n] for n, *_, dc in tensors if dc], "weight_decay": wd},
        {"params": [P[n] for n, *_, dc in tensors if not dc], "weight_decay": 0.0},
    ]
    optim = torch.optim.AdamW(groups, lr=lr, betas=(b1, b2), eps=eps)
    losses = []
    for step in range(NSTEP):
        optim.zero_grad()
        loss, outs = step_fn(P)
        loss.backward()
        if step == 0:
            first = tuple(o.detach().clone() for o in outs) + (loss.item(),)
            grads = np.zeros_like(params)
            for name, rows, cols, toff, decay in tensors:
                grads[toff:toff + rows * cols] = P[name].grad.numpy().ravel()
        losses.append(loss.item())
        torch.nn.utils.clip_grad_norm_([P[n] for n, *_ in tensors], clip)
        optim.step()
    final = np.zeros_like(params)
    for name, rows, cols, toff, decay in tensors:
        final[toff:toff + rows * cols] = P[name].detach().numpy().ravel()
    return first, grads, losses, final


def write_fixture(out, magic, hdr, first, grads, losses, final):
    with open(out, "wb") as f:
        f.write(magic)
        f.write(struct.pack("<%di" % len(hdr), *hdr))
        for a in first[:-1]:
            f.write(a.numpy().astype("<f4").tobytes())
        f.write(np.array([first[-1]], dtype="<f4").tobytes())
        f.write(grads.astype("<f4").tobytes())
        f.write(np.array(losses, dtype="<f4").tobytes())
        f.write(final.astype("<f4").tobytes())
    print("%s: loss %.6f -> %.6f after %d steps" % (out, losses[0], losses[-1], NSTEP))


def input_of(binp):
    if not os.access(binp, os.X_OK):
        subprocess.run(["make", "-C", TOP, os.path.relpath(binp, TOP)],
                       check=True)
    tmp = tempfile.TemporaryDirectory()
    subprocess.run([binp, "--write-input", tmp.name], check=True)
    return tmp


def main_piv():
    with input_of(BIN + "_piv") as tmp:
        cfg, tensors, params, b = read_input_piv(tmp)
    bt = {k: torch.tensor(v, dtype=torch.long if k == "label" else None)
          for k, v in b.items()}

    def step(P):
        logits, ghost, piv = heads(P, trunk(P, cfg, bt["x"]))
        pv = piv.view(cfg["B"], -1, 3)
        # the pivot outputs as the C code gives them: P(H), price, distance
        pv = torch.cat([torch.sigmoid(pv[:, :, :1]), pv[:, :, 1:]], dim=2)
        return loss_piv(logits, ghost, piv, bt), (torch.softmax(logits, 1),
                                                   ghost, pv)
    first, grads, losses, final = train(tensors, params, b["opt"], step)
    write_fixture(OUT.replace(".bin", "_piv.bin"), b"CKGOLDP\0",
                  (cfg["W"], cfg["d"], cfg["L"], cfg["h"], cfg["B"],
                   len(params), cfg["ghost"], cfg["npiv"]),
                  first, grads, losses, final)


def main():
    torch.set_num_threads(1)
    if sys.argv[1:] == ["--piv"]:
        return main_piv()
    with input_of(BIN) as tmp:
        cfg, tensors, params, x, label, target, mask, cw, opt = read_input(tmp)
    xt, lt = torch.tensor(x), torch.tensor(label, dtype=torch.long)
    tt, mt, ct = torch.tensor(target), torch.tensor(mask), torch.tensor(cw)

    def step(P):
        logits, ghost = forward(P, cfg, xt)
        return loss_of(logits, ghost, lt, ct, tt, mt), (
            logits, torch.softmax(logits, 1), ghost)
    first, grads, losses, final = train(tensors, params, opt, step)
    write_fixture(OUT, b"CKGOLD1\0", (cfg["W"], cfg["d"], cfg["L"], cfg["h"],
                                      cfg["B"], len(params)),
                  first, grads, losses, final)


if __name__ == "__main__":
    sys.exit(main())
