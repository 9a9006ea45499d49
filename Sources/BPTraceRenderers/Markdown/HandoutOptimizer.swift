import BPTrace

/// The optimizer in the handout (issue 11): its settings and the paragraph that explains its
/// symbols once at the top (words from `Catalogue.optimizerExplanation`), and its rule in
/// general form where a step's update begins. SGD handouts have none of it.
enum HandoutOptimizer {
    /// The settings line of a non-SGD optimizer: its name and hyper-parameters' values.
    static func settingsLine(_ s: NetworkSpec, _ fmt: HandoutNumberFormat) -> String? {
        guard !s.optimizer.isSGD else { return nil }
        let c = Catalogue(spec: s)
        var values = c.optimizerHypers.map { "$\($0.latex) = \(StepDerivation.exact($0.value(in: s, step: 1), fmt.tex))$" }
        if case .adamw(_, _, _, _, let decayBiases) = s.optimizer, s.bias {
            values.append("biases \(decayBiases ? "" : "not ")decayed")
        }
        return "- Optimizer: \(c.optimizerTitle) (`\(s.optimizer.name)`), " + values.joined(separator: ", ") + "."
    }

    /// The paragraph that explains the optimizer's symbols, once per handout.
    static func explanation(_ s: NetworkSpec) -> String? {
        Catalogue(spec: s).optimizerExplanation.map { "**The optimizer's symbols.** " + $0 }
    }
}

extension HandoutStepWriter {
    /// Where a step's updates begin: SGD's sentence, or the optimizer's rule in general form.
    mutating func updateRule() {
        guard !spec.optimizer.isSGD else { text(updateRuleSentence()); return }
        text(optimizerRuleSentence())
        for (lhs, rhs) in derivation.generalRule(weights: true) { eq(lhs, [rhs]) }
    }

    func optimizerRuleSentence() -> String {
        let title = Catalogue(spec: spec).optimizerTitle
        let bias = spec.bias && spec.updateBiases ? " (each bias the same way, with $b$ in place of $w$)" : ""
        return "Each weight then moves by the rule of \(title), with the learning rate $\\eta = \(eta)$: first its state is updated from the gradient, then the weight\(bias). The symbols are explained at the top."
    }

    /// `--detail matrix`: the optimizer's state of layer l's weights or biases, each block with
    /// its formula, as the gradients are shown.
    mutating func matrixState(_ l: Int, weights: Bool) {
        for q in spec.optimizer.stateQuantities(weights: weights) {
            let ref = QuantityRef(q, l)
            matrixEq(ref, operands: blockNumbers(ref))
        }
    }

    /// The catalogue's formula of `ref` with whole blocks put in (element by element): each cell
    /// as its block's bmatrix, the previous state as the step before's (zeros at step 1), the
    /// hyper-parameters and t as numbers.
    func blockNumbers(_ ref: QuantityRef) -> String? {
        guard let e = Catalogue(spec: spec).expression(of: ref) else { return nil }
        let blocks = d, before = previousState, f = fmt, t = d.step, s = spec
        let show: @Sendable (Matrix) -> String = { m in HandoutStepWriter.bmatrix(m, f) }
        let printer = LaTeXPrinter(mode: .cells { r, _, _ in show(blocks.matrix(r.quantity, r.layer)) },
                                   hyper: { StepDerivation.exact($0.value(in: s, step: t), f.tex) },
                                   branch: { _, _ in false },
                                   previous: { r, _, _ in
                                       let now = blocks.matrix(r.quantity, r.layer)
                                       return show(before[r] ?? Matrix(rows: now.rows, cols: now.cols))
                                   })
        return printer.latex(StepDerivation.squares(e))
    }
}
