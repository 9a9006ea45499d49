/// One weight or bias of a network, found by its post-style name (`w5`, `b1_2`, or `b2` where
/// a layer shares one bias): where it sits and how to read or set it in `Parameters`.
public struct ParameterRef: Equatable, Sendable {
    public let name: String
    public let isBias: Bool
    /// 1-based layer.
    public let layer: Int
    /// 0-based source neuron (weights; 0 for biases).
    public let row: Int
    /// 0-based target neuron; nil for a layer's shared bias (every neuron's bias at once).
    public let col: Int?

    /// Resolves `name` in `spec`, or throws a message naming the parameters there are.
    public init(named name: String, in spec: NetworkSpec, option: String = "--weights") throws(SpecError) {
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        self.name = name
        if let w = names.weightPosition(named: name) {
            isBias = false; layer = w.layer; row = w.source; col = w.target
            return
        }
        if let b = names.biasPosition(named: name) {
            isBias = true; layer = b.layer; row = 0; col = b.index
            return
        }
        let count = SpecLimits.parameterCount(layers: spec.layers, bias: false)
        let biases = spec.bias ? "; biases b<layer>_<neuron>, e.g. b1_1" : " (the network has no biases)"
        throw SpecError(option, "unknown parameter \"\(name)\": the weights are w1..w\(count)\(biases)")
    }

    public func value(in p: Parameters) -> Double {
        isBias ? p.biases[layer - 1][0, col ?? 0] : p.weights[layer - 1][row, col!]
    }

    public func set(_ v: Double, in p: inout Parameters) {
        if isBias {
            if let col { p.biases[layer - 1][0, col] = v } else {
                for j in 0..<p.biases[layer - 1].cols { p.biases[layer - 1][0, j] = v }
            }
        } else {
            p.weights[layer - 1][row, col!] = v
        }
    }

    /// The value at the start of a traced step: the trace's W(l) or b(l).
    public func value(in r: StepResult) -> Double {
        if isBias { return r[.b, layer].map { $0[0, col ?? 0] } ?? .nan }
        return r[.W, layer].map { $0[row, col!] } ?? .nan
    }

    /// The parameter's value in a trace block, if the block holds it: W(l)/b(l) (the value at
    /// the start of the block's step) or, with `after`, W_new(l)/b_new(l) (after its update).
    public func value(in block: TraceBlock, after: Bool = false) -> Double? {
        guard block.layer == layer else { return nil }
        let q: Quantity = isBias ? (after ? .bNew : .b) : (after ? .WNew : .W)
        guard block.quantity == q else { return nil }
        return isBias ? block.matrix[0, col ?? 0] : block.matrix[row, col!]
    }
}
