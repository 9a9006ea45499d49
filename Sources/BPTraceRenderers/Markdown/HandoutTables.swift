import BPTrace

/// The parts of a step every detail level has: the loss, the table of old and new parameters,
/// and the loss before and after the update.
extension HandoutStepWriter {
    mutating func summaryLoss() {
        var s = "The loss of the step's batch at the start of the step is $\(HandoutStepWriter.Etotal) = \(n(d.value(.loss, L, 0, 0)))$"
        if let cost = d[.cost, L]?[0, 0] { s += "; with the L2 term the cost is $C = \(n(cost))$" }
        text(s + ".")
    }

    mutating func parameterTable() {
        heading("### The new weights and biases")
        if spec.bias { text(biasSentence()) }
        let gradName = spec.l2 > 0 ? "$\\partial C / \\partial w$" : "$\\partial \(HandoutStepWriter.Etotal) / \\partial w$"
        out.append("| parameter | connection | before | gradient \(gradName) | after |")
        out.append("|---|---|---:|---:|---:|")
        var elided = false
        for l in 1...L {
            // Layers of more than 64 weights list their first 30 and last 10 (the CSV trace has all).
            let count = spec.layers[l - 1] * spec.layers[l]
            for k in 0..<count {
                if count > 64 && k >= 30 && k < count - 10 {
                    if k == 30 { out.append("| … | | | | |"); elided = true }
                    continue
                }
                let j = k / spec.layers[l - 1], i = k % spec.layers[l - 1]
                let row = [d.value(.W, l, i, j), d.value(.gradW, l, i, j), d.value(.WNew, l, i, j)].map(fmt.plain)
                out.append("| $\(symbols.w(l, i, j))$ | $\(neuron(l - 1, i)) \\to \(neuron(l, j))$ | " + row.joined(separator: " | ") + " |")
            }
        }
        if spec.bias {
            for l in 1...L {
                if names.sharedBias[l - 1] && !spec.updateBiases && spec.layers[l] > 1 {
                    let targets = (0..<spec.layers[l]).map { neuron(l, $0) }.joined(separator: ", ")
                    out.append("| $\(symbols.b(l, 0))$ | $1 \\to \(targets)$ | \(fmt.plain(d.value(.b, l, 0, 0))) | not trained | \(fmt.plain(d.value(.bNew, l, 0, 0))) |")
                    continue
                }
                for j in 0..<spec.layers[l] {
                    if spec.layers[l] > 64 && j >= 30 && j < spec.layers[l] - 10 {
                        if j == 30 { out.append("| … | | | | |"); elided = true }
                        continue
                    }
                    let g = spec.updateBiases ? fmt.plain(d.value(.gradB, l, 0, j)) : "not trained"
                    out.append("| $\(symbols.b(l, j))$ | $1 \\to \(neuron(l, j))$ | \(fmt.plain(d.value(.b, l, 0, j))) | \(g) | \(fmt.plain(d.value(.bNew, l, 0, j))) |")
                }
            }
        }
        out.append("")
        if elided { text("Layers with more than 64 weights or biases show their first 30 and last 10 here; every value is in the CSV trace (`--format csv`).") }
    }

    func biasSentence() -> String {
        spec.updateBiases && !spec.optimizer.isSGD
            ? "The biases are trained: each moves by the optimizer's rule, like the weights, from its gradient, the sum of its neuron's deltas over the batch."
            : spec.updateBiases
            ? "The biases are trained: each moves against its gradient, $b^{+} = b - \\eta \\cdot \\partial \(objective) / \\partial b$, the sum of its neuron's deltas over the batch."
            : "The biases are not trained in this run (`update_biases` is false), as in the post: they keep their values."
    }

    mutating func lossBeforeAfter() {
        heading("### The loss before and after")
        guard let after = CatalogueForward.afterUpdate(spec: spec, blocks: d.blocks) else { return }
        let before = d.value(.loss, L, 0, 0)
        let batch = B == 1 ? "this step's sample" : "this step's batch"
        var s = "On \(batch) the total error was $\(HandoutStepWriter.Etotal) = \(n(before))$ before the update and is $\(HandoutStepWriter.Etotal)^{+} = \(n(after.loss))$ with the new weights"
        if let c = d[.cost, L]?[0, 0], let ca = after.cost { s += " (cost $C = \(n(c))$ before, $C^{+} = \(n(ca))$ after)" }
        s += ", a change of $\(n(CatalogueForward.change(from: before, to: after.loss)))$."
        text(s)
    }
}
