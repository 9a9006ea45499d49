import Foundation
import Testing
import BPTrace
import BPTraceCheck

/// The networks and helpers of BugModelTests: small networks of every shape the bug models
/// care about, their weights and data drawn from a fixed seed, and the matrix arithmetic the
/// tests redo themselves (so a formula is computed in the test, not by the engine).
enum BugNets {
    /// A network with drawn weights, biases and data: `samples` rows, each step the whole batch
    /// unless `batch` says otherwise. Cross-entropy and softmax nets get one-hot targets.
    static func net(_ name: String, _ layers: [Int], _ activations: [Activation], loss: Loss = .halfSSE, samples: Int,
                    batch: BatchMode = .full, bias: Bool = true, learningRate: Double = 0.5,
                    optimizer: OptimizerSpec = .sgd, update: UpdateOrder = .simultaneous, seed: UInt64 = 1) -> NetworkSpec {
        var g = CatalogueEngineTests.Random(state: seed &* 7_654_321 &+ UInt64(layers.reduce(0, +)))
        let L = layers.count - 1
        let weights: [Matrix?] = (1...L).map { l in
            Matrix(rows: layers[l - 1], cols: layers[l], values: (0..<(layers[l - 1] * layers[l])).map { _ in g.double(-1.2, 1.2) })
        }
        let biases: [[Double]?] = bias ? (1...L).map { l in (0..<layers[l]).map { _ in g.double(-0.8, 0.8) } } : Array(repeating: nil, count: L)
        let inputs = Matrix(rows: samples, cols: layers[0], values: (0..<(samples * layers[0])).map { _ in g.double(-1.5, 1.5) })
        var targets = Matrix(rows: samples, cols: layers[L], values: (0..<(samples * layers[L])).map { _ in g.double(0.05, 0.95) })
        if loss == .crossEntropy && activations[L - 1] == .softmax {
            targets = Matrix(rows: samples, cols: layers[L])
            for r in 0..<samples { targets[r, g.int(0...(layers[L] - 1))] = 1 }
        }
        return NetworkSpec(name: name, layers: layers, activations: activations, loss: loss, learningRate: learningRate,
                           batch: batch, bias: bias, update: update, weights: weights, biases: biases,
                           data: Dataset(inputs: inputs, targets: targets), optimizer: optimizer)
    }

    static let adam = OptimizerSpec.adam(beta1: 0.9, beta2: 0.999, eps: 1e-8)

    /// One and two hidden layers, batches of 1 and 3, sigmoid/tanh/relu/linear/softmax-CE,
    /// with and without biases, SGD, momentum and Adam.
    static let all: [NetworkSpec] = [
        net("sigmoid-2-2-2-b1", [2, 2, 2], [.sigmoid, .sigmoid], samples: 1),
        net("tanh-3-3-3-2-b3", [3, 3, 3, 2], [.tanh, .tanh, .sigmoid], samples: 3),
        net("relu-sigmoid-softmax-b3", [2, 3, 3, 3], [.relu, .sigmoid, .softmax], loss: .crossEntropy, samples: 3),
        net("sigmoid-nobias-b3", [2, 2, 1], [.sigmoid, .sigmoid], samples: 3, bias: false),
        net("tanh-softmax-nobias-b1", [2, 4, 4, 3], [.tanh, .tanh, .softmax], loss: .crossEntropy, samples: 4, batch: .sample, bias: false),
        net("sigmoid-ce-b3", [3, 2, 2], [.sigmoid, .sigmoid], loss: .crossEntropy, samples: 3),
        net("relu-linear-mse-b2", [2, 3, 2], [.relu, .linear], loss: .mse, samples: 2),
        net("tanh-sum-b3", [2, 2, 2], [.tanh, .sigmoid], loss: .sum, samples: 5, batch: .size(3)),
        net("sigmoid-adam-b2", [2, 2, 2], [.sigmoid, .sigmoid], samples: 2, learningRate: 0.1, optimizer: adam),
        net("tanh-momentum-b3", [2, 3, 3, 1], [.tanh, .relu, .sigmoid], samples: 3, learningRate: 0.3, optimizer: .momentum(mu: 0.9)),
    ]

    /// Step `s` of `spec` from the same parameters under the standard rules and under `rules`
    /// (steps before `s` run under the same rules as the step).
    static func steps(_ spec: NetworkSpec, _ rules: BackpropRules, upTo s: Int = 1) -> (std: StepResult, bug: StepResult) {
        var a = Trainer(spec: spec), b = Trainer(spec: spec, rules: rules)
        var out: (StepResult, StepResult)? = nil
        for k in 1...s { out = (a.step(k), b.step(k)) }
        return out!
    }

    /// The first block (in trace order) where two steps differ, or nil when they are the same.
    static func firstDifference(_ x: StepResult, _ y: StepResult) -> QuantityRef? {
        for p in x.plan where x[p.ref] != y[p.ref] { return p.ref }
        return nil
    }

    // MARK: - Arithmetic done in the test

    static func product(_ a: Matrix, _ b: Matrix, transposeB: Bool = false) -> Matrix {
        let inner = a.cols, cols = transposeB ? b.rows : b.cols
        var out = Matrix(rows: a.rows, cols: cols)
        for i in 0..<a.rows {
            for j in 0..<cols {
                var s = 0.0
                for k in 0..<inner { s += a[i, k] * (transposeB ? b[j, k] : b[k, j]) }
                out[i, j] = s
            }
        }
        return out
    }

    static func transpose(_ m: Matrix) -> Matrix {
        var out = Matrix(rows: m.cols, cols: m.rows)
        for i in 0..<m.rows { for j in 0..<m.cols { out[j, i] = m[i, j] } }
        return out
    }

    static func columnSums(_ m: Matrix) -> Matrix {
        Matrix(row: (0..<m.cols).map { c in (0..<m.rows).reduce(0.0) { $0 + m[$1, c] } })
    }

    static func elementwise(_ a: Matrix, _ b: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
        Matrix(rows: a.rows, cols: a.cols, values: zip(a.values, b.values).map(f))
    }

    /// Whether two matrices agree to 1e-12 of their size (1e-15 absolute near 0).
    static func close(_ a: Matrix?, _ b: Matrix?) -> Bool {
        guard let a, let b, a.rows == b.rows, a.cols == b.cols else { return false }
        return zip(a.values, b.values).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($0), abs($1)) + 1e-15 }
    }
}
