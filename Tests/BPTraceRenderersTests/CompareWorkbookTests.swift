import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// The compare workbook (issue 14): a Compare sheet (chart + table) and per run its Overview and
/// first step sheets with live formulas and its own η.
@Suite("Compare workbook")
struct CompareWorkbookTests {
    typealias S = WorkbookTestSupport

    static func spec(lr: Double, optimizer: String, name: String = "cmp") throws -> NetworkSpec {
        try S.spec("""
        {"name": "\(name)", "layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "half_sse",
         "learning_rate": \(lr), "batch": 2, "optimizer": "\(optimizer)",
         "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 7},
         "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
        """)
    }

    /// 3 runs varying learning_rate and optimizer (sgd, momentum, adam).
    static func plan(steps: Int = 5, target: Double? = nil) throws -> ComparePlan {
        let grid: [(String, String)] = [("0.5", "sgd"), ("0.3", "momentum"), ("0.1", "adam")]
        let runs = try grid.enumerated().map { i, g in
            CompareRun(index: i + 1, settings: [CompareSetting(key: "learning_rate", value: g.0), CompareSetting(key: "optimizer", value: g.1)],
                       spec: try spec(lr: Double(g.0)!, optimizer: g.1))
        }
        return ComparePlan(base: runs[0].spec, axes: [("learning_rate", grid.map(\.0)), ("optimizer", grid.map(\.1))],
                           runs: runs, steps: steps, target: target)
    }

    /// Collects each run's loss per step (the engine's values).
    final class Losses: TraceSink {
        var byRun: [String: [Double]] = [:]
        var depth = 0, id = ""
        func begin(_ run: TraceRun) throws { depth = run.spec.depth; id = run.id.name; byRun[id] = [] }
        func receive(_ block: TraceBlock) throws { if block.quantity == .loss && block.layer == depth { byRun[id]!.append(block.matrix.values[0]) } }
        func finish(_ outcome: TraceOutcome) throws { byRun[id] = Array(byRun[id]!.prefix(outcome.completedSteps)) }
    }

    @discardableResult
    static func write(_ plan: ComparePlan, to path: String, sheetsLimit: Int = 3, losses: Losses? = nil) throws -> [TraceOutcome] {
        var options = RenderOptions()
        options.sheetsLimit = sheetsLimit
        let sink = try CompareWorkbookSink(plan: plan, destination: path, overwrite: true, options: options)
        return try plan.runs.map { run in
            try TraceRunner.run(spec: run.spec, steps: plan.steps, sinks: [sink] + (losses.map { [$0] } ?? []), id: run.id)
        }
    }

    /// One file of the xlsx (zip) as text.
    static func member(_ path: String, _ name: String) throws -> String {
        let r = try S.run("/usr/bin/python3", ["-c", "import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", path, name])
        guard r.status == 0 else { throw TestFailure("cannot read \(name) of \(path): \(r.stderr)") }
        return String(decoding: r.stdout, as: UTF8.self)
    }

    @Test func chartHasOneSeriesPerRunNamedByTheSettings() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/c.xlsx"
        try CompareWorkbookTests.write(try CompareWorkbookTests.plan(), to: path)
        let chart = try CompareWorkbookTests.member(path, "xl/charts/chart1.xml")
        #expect(chart.components(separatedBy: "<c:ser>").count - 1 == 3)
        #expect(chart.contains("R2: learning_rate=0.3, optimizer=momentum"))
        #expect(chart.contains("Compare!$C$"))
        let book = try CompareWorkbookTests.member(path, "xl/workbook.xml")
        for name in ["Compare", "Data", "R1 Overview", "R1 Step 3", "R3 Step 1"] { #expect(book.contains("name=\"\(name)\""), "\(name)") }
        #expect(!book.contains("R1 Step 4"))
        #expect(book.contains("localSheetId"))
    }

    @Test func sameRunsGiveTheSameBytes() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CompareWorkbookTests.write(try CompareWorkbookTests.plan(), to: dir + "/a.xlsx")
        try CompareWorkbookTests.write(try CompareWorkbookTests.plan(), to: dir + "/b.xlsx")
        #expect(FileManager.default.contents(atPath: dir + "/a.xlsx") == FileManager.default.contents(atPath: dir + "/b.xlsx"))
    }

    @Test func aDivergingRunIsMarkedAndTheOthersGoOn() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let specs = [try CompareWorkbookTests.spec(lr: 0.5, optimizer: "sgd"), try S.spec("""
            {"name": "cmp", "layers": [1, 1], "activations": ["linear"], "loss": "mse", "learning_rate": 1e30,
             "weights": [[[2]]], "biases": [[1]], "data": {"inputs": [[1e10]], "targets": [[0]]}}
            """)]
        let runs = specs.enumerated().map { CompareRun(index: $0 + 1, settings: [CompareSetting(key: "learning_rate", value: "\($1.learningRate)")], spec: $1) }
        let plan = ComparePlan(base: specs[0], axes: [("learning_rate", ["0.5", "1e30"])], runs: runs, steps: 30, target: nil)
        let path = dir + "/d.xlsx"
        let outcomes = try CompareWorkbookTests.write(plan, to: path)
        #expect(outcomes[0].stoppedBy == nil && outcomes[0].completedSteps == 30)
        let bad = try #require(outcomes[1].stoppedBy)
        let compare = try CompareWorkbookTests.member(path, "xl/worksheets/sheet1.xml")
        #expect(compare.contains("diverged at step \(bad.step)"))
        #expect(compare.contains("R2 at step \(bad.step)"))
    }

    /// LibreOffice and Gnumeric recalculate every formula to the engine's value; the Compare
    /// table holds each run's losses; editing R2's η changes R2's sheets only.
    @Test func everyFormulaRecalculatesAndEachRunHasItsOwnLearningRate() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/r.xlsx"
        let plan = try CompareWorkbookTests.plan(steps: 5, target: 0.2)
        let losses = Losses()
        try CompareWorkbookTests.write(plan, to: path, losses: losses)

        let spec2 = plan.runs[1].spec
        let overview2 = OverviewPlan(spec: spec2, names: NetworkNames(spec: spec2, parameters: spec2.initialParameters()))
        let lrCell = A1.cell(try #require(overview2.row(ofName: "learning_rate")), OverviewPlan.valueCol)
        let layout = try StepSheetLayout(spec: spec2, decimals: 3)
        let lossCell = layout[QuantityRef(.loss, spec2.depth)].position(0, 0)
        let report = try S.recalculate([path], edits: ["'R2 Overview'!\(lrCell)=0.9"], dump: ["Compare", "R1 Step 3", "R2 Step 3", "R3 Step 3"])
        let file = try #require(report.files.first)
        #expect(file.formulaCells > 300)
        #expect(file.mismatchCount == 0, "\(file.mismatches.prefix(5))")
        #expect(file.sheets.count == 2 + 3 * 4, "\(file.sheets)")
        let dump = try #require(file.dump)
        // After the edit: R2's step-3 loss moved, R1's and R3's did not.
        func loss(_ sheet: String) -> Double? { dump[sheet]?[lossCell.row][lossCell.col].number }
        #expect(S.close(try #require(loss("R1 Step 3")), losses.byRun["run1"]![2]))
        #expect(S.close(try #require(loss("R3 Step 3")), losses.byRun["run3"]![2]))
        #expect(!S.close(try #require(loss("R2 Step 3")), losses.byRun["run2"]![2]))
        // The Compare table: step column B, one column per run (LibreOffice reads 15 digits).
        let c = CompareSheet(plan: plan, runs: [], styles: WorkbookStyles(workbook: try XLSXWorkbook(destination: dir + "/x.xlsx", overwrite: true), decimals: 3))
        let first = c.firstTableRow + 3   // 3 runs in the summary moves the table down
        let table = try #require(dump["Compare"])
        for s in 1...5 {
            #expect(table[first + s - 1][1].number == Double(s))
            for r in 1...3 { #expect(S.close(try #require(table[first + s - 1][1 + r].number), losses.byRun["run\(r)"]![s - 1]), "step \(s) run \(r)") }
        }

        let gnumeric = try #require(S.recalculateInGnumeric([path]).files.first)
        #expect(gnumeric.formulaCells == file.formulaCells)
        #expect(gnumeric.recalculatedFormulaCells == gnumeric.formulaCells)
        #expect(gnumeric.mismatchCount == 0, "\(gnumeric.mismatches.prefix(5))")
    }

    @Test func tableRowsStayNearFiveHundredAndLogScaleNeedsTwoDecades() throws {
        #expect(CompareSheetRows.steps(5) == [1, 2, 3, 4, 5])
        #expect(CompareSheetRows.steps(500).count == 500)
        #expect(CompareSheetRows.every(501) == 2 && CompareSheetRows.steps(501).last == 501)
        for n in [501, 999, 1000, 12_345, 10_000_000] {
            let rows = CompareSheetRows.steps(n)
            #expect(rows.count <= CompareSheetRows.rowLimit + 1 && rows.first == 1 && rows.last == n, "\(n)")
        }
        var a = CompareRunLosses(label: "a", index: 1), b = CompareRunLosses(label: "b", index: 2)
        a.tableLosses = [1: 0.5, 2: 0.01]
        b.tableLosses = [1: 0.5]
        #expect(!CompareSheetRows.wantsLogScale([a, b]))           // 50×
        b.tableLosses[2] = 0.004
        #expect(CompareSheetRows.wantsLogScale([a, b]))            // 125×
        b.tableLosses[3] = 0
        #expect(!CompareSheetRows.wantsLogScale([a, b]))           // a zero loss cannot go on a log axis
    }

    @Test func aSweepSpanningDecadesGetsALogAxis() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let specs = try [0.5, 5.0].map { try CompareWorkbookTests.spec(lr: $0, optimizer: "adam") }
        let runs = specs.enumerated().map { CompareRun(index: $0 + 1, settings: [CompareSetting(key: "learning_rate", value: "\($1.learningRate)")], spec: $1) }
        let plan = ComparePlan(base: specs[0], axes: [("learning_rate", ["0.5", "5"])], runs: runs, steps: 300, target: nil)
        let losses = Losses()
        try CompareWorkbookTests.write(plan, to: dir + "/log.xlsx", sheetsLimit: 1, losses: losses)
        let all = losses.byRun.values.flatMap { $0 }
        let chart = try CompareWorkbookTests.member(dir + "/log.xlsx", "xl/charts/chart1.xml")
        #expect(all.max()! / all.min()! > 100, "losses \(all.min()!)…\(all.max()!)")   // adam at η = 0.5 drives the loss to ~1e-11
        #expect(chart.contains("<c:logBase val=\"10\"/>"))
        #expect(chart.contains("Loss per step (log scale)"))
    }
}
