import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// The workbook as a file: deterministic, within Excel's limits for long runs, complete after a
/// non-finite stop, and never left half-written.
@Suite("Workbook file")
struct WorkbookFileTests {
    typealias S = WorkbookTestSupport

    @Test func twoRunsAreByteIdentical() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["mazur-2015", "tanh-relu-softmax"] {
            let a = try S.writeWorkbook(S.preset(name), steps: 30, in: dir, name: "a")
            let b = try S.writeWorkbook(S.preset(name), steps: 30, in: dir, name: "b")
            let da = try Data(contentsOf: URL(fileURLWithPath: a.path)), db = try Data(contentsOf: URL(fileURLWithPath: b.path))
            #expect(da.count > 10_000)
            #expect(da == db, "\(name): two runs differ")
        }
    }

    /// 10,000 steps of the default network: 200 step sheets, the rest in the Overview table, a
    /// note for the CLI, and a file LibreOffice opens and recalculates.
    @Test func tenThousandStepsStayUnderTheSheetLimitAndOpenInLibreOffice() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.preset(Presets.defaultName)
        let w = try S.writeWorkbook(spec, steps: 10_000, in: dir)
        #expect(w.outcome.completedSteps == 10_000)
        #expect(w.notes == ["workbook: steps 201–10000 are summarised in the Overview table only (--sheets-limit 200)"])
        let file = try #require(S.recalculate([w.path], dump: ["Overview"]).files.first)
        #expect(file.sheets.count == 2 + 12 + RenderOptions().sheetsLimit)
        #expect(file.sheets.last == "Step 200")
        #expect(file.sheets.allSatisfy { $0.count <= 31 })
        #expect(file.mismatchCount == 0, "\(file.mismatches.prefix(3))")
        #expect(file.formulaCells == w.formulas)

        // The Overview lists every step: formulas up to 200, the engine's numbers after.
        let overview = try #require(file.dump?["Overview"])
        let plan = OverviewPlan(spec: spec, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
        var trainer = Trainer(spec: spec)
        var losses: [Double] = []
        for s in 1...10_000 { losses.append(trainer.step(s).loss) }
        for s in [1, 2, 200, 201, 5_000, 10_000] {
            let row = overview[plan.firstTableRow + s - 1]
            #expect(row[OverviewPlan.labelCol].number == Double(s))
            let loss = try #require(row[OverviewPlan.valueCol].number)
            #expect(S.close(loss, losses[s - 1]), "Overview loss of step \(s): \(loss) vs \(losses[s - 1])")
        }
        // Mazur's post: the error falls to 0.0000351085 after 10,000 rounds (immediate order);
        // the simultaneous order lands close by.
        #expect(losses[9_999] < 1e-4)
    }

    @Test func moreStepsThanTheChartShowsUseSampledChartColumns() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.sheetsLimit = 3
        let w = try S.writeWorkbook(S.preset("xor"), steps: 4_500, options: options, in: dir)
        let dump = try S.readFills(w.path, sheets: ["Overview"])
        let texts = try #require(dump.dump["Overview"]).texts
        #expect(texts.values.contains("loss (every 3)"))
        #expect(dump.sheets.count == 2 + 12 + 3)
    }

    /// A run stopped by a non-finite value still gives a complete, valid workbook of the steps
    /// before it, and says so on the Overview.
    @Test func aNonFiniteStopWritesTheCompletedSteps() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.spec("""
        {"name": "blow-up", "layers": [1, 1, 1], "activations": ["linear", "linear"], "loss": "half_sse",
         "learning_rate": 10, "weights": [[[3]], [[3]]], "biases": [[0], [0]],
         "data": {"inputs": [[10]], "targets": [[1]]}}
        """)
        let w = try S.writeWorkbook(spec, steps: 50, in: dir)
        let bad = try #require(w.outcome.stoppedBy)
        #expect(w.outcome.completedSteps == bad.step - 1)
        #expect(w.outcome.completedSteps >= 2)
        let file = try #require(S.recalculate([w.path], dump: ["Overview"]).files.first)
        #expect(file.sheets.count == 2 + 12 + w.outcome.completedSteps)
        #expect(file.mismatchCount == 0)
        let texts = try S.readFills(w.path, sheets: ["Overview"]).dump["Overview"]!.texts
        #expect(texts.values.contains { $0.hasPrefix("Training stopped at step \(bad.step):") })
    }

    @Test func walkthroughBeyondTheRunIsANote() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.walkthroughStep = 9
        let w = try S.writeWorkbook(S.preset("mazur-2015"), steps: 3, options: options, in: dir)
        #expect(w.notes == ["workbook: no walkthrough sheets: --walkthrough 9 is beyond the 3 steps traced"])
        let dump = try S.readFills(w.path, sheets: ["Overview"])
        #expect(dump.sheets == ["Overview", "Data", "Step 1", "Step 2", "Step 3"])
    }

    /// A walkthrough of a step past the sheet limit holds that step's numbers (no step sheet to
    /// read from) and still recalculates.
    @Test func walkthroughPastTheSheetLimit() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.walkthroughStep = 5
        options.sheetsLimit = 2
        let w = try S.writeWorkbook(S.preset("analytics-vidhya"), steps: 6, options: options, in: dir)
        let file = try #require(S.recalculate([w.path]).files.first)
        #expect(file.sheets == ["Overview", "Data", "Step 1", "Step 2"] + Stage.allCases.map { WorkbookWriter.walkthroughName(step: 5, stage: $0) })
        #expect(file.mismatchCount == 0)
        #expect(file.formulaCells == w.formulas)
    }

    /// --decimals sets the display format of every number of a step sheet (a nonzero number
    /// that would show as 0 gets the same decimals with an exponent: WorkbookNumberFormatTests);
    /// the stored value keeps full precision.
    @Test(arguments: [(0, "0"), (3, "0.000"), (6, "0.000000")])
    func decimalsSetTheDisplayFormat(decimals: Int, format: String) throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.decimals = decimals
        let spec = try S.preset("mazur-2015")
        let w = try S.writeWorkbook(spec, steps: 1, options: options, in: dir)
        let sheet = try #require(S.readFills(w.path, sheets: ["Step 1"]).dump["Step 1"])
        let layout = try StepSheetLayout(spec: spec, decimals: decimals)
        let values = try #require(try WorkbookNumberFormatTests.blocks(spec, steps: 1)[1])
        var cells = 0
        for ref in layout.order {
            let b = layout[ref], m = try #require(values[ref])
            for i in 0..<b.rows {
                for j in 0..<b.cols {
                    let small = WorkbookStyles.showsAsZero(m[i, j], decimals: decimals)
                    #expect(sheet.formats[b.address(i, j)] == (small ? format + "E+00" : format)); cells += 1
                }
            }
        }
        #expect(cells == 16 + 8 + 3 + 6 + 4 + 16 + 8)   // x y W b; z a; E loss; slopes delta(2); err delta(1); grad_W W_new; grad_b b_new
        #expect(Set(sheet.formats.values).isSubset(of: [format, format + "E+00"]))
        // Step 1's W(1)[i1,h1] is stored exactly (0.15), whatever is shown.
        #expect(sheet.numbers[layout[QuantityRef(.W, 1)].address(0, 0)] == 0.15)
    }

    // MARK: Errors leave no partial file

    @Test func anExistingFileIsKeptUnlessOverwriting() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/net.xlsx"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: OutputError.self) { _ = try WorkbookWriter(destination: path, overwrite: false, options: RenderOptions()) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["net.xlsx"])
    }

    @Test func aMissingFolderFailsBeforeTraining() throws {
        do {
            _ = try WorkbookWriter(destination: "/nonexistent-bptrace-folder/net.xlsx", overwrite: true, options: RenderOptions())
            Issue.record("expected an error")
        } catch let e as OutputError {
            #expect(e.kind == .cannotCreate)
            #expect(e.message.contains("/nonexistent-bptrace-folder"))
        }
    }

    @Test func anAbandonedWorkbookLeavesNothing() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.preset("mazur-2015")
        do {
            let writer = try WorkbookWriter(destination: dir + "/net.xlsx", overwrite: false, options: RenderOptions())
            var trainer = Trainer(spec: spec)
            try writer.begin(TraceRun(spec: spec, steps: 3, initialParameters: trainer.parameters))
            for b in trainer.step(1).blocks() { try writer.receive(b) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == 1)   // the temporary file
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func aWriteErrorAtCloseIsReportedAndLeavesNothing() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sub = dir + "/out"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        let spec = try S.preset("mazur-2015")
        let writer = try WorkbookWriter(destination: sub + "/net.xlsx", overwrite: false, options: RenderOptions())
        var trainer = Trainer(spec: spec)
        try writer.begin(TraceRun(spec: spec, steps: 1, initialParameters: trainer.parameters))
        for b in trainer.step(1).blocks() { try writer.receive(b) }
        try FileManager.default.removeItem(atPath: sub)   // the folder vanishes before the file is written
        do {
            try writer.finish(TraceOutcome(completedSteps: 1, stoppedBy: nil))
            Issue.record("expected an error")
        } catch let e as OutputError {
            #expect(e.kind == .io)
            #expect(e.message.contains(sub + "/net.xlsx"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func theWrapperRefusesNonFiniteValuesAndBadCells() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let book = try XLSXWorkbook(destination: dir + "/x.xlsx", overwrite: false)
        let sheet = try book.addSheet(named: "S")
        #expect(throws: OutputError.self) { try book.writeNumber(sheet, 0, 0, .nan, nil) }
        #expect(throws: OutputError.self) { try book.writeFormula(sheet, 0, 1, "=1/0", value: .infinity, nil) }
        #expect(throws: OutputError.self) { try book.writeNumber(sheet, XLSXWorkbook.maxRows, 0, 1, nil) }
        #expect(throws: OutputError.self) { try book.writeNumber(sheet, 0, XLSXWorkbook.maxColumns, 1, nil) }
        #expect(throws: OutputError.self) { _ = try book.addSheet(named: "s") }          // names are case-insensitive
        #expect(throws: OutputError.self) { _ = try book.addSheet(named: String(repeating: "x", count: 32)) }
        try book.writeNumber(sheet, 5, 0, 1, nil)
        #expect(throws: OutputError.self) { try book.writeNumber(sheet, 1, 0, 1, nil) }    // rows go forward only
        book.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// Text from the spec (CSV column names) is stored as text even when it looks like a formula.
    @Test func specTextIsNeverAFormula() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spec = try S.preset("mazur-2015")
        spec.data.inputNames = ["=HYPERLINK(\"http://example.com\")", "+1+1"]
        spec.data.targetNames = ["@SUM(A1)", "-2"]
        let w = try S.writeWorkbook(spec, steps: 1, in: dir)
        let data = try #require(S.readFills(w.path, sheets: ["Data"]).dump["Data"])
        #expect(data.texts.values.contains("=HYPERLINK(\"http://example.com\")"))
        #expect(data.texts.values.contains("@SUM(A1)"))
        #expect(data.formulas.isEmpty)
        let file = try #require(S.recalculate([w.path]).files.first)
        #expect(file.formulaCells == w.formulas)
    }
}
