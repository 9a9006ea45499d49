#!/usr/bin/env python3
"""An independent, from-scratch implementation of bptrace's conventions (docs/SPEC.md, "Conventions").

It shares no code with bptrace: plain Python lists and loops written from docs/SPEC.md's text,
with numpy used for one thing only, the random draws of `init` (numpy's legacy MT19937
RandomState, which is what a spec's `"rng": "numpy"` means).

It reads a spec (docs/SPEC.md, inline data only), trains it for some steps and writes
every traced quantity of every step as a bptrace fixture (values addressed by the trace's
coordinates step, layer, quantity, row, col, plus a few post-style names), each value printed
with Python's repr (the shortest text that reads back to the same Float64).

The deeper-network fixtures were made once with

    bptrace presets --show tanh-relu-softmax > trs.json
    python3 scripts/independent_mlp.py trs.json --steps 3 --after \
        --fixture Fixtures/tanh-relu-softmax-independent.json
    python3 scripts/independent_mlp.py deep2.json --steps 4 --after \
        --fixture Fixtures/sigmoid-relu-softmax-immediate-independent.json

where deep2.json is the spec written inline in the second fixture (a 3-4-3-3 sigmoid-relu-softmax
net, normal init from numpy seed 11, one sample per step, fixed biases, immediate order).
Their numbers are committed; the Swift tests never run Python.

usage: independent_mlp.py SPEC.json [--steps N] [--after] [--fixture OUT.json] [--csv]
"""
import argparse
import json
import math
import sys

from independent_optim import STATE, Optimizer


# ---------------------------------------------------------------- random draws (numpy)

def draw_parameters(spec):
    """W(l) row-major then b(l), layer by layer (docs/SPEC.md, `init`)."""
    import numpy as np  # only here: the draws must be numpy's, bit for bit
    layers = spec["layers"]
    depth = len(layers) - 1
    bias = spec.get("bias", True)
    init = spec.get("init", {})
    dist = init.get("distribution", "uniform")
    rs = np.random.RandomState(init.get("seed", 0))
    given_w = spec.get("weights") or [None] * depth
    given_b = spec.get("biases") or [None] * depth
    weights, biases = [], []
    for l in range(1, depth + 1):
        n_in, n_out = layers[l - 1], layers[l]
        draw_biases = True
        if dist == "uniform":
            lo, hi = init.get("low", 0.0), init.get("high", 1.0)
            draw = lambda: float(rs.uniform(lo, hi))
        elif dist == "normal":
            mu, sd = init.get("mean", 0.0), init.get("std", 1.0)
            draw = lambda: float(rs.normal(mu, sd))
        elif dist == "xavier_uniform":
            r = math.sqrt(6.0 / (n_in + n_out))
            draw = lambda: float(rs.uniform(-r, r))
            draw_biases = False
        elif dist == "he_normal":
            s = math.sqrt(2.0 / n_in)
            draw = lambda: float(rs.normal(0.0, s))
            draw_biases = False
        else:
            raise SystemExit("unknown distribution " + dist)
        if given_w[l - 1] is not None:
            weights.append([[float(v) for v in row] for row in given_w[l - 1]])
        else:
            weights.append([[draw() for _ in range(n_out)] for _ in range(n_in)])
        if not bias:
            biases.append(None)
        elif given_b[l - 1] is not None:
            biases.append([float(v) for v in given_b[l - 1]])
        elif draw_biases:
            biases.append([draw() for _ in range(n_out)])
        else:
            biases.append([0.0] * n_out)
    return weights, biases


# ---------------------------------------------------------------- the formulas of docs/SPEC.md and docs/FORMULAS.md

def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def activate(name, z):
    """a = f(z) for a B x n list of rows."""
    if name == "sigmoid":
        return [[sigmoid(v) for v in row] for row in z]
    if name == "tanh":
        return [[math.tanh(v) for v in row] for row in z]
    if name == "relu":
        return [[v if v > 0 else 0.0 for v in row] for row in z]
    if name == "linear":
        return [list(row) for row in z]
    if name == "softmax":
        out = []
        for row in z:
            m = row[0]
            for v in row[1:]:
                if v > m:
                    m = v
            e = [math.exp(v - m) for v in row]
            s = 0.0
            for v in e:
                s += v
            out.append([v / s for v in e])
        return out
    raise SystemExit("unknown activation " + name)


def slope_of(name, z, a):
    """f'(z), from the activation where the tutorials do; None for softmax."""
    if name == "sigmoid":
        return [[v * (1.0 - v) for v in row] for row in a]
    if name == "tanh":
        return [[1.0 - v * v for v in row] for row in a]
    if name == "relu":
        return [[1.0 if v > 0 else 0.0 for v in row] for row in z]
    if name == "linear":
        return [[1.0 for _ in row] for row in z]
    return None


def loss_of(kind, o, t, out_act):
    B, n = len(o), len(o[0])
    s = 0.0
    if kind == "half_sse":
        for r in range(B):
            for c in range(n):
                d = t[r][c] - o[r][c]
                s += d * d
        return 0.5 * s
    if kind == "mse":
        for r in range(B):
            for c in range(n):
                d = t[r][c] - o[r][c]
                s += d * d
        return s / (B * n)
    if kind == "sum":
        for r in range(B):
            for c in range(n):
                s += o[r][c]
        return s
    if kind == "cross_entropy":
        for r in range(B):
            for c in range(n):
                if t[r][c] != 0:
                    s += t[r][c] * math.log(o[r][c])
                if out_act != "softmax" and 1.0 - t[r][c] != 0:
                    s += (1.0 - t[r][c]) * math.log(1.0 - o[r][c])
        return -s / B
    if kind == "hinge":
        # multiclass SVM, margin 1; the class of sample r is the index of the 1 in t[r]
        for r in range(B):
            y = t[r].index(1.0)
            for c in range(n):
                if c != y:
                    s += max(0.0, o[r][c] - o[r][y] + 1.0)
        return s / B
    raise SystemExit("unknown loss " + kind)


def matmul(a, b):
    """a . b, each element summed left to right over the inner index."""
    rows, inner, cols = len(a), len(b), len(b[0])
    out = []
    for r in range(rows):
        row = []
        for c in range(cols):
            s = 0.0
            for k in range(inner):
                s += a[r][k] * b[k][c]
            row.append(s)
        out.append(row)
    return out


def transpose(m):
    return [list(col) for col in zip(*m)]


def batch_rows(spec, step, count):
    batch = spec.get("batch", "full")
    if batch == "full":
        return list(range(count))
    if batch == "sample":
        return [(step - 1) % count]
    k = int(batch)
    return [((step - 1) * k + j) % count for j in range(k)]


def train_step(spec, step, W, b, opt=None):
    """One step as docs/SPEC.md ("Conventions") defines it. Returns (blocks, W_new, b_new); blocks maps
    (layer, quantity) to a list of rows."""
    layers = spec["layers"]
    L = len(layers) - 1
    acts = spec.get("activations") or ["sigmoid"] * L
    kind = spec.get("loss", "half_sse")
    eta = float(spec["learning_rate"])
    lam = float(spec.get("l2", 0.0))
    has_bias = spec.get("bias", True)
    train_bias = spec.get("update_biases", True)
    immediate = spec.get("update", "simultaneous") == "immediate"
    opt = opt or Optimizer(spec)
    X, T = spec["data"]["inputs"], spec["data"]["targets"]
    idx = batch_rows(spec, step, len(X))
    x = [[float(v) for v in X[i]] for i in idx]
    t = [[float(v) for v in T[i]] for i in idx]
    B = len(x)
    blocks = {(0, "x"): x, (L, "y"): t}

    a = {0: x}
    z = {}
    for l in range(1, L + 1):
        blocks[(l, "W")] = W[l - 1]
        if has_bias:
            blocks[(l, "b")] = [b[l - 1]]
        zl = matmul(a[l - 1], W[l - 1])
        if has_bias:
            zl = [[zl[r][c] + b[l - 1][c] for c in range(len(zl[0]))] for r in range(B)]
        z[l] = zl
        a[l] = activate(acts[l - 1], zl)
        blocks[(l, "z")] = zl
        blocks[(l, "a")] = a[l]
    o = a[L]
    nL = len(o[0])
    loss = loss_of(kind, o, t, acts[L - 1])
    blocks[(L, "loss")] = [[loss]]
    if lam > 0:
        sq = 0.0
        for l in range(1, L + 1):
            for row in W[l - 1]:
                for w in row:
                    sq += w * w
        blocks[(L, "cost")] = [[loss + lam / 2 * sq]]
    blocks[(L, "E")] = [[t[r][c] - o[r][c] for c in range(nL)] for r in range(B)]

    slope = {}
    for l in range(1, L + 1):
        slope[l] = slope_of(acts[l - 1], z[l], a[l])
        if slope[l] is not None:
            blocks[(l, "slope")] = slope[l]

    delta = {}
    if kind == "half_sse":
        delta[L] = [[(o[r][c] - t[r][c]) * slope[L][r][c] for c in range(nL)] for r in range(B)]
    elif kind == "mse":
        delta[L] = [[2.0 * (o[r][c] - t[r][c]) / (B * nL) * slope[L][r][c] for c in range(nL)] for r in range(B)]
    elif kind == "cross_entropy":
        delta[L] = [[(o[r][c] - t[r][c]) / B for c in range(nL)] for r in range(B)]
    elif kind == "hinge":
        delta[L] = []
        for r in range(B):
            y = t[r].index(1.0)
            g = [1.0 if c != y and o[r][c] - o[r][y] + 1.0 > 0 else 0.0 for c in range(nL)]
            g[y] = -sum(g)
            delta[L].append([g[c] / B * slope[L][r][c] for c in range(nL)])
    else:  # sum
        delta[L] = [list(row) for row in slope[L]]

    W_new, b_new = [None] * L, [None] * L
    for l in range(L, 0, -1):
        g = matmul(transpose(a[l - 1]), delta[l])
        if lam > 0:
            g = [[g[i][j] + lam * W[l - 1][i][j] for j in range(len(g[0]))] for i in range(len(g))]
        W_new[l - 1], traced = opt.update(l, "W", W[l - 1], g, step)   # P_new = P - eta*g under sgd
        for q, m in traced.items():
            blocks[(l, q)] = m
        blocks[(l, "delta")] = delta[l]
        blocks[(l, "grad_W")] = g
        blocks[(l, "W_new")] = W_new[l - 1]
        if has_bias:
            gb = []
            for c in range(len(delta[l][0])):
                s = 0.0
                for r in range(B):
                    s += delta[l][r][c]
                gb.append(s)
            b_new[l - 1] = list(b[l - 1])
            if train_bias:
                rows, traced = opt.update(l, "b", [b[l - 1]], [gb], step)
                b_new[l - 1] = rows[0]
                for q, m in traced.items():
                    blocks[(l, q)] = m
            blocks[(l, "grad_b")] = [gb]
            blocks[(l, "b_new")] = [b_new[l - 1]]
        if l > 1:
            through = W_new[l - 1] if immediate else W[l - 1]
            err = matmul(delta[l], transpose(through))
            delta[l - 1] = [[err[r][c] * slope[l - 1][r][c] for c in range(len(err[0]))] for r in range(B)]
            blocks[(l - 1, "err")] = err
    return blocks, W_new, b_new


ORDER = ["x", "y", "W", "b", "z", "a", "loss", "cost", "E", "slope", "delta", "err",
         "grad_W", "grad_b", "W_new", "b_new"] + STATE


def run(spec, steps):
    W, b = draw_parameters(spec)
    opt = Optimizer(spec)
    out = []
    for s in range(1, steps + 1):
        blocks, W, b = train_step(spec, s, W, b, opt)
        out.append(blocks)
    return out


def weight_number(layers, l, i, j):
    """The post's numbering: layer by layer; within a layer, for each target j its sources i."""
    offset = sum(layers[k - 1] * layers[k] for k in range(1, l))
    return offset + j * layers[l - 1] + i + 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--after", action="store_true",
                    help="also record loss and outputs of one more step (the values after the last update)")
    ap.add_argument("--fixture", help="write a bptrace fixture here")
    ap.add_argument("--csv", action="store_true", help="print the trace as CSV (step,layer,quantity,row,col,value)")
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    total = args.steps + (1 if args.after else 0)
    trace = run(spec, total)
    layers = spec["layers"]
    L = len(layers) - 1

    values = []
    for s, blocks in enumerate(trace, start=1):
        wanted = ORDER if s <= args.steps else ["loss", "cost", "a"]
        for q in wanted:
            for l in range(0, L + 1):
                m = blocks.get((l, q))
                if m is None or (s > args.steps and q == "a" and l != L):
                    continue
                for r, row in enumerate(m, start=1):
                    for c, v in enumerate(row, start=1):
                        values.append({"step": s, "layer": l, "quantity": q, "row": r, "col": c, "value": repr(v)})
    # A few post-style names, mapped here from the trace's coordinates on our own.
    first = trace[0]
    names = [("E_total", first[(L, "loss")][0][0])]
    if L == 3:
        B = len(first[(0, "x")])
        r = B - 1                                   # the last sample of the first batch
        sel = "[%d]" % B if B > 1 else ""
        n1, n2, n3 = layers[1], layers[2], layers[3]
        names += [("net_h1_1" + sel, first[(1, "z")][r][0]),
                  ("out_h2_%d%s" % (n2, sel), first[(2, "a")][r][n2 - 1]),
                  ("out_o%d%s" % (n3, sel), first[(3, "a")][r][n3 - 1]),
                  ("dE_total/dnet_o1" + sel, first[(3, "delta")][r][0]),
                  ("dE_total/dout_h1_%d%s" % (n1, sel), first[(1, "err")][r][n1 - 1]),
                  ("dE_total/dnet_h2_1" + sel, first[(2, "delta")][r][0]),
                  ("dE_total/dw%d" % weight_number(layers, 1, 1, 2), first[(1, "grad_W")][1][2]),
                  ("w%d+" % weight_number(layers, 2, n1 - 1, 1), first[(2, "W_new")][n1 - 1][1]),
                  ("w%d+" % weight_number(layers, 3, n2 - 1, 2), first[(3, "W_new")][n2 - 1][2])]
        if spec.get("l2", 0) > 0:
            names.append(("cost", first[(L, "cost")][0][0]))
    named = [{"name": n, "value": repr(v)} for n, v in names]

    if args.csv:
        print("step,layer,quantity,row,col,value")
        for v in values:
            print("%d,%d,%s,%d,%d,%s" % (v["step"], v["layer"], v["quantity"], v["row"], v["col"], v["value"]))
    if args.fixture:
        fixture = {
            "title": "%s: %d steps recomputed by an independent implementation" % (spec.get("name", "network"), args.steps),
            "source": {
                "title": "scripts/independent_mlp.py, a from-scratch plain-Python implementation of docs/SPEC.md (Conventions)",
                "author": "bptrace project",
                "year": 2026,
                "url": "scripts/independent_mlp.py",
            },
            "note": ("Every value printed with Python's repr. bptrace's conventions (docs/SPEC.md) allow implementations that differ "
                     "only in the last digits (they agree within 1e-9 relative), so the fixture's tolerance is 1e-12 "
                     "absolute instead of half a unit in the 17th digit."),
            "tolerance": "1e-12",
            "spec": spec,
            "values": named + values,
        }
        with open(args.fixture, "w", encoding="utf-8") as f:
            write_fixture(f, fixture)
        print("wrote %s (%d values)" % (args.fixture, len(named) + len(values)), file=sys.stderr)


def write_fixture(f, fixture):
    """JSON with one value per line, so the file diffs well."""
    f.write("{\n")
    keys = [k for k in fixture if k != "values"]
    for k in keys:
        f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(fixture[k], separators=(", ", ": "))))
    f.write('  "values": [\n')
    vals = fixture["values"]
    for i, v in enumerate(vals):
        f.write("    " + json.dumps(v, separators=(", ", ": ")) + ("," if i + 1 < len(vals) else "") + "\n")
    f.write("  ]\n}\n")


if __name__ == "__main__":
    main()
