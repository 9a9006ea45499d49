import Foundation

/// Momentum, Nesterov, RMSProp, Adam and AdamW (docs/SPEC.md, "Optimizers"), element-wise,
/// one formula a line. The state of each parameter (keyed by its `QuantityRef`, W(l) or b(l))
/// starts at zero before step 1 and carries from step to step; t counts the calls for that
/// parameter, which is the step number since the trainer calls once per step.
public struct StatefulOptimizer: Optimizer {
    public let kind: OptimizerSpec
    public let learningRate: Double
    private var state: [QuantityRef: [Matrix]] = [:]
    private var steps: [QuantityRef: Int] = [:]

    public init(_ kind: OptimizerSpec, learningRate: Double) { self.kind = kind; self.learningRate = learningRate }

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
            let vel = old[0].zipWith(g) { mu * $0 + $1 }                      // vel_new = mu·vel + g
            state[parameter] = [vel, zero]
            let new: Matrix
            if case .nesterov = kind {
                let step = g.zipWith(vel) { $0 + mu * $1 }                      // g + mu·vel_new
                new = P.zipWith(step) { $0 - eta * $1 }
            } else {
                new = P.zipWith(vel) { $0 - eta * $1 }                          // P_new = P - eta·vel_new
            }
            return OptimizerStep(newValue: new, traced: [ref(isW ? .velW : .velB): vel])
        case .rmsprop(let rho, let eps):
            let sq = old[0].zipWith(g) { rho * $0 + (1 - rho) * $1 * $1 }      // sq_new = rho·sq + (1-rho)·g²
            state[parameter] = [sq, zero]
            var new = P
            for i in 0..<P.rows { for j in 0..<P.cols { new[i, j] = P[i, j] - eta * g[i, j] / (sq[i, j].squareRoot() + eps) } }
            return OptimizerStep(newValue: new, traced: [ref(isW ? .sqW : .sqB): sq])
        case .adam(let b1, let b2, let eps), .adamw(let b1, let b2, let eps, _, _):
            let m = old[0].zipWith(g) { b1 * $0 + (1 - b1) * $1 }               // m_new = b1·m + (1-b1)·g
            let v = old[1].zipWith(g) { b2 * $0 + (1 - b2) * $1 * $1 }          // v_new = b2·v + (1-b2)·g²
            state[parameter] = [m, v]
            let c1 = 1 - pow(b1, Double(t)), c2 = 1 - pow(b2, Double(t))
            let mHat = m.map { $0 / c1 }, vHat = v.map { $0 / c2 }
            var decay = 0.0
            if case .adamw(_, _, _, let wd, let decayBiases) = kind, isW || decayBiases { decay = wd }
            var new = P
            for i in 0..<P.rows {
                for j in 0..<P.cols {
                    let decayed = decay > 0 ? P[i, j] - eta * decay * P[i, j] : P[i, j]
                    new[i, j] = decayed - eta * mHat[i, j] / (vHat[i, j].squareRoot() + eps)
                }
            }
            let traced: [QuantityRef: Matrix] = isW
                ? [ref(.mW): m, ref(.vW): v, ref(.mHatW): mHat, ref(.vHatW): vHat]
                : [ref(.mB): m, ref(.vB): v, ref(.mHatB): mHat, ref(.vHatB): vHat]
            return OptimizerStep(newValue: new, traced: traced)
        }
    }
}
