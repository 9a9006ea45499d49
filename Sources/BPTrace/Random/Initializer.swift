/// The network's parameters: W(l) (n(l-1) x n(l)) and b(l) (1 x n(l)) for l = 1..L (index l-1).
/// `biases` is empty when the spec has `"bias": false`.
public struct Parameters: Equatable, Sendable {
    public var weights: [Matrix]
    public var biases: [Matrix]
    public init(weights: [Matrix], biases: [Matrix]) { self.weights = weights; self.biases = biases }
}

extension NetworkSpec {
    /// The starting parameters: explicit values from the spec, the rest drawn from `init` (its `rng`) in
    /// the draw order of docs/SPEC.md — W(1) row-major, b(1), W(2), b(2), ... — where explicit values
    /// consume no draws and xavier/he biases are zero without a draw.
    public func initialParameters() -> Parameters {
        var rng: NumpyRandom
        switch initSpec.rng {
        case .numpy: rng = NumpyRandom(seed: initSpec.seed)
        }
        var ws: [Matrix] = [], bs: [Matrix] = []
        for l in 1...depth {
            let nIn = layers[l - 1], nOut = layers[l]
            let draw: () -> Double
            var drawBiases = true
            switch initSpec.distribution {
            case let .uniform(low, high): draw = { rng.uniform(low: low, high: high) }
            case let .normal(mean, std): draw = { rng.normal(mean: mean, std: std) }
            case .xavierUniform:
                let r = (6.0 / Double(nIn + nOut)).squareRoot()
                draw = { rng.uniform(low: -r, high: r) }
                drawBiases = false
            case .heNormal:
                let s = (2.0 / Double(nIn)).squareRoot()
                draw = { rng.normal(mean: 0, std: s) }
                drawBiases = false
            }
            if let w = weights[l - 1] {
                ws.append(w)
            } else {
                var values: [Double] = []
                for _ in 0..<(nIn * nOut) { values.append(draw()) }
                ws.append(Matrix(rows: nIn, cols: nOut, values: values))
            }
            guard bias else { continue }
            if let b = biases[l - 1] {
                bs.append(Matrix(row: b))
            } else if drawBiases {
                var values: [Double] = []
                for _ in 0..<nOut { values.append(draw()) }
                bs.append(Matrix(row: values))
            } else {
                bs.append(Matrix(rows: 1, cols: nOut))
            }
        }
        return Parameters(weights: ws, biases: bs)
    }
}
