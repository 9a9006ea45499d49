import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// An independent spreadsheet engine (LibreOffice, headless, through UNO) recalculates every
/// formula of the workbooks and must get the engine's cached values back.
@Suite("Workbook recalculated by LibreOffice")
struct WorkbookRecalcTests {
    typealias S = WorkbookTestSupport

    /// Every formula cell of the workbooks of the presets and of specs covering every
    /// activation, loss and formula shape recalculates to the cached engine value.
    @Test func everyFormulaRecalculatesToTheEngineValue() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.walkthroughStep = 2
        var written: [S.Written] = []
        for name in ["mazur-2015", "mazur-2015-immediate", "analytics-vidhya", "tanh-relu-softmax", "xor"] {
            written.append(try S.writeWorkbook(S.preset(name), steps: 4, options: options, in: dir))
        }
        for spec in try S.customSpecs() {
            written.append(try S.writeWorkbook(spec, steps: 3, options: options, in: dir))
        }
        let report = try S.recalculate(written.map(\.path))
        #expect(report.files.count == written.count)
        for (w, file) in zip(written, report.files) {
            let name = (w.path as NSString).lastPathComponent
            #expect(w.outcome.stoppedBy == nil, "\(name) stopped early")
            // 100% coverage: LibreOffice found exactly the formula cells bptrace wrote, and
            // compared each of them.
            #expect(file.formulaCells == w.formulas, "\(name): LibreOffice saw \(file.formulaCells) formula cells, bptrace wrote \(w.formulas)")
            #expect(w.formulas > 100, "\(name) has only \(w.formulas) formulas")
            #expect(file.mismatchCount == 0, "\(name): \(file.mismatchCount) formula cells differ, e.g. \(file.mismatches.prefix(5))")
            // Overview, Data, 12 walkthrough sheets, one sheet per step.
            #expect(file.sheets.count == 2 + 12 + w.outcome.completedSteps, "\(name): sheets \(file.sheets)")
        }
    }

    /// Issue 8 (6): where a sigmoid saturates, the engine's 1/(1+exp(−z)) is 0 (exp overflows to
    /// +∞) while a spreadsheet's EXP gives #NUM!; saturated and diverging networks must still
    /// recalculate to the engine's values on every written step, the Overview's loss included.
    @Test func saturatedAndDivergingNetworksRecalculateToTheEngineValues() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var written: [S.Written] = []
        for spec in try S.extremeSpecs() {
            written.append(try S.writeWorkbook(spec, steps: S.extremeSteps(spec), in: dir))
        }
        try WorkbookRecalcTests.expectTheSpecsReachTheEdge(written)
        let report = try S.recalculate(written.map(\.path))
        #expect(report.files.count == written.count)
        for (w, file) in zip(written, report.files) {
            let name = (w.path as NSString).lastPathComponent
            #expect(file.formulaCells == w.formulas, "\(name): LibreOffice saw \(file.formulaCells) formula cells, bptrace wrote \(w.formulas)")
            #expect(file.mismatchCount == 0, "\(name): \(file.mismatchCount) formula cells differ, e.g. \(file.mismatches.prefix(5))")
            #expect(file.sheets.count == 2 + 12 + w.outcome.completedSteps, "\(name): sheets \(file.sheets)")
        }
    }

    /// The extreme specs do what they are for: z beyond −709.78 (exp(−z) = +∞ in the engine)
    /// and just inside it (a tiny nonzero sigmoid), softmax probabilities of exactly 0, and a
    /// run that diverges to values near 1e304 before the engine stops it.
    static func expectTheSpecsReachTheEdge(_ written: [WorkbookTestSupport.Written]) throws {
        let limit = try #require(Double(StepFormulas.expLimit))
        #expect(Foundation.exp(limit).isFinite && !Foundation.exp(limit.nextUp).isFinite)
        var saturatedSigmoid = Trainer(spec: try S.spec(named: "saturated-sigmoid-sse"))
        let first = saturatedSigmoid.step(1)
        let z = try #require(first.z[1]), a = first.a[1]
        #expect(z.values.contains { $0 < -limit - 1 })
        #expect(zip(z.values, a.values).contains { $0.0 < -709 && $0.0 > -limit && $0.1 > 0 })
        var softmax = Trainer(spec: try S.spec(named: "saturated-tanh-softmax-ce"))
        #expect(softmax.step(1).a[2].values.contains(0))
        let sigmoidCE = try S.spec(named: "saturated-relu-sigmoid-ce")
        var ce = Trainer(spec: sigmoidCE)
        #expect(ce.step(1).a[2].values.contains(1.0))
        #expect(try StepSheetLayout(spec: sigmoidCE, decimals: 3).helpers[QuantityRef(.loss, 2)] != nil)
        let diverging = try #require(written.first { $0.path.hasSuffix("/diverging-sigmoid-mse.xlsx") })
        #expect(diverging.outcome.stoppedBy != nil, "the diverging run should stop at a non-finite value")
        #expect(diverging.outcome.completedSteps >= 30)
        var trainer = Trainer(spec: try S.spec(named: "diverging-sigmoid-mse"))
        var largest = 0.0
        for s in 1...diverging.outcome.completedSteps {
            for block in trainer.step(s).blocks() { largest = max(largest, block.matrix.values.map(abs).max() ?? 0) }
        }
        #expect(largest > 1e300 && largest.isFinite)
    }

    /// Reproduction of issue 8 (6) in LibreOffice itself: the former sigmoid formula gives #NUM!
    /// at z = −800; the workbook's formula gives the engine's 0 there and its tiny value at −709.5.
    @Test func theFormerSigmoidFormulaOverflowsWhereTheWorkbooksDoesNot() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sigmoid.xlsx"
        let book = try XLSXWorkbook(destination: path, overwrite: false)
        let sheet = try book.addSheet(named: "Sheet 1")
        let sigmoid = { (cell: String) in "=IF(-\(cell)>\(StepFormulas.expLimit),0,1/(1+EXP(-\(cell))))" }
        try book.writeNumber(sheet, 0, 0, -800, nil)
        try book.writeNumber(sheet, 0, 1, -709.5, nil)
        try book.writeFormula(sheet, 1, 0, "=1/(1+EXP(-A1))", value: 1 / (1 + exp(800.0)), nil)   // former formula
        try book.writeFormula(sheet, 2, 0, sigmoid("A1"), value: 1 / (1 + exp(800.0)), nil)
        try book.writeFormula(sheet, 2, 1, sigmoid("B1"), value: 1 / (1 + exp(709.5 as Double)), nil)
        try book.commit()
        #expect(1 / (1 + exp(800.0)) == 0 && 1 / (1 + exp(709.5 as Double)) > 0)
        let file = try #require(S.recalculate([path]).files.first)
        #expect(file.formulaCells == 3)
        #expect(file.mismatches.map(\.cell) == ["A2"])
        #expect(file.mismatches.first?.recalculated == .error)
    }

    /// The check really recalculates: a formula whose cached value is wrong is caught, and a
    /// correct one next to it is not.
    @Test func aWrongCachedValueIsFlagged() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/wrong.xlsx"
        let book = try XLSXWorkbook(destination: path, overwrite: false)
        let sheet = try book.addSheet(named: "Sheet 1")
        try book.writeNumber(sheet, 0, 0, 0.25, nil)
        try book.writeFormula(sheet, 1, 0, "=1/(1+EXP(-A1))", value: 0.9, nil)           // wrong: 0.562176...
        try book.writeFormula(sheet, 2, 0, "=A1*2", value: 0.5, nil)                        // right
        try book.writeFormula(sheet, 3, 0, "=A2+1", value: 1.5621765008857981 + 1e-7, nil)  // off in the 7th digit
        try book.commit()

        let file = try #require(S.recalculate([path]).files.first)
        #expect(file.formulaCells == 3)
        #expect(file.mismatchCount == 2)
        #expect(Set(file.mismatches.map(\.cell)) == ["A2", "A4"])
        let a2 = try #require(file.mismatches.first { $0.cell == "A2" })
        #expect(a2.cached == .number(0.9))
        #expect(S.close(try #require(a2.recalculated.number), 1 / (1 + exp(-0.25))))
    }

    /// Editing a starting weight on Step 1 and recalculating gives, on every later step sheet,
    /// what the engine computes for the spec with that weight.
    @Test func editingAStartingWeightChangesLaterStepsToTheEngineValues() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.preset("analytics-vidhya")
        let steps = 4
        let w = try S.writeWorkbook(spec, steps: steps, in: dir)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)

        // wh[2][1] (i3 -> h2): 0.18 -> 0.5, and bout 0.69 -> 0.1.
        let wCell = layout[QuantityRef(.W, 1)].address(2, 1)
        let bCell = layout[QuantityRef(.b, 2)].address(0, 0)
        let stepSheets = (1...steps).map { WorkbookWriter.stepName($0) }
        let report = try S.recalculate([w.path], edits: ["'Step 1'!\(wCell)=0.5", "'Step 1'!\(bCell)=0.1"],
                                       dump: stepSheets + ["Overview", "1.12 Update biases"])
        let file = try #require(report.files.first)
        #expect(file.mismatchCount == 0)
        let dump = try #require(file.dump)

        var edited = spec
        var parameters = spec.initialParameters()
        parameters.weights[0][2, 1] = 0.5
        parameters.biases[1][0, 0] = 0.1
        edited.weights = parameters.weights.map { Optional($0) }
        edited.biases = parameters.biases.map { Optional($0.values) }
        var trainer = Trainer(spec: edited)
        var original = Trainer(spec: spec)
        var checked = 0, changed = 0
        for s in 1...steps {
            let expected = trainer.step(s)
            let before = original.step(s)
            let sheet = try #require(dump[WorkbookWriter.stepName(s)])
            for block in expected.blocks() {
                let ref = QuantityRef(block.quantity, block.layer)
                let b = layout[ref]
                let old = before.blocks().first { $0.quantity == block.quantity && $0.layer == block.layer }!.matrix
                for i in 0..<b.rows {
                    for j in 0..<b.cols {
                        let (r, c) = b.position(i, j)
                        let got = try #require(sheet[r][c].number, "Step \(s) \(ref)[\(i),\(j)] is not a number")
                        #expect(S.close(got, block.matrix[i, j]), "Step \(s) \(ref)[\(i),\(j)]: LibreOffice \(got), engine \(block.matrix[i, j])")
                        checked += 1
                        if !S.close(old[i, j], block.matrix[i, j]) { changed += 1 }
                    }
                }
            }
            // The Overview's loss column follows the step sheets.
            let overview = try #require(dump["Overview"])
            let plan = OverviewPlan(spec: spec, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
            let loss = try #require(overview[plan.firstTableRow + s - 1][OverviewPlan.valueCol].number)
            #expect(S.close(loss, expected.loss), "Overview loss of step \(s): \(loss) vs \(expected.loss)")
        }
        #expect(checked > 400)
        #expect(changed > checked / 2, "the edit changed only \(changed) of \(checked) cells")
        // The walkthrough reads Step 1 and follows as well.
        let walk = try #require(dump["1.12 Update biases"])
        let bNew = layout[QuantityRef(.bNew, 2)]
        var first = Trainer(spec: edited)
        let step1 = first.step(1)
        #expect(S.close(try #require(walk[bNew.firstDataRow][bNew.firstDataCol].number), step1.bNew[2]![0, 0]))
    }

    /// Editing the learning rate on the Overview and a sample on the Data sheet recomputes the
    /// step sheets as the engine does with that learning rate and data.
    @Test func editingTheLearningRateAndTheDataPropagates() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.preset("mazur-2015")
        let steps = 3
        let w = try S.writeWorkbook(spec, steps: steps, in: dir)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let plan = OverviewPlan(spec: spec, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
        let etaRow = try #require(plan.row(ofName: StepFormulas.learningRateName))
        let data = try DataSheet(spec: spec)
        let report = try S.recalculate([w.path],
                                       edits: ["Overview!\(A1.cell(etaRow, OverviewPlan.valueCol))=0.9",
                                               "Data!\(A1.cell(data.firstRow, data.inputCol + 1))=0.4"],
                                       dump: [WorkbookWriter.stepName(steps)])
        let sheet = try #require(report.files.first?.dump?[WorkbookWriter.stepName(steps)])
        var edited = spec
        edited.learningRate = 0.9
        edited.data.inputs[0, 1] = 0.4
        var trainer = Trainer(spec: edited)
        var last: StepResult? = nil
        for s in 1...steps { last = trainer.step(s) }
        for block in try #require(last).blocks() {
            let b = layout[QuantityRef(block.quantity, block.layer)]
            for i in 0..<b.rows {
                for j in 0..<b.cols {
                    let (r, c) = b.position(i, j)
                    let got = try #require(sheet[r][c].number)
                    #expect(S.close(got, block.matrix[i, j]), "\(block.quantity.rawValue)(\(block.layer))[\(i),\(j)]: \(got) vs \(block.matrix[i, j])")
                }
            }
        }
    }
}
