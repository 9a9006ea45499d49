import BPTrace

/// Whether a cell (quantity, layer, row, col) exists in one step of a network, and when it does
/// not, a sentence that says why: the messages of `StudentTraceReader` for a cell outside the
/// network.
struct TraceCellRules {
    let spec: NetworkSpec
    let catalogue: Catalogue
    /// Samples one step trains on (the rows of batch quantities).
    let batchSize: Int
    /// Each traced block's rows and columns, and whether its rows are the batch's samples:
    /// looked up once per line (the catalogue's descriptors build formula trees).
    let shapes: [QuantityRef: (rows: Int, cols: Int, perSample: Bool)]
    var L: Int { spec.depth }

    init(spec: NetworkSpec) {
        self.spec = spec
        let catalogue = Catalogue(spec: spec), batchSize = SpecLimits.batchSize(spec.batch, samples: spec.data.count)
        self.catalogue = catalogue
        self.batchSize = batchSize
        var shapes: [QuantityRef: (rows: Int, cols: Int, perSample: Bool)] = [:]
        for ref in catalogue.stepQuantities {
            let (r, c) = catalogue.shape(of: ref, batchSize: batchSize)
            shapes[ref] = (r, c, catalogue.descriptor(of: ref).perSample)
        }
        self.shapes = shapes
    }

    /// The quantity names this network traces, each once, in trace order.
    var quantityNames: [String] {
        var seen: Set<String> = [], out: [String] = []
        for ref in catalogue.stepQuantities where seen.insert(ref.quantity.rawValue).inserted { out.append(ref.quantity.rawValue) }
        return out
    }

    /// Nil when `ref` is traced in this network, else why not.
    func whyNotTraced(_ ref: QuantityRef) -> String? {
        guard shapes[ref] == nil, !catalogue.exists(ref) else { return nil }
        let q = ref.quantity, l = ref.layer, name = q.rawValue
        guard (0...L).contains(l) else {
            return "layer \(l) does not exist: this network's layers are 0 (the inputs) to \(L)"
        }
        switch q {
        case .x: return "x is the input, in layer 0"
        case .y, .E, .loss: return "\(name) belongs to the output layer, layer \(L)"
        case .cost:
            return l == L ? "cost is traced only when the spec's l2 is above 0 (here \(spec.l2)); the loss is quantity loss"
                          : "cost belongs to the output layer, layer \(L)"
        case .err:
            if L == 1 { return "err is the error sent back to a hidden layer, and this network has none" }
            return l == L ? "err is the error sent back to a hidden layer (1 to \(L - 1)); the output layer's error is E, its delta delta"
                          : "err belongs to the hidden layers 1 to \(L - 1)"
        case .a where l == 0: return "a(0) is the input: write it as quantity x, layer 0"
        case .slope where l >= 1 && spec.activations[l - 1] == .softmax:
            return "layer \(l) is softmax, whose slope is not traced (its delta comes from the loss directly)"
        case .b, .gradB, .bNew:
            if l >= 1 && !spec.bias { return "this network has no biases (\"bias\": false)" }
        default: break
        }
        if q.optimizerStateOfWeights != nil {
            let owners = OptimizerSpec.names.filter { n in
                let o: OptimizerSpec
                switch n {
                case "momentum": o = .momentum(mu: 0.9)
                case "nesterov": o = .nesterov(mu: 0.9)
                case "rmsprop": o = .rmsprop(rho: 0.9, eps: 1e-8)
                case "adam": o = .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8)
                case "adamw": o = .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decayBiases: false)
                default: return false
                }
                return (o.stateQuantities(weights: true) + o.stateQuantities(weights: false)).contains(q)
            }
            let mine = spec.optimizer.stateQuantities(weights: true) + spec.optimizer.stateQuantities(weights: false)
            if !mine.contains(q) {
                return "\(name) is optimizer state of \(owners.joined(separator: " and ")); this spec's optimizer is \(spec.optimizer.name)"
            }
            if q.optimizerStateOfWeights == false && (!spec.bias || !spec.updateBiases) {
                return "the biases are not trained (\(spec.bias ? "\"update_biases\": false" : "\"bias\": false")), so they have no optimizer state"
            }
            if l == 0 { return "\(name) belongs to the layers 1 to \(L)" }
        }
        return "\(name) belongs to the layers 1 to \(L)"
    }

    /// Nil when (row, col) lies inside `ref`'s block, else why not (`ref` must exist).
    func whyOutside(_ ref: QuantityRef, row: Int, col: Int) -> String? {
        guard let (rows, cols, batchRows) = shapes[ref] else { return "\(ref) is not in this network" }
        if (row >= 1 && row <= rows), (col >= 1 && col <= cols) { return nil }
        let block = "\(ref.quantity.rawValue)(\(ref.layer))"
        if !(row >= 1 && row <= rows) {
            let why = batchRows ? " (one per sample of the step's batch of \(batchSize))" : ""
            return "row \(row) is outside \(block), which has \(rows) row\(rows == 1 ? "" : "s")\(why)"
        }
        if !(col >= 1 && col <= cols) {
            return "col \(col) is outside \(block), which has \(cols) column\(cols == 1 ? "" : "s")"
        }
        return nil
    }
}
