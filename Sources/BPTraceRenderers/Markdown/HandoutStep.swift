import BPTrace
import Foundation

/// The blocks of one traced step, by quantity and layer.
struct StepBlocks {
    let step: Int
    var blocks: [QuantityRef: Matrix] = [:]

    subscript(_ q: Quantity, _ l: Int) -> Matrix? { blocks[QuantityRef(q, l)] }

    /// Parameters at the start of the step (W, b) or after it (W_new, b_new).
    func parameters(after: Bool, depth L: Int, bias: Bool) -> Parameters {
        Parameters(weights: (1...L).map { self[after ? .WNew : .W, $0]! },
                   biases: bias ? (1...L).map { self[after ? .bNew : .b, $0]! } : [])
    }
}

/// The forward pass outside the engine, for the loss after a step's update on the same batch.
/// Same operations in the same order as `Trainer`, so on a full batch it equals the next step's loss.
enum Forward {
    static func outputs(spec: NetworkSpec, parameters p: Parameters, x: Matrix) -> Matrix {
        var a = x
        for l in 1...spec.depth {
            var z = a.dot(p.weights[l - 1])
            if spec.bias { for r in 0..<z.rows { for c in 0..<z.cols { z[r, c] += p.biases[l - 1][0, c] } } }
            a = spec.activations[l - 1].apply(z)
        }
        return a
    }

    static func loss(spec: NetworkSpec, parameters p: Parameters, x: Matrix, y: Matrix) -> (loss: Double, cost: Double?, outputs: Matrix) {
        let o = outputs(spec: spec, parameters: p, x: x)
        let loss = spec.loss.value(outputs: o, targets: y, outputActivation: spec.activations[spec.depth - 1])
        guard spec.l2 > 0 else { return (loss, nil, o) }
        var squares = 0.0
        for W in p.weights { for w in W.values { squares += w * w } }
        return (loss, loss + spec.l2 / 2 * squares, o)
    }
}

/// Writes the Markdown of one derived step: symbols, then numbers, then the result, line by
/// line as the post does (`full`), per layer with bmatrix (`matrix`), or tables only (`summary`).
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

    private var out: [String] = []

    init(spec: NetworkSpec, names: NetworkNames, fmt: HandoutNumberFormat, layout: EquationLayout,
         detail: HandoutDetail, blocks: StepBlocks, rows: [Int], picture: String?) {
        self.spec = spec; self.names = names; self.fmt = fmt; self.layout = layout; self.detail = detail
        self.d = blocks; self.rows = rows; self.picture = picture
    }

    var L: Int { spec.depth }
    var B: Int { rows.count }
    var eta: String { fmt.tex(spec.learningRate) }
    var lambda: String { fmt.tex(spec.l2) }
    var outputActivation: Activation { spec.activations[L - 1] }
    /// The loss's derivative through the output activation collapses to out - target.
    var combinedOutput: Bool { spec.loss == .crossEntropy }

    // MARK: symbols

    static let Etotal = "E_{\\mathrm{total}}"
    var objective: String { spec.l2 > 0 ? "C" : HandoutStepWriter.Etotal }
    func sup(_ r: Int) -> String { B > 1 ? "^{[\(r + 1)]}" : "" }
    func neuron(_ l: Int, _ j: Int) -> String { names.neuron(layer: l, j).latex }
    func net(_ l: Int, _ j: Int, _ r: Int) -> String { "\\mathrm{net}_{\(neuron(l, j))}" + sup(r) }
    func outS(_ l: Int, _ j: Int, _ r: Int) -> String { l == 0 ? neuron(0, j) + sup(r) : "\\mathrm{out}_{\(neuron(l, j))}" + sup(r) }
    func target(_ j: Int, _ r: Int) -> String { "\\mathrm{target}_{\(neuron(L, j))}" + sup(r) }
    func delta(_ l: Int, _ j: Int, _ r: Int) -> String { "\\delta_{\(neuron(l, j))}" + sup(r) }
    func errTerm(_ j: Int, _ r: Int) -> String { "E_{\(neuron(L, j))}" + sup(r) }
    func w(_ l: Int, _ i: Int, _ j: Int) -> String { names.weight(layer: l, source: i, target: j).latex }
    func b(_ l: Int, _ j: Int) -> String { names.bias(layer: l, j).latex }
    func plus(_ s: String) -> String { "{\(s)}^{+}" }
    func partial(_ a: String, _ b: String) -> String { "\\frac{\\partial \(a)}{\\partial \(b)}" }
    func n(_ v: Double) -> String { fmt.tex(v) }
    func o(_ v: Double) -> String { fmt.operand(v) }

    mutating func eq(_ lhs: String, _ parts: String...) { out.append(layout.display(lhs, parts)); out.append("") }
    mutating func eq(_ lhs: String, _ parts: [String]) { out.append(layout.display(lhs, parts)); out.append("") }
    mutating func text(_ s: String) { out.append(s); out.append("") }

    var edgeCaption: String {
        NetworkDiagram.labelsEdges(spec) ? "each edge is labelled with its weight before → after the update"
            : "each edge is coloured by the sign of its weight at the start of the step (blue positive, red negative) and drawn thicker the larger it is"
    }

    // MARK: the step

    mutating func render(firstPictureNote: Bool) -> String {
        out.append("## Step \(d.step)"); out.append("")
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
        let x = d[.x, 0]!, y = d[.y, L]!
        let sampleWord = B == 1 ? "sample \(rows[0] + 1) of the data" : "\(B) samples (data rows \(rowList()))"
        if detail == .full && B == 1 {
            let ins = (0..<spec.layers[0]).map { "$\(neuron(0, $0)) = \(n(x[0, $0]))$" }.joined(separator: ", ")
            let ts = (0..<spec.layers[L]).map { "$\(target($0, 0)) = \(n(y[0, $0]))$" }.joined(separator: ", ")
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

    // MARK: full: forward

    func layerTitle(_ l: Int) -> String {
        let ns = (0..<spec.layers[l]).map { "$\(neuron(l, $0))$" }.joined(separator: ", ")
        let f = spec.activations[l - 1].rawValue
        if l == L { return "The output layer (\(ns), \(f))" }
        return (L > 2 ? "Hidden layer \(l)" : "The hidden layer") + " (\(ns), \(f))"
    }

    mutating func fullForward() {
        out.append("### The forward pass"); out.append("")
        text("Each neuron adds up its weighted inputs (its net input), then applies its activation function to get its output.")
        for l in 1...L {
            out.append("#### \(layerTitle(l))"); out.append("")
            let f = spec.activations[l - 1]
            for r in 0..<B {
                for j in 0..<spec.layers[l] {
                    netLine(l, j, r)
                    if f != .softmax { outLine(l, j, r) }
                }
                if f == .softmax { for j in 0..<spec.layers[l] { outLine(l, j, r) } }
            }
        }
    }

    /// The value of source neuron i of layer l-1 in sample r (the input x for l = 1).
    func source(_ l: Int, _ i: Int, _ r: Int) -> Double { l == 1 ? d[.x, 0]![r, i] : d[.a, l - 1]![r, i] }

    mutating func netLine(_ l: Int, _ j: Int, _ r: Int) {
        let W = d[.W, l]!
        var sym = (0..<spec.layers[l - 1]).map { "\(w(l, $0, j)) \\cdot \(outS(l - 1, $0, r))" }
        var num = (0..<spec.layers[l - 1]).map { "\(o(W[$0, j])) \\cdot \(o(source(l, $0, r)))" }
        if spec.bias { sym.append("\(b(l, j)) \\cdot 1"); num.append("\(o(d[.b, l]![0, j])) \\cdot 1") }
        eq(net(l, j, r), sym.joined(separator: " + "), num.joined(separator: " + "), n(d[.z, l]![r, j]))
    }

    mutating func outLine(_ l: Int, _ j: Int, _ r: Int) {
        let z = d[.z, l]!, a = d[.a, l]![r, j]
        let nz = net(l, j, r)
        switch spec.activations[l - 1] {
        case .sigmoid: eq(outS(l, j, r), "\\frac{1}{1 + e^{-\(nz)}}", "\\frac{1}{1 + e^{-\(o(z[r, j]))}}", n(a))
        case .tanh: eq(outS(l, j, r), "\\tanh(\(nz))", "\\tanh(\(n(z[r, j])))", n(a))
        case .relu: eq(outS(l, j, r), "\\max(0, \(nz))", "\\max(0, \(n(z[r, j])))", n(a))
        case .linear: eq(outS(l, j, r), nz, n(a))
        case .softmax:
            let all = (0..<spec.layers[l])
            eq(outS(l, j, r), "\\frac{e^{\(nz)}}{\(all.map { "e^{\(net(l, $0, r))}" }.joined(separator: " + "))}",
               "\\frac{e^{\(n(z[r, j]))}}{\(all.map { "e^{\(n(z[r, $0]))}" }.joined(separator: " + "))}", n(a))
        }
    }

    // MARK: full: error

    mutating func fullError() {
        out.append("### The total error"); out.append("")
        let y = d[.y, L]!, a = d[.a, L]!
        let nL = spec.layers[L]
        let loss = d[.loss, L]![0, 0]
        var termSyms: [String] = [], termValues: [Double] = []
        switch spec.loss {
        case .halfSSE, .mse:
            let c = spec.loss == .halfSSE ? "\\frac{1}{2}" : "\\frac{1}{\(B * nL)}"
            let k = spec.loss == .halfSSE ? 0.5 : 1.0 / Double(B * nL)
            text(spec.loss == .halfSSE
                 ? "The error of each output is half its squared difference from the target (the squared error function); the total error is their sum\(B > 1 ? " over the outputs and the samples" : "")."
                 : "The mean squared error: each output's squared difference from its target, divided by the number of terms (\(B) sample\(B > 1 ? "s" : "") × \(nL) outputs = \(B * nL)); the total error is their sum.")
            for r in 0..<B {
                for j in 0..<nL {
                    let v = k * (y[r, j] - a[r, j]) * (y[r, j] - a[r, j])
                    eq(errTerm(j, r), "\(c)(\(target(j, r)) - \(outS(L, j, r)))^{2}", "\(c)(\(n(y[r, j])) - \(o(a[r, j])))^{2}", n(v))
                    termSyms.append(errTerm(j, r)); termValues.append(v)
                }
            }
        case .sum:
            text("The loss is the sum of the outputs (the targets are ignored): the gradients are those of the network's output itself.")
            for r in 0..<B { for j in 0..<nL { termSyms.append(outS(L, j, r)); termValues.append(a[r, j]) } }
        case .crossEntropy:
            let scale = B > 1 ? "\\frac{1}{\(B)}" : ""
            if outputActivation == .softmax {
                text("The cross-entropy of a softmax output: each output contributes $-\\mathrm{target} \\cdot \\ln \\mathrm{out}$\(B > 1 ? ", divided by the batch size $B = \(B)$" : "") (a zero target contributes 0).")
            } else {
                text("The cross-entropy of a sigmoid output: each output contributes $-(\\mathrm{target} \\cdot \\ln \\mathrm{out} + (1 - \\mathrm{target}) \\ln(1 - \\mathrm{out}))$\(B > 1 ? ", divided by the batch size $B = \(B)$" : "").")
            }
            for r in 0..<B {
                for j in 0..<nL {
                    let t = y[r, j], ov = a[r, j]
                    var v = 0.0
                    if t != 0 { v += t * log(ov) }
                    let sym: String, num: String
                    if outputActivation == .softmax {
                        sym = "-\(scale)\(target(j, r)) \\ln \(outS(L, j, r))"
                        num = "-\(scale.isEmpty ? "" : scale + " \\cdot ")\(o(t)) \\cdot \\ln \(o(ov))"
                    } else {
                        if 1 - t != 0 { v += (1 - t) * log(1 - ov) }
                        sym = "-\(scale)(\(target(j, r)) \\ln \(outS(L, j, r)) + (1 - \(target(j, r))) \\ln(1 - \(outS(L, j, r))))"
                        num = "-\(scale)(\(o(t)) \\cdot \\ln \(o(ov)) + (1 - \(o(t))) \\ln(1 - \(o(ov))))"
                    }
                    v = -v / Double(B)
                    eq(errTerm(j, r), sym, num, n(v))
                    termSyms.append(errTerm(j, r)); termValues.append(v)
                }
            }
        }
        eq(HandoutStepWriter.Etotal, termSyms.joined(separator: " + "), termValues.map(o).joined(separator: " + "), n(loss))
        if spec.l2 > 0, let cost = d[.cost, L]?[0, 0] {
            var squares = 0.0
            for l in 1...L { for v in d[.W, l]!.values { squares += v * v } }
            text("With L2 regularisation ($\\lambda = \(lambda)$) the cost adds half of $\\lambda$ times the sum of the squared weights (biases excluded); gradients below are those of the cost $C$.")
            eq("C", "\(HandoutStepWriter.Etotal) + \\frac{\\lambda}{2} \\sum w^{2}", "\(n(loss)) + \\frac{\(lambda)}{2} \\cdot \(o(squares))", n(cost))
        }
    }

    // MARK: full: backward

    /// ∂E/∂out of output j in sample r: symbols, numbers, value (nil for the combined cross-entropy).
    func outputFactor(_ j: Int, _ r: Int) -> (String, String, Double)? {
        let y = d[.y, L]![r, j], a = d[.a, L]![r, j]
        switch spec.loss {
        case .halfSSE:
            return ("-(\(target(j, r)) - \(outS(L, j, r)))", "-(\(n(y)) - \(o(a)))", a - y)
        case .mse:
            let k = B * spec.layers[L]
            return ("\\frac{2}{\(k)}(\(outS(L, j, r)) - \(target(j, r)))", "\\frac{2}{\(k)}(\(n(a)) - \(o(y)))", 2 * (a - y) / Double(k))
        case .sum:
            return ("1", "1", 1)
        case .crossEntropy:
            return nil
        }
    }

    /// ∂out/∂net of neuron j of layer l in sample r: the parts after the `=`.
    func slopeParts(_ l: Int, _ j: Int, _ r: Int) -> [String] {
        let a = d[.a, l]![r, j], z = d[.z, l]![r, j], s = d[.slope, l]?[r, j] ?? 1
        let os = outS(l, j, r)
        switch spec.activations[l - 1] {
        case .sigmoid: return ["\(os)(1 - \(os))", "\(o(a))(1 - \(o(a)))", n(s)]
        case .tanh: return ["1 - {\(os)}^{2}", "1 - \(o(a))^{2}", n(s)]
        case .relu: return [z > 0 ? "1 \\quad (\(net(l, j, r)) = \(n(z)) > 0)" : "0 \\quad (\(net(l, j, r)) = \(n(z)) \\le 0)"]
        case .linear, .softmax: return ["1"]
        }
    }

    mutating func fullBackward() {
        out.append("### The backward pass: the output layer"); out.append("")
        let obj = objective
        let l2 = spec.l2 > 0
        if combinedOutput {
            let what = outputActivation == .softmax ? "softmax" : "sigmoid"
            text("With cross-entropy on a \(what) output, the derivative of the error through the activation simplifies to the output minus the target\(B > 1 ? ", divided by the batch size $B$" : ""); this is the output neuron's delta:")
            eq("\\delta_{o} = \(partial(HandoutStepWriter.Etotal, "\\mathrm{net}_{o}"))", ["\(B > 1 ? "\\frac{1}{B}" : "")(\\mathrm{out}_{o} - \\mathrm{target}_{o})"])
            text("For each weight $w$ into an output neuron $o$ the chain rule then has two factors:")
            eq(partial(obj, "w"), ["\(partial(HandoutStepWriter.Etotal, "\\mathrm{net}_{o}")) \\cdot \(partial("\\mathrm{net}_{o}", "w"))\(l2 ? " + \\lambda w" : "")"])
        } else {
            text("How much does a change in an output weight change the total error? For each weight $w$ into an output neuron $o$ the chain rule gives")
            eq(partial(obj, "w"), ["\(partial(HandoutStepWriter.Etotal, "\\mathrm{out}_{o}")) \\cdot \(partial("\\mathrm{out}_{o}", "\\mathrm{net}_{o}")) \\cdot \(partial("\\mathrm{net}_{o}", "w"))\(l2 ? " + \\lambda w" : "")"])
            text("The first two factors together are the neuron's delta, $\\delta_{o} = \\partial \(HandoutStepWriter.Etotal) / \\partial \\mathrm{net}_{o}$, and the weight's gradient is $\\delta_{o}$ times the output of the neuron the weight comes from (the delta rule).")
        }
        text(updateRuleSentence())
        for j in 0..<spec.layers[L] {
            out.append("#### Output $\(neuron(L, j))$"); out.append("")
            for r in 0..<B {
                let dv = d[.delta, L]![r, j]
                if let (fs, fn, fv) = outputFactor(j, r) {
                    eq(partial(HandoutStepWriter.Etotal, outS(L, j, r)), fs, fn, n(fv))
                    let sp = slopeParts(L, j, r)
                    eq(partial(outS(L, j, r), net(L, j, r)), sp)
                    let sv = d[.slope, L]![r, j]
                    eq(delta(L, j, r), "\(partial(HandoutStepWriter.Etotal, outS(L, j, r))) \\cdot \(partial(outS(L, j, r), net(L, j, r)))",
                       "\(o(fv)) \\cdot \(o(sv))", n(dv))
                } else {
                    let y = d[.y, L]![r, j], a = d[.a, L]![r, j]
                    let scale = B > 1 ? "\\frac{1}{\(B)}" : ""
                    eq(delta(L, j, r), partial(HandoutStepWriter.Etotal, net(L, j, r)), "\(scale)(\(outS(L, j, r)) - \(target(j, r)))",
                       "\(scale)(\(n(a)) - \(o(y)))", n(dv))
                }
            }
            weightDerivations(layer: L, target: j)
        }
        if L >= 2 {
            out.append("### The backward pass: the hidden layer\(L > 2 ? "s" : "")"); out.append("")
            text("A hidden neuron's output feeds every neuron $n$ of the next layer, so its error is the sum of what comes back from each of them, and the chain rule then goes one layer further:")
            let wTo = spec.update == .immediate ? "{w_{hn}}^{+}" : "w_{hn}"
            eq(partial(HandoutStepWriter.Etotal, "\\mathrm{out}_{h}"), ["\\sum_{n} \(partial(HandoutStepWriter.Etotal, "\\mathrm{net}_{n}")) \\cdot \(partial("\\mathrm{net}_{n}", "\\mathrm{out}_{h}"))", "\\sum_{n} \\delta_{n} \\cdot \(wTo)"])
            eq(partial(objective, "w"), ["\(partial(HandoutStepWriter.Etotal, "\\mathrm{out}_{h}")) \\cdot \(partial("\\mathrm{out}_{h}", "\\mathrm{net}_{h}")) \\cdot \(partial("\\mathrm{net}_{h}", "w"))\(spec.l2 > 0 ? " + \\lambda w" : "")"])
            text(updateOrderSentence(detailed: true))
            for l in stride(from: L - 1, through: 1, by: -1) {
                if L > 2 { out.append("#### \(layerTitle(l))"); out.append("") }
                for i in 0..<spec.layers[l] { hiddenNeuron(l, i) }
            }
        }
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

    /// ∂net/∂w, the chain rule, the delta rule and the update of every weight (and bias) into neuron j of layer l.
    mutating func weightDerivations(layer l: Int, target j: Int) {
        let obj = objective, l2 = spec.l2 > 0
        let W = d[.W, l]!, G = d[.gradW, l]!, Wn = d[.WNew, l]!
        let isOutput = l == L
        for i in 0..<spec.layers[l - 1] {
            let wi = w(l, i, j)
            for r in 0..<B {
                eq(partial(net(l, j, r), wi), outS(l - 1, i, r), n(source(l, i, r)))
            }
            // The chain rule, factor by factor.
            var sym: [String] = [], num: [String] = []
            for r in 0..<B {
                let src = source(l, i, r)
                if isOutput && combinedOutput {
                    sym.append("\(partial(HandoutStepWriter.Etotal, net(l, j, r))) \\cdot \(partial(net(l, j, r), wi))")
                    num.append("\(o(d[.delta, l]![r, j])) \\cdot \(o(src))")
                } else {
                    let first = isOutput ? outputFactor(j, r)!.2 : d[.err, l]![r, j]
                    sym.append("\(partial(HandoutStepWriter.Etotal, outS(l, j, r))) \\cdot \(partial(outS(l, j, r), net(l, j, r))) \\cdot \(partial(net(l, j, r), wi))")
                    num.append("\(o(first)) \\cdot \(o(d[.slope, l]![r, j])) \\cdot \(o(src))")
                }
            }
            var symS = sym.joined(separator: " + "), numS = num.joined(separator: " + ")
            if l2 { symS += " + \\lambda \\cdot \(wi)"; numS += " + \(lambda) \\cdot \(o(W[i, j]))" }
            eq(partial(obj, wi), symS, numS, n(G[i, j]))
            if !(isOutput && combinedOutput) {
                var ds = (0..<B).map { "\(delta(l, j, $0)) \\cdot \(outS(l - 1, i, $0))" }.joined(separator: " + ")
                var dn = (0..<B).map { "\(o(d[.delta, l]![$0, j])) \\cdot \(o(source(l, i, $0)))" }.joined(separator: " + ")
                if l2 { ds += " + \\lambda \\cdot \(wi)"; dn += " + \(lambda) \\cdot \(o(W[i, j]))" }
                eq(partial(obj, wi), ds, dn, n(G[i, j]))
            }
            eq(plus(wi), "\(wi) - \\eta \\cdot \(partial(obj, wi))", "\(n(W[i, j])) - \(eta) \\cdot \(o(G[i, j]))", n(Wn[i, j]))
        }
        if spec.bias {
            let bj = b(l, j)
            let gb = d[.gradB, l]![0, j]
            let ds = (0..<B).map { "\(delta(l, j, $0)) \\cdot 1" }.joined(separator: " + ")
            let dn = (0..<B).map { "\(o(d[.delta, l]![$0, j])) \\cdot 1" }.joined(separator: " + ")
            if spec.updateBiases {
                eq(partial(obj, bj), ds, dn, n(gb))
                eq(plus(bj), "\(bj) - \\eta \\cdot \(partial(obj, bj))", "\(n(d[.b, l]![0, j])) - \(eta) \\cdot \(o(gb))", n(d[.bNew, l]![0, j]))
            }
        }
    }

    mutating func hiddenNeuron(_ l: Int, _ i: Int) {
        out.append("#### Hidden $\(neuron(l, i))$"); out.append("")
        let next = l + 1
        let through = spec.update == .immediate ? d[.WNew, next]! : d[.W, next]!
        func wThrough(_ j: Int) -> String { spec.update == .immediate ? plus(w(next, i, j)) : w(next, i, j) }
        let perTerm = next == L && B == 1 && outputActivation != .softmax
        let nNext = spec.layers[next]
        for r in 0..<B {
            let err = d[.err, l]![r, i]
            let dl = d[.delta, next]!
            if perTerm {
                var values: [Double] = []
                for j in 0..<nNext {
                    let v = dl[r, j] * through[i, j]
                    values.append(v)
                    eq(partial(errTerm(j, r), outS(l, i, r)),
                       "\(partial(errTerm(j, r), net(next, j, r))) \\cdot \(partial(net(next, j, r), outS(l, i, r)))",
                       "\(delta(next, j, r)) \\cdot \(wThrough(j))", "\(o(dl[r, j])) \\cdot \(o(through[i, j]))", n(v))
                }
                eq(partial(HandoutStepWriter.Etotal, outS(l, i, r)),
                   (0..<nNext).map { partial(errTerm($0, r), outS(l, i, r)) }.joined(separator: " + "),
                   values.map(o).joined(separator: " + "), n(err))
            } else {
                eq(partial(HandoutStepWriter.Etotal, outS(l, i, r)),
                   (0..<nNext).map { "\(delta(next, $0, r)) \\cdot \(wThrough($0))" }.joined(separator: " + "),
                   (0..<nNext).map { "\(o(dl[r, $0])) \\cdot \(o(through[i, $0]))" }.joined(separator: " + "), n(err))
            }
            eq(partial(outS(l, i, r), net(l, i, r)), slopeParts(l, i, r))
            eq(delta(l, i, r), "\(partial(HandoutStepWriter.Etotal, outS(l, i, r))) \\cdot \(partial(outS(l, i, r), net(l, i, r)))",
               "\(o(err)) \\cdot \(o(d[.slope, l]![r, i]))", n(d[.delta, l]![r, i]))
        }
        weightDerivations(layer: l, target: i)
    }

    // MARK: matrix mode

    /// A bmatrix of `m`, eliding the middle rows/columns of matrices larger than 8 x 8.
    func bmatrix(_ m: Matrix) -> String {
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

    func sym(_ base: String, _ l: Int) -> String { "\(base)^{(\(l))}" }
    func a(_ l: Int) -> String { sym("a", l) }
    func W(_ l: Int) -> String { sym("W", l) }
    func bv(_ l: Int) -> String { sym("b", l) }
    func T(_ s: String) -> String { "(\(s))^{\\top}" }

    /// `lhs = symbols = [operands] = [result]`, the operand row left out when it is wider than a page.
    mutating func matrixEq(_ lhs: String, _ symbols: String?, operands: String?, _ result: Matrix) {
        var parts: [String] = []
        if let symbols { parts.append(symbols) }
        if let operands, MathWidth.estimate(operands) <= layout.maxWidth { parts.append(operands) }
        parts.append(bmatrix(result))
        eq(lhs, parts)
    }

    mutating func matrixParameters() {
        out.append("### The batch and the parameters"); out.append("")
        text("Each row of $a^{(0)} = x$ and $y$ is one sample; $W^{(l)}$ has one row per neuron of layer $l-1$ and one column per neuron of layer $l$ (so $z = aW + b$); $b^{(l)}$ is added to every row.")
        eq("a^{(0)} = x", [bmatrix(d[.x, 0]!)])
        eq("y", [bmatrix(d[.y, L]!)])
        for l in 1...L {
            eq(W(l), [bmatrix(d[.W, l]!)])
            if spec.bias { eq(bv(l), [bmatrix(d[.b, l]!)]) }
        }
    }

    func activationSymbols(_ l: Int) -> String {
        let z = sym("z", l)
        switch spec.activations[l - 1] {
        case .sigmoid: return "\\sigma(\(z)) = \\frac{1}{1 + e^{-\(z)}}"
        case .tanh: return "\\tanh(\(z))"
        case .relu: return "\\max(0, \(z))"
        case .linear: return z
        case .softmax: return "\\mathrm{softmax}(\(z))"
        }
    }

    mutating func matrixForward() {
        out.append("### The forward pass"); out.append("")
        for l in 1...L {
            out.append("#### \(layerTitle(l))"); out.append("")
            let prev = l == 1 ? d[.x, 0]! : d[.a, l - 1]!
            let ops = "\(bmatrix(prev)) \(bmatrix(d[.W, l]!))" + (spec.bias ? " + \(bmatrix(d[.b, l]!))" : "")
            matrixEq(sym("z", l), "\(a(l - 1)) \(W(l))" + (spec.bias ? " + \(bv(l))" : ""), operands: ops, d[.z, l]!)
            if spec.activations[l - 1] == .softmax {
                text("Softmax works on each row (sample): $\\mathrm{softmax}(z)_{j} = \\frac{e^{z_{j}}}{\\sum_{k} e^{z_{k}}}$.")
            }
            matrixEq(a(l), activationSymbols(l), operands: nil, d[.a, l]!)
        }
    }

    mutating func matrixError() {
        out.append("### The error"); out.append("")
        let o = a(L)
        matrixEq("E", "y - \(o)", operands: nil, d[.E, L]!)
        let loss = n(d[.loss, L]![0, 0])
        switch spec.loss {
        case .halfSSE: eq(HandoutStepWriter.Etotal, "\\frac{1}{2} \\sum (y - \(o))^{2}", loss)
        case .mse: eq(HandoutStepWriter.Etotal, "\\frac{1}{\(B * spec.layers[L])} \\sum (y - \(o))^{2}", loss)
        case .sum: eq(HandoutStepWriter.Etotal, "\\sum \(o)", loss)
        case .crossEntropy:
            if outputActivation == .softmax {
                eq(HandoutStepWriter.Etotal, "-\\frac{1}{\(B)} \\sum y \\ln \(o)", loss)
            } else {
                eq(HandoutStepWriter.Etotal, "-\\frac{1}{\(B)} \\sum (y \\ln \(o) + (1 - y) \\ln(1 - \(o)))", loss)
            }
        }
        if spec.l2 > 0, let cost = d[.cost, L]?[0, 0] {
            text("With L2 regularisation ($\\lambda = \(lambda)$) the cost adds half of $\\lambda$ times the sum of the squared weights (biases excluded); the gradients below are those of the cost $C$.")
            eq("C", "\(HandoutStepWriter.Etotal) + \\frac{\\lambda}{2} \\sum_{l} \\sum (W^{(l)})^{2}", n(cost))
        }
    }

    func slopeSymbols(_ l: Int) -> String? {
        switch spec.activations[l - 1] {
        case .sigmoid: return "\(a(l)) \\odot (1 - \(a(l)))"
        case .tanh: return "1 - \(a(l)) \\odot \(a(l))"
        case .relu: return "[\(sym("z", l)) > 0]"
        case .linear: return "1"
        case .softmax: return nil
        }
    }

    mutating func matrixBackward() {
        out.append("### The backward pass"); out.append("")
        let obj = objective
        text("Here $\\odot$ multiplies element by element and $^{\\top}$ transposes. " + updateRuleSentence())
        if L >= 2 { text(updateOrderSentence(detailed: false)) }
        for l in stride(from: L, through: 1, by: -1) {
            out.append("#### \(layerTitle(l))"); out.append("")
            let fp = "f'(\(sym("z", l)))"
            if let s = slopeSymbols(l), let m = d[.slope, l] { matrixEq(fp, s, operands: nil, m) }
            if l == L {
                let dsym: String
                switch spec.loss {
                case .halfSSE: dsym = "(\(a(L)) - y) \\odot \(fp)"
                case .mse: dsym = "\\frac{2}{\(B * spec.layers[L])}(\(a(L)) - y) \\odot \(fp)"
                case .crossEntropy: dsym = "\\frac{1}{\(B)}(\(a(L)) - y)"
                case .sum: dsym = fp
                }
                matrixEq("\\delta^{(\(L))} = \(partial(HandoutStepWriter.Etotal, sym("z", L)))", dsym, operands: nil, d[.delta, L]!)
            } else {
                let through = spec.update == .immediate ? T(plus(W(l + 1))) : T(W(l + 1))
                matrixEq(partial(HandoutStepWriter.Etotal, a(l)), "\\delta^{(\(l + 1))} \(through)", operands: nil, d[.err, l]!)
                matrixEq("\\delta^{(\(l))}", "\(partial(HandoutStepWriter.Etotal, a(l))) \\odot \(fp)", operands: nil, d[.delta, l]!)
            }
            matrixEq(partial(obj, W(l)), "\(T(a(l - 1))) \\delta^{(\(l))}" + (spec.l2 > 0 ? " + \\lambda \(W(l))" : ""), operands: nil, d[.gradW, l]!)
            matrixEq(plus(W(l)), "\(W(l)) - \\eta \\cdot \(partial(obj, W(l)))", operands: nil, d[.WNew, l]!)
            if spec.bias {
                matrixEq(partial(obj, bv(l)), "\\sum_{r} \\delta^{(\(l))}_{r}", operands: nil, d[.gradB, l]!)
                if spec.updateBiases {
                    matrixEq(plus(bv(l)), "\(bv(l)) - \\eta \\cdot \(partial(obj, bv(l)))", operands: nil, d[.bNew, l]!)
                }
            }
        }
    }

    // MARK: summary, tables, loss

    mutating func summaryLoss() {
        let loss = d[.loss, L]![0, 0]
        var s = "The loss of the step's batch at the start of the step is $\(HandoutStepWriter.Etotal) = \(n(loss))$"
        if let cost = d[.cost, L]?[0, 0] { s += "; with the L2 term the cost is $C = \(n(cost))$" }
        text(s + ".")
    }

    mutating func parameterTable() {
        out.append("### The new weights and biases"); out.append("")
        if spec.bias {
            text(biasSentence())
        }
        let gradName = spec.l2 > 0 ? "$\\partial C / \\partial w$" : "$\\partial \(HandoutStepWriter.Etotal) / \\partial w$"
        out.append("| parameter | connection | before | gradient \(gradName) | after |")
        out.append("|---|---|---:|---:|---:|")
        var elided = false
        for l in 1...L {
            let Wm = d[.W, l]!, G = d[.gradW, l]!, Wn = d[.WNew, l]!
            // Layers of more than 64 weights list their first 30 and last 10 (the CSV trace has all).
            let count = spec.layers[l - 1] * spec.layers[l]
            for k in 0..<count {
                if count > 64 && k >= 30 && k < count - 10 {
                    if k == 30 { out.append("| … | | | | |"); elided = true }
                    continue
                }
                let j = k / spec.layers[l - 1], i = k % spec.layers[l - 1]
                out.append("| $\(w(l, i, j))$ | $\(neuron(l - 1, i)) \\to \(neuron(l, j))$ | \(fmt.plain(Wm[i, j])) | \(fmt.plain(G[i, j])) | \(fmt.plain(Wn[i, j])) |")
            }
        }
        if spec.bias {
            for l in 1...L {
                let bm = d[.b, l]!, G = d[.gradB, l]!, bn = d[.bNew, l]!
                if names.sharedBias[l - 1] && !spec.updateBiases && spec.layers[l] > 1 {
                    let targets = (0..<spec.layers[l]).map { neuron(l, $0) }.joined(separator: ", ")
                    out.append("| $\(b(l, 0))$ | $1 \\to \(targets)$ | \(fmt.plain(bm[0, 0])) | not trained | \(fmt.plain(bn[0, 0])) |")
                } else {
                    for j in 0..<spec.layers[l] {
                        if spec.layers[l] > 64 && j >= 30 && j < spec.layers[l] - 10 {
                            if j == 30 { out.append("| … | | | | |"); elided = true }
                            continue
                        }
                        let g = spec.updateBiases ? fmt.plain(G[0, j]) : "not trained"
                        out.append("| $\(b(l, j))$ | $1 \\to \(neuron(l, j))$ | \(fmt.plain(bm[0, j])) | \(g) | \(fmt.plain(bn[0, j])) |")
                    }
                }
            }
        }
        out.append("")
        if elided { text("Layers with more than 64 weights or biases show their first 30 and last 10 here; every value is in the CSV trace (`--format csv`).") }
    }

    func biasSentence() -> String {
        spec.updateBiases
            ? "The biases are trained: each moves against its gradient, $b^{+} = b - \\eta \\cdot \\partial \(objective) / \\partial b$, the sum of its neuron's deltas over the batch."
            : "The biases are not trained in this run (`update_biases` is false), as in the post: they keep their values."
    }

    mutating func lossBeforeAfter() {
        out.append("### The loss before and after"); out.append("")
        let x = d[.x, 0]!, y = d[.y, L]!
        let after = Forward.loss(spec: spec, parameters: d.parameters(after: true, depth: L, bias: spec.bias), x: x, y: y)
        let before = d[.loss, L]![0, 0]
        let batch = B == 1 ? "this step's sample" : "this step's batch"
        var s = "On \(batch) the total error was $\(HandoutStepWriter.Etotal) = \(n(before))$ before the update and is $\(HandoutStepWriter.Etotal)^{+} = \(n(after.loss))$ with the new weights"
        if let c = d[.cost, L]?[0, 0], let ca = after.cost { s += " (cost $C = \(n(c))$ before, $C^{+} = \(n(ca))$ after)" }
        s += ", a change of $\(n(after.loss - before))$."
        text(s)
    }
}
