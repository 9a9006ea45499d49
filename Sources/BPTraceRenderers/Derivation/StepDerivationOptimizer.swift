import BPTrace

/// The optimizer's part of a step (issue 11): each state of a weight or bias (velocity, mean
/// square, moments and their corrected values) as a derivation line from the catalogue's
/// formula, the previous step's state put in as a number (0 at step 1), then the update.
extension StepDerivation {
    /// The state lines of the weight from source i into neuron j of layer l, in the order the
    /// engine computes them (none for SGD).
    public func weightState(_ l: Int, _ i: Int, _ j: Int) -> [DerivationLine] {
        spec.optimizer.stateQuantities(weights: true).compactMap { line(QuantityRef($0, l), i, j, shown: StepDerivation.squares) }
    }

    /// The state lines of the bias of neuron j of layer l (none for SGD or untrained biases).
    public func biasState(_ l: Int, _ j: Int) -> [DerivationLine] {
        guard spec.bias && spec.updateBiases else { return [] }
        return spec.optimizer.stateQuantities(weights: false).compactMap { line(QuantityRef($0, l), 0, j, shown: StepDerivation.squares) }
    }

    /// For display only: `(x · g) · g` as `x · g²` (the catalogue's g·g of sq and v, evaluated
    /// in the engine's order; the line's value is the traced one either way).
    static func squares(_ e: Expr) -> Expr {
        e.rewriting { x in
            guard case .mul(.mul(let a, let g), let h) = x, g == h else { return nil }
            return .mul(a, .square(g))
        }
    }

    /// The optimizer's rule for a weight (`weights`) or a bias in general form, one (left side,
    /// formula) per state and then the update, printed from the catalogue's formulas with the
    /// names `w` / `b`, `m_{w}`, `m_{w}^{(t-1)}` and the gradient of the objective.
    public func generalRule(weights: Bool) -> [(lhs: String, rhs: String)] {
        let p = weights ? "w" : "b", obj = symbols.objective
        @Sendable func name(_ q: Quantity) -> String {
            if let letter = LaTeXPrinter.stateLetter(q) { return "\(letter)_{\(p)}" }
            switch q {
            case .W, .b: return p
            case .WNew, .bNew: return symbols.plus(p)
            case .gradW, .gradB: return symbols.partial(obj, p)
            default: return LaTeXPrinter.symbol(QuantityRef(q, 1))
            }
        }
        let printer = LaTeXPrinter(mode: .cells { ref, _, _ in name(ref.quantity) }, count: { _ in "B" },
                                   branch: { _, _ in false }, previous: { ref, _, _ in name(ref.quantity) + LaTeXPrinter.previousMark })
        let l = 1
        let refs = spec.optimizer.stateQuantities(weights: weights).map { QuantityRef($0, l) } + [QuantityRef(weights ? .WNew : .bNew, l)]
        return refs.compactMap { ref in catalogue.expression(of: ref).map { (name(ref.quantity), printer.latex(StepDerivation.squares($0))) } }
    }

    /// A hyper-parameter's value as LaTeX: `rounded` (the handout's decimals) when it reads back
    /// as the same number and is not below 10^-4, else the shortest exact form in powers of ten
    /// (ε = 1e-8 as `10^{-8}`, which 9 decimals would print as 0.00000001 and 6 as 0).
    public static func exact(_ v: Double, _ rounded: (Double) -> String) -> String {
        let t = rounded(v)
        if !v.isFinite || Double(t) == v && (v == 0 || abs(v) >= 1e-4) { return t }
        let s = "\(v)"   // Swift's shortest exact form: exponential below 10^-4 (`1e-08`)
        guard let e = s.firstIndex(of: "e") else { return s }
        let mantissa = String(s[..<e]), power = Int(s[s.index(after: e)...]) ?? 0
        let m = mantissa.hasSuffix(".0") ? String(mantissa.dropLast(2)) : mantissa
        return m == "1" ? "10^{\(power)}" : "\(m) \\times 10^{\(power)}"
    }
}
