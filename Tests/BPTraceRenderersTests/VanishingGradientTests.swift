import BPTrace
import Foundation
import Testing
@testable import BPTraceRenderers

/// The vanishing-gradient lesson: presets deep-sigmoid and deep-relu, the handout's chart of
/// mean |delta(l)| per layer (`DeltaSizes`, `DeltaSizeChart`), checked against the CSV trace.
@Suite struct VanishingGradientTests {
    /// Handout and CSV of one run, written side by side.
    static func run(_ preset: String, steps: Int, options: RenderOptions = HandoutSupport.options(detail: .summary, steps: [1]))
        throws -> (markdown: String, figures: String, csv: String) {
        let folder = try HandoutSupport.freshFolder("vanishing-\(preset)")
        let spec = try Presets.spec(named: preset)
        let md = folder + "/\(spec.name).md", csv = folder + "/\(spec.name).csv"
        let handout = try MarkdownHandoutWriter(destination: md, overwrite: false, options: options)
        let trace = CSVTraceWriter(file: try OutputFile(destination: csv, overwrite: false))
        try TraceRunner.run(spec: spec, steps: steps, sinks: [handout, trace])
        return (try String(contentsOfFile: md, encoding: .utf8), MarkdownHandoutWriter.figuresFolder(for: md),
                try String(contentsOfFile: csv, encoding: .utf8))
    }

    /// mean |delta(l)| per (step, layer), computed straight from the CSV's rows.
    static func meanAbsDelta(csv: String) -> [Int: [Int: Double]] {
        var sums: [Int: [Int: (Double, Int)]] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 6, f[2] == "delta", let step = Int(f[0]), let layer = Int(f[1]), let v = Double(f[5]) else { continue }
            let (s, n) = sums[step, default: [:]][layer, default: (0, 0)]
            sums[step, default: [:]][layer] = (s + abs(v), n + 1)
        }
        return sums.mapValues { $0.mapValues { $0.0 / Double($0.1) } }
    }

    /// The numbers of the handout's table: layer → (first step, last step).
    static func table(_ markdown: String) -> [Int: [Double]] {
        var out: [Int: [Double]] = [:]
        guard let start = markdown.range(of: "## The size of the error term per layer") else { return out }
        for line in markdown[start.upperBound...].split(separator: "\n") where line.hasPrefix("| layer ") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let l = Int(cells[0].dropFirst("layer ".count).prefix { $0.isNumber }) else { continue }
            out[l] = cells.dropFirst().compactMap { Double($0) }
        }
        return out
    }

    @Test("deep nets get the chart and its sentence; nets with one hidden layer do not",
          arguments: [("deep-sigmoid", true), ("deep-relu", true), ("tanh-relu-softmax", true), ("xor", false), ("mazur-2015", false)])
    func chartOnlyForDeepNets(preset: String, expected: Bool) throws {
        let r = try Self.run(preset, steps: 3)
        let svg = r.figures + "/delta-sizes.svg"
        #expect(FileManager.default.fileExists(atPath: svg) == expected, "\(preset): delta-sizes.svg")
        #expect(r.markdown.contains("](\((r.figures as NSString).lastPathComponent)/delta-sizes.svg)") == expected)
        #expect(r.markdown.contains("is at most 0.25") == expected)
        #expect(r.markdown.contains("## The size of the error term per layer") == expected)
    }

    @Test("the handout's mean |delta(l)| equal those computed from the CSV trace", arguments: ["deep-sigmoid", "deep-relu", "tanh-relu-softmax"])
    func valuesMatchCSV(preset: String) throws {
        let steps = 7
        let r = try Self.run(preset, steps: steps)
        let fromCSV = Self.meanAbsDelta(csv: r.csv)
        let table = Self.table(r.markdown)
        let depth = try Presets.spec(named: preset).depth
        #expect(table.count == depth, "\(preset): a row per layer 1…\(depth), got \(table.keys.sorted())")
        for l in 1...depth {
            let row = try #require(table[l], "layer \(l)")
            try #require(row.count == 2)
            for (i, step) in [1, steps].enumerated() {
                let expected = try #require(fromCSV[step]?[l])
                #expect(abs(row[i] - expected) <= 1e-5 * expected, "\(preset) layer \(l) step \(step): \(row[i]) vs \(expected)")
            }
        }
    }

    @Test("DeltaSizes.Collector gives exactly the CSV's means at every step")
    func collectorMatchesCSV() throws {
        let spec = try Presets.spec(named: "deep-sigmoid")
        final class Sink: TraceSink {
            var c: DeltaSizes.Collector
            var sizes: [Int: [Double]] = [:]
            var step = 0
            init(depth: Int) { c = DeltaSizes.Collector(depth: depth) }
            func begin(_ run: TraceRun) throws {}
            func receive(_ block: TraceBlock) throws { c.receive(block); step = block.step; sizes[block.step] = c.sizes(step: block.step) }
            func finish(_ outcome: TraceOutcome) throws {}
        }
        let sink = Sink(depth: spec.depth)
        let r = try Self.run("deep-sigmoid", steps: 4)
        try TraceRunner.run(spec: spec, steps: 4, sinks: [sink])
        let fromCSV = Self.meanAbsDelta(csv: r.csv)
        for step in 1...4 {
            for l in 1...spec.depth {
                let a = try #require(sink.sizes[step]?[l - 1]), b = try #require(fromCSV[step]?[l])
                #expect(abs(a - b) <= 1e-12 * b, "step \(step) layer \(l)")
            }
        }
    }

    @Test("deep-sigmoid's first hidden layer has a 10× smaller error than its last hidden layer; deep-relu's does not")
    func sigmoidVanishesReluDoesNot() throws {
        for (preset, vanishes) in [("deep-sigmoid", true), ("deep-relu", false)] {
            let r = try Self.run(preset, steps: 1)
            let m = try #require(Self.meanAbsDelta(csv: r.csv)[1])
            let spec = try Presets.spec(named: preset)
            #expect(spec.depth >= 6, "at least five hidden layers")
            let first = try #require(m[1]), lastHidden = try #require(m[spec.depth - 1])
            #expect((first * 10 <= lastHidden) == vanishes, "\(preset): layer 1 \(first), layer \(spec.depth - 1) \(lastHidden)")
        }
    }

    @Test("deep-sigmoid and deep-relu differ only in the hidden activations and the init distribution")
    func presetsArePaired() throws {
        let s = try Presets.spec(named: "deep-sigmoid"), r = try Presets.spec(named: "deep-relu")
        #expect(s.layers == r.layers)
        #expect(s.data.inputs == r.data.inputs && s.data.targets == r.data.targets)
        #expect(s.initSpec.seed == r.initSpec.seed)
        #expect(s.learningRate == r.learningRate && s.loss == r.loss && s.batch == r.batch)
        #expect(s.activations.dropLast().allSatisfy { $0 == .sigmoid } && r.activations.dropLast().allSatisfy { $0 == .relu })
        #expect(s.activations.last == r.activations.last)
    }

    @Test("the chart: log axis at powers of ten, one line per layer, each with its own dash pattern, and a legend")
    func chartShape() throws {
        let names = DeltaSizeChart.layerNames(layers: [2, 3, 3, 3, 1])
        let points = (1...5).map { (step: $0, sizes: [1e-5, 1e-3, 2e-2, 0.3]) }
        let svg = DeltaSizeChart(points: points, layerNames: names, title: "t").render()
        for tick in ["1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1e0"] { #expect(svg.contains(">\(tick)</text>"), "tick \(tick)") }
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        let dashes = Set(svg.components(separatedBy: "<polyline").dropFirst().map { (e: String) -> String in
            let line = e.components(separatedBy: "/>")[0]
            let parts = line.components(separatedBy: "stroke-dasharray=\"")
            return parts.count > 1 ? parts[1].components(separatedBy: "\"")[0] : "solid"
        })
        #expect(dashes.count == 4, "each line its own dash pattern: \(dashes)")
        for n in names { #expect(svg.contains(">\(n)</text>")) }
        #expect(names == ["layer 1 (first hidden)", "layer 2 (hidden)", "layer 3 (hidden)", "layer 4 (output)"])
        // A zero (a dead relu layer) breaks the line instead of drawing log(0).
        let broken = DeltaSizeChart(points: [(1, [0.1]), (2, [0]), (3, [0.2]), (4, [0.3])], layerNames: ["a"], title: "t").render()
        #expect(!broken.contains("nan") && !broken.contains("inf"))
        #expect(broken.components(separatedBy: "<polyline").count - 1 == 1 && broken.contains("<circle"))
    }

    @Test("pandoc reads the deep-sigmoid handout (HTML with MathML) without a warning")
    func pandoc() throws {
        let (_, path) = try HandoutSupport.handout(preset: "deep-sigmoid", steps: 3, options: HandoutSupport.options(detail: .summary, steps: [1]))
        let p = try HandoutSupport.html(path)
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stderr.isEmpty, "pandoc warned: \(p.stderr)")
        let html = try String(contentsOfFile: path + ".html", encoding: .utf8)
        #expect(html.contains("delta-sizes.svg"))
        #expect(html.contains("<td style=\"text-align: left;\">layer 1 (first hidden)</td>") || html.contains(">layer 1 (first hidden)</td>"), "the table is a table")
    }
    // MARK: workbook

    /// The Overview's mean |delta(l)| table as LibreOffice recalculates it: step → sizes of layers 1 … L.
    static func overviewDeltaTable(_ rows: [[WorkbookTestSupport.Value]], depth: Int) -> [Int: [Double]] {
        var out: [Int: [Double]] = [:]
        for (i, row) in rows.enumerated() {
            guard let c = row.firstIndex(of: .text("layer 1 (first hidden)")) else { continue }
            for data in rows[(i + 1)...] {
                guard c - 1 < data.count, let step = data[c - 1].number else { break }
                out[Int(step)] = (0..<depth).compactMap { c + $0 < data.count ? data[c + $0].number : nil }
            }
        }
        return out
    }

    @Test("the Overview's mean |delta(l)| table recalculates in LibreOffice and Gnumeric to the CSV's values, formulas and numbers alike")
    func workbookTable() throws {
        typealias S = WorkbookTestSupport
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try Presets.spec(named: "deep-sigmoid")
        var options = RenderOptions()
        options.sheetsLimit = 3   // steps 4 and 5 are numbers, 1–3 formulas
        let path = dir + "/deep-sigmoid.xlsx", csvPath = dir + "/deep-sigmoid.csv"
        let writer = try WorkbookWriter(destination: path, overwrite: true, options: options)
        let trace = CSVTraceWriter(file: try OutputFile(destination: csvPath, overwrite: true))
        try TraceRunner.run(spec: spec, steps: 5, sinks: [writer, trace])
        let shallow = try S.writeWorkbook(try Presets.spec(named: "xor"), steps: 2, in: dir)

        let fromCSV = Self.meanAbsDelta(csv: try String(contentsOfFile: csvPath, encoding: .utf8))
        let report = try S.recalculate([path, shallow.path], dump: [OverviewPlan.sheetName])
        let file = report.files[0]
        #expect(file.mismatchCount == 0, "\(file.mismatches.prefix(5))")
        let overview = try #require(file.dump?[OverviewPlan.sheetName])
        let table = Self.overviewDeltaTable(overview, depth: spec.depth)
        #expect(table.keys.sorted() == [1, 2, 3, 4, 5])
        for (step, sizes) in table {
            #expect(sizes.count == spec.depth)
            for l in 1...spec.depth where l <= sizes.count {
                let expected = try #require(fromCSV[step]?[l])
                #expect(S.close(sizes[l - 1], expected), "step \(step) layer \(l): \(sizes[l - 1]) vs \(expected)")
            }
        }
        // The xor workbook (one hidden layer) has no such table.
        let shallowOverview = try #require(report.files[1].dump?[OverviewPlan.sheetName])
        #expect(!shallowOverview.joined().contains(.text(OverviewDeltaTable.heading)))
        #expect(overview.joined().contains(.text(OverviewDeltaTable.heading)))

        let g = try S.recalculateInGnumeric([path])
        #expect(g.files[0].mismatchCount == 0, "\(g.files[0].mismatches.prefix(5))")
        #expect(g.files[0].recalculatedFormulaCells == writer.formulaCount)
    }

    @Test("a step sheet's mean |delta(l)| is a portable formula: SUMIF over the delta block, no array expression")
    func formulaShape() {
        let f = OverviewDeltaTable.meanAbsFormula(sheet: "Step 2", range: "C40:J43")
        #expect(f == "=(SUMIF('Step 2'!C40:J43,\">0\")-SUMIF('Step 2'!C40:J43,\"<0\"))/COUNT('Step 2'!C40:J43)")
    }
}
