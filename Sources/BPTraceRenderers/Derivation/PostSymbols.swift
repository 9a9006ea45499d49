import BPTrace

/// The post's symbols for the cells of one step (`\mathrm{net}_{h_{1}}`, `\mathrm{out}_{o_{1}}`,
/// `w_{5}`, `\delta_{o_{1}}`, a superscript `[r]` for the sample when a step has several), made
/// from `NetworkNames`.
public struct PostSymbols: Sendable {
    public let names: NetworkNames
    public let depth: Int
    /// Samples in the step's batch.
    public let batchSize: Int
    /// Whether gradients are of the cost C (L2) rather than the total error.
    public let ofCost: Bool

    public init(names: NetworkNames, depth: Int, batchSize: Int, ofCost: Bool) {
        self.names = names; self.depth = depth; self.batchSize = batchSize; self.ofCost = ofCost
    }

    public static let total = "E_{\\mathrm{total}}"
    public var objective: String { ofCost ? "C" : PostSymbols.total }

    public func sup(_ r: Int) -> String { batchSize > 1 ? "^{[\(r + 1)]}" : "" }
    public func neuron(_ l: Int, _ j: Int) -> String { names.neuron(layer: l, j).latex }
    public func net(_ l: Int, _ j: Int, _ r: Int) -> String { "\\mathrm{net}_{\(neuron(l, j))}" + sup(r) }
    public func out(_ l: Int, _ j: Int, _ r: Int) -> String { l == 0 ? neuron(0, j) + sup(r) : "\\mathrm{out}_{\(neuron(l, j))}" + sup(r) }
    public func target(_ j: Int, _ r: Int) -> String { "\\mathrm{target}_{\(neuron(depth, j))}" + sup(r) }
    public func delta(_ l: Int, _ j: Int, _ r: Int) -> String { "\\delta_{\(neuron(l, j))}" + sup(r) }
    public func errTerm(_ j: Int, _ r: Int) -> String { "E_{\(neuron(depth, j))}" + sup(r) }
    public func w(_ l: Int, _ i: Int, _ j: Int) -> String { names.weight(layer: l, source: i, target: j).latex }
    public func b(_ l: Int, _ j: Int) -> String { names.bias(layer: l, j).latex }
    public func plus(_ s: String) -> String { "{\(s)}^{+}" }
    public func partial(_ a: String, _ b: String) -> String { "\\frac{\\partial \(a)}{\\partial \(b)}" }

    /// The symbol of a traced cell in a derivation line.
    public func cell(_ ref: QuantityRef, _ r: Int, _ c: Int) -> String {
        let l = ref.layer
        switch ref.quantity {
        case .x: return out(0, c, r)
        case .y: return target(c, r)
        case .W: return w(l, r, c)
        case .WNew: return plus(w(l, r, c))
        case .b: return b(l, c)
        case .bNew: return plus(b(l, c))
        case .z: return net(l, c, r)
        case .a: return out(l, c, r)
        case .E: return "E_{\(neuron(depth, c))}" + sup(r)
        case .loss: return PostSymbols.total
        case .cost: return "C"
        case .slope: return partial(out(l, c, r), net(l, c, r))
        case .delta: return delta(l, c, r)
        case .err: return partial(PostSymbols.total, out(l, c, r))
        case .gradW: return partial(objective, w(l, r, c))
        case .gradB: return partial(objective, b(l, c))
        case .velW, .velB, .sqW, .sqB, .mW, .mB, .vW, .vB, .mHatW, .mHatB, .vHatW, .vHatB:
            // Optimizer state: its letter with the parameter's name, `m_{w_{5}}`, `\hat{v}_{b_{1}}`.
            let param = ref.quantity.optimizerStateOfWeights == true ? w(l, r, c) : b(l, c)
            return "\(LaTeXPrinter.stateLetter(ref.quantity) ?? "s")_{\(param)}"
        }
    }

    /// The previous step's value of an optimizer's state, `m_{w_{5}}^{(t-1)}`.
    public func previous(_ ref: QuantityRef, _ r: Int, _ c: Int) -> String {
        cell(ref, r, c) + LaTeXPrinter.previousMark
    }

    /// The symbol of a named step of a formula at its index values (softmax's max, e, Σe).
    public func step(_ name: String, _ values: [Int], layer l: Int) -> String {
        let r = values.first ?? 0
        switch name {
        case Catalogue.Step.rowMax: return "m" + sup(r)
        case Catalogue.Step.exp: return "e_{\(neuron(l, values.count > 1 ? values[1] : 0))}" + sup(r)
        case Catalogue.Step.expSum: return "\\Sigma e" + sup(r)
        default: return "\\mathrm{\(name)}"
        }
    }
}
