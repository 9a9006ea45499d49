#!/usr/bin/env python3
"""Baseline for scripts/bench_csv.py: the same math as bptrace (docs/SPEC.md, "Conventions") for the
mazur-2015 preset in plain numpy, writing the same trace rows with Python's csv module.

usage: bench_numpy_reference.py STEPS OUT.csv
"""
import csv
import sys

import numpy as np

steps, out = int(sys.argv[1]), sys.argv[2]
x = np.array([[0.05, 0.10]])
t = np.array([[0.01, 0.99]])
W = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])]
b = [np.array([[0.35, 0.35]]), np.array([[0.60, 0.60]])]
eta = 0.5


def rows(w, step, layer, q, m, stage):
    m = np.atleast_2d(m)
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            w.writerow((step, layer, q, r + 1, c + 1, repr(float(m[r, c])), stage))


with open(out, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(("step", "layer", "quantity", "row", "col", "value", "stage"))
    for s in range(1, steps + 1):
        z1 = x @ W[0] + b[0]
        a1 = 1 / (1 + np.exp(-z1))
        z2 = a1 @ W[1] + b[1]
        a2 = 1 / (1 + np.exp(-z2))
        loss = 0.5 * np.sum((t - a2) ** 2)
        E = t - a2
        s1, s2 = a1 * (1 - a1), a2 * (1 - a2)
        d2 = (a2 - t) * s2
        err1 = d2 @ W[1].T
        d1 = err1 * s1
        g2, g1 = a1.T @ d2, x.T @ d1
        gb2, gb1 = d2.sum(axis=0, keepdims=True), d1.sum(axis=0, keepdims=True)
        W2n, W1n = W[1] - eta * g2, W[0] - eta * g1
        rows(w, s, 0, "x", x, 1); rows(w, s, 2, "y", t, 1)
        rows(w, s, 1, "W", W[0], 2); rows(w, s, 1, "b", b[0], 2); rows(w, s, 2, "W", W[1], 2); rows(w, s, 2, "b", b[1], 2)
        rows(w, s, 1, "z", z1, 3); rows(w, s, 1, "a", a1, 4); rows(w, s, 2, "z", z2, 5); rows(w, s, 2, "a", a2, 5)
        rows(w, s, 2, "E", E, 6); rows(w, s, 2, "loss", loss, 6)
        rows(w, s, 1, "slope", s1, 7); rows(w, s, 2, "slope", s2, 7); rows(w, s, 2, "delta", d2, 8)
        rows(w, s, 1, "err", err1, 9); rows(w, s, 1, "delta", d1, 10)
        rows(w, s, 1, "grad_W", g1, 11); rows(w, s, 1, "W_new", W1n, 11); rows(w, s, 2, "grad_W", g2, 11); rows(w, s, 2, "W_new", W2n, 11)
        rows(w, s, 1, "grad_b", gb1, 12); rows(w, s, 1, "b_new", b[0], 12); rows(w, s, 2, "grad_b", gb2, 12); rows(w, s, 2, "b_new", b[1], 12)
        W = [W1n, W2n]
