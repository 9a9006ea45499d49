import BPTrace
import Foundation

/// The cell formulas of every computed block of a step sheet, over cells of the same sheet:
/// the catalogue's formula of each quantity (`Catalogue.expression(of:)`) printed cell by cell
/// by `ExcelPrinter`. This file holds no math of its own: it only says where each cell is.
/// The formulas are the same on every step sheet and walkthrough sheet, so they are made once
/// per workbook.
///
/// The learning rate and the L2 factor appear as the workbook names `learning_rate` and
/// `lambda_l2`, which refer to editable cells of the Overview sheet; so do the optimizer's
/// hyper-parameters (`momentum`, `rho`, `beta1`, `beta2`, `eps`, `weight_decay`) and its
/// initial states (`vel_init`, … see `OptimizerCells`). t is the cell `OptimizerCells.stepNumberAddress`
/// of each sheet. An optimizer's state reads its previous value from the same cell of the
/// previous step sheet, so those formulas differ from sheet to sheet (`stateFormulas`).
struct StepFormulas: Sendable {
    static let learningRateName = Hyper.learningRate.rawValue
    static let l2Name = Hyper.l2.rawValue

    /// Row-major formula text (`=B3*G3+C3*G4+H3`) of each computed block.
    let formulas: [QuantityRef: [String]]
    /// Row-major formula text of each helper block (`HelperBlock`), by the block it serves.
    let helperFormulas: [QuantityRef: [String]]
    /// The blocks whose formulas read the previous step's state (`Expr.previous`), in `formulas`
    /// as on Step 1 (over the initial-state names).
    let stateBlocks: [QuantityRef]
    /// The hyper-parameters the formulas read (t included).
    let hypersRead: Set<Hyper>
    private let layout: StepSheetLayout

    /// See `ExcelPrinter.expLimit`: the sigmoid is `IF(-z>limit,0,1/(1+EXP(-z)))`.
    static let expLimit = ExcelPrinter.expLimit

    init(layout: StepSheetLayout) {
        let catalogue = Catalogue(spec: layout.spec)
        let printer = StepFormulas.printer(layout: layout, previousSheet: nil)
        var out: [QuantityRef: [String]] = [:]
        var helpers: [QuantityRef: [String]] = [:]
        var state: [QuantityRef] = []
        var hypers = Set<Hyper>()
        for ref in layout.order {
            guard let e = catalogue.expression(of: ref), layout.blocks[ref] != nil else { continue }   // inputs
            out[ref] = StepFormulas.cells(of: ref, e, layout: layout, printer: printer)
            if !OptimizerCells.previousReads(e).isEmpty { state.append(ref) }
            hypers.formUnion(e.hypers)
        }
        stateBlocks = state
        hypersRead = hypers
        self.layout = layout
        for (owner, h) in layout.helpers {
            guard let steps = catalogue.expression(of: owner)?.namedSteps else { continue }
            helpers[owner] = StepFormulas.helperCells(h, spec: layout.spec).map { cell in
                guard let step = steps.first(where: { $0.name == cell.name }) else { return "=#REF!" }
                // The step's own formula: its body, with the steps inside it as their cells.
                return "=" + printer.formula(step.body, IndexValues.of(step.indices, cell.values))
            }
        }
        formulas = out
        helperFormulas = helpers
    }

    private static func cells(of ref: QuantityRef, _ e: Expr, layout: StepSheetLayout, printer: ExcelPrinter) -> [String] {
        let target = layout[ref]
        var cells: [String] = []
        cells.reserveCapacity(target.rows * target.cols)
        for r in 0..<target.rows { for c in 0..<target.cols { cells.append("=" + printer.formula(e, row: r, col: c)) } }
        return cells
    }

    /// The formulas of the state blocks on a sheet whose previous step is the sheet named
    /// `previousSheet`: each reads its previous value from the same cell there.
    func stateFormulas(previousSheet: String) -> [QuantityRef: [String]] {
        let catalogue = Catalogue(spec: layout.spec)
        let printer = StepFormulas.printer(layout: layout, previousSheet: previousSheet)
        var out: [QuantityRef: [String]] = [:]
        for ref in stateBlocks {
            guard let e = catalogue.expression(of: ref) else { continue }
            out[ref] = StepFormulas.cells(of: ref, e, layout: layout, printer: printer)
        }
        return out
    }

    /// The Excel printer over this layout's cells and helper cells; the previous step's state is
    /// the same cell of `previousSheet`, or with none (Step 1) the state's initial-value name.
    static func printer(layout: StepSheetLayout, previousSheet: String? = nil) -> ExcelPrinter {
        // Helper cells by named step and index values ("e 0,3").
        var named: [String: (owner: QuantityRef, r: Int, c: Int)] = [:]
        for (owner, h) in layout.helpers {
            for (i, cell) in helperCells(h, spec: layout.spec).enumerated() {
                named[cell.name + " " + cell.values.map(String.init).joined(separator: ",")] = (owner, i / h.block.cols, i % h.block.cols)
            }
        }
        let helperAt = named
        @Sendable func locate(_ leaf: ExcelPrinter.Leaf) -> (block: BlockLayout, helper: Bool, r: Int, c: Int)? {
            switch leaf {
            case .cell(let ref, let r, let c):
                guard let b = layout.blocks[ref], r >= 0, r < b.rows, c >= 0, c < b.cols else { return nil }
                return (b, false, r, c)
            case .named(let name, let values):
                guard let p = helperAt[name + " " + values.map(String.init).joined(separator: ",")], let h = layout.helpers[p.owner] else { return nil }
                return (h.block, true, p.r, p.c)
            }
        }
        return ExcelPrinter(
            address: { leaf in locate(leaf).map { $0.block.address($0.r, $0.c) } },
            range: { first, last in
                guard let a = locate(first), let z = locate(last), a.block.ref == z.block.ref, a.helper == z.helper else { return nil }
                let from = a.block.address(a.r, a.c), to = z.block.address(z.r, z.c)
                return from == to ? from : from + ":" + to
            },
            hyperName: { $0 == .stepNumber ? OptimizerCells.stepNumberAddress : $0.rawValue },
            count: { dim in
                guard let b = layout.blocks[dim.ref] else { return 0 }
                switch dim {
                case .rows: return b.rows
                case .cols: return b.cols
                }
            },
            explicitTerms: StepSheetLayout.explicitTerms,
            previous: { ref, r, c in
                guard let sheet = previousSheet else { return OptimizerCells.initName(ref.quantity) }
                guard let b = layout.blocks[ref], r >= 0, r < b.rows, c >= 0, c < b.cols else { return nil }
                return A1.quotedSheet(sheet) + "!" + b.address(r, c)
            })
    }

    /// Which named step of the catalogue each helper cell holds, row-major: a wide softmax's
    /// row holds max, e_1 … e_n, Σe; a cross-entropy helper holds one term per cell.
    static func helperCells(_ h: HelperBlock, spec: NetworkSpec) -> [(name: String, values: [Int])] {
        let b = h.block
        var out: [(String, [Int])] = []
        out.reserveCapacity(b.rows * b.cols)
        for r in 0..<b.rows {
            for c in 0..<b.cols {
                switch h.kind {
                case .softmax:
                    out.append(c == 0 ? (Catalogue.Step.rowMax, [r]) : c == b.cols - 1 ? (Catalogue.Step.expSum, [r]) : (Catalogue.Step.exp, [r, c - 1]))
                case .crossEntropyTerms:
                    out.append((Catalogue.Step.crossEntropyTerm, [r, c]))
                case .hingeTerms:
                    out.append((Catalogue.Step.hingeTerm, [r, c]))
                }
            }
        }
        return out
    }
}

extension StepFormulas {
    /// The engine's values of a helper block's cells: the catalogue's named steps evaluated
    /// over the step's traced blocks (the same arithmetic, in the engine's order).
    static func helperValues(_ h: HelperBlock, spec: NetworkSpec, blocks: [QuantityRef: Matrix]) -> [Double]? {
        guard let steps = Catalogue(spec: spec).expression(of: h.owner)?.namedSteps else { return nil }
        let evaluator = Evaluator(spec: spec, blocks: blocks)
        var out: [Double] = []
        for cell in helperCells(h, spec: spec) {
            guard let step = steps.first(where: { $0.name == cell.name }) else { return nil }
            out.append(evaluator.evaluate(step.body, IndexValues.of(step.indices, cell.values)))
        }
        return out.count == h.block.rows * h.block.cols ? out : nil
    }

    /// Writes the helper block serving `owner`, if it has one: title, formula line, headers and
    /// the formula cells with the engine's values cached. Its cells are yellow on the walkthrough
    /// sheet where the block they serve is computed, plain elsewhere.
    func writeHelper(of owner: QuantityRef, layout: StepSheetLayout, into cells: inout SheetCells,
                     blocks: [QuantityRef: Matrix], columnLabels: [QuantityRef: [String]], rowLabels: [String],
                     styles st: WorkbookStyles, ownerFill: WorkbookStyles.Fill, step s: Int) throws {
        guard let h = layout.helpers[owner], let f = helperFormulas[owner] else { return }
        let b = h.block
        guard let values = StepFormulas.helperValues(h, spec: layout.spec, blocks: blocks), rowLabels.count == b.rows else {
            throw OutputError(.io, "internal error: the helper cells of \(owner) of step \(s) cannot be computed")
        }
        cells.text(b.titleRow, b.col, b.title, st.blockTitle)
        cells.text(b.formulaRow, b.col, b.formula, st.blockFormula)
        cells.text(b.headerRow, b.col, "sample", st.corner)
        let labels = columnLabels[h.labelSource] ?? []
        let headers = h.kind == .softmax ? ["max"] + labels.map { "e " + $0 } + ["Σe"] : labels.map { "term " + $0 }
        for (j, text) in headers.prefix(b.cols).enumerated() { cells.text(b.headerRow, b.firstDataCol + j, text, st.header) }
        for i in 0..<b.rows { cells.text(b.firstDataRow + i, b.col, rowLabels[i], st.header) }
        let fill: WorkbookStyles.Fill = ownerFill == .yellow ? .yellow : .plain
        for i in 0..<b.rows {
            for j in 0..<b.cols {
                let (row, col) = b.position(i, j)
                let v = values[i * b.cols + j]
                cells.formula(row, col, f[i * b.cols + j], v, st.number(fill, for: v))
            }
        }
    }
}
