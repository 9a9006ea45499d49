import BPTrace

/// `--detail full`: every neuron and weight, line by line, as the post derives them.
extension HandoutStepWriter {
    mutating func fullForward() {
        heading("### The forward pass")
        text("Each neuron adds up its weighted inputs (its net input), then applies its activation function to get its output.")
        for l in 1...L {
            heading("#### \(layerTitle(l))")
            let rowWise = !spec.activations[l - 1].isElementwise
            for r in 0..<B {
                var done: Set<String> = []
                for j in 0..<spec.layers[l] {
                    eq(derivation.net(l, j, r))
                    if !rowWise { eq(derivation.out(l, j, r, done: &done)) }
                }
                if rowWise { for j in 0..<spec.layers[l] { eq(derivation.out(l, j, r, done: &done)) } }
            }
        }
    }

    mutating func fullError() {
        heading("### The total error")
        let nL = spec.layers[L]
        text(Catalogue(spec: spec).lossExplanation(batchSize: B, term: derivation.generalLossTerm()))
        for r in 0..<B { for j in 0..<nL { eq(derivation.errorTerm(j, r)) } }
        eq(derivation.total())
        if let cost = derivation.cost() {
            text("With L2 regularisation ($\\lambda = \(lambda)$) the cost adds half of $\\lambda$ times the sum of the squared weights (biases excluded); gradients below are those of the cost $C$.")
            eq(cost)
        }
    }

    mutating func fullBackward() {
        heading("### The backward pass: the output layer")
        let obj = objective, total = HandoutStepWriter.Etotal
        let l2 = spec.l2 > 0 ? " + \\lambda w" : ""
        if derivation.combinedOutput {
            let what = outputActivation.rawValue
            text("With cross-entropy on a \(what) output, the derivative of the error through the activation simplifies to the output minus the target\(B > 1 ? ", divided by the batch size $B$" : ""); this is the output neuron's delta:")
            let general = derivation.general(QuantityRef(.delta, L)) { $0 == .y ? "\\mathrm{target}_{o}" : "\\mathrm{out}_{o}" }
            eq("\\delta_{o} = \(partial(total, "\\mathrm{net}_{o}"))", general.map { [$0] } ?? [])
            text("For each weight $w$ into an output neuron $o$ the chain rule then has two factors:")
            eq(partial(obj, "w"), ["\(partial(total, "\\mathrm{net}_{o}")) \\cdot \(partial("\\mathrm{net}_{o}", "w"))\(l2)"])
        } else {
            text("How much does a change in an output weight change the total error? For each weight $w$ into an output neuron $o$ the chain rule gives")
            eq(partial(obj, "w"), ["\(partial(total, "\\mathrm{out}_{o}")) \\cdot \(partial("\\mathrm{out}_{o}", "\\mathrm{net}_{o}")) \\cdot \(partial("\\mathrm{net}_{o}", "w"))\(l2)"])
            text("The first two factors together are the neuron's delta, $\\delta_{o} = \\partial \(total) / \\partial \\mathrm{net}_{o}$, and the weight's gradient is $\\delta_{o}$ times the output of the neuron the weight comes from (the delta rule).")
        }
        updateRule()
        for j in 0..<spec.layers[L] {
            heading("#### Output $\(neuron(L, j))$")
            for r in 0..<B {
                eq(derivation.outputFactor(j, r))
                if !derivation.combinedOutput { eq(derivation.slope(L, j, r)) }
                eq(derivation.outputDelta(j, r))
            }
            weightDerivations(layer: L, target: j)
        }
        guard L >= 2 else { return }
        heading("### The backward pass: the hidden layer\(L > 2 ? "s" : "")")
        text("A hidden neuron's output feeds every neuron $n$ of the next layer, so its error is the sum of what comes back from each of them, and the chain rule then goes one layer further:")
        let wTo = spec.update == .immediate ? "{w_{hn}}^{+}" : "w_{hn}"
        eq(partial(total, "\\mathrm{out}_{h}"), ["\\sum_{n} \(partial(total, "\\mathrm{net}_{n}")) \\cdot \(partial("\\mathrm{net}_{n}", "\\mathrm{out}_{h}"))", "\\sum_{n} \\delta_{n} \\cdot \(wTo)"])
        eq(partial(obj, "w"), ["\(partial(total, "\\mathrm{out}_{h}")) \\cdot \(partial("\\mathrm{out}_{h}", "\\mathrm{net}_{h}")) \\cdot \(partial("\\mathrm{net}_{h}", "w"))\(l2)"])
        text(updateOrderSentence(detailed: true))
        for l in stride(from: L - 1, through: 1, by: -1) {
            if L > 2 { heading("#### \(layerTitle(l))") }
            for i in 0..<spec.layers[l] { hiddenNeuron(l, i) }
        }
    }

    /// ∂net/∂w, the chain rule, the delta rule and the update of every weight (and bias) into neuron j of layer l.
    mutating func weightDerivations(layer l: Int, target j: Int) {
        for i in 0..<spec.layers[l - 1] {
            for r in 0..<B { eq(derivation.netDerivative(l, i, j, r)) }
            eq(derivation.chainRule(l, i, j))
            // The delta rule, the catalogue's formula (the chain rule's own form for cross-entropy's output layer).
            if !(l == L && derivation.combinedOutput) { eq(derivation.gradient(l, i, j)) }
            eq(derivation.weightState(l, i, j))
            eq(derivation.update(l, i, j))
        }
        if spec.bias && spec.updateBiases {
            eq(derivation.biasGradient(l, j))
            eq(derivation.biasState(l, j))
            eq(derivation.biasUpdate(l, j))
        }
    }

    mutating func hiddenNeuron(_ l: Int, _ i: Int) {
        heading("#### Hidden $\(neuron(l, i))$")
        let perTerm = l + 1 == L && B == 1 && outputActivation.isElementwise
        for r in 0..<B {
            if perTerm { for j in 0..<spec.layers[l + 1] { eq(derivation.errorFrom(l, i, j, r)) } }
            eq(derivation.hiddenError(l, i, r, perTerm: perTerm))
            eq(derivation.slope(l, i, r))
            eq(derivation.hiddenDelta(l, i, r))
        }
        weightDerivations(layer: l, target: i)
    }
}
