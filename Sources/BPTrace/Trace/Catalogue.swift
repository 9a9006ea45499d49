/// One quantity of one layer: the address of a trace block within a step.
public struct QuantityRef: Hashable, Sendable, CustomStringConvertible {
    public let quantity: Quantity
    public let layer: Int
    public init(_ quantity: Quantity, _ layer: Int) { self.quantity = quantity; self.layer = layer }
    public var description: String { "\(quantity.rawValue)(\(layer))" }
}

/// How each quantity is computed: its stage, its formula as a cell template (`expression(of:)`,
/// in CatalogueExpressions.swift), the quantities it is computed from (read off the formula),
/// and its name in the Excel tutorial. The workbook prints its cell formulas from the templates;
/// the engine (`Trainer`) computes the same formulas by hand, and CatalogueEngineTests makes
/// the two agree.
public struct Catalogue: Sendable {
    public let spec: NetworkSpec
    public init(spec: NetworkSpec) { self.spec = spec }

    var L: Int { spec.depth }

    /// The quantities one step traces, in trace order (the order of `StepResult.blocks()`).
    public var stepQuantities: [QuantityRef] {
        var out: [QuantityRef] = [QuantityRef(.x, 0), QuantityRef(.y, L)]
        for l in 1...L { out.append(QuantityRef(.W, l)); if spec.bias { out.append(QuantityRef(.b, l)) } }
        for l in 1...L { out += [QuantityRef(.z, l), QuantityRef(.a, l)] }
        out += [QuantityRef(.E, L), QuantityRef(.loss, L)]
        if spec.l2 > 0 { out.append(QuantityRef(.cost, L)) }
        for l in 1...L where spec.activations[l - 1] != .softmax { out.append(QuantityRef(.slope, l)) }
        out.append(QuantityRef(.delta, L))
        for l in stride(from: L - 1, through: 1, by: -1) { out += [QuantityRef(.err, l), QuantityRef(.delta, l)] }
        for l in 1...L { out += [QuantityRef(.gradW, l), QuantityRef(.WNew, l)] }
        if spec.bias { for l in 1...L { out += [QuantityRef(.gradB, l), QuantityRef(.bNew, l)] } }
        return out
    }

    /// The stage that computes `ref`.
    public func stage(of ref: QuantityRef) -> Stage {
        switch ref.quantity {
        case .x, .y: return .readInputs
        case .W, .b: return .weightsAndBiases
        case .z: return ref.layer == L ? .output : .hiddenInput
        case .a: return ref.layer == L ? .output : .hiddenActivation
        case .E, .loss, .cost: return .error
        case .slope: return .slopes
        case .delta: return ref.layer == L ? .outputDelta : .hiddenDelta
        case .err: return .hiddenError
        case .gradW, .WNew: return .updateWeights
        case .gradB, .bNew: return .updateBiases
        }
    }

    /// The quantities `ref` is computed from, within the same step (empty for inputs x, y, W, b):
    /// the blocks its formula (`expression(of:)`) reads, in order of first appearance.
    public func operands(of ref: QuantityRef) -> [QuantityRef] {
        expression(of: ref)?.quantities ?? []
    }

    /// The formula in the contract's symbols, as plain text (`z(1) = a(0)·W(1) + b(1)`).
    public func formula(of ref: QuantityRef) -> String {
        let l = ref.layer
        let f = l >= 1 ? spec.activations[l - 1] : .linear
        let prev = l - 1 == 0 ? "x" : "a(\(l - 1))"
        switch ref.quantity {
        case .x: return "x = the step's input batch"
        case .y: return "y = the step's targets"
        case .W: return "W(\(l)) = weights at the start of the step"
        case .b: return "b(\(l)) = biases at the start of the step"
        case .z: return "z(\(l)) = \(prev)·W(\(l))" + (spec.bias ? " + b(\(l))" : "")
        case .a:
            switch f {
            case .sigmoid: return "a(\(l)) = 1 / (1 + exp(-z(\(l))))"
            case .tanh: return "a(\(l)) = tanh(z(\(l)))"
            case .relu: return "a(\(l)) = max(0, z(\(l)))"
            case .linear: return "a(\(l)) = z(\(l))"
            case .softmax: return "a(\(l)) = exp(z(\(l)) - max) / Σ exp(z(\(l)) - max), per sample"
            }
        case .E: return "E = y - a(\(L))"
        case .loss:
            switch spec.loss {
            case .halfSSE: return "loss = 1/2 · Σ (y - a(\(L)))²"
            case .mse: return "loss = mean of (y - a(\(L)))²"
            case .sum: return "loss = Σ a(\(L))"
            case .crossEntropy:
                return f == .softmax ? "loss = -(1/B) · Σ y·ln a(\(L))" : "loss = -(1/B) · Σ [y·ln a(\(L)) + (1-y)·ln(1-a(\(L)))]"
            }
        case .cost: return "cost = loss + (λ/2) · Σ W²"
        case .slope:
            switch f {
            case .sigmoid: return "slope(\(l)) = a(\(l)) · (1 - a(\(l)))"
            case .tanh: return "slope(\(l)) = 1 - a(\(l))²"
            case .relu: return "slope(\(l)) = 1 if z(\(l)) > 0 else 0"
            case .linear, .softmax: return "slope(\(l)) = 1"
            }
        case .delta:
            if l < L { return "delta(\(l)) = err(\(l)) ⊙ slope(\(l))" }
            switch spec.loss {
            case .halfSSE: return "delta(\(L)) = (a(\(L)) - y) ⊙ slope(\(L))"
            case .mse: return "delta(\(L)) = 2(a(\(L)) - y) / (B·n\(L)) ⊙ slope(\(L))"
            case .crossEntropy: return "delta(\(L)) = (a(\(L)) - y) / B"
            case .sum: return "delta(\(L)) = slope(\(L))"
            }
        case .err:
            return spec.update == .immediate ? "err(\(l)) = delta(\(l + 1))·W_new(\(l + 1))ᵀ" : "err(\(l)) = delta(\(l + 1))·W(\(l + 1))ᵀ"
        case .gradW: return "grad_W(\(l)) = \(prev)ᵀ·delta(\(l))" + (spec.l2 > 0 ? " + λ·W(\(l))" : "")
        case .WNew: return "W_new(\(l)) = W(\(l)) - η·grad_W(\(l))"
        case .gradB: return "grad_b(\(l)) = column sums of delta(\(l))"
        case .bNew: return spec.updateBiases ? "b_new(\(l)) = b(\(l)) - η·grad_b(\(l))" : "b_new(\(l)) = b(\(l)) (biases are not trained)"
        }
    }

    /// The variable's name in the Excel tutorial's code (`hidden_layer_input`, `d_output`, ...);
    /// layers beyond the tutorial's single hidden layer get the layer number appended.
    public func tutorialName(of ref: QuantityRef) -> String {
        let l = ref.layer
        let hidden = l < L
        let suffix = L > 2 && hidden ? "_\(l)" : ""
        switch ref.quantity {
        case .x: return "X"
        case .y: return "y"
        case .W: return hidden ? "wh\(suffix)" : "wout"
        case .b: return hidden ? "bh\(suffix)" : "bout"
        case .z: return hidden ? "hidden_layer_input\(suffix)" : "output_layer_input"
        case .a: return hidden ? "hiddenlayer_activations\(suffix)" : "output"
        case .E: return "E"
        case .loss: return "loss"
        case .cost: return "cost"
        case .slope: return hidden ? "slope_hidden_layer\(suffix)" : "slope_output_layer"
        case .delta: return hidden ? "d_hiddenlayer\(suffix)" : "d_output"
        case .err: return "Error_at_hidden_layer\(suffix)"
        case .gradW: return hidden ? "grad_wh\(suffix)" : "grad_wout"
        case .gradB: return hidden ? "grad_bh\(suffix)" : "grad_bout"
        case .WNew: return hidden ? "wh\(suffix) (updated)" : "wout (updated)"
        case .bNew: return hidden ? "bh\(suffix) (updated)" : "bout (updated)"
        }
    }
}

extension QuantityRef {
    /// a(0) is the input x: operands name the block that is traced.
    var inputAware: QuantityRef { quantity == .a && layer == 0 ? QuantityRef(.x, 0) : self }
}
