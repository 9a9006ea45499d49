/// The classic backprop mistakes (issue 12's bug models) that are not a slope rule or an
/// output-delta rule: switches of the one `Trainer` step, carried in `BackpropRules` like the
/// optimizer's variant. `.none` is the contract's step; `bptrace run` always uses it. The
/// checker's `BugModel`s (docs/CHECKING.md, "Bug models") set one switch each.
///
/// Each switch changes nothing where the mistake cannot show (a sum over a batch of one, a
/// transpose of a square-less network, a bias the network does not have), so a model whose
/// `applies(to:)` is false runs the contract's step bit for bit.
public struct StepMistakes: Hashable, Sendable, CustomStringConvertible {
    /// The learning rate the update uses (the lr-folded delta keeps the spec's η).
    public enum LearningRate: Hashable, Sendable {
        /// η, the spec's.
        case spec
        /// −η: the step goes up the gradient (`update_sign`).
        case negated
        /// η²: the learning rate applied twice (`lr_twice`).
        case squared

        /// The update's learning rate for the spec's `eta`.
        public func apply(_ eta: Double) -> Double {
            switch self {
            case .spec: return eta
            case .negated: return -eta
            case .squared: return eta * eta
            }
        }
    }

    /// A factor on the data loss and the output delta (so on every delta and gradient after it).
    public enum LossScale: Hashable, Sendable {
        case none
        /// `half_sse` without its ½: the loss and delta(L) times 2. Other losses have no ½.
        case withoutHalf
        /// The loss and delta(L) divided by the batch size B, for the losses that sum over the
        /// batch (`half_sse`, `sum`); the others already average.
        case batchMean

        /// The factor for a loss over a batch of `batch` samples; nil where it changes nothing.
        public func factor(loss: Loss, batch: Int) -> Double? {
            switch self {
            case .none: return nil
            case .withoutHalf: return loss == .halfSSE ? 2 : nil
            case .batchMean: return (loss == .halfSSE || loss == .sum) && batch > 1 ? Double(batch) : nil
            }
        }

        /// Whether the factor multiplies (2) or divides (B).
        var divides: Bool { self == .batchMean }

        /// `x` under this scale with `factor` from `factor(loss:batch:)`.
        public func scale(_ x: Double, by factor: Double) -> Double { divides ? x / factor : x * factor }
    }

    /// delta = err ⊙ slope, and delta(L) with the slope where the loss's formula has it;
    /// false: the slope factor left out (`slope_missing`).
    public var slopeInDelta: Bool
    /// err(l) = delta(l+1)·W(l+1)ᵀ; false: delta(l+1)·W(l+1), where W(l+1) is square and
    /// larger than 1×1 (elsewhere the product would not exist, or is the same).
    public var transposeInError: Bool
    public var learningRateInUpdate: LearningRate
    public var lossScale: LossScale
    /// grad_b = the first sample's row of delta instead of the column sums (`bias_grad_first_sample`).
    public var biasGradientFromFirstSample: Bool
    /// z = a·W + b; false: z = a·W, the bias left out of the forward pass (`bias_missing_in_forward`).
    public var biasInForward: Bool

    public init(slopeInDelta: Bool = true, transposeInError: Bool = true, learningRateInUpdate: LearningRate = .spec,
                lossScale: LossScale = .none, biasGradientFromFirstSample: Bool = false, biasInForward: Bool = true) {
        self.slopeInDelta = slopeInDelta; self.transposeInError = transposeInError
        self.learningRateInUpdate = learningRateInUpdate; self.lossScale = lossScale
        self.biasGradientFromFirstSample = biasGradientFromFirstSample; self.biasInForward = biasInForward
    }

    /// The contract's step.
    public static let none = StepMistakes()

    public var isNone: Bool { self == .none }

    public var description: String {
        var parts: [String] = []
        if !slopeInDelta { parts.append("slope_missing") }
        if !transposeInError { parts.append("weights_not_transposed") }
        if learningRateInUpdate == .negated { parts.append("update_sign") }
        if learningRateInUpdate == .squared { parts.append("lr_twice") }
        if lossScale == .withoutHalf { parts.append("sse_without_half") }
        if lossScale == .batchMean { parts.append("batch_mean") }
        if biasGradientFromFirstSample { parts.append("bias_grad_first_sample") }
        if !biasInForward { parts.append("bias_missing_in_forward") }
        return parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }

    /// Whether err(l) = delta(l+1)·W goes without the transpose for this W(l+1).
    func untransposed(_ W: Matrix) -> Bool { !transposeInError && W.rows == W.cols && W.rows > 1 }
}

extension SlopeRule {
    /// `slope_from_net`: the derivative's formula in terms of a applied to z (sigmoid z(1−z),
    /// tanh 1−z²); relu and linear are written from z already, so they are unchanged.
    public static let fromNet = SlopeRule(name: "slope_from_net") { f, z, _ in f.slope(z: z, a: z) }
    /// `slope_twice`: the derivative taken at the activation's output, f′(a) (sigmoid
    /// σ(a)(1−σ(a)), tanh 1−tanh²(a)); relu and linear are unchanged (a > 0 exactly where z > 0).
    public static let ofOutput = SlopeRule(name: "slope_twice") { f, _, a in f.slope(z: a, a: f.apply(a)) }
}

extension OutputDeltaRule {
    /// `softmax_extra_slope`: softmax with cross-entropy, (o − t)/B multiplied by o(1 − o) again.
    /// Only a softmax output (the layer with no slope of its own) changes.
    public static let softmaxExtraSlope = OutputDeltaRule(name: "softmax_extra_slope") { loss, o, t, slope in
        let d = loss.outputDelta(outputs: o, targets: t, slope: slope)
        guard slope == nil, loss == .crossEntropy else { return d }
        return d.zipWith(o) { $0 * ($1 * (1.0 - $1)) }
    }
}

extension BackpropRules {
    /// The same rules with the mistakes `m` (a bug model's step), named `name`.
    public func with(mistakes m: StepMistakes, name: String) -> BackpropRules {
        var r = self
        r.mistakes = m
        r.name = name
        return r
    }
}
