import BPTrace

// Names of the optimizer's state (docs/CHECKING.md, "Optimizer state"): a state prefix before a
// weight or bias name, `vel_w5`, `sq_w5`, `m_w5`, `v_w5`, `m_hat_w5`, `v_hat_w5`, `m_b1`,
// `v_hat_b1_2`: the state after the step's update, one value for the whole step.

extension ValueNames {
    /// The post-style prefixes, longest first (`v_hat_` before `v_`), with the quantity of a
    /// weight's and a bias's state.
    static let statePrefixes: [(prefix: String, weights: Quantity, biases: Quantity)] = [
        ("m_hat_", .mHatW, .mHatB), ("v_hat_", .vHatW, .vHatB), ("vel_", .velW, .velB),
        ("sq_", .sqW, .sqB), ("m_", .mW, .mB), ("v_", .vW, .vB),
    ]

    /// The post-style prefix of a state quantity (`m_hat_` for m_hat_W and m_hat_b).
    static func statePrefix(of q: Quantity) -> String? {
        statePrefixes.first { $0.weights == q || $0.biases == q }?.prefix
    }

    /// `m_w5` → the cell of m_W; nil when `base` has no state prefix before a parameter name.
    func resolveState(_ base: String) throws -> ValueTarget? {
        for p in Self.statePrefixes where base.hasPrefix(p.prefix) {
            let rest = String(base.dropFirst(p.prefix.count))
            guard let param = try parameter(rest) else { continue }
            switch param {
            case let .weight(l, i, j):
                try requireState(p.weights, layer: l, name: base)
                return .cell(p.weights, layer: l, row: i + 1, col: j + 1)
            case let .bias(l, j):
                try requireState(p.biases, layer: l, name: base)
                return .cell(p.biases, layer: l, row: 1, col: (j ?? 0) + 1)
            }
        }
        return nil
    }

    /// Throws a message naming the optimizer's own state when the network has no `q` in layer `l`.
    func requireState(_ q: Quantity, layer l: Int, name: String) throws {
        guard shape(q, layer: l) == nil else { return }
        throw NameError(stateMessage(q, layer: l, name: name))
    }

    /// Why a state quantity is missing: another optimizer (and what its state is called), or
    /// biases that are not trained.
    func stateMessage(_ q: Quantity, layer l: Int, name: String) -> String {
        let opt = spec.optimizer
        let weights = q.optimizerStateOfWeights ?? true
        if opt.isSGD {
            return "\"\(name)\": this network's optimizer is sgd, which keeps no state (set \"optimizer\" in the spec to momentum, nesterov, rmsprop, adam or adamw)"
        }
        if !weights && (!spec.bias || !spec.updateBiases) {
            return "\"\(name)\": the biases are not trained (\(spec.bias ? "\"update_biases\": false" : "\"bias\": false")), so they have no optimizer state"
        }
        let own = opt.stateQuantities(weights: weights)
        if !own.contains(q) {
            let example = weights ? "w1" : (names.bias(layer: 1, 0).plain)
            let list = own.compactMap { Self.statePrefix(of: $0).map { "\($0)\(example)" } }.joined(separator: ", ")
            return "\"\(name)\": this network's optimizer is \(opt.name); its state is \(list) (\(own.map(\.rawValue).joined(separator: ", ")))"
        }
        return "\"\(name)\": this network has no \(q.rawValue) in layer \(l)" + (l > L || l < 1 ? " (its layers are 1..\(L))" : "")
    }

    /// The post-style names of the optimizer's state in one step (after the updates), in
    /// weight order then bias order.
    func stateNames() -> [String] {
        var out: [String] = []
        var weights: [(Int, String)] = []
        for l in 1...L { for j in 0..<spec.layers[l] { for i in 0..<spec.layers[l - 1] {
            weights.append((names.weightNumber(layer: l, source: i, target: j), names.weight(layer: l, source: i, target: j).plain))
        } } }
        let sortedWeights = weights.sorted { $0.0 < $1.0 }.map(\.1)
        for q in spec.optimizer.stateQuantities(weights: true) {
            guard let prefix = Self.statePrefix(of: q) else { continue }
            out += sortedWeights.map { prefix + $0 }
        }
        guard spec.bias, spec.updateBiases else { return out }
        for q in spec.optimizer.stateQuantities(weights: false) {
            guard let prefix = Self.statePrefix(of: q) else { continue }
            for l in 1...L {
                var seen = Set<String>()
                for j in 0..<spec.layers[l] {
                    let b = names.bias(layer: l, j).plain
                    if seen.insert(b).inserted { out.append(prefix + b) }
                }
            }
        }
        return out
    }
}
