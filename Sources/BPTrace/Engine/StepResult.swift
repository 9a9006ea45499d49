/// Every intermediate of one training step, by layer. Index l holds layer l; entries that do
/// not exist for a layer (z(0), err(L), slope of softmax, b without bias) are nil.
public struct StepResult: Sendable {
    public let step: Int
    public var x: Matrix
    public var y: Matrix
    public var W: [Matrix?]
    public var b: [Matrix?]
    public var z: [Matrix?]
    public var a: [Matrix]
    public var loss: Double
    public var cost: Double?
    public var E: Matrix
    public var slope: [Matrix?]
    public var delta: [Matrix?]
    public var err: [Matrix?]
    public var gradW: [Matrix?]
    public var gradB: [Matrix?]
    public var WNew: [Matrix?]
    public var bNew: [Matrix?]

    /// The parameters after this step's update (W_new, b_new).
    public var updatedParameters: Parameters {
        let L = a.count - 1
        return Parameters(weights: (1...L).map { WNew[$0]! }, biases: b[1] == nil ? [] : (1...L).map { bNew[$0]! })
    }

    /// The step's blocks in the order the trace carries them: stage by stage, and within a
    /// stage layer by layer (hidden stages 3–4 interleave per layer; 9–10 run from layer L-1 down).
    public func blocks() -> [TraceBlock] {
        let L = a.count - 1
        var out: [TraceBlock] = []
        func add(_ stage: Stage, _ layer: Int, _ q: Quantity, _ m: Matrix?) {
            if let m { out.append(TraceBlock(step: step, stage: stage, layer: layer, quantity: q, matrix: m)) }
        }
        add(.readInputs, 0, .x, x)
        add(.readInputs, L, .y, y)
        for l in 1...L { add(.weightsAndBiases, l, .W, W[l]); add(.weightsAndBiases, l, .b, b[l]) }
        for l in 1..<L { add(.hiddenInput, l, .z, z[l]); add(.hiddenActivation, l, .a, a[l]) }
        add(.output, L, .z, z[L]); add(.output, L, .a, a[L])
        add(.error, L, .E, E)
        add(.error, L, .loss, Matrix(row: [loss]))
        add(.error, L, .cost, cost.map { Matrix(row: [$0]) })
        for l in 1...L { add(.slopes, l, .slope, slope[l]) }
        add(.outputDelta, L, .delta, delta[L])
        for l in stride(from: L - 1, through: 1, by: -1) { add(.hiddenError, l, .err, err[l]); add(.hiddenDelta, l, .delta, delta[l]) }
        for l in 1...L { add(.updateWeights, l, .gradW, gradW[l]); add(.updateWeights, l, .WNew, WNew[l]) }
        for l in 1...L { add(.updateBiases, l, .gradB, gradB[l]); add(.updateBiases, l, .bNew, bNew[l]) }
        return out
    }
}
