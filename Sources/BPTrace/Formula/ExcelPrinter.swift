/// Prints a cell template as the text of an Excel formula (without the leading `=`) for one
/// concrete target cell, over cell references the caller supplies.
///
/// Sums of at most `explicitTerms` terms are written out term by term (`B3*G3+C3*G4`); longer
/// ones use `SUM`, `SUMPRODUCT`, `MMULT`, `SUMSQ` or `SUMXMY2` over plain ranges, never an
/// array expression (Gnumeric does not evaluate those inside SUMPRODUCT); a sum of the squares
/// of one block's cells is always `SUMSQ`. A named step prints
/// as the caller's cell for it when there is one (the workbook's helper cells), else inline.
/// The previous step's value of a state cell (`Expr.previous`) prints as the caller says
/// (the workbook: the same cell of the previous step sheet, or an initial-state name).
public struct ExcelPrinter: Sendable {
    /// A cell-like leaf: a traced cell, or a named step at concrete index values.
    public enum Leaf: Sendable, Equatable {
        case cell(QuantityRef, Int, Int)
        case named(String, [Int])
    }

    /// EXP(x) overflows a spreadsheet (`#NUM!`) for x above this, the natural logarithm of the
    /// largest double, while IEEE arithmetic gives +∞: 1/(1+EXP(x)) is then written
    /// `IF(x>limit,0,1/(1+EXP(x)))`, the engine's exact 0.
    public static let expLimit = "709.782712893384"

    /// The A1 address of a leaf; nil for a named step without a cell of its own.
    public let address: @Sendable (Leaf) -> String?
    /// The range from the first leaf to the last (`B5:D7`, a single address when equal); nil
    /// when the two are not cells of one block.
    public let range: @Sendable (Leaf, Leaf) -> String?
    /// A hyper-parameter as the workbook's defined name.
    public let hyperName: @Sendable (Hyper) -> String
    public let count: @Sendable (Dim) -> Int
    public let explicitTerms: Int
    /// The previous step's value of cell (row, col) of a state quantity, as formula text
    /// (`'Step 1'!C20`, `m_init`); nil prints `#REF!`.
    public let previous: @Sendable (QuantityRef, Int, Int) -> String?

    public init(address: @escaping @Sendable (Leaf) -> String?, range: @escaping @Sendable (Leaf, Leaf) -> String?,
                hyperName: @escaping @Sendable (Hyper) -> String = { $0.rawValue },
                count: @escaping @Sendable (Dim) -> Int, explicitTerms: Int,
                previous: @escaping @Sendable (QuantityRef, Int, Int) -> String? = { _, _, _ in nil }) {
        self.address = address; self.range = range; self.hyperName = hyperName; self.count = count; self.explicitTerms = explicitTerms
        self.previous = previous
    }

    public func formula(_ e: Expr, row: Int, col: Int) -> String { print(e, IndexValues(row: row, col: col)).text }

    public func formula(_ e: Expr, _ env: IndexValues) -> String { print(e, env).text }

    // Precedence, as Excel binds: comparison < + - < * / < unary − < ^ < atoms.
    private enum P: Int, Comparable {
        case additive = 1, multiplicative, unary, power, atom
        static func < (a: P, b: P) -> Bool { a.rawValue < b.rawValue }
    }
    private struct Out { let text: String; let p: P }

    private func wrap(_ o: Out, below p: P) -> String { o.p < p ? "(\(o.text))" : o.text }

    /// A number for an expression of constants and counts only (`B·n_L` prints as `6`).
    private func folded(_ e: Expr) -> Double? {
        switch e {
        case .constant(let v): return v
        case .count(let d): return Double(count(d))
        case .mul(let a, let b): return folded(a).flatMap { x in folded(b).map { x * $0 } }
        default: return nil
        }
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    private func leaf(_ e: Expr, _ env: IndexValues) -> Leaf? {
        switch e {
        case .cell(let ref, let r, let c): return .cell(ref, env[r], env[c])
        case .named(let name, let indices, _):
            let l = Leaf.named(name, indices.map { env[$0] })
            return address(l) == nil ? nil : l
        default: return nil
        }
    }

    private func print(_ e: Expr, _ env: IndexValues) -> Out {
        if let v = folded(e) { return Out(text: ExcelPrinter.number(v), p: v < 0 ? .unary : .atom) }
        switch e {
        case .cell, .named:
            if let l = leaf(e, env), let a = address(l) { return Out(text: a, p: .atom) }
            if case .named(_, _, let body) = e { return print(body, env) }
            return Out(text: "#REF!", p: .atom)
        case .hyper(let h): return Out(text: hyperName(h), p: .atom)
        case .previous(let ref, let r, let c): return Out(text: previous(ref, env[r], env[c]) ?? "#REF!", p: .atom)
        case .power(let a, let b): return Out(text: wrap(print(a, env), below: .atom) + "^" + wrap(print(b, env), below: .atom), p: .power)
        case .constant, .count: return Out(text: "0", p: .atom)   // folded above
        case .add(let a, let b):
            return Out(text: wrap(print(a, env), below: .additive) + "+" + wrap(print(b, env), below: .additive), p: .additive)
        case .sub(let a, let b):
            return Out(text: wrap(print(a, env), below: .additive) + "-" + wrap(print(b, env), below: .multiplicative), p: .additive)
        case .mul(let a, let b):
            return Out(text: wrap(print(a, env), below: .multiplicative) + "*" + wrap(print(b, env), below: .unary), p: .multiplicative)
        case .div(let a, let b):
            if case .constant(1) = a, case .add(.constant(1), .apply(.exp, let x)) = b {
                // 1/(1+EXP(x)) is 0 where EXP(x) overflows, as in the engine.
                let arg = print(x, env).text
                return Out(text: "IF(\(arg)>\(ExcelPrinter.expLimit),0,1/(1+EXP(\(arg))))", p: .atom)
            }
            return Out(text: wrap(print(a, env), below: .multiplicative) + "/" + wrap(print(b, env), below: .unary), p: .multiplicative)
        case .neg(let a): return Out(text: "-" + wrap(print(a, env), below: .atom), p: .unary)   // Excel: -B3^2 is (-B3)^2
        case .square(let a): return Out(text: wrap(print(a, env), below: .atom) + "^2", p: .power)
        case .apply(let f, let a):
            let arg = print(a, env).text
            switch f {
            case .exp: return Out(text: "EXP(\(arg))", p: .atom)
            case .ln: return Out(text: "LN(\(arg))", p: .atom)
            case .sqrt: return Out(text: "SQRT(\(arg))", p: .atom)
            case .tanh: return Out(text: "TANH(\(arg))", p: .atom)
            case .relu: return Out(text: "MAX(0,\(arg))", p: .atom)
            }
        case .when(let l, let op, let r, let t, let f):
            return Out(text: "IF(\(print(l, env).text)\(op.rawValue)\(print(r, env).text),\(print(t, env).text),\(print(f, env).text))", p: .atom)
        case .max(let b, let body):
            if let r = rangeOf(body, [b], env) { return Out(text: "MAX(\(r.text))", p: .atom) }
            let terms = combinations([b], [count(b.dim)], base: env).map { print(body, $0).text }
            return Out(text: "MAX(\(terms.joined(separator: ",")))", p: .atom)
        case .sum(let bindings, let body):
            let counts = bindings.map { count($0.dim) }
            let n = counts.reduce(1, *)
            // The squares of one block's cells (Σ W² of the L2 cost) are SUMSQ at any length.
            if case .square(let a) = body, let r = rangeOf(a, bindings, env) { return Out(text: "SUMSQ(\(r.text))", p: .atom) }
            if n > explicitTerms, let f = rangeFunction(body, bindings, env) { return Out(text: f, p: .atom) }
            let terms = combinations(bindings, counts, base: env).map { print(body, $0) }
            if terms.isEmpty { return Out(text: "0", p: .atom) }
            if terms.count == 1 { return terms[0] }
            return Out(text: terms.map { wrap($0, below: .additive) }.joined(separator: "+"), p: .additive)
        }
    }

    /// A range over which `body` (a leaf) runs as the bound indices run, with its orientation:
    /// `horizontal` when a single bound index moves along a row.
    private func rangeOf(_ body: Expr, _ bindings: [Binding], _ env: IndexValues) -> (text: String, horizontal: Bool?)? {
        let names = Set(bindings.map(\.index))
        var first = env, last = env
        for b in bindings {
            let n = count(b.dim)
            guard n > 0 else { return nil }
            first.bound[b.index] = 0; last.bound[b.index] = n - 1
        }
        var horizontal: Bool? = nil
        switch body {
        case .cell(_, let r, let c):
            // Every bound index must move exactly one coordinate.
            let rb = r.boundName.map(names.contains) ?? false, cb = c.boundName.map(names.contains) ?? false
            guard (rb ? 1 : 0) + (cb ? 1 : 0) == bindings.count, r.boundName != c.boundName || !rb else { return nil }
            if bindings.count == 1 { horizontal = cb }
        case .named(_, let indices, _):
            let moving = indices.filter { $0.boundName.map(names.contains) ?? false }
            guard moving.count == bindings.count else { return nil }
            if bindings.count == 1 { horizontal = indices.last == moving.first }
        default: return nil
        }
        guard let a = leaf(body, first), let z = leaf(body, last), let text = range(a, z) else { return nil }
        return (text, horizontal)
    }

    /// SUM / SUMPRODUCT / MMULT / SUMSQ / SUMXMY2 of a long sum over plain ranges, if its body
    /// has one of their shapes.
    private func rangeFunction(_ body: Expr, _ bindings: [Binding], _ env: IndexValues) -> String? {
        if let r = rangeOf(body, bindings, env) { return "SUM(\(r.text))" }
        switch body {
        case .mul(let a, let b):
            guard let x = rangeOf(a, bindings, env), let y = rangeOf(b, bindings, env) else { return nil }
            if bindings.count == 1, let hx = x.horizontal, let hy = y.horizontal, hx != hy {
                return hx ? "MMULT(\(x.text),\(y.text))" : "MMULT(\(y.text),\(x.text))"
            }
            return "SUMPRODUCT(\(x.text),\(y.text))"
        case .square(.sub(let a, let b)):
            guard let x = rangeOf(a, bindings, env), let y = rangeOf(b, bindings, env), x.horizontal == y.horizontal else { return nil }
            return "SUMXMY2(\(x.text),\(y.text))"
        case .square(let a):
            return rangeOf(a, bindings, env).map { "SUMSQ(\($0.text))" }
        default:
            return nil
        }
    }
}

extension Index {
    var boundName: String? {
        if case .bound(let n) = self { return n }
        return nil
    }
}
