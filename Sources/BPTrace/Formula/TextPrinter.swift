/// Prints a cell template as plain text in the contract's symbols, for labels, the workbook's
/// formula lines and CLI messages.
///
/// - `.matrix`: the whole block at once, as the tutorials write it — a cell at the target's own
///   position is the quantity's name, matrix products are `x·W(1)`, `delta(2)·W(2)ᵀ`,
///   `xᵀ·delta(1)`, element-wise products of blocks `⊙`, sums over a whole block `Σ (y - a(2))²`,
///   over a row `Σ_row`, over a column `column sums of`. Where no such reading exists a part
///   falls back to the indexed form.
/// - `.indexed`: one cell (i, j), every index written (`Σ_k x[i,k]·W(1)[k,j] + b(1)[j]`).
public struct TextPrinter: Sendable {
    public enum Style: Sendable { case matrix, indexed }
    public let style: Style
    /// How a layer number is written (`2`, or `l+1` in the general formulas of docs/FORMULAS.md).
    public let layer: @Sendable (Int) -> String
    /// Named steps (softmax's max, e, Σe; a cross-entropy term) print as their names instead
    /// of their formulas (for the workbook's helper cells, which show each step on its own).
    public let stepsByName: Bool
    public init(style: Style = .matrix, layer: @escaping @Sendable (Int) -> String = { String($0) }, stepsByName: Bool = false) {
        self.style = style; self.layer = layer; self.stepsByName = stepsByName
    }

    /// The contract's names: x, y, E, loss, cost without a layer; the rest with it (`z(1)`).
    public static func contractName(_ ref: QuantityRef, layer: (Int) -> String = { String($0) }) -> String {
        switch ref.quantity {
        case .x, .y, .E, .loss, .cost: return ref.quantity.rawValue
        default: return "\(ref.quantity.rawValue)(\(layer(ref.layer)))"
        }
    }

    public func name(_ ref: QuantityRef) -> String { TextPrinter.contractName(ref, layer: layer) }

    public func text(_ e: Expr) -> String { print(e, Scope()).text }

    /// The text of a named step's body, its indices (row first, then column) standing for the
    /// target cell's position, so a cross-entropy term over (r, c) reads `y·ln(a(2))`.
    public func text(_ e: Expr, at indices: [Index]) -> String {
        var s = Scope()
        if let r = indices.first?.boundName { s.asRow.insert(r) }
        if indices.count > 1, let c = indices[1].boundName { s.asCol.insert(c) }
        return print(e, s).text
    }

    /// What the printer knows while it descends: the bound indices that stand for the target's
    /// row or column (so `a(2)[r,c]` inside `Σ_{r,c}` prints as `a(2)`).
    private struct Scope {
        var asRow: Set<String> = [], asCol: Set<String> = []
        /// Inside a sum over a whole block: a bare name stands for one element, not the block.
        var element = false
        func isRow(_ i: Index) -> Bool { i == .row || (i.boundName.map(asRow.contains) ?? false) }
        func isCol(_ i: Index) -> Bool { i == .col || (i.boundName.map(asCol.contains) ?? false) }
    }

    private enum P: Int, Comparable {
        case condition = 0, additive, multiplicative, unary, power, atom
        static func < (a: P, b: P) -> Bool { a.rawValue < b.rawValue }
    }
    private struct Out { let text: String; let p: P; let block: Bool }
    private func wrap(_ o: Out, below p: P) -> String { o.p < p ? "(\(o.text))" : o.text }

    private func index(_ i: Index) -> String {
        switch i {
        case .row: return "i"
        case .col: return "j"
        case .at(let n): return String(n + 1)
        case .bound(let n): return n
        }
    }

    private func count(_ d: Dim) -> String {
        switch d {
        case .rows(let r):
            switch r.quantity {
            case .W, .gradW, .WNew: return "n" + layerIndex(r.layer - 1)
            case .b, .gradB, .bNew, .loss, .cost: return "1"
            default: return "B"
            }
        case .cols(let r): return r.quantity == .loss || r.quantity == .cost ? "1" : "n" + layerIndex(r.layer)
        }
    }

    /// `n2`, or `n(l+1)` when layers are written as expressions.
    private func layerIndex(_ l: Int) -> String {
        let text = layer(l)
        return text.allSatisfy(\.isNumber) ? text : "(\(text))"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    private func print(_ e: Expr, _ s: Scope) -> Out {
        switch e {
        case .cell(let ref, let r, let c):
            let scalar = ref.quantity == .loss || ref.quantity == .cost
            if style == .matrix {
                let rowOK = s.isRow(r) || r == .at(0), colOK = s.isCol(c) || (c == .at(0) && scalar)
                if rowOK && colOK { return Out(text: name(ref), p: .atom, block: !scalar && !s.element) }
            } else if scalar {
                return Out(text: name(ref), p: .atom, block: false)
            }
            // A one-row block (b, grad_b, b_new) shows its column only.
            let at = [.b, .gradB, .bNew].contains(ref.quantity) || ref.quantity.optimizerStateOfWeights == false ? index(c) : "\(index(r)),\(index(c))"
            return Out(text: "\(name(ref))[\(at)]", p: .atom, block: false)
        case .hyper(let h):
            return Out(text: h.symbol, p: .atom, block: false)
        case .previous(let ref, let r, let c):
            // The previous step's state: `m_W(1)_prev`, or one cell of it.
            let scalarRow = ref.quantity.optimizerStateOfWeights == false
            if style == .matrix, s.isRow(r) || scalarRow, s.isCol(c) { return Out(text: name(ref) + "_prev", p: .atom, block: !s.element) }
            let at = scalarRow ? index(c) : "\(index(r)),\(index(c))"
            return Out(text: "\(name(ref))_prev[\(at)]", p: .atom, block: false)
        case .power(let a, let b):
            let x = print(a, s), y = print(b, s)
            return Out(text: wrap(x, below: .atom) + "^" + wrap(y, below: .atom), p: .power, block: x.block || y.block)
        case .constant(let v): return Out(text: TextPrinter.number(v), p: v < 0 ? .unary : .atom, block: false)
        case .count(let d): return Out(text: count(d), p: .atom, block: false)
        case .add(let a, let b):
            let x = print(a, s), y = print(b, s)
            return Out(text: wrap(x, below: .additive) + " + " + wrap(y, below: .additive), p: .additive, block: x.block || y.block)
        case .sub(let a, let b):
            let x = print(a, s), y = print(b, s)
            return Out(text: wrap(x, below: .additive) + " - " + wrap(y, below: .multiplicative), p: .additive, block: x.block || y.block)
        case .mul(let a, let b):
            let x = print(a, s), y = print(b, s)
            let op = style == .matrix && x.block && y.block ? " ⊙ " : "·"
            return Out(text: wrap(x, below: .multiplicative) + op + wrap(y, below: .unary), p: .multiplicative, block: x.block || y.block)
        case .div(let a, let b):
            let x = print(a, s), y = print(b, s)
            let (l, r) = (wrap(x, below: .multiplicative), wrap(y, below: .unary))
            let op = l.contains(" ") || r.contains(" ") ? " / " : "/"
            return Out(text: l + op + r, p: .multiplicative, block: x.block || y.block)
        case .neg(let a):
            let x = print(a, s)
            return Out(text: "-" + wrap(x, below: .unary), p: .unary, block: x.block)
        case .square(let a):
            let x = print(a, s)
            return Out(text: wrap(x, below: .atom) + "²", p: .power, block: x.block)
        case .apply(let f, let a):
            let x = print(a, s)
            let text = f == .relu ? "max(0, \(x.text))" : "\(f.rawValue)(\(x.text))"
            return Out(text: text, p: .atom, block: x.block)
        case .when(let l, let op, let r, let t, let f):
            let text = "\(print(t, s).text) if \(print(l, s).text) \(op == .greater ? ">" : "=") \(print(r, s).text) else \(print(f, s).text)"
            return Out(text: text, p: .condition, block: print(t, s).block || print(f, s).block)
        case .named(let n, _, let body):
            if stepsByName { return Out(text: n, p: .atom, block: style == .matrix && !s.element) }
            return print(body, s)
        case .max(let b, let body):
            if style == .matrix, case .cols = b.dim {
                var inner = s; inner.asCol.insert(b.index)
                return Out(text: "max_row " + wrap(print(body, inner), below: .atom), p: .unary, block: true)
            }
            return Out(text: "max_\(b.index) " + wrap(print(body, s), below: .atom), p: .unary, block: false)
        case .sum(let bindings, let body):
            if style == .matrix, let m = matrixSum(bindings, body, s) { return m }
            let x = print(body, s)
            return Out(text: "Σ_" + bindings.map(\.index).joined(separator: ",") + " " + wrap(x, below: .multiplicative), p: .unary, block: false)
        }
    }

    /// The matrix readings of a sum, if it has one.
    private func matrixSum(_ bindings: [Binding], _ body: Expr, _ s: Scope) -> Out? {
        // Σ over every cell of a block: element-wise body, one number.
        if bindings.count == 2 {
            var inner = s
            inner.asRow.insert(bindings[0].index); inner.asCol.insert(bindings[1].index)
            inner.element = true
            let x = print(body, inner)
            return Out(text: "Σ " + wrap(x, below: .multiplicative), p: .unary, block: false)
        }
        guard bindings.count == 1 else { return nil }
        let k = Index.bound(bindings[0].index)
        // Matrix products.
        if case .mul(.cell(let a, let ar, let ac), .cell(let b, let br, let bc)) = body {
            if s.isRow(ar), ac == k, br == k, s.isCol(bc) { return Out(text: "\(name(a))·\(name(b))", p: .multiplicative, block: true) }
            if s.isRow(ar), ac == k, s.isCol(br), bc == k { return Out(text: "\(name(a))·\(name(b))ᵀ", p: .multiplicative, block: true) }
            if ar == k, s.isRow(ac), br == k, s.isCol(bc) { return Out(text: "\(name(a))ᵀ·\(name(b))", p: .multiplicative, block: true) }
        }
        // Sums down a column: one number per column.
        if case .cell(let d, let r, let c) = body, r == k, s.isCol(c) {
            return Out(text: "column sums of \(name(d))", p: .unary, block: true)
        }
        // Sums along the target's row (softmax's Σe).
        if case .cols = bindings[0].dim {
            var inner = s; inner.asCol.insert(bindings[0].index)
            let x = print(body, inner)
            return Out(text: "Σ_row " + wrap(x, below: .multiplicative), p: .unary, block: true)
        }
        return nil
    }
}
