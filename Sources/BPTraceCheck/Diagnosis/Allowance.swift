import BPTrace

/// The cells one cell's formula reads (the catalogue's operands, cell by cell), found by
/// evaluating the formula once, and how far its value can move when each operand carries its
/// rounding: Σ over operand cells c of |f(x + h_c) − f(x)|, h_c the operand's allowance.
final class ReadLog: @unchecked Sendable {
    var cells: [(QuantityRef, Int, Int)] = []
    var previous: [(QuantityRef, Int, Int)] = []
}

/// What the next evaluation of a `CellFormula` moves (one operand cell by dx) or records (the
/// cells read): one evaluator per step reads it, instead of a new evaluator per evaluation.
final class Probe: @unchecked Sendable {
    var override: (prev: Bool, ref: QuantityRef, r: Int, c: Int, dx: Double)? = nil
    var log: ReadLog? = nil
}

struct CellFormula {
    let spec: NetworkSpec
    let step: Int
    let values: [QuantityRef: Matrix]
    let previous: [QuantityRef: Matrix]
    private let probe = Probe()
    private let evaluator: Evaluator

    init(spec: NetworkSpec, step s: Int, values: [QuantityRef: Matrix], previous: [QuantityRef: Matrix]) {
        self.spec = spec; self.step = s; self.values = values; self.previous = previous
        let probe = self.probe
        evaluator = Evaluator(value: { ref, r, c in
                                  guard let m = values[ref], r >= 0, c >= 0, r < m.rows, c < m.cols else { return .nan }
                                  probe.log?.cells.append((ref, r, c))
                                  if let o = probe.override, !o.prev, o.ref == ref, o.r == r, o.c == c { return m[r, c] + o.dx }
                                  return m[r, c]
                              },
                              shape: { ref in values[ref].map { ($0.rows, $0.cols) } ?? (0, 0) },
                              hyper: { h in h.value(in: spec, step: s) },
                              previous: { ref, r, c in
                                  guard let m = previous[ref] else { return 0 }
                                  guard r >= 0, c >= 0, r < m.rows, c < m.cols else { return .nan }
                                  probe.log?.previous.append((ref, r, c))
                                  if let o = probe.override, o.prev, o.ref == ref, o.r == r, o.c == c { return m[r, c] + o.dx }
                                  return m[r, c]
                              })
    }

    /// `expr` at (row, col), with `override`'s cell moved and the cells read recorded in `log`.
    private func evaluate(_ expr: Expr, row: Int, col: Int, override: (prev: Bool, ref: QuantityRef, r: Int, c: Int, dx: Double)?, log: ReadLog?) -> Double {
        probe.override = override; probe.log = log
        defer { probe.override = nil; probe.log = nil }
        return evaluator.evaluate(expr, row: row, col: col)
    }

    /// The operand cells of (row, col) of `expr` (0-based): this step's and the step before's
    /// (state read through `Expr.previous`), each once, in order of first reading.
    func operands(_ expr: Expr, row: Int, col: Int) -> (cells: [(QuantityRef, Int, Int)], previous: [(QuantityRef, Int, Int)]) {
        let log = ReadLog()
        _ = evaluate(expr, row: row, col: col, override: nil, log: log)
        func unique(_ xs: [(QuantityRef, Int, Int)]) -> [(QuantityRef, Int, Int)] {
            var seen = Set<CellKey>(), out: [(QuantityRef, Int, Int)] = []
            for x in xs where seen.insert(CellKey(step: 0, x.0, row: x.1, col: x.2)).inserted { out.append(x) }
            return out
        }
        return (unique(log.cells), unique(log.previous))
    }

    static func hasKink(_ e: Expr) -> Bool {
        switch e {
        case .when, .apply(.relu, _), .max: return true
        default: return e.children.contains(where: hasKink)
        }
    }

    /// |f(x + h) − f(x)| with operand cell (ref, r, c) moved by h (first order: the same as −h).
    func sensitivity(_ expr: Expr, row: Int, col: Int, base: Double, operand: (QuantityRef, Int, Int), previous: Bool, h: Double) -> Double {
        guard h > 0 else { return 0 }
        var worst = 0.0
        // A kink (relu, a hinge's margin) can move one way only: both ways there.
        for dx in Self.hasKink(expr) ? [h, -h] : [h] {
            let v = evaluate(expr, row: row, col: col, override: (previous, operand.0, operand.1, operand.2, dx), log: nil)
            let d = (v - base).magnitude
            guard d.isFinite else { return .infinity }
            worst = max(worst, d)
        }
        return worst
    }
}
