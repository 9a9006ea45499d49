import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// Issue 11: the workbook of a run with an optimizer other than SGD. Its state blocks are live
/// formulas over the previous step sheet (or the Overview's initial states at step 1), its
/// hyper-parameters are named cells of the Overview, and two independent spreadsheet engines
/// recalculate every formula to the engine's values.
@Suite("Workbook with optimizers")
struct WorkbookOptimizerTests {
    typealias S = WorkbookTestSupport

    /// Every optimizer spec (walkthrough of step 2, which reads Step 1's state), and Adam with
    /// a walkthrough of step 3 past `--sheets-limit 1`, where no Step 2 sheet exists.
    static func writeAll(in dir: String) throws -> [(S.Written, sheets: Int)] {
        var options = RenderOptions()
        options.walkthroughStep = 2
        var out: [(S.Written, sheets: Int)] = []
        for spec in try S.optimizerSpecs() { out.append((try S.writeWorkbook(spec, steps: 4, options: options, in: dir), 2 + 12 + 4)) }
        var late = RenderOptions()
        late.walkthroughStep = 3
        late.sheetsLimit = 1
        out.append((try S.writeWorkbook(S.spec(named: "adam-full"), steps: 4, options: late, in: dir, name: "adam-late-walkthrough"), 2 + 12 + 1))
        return out
    }

    @Test func everyFormulaRecalculatesToTheEngineValueInLibreOffice() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try Self.writeAll(in: dir)
        let report = try S.recalculate(written.map(\.0.path))
        #expect(report.files.count == written.count)
        for ((w, sheets), file) in zip(written, report.files) {
            let name = (w.path as NSString).lastPathComponent
            #expect(w.outcome.stoppedBy == nil && w.outcome.completedSteps == 4, "\(name) stopped early")
            #expect(file.formulaCells == w.formulas, "\(name): LibreOffice saw \(file.formulaCells) formula cells, bptrace wrote \(w.formulas)")
            #expect(w.formulas > 100, "\(name) has only \(w.formulas) formulas")
            #expect(file.mismatchCount == 0, "\(name): \(file.mismatchCount) formula cells differ, e.g. \(file.mismatches.prefix(5))")
            #expect(file.sheets.count == sheets, "\(name): sheets \(file.sheets)")
        }
    }

    @Test func everyFormulaRecalculatesToTheEngineValueInGnumeric() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try Self.writeAll(in: dir)
        let report = try S.recalculateInGnumeric(written.map(\.0.path))
        #expect(report.files.count == written.count)
        for ((w, sheets), file) in zip(written, report.files) {
            let name = (w.path as NSString).lastPathComponent
            #expect(file.formulaCells == w.formulas, "\(name): the file has \(file.formulaCells) formula cells, bptrace wrote \(w.formulas)")
            #expect(file.recalculatedFormulaCells == w.formulas, "\(name): Gnumeric kept \(file.recalculatedFormulaCells) of \(w.formulas) formulas")
            #expect(file.mismatchCount == 0, "\(name): \(file.mismatchCount) formula cells differ in Gnumeric, e.g. \(file.mismatches.prefix(5))")
            #expect(file.sheets.count == sheets, "\(name): sheets \(file.sheets)")
        }
    }

    /// The state formulas: Step 1 reads the initial-state name, later steps the same cell of
    /// the previous step sheet; m̂ reads β1 and t; W_new is the optimizer's update.
    @Test func stateFormulasReadThePreviousSheetTheInitialStateAndT() throws {
        let spec = try S.spec(named: "adam-full")
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let f = StepFormulas(layout: layout)
        let m = QuantityRef(.mW, 1), mB = QuantityRef(.mB, 2), v = QuantityRef(.vW, 2)
        let g = layout[QuantityRef(.gradW, 1)].address(1, 0)
        #expect(Set(f.stateBlocks) == [m, QuantityRef(.vW, 1), QuantityRef(.mW, 2), v, QuantityRef(.mB, 1), QuantityRef(.vB, 1), mB, QuantityRef(.vB, 2)])
        #expect(f.formulas[m]?[2] == "=beta1*m_init+(1-beta1)*\(g)")
        let later = f.stateFormulas(previousSheet: "Step 3")
        #expect(later[m]?[2] == "=beta1*'Step 3'!\(layout[m].address(1, 0))+(1-beta1)*\(g)")
        #expect(later[v]?[0].contains("beta2*'Step 3'!\(layout[v].address(0, 0))+(1-beta2)*") == true)
        #expect(later[QuantityRef(.mHatW, 1)] == nil, "m̂ reads no previous value")
        #expect(f.formulas[QuantityRef(.mHatW, 1)]?[0] == "=\(layout[m].address(0, 0))/(1-beta1^$K$1)")
        let wNew = try #require(f.formulas[QuantityRef(.WNew, 1)]?[0])
        let mHat = layout[QuantityRef(.mHatW, 1)].address(0, 0), vHat = layout[QuantityRef(.vHatW, 1)].address(0, 0)
        #expect(wNew == "=\(layout[QuantityRef(.W, 1)].address(0, 0))-learning_rate*\(mHat)/(SQRT(\(vHat))+eps)")
        #expect(f.hypersRead == [.learningRate, .beta1, .beta2, .eps, .stepNumber])
        #expect(OptimizerCells.stepNumberAddress == "$K$1")
    }

    /// A walkthrough past `--sheets-limit` + 1 has no previous step sheet: its state blocks
    /// are the engine's numbers (as its W and b are), its m̂ still a formula, and its note says so.
    @Test func aWalkthroughWithoutAPreviousSheetShowsTheStateAsNumbers() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.spec(named: "adam-full")
        var options = RenderOptions()
        options.walkthroughStep = 3
        options.sheetsLimit = 1
        let w = try S.writeWorkbook(spec, steps: 3, options: options, in: dir)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let name = WorkbookWriter.walkthroughName(step: 3, stage: .updateWeights)
        let sheet = try #require(S.readFills(w.path, sheets: [name]).dump[name])
        let m = layout[QuantityRef(.mW, 1)].address(0, 0), mHat = layout[QuantityRef(.mHatW, 1)].address(0, 0)
        #expect(sheet.numbers[m] != nil && sheet.formulas[m] == nil, "\(name)!\(m) should be a number")
        #expect(sheet.formulas[mHat]?.contains("$K$1") == true)
        #expect(sheet.numbers["K1"] == 3)
        #expect(sheet.texts["B3"]?.contains("no sheet (--sheets-limit)") == true, "\(sheet.texts["B3"] ?? "-")")
    }

    /// The Overview's names: the hyper-parameters the formulas read and the initial states,
    /// none of which Excel could read as a cell address (A1 or R1C1) or a function.
    @Test(arguments: WorkbookTestSupport.optimizerNames)
    func overviewNamesTheOptimizersSettings(specName: String) throws {
        let spec = try S.spec(named: specName)
        let plan = OverviewPlan(spec: spec, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
        let read = OptimizerCells.hypersRead(Catalogue(spec: spec))
        let expected = ["learning_rate"] + OptimizerCells.hypers.filter(read.contains).map(\.rawValue)
            + spec.optimizer.stateQuantities(weights: true).compactMap(OptimizerCells.initName) + (spec.l2 > 0 ? ["lambda_l2"] : [])
        #expect(plan.names == expected)
        #expect(plan.settings.contains { $0.0 == "optimizer" })
        let a1 = try NSRegularExpression(pattern: #"^\$?([A-Za-z]{1,3})\$?[0-9]+$"#)
        for name in plan.names {
            let ns = name as NSString
            if let m = a1.firstMatch(in: name, range: NSRange(location: 0, length: ns.length)) {
                let col = ns.substring(with: m.range(at: 1)).uppercased()
                #expect(col.count == 3 && col > "XFD", "\(name) is a cell address")
            }
            #expect(name.range(of: #"^[RrCc][0-9]*([RrCc][0-9]*)?$"#, options: .regularExpression) == nil, "\(name) is an R1C1 reference")
            #expect(!["SUM", "MAX", "EXP", "LN", "SQRT", "TANH", "IF", "T", "N", "E", "PI", "RATE", "BETADIST", "BETAINV"].contains(name.uppercased()))
        }
        if case .adamw(_, _, _, let wd, _) = spec.optimizer { #expect(plan.names.contains("weight_decay") == (wd > 0)) }
    }

    /// Issue 11: edit beta1 on the Overview (openpyxl writes the cell and saves a copy),
    /// LibreOffice recalculates the copy, and every step's m, m̂ and W_new (every block)
    /// becomes what the engine computes for the spec with that beta1.
    @Test func editingBeta1OnTheOverviewRecomputesEveryStepAsTheEngineDoes() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try S.spec(named: "adam-full")
        let steps = 3
        let w = try S.writeWorkbook(spec, steps: steps, in: dir)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let plan = OverviewPlan(spec: spec, names: NetworkNames(spec: spec, parameters: spec.initialParameters()))
        let row = try #require(plan.row(ofName: "beta1"))
        let stepSheets = (1...steps).map { WorkbookWriter.stepName($0) }
        let edited = dir + "/edited.xlsx"
        let python = try S.pythonWithOpenpyxl()
        let set = try S.run(python, (python == "/usr/bin/env" ? ["python3"] : []) +
                            [S.script("xlsx_set_cells.py"), w.path, edited, "Overview!\(A1.cell(row, OverviewPlan.valueCol))=0.5"])
        #expect(set.status == 0, "\(set.stderr)")
        // openpyxl drops the cached values: the copy is only read after LibreOffice recalculates it.
        let report = try S.recalculate([edited], dump: stepSheets)
        let dump = try #require(report.files.first?.dump)

        var respec = spec
        guard case .adam(_, let b2, let eps) = spec.optimizer else { Issue.record("adam-full is not Adam"); return }
        respec.optimizer = .adam(beta1: 0.5, beta2: b2, eps: eps)
        var trainer = Trainer(spec: respec), original = Trainer(spec: spec)
        var checked = 0, changed: [Quantity: Int] = [:]
        for s in 1...steps {
            let expected = trainer.step(s), before = original.step(s)
            let sheet = try #require(dump[WorkbookWriter.stepName(s)])
            for block in expected.blocks() {
                let ref = QuantityRef(block.quantity, block.layer)
                let b = layout[ref]
                let old = try #require(before.blocks().first { $0.quantity == block.quantity && $0.layer == block.layer }).matrix
                for i in 0..<b.rows {
                    for j in 0..<b.cols {
                        let (r, c) = b.position(i, j)
                        let got = try #require(sheet[r][c].number, "Step \(s) \(ref)[\(i),\(j)] is not a number")
                        #expect(S.close(got, block.matrix[i, j]), "Step \(s) \(ref)[\(i),\(j)]: LibreOffice \(got), engine with beta1 0.5 \(block.matrix[i, j])")
                        checked += 1
                        if !S.close(old[i, j], block.matrix[i, j]) { changed[block.quantity, default: 0] += 1 }
                    }
                }
            }
        }
        #expect(checked > 300)
        // β1 changes m from step 1 on and W_new from step 2 on (at step 1, m̂ = g whatever β1).
        for q in [Quantity.mW, .mB, .WNew, .bNew] { #expect((changed[q] ?? 0) > 0, "the edit changed no \(q.rawValue)") }
        #expect((changed[.mHatW] ?? 0) >= 4 * (steps - 1), "m_hat_W changed in only \(changed[.mHatW] ?? 0) cells")
    }
}
