/// The optimizers' formulas (docs/SPEC.md, "Optimizers") as cell templates: each state
/// quantity over the same step's gradient and the previous step's state (`Expr.previous`,
/// 0 at step 1), and W_new / b_new per optimizer. Written in the engine's evaluation order
/// (`StatefulOptimizer`), so the evaluator reproduces the engine's values bit for bit.
extension Catalogue {
    /// The parameter, gradient and state quantities of W(l) (weights) or b(l).
    private func names(weights: Bool) -> (P: Quantity, g: Quantity, vel: Quantity, sq: Quantity, m: Quantity, v: Quantity, mHat: Quantity, vHat: Quantity) {
        weights ? (.W, .gradW, .velW, .sqW, .mW, .vW, .mHatW, .vHatW) : (.b, .gradB, .velB, .sqB, .mB, .vB, .mHatB, .vHatB)
    }

    private func at(_ q: Quantity, _ l: Int) -> Expr { .cell(QuantityRef(q, l), row: .row, col: .col) }
    private func before(_ q: Quantity, _ l: Int) -> Expr { .previous(QuantityRef(q, l), row: .row, col: .col) }

    /// The formula of one state quantity (vel, sq, m, v, m_hat, v_hat of W or b).
    func optimizerState(_ ref: QuantityRef) -> Expr? {
        let l = ref.layer, weights = ref.quantity.optimizerStateOfWeights ?? true
        let n = names(weights: weights), g = at(n.g, l)
        let one = Expr.c(1), t = Expr.hyper(.stepNumber)
        let mu = Expr.hyper(.momentum), rho = Expr.hyper(.rho), b1 = Expr.hyper(.beta1), b2 = Expr.hyper(.beta2)
        switch ref.quantity {
        case n.vel: return mu * before(n.vel, l) + g                                   // vel = μ·vel_prev + g
        case n.sq: return rho * before(n.sq, l) + (one - rho) * g * g                  // sq = ρ·sq_prev + (1 − ρ)·g²
        case n.m: return b1 * before(n.m, l) + (one - b1) * g                          // m = β1·m_prev + (1 − β1)·g
        case n.v: return b2 * before(n.v, l) + (one - b2) * g * g                      // v = β2·v_prev + (1 − β2)·g²
        case n.mHat: return at(n.m, l) / (one - .power(b1, t))                         // m̂ = m / (1 − β1^t)
        case n.vHat: return at(n.v, l) / (one - .power(b2, t))                         // v̂ = v / (1 − β2^t)
        default: return nil
        }
    }

    /// W_new(l) (weights) or b_new(l): the optimizer's update of a trained parameter.
    func optimizerUpdate(_ l: Int, weights: Bool) -> Expr {
        let n = names(weights: weights), P = at(n.P, l), g = at(n.g, l)
        let eta = Expr.hyper(.learningRate), eps = Expr.hyper(.eps)
        switch spec.optimizer {
        case .sgd: return P - eta * g                                                  // P − η·g
        case .momentum: return P - eta * at(n.vel, l)                                  // P − η·vel
        case .nesterov: return P - eta * (g + .hyper(.momentum) * at(n.vel, l))        // P − η·(g + μ·vel)
        case .rmsprop: return P - eta * g / (.apply(.sqrt, at(n.sq, l)) + eps)         // P − η·g / (√sq + ε)
        case .adam, .adamw:
            var base = P
            if case .adamw(_, _, _, let wd, let decayBiases) = spec.optimizer, wd > 0, weights || decayBiases {
                base = P - eta * .hyper(.weightDecay) * P                              // decoupled: P − η·wd·P
            }
            return base - eta * at(n.mHat, l) / (.apply(.sqrt, at(n.vHat, l)) + eps)   // − η·m̂ / (√v̂ + ε)
        }
    }
}
