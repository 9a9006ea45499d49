/// One quantity of one layer: the address of a trace block within a step.
public struct QuantityRef: Hashable, Sendable, CustomStringConvertible {
    public let quantity: Quantity
    public let layer: Int
    public init(_ quantity: Quantity, _ layer: Int) { self.quantity = quantity; self.layer = layer }
    public var description: String { "\(quantity.rawValue)(\(layer))" }
}

/// How each quantity is computed: its stage, shape, name in the Excel tutorial and formula as a
/// cell template, declared once per quantity in `descriptor(of:)` (Formula/QuantityDescriptors.swift),
/// and the quantities it is computed from (read off the formula). The workbook prints its cell formulas from the templates;
/// the engine (`Trainer`) computes the same formulas by hand, and CatalogueEngineTests makes
/// the two agree.
public struct Catalogue: Sendable {
    public let spec: NetworkSpec
    public init(spec: NetworkSpec) { self.spec = spec }

    var L: Int { spec.depth }

    /// The quantities one step traces, in trace order (the order of `StepResult.blocks()`):
    /// stage by stage, and within a stage layer by layer (hidden stages 3–4 interleave per layer;
    /// 9–10 run from layer L-1 down), keeping those the descriptors say this spec has.
    public var stepQuantities: [QuantityRef] {
        var out: [QuantityRef] = [QuantityRef(.x, 0), QuantityRef(.y, L)]
        for l in 1...L { out += [QuantityRef(.W, l), QuantityRef(.b, l)] }
        for l in 1...L { out += [QuantityRef(.z, l), QuantityRef(.a, l)] }
        out += [QuantityRef(.E, L), QuantityRef(.loss, L), QuantityRef(.cost, L)]
        for l in 1...L { out.append(QuantityRef(.slope, l)) }
        out.append(QuantityRef(.delta, L))
        for l in stride(from: L - 1, through: 1, by: -1) { out += [QuantityRef(.err, l), QuantityRef(.delta, l)] }
        let stateW = spec.optimizer.stateQuantities(weights: true), stateB = spec.optimizer.stateQuantities(weights: false)
        for l in 1...L { out += [QuantityRef(.gradW, l)] + stateW.map { QuantityRef($0, l) } + [QuantityRef(.WNew, l)] }
        for l in 1...L { out += [QuantityRef(.gradB, l)] + stateB.map { QuantityRef($0, l) } + [QuantityRef(.bNew, l)] }
        return out.filter(exists)
    }

    /// `stepQuantities` with their stages: what a step's trace carries, in order.
    public var stepPlan: [StepPlanEntry] { stepQuantities.map { StepPlanEntry(ref: $0, stage: stage(of: $0)) } }

    /// Whether `present` holds every quantity of a step of this spec (`stepQuantities`): a
    /// step's completeness comes from the descriptors, not from counting blocks.
    public func isComplete(_ present: [QuantityRef: Matrix]) -> Bool {
        stepQuantities.allSatisfy { present[$0] != nil }
    }

    /// The number of rows and columns of `ref`'s block in a step of `batchSize` samples: batch
    /// quantities one row per sample, weights n(l-1) x n(l), biases one row, losses one number.
    public func shape(of ref: QuantityRef, batchSize B: Int) -> (rows: Int, cols: Int) {
        let dsc = descriptor(of: ref)
        func n(_ e: Extent) -> Int {
            switch e {
            case .batch: return B
            case .neurons(let l): return spec.layers[l]
            case .one: return 1
            }
        }
        return (n(dsc.rows), n(dsc.cols))
    }

    /// The stage that computes `ref`.
    public func stage(of ref: QuantityRef) -> Stage { descriptor(of: ref).stage }

    /// The template of one cell (row, col) of `ref` (see `QuantityDescriptor.formula`).
    public func expression(of ref: QuantityRef) -> Expr? { descriptor(of: ref).formula }

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
    public func tutorialName(of ref: QuantityRef) -> String { descriptor(of: ref).tutorialName }
}

/// One quantity of a step's trace and the stage that computes it.
public struct StepPlanEntry: Hashable, Sendable {
    public let ref: QuantityRef
    public let stage: Stage
}

extension QuantityRef {
    /// a(0) is the input x: operands name the block that is traced.
    var inputAware: QuantityRef { quantity == .a && layer == 0 ? QuantityRef(.x, 0) : self }
}
