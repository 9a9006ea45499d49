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
            if q.optimizerStateOfWeights != nil, (1...L).contains(l) { throw NameError(stateMessage(q, layer: l, name: what)) }
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
}
