import BPTrace

/// Writes one workbook for a comparison (`bptrace compare --format xlsx`, issue 14):
///
/// - **Compare** (first): a line chart of every run's loss per step (one series per run, named
///   by its varied settings; the value axis is logarithmic when the losses span more than two
///   decades), the runs' summary (final loss, first step below `--target`, which runs diverged
///   and at which step) and a table of each run's loss at every step (every k-th step and the
///   last when the runs are longer than `CompareSheetRows.rowLimit` steps). The chart reads the table.
/// - **Data**: the samples, shared by every run.
/// - Per run `R<i> Overview` (the run's settings, its η and optimizer settings as editable
///   cells with names local to the run's sheets, its own loss table and chart) and
///   `R<i> Step 1` … (at most `options.sheetsLimit` step sheets per run) with live formulas:
///   `run`'s workbook machinery (`WorkbookWriter`), one writer per run, sheet names prefixed.
///
/// The sink receives the runs in plan order (begin … finish once per run) and commits the file
/// after the last run's finish. Memory grows with the runs' loss tables only.
public final class CompareWorkbookSink: TraceSink, RunNotes {
    /// Step sheets per run when `--sheets-limit` is not given.
    public static let defaultSheetsPerRun = 3

    public let destination: String
    private let plan: ComparePlan
    private let options: RenderOptions
    private let book: XLSXWorkbook
    private let styles: WorkbookStyles
    private let compare: XLSXWorkbook.Sheet
    private var runs: [CompareRunLosses] = []
    private var tableSteps: Set<Int>
    private var current: (writer: WorkbookWriter, prefix: String, depth: Int)? = nil
    private var finished = 0
    public private(set) var notes: [String] = []

    public init(plan: ComparePlan, destination: String, overwrite: Bool, options: RenderOptions,
                transaction: OutputTransaction? = nil) throws {
        guard options.sheetsLimit >= 0, options.sheetsLimit <= WorkbookWriter.maximumSheetsLimit else {
            throw OutputError(.cannotCreate, "--sheets-limit must be from 0 to \(WorkbookWriter.maximumSheetsLimit), found \(options.sheetsLimit)")
        }
        guard (0...15).contains(options.decimals) else {
            throw OutputError(.cannotCreate, "--decimals must be from 0 to 15, found \(options.decimals)")
        }
        let stepSheets = plan.runs.count * min(plan.steps, options.sheetsLimit)
        guard stepSheets <= WorkbookWriter.maximumSheetsLimit else {
            throw OutputError(.cannotCreate, "--sheets-limit \(options.sheetsLimit): \(plan.runs.count) runs × \(min(plan.steps, options.sheetsLimit)) step sheets = \(stepSheets); a compare workbook holds at most \(WorkbookWriter.maximumSheetsLimit) step sheets, lower --sheets-limit")
        }
        guard !plan.runs.isEmpty else { throw OutputError(.cannotCreate, "a comparison needs at least one run") }
        self.plan = plan
        self.destination = destination
        var o = options
        o.walkthroughStep = 0   // no walkthrough sheets in a compare workbook (run validates --walkthrough >= 1)
        self.options = o
        tableSteps = Set(CompareSheetRows.steps(plan.steps))
        let perRun = min(plan.steps, options.sheetsLimit) + 1
        try XLSXWorkbook.ensureOpenFiles(plan.runs.count * perRun + 2)
        book = try XLSXWorkbook(destination: destination, overwrite: overwrite, transaction: transaction)
        let spec = plan.runs[0].spec
        try book.setProperties(title: "bptrace · compare \(spec.name)",
                               subject: "\(plan.runs.count) runs of \(plan.steps) steps of a \(spec.layers.map(String.init).joined(separator: "-")) network")
        styles = WorkbookStyles(workbook: book, decimals: options.decimals)
        compare = try book.addSheet(named: CompareSheet.name)
        let dataSheet = try book.addSheet(named: DataSheet.name)
        try DataSheet(spec: spec).write(to: book, dataSheet, styles: styles, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
    }

    // MARK: TraceSink

    public func begin(_ run: TraceRun) throws {
        guard finished < plan.runs.count, current == nil else { throw OutputError(.io, "internal error: the compare workbook got more runs than its plan has") }
        let planned = plan.runs[finished]
        let prefix = CompareSheetNaming.prefix(run: planned.index)
        let writer = WorkbookWriter(embeddedIn: book, options: options, embedding: CompareEmbedding(styles: styles))
        current = (writer, prefix, run.spec.depth)
        runs.append(CompareRunLosses(label: planned.label.isEmpty ? "run \(planned.index)" : planned.label, index: planned.index))
        try CompareSheetNaming.$prefix.withValue(prefix) { try writer.begin(run) }
    }

    public func receive(_ block: TraceBlock) throws {
        guard let c = current else { throw OutputError(.io, "internal error: a block reached the compare workbook outside a run") }
        if block.quantity == .loss, block.layer == c.depth, let v = block.matrix.values.first {
            let i = runs.count - 1
            if tableSteps.contains(block.step) { runs[i].tableLosses[block.step] = v }
            runs[i].recent.append((block.step, v))
            if runs[i].recent.count > 2 { runs[i].recent.removeFirst() }
            if let t = plan.target, runs[i].firstBelowTarget == nil, v.isFinite, v < t { runs[i].firstBelowTarget = block.step }
        }
        try CompareSheetNaming.$prefix.withValue(c.prefix) { try c.writer.receive(block) }
    }

    public func finish(_ outcome: TraceOutcome) throws {
        guard let c = current else { throw OutputError(.io, "internal error: the compare workbook finished a run it did not begin") }
        try CompareSheetNaming.$prefix.withValue(c.prefix) { try c.writer.finish(outcome) }
        let i = runs.count - 1
        runs[i].completed = outcome.completedSteps
        runs[i].stoppedBy = outcome.stoppedBy
        // A step that did not complete keeps no loss in the table.
        runs[i].tableLosses = runs[i].tableLosses.filter { $0.key <= outcome.completedSteps }
        if let f = runs[i].firstBelowTarget, f > outcome.completedSteps { runs[i].firstBelowTarget = nil }
        current = nil
        finished += 1
        if finished == plan.runs.count {
            try CompareSheet(plan: plan, runs: runs, styles: styles).write(to: book, compare)
            try book.commit()
            if plan.steps > options.sheetsLimit {
                notes.append("workbook: each run has step sheets for steps 1–\(options.sheetsLimit) only; later steps are in its Overview and the Compare table (--sheets-limit \(options.sheetsLimit))")
            }
            if CompareSheetRows.every(plan.steps) > 1 {
                notes.append("workbook: the Compare table lists every \(OverviewPlan.ordinal(CompareSheetRows.every(plan.steps))) step and the last; --format csv has them all")
            }
        }
    }
}
