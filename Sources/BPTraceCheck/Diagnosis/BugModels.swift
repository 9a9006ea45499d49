import BPTrace
import Foundation

/// A classic backprop mistake as a named variant of the engine's one step (issue 12): the
/// trainer run with rules that differ from `BackpropRules.standard` in one place (a slope rule,
/// an output-delta rule or one `StepMistakes` switch), as `lr_folded` is. The diagnosis
/// (`bptrace check --trace --explain`) re-runs a step under each model that applies and names
/// those that reproduce a student's numbers. docs/CHECKING.md, "Bug models", has the table.
public struct BugModel: Sendable, CustomStringConvertible {
    /// The spelling (issue 12's names, exactly: `slope_missing`, `update_sign`, ...).
    public let spelling: String
    /// What the mistake is, for a reader.
    public let meaning: String
    /// The formula the student used, in the words of docs/CHECKING.md.
    public let formula: String
    /// The pattern it leaves in the numbers: what to look for in a trace.
    public let telltale: String
    /// The quantities it changes first on most specs (see `firstChanged(in:)`).
    let changes: [Quantity]
    /// The trainer's rules under it.
    public let rules: BackpropRules
    private let appliesTo: @Sendable (NetworkSpec) -> Bool

    init(_ spelling: String, meaning: String, formula: String, telltale: String, firstChanged: [Quantity],
         rules: BackpropRules, applies: @escaping @Sendable (NetworkSpec) -> Bool) {
        self.spelling = spelling; self.meaning = meaning; self.formula = formula; self.telltale = telltale
        self.changes = firstChanged; self.rules = rules; self.appliesTo = applies
    }

    public var description: String { spelling }

    /// Whether the mistake can change a number of `spec`'s trace. Where it cannot (a slope of
    /// relu or linear layers only, a batch of one, no biases, no square weight matrix, ...), a
    /// run under `rules` is the contract's step bit for bit, so the model could only name
    /// itself for numbers that are right.
    public func applies(to spec: NetworkSpec) -> Bool { appliesTo(spec) }

    /// The quantities it changes first on `spec` (the trace's first wrong cells, when it
    /// applies): every block before them in trace order is the contract's. Under the immediate
    /// update order a wrong update shows first in err, which goes through the updated weights.
    public func firstChanged(in spec: NetworkSpec) -> [Quantity] {
        if changes.contains(.WNew), spec.update == .immediate, spec.depth >= 2 { return [.err] + changes }
        return changes
    }

    /// The model as an alternative the diagnosis tries on `spec`; nil where it does not apply.
    public func alternative(for spec: NetworkSpec) -> Alternative? {
        applies(to: spec) ? Alternative(spelling: spelling, meaning: meaning, spec: spec, rules: rules) : nil
    }

    /// The models, in the fixed order the diagnosis tries them (issue 12's list).
    public static let all: [BugModel] = [
        slopeFromNet, slopeMissing, slopeTwice, weightsNotTransposed, updateSign, lrTwice,
        sseWithoutHalf, batchMean, biasGradFirstSample, softmaxExtraSlope, biasMissingInForward,
    ]

    /// The spellings, in order.
    public static var spellings: [String] { all.map(\.spelling) }

    /// The model spelled `name` (case and surrounding blanks ignored).
    public static func named(_ name: String) -> BugModel? {
        let n = name.trimmingCharacters(in: .whitespaces).lowercased()
        return all.first { $0.spelling == n }
    }

    /// The models that apply to `spec`, in order.
    public static func applicable(to spec: NetworkSpec) -> [BugModel] { all.filter { $0.applies(to: spec) } }

    /// The models as alternatives for `spec` (those that apply), in order.
    public static func alternatives(for spec: NetworkSpec) -> [Alternative] { all.compactMap { $0.alternative(for: spec) } }

    // MARK: - The models

    static func rules(_ spelling: String, _ m: StepMistakes) -> BackpropRules {
        BackpropRules.standard.with(mistakes: m, name: spelling)
    }

    public static let slopeFromNet = BugModel(
        "slope_from_net",
        meaning: "the activation's derivative formula applied to z instead of a (sigmoid z(1 − z), tanh 1 − z²)",
        formula: "slope(l) = z(l)⊙(1 − z(l)) (sigmoid), 1 − z(l)² (tanh); relu and linear as the contract",
        telltale: "slope equals z(1 − z) or 1 − z² of the same cell's z; every delta after it is off",
        firstChanged: [.slope], rules: BackpropRules(name: "slope_from_net", slope: .fromNet),
        applies: { spec in hasSigmoidOrTanh(spec) })

    public static let slopeMissing = BugModel(
        "slope_missing",
        meaning: "delta without the slope factor (delta(L) = dL/do, delta(l) = err(l))",
        formula: "delta(L) = dL/do (half_sse: o − t; mse: 2(o − t)/(B·n); cross-entropy unchanged); delta(l) = err(l)",
        telltale: "delta(l) equals err(l) cell for cell; delta(L) equals o − t (−E) for half_sse; slopes themselves are right",
        firstChanged: [.delta], rules: rules("slope_missing", StepMistakes(slopeInDelta: false)),
        applies: { spec in
            let L = spec.depth, f = spec.activations
            let outputUsesSlope = [Loss.halfSSE, .mse, .sum, .hinge].contains(spec.loss) && f[L - 1] != .linear && f[L - 1] != .softmax
            return outputUsesSlope || f.dropLast().contains { $0 != .linear }
        })

    public static let slopeTwice = BugModel(
        "slope_twice",
        meaning: "the derivative applied to the activation's output again (sigmoid σ(a)(1 − σ(a)), tanh 1 − tanh²(a))",
        formula: "slope(l) = σ(a(l))⊙(1 − σ(a(l))) (sigmoid), 1 − tanh²(a(l)) (tanh); relu and linear as the contract",
        telltale: "slope is f′ of a, not of z: sigmoid slopes all near 0.2–0.25, tanh slopes too large; every delta after it is off",
        firstChanged: [.slope], rules: BackpropRules(name: "slope_twice", slope: .ofOutput),
        applies: { spec in hasSigmoidOrTanh(spec) })

    public static let weightsNotTransposed = BugModel(
        "weights_not_transposed",
        meaning: "the error sent back through W instead of Wᵀ, err(l) = delta(l+1)·W(l+1) (where W(l+1) is square)",
        formula: "err(l) = delta(l+1)·W(l+1) where n(l) = n(l+1) > 1; elsewhere delta(l+1)·W(l+1)ᵀ",
        telltale: "err(l)[i,j] = Σ_k delta(l+1)[i,k]·W(l+1)[k,j]: the weights' rows and columns swapped; the output layer's gradients are right",
        firstChanged: [.err], rules: rules("weights_not_transposed", StepMistakes(transposeInError: false)),
        applies: { spec in (1..<max(spec.depth, 1)).contains { l in spec.layers[l] == spec.layers[l + 1] && spec.layers[l] > 1 } })

    public static let updateSign = BugModel(
        "update_sign",
        meaning: "the update with the wrong sign, P_new = P + eta·g",
        formula: "the update's learning rate is −η: SGD P_new = P + η·g; momentum P + η·vel; Adam P + η·m̂/(√v̂ + ε); AdamW's decay flips too",
        telltale: "W_new − W = +η·grad_W (SGD): the parameters move up the gradient; every gradient is right",
        firstChanged: [.WNew, .bNew], rules: rules("update_sign", StepMistakes(learningRateInUpdate: .negated)),
        applies: { spec in spec.learningRate != 0 })

    public static let lrTwice = BugModel(
        "lr_twice",
        meaning: "the learning rate applied twice, P_new = P − eta²·g",
        formula: "the update's learning rate is η²: SGD P_new = P − η²·g; momentum P − η²·vel; Adam P − η²·m̂/(√v̂ + ε)",
        telltale: "W_new − W = −η²·grad_W (SGD): the step η times too small; every gradient is right (lr_folded moves W the same but scales the deltas)",
        firstChanged: [.WNew, .bNew], rules: rules("lr_twice", StepMistakes(learningRateInUpdate: .squared)),
        applies: { spec in spec.learningRate != 0 && spec.learningRate != 1 })

    public static let sseWithoutHalf = BugModel(
        "sse_without_half",
        meaning: "the squared-error loss without its ½, so delta(L) and every gradient doubled",
        formula: "loss = Σ(t − o)²; delta(L) = 2(o − t)⊙slope; every delta and gradient after it doubled",
        telltale: "loss is twice the contract's; delta(L), err, delta, grad_W, grad_b all exactly 2×; the forward pass is right",
        firstChanged: [.loss, .cost], rules: rules("sse_without_half", StepMistakes(lossScale: .withoutHalf)),
        applies: { spec in spec.loss == .halfSSE })

    public static let batchMean = BugModel(
        "batch_mean",
        meaning: "the batch's loss and gradients divided by the batch size where the contract sums",
        formula: "loss = (½Σ(t − o)²)/B (half_sse), Σo/B (sum); delta(L) = contract's/B; every delta and gradient after it /B",
        telltale: "loss, delta(L), err, delta, grad_W, grad_b all exactly 1/B of the contract's; the forward pass is right",
        firstChanged: [.loss, .cost], rules: rules("batch_mean", StepMistakes(lossScale: .batchMean)),
        applies: { spec in (spec.loss == .halfSSE || spec.loss == .sum) && batchSize(spec) > 1 })

    public static let biasGradFirstSample = BugModel(
        "bias_grad_first_sample",
        meaning: "grad_b taken from the first sample's delta instead of summed over the batch",
        formula: "grad_b(l) = delta(l)[1, ·] (the first row) instead of Σ_i delta(l)[i, ·]",
        telltale: "grad_b equals the first row of delta; W's gradients and the deltas are right; b_new follows the wrong grad_b",
        firstChanged: [.gradB], rules: rules("bias_grad_first_sample", StepMistakes(biasGradientFromFirstSample: true)),
        applies: { spec in spec.bias && batchSize(spec) > 1 })

    public static let softmaxExtraSlope = BugModel(
        "softmax_extra_slope",
        meaning: "softmax with cross-entropy, with p(1 − p) multiplied in again",
        formula: "delta(L) = (o − t)/B ⊙ o(1 − o) instead of (o − t)/B",
        telltale: "delta(L) is the contract's times o(1 − o) cell for cell (smaller, same sign); the forward pass and loss are right",
        firstChanged: [.delta], rules: BackpropRules(name: "softmax_extra_slope", outputDelta: .softmaxExtraSlope),
        applies: { spec in spec.activations.last == .softmax && spec.loss == .crossEntropy })

    public static let biasMissingInForward = BugModel(
        "bias_missing_in_forward",
        meaning: "the bias left out of the forward pass, z = a·W",
        formula: "z(l) = a(l−1)·W(l) (no + b(l)); the backward pass as the contract's, grad_b and b_new included",
        telltale: "z(1) = x·W(1) exactly, so z(1) − the contract's z(1) = −b(1) in every row; everything after it is off",
        firstChanged: [.z], rules: rules("bias_missing_in_forward", StepMistakes(biasInForward: false)),
        applies: { spec in spec.bias })

    /// Whether a layer's slope is sigmoid's or tanh's (the only ones written from a).
    static func hasSigmoidOrTanh(_ spec: NetworkSpec) -> Bool {
        spec.activations.contains { $0 == .sigmoid || $0 == .tanh }
    }

    /// B, the samples of a step (the same for every step).
    static func batchSize(_ spec: NetworkSpec) -> Int {
        spec.batch.indices(step: 1, count: max(spec.data.count, 1)).count
    }
}
