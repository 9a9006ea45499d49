import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// A third spreadsheet engine: Gnumeric (`ssconvert --recalc`) recomputes every formula of the
/// workbooks from scratch and must get the engine's cached values back, as LibreOffice does.
/// Gnumeric does not evaluate array expressions inside SUMPRODUCT or SUM in an ordinary
/// formula (#VALUE!), so the workbook must not use them (issue 8, 15).
@Suite("Workbook recalculated by Gnumeric")
struct WorkbookGnumericTests {
    typealias S = WorkbookTestSupport

    /// Every preset, every custom spec and the saturated and diverging networks: each formula
    /// cell Gnumeric recalculates equals the cached engine value (relative 1e-9).
    @Test func everyFormulaRecalculatesToTheEngineValueInGnumeric() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.walkthroughStep = 2
        var written: [S.Written] = []
        // The workbook renders SGD runs only until its optimizer blocks land (xor-adam, xor-momentum wait).
        let presets = Presets.names.filter { (try? Presets.spec(named: $0))?.optimizer.isSGD ?? true }
        for name in presets { written.append(try S.writeWorkbook(S.preset(name), steps: 4, options: options, in: dir)) }
        for spec in try S.customSpecs() { written.append(try S.writeWorkbook(spec, steps: 3, options: options, in: dir)) }
        for spec in try S.extremeSpecs() { written.append(try S.writeWorkbook(spec, steps: S.extremeSteps(spec), in: dir)) }
        #expect(written.count == presets.count + S.customNames.count + S.extremeNames.count)
        try WorkbookRecalcTests.expectTheSpecsReachTheEdge(written)

        let report = try S.recalculateInGnumeric(written.map(\.path))
        #expect(report.files.count == written.count)
        for (w, file) in zip(written, report.files) {
            let name = (w.path as NSString).lastPathComponent
            #expect(file.formulaCells == w.formulas, "\(name): the file has \(file.formulaCells) formula cells, bptrace wrote \(w.formulas)")
            #expect(file.recalculatedFormulaCells == w.formulas, "\(name): Gnumeric kept \(file.recalculatedFormulaCells) of \(w.formulas) formulas")
            #expect(w.formulas > 100, "\(name) has only \(w.formulas) formulas")
            #expect(file.mismatchCount == 0, "\(name): \(file.mismatchCount) formula cells differ in Gnumeric, e.g. \(file.mismatches.prefix(5))")
            #expect(file.sheets.count == 2 + 12 + w.outcome.completedSteps, "\(name): sheets \(file.sheets)")
        }
    }

    /// The check really recalculates: a wrong cached value and a wrong formula are caught, a
    /// right one is not; and the array expressions the workbook used to write (issue 8, 15)
    /// give #VALUE! in Gnumeric, which the check reports.
    @Test func aWrongValueAWrongFormulaAndAnArrayExpressionAreFlagged() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/wrong.xlsx"
        let book = try XLSXWorkbook(destination: path, overwrite: false)
        let sheet = try book.addSheet(named: "Sheet 1")
        let z = [0.5, -1.0, 2.0]
        for (c, v) in z.enumerated() { try book.writeNumber(sheet, 0, c, v, nil) }
        let softmax0 = exp(z[0] - 2) / z.map { exp($0 - 2) }.reduce(0, +)
        try book.writeFormula(sheet, 1, 0, "=1/(1+EXP(-A1))", value: 0.9, nil)                       // wrong value: 0.622…
        try book.writeFormula(sheet, 2, 0, "=A1*3", value: 1.0, nil)                                  // wrong formula: should be A1*2
        try book.writeFormula(sheet, 3, 0, "=A1*2", value: 1.0, nil)                                  // right
        // In column E, outside A:C, where Gnumeric cannot fall back on implicit intersection.
        try book.writeFormula(sheet, 4, 4, "=EXP(A1-MAX(A1:C1))/SUMPRODUCT(EXP(A1:C1-MAX(A1:C1)))", value: softmax0, nil)  // former softmax
        try book.writeFormula(sheet, 5, 4, "=EXP(A1-MAX(A1:C1))/(EXP(A1-MAX(A1:C1))+EXP(B1-MAX(A1:C1))+EXP(C1-MAX(A1:C1)))",
                              value: softmax0, nil)                                                   // the workbook's softmax
        try book.commit()

        let file = try #require(S.recalculateInGnumeric([path]).files.first)
        #expect(file.formulaCells == 5)
        #expect(file.mismatchCount == 3)
        #expect(file.mismatches.map(\.cell) == ["A2", "A3", "E5"])
        let a2 = try #require(file.mismatches.first { $0.cell == "A2" })
        #expect(a2.cached == 0.9)
        #expect(S.close(try #require(a2.recalculated), 1 / (1 + exp(-0.5))))
        #expect(file.mismatches.first { $0.cell == "A3" }?.recalculated == 1.5)
        let e5 = try #require(file.mismatches.first { $0.cell == "E5" })
        #expect(e5.recalculated == nil && e5.error == "#VALUE!")
    }

    /// No formula of any step sheet (helper cells included) puts an array expression inside
    /// a function: SUM, SUMPRODUCT, SUMSQ, SUMXMY2, MMULT and MAX take plain ranges, and no
    /// other function or operator sees a range.
    @Test(arguments: Presets.names + WorkbookTestSupport.customNames + WorkbookTestSupport.extremeNames)
    func formulasUseNoArrayExpressions(specName: String) throws {
        let spec = try S.spec(named: specName)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let f = StepFormulas(layout: layout)
        let all = Array(f.formulas.values.joined()) + Array(f.helperFormulas.values.joined())
        #expect(!all.isEmpty)
        for formula in all {
            #expect(WorkbookGnumericTests.arrayExpressions(in: formula).isEmpty, "\(specName): \(formula)")
        }
    }

    /// Helper cells exist exactly where a formula would otherwise need an array expression
    /// (a softmax of more than 12 outputs, a cross-entropy of more than 12 terms); they are
    /// titled, sit in their block's band just before it, and overlap no block.
    @Test(arguments: ["tanh-relu-softmax", "tanh-sigmoid-ce", "wide-relu-softmax", "saturated-relu-sigmoid-ce"])
    func helperCellsSitBeforeTheirBlockAndOverlapNothing(specName: String) throws {
        let spec = try S.spec(named: specName)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let expected: [String: Set<QuantityRef>] = [
            "wide-relu-softmax": [QuantityRef(.a, 2), QuantityRef(.loss, 2)],
            "saturated-relu-sigmoid-ce": [QuantityRef(.loss, 2)],
        ]
        #expect(Set(layout.helpers.keys) == expected[specName] ?? [])
        var taken = Set<String>()
        func occupy(_ b: BlockLayout, _ what: String) {
            for r in b.titleRow...b.lastDataRow {
                for c in b.col...(b.col + b.width - 1) {
                    #expect(taken.insert(A1.cell(r, c)).inserted, "\(specName): \(what) overlaps at \(A1.cell(r, c))")
                }
            }
        }
        for ref in layout.order { occupy(layout[ref], "\(ref)") }
        for (owner, h) in layout.helpers {
            occupy(h.block, "the helper of \(owner)")
            let b = layout[owner]
            #expect(h.block.titleRow == b.titleRow && h.block.col + h.block.width < b.col, "\(specName): the helper of \(owner) is not just before it")
            #expect(!h.block.title.isEmpty && !h.block.formula.isEmpty)
            let n = spec.layers[spec.depth]
            #expect(h.block.rows == layout.batchSize && h.block.cols == (h.kind == .softmax ? n + 2 : n))
        }
    }

    /// The parts of a formula that make an array expression: a range outside the argument list
    /// of a range function (whose arguments must be plain cells or ranges).
    static func arrayExpressions(in formula: String) -> [String] {
        let cell = #"\$?[A-Z]{1,3}\$?[0-9]+"#
        let arg = #"(\#(cell)(:\#(cell))?|[0-9]+)"#   // a cell, a range or a number (MAX(0,z))
        let plain = try! NSRegularExpression(pattern: #"\b(SUM|SUMPRODUCT|SUMSQ|SUMXMY2|MMULT|MAX)\((\#(arg)(,\#(arg))*)\)"#)
        // MAX(0,x) of a scalar x (the hinge loss's max(0, margin)) is no array: written as IF(0,x)
        // here, so that a range inside x is still found below.
        let scalar = formula.replacingOccurrences(of: "MAX(0,", with: "IF(0,")
        let ns = scalar as NSString
        let stripped = plain.stringByReplacingMatches(in: scalar, range: NSRange(location: 0, length: ns.length), withTemplate: "0")
        var bad: [String] = []
        if stripped.contains(":") { bad.append("a range outside a range function: \(stripped)") }
        for name in ["SUM(", "SUMPRODUCT(", "SUMSQ(", "SUMXMY2(", "MMULT(", "MAX("] where stripped.contains(name) {
            bad.append("\(name) with an expression inside: \(stripped)")
        }
        return bad
    }

    @Test func theArrayExpressionCheckFindsTheFormerFormulas() {
        #expect(!Self.arrayExpressions(in: "=EXP(C40-MAX(C40:E40))/SUMPRODUCT(EXP(C40:E40-MAX(C40:E40)))").isEmpty)
        #expect(!Self.arrayExpressions(in: "=-SUMPRODUCT(H9:I10,LN(G33:H34+(H9:I10=0)))/2").isEmpty)
        #expect(Self.arrayExpressions(in: "=EXP(C40-MAX(C40:E40))/(EXP(C40-MAX(C40:E40))+EXP(D40-MAX(C40:E40)))").isEmpty)
        #expect(Self.arrayExpressions(in: "=MMULT(B5:N5,$C$20:C32)+SUMXMY2(A1:A3,B1:B3)+SUMSQ(A1:B2,C1:D2)").isEmpty)
        #expect(Self.arrayExpressions(in: "=IF(S9=1,0,MAX(0,R46-SUMPRODUCT(S9:AE9,R46:AD46)+1))").isEmpty)
        #expect(!Self.arrayExpressions(in: "=MAX(0,R46-S9:AE9+1)").isEmpty)
    }
}
