/// A dense row-major matrix of Float64: the unit in which the engine computes and the trace travels.
///
/// Deliberately plain: the networks bptrace explains are small, and every loop below runs in the
/// contract's fixed evaluation order (sums left to right over increasing index), so results are
/// bit-for-bit reproducible.
public struct Matrix: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
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
    public func dot(_ other: Matrix) -> Matrix { var out = Matrix.none; dot(other, into: &out); return out }

    /// `self · other^T` without forming the transpose.
    public func dotTransposed(_ other: Matrix) -> Matrix { var out = Matrix.none; dotTransposed(other, into: &out); return out }

    /// `self^T · other` without forming the transpose (sums over the batch rows, in order).
    public func transposedDot(_ other: Matrix) -> Matrix { var out = Matrix.none; transposedDot(other, into: &out); return out }

    /// Element-wise map.
    public func map(_ f: (Double) -> Double) -> Matrix { var out = Matrix.none; map(into: &out, f); return out }

    /// Element-wise combination of two matrices of the same shape.
    public func zipWith(_ other: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
        var out = Matrix.none; zipWith(other, into: &out, f); return out
    }

    /// Column sums, each summed top to bottom, as a 1 x cols row.
    public func columnSums() -> Matrix { var out = Matrix.none; columnSums(into: &out); return out }

    /// The 0 x 0 matrix: what an operation's result starts from before it has a shape.
    public static let none = Matrix(rows: 0, cols: 0, values: [])

    /// The rows at the given 0-based indices, in that order (a batch of samples).
    public func selectingRows(_ indices: [Int]) -> Matrix {
        var v: [Double] = []
        v.reserveCapacity(indices.count * cols)
        for i in indices { v.append(contentsOf: values[(i * cols)..<((i + 1) * cols)]) }
        return Matrix(rows: indices.count, cols: cols, values: v)
    }
}
