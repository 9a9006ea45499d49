import BPTrace

/// The Compare sheet: title, the chart of every run's loss (top), the runs' summary, then the
/// loss table the chart reads (one column per run, one row per listed step).
struct CompareSheet {
    static let name = "Compare"
    static let chartRow = 4
    /// The chart covers about 21 rows (1.4 × Excel's default height); the summary starts below.
    static let summaryHeadingRow = 27

    let plan: ComparePlan
    let runs: [CompareRunLosses]
    let styles: WorkbookStyles

    var summaryHeaderRow: Int { CompareSheet.summaryHeadingRow + 1 }
    var tableHeadingRow: Int { summaryHeaderRow + runs.count + 2 }
    var tableHeaderRow: Int { tableHeadingRow + 1 }
    var firstTableRow: Int { tableHeadingRow + 2 }

    func write(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet) throws {
        let st = styles, B = OverviewPlan.labelCol
        let steps = CompareSheetRows.steps(plan.steps)
        let every = CompareSheetRows.every(plan.steps)
        let log = CompareSheetRows.wantsLogScale(runs)
        var cells = SheetCells(capacity: 64 + runs.count * (steps.count + 8))
        let spec = plan.runs[0].spec
        cells.height(0, 24)
        cells.text(0, B, "bptrace · compare · \(spec.name)", st.overviewTitle)
        let varied = plan.axes.map { "\($0.key) = \($0.values.joined(separator: ", "))" }.joined(separator: "; ")
        cells.text(1, B, "\(runs.count) run\(runs.count == 1 ? "" : "s") of \(plan.steps) step\(plan.steps == 1 ? "" : "s") of a \(spec.layers.map(String.init).joined(separator: "-")) network" + (varied.isEmpty ? "." : ", varying \(varied)."), st.info)
        let diverged = runs.filter(\.diverged)
        let status = diverged.isEmpty ? "Every run completed." :
            "Diverged (a non-finite value stopped the run, the others went on): " + diverged.map { "R\($0.index) at step \($0.stoppedBy!.step)" }.joined(separator: ", ") + "."
        cells.text(2, B, status, diverged.isEmpty ? st.status : st.stopped)
        var note = "Each run has its own sheets (R1 Overview, R1 Step 1, …): edit a run's learning rate on its Overview and that run's step sheets recompute."
        note += every > 1 ? " The table lists every \(OverviewPlan.ordinal(every)) step and the last (at most about \(CompareSheetRows.rowLimit) rows); --format csv has every step." : ""
        note += log ? " The losses span more than two decades: the chart's loss axis is logarithmic." : ""
        cells.text(3, B, note, st.info)

        // The runs' summary.
        let h = CompareSheet.summaryHeadingRow
        cells.text(h, B, "Runs", st.heading)
        let headers = ["run", "settings", "final loss", plan.target.map { "first step below \(String($0))" } ?? "first step below target", "steps", "status"]
        for (j, t) in headers.enumerated() { cells.text(summaryHeaderRow, B + j, t, st.tableHeader) }
        for (i, r) in runs.enumerated() {
            let row = summaryHeaderRow + 1 + i
            cells.link(row, B, toSheet: CompareSheetNaming.prefix(run: r.index) + "Overview", "R\(r.index)", st.navigation)
            cells.text(row, B + 1, r.label, st.text)
            if let f = r.finalLoss, f.isFinite { cells.number(row, B + 2, f, st.lossNumber(for: f)) } else { cells.text(row, B + 2, "—", st.text) }
            if plan.target == nil { cells.text(row, B + 3, "— (no --target)", st.text) }
            else if let s = r.firstBelowTarget { cells.number(row, B + 3, Double(s), st.stepNumber) }
            else { cells.text(row, B + 3, "not reached", st.text) }
            cells.number(row, B + 4, Double(r.completed), st.stepNumber)
            if let bad = r.stoppedBy {
                cells.text(row, B + 5, "diverged at step \(bad.step): \(bad.quantity.rawValue)(\(bad.layer)) became \(bad.value)", st.stopped)
            } else {
                cells.text(row, B + 5, "completed", st.text)
            }
        }

        // The loss table.
        cells.text(tableHeadingRow, B, every == 1 ? "Loss per step" : "Loss per step (every \(OverviewPlan.ordinal(every)) step and the last)", st.heading)
        cells.text(tableHeaderRow, B, "step", st.tableHeader)
        for (j, r) in runs.enumerated() { cells.text(tableHeaderRow, B + 1 + j, "R\(r.index): \(r.label)", st.tableHeader) }
        for (i, s) in steps.enumerated() {
            let row = firstTableRow + i
            cells.number(row, B, Double(s), st.stepNumber)
            for (j, r) in runs.enumerated() {
                if let v = r.tableLosses[s], v.isFinite { cells.number(row, B + 1 + j, v, st.lossNumber(for: v)) }
            }
        }
        try cells.write(to: wb, sheet)
        try wb.setColumnWidth(sheet, first: 0, last: 0, width: 2)
        try wb.setColumnWidth(sheet, first: B, last: B, width: 10)
        try wb.setColumnWidth(sheet, first: B + 1, last: B + max(runs.count, 5), width: 24)

        guard !steps.isEmpty else { return }
        let first = firstTableRow, last = firstTableRow + steps.count - 1
        let me = CompareSheet.name
        let chart = XLSXMultiLineChart(
            title: "Loss per step" + (log ? " (log scale)" : ""),
            categories: "=\(me)!\(A1.absolute(first, B)):\(A1.absolute(last, B))",
            series: runs.enumerated().map { j, r in
                ("R\(r.index): \(r.label)", "=\(me)!\(A1.absolute(first, B + 1 + j)):\(A1.absolute(last, B + 1 + j))", j)
            },
            xAxisName: "step", yAxisName: log ? "loss (log scale)" : "loss", logY: log, xScale: 2.2, yScale: 1.4)
        try wb.insertMultiLineChart(sheet, row: CompareSheet.chartRow, col: B, chart)
    }
}
