import BPTrace
import Foundation

/// The cell formulas of every computed block of a step sheet, over cells of the same sheet:
/// the contract's formulas (CONTRACT.md §2, `Catalogue.formula`) written cell by cell in the
/// engine's evaluation order. They are the same on every step sheet and walkthrough sheet, so
/// they are made once per workbook.
///
/// The learning rate and the L2 factor appear as the workbook names `learning_rate` and
/// `lambda_l2`, which refer to editable cells of the Overview sheet.
struct StepFormulas: Sendable {
    static let learningRateName = "learning_rate"
    static let l2Name = "lambda_l2"

    /// Row-major formula text (`=B3*G3+C3*G4+H3`) of each computed block.
    let formulas: [QuantityRef: [String]]
    /// Row-major formula text of each helper block (`HelperBlock`), by the block it serves.
    let helperFormulas: [QuantityRef: [String]]

    /// EXP(x) overflows a spreadsheet (and becomes +∞ in the engine) for x above this, the
    /// natural logarithm of the largest double: the literal reads back as the largest x whose
    /// EXP is finite. The engine's sigmoid 1/(1+exp(−z)) is then 1/(1+∞) = 0 exactly.
    static let expLimit = "709.782712893384"

    init(layout: StepSheetLayout) {
        let spec = layout.spec
        let L = spec.depth
        let B = layout.batchSize
        let n = StepSheetLayout.explicitTerms
        let eta = StepFormulas.learningRateName, lambda = StepFormulas.l2Name
        var out: [QuantityRef: [String]] = [:]
        var helpers: [QuantityRef: [String]] = [:]

        func block(_ q: Quantity, _ l: Int) -> BlockLayout { layout[QuantityRef(q, l)] }
        /// a(l), with a(0) = x.
        func activation(_ l: Int) -> BlockLayout { l == 0 ? block(.x, 0) : block(.a, l) }
        func each(_ b: BlockLayout, _ f: (Int, Int) -> String) -> [String] {
            var cells: [String] = []
            cells.reserveCapacity(b.rows * b.cols)
            for r in 0..<b.rows { for c in 0..<b.cols { cells.append("=" + f(r, c)) } }
            return cells
        }
        func joined(_ terms: [String]) -> String { terms.joined(separator: "+") }

        for ref in layout.order {
            let l = ref.layer
            let target = layout[ref]
            switch ref.quantity {
            case .x, .y, .W, .b:
                continue   // inputs: written per sheet (data, previous step, or numbers)

            case .z:
                // z(l)[r,j] = Σ_k a(l-1)[r,k]·W(l)[k,j] + b(l)[j], summed over k in order.
                let a = activation(l - 1), w = block(.W, l)
                let bias = spec.bias ? block(.b, l) : nil
                out[ref] = each(target) { r, j in
                    let sum = a.cols <= n
                        ? joined((0..<a.cols).map { k in a.address(r, k) + "*" + w.address(k, j) })
                        : "MMULT(\(a.rowRange(r)),\(w.columnRange(j)))"
                    return bias.map { sum + "+" + $0.address(0, j) } ?? sum
                }

            case .a:
                let z = block(.z, l)
                switch spec.activations[l - 1] {
                case .sigmoid:
                    // The engine's 1/(1+exp(-z)), with its value 0 where exp(-z) overflows to +∞.
                    out[ref] = each(target) { r, c in
                        let zc = z.address(r, c)
                        return "IF(-\(zc)>\(StepFormulas.expLimit),0,1/(1+EXP(-\(zc))))"
                    }
                case .tanh: out[ref] = each(target) { r, c in "TANH(\(z.address(r, c)))" }
                case .relu: out[ref] = each(target) { r, c in "MAX(0,\(z.address(r, c)))" }
                case .linear: out[ref] = each(target) { r, c in z.address(r, c) }
                case .softmax:
                    // exp(z - row max) / Σ exp(z - row max), the sum written term by term; a
                    // wide row goes through helper cells (max, e, Σe), so that no formula needs
                    // an array expression (Gnumeric does not evaluate those inside SUMPRODUCT).
                    if let h = layout.helpers[ref] {
                        let m = target.cols, hb = h.block
                        helpers[ref] = each(hb) { r, c in
                            switch c {
                            case 0: return "MAX(\(z.rowRange(r)))"
                            case m + 1: return "SUM(\(hb.address(r, 1)):\(hb.address(r, m)))"
                            default: return "EXP(\(z.address(r, c - 1))-\(hb.address(r, 0)))"
                            }
                        }
                        out[ref] = each(target) { r, c in "\(hb.address(r, c + 1))/\(hb.address(r, m + 1))" }
                    } else {
                        out[ref] = each(target) { r, c in
                            let max = "MAX(\(z.rowRange(r)))"
                            let terms = (0..<z.cols).map { k in "EXP(\(z.address(r, k))-\(max))" }
                            return terms[c] + "/(" + joined(terms) + ")"
                        }
                    }
                }

            case .E:
                let y = block(.y, L), a = block(.a, L)
                out[ref] = each(target) { r, c in "\(y.address(r, c))-\(a.address(r, c))" }

            case .loss:
                let y = block(.y, L), a = block(.a, L)
                let count = y.rows * y.cols
                let cells = (0..<y.rows).flatMap { r in (0..<y.cols).map { c in (y.address(r, c), a.address(r, c)) } }
                let formula: String
                switch spec.loss {
                case .halfSSE, .mse:
                    let sum = count <= n
                        ? "(" + joined(cells.map { "(\($0.0)-\($0.1))^2" }) + ")"
                        : "SUMXMY2(\(y.range),\(a.range))"
                    formula = sum + "/" + (spec.loss == .halfSSE ? "2" : String(count))
                case .sum:
                    formula = count <= n ? joined(cells.map { $0.1 }) : "SUM(\(a.range))"
                case .crossEntropy:
                    // Terms whose factor is 0 count 0 (0·ln 0 = 0), as in the engine, which
                    // skips them: IF(y=0,0,…) never takes LN(0) there. More than n terms go
                    // through helper cells, one term each.
                    let sigmoid = spec.activations[L - 1] != .softmax
                    func term(_ r: Int, _ c: Int) -> String {
                        let yc = y.address(r, c), ac = a.address(r, c)
                        let first = "IF(\(yc)=0,0,\(yc)*LN(\(ac)))"
                        return sigmoid ? first + "+IF(\(yc)=1,0,(1-\(yc))*LN(1-\(ac)))" : first
                    }
                    if let h = layout.helpers[ref] {
                        helpers[ref] = each(h.block, term)
                        formula = "-SUM(\(h.block.range))/\(B)"
                    } else {
                        formula = "-(" + joined((0..<y.rows).flatMap { r in (0..<y.cols).map { c in term(r, c) } }) + ")/\(B)"
                    }
                }
                out[ref] = ["=" + formula]

            case .cost:
                let loss = block(.loss, L)
                let squares = (1...L).map { "SUMSQ(\(block(.W, $0).range))" }.joined(separator: "+")
                out[ref] = ["=\(loss.address(0, 0))+\(lambda)/2*(\(squares))"]

            case .slope:
                switch spec.activations[l - 1] {
                case .sigmoid:
                    let a = block(.a, l)
                    out[ref] = each(target) { r, c in "\(a.address(r, c))*(1-\(a.address(r, c)))" }
                case .tanh:
                    let a = block(.a, l)
                    out[ref] = each(target) { r, c in "1-\(a.address(r, c))^2" }
                case .relu:
                    let z = block(.z, l)
                    out[ref] = each(target) { r, c in "IF(\(z.address(r, c))>0,1,0)" }
                case .linear:
                    out[ref] = each(target) { _, _ in "1" }
                case .softmax:
                    continue   // no slope block
                }

            case .delta where l == L:
                let a = block(.a, L), y = block(.y, L)
                switch spec.loss {
                case .halfSSE:
                    let s = block(.slope, L)
                    out[ref] = each(target) { r, c in "(\(a.address(r, c))-\(y.address(r, c)))*\(s.address(r, c))" }
                case .mse:
                    let s = block(.slope, L)
                    let denominator = B * spec.layers[L]
                    out[ref] = each(target) { r, c in "2*(\(a.address(r, c))-\(y.address(r, c)))/\(denominator)*\(s.address(r, c))" }
                case .crossEntropy:
                    out[ref] = each(target) { r, c in "(\(a.address(r, c))-\(y.address(r, c)))/\(B)" }
                case .sum:
                    let s = block(.slope, L)
                    out[ref] = each(target) { r, c in s.address(r, c) }
                }

            case .delta:
                let e = block(.err, l), s = block(.slope, l)
                out[ref] = each(target) { r, c in "\(e.address(r, c))*\(s.address(r, c))" }

            case .err:
                // err(l)[r,i] = Σ_j delta(l+1)[r,j]·W(l+1)[i,j] (W_new under the immediate order).
                let d = block(.delta, l + 1)
                let w = block(spec.update == .immediate ? .WNew : .W, l + 1)
                out[ref] = each(target) { r, i in
                    d.cols <= n
                        ? joined((0..<d.cols).map { j in d.address(r, j) + "*" + w.address(i, j) })
                        : "SUMPRODUCT(\(d.rowRange(r)),\(w.rowRange(i)))"
                }

            case .gradW:
                // grad_W(l)[i,j] = Σ_r a(l-1)[r,i]·delta(l)[r,j] (+ λ·W(l)[i,j]).
                let a = activation(l - 1), d = block(.delta, l), w = block(.W, l)
                out[ref] = each(target) { i, j in
                    let sum = a.rows <= n
                        ? joined((0..<a.rows).map { r in a.address(r, i) + "*" + d.address(r, j) })
                        : "SUMPRODUCT(\(a.columnRange(i)),\(d.columnRange(j)))"
                    return spec.l2 > 0 ? sum + "+\(lambda)*" + w.address(i, j) : sum
                }

            case .WNew:
                let w = block(.W, l), g = block(.gradW, l)
                out[ref] = each(target) { i, j in "\(w.address(i, j))-\(eta)*\(g.address(i, j))" }

            case .gradB:
                let d = block(.delta, l)
                out[ref] = each(target) { _, j in
                    d.rows <= n ? joined((0..<d.rows).map { r in d.address(r, j) }) : "SUM(\(d.columnRange(j)))"
                }

            case .bNew:
                let b = block(.b, l), g = block(.gradB, l)
                out[ref] = spec.updateBiases
                    ? each(target) { _, j in "\(b.address(0, j))-\(eta)*\(g.address(0, j))" }
                    : each(target) { _, j in b.address(0, j) }
            }
        }
        formulas = out
        helperFormulas = helpers
    }
}

extension StepFormulas {
    /// The engine's values of a helper block's cells, computed from the step's traced blocks
    /// the way the engine computes them (`Activation.apply`, `Loss.value`): the row max, then
    /// e = exp(z − max) and their sum from left to right; the cross-entropy terms with the
    /// terms of factor 0 left out.
    static func helperValues(_ h: HelperBlock, spec: NetworkSpec, blocks: [QuantityRef: Matrix]) -> [Double]? {
        let L = spec.depth
        var out: [Double] = []
        out.reserveCapacity(h.block.rows * h.block.cols)
        switch h.kind {
        case .softmax:
            guard let z = blocks[QuantityRef(.z, L)] else { return nil }
            for r in 0..<z.rows {
                var m = z[r, 0]
                for c in 1..<z.cols where z[r, c] > m { m = z[r, c] }
                out.append(m)
                var s = 0.0
                for c in 0..<z.cols { let e = Foundation.exp(z[r, c] - m); out.append(e); s += e }
                out.append(s)
            }
        case .crossEntropyTerms:
            guard let y = blocks[QuantityRef(.y, L)], let a = blocks[QuantityRef(.a, L)] else { return nil }
            let sigmoid = spec.activations[L - 1] != .softmax
            for i in 0..<y.values.count {
                let t = y.values[i], o = a.values[i]
                var term = t != 0 ? t * Foundation.log(o) : 0.0
                if sigmoid { term += 1.0 - t != 0 ? (1.0 - t) * Foundation.log(1.0 - o) : 0.0 }
                out.append(term)
            }
        }
        return out.count == h.block.rows * h.block.cols ? out : nil
    }

    /// Writes the helper block serving `owner`, if it has one: title, formula line, headers and
    /// the formula cells with the engine's values cached. Its cells are yellow on the walkthrough
    /// sheet where the block they serve is computed, plain elsewhere.
    func writeHelper(of owner: QuantityRef, layout: StepSheetLayout, into cells: inout SheetCells,
                     blocks: [QuantityRef: Matrix], columnLabels: [QuantityRef: [String]], rowLabels: [String],
                     styles st: WorkbookStyles, ownerFill: WorkbookStyles.Fill, step s: Int) throws {
        guard let h = layout.helpers[owner], let f = helperFormulas[owner] else { return }
        let b = h.block
        guard let values = StepFormulas.helperValues(h, spec: layout.spec, blocks: blocks), rowLabels.count == b.rows else {
            throw OutputError(.io, "internal error: the helper cells of \(owner) of step \(s) cannot be computed")
        }
        cells.text(b.titleRow, b.col, b.title, st.blockTitle)
        cells.text(b.formulaRow, b.col, b.formula, st.blockFormula)
        cells.text(b.headerRow, b.col, "sample", st.corner)
        let labels = columnLabels[h.labelSource] ?? []
        let headers = h.kind == .softmax ? ["max"] + labels.map { "e " + $0 } + ["Σe"] : labels.map { "term " + $0 }
        for (j, text) in headers.prefix(b.cols).enumerated() { cells.text(b.headerRow, b.firstDataCol + j, text, st.header) }
        for i in 0..<b.rows { cells.text(b.firstDataRow + i, b.col, rowLabels[i], st.header) }
        let format = st.number(ownerFill == .yellow ? .yellow : .plain)
        for i in 0..<b.rows {
            for j in 0..<b.cols {
                let (row, col) = b.position(i, j)
                cells.formula(row, col, f[i * b.cols + j], values[i * b.cols + j], format)
            }
        }
    }
}
