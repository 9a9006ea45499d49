import BPTrace

/// The workbook's cells for an optimizer other than SGD (issue 11): its hyper-parameters and
/// initial states as named, editable cells of the Overview, and t, the step number, as a
/// labelled cell at the top of every step and walkthrough sheet.
///
/// - Hyper-parameters: the names are the spec's keys (`momentum`, `rho`, `beta1`, `beta2`,
///   `eps`, `weight_decay`), only those the optimizer's formulas read. None is an A1 address
///   (column `BETA` would be past Excel's last column XFD), an R1C1 reference or a function.
/// - Initial states: one number per kind of state, `vel_init`, `sq_init`, `m_init`, `v_init`,
///   the value every cell of that state (of every W and b) has before step 1; 0 as in the
///   engine. Step 1's state formulas read it where later steps read the same cell of the
///   previous step sheet.
/// - t: a constant on each sheet (the sheet's step number), not a formula over the previous
///   sheet's t: it is the step the sheet shows, whatever is edited.
enum OptimizerCells {
    /// Where t sits: row 1 (0-based 0), the label in column J, the number in column K.
    static let stepNumberRow = 0, stepNumberLabelCol = 9, stepNumberCol = 10
    static var stepNumberAddress: String { A1.absolute(stepNumberRow, stepNumberCol) }
    static let stepNumberLabel = "t (step) ="

    /// The optimizer's hyper-parameters that may become Overview names, in the order shown.
    static let hypers: [Hyper] = [.momentum, .rho, .beta1, .beta2, .eps, .weightDecay]

    /// The name of the initial value of a state quantity (`m_init` for m_W and m_b); nil for
    /// quantities that read no previous value.
    static func initName(_ q: Quantity) -> String? {
        switch q {
        case .velW, .velB: return "vel_init"
        case .sqW, .sqB: return "sq_init"
        case .mW, .mB: return "m_init"
        case .vW, .vB: return "v_init"
        default: return nil
        }
    }

    /// The state quantities an expression reads from the previous step, in order.
    static func previousReads(_ e: Expr) -> [QuantityRef] {
        var out: [QuantityRef] = []
        func walk(_ x: Expr) {
            if case .previous(let ref, _, _) = x, !out.contains(ref) { out.append(ref) }
            x.children.forEach(walk)
        }
        walk(e)
        return out
    }

    /// The hyper-parameters the formulas of a spec's step read.
    static func hypersRead(_ catalogue: Catalogue) -> Set<Hyper> {
        Set(catalogue.stepQuantities.compactMap { catalogue.expression(of: $0)?.hypers }.joined())
    }

    /// The Overview's optimizer rows (none for SGD, whose Overview is unchanged): the optimizer
    /// and its formulas for layer 1, each hyper-parameter its formulas read as a named cell,
    /// and each state's initial value as a named cell.
    static func settings(spec: NetworkSpec) -> [(String, OverviewPlan.Value)] {
        let o = spec.optimizer
        guard !o.isSGD else { return [] }
        let catalogue = Catalogue(spec: spec)
        var s: [(String, OverviewPlan.Value)] = []
        s.append(("optimizer", .text("\(o.name): the state blocks and W_new, b_new of every step sheet follow these formulas (docs/SPEC.md, \"Optimizers\")")))
        let stateW = o.stateQuantities(weights: true)
        let shown = stateW.map { QuantityRef($0, 1) } + [QuantityRef(.WNew, 1)]
        s.append(("formulas (layer 1)", .text(shown.map { catalogue.formula(of: $0) }.joined(separator: "; "))))
        let read = hypersRead(catalogue)
        for h in hypers {
            let v = h.value(in: spec, step: 1)
            guard !v.isNaN else { continue }
            if read.contains(h) {
                s.append(("\(h.rawValue) \(h.symbol)", .number(v, name: h.rawValue, note: "named \(h.rawValue) in the formulas: edit it and every step sheet recomputes")))
            } else {
                s.append(("\(h.rawValue) \(h.symbol)", .text("\(ExcelNumber.text(v)) (no formula reads it: no decay term)")))
            }
        }
        var seen = Set<String>()
        for q in stateW {
            guard let name = initName(q), seen.insert(name).inserted else { continue }
            let kind = String(name.dropLast("_init".count))
            let of = spec.bias && spec.updateBiases ? "every cell of \(kind)_W and \(kind)_b" : "every cell of \(kind)_W"
            s.append(("\(kind) before step 1", .number(0, name: name, note: "named \(name): \(of) before step 1 (0, as bptrace starts); Step 1's \(kind) reads it")))
        }
        return s
    }

    /// The conventions line about the optimizer (nil for SGD).
    static func convention(spec: NetworkSpec) -> String? {
        guard !spec.optimizer.isSGD else { return nil }
        let states = spec.optimizer.stateQuantities(weights: true).compactMap(initName)
        let kinds = states.map { String($0.dropLast("_init".count)) }.joined(separator: ", ")
        return "Optimizer \(spec.optimizer.name): W_new and b_new are its update. Its state (\(kinds)) reads the same cell of the previous step sheet; Step 1's reads the value before step 1 above. t is the step number in \(A1.cell(stepNumberRow, stepNumberCol)) of each step sheet."
    }
}

/// A number as short text for a label (`0.9`, `1e-08`).
enum ExcelNumber {
    static func text(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}

extension OptimizerCells {
    /// t's cell formats: a whole number, plain on step sheets, orange on a walkthrough sheet
    /// whose yellow cells read it. Made only for runs whose formulas read t, so other
    /// workbooks keep their styles.
    static func formats(_ wb: XLSXWorkbook) -> (plain: XLSXWorkbook.Format, orange: XLSXWorkbook.Format) {
        var s = XLSXStyle()
        s.numberFormat = "0"; s.align = .center; s.border = WorkbookStyles.grid
        var o = s
        o.fill = WorkbookStyles.orange
        return (wb.format(s), wb.format(o))
    }
}

/// What one sheet (step or walkthrough) of step s shows of the optimizer: the state formulas
/// over the previous step sheet, or numbers where that sheet does not exist (a walkthrough
/// past `--sheets-limit` + 1, whose W and b are numbers too), and the notes saying so.
struct OptimizerSheetState {
    /// Formulas of the state blocks for this sheet (s > 1 and Step s − 1 exists); Step 1's are
    /// `StepFormulas.formulas` (over the initial-state names).
    let formulas: [QuantityRef: [String]]
    /// State blocks written as the engine's numbers (no previous step sheet to read).
    let asNumbers: Set<QuantityRef>
    /// Whether t is an operand of the sheet's yellow cells (walkthrough: t is orange).
    let stepNumberIsOperand: Bool
    /// Appended to a step sheet's explanation ("" for SGD).
    let stepSheetNote: String
    /// Appended to a walkthrough sheet's colour line ("" unless its yellow cells read the previous step).
    let walkthroughNote: String

    init(formulas f: StepFormulas, catalogue: Catalogue, step s: Int, sheetsLimit: Int, yellow: Set<QuantityRef>) {
        let previousExists = s > 1 && s - 1 <= sheetsLimit
        formulas = previousExists ? f.stateFormulas(previousSheet: WorkbookWriter.stepName(s - 1)) : [:]
        asNumbers = s > 1 && !previousExists ? Set(f.stateBlocks) : []
        let yellowExpressions = yellow.compactMap { catalogue.expression(of: $0) }
        stepNumberIsOperand = yellowExpressions.contains { $0.hypers.contains(.stepNumber) }
        let kinds = catalogue.spec.optimizer.stateQuantities(weights: true).compactMap(OptimizerCells.initName)
            .map { String($0.dropLast("_init".count)) }.joined(separator: ", ")
        if f.stateBlocks.isEmpty {
            stepSheetNote = ""
        } else if s == 1 {
            stepSheetNote = " The optimizer's state (\(kinds)) starts from the Overview's values before step 1."
        } else {
            stepSheetNote = " The optimizer's state (\(kinds)) continues from Step \(s - 1)'s."
        }
        let reads = yellow.sorted { $0.description < $1.description }
            .flatMap { catalogue.expression(of: $0).map(OptimizerCells.previousReads) ?? [] }
        if reads.isEmpty {
            walkthroughNote = ""
        } else {
            let names = reads.map { "\($0)_prev" }.joined(separator: ", ")
            let inits = Set(reads.compactMap { OptimizerCells.initName($0.quantity) }).sorted().joined(separator: ", ")
            let source: String
            if s == 1 { source = "the Overview's values before step 1 (\(inits))" }
            else if previousExists { source = "the same cells of Step \(s - 1)" }
            else { source = "step \(s - 1), which has no sheet (--sheets-limit), so the state here is numbers" }
            walkthroughNote = " Not coloured: \(names), read from \(source)."
        }
    }
}
