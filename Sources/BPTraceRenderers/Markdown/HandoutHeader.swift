import BPTrace
import Foundation

/// The top of the handout: the title block, the network's settings (with the optimizer's and
/// the paragraph on its symbols when it is not SGD) and the training data.
extension MarkdownHandoutWriter {
    func header(_ run: TraceRun) -> String {
        let s = run.spec
        let name = HandoutEscape.markdown(s.name)
        let L = s.depth
        var out: [String] = []
        // A YAML title block (pandoc -s wants a title): the title is Markdown inside a YAML string.
        out.append("---")
        out.append("title: " + HandoutEscape.yamlString("Backpropagation step by step: " + name))
        out.append("---")
        out.append("")
        let derivedList = derived.sorted()
        let derivedText: String
        if derivedList.isEmpty { derivedText = "no step is derived" } else {
            let shown = derivedList.prefix(20).map(String.init).joined(separator: ", ") + (derivedList.count > 20 ? ", …" : "")
            derivedText = "step\(derivedList.count > 1 ? "s" : "") \(shown) \(derivedList.count > 1 ? "are" : "is") derived below"
        }
        out.append("A worked example of training the network **\(name)** by gradient descent, written by bptrace in the manner of Matt Mazur's \"A Step by Step Backpropagation Example\": each number is first written as a formula, then with the numbers put in, then as the result. \(run.steps) training step\(run.steps > 1 ? "s are" : " is") traced; \(derivedText)\(detail == .summary ? " as tables" : ""), and every step's loss is in the table at the end.")
        out.append("")
        let top = firstDerivedStep.map { "before → after step \($0)" } ?? "at the start"
        let edges = NetworkDiagram.labelsEdges(s) ? "each edge labelled with its weight \(top)" : "edges coloured by the sign of the weight (blue positive, red negative), thicker for larger weights"
        out.append("![The network \(name): neurons named as in the text, \(edges).](\(figuresName)/network.svg)")
        out.append("")
        out.append("## The network")
        out.append("")
        let layerText = (0...L).map { l -> String in
            let n = s.layers[l]
            if l == 0 { return "\(n) input\(n > 1 ? "s" : "")" }
            let f = s.activations[l - 1].rawValue
            return l == L ? "\(n) output\(n > 1 ? "s" : "") (\(f))" : "\(n) hidden (\(f))"
        }.joined(separator: ", ")
        out.append("- Layers: \(layerText). Inputs are named $i_{1}, i_{2}, \\dots$, " + (L == 2 ? "hidden neurons $h_{1}, h_{2}, \\dots$, " : (L > 2 ? "hidden neurons $h^{(l)}_{j}$ (neuron $j$ of layer $l$), " : "")) + "outputs $o_{1}, o_{2}, \\dots$; weights $w_{1}, w_{2}, \\dots$ are numbered layer by layer, for each receiving neuron in turn its inputs in order.")
        out.append("- Loss: \(lossText(s)).")
        out.append("- Learning rate: $\\eta = \(fmt.tex(s.learningRate))$." + (s.l2 > 0 ? " L2 regularisation: $\\lambda = \(fmt.tex(s.l2))$ (the cost adds $\\frac{\\lambda}{2} \\sum w^{2}$, biases excluded)." : ""))
        out.append("- Batch: \(batchText(s)).")
        if L >= 2 {
            out.append("- Update order: " + (s.update == .simultaneous
                ? "simultaneous: every gradient uses the weights as they were at the start of the step."
                : "immediate: the error sent back to a hidden layer uses the output-side weights already updated in this step."))
        }
        if let line = HandoutOptimizer.settingsLine(s, fmt) { out.append(line) }
        if !s.bias { out.append("- Biases: none (the network has no bias terms).") } else {
            out.append("- Biases: " + (s.updateBiases ? "trained like the weights." : "fixed (not trained), as in the post."))
        }
        out.append("- Numbers are rounded to \(fmt.decimals) decimals (trailing zeros dropped); bptrace computes in full double precision, so a result may differ in the last printed digit from a calculation done with the rounded numbers.")
        if s.data.count <= 20 && s.layers[0] + s.layers[L] <= 12 {
            out.append("")
            out.append("The training data (\(s.data.count) sample\(s.data.count > 1 ? "s" : "")):")
            out.append("")
            let inNames = (0..<s.layers[0]).map { j -> String in
                let n = names.neuron(layer: 0, j).latex
                return j < s.data.inputNames.count ? "$\(n)$ (\(HandoutEscape.cell(s.data.inputNames[j])))" : "$\(n)$"
            }
            let tNames = (0..<s.layers[L]).map { j -> String in
                let n = "\\mathrm{target}_{\(names.neuron(layer: L, j).latex)}"
                return j < s.data.targetNames.count ? "$\(n)$ (\(HandoutEscape.cell(s.data.targetNames[j])))" : "$\(n)$"
            }
            let head = ["sample"] + inNames + tNames
            out.append("| " + head.joined(separator: " | ") + " |")
            out.append("|" + String(repeating: "---:|", count: head.count))
            for r in 0..<s.data.count {
                out.append("| \(r + 1) | " + (s.data.inputs.row(r) + s.data.targets.row(r)).map(fmt.plain).joined(separator: " | ") + " |")
            }
        } else {
            out.append("- Data: \(s.data.count) sample\(s.data.count > 1 ? "s" : "") of \(s.layers[0]) inputs and \(s.layers[L]) targets" + (s.data.csvPath.map { " from \(HandoutEscape.markdown($0))" } ?? "") + ".")
        }
        out.append("")
        if let words = HandoutOptimizer.explanation(s) { out += [words, ""] }
        return out.joined(separator: "\n") + "\n"
    }

    /// The loss in words and the catalogue's formula of it.
    private func lossText(_ s: NetworkSpec) -> String {
        let formula = Catalogue(spec: s).expression(of: QuantityRef(.loss, s.depth))
            .map { ", $E_{\\mathrm{total}} = " + LaTeXPrinter(branch: { _, _ in false }).latex($0) + "$" } ?? ""
        let scope = " over the batch's samples $r$ and outputs $c$, $y$ being the targets and $a^{(\(s.depth))}$ the outputs"
        let words = Catalogue(spec: s)
        return words.lossTitle + formula + scope + words.lossSymbols
    }

    private func batchText(_ s: NetworkSpec) -> String {
        switch s.batch {
        case .full: return s.data.count == 1 ? "full: every step uses the one sample" : "full: every step uses all \(s.data.count) samples"
        case .sample: return "one sample per step, in order"
        case .size(let k): return "\(k) sample\(k > 1 ? "s" : "") per step, cycling through the data in order"
        }
    }
}
