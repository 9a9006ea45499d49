/// The sizes a spec may ask for, checked before anything is allocated (docs/SPEC.md, "Limits").
/// Every count is computed in a way that cannot overflow.
public enum SpecLimits {
    /// Neuron counts in `layers` (input layer included).
    public static let maximumLayerCounts = 101
    /// Neurons in one layer.
    public static let maximumNeurons = 4096
    /// Weights and biases together.
    public static let maximumParameters = 10_000_000
    /// Training samples (rows of the data).
    public static let maximumSamples = 1_000_000
    /// Samples × (inputs + targets).
    public static let maximumDataValues = 10_000_000
    /// Values one training step traces (x, y, W, b, z, a, slope, delta, err, gradients, updates).
    public static let maximumTracedValuesPerStep = 50_000_000
    /// Characters in a data column name.
    public static let maximumColumnNameLength = 100
    /// JSON values (numbers, strings, arrays, ...) in one spec or fixture file.
    public static let maximumJSONValues = 2_000_000

    /// Weights and biases of a network (saturating: never more than Int.max).
    public static func parameterCount(layers: [Int], bias: Bool) -> Int {
        var total = 0
        for l in layers.indices.dropFirst() {
            let (w, o1) = layers[l - 1].multipliedReportingOverflow(by: layers[l])
            let (t, o2) = total.addingReportingOverflow(w + (bias ? layers[l] : 0))
            if o1 || o2 { return Int.max }
            total = t
        }
        return total
    }

    /// An upper bound of the values one step traces for batches of `batch` samples:
    /// B·(n0 + 2·nL + 5·Σn(l)) for x, y, E, z, a, slope, delta, err; 3·(weights + biases) for
    /// W, grad_W, W_new, b, grad_b, b_new; 2 for loss and cost. Saturating.
    /// `optimizerStates`: the optimizer's state blocks per parameter (Adam's 4: m, v, m̂, v̂).
    public static func tracedValuesPerStep(layers: [Int], batch: Int, optimizerStates: Int = 0) -> Int {
        let neurons = layers.dropFirst().reduce(0.0) { $0 + Double($1) }
        let perSample = Double(layers.first ?? 0) + 2 * Double(layers.last ?? 0) + 5 * neurons
        let total = Double(batch) * perSample + Double(3 + optimizerStates) * Double(parameterCount(layers: layers, bias: true)) + 2
        return total >= Double(Int.max / 2) ? Int.max : Int(total)
    }

    /// Samples one step trains on.
    public static func batchSize(_ batch: BatchMode, samples: Int) -> Int {
        switch batch {
        case .full: return samples
        case .sample: return 1
        case .size(let k): return k
        }
    }

    /// "10,000,000".
    public static func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.reversed().enumerated() {
            if i > 0, i % 3 == 0, ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}
