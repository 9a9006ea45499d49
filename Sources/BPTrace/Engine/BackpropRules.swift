/// The rules of the backward pass that tutorials (and wrong derivations) differ in, as a value
/// the trainer is given: the slope f'(z), the output delta, which weights the error goes back
/// through (the update order), and whether η is folded into the delta. The engine's rules are
/// `standard`; the checker's conventions, its bug models (the classic mistakes of issue 12:
/// `StepMistakes`, `SlopeRule.fromNet`/`.ofOutput`, `OutputDeltaRule.softmaxExtraSlope`) and the
/// tests' wrong derivatives are named variants of the one `Trainer`.
public struct BackpropRules: Sendable, CustomStringConvertible {
    /// A short name (`standard`, `lr_folded`, `update=immediate`, ...).
    public var name: String
    public var slope: SlopeRule
    public var outputDelta: OutputDeltaRule
    /// The update order err(l-1) = delta(l)·W(l)ᵀ follows: `.immediate` sends the error back
    /// through the already-updated W(l). nil: the spec's own `update`.
    public var errorThrough: UpdateOrder?
    /// The Excel sheet's step 8: d_output = E·slope·lr, the learning rate folded into the
    /// output delta and applied again in the update (parameters move by η² times the gradient;
    /// every delta, error and gradient is η times the contract's).
    public var learningRateInDelta: Bool
    /// The optimizer's variant (the checker's optimizer conventions); `.standard` is the
    /// spec's optimizer as docs/SPEC.md defines it. SGD has no variant.
    public var optimizer: OptimizerVariant
    /// The classic mistakes of the step (issue 12's bug models, `StepMistakes`); `.none` for
    /// the contract's step.
    public var mistakes: StepMistakes

    public init(name: String, slope: SlopeRule = .ofActivation, outputDelta: OutputDeltaRule = .ofLoss,
                errorThrough: UpdateOrder? = nil, learningRateInDelta: Bool = false, optimizer: OptimizerVariant = .standard,
                mistakes: StepMistakes = .none) {
        self.name = name; self.slope = slope; self.outputDelta = outputDelta
        self.errorThrough = errorThrough; self.learningRateInDelta = learningRateInDelta
        self.optimizer = optimizer; self.mistakes = mistakes
    }

    public var description: String { name }

    /// The contract's backward pass under the spec's own update order.
    public static let standard = BackpropRules(name: "standard")
    /// The error sent back through the already-updated weights, whatever the spec says.
    public static let immediate = BackpropRules(name: "update=immediate", errorThrough: .immediate)
    /// The error sent back through the start-of-step weights (the cost's true gradient).
    public static let simultaneous = BackpropRules(name: "update=simultaneous", errorThrough: .simultaneous)
    /// The Excel sheet's convention (`lr_folded`).
    public static let learningRateFolded = BackpropRules(name: "lr_folded", learningRateInDelta: true)

    /// The update order these rules give a spec.
    public func order(for spec: NetworkSpec) -> UpdateOrder { errorThrough ?? spec.update }

    /// The same rules with another slope (a wrong derivative, for tests that must fail).
    public func with(slope: SlopeRule) -> BackpropRules {
        var r = self
        r.slope = slope
        r.name = "\(name) + slope \(slope.name)"
        return r
    }
}

/// slope(l) = f'(z(l)) of one layer from its z and a; nil where the activation has no
/// element-wise slope (softmax).
public struct SlopeRule: Sendable {
    public let name: String
    public let slope: @Sendable (_ f: Activation, _ z: Matrix, _ a: Matrix) -> Matrix?
    /// The same slope written into a matrix the caller owns (false: none), where the rule has
    /// such a form; the trainer uses it to reuse the step before's storage.
    let slopeInto: (@Sendable (_ f: Activation, _ z: Matrix, _ a: Matrix, _ out: inout Matrix) -> Bool)?
    public init(name: String, slope: @escaping @Sendable (Activation, Matrix, Matrix) -> Matrix?) {
        self.name = name; self.slope = slope; slopeInto = nil
    }
    init(name: String, into: @escaping @Sendable (Activation, Matrix, Matrix, inout Matrix) -> Bool) {
        self.name = name; slopeInto = into
        slope = { f, z, a in var out = Matrix.none; return into(f, z, a, &out) ? out : nil }
    }

    /// slope(l) into `out`; false when the layer has none (softmax).
    func slope(_ f: Activation, _ z: Matrix, _ a: Matrix, into out: inout Matrix) -> Bool {
        if let slopeInto { return slopeInto(f, z, a, &out) }
        guard let m = slope(f, z, a) else { return false }
        out = m
        return true
    }

    /// The contract's: from the activation where the tutorials do (`Activation.slope`).
    public static let ofActivation = SlopeRule(name: "f'") { f, z, a, out in f.slope(z: z, a: a, into: &out) }
}

/// delta(L) = dL/dz(L) from the outputs, targets and the output layer's slope.
public struct OutputDeltaRule: Sendable {
    public let name: String
    public let delta: @Sendable (_ loss: Loss, _ outputs: Matrix, _ targets: Matrix, _ slope: Matrix?) -> Matrix
    /// The same delta written into a matrix the caller owns, where the rule has such a form.
    let deltaInto: (@Sendable (_ loss: Loss, _ outputs: Matrix, _ targets: Matrix, _ slope: Matrix?, _ out: inout Matrix) -> Void)?
    public init(name: String, delta: @escaping @Sendable (Loss, Matrix, Matrix, Matrix?) -> Matrix) {
        self.name = name; self.delta = delta; deltaInto = nil
    }
    init(name: String, into: @escaping @Sendable (Loss, Matrix, Matrix, Matrix?, inout Matrix) -> Void) {
        self.name = name; deltaInto = into
        delta = { loss, o, t, slope in var out = Matrix.none; into(loss, o, t, slope, &out); return out }
    }

    /// delta(L) into `out`.
    func delta(_ loss: Loss, _ o: Matrix, _ t: Matrix, _ slope: Matrix?, into out: inout Matrix) {
        if let deltaInto { deltaInto(loss, o, t, slope, &out) } else { out = delta(loss, o, t, slope) }
    }

    /// The contract's: from the loss (`Loss.outputDelta`).
    public static let ofLoss = OutputDeltaRule(name: "dL/dz") { loss, o, t, slope, out in loss.outputDelta(outputs: o, targets: t, slope: slope, into: &out) }
}
