"""The JAX + optax side of scripts/witness_optax.py: the spec's net written from docs/SPEC.md's
definitions (forward pass, losses, L2, batches), gradients by jax.grad, updates by optax."""
import jax
import jax.numpy as jnp
import optax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

# Set by witness_optax.py --mutate: a deliberately wrong convention on this side.
MUTATE = None
# bptrace's state quantity (for a weight "_W" or bias "_b") -> the field of optax's state.
STATE_FIELDS = {"momentum": {"vel": "trace"}, "nesterov": {"vel": "trace"}, "rmsprop": {"sq": "nu"},
                "adam": {"m": "mu", "v": "nu"}, "adamw": {"m": "mu", "v": "nu"}}


def optimizer_name(opt):
    return opt if isinstance(opt, str) else opt["name"]


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
        elif loss == "sum":
            value = jnp.sum(o)
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


class Net:
    """The spec's net in JAX with its optax optimizer."""

    def __init__(self, spec):
        self.spec = spec
        self.name = optimizer_name(spec["optimizer"])
        self.depth = len(spec["layers"]) - 1
        self.has_bias = spec.get("bias", True)
        self.trains_bias = self.has_bias and spec.get("update_biases", True)
        self.x = jnp.array(spec["data"]["inputs"], dtype=jnp.float64)
        self.t = jnp.array(spec["data"]["targets"], dtype=jnp.float64)
        self.tx = optax_optimizer(spec["optimizer"], spec["learning_rate"])
        self.grad = jax.grad(loss_fn(spec), argnums=(0, 1))

    def split(self, W, b):
        """The trained parameters (optax's tree) and the fixed biases (or None)."""
        trained = {"W": W, **({"b": b} if self.trains_bias else {})}
        return trained, (b if self.has_bias and not self.trains_bias else None)

    def step(self, step, trained, fixed_b, state):
        """One training step: the new trained parameters and state, and the step's blocks
        under bptrace's quantity names (gradients, W_new, b_new, the state)."""
        rows = jnp.array(batch_rows(self.spec, step, self.x.shape[0]))
        g, g_fixed = self.grad(trained, fixed_b, self.x[rows], self.t[rows])
        updates, state = self.tx.update(g, state, trained)
        trained = optax.apply_updates(trained, updates)
        blocks = {}
        for l in range(self.depth):
            blocks[("grad_W", l + 1)], blocks[("W_new", l + 1)] = g["W"][l], trained["W"][l]
            if self.has_bias:
                blocks[("grad_b", l + 1)] = (g["b"] if self.trains_bias else g_fixed)[l].reshape(1, -1)
                blocks[("b_new", l + 1)] = (trained["b"] if self.trains_bias else fixed_b)[l].reshape(1, -1)
        for quantity, field in STATE_FIELDS.get(self.name, {}).items():
            tree = optax.tree_utils.tree_get(state, field)
            for l in range(self.depth):
                blocks[(quantity + "_W", l + 1)] = tree["W"][l]
                if self.trains_bias:
                    blocks[(quantity + "_b", l + 1)] = tree["b"][l].reshape(1, -1)
        return trained, state, blocks

    def start(self):
        W = [jnp.array(w, dtype=jnp.float64) for w in self.spec["weights"]]
        b = [jnp.array(v, dtype=jnp.float64) for v in self.spec["biases"]] if self.has_bias else None
        return W, b

    def trajectory(self, steps):
        """{step: blocks}: JAX training on its own for `steps` steps."""
        trained, fixed_b = self.split(*self.start())
        state = self.tx.init(trained)
        out = {}
        for step in range(1, steps + 1):
            trained, state, out[step] = self.step(step, trained, fixed_b, state)
        return out

    def from_bptrace(self, ours, step):
        """One step from bptrace's start-of-step parameters and its state after step - 1."""
        W = [jnp.array(ours[(step, "W", l + 1)]) for l in range(self.depth)]
        b = [jnp.array(ours[(step, "b", l + 1)][0]) for l in range(self.depth)] if self.has_bias else None
        trained, fixed_b = self.split(W, b)
        state = self.tx.init(trained)
        fields = {}
        for quantity, field in STATE_FIELDS.get(self.name, {}).items():
            def previous(kind, l, shape):
                return jnp.array(ours[(step - 1, quantity + "_" + kind, l + 1)]).reshape(shape) if step > 1 else jnp.zeros(shape)
            fields[field] = {"W": [previous("W", l, W[l].shape) for l in range(self.depth)],
                             **({"b": [previous("b", l, b[l].shape) for l in range(self.depth)]} if self.trains_bias else {})}
        if self.name in ("adam", "adamw"):
            fields["count"] = jnp.asarray(step - 1, dtype=jnp.int32)
        if fields:
            state = optax.tree_utils.tree_set(state, **fields)
        return self.step(step, trained, fixed_b, state)[2]
