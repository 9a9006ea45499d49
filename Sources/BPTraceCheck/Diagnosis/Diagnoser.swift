import BPTrace

/// Judges a student's trace: each written value against the correct one (the engine's step
/// from the anchor, see `AnchoredRun`) within its written tolerance widened by the rounding its
/// operands carry (`CellFormula`), then the root causes and, with `explain`, the alternatives
/// (conventions and bug models) that reproduce them. docs/CHECKING.md, "Grading a student's trace".
public enum Diagnoser {
    /// Steps beyond this are not judged (a trace is someone else's file).
    public static let maximumStep = 10_000

    /// Judges one trace; a class of traces of one spec shares a `Grader` instead.
    public static func diagnose(spec: NetworkSpec, trace: StudentTrace, reanchor: Bool = true, explain: Bool = false) -> Diagnosis {
        Grader(spec: spec).diagnose(trace: trace, reanchor: reanchor, explain: explain)
    }
}

/// The per-cell work of a diagnosis: correct values, allowances, operands, and root causes.
struct Judge {
    let spec: NetworkSpec
    /// What the trace's spec shares with the other traces of a class (names, order, alternatives).
    let grader: Grader
    var run: AnchoredRun
    let written: [CellKey: StudentValue]
    let reanchor: Bool
    let catalogue: Catalogue
    /// How a value the student did not write may have been rounded: to the decimals most of their
    /// values have (a person carrying rounded numbers rounds the ones they skip writing too).
    let unwrittenHalfUnit: Double
    /// The step's quantities with each after the quantities it is computed from (the trace's
    /// order, except that under the immediate order W_new(l) comes before err(l-1)).
    let computeOrder: [QuantityRef]
    let lastStep: Int

    /// The quantities of step `s` whose allowance matters: all of them before the trace's last
    /// step (the next step starts from them); at the last, those the student wrote there and
    /// what they are computed from.
    func needed(step s: Int) -> Set<QuantityRef> {
        let all = Set(catalogue.stepQuantities)
        guard s >= lastStep else { return all }
        var out = Set(written.keys.filter { $0.step == s }.map(\.ref))
        var frontier = Array(out)
        while let ref = frontier.popLast() {
            for op in catalogue.operands(of: ref).map(\.inputAwareKey) where all.contains(op) && out.insert(op).inserted { frontier.append(op) }
        }
        return out
    }

    static func computeOrder(_ catalogue: Catalogue) -> [QuantityRef] {
        var remaining = catalogue.stepQuantities, done = Set<QuantityRef>(), out: [QuantityRef] = []
        let present = Set(remaining)
        while !remaining.isEmpty {
            let i = remaining.firstIndex { ref in
                catalogue.operands(of: ref).allSatisfy { op in op == ref || done.contains(op.inputAwareKey) || !present.contains(op.inputAwareKey) }
            } ?? 0
            let ref = remaining.remove(at: i)
            done.insert(ref); out.append(ref)
        }
        return out
    }

    /// Every cell of every judged step, in stage order.
    var order: [CellKey] = []
    /// Where each judged step's cells are in `order`.
    var orderOfStep: [Int: Range<Int>] = [:]
    /// How far the student's own value of a cell (written or carried) may be from the correct one.
    var deviation: [CellKey: Double] = [:]
    /// The cells each cell is computed from (across steps: W@s from W_new@s-1, state from the step before).
    var operands: [CellKey: [CellKey]] = [:]
    var judged: [CellKey: DiagnosedValue] = [:]

    init(grader: Grader, run: AnchoredRun, written: [CellKey: StudentValue], reanchor: Bool) {
        self.grader = grader; self.spec = grader.spec; self.run = run; self.written = written; self.reanchor = reanchor
        catalogue = grader.catalogue
        computeOrder = grader.computeOrder
        lastStep = written.keys.map(\.step).max() ?? 0
        var counts: [Int: Int] = [:]
        for v in written.values where v.written.exponent == nil { counts[v.written.decimals, default: 0] += 1 }
        let decimals = counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        unwrittenHalfUnit = decimals.map { 0.5 * WrittenNumber.power10(-$0) } ?? 0
    }

    mutating func judge(step s: Int) {
        guard let r = run.results[s], let anchor = run.anchors[s] else { return }
        let values = r.values
        let formula = CellFormula(spec: spec, step: s, values: values, previous: anchor.previous)
        let wanted = needed(step: s)
        let first = order.count
        defer { orderOfStep[s] = first..<order.count }
        for ref in computeOrder {
            guard let m = values[ref], wanted.contains(ref) else { continue }
            let expr = catalogue.expression(of: ref)
            for row in 0..<m.rows {
                for col in 0..<m.cols {
                    let key = CellKey(step: s, ref, row: row + 1, col: col + 1)
                    order.append(key)
                    let student = written[key]
                    var correct = m[row, col]
                    var allowance = 0.0
                    var note: String? = nil
                    var ops: [CellKey] = []
                    if ref.quantity == .W || ref.quantity == .b {
                        let newRef = QuantityRef(ref.quantity == .W ? .WNew : .bNew, ref.layer)
                        let before = CellKey(step: s - 1, newRef, row: row + 1, col: col + 1)
                        if s > 1 { ops = [before] }
                        correct = run.engineStart[key] ?? correct
                        // Not given at step 1: the student may have rounded it like their other values.
                        allowance = s > 1 ? (deviation[before] ?? 0) : (student == nil ? unwrittenHalfUnit : 0)
                        if reanchor && s > 1, let st = student {
                            if let prev = written[before] {
                                correct = prev.written.value
                                allowance = prev.written.defaultTolerance
                                note = "compared with your \(newRef.quantity.rawValue)(\(ref.layer))@\(s - 1)"
                            } else {
                                correct = st.written.value
                                note = "your start of step \(s) (the anchor)"
                            }
                        }
                        // Re-anchored on the student's own start values: what came before does not flow in.
                        if reanchor && s > 1 && (student != nil || written[before] != nil) {
                            ops = student != nil && written[before] != nil ? [before] : []
                        }
                        deviation[key] = anchor.deviation[key] ?? allowance
                    } else if let expr {
                        let reads = formula.operands(expr, row: row, col: col)
                        var prop = 0.0
                        for c in reads.cells {
                            let k = CellKey(step: s, c.0.inputAwareKey, row: c.1 + 1, col: c.2 + 1)
                            ops.append(k)
                            prop += formula.sensitivity(expr, row: row, col: col, base: m[row, col], operand: c, previous: false, h: deviation[k] ?? 0)
                        }
                        for c in reads.previous {
                            let k = CellKey(step: s - 1, c.0, row: c.1 + 1, col: c.2 + 1)
                            ops.append(k)
                            prop += formula.sensitivity(expr, row: row, col: col, base: m[row, col], operand: c, previous: true, h: anchor.deviation[k] ?? deviation[k] ?? 0)
                        }
                        allowance = prop
                        deviation[key] = prop + (student?.written.defaultTolerance ?? unwrittenHalfUnit)
                    } else {
                        deviation[key] = student?.written.defaultTolerance ?? 0
                    }
                    operands[key] = ops
                    guard let st = student else { continue }
                    let tol = st.written.defaultTolerance + allowance
                    let holds = WrittenNumber.holds(correct, expected: st.written.value, tolerance: tol)
                    judged[key] = DiagnosedValue(student: st, computed: correct, tolerance: tol, holds: holds, note: note)
                }
            }
        }
    }
}

extension QuantityRef {
    /// a(0) read by a formula is the traced x(0).
    var inputAwareKey: QuantityRef { quantity == .a && layer == 0 ? QuantityRef(.x, 0) : self }
}
