/// The training engine: one step of forward pass, loss, backward pass and update, written a
/// line per formula of docs/SPEC.md, "Conventions", in Float64 and one fixed evaluation order.
///
/// The backward pass follows `rules` (the engine's are `BackpropRules.standard`; conventions
/// and wrong derivatives are named variants) and each parameter's update is `optimizer`'s
/// (SGD unless told otherwise).
public struct Trainer: Sendable {
    public let spec: NetworkSpec
    public let rules: BackpropRules
    public private(set) var optimizer: any Optimizer
    /// The parameters at the start of the next step.
    public private(set) var parameters: Parameters
    private let catalogue: Catalogue
    private let plan: [StepPlanEntry]
    /// f[l], the activation of layer l = 1...L (f[0], the input layer's, is linear).
    private let f: [Activation]

    /// - Parameter plan: `Catalogue(spec: spec).stepPlan`, when the caller has it already (a
    ///   grader re-running one step under many alternatives); computed here otherwise.
    public init(spec: NetworkSpec, parameters: Parameters? = nil, rules: BackpropRules = .standard, optimizer: (any Optimizer)? = nil,
                plan: [StepPlanEntry]? = nil) {
        self.spec = spec
        self.rules = rules
        self.optimizer = optimizer ?? Trainer.optimizer(for: spec, rules: rules)
        self.parameters = parameters ?? spec.initialParameters()
        self.catalogue = Catalogue(spec: spec)
        self.plan = plan ?? catalogue.stepPlan
        self.f = [Activation.linear] + spec.activations
    }

    /// A fresh optimizer (zero state) for `spec` under `rules`: SGD or the spec's stateful
    /// optimizer in the rules' variant, with the learning rate the rules' update uses (η, or −η
    /// and η² under the `update_sign` and `lr_twice` mistakes). What `init` uses when given none.
    public static func optimizer(for spec: NetworkSpec, rules: BackpropRules = .standard) -> any Optimizer {
        let eta = rules.mistakes.learningRateInUpdate.apply(spec.learningRate)
        return spec.optimizer.isSGD ? SGD(learningRate: eta) : StatefulOptimizer(spec.optimizer, learningRate: eta, variant: rules.optimizer)
    }

    /// Runs training step `s` (1-based) from the current parameters, advances them to the
    /// updated ones, and returns every intermediate.
    public mutating func step(_ s: Int) -> StepResult {
        var r = StepResult(step: s, catalogue: catalogue, plan: plan)
        step(s, into: &r)
        return r
    }

    /// `step(s)` written into `r`, a store of an earlier step of this trainer (the trace
    /// runner's loop): each block is computed into the storage of the step before's block of
    /// the same quantity, so a long run does not allocate its blocks again every step.
    public mutating func step(_ s: Int, into r: inout StepResult) {
        r.recycle(step: s)
        var pass = Pass()
        swap(&pass, &scratch)                      // the step before's arrays, emptied
        forwardPass(s, into: &r, &pass)
        backward(&r, &pass)
        pass.empty()
        scratch = pass
    }

    /// Stages 1–7 at the current parameters: the step's batch, the forward pass, the loss,
    /// E and the slopes. The result holds no backward quantities.
    public func forward(_ s: Int) -> StepResult {
        var r = StepResult(step: s, catalogue: catalogue, plan: plan)
        var pass = Pass()
        forwardPass(s, into: &r, &pass)
        return r
    }

    /// What the backward pass reads of the forward pass, by layer (index l is layer l; a(0)
    /// and z(0) are x). The trainer keeps one between steps, emptied, so its arrays are not
    /// allocated again every step.
    private struct Pass: Sendable {
        var W: [Matrix] = [], b: [Matrix?] = [], z: [Matrix] = [], a: [Matrix] = [], slope: [Matrix?] = []
        var y = Matrix.none
        /// The mistakes' factor on the loss and delta(L) (`StepMistakes.LossScale`); nil: none.
        var lossFactor: Double?

        /// Lets go of the step's matrices (so the next step can reuse their storage), keeping
        /// the arrays' room.
        mutating func empty() {
            W.removeAll(keepingCapacity: true); b.removeAll(keepingCapacity: true)
            z.removeAll(keepingCapacity: true); a.removeAll(keepingCapacity: true)
            slope.removeAll(keepingCapacity: true)
            y = .none; lossFactor = nil
        }
    }
    private var scratch = Pass()

    /// The samples of step `s` (inputs and targets); the whole data set shares its storage
    /// instead of being copied every step.
    private func batch(_ s: Int) -> (x: Matrix, t: Matrix) {
        if case .full = spec.batch { return (spec.data.inputs, spec.data.targets) }
        let rows = spec.batch.indices(step: s, count: spec.data.count)
        return (spec.data.inputs.selectingRows(rows), spec.data.targets.selectingRows(rows))
    }

    /// Stages 1–7 into `r` (each block by `r.compute`, see `step(_:into:)`).
    private func forwardPass(_ s: Int, into r: inout StepResult, _ p: inout Pass) {
        let L = spec.depth, f = self.f
        let (x, t) = batch(s)
        p.W.append(.none); p.W.append(contentsOf: parameters.weights)
        p.b.append(nil); for l in 0..<L { p.b.append(spec.bias ? parameters.biases[l] : nil) }
        r[.x, 0] = x
        r[.y, L] = t
        for l in 1...L { r[.W, l] = p.W[l]; r[.b, l] = p.b[l] }

        // Forward: z(l) = a(l-1)·W(l) + b(l); a(l) = f(z(l)). (Mistake: no bias.)
        p.z.append(x); p.a.append(x)
        for l in 1...L {
            let zl = r.compute(.z, l) { zl in
                p.a[l - 1].dot(p.W[l], into: &zl)
                if rules.mistakes.biasInForward, let bl = p.b[l] { zl.addToEachRow(bl) }
            }
            p.z.append(zl)
            p.a.append(r.compute(.a, l) { f[l].apply(zl, into: &$0) })
        }
        let W = p.W, o = p.a[L]

        // Loss at the start-of-step weights; cost adds (lambda/2)·Σ W².
        var loss = spec.loss.value(outputs: o, targets: t, outputActivation: f[L])
        // Mistakes: half_sse without its ½, a batch sum divided by B.
        let scale = rules.mistakes.lossScale, factor = scale.factor(loss: spec.loss, batch: x.rows)
        if let k = factor { loss = scale.scale(loss, by: k) }
        r.compute(.loss, L) { Matrix.scalar(loss, into: &$0) }
        if spec.l2 > 0 {
            var squares = 0.0
            for l in 1...L { for w in W[l].values { squares += w * w } }
            r.compute(.cost, L) { Matrix.scalar(loss + spec.l2 / 2 * squares, into: &$0) }
        }
        r.compute(.E, L) { t.zipWith(o, into: &$0) { $0 - $1 } }                 // E = t - o

        // slope(l) = f'(z(l)), by the rules' slope (the engine's: from the activation where the tutorials do).
        p.slope.append(nil)
        for l in 1...L {
            var has = false
            let m = r.compute(.slope, l) { has = rules.slope.slope(f[l], p.z[l], p.a[l], into: &$0) }
            p.slope.append(has ? m : nil)
            if !has { r[.slope, l] = nil }
        }
        p.y = t
        p.lossFactor = factor
    }

    /// Stages 8–12: the backward pass and the update, written into `r`; advances `parameters`
    /// to the updated ones in place (and the optimizer's state).
    private mutating func backward(_ r: inout StepResult, _ p: inout Pass) {
        let L = spec.depth
        // delta(L) = dL/dz(L), from the loss; η folded in under the lr-folded rules.
        // (Mistakes: the slope left out — a slope of ones; the loss's factor.)
        let m = rules.mistakes
        let outputSlope = m.slopeInDelta ? p.slope[L] : p.slope[L].map { $0.map { _ in 1.0 } }
        var delta = r.compute(.delta, L) { d in
            rules.outputDelta.delta(spec.loss, p.a[L], p.y, outputSlope, into: &d)
            if let k = p.lossFactor { d = d.map { m.lossScale.scale($0, by: k) } }
            if rules.learningRateInDelta { d = d.map { $0 * spec.learningRate } }
        }
        for l in stride(from: L, through: 1, by: -1) {
            let W = p.W[l]
            let g = r.compute(.gradW, l) { g in                            // grad_W = a(l-1)^T·delta(l) + lambda·W(l)
                p.a[l - 1].transposedDot(delta, into: &g)
                if spec.l2 > 0 { g = g.zipWith(W) { $0 + spec.l2 * $1 } }
            }
            parameters.weights[l - 1] = Self.record(optimizer.update(parameter: QuantityRef(.W, l), value: W, gradient: g), as: .WNew, l, in: &r)
            if let bl = p.b[l] {
                // grad_b = column sums of delta(l) (mistake: the first sample's row alone)
                let gb = r.compute(.gradB, l) { gb in
                    if m.biasGradientFromFirstSample && delta.rows > 0 { gb = Matrix(row: delta.row(0)) } else { delta.columnSums(into: &gb) }
                }
                parameters.biases[l - 1] = spec.updateBiases
                    ? Self.record(optimizer.update(parameter: QuantityRef(.b, l), value: bl, gradient: gb), as: .bNew, l, in: &r)
                    : bl
                r[.bNew, l] = parameters.biases[l - 1]
            }
            if l > 1, let slope = p.slope[l - 1] {
                // err(l-1) = delta(l)·W(l)^T, with the updated W(l) under the immediate order.
                let through = rules.order(for: spec) == .immediate ? parameters.weights[l - 1] : W
                // (Mistake: delta(l)·W(l) without the transpose, where W(l) is square.)
                let err = r.compute(.err, l - 1) { e in
                    if m.untransposed(through) { delta.dot(through, into: &e) } else { delta.dotTransposed(through, into: &e) }
                }
                // delta(l-1) = err(l-1) ⊙ slope(l-1) (mistake: err alone)
                delta = r.compute(.delta, l - 1) { d in if m.slopeInDelta { err.zipWith(slope, into: &d) { $0 * $1 } } else { d = err } }
            }
        }
    }

    /// Stores an optimizer's step: the new value as `quantity`(l) and what it traces besides.
    /// (Static: a method on self, called with the optimizer's mutation as its argument, would
    /// copy the whole trainer per call.)
    private static func record(_ u: OptimizerStep, as quantity: Quantity, _ l: Int, in r: inout StepResult) -> Matrix {
        r[quantity, l] = u.newValue
        for (ref, m) in u.traced { r[ref] = m }
        return u.newValue
    }
}
