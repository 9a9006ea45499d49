import BPTrace

/// The Overview's table and chart of the size of the error term per layer, mean |delta(l)|
/// over the batch and the layer's neurons, for networks with two or more hidden layers
/// (`DeltaSizes` gives the numbers). The table sits to the right of the loss chart, the chart
/// below the loss chart, its value axis logarithmic. The Overview is written in ascending row
/// order (libxlsxwriter's constant-memory mode), so the loss table writes this table's rows
/// along with its own.
///
/// A step with its own sheet gets live formulas over that sheet's delta block,
/// `(SUMIF(r,">0") − SUMIF(r,"<0")) / COUNT(r)`: the mean of absolute values without an array
/// formula (ABS over a range is one, which Gnumeric does not evaluate in a plain cell). Later
/// steps are numbers from bptrace, as in the loss table. Past `chartPointLimit` steps the table
/// lists every k-th step and the last, so it is also the chart's data.
struct OverviewDeltaTable {
    let plan: OverviewPlan
    let depth: Int
    let names: [String]
    let ranges: [String]
    let stepSheets: Int
    let n: Int
    let every: Int
    let rows: Int
    let chartCol: Int
    let col: Int
    private var cursor: LossSpool.Cursor

    static let heading = "Size of the error term per layer: mean |delta(l)| over the batch and the layer's neurons"

    /// nil for networks with fewer than two hidden layers or a run without a step.
    init?(plan: OverviewPlan, spec: NetworkSpec, outcome o: OverviewOutcome, spool: LossSpool?) {
        guard let spool, DeltaSizes.applies(to: spec), o.deltaRanges.count == spec.depth else { return nil }
        n = min(o.completed, spool.count)
        guard n > 0 else { return nil }
        self.plan = plan
        depth = spec.depth
        names = DeltaSizeChart.layerNames(layers: spec.layers)
        ranges = o.deltaRanges
        stepSheets = o.stepSheets
        every = n <= OverviewPlan.chartPointLimit ? 1 : (n + OverviewPlan.chartPointLimit - 1) / OverviewPlan.chartPointLimit
        rows = OverviewPlan.rowCount(n, every: every)
        let helperCol = OverviewPlan.labelCol + (plan.hasCost ? 4 : 3) + 1
        chartCol = (n > OverviewPlan.chartPointLimit ? helperCol + 2 : helperCol) + 1   // where writeTable puts the loss chart
        col = chartCol + 8
        cursor = LossSpool.Cursor(spool)
    }

    /// `(SUMIF(r,">0")-SUMIF(r,"<0"))/COUNT(r)` for the range `r` on `sheet`.
    static func meanAbsFormula(sheet: String, range: String) -> String {
        let r = A1.quotedSheet(sheet) + "!" + range
        return "=(SUMIF(\(r),\">0\")-SUMIF(\(r),\"<0\"))/COUNT(\(r))"
    }

    func writeHeader(_ wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, _ st: WorkbookStyles) throws {
        try wb.writeString(sheet, plan.tableHeaderRow, col, every == 1 ? "step" : "step (every \(every))", st.tableHeader)
        for l in 1...depth { try wb.writeString(sheet, plan.tableHeaderRow, col + l, names[l - 1], st.tableHeader) }
    }

    /// Row `i` (0-based) of the table, if it has one.
    mutating func writeRow(_ i: Int, _ wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, _ st: WorkbookStyles) throws {
        guard i < rows else { return }
        let r = plan.firstTableRow + i
        let step = min(i * every, n - 1) + 1
        let sizes = Array(try cursor.record(step - 1))
        try wb.writeNumber(sheet, r, col, Double(step), st.stepNumber)
        for l in 1...depth {
            let v = sizes[l - 1]
            guard v.isFinite else { try wb.writeString(sheet, r, col + l, "—", st.text); continue }
            if step <= stepSheets {
                try wb.writeFormula(sheet, r, col + l, OverviewDeltaTable.meanAbsFormula(sheet: WorkbookWriter.stepName(step), range: ranges[l - 1]),
                                    value: v, st.lossNumber(for: v))
            } else {
                try wb.writeNumber(sheet, r, col + l, v, st.lossNumber(for: v))
            }
        }
    }

    /// The line chart, one line per layer (output first), below the loss chart.
    func insertChart(_ wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet) throws {
        let me = A1.quotedSheet(OverviewPlan.sheetName)
        let first = plan.firstTableRow, last = plan.firstTableRow + rows - 1
        let chart = XLSXMultiLineChart(
            title: "Mean |delta| per layer (log scale)" + (every == 1 ? "" : ", every \(OverviewPlan.ordinal(every)) step"),
            categories: "=\(me)!\(A1.absolute(first, col)):\(A1.absolute(last, col))",
            series: (1...depth).reversed().map { l in (names[l - 1], "=\(me)!\(A1.absolute(first, col + l)):\(A1.absolute(last, col + l))", l - 1) },
            xAxisName: "step", yAxisName: "mean |delta| (log scale)")
        try wb.insertMultiLineChart(sheet, row: plan.tableHeadingRow + 22, col: chartCol, chart)
    }
}
