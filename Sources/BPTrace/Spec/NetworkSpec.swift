/// Which samples each step trains on (docs/SPEC.md, `batch`).
public enum BatchMode: Equatable, Sendable, CustomStringConvertible {
    /// Every step uses all N samples.
    case full
    /// Step s uses sample ((s-1) mod N) + 1.
    case sample
    /// Step s uses samples ((s-1)·k + j) mod N + 1 for j = 0..k-1: one continuous cycle.
    case size(Int)

    /// The 0-based sample indices of 1-based `step` for a data set of `count` samples.
    public func indices(step: Int, count: Int) -> [Int] {
        switch self {
        case .full: return Array(0..<count)
        case .sample: return [(step - 1) % count]
        case .size(let k): return (0..<k).map { ((step - 1) * k + $0) % count }
        }
    }

    public var description: String {
        switch self {
        case .full: return "full"
        case .sample: return "sample"
        case .size(let k): return "\(k)"
        }
    }
}

/// When the backward pass sees updated weights (docs/SPEC.md, `update`).
public enum UpdateOrder: String, Sendable, CaseIterable {
    /// Every gradient uses the start-of-step weights (the textbook algorithm).
    case simultaneous
    /// Layer l is updated as soon as its gradient is known; err(l-1) uses the updated W(l).
    case immediate
}

/// How weights and biases missing from the spec are drawn (docs/SPEC.md, `init`).
public struct InitSpec: Equatable, Sendable {
    public enum Distribution: Equatable, Sendable {
        case uniform(low: Double, high: Double)
        case normal(mean: Double, std: Double)
        /// uniform(-r, r), r = sqrt(6 / (n(l-1) + n(l))); biases zero, not drawn.
        case xavierUniform
        /// normal(0, sqrt(2 / n(l-1))); biases zero, not drawn.
        case heNormal

        public var name: String {
            switch self {
            case .uniform: return "uniform"
            case .normal: return "normal"
            case .xavierUniform: return "xavier_uniform"
            case .heNormal: return "he_normal"
            }
        }
    }
    /// The random stream the draws come from (the spec's `init.rng`).
    public enum RandomStream: String, CaseIterable, Equatable, Sendable {
        /// numpy's legacy `RandomState` (MT19937): the draws of `numpy.random.seed(seed)`
        /// followed by `numpy.random.uniform` / `numpy.random.normal`, bit for bit.
        case numpy
    }

    public var distribution: Distribution = .uniform(low: 0, high: 1)
    public var seed: UInt32 = 0
    /// The random stream; `initialParameters()` draws from it. Only `numpy` exists.
    public var rng: RandomStream = .numpy

    public init(distribution: Distribution = .uniform(low: 0, high: 1), seed: UInt32 = 0, rng: RandomStream = .numpy) {
        self.distribution = distribution; self.seed = seed; self.rng = rng
    }
}

/// The training data: N samples of inputs (N x n0) and targets (N x nL).
public struct Dataset: Equatable, Sendable {
    public var inputs: Matrix
    public var targets: Matrix
    /// Column names when the data came from a CSV file (for renderers' headers); else empty.
    public var inputNames: [String] = []
    public var targetNames: [String] = []
    /// The CSV path as written in the spec, if any.
    public var csvPath: String? = nil

    public init(inputs: Matrix, targets: Matrix, inputNames: [String] = [], targetNames: [String] = [], csvPath: String? = nil) {
        self.inputs = inputs; self.targets = targets
        self.inputNames = inputNames; self.targetNames = targetNames; self.csvPath = csvPath
    }
    public var count: Int { inputs.rows }
}

/// A validated network spec (docs/SPEC.md): the network, its training settings and its data.
///
/// Build one with `SpecParser` (from JSON) or `Presets`; its invariants (shapes, names, ranges)
/// hold once it exists, so the engine never re-checks them.
public struct NetworkSpec: Equatable, Sendable {
    public var name: String = "network"
    /// Neuron counts, input layer first: [n0, n1, ..., nL].
    public var layers: [Int]
    /// One per non-input layer.
    public var activations: [Activation]
    public var loss: Loss = .halfSSE
    public var learningRate: Double
    public var batch: BatchMode = .full
    public var bias: Bool = true
    public var updateBiases: Bool = true
    public var update: UpdateOrder = .simultaneous
    public var l2: Double = 0
    /// The update of each trained parameter (docs/SPEC.md, "Optimizers"); plain SGD by default.
    public var optimizer: OptimizerSpec = .sgd
    /// Explicit W(l) per layer l = 1..L (index l-1); nil entries are drawn by `initSpec`.
    public var weights: [Matrix?]
    /// Explicit b(l) per layer; nil entries are drawn (or zero for xavier/he).
    public var biases: [[Double]?]
    public var initSpec: InitSpec = InitSpec()
    public var data: Dataset

    /// L, the number of non-input layers.
    public var depth: Int { layers.count - 1 }

    public init(name: String = "network", layers: [Int], activations: [Activation]? = nil, loss: Loss = .halfSSE,
                learningRate: Double, batch: BatchMode = .full, bias: Bool = true, updateBiases: Bool = true,
                update: UpdateOrder = .simultaneous, l2: Double = 0, weights: [Matrix?]? = nil,
                biases: [[Double]?]? = nil, initSpec: InitSpec = InitSpec(), data: Dataset, optimizer: OptimizerSpec = .sgd) {
        self.name = name; self.layers = layers
        self.activations = activations ?? Array(repeating: .sigmoid, count: layers.count - 1)
        self.loss = loss; self.learningRate = learningRate; self.batch = batch; self.bias = bias
        self.updateBiases = updateBiases; self.update = update; self.l2 = l2
        self.weights = weights ?? Array(repeating: nil, count: layers.count - 1)
        self.biases = biases ?? Array(repeating: nil, count: layers.count - 1)
        self.initSpec = initSpec; self.data = data; self.optimizer = optimizer
    }
}
