import Foundation

/// Computes an expression for one cell from a step's values, in the engine's order: sums from
/// 0.0, left to right, the first binding outermost; max keeps the first of equal values;
/// function values from Foundation as the engine takes them. Where the arithmetic is the same
/// as the engine's, the result is the same to the last bit.
public struct Evaluator: Sendable {
    public let value: @Sendable (QuantityRef, Int, Int) -> Double
    public let shape: @Sendable (QuantityRef) -> (rows: Int, cols: Int)
    public let hyper: @Sendable (Hyper) -> Double
    /// The previous step's traced value of a cell (`Expr.previous`); 0 when there is none (step 1).
    public let previous: @Sendable (QuantityRef, Int, Int) -> Double

    public init(value: @escaping @Sendable (QuantityRef, Int, Int) -> Double,
                shape: @escaping @Sendable (QuantityRef) -> (rows: Int, cols: Int),
                hyper: @escaping @Sendable (Hyper) -> Double,
                previous: @escaping @Sendable (QuantityRef, Int, Int) -> Double = { _, _, _ in 0 }) {
        self.value = value; self.shape = shape; self.hyper = hyper; self.previous = previous
    }

    /// Over traced blocks (by quantity and layer) and a spec's hyper-parameters. A block
    /// missing from `blocks` reads as NaN with shape 0 x 0.
    public init(spec: NetworkSpec, blocks: [QuantityRef: Matrix], step s: Int = 1, previous: [QuantityRef: Matrix] = [:]) {
        self.init(value: { ref, r, c in
                      guard let m = blocks[ref], r >= 0, c >= 0, r < m.rows, c < m.cols else { return .nan }
                      return m[r, c]
                  },
                  shape: { ref in blocks[ref].map { ($0.rows, $0.cols) } ?? (0, 0) },
                  hyper: { h in h.value(in: spec, step: s) },
                  previous: { ref, r, c in
                      guard let m = previous[ref] else { return 0 }
                      return r >= 0 && c >= 0 && r < m.rows && c < m.cols ? m[r, c] : .nan
                  })
    }

    /// Over one step of the engine.
    /// `previous` is the step before (nil at step 1: every state reads 0).
    public init(spec: NetworkSpec, step: StepResult, previous before: StepResult? = nil) {
        let s = step.step
        let previous: [QuantityRef: Matrix] = before?.values ?? [:]
        self.init(value: { ref, r, c in
                      guard let m = step[ref], r >= 0, c >= 0, r < m.rows, c < m.cols else { return .nan }
                      return m[r, c]
                  },
                  shape: { ref in step[ref].map { ($0.rows, $0.cols) } ?? (0, 0) },
                  hyper: { h in h.value(in: spec, step: s) },
                  previous: { ref, r, c in
                      guard let m = previous[ref] else { return 0 }
                      return r >= 0 && c >= 0 && r < m.rows && c < m.cols ? m[r, c] : .nan
                  })
    }

    public func count(_ d: Dim) -> Int {
        switch d {
        case .rows(let r): return shape(r).rows
        case .cols(let r): return shape(r).cols
        }
    }

    /// The value of `e` for the target cell (row, col), 0-based.
    public func evaluate(_ e: Expr, row: Int, col: Int) -> Double {
        evaluate(e, IndexValues(row: row, col: col))
    }

    public func evaluate(_ e: Expr, _ env: IndexValues) -> Double {
        switch e {
        case .cell(let ref, let r, let c): return value(ref, env[r], env[c])
        case .hyper(let h): return hyper(h)
        case .previous(let ref, let r, let c): return previous(ref, env[r], env[c])
        case .power(let a, let b): return Foundation.pow(evaluate(a, env), evaluate(b, env))
        case .constant(let v): return v
        case .count(let d): return Double(count(d))
        case .add(let a, let b): return evaluate(a, env) + evaluate(b, env)
        case .sub(let a, let b): return evaluate(a, env) - evaluate(b, env)
        case .mul(let a, let b): return evaluate(a, env) * evaluate(b, env)
        case .div(let a, let b): return evaluate(a, env) / evaluate(b, env)
        case .neg(let a): return -evaluate(a, env)
        case .square(let a): let v = evaluate(a, env); return v * v
        case .apply(let f, let a):
            let v = evaluate(a, env)
            switch f {
            case .exp: return Foundation.exp(v)
            case .ln: return Foundation.log(v)
            case .sqrt: return Foundation.sqrt(v)
            case .tanh: return Foundation.tanh(v)
            case .relu: return v > 0 ? v : 0.0
            }
        case .sum(let bindings, let body):
            var s = 0.0
            for inner in combinations(bindings, bindings.map { count($0.dim) }, base: env) { s += evaluate(body, inner) }
            return s
        case .max(let b, let body):
            let n = count(b.dim)
            guard n > 0 else { return .nan }
            var inner = env
            inner.bound[b.index] = 0
            var m = evaluate(body, inner)
            for k in 1..<n {
                inner.bound[b.index] = k
                let v = evaluate(body, inner)
                if v > m { m = v }
            }
            return m
        case .when(let l, let op, let r, let t, let f):
            let lv = evaluate(l, env), rv = evaluate(r, env)
            let holds: Bool
            switch op {
            case .greater: holds = lv > rv
            case .equal: holds = lv == rv
            }
            return evaluate(holds ? t : f, env)
        case .named(_, _, let body): return evaluate(body, env)
        }
    }

    /// Every cell of a rows x cols target, row-major.
    public func evaluateAll(_ e: Expr, rows: Int, cols: Int) -> Matrix {
        var out = Matrix(rows: rows, cols: cols)
        for r in 0..<rows { for c in 0..<cols { out[r, c] = evaluate(e, row: r, col: c) } }
        return out
    }
}
