/// The table of every formula the catalogue can choose, in the words of docs/FORMULAS.md:
/// generated from `Catalogue.expression(of:)`, so the documentation cannot drift from the
/// formulas the workbook prints and the tests check (FormulaPrinterTests compares the file).
public enum FormulaReference {
    /// One row: a quantity, the settings that choose its formula, and the formula.
    struct Row { let quantity: String; let when: String; let ref: QuantityRef; let spec: NetworkSpec }

    /// The example network the rows are read from: L = 3 layers, so hidden layer l = 2 has
    /// both a previous and a next layer.
    static func spec(hidden: Activation = .sigmoid, output: Activation = .sigmoid, loss: Loss = .halfSSE,
                     bias: Bool = true, updateBiases: Bool = true, update: UpdateOrder = .simultaneous, l2: Double = 0,
                     optimizer: OptimizerSpec = .sgd) -> NetworkSpec {
        let data = Dataset(inputs: Matrix(rows: 1, cols: 2, repeating: 0), targets: Matrix(rows: 1, cols: 2, repeating: 0))
        return NetworkSpec(layers: [2, 3, 3, 2], activations: [hidden, hidden, output], loss: loss, learningRate: 0.5,
                           bias: bias, updateBiases: updateBiases, update: update, l2: l2, data: data, optimizer: optimizer)
    }

    static var rows: [Row] {
        let hidden = 2, L = 3
        var out: [Row] = []
        func add(_ q: Quantity, _ layer: Int, _ when: String, _ spec: NetworkSpec) { out.append(Row(quantity: q.rawValue, when: when, ref: QuantityRef(q, layer), spec: spec)) }
        add(.z, hidden, "bias: true", spec())
        add(.z, hidden, "bias: false", spec(bias: false))
        for f in [Activation.sigmoid, .tanh, .relu, .linear] { add(.a, hidden, "activation \(f.rawValue)", spec(hidden: f)) }
        add(.a, L, "activation softmax (output layer only)", spec(output: .softmax, loss: .crossEntropy))
        add(.E, L, "always", spec())
        for loss in [Loss.halfSSE, .mse, .sum] { add(.loss, L, "loss \(loss.rawValue)", spec(loss: loss)) }
        add(.loss, L, "loss cross_entropy, sigmoid output", spec(loss: .crossEntropy))
        add(.loss, L, "loss cross_entropy, softmax output", spec(output: .softmax, loss: .crossEntropy))
        add(.loss, L, "loss hinge (linear output, one-hot y)", spec(output: .linear, loss: .hinge))
        add(.cost, L, "l2 > 0 (shown for L = 3)", spec(l2: 0.01))
        for f in [Activation.sigmoid, .tanh, .relu, .linear] { add(.slope, hidden, "activation \(f.rawValue) (none for softmax)", spec(hidden: f)) }
        for loss in [Loss.halfSSE, .mse, .sum] { add(.delta, L, "output layer, loss \(loss.rawValue)", spec(loss: loss)) }
        add(.delta, L, "output layer, loss cross_entropy (sigmoid or softmax)", spec(loss: .crossEntropy))
        add(.delta, L, "output layer, loss hinge", spec(output: .linear, loss: .hinge))
        add(.delta, hidden, "hidden layer", spec())
        add(.err, hidden, "update: simultaneous", spec())
        add(.err, hidden, "update: immediate", spec(update: .immediate))
        add(.gradW, hidden, "l2 = 0", spec())
        add(.gradW, hidden, "l2 > 0", spec(l2: 0.01))
        add(.WNew, hidden, "optimizer sgd", spec())
        let momentum = spec(optimizer: .momentum(mu: 0.9)), nesterov = spec(optimizer: .nesterov(mu: 0.9))
        let rmsprop = spec(optimizer: .rmsprop(rho: 0.9, eps: 1e-8)), adam = spec(optimizer: .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8))
        let adamw = spec(optimizer: .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decayBiases: false))
        let adamwBiases = spec(optimizer: .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decayBiases: true))
        add(.velW, hidden, "optimizer momentum or nesterov", momentum)
        add(.sqW, hidden, "optimizer rmsprop", rmsprop)
        for q in [Quantity.mW, .vW, .mHatW, .vHatW] { add(q, hidden, "optimizer adam or adamw", adam) }
        add(.WNew, hidden, "optimizer momentum", momentum)
        add(.WNew, hidden, "optimizer nesterov", nesterov)
        add(.WNew, hidden, "optimizer rmsprop", rmsprop)
        add(.WNew, hidden, "optimizer adam (adamw with weight_decay 0)", adam)
        add(.WNew, hidden, "optimizer adamw, weight_decay > 0", adamw)
        add(.gradB, hidden, "bias: true", spec())
        add(.velB, hidden, "optimizer momentum or nesterov, biases trained", momentum)
        add(.sqB, hidden, "optimizer rmsprop, biases trained", rmsprop)
        for q in [Quantity.mB, .vB, .mHatB, .vHatB] { add(q, hidden, "optimizer adam or adamw, biases trained", adam) }
        add(.bNew, hidden, "update_biases: true, optimizer sgd", spec())
        add(.bNew, hidden, "update_biases: true, optimizer momentum", momentum)
        add(.bNew, hidden, "update_biases: true, optimizer nesterov", nesterov)
        add(.bNew, hidden, "update_biases: true, optimizer rmsprop", rmsprop)
        add(.bNew, hidden, "update_biases: true, optimizer adam (adamw without decay_biases)", adam)
        add(.bNew, hidden, "update_biases: true, optimizer adamw with decay_biases: true", adamwBiases)
        add(.bNew, hidden, "update_biases: false (any optimizer)", spec(updateBiases: false))
        return out
    }

    /// The Markdown table: quantity, when, the block's formula, one cell's formula.
    public static func markdownTable() -> String {
        var lines = ["| quantity | when | formula (whole block) | one cell (i, j) |", "|---|---|---|---|"]
        for row in rows {
            let t = row.ref.layer
            let output = t == row.spec.depth
            // Layers relative to the row's layer: l-1, l, l+1 for a hidden layer; L-1, L for the output.
            let layer: @Sendable (Int) -> String = { k in
                let base = output ? "L" : "l"
                return k == t ? base : k < t ? "\(base)-\(t - k)" : "\(base)+\(k - t)"
            }
            guard let e = Catalogue(spec: row.spec).expression(of: row.ref) else { continue }
            let name = TextPrinter.contractName(row.ref, layer: layer)
            let block = TextPrinter(style: .matrix, layer: layer).text(e)
            let cell = TextPrinter(style: .indexed, layer: layer).text(e)
            let escape = { (s: String) in s.replacingOccurrences(of: "|", with: "\\|") }
            lines.append("| \(name) | \(row.when) | `\(escape(name)) = \(escape(block))` | `\(escape(cell))` |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
