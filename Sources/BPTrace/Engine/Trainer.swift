/// The training engine: one step of forward pass, loss, backward pass and update, written a
/// line per formula of docs/SPEC.md, "Conventions", in Float64 and one fixed evaluation order.
public struct Trainer: Sendable {
    public let spec: NetworkSpec
    /// The parameters at the start of the next step.
    public private(set) var parameters: Parameters

    public init(spec: NetworkSpec, parameters: Parameters? = nil) {
        self.spec = spec
        self.parameters = parameters ?? spec.initialParameters()
    }

    /// Runs training step `s` (1-based) from the current parameters, advances them to the
    /// updated ones, and returns every intermediate.
    public mutating func step(_ s: Int) -> StepResult {
        var r = forward(s)
        let L = spec.depth
        // delta(L) = dL/dz(L), from the loss.
        backward(&r, outputDelta: spec.loss.outputDelta(outputs: r.a[L], targets: r.y, slope: r.slope[L]))
        parameters = r.updatedParameters
        return r
    }

    /// Stages 1–7 at the current parameters: the step's batch, the forward pass, the loss,
    /// E and the slopes. The backward fields of the result are empty.
    public func forward(_ s: Int) -> StepResult {
        let L = spec.depth
        let f = [Activation.linear] + spec.activations          // f[l] for l = 1..L
        let rows = spec.batch.indices(step: s, count: spec.data.count)
        let x = spec.data.inputs.selectingRows(rows)
        let t = spec.data.targets.selectingRows(rows)
        let W: [Matrix?] = [nil] + parameters.weights.map { Optional($0) }
        let b: [Matrix?] = [nil] + (spec.bias ? parameters.biases.map { Optional($0) } : Array(repeating: nil, count: L))

        // Forward: z(l) = a(l-1)·W(l) + b(l); a(l) = f(z(l)).
        var z: [Matrix?] = [nil], a: [Matrix] = [x]
        for l in 1...L {
            var zl = a[l - 1].dot(W[l]!)
            if let bl = b[l] { for r in 0..<zl.rows { for c in 0..<zl.cols { zl[r, c] += bl[0, c] } } }
            z.append(zl)
            a.append(f[l].apply(zl))
        }
        let o = a[L]

        // Loss at the start-of-step weights; cost adds (lambda/2)·Σ W².
        let loss = spec.loss.value(outputs: o, targets: t, outputActivation: f[L])
        var cost: Double? = nil
        if spec.l2 > 0 {
            var squares = 0.0
            for l in 1...L { for w in W[l]!.values { squares += w * w } }
            cost = loss + spec.l2 / 2 * squares
        }
        let E = t.zipWith(o) { $0 - $1 }                          // E = t - o

        // slope(l) = f'(z(l)), from the activation where the tutorials do.
        let slope: [Matrix?] = [nil] + (1...L).map { l -> Matrix? in f[l].slope(z: z[l]!, a: a[l]) }
        let none = [Matrix?](repeating: nil, count: L + 1)
        return StepResult(step: s, x: x, y: t, W: W, b: b, z: z, a: a, loss: loss, cost: cost, E: E, slope: slope,
                          delta: none, err: none, gradW: none, gradB: none, WNew: none, bNew: none)
    }

    /// Stages 8–12: the backward pass from the output delta `outputDelta` and the update,
    /// written into `r` (a result of `forward`). The learning rate is applied in the update.
    public func backward(_ r: inout StepResult, outputDelta: Matrix) {
        let L = spec.depth
        r.delta[L] = outputDelta
        for l in stride(from: L, through: 1, by: -1) {
            let W = r.W[l]!, delta = r.delta[l]!
            var g = r.a[l - 1].transposedDot(delta)               // grad_W = a(l-1)^T·delta(l) + lambda·W(l)
            if spec.l2 > 0 { g = g.zipWith(W) { $0 + spec.l2 * $1 } }
            r.gradW[l] = g
            r.WNew[l] = W.zipWith(g) { $0 - spec.learningRate * $1 }    // W_new = W - eta·grad_W
            if let bl = r.b[l] {
                let gb = delta.columnSums()                        // grad_b = column sums of delta(l)
                r.gradB[l] = gb
                r.bNew[l] = spec.updateBiases ? bl.zipWith(gb) { $0 - spec.learningRate * $1 } : bl
            }
            if l > 1 {
                // err(l-1) = delta(l)·W(l)^T, with the updated W(l) under the immediate order.
                let through = spec.update == .immediate ? r.WNew[l]! : W
                r.err[l - 1] = delta.dotTransposed(through)
                r.delta[l - 1] = r.err[l - 1]!.zipWith(r.slope[l - 1]!) { $0 * $1 }   // delta = err ⊙ slope
            }
        }
    }
}
