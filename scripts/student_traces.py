#!/usr/bin/env python3
"""Writes student traces for a spec, as a student would hand them in: clean, or with one of the
classic backprop bugs, two bugs in different layers, or a slip (one value mistyped in step 1).

It is written apart from bptrace: it reuses scripts/independent_mlp.py (plain Python from
docs/SPEC.md's text) for the network's pieces, and implements each bug here from its one-line
description in issue 12 / docs/CHECKING.md, not from the engine's bug-model code.

Rounding: values are written to D decimals (--decimals). --style written computes in full
precision and rounds only when writing (as numpy code prints it); --style carried rounds every
value as soon as it is computed and computes later values from the rounded ones (as by hand).

usage: student_traces.py SPEC.json [--steps N] [--decimals D] [--style written|carried]
           [--bug NAME[@LAYER]]... [--slip] [--quantities q1,q2,...] [--out FILE.csv]
       student_traces.py --suite SPEC_DIR OUT_DIR    (the tests' traces and their manifest.csv)

The test suite (Tests/StudentTraces) was made with
    python3 scripts/student_traces.py --suite Tests/StudentTraces Tests/StudentTraces
plus slip.csv (mazur-2015, --steps 3 --decimals 6 --slip) and two-bugs.csv (mazur-2015,
--bug slope_from_net@1 --bug update_sign@2 --decimals 6); the Swift tests never run Python.

Bugs (spellings of issue 12): slope_from_net, slope_missing, slope_twice, weights_not_transposed,
update_sign, lr_twice, sse_without_half, batch_mean, bias_grad_first_sample, softmax_extra_slope,
bias_missing_in_forward. NAME@L limits a bug to layer L (where it is a per-layer mistake).
The spec must have inline data (`bptrace presets --show NAME` prints one).
"""
import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from independent_mlp import (ORDER, activate, batch_rows, draw_parameters, loss_of, matmul,  # noqa: E402
                             sigmoid, slope_of, transpose)
from independent_optim import Optimizer  # noqa: E402

BUGS = ["slope_from_net", "slope_missing", "slope_twice", "weights_not_transposed", "update_sign", "lr_twice",
        "sse_without_half", "batch_mean", "bias_grad_first_sample", "softmax_extra_slope", "bias_missing_in_forward"]


class Bugs:
    """Which bugs are on, and in which layers (None: every layer)."""

    def __init__(self, specs):
        self.on = {}
        for s in specs:
            name, _, layer = s.partition("@")
            if name not in BUGS:
                raise SystemExit("unknown bug %r (known: %s)" % (name, ", ".join(BUGS)))
            self.on.setdefault(name, set()).add(int(layer) if layer else None)

    def __call__(self, name, layer=None):
        layers = self.on.get(name)
        if layers is None:
            return False
        return None in layers or layer in layers


def rounder(decimals, carried):
    def r(m):
        if not carried:
            return m
        return [[round(v, decimals) for v in row] for row in m]
    return r


def wrong_slope(name, z, a, bug):
    """The slope a buggy student computes (slope_from_net: f' applied to z; slope_twice: to f(a))."""
    if bug == "slope_from_net":
        if name == "sigmoid":
            return [[v * (1.0 - v) for v in row] for row in z]
        if name == "tanh":
            return [[1.0 - v * v for v in row] for row in z]
    if bug == "slope_twice":
        if name == "sigmoid":
            return [[sigmoid(v) * (1.0 - sigmoid(v)) for v in row] for row in a]
        if name == "tanh":
            return [[1.0 - math.tanh(v) ** 2 for v in row] for row in a]
    return slope_of(name, z, a)


def student_step(spec, step, W, b, opt, bugs, R, slip):
    """One step as the student computes it. Returns (blocks, W_new, b_new)."""
    layers = spec["layers"]
    L = len(layers) - 1
    acts = spec.get("activations") or ["sigmoid"] * L
    kind = spec.get("loss", "half_sse")
    eta = float(spec["learning_rate"])
    lam = float(spec.get("l2", 0.0))
    has_bias = spec.get("bias", True)
    train_bias = spec.get("update_biases", True)
    immediate = spec.get("update", "simultaneous") == "immediate"
    X, T = spec["data"]["inputs"], spec["data"]["targets"]
    idx = batch_rows(spec, step, len(X))
    x = [[float(v) for v in X[i]] for i in idx]
    t = [[float(v) for v in T[i]] for i in idx]
    B = len(x)
    blocks = {(0, "x"): x, (L, "y"): t}

    a, z = {0: x}, {}
    for l in range(1, L + 1):
        blocks[(l, "W")] = W[l - 1]
        if has_bias:
            blocks[(l, "b")] = [b[l - 1]]
        zl = matmul(a[l - 1], W[l - 1])
        if has_bias and not bugs("bias_missing_in_forward", l):
            zl = [[zl[r][c] + b[l - 1][c] for c in range(len(zl[0]))] for r in range(B)]
        z[l] = R(zl)
        al = activate(acts[l - 1], z[l])
        if slip and step == 1 and l == 1:
            al[0][0] += 0.01                      # the slip: one value mistyped, then used
        a[l] = R(al)
        blocks[(l, "z")], blocks[(l, "a")] = z[l], a[l]
    o = a[L]
    nL = len(o[0])
    loss = loss_of(kind, o, t, acts[L - 1])
    if kind == "half_sse" and bugs("sse_without_half"):
        loss *= 2.0
    if bugs("batch_mean") and kind in ("half_sse", "sum"):
        loss /= B
    blocks[(L, "loss")] = R([[loss]])
    if lam > 0:
        sq = sum(w * w for l in range(L) for row in W[l] for w in row)
        blocks[(L, "cost")] = R([[blocks[(L, "loss")][0][0] + lam / 2 * sq]])
    blocks[(L, "E")] = R([[t[r][c] - o[r][c] for c in range(nL)] for r in range(B)])

    slope = {}
    for l in range(1, L + 1):
        bug = "slope_from_net" if bugs("slope_from_net", l) else "slope_twice" if bugs("slope_twice", l) else None
        s = wrong_slope(acts[l - 1], z[l], a[l], bug)
        slope[l] = R(s) if s is not None else None
        if s is not None:
            blocks[(l, "slope")] = slope[l]

    # delta(L) = dL/dz(L)
    no_slope = bugs("slope_missing", L)
    if kind == "half_sse":
        k = 2.0 if bugs("sse_without_half") else 1.0
        dL = [[k * (o[r][c] - t[r][c]) for c in range(nL)] for r in range(B)]
    elif kind == "mse":
        dL = [[2.0 * (o[r][c] - t[r][c]) / (B * nL) for c in range(nL)] for r in range(B)]
    elif kind == "cross_entropy":
        dL = [[(o[r][c] - t[r][c]) / B for c in range(nL)] for r in range(B)]
    else:
        raise SystemExit("student_traces.py writes half_sse, mse and cross_entropy nets only")
    if bugs("batch_mean") and kind == "half_sse":
        dL = [[v / B for v in row] for row in dL]
    if slope[L] is not None and not no_slope:
        dL = [[dL[r][c] * slope[L][r][c] for c in range(nL)] for r in range(B)]
    if acts[L - 1] == "softmax" and bugs("softmax_extra_slope"):
        dL = [[dL[r][c] * o[r][c] * (1.0 - o[r][c]) for c in range(nL)] for r in range(B)]
    delta = {L: R(dL)}

    W_new, b_new = [None] * L, [None] * L

    def update(l, which, P, g):
        if bugs("update_sign", l) or bugs("lr_twice", l):
            if opt.name != "sgd":
                raise SystemExit("update_sign and lr_twice are written for sgd only")
            k = eta * eta if bugs("lr_twice", l) else -eta
            return [[P[i][j] - k * g[i][j] for j in range(len(P[0]))] for i in range(len(P))], {}
        return opt.update(l, which, P, g, step)

    for l in range(L, 0, -1):
        g = matmul(transpose(a[l - 1]), delta[l])
        if lam > 0:
            g = [[g[i][j] + lam * W[l - 1][i][j] for j in range(len(g[0]))] for i in range(len(g))]
        g = R(g)
        new, traced = update(l, "W", W[l - 1], g)
        W_new[l - 1] = R(new)
        for q, m in traced.items():
            blocks[(l, q)] = R(m)
        blocks[(l, "delta")], blocks[(l, "grad_W")], blocks[(l, "W_new")] = delta[l], g, W_new[l - 1]
        if has_bias:
            if bugs("bias_grad_first_sample", l):
                gb = list(delta[l][0])
            else:
                gb = [sum(delta[l][r][c] for r in range(B)) for c in range(len(delta[l][0]))]
            gb = R([gb])[0]
            b_new[l - 1] = list(b[l - 1])
            if train_bias:
                rows, traced = update(l, "b", [b[l - 1]], [gb])
                b_new[l - 1] = R(rows)[0]
                for q, m in traced.items():
                    blocks[(l, q)] = R(m)
            blocks[(l, "grad_b")], blocks[(l, "b_new")] = [gb], [b_new[l - 1]]
        if l > 1:
            through = W_new[l - 1] if immediate else W[l - 1]
            n_prev, n_here = len(through), len(through[0])
            if bugs("weights_not_transposed", l - 1) and n_prev == n_here:
                err = matmul(delta[l], through)            # delta(l)·W(l) instead of W(l)ᵀ
            else:
                err = matmul(delta[l], transpose(through))
            err = R(err)
            blocks[(l - 1, "err")] = err
            if slope[l - 1] is None or bugs("slope_missing", l - 1):
                delta[l - 1] = err
            else:
                delta[l - 1] = R([[err[r][c] * slope[l - 1][r][c] for c in range(len(err[0]))] for r in range(B)])
    return blocks, W_new, b_new


def fmt(v, decimals):
    s = "%.*f" % (decimals, v)
    return "0." + "0" * decimals if s.startswith("-") and float(s) == 0 else s


def trace(spec, steps, decimals, style, bugs, slip, quantities):
    R = rounder(decimals, style == "carried")
    W, b = draw_parameters(spec)
    W = [R(m) for m in W]
    b = [R([v])[0] for v in b] if b else b
    opt = Optimizer(spec)
    L = len(spec["layers"]) - 1
    lines = ["step,layer,quantity,row,col,value"]
    for s in range(1, steps + 1):
        blocks, W, b = student_step(spec, s, W, b, opt, bugs, R, slip)
        for q in ORDER:
            if quantities and q not in quantities:
                continue
            for l in range(0, L + 1):
                m = blocks.get((l, q))
                if m is None:
                    continue
                for r, row in enumerate(m, start=1):
                    for c, v in enumerate(row, start=1):
                        lines.append("%d,%d,%s,%d,%d,%s" % (s, l, q, r, c, fmt(v, decimals)))
    return "\n".join(lines) + "\n"


# The quantities each bug changes first, in stage order: the first of them a trace holds is where
# the diagnosis must put the root cause.
FIRST_CHANGED = {
    "slope_from_net": ["slope", "delta"], "slope_twice": ["slope", "delta"], "slope_missing": ["delta"],
    "weights_not_transposed": ["err", "delta"], "update_sign": ["W_new"], "lr_twice": ["W_new"],
    "sse_without_half": ["loss", "delta"], "batch_mean": ["loss", "delta"], "bias_grad_first_sample": ["grad_b", "b_new"],
    "softmax_extra_slope": ["delta"], "bias_missing_in_forward": ["z", "a"],
}
# Which bugs each suite network shows at step 1 (the others change nothing on it).
SUITE = {
    "mazur-2015": ["slope_from_net", "slope_missing", "slope_twice", "weights_not_transposed", "update_sign", "lr_twice",
                   "sse_without_half", "bias_missing_in_forward"],
    "deep": ["slope_from_net", "slope_missing", "slope_twice", "weights_not_transposed", "update_sign", "lr_twice",
             "sse_without_half", "batch_mean", "bias_grad_first_sample", "bias_missing_in_forward"],
    "xor": ["batch_mean", "bias_grad_first_sample", "slope_missing"],
    "tanh-relu-softmax": ["softmax_extra_slope"],
}
PARTIAL = ["W", "a", "delta", "grad_W", "W_new", "b_new"]


def suite(spec_dir, out_dir):
    """The test suite's traces (Tests/StudentTraces): clean ones in both rounding styles and one
    per bug, network, decimals and completeness, with manifest.csv saying what each must give."""
    rows = ["file,spec,kind,decimals,style,expected_quantity"]
    for name in ["mazur-2015", "deep", "xor", "tanh-relu-softmax"]:
        with open(os.path.join(spec_dir, name + ".json"), encoding="utf-8") as f:
            spec = json.load(f)
        for d in (4, 6, 9):
            for style in ("written", "carried"):
                fn = "clean-%s-%d-%s.csv" % (name, d, style)
                with open(os.path.join(out_dir, fn), "w", encoding="utf-8") as f:
                    f.write(trace(spec, 2, d, style, Bugs([]), False, None))
                rows.append("%s,%s,clean,%d,%s," % (fn, name, d, style))
            for bug in SUITE[name]:
                for part in ("complete", "partial"):
                    q = set(PARTIAL) if part == "partial" else None
                    style = "carried" if d == 4 else "written"
                    fn = "%s-%s-%d-%s.csv" % (bug, name, d, part)
                    with open(os.path.join(out_dir, fn), "w", encoding="utf-8") as f:
                        f.write(trace(spec, 1, d, style, Bugs([bug]), False, q))
                    first = [x for x in FIRST_CHANGED[bug] if q is None or x in q][0]
                    rows.append("%s,%s,%s,%d,%s,%s" % (fn, name, bug, d, style, first))
    with open(os.path.join(out_dir, "manifest.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--suite":
        suite(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--decimals", type=int, default=4)
    ap.add_argument("--style", choices=["written", "carried"], default="written")
    ap.add_argument("--bug", action="append", default=[], help="NAME or NAME@LAYER (repeat for two bugs)")
    ap.add_argument("--slip", action="store_true", help="mistype a(1)[1,1] of step 1 by +0.01 and carry on with it")
    ap.add_argument("--quantities", help="only these quantities, comma-separated (W,z,a,delta,W_new...)")
    ap.add_argument("--out", help="write here instead of standard output")
    args = ap.parse_args()
    with open(args.spec, encoding="utf-8") as f:
        spec = json.load(f)
    quantities = set(args.quantities.split(",")) if args.quantities else None
    text = trace(spec, args.steps, args.decimals, args.style, Bugs(args.bug), args.slip, quantities)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
