import BPTrace
import Foundation

/// The blocks of one traced step, by quantity and layer.
struct StepBlocks {
    let step: Int
    var blocks: [QuantityRef: Matrix] = [:]

    subscript(_ q: Quantity, _ l: Int) -> Matrix? { blocks[QuantityRef(q, l)] }

    /// The block of `q` in layer `l`; an empty 0 x 0 matrix when the step has none.
    func matrix(_ q: Quantity, _ l: Int) -> Matrix { blocks[QuantityRef(q, l)] ?? Matrix(rows: 0, cols: 0) }

    /// One traced number; NaN when the step has no such cell.
    func value(_ q: Quantity, _ l: Int, _ r: Int, _ c: Int) -> Double {
        guard let m = self[q, l], r < m.rows, c < m.cols else { return .nan }
        return m[r, c]
    }

    /// Parameters at the start of the step (W, b) or after it (W_new, b_new).
    func parameters(after: Bool, depth L: Int, bias: Bool) -> Parameters {
        Parameters(weights: (1...L).map { matrix(after ? .WNew : .W, $0) },
                   biases: bias ? (1...L).map { matrix(after ? .bNew : .b, $0) } : [])
    }
}

/// Writes the Markdown of one derived step: symbols, then numbers, then the result, line by
/// line as the post does (`full`), per layer with bmatrix (`matrix`), or tables only (`summary`).
/// Every formula and number comes from `StepDerivation` (the catalogue and the trace); this
/// writer only lays the lines out between its paragraphs.
struct HandoutStepWriter {
    let spec: NetworkSpec
    let names: NetworkNames
    let fmt: HandoutNumberFormat
    let layout: EquationLayout
    let detail: HandoutDetail
    let d: StepBlocks
    /// 0-based data rows of the step's batch.
    let rows: [Int]
    /// The picture of this step (a relative path), or nil when it is the one at the top.
    let picture: String?
    let symbols: PostSymbols
    let derivation: StepDerivation
    /// The optimizer's state after the step before (empty at step 1).
    let previousState: [QuantityRef: Matrix]

    var out: [String] = []

    init(spec: NetworkSpec, names: NetworkNames, fmt: HandoutNumberFormat, layout: EquationLayout,
         detail: HandoutDetail, blocks: StepBlocks, rows: [Int], picture: String?, previousState: [QuantityRef: Matrix] = [:]) {
        self.spec = spec; self.names = names; self.fmt = fmt; self.layout = layout; self.detail = detail
        self.d = blocks; self.rows = rows; self.picture = picture; self.previousState = previousState
        symbols = PostSymbols(names: names, depth: spec.depth, batchSize: rows.count, ofCost: spec.l2 > 0)
        let f = fmt
        derivation = StepDerivation(spec: spec, symbols: symbols, blocks: blocks.blocks,
                                    operand: { f.operand($0) }, number: { f.tex($0) }, namedSteps: detail == .full,
                                    step: blocks.step, previous: previousState)
    }

    var L: Int { spec.depth }
    var B: Int { rows.count }
    var eta: String { fmt.tex(spec.learningRate) }
    var lambda: String { fmt.tex(spec.l2) }
    var outputActivation: Activation { spec.activations[L - 1] }
    var objective: String { symbols.objective }
    static let Etotal = PostSymbols.total

    func neuron(_ l: Int, _ j: Int) -> String { symbols.neuron(l, j) }
    func partial(_ a: String, _ b: String) -> String { symbols.partial(a, b) }
    func n(_ v: Double) -> String { fmt.tex(v) }

    mutating func eq(_ lhs: String, _ parts: [String]) { out.append(layout.display(lhs, parts)); out.append("") }
    mutating func eq(_ line: DerivationLine?) {
        guard let line else { return }
        eq(line.lhs, line.parts(fmt.tex))
    }
    mutating func eq(_ lines: [DerivationLine]) { for l in lines { eq(l) } }
    mutating func text(_ s: String) { out.append(s); out.append("") }
    mutating func heading(_ s: String) { out.append(s); out.append("") }

    var edgeCaption: String {
        NetworkDiagram.labelsEdges(spec) ? "each edge is labelled with its weight before → after the update"
            : "each edge is coloured by the sign of its weight at the start of the step (blue positive, red negative) and drawn thicker the larger it is"
    }

    // MARK: the step

    mutating func render(firstPictureNote: Bool) -> String {
        heading("## Step \(d.step)")
        if let picture {
            text("![The network at step \(d.step): \(edgeCaption).](\(picture))")
        } else if firstPictureNote {
            text("The picture at the top shows the network of this step: \(edgeCaption).")
        }
        batchText()
        switch detail {
        case .full:
            fullForward(); fullError(); fullBackward()
        case .matrix:
            matrixParameters(); matrixForward(); matrixError(); matrixBackward()
        case .summary:
            summaryLoss()
        }
        parameterTable()
        lossBeforeAfter()
        return out.joined(separator: "\n")
    }

    mutating func batchText() {
        let x = d.matrix(.x, 0), y = d.matrix(.y, L)
        let sampleWord = B == 1 ? "sample \(rows[0] + 1) of the data" : "\(B) samples (data rows \(rowList()))"
        if detail == .full && B == 1 {
            let ins = (0..<spec.layers[0]).map { "$\(neuron(0, $0)) = \(n(x[0, $0]))$" }.joined(separator: ", ")
            let ts = (0..<spec.layers[L]).map { "$\(symbols.target($0, 0)) = \(n(y[0, $0]))$" }.joined(separator: ", ")
            text("This step trains on \(sampleWord): inputs \(ins); targets \(ts).")
        } else if detail == .full {
            text("This step trains on \(sampleWord); a superscript $[r]$ marks the sample's place $r$ in the batch.")
            batchTable(x: x, y: y)
        } else {
            text("This step trains on \(sampleWord).")
        }
    }

    func rowList() -> String {
        rows.count <= 12 ? rows.map { String($0 + 1) }.joined(separator: ", ")
            : rows.prefix(10).map { String($0 + 1) }.joined(separator: ", ") + ", …"
    }

    mutating func batchTable(x: Matrix, y: Matrix) {
        let head = ["$r$"] + (0..<spec.layers[0]).map { "$\(neuron(0, $0))$" } + (0..<spec.layers[L]).map { "$\\mathrm{target}_{\(neuron(L, $0))}$" }
        out.append("| " + head.joined(separator: " | ") + " |")
        out.append("|" + String(repeating: "---:|", count: head.count))
        for r in 0..<B {
            out.append("| \(r + 1) | " + (x.row(r) + y.row(r)).map(fmt.plain).joined(separator: " | ") + " |")
        }
        out.append("")
    }

    func layerTitle(_ l: Int) -> String {
        let ns = (0..<spec.layers[l]).map { "$\(neuron(l, $0))$" }.joined(separator: ", ")
        let f = spec.activations[l - 1].rawValue
        if l == L { return "The output layer (\(ns), \(f))" }
        return (L > 2 ? "Hidden layer \(l)" : "The hidden layer") + " (\(ns), \(f))"
    }

    func updateRuleSentence() -> String {
        "Each weight then moves against its gradient, scaled by the learning rate $\\eta = \(eta)$: $w^{+} = w - \\eta \\cdot \\partial \(objective) / \\partial w$."
    }

    /// One sentence on the update order (only where there are hidden layers it matters).
    func updateOrderSentence(detailed: Bool) -> String {
        switch spec.update {
        case .simultaneous:
            return "Update order: simultaneous. The error sent back to a hidden layer uses the weights as they were at the start of the step (the original $w$, not the updated $w^{+}$); every weight changes at the same time, at the end of the step."
        case .immediate:
            return "Update order: immediate. Each layer's weights are updated as soon as their gradients are known, and the error sent back to the layer below is computed with the already updated weights $w^{+}$ (this is what reproduces the post's later numbers)."
        }
    }
}
