/// The formula of every computed quantity, declared once as a cell template (`Expr`): the
/// engine (`Trainer`, `Activation`, `Loss`) computes the same formulas by hand, and
/// `CatalogueEngineTests` holds the two together. Printers make the workbook's Excel formulas,
/// LaTeX and text from these templates; the evaluator computes them from a trace.
extension Catalogue {
    /// The names of the intermediate steps that a formula names (see `Expr.named`).
    public enum Step {
        /// Softmax: the row's largest z, e = exp(z − max), and Σe.
        public static let rowMax = "max", exp = "e", expSum = "Σe"
        /// Cross-entropy: one sample's and one output's term of the loss sum.
        public static let crossEntropyTerm = "term"
    }

    /// The template of one cell (row, col) of `ref`; nil for the step's inputs x, y, W, b and
    /// for quantities this spec does not have (slope of a softmax layer, cost without l2).
    public func expression(of ref: QuantityRef) -> Expr? {
        let l = ref.layer
        let cell = { (q: Quantity, layer: Int, r: Index, c: Index) -> Expr in .cell(QuantityRef(q, layer).inputAware, row: r, col: c) }
        let same = { (q: Quantity, layer: Int) -> Expr in cell(q, layer, .row, .col) }
        let eta = Expr.hyper(.learningRate), lambda = Expr.hyper(.l2)
        switch ref.quantity {
        case .x, .y, .W, .b:
            return nil

        case .z:
            // z(l)[i,j] = Σ_k a(l-1)[i,k]·W(l)[k,j] + b(l)[j]   (target cell (i, j); bound indices k, m, p, q, r, c)
            let prev = QuantityRef(.a, l - 1).inputAware
            let product = Expr.sum([Binding("k", over: .cols(prev))], cell(.a, l - 1, .row, .bound("k")) * cell(.W, l, .bound("k"), .col))
            return spec.bias ? product + cell(.b, l, .at(0), .col) : product

        case .a:
            let z = same(.z, l)
            switch spec.activations[l - 1] {
            case .sigmoid: return .c(1) / (.c(1) + .exp(-z))
            case .tanh: return .apply(.tanh, z)
            case .relu: return .apply(.relu, z)
            case .linear: return z
            case .softmax: return softmaxExp(l, .row, .col) / softmaxSum(l)
            }

        case .E:
            return same(.y, L) - same(.a, L)

        case .loss:
            let y = QuantityRef(.y, L)
            let all = [Binding("r", over: .rows(y)), Binding("c", over: .cols(y))]
            let yc = cell(.y, L, .bound("r"), .bound("c")), ac = cell(.a, L, .bound("r"), .bound("c"))
            switch spec.loss {
            case .halfSSE: return .sum(all, .square(yc - ac)) / .c(2)
            case .mse: return .sum(all, .square(yc - ac)) / (.count(.rows(y)) * .count(.cols(y)))
            case .sum: return .sum(all, ac)
            case .crossEntropy:
                // Terms whose factor is 0 count 0 (0·ln 0 = 0), as the engine skips them.
                var term = Expr.when(yc, .equal, .c(0), then: .c(0), else: yc * .ln(ac))
                if spec.activations[L - 1] != .softmax {
                    term = term + .when(yc, .equal, .c(1), then: .c(0), else: (.c(1) - yc) * .ln(.c(1) - ac))
                }
                return -.sum(all, .named(Step.crossEntropyTerm, [.bound("r"), .bound("c")], term)) / .count(.rows(y))
            }

        case .cost:
            // cost = loss + λ/2 · Σ_l Σ W(l)²
            let squares = (1...L).map { k -> Expr in
                let w = QuantityRef(.W, k)
                return .sum([Binding("p", over: .rows(w)), Binding("q", over: .cols(w))], .square(cell(.W, k, .bound("p"), .bound("q"))))
            }
            return cell(.loss, L, .at(0), .at(0)) + lambda / .c(2) * squares.dropFirst().reduce(squares[0], +)

        case .slope:
            switch spec.activations[l - 1] {
            case .sigmoid: return same(.a, l) * (.c(1) - same(.a, l))
            case .tanh: return .c(1) - .square(same(.a, l))
            case .relu: return .when(same(.z, l), .greater, .c(0), then: .c(1), else: .c(0))
            case .linear: return .c(1)
            case .softmax: return nil
            }

        case .delta where l == L:
            let a = same(.a, L), y = same(.y, L), slope = same(.slope, L)
            let aL = QuantityRef(.a, L)
            switch spec.loss {
            case .halfSSE: return (a - y) * slope
            case .mse: return .c(2) * (a - y) / (.count(.rows(aL)) * .count(.cols(aL))) * slope
            case .crossEntropy: return (a - y) / .count(.rows(aL))
            case .sum: return slope
            }

        case .delta:
            return same(.err, l) * same(.slope, l)

        case .err:
            // err(l)[i,j] = Σ_k delta(l+1)[i,k]·W(l+1)[j,k], W_new(l+1) under the immediate order.
            let through: Quantity = spec.update == .immediate ? .WNew : .W
            return .sum([Binding("k", over: .cols(QuantityRef(.delta, l + 1)))],
                        cell(.delta, l + 1, .row, .bound("k")) * cell(through, l + 1, .col, .bound("k")))

        case .gradW:
            // grad_W(l)[i,j] = Σ_r a(l-1)[r,i]·delta(l)[r,j] (+ λ·W(l)[i,j]), r over the batch
            let prev = QuantityRef(.a, l - 1).inputAware
            let product = Expr.sum([Binding("r", over: .rows(prev))], cell(.a, l - 1, .bound("r"), .row) * cell(.delta, l, .bound("r"), .col))
            return spec.l2 > 0 ? product + lambda * same(.W, l) : product

        case .WNew:
            return same(.W, l) - eta * same(.gradW, l)

        case .gradB:
            return .sum([Binding("r", over: .rows(QuantityRef(.delta, l)))], cell(.delta, l, .bound("r"), .col))

        case .bNew:
            return spec.updateBiases ? same(.b, l) - eta * same(.gradB, l) : same(.b, l)
        }
    }

    /// Softmax's e = exp(z − max) of sample `r`, output `c`.
    private func softmaxExp(_ l: Int, _ r: Index, _ c: Index) -> Expr {
        let z = QuantityRef(.z, l)
        let rowMax = Expr.named(Step.rowMax, [r], .max(Binding("m", over: .cols(z)), .cell(z, row: r, col: .bound("m"))))
        return .named(Step.exp, [r, c], .exp(.cell(z, row: r, col: c) - rowMax))
    }

    /// Softmax's Σe of the target row.
    private func softmaxSum(_ l: Int) -> Expr {
        .named(Step.expSum, [.row], .sum([Binding("k", over: .cols(QuantityRef(.z, l)))], softmaxExp(l, .row, .bound("k"))))
    }
}
