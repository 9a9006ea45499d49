import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// The step layout and the cell formulas, as text: the tutorial's explicit sums for small
/// layers, range functions for long sums, Excel's limits respected.
@Suite("Workbook layout and formulas")
struct WorkbookLayoutTests {
    typealias S = WorkbookTestSupport

    @Test func columnLetters() {
        #expect(A1.column(0) == "A")
        #expect(A1.column(25) == "Z")
        #expect(A1.column(26) == "AA")
        #expect(A1.column(701) == "ZZ")
        #expect(A1.column(702) == "AAA")
        #expect(A1.column(16_383) == "XFD")
        #expect(A1.cell(4, 1) == "B5")
        #expect(A1.absolute(8, 2) == "$C$9")
        #expect(A1.quotedSheet("Overview") == "Overview")
        #expect(A1.quotedSheet("Step 12") == "'Step 12'")
        #expect(A1.quotedSheet("1.3 Hidden input") == "'1.3 Hidden input'")
    }

    @Test func smallSumsAreWrittenOutAsInTheTutorial() throws {
        let spec = try S.preset("analytics-vidhya")
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let f = StepFormulas(layout: layout).formulas
        let x = layout[QuantityRef(.x, 0)], w = layout[QuantityRef(.W, 1)], b = layout[QuantityRef(.b, 1)]
        let z = layout[QuantityRef(.z, 1)]
        // z(1)[s2, h3] = x[s2,i1]·W[i1,h3] + … + x[s2,i4]·W[i4,h3] + b[h3]
        let expected = "=" + (0..<4).map { x.address(1, $0) + "*" + w.address($0, 2) }.joined(separator: "+") + "+" + b.address(0, 2)
        #expect(f[QuantityRef(.z, 1)]![1 * 3 + 2] == expected)
        let z11 = z.address(0, 0)
        #expect(f[QuantityRef(.a, 1)]![0] == "=IF(-\(z11)>709.782712893384,0,1/(1+EXP(-\(z11))))")
        let a2 = layout[QuantityRef(.a, 2)], y = layout[QuantityRef(.y, 2)], s2 = layout[QuantityRef(.slope, 2)]
        #expect(f[QuantityRef(.slope, 2)]![0] == "=\(a2.address(0, 0))*(1-\(a2.address(0, 0)))")
        #expect(f[QuantityRef(.delta, 2)]![2] == "=(\(a2.address(2, 0))-\(y.address(2, 0)))*\(s2.address(2, 0))")
        #expect(f[QuantityRef(.loss, 2)]![0] == "=((\(y.address(0, 0))-\(a2.address(0, 0)))^2+(\(y.address(1, 0))-\(a2.address(1, 0)))^2+(\(y.address(2, 0))-\(a2.address(2, 0)))^2)/2")
        let wNew = f[QuantityRef(.WNew, 2)]![1]
        #expect(wNew == "=\(layout[QuantityRef(.W, 2)].address(1, 0))-learning_rate*\(layout[QuantityRef(.gradW, 2)].address(1, 0))")
        // Every formula of a step stays far below Excel's 8,192 characters.
        #expect(f.values.joined().allSatisfy { $0.utf8.count < 400 })
    }

    @Test func longSumsUseRangeFunctions() throws {
        let specs = try S.customSpecs()
        let wide = try #require(specs.first { $0.name == "wide-relu-softmax" })
        let layout = try StepSheetLayout(spec: wide, decimals: 3)
        let f = StepFormulas(layout: layout).formulas
        #expect(f[QuantityRef(.z, 1)]![0].hasPrefix("=MMULT("))
        #expect(f[QuantityRef(.err, 1)]![0].hasPrefix("=SUMPRODUCT("))
        #expect(f[QuantityRef(.gradW, 1)]![0].hasPrefix("=SUMPRODUCT("))
        #expect(f[QuantityRef(.gradB, 1)]![0].hasPrefix("=SUM("))
        // A wide softmax and a long cross-entropy sum read helper cells (no array expressions).
        let helper = try #require(layout.helpers[QuantityRef(.a, 2)]).block
        #expect(f[QuantityRef(.a, 2)]![0] == "=\(helper.address(0, 1))/\(helper.address(0, 14))")
        let terms = try #require(layout.helpers[QuantityRef(.loss, 2)]).block
        #expect(f[QuantityRef(.loss, 2)]![0] == "=-SUM(\(terms.range))/13")
        let sse = try #require(specs.first { $0.name == "wide-tanh-sse" })
        let sseLayout = try StepSheetLayout(spec: sse, decimals: 3)
        #expect(StepFormulas(layout: sseLayout).formulas[QuantityRef(.loss, 2)]![0].hasPrefix("=SUMXMY2("))
        // The immediate order sends the error back through W_new.
        let errFormula = StepFormulas(layout: sseLayout).formulas[QuantityRef(.err, 1)]![0]
        #expect(errFormula.contains(sseLayout[QuantityRef(.WNew, 2)].address(0, 0)))
    }

    /// Every block has a title with the tutorial's and bptrace's names and its formula,
    /// and no two blocks overlap.
    @Test(arguments: ["mazur-2015", "analytics-vidhya", "tanh-relu-softmax", "deep-mse-l2"])
    func blocksAreTitledAndDisjoint(specName: String) throws {
        let spec = try S.spec(named: specName)
        let layout = try StepSheetLayout(spec: spec, decimals: 3)
        let catalogue = Catalogue(spec: spec)
        var taken = Set<String>()
        for ref in layout.order {
            let b = layout[ref]
            #expect(b.title == "\(catalogue.tutorialName(of: ref)) — \(ref)")
            #expect(b.formula == catalogue.formula(of: ref))
            for r in b.titleRow...b.lastDataRow {
                for c in b.col...(b.col + b.width - 1) {
                    #expect(taken.insert(A1.cell(r, c)).inserted, "\(ref) overlaps another block at \(A1.cell(r, c))")
                }
            }
        }
        #expect(layout.lastRow < 200 && layout.lastCol < 60)
    }

    @Test func halfSSENotesNameTheTutorialsSigns() throws {
        let layout = try StepSheetLayout(spec: S.preset("analytics-vidhya"), decimals: 3)
        #expect(layout[QuantityRef(.delta, 2)].note == "tutorial: d_output = E·slope = −delta")
        #expect(layout[QuantityRef(.err, 1)].note == "tutorial: Error_at_hidden_layer = −err")
        #expect(layout[QuantityRef(.WNew, 2)].note == "tutorial: wout += hiddenlayer_activationsᵀ·d_output·lr (same values)")
        #expect(layout[QuantityRef(.z, 1)].note == nil)
        let immediate = try StepSheetLayout(spec: S.preset("mazur-2015-immediate"), decimals: 3)
        #expect(immediate[QuantityRef(.err, 1)].note?.contains("uses W_new (update: immediate)") == true)
    }

    @Test func aNetworkTooWideForASheetIsRefusedClearly() throws {
        let spec = try S.spec("""
        {"name": "too-wide", "layers": [2, 4096, 2, 4096, 1], "learning_rate": 0.1,
         "data": {"inputs": [[1, 2]], "targets": [[1]]}}
        """)
        do {
            _ = try StepSheetLayout(spec: spec, decimals: 3)
            Issue.record("expected an error")
        } catch let e as OutputError {
            #expect(e.message.contains("16,384 columns"))
            #expect(e.message.contains("--format csv"))
        }
    }

    @Test func sheetNamesFitExcel() {
        for stage in Stage.allCases {
            #expect(WorkbookWriter.walkthroughName(step: 10_000_000, stage: stage).count <= 31)
        }
        #expect(WorkbookWriter.walkthroughName(step: 1, stage: .hiddenInput) == "1.3 Hidden input")
        #expect(WorkbookWriter.walkthroughName(step: 1, stage: .updateBiases) == "1.12 Update biases")
    }

    /// The Overview lists every step up to 100,000, then every k-th step and the last (about
    /// 100,000 rows), so it
    /// stays quick to open for any --steps.
    @Test func overviewTableSampling() {
        #expect(OverviewPlan.tableSteps(0).count == 0)
        #expect(OverviewPlan.tableSteps(12) == (1, 12))
        #expect(OverviewPlan.tableSteps(100_000) == (1, 100_000))
        #expect(OverviewPlan.tableSteps(100_001) == (2, 50_001))          // 1, 3, …, 100001
        #expect(OverviewPlan.tableSteps(250_000) == (3, 83_334))          // 1, 4, …, 249997, 250000
        #expect(OverviewPlan.tableSteps(10_000_000) == (100, 100_001))     // 1, 101, …, 9999901, 10000000
        #expect(OverviewPlan.tableSteps(10_000_000).count + OverviewPlan(spec: try! S.preset("mazur-2015"),
            names: NetworkNames(spec: try! S.preset("mazur-2015"), parameters: try! S.preset("mazur-2015").initialParameters())).firstTableRow < XLSXWorkbook.maxRows)
        #expect(OverviewPlan.rowCount(4_500, every: 3) == 1_501)                   // 1, 4, …, 4498, 4500
        #expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 103, 111].map(OverviewPlan.ordinal) == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "103rd", "111th"])
    }

    @Test func sheetsLimitAboveTheMaximumIsRefused() throws {
        var options = RenderOptions()
        options.sheetsLimit = WorkbookWriter.maximumSheetsLimit + 1
        #expect(throws: OutputError.self) { _ = try WorkbookWriter(destination: "/tmp/never.xlsx", overwrite: true, options: options) }
    }
}
