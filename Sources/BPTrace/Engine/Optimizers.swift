import Foundation

/// Momentum, Nesterov, RMSProp, Adam and AdamW (docs/SPEC.md, "Optimizers"), element-wise,
/// one formula a line. The state of each parameter (keyed by its `QuantityRef`, W(l) or b(l))
/// starts at zero before step 1 and carries from step to step; t counts the calls for that
/// parameter, which is the step number since the trainer calls once per step. `variant` names
/// a tutorial's way of writing the same optimizer (`OptimizerVariant`, the checker's
/// conventions); the standard variant is docs/SPEC.md's.
public struct StatefulOptimizer: Optimizer {
    public let kind: OptimizerSpec
    public let learningRate: Double
    private var state: [QuantityRef: [Matrix]] = [:]
    private var steps: [QuantityRef: Int] = [:]

    /// A tutorial's way of writing the optimizer (`OptimizerVariant`); `.standard` for docs/SPEC.md's.
    public let variant: OptimizerVariant

    public init(_ kind: OptimizerSpec, learningRate: Double, variant: OptimizerVariant = .standard) {
        self.kind = kind; self.learningRate = learningRate; self.variant = variant
    }

    /// The state of `parameter` (W(l) or b(l)) after the calls so far, and their count t:
    /// [vel] for momentum and Nesterov, [sq] for RMSProp, [m, v] for Adam and AdamW (missing
    /// entries read as zero); nil before the first call.
    public func state(of parameter: QuantityRef) -> (state: [Matrix], steps: Int)? {
        guard let t = steps[parameter] else { return nil }
        return (state[parameter] ?? [], t)
    }

    /// Sets the state of `parameter` and its call count t, as if `steps` updates had led to it
    /// (the diagnosis anchors a step on a student's state). A missing second entry reads as zero.
    public mutating func seed(_ parameter: QuantityRef, state values: [Matrix], steps t: Int) {
        guard let first = values.first else { state[parameter] = nil; steps[parameter] = t; return }
        state[parameter] = values.count >= 2 ? Array(values.prefix(2)) : [first, first.map { _ in 0 }]
        steps[parameter] = t
    }

    public mutating func update(parameter: QuantityRef, value P: Matrix, gradient g: Matrix) -> OptimizerStep {
        let eta = learningRate, l = parameter.layer, isW = parameter.quantity == .W
        let t = (steps[parameter] ?? 0) + 1
        steps[parameter] = t
        let zero = g.map { _ in 0 }
        let old = state[parameter] ?? [zero, zero]
        func ref(_ q: Quantity) -> QuantityRef { QuantityRef(q, l) }
        switch kind {
        case .sgd:
            return OptimizerStep(newValue: P.zipWith(g) { $0 - eta * $1 })
        case .momentum(let mu), .nesterov(let mu):
            let vel: Matrix
            switch variant.momentum {
            case .standard: vel = old[0].zipWith(g) { mu * $0 + $1 }            // vel_new = mu·vel + g
            case .ema: vel = old[0].zipWith(g) { mu * $0 + (1 - mu) * $1 }      // variant: mu·vel + (1-mu)·g
            case .lrInside: vel = old[0].zipWith(g) { mu * $0 + eta * $1 }      // variant: mu·vel + eta·g
            }
            state[parameter] = [vel, zero]
            let new: Matrix
            if case .nesterov = kind {
                if variant.momentum == .lrInside {
                    let step = g.zipWith(vel) { eta * $0 + mu * $1 }            // variant: eta·g + mu·vel_new
                    new = P.zipWith(step) { $0 - $1 }
                } else {
                    let step = g.zipWith(vel) { $0 + mu * $1 }                  // g + mu·vel_new
                    new = P.zipWith(step) { $0 - eta * $1 }
                }
            } else if variant.momentum == .lrInside {
                new = P.zipWith(vel) { $0 - $1 }                                // variant: P_new = P - vel_new
            } else {
                new = P.zipWith(vel) { $0 - eta * $1 }                          // P_new = P - eta·vel_new
            }
            return OptimizerStep(newValue: new, traced: [ref(isW ? .velW : .velB): vel])
        case .rmsprop(let rho, let eps):
            let sq = old[0].zipWith(g) { rho * $0 + (1 - rho) * $1 * $1 }      // sq_new = rho·sq + (1-rho)·g²
            state[parameter] = [sq, zero]
            var new = P
            for i in 0..<P.rows {
                for j in 0..<P.cols {
                    new[i, j] = variant.epsInsideSqrt ? P[i, j] - eta * g[i, j] / (sq[i, j] + eps).squareRoot()   // variant: g/√(sq+eps)
                                                      : P[i, j] - eta * g[i, j] / (sq[i, j].squareRoot() + eps)
                }
            }
            return OptimizerStep(newValue: new, traced: [ref(isW ? .sqW : .sqB): sq])
        case .adam(let b1, let b2, let eps), .adamw(let b1, let b2, let eps, _, _):
            var decay = 0.0
            if case .adamw(_, _, _, let wd, let decayBiases) = kind, isW || decayBiases { decay = wd }
            // Variant adamw_as_l2: the decay enters the gradient the moments are built from.
            let gm = !variant.decoupledDecay && decay > 0 ? g.zipWith(P) { $0 + decay * $1 } : g
            if !variant.decoupledDecay { decay = 0 }
            let m = old[0].zipWith(gm) { b1 * $0 + (1 - b1) * $1 }              // m_new = b1·m + (1-b1)·g
            let v = old[1].zipWith(gm) { b2 * $0 + (1 - b2) * $1 * $1 }         // v_new = b2·v + (1-b2)·g²
            state[parameter] = [m, v]
            let c1 = 1 - pow(b1, Double(t)), c2 = 1 - pow(b2, Double(t))
            // Variant adam_no_bias_correction: m and v used as they are.
            let mHat = variant.biasCorrection ? m.map { $0 / c1 } : m, vHat = variant.biasCorrection ? v.map { $0 / c2 } : v
            var new = P
            for i in 0..<P.rows {
                for j in 0..<P.cols {
                    let decayed = decay > 0 ? P[i, j] - eta * decay * P[i, j] : P[i, j]
                    let denominator = variant.epsInsideSqrt ? (vHat[i, j] + eps).squareRoot() : vHat[i, j].squareRoot() + eps
                    new[i, j] = decayed - eta * mHat[i, j] / denominator
                }
            }
            let traced: [QuantityRef: Matrix] = isW
                ? [ref(.mW): m, ref(.vW): v, ref(.mHatW): mHat, ref(.vHatW): vHat]
                : [ref(.mB): m, ref(.vB): v, ref(.mHatB): mHat, ref(.vHatB): vHat]
            return OptimizerStep(newValue: new, traced: traced)
        }
    }
}
