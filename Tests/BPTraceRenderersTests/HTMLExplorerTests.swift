import BPTrace
@testable import BPTraceRenderers
import Foundation
import Testing

/// The explorer page (`run --format html`) as bytes: size, self-containment, escaping,
/// determinism, the cell contract, and numbers equal to the trace's.
@Suite struct HTMLExplorerTests {
    /// Writes the page of `spec` trained `steps` steps; returns its text and the writer's notes.
    static func page(_ spec: NetworkSpec, steps: Int, options: RenderOptions = RenderOptions()) throws -> (text: String, notes: [String], path: String) {
        let folder = try HandoutSupport.freshFolder("html")
        let path = folder + "/\(spec.name).html"
        let sink = try HTMLExplorerWriter(destination: path, overwrite: false, options: options)
        try TraceRunner.run(spec: spec, steps: steps, sinks: [sink])
        return (try String(contentsOfFile: path, encoding: .utf8), sink.notes, path)
    }

    /// The page's data (the JSON in `<script type="application/json" id="data">`).
    static func data(_ page: String) throws -> [String: Any] {
        let open = "<script type=\"application/json\" id=\"data\">"
        let start = try #require(page.range(of: open)).upperBound
        let end = try #require(page.range(of: "</script>", range: start..<page.endIndex)).lowerBound
        let json = try JSONSerialization.jsonObject(with: Data(page[start..<end].utf8))
        return try #require(json as? [String: Any])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func defaultNetworkOf12StepsIsOneSmallFileThatLoadsNothing() throws {
        let p = try Self.page(try Presets.spec(named: "mazur-2015"), steps: 12)
        let bytes = p.text.utf8.count
        #expect(bytes < 300_000, "\(bytes) bytes")
        #expect(p.text.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">"))
        // No URL at all: nothing to fetch, no link out.
        for bad in ["http:", "https:", "//cdn", "<link", "<img", "<iframe", "@import", "url(", " src="] {
            #expect(!p.text.contains(bad), "the page contains \(bad)")
        }
        #expect(Self.count("<script", in: p.text) == 2)
        #expect(p.notes.isEmpty, "\(p.notes)")
    }

    @Test func sameRunGivesTheSameBytes() throws {
        let spec = try Presets.spec(named: "tanh-relu-softmax")
        let a = try Self.page(spec, steps: 5), b = try Self.page(spec, steps: 5)
        #expect(a.text == b.text)
    }

    @Test func everyNumberOfTheDiagramCarriesTheCellContract() throws {
        let p = try Self.page(try Presets.spec(named: "mazur-2015"), steps: 3)
        // 2 inputs, net, out and δ of 4 neurons, 2 targets, 8 weights and 2 shared biases with their values after the update.
        #expect(Self.count("data-quantity=", in: p.text) == 36)
        for attr in ["data-step=", "data-layer=", "data-row=", "data-col="] { #expect(Self.count(attr, in: p.text) == 36, "\(attr)") }
        #expect(p.text.contains("data-step=\"1\" data-layer=\"2\" data-quantity=\"W\" data-row=\"1\" data-col=\"1\">0.400</tspan>"), "w5 at step 1")
        #expect(p.text.contains("id=\"derivation\""))
    }

    /// Every cell of every explorable step is in the data, as the trace's value at the decimals.
    @Test func dataHoldsEveryTracedCellAtTheDecimals() throws {
        let spec = try Presets.spec(named: "xor-adam")
        var options = RenderOptions(); options.decimals = 5
        let p = try Self.page(spec, steps: 4, options: options)
        let data = try Self.data(p.text)
        let steps = try #require(data["s"] as? [[String: Any]])
        #expect(steps.count == 4)
        final class Collect: TraceSink {
            var blocks: [TraceBlock] = []
            func begin(_ run: TraceRun) throws {}
            func receive(_ block: TraceBlock) throws { blocks.append(block) }
            func finish(_ outcome: TraceOutcome) throws {}
        }
        let c = Collect()
        try TraceRunner.run(spec: spec, steps: 4, sinks: [c])
        var checked = 0
        for b in c.blocks {
            let v = try #require(steps[b.step - 1]["v"] as? [String: [[String]]])
            let m = try #require(v["\(b.quantity.rawValue)|\(b.layer)"], "\(b.quantity) \(b.layer)")
            for r in 0..<b.matrix.rows { for col in 0..<b.matrix.cols {
                #expect(m[r][col] == String(format: "%.5f", b.matrix[r, col]))
                checked += 1
            } }
        }
        #expect(checked > 100)
        // Adam's state has derivations: a formula with the numbers put in.
        let d = try #require(steps[1]["d"] as? [String: [[Any]]])
        #expect(d["m_W|1|1|1"] != nil && d["v_hat_W|2|1|1"] != nil && d["delta|1|1|1"] != nil)
    }

    /// A run that stops in its first step still gets a valid page, with no explorable step.
    @Test func aRunStoppedInStepOneGetsAPageWithoutSteps() throws {
        let spec = try SpecParser.parse(text: """
        {"name": "dead", "layers": [2, 2, 2], "activations": ["relu", "relu"], "learning_rate": 0.5,
         "init": {"distribution": "uniform", "seed": 1}, "data": {"inputs": [[1e308, 1e308]], "targets": [[0, 1]]}}
        """)
        let p = try Self.page(spec, steps: 3)
        let data = try Self.data(p.text)
        #expect((data["steps"] as? [Int]) == [])
        #expect(p.text.contains("Training stopped at step 1"))
        #expect(p.text.contains("No step completed"))
    }

    @Test func userTextIsEscapedNeverMarkup() throws {
        var spec = try Presets.spec(named: "mazur-2015")
        spec.name = "net</title><script>alert(1)</script>"
        spec.data.inputNames = ["</script><script>alert(2)</script>", "a\u{2028}b<!--"]
        spec.data.targetNames = ["\"onload=\"x", "t&2"]
        let folder = try HandoutSupport.freshFolder("html-hostile")
        let path = folder + "/hostile.html"
        let sink = try HTMLExplorerWriter(destination: path, overwrite: false, options: RenderOptions())
        try TraceRunner.run(spec: spec, steps: 2, sinks: [sink])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("<script>alert"))
        #expect(!text.contains("\"onload=\""))
        #expect(!text.contains("\u{2028}"))
        #expect(!text.contains("<!--"))
        #expect(text.contains("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(Self.count("<script", in: text) == 2)
        #expect(Self.count("</script>", in: text) == 2)
        _ = try Self.data(text)
    }

    @Test func jsonStringsCannotEndTheirScript() {
        #expect(HTMLText.json("</script><!--\u{2028}\u{2029}\"\\\n") == "\"<\\/script><\\u0021--\\u2028\\u2029\\\"\\\\\\n\"")
        #expect(HTMLText.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
    }

    @Test func stepsBeyondTheLimitAreInTheLossCurveOnly() throws {
        var options = RenderOptions(); options.htmlSteps = 5
        let p = try Self.page(try Presets.spec(named: "mazur-2015"), steps: 20, options: options)
        let data = try Self.data(p.text)
        #expect((data["steps"] as? [Int]) == [1, 2, 3, 4, 5])
        #expect(p.text.contains("Steps 1–5 can be explored (--html-steps 5); steps 6–20 are in this curve only"))
        #expect(p.notes == ["html: steps 6–20 appear in the loss curve only (--html-steps 5)"])
        #expect(throws: OutputError.self) {
            var bad = RenderOptions(); bad.htmlSteps = 0
            _ = try HTMLExplorerWriter(destination: NSTemporaryDirectory() + "/never.html", overwrite: false, options: bad)
        }
    }

    /// Every preset renders, every formula converts (no LaTeX command left as text), and every
    /// computed quantity of the step has a derivation.
    @Test(arguments: Presets.names) func everyPresetRendersWithItsFormulas(preset: String) throws {
        let spec = try Presets.spec(named: preset)
        let p = try Self.page(spec, steps: 2)
        #expect(p.notes.isEmpty, "\(p.notes)")
        let data = try Self.data(p.text)
        let steps = try #require(data["s"] as? [[String: Any]])
        let v = try #require(steps[1]["v"] as? [String: [[String]]])
        let d = try #require(steps[1]["d"] as? [String: Any])
        let blocks = try #require(data["blocks"] as? [[String: Any]])
        let general = Dictionary(uniqueKeysWithValues: blocks.map { ($0["k"] as! String, $0["f"] as! Int) })
        for (block, m) in v where !["x", "y", "W", "b"].contains(block.split(separator: "|")[0]) {
            // Every computed cell has its lines, or (too many operands) its block's general formula.
            #expect(d["\(block)|1|1"] != nil || general[block]! >= 0, "\(preset): no derivation for \(block)")
            #expect(general[block]! >= 0, "\(preset): no general formula for \(block)")
            #expect(!m.isEmpty)
        }
    }
}

@Suite struct HTMLWideNetworkTests {
    /// A wide layer's neurons sum hundreds of products: their cells show the block's general
    /// formula instead of written-out lines, and the page stays a few MB.
    @Test func wideLayersGetTheGeneralFormula() throws {
        let n = 100, samples = 16
        var inputs: [String] = [], targets: [String] = []
        for s in 0..<samples {
            var row: [String] = []
            for i in 0..<n { row.append(String(Double((s * 7 + i * 13) % 17) / 17.0)) }
            inputs.append("[" + row.joined(separator: ",") + "]")
            var t: [String] = []
            for j in 0..<10 { t.append(j == s % 10 ? "1" : "0") }
            targets.append("[" + t.joined(separator: ",") + "]")
        }
        let inputText: String = inputs.joined(separator: ","), targetText: String = targets.joined(separator: ",")
        let spec = try SpecParser.parse(text: """
        {"name": "wide", "layers": [\(n), 64, 10], "learning_rate": 0.1, "init": {"distribution": "uniform", "seed": 1},
         "data": {"inputs": [\(inputText)], "targets": [\(targetText)]}}
        """)
        let p = try HTMLExplorerTests.page(spec, steps: 2)
        #expect(p.text.utf8.count < 12_000_000, "\(p.text.utf8.count) bytes")
        let data = try HTMLExplorerTests.data(p.text)
        let step = try #require((data["s"] as? [[String: Any]])?.first)
        let d = try #require(step["d"] as? [String: Any])
        #expect(d["z|1|1|1"] == nil && d["grad_W|1|1|1"] == nil)
        #expect(d["delta|2|1|1"] != nil, "a narrow block keeps its lines")
        let blocks = try #require(data["blocks"] as? [[String: Any]])
        let z = try #require(blocks.first { ($0["k"] as? String) == "z|1" })
        #expect((z["f"] as? Int ?? -1) >= 0)
        #expect(HTMLExplorerTests.count("data-quantity=", in: p.text) == 0, "too big to label: no numbers on the diagram")
    }
}

@Suite struct HTMLMathMLTests {
    @Test func printersLaTeXBecomesMathML() {
        var c = MathMLFromLaTeX()
        #expect(c.mathML("\\frac{a}{b}") == "<mfrac><mi>a</mi><mi>b</mi></mfrac>")
        #expect(c.mathML("\\mathrm{out}_{h_{1}}") == "<msub><mi>out</mi><msub><mi>h</mi><mn>1</mn></msub></msub>")
        #expect(c.mathML("0.15 \\cdot (-0.05)") == "<mrow><mn>0.15</mn><mo>\u{22C5}</mo><mo>(</mo><mo>\u{2212}</mo><mn>0.05</mn><mo>)</mo></mrow>")
        #expect(c.mathML("\\sqrt{\\hat{v}} + \\epsilon") == "<mrow><msqrt><mover accent=\"true\"><mi>v</mi><mo>^</mo></mover></msqrt><mo>+</mo><mi>ε</mi></mrow>")
        #expect(c.mathML("{w_{5}}^{+}") == "<msup><msub><mi>w</mi><mn>5</mn></msub><mo>+</mo></msup>")
        #expect(c.unknown.isEmpty)
        #expect(c.mathML("\\mathrm{<b>&}") == "<mi>&lt;b&gt;&amp;</mi>")
        #expect(c.mathML("\\weird x") == "<mrow><mtext>\\weird</mtext><mi>x</mi></mrow>")
        #expect(c.unknown == ["\\weird"])
    }

    @Test func namesInPlainText() {
        #expect(MathMLFromLaTeX.plain("\\mathrm{out}_{h_{1}}") == "out_h1")
        #expect(MathMLFromLaTeX.plain("\\frac{\\partial E_{\\mathrm{total}}}{\\partial w_{5}}") == "dE_total/dw5")
        #expect(MathMLFromLaTeX.plain("{w_{5}}^{+}") == "w5+")
        #expect(MathMLFromLaTeX.plain("\\delta_{h_{1}}^{[2]}") == "delta_h1[2]")
    }
}

@Suite struct HTMLMathMLCasesTests {
    /// relu's slope in general form is a `cases` environment.
    @Test func casesBecomeATable() {
        var c = MathMLFromLaTeX()
        let m = c.mathML("\\begin{cases} 1 & \\text{if } z > 0 \\\\ 0 & \\text{otherwise} \\end{cases}")
        #expect(m == "<mrow><mo>{</mo><mtable columnalign=\"left\"><mtr><mtd><mn>1</mn></mtd><mtd><mrow><mtext>if </mtext><mi>z</mi><mo>&gt;</mo><mn>0</mn></mrow></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mtext>otherwise</mtext></mtd></mtr></mtable></mrow>")
        #expect(c.unknown.isEmpty)
    }
}
