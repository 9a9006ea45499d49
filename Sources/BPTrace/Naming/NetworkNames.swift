/// A name in two spellings: plain text for fixtures, CSV and sheet headers (`h1`, `w5`,
/// `b1_2`), and LaTeX math for the handout (`h_{1}`, `w_{5}`, `b^{(1)}_{2}`).
public struct Name: Hashable, Sendable, CustomStringConvertible {
    public let plain: String
    public let latex: String
    public init(plain: String, latex: String) { self.plain = plain; self.latex = latex }
    public var description: String { plain }
}

/// The names the classic step-by-step post uses, generalised to any network of the contract.
/// This is the one place they are made; the handout, the workbook and the checker use it.
///
/// - Neurons: inputs i1, i2, …; outputs o1, o2, …; hidden h1, h2, … when there is one hidden
///   layer, h^(l)_j (plain `h2_1`) when there are several.
/// - Weights: w1, w2, … numbered layer by layer, and within a layer for each target neuron in
///   turn its sources in order: on the 2-2-2 network this is the post's w1…w8.
/// - Biases: b1, b2, … (one per layer) when every neuron of the layer shares one value that never
///   changes (biases not trained) or the layer has one neuron; b^(l)_j (plain `b1_2`) otherwise.
public struct NetworkNames: Sendable {
    public let layers: [Int]
    /// Per layer l = 1..L (index l-1): whether the layer's bias is written as one shared bᵢ.
    public let sharedBias: [Bool]
    /// Whether the network has bias terms at all (spec `bias`).
    public let hasBias: Bool

    public init(spec: NetworkSpec, parameters: Parameters) {
        layers = spec.layers
        hasBias = spec.bias
        sharedBias = (1...spec.depth).map { l in
            guard spec.bias else { return false }
            if spec.layers[l] == 1 { return true }
            let values = parameters.biases[l - 1].values
            return !spec.updateBiases && values.allSatisfy { $0 == values[0] }
        }
    }

    public var depth: Int { layers.count - 1 }

    /// Neuron `j` (0-based) of layer `l` (0 = inputs).
    public func neuron(layer l: Int, _ j: Int) -> Name {
        if l == 0 { return Name(plain: "i\(j + 1)", latex: "i_{\(j + 1)}") }
        if l == depth { return Name(plain: "o\(j + 1)", latex: "o_{\(j + 1)}") }
        if depth == 2 { return Name(plain: "h\(j + 1)", latex: "h_{\(j + 1)}") }
        return Name(plain: "h\(l)_\(j + 1)", latex: "h^{(\(l))}_{\(j + 1)}")
    }

    /// The post's number of the weight from source neuron `i` of layer l-1 to target `j` of layer l (0-based i, j).
    public func weightNumber(layer l: Int, source i: Int, target j: Int) -> Int {
        var offset = 0
        for k in 1..<l { offset += layers[k - 1] * layers[k] }
        return offset + j * layers[l - 1] + i + 1
    }

    public func weight(layer l: Int, source i: Int, target j: Int) -> Name {
        let n = weightNumber(layer: l, source: i, target: j)
        return Name(plain: "w\(n)", latex: "w_{\(n)}")
    }

    /// The (layer, source, target) of weight number `n`, or nil when there is none.
    public func weightPosition(number n: Int) -> (layer: Int, source: Int, target: Int)? {
        var rest = n - 1
        guard rest >= 0 else { return nil }
        for l in 1...depth {
            let size = layers[l - 1] * layers[l]
            if rest < size { return (l, rest % layers[l - 1], rest / layers[l - 1]) }
            rest -= size
        }
        return nil
    }

    /// The bias of neuron `j` (0-based) of layer `l`.
    public func bias(layer l: Int, _ j: Int) -> Name {
        if sharedBias[l - 1] { return Name(plain: "b\(l)", latex: "b_{\(l)}") }
        return perNeuronBias(layer: l, j)
    }

    /// The per-neuron spelling b^(l)_j (plain `b1_2`) of the bias of neuron `j` (0-based) of
    /// layer `l`, also where the layer shares one bias (the checker accepts both spellings).
    public func perNeuronBias(layer l: Int, _ j: Int) -> Name {
        Name(plain: "b\(l)_\(j + 1)", latex: "b^{(\(l))}_{\(j + 1)}")
    }

    // MARK: Reading names back (the checker resolves fixture names through these)

    /// The (layer, 0-based index) of the neuron whose plain name is `plain`, or nil.
    public func neuronPosition(named plain: String) -> (layer: Int, index: Int)? {
        for l in 0...depth { for j in 0..<layers[l] where neuron(layer: l, j).plain == plain { return (l, j) } }
        return nil
    }

    /// The (layer, 0-based source, 0-based target) of the weight whose plain name is `plain`
    /// (`w5`), or nil.
    public func weightPosition(named plain: String) -> (layer: Int, source: Int, target: Int)? {
        guard plain.hasPrefix("w"), let n = Int(plain.dropFirst()), "w\(n)" == plain else { return nil }
        return weightPosition(number: n)
    }

    /// The bias named `plain`: its layer and the 0-based neuron, or nil for a layer's shared
    /// bias (`b1` when the layer shares one value). Per-neuron spellings (`b1_2`) are accepted
    /// on every layer. Nil when no bias has that name.
    public func biasPosition(named plain: String) -> (layer: Int, index: Int?)? {
        guard hasBias else { return nil }
        for l in 1...depth {
            for j in 0..<layers[l] {
                if perNeuronBias(layer: l, j).plain == plain { return (l, j) }
                if sharedBias[l - 1], bias(layer: l, j).plain == plain { return (l, nil) }
            }
        }
        return nil
    }
}
