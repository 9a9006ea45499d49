import BPTrace

/// The Overview sheet: the network's settings (η and λ as editable cells named
/// `learning_rate` and `lambda_l2`; an optimizer's hyper-parameters and initial states, see
/// `OptimizerCells`), the colour legend, links to the other sheets, the sign
/// conventions, and a table and line chart of the loss of every step.
///
/// Its rows are fixed when the run begins (so the names can point at η and λ), and it is
/// written when the run ends, from the loss spool, in ascending row order. Steps that have a
/// sheet get loss cells that are formulas pointing at that sheet; later steps are numbers.
struct OverviewPlan {
    enum Value {
        case text(String)
        /// A number; `name` makes it a workbook name (and an editable cell).
        case number(Double, name: String?, note: String)
        case link(sheet: String, text: String)
    }

    static var sheetName: String { CompareSheetNaming.prefix + "Overview" }
    static let titleRow = 0, subtitleRow = 1, statusRow = 2, networkHeadingRow = 4
    static let labelCol = 1, valueCol = 2
    /// Above this many steps the chart plots every k-th step from helper columns.
    static let chartPointLimit = 2_000
    /// Above this many steps the loss table lists every k-th step (k = ceil(steps / limit)) and
    /// the last one: about this many rows.
    static let tableRowLimit = 100_000

    let settings: [(String, Value)]
    let legendHeadingRow: Int
    let sheetsHeadingRow: Int
    let conventionsHeadingRow: Int
    let tableHeadingRow: Int
    var tableHeaderRow: Int { tableHeadingRow + 1 }
    var firstTableRow: Int { tableHeadingRow + 2 }
    let hasCost: Bool
    /// The optimizer's line of the conventions (nil for SGD).
    let optimizerConvention: String?

    init(spec: NetworkSpec, names: NetworkNames) {
        let L = spec.depth
        let catalogue = Catalogue(spec: spec)
        var s: [(String, Value)] = []
        s.append(("network", .text(spec.name)))
        var layerParts: [String] = []
        for l in 0...L {
            let kind = l == 0 ? "inputs" : (l == L ? "outputs" : (L > 2 ? "hidden layer \(l)" : "hidden"))
            let first = names.neuron(layer: l, 0).plain, last = names.neuron(layer: l, spec.layers[l] - 1).plain
            layerParts.append("\(kind) \(first == last ? first : first + "–" + last)")
        }
        s.append(("layers", .text(spec.layers.map(String.init).joined(separator: "-") + ": " + layerParts.joined(separator: " · "))))
        s.append(("activations", .text(spec.activations.enumerated().map { "\($0.element.rawValue) (layer \($0.offset + 1))" }.joined(separator: ", "))))
        s.append(("loss", .text("\(spec.loss.rawValue): \(catalogue.formula(of: QuantityRef(.loss, L)))")))
        s.append(("learning rate η", .number(spec.learningRate, name: StepFormulas.learningRateName,
                                              note: "named learning_rate in the formulas: edit it and every step sheet recomputes")))
        s += OptimizerCells.settings(spec: spec)
        let n = spec.data.count
        switch spec.batch {
        case .full: s.append(("batch", .text("full: every step uses all \(n) sample\(n == 1 ? "" : "s")")))
        case .sample: s.append(("batch", .text("sample: step s uses sample ((s − 1) mod \(n)) + 1")))
        case .size(let k): s.append(("batch", .text("\(k) samples per step, cycling through the \(n) samples in order")))
        }
        s.append(("update order", .text(spec.update == .simultaneous
            ? "simultaneous: every gradient and error uses the weights at the start of the step"
            : "immediate: each layer is updated as soon as its gradient is known; err uses the updated W_new")))
        s.append(("bias", .text(spec.bias ? "yes: z = a·W + b" : "no: z = a·W")))
        s.append(("biases trained", .text(!spec.bias ? "— (no biases)" : (spec.updateBiases ? (spec.optimizer.isSGD ? "yes: b_new = b − η·grad_b" : "yes: b_new by the optimizer, as W_new") : "no (update_biases is false): b_new = b"))))
        if spec.l2 > 0 {
            s.append(("L2 λ", .number(spec.l2, name: StepFormulas.l2Name, note: "named lambda_l2: cost = loss + λ/2·ΣW², grad_W gets + λ·W")))
        } else {
            s.append(("L2 λ", .text("0 (no L2 term)")))
        }
        s.append(("starting weights", .text(OverviewPlan.initDescription(spec))))
        s.append(("data", .link(sheet: DataSheet.name, text: "\(n) sample\(n == 1 ? "" : "s") × \(spec.layers[0]) inputs, \(spec.layers[L]) target\(spec.layers[L] == 1 ? "" : "s") (sheet Data)")))
        settings = s
        legendHeadingRow = OverviewPlan.networkHeadingRow + 1 + s.count + 1
        sheetsHeadingRow = legendHeadingRow + 4 + 1
        conventionsHeadingRow = sheetsHeadingRow + 5 + 1
        optimizerConvention = OptimizerCells.convention(spec: spec)
        tableHeadingRow = conventionsHeadingRow + 5 + (optimizerConvention == nil ? 0 : 1) + 1
        hasCost = spec.l2 > 0
    }

    /// The settings that are workbook names, in order (`learning_rate`, the optimizer's, `lambda_l2`).
    var names: [String] {
        settings.compactMap { if case .number(_, let n?, _) = $0.1 { return n } else { return nil } }
    }

    /// The row of a setting that became a workbook name.
    func row(ofName name: String) -> Int? {
        for (i, (_, v)) in settings.enumerated() {
            if case .number(_, let n, _) = v, n == name { return OverviewPlan.networkHeadingRow + 1 + i }
        }
        return nil
    }

    static func initDescription(_ spec: NetworkSpec) -> String {
        let explicitW = spec.weights.allSatisfy { $0 != nil }
        let explicitB = !spec.bias || spec.biases.allSatisfy { $0 != nil }
        if explicitW && explicitB { return "given in the spec (edit them on Step 1)" }
        let d: String
        switch spec.initSpec.distribution {
        case .uniform(let lo, let hi): d = "uniform(\(lo), \(hi))"
        case .normal(let m, let sd): d = "normal(\(m), \(sd))"
        case .xavierUniform: d = "xavier_uniform (biases 0)"
        case .heNormal: d = "he_normal (biases 0)"
        }
        let drawn = "\(d), \(spec.initSpec.rng.rawValue) seed \(spec.initSpec.seed)"
        return (spec.weights.contains { $0 != nil } || spec.biases.contains { $0 != nil })
            ? "given in the spec where present, the rest drawn from \(drawn)" : "drawn from \(drawn) (edit them on Step 1)"
    }
}

/// What the Overview says about the run once it has ended.
struct OverviewOutcome {
    let completed: Int
    let requested: Int
    let stoppedBy: NonFiniteValue?
    let stepSheets: Int
    let sheetsLimit: Int
    let walkthroughStep: Int
    let walkthroughWritten: Bool
    let decimals: Int
    /// Where the loss (and cost) sit on a step sheet.
    let lossAddress: String
    let costAddress: String?
    /// The data range of delta(l), l = 1 … L, on a step sheet (for the error-size table).
    var deltaRanges: [String] = []
}

extension OverviewPlan {
    func write(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, styles st: WorkbookStyles, spec: NetworkSpec,
               outcome o: OverviewOutcome, spool: LossSpool, deltaSpool: LossSpool? = nil) throws {
        var cells = SheetCells(capacity: 128)
        let B = OverviewPlan.labelCol, C = OverviewPlan.valueCol
        cells.height(OverviewPlan.titleRow, 24)
        cells.text(OverviewPlan.titleRow, B, "bptrace · \(spec.name)", st.overviewTitle)
        cells.text(OverviewPlan.subtitleRow, B, "Backpropagation step by step: every intermediate of \(o.completed) training step\(o.completed == 1 ? "" : "s") of a \(spec.layers.map(String.init).joined(separator: "-")) network, each computed cell a live formula.", st.info)
        if let bad = o.stoppedBy {
            cells.text(OverviewPlan.statusRow, B, "Training stopped at step \(bad.step): \(bad.quantity.rawValue)(\(bad.layer)) row \(bad.row), col \(bad.col) became \(bad.value). Steps 1–\(o.completed) are in this workbook; \(o.requested) were asked for.", st.stopped)
        } else {
            cells.text(OverviewPlan.statusRow, B, "All \(o.completed) step\(o.completed == 1 ? "" : "s") completed.", st.status)
        }

        cells.text(OverviewPlan.networkHeadingRow, B, "Network", st.heading)
        for (i, (label, value)) in settings.enumerated() {
            let r = OverviewPlan.networkHeadingRow + 1 + i
            cells.text(r, B, label, st.label)
            switch value {
            case .text(let t): cells.text(r, C, t, st.text)
            case .number(let v, let name, let note):
                cells.number(r, C, v, name == nil ? st.plainNumber : st.editableNumber)
                cells.text(r, C + 1, note, st.info)
            case .link(let target, let text): cells.link(r, C, toSheet: target, text, st.navigation)
            }
        }

        cells.text(legendHeadingRow, B, "Colours", st.heading)
        cells.text(legendHeadingRow + 1, B, "yellow", st.swatchYellow)
        cells.text(legendHeadingRow + 1, C, "the cells being computed (walkthrough sheets: one stage of the step at a time)", st.text)
        cells.text(legendHeadingRow + 2, B, "orange", st.swatchOrange)
        cells.text(legendHeadingRow + 2, C, "the cells they are computed from", st.text)
        cells.text(legendHeadingRow + 3, B, "blue", st.swatchEditable)
        cells.text(legendHeadingRow + 3, C, "inputs you may edit: the starting weights and biases on Step 1, the samples on Data, " + (optimizerConvention == nil ? (hasCost ? "η and λ above" : "η above") : (hasCost ? "η, λ and the optimizer's settings above" : "η and the optimizer's settings above")), st.text)

        cells.text(sheetsHeadingRow, B, "Sheets", st.heading)
        cells.link(sheetsHeadingRow + 1, B, toSheet: DataSheet.name, DataSheet.name, st.navigation)
        cells.text(sheetsHeadingRow + 1, C, "the training samples x and targets y", st.text)
        let w = o.walkthroughStep
        if o.walkthroughWritten {
            let first = WorkbookWriter.walkthroughName(step: w, stage: .readInputs)
            cells.link(sheetsHeadingRow + 2, B, toSheet: first, first, st.navigation)
            cells.text(sheetsHeadingRow + 2, C, "\(w).1 – \(w).12: the 12 stages of step \(w), one sheet each, as in the tutorial's 12 screenshots", st.text)
        } else {
            cells.text(sheetsHeadingRow + 2, B, "walkthrough", st.label)
            cells.text(sheetsHeadingRow + 2, C, w == 0 ? "none in a compare workbook (bptrace run --walkthrough has them)" : "none: step \(w) (--walkthrough) was not reached", st.text)
        }
        if o.stepSheets > 0 {
            cells.link(sheetsHeadingRow + 3, B, toSheet: WorkbookWriter.stepName(1), WorkbookWriter.stepName(1), st.navigation)
            cells.text(sheetsHeadingRow + 3, C, "Step 1 – Step \(o.stepSheets): one sheet per step; each starts from the previous step's updated weights", st.text)
        } else {
            cells.text(sheetsHeadingRow + 3, B, "step sheets", st.label)
            cells.text(sheetsHeadingRow + 3, C, "none (--sheets-limit \(o.sheetsLimit))", st.text)
        }
        cells.text(sheetsHeadingRow + 4, B, "summarised", st.label)
        if o.completed > o.stepSheets {
            let every = OverviewPlan.tableSteps(o.completed).every
            let which = every == 1 ? "" : " (every \(OverviewPlan.ordinal(every)) step and the last; the CSV trace has them all)"
            cells.text(sheetsHeadingRow + 4, C, "steps \(o.stepSheets + 1) – \(o.completed): loss only, in the table below\(which), as numbers from bptrace (they do not recompute); --sheets-limit is \(o.sheetsLimit)", st.text)
        } else {
            cells.text(sheetsHeadingRow + 4, C, "none: every step has its own sheet", st.text)
        }

        cells.text(conventionsHeadingRow, B, "Conventions", st.heading)
        var conventions = [
            "Values follow bptrace's contract: E = y − a, delta = dL/dz, grad_W = dL/dW, " + (optimizerConvention == nil ? "W_new = W − η·grad_W." : "W_new by the optimizer (last line)."),
            "The tutorial's code writes d_output = E·slope (= −delta for half_sse) and adds lr·(…) in its updates: " + (optimizerConvention == nil ? "its updated weights are the same numbers." : "plain SGD, so this run's updated weights differ from it."),
            "The tutorial's Excel screenshots also multiply d_output by lr, which its code does not; bptrace follows the code.",
            "Numbers show \(o.decimals) decimal\(o.decimals == 1 ? "" : "s"); every cell stores the full value. Formulas read η from the name learning_rate" + (hasCost ? " and λ from lambda_l2." : "."),
        ]
        if let line = optimizerConvention { conventions.append(line) }
        for (i, t) in conventions.enumerated() { cells.text(conventionsHeadingRow + 1 + i, B, t, st.text) }

        cells.text(tableHeadingRow, B, "Loss per step", st.heading)
        var delta = OverviewDeltaTable(plan: self, spec: spec, outcome: o, spool: deltaSpool)
        if let d = delta { cells.text(tableHeadingRow, d.col, OverviewDeltaTable.heading, st.heading) }
        try cells.write(to: wb, sheet)

        try writeTable(to: wb, sheet, styles: st, outcome: o, spool: spool, delta: &delta)
        try wb.setColumnWidth(sheet, first: 0, last: 0, width: 2)
        try wb.setColumnWidth(sheet, first: 1, last: 1, width: 18)
        try wb.setColumnWidth(sheet, first: 2, last: 40, width: 14)
        wb.setHandoutLayout(sheet, hideGridlines: true)
        wb.freezePanes(sheet, row: OverviewPlan.statusRow + 1, col: 0)
        wb.activate(sheet)
    }

    /// The steps the loss table lists: every step up to `tableRowLimit`, else every k-th step
    /// and the last, so the sheet stays quick to open for any number of steps.
    static func tableSteps(_ n: Int) -> (every: Int, count: Int) {
        let every = n <= tableRowLimit ? 1 : (n + tableRowLimit - 1) / tableRowLimit
        return (every, rowCount(n, every: every))
    }

    /// `2nd`, `3rd`, `11th`, `125th`.
    static func ordinal(_ k: Int) -> String {
        let suffix = (11...13).contains(k % 100) ? "th" : (k % 10 == 1 ? "st" : (k % 10 == 2 ? "nd" : (k % 10 == 3 ? "rd" : "th")))
        return "\(k)\(suffix)"
    }

    /// Rows that list steps 1, 1+k, 1+2k, … of `n` and then step n.
    static func rowCount(_ n: Int, every k: Int) -> Int {
        n == 0 ? 0 : (n + k - 1) / k + ((n - 1) % k == 0 ? 0 : 1)
    }

    /// The loss table, streamed from the spool row by row; past `chartPointLimit` steps the
    /// chart plots every k-th step from two helper columns.
    private func writeTable(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, styles st: WorkbookStyles,
                            outcome o: OverviewOutcome, spool: LossSpool, delta: inout OverviewDeltaTable?) throws {
        let n = o.completed
        let width = hasCost ? 4 : 3
        let c = OverviewPlan.labelCol
        let (every, rows) = OverviewPlan.tableSteps(n)
        func listed(_ i: Int, every k: Int) -> Int { min(i * k, n - 1) }   // 0-based step of row i
        let sampled = n > OverviewPlan.chartPointLimit
        let chartEvery = sampled ? (n + OverviewPlan.chartPointLimit - 1) / OverviewPlan.chartPointLimit : 1
        let points = sampled ? OverviewPlan.rowCount(n, every: chartEvery) : 0
        let helperCol = c + width + 1

        try wb.writeString(sheet, tableHeaderRow, c, every == 1 ? "step" : "step (every \(every))", st.tableHeader)
        try wb.writeString(sheet, tableHeaderRow, c + 1, "loss", st.tableHeader)
        if hasCost { try wb.writeString(sheet, tableHeaderRow, c + 2, "cost", st.tableHeader) }
        try wb.writeString(sheet, tableHeaderRow, c + width - 1, "sheet", st.tableHeader)
        if sampled {
            try wb.writeString(sheet, tableHeaderRow, helperCol, "chart: step", st.tableHeader)
            try wb.writeString(sheet, tableHeaderRow, helperCol + 1, "loss (every \(chartEvery))", st.tableHeader)
        }

        try delta?.writeHeader(wb, sheet, st)

        var table = LossSpool.Cursor(spool), chart = LossSpool.Cursor(spool)
        for i in 0..<max(rows, points) {
            let r = firstTableRow + i
            try delta?.writeRow(i, wb, sheet, st)
            if i < rows {
                let step = listed(i, every: every) + 1
                let (loss, cost) = try table.read(step - 1)
                try wb.writeNumber(sheet, r, c, Double(step), st.stepNumber)
                if step <= o.stepSheets {
                    let ref = A1.quotedSheet(WorkbookWriter.stepName(step))
                    try wb.writeFormula(sheet, r, c + 1, "=\(ref)!\(o.lossAddress)", value: loss, st.lossNumber(for: loss))
                    if let cost, let a = o.costAddress { try wb.writeFormula(sheet, r, c + 2, "=\(ref)!\(a)", value: cost, st.lossNumber(for: cost)) }
                    try wb.writeInternalLink(sheet, r, c + width - 1, toSheet: WorkbookWriter.stepName(step), text: WorkbookWriter.stepName(step), st.navigation)
                } else {
                    try wb.writeNumber(sheet, r, c + 1, loss, st.lossNumber(for: loss))
                    if let cost { try wb.writeNumber(sheet, r, c + 2, cost, st.lossNumber(for: cost)) }
                }
            }
            if i < points {
                let step = listed(i, every: chartEvery) + 1
                let (loss, _) = try chart.read(step - 1)
                try wb.writeNumber(sheet, r, helperCol, Double(step), st.stepNumber)
                try wb.writeNumber(sheet, r, helperCol + 1, loss, st.lossNumber(for: loss))
            }
        }

        guard n > 0 else { return }
        let me = A1.quotedSheet(OverviewPlan.sheetName)
        let first = firstTableRow
        let (xCol, yCol, last) = sampled ? (helperCol, helperCol + 1, first + points - 1) : (c, c + 1, first + n - 1)
        let chartSpec = XLSXLineChart(
            title: sampled ? "Loss per step (every \(OverviewPlan.ordinal(chartEvery)) step)" : "Loss per step",
            categories: "=\(me)!\(A1.absolute(first, xCol)):\(A1.absolute(last, xCol))",
            values: "=\(me)!\(A1.absolute(first, yCol)):\(A1.absolute(last, yCol))",
            seriesName: "loss", xAxisName: "step", yAxisName: "loss")
        try wb.insertLineChart(sheet, row: tableHeadingRow, col: (sampled ? helperCol + 2 : helperCol) + 1, chartSpec)
        try delta?.insertChart(wb, sheet)
    }
}

/// The Data sheet: every training sample, editable; step sheets read x and y from it.
struct DataSheet {
    static let name = "Data"
    let firstRow: Int
    let inputCol = 2
    let targetCol: Int
    let spec: NetworkSpec

    init(spec: NetworkSpec) throws {
        self.spec = spec
        let named = !spec.data.inputNames.isEmpty || !spec.data.targetNames.isEmpty
        firstRow = named ? 6 : 5
        targetCol = inputCol + spec.layers[0] + 1
        guard firstRow + spec.data.count <= XLSXWorkbook.maxRows,
              targetCol + spec.layers[spec.depth] <= XLSXWorkbook.maxColumns else {
            throw OutputError(.cannotCreate, "the data set (\(spec.data.count) samples) does not fit one worksheet (at most \(XLSXWorkbook.maxRows - firstRow) samples of at most 16,000 columns); write it as CSV (--format csv)")
        }
    }

    /// `Data!C7`: input `c` (0-based) of sample `i` (0-based).
    func input(_ i: Int, _ c: Int) -> String { "\(DataSheet.name)!" + A1.cell(firstRow + i, inputCol + c) }
    func target(_ i: Int, _ c: Int) -> String { "\(DataSheet.name)!" + A1.cell(firstRow + i, targetCol + c) }

    func write(to wb: XLSXWorkbook, _ sheet: XLSXWorkbook.Sheet, styles st: WorkbookStyles, names: NetworkNames) throws {
        let L = spec.depth, n0 = spec.layers[0], nL = spec.layers[L]
        let data = spec.data
        var header = SheetCells(capacity: 16 + 2 * (n0 + nL))
        header.height(0, 20)
        header.text(0, 1, "Data · \(data.count) sample\(data.count == 1 ? "" : "s")", st.sheetTitle)
        header.link(1, 1, toSheet: OverviewPlan.sheetName, "◀ Overview", st.navigation)
        header.text(2, 1, "The training samples. Edit a blue cell and every step sheet recomputes (steps summarised on the Overview do not).", st.info)
        header.text(3, inputCol, "inputs x", st.label)
        header.text(3, targetCol, "targets y", st.label)
        header.text(4, 1, "sample", st.tableHeader)
        for c in 0..<n0 { header.text(4, inputCol + c, names.neuron(layer: 0, c).plain, st.tableHeader) }
        for c in 0..<nL { header.text(4, targetCol + c, names.neuron(layer: L, c).plain, st.tableHeader) }
        if firstRow == 6 {
            for c in 0..<n0 where c < data.inputNames.count { header.text(5, inputCol + c, data.inputNames[c], st.corner) }
            for c in 0..<nL where c < data.targetNames.count { header.text(5, targetCol + c, data.targetNames[c], st.corner) }
        }
        try header.write(to: wb, sheet)
        for i in 0..<data.count {
            let r = firstRow + i
            try wb.writeString(sheet, r, 1, "s\(i + 1)", st.header)
            for c in 0..<n0 { try wb.writeNumber(sheet, r, inputCol + c, data.inputs[i, c], st.dataNumber) }
            for c in 0..<nL { try wb.writeNumber(sheet, r, targetCol + c, data.targets[i, c], st.dataNumber) }
        }
        try wb.setColumnWidth(sheet, first: 0, last: 0, width: 2)
        try wb.setColumnWidth(sheet, first: 1, last: targetCol + nL - 1, width: 10)
        wb.setHandoutLayout(sheet, hideGridlines: true)
        wb.freezePanes(sheet, row: firstRow, col: 2)
    }
}
