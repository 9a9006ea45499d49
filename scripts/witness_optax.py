#!/usr/bin/env python3
"""A real framework as witness: bptrace's optimizers against JAX + optax, in float64.

For a grid of specs in the simultaneous update order (each optimizer: sgd, momentum, nesterov,
rmsprop, adam, adamw with decay_biases false and true; batch full, sample and k; l2 0 and > 0;
biases trained, fixed and absent; sigmoid, tanh, relu, linear, softmax/cross-entropy, hinge
and sum nets) it writes the spec (explicit starting weights), runs `bptrace run --format csv`,
and trains the same net with JAX: the loss written from docs/SPEC.md's definitions (half_sse a
sum, mse a mean, cross_entropy and hinge averaged over the batch, sum the sum of the outputs,
l2 adds lambda/2 * sum of W^2, biases excluded), gradients by jax.grad, the update by optax:

  sgd       optax.sgd(eta)
  momentum  optax.sgd(eta, momentum=mu)                 trace = g + mu*trace; P - eta*trace
  nesterov  optax.sgd(eta, momentum=mu, nesterov=True)  P - eta*(g + mu*trace)
  rmsprop   optax.rmsprop(eta, decay=rho, eps=eps, eps_in_sqrt=False)   eps outside the root
  adam      optax.adam(eta, b1, b2, eps)
  adamw     optax.adamw(eta, b1, b2, eps, weight_decay, mask: weights, biases only with decay_biases)

Fixed biases (update_biases: false) are constants of the loss: optax never sees them, and
bptrace's b_new must equal the starting b. Two comparisons per spec, each of every step:

  trajectory    JAX trains on its own from the spec's weights; after every step its
                parameters must equal bptrace's W_new and b_new (the parameters only: a
                small gradient is a difference of larger terms, and over many steps its
                relative difference grows past 1e-9 while the parameters' stays far below).
  step by step  each step starts from bptrace's start-of-step W, b and optimizer state (vel,
                sq, or m, v and t - 1, read from the CSV); the step's gradients, W_new, b_new
                and new state must equal bptrace's. Rounding differences cannot pile up here.

"Equal" is |a - b| <= 1e-9 * max(|a|, |b|) + 1e-12 (an absolute floor for values near 0);
gradients get the floor 1e-14 instead (inputs, weights and gradients here are of order 0.001
to 1, so rounding leaves about 1e-16 in a sum). One exception, stated and counted: a gradient
that is zero in exact arithmetic comes out as 0 or as rounding noise (about 1e-17) depending
on the order of a sum, and RMSProp, Adam and AdamW divide it by about eps, so the parameter
moves by up to eta*1e-9 one way or the other. Where a gradient is below 1e-14 in either, the
two differ and the new parameters do not agree, that parameter is excused for that step, and
the trajectory is compared only up to that step (the noise spreads through the forward pass);
such parameters are left out of the "largest relative difference" printed. The grid's last
four specs (ZERO_GRADIENT_SPECS) are built to meet this case.
The immediate update order has no framework equivalent and is not in the grid.

usage: witness_optax.py [BPTRACE] [--steps N] [--mutate NAME,...]   (default 6 steps,
.build/debug/bptrace; one line per spec, ends "N passed, M failed"; exit 1 on a failure, 2
when jax or optax is missing)

--mutate makes the JAX side deliberately wrong, to show the comparison notices a convention
that differs: for each NAME it runs only the specs of the optimizers it concerns and prints
"mutation NAME: P passed, F failed" (expected: F > 0, P only for specs it leaves unchanged):
  eps_in_sqrt      rmsprop with optax's default eps_in_sqrt=True: g / sqrt(s + eps)
  adamw_no_mask    adamw decaying every parameter, biases included
  momentum_ema     momentum as an average: vel = mu*vel + (1 - mu)*g (optax.ema)
  mean_loss        half_sse as a mean over the batch instead of a sum (sgd only)
"""
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import zlib

try:
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import witness_optax_net as jaxnet
    from witness_optax_net import Net, optimizer_name
except ImportError as e:  # the test reports this; install with `pip install jax optax`
    print("witness_optax: %s (pip install jax optax)" % e)
    sys.exit(2)


STEPS = 6
ZERO_GRADIENT = 1e-14
ADAPTIVE = ("rmsprop", "adam", "adamw")
MUTATIONS = {"eps_in_sqrt": ["rmsprop"], "adamw_no_mask": ["adamw"], "momentum_ema": ["momentum"], "mean_loss": ["sgd"]}
RELATIVE, FLOOR = 1e-9, 1e-12

OPTIMIZERS = [
    "sgd",
    "momentum",
    {"name": "nesterov", "momentum": 0.7},
    "rmsprop",
    {"name": "rmsprop", "rho": 0.8, "eps": 1e-6},
    "adam",
    {"name": "adam", "beta1": 0.5, "beta2": 0.6, "eps": 1e-4},
    {"name": "adamw", "weight_decay": 0.1},
    {"name": "adamw", "weight_decay": 0.2, "decay_biases": True},
]

# Nets: layers, activations, loss (sum: the sum of the outputs, targets ignored).
NETS = {
    "sigmoid": ([2, 3, 2], ["sigmoid", "sigmoid"], "half_sse"),
    "sigmoid-mse": ([2, 3, 2], ["sigmoid", "sigmoid"], "mse"),
    "tanh": ([2, 3, 2], ["tanh", "sigmoid"], "half_sse"),
    "tanh-mse": ([2, 3, 2], ["tanh", "linear"], "mse"),
    "relu": ([2, 4, 2], ["relu", "linear"], "mse"),
    "relu-sse": ([2, 4, 2], ["relu", "sigmoid"], "half_sse"),
    "softmax": ([2, 3, 2], ["tanh", "softmax"], "cross_entropy"),
    "sigmoid-ce": ([2, 3, 2], ["sigmoid", "sigmoid"], "cross_entropy"),
    "hinge": ([2, 4, 3], ["relu", "linear"], "hinge"),
    "deep-softmax": ([2, 4, 3, 3], ["tanh", "relu", "softmax"], "cross_entropy"),
    "linear-sum": ([2, 3, 2], ["linear", "sigmoid"], "sum"),
}

# Per optimizer, these variants together take every net, every batch mode, l2 0 and > 0,
# and trained, fixed and absent biases.
VARIANTS = [
    ("sigmoid", {"batch": "full"}),
    ("sigmoid-mse", {"batch": "sample", "l2": 0.05, "update_biases": False}),
    ("tanh", {"batch": 3, "bias": False}),
    ("tanh-mse", {"batch": "full", "l2": 0.05}),
    ("relu", {"batch": "sample"}),
    ("relu-sse", {"batch": 2, "l2": 0.05, "update_biases": False}),
    ("softmax", {"batch": 3, "l2": 0.01}),
    ("sigmoid-ce", {"batch": "full", "bias": False}),
    ("hinge", {"batch": "full"}),
    ("deep-softmax", {"batch": 2, "l2": 0.02}),
    ("relu", {"batch": 3, "bias": False, "l2": 0.05}),
    ("tanh", {"batch": "sample", "update_biases": False}),
    ("linear-sum", {"batch": 2}),
]

# The hinge net from these weights (random.Random(1113)) has, at step 1, three samples whose
# violated margins form a cycle (class 2 over 1, 3 over 2, 1 over 3): their deltas cancel, so
# the gradient of b(1)[3] is 0 in exact arithmetic; bptrace's left-to-right sum gives 0, JAX's
# 5.6e-17. These specs exercise the zero-gradient rule (excused under Adam, AdamW and RMSProp;
# under momentum the noise stays noise and nothing is excused).
ZERO_GRADIENT_SPECS = [(opt, "hinge", {"batch": "full"}, 1113)
                       for opt in ["adam", {"name": "adamw", "weight_decay": 0.2, "decay_biases": True}, "rmsprop", "momentum"]]

INPUTS = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.2], [-0.7, 0.3]]
SOFT = [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]]
ONE_HOT = {2: [[1, 0], [0, 1], [0, 1], [1, 0], [1, 0]],
           3: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]}


def spec_for(i, opt, net, variant, seed=None):
    layers, acts, loss = NETS[net]
    rng = random.Random(seed if seed is not None else zlib.crc32(json.dumps([opt, net, variant], sort_keys=True).encode()))
    out = layers[-1]
    spec = {"name": "w%d" % i, "layers": layers, "activations": acts, "loss": loss,
            "learning_rate": 0.1, "optimizer": opt,
            "weights": [[[rng.uniform(-1, 1) for _ in range(layers[l + 1])] for _ in range(layers[l])]
                        for l in range(len(layers) - 1)],
            "data": {"inputs": INPUTS,
                     "targets": ONE_HOT[out] if (loss == "hinge" or acts[-1] == "softmax" or out == 3) else SOFT}}
    spec.update(variant)
    if spec.get("bias", True):
        spec["biases"] = [[rng.uniform(-0.5, 0.5) for _ in range(n)] for n in layers[1:]]
    return spec


def bptrace_trace(binary, spec, tmp):
    """{(step, quantity, layer): numpy matrix} of bptrace's CSV."""
    path = os.path.join(tmp, spec["name"] + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    r = subprocess.run([binary, "run", "--spec", path, "--steps", str(STEPS), "--format", "csv", "--out", tmp, "--force"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("bptrace exited %d: %s" % (r.returncode, r.stderr.strip()))
    cells = {}
    with open(os.path.join(tmp, spec["name"] + ".csv"), newline="") as f:
        for row in csv.DictReader(f):
            key = (int(row["step"]), row["quantity"], int(row["layer"]))
            cells.setdefault(key, {})[(int(row["row"]) - 1, int(row["col"]) - 1)] = float(row["value"])
    out = {}
    for key, values in cells.items():
        m = np.zeros((1 + max(r for r, _ in values), 1 + max(c for _, c in values)))
        for (r, c), v in values.items():
            m[r, c] = v
        out[key] = m
    return out


def compare_step(ours, step, blocks, adaptive, parameters_only=False):
    """Problems of one step, the number of values compared, the largest relative difference
    of a parameter, and the parameters excused (see the module's doc). With parameters_only
    (the trajectory) the gradients only tell which parameters may be excused."""
    problems, compared, worst = [], 0, 0.0
    noisy, excused = set(), set()   # parameters whose gradient is zero up to rounding; those excused
    for (quantity, l), m in sorted(blocks.items(), key=lambda kv: (not kv[0][0].startswith("grad"), kv[0])):
        mine = ours.get((step, quantity, l))
        m = np.asarray(m)
        if mine is None or mine.shape != m.shape:
            problems.append("step %d %s(%d): bptrace has %s, jax %s" % (step, quantity, l, None if mine is None else mine.shape, m.shape))
            continue
        gradient, parameter = quantity.startswith("grad"), quantity in ("W_new", "b_new")
        floor = ZERO_GRADIENT if gradient else FLOOR
        for (r, c), want in np.ndenumerate(m):
            got, want = float(mine[r, c]), float(want)
            if gradient and parameters_only:
                if adaptive and got != want and min(abs(got), abs(want)) <= floor:
                    noisy.add((quantity[-1], l, r, c))
            elif abs(got - want) <= RELATIVE * max(abs(got), abs(want)) + floor:
                compared += 1
                if parameter and got != want and (quantity[0], l, r, c) not in noisy:
                    worst = max(worst, abs(got - want) / max(abs(got), abs(want)))
                if gradient and adaptive and got != want and min(abs(got), abs(want)) <= floor:
                    noisy.add((quantity[-1], l, r, c))
            elif parameter and (quantity[0], l, r, c) in noisy:
                excused.add((quantity[0], l, r, c))
            elif parameter or not parameters_only:
                problems.append("step %d %s(%d)[%d,%d]: bptrace %r, jax %r" % (step, quantity, l, r + 1, c + 1, got, want))
    return problems, compared, worst, excused


def check_spec(binary, spec, tmp):
    """(problems, summary) of one spec: its trajectory and its steps one by one."""
    ours = bptrace_trace(binary, spec, tmp)
    net = Net(spec)
    adaptive = net.name in ADAPTIVE
    problems, compared, worst, excused_total, through = [], 0, 0.0, 0, STEPS
    trajectory = net.trajectory(STEPS)
    for step in range(1, STEPS + 1):
        p, n, w, excused = compare_step(ours, step, trajectory[step], adaptive, parameters_only=True)
        problems += ["trajectory " + x for x in p]
        compared, worst = compared + n, max(worst, w)
        if excused:
            through = step
            break
    for step in range(1, STEPS + 1):
        p, n, w, excused = compare_step(ours, step, net.from_bptrace(ours, step), adaptive)
        problems += ["step by step " + x for x in p]
        compared, worst, excused_total = compared + n, max(worst, w), excused_total + len(excused)
    note = ""
    if through < STEPS:
        note = ", zero gradient at step %d: trajectory compared to step %d, %d parameter values excused" % (through, through, excused_total)
    elif excused_total:
        note = ", %d parameter values excused (zero gradient)" % excused_total
    return problems, "%d values, largest relative difference of a parameter %.1e%s" % (compared, worst, note), worst, excused_total


def run_grid(binary, tmp, quiet=False):
    """Every spec of the grid (only those of the optimizers jaxnet.MUTATE concerns, when set)."""
    passed = failed = excused = 0
    worst = 0.0
    i = 0
    grid = [(opt, net, variant, None) for opt in OPTIMIZERS for net, variant in VARIANTS] + ZERO_GRADIENT_SPECS
    for opt, net, variant, seed in grid:
        i += 1
        if jaxnet.MUTATE and optimizer_name(opt) not in MUTATIONS[jaxnet.MUTATE]:
            continue
        spec = spec_for(i, opt, net, variant, seed)
        label = "%s %s%s %s" % (json.dumps(opt), net, "-cycle" if seed is not None else "", json.dumps(variant))
        try:
            problems, summary, w, e = check_spec(binary, spec, tmp)
        except Exception as e:  # a crash of either side is a failure of this spec
            problems, summary, w, e = ["%s: %s" % (type(e).__name__, e)], "", 0.0, 0
        if problems:
            failed += 1
            if not quiet:
                print("FAIL %s: %s" % (label, "; ".join(problems[:3])))
        else:
            passed += 1
            worst, excused = max(worst, w), excused + e
            if not quiet:
                print("ok   %s: %s" % (label, summary))
    return passed, failed, worst, excused


def main():
    global STEPS
    args = sys.argv[1:]
    mutations = []
    if "--mutate" in args:
        k = args.index("--mutate")
        mutations = args[k + 1].split(",") if k + 1 < len(args) else [""]
        if any(m not in MUTATIONS for m in mutations):
            print("witness_optax: --mutate takes a comma-separated list of %s" % ", ".join(MUTATIONS))
            sys.exit(64)
        del args[k:k + 2]
    if "--steps" in args:
        k = args.index("--steps")
        STEPS = int(args[k + 1])
        del args[k:k + 2]
    binary = args[0] if args else ".build/debug/bptrace"
    with tempfile.TemporaryDirectory() as tmp:
        if mutations:
            # One line per mutation: how many of the specs it concerns still pass (should be 0,
            # or those it does not change) and how many fail.
            total_passed = total_failed = 0
            for m in mutations:
                jaxnet.MUTATE = m
                passed, failed, _, _ = run_grid(binary, tmp, quiet=True)
                print("mutation %s: %d passed, %d failed" % (m, passed, failed))
                total_passed, total_failed = total_passed + passed, total_failed + failed
            print("%d passed, %d failed" % (total_passed, total_failed))
            sys.exit(1 if total_failed else 0)
        passed, failed, worst, excused = run_grid(binary, tmp)
    print("largest relative difference of a parameter over every passing spec: %.1e; parameter values excused: %d" % (worst, excused))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
