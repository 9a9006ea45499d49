import BPTrace

extension ValueNames {
    // MARK: Post-style names

    /// A neuron read from text: layer and 0-based index.
    struct Neuron { let layer: Int; let index: Int; let name: String }

    func neuron(_ text: String) throws -> Neuron {
        if let p = names.neuronPosition(named: text) { return Neuron(layer: p.layer, index: p.index, name: text) }
        throw NameError("\"\(text)\" is not a neuron of this network\(suggestion(for: text, among: allNeuronNames)); its neurons are \(neuronSummary)")
    }

    var allNeuronNames: [String] { (0...L).flatMap { l in (0..<spec.layers[l]).map { names.neuron(layer: l, $0).plain } } }

    var neuronSummary: String {
        (0...L).map { l -> String in
            let n = spec.layers[l]
            let first = names.neuron(layer: l, 0).plain
            return n == 1 ? first : "\(first)..\(names.neuron(layer: l, n - 1).plain)"
        }.joined(separator: ", ")
    }

    var weightCount: Int { (1...L).reduce(0) { $0 + spec.layers[$1 - 1] * spec.layers[$1] } }

    enum Parameter { case weight(layer: Int, source: Int, target: Int), bias(layer: Int, index: Int?) }

    /// A weight or bias name (`w5`, `b1`, `b1_2`), or nil when `text` is neither spelling.
    func parameter(_ text: String) throws -> Parameter? {
        if text.count >= 2, text.first == "w", text.dropFirst().allSatisfy(\.isNumber) {
            guard let p = names.weightPosition(named: text) else {
                throw NameError("\"\(text)\" is not a weight of this network: it has w1..w\(weightCount)")
            }
            return .weight(layer: p.layer, source: p.source, target: p.target)
        }
        if text.count >= 2, text.first == "b", text.dropFirst().allSatisfy({ $0.isNumber || $0 == "_" }) {
            guard let p = names.biasPosition(named: text) else {
                throw NameError("\"\(text)\" is not a bias of this network: " + biasSummary)
            }
            return .bias(layer: p.layer, index: p.index)
        }
        return nil
    }

    var biasSummary: String {
        guard spec.bias else { return "the spec says \"bias\": false" }
        let parts = (1...L).map { l -> String in
            if names.sharedBias[l - 1] { return "b\(l)" + (spec.layers[l] > 1 ? " (shared by layer \(l), or per neuron b\(l)_1..b\(l)_\(spec.layers[l]))" : "") }
            return "b\(l)_1..b\(l)_\(spec.layers[l])"
        }
        return "its biases are " + parts.joined(separator: ", ")
    }

    /// The value at a post-style name without selectors, and whether it has one value per sample
    /// (targets with sample 1 are then re-addressed by `withSample`).
    func resolveBase(_ base: String) throws -> (ValueTarget, Bool) {
        let norm = base.replacingOccurrences(of: "∂", with: "d")
        if let slash = norm.firstIndex(of: "/") {
            let top = String(norm[..<slash]), bottom = String(norm[norm.index(after: slash)...])
            guard top.hasPrefix("d"), bottom.hasPrefix("d"), top.count > 1, bottom.count > 1 else {
                throw NameError("\"\(base)\": a derivative is written dTOP/dBOTTOM, e.g. dE_total/dw5")
            }
            return try derivative(String(top.dropFirst()), String(bottom.dropFirst()), whole: base)
        }
        if base == "E_total" { return (.cell(.loss, layer: L, row: 1, col: 1), false) }
        if base == "cost" { return (.cost, false) }
        if base.hasPrefix("net_") {
            let n = try neuron(String(base.dropFirst(4)))
            guard n.layer >= 1 else { throw NameError("\"\(base)\": an input neuron has no net input; its value is \(n.name) (or out_\(n.name))") }
            return (.cell(.z, layer: n.layer, row: 1, col: n.index + 1), true)
        }
        if base.hasPrefix("out_") {
            let n = try neuron(String(base.dropFirst(4)))
            return (n.layer == 0 ? .cell(.x, layer: 0, row: 1, col: n.index + 1) : .cell(.a, layer: n.layer, row: 1, col: n.index + 1), true)
        }
        for prefix in ["target_", "t_"] where base.hasPrefix(prefix) {
            let n = try outputNeuron(String(base.dropFirst(prefix.count)), in: base)
            return (.cell(.y, layer: L, row: 1, col: n.index + 1), true)
        }
        if base.hasPrefix("E_") {
            let n = try outputNeuron(String(base.dropFirst(2)), in: base)
            return (.outputTerm(sample: 1, output: n.index + 1), true)
        }
        if let state = try resolveState(base) { return (state, false) }
        var plain = base, updated = false
        if plain.hasSuffix("+") { plain.removeLast(); updated = true }
        if let p = try parameter(plain) {
            switch p {
            case let .weight(l, i, j): return (.cell(updated ? .WNew : .W, layer: l, row: i + 1, col: j + 1), false)
            case let .bias(l, j): return (.cell(updated ? .bNew : .b, layer: l, row: 1, col: (j ?? 0) + 1), false)
            }
        }
        if !updated, let n = names.neuronPosition(named: base), n.layer == 0 {
            return (.cell(.x, layer: 0, row: 1, col: n.index + 1), true)
        }
        throw NameError("unknown name \"\(base)\"\(suggestion(for: base, among: exampleNames)); expected a post-style name such as "
                        + "\(exampleNames.prefix(6).joined(separator: ", ")), dE_total/dw1, w1+, a tutorial name (output[1,1]) "
                        + "or a coordinate (a(\(L))[1,1]); see docs/CHECKING.md")
    }

    func outputNeuron(_ text: String, in whole: String) throws -> Neuron {
        let n = try neuron(text)
        guard n.layer == L else { throw NameError("\"\(whole)\": \(text) is not an output neuron (the outputs are \(names.neuron(layer: L, 0).plain)..\(names.neuron(layer: L, spec.layers[L] - 1).plain))") }
        return n
    }

    /// Names to suggest for a misspelling.
    var exampleNames: [String] {
        var out: [String] = []
        for l in 1...L { for j in 0..<spec.layers[l] { let n = names.neuron(layer: l, j).plain; out += ["net_\(n)", "out_\(n)"] } }
        out += ["E_total", "cost"]
        for j in 0..<spec.layers[L] { out.append("E_\(names.neuron(layer: L, j).plain)") }
        return out + stateNames()
    }

    func derivative(_ top: String, _ bottom: String, whole: String) throws -> (ValueTarget, Bool) {
        let unsupported = NameError("\"\(whole)\" is not a derivative the checker knows; it reads dE_total/dout_N, dE_total/dnet_N, dE_total/dwK, "
                                    + "dE_total/dbK, dE_oK/dout_oK, dE_oK/dnet_oK, dE_oK/dout_H, dout_N/dnet_N, dnet_N/dwK, dnet_N/dout_M, dnet_N/dbK "
                                    + "(see docs/CHECKING.md)")
        // The denominator: a neuron's out/net, a weight or a bias.
        enum Bottom { case out(Neuron), net(Neuron), param(Parameter) }
        let b: Bottom
        if bottom.hasPrefix("out_") { b = .out(try neuron(String(bottom.dropFirst(4)))) }
        else if bottom.hasPrefix("net_") { b = .net(try neuron(String(bottom.dropFirst(4)))) }
        else if let p = try parameter(bottom) { b = .param(p) }
        else if let n = names.neuronPosition(named: bottom), n.layer == 0 { b = .out(Neuron(layer: 0, index: n.index, name: bottom)) }
        else { throw NameError("\"\(whole)\": unknown denominator d\(bottom); expected dout_N, dnet_N, a weight (dw1) or a bias (db1)") }

        if top == "E_total" || top == "E" || top == "cost" {
            switch b {
            case .out(let n):
                if n.layer == L { return (.outputDerivative(sample: 1, output: n.index + 1), true) }
                if n.layer == 0 { return (.inputError(sample: 1, input: n.index + 1), true) }
                return (.cell(.err, layer: n.layer, row: 1, col: n.index + 1), true)
            case .net(let n):
                guard n.layer >= 1 else { throw NameError("\"\(whole)\": an input neuron has no net input") }
                return (.cell(.delta, layer: n.layer, row: 1, col: n.index + 1), true)
            case .param(.weight(let l, let i, let j)): return (.cell(.gradW, layer: l, row: i + 1, col: j + 1), false)
            case .param(.bias(let l, let j)):
                if let j { return (.cell(.gradB, layer: l, row: 1, col: j + 1), false) }
                return spec.layers[l] == 1 ? (.cell(.gradB, layer: l, row: 1, col: 1), false) : (.sharedBiasGradient(layer: l), false)
            }
        }
        if top.hasPrefix("E_") {
            let o = try outputNeuron(String(top.dropFirst(2)), in: whole)
            switch b {
            case .out(let n) where n.layer == L:
                guard n.index == o.index else { throw NameError("\"\(whole)\": \(top) depends on out_\(o.name) only (its derivative by out_\(n.name) is 0)") }
                return (.outputDerivative(sample: 1, output: o.index + 1), true)
            case .net(let n) where n.layer == L:
                guard spec.activations[L - 1] != .softmax else {
                    throw NameError("\"\(whole)\": with a softmax output every net input moves every output; use dE_total/dnet_\(n.name) (delta)")
                }
                guard n.index == o.index else { throw NameError("\"\(whole)\": \(top) depends on net_\(o.name) only") }
                return (.cell(.delta, layer: L, row: 1, col: o.index + 1), true)
            case .out(let n) where n.layer == L - 1 && L >= 2:
                guard spec.activations[L - 1] != .softmax else {
                    throw NameError("\"\(whole)\": with a softmax output the loss does not split into one term per output path; use dE_total/dout_\(n.name) (err)")
                }
                return (.errTerm(sample: 1, hidden: n.index + 1, output: o.index + 1), true)
            default: throw unsupported
            }
        }
        if top.hasPrefix("out_") {
            let n = try neuron(String(top.dropFirst(4)))
            guard case .net(let m) = b, m.layer == n.layer, m.index == n.index, n.layer >= 1 else { throw unsupported }
            guard spec.activations[n.layer - 1] != .softmax else {
                throw NameError("\"\(whole)\": a softmax output has no element-wise slope (its Jacobian is a matrix)")
            }
            return (.cell(.slope, layer: n.layer, row: 1, col: n.index + 1), true)
        }
        if top.hasPrefix("net_") {
            let n = try neuron(String(top.dropFirst(4)))
            guard n.layer >= 1 else { throw unsupported }
            switch b {
            case .param(.weight(let l, let i, let j)):
                guard l == n.layer, j == n.index else {
                    throw NameError("\"\(whole)\": \(bottom) does not feed \(n.name)")
                }
                return (l == 1 ? .cell(.x, layer: 0, row: 1, col: i + 1) : .cell(.a, layer: l - 1, row: 1, col: i + 1), true)
            case .out(let m):
                guard m.layer == n.layer - 1 else { throw NameError("\"\(whole)\": \(m.name) is not in the layer below \(n.name)") }
                return (.cell(.W, layer: n.layer, row: m.index + 1, col: n.index + 1), false)
            case .param(.bias(let l, let j)):
                guard l == n.layer, j == nil || j == n.index else { throw NameError("\"\(whole)\": \(bottom) is not the bias of \(n.name)") }
                return (.constant(1), false)
            case .net: throw unsupported
            }
        }
        throw unsupported
    }

    static func withSample(_ t: ValueTarget, _ s: Int) -> ValueTarget {
        switch t {
        case let .cell(q, l, _, c): return .cell(q, layer: l, row: s, col: c)
        case let .negatedCell(q, l, _, c): return .negatedCell(q, layer: l, row: s, col: c)
        case let .outputTerm(_, o): return .outputTerm(sample: s, output: o)
        case let .outputDerivative(_, o): return .outputDerivative(sample: s, output: o)
        case let .inputError(_, i): return .inputError(sample: s, input: i)
        case let .errTerm(_, h, o): return .errTerm(sample: s, hidden: h, output: o)
        default: return t
        }
    }
}
