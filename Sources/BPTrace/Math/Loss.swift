import Foundation

/// The data loss of a batch (docs/SPEC.md, "Conventions"), with its output delta dL/dz(L).
public enum Loss: String, CaseIterable, Sendable {
    case halfSSE = "half_sse"
    case mse
    case crossEntropy = "cross_entropy"
    case sum
    /// Multiclass SVM (cs231n): margin 1, linear output layer, one-hot targets.
    case hinge

    /// The loss of outputs `o` against targets `t` (B x nL each), summed in row-major order.
    /// `f` is the output activation; it matters only for cross-entropy:
    /// softmax output -(1/B)·Σ t·ln(o); sigmoid output -(1/B)·Σ [t·ln(o) + (1-t)·ln(1-o)],
    /// skipping terms whose coefficient is 0 (0·ln 0 = 0).
    public func value(outputs o: Matrix, targets t: Matrix, outputActivation f: Activation) -> Double {
        var s = 0.0
        switch self {
        case .halfSSE:
            for i in 0..<o.values.count { let d = t.values[i] - o.values[i]; s += d * d }
            return 0.5 * s
        case .mse:
            for i in 0..<o.values.count { let d = t.values[i] - o.values[i]; s += d * d }
            return s / Double(o.values.count)
        case .sum:
            for v in o.values { s += v }
            return s
        case .crossEntropy:
            for i in 0..<o.values.count {
                let ti = t.values[i], oi = o.values[i]
                if ti != 0 { s += ti * Foundation.log(oi) }
                if f != .softmax, 1.0 - ti != 0 { s += (1.0 - ti) * Foundation.log(1.0 - oi) }
            }
            return -s / Double(o.rows)
        case .hinge:
            // (1/B)·Σ_i Σ_{j≠y_i} max(0, o_ij − o_iy + 1)
            for i in 0..<o.rows {
                let y = Loss.targetClass(t, row: i), oy = o[i, y]
                for j in 0..<o.cols where j != y { s += Loss.hingeMargin(o[i, j], oy) }
            }
            return s / Double(o.rows)
        }
    }

    /// The index of the 1 in target row `i` (the hinge loss's class y_i; the spec parser
    /// checks each row is one-hot). The first largest entry, so it never traps.
    public static func targetClass(_ t: Matrix, row i: Int) -> Int {
        var y = 0
        for j in 1..<Swift.max(t.cols, 1) where t[i, j] > t[i, y] { y = j }
        return y
    }

    /// max(0, o_j − o_y + 1), the hinge's part of one non-target class (strict: 0 at the kink).
    public static func hingeMargin(_ oj: Double, _ oy: Double) -> Double {
        let m = oj - oy + 1.0
        return m > 0 ? m : 0.0
    }

    /// delta(L) = dL/dz(L): (o-t)⊙slope for half_sse, 2(o-t)/(B·nL)⊙slope for mse,
    /// (o-t)/B for cross_entropy (softmax or sigmoid output), slope for sum, g/B⊙slope for hinge
    /// (g_ij = 1 for j ≠ y_i with a positive margin, g_iy = −(their number), else 0).
    /// `slope` is nil only for softmax, which the spec pairs with cross-entropy.
    public func outputDelta(outputs o: Matrix, targets t: Matrix, slope: Matrix?) -> Matrix {
        var out = Matrix.none
        outputDelta(outputs: o, targets: t, slope: slope, into: &out)
        return out
    }

    /// `outputDelta`, written into `out` (`MatrixInto.swift`).
    public func outputDelta(outputs o: Matrix, targets t: Matrix, slope: Matrix?, into out: inout Matrix) {
        let b = Double(o.rows), n = Double(o.cols)
        switch self {
        case .halfSSE: o.zipWith(t, into: &out) { $0 - $1 }; out.formProduct(slope!)
        case .mse: o.zipWith(t, into: &out) { 2.0 * ($0 - $1) / (b * n) }; out.formProduct(slope!)
        case .crossEntropy: o.zipWith(t, into: &out) { ($0 - $1) / b }
        case .sum: out = slope!
        case .hinge:
            var g = Matrix(rows: o.rows, cols: o.cols)
            for i in 0..<o.rows {
                let y = Loss.targetClass(t, row: i), oy = o[i, y]
                for j in 0..<o.cols where j != y && Loss.hingeMargin(o[i, j], oy) > 0 { g[i, j] = 1; g[i, y] -= 1 }
            }
            g.zipWith(slope!, into: &out) { $0 / b * $1 }
        }
    }
}
