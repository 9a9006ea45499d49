import BPTrace

extension ValueTarget {
    /// The step's value at this address; nil when the step has no such block. Every value is
    /// a traced cell or the catalogue's formula evaluated over the step (`Catalogue.lossTerm`,
    /// `lossDerivative`, `inputError`, `errTerm`): products with a weight (`errTerm`,
    /// `inputError`) use the weights err uses, W_new under `spec.update == .immediate`.
    public func read(_ r: StepResult, spec: NetworkSpec) -> Double? {
        let catalogue = Catalogue(spec: spec)
        let L = spec.depth
        func value(_ e: Expr?, row: Int, col: Int, bound: [String: Int] = [:]) -> Double? {
            guard let e else { return nil }
            // Every block the formula reads must be there, the cell inside it.
            for ref in e.quantities { guard r[ref] != nil else { return nil } }
            return Evaluator(spec: spec, step: r).evaluate(e, IndexValues(row: row, col: col, bound: bound))
        }
        func inside(_ q: Quantity, _ l: Int, _ row: Int, _ col: Int) -> Bool {
            guard let m = r[q, l] else { return false }
            return row >= 1 && col >= 1 && row <= m.rows && col <= m.cols
        }
        switch self {
        case let .cell(q, l, row, col), let .negatedCell(q, l, row, col):
            let ref = q == .a && l == 0 ? QuantityRef(.x, 0) : QuantityRef(q, l)
            guard let m = r[ref], row >= 1, col >= 1, row <= m.rows, col <= m.cols else { return nil }
            let v = m[row - 1, col - 1]
            if case .negatedCell = self { return -v }
            return v
        case let .outputTerm(s, k):
            guard inside(.a, L, s, k) else { return nil }
            return value(catalogue.lossTerm, row: 0, col: 0, bound: ["r": s - 1, "c": k - 1])
        case let .outputDerivative(s, k):
            guard inside(.a, L, s, k) else { return nil }
            return value(catalogue.lossDerivative, row: s - 1, col: k - 1)
        case let .inputError(s, i):
            guard inside(.x, 0, s, i) else { return nil }
            return value(catalogue.inputError, row: s - 1, col: i - 1)
        case let .errTerm(s, h, o):
            guard inside(.a, L, s, o), inside(.a, L - 1, s, h) else { return nil }
            return value(catalogue.errTerm, row: s - 1, col: h - 1, bound: ["k": o - 1])
        case let .sharedBiasGradient(l):
            return value(catalogue.sharedBiasGradient(layer: l), row: 0, col: 0)
        case .cost: return r.cost ?? r.loss
        case let .constant(v): return v
        }
    }
}
