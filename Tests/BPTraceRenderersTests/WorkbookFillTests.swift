import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// The walkthrough's colours, read back with openpyxl: in each of the 12 sheets exactly the
/// stage's cells are yellow and exactly the cells they are computed from are orange.
@Suite("Workbook fills read by openpyxl")
struct WorkbookFillTests {
    typealias S = WorkbookTestSupport
    static let yellow = "FFFF00", orange = "FFC000", editable = "DDEBF7"

    /// Same-sheet cell references of a formula, ranges expanded (`B3:C4` -> 4 cells); references
    /// to other sheets (`Data!C6`, `'Step 1'!C9`) and names (`learning_rate`) are left out.
    static func sameSheetReferences(_ formula: String) -> Set<String> {
        let pattern = #"(?<![A-Za-z0-9_!$'.])\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?(?![A-Za-z0-9_(!])"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = formula as NSString
        var out = Set<String>()
        func colIndex(_ letters: String) -> Int { letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1 }
        for m in regex.matches(in: formula, range: NSRange(location: 0, length: ns.length)) {
            let c1 = colIndex(ns.substring(with: m.range(at: 1))), r1 = Int(ns.substring(with: m.range(at: 2)))! - 1
            var c2 = c1, r2 = r1
            if m.range(at: 3).location != NSNotFound {
                c2 = colIndex(ns.substring(with: m.range(at: 3))); r2 = Int(ns.substring(with: m.range(at: 4)))! - 1
            }
            for r in min(r1, r2)...max(r1, r2) { for c in min(c1, c2)...max(c1, c2) { out.insert(A1.cell(r, c)) } }
        }
        return out
    }

    @Test func referenceParserReadsRangesAndSkipsOtherSheetsAndNames() {
        #expect(WorkbookFillTests.sameSheetReferences("=B3*G3+C3*G4+H3") == ["B3", "G3", "C3", "G4", "H3"])
        #expect(WorkbookFillTests.sameSheetReferences("=EXP(D7-MAX(D7:E8))/SUMXMY2(A1,B1)") == ["D7", "E7", "D8", "E8", "A1", "B1"])
        #expect(WorkbookFillTests.sameSheetReferences("='Step 1'!C9+Data!C6-learning_rate*K20+lambda_l2*B2") == ["K20", "B2"])
    }

    static func cells(_ b: BlockLayout) -> Set<String> {
        var out = Set<String>()
        for i in 0..<b.rows { for j in 0..<b.cols { out.insert(b.address(i, j)) } }
        return out
    }

    @Test(arguments: ["mazur-2015", "mazur-2015-immediate", "analytics-vidhya", "tanh-relu-softmax"] + WorkbookTestSupport.customNames
                     + WorkbookTestSupport.optimizerNames)
    func walkthroughSheetsColourExactlyTheStageAndItsOperands(specName: String) throws {
        let spec = try S.spec(named: specName)
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try S.writeWorkbook(spec, steps: 2, in: dir)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let catalogue = Catalogue(spec: spec)
        let dump = try S.readFills(w.path, sheets: ["Step 1", "Step 2"], prefixes: ["1."])
        #expect(dump.sheets == ["Overview", "Data"] + Stage.allCases.map { WorkbookWriter.walkthroughName(step: 1, stage: $0) } + ["Step 1", "Step 2"])

        for stage in Stage.allCases {
            let name = WorkbookWriter.walkthroughName(step: 1, stage: stage)
            let sheet = try #require(dump.dump[name], "missing sheet \(name)")
            let computed = layout.order.filter { catalogue.stage(of: $0) == stage }
            let operands = Set(computed.flatMap { catalogue.operands(of: $0) }).subtracting(computed)
            // A block's helper cells (a wide softmax's max, e, Σe; cross-entropy terms) are yellow with it.
            let expectedYellow = computed.reduce(into: Set<String>()) { acc, ref in
                acc.formUnion(Self.cells(layout[ref]))
                if let h = layout.helpers[ref] { acc.formUnion(Self.cells(h.block)) }
            }
            var expectedOrange = operands.reduce(into: Set<String>()) { $0.formUnion(Self.cells(layout[$1])) }
            // t, the step number, is orange where the stage's formulas read it (Adam's m̂ and v̂);
            // the previous step's state is on another sheet and not coloured.
            if computed.contains(where: { catalogue.expression(of: $0)?.hypers.contains(.stepNumber) == true }) {
                expectedOrange.insert(A1.cell(OptimizerCells.stepNumberRow, OptimizerCells.stepNumberCol))
            }
            let yellow = Set(sheet.fills.filter { $0.value == Self.yellow }.keys)
            let orange = Set(sheet.fills.filter { $0.value == Self.orange }.keys)
            #expect(!computed.isEmpty || stage == .updateBiases, "\(spec.name) \(name): no quantity in this stage")
            // The note says what is not coloured: the state's previous values, on the Overview at step 1.
            let readsPrevious = computed.contains { catalogue.expression(of: $0).map { !OptimizerCells.previousReads($0).isEmpty } ?? false }
            let note = sheet.texts["B3"] ?? ""
            #expect(note.contains("Not coloured:") == readsPrevious && (!readsPrevious || (note.contains("_prev") && note.contains("Overview"))), "\(name): \(note)")
            #expect(yellow == expectedYellow, "\(spec.name) \(name): yellow \(yellow.subtracting(expectedYellow)) extra, \(expectedYellow.subtracting(yellow)) missing")
            #expect(orange == expectedOrange, "\(spec.name) \(name): orange \(orange.subtracting(expectedOrange)) extra, \(expectedOrange.subtracting(orange)) missing")

            // The colours agree with the formulas themselves: a yellow cell reads only yellow
            // and orange cells of its sheet, and every orange cell is read by a yellow one
            // (a linear slope is the constant 1 and reads nothing).
            var read = Set<String>()
            for cell in yellow {
                let f = try #require(sheet.formulas[cell], "\(spec.name) \(name)!\(cell) is yellow but not a formula")
                read.formUnion(Self.sameSheetReferences(f))
            }
            #expect(read.isSubset(of: yellow.union(orange)), "\(spec.name) \(name): yellow cells read uncoloured cells \(read.subtracting(yellow.union(orange)))")
            let constantSlopes = computed.filter { $0.quantity == .slope && spec.activations[$0.layer - 1] == .linear }
            let unread = orange.subtracting(read)
            let excused = constantSlopes.reduce(into: Set<String>()) { acc, ref in
                for op in catalogue.operands(of: ref) { acc.formUnion(Self.cells(layout[op])) }
            }
            #expect(unread.isSubset(of: excused), "\(spec.name) \(name): orange cells no yellow formula reads: \(unread)")
        }

        // Step sheets have no walkthrough colours; Step 1's W and b are the editable inputs.
        let inputs = layout.order.filter { $0.quantity == .W || $0.quantity == .b }
        let expectedEditable = inputs.reduce(into: Set<String>()) { $0.formUnion(Self.cells(layout[$1])) }
        for (name, editable) in [("Step 1", expectedEditable), ("Step 2", Set<String>())] {
            let sheet = try #require(dump.dump[name])
            #expect(!sheet.fills.values.contains(Self.yellow) && !sheet.fills.values.contains(Self.orange), "\(name) has walkthrough colours")
            #expect(Set(sheet.fills.filter { $0.value == Self.editable }.keys) == editable, "\(spec.name) \(name): editable cells")
            for cell in editable { #expect(sheet.numbers[cell] != nil, "\(name)!\(cell) should be a plain number") }
        }
        let step2 = try #require(dump.dump["Step 2"])
        for cell in expectedEditable {
            #expect(step2.formulas[cell]?.hasPrefix("='Step 1'!") == true, "Step 2!\(cell) should read Step 1's updated values")
        }
        // An optimizer's state reads the Overview's initial state on Step 1, Step 1's same cell on Step 2.
        let stateBlocks = StepFormulas(layout: layout).stateBlocks
        #expect(stateBlocks.isEmpty == spec.optimizer.isSGD)
        let step1 = try #require(dump.dump["Step 1"])
        for ref in stateBlocks {
            for cell in Self.cells(layout[ref]) {
                #expect(step1.formulas[cell]?.contains(OptimizerCells.initName(ref.quantity)!) == true, "Step 1!\(cell): \(step1.formulas[cell] ?? "-")")
                #expect(step2.formulas[cell]?.contains("'Step 1'!\(cell)") == true, "Step 2!\(cell): \(step2.formulas[cell] ?? "-")")
            }
        }
    }
}
