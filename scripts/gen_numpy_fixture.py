#!/usr/bin/env python3
"""Generates Fixtures/analytics-vidhya-numpy-seed2.json by running the Analytics Vidhya
tutorial's numpy code ("Understanding and coding Neural Networks From Scratch in Python and R",
Sunil Ray, 2017) with np.random.seed(2).

The tutorial draws its starting values with np.random.uniform(size=...) in the order
wh (4x3), bh (1x3), wout (3x1), bout (1x1): exactly bptrace's draw order (docs/SPEC.md) (W(1) row-major,
b(1), W(2), b(2)) for `"init": {"distribution": "uniform", "low": 0, "high": 1, "seed": 2,
"rng": "numpy"}`. The training loop below is the tutorial's, line for line (5000 epochs, lr 0.1,
full batch); we only record its variables.

Run once; the numbers are committed and the Swift tests never run Python or numpy:

    python3 scripts/gen_numpy_fixture.py > Fixtures/analytics-vidhya-numpy-seed2.json

Values are printed to DECIMALS (12) decimals, so `bptrace check` holds them to half a unit of
the 12th decimal. numpy's dot products may sum in another order than bptrace's left to
right (BLAS), which moves the last bits, far below that.
"""
import json
import sys

import numpy as np

DECIMALS = 12
EPOCHS = 5000

# ---- the tutorial's code (with the seed) -------------------------------------------------
np.random.seed(2)
X = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [0, 1, 0, 1]])
y = np.array([[1], [1], [0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def derivatives_sigmoid(x):
    return x * (1 - x)


epoch = EPOCHS
lr = 0.1
inputlayer_neurons = X.shape[1]
hiddenlayer_neurons = 3
output_neurons = 1

wh = np.random.uniform(size=(inputlayer_neurons, hiddenlayer_neurons))
bh = np.random.uniform(size=(1, hiddenlayer_neurons))
wout = np.random.uniform(size=(hiddenlayer_neurons, output_neurons))
bout = np.random.uniform(size=(1, output_neurons))

records = []  # (name, step, matrix)


def record(name, step, m):
    records.append((name, step, np.array(m, dtype=float).copy()))


for i in range(epoch):
    step = i + 1
    if step == 1:
        record("wh", 1, wh); record("bh", 1, bh); record("wout", 1, wout); record("bout", 1, bout)
    hidden_layer_input1 = np.dot(X, wh)
    hidden_layer_input = hidden_layer_input1 + bh
    hiddenlayer_activations = sigmoid(hidden_layer_input)
    output_layer_input1 = np.dot(hiddenlayer_activations, wout)
    output_layer_input = output_layer_input1 + bout
    output = sigmoid(output_layer_input)
    E = y - output
    slope_output_layer = derivatives_sigmoid(output)
    slope_hidden_layer = derivatives_sigmoid(hiddenlayer_activations)
    d_output = E * slope_output_layer
    Error_at_hidden_layer = d_output.dot(wout.T)
    d_hiddenlayer = Error_at_hidden_layer * slope_hidden_layer
    wout += hiddenlayer_activations.T.dot(d_output) * lr
    bout += np.sum(d_output, axis=0, keepdims=True) * lr
    wh += X.T.dot(d_hiddenlayer) * lr
    bh += np.sum(d_hiddenlayer, axis=0, keepdims=True) * lr
    if step == 1:
        record("hidden_layer_input", 1, hidden_layer_input)
        record("hiddenlayer_activations", 1, hiddenlayer_activations)
        record("output_layer_input", 1, output_layer_input)
        record("output", 1, output)
        record("E", 1, E)
        record("slope_output_layer", 1, slope_output_layer)
        record("slope_hidden_layer", 1, slope_hidden_layer)
        record("d_output", 1, d_output)
        record("Error_at_hidden_layer", 1, Error_at_hidden_layer)
        record("d_hiddenlayer", 1, d_hiddenlayer)
        record("wout+", 1, wout); record("bout+", 1, bout); record("wh+", 1, wh); record("bh+", 1, bh)
    if step == 2:
        record("output", 2, output)
    if step == epoch:
        record("output", epoch, output)   # what the tutorial's final print(output) shows
        record("wout+", epoch, wout); record("bout+", epoch, bout)
# -------------------------------------------------------------------------------------------

values = []
for name, step, m in records:
    for r in range(m.shape[0]):
        for c in range(m.shape[1]):
            label = name if m.shape == (1, 1) else "%s[%d,%d]" % (name, r + 1, c + 1)
            if step != 1:
                label += "@%d" % step
            values.append({"name": label, "value": "%.*f" % (DECIMALS, m[r, c])})

spec = {
    "name": "analytics-vidhya-numpy-seed2",
    "layers": [4, 3, 1],
    "activations": ["sigmoid", "sigmoid"],
    "loss": "half_sse",
    "learning_rate": 0.1,
    "batch": "full",
    "update": "simultaneous",
    "init": {"distribution": "uniform", "low": 0, "high": 1, "seed": 2, "rng": "numpy"},
    "data": {"inputs": X.tolist(), "targets": y.tolist()},
}
fixture = {
    "title": "Analytics Vidhya tutorial code run with np.random.seed(2): starting draws, step 1, step 2 and epoch %d" % EPOCHS,
    "source": {
        "title": "Understanding and coding Neural Networks From Scratch in Python and R (the tutorial's numpy code, run with np.random.seed(2))",
        "author": "Sunil Ray (Analytics Vidhya); run by scripts/gen_numpy_fixture.py with numpy %s" % np.__version__,
        "year": 2017,
        "url": "https://www.analyticsvidhya.com/blog/2017/05/neural-network-from-scratch-in-python-and-r/",
    },
    "note": "Generated once by scripts/gen_numpy_fixture.py (numpy %s): the tutorial's own loop, unchanged, "
            "recording its variables; values to %d decimals. Names are the tutorial's variables (d_output = E*slope, "
            "the negation of bptrace's delta). output@%d is what the tutorial's final print(output) shows."
            % (np.__version__, DECIMALS, EPOCHS),
    "spec": spec,
    "values": values,
}

out = sys.stdout
out.write("{\n")
for k in ["title", "source", "note", "spec"]:
    out.write("  %s: %s,\n" % (json.dumps(k), json.dumps(fixture[k], ensure_ascii=False, separators=(", ", ": "))))
out.write('  "values": [\n')
for i, v in enumerate(values):
    out.write("    " + json.dumps(v, separators=(", ", ": ")) + ("," if i + 1 < len(values) else "") + "\n")
out.write("  ]\n}\n")
