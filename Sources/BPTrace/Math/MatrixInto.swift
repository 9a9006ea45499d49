/// The matrix operations written into a result matrix the caller owns: the loops of the
/// engine's math, in the contract's fixed evaluation order. `Matrix.dot` and the other
/// value-returning forms call these with a fresh result; the trainer calls them with last
/// step's block of the same quantity (`StepResult[into:_:]`), so a run of many steps reuses
/// each block's storage instead of allocating it again every step. Results are bit-for-bit
/// the same either way.
///
/// Writing into `out` follows value semantics: when something else still holds `out`'s
/// storage (a sink that kept the block), the first write copies it first.
extension Matrix {
    /// Makes `self` a `rows` x `cols` matrix about to be overwritten: its storage is kept when
    /// the shape already matches, else it becomes zeros of that shape.
    public mutating func reshape(rows: Int, cols: Int) {
        if self.rows == rows && self.cols == cols { return }
        self = Matrix(rows: rows, cols: cols)
    }

    /// out = self · other, each element summed left to right over the inner index.
    public func dot(_ other: Matrix, into out: inout Matrix) {
        precondition(cols == other.rows)
        out.reshape(rows: rows, cols: other.cols)
        let n = cols, m = other.cols
        values.withUnsafeBufferPointer { x in
            other.values.withUnsafeBufferPointer { y in
                out.values.withUnsafeMutableBufferPointer { o in
                    for r in 0..<rows {
                        for c in 0..<m {
                            var s = 0.0
                            for k in 0..<n { s += x[r * n + k] * y[k * m + c] }
                            o[r * m + c] = s
                        }
                    }
                }
            }
        }
    }

    /// out = self · other^T without forming the transpose.
    public func dotTransposed(_ other: Matrix, into out: inout Matrix) {
        precondition(cols == other.cols)
        out.reshape(rows: rows, cols: other.rows)
        let n = cols, m = other.rows
        values.withUnsafeBufferPointer { x in
            other.values.withUnsafeBufferPointer { y in
                out.values.withUnsafeMutableBufferPointer { o in
                    for r in 0..<rows {
                        for c in 0..<m {
                            var s = 0.0
                            for k in 0..<n { s += x[r * n + k] * y[c * n + k] }
                            o[r * m + c] = s
                        }
                    }
                }
            }
        }
    }

    /// out = self^T · other without forming the transpose (sums over the batch rows, in order).
    public func transposedDot(_ other: Matrix, into out: inout Matrix) {
        precondition(rows == other.rows)
        out.reshape(rows: cols, cols: other.cols)
        let n = cols, m = other.cols
        values.withUnsafeBufferPointer { x in
            other.values.withUnsafeBufferPointer { y in
                out.values.withUnsafeMutableBufferPointer { o in
                    for r in 0..<n {
                        for c in 0..<m {
                            var s = 0.0
                            for k in 0..<rows { s += x[k * n + r] * y[k * m + c] }
                            o[r * m + c] = s
                        }
                    }
                }
            }
        }
    }

    /// out = f applied to each element.
    public func map(into out: inout Matrix, _ f: (Double) -> Double) {
        out.reshape(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { x in
            out.values.withUnsafeMutableBufferPointer { o in
                for i in 0..<x.count { o[i] = f(x[i]) }
            }
        }
    }

    /// out = f of the elements of self and other at the same place (same shapes).
    public func zipWith(_ other: Matrix, into out: inout Matrix, _ f: (Double, Double) -> Double) {
        precondition(rows == other.rows && cols == other.cols)
        out.reshape(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { x in
            other.values.withUnsafeBufferPointer { y in
                out.values.withUnsafeMutableBufferPointer { o in
                    for i in 0..<x.count { o[i] = f(x[i], y[i]) }
                }
            }
        }
    }

    /// out = the column sums, each summed top to bottom, as a 1 x cols row.
    public func columnSums(into out: inout Matrix) {
        out.reshape(rows: 1, cols: cols)
        let n = cols
        values.withUnsafeBufferPointer { x in
            out.values.withUnsafeMutableBufferPointer { o in
                for c in 0..<n {
                    var s = 0.0
                    for r in 0..<rows { s += x[r * n + c] }
                    o[c] = s
                }
            }
        }
    }

    /// out = the 1 x 1 matrix holding `value` (how scalars such as the loss travel).
    public static func scalar(_ value: Double, into out: inout Matrix) {
        out.reshape(rows: 1, cols: 1)
        out.values[0] = value
    }

    /// Adds the 1 x cols row `b` to every row of self (the bias of a layer, per sample).
    public mutating func addToEachRow(_ b: Matrix) {
        for r in 0..<rows { for c in 0..<cols { self[r, c] += b[0, c] } }
    }

    /// self = self ⊙ other, element by element (same shapes).
    public mutating func formProduct(_ other: Matrix) {
        precondition(rows == other.rows && cols == other.cols)
        other.values.withUnsafeBufferPointer { y in
            values.withUnsafeMutableBufferPointer { x in
                for i in 0..<x.count { x[i] = x[i] * y[i] }
            }
        }
    }
}
