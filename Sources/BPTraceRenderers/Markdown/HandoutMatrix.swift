import BPTrace

/// `--detail matrix`: each quantity of a layer at once, its formula for one element (i, j) as
/// the catalogue writes it, then the whole block as a bmatrix.
extension HandoutStepWriter {
    /// A bmatrix of `m`, eliding the middle rows/columns of matrices larger than 8 x 8.
    func bmatrix(_ m: Matrix) -> String { HandoutStepWriter.bmatrix(m, fmt) }

    static func bmatrix(_ m: Matrix, _ fmt: HandoutNumberFormat) -> String {
        func n(_ v: Double) -> String { fmt.tex(v) }
        func pick(_ n: Int) -> [Int?] { n <= 8 ? (0..<n).map { Optional($0) } : [0, 1, 2, nil, n - 3, n - 2, n - 1] }
        let rs = pick(m.rows), cs = pick(m.cols)
        let lines = rs.map { r -> String in
            cs.map { c -> String in
                guard let r else { return c == nil ? "\\ddots" : "\\vdots" }
                guard let c else { return "\\cdots" }
                return n(m[r, c])
            }.joined(separator: " & ")
        }
        return "\\begin{bmatrix}" + lines.joined(separator: " \\\\ ") + "\\end{bmatrix}"
    }

    /// The symbol of a whole block (`W^{(1)}`) and of its element (i, j) (`W^{(1)}_{i,j}`).
    func block(_ ref: QuantityRef) -> String { LaTeXPrinter.symbol(ref) }
    func element(_ ref: QuantityRef) -> String {
        switch ref.quantity {
        case .loss: return HandoutStepWriter.Etotal
        case .cost: return LaTeXPrinter.symbol(ref)
        case .b, .gradB, .bNew: return LaTeXPrinter.symbol(ref) + "_{j}"
        default: return LaTeXPrinter.element(ref, ref.quantity.optimizerStateOfWeights == false ? "j" : "i,j")
        }
    }

    /// `element = formula = [operands] = [result]`, the operand row left out when it is wider than a page.
    mutating func matrixEq(_ ref: QuantityRef, operands: String? = nil) {
        guard let m = d[ref.quantity, ref.layer] else { return }
        var parts: [String] = []
        if let f = Catalogue(spec: spec).expression(of: ref) {
            // An optimizer's g·g is shown as g², as its numbers are (`blockNumbers`).
            let shown = ref.quantity.optimizerStateOfWeights == nil ? f : StepDerivation.squares(f)
            parts.append(LaTeXPrinter(branch: { _, _ in false }).latex(shown))
        }
        if let operands, MathWidth.estimate(operands) <= layout.maxWidth { parts.append(operands) }
        // A loss is one number.
        parts.append(ref.quantity == .loss || ref.quantity == .cost ? n(m[0, 0]) : bmatrix(m))
        eq(parts.count == 1 ? block(ref) : element(ref), parts)
    }

    mutating func matrixParameters() {
        heading("### The batch and the parameters")
        text("Each row of $x$ (the input, $a^{(0)}$) and of $y$ is one sample; $W^{(l)}$ has one row per neuron of layer $l-1$ and one column per neuron of layer $l$; $b^{(l)}$ is added to every row. Each formula below is that of one element $(i, j)$ of its block; the block follows as a matrix.")
        matrixEq(QuantityRef(.x, 0))
        matrixEq(QuantityRef(.y, L))
        for l in 1...L {
            matrixEq(QuantityRef(.W, l))
            if spec.bias { matrixEq(QuantityRef(.b, l)) }
        }
    }

    mutating func matrixForward() {
        heading("### The forward pass")
        for l in 1...L {
            heading("#### \(layerTitle(l))")
            let prev = d.matrix(l == 1 ? .x : .a, l - 1)
            let ops = "\(bmatrix(prev)) \(bmatrix(d.matrix(.W, l)))" + (spec.bias ? " + \(bmatrix(d.matrix(.b, l)))" : "")
            matrixEq(QuantityRef(.z, l), operands: ops)
            if !spec.activations[l - 1].isElementwise {
                text("Softmax works on each row (sample), from the row's largest $z$ so that no exponential overflows.")
            }
            matrixEq(QuantityRef(.a, l))
        }
    }

    mutating func matrixError() {
        heading("### The error")
        matrixEq(QuantityRef(.E, L))
        matrixEq(QuantityRef(.loss, L))
        if spec.l2 > 0 {
            text("With L2 regularisation ($\\lambda = \(lambda)$) the cost adds half of $\\lambda$ times the sum of the squared weights (biases excluded); the gradients below are those of the cost $C$.")
            matrixEq(QuantityRef(.cost, L))
        }
    }

    mutating func matrixBackward() {
        heading("### The backward pass")
        let here = "Here $f'^{(l)}$ is the slope of layer $l$'s activation, $\\delta^{(l)}$ its delta ($\\partial \(HandoutStepWriter.Etotal) / \\partial z^{(l)}$), $e^{(l)}$ the error sent back to it ($\\partial \(HandoutStepWriter.Etotal) / \\partial a^{(l)}$), $\\nabla W^{(l)}$ and $\\nabla b^{(l)}$ the gradients of \(spec.l2 > 0 ? "the cost $C$" : "the total error"), $W'^{(l)}$ and $b'^{(l)}$ the new weights and biases."
        if spec.optimizer.isSGD { text(here + " " + updateRuleSentence()) } else {
            let state = QuantityRef(spec.optimizer.stateQuantities(weights: true)[0], 0)
            let block = LaTeXPrinter.element(state, nil).replacingOccurrences(of: "(0)", with: "(l)")
            let one = LaTeXPrinter.element(state, "i,j").replacingOccurrences(of: "(0)", with: "(l)")
            text(here + " The optimizer's state of a layer's weights is written like them, $\(block)$ with $\(one)$ the state of $W^{(l)}_{i,j}$ (of the biases with $b$ in place of $W$); $(t-1)$ in its superscript marks the previous step's state.")
            updateRule()
        }
        if L >= 2 { text(updateOrderSentence(detailed: false)) }
        for l in stride(from: L, through: 1, by: -1) {
            heading("#### \(layerTitle(l))")
            matrixEq(QuantityRef(.slope, l))
            if l < L { matrixEq(QuantityRef(.err, l)) }
            matrixEq(QuantityRef(.delta, l))
            matrixEq(QuantityRef(.gradW, l))
            matrixState(l, weights: true)
            matrixEq(QuantityRef(.WNew, l), operands: spec.optimizer.isSGD ? nil : blockNumbers(QuantityRef(.WNew, l)))
            if spec.bias {
                matrixEq(QuantityRef(.gradB, l))
                if spec.updateBiases {
                    matrixState(l, weights: false)
                    matrixEq(QuantityRef(.bNew, l), operands: spec.optimizer.isSGD ? nil : blockNumbers(QuantityRef(.bNew, l)))
                }
            }
        }
    }
}
