import BPTrace

/// The backward pass of a step, as derivation lines: the chain rule's factors, each from the
/// trace or from the catalogue's formulas.
extension StepDerivation {
    /// Whether the output delta is the loss's derivative through the activation in one
    /// (cross-entropy): the catalogue's output delta has no slope factor.
    public var combinedOutput: Bool { outputFactorExpr == nil }

    /// ∂E/∂out of an output: the output delta's formula without its slope factor.
    var outputFactorExpr: Expr? {
        guard let e = catalogue.expression(of: QuantityRef(.delta, L)) else { return nil }
        switch e {
        case .mul(let f, .cell(let s, _, _)) where s.quantity == .slope: return f
        case .cell(let s, _, _) where s.quantity == .slope: return .c(1)
        default: return nil
        }
    }

    /// ∂E_total/∂out of output j in sample r; nil for cross-entropy.
    public func outputFactor(_ j: Int, _ r: Int) -> DerivationLine? {
        guard let f = outputFactorExpr else { return nil }
        let env = IndexValues(row: r, col: j)
        return DerivationLine(lhs: symbols.partial(PostSymbols.total, symbols.out(L, j, r)), symbolic: [symbolPrinter(layer: L).latex(f, env)],
                              substituted: numberPrinter(layer: L).latex(f, env), value: evaluator.evaluate(f, env),
                              reads: reads(f, env), stage: .outputDelta)
    }

    func outputFactorValue(_ j: Int, _ r: Int) -> Double {
        outputFactorExpr.map { evaluator.evaluate($0, IndexValues(row: r, col: j)) } ?? .nan
    }

    /// ∂out/∂net of neuron j of layer l in sample r (none for softmax).
    public func slope(_ l: Int, _ j: Int, _ r: Int) -> DerivationLine? { line(QuantityRef(.slope, l), r, j) }

    /// The output delta of output j in sample r: ∂E/∂out · ∂out/∂net, or for cross-entropy
    /// ∂E/∂net in one.
    public func outputDelta(_ j: Int, _ r: Int) -> DerivationLine? {
        let ref = QuantityRef(.delta, L)
        let dEdout = "∂E/∂out"
        guard let f = outputFactorExpr else {
            guard let l = line(ref, r, j) else { return nil }
            return DerivationLine(lhs: l.lhs, symbolic: [symbols.partial(PostSymbols.total, symbols.net(L, j, r))] + l.symbolic,
                                  substituted: l.substituted, value: l.value, reads: l.reads, computes: l.computes, stage: l.stage)
        }
        let name = symbols.partial(PostSymbols.total, symbols.out(L, j, r))
        let shown: (Expr) -> Expr = { e in e.rewriting { $0 == f ? .named(dEdout, [], f) : nil } }
        guard let l = line(ref, r, j, steps: [dEdout: name], shown: shown), let e = catalogue.expression(of: ref) else { return nil }
        let num = numberPrinter(layer: L, steps: [dEdout: outputFactorValue(j, r)]).latex(shown(e), IndexValues(row: r, col: j))
        return DerivationLine(lhs: l.lhs, symbolic: l.symbolic, substituted: num, value: l.value, reads: l.reads, computes: l.computes, stage: l.stage)
    }

    /// The error sent back to neuron i of hidden layer l in sample r from output j: one term of
    /// the catalogue's sum.
    public func errorFrom(_ l: Int, _ i: Int, _ j: Int, _ r: Int) -> DerivationLine? {
        guard let (t, bs) = stripSum(QuantityRef(.err, l)), bs.count == 1 else { return nil }
        let env = IndexValues(row: r, col: i, bound: [bs[0].index: j])
        let next = l + 1
        let chain = "\(symbols.partial(symbols.errTerm(j, r), symbols.net(next, j, r))) \\cdot \(symbols.partial(symbols.net(next, j, r), symbols.out(l, i, r)))"
        return DerivationLine(lhs: symbols.partial(symbols.errTerm(j, r), symbols.out(l, i, r)),
                              symbolic: [chain, symbolPrinter(layer: l).latex(t, env)], substituted: numberPrinter(layer: l).latex(t, env),
                              value: evaluator.evaluate(t, env), reads: reads(t, env), stage: .hiddenError)
    }

    /// The error at neuron i of hidden layer l in sample r: the catalogue's sum, or (`perTerm`)
    /// the sum of the terms `errorFrom` derives.
    public func hiddenError(_ l: Int, _ i: Int, _ r: Int, perTerm: Bool) -> DerivationLine? {
        guard let full = line(QuantityRef(.err, l), r, i) else { return nil }
        guard perTerm else { return full }
        let terms = (0..<spec.layers[l + 1]).compactMap { errorFrom(l, i, $0, r) }
        return DerivationLine(lhs: full.lhs, symbolic: [terms.map(\.lhs).joined(separator: " + ")],
                              substituted: terms.map { operand($0.value ?? .nan) }.joined(separator: " + "),
                              value: full.value, reads: full.reads, computes: full.computes, stage: full.stage)
    }

    /// The delta of neuron i of hidden layer l in sample r.
    public func hiddenDelta(_ l: Int, _ i: Int, _ r: Int) -> DerivationLine? { line(QuantityRef(.delta, l), r, i) }

    /// ∂net/∂w of the weight from source i into neuron j of layer l, in sample r: the source's output.
    public func netDerivative(_ l: Int, _ i: Int, _ j: Int, _ r: Int) -> DerivationLine {
        let src = QuantityRef(l == 1 ? .x : .a, l - 1)
        return DerivationLine(lhs: symbols.partial(symbols.net(l, j, r), symbols.w(l, i, j)), symbolic: [symbols.out(l - 1, i, r)],
                              substituted: nil, value: evaluator.value(src, r, i), reads: [CellRead(src, r, i)], stage: catalogue.stage(of: QuantityRef(.gradW, l)))
    }

    /// The chain rule for the weight from source i into neuron j of layer l, factor by factor
    /// (the post's form of the gradient).
    public func chainRule(_ l: Int, _ i: Int, _ j: Int) -> DerivationLine {
        let w = symbols.w(l, i, j), total = PostSymbols.total
        var sym: [String] = [], num: [String] = []
        let src = QuantityRef(l == 1 ? .x : .a, l - 1)
        for r in 0..<B {
            let s = operand(evaluator.value(src, r, i))
            let net = symbols.net(l, j, r), out = symbols.out(l, j, r)
            if l == L && combinedOutput {
                sym.append("\(symbols.partial(total, net)) \\cdot \(symbols.partial(net, w))")
                num.append("\(operand(value(.delta, l, r, j))) \\cdot \(s)")
            } else {
                let first = l == L ? outputFactorValue(j, r) : value(.err, l, r, j)
                sym.append("\(symbols.partial(total, out)) \\cdot \(symbols.partial(out, net)) \\cdot \(symbols.partial(net, w))")
                num.append("\(operand(first)) \\cdot \(operand(value(.slope, l, r, j))) \\cdot \(s)")
            }
        }
        var symS = sym.joined(separator: " + "), numS = num.joined(separator: " + ")
        if spec.l2 > 0 { symS += " + \\lambda \\cdot \(w)"; numS += " + \(number(spec.l2)) \\cdot \(operand(value(.W, l, i, j)))" }
        return DerivationLine(lhs: symbols.partial(symbols.objective, w), symbolic: [symS], substituted: numS,
                              value: value(.gradW, l, i, j), computes: CellRead(QuantityRef(.gradW, l), i, j), stage: .updateWeights)
    }

    /// The gradient of a weight by the delta rule (the catalogue's formula), its update, and a
    /// bias's gradient and update.
    public func gradient(_ l: Int, _ i: Int, _ j: Int) -> DerivationLine? { line(QuantityRef(.gradW, l), i, j) }
    public func update(_ l: Int, _ i: Int, _ j: Int) -> DerivationLine? { line(QuantityRef(.WNew, l), i, j) }
    public func biasGradient(_ l: Int, _ j: Int) -> DerivationLine? { line(QuantityRef(.gradB, l), 0, j) }
    public func biasUpdate(_ l: Int, _ j: Int) -> DerivationLine? { line(QuantityRef(.bNew, l), 0, j) }

    /// A quantity's formula with its (outermost) sum replaced by the sum's body.
    func stripSum(_ ref: QuantityRef) -> (Expr, [Binding])? {
        guard let e = catalogue.expression(of: ref) else { return nil }
        var found: [Binding]? = nil
        let term = e.rewriting { x in
            guard found == nil, case .sum(let bs, let body) = x else { return nil }
            found = bs
            return body
        }
        return found.map { (term, $0) }
    }
}
