/// Formulas read off the catalogue's declarations for the checker's names (`ValueTarget`) and
/// for the trainer's named variants (`BackpropRules`): parts of a declared formula (a term of a
/// sum), the error sent back to the inputs, dL/do, and a formula under other backprop rules.
/// The checker evaluates these with `Evaluator`; it has no arithmetic of the network of its own.
extension Catalogue {
    /// The loss's term of one output of one sample (the post's E_o1): the loss's formula with
    /// its sum over the batch's cells replaced by the summand, for bound indices r (sample) and
    /// c (output) — `IndexValues(row: 0, col: 0, bound: ["r": sample, "c": output])`.
    public var lossTerm: Expr? {
        expression(of: QuantityRef(.loss, L))?.rewriting { e in
            if case .sum(let b, let body) = e, b.map(\.index) == ["r", "c"] { return body }
            return nil
        }
    }

    /// dL/da(L) of one output of one sample (target cell (sample, output)), the derivative of
    /// the loss with respect to the output before the slope: the post's dE_total/dout_o1.
    public var lossDerivative: Expr {
        let aL = QuantityRef(.a, L), y = Expr.same(QuantityRef(.y, L)), a = Expr.same(aL)
        switch spec.loss {
        case .halfSSE: return a - y
        case .mse: return .c(2) * (a - y) / (.count(.rows(aL)) * .count(.cols(aL)))
        case .sum: return .c(1)
        case .hinge: return hingeSubgradient / .count(.rows(aL))
        case .crossEntropy:
            // Terms whose factor is 0 count 0, as in the loss.
            var d = Expr.when(y, .equal, .c(0), then: .c(0), else: -y / a)
            if spec.activations[L - 1] != .softmax {
                d = d + .when(y, .equal, .c(1), then: .c(0), else: (.c(1) - y) / (.c(1) - a))
            }
            return d / .count(.rows(aL))
        }
    }

    /// dL/dx, the error sent back to the inputs (target cell (sample, input)): err's formula
    /// one layer further, delta(1)·W(1)ᵀ through the weights err uses (W_new(1) under the
    /// immediate order). Not traced: the checker reads it (dE_total/dout_i1).
    public var inputError: Expr? { declared(QuantityRef(.err, 0)).formula }

    /// One product of err(L-1)'s sum, delta(L)[sample, k]·W(L)[hidden, k] (the post's
    /// dE_o1/dout_h1): err's formula with its sum replaced by the summand, target cell
    /// (sample, hidden), bound index k = the output.
    public var errTerm: Expr? {
        guard L >= 2 else { return nil }
        return expression(of: QuantityRef(.err, L - 1))?.rewriting { e in
            if case .sum(let b, let body) = e, b.map(\.index) == ["k"] { return body }
            return nil
        }
    }

    /// The sum of grad_b(l) over the layer's neurons: the gradient of a bias every neuron of
    /// layer l shares.
    public func sharedBiasGradient(layer l: Int) -> Expr? {
        let g = QuantityRef(.gradB, l)
        guard exists(g) else { return nil }
        return .sum([Binding("j", over: .cols(g))], .cell(g, row: .at(0), col: .bound("j")))
    }

    /// The formula of `ref` under other backprop rules, for a trainer run with them
    /// (`Trainer(spec:rules:)`): err through the weights of the rules' update order, and the
    /// output delta times η when the rules fold the learning rate into it. nil where the rules'
    /// slope is not the catalogue's (a test's wrong derivative has no declared formula) and
    /// under a bug model's mistakes (`StepMistakes`).
    public func expression(of ref: QuantityRef, under rules: BackpropRules) -> Expr? {
        guard rules.slope.name == SlopeRule.ofActivation.name, rules.outputDelta.name == OutputDeltaRule.ofLoss.name,
              rules.mistakes.isNone else { return nil }
        var s = spec
        s.update = rules.order(for: spec)
        let base = Catalogue(spec: s).expression(of: ref)
        if rules.learningRateInDelta, ref == QuantityRef(.delta, L), let f = base { return f * .hyper(.learningRate) }
        return base
    }
}
