import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// A nonzero number that would show as 0 at the workbook's decimals (Mazur's dE/dw1 =
/// 0.000438568 at 3 decimals) is shown with an exponent instead (4.386E-04); every other number
/// keeps the fixed format. Formats are read back by openpyxl.
@Suite struct WorkbookNumberFormatTests {
    typealias S = WorkbookTestSupport

    /// Every block collected from a run, by step and (quantity, layer).
    final class Collector: TraceSink {
        var blocks: [Int: [QuantityRef: Matrix]] = [:]
        func begin(_ run: TraceRun) throws {}
        func receive(_ block: TraceBlock) throws { blocks[block.step, default: [:]][QuantityRef(block.quantity, block.layer)] = block.matrix }
        func finish(_ outcome: TraceOutcome) throws {}
    }

    static func blocks(_ spec: NetworkSpec, steps: Int) throws -> [Int: [QuantityRef: Matrix]] {
        let c = Collector()
        _ = try TraceRunner.run(spec: spec, steps: steps, sinks: [c])
        return c.blocks
    }

    @Test func whatShowsAsZero() {
        #expect(!WorkbookStyles.showsAsZero(0, decimals: 3))
        #expect(!WorkbookStyles.showsAsZero(-0.0, decimals: 3))
        #expect(WorkbookStyles.showsAsZero(0.000438568, decimals: 3))
        #expect(WorkbookStyles.showsAsZero(-0.000438568, decimals: 3))
        #expect(WorkbookStyles.showsAsZero(0.00049999, decimals: 3))
        #expect(!WorkbookStyles.showsAsZero(0.0005001, decimals: 3))   // shows 0.001
        #expect(!WorkbookStyles.showsAsZero(-0.0007, decimals: 3))     // shows -0.001
        #expect(WorkbookStyles.showsAsZero(4e-324, decimals: 15))
        #expect(WorkbookStyles.showsAsZero(0.4, decimals: 0) && !WorkbookStyles.showsAsZero(0.6, decimals: 0))
        #expect(!WorkbookStyles.showsAsZero(1e-7, decimals: 15))
        #expect(WorkbookStyles.scientificFormat(decimals: 3) == "0.000E+00")
        #expect(WorkbookStyles.scientificFormat(decimals: 0) == "0E+00")
    }

    /// Each number cell of step 1's sheet (Mazur's network): the fixed format unless the value
    /// would show as 0, then the scientific one, negative values included (decimals 0: the
    /// output delta -0.038 is shown as -4E-02, not -0).
    @Test(arguments: [(0, "0"), (3, "0.000"), (6, "0.000000")])
    func smallNumbersKeepTheirDigits(decimals: Int, fixed: String) throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = RenderOptions()
        options.decimals = decimals
        let spec = try S.preset("mazur-2015")
        let w = try S.writeWorkbook(spec, steps: 1, options: options, in: dir)
        let sheet = try #require(S.readFills(w.path, sheets: ["Step 1"]).dump["Step 1"])
        let layout = try StepSheetLayout(spec: spec, decimals: decimals)
        let values = try #require(try Self.blocks(spec, steps: 1)[1])
        var scientific: [String] = [], negativeScientific = 0
        for ref in layout.order {
            let b = layout[ref], m = try #require(values[ref], "\(ref)")
            for i in 0..<b.rows {
                for j in 0..<b.cols {
                    let small = WorkbookStyles.showsAsZero(m[i, j], decimals: decimals)
                    #expect(sheet.formats[b.address(i, j)] == (small ? fixed + "E+00" : fixed), "\(ref)[\(i),\(j)] = \(m[i, j])")
                    if small { scientific.append("\(ref)[\(i),\(j)]"); if m[i, j] < 0 { negativeScientific += 1 } }
                }
            }
        }
        switch decimals {
        case 3:
            // dE/dw1..dw4: 0.000438568, 0.000877135, 0.000497713, 0.000995425; two of them round to 0.000.
            #expect(scientific == ["grad_W(1)[0,0]", "grad_W(1)[0,1]"], "\(scientific)")
            #expect(sheet.formats[layout[QuantityRef(.gradW, 1)].address(0, 0)] == "0.000E+00")
            #expect(sheet.formats[layout[QuantityRef(.gradW, 1)].address(1, 0)] == "0.000")
        case 0:
            #expect(negativeScientific > 0 && scientific.contains("x(0)[0,0]"), "\(scientific)")
        default:
            #expect(scientific.isEmpty, "\(scientific)")
        }
    }

    /// The Overview's loss table: a loss below 5e-7 is shown with an exponent, not as 0.000000.
    @Test func aTinyLossOnTheOverview() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try SpecParser.parse(text: """
            {"name": "tiny", "layers": [1, 1], "activations": ["linear"], "learning_rate": 0.1, "bias": false,
             "weights": [[[0.999999]]], "data": {"inputs": [[1]], "targets": [[1]]}}
            """)
        let w = try S.writeWorkbook(spec, steps: 2, in: dir)
        let overview = try #require(S.readFills(w.path, sheets: ["Overview"]).dump["Overview"])
        #expect(overview.formats.values.contains("0.000000E+00"), "\(overview.formats)")
        #expect(!overview.formats.values.contains("0.000000"), "\(overview.formats)")
    }
}
