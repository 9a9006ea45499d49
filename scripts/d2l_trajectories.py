"""D2L's 2-d optimizer trajectories (Dive into Deep Learning, chapter "Optimization
Algorithms", sections Momentum and RMSProp), transcribed from the book's code: prints the
epoch-20 values the book prints (`epoch 20, x1: ..., x2: ...`, 6 decimals), which
Fixtures/d2l-*.json check. Float64, as the book's plain-Python train_2d."""
import math


def train_2d(trainer, steps=20):
    x1, x2, s1, s2 = -5, -2, 0, 0
    for _ in range(steps):
        x1, x2, s1, s2 = trainer(x1, x2, s1, s2)
    print(f'epoch {steps}, x1: {float(x1):f}, x2: {float(x2):f}')
    return x1, x2


def gd_2d(eta):
    return lambda x1, x2, s1, s2: (x1 - eta * 0.2 * x1, x2 - eta * 4 * x2, 0, 0)


def momentum_2d(eta, beta):
    def step(x1, x2, v1, v2):
        v1 = beta * v1 + 0.2 * x1
        v2 = beta * v2 + 4 * x2
        return x1 - eta * v1, x2 - eta * v2, v1, v2
    return step


def rmsprop_2d(eta, gamma):
    def step(x1, x2, s1, s2):
        g1, g2, eps = 0.2 * x1, 4 * x2, 1e-6
        s1 = gamma * s1 + (1 - gamma) * g1 ** 2
        s2 = gamma * s2 + (1 - gamma) * g2 ** 2
        x1 -= eta / math.sqrt(s1 + eps) * g1
        x2 -= eta / math.sqrt(s2 + eps) * g2
        return x1, x2, s1, s2
    return step


for label, trainer in [("gd eta 0.4", gd_2d(0.4)), ("gd eta 0.6", gd_2d(0.6)),
                       ("momentum eta 0.6 beta 0.5", momentum_2d(0.6, 0.5)),
                       ("momentum eta 0.6 beta 0.25", momentum_2d(0.6, 0.25)),
                       ("rmsprop eta 0.4 gamma 0.9", rmsprop_2d(0.4, 0.9))]:
    print(label, end=": ")
    train_2d(trainer)
