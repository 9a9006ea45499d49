/// A dense row-major matrix of Float64: the unit in which the engine computes and the trace travels.
///
/// Deliberately plain: the networks bptrace explains are small, and every loop below runs in the
/// contract's fixed evaluation order (sums left to right over increasing index), so results are
/// bit-for-bit reproducible.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    /// Row-major values: element (r, c) is `values[r * cols + c]` (0-based).
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "matrix \(rows)x\(cols) needs \(rows * cols) values")
        self.rows = rows; self.cols = cols; self.values = values
    }

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        self.init(rows: rows, cols: cols, values: Array(repeating: value, count: rows * cols))
    }

    /// A matrix from nested rows; all rows must have the same length.
    public init(_ nested: [[Double]]) {
        let cols = nested.first?.count ?? 0
        self.init(rows: nested.count, cols: cols, values: nested.flatMap { $0 })
    }

    /// A 1 x n row vector (how biases and scalar losses travel in the trace).
    public init(row: [Double]) { self.init(rows: 1, cols: row.count, values: row) }

    public subscript(r: Int, c: Int) -> Double {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    /// Row r as an array.
    public func row(_ r: Int) -> [Double] { Array(values[(r * cols)..<((r + 1) * cols)]) }

    /// Nested rows, for printing and tests.
    public var nested: [[Double]] { (0..<rows).map(row) }

    /// `self · other`, each element summed left to right over the inner index.
    public func dot(_ other: Matrix) -> Matrix {
        precondition(cols == other.rows)
        var out = Matrix(rows: rows, cols: other.cols)
        for r in 0..<rows {
            for c in 0..<other.cols {
                var s = 0.0
                for k in 0..<cols { s += self[r, k] * other[k, c] }
                out[r, c] = s
            }
        }
        return out
    }

    /// `self · other^T` without forming the transpose.
    public func dotTransposed(_ other: Matrix) -> Matrix {
        precondition(cols == other.cols)
        var out = Matrix(rows: rows, cols: other.rows)
        for r in 0..<rows {
            for c in 0..<other.rows {
                var s = 0.0
                for k in 0..<cols { s += self[r, k] * other[c, k] }
                out[r, c] = s
            }
        }
        return out
    }

    /// `self^T · other` without forming the transpose (sums over the batch rows, in order).
    public func transposedDot(_ other: Matrix) -> Matrix {
        precondition(rows == other.rows)
        var out = Matrix(rows: cols, cols: other.cols)
        for r in 0..<cols {
            for c in 0..<other.cols {
                var s = 0.0
                for k in 0..<rows { s += self[k, r] * other[k, c] }
                out[r, c] = s
            }
        }
        return out
    }

    /// Element-wise map.
    public func map(_ f: (Double) -> Double) -> Matrix {
        Matrix(rows: rows, cols: cols, values: values.map(f))
    }

    /// Element-wise combination of two matrices of the same shape.
    public func zipWith(_ other: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
        precondition(rows == other.rows && cols == other.cols)
        var out = self
        for i in 0..<values.count { out.values[i] = f(values[i], other.values[i]) }
        return out
    }

    /// Column sums, each summed top to bottom, as a 1 x cols row.
    public func columnSums() -> Matrix {
        var out = Matrix(rows: 1, cols: cols)
        for c in 0..<cols {
            var s = 0.0
            for r in 0..<rows { s += self[r, c] }
            out[0, c] = s
        }
        return out
    }

    /// The rows at the given 0-based indices, in that order (a batch of samples).
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var v: [Double] = []
        v.reserveCapacity(indices.count * cols)
        for i in indices { v.append(contentsOf: values[(i * cols)..<((i + 1) * cols)]) }
        return Matrix(rows: indices.count, cols: cols, values: v)
    }
}
