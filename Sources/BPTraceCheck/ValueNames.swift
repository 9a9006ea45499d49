import BPTrace
import Foundation

// The name grammar of fixture values: the one place where a written name (`out_o1`,
// `dE_total/dw5`, `w5+@2`, `d_output[3,1]`, `a(2)[1,1]`) becomes an address in a step's
// intermediates. Neuron, weight and bias names come from `NetworkNames`, the names the handout
// and the workbook print; this file only reads them back.
//
// entry      := base [ "[" index "]" ] [ "@" step ]      (the two selectors in either order)
// base       := value | derivative | tutorial | coordinate
//
// value      := "net_" N          z of a hidden or output neuron          net_h1, net_o2
//             | "out_" N | I     a of a neuron (x for an input)           out_h1, out_o1, i2
//             | "t_" O | "target_" O   the target of an output            t_o1
//             | "E_" O             the loss's term of one output          E_o1 = 1/2 (t1 - o1)^2
//             | "E_total"          the batch's data loss                  E_total
//             | "cost"             loss + L2 term (the loss when l2 = 0)
//             | W [ "+" ]          a weight at the start of the step, or after its update   w5, w5+
//             | B [ "+" ]          a bias, or after its update            b1, b1+, b1_2+
// derivative := "d" top "/d" bottom    (∂ may stand for d; "E" for "E_total")
//   dE_total/dout_O    dL/do                      dE_total/dout_H   err (dL/da)
//   dE_total/dout_I    dL/dx (delta(1)·W(1)ᵀ)      dE_total/dnet_N   delta (dL/dz)
//   dE_total/dW        grad_W (of the cost)       dE_total/dB       grad_b (a shared bias: the
//                                                                   sum over its layer)
//   dE_O/dout_O        the output's own dE/do     dE_O/dnet_O       delta(L) (element-wise outputs)
//   dE_O/dout_H        delta(L)·w, H in layer L-1: the product the post adds up into err
//   dout_N/dnet_N      slope                      dnet_N/dW          the source's activation
//   dnet_N/dout_M      the weight from M to N     dnet_N/dB          1
// tutorial   := the Excel tutorial's code names (`Catalogue.tutorialName`): X, y, wh, bh, wout,
//               bout, hidden_layer_input, hiddenlayer_activations, output_layer_input, output,
//               E, slope_hidden_layer, slope_output_layer, d_output, Error_at_hidden_layer,
//               d_hiddenlayer, loss, cost, grad_wh, grad_wout, grad_bh, grad_bout; "+" after
//               wh, bh, wout, bout for the updated values; index "[row,col]" (1-based; row =
//               sample for batch quantities; "[col]" for one-row quantities). They carry the
//               tutorial's sign: d_output = E·slope = -delta(L), Error_at_hidden_layer = -err,
//               d_hiddenlayer = -delta.
// coordinate := QUANTITY "(" layer ")" "[" row "," col "]"   the contract's quantity names: a(2)[1,1]
//
// N is any neuron name, O an output (o1...), H a hidden neuron (h1... with one hidden layer,
// h2_1... with several), I an input (i1...), W a weight (w1...), B a bias (b1 when the layer
// shares one value or has one neuron, b1_2 for neuron 2 of layer 1 always). `[k]` after a
// per-sample name selects sample k of the step's batch (required when the batch has several);
// `@s` selects step s (default 1): `E_total@2` is the loss after the first update.

/// A value of one training step, addressed independently of the network's names.
public enum ValueTarget: Equatable, Sendable {
    /// A cell of a traced quantity (1-based row and column, as in the trace's CSV).
    case cell(Quantity, layer: Int, row: Int, col: Int)
    /// The negated cell: the Excel tutorial's sign (d_output = E·slope = -delta).
    case negatedCell(Quantity, layer: Int, row: Int, col: Int)
    /// The loss's term of output `output` for sample `sample` (E_o1).
    case outputTerm(sample: Int, output: Int)
    /// dL/d(output) of one output for one sample (dE_total/dout_o1).
    case outputDerivative(sample: Int, output: Int)
    /// dL/dx of one input for one sample: delta(1)·W(1)ᵀ, through the weights err uses.
    case inputError(sample: Int, input: Int)
    /// delta(L)[sample, output] · W(L)[hidden, output]: the post's dE_o1/dout_h1.
    case errTerm(sample: Int, hidden: Int, output: Int)
    /// The gradient of a bias shared by every neuron of `layer`: the sum of grad_b over the layer.
    case sharedBiasGradient(layer: Int)
    /// The cost (the loss when l2 = 0).
    case cost
    /// A constant (dnet_h1/db1 = 1).
    case constant(Double)
}

/// A resolved fixture name: what to read, at which step.
public struct ResolvedName: Equatable, Sendable {
    /// The canonical spelling, with its selectors (`out_o1[2]@3`).
    public let label: String
    public let target: ValueTarget
    public let step: Int
}

/// Why a name cannot be read in this network.
public struct NameError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Resolves names of the grammar above against one network.
public struct ValueNames: Sendable {
    public let spec: NetworkSpec
    public let names: NetworkNames
    /// Samples per step (the batch size B).
    public let batchSize: Int
    let catalogue: Catalogue

    public init(spec: NetworkSpec) {
        self.spec = spec
        self.names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        self.catalogue = Catalogue(spec: spec)
        switch spec.batch {
        case .full: batchSize = spec.data.count
        case .sample: batchSize = 1
        case .size(let k): batchSize = k
        }
    }

    var L: Int { spec.depth }

    // MARK: Parsing the selectors

    /// Splits `name[k]@s` (either order) into the base and its selectors.
    static func splitSelectors(_ text: String) throws -> (base: String, index: String?, step: Int?) {
        var base = Substring(text.filter { !$0.isWhitespace })
        var index: String? = nil, step: Int? = nil
        for _ in 0..<2 {
            if let at = base.lastIndex(of: "@"), !base[base.index(after: at)...].contains("]") {
                let digits = base[base.index(after: at)...]
                guard let s = Int(digits), s >= 1, String(s) == digits else {
                    throw NameError("\"\(text)\": the step selector after @ must be a step number >= 1, found \"\(digits)\"")
                }
                guard step == nil else { throw NameError("\"\(text)\": two step selectors") }
                step = s
                base = base[..<at]
            } else if base.hasSuffix("]"), let open = base.lastIndex(of: "[") {
                guard index == nil else { throw NameError("\"\(text)\": two [...] selectors") }
                index = String(base[base.index(after: open)..<base.index(before: base.endIndex)]).replacingOccurrences(of: " ", with: "")
                base = base[..<open]
            }
        }
        guard !base.isEmpty else { throw NameError("\"\(text)\": a name is missing before the selectors") }
        return (String(base), index, step)
    }

    /// Resolves `text` (with optional `[k]`/`@s` selectors) with optional `sample` and `step`
    /// given apart (a fixture entry's fields); a selector and a field that disagree are an error.
    public func resolve(_ text: String, sample sampleField: Int? = nil, step stepField: Int? = nil) throws -> ResolvedName {
        let (base, index, stepSel) = try Self.splitSelectors(text)
        if let a = stepSel, let b = stepField, a != b {
            throw NameError("\"\(text)\" says step \(a) but the entry's \"step\" is \(b)")
        }
        let step = stepSel ?? stepField ?? 1
        let stepSuffix = step == 1 ? "" : "@\(step)"

        // The contract's coordinates, written as a name: a(2)[1,1].
        if let q = coordinateQuantity(base) {
            guard let index, let (r, c) = Self.pair(index) else {
                throw NameError("\"\(text)\": a coordinate name needs [row,col], e.g. \(base)[1,1]")
            }
            if sampleField != nil { throw NameError("\"\(text)\": give the row in [row,col], not a \"sample\" field") }
            let target = try cell(q.quantity, layer: q.layer, row: r, col: c, what: text)
            return ResolvedName(label: "\(base)[\(r),\(c)]\(stepSuffix)", target: target, step: step)
        }
        // The Excel tutorial's code names.
        if let (ref, negated) = tutorialQuantity(base) {
            let (r, c) = try tutorialIndex(index, for: ref, name: base, text: text)
            if sampleField != nil { throw NameError("\"\(text)\": give the row in [row,col], not a \"sample\" field") }
            _ = try cell(ref.quantity, layer: ref.layer, row: r, col: c, what: text)
            let target: ValueTarget = negated ? .negatedCell(ref.quantity, layer: ref.layer, row: r, col: c)
                                              : .cell(ref.quantity, layer: ref.layer, row: r, col: c)
            let one = shape(ref.quantity, layer: ref.layer).map { $0.rows == 1 && $0.cols == 1 } ?? false
            return ResolvedName(label: (one ? base : "\(base)[\(r),\(c)]") + stepSuffix, target: target, step: step)
        }

        // Post-style names.
        var sample: Int? = sampleField
        if let index {
            guard let k = Int(index), String(k) == index else {
                throw NameError("\"\(text)\": [\(index)] after a post-style name selects a sample of the batch and must be one number, e.g. [2]")
            }
            if let f = sampleField, f != k { throw NameError("\"\(text)\" says sample \(k) but the entry's \"sample\" is \(f)") }
            sample = k
        }
        let (target, perSample) = try resolveBase(base)
        var label = base
        var finalTarget = target
        if perSample {
            let s: Int
            if let sample {
                guard (1...batchSize).contains(sample) else {
                    throw NameError("\"\(text)\": sample \(sample) is not in the step's batch, which has \(batchSize) sample\(batchSize == 1 ? "" : "s") (1...\(batchSize))")
                }
                s = sample
            } else {
                guard batchSize == 1 else {
                    throw NameError("\"\(base)\" has one value per sample and each step's batch has \(batchSize): select one, e.g. \(base)[1] or a \"sample\" field")
                }
                s = 1
            }
            finalTarget = Self.withSample(target, s)
            if batchSize > 1 { label += "[\(s)]" }
        } else if let sample {
            throw NameError("\"\(base)\" is one number for the whole step, not one per sample: drop the sample selector [\(sample)]")
        }
        return ResolvedName(label: label + stepSuffix, target: finalTarget, step: step)
    }

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
        return out
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

    // MARK: Contract coordinates and tutorial names

    /// `a(2)` → (a, 2).
    func coordinateQuantity(_ base: String) -> QuantityRef? {
        guard base.hasSuffix(")"), let open = base.firstIndex(of: "("),
              let q = Quantity(rawValue: String(base[..<open])),
              let l = Int(base[base.index(after: open)..<base.index(before: base.endIndex)]) else { return nil }
        return QuantityRef(q, l)
    }

    /// The shape of a quantity in one step (rows, cols), or nil when the network has no such
    /// block: the catalogue's descriptors (`Catalogue.exists`, `shape(of:batchSize:)`).
    public func shape(_ q: Quantity, layer l: Int) -> (rows: Int, cols: Int)? {
        let catalogue = Catalogue(spec: spec), ref = QuantityRef(q, l)
        guard catalogue.exists(ref) else { return nil }
        return catalogue.shape(of: ref, batchSize: batchSize)
    }

    /// A checked contract cell: the quantity exists in that layer and row/col are in range.
    public func cell(_ q: Quantity, layer l: Int, row r: Int, col c: Int, what: String) throws -> ValueTarget {
        guard let (rows, cols) = shape(q, layer: l) else {
            throw NameError("\"\(what)\": this network has no \(q.rawValue) in layer \(l)" + (l > L || l < 0 ? " (its layers are 0..\(L))" : ""))
        }
        guard (1...rows).contains(r), (1...cols).contains(c) else {
            throw NameError("\"\(what)\": \(q.rawValue)(\(l)) is \(rows) x \(cols) in each step, so [\(r),\(c)] is outside it")
        }
        return .cell(q, layer: l, row: r, col: c)
    }

    /// The tutorial's name → (quantity, whether the tutorial's sign is the negation).
    func tutorialQuantity(_ base: String) -> (QuantityRef, Bool)? {
        for ref in catalogue.stepQuantities {
            var name = catalogue.tutorialName(of: ref)
            if name.hasSuffix(" (updated)") { name = String(name.dropLast(" (updated)".count)) + "+" }
            if name == base {
                let negated = ref.quantity == .delta || ref.quantity == .err
                return (ref, negated)
            }
        }
        return nil
    }

    func tutorialIndex(_ index: String?, for ref: QuantityRef, name: String, text: String) throws -> (Int, Int) {
        guard let (rows, _) = shape(ref.quantity, layer: ref.layer) else { throw NameError("\"\(text)\": no such quantity in this network") }
        guard let index else {
            if rows == 1, shape(ref.quantity, layer: ref.layer)!.cols == 1 { return (1, 1) }
            throw NameError("\"\(text)\": \(name) is a matrix; give [row,col] (1-based), e.g. \(name)[1,1]")
        }
        if let p = Self.pair(index) { return p }
        if let c = Int(index), rows == 1 { return (1, c) }
        throw NameError("\"\(text)\": expected [row,col] (1-based) after \(name)" + (rows == 1 ? " or [col]" : ""))
    }

    static func pair(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let r = Int(parts[0]), let c = Int(parts[1]) else { return nil }
        return (r, c)
    }

    // MARK: Names of a whole step (for snapshots)

    /// The post-style names of every neuron value, derivative and parameter of one step, in the
    /// post's reading order: forward pass, errors, output layer backward, hidden layers backward,
    /// updates. Per-sample names carry `[k]` when the batch has several samples.
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
        return out
    }
}

extension ValueTarget {
    /// The step's value at this address; nil when the step has no such block. Every value is
    /// a traced cell or the catalogue's formula evaluated over the step (`Catalogue.lossTerm`,
    /// `lossDerivative`, `inputError`, `errTerm`): products with a weight (`errTerm`,
    /// `inputError`) use the weights err uses, W_new under `spec.update == .immediate`.
    public func read(_ r: StepResult, spec: NetworkSpec) -> Double? {
        let catalogue = Catalogue(spec: spec)
        let L = spec.depth
        func value(_ e: Expr?, row: Int, col: Int, bound: [String: Int] = [:]) -> Double? {
            guard let e else { return nil }
            // Every block the formula reads must be there, the cell inside it.
            for ref in e.quantities { guard r[ref] != nil else { return nil } }
            return Evaluator(spec: spec, step: r).evaluate(e, IndexValues(row: row, col: col, bound: bound))
        }
        func inside(_ q: Quantity, _ l: Int, _ row: Int, _ col: Int) -> Bool {
            guard let m = r[q, l] else { return false }
            return row >= 1 && col >= 1 && row <= m.rows && col <= m.cols
        }
        switch self {
        case let .cell(q, l, row, col), let .negatedCell(q, l, row, col):
            let ref = q == .a && l == 0 ? QuantityRef(.x, 0) : QuantityRef(q, l)
            guard let m = r[ref], row >= 1, col >= 1, row <= m.rows, col <= m.cols else { return nil }
            let v = m[row - 1, col - 1]
            if case .negatedCell = self { return -v }
            return v
        case let .outputTerm(s, k):
            guard inside(.a, L, s, k) else { return nil }
            return value(catalogue.lossTerm, row: 0, col: 0, bound: ["r": s - 1, "c": k - 1])
        case let .outputDerivative(s, k):
            guard inside(.a, L, s, k) else { return nil }
            return value(catalogue.lossDerivative, row: s - 1, col: k - 1)
        case let .inputError(s, i):
            guard inside(.x, 0, s, i) else { return nil }
            return value(catalogue.inputError, row: s - 1, col: i - 1)
        case let .errTerm(s, h, o):
            guard inside(.a, L, s, o), inside(.a, L - 1, s, h) else { return nil }
            return value(catalogue.errTerm, row: s - 1, col: h - 1, bound: ["k": o - 1])
        case let .sharedBiasGradient(l):
            return value(catalogue.sharedBiasGradient(layer: l), row: 0, col: 0)
        case .cost: return r.cost ?? r.loss
        case let .constant(v): return v
        }
    }
}
