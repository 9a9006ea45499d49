"""The optimizers of docs/SPEC.md ("Optimizers"), written from that text in plain Python for
scripts/independent_mlp.py: no code shared with bptrace. Element by element; the state of
each parameter starts at zero and carries across steps; t is the step number (1-based)."""
import math

DEFAULTS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.9},
    "rmsprop": {"rho": 0.9, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01, "decay_biases": False},
}


class Optimizer:
    def __init__(self, spec):
        o = spec.get("optimizer", "sgd")
        if isinstance(o, str):
            o = {"name": o}
        self.name = o["name"]
        self.h = dict(DEFAULTS[self.name])
        self.h.update({k: v for k, v in o.items() if k != "name"})
        self.eta = float(spec["learning_rate"])
        self.state = {}   # (layer, "W" or "b") -> dict of state matrices

    def update(self, layer, which, P, g, t):
        """P_new and the traced state {quantity: matrix} of parameter `which` ("W" or "b") of
        `layer`; P and g are lists of rows."""
        eta, h = self.eta, self.h
        rows, cols = len(P), len(P[0])
        zero = [[0.0] * cols for _ in range(rows)]
        st = self.state.setdefault((layer, which), {})
        new = [[0.0] * cols for _ in range(rows)]
        traced = {}
        if self.name == "sgd":
            for i in range(rows):
                for j in range(cols):
                    new[i][j] = P[i][j] - eta * g[i][j]
        elif self.name in ("momentum", "nesterov"):
            mu = h["momentum"]
            old = st.get("vel", zero)
            vel = [[mu * old[i][j] + g[i][j] for j in range(cols)] for i in range(rows)]
            for i in range(rows):
                for j in range(cols):
                    if self.name == "momentum":
                        new[i][j] = P[i][j] - eta * vel[i][j]
                    else:
                        new[i][j] = P[i][j] - eta * (g[i][j] + mu * vel[i][j])
            st["vel"] = vel
            traced["vel_" + which] = vel
        elif self.name == "rmsprop":
            rho, eps = h["rho"], h["eps"]
            old = st.get("sq", zero)
            sq = [[rho * old[i][j] + (1 - rho) * g[i][j] ** 2 for j in range(cols)] for i in range(rows)]
            for i in range(rows):
                for j in range(cols):
                    new[i][j] = P[i][j] - eta * g[i][j] / (math.sqrt(sq[i][j]) + eps)
            st["sq"] = sq
            traced["sq_" + which] = sq
        else:  # adam, adamw
            b1, b2, eps = h["beta1"], h["beta2"], h["eps"]
            m0, v0 = st.get("m", zero), st.get("v", zero)
            m = [[b1 * m0[i][j] + (1 - b1) * g[i][j] for j in range(cols)] for i in range(rows)]
            v = [[b2 * v0[i][j] + (1 - b2) * g[i][j] ** 2 for j in range(cols)] for i in range(rows)]
            mh = [[m[i][j] / (1 - b1 ** t) for j in range(cols)] for i in range(rows)]
            vh = [[v[i][j] / (1 - b2 ** t) for j in range(cols)] for i in range(rows)]
            wd = h["weight_decay"] if self.name == "adamw" and (which == "W" or h["decay_biases"]) else 0.0
            for i in range(rows):
                for j in range(cols):
                    base = P[i][j] - eta * wd * P[i][j]
                    new[i][j] = base - eta * mh[i][j] / (math.sqrt(vh[i][j]) + eps)
            st["m"], st["v"] = m, v
            traced.update({"m_" + which: m, "v_" + which: v, "m_hat_" + which: mh, "v_hat_" + which: vh})
        return new, traced


STATE = ["vel_W", "sq_W", "m_W", "v_W", "m_hat_W", "v_hat_W", "vel_b", "sq_b", "m_b", "v_b", "m_hat_b", "v_hat_b"]
