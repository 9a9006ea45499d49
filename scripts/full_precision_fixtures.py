"""Writes fixtures of every value of 20 steps (or argv[2]) of a 2-3-2 net under momentum,
nesterov, adam, adamw and rmsprop, computed by scripts/independent_mlp.py (plain Python written
apart from bptrace) and written to 16 significant digits, as another program would: into the
folder argv[1]. `bptrace check` must pass them under the default tolerance (docs/CHECKING.md,
"Tolerance"), which allows 1e-10 of a value written to more digits than Float64 programs agree on."""
import os, sys, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from independent_mlp import run
base = {"layers": [2, 3, 2], "learning_rate": 0.1, "activations": ["sigmoid", "sigmoid"],
        "weights": [[[0.15, 0.25, -0.3], [0.2, 0.3, 0.1]], [[0.4, 0.5], [0.45, 0.55], [-0.2, 0.3]]],
        "biases": [[0.35, 0.35, 0.1], [0.6, 0.6]],
        "data": {"inputs": [[0.05, 0.1], [0.9, 0.2]], "targets": [[0.01, 0.99], [0.5, 0.2]]}}
for opt in ["momentum", "nesterov", "adam", {"name": "adamw", "weight_decay": 0.1}, "rmsprop"]:
    spec = dict(base, optimizer=opt)
    vals = []
    for s, blocks in enumerate(run(spec, int(sys.argv[2]) if len(sys.argv) > 2 else 20), start=1):
        for (l, q), m in blocks.items():
            for r, row in enumerate(m, 1):
                for c, v in enumerate(row, 1):
                    vals.append({"step": s, "layer": l, "quantity": q, "row": r, "col": c, "value": "%.16g" % v})
    name = opt if isinstance(opt, str) else opt["name"]
    json.dump({"title": "independent implementation, 16 digits: " + name, "spec": spec, "values": vals}, open(os.path.join(sys.argv[1], name + ".json"), "w"))
