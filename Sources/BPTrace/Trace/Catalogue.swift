/// One quantity of one layer: the address of a trace block within a step.
public struct QuantityRef: Hashable, Sendable, CustomStringConvertible {
    public let quantity: Quantity
    public let layer: Int
    public init(_ quantity: Quantity, _ layer: Int) { self.quantity = quantity; self.layer = layer }
    public var description: String { "\(quantity.rawValue)(\(layer))" }
}

/// How each quantity is computed: its stage, its formula as a cell template (`expression(of:)`,
/// in CatalogueExpressions.swift), the quantities it is computed from (read off the formula),
/// and its name in the Excel tutorial. The workbook prints its cell formulas from the templates;
/// the engine (`Trainer`) computes the same formulas by hand, and CatalogueEngineTests makes
/// the two agree.
public struct Catalogue: Sendable {
    public let spec: NetworkSpec
    public init(spec: NetworkSpec) { self.spec = spec }

    var L: Int { spec.depth }

    /// The quantities one step traces, in trace order (the order of `StepResult.blocks()`).
    public var stepQuantities: [QuantityRef] {
        var out: [QuantityRef] = [QuantityRef(.x, 0), QuantityRef(.y, L)]
        for l in 1...L { out.append(QuantityRef(.W, l)); if spec.bias { out.append(QuantityRef(.b, l)) } }
        for l in 1...L { out += [QuantityRef(.z, l), QuantityRef(.a, l)] }
        out += [QuantityRef(.E, L), QuantityRef(.loss, L)]
        if spec.l2 > 0 { out.append(QuantityRef(.cost, L)) }
        for l in 1...L where spec.activations[l - 1] != .softmax { out.append(QuantityRef(.slope, l)) }
        out.append(QuantityRef(.delta, L))
        for l in stride(from: L - 1, through: 1, by: -1) { out += [QuantityRef(.err, l), QuantityRef(.delta, l)] }
        for l in 1...L { out += [QuantityRef(.gradW, l), QuantityRef(.WNew, l)] }
        if spec.bias { for l in 1...L { out += [QuantityRef(.gradB, l), QuantityRef(.bNew, l)] } }
        return out
    }

    /// The number of rows and columns of `ref`'s block in a step of `batchSize` samples: batch
    /// quantities one row per sample, weights n(l-1) x n(l), biases one row, losses one number.
    public func shape(of ref: QuantityRef, batchSize B: Int) -> (rows: Int, cols: Int) {
        let l = ref.layer
        switch ref.quantity {
        case .x: return (B, spec.layers[0])
        case .y, .E: return (B, spec.layers[L])
        case .W, .gradW, .WNew: return (spec.layers[l - 1], spec.layers[l])
        case .b, .gradB, .bNew: return (1, spec.layers[l])
        case .loss, .cost: return (1, 1)
        case .z, .a, .slope, .delta, .err: return (B, spec.layers[l])
        }
    }

    /// The stage that computes `ref`.
    public func stage(of ref: QuantityRef) -> Stage {
        switch ref.quantity {
        case .x, .y: return .readInputs
        case .W, .b: return .weightsAndBiases
        case .z: return ref.layer == L ? .output : .hiddenInput
        case .a: return ref.layer == L ? .output : .hiddenActivation
        case .E, .loss, .cost: return .error
        case .slope: return .slopes
        case .delta: return ref.layer == L ? .outputDelta : .hiddenDelta
        case .err: return .hiddenError
        case .gradW, .WNew: return .updateWeights
        case .gradB, .bNew: return .updateBiases
        }
    }

    /// The quantities `ref` is computed from, within the same step (empty for inputs x, y, W, b):
    /// the blocks its formula (`expression(of:)`) reads, in order of first appearance.
    public func operands(of ref: QuantityRef) -> [QuantityRef] {
        expression(of: ref)?.quantities ?? []
    }

    /// The formula in the contract's symbols, as plain text (`z(1) = x·W(1) + b(1)`): the
    /// catalogue's formula printed by `TextPrinter` (matrix style); a sentence for the inputs.
    public func formula(of ref: QuantityRef) -> String {
        let l = ref.layer
        let name = TextPrinter.contractName(ref)
        guard let e = expression(of: ref) else {
            switch ref.quantity {
            case .x: return "x = the step's input batch"
            case .y: return "y = the step's targets"
            case .W: return "W(\(l)) = weights at the start of the step"
            case .b: return "b(\(l)) = biases at the start of the step"
            default: return "\(name): none for this network"
            }
        }
        let text = "\(name) = " + TextPrinter().text(e)
        return ref.quantity == .bNew && !spec.updateBiases ? text + " (biases are not trained)" : text
    }

    /// The formula of `ref` as its named steps, one after the other, each over the ones before
    /// (`max = max_row z(3); e = exp(z(3) - max); Σe = Σ_row e; a(3) = e / Σe`); nil when the
    /// formula has no named steps.
    public func stepwiseFormula(of ref: QuantityRef) -> String? {
        guard let e = expression(of: ref) else { return nil }
        // Innermost first: a step is read before the steps that use it.
        var steps: [(name: String, indices: [Index], body: Expr)] = []
        func walk(_ x: Expr) {
            x.children.forEach(walk)
            if case .named(let n, let i, let body) = x, !steps.contains(where: { $0.name == n }) { steps.append((n, i, body)) }
        }
        walk(e)
        guard !steps.isEmpty else { return nil }
        let printer = TextPrinter(stepsByName: true)
        let parts = steps.map { "\($0.name) = " + printer.text($0.body, at: $0.indices) }
        return (parts + ["\(TextPrinter.contractName(ref)) = " + printer.text(e)]).joined(separator: "; ")
    }

    /// The variable's name in the Excel tutorial's code (`hidden_layer_input`, `d_output`, ...);
    /// layers beyond the tutorial's single hidden layer get the layer number appended.
    public func tutorialName(of ref: QuantityRef) -> String {
        let l = ref.layer
        let hidden = l < L
        let suffix = L > 2 && hidden ? "_\(l)" : ""
        switch ref.quantity {
        case .x: return "X"
        case .y: return "y"
        case .W: return hidden ? "wh\(suffix)" : "wout"
        case .b: return hidden ? "bh\(suffix)" : "bout"
        case .z: return hidden ? "hidden_layer_input\(suffix)" : "output_layer_input"
        case .a: return hidden ? "hiddenlayer_activations\(suffix)" : "output"
        case .E: return "E"
        case .loss: return "loss"
        case .cost: return "cost"
        case .slope: return hidden ? "slope_hidden_layer\(suffix)" : "slope_output_layer"
        case .delta: return hidden ? "d_hiddenlayer\(suffix)" : "d_output"
        case .err: return "Error_at_hidden_layer\(suffix)"
        case .gradW: return hidden ? "grad_wh\(suffix)" : "grad_wout"
        case .gradB: return hidden ? "grad_bh\(suffix)" : "grad_bout"
        case .WNew: return hidden ? "wh\(suffix) (updated)" : "wout (updated)"
        case .bNew: return hidden ? "bh\(suffix) (updated)" : "bout (updated)"
        }
    }
}

extension QuantityRef {
    /// a(0) is the input x: operands name the block that is traced.
    var inputAware: QuantityRef { quantity == .a && layer == 0 ? QuantityRef(.x, 0) : self }
}
