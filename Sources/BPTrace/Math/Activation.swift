import Foundation

/// An activation function f of a layer (docs/SPEC.md).
public enum Activation: String, CaseIterable, Sendable {
    case sigmoid, tanh, relu, linear, softmax

    /// a = f(z), element-wise except softmax, which works on each row (sample) and subtracts
    /// the row maximum first.
    public func apply(_ z: Matrix) -> Matrix { var out = Matrix.none; apply(z, into: &out); return out }

    /// out = f(z) (`apply`), written into `out` (`MatrixInto.swift`).
    public func apply(_ z: Matrix, into out: inout Matrix) {
        switch self {
        case .sigmoid: z.map(into: &out) { 1.0 / (1.0 + Foundation.exp(-$0)) }
        case .tanh: z.map(into: &out) { Foundation.tanh($0) }
        case .relu: z.map(into: &out) { $0 > 0 ? $0 : 0.0 }
        case .linear: out = z
        case .softmax:
            out.reshape(rows: z.rows, cols: z.cols)
            for r in 0..<z.rows {
                var m = z[r, 0]
                for c in 1..<z.cols where z[r, c] > m { m = z[r, c] }
                var s = 0.0
                for c in 0..<z.cols { let e = Foundation.exp(z[r, c] - m); out[r, c] = e; s += e }
                for c in 0..<z.cols { out[r, c] /= s }
            }
        }
    }

    /// Whether f works on each value alone; softmax works on a whole row (sample), so its
    /// outputs come after all of the row's net inputs and it has no element-wise slope.
    public var isElementwise: Bool { self != .softmax }

    /// slope = f'(z), written from the activation where the tutorials do:
    /// sigmoid a(1-a), tanh 1-a², relu 1 if z > 0 else 0, linear 1. `nil` for softmax, whose
    /// Jacobian is not element-wise (the contract pairs it with cross-entropy, whose delta is o - t).
    public func slope(z: Matrix, a: Matrix) -> Matrix? {
        var out = Matrix.none
        return slope(z: z, a: a, into: &out) ? out : nil
    }

    /// out = f'(z) (`slope`), written into `out`; false (out untouched) for softmax.
    public func slope(z: Matrix, a: Matrix, into out: inout Matrix) -> Bool {
        switch self {
        case .sigmoid: a.map(into: &out) { $0 * (1.0 - $0) }
        case .tanh: a.map(into: &out) { 1.0 - $0 * $0 }
        case .relu: z.map(into: &out) { $0 > 0 ? 1.0 : 0.0 }
        case .linear: z.map(into: &out) { _ in 1.0 }
        case .softmax: return false
        }
        return true
    }
}
