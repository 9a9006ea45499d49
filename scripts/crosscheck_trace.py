#!/usr/bin/env python3
"""Independent cross-check of a bptrace CSV trace against bptrace's conventions (docs/SPEC.md).

Reads the trace with Python's csv module and with pandas, then recomputes every quantity of
every step from that step's own x, y, W and b with a from-scratch, plain-Python implementation
of docs/SPEC.md ("Conventions"), and compares (relative 1e-9, absolute 1e-12). Also checks the schema
(columns, quantities present per step and layer), the batch rule against the spec's data, and
that W_new/b_new of step s equal W/b of step s+1 exactly.

usage: crosscheck_trace.py SPEC.json TRACE.csv   (exit 0 when every check holds)
"""
import csv
import json
import math
import sys
from collections import defaultdict

REQUIRED = ["step", "layer", "quantity", "row", "col", "value"]


def fail(msg):
    print("crosscheck: FAIL: " + msg)
    sys.exit(1)


def load_trace(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header[:6] != REQUIRED:
            fail(f"header starts {header[:6]}, expected {REQUIRED}")
        blocks = defaultdict(dict)
        n = 0
        for row in reader:
            n += 1
            step, layer, q, r, c, v = row[:6]
            value = float(v)
            if not math.isfinite(value) or digits(v) > digits(repr(value)):
                # the shortest round-trip decimal (as Python's repr) is what docs/SPEC.md asks for
                fail(f"value {v!r} is not the shortest round-trip decimal ({repr(value)})")
            blocks[(int(step), int(layer), q)][(int(r), int(c))] = value
    return header, blocks, n


def digits(text):
    """Significant digits of a decimal: '0.3775' -> 4, '1e-05' -> 1, '100.0' -> 1."""
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0").rstrip("0")
    return max(1, len(mantissa))


def matrix(cells):
    rows = max(r for r, _ in cells)
    cols = max(c for _, c in cells)
    return [[cells[(r, c)] for c in range(1, cols + 1)] for r in range(1, rows + 1)]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b)) + 1e-12


def act(f, z):
    if f == "sigmoid":
        return [[1 / (1 + math.exp(-v)) for v in row] for row in z]
    if f == "tanh":
        return [[math.tanh(v) for v in row] for row in z]
    if f == "relu":
        return [[v if v > 0 else 0.0 for v in row] for row in z]
    if f == "linear":
        return [row[:] for row in z]
    out = []
    for row in z:
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = sum(e)
        out.append([v / s for v in e])
    return out


def slope(f, z, a):
    if f == "sigmoid":
        return [[v * (1 - v) for v in row] for row in a]
    if f == "tanh":
        return [[1 - v * v for v in row] for row in a]
    if f == "relu":
        return [[1.0 if v > 0 else 0.0 for v in row] for row in z]
    if f == "linear":
        return [[1.0 for v in row] for row in z]
    return None


def mm(a, b):
    return [[sum(a[r][k] * b[k][c] for k in range(len(b))) for c in range(len(b[0]))] for r in range(len(a))]


def transpose(a):
    return [list(col) for col in zip(*a)]


def main():
    spec = json.load(open(sys.argv[1]))
    header, blocks, nrows = load_trace(sys.argv[2])
    try:
        import pandas as pd
    except ImportError:
        fail("pandas is not installed (pip install pandas)")
    df = pd.read_csv(sys.argv[2])
    if len(df) != nrows or list(df.columns[:6]) != REQUIRED or str(df["value"].dtype) != "float64":
        fail(f"pandas reads {len(df)} rows, columns {list(df.columns)}, value dtype {df['value'].dtype}")

    layers = spec["layers"]
    L = len(layers) - 1
    acts = spec.get("activations", ["sigmoid"] * L)
    loss_name = spec.get("loss", "half_sse")
    eta = spec["learning_rate"]
    lam = spec.get("l2", 0)
    bias = spec.get("bias", True)
    upd_b = spec.get("update_biases", True)
    immediate = spec.get("update", "simultaneous") == "immediate"
    batch = spec.get("batch", "full")
    data = spec["data"]
    steps = sorted({k[0] for k in blocks})
    if steps != list(range(1, len(steps) + 1)):
        fail(f"steps are not 1..N: {steps[:5]}...")
    checked = 0

    def get(step, layer, q):
        key = (step, layer, q)
        if key not in blocks:
            fail(f"step {step}: quantity {q} of layer {layer} is missing")
        return matrix(blocks[key])

    def compare(step, layer, q, want):
        nonlocal checked
        got = get(step, layer, q)
        for r, (gr, wr) in enumerate(zip(got, want)):
            for c, (g, w) in enumerate(zip(gr, wr)):
                if not close(g, w):
                    fail(f"step {step} layer {layer} {q}[{r + 1},{c + 1}]: trace {g!r}, recomputed {w!r}")
                checked += 1
        if len(got) != len(want) or len(got[0]) != len(want[0]):
            fail(f"step {step} layer {layer} {q}: shape {len(got)}x{len(got[0])}, expected {len(want)}x{len(want[0])}")

    for s in steps:
        expected = {(0, "x"), (L, "y"), (L, "E"), (L, "loss"), (L, "delta")}
        for l in range(1, L + 1):
            expected |= {(l, "W"), (l, "z"), (l, "a"), (l, "delta"), (l, "grad_W"), (l, "W_new")}
            if bias:
                expected |= {(l, "b"), (l, "grad_b"), (l, "b_new")}
            if acts[l - 1] != "softmax":
                expected.add((l, "slope"))
            if l < L:
                expected.add((l, "err"))
        if lam > 0:
            expected.add((L, "cost"))
        present = {(k[1], k[2]) for k in blocks if k[0] == s}
        if not expected <= present:
            fail(f"step {s}: missing quantities {sorted(expected - present)}")

        x, t = get(s, 0, "x"), get(s, L, "y")
        if "inputs" in data and "csv" not in data:
            n = len(data["inputs"])
            if batch == "full":
                idx = list(range(n))
            elif batch == "sample":
                idx = [(s - 1) % n]
            else:
                idx = [((s - 1) * batch + j) % n for j in range(batch)]
            if x != [[float(v) for v in data["inputs"][i]] for i in idx] or t != [[float(v) for v in data["targets"][i]] for i in idx]:
                fail(f"step {s}: x/y are not the samples {idx} of the spec's data")
        B = len(x)
        W = {l: get(s, l, "W") for l in range(1, L + 1)}
        b = {l: get(s, l, "b")[0] for l in range(1, L + 1)} if bias else None
        a = {0: x}
        z = {}
        for l in range(1, L + 1):
            zl = mm(a[l - 1], W[l])
            if bias:
                zl = [[v + b[l][c] for c, v in enumerate(row)] for row in zl]
            z[l] = zl
            a[l] = act(acts[l - 1], zl)
            compare(s, l, "z", z[l])
            compare(s, l, "a", a[l])
        o = a[L]
        pairs = [(tv, ov) for tr, orow in zip(t, o) for tv, ov in zip(tr, orow)]
        if loss_name == "half_sse":
            loss = 0.5 * sum((tv - ov) ** 2 for tv, ov in pairs)
        elif loss_name == "mse":
            loss = sum((tv - ov) ** 2 for tv, ov in pairs) / len(pairs)
        elif loss_name == "sum":
            loss = sum(ov for _, ov in pairs)
        elif loss_name == "hinge":
            # multiclass SVM, margin 1: the class of a sample is the index of its target's 1
            loss = 0.0
            for tr, orow in zip(t, o):
                y = tr.index(1.0)
                loss += sum(max(0.0, ov - orow[y] + 1) for j, ov in enumerate(orow) if j != y)
            loss = loss / B
        else:
            tot = 0.0
            for tv, ov in pairs:
                if tv != 0:
                    tot += tv * math.log(ov)
                if acts[-1] == "sigmoid" and tv != 1:
                    tot += (1 - tv) * math.log(1 - ov)
            loss = -tot / B
        compare(s, L, "loss", [[loss]])
        if lam > 0:
            compare(s, L, "cost", [[loss + lam / 2 * sum(w * w for l in W for row in W[l] for w in row)]])
        compare(s, L, "E", [[tv - ov for tv, ov in zip(tr, orow)] for tr, orow in zip(t, o)])
        sl = {l: slope(acts[l - 1], z[l], a[l]) for l in range(1, L + 1)}
        for l in sl:
            if sl[l] is not None:
                compare(s, l, "slope", sl[l])
        nL = layers[-1]
        if loss_name == "half_sse":
            d = [[(ov - tv) * sv for ov, tv, sv in zip(orow, tr, srow)] for orow, tr, srow in zip(o, t, sl[L])]
        elif loss_name == "mse":
            d = [[2 * (ov - tv) / (B * nL) * sv for ov, tv, sv in zip(orow, tr, srow)] for orow, tr, srow in zip(o, t, sl[L])]
        elif loss_name == "cross_entropy":
            d = [[(ov - tv) / B for ov, tv in zip(orow, tr)] for orow, tr in zip(o, t)]
        elif loss_name == "hinge":
            d = []
            for tr, orow, srow in zip(t, o, sl[L]):
                y = tr.index(1.0)
                g = [1.0 if j != y and ov - orow[y] + 1 > 0 else 0.0 for j, ov in enumerate(orow)]
                g[y] = -sum(g)
                d.append([gv / B * sv for gv, sv in zip(g, srow)])
        else:
            d = sl[L]
        delta = {L: d}
        for l in range(L, 0, -1):
            compare(s, l, "delta", delta[l])
            g = mm(transpose(a[l - 1]), delta[l])
            g = [[gv + lam * wv for gv, wv in zip(gr, wr)] for gr, wr in zip(g, W[l])]
            compare(s, l, "grad_W", g)
            W_new = [[wv - eta * gv for wv, gv in zip(wr, gr)] for wr, gr in zip(W[l], g)]
            compare(s, l, "W_new", W_new)
            if bias:
                gb = [sum(delta[l][r][c] for r in range(B)) for c in range(layers[l])]
                compare(s, l, "grad_b", [gb])
                compare(s, l, "b_new", [[bv - eta * gv for bv, gv in zip(b[l], gb)] if upd_b else b[l]])
            if l > 1:
                through = W_new if immediate else W[l]
                err = mm(delta[l], transpose(through))
                compare(s, l - 1, "err", err)
                delta[l - 1] = [[ev * sv for ev, sv in zip(er, sr)] for er, sr in zip(err, sl[l - 1])]
        if s + 1 in steps:
            for l in range(1, L + 1):
                if blocks[(s, l, "W_new")] != blocks[(s + 1, l, "W")]:
                    fail(f"W_new({l}) of step {s} differs from W({l}) of step {s + 1}")
                if bias and blocks[(s, l, "b_new")] != blocks[(s + 1, l, "b")]:
                    fail(f"b_new({l}) of step {s} differs from b({l}) of step {s + 1}")
    print(f"crosscheck: OK: {len(steps)} steps, {nrows} rows, {checked} values recomputed")


if __name__ == "__main__":
    main()
