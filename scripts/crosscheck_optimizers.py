#!/usr/bin/env python3
"""Cross-checks bptrace's optimizer traces against scripts/independent_optim.py (via
scripts/independent_mlp.py), a from-scratch plain-Python reading of docs/SPEC.md, "Optimizers".

For every optimizer (defaults and non-default hyper-parameters) crossed with batch modes, l2,
bias: false, update_biases: false and update: immediate, it runs `bptrace run --format csv`,
recomputes every quantity of every step independently, and requires the same set of cells
(state included) with values equal to 1e-9 relative (1e-15 absolute near 0). Also checks the
hand-checkable first Adam step: every weight moves by eta*g/(|g| + eps), about eta*sign(g).

usage: crosscheck_optimizers.py [BPTRACE]   (default .build/debug/bptrace; ends "N passed, M failed")
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from independent_mlp import run  # noqa: E402

OPTIMIZERS = ["sgd", "momentum", {"name": "nesterov", "momentum": 0.7}, {"name": "rmsprop", "rho": 0.8, "eps": 1e-6},
              "rmsprop", "adam", {"name": "adam", "beta1": 0.5, "beta2": 0.6, "eps": 1e-4},
              {"name": "adamw", "weight_decay": 0.1}, {"name": "adamw", "weight_decay": 0.2, "decay_biases": True}]
VARIANTS = [{}, {"batch": "sample"}, {"batch": 2, "l2": 0.05}, {"bias": False}, {"update_biases": False},
            {"update": "immediate", "l2": 0.01, "layers": [2, 3, 3, 2], "activations": ["tanh", "relu", "sigmoid"]},
            {"loss": "cross_entropy", "activations": ["sigmoid", "softmax"]}]


def spec_for(opt, variant, i):
    spec = {"name": "x%d" % i, "layers": [2, 3, 2], "learning_rate": 0.3, "optimizer": opt,
            "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": i, "rng": "numpy"},
            "data": {"inputs": [[0, 1], [1, 0], [1, 1], [0.5, -0.2]],
                     "targets": [[1, 0], [0, 1], [0.2, 0.8], [0.6, 0.4]]}}
    spec.update(variant)
    return spec


def bptrace_trace(binary, spec, steps, tmp):
    path = os.path.join(tmp, spec["name"] + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    subprocess.run([binary, "run", "--spec", path, "--steps", str(steps), "--format", "csv", "--out", tmp, "--force"],
                   check=True, capture_output=True)
    out = {}
    with open(os.path.join(tmp, spec["name"] + ".csv"), newline="") as f:
        for row in csv.DictReader(f):
            out[(int(row["step"]), int(row["layer"]), row["quantity"], int(row["row"]), int(row["col"]))] = float(row["value"])
    return out


def independent_trace(spec, steps):
    out = {}
    for s, blocks in enumerate(run(spec, steps), start=1):
        for (l, q), m in blocks.items():
            for r, row in enumerate(m, start=1):
                for c, v in enumerate(row, start=1):
                    out[(s, l, q, r, c)] = v
    return out


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/bptrace"
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        i = 0
        for opt in OPTIMIZERS:
            for variant in VARIANTS:
                i += 1
                spec = spec_for(opt, variant, i)
                ours, theirs = bptrace_trace(binary, spec, 5, tmp), independent_trace(spec, 5)
                problems = []
                if set(ours) != set(theirs):
                    problems.append("cells differ: only bptrace %s, only independent %s"
                                    % (sorted(set(ours) - set(theirs))[:3], sorted(set(theirs) - set(ours))[:3]))
                for k in set(ours) & set(theirs):
                    a, b = ours[k], theirs[k]
                    if abs(a - b) > 1e-9 * max(abs(a), abs(b)) + 1e-15:
                        problems.append("%s: bptrace %r, independent %r" % (k, a, b))
                if problems:
                    failed += 1
                    print("FAIL %s %s: %s" % (json.dumps(opt), json.dumps(variant), problems[:3]))
                else:
                    passed += 1
        # One Adam step by hand: W_new = W - eta*g/(|g| + eps) at t = 1 (m_hat = g, v_hat = g^2).
        spec = spec_for("adam", {}, 99)
        t = bptrace_trace(binary, spec, 1, tmp)
        ok = True
        for (s, l, q, r, c), g in t.items():
            if q == "grad_W":
                w, new = t[(s, l, "W", r, c)], t[(s, l, "W_new", r, c)]
                want = w - 0.3 * g / (abs(g) + 1e-8)
                ok = ok and abs(new - want) <= 1e-12 and (g == 0 or abs(abs(w - new) - 0.3) < 1e-5)
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL the first Adam step does not move each weight by eta*sign(g)")
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
