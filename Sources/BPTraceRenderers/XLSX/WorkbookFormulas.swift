import BPTrace

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

    /// Row-major formula text (`=1/(1+EXP(-D7))`) of each computed block.
    let formulas: [QuantityRef: [String]]

    init(layout: StepSheetLayout) {
        let spec = layout.spec
        let L = spec.depth
        let B = layout.batchSize
        let n = StepSheetLayout.explicitTerms
        let eta = StepFormulas.learningRateName, lambda = StepFormulas.l2Name
        var out: [QuantityRef: [String]] = [:]

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
                case .sigmoid: out[ref] = each(target) { r, c in "1/(1+EXP(-\(z.address(r, c))))" }
                case .tanh: out[ref] = each(target) { r, c in "TANH(\(z.address(r, c)))" }
                case .relu: out[ref] = each(target) { r, c in "MAX(0,\(z.address(r, c)))" }
                case .linear: out[ref] = each(target) { r, c in z.address(r, c) }
                case .softmax:
                    // exp(z - row max) / Σ exp(z - row max); SUMPRODUCT evaluates the row as an
                    // array without making this an array formula.
                    out[ref] = each(target) { r, c in
                        let row = z.rowRange(r)
                        return "EXP(\(z.address(r, c))-MAX(\(row)))/SUMPRODUCT(EXP(\(row)-MAX(\(row))))"
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
                    // Terms whose factor is 0 count 0 (0·ln 0 = 0), as in the engine: adding
                    // (y=0) inside LN keeps it finite exactly where the factor y is 0.
                    let yr = y.range, ar = a.range
                    if spec.activations[L - 1] == .softmax {
                        formula = "-SUMPRODUCT(\(yr),LN(\(ar)+(\(yr)=0)))/\(B)"
                    } else {
                        formula = "-(SUMPRODUCT(\(yr),LN(\(ar)+(\(yr)=0)))+SUMPRODUCT(1-\(yr),LN(1-\(ar)+(\(yr)=1))))/\(B)"
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
    }
}
