"""Independent values for the checker's optimizer conventions (docs/CHECKING.md, "Optimizer
conventions"), written in plain Python from the conventions' formulas, sharing no code with
bptrace. Writes Fixtures/optimizer-conventions-independent.json to stdout:

    python3 scripts/optimizer_conventions.py > Fixtures/optimizer-conventions-independent.json

The network: one linear neuron with a bias, inputs (sqrt(0.2), 0) and (0, 2), targets 0,
half_sse summed over the full batch of both samples, so grad_W = X^T (o - t), grad_b = sum(o - t).
Every value is written with 17 significant digits and checked to 1e-12; each follows its
convention, not the spec's optimizer, so each is a `status: convention` value."""
import json
import math

S = math.sqrt(0.2)
X = [[S, 0.0], [0.0, 2.0]]
W0, B0 = [-5.0, -2.0], 0.5
ETA = 0.1


def gradients(w, b):
    o = [X[k][0] * w[0] + X[k][1] * w[1] + b for k in range(2)]
    d = [o[k] - 0.0 for k in range(2)]
    return [X[0][i] * d[0] + X[1][i] * d[1] for i in range(2)], d[0] + d[1]


def run(step, steps):
    """Trains `steps` steps; `step(p_list, g_list, state, t)` updates a flat parameter list
    [w1, w2, b] in place and returns the traced state {name: [values per parameter]}."""
    w, b = list(W0), B0
    state, traced = {}, []
    for t in range(1, steps + 1):
        gw, gb = gradients(w, b)
        p = w + [b]
        tr = step(p, gw + [gb], state, t)
        w, b = p[:2], p[2]
        traced.append((list(p), tr))
    return traced


def momentum(mu, form, nesterov=False):
    def step(p, g, st, t):
        vel = st.setdefault("vel", [0.0] * 3)
        for i in range(3):
            if form == "ema":
                vel[i] = mu * vel[i] + (1 - mu) * g[i]
            elif form == "lr_inside":
                vel[i] = mu * vel[i] + ETA * g[i]
            else:
                vel[i] = mu * vel[i] + g[i]
            if form == "lr_inside":
                p[i] = p[i] - (ETA * g[i] + mu * vel[i]) if nesterov else p[i] - vel[i]
            else:
                p[i] = p[i] - ETA * (g[i] + mu * vel[i]) if nesterov else p[i] - ETA * vel[i]
        return {"vel": list(vel)}
    return step


def rmsprop(rho, eps, inside):
    def step(p, g, st, t):
        sq = st.setdefault("sq", [0.0] * 3)
        for i in range(3):
            sq[i] = rho * sq[i] + (1 - rho) * g[i] * g[i]
            p[i] -= ETA * g[i] / (math.sqrt(sq[i] + eps) if inside else math.sqrt(sq[i]) + eps)
        return {"sq": list(sq)}
    return step


def adam(b1, b2, eps, inside=False, correct=True, wd=0.0, decoupled=True):
    def step(p, g, st, t):
        m = st.setdefault("m", [0.0] * 3)
        v = st.setdefault("v", [0.0] * 3)
        mh, vh = [0.0] * 3, [0.0] * 3
        for i in range(3):
            decay = wd if i < 2 else 0.0            # biases are not decayed (decay_biases false)
            gi = g[i] + decay * p[i] if not decoupled else g[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            mh[i] = m[i] / (1 - b1 ** t) if correct else m[i]
            vh[i] = v[i] / (1 - b2 ** t) if correct else v[i]
            base = p[i] - ETA * decay * p[i] if decoupled and decay > 0 else p[i]
            p[i] = base - ETA * mh[i] / (math.sqrt(vh[i] + eps) if inside else math.sqrt(vh[i]) + eps)
        return {"m": list(m), "v": list(v), "m_hat": list(mh), "v_hat": list(vh)}
    return step


NAMES = ["w1", "w2", "b1"]


def values(convention, optimizer, traced, picks, note):
    out = []
    for (quantity, index, t) in picks:
        p, tr = traced[t - 1]
        if quantity == "+":
            name, value = f"{NAMES[index]}+", p[index]
        else:
            name, value = f"{quantity}_{NAMES[index]}", tr[quantity][index]
        if t > 1:
            name += f"@{t}"
        out.append({"name": name, "value": repr(value), "tolerance": "1e-12", "status": "convention",
                    "convention": convention, "with": {"optimizer": optimizer}, "note": note})
    return out


entries = []
entries += values("eps_inside_sqrt", {"name": "rmsprop", "rho": 0.9, "eps": 0.1},
                  run(rmsprop(0.9, 0.1, True), 2), [("+", 0, 1), ("+", 1, 2), ("+", 2, 2)],
                  "RMSProp with eps under the root: P - eta*g/sqrt(sq + eps)")
entries += values("eps_inside_sqrt", {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 0.1},
                  run(adam(0.9, 0.999, 0.1, inside=True), 2), [("+", 0, 1), ("+", 1, 2)],
                  "Adam with eps under the root: P - eta*m_hat/sqrt(v_hat + eps)")
entries += values("momentum_ema", {"name": "momentum", "momentum": 0.5},
                  run(momentum(0.5, "ema"), 2), [("vel", 0, 1), ("vel", 1, 2), ("+", 0, 2), ("+", 2, 2)],
                  "vel = mu*vel + (1 - mu)*g, P - eta*vel")
entries += values("momentum_ema", {"name": "nesterov", "momentum": 0.5},
                  run(momentum(0.5, "ema", nesterov=True), 2), [("vel", 0, 2), ("+", 1, 2)],
                  "Nesterov with vel = mu*vel + (1 - mu)*g, P - eta*(g + mu*vel)")
entries += values("momentum_lr_inside", {"name": "momentum", "momentum": 0.5},
                  run(momentum(0.5, "lr_inside"), 2), [("vel", 0, 1), ("vel", 1, 2), ("vel", 2, 2)],
                  "vel = mu*vel + eta*g, P - vel: the velocity is eta times the spec's (the weights are the same)")
entries += values("momentum_lr_inside", {"name": "nesterov", "momentum": 0.5},
                  run(momentum(0.5, "lr_inside", nesterov=True), 2), [("vel", 1, 2)],
                  "Nesterov with vel = mu*vel + eta*g, P - (eta*g + mu*vel)")
entries += values("adam_no_bias_correction", {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                  run(adam(0.9, 0.999, 1e-8, correct=False), 2), [("m_hat", 0, 1), ("v_hat", 1, 2), ("+", 0, 1), ("+", 1, 2)],
                  "m and v used without dividing by 1 - beta^t (m_hat = m, v_hat = v)")
entries += values("adam_no_bias_correction", {"name": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
                  run(adam(0.9, 0.999, 1e-8, correct=False, wd=0.1), 2), [("+", 0, 2)],
                  "AdamW without the bias correction")
entries += values("adamw_as_l2", {"name": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1},
                  run(adam(0.9, 0.999, 1e-8, wd=0.1, decoupled=False), 2), [("m", 0, 1), ("v", 1, 2), ("+", 0, 1), ("+", 1, 2)],
                  "the decay wd*P added to the gradient before the moments (Adam with L2), no decoupled decay; grad_W stays the loss gradient")

# Published values (they hold under the spec's optimizer too): the gradient, which no optimizer
# changes, and momentum_lr_inside's weights, which equal the spec's momentum's.
def published(name, value, optimizer, note):
    return {"name": name, "value": repr(value), "tolerance": "1e-12", "with": {"optimizer": optimizer}, "note": note}


gw, gb = gradients(W0, B0)
lr_inside = run(momentum(0.5, "lr_inside"), 2)
l2 = {"name": "adamw", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.1}
entries += [
    published("dE_total/dw1", gw[0], {"name": "momentum", "momentum": 0.5}, "grad_W = X^T (o - t): the same under every optimizer"),
    published("dE_total/db1", gb, {"name": "momentum", "momentum": 0.5}, "grad_b = sum(o - t)"),
    published("w1+@2", lr_inside[1][0][0], {"name": "momentum", "momentum": 0.5},
              "momentum_lr_inside's weight: the same as the spec's momentum (only the velocity differs)"),
    published("w2+@2", lr_inside[1][0][1], {"name": "momentum", "momentum": 0.5}, "likewise"),
    published("dE_total/dw1", gw[0], l2, "under adamw_as_l2 grad_W stays the loss's gradient (the decay enters the moments)"),
]

fixture = {
    "title": "Optimizer conventions: one independent value set per convention",
    "source": {"title": "scripts/optimizer_conventions.py, the conventions' formulas in plain Python (no bptrace code)",
               "note": "python3 scripts/optimizer_conventions.py > Fixtures/optimizer-conventions-independent.json"},
    "note": "A linear neuron with a bias (w1 = -5, w2 = -2, b = 0.5), inputs (sqrt(0.2), 0) and (0, 2), targets 0, "
            "half_sse over the full batch, eta 0.1, two steps. Each value follows the named convention and fails "
            "under the spec's own optimizer; `bptrace check --explain` names the convention.",
    "spec": {"name": "optimizer-conventions", "layers": [2, 1], "activations": ["linear"], "loss": "half_sse",
             "learning_rate": ETA, "batch": "full", "bias": True, "update_biases": True,
             "weights": [[[W0[0]], [W0[1]]]], "biases": [[B0]],
             "data": {"inputs": X, "targets": [[0], [0]]}},
    "values": entries,
}
print(json.dumps(fixture, indent=1))
