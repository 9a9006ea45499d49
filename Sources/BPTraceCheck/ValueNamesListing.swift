import BPTrace

extension ValueNames {
    // MARK: Names of a whole step (for snapshots)

    /// The post-style names of every neuron value, derivative and parameter of one step, in the
    /// post's reading order: forward pass, errors, output layer backward, hidden layers backward,
    /// updates, then the optimizer's state (`vel_w1`, `m_w1`, ..., none for SGD). Per-sample
    /// names carry `[k]` when the batch has several samples.
    public func canonicalNames() -> [String] {
        var out: [String] = []
        let samples = batchSize == 1 ? [""] : (1...batchSize).map { "[\($0)]" }
        for s in samples {
            for l in 1...L { for j in 0..<spec.layers[l] { let n = names.neuron(layer: l, j).plain; out += ["net_\(n)\(s)", "out_\(n)\(s)"] } }
            for j in 0..<spec.layers[L] { out.append("E_\(names.neuron(layer: L, j).plain)\(s)") }
        }
        out.append("E_total")
        if spec.l2 > 0 { out.append("cost") }
        for s in samples {
            for l in stride(from: L, through: 1, by: -1) {
                for j in 0..<spec.layers[l] {
                    let n = names.neuron(layer: l, j).plain
                    out.append("dE_total/dout_\(n)\(s)")
                    if spec.activations[l - 1] != .softmax { out.append("dout_\(n)/dnet_\(n)\(s)") }
                    out.append("dE_total/dnet_\(n)\(s)")
                }
            }
        }
        for l in stride(from: L, through: 1, by: -1) {
            for j in 0..<spec.layers[l] { for i in 0..<spec.layers[l - 1] { out.append("dE_total/d\(names.weight(layer: l, source: i, target: j).plain)") } }
        }
        var weightsAfter: [(Int, String)] = []
        for l in 1...L { for j in 0..<spec.layers[l] { for i in 0..<spec.layers[l - 1] {
            let w = names.weight(layer: l, source: i, target: j)
            weightsAfter.append((names.weightNumber(layer: l, source: i, target: j), "\(w.plain)+"))
        } } }
        out += weightsAfter.sorted { $0.0 < $1.0 }.map(\.1)
        if spec.bias {
            for l in 1...L {
                var seen = Set<String>()
                for j in 0..<spec.layers[l] {
                    let b = names.bias(layer: l, j).plain
                    if seen.insert(b).inserted { out += ["dE_total/d\(b)", "\(b)+"] }
                }
            }
        }
        return out + stateNames()
    }
}
