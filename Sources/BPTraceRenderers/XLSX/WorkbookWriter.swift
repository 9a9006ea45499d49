import BPTrace

/// Writes the trace as a live-formula workbook (xlsx) that replays each training step cell by
/// cell, after the classic "neural network in Excel" tutorial:
///
/// - **Overview**: the network's settings (η and λ editable), the colour legend, links to every
///   sheet, the sign conventions, and the loss of every step as a table and a line chart.
/// - **Data**: the training samples, editable; step sheets read x and y from it.
/// - **Walkthrough** of one step (`--walkthrough`, default 1): 12 sheets "1.1 Read inputs" …
///   "1.12 Update biases", each the step's layout with the stage's cells yellow and the cells
///   they are computed from orange.
/// - **One sheet per step** ("Step 1", "Step 2", …) up to `--sheets-limit` (default 200, at most
///   `maximumSheetsLimit`): every traced matrix as a labelled block, every computed cell a
///   formula over the cells it depends on, with the engine's value cached. Step 1's W and b
///   are numbers (editable); step s+1's W and b are formulas on step s's W_new and b_new, so
///   the sheets form one live model. Later steps appear in the Overview table only (every
///   step up to 100,000 steps; beyond, every k-th step and the last, about 100,000 rows).
/// - **Optimizers** other than SGD (issue 11): each step sheet has the state blocks in the update
///   bands, each state cell a formula over the same cell of the previous step sheet (Step 1:
///   the Overview's `vel_init` … `v_init`), hyper-parameters as Overview names, t in K1
///   (`OptimizerCells`, `OptimizerSheetState`).
/// - Excel's limits hold for any run: at most 1,048,576 rows and 16,384 columns per sheet
///   (a network or batch too large for one step sheet is refused before training, with a
///   pointer to `--format csv`), sheet names of at most 31 characters, unique.
///
/// Memory stays flat in the number of steps: blocks are buffered one step at a time (two while
/// a step sheet waits to learn whether a next step exists), every sheet is streamed by
/// libxlsxwriter's constant-memory mode, and the per-step losses go to a temporary file.
public final class WorkbookWriter: TraceSink, RunNotes {
    /// The largest `--sheets-limit`: libxlsxwriter keeps one temporary file open per sheet.
    public static let maximumSheetsLimit = 10_000

    public let destination: String
    private let options: RenderOptions
    private let book: XLSXWorkbook
    /// Set when the writer is one run of a compare workbook (`CompareWorkbookSink`): it writes
    /// into the sink's book, leaves out the Data sheet and the commit, and makes its names local.
    private let embedded: CompareEmbedding?

    // Set in begin(_:).
    private var spec: NetworkSpec!
    private var catalogue: Catalogue!
    /// The blocks of a complete step (`catalogue.stepQuantities`, which builds the list anew at
    /// each call), kept for the completeness check made at every block.
    private var stepQuantities: [QuantityRef] = []
    private var layout: StepSheetLayout!
    private var formulas: StepFormulas!
    private var names: NetworkNames!
    private var styles: WorkbookStyles!
    private var overviewPlan: OverviewPlan!
    private var overview: XLSXWorkbook.Sheet!
    private var data: DataSheet!
    private var spool: LossSpool!
    /// mean |delta(l)| of every step, for networks with two or more hidden layers.
    private var deltaSpool: LossSpool? = nil
    private var requestedSteps = 0
    private var columnLabels: [QuantityRef: [String]] = [:]
    private var fixedRowLabels: [QuantityRef: [String]] = [:]
    /// t's cell formats (plain, orange) when the formulas read t (Adam, AdamW).
    private var stepNumberFormats: (plain: XLSXWorkbook.Format, orange: XLSXWorkbook.Format)? = nil

    private var pending: [QuantityRef: Matrix] = [:]
    private var pendingStep = 0
    /// A complete step whose sheet is written once the next step completes (or the run ends),
    /// so its "next step" link never points at a sheet that does not exist.
    private var deferred: (step: Int, blocks: [QuantityRef: Matrix])? = nil
    private var stepSheets = 0
    private var walkthroughWritten = false
    private var completed = 0

    public private(set) var notes: [String] = []

    /// Opens the temporary file beside `destination` now, so an existing destination or an
    /// unwritable folder is reported before training starts. With a transaction, `finish`
    /// stages the finished workbook there instead of moving it into place.
    public init(destination: String, overwrite: Bool, options: RenderOptions, transaction: OutputTransaction? = nil) throws {
        guard options.sheetsLimit >= 0, options.sheetsLimit <= WorkbookWriter.maximumSheetsLimit else {
            throw OutputError(.cannotCreate, "--sheets-limit must be from 0 to \(WorkbookWriter.maximumSheetsLimit), found \(options.sheetsLimit)")
        }
        guard (0...15).contains(options.decimals) else {
            throw OutputError(.cannotCreate, "--decimals must be from 0 to 15, found \(options.decimals)")
        }
        self.destination = destination
        self.options = options
        book = try XLSXWorkbook(destination: destination, overwrite: overwrite, transaction: transaction)
        embedded = nil
    }

    /// One run of a compare workbook, written into `book` with the sheet prefix of
    /// `CompareSheetNaming` (see `CompareWorkbookSink`).
    init(embeddedIn book: XLSXWorkbook, options: RenderOptions, embedding: CompareEmbedding) {
        destination = book.destination
        self.options = options
        self.book = book
        embedded = embedding
    }

    static func stepName(_ s: Int) -> String { CompareSheetNaming.prefix + "Step \(s)" }
    static func walkthroughName(step: Int, stage: Stage) -> String { "\(step).\(stage.rawValue) \(stage.title)" }

    /// How many formula cells were written (for tests).
    var formulaCount: Int { book.formulaCount }

    // MARK: TraceSink

    public func begin(_ run: TraceRun) throws {
        spec = run.spec
        requestedSteps = run.steps
        catalogue = Catalogue(spec: spec)
        stepQuantities = catalogue.stepQuantities
        layout = try StepSheetLayout(spec: spec, decimals: options.decimals)
        formulas = StepFormulas(layout: layout)
        names = NetworkNames(spec: spec, parameters: run.initialParameters)
        data = try DataSheet(spec: spec)
        overviewPlan = OverviewPlan(spec: spec, names: names)
        if let embedded {
            styles = embedded.styles
            overview = try book.addSheet(named: OverviewPlan.sheetName)
            try defineLocalNames(on: OverviewPlan.sheetName)
        } else {
            let walkthroughSheets = options.walkthroughStep <= run.steps ? Stage.allCases.count : 0
            try XLSXWorkbook.ensureOpenFiles(min(run.steps, options.sheetsLimit) + walkthroughSheets + 2)

            try book.setProperties(title: "bptrace · \(spec.name)",
                                   subject: "Backpropagation step by step: \(spec.layers.map(String.init).joined(separator: "-")) network, \(run.steps) steps")
            styles = WorkbookStyles(workbook: book, decimals: options.decimals)
            overview = try book.addSheet(named: OverviewPlan.sheetName)
            let dataSheet = try book.addSheet(named: DataSheet.name)
            try data.write(to: book, dataSheet, styles: styles, names: names)
            // η, λ and the optimizer's settings, in the Overview's order.
            for name in overviewPlan.names {
                if let r = overviewPlan.row(ofName: name) {
                    try book.defineName(name, refersTo: "=\(OverviewPlan.sheetName)!\(A1.absolute(r, OverviewPlan.valueCol))")
                }
            }
        }
        if formulas.hypersRead.contains(.stepNumber) { stepNumberFormats = OptimizerCells.formats(book) }
        spool = try LossSpool(hasCost: spec.l2 > 0)
        deltaSpool = DeltaSizes.applies(to: spec) ? try LossSpool(stride: spec.depth) : nil
        makeLabels()
    }

    public func receive(_ block: TraceBlock) throws {
        if block.step != pendingStep {
            pending.removeAll(keepingCapacity: true)
            pendingStep = block.step
        }
        pending[QuantityRef(block.quantity, block.layer)] = block.matrix
        // catalogue.isComplete(pending), without rebuilding the list of quantities per block.
        if pending.count >= stepQuantities.count, stepQuantities.allSatisfy({ pending[$0] != nil }) { try completeStep() }
    }

    public func finish(_ outcome: TraceOutcome) throws {
        guard spec != nil else { book.abort(); throw OutputError(.io, "internal error: the workbook was finished before it began") }
        if let d = deferred {
            try writeStepSheet(d.step, d.blocks, hasNext: false)
            deferred = nil
        }
        pending = [:]
        let L = spec.depth
        var o = OverviewOutcome(completed: completed, requested: requestedSteps, stoppedBy: outcome.stoppedBy,
                                stepSheets: stepSheets, sheetsLimit: options.sheetsLimit,
                                walkthroughStep: options.walkthroughStep, walkthroughWritten: walkthroughWritten,
                                decimals: options.decimals,
                                lossAddress: layout[QuantityRef(.loss, L)].address(0, 0),
                                costAddress: spec.l2 > 0 ? layout[QuantityRef(.cost, L)].address(0, 0) : nil)
        o.deltaRanges = (1...L).map { layout[QuantityRef(.delta, $0)].range }
        try overviewPlan.write(to: book, overview, styles: styles, spec: spec, outcome: o, spool: spool, deltaSpool: deltaSpool)
        if embedded != nil { return }
        try book.commit()

        if completed > stepSheets {
            notes.append("workbook: steps \(stepSheets + 1)–\(completed) are summarised in the Overview table only (--sheets-limit \(options.sheetsLimit))")
        }
        let every = OverviewPlan.tableSteps(completed).every
        if every > 1 {
            notes.append("workbook: the Overview table lists every \(OverviewPlan.ordinal(every)) step of \(completed) (about \(OverviewPlan.tableRowLimit) rows); --format csv has them all")
        }
        if !walkthroughWritten {
            notes.append("workbook: no walkthrough sheets: --walkthrough \(options.walkthroughStep) is beyond the \(completed) step\(completed == 1 ? "" : "s") traced")
        }
    }

    // MARK: Steps

    private func completeStep() throws {
        let s = pendingStep
        let L = spec.depth
        try spool.append(loss: pending[QuantityRef(.loss, L)]!.values[0], cost: pending[QuantityRef(.cost, L)]?.values[0])
        try deltaSpool?.append((1...L).map { DeltaSizes.meanAbs(pending[QuantityRef(.delta, $0)]!) })
        completed = s
        if let d = deferred {
            try writeStepSheet(d.step, d.blocks, hasNext: s <= options.sheetsLimit)
            deferred = nil
        }
        if s == options.walkthroughStep {
            for stage in Stage.allCases { try writeSheet(.walkthrough(stage), step: s, blocks: pending) }
            walkthroughWritten = true
        }
        if s <= options.sheetsLimit { deferred = (s, pending) }
        pending = [:]
    }

    private func writeStepSheet(_ s: Int, _ blocks: [QuantityRef: Matrix], hasNext: Bool) throws {
        try writeSheet(.step(hasNext: hasNext), step: s, blocks: blocks)
        stepSheets = s
    }

    private enum SheetKind {
        case step(hasNext: Bool)
        case walkthrough(Stage)
    }

    private func makeLabels() {
        let L = spec.depth
        for ref in catalogue.stepQuantities {
            let l = ref.layer
            let neurons = { (layer: Int) in (0..<self.spec.layers[layer]).map { self.names.neuron(layer: layer, $0).plain } }
            switch ref.quantity {
            case .x: columnLabels[ref] = neurons(0)
            case .y, .E: columnLabels[ref] = neurons(L)
            case .z, .a, .slope, .delta, .err: columnLabels[ref] = neurons(l)
            case .W, .gradW, .WNew:
                columnLabels[ref] = neurons(l)
                fixedRowLabels[ref] = neurons(l - 1)
            case .b, .gradB, .bNew:
                columnLabels[ref] = neurons(l)
                fixedRowLabels[ref] = [ref.quantity.rawValue]
            case .velW, .sqW, .mW, .vW, .mHatW, .vHatW:
                columnLabels[ref] = neurons(l)
                fixedRowLabels[ref] = neurons(l - 1)
            case .velB, .sqB, .mB, .vB, .mHatB, .vHatB:
                columnLabels[ref] = neurons(l)
                fixedRowLabels[ref] = [ref.quantity.rawValue]
            case .loss, .cost:
                columnLabels[ref] = [ref.quantity.rawValue]
                fixedRowLabels[ref] = ["batch"]
            }
        }
    }

    private func corner(_ ref: QuantityRef) -> String {
        if catalogue.descriptor(of: ref).perSample { return "sample" }
        switch ref.quantity {
        case .W, .gradW, .WNew: return "from \\ to"
        case let q where q.optimizerStateOfWeights == true: return "from \\ to"
        default: return ""
        }
    }

    /// Writes one sheet in the step layout: a step sheet or one walkthrough sheet.
    private func writeSheet(_ kind: SheetKind, step s: Int, blocks: [QuantityRef: Matrix]) throws {
        let name: String
        switch kind {
        case .step: name = WorkbookWriter.stepName(s)
        case .walkthrough(let stage): name = WorkbookWriter.walkthroughName(step: s, stage: stage)
        }
        let sheet = try book.addSheet(named: name)
        if embedded != nil { try defineLocalNames(on: name) }
        let st = styles!
        // Local copies, made once per sheet: each use of an implicitly unwrapped struct property
        // copies the whole struct (and retains every array and string in it).
        let spec = self.spec!, layout = self.layout!, catalogue = self.catalogue!, formulas = self.formulas!
        var cells = SheetCells(capacity: 64 + layout.order.count * 24)
        let indices = spec.batch.indices(step: s, count: spec.data.count)
        let sampleLabels = indices.map { "s\($0 + 1)" }
        let stepSheetExists = s <= options.sheetsLimit   // Step s has (or will have) its sheet
        // `='Step 4'!` and `='Step 5'!`: the prefixes of W's and b's formulas on step and walkthrough sheets.
        let previousStepPrefix = s > 1 ? "=" + A1.quotedSheet(WorkbookWriter.stepName(s - 1)) + "!" : ""
        let thisStepPrefix = "=" + A1.quotedSheet(WorkbookWriter.stepName(s)) + "!"

        // The walkthrough's colours: the stage's blocks yellow, what they are computed from orange.
        var yellow = Set<QuantityRef>(), orange = Set<QuantityRef>()
        if case .walkthrough(let stage) = kind {
            yellow = Set(layout.order.filter { catalogue.stage(of: $0) == stage })
            for ref in yellow { for op in catalogue.operands(of: ref) where !yellow.contains(op) { orange.insert(op) } }
        }
        let state = OptimizerSheetState(formulas: formulas, catalogue: catalogue, step: s, sheetsLimit: options.sheetsLimit, yellow: yellow)

        // Title, navigation and explanation (frozen).
        cells.height(0, 20)
        cells.link(1, 1, toSheet: OverviewPlan.sheetName, "◀ Overview", st.navigation)
        let batchText = indices.count == 1 ? "sample \(indices[0] + 1)" : "samples " + sampleRange(indices)
        switch kind {
        case .step(let hasNext):
            cells.text(0, 1, "Step \(s) · \(spec.name)", st.sheetTitle)
            if s > 1 { cells.link(1, 3, toSheet: WorkbookWriter.stepName(s - 1), "◀ Step \(s - 1)", st.navigation) }
            if hasNext { cells.link(1, 5, toSheet: WorkbookWriter.stepName(s + 1), "Step \(s + 1) ▶", st.navigation) }
            if s == options.walkthroughStep && walkthroughWritten {
                let first = WorkbookWriter.walkthroughName(step: s, stage: .readInputs)
                cells.link(1, 7, toSheet: first, "walkthrough \(first) ▶", st.navigation)
            }
            let source = s == 1 ? "Blue cells are inputs you may edit (the starting weights and biases here, the samples on Data)"
                                : "W and b are Step \(s - 1)'s updated weights and biases"
            cells.text(2, 1, "Every computed number is a formula over the cells it comes from. \(source); x and y are \(batchText) of Data." + state.stepSheetNote, st.info)
        case .walkthrough(let stage):
            cells.text(0, 1, "Step \(s) · stage \(stage.rawValue) of 12: \(stage.title)", st.sheetTitle)
            if let prev = Stage(rawValue: stage.rawValue - 1) {
                cells.link(1, 3, toSheet: WorkbookWriter.walkthroughName(step: s, stage: prev), "◀ \(s).\(prev.rawValue) \(prev.title)", st.navigation)
            }
            if let next = Stage(rawValue: stage.rawValue + 1) {
                cells.link(1, 6, toSheet: WorkbookWriter.walkthroughName(step: s, stage: next), "\(s).\(next.rawValue) \(next.title) ▶", st.navigation)
            }
            if stepSheetExists { cells.link(1, 9, toSheet: WorkbookWriter.stepName(s), "Step \(s)", st.navigation) }
            let computed = layout.order.filter { yellow.contains($0) }.map(\.description).joined(separator: ", ")
            let from = layout.order.filter { orange.contains($0) }.map(\.description).joined(separator: ", ")
            var line = "Yellow: computed in this stage (\(computed)). Orange: " + (from.isEmpty ? "none, these are inputs." : "what they are computed from (\(from)).")
            if let first = layout.order.first(where: { yellow.contains($0) && formulas.formulas[$0] != nil }) {
                line += " For example \(layout[first].address(0, 0)) " + formulas.formulas[first]![0]
            }
            line += state.walkthroughNote
            cells.text(2, 1, line, st.info)
        }

        if let f = stepNumberFormats {
            cells.text(OptimizerCells.stepNumberRow, OptimizerCells.stepNumberLabelCol, OptimizerCells.stepNumberLabel, st.label)
            cells.number(OptimizerCells.stepNumberRow, OptimizerCells.stepNumberCol, Double(s), state.stepNumberIsOperand ? f.orange : f.plain)
        }

        for band in layout.bands {
            cells.text(band.row, band.firstCol, band.heading, st.bandBar)
            if band.width > 1 { for c in (band.firstCol + 1)..<(band.firstCol + band.width) { cells.blank(band.row, c, st.bandBar) } }
            for ref in band.blocks {
                let b = layout[ref]
                cells.text(b.titleRow, b.col, b.title, st.blockTitle)
                cells.text(b.formulaRow, b.col, b.formula, st.blockFormula)
                if let note = b.note, let row = b.noteRow { cells.text(row, b.col, note, st.blockNote) }
                cells.text(b.headerRow, b.col, corner(ref), st.corner)
                let columns = columnLabels[ref]!
                for j in 0..<b.cols { cells.text(b.headerRow, b.firstDataCol + j, columns[j], st.header) }
                let rows = fixedRowLabels[ref] ?? sampleLabels
                for i in 0..<b.rows { cells.text(b.firstDataRow + i, b.col, rows[i], st.header) }

                guard let m = blocks[ref], m.rows == b.rows, m.cols == b.cols else {
                    throw OutputError(.io, "internal error: the block \(ref) of step \(s) is missing or has the wrong shape")
                }
                var fill: WorkbookStyles.Fill = yellow.contains(ref) ? .yellow : (orange.contains(ref) ? .orange : .plain)
                let l = ref.layer
                for i in 0..<b.rows {
                    for j in 0..<b.cols {
                        let (row, col) = b.position(i, j)
                        let v = m[i, j]
                        switch ref.quantity {
                        case .x: cells.formula(row, col, "=" + data.input(indices[i], j), v, st.number(fill, for: v))
                        case .y: cells.formula(row, col, "=" + data.target(indices[i], j), v, st.number(fill, for: v))
                        case .W, .b:
                            switch kind {
                            case .step where s == 1:
                                if fill == .plain { fill = .editable }
                                cells.number(row, col, v, st.number(fill, for: v))
                            case .step:
                                let source = layout[QuantityRef(ref.quantity == .W ? .WNew : .bNew, l)]
                                cells.formula(row, col, previousStepPrefix + source.address(i, j), v, st.number(fill, for: v))
                            case .walkthrough where stepSheetExists:
                                cells.formula(row, col, thisStepPrefix + b.address(i, j), v, st.number(fill, for: v))
                            case .walkthrough:
                                cells.number(row, col, v, st.number(fill, for: v))
                            }
                        default:
                            if state.asNumbers.contains(ref) {
                                cells.number(row, col, v, st.number(fill, for: v))
                            } else {
                                let f = state.formulas[ref] ?? formulas.formulas[ref]!
                                cells.formula(row, col, f[i * b.cols + j], v, st.number(fill, for: v))
                            }
                        }
                    }
                }
                try formulas.writeHelper(of: ref, layout: layout, into: &cells, blocks: blocks, columnLabels: columnLabels,
                                         rowLabels: sampleLabels, styles: st, ownerFill: fill, step: s)
            }
        }
        try cells.write(to: book, sheet)
        try book.setColumnWidth(sheet, first: 0, last: 0, width: 2)
        try book.setColumnWidth(sheet, first: 1, last: max(layout.lastCol, 11), width: layout.columnWidth)
        book.freezePanes(sheet, row: StepSheetLayout.headerRows, col: 0)
        book.setHandoutLayout(sheet, hideGridlines: true)
        if case .walkthrough = kind { book.setTabColor(sheet, WorkbookStyles.orange) }
    }

    /// `1–3` for consecutive samples, else `1, 3, 4`.
    private func sampleRange(_ indices: [Int]) -> String {
        let ones = indices.map { $0 + 1 }
        if ones.count > 1, zip(ones, ones.dropFirst()).allSatisfy({ $1 == $0 + 1 }) { return "\(ones[0])–\(ones.last!)" }
        if ones.count > 8 { return ones.prefix(8).map(String.init).joined(separator: ", ") + ", …" }
        return ones.map(String.init).joined(separator: ", ")
    }

    /// A compare run's η, λ and optimizer settings as names local to one of its sheets, each
    /// referring to the run's own Overview cell: the formulas read `learning_rate` as in `run`'s
    /// workbook, and editing one run's η changes that run's sheets only.
    private func defineLocalNames(on sheetName: String) throws {
        for name in overviewPlan.names {
            if let r = overviewPlan.row(ofName: name) {
                try book.defineName("\(A1.quotedSheet(sheetName))!\(name)",
                                    refersTo: "=\(A1.quotedSheet(OverviewPlan.sheetName))!\(A1.absolute(r, OverviewPlan.valueCol))")
            }
        }
    }
}
