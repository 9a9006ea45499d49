import BPTrace

/// The first step's update of the output layer's first weight under each run's setting, each
/// line printed from the catalogue (`StepDerivation`: formula → numbers → result).
enum CompareWeightUpdate {
    static func section(_ results: [CompareRunResult], plan: ComparePlan, firstStep: [RunID: [Int: StepResult]],
                        names: [RunID: NetworkNames], fmt: HandoutNumberFormat) -> String {
        let layout = EquationLayout()
        var s = "\n## Step 1: one weight, every setting\n\n"
        s += "The output layer's first weight (from its first source to its first neuron) at step 1. "
        s += "Runs that share the network, data and starting weights share its gradient; the update differs with the setting.\n\n"
        var gradients: [String] = []
        var rows: [String] = []
        var body = ""
        for r in results {
            var s = ""
            defer { body += s }
            s += "### Run \(r.run.index): \(r.run.label)\n\n"
            guard let step = firstStep[r.run.id]?[1], step.isComplete, let n = names[r.run.id] else {
                s += "This run stopped before step 1 was complete.\n\n"; continue
            }
            let spec = r.run.spec, L = spec.depth
            let symbols = PostSymbols(names: n, depth: L, batchSize: step[.x, 0]?.rows ?? 1, ofCost: spec.l2 > 0)
            let d = StepDerivation(spec: spec, symbols: symbols, blocks: step.values, operand: { fmt.operand($0) }, number: { fmt.tex($0) },
                                   namedSteps: false, step: 1)
            var lines: [DerivationLine] = []
            let g = d.gradient(L, 0, 0), u = d.update(L, 0, 0)
            if let g { lines.append(g); gradients.append(fmt.plain(g.value ?? .nan)) }
            lines += d.weightState(L, 0, 0)
            if let u { lines.append(u) }
            if let g, let u {
                rows.append("| \(r.run.index) | \(r.run.label) | \(fmt.plain(d.value(.W, L, 0, 0))) | \(fmt.plain(g.value ?? .nan)) | \(fmt.plain(u.value ?? .nan)) |")
            }
            for line in lines { s += layout.display(line.lhs, line.parts(fmt.tex)) + "\n\n" }
        }
        if !rows.isEmpty {
            s += "| run | setting | weight | gradient | new weight |\n|---:|---|---:|---:|---:|\n" + rows.joined(separator: "\n") + "\n\n"
            s += "Each run's lines: formula, the numbers put in, the result.\n\n"
        }
        s += body
        if gradients.count > 1 {
            s += Set(gradients).count == 1 ? "Every run's gradient of this weight is the same, \(gradients[0]): only the update differs.\n"
                                           : "The gradients differ between runs (a setting such as the batch, l2 or the seed changes what step 1 computes).\n"
        }
        return s
    }
}
