/// Everything the catalogue says about one quantity of one layer, declared in one place
/// (`Catalogue.descriptor(of:)`): its stage, its shape, its name in the Excel tutorial and its
/// formula as a cell template (`Expr`). The engine (`Trainer`, `Activation`, `Loss`) computes the
/// same formulas by hand, and `CatalogueEngineTests` holds the two together; printers make the
/// workbook's Excel formulas, LaTeX and text from the templates, the evaluator computes them.
public struct QuantityDescriptor: Sendable {
    public let stage: Stage
    public let rows: Extent
    public let cols: Extent
    /// The variable's name in the Excel tutorial's code (`hidden_layer_input`, `d_output`, ...).
    public let tutorialName: String
    /// The template of one cell (row, col); nil for the step's inputs x, y, W, b and for
    /// quantities this spec does not have (slope of a softmax layer).
    public let formula: Expr?
    /// Whether this spec's step has the quantity at this layer: no slope of a softmax layer,
    /// no b, grad_b, b_new without biases, a cost only with l2 > 0, err only for hidden layers,
    /// x only at layer 0, y, E, loss and cost only at the output layer.
    public var exists: Bool = true

    /// One row per sample of the step's batch (x, y, z, a, E, slope, delta, err).
    public var perSample: Bool { rows == .batch }
}

/// How many rows or columns a block has: one per sample of the step's batch, one per neuron
/// of a layer, or one.
public enum Extent: Hashable, Sendable {
    case batch, neurons(Int), one
}

extension Catalogue {
    /// The names of the intermediate steps that a formula names (see `Expr.named`).
    public enum Step {
        /// Softmax: the row's largest z, e = exp(z − max), and Σe.
        public static let rowMax = "max", exp = "e", expSum = "Σe"
        /// Cross-entropy: one sample's and one output's term of the loss sum.
        public static let crossEntropyTerm = "term"
        /// Hinge: one sample's target score s_y = Σ_k y·a (y one-hot), one non-target class's
        /// term max(0, a − s_y + 1), and the target class's subgradient g_y (minus the number
        /// of classes whose margin is violated).
        public static let targetScore = "s_y", hingeTerm = "hinge", violations = "g_y"
    }

    /// The hinge loss's pieces at sample `r`, class `c`: s_y (the score of the sample's
    /// class, Σ_k y·a since y is one-hot), the margin a − s_y + 1, and the term max(0, margin)
    /// of a class that is not the target (0 for the target class).
    func hingeTargetScore(_ r: Index) -> Expr {
        let a = QuantityRef(.a, L), y = QuantityRef(.y, L)
        return .named(Step.targetScore, [r], .sum([Binding("k", over: .cols(y))], .cell(y, row: r, col: .bound("k")) * .cell(a, row: r, col: .bound("k"))))
    }

    func hingeMargin(_ r: Index, _ c: Index) -> Expr {
        .cell(QuantityRef(.a, L), row: r, col: c) - hingeTargetScore(r) + .c(1)
    }

    /// `count` where the class is not the target and its margin is violated (strictly
    /// positive), else 0.
    func hingeViolated(_ r: Index, _ c: Index, _ count: Expr) -> Expr {
        .when(.cell(QuantityRef(.y, L), row: r, col: c), .equal, .c(1), then: .c(0),
              else: .when(hingeMargin(r, c), .greater, .c(0), then: count, else: .c(0)))
    }

    /// The descriptor of `ref`: one case per quantity. Adding a quantity is a case here, its
    /// place in `stepQuantities` and its engine line. A quantity this spec does not have at
    /// that layer (see `exists`) is answered too, never trapped on: `exists` false, no formula,
    /// shape 1 x 1.
    public func descriptor(of ref: QuantityRef) -> QuantityDescriptor {
        guard exists(ref) else {
            var none = QuantityDescriptor(stage: declaredStage(ref), rows: .one, cols: .one, tutorialName: ref.quantity.rawValue, formula: nil)
            none.exists = false
            return none
        }
        return declared(ref)
    }

    /// Whether the step of this spec has `ref` (see `QuantityDescriptor.exists`).
    public func exists(_ ref: QuantityRef) -> Bool {
        let l = ref.layer, layer = (1...L).contains(l)
        switch ref.quantity {
        case .x: return l == 0
        case .y, .E, .loss: return l == L
        case .cost: return l == L && spec.l2 > 0
        case .W, .z, .a, .delta, .gradW, .WNew: return layer
        case .b, .gradB, .bNew: return layer && spec.bias
        case .slope: return layer && spec.activations[l - 1] != .softmax
        case .err: return l >= 1 && l < L
        case .velW, .sqW, .mW, .vW, .mHatW, .vHatW:
            return layer && spec.optimizer.stateQuantities(weights: true).contains(ref.quantity)
        case .velB, .sqB, .mB, .vB, .mHatB, .vHatB:
            return layer && spec.bias && spec.updateBiases && spec.optimizer.stateQuantities(weights: false).contains(ref.quantity)
        }
    }

    /// The stage of a quantity that this spec does not have (where it would be computed).
    private func declaredStage(_ ref: QuantityRef) -> Stage {
        (1...L).contains(ref.layer) ? declared(ref).stage : declared(QuantityRef(ref.quantity, L)).stage
    }

    /// The declaration of `ref`, one case per quantity; `ref` must name a layer the quantity
    /// can have (the input error err(0), not traced, is read by the checker).
    func declared(_ ref: QuantityRef) -> QuantityDescriptor {
        let l = ref.layer
        let hidden = l < L
        // The tutorial has one hidden layer; deeper networks number theirs.
        let suffix = L > 2 && hidden ? "_\(l)" : ""
        let cell = { (q: Quantity, layer: Int, r: Index, c: Index) -> Expr in .cell(QuantityRef(q, layer).inputAware, row: r, col: c) }
        let same = { (q: Quantity, layer: Int) -> Expr in cell(q, layer, .row, .col) }
        let eta = Expr.hyper(.learningRate), lambda = Expr.hyper(.l2)
        func d(_ stage: Stage, _ rows: Extent, _ cols: Extent, _ name: String, _ formula: Expr?) -> QuantityDescriptor {
            QuantityDescriptor(stage: stage, rows: rows, cols: cols, tutorialName: name, formula: formula)
        }
        switch ref.quantity {
        case .x: return d(.readInputs, .batch, .neurons(0), "X", nil)
        case .y: return d(.readInputs, .batch, .neurons(L), "y", nil)
        case .W: return d(.weightsAndBiases, .neurons(l - 1), .neurons(l), hidden ? "wh\(suffix)" : "wout", nil)
        case .b: return d(.weightsAndBiases, .one, .neurons(l), hidden ? "bh\(suffix)" : "bout", nil)

        case .z:
            // z(l)[i,j] = Σ_k a(l-1)[i,k]·W(l)[k,j] + b(l)[j]   (target cell (i, j); bound indices k, m, p, q, r, c)
            let prev = QuantityRef(.a, l - 1).inputAware
            let product = Expr.sum([Binding("k", over: .cols(prev))], cell(.a, l - 1, .row, .bound("k")) * cell(.W, l, .bound("k"), .col))
            return d(hidden ? .hiddenInput : .output, .batch, .neurons(l), hidden ? "hidden_layer_input\(suffix)" : "output_layer_input",
                     spec.bias ? product + cell(.b, l, .at(0), .col) : product)

        case .a:
            let z = same(.z, l)
            let f: Expr
            switch spec.activations[l - 1] {
            case .sigmoid: f = .c(1) / (.c(1) + .exp(-z))
            case .tanh: f = .apply(.tanh, z)
            case .relu: f = .apply(.relu, z)
            case .linear: f = z
            case .softmax: f = softmaxExp(l, .row, .col) / softmaxSum(l)
            }
            return d(hidden ? .hiddenActivation : .output, .batch, .neurons(l), hidden ? "hiddenlayer_activations\(suffix)" : "output", f)

        case .E:
            return d(.error, .batch, .neurons(L), "E", same(.y, L) - same(.a, L))

        case .loss:
            let y = QuantityRef(.y, L)
            let all = [Binding("r", over: .rows(y)), Binding("c", over: .cols(y))]
            let yc = cell(.y, L, .bound("r"), .bound("c")), ac = cell(.a, L, .bound("r"), .bound("c"))
            let f: Expr
            switch spec.loss {
            case .halfSSE: f = .sum(all, .square(yc - ac)) / .c(2)
            case .mse: f = .sum(all, .square(yc - ac)) / (.count(.rows(y)) * .count(.cols(y)))
            case .sum: f = .sum(all, ac)
                case .hinge:
                // (1/B)·Σ_{r,c} [c ≠ y_r]·max(0, a − s_y + 1); the target class's term is 0.
                let term = Expr.when(yc, .equal, .c(1), then: .c(0), else: .apply(.relu, hingeMargin(.bound("r"), .bound("c"))))
                f = .sum(all, .named(Step.hingeTerm, [.bound("r"), .bound("c")], term)) / .count(.rows(y))
            case .crossEntropy:
                // Terms whose factor is 0 count 0 (0·ln 0 = 0), as the engine skips them.
                var term = Expr.when(yc, .equal, .c(0), then: .c(0), else: yc * .ln(ac))
                if spec.activations[L - 1] != .softmax {
                    term = term + .when(yc, .equal, .c(1), then: .c(0), else: (.c(1) - yc) * .ln(.c(1) - ac))
                }
                f = -.sum(all, .named(Step.crossEntropyTerm, [.bound("r"), .bound("c")], term)) / .count(.rows(y))
            }
            return d(.error, .one, .one, "loss", f)

        case .cost:
            // cost = loss + λ/2 · Σ_l Σ W(l)²
            let squares = (1...L).map { k -> Expr in
                let w = QuantityRef(.W, k)
                return .sum([Binding("p", over: .rows(w)), Binding("q", over: .cols(w))], .square(cell(.W, k, .bound("p"), .bound("q"))))
            }
            return d(.error, .one, .one, "cost", cell(.loss, L, .at(0), .at(0)) + lambda / .c(2) * squares.dropFirst().reduce(squares[0], +))

        case .slope:
            let f: Expr?
            switch spec.activations[l - 1] {
            case .sigmoid: f = same(.a, l) * (.c(1) - same(.a, l))
            case .tanh: f = .c(1) - .square(same(.a, l))
            case .relu: f = .when(same(.z, l), .greater, .c(0), then: .c(1), else: .c(0))
            case .linear: f = .c(1)
            case .softmax: f = nil
            }
            return d(.slopes, .batch, .neurons(l), hidden ? "slope_hidden_layer\(suffix)" : "slope_output_layer", f)

        case .delta where !hidden:
            let a = same(.a, L), y = same(.y, L), slope = same(.slope, L)
            let aL = QuantityRef(.a, L)
            let f: Expr
            switch spec.loss {
            case .halfSSE: f = (a - y) * slope
            case .mse: f = .c(2) * (a - y) / (.count(.rows(aL)) * .count(.cols(aL))) * slope
            case .crossEntropy: f = (a - y) / .count(.rows(aL))
            case .sum: f = slope
            case .hinge: f = hingeSubgradient / .count(.rows(aL)) * slope
            }
            return d(.outputDelta, .batch, .neurons(L), "d_output", f)

        case .delta:
            return d(.hiddenDelta, .batch, .neurons(l), "d_hiddenlayer\(suffix)", same(.err, l) * same(.slope, l))

        case .err:
            // err(l)[i,j] = Σ_k delta(l+1)[i,k]·W(l+1)[j,k], W_new(l+1) under the immediate order.
            let through: Quantity = spec.update == .immediate ? .WNew : .W
            return d(.hiddenError, .batch, .neurons(l), "Error_at_hidden_layer\(suffix)",
                     .sum([Binding("k", over: .cols(QuantityRef(.delta, l + 1)))],
                          cell(.delta, l + 1, .row, .bound("k")) * cell(through, l + 1, .col, .bound("k"))))

        case .gradW:
            // grad_W(l)[i,j] = Σ_r a(l-1)[r,i]·delta(l)[r,j] (+ λ·W(l)[i,j]), r over the batch
            let prev = QuantityRef(.a, l - 1).inputAware
            let product = Expr.sum([Binding("r", over: .rows(prev))], cell(.a, l - 1, .bound("r"), .row) * cell(.delta, l, .bound("r"), .col))
            return d(.updateWeights, .neurons(l - 1), .neurons(l), hidden ? "grad_wh\(suffix)" : "grad_wout",
                     spec.l2 > 0 ? product + lambda * same(.W, l) : product)

        case .WNew:
            return d(.updateWeights, .neurons(l - 1), .neurons(l), hidden ? "wh\(suffix) (updated)" : "wout (updated)",
                     optimizerUpdate(l, weights: true))

        case .gradB:
            return d(.updateBiases, .one, .neurons(l), hidden ? "grad_bh\(suffix)" : "grad_bout",
                     .sum([Binding("r", over: .rows(QuantityRef(.delta, l)))], cell(.delta, l, .bound("r"), .col)))

        case .bNew:
            return d(.updateBiases, .one, .neurons(l), hidden ? "bh\(suffix) (updated)" : "bout (updated)",
                     spec.updateBiases ? optimizerUpdate(l, weights: false) : same(.b, l))

        case .velW, .sqW, .mW, .vW, .mHatW, .vHatW:
            return d(.updateWeights, .neurons(l - 1), .neurons(l), "\(ref.quantity.rawValue)\(hidden ? "h\(suffix)" : "out")", optimizerState(ref))
        case .velB, .sqB, .mB, .vB, .mHatB, .vHatB:
            return d(.updateBiases, .one, .neurons(l), "\(ref.quantity.rawValue)\(hidden ? "h\(suffix)" : "out")", optimizerState(ref))
        }
    }

    /// The hinge loss's subgradient g of the target cell: 1 for a class whose margin is
    /// violated, minus their number for the sample's class (a sum of −1s, so +0 when none, as
    /// the engine's), else 0.
    var hingeSubgradient: Expr {
        let yL = QuantityRef(.y, L)
        let target = Expr.named(Step.violations, [.row], .sum([Binding("m", over: .cols(yL))], hingeViolated(.row, .bound("m"), .c(-1))))
        return .when(.same(yL), .equal, .c(1), then: target, else: .when(hingeMargin(.row, .col), .greater, .c(0), then: .c(1), else: .c(0)))
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
