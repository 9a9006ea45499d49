#!/usr/bin/env python3
"""A real framework as witness: bptrace's optimizers against JAX + optax, in float64.

For a grid of specs in the simultaneous update order (each optimizer: sgd, momentum, nesterov,
rmsprop, adam, adamw with decay_biases false and true; batch full, sample and k; l2 0 and > 0;
biases trained, fixed and absent; sigmoid, tanh, relu, linear/hinge and softmax/cross-entropy
nets) it writes the spec (explicit starting weights), runs `bptrace run --format csv`, then
trains the same net in JAX: the loss written from docs/SPEC.md's definitions (half_sse a sum,
mse a mean, cross_entropy and hinge averaged over the batch, l2 adds lambda/2 * sum of W^2,
biases excluded), gradients by jax.grad, the update by optax:

  sgd       optax.sgd(eta)
  momentum  optax.sgd(eta, momentum=mu)                 trace = g + mu*trace; P - eta*trace
  nesterov  optax.sgd(eta, momentum=mu, nesterov=True)  P - eta*(g + mu*trace)
  rmsprop   optax.rmsprop(eta, decay=rho, eps=eps, eps_in_sqrt=False)   eps outside the root
  adam      optax.adam(eta, b1, b2, eps)
  adamw     optax.adamw(eta, b1, b2, eps, weight_decay, mask: weights, biases only with decay_biases)

Fixed biases (update_biases: false) are constants of the loss: optax never sees them, and
bptrace's b_new must equal the starting b. Every W_new and b_new of every step must agree with
the JAX parameters after the same number of updates to 1e-9 relative, with an absolute floor of
1e-12 for values near 0: |a - b| <= 1e-9 * max(|a|, |b|) + 1e-12. The immediate update order
has no framework equivalent and is not in the grid.

usage: witness_optax.py [BPTRACE] [--mutate NAME,...]   (default .build/debug/bptrace; one line per
spec, ends "N passed, M failed"; exit 1 on a failure, 2 when jax or optax is missing)

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

try:
    import jax
    import jax.numpy as jnp
    import optax
except ImportError as e:  # the test reports this; install with `pip install jax optax`
    print("witness_optax: %s (pip install jax optax)" % e)
    sys.exit(2)

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

STEPS = 6
MUTATIONS = {"eps_in_sqrt": ["rmsprop"], "adamw_no_mask": ["adamw"], "momentum_ema": ["momentum"], "mean_loss": ["sgd"]}
MUTATE = None
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

# Nets: layers, activations, loss.
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
]

INPUTS = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -0.2], [-0.7, 0.3]]
SOFT = [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4], [0.1, 0.9]]
ONE_HOT = {2: [[1, 0], [0, 1], [0, 1], [1, 0], [1, 0]],
           3: [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]}


def spec_for(i, opt, net, variant):
    layers, acts, loss = NETS[net]
    rng = random.Random(1000 + i)
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


def bptrace_params(binary, spec, tmp):
    """{step: {("W" or "b", layer): matrix}} of W_new and b_new, read from bptrace's CSV."""
    path = os.path.join(tmp, spec["name"] + ".json")
    with open(path, "w") as f:
        json.dump(spec, f)
    r = subprocess.run([binary, "run", "--spec", path, "--steps", str(STEPS), "--format", "csv", "--out", tmp, "--force"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("bptrace exited %d: %s" % (r.returncode, r.stderr.strip()))
    out = {}
    with open(os.path.join(tmp, spec["name"] + ".csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["quantity"] in ("W_new", "b_new"):
                key = (row["quantity"][0], int(row["layer"]))
                out.setdefault(int(row["step"]), {}).setdefault(key, {})[(int(row["row"]) - 1, int(row["col"]) - 1)] = float(row["value"])
    return out


def activation(name, z):
    if name == "sigmoid":
        return jax.nn.sigmoid(z)
    if name == "tanh":
        return jnp.tanh(z)
    if name == "relu":
        return jax.nn.relu(z)   # derivative 0 at z = 0, as docs/SPEC.md says
    if name == "softmax":
        return jax.nn.softmax(z, axis=1)
    return z


def loss_fn(spec):
    acts, loss, lam = spec["activations"], spec["loss"], spec.get("l2", 0)

    def f(trained, fixed_b, x, t):
        W = trained["W"]
        b = trained["b"] if "b" in trained else fixed_b
        a = x
        for l in range(len(W)):
            z = a @ W[l] + (b[l] if b is not None else 0.0)
            a = activation(acts[l], z)
        o, B = a, x.shape[0]
        if loss == "half_sse" and MUTATE == "mean_loss":
            value = 0.5 * jnp.sum((t - o) ** 2) / B
        elif loss == "half_sse":
            value = 0.5 * jnp.sum((t - o) ** 2)
        elif loss == "mse":
            value = jnp.mean((t - o) ** 2)
        elif loss == "cross_entropy" and acts[-1] == "softmax":
            value = -jnp.sum(t * jnp.log(o)) / B
        elif loss == "cross_entropy":
            value = -jnp.sum(t * jnp.log(o) + (1 - t) * jnp.log(1 - o)) / B
        elif loss == "hinge":
            oy = jnp.sum(o * t, axis=1, keepdims=True)
            margin = o - oy + 1.0
            value = jnp.sum(jnp.where((t == 0) & (margin > 0), margin, 0.0)) / B   # a margin of 0 is not violated
        else:
            raise ValueError("loss %s" % loss)
        return value + lam / 2 * sum(jnp.sum(w ** 2) for w in W)   # biases are not penalised
    return f


def optax_optimizer(opt, eta):
    o = {"name": opt} if isinstance(opt, str) else opt
    name = o["name"]
    if name == "sgd":
        return optax.sgd(eta)
    if name == "momentum" and MUTATE == "momentum_ema":
        return optax.chain(optax.ema(o.get("momentum", 0.9), debias=False), optax.scale(-eta))
    if name in ("momentum", "nesterov"):
        return optax.sgd(eta, momentum=o.get("momentum", 0.9), nesterov=name == "nesterov")
    if name == "rmsprop":
        return optax.rmsprop(eta, decay=o.get("rho", 0.9), eps=o.get("eps", 1e-8), eps_in_sqrt=MUTATE == "eps_in_sqrt")
    b1, b2, eps = o.get("beta1", 0.9), o.get("beta2", 0.999), o.get("eps", 1e-8)
    if name == "adam":
        return optax.adam(eta, b1=b1, b2=b2, eps=eps)
    decay_biases = o.get("decay_biases", False)
    mask = lambda p: {"W": [True] * len(p["W"]), **({"b": [decay_biases] * len(p["b"])} if "b" in p else {})}
    return optax.adamw(eta, b1=b1, b2=b2, eps=eps, weight_decay=o.get("weight_decay", 0.01),
                       mask=None if MUTATE == "adamw_no_mask" else mask)


def batch_rows(spec, step, n):
    batch = spec.get("batch", "full")
    if batch == "full":
        return list(range(n))
    if batch == "sample":
        return [(step - 1) % n]
    return [((step - 1) * batch + j) % n for j in range(batch)]


def jax_params(spec):
    """{step: {("W" or "b", layer): matrix}} after each of STEPS optax updates."""
    has_bias, trains_bias = spec.get("bias", True), spec.get("bias", True) and spec.get("update_biases", True)
    W = [jnp.array(w, dtype=jnp.float64) for w in spec["weights"]]
    b = [jnp.array(v, dtype=jnp.float64) for v in spec["biases"]] if has_bias else None
    trained = {"W": W, **({"b": b} if trains_bias else {})}
    fixed_b = b if has_bias and not trains_bias else None
    x_all = jnp.array(spec["data"]["inputs"], dtype=jnp.float64)
    t_all = jnp.array(spec["data"]["targets"], dtype=jnp.float64)
    tx = optax_optimizer(spec["optimizer"], spec["learning_rate"])
    state = tx.init(trained)
    grad = jax.grad(loss_fn(spec))
    out = {}
    for step in range(1, STEPS + 1):
        rows = jnp.array(batch_rows(spec, step, x_all.shape[0]))
        g = grad(trained, fixed_b, x_all[rows], t_all[rows])
        updates, state = tx.update(g, state, trained)
        trained = optax.apply_updates(trained, updates)
        params = {("W", l + 1): trained["W"][l] for l in range(len(W))}
        if has_bias:
            biases = trained["b"] if trains_bias else fixed_b
            params.update({("b", l + 1): biases[l].reshape(1, -1) for l in range(len(biases))})
        out[step] = params
    return out


def compare(ours, theirs):
    problems, cells = [], 0
    for step in range(1, STEPS + 1):
        if set(ours.get(step, {})) != set(theirs[step]):
            problems.append("step %d: parameters differ: bptrace %s, jax %s" % (step, sorted(ours.get(step, {})), sorted(theirs[step])))
            continue
        for key, m in theirs[step].items():
            m = [[float(v) for v in row] for row in m.tolist()]
            cells_here = {(r, c): v for r, row in enumerate(m) for c, v in enumerate(row)}
            if set(cells_here) != set(ours[step][key]):
                problems.append("step %d %s(%d): shapes differ" % (step, key[0], key[1]))
                continue
            for rc, want in cells_here.items():
                got = ours[step][key][rc]
                cells += 1
                if abs(got - want) > RELATIVE * max(abs(got), abs(want)) + FLOOR:
                    problems.append("step %d %s_new(%d)[%d,%d]: bptrace %r, optax %r" % (step, key[0], key[1], rc[0] + 1, rc[1] + 1, got, want))
    return problems, cells


def worst_relative(ours, theirs):
    worst = 0.0
    for step, params in theirs.items():
        for key, m in params.items():
            for r, row in enumerate(m.tolist()):
                for c, want in enumerate(row):
                    got = ours[step][key][(r, c)]
                    if got != want:
                        worst = max(worst, abs(got - want) / max(abs(got), abs(want)))
    return worst


def optimizer_name(opt):
    return opt if isinstance(opt, str) else opt["name"]


def run_grid(binary, tmp, quiet=False):
    """Every spec of the grid (only those of the optimizers MUTATE concerns, when set)."""
    passed = failed = 0
    worst = 0.0
    i = 0
    for opt in OPTIMIZERS:
        for net, variant in VARIANTS:
            i += 1
            if MUTATE and optimizer_name(opt) not in MUTATIONS[MUTATE]:
                continue
            spec = spec_for(i, opt, net, variant)
            label = "%s %s %s" % (json.dumps(opt), net, json.dumps(variant))
            try:
                ours, theirs = bptrace_params(binary, spec, tmp), jax_params(spec)
                problems, cells = compare(ours, theirs)
            except Exception as e:  # a crash of either side is a failure of this spec
                problems, cells = ["%s: %s" % (type(e).__name__, e)], 0
            if problems:
                failed += 1
                if not quiet:
                    print("FAIL %s: %s" % (label, "; ".join(problems[:3])))
            else:
                passed += 1
                w = worst_relative(ours, theirs)
                worst = max(worst, w)
                if not quiet:
                    print("ok   %s: %d values over %d steps, largest relative difference %.1e" % (label, cells, STEPS, w))
    return passed, failed, worst


def main():
    global MUTATE
    args = sys.argv[1:]
    mutations = []
    if "--mutate" in args:
        k = args.index("--mutate")
        mutations = args[k + 1].split(",") if k + 1 < len(args) else [""]
        if any(m not in MUTATIONS for m in mutations):
            print("witness_optax: --mutate takes a comma-separated list of %s" % ", ".join(MUTATIONS))
            sys.exit(64)
        del args[k:k + 2]
    binary = args[0] if args else ".build/debug/bptrace"
    with tempfile.TemporaryDirectory() as tmp:
        if mutations:
            # One line per mutation: how many of the specs it concerns still pass (should be 0,
            # or those it does not change) and how many fail.
            total_passed = total_failed = 0
            for m in mutations:
                MUTATE = m
                passed, failed, _ = run_grid(binary, tmp, quiet=True)
                print("mutation %s: %d passed, %d failed" % (m, passed, failed))
                total_passed, total_failed = total_passed + passed, total_failed + failed
            print("%d passed, %d failed" % (total_passed, total_failed))
            sys.exit(1 if total_failed else 0)
        passed, failed, worst = run_grid(binary, tmp)
    print("largest relative difference over every passing spec: %.1e" % worst)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
