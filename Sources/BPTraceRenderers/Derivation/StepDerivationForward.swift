import BPTrace

/// The forward pass and the error of a step, as derivation lines.
extension StepDerivation {
    /// Neuron j of layer l in sample r: its net input, with the weights first and the bias as
    /// the weight of a constant input 1, as the post writes it (the catalogue's formula, its
    /// products commuted).
    public func net(_ l: Int, _ j: Int, _ r: Int) -> DerivationLine? {
        line(QuantityRef(.z, l), r, j, shown: { e in
            e.rewriting { x in
                if case .mul(let a, let w) = x, case .cell(let ref, _, _) = w, ref.quantity == .W { return .mul(w, a) }
                if case .cell(let ref, _, _) = x, ref.quantity == .b { return .mul(x, .c(1)) }
                return nil
            }
        })
    }

    /// The output of neuron j of layer l in sample r, preceded by the named steps its formula
    /// takes (softmax: the row's max m, each e = e^{net - m}, their sum Σe) not in `done`.
    public func out(_ l: Int, _ j: Int, _ r: Int, done: inout Set<String>) -> [DerivationLine] {
        let ref = QuantityRef(.a, l)
        guard let e = catalogue.expression(of: ref) else { return [] }
        var lines: [DerivationLine] = []
        let env = IndexValues(row: r, col: j)
        for s in instances(e, env) {
            let key = "\(s.name)\(s.values)"
            guard !done.contains(key) else { continue }
            done.insert(key)
            lines.append(DerivationLine(lhs: symbols.step(s.name, s.values, layer: l),
                                        symbolic: [symbolPrinter(layer: l).latex(s.body, s.env)],
                                        substituted: numberPrinter(layer: l).latex(s.body, s.env),
                                        value: evaluator.evaluate(s.body, s.env), reads: reads(s.body, s.env), stage: catalogue.stage(of: ref)))
        }
        if let a = line(ref, r, j) { lines.append(a) }
        return lines
    }

    /// The loss's formula split at its sum: one term per output and sample (`E_{o_{1}}`), and
    /// whether a term is a single traced cell (the `sum` loss: the outputs themselves).
    var lossTerm: (expr: Expr, bindings: [Binding])? {
        guard let e = catalogue.expression(of: QuantityRef(.loss, L)) else { return nil }
        var found: [Binding]? = nil
        let term = e.rewriting { x in
            guard found == nil, case .sum(let bs, let body) = x else { return nil }
            found = bs
            return body
        }
        return found.map { (term, $0) }
    }

    func termEnv(_ bs: [Binding], _ r: Int, _ j: Int) -> IndexValues {
        IndexValues(row: 0, col: 0, bound: [bs[0].index: r, bs[1].index: j])
    }

    /// The error of output j in sample r (its term of the loss), nil when the term is the output itself.
    public func errorTerm(_ j: Int, _ r: Int) -> DerivationLine? {
        guard let (t, bs) = lossTerm, bs.count == 2 else { return nil }
        if case .cell = t { return nil }
        let env = termEnv(bs, r, j)
        return DerivationLine(lhs: symbols.errTerm(j, r), symbolic: [symbolPrinter(layer: L).latex(t, env)],
                              substituted: numberPrinter(layer: L).latex(t, env), value: evaluator.evaluate(t, env),
                              reads: reads(t, env), stage: .error)
    }

    /// The total error: the sum of the terms, or of the outputs for the `sum` loss.
    public func total() -> DerivationLine? {
        guard let (t, bs) = lossTerm, bs.count == 2 else { return nil }
        var syms: [String] = [], nums: [String] = []
        var cells: [CellRead] = []
        for r in 0..<B {
            for j in 0..<spec.layers[L] {
                let env = termEnv(bs, r, j)
                if case .cell = t {
                    syms.append(symbolPrinter(layer: L).latex(t, env))
                } else {
                    syms.append(symbols.errTerm(j, r))
                }
                nums.append(operand(evaluator.evaluate(t, env)))
                cells += reads(t, env)
            }
        }
        return DerivationLine(lhs: PostSymbols.total, symbolic: [syms.joined(separator: " + ")], substituted: nums.joined(separator: " + "),
                              value: value(.loss, L, 0, 0), reads: cells, computes: CellRead(QuantityRef(.loss, L), 0, 0), stage: .error)
    }

    /// The cost with L2 regularisation: the loss plus λ/2 times the sum of the squared weights,
    /// the sum shown as `\sum w^{2}` and its value.
    public func cost() -> DerivationLine? {
        let ref = QuantityRef(.cost, L)
        guard spec.l2 > 0, let e = catalogue.expression(of: ref) else { return nil }
        let squares = "\\sum w^{2}"
        var sum: Expr? = nil
        let shown = e.rewriting { x in
            if case .mul(let f, let s) = x, f.hypers == [.l2] { sum = s; return .mul(f, .named(squares, [], s)) }
            return nil
        }
        let env = IndexValues(row: 0, col: 0)
        let sq = sum.map { [squares: evaluator.evaluate($0, env)] } ?? [:]
        return DerivationLine(lhs: "C", symbolic: [symbolPrinter(layer: L, steps: [squares: squares]).latex(shown, env)],
                              substituted: numberPrinter(layer: L, steps: sq).latex(shown, env),
                              value: value(.cost, L, 0, 0), reads: reads(e, env), computes: CellRead(ref, 0, 0), stage: .error)
    }
}

extension StepDerivation {
    /// A printer of the general form of a formula for the text around the lines: each cell as
    /// its quantity's word (`\mathrm{out}_{o}`), the batch size as `B`, conditions as their
    /// general branch.
    func generalPrinter(_ name: @escaping @Sendable (Quantity) -> String) -> LaTeXPrinter {
        LaTeXPrinter(mode: .cells { ref, _, _ in name(ref.quantity) }, count: { _ in "B" }, branch: { _, _ in false })
    }

    /// One output's term of the loss in general form (`-\frac{\mathrm{target} \cdot \ln(...)}{B}`).
    public func generalLossTerm() -> String? {
        guard let (t, bs) = lossTerm, bs.count == 2 else { return nil }
        return generalPrinter { $0 == .y ? "\\mathrm{target}" : "\\mathrm{out}" }.latex(t, termEnv(bs, 0, 0))
    }

    /// The formula of `ref` in general form, cells named by `name`.
    public func general(_ ref: QuantityRef, _ name: @escaping @Sendable (Quantity) -> String) -> String? {
        catalogue.expression(of: ref).map { generalPrinter(name).latex($0) }
    }
}
