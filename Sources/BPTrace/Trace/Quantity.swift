/// A traced quantity of docs/SPEC.md, "The trace"; the raw value is the name in the CSV's `quantity` column.
public enum Quantity: String, CaseIterable, Sendable {
    case x, y, W, b, z, a, loss, cost, E, slope, delta, err
    case gradW = "grad_W", gradB = "grad_b", WNew = "W_new", bNew = "b_new"
    /// Optimizer state after the step's update (docs/SPEC.md, "Optimizers"): momentum's and
    /// Nesterov's velocity, RMSProp's mean square, Adam's moments and their bias-corrected values.
    case velW = "vel_W", velB = "vel_b", sqW = "sq_W", sqB = "sq_b", mW = "m_W", mB = "m_b", vW = "v_W", vB = "v_b"
    case mHatW = "m_hat_W", mHatB = "m_hat_b", vHatW = "v_hat_W", vHatB = "v_hat_b"

    /// Whether the quantity is optimizer state of a weight matrix (stage 11) or a bias (stage 12); nil for the others.
    public var optimizerStateOfWeights: Bool? {
        switch self {
        case .velW, .sqW, .mW, .vW, .mHatW, .vHatW: return true
        case .velB, .sqB, .mB, .vB, .mHatB, .vHatB: return false
        default: return nil
        }
    }
}

/// One traced matrix: the value of `quantity` in `layer` at `step`, computed in `stage`.
/// Batch quantities have one row per sample of the step's batch; W has row = source neuron,
/// column = target neuron; vectors and scalars are a single row.
public struct TraceBlock: Sendable {
    /// The run the block belongs to (`RunID.main` for a single run).
    public let run: RunID
    public let step: Int
    public let stage: Stage
    public let layer: Int
    public let quantity: Quantity
    public let matrix: Matrix

    public init(run: RunID = .main, step: Int, stage: Stage, layer: Int, quantity: Quantity, matrix: Matrix) {
        self.run = run; self.step = step; self.stage = stage; self.layer = layer; self.quantity = quantity; self.matrix = matrix
    }
}

/// The first non-finite value of a run: where it is, so the message can name it.
public struct NonFiniteValue: Error, Equatable, Sendable, CustomStringConvertible {
    public let step: Int
    public let layer: Int
    public let quantity: Quantity
    /// 1-based, as in the trace.
    public let row: Int
    public let col: Int
    public let value: Double

    public var description: String {
        "training stopped: step \(step), layer \(layer), quantity \(quantity.rawValue), cell (row \(row), col \(col)) is \(value) "
            + "(a value overflowed or a logarithm met 0); everything traced before it was written"
    }
}
