import BPTrace
@testable import BPTraceRenderers
import Foundation
import Testing

/// The handout's derivation lines come from the catalogue and the trace: the values are the
/// engine's, the Markdown writer has no arithmetic of its own, and the title block is YAML.
@Suite struct HandoutDerivationTests {
    /// The blocks of step `step` of a preset, by quantity and layer.
    static func step(_ preset: String, _ step: Int = 1) throws -> (NetworkSpec, [QuantityRef: Matrix]) {
        let spec = try Presets.spec(named: preset)
        var blocks: [QuantityRef: Matrix] = [:]
        var trainer = Trainer(spec: spec)
        var result: StepResult? = nil
        for s in 1...step { result = trainer.step(s) }
        for b in try #require(result).blocks() { blocks[QuantityRef(b.quantity, b.layer)] = b.matrix }
        return (spec, blocks)
    }

    static func derivation(_ spec: NetworkSpec, _ blocks: [QuantityRef: Matrix]) -> StepDerivation {
        let f = HandoutNumberFormat(decimals: 9)
        let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
        let B = blocks[QuantityRef(.x, 0)]?.rows ?? 1
        return StepDerivation(spec: spec, symbols: PostSymbols(names: names, depth: spec.depth, batchSize: B, ofCost: spec.l2 > 0),
                              blocks: blocks, operand: { f.operand($0) }, number: { f.tex($0) })
    }

    @Test("each line that computes a traced cell shows the trace's value; reads name the cells of the catalogue's formula")
    func linesCarryTraceValues() throws {
        for preset in ["mazur-2015", "tanh-relu-softmax", "xor"] {
            let (spec, blocks) = try Self.step(preset)
            let d = Self.derivation(spec, blocks)
            var lines: [DerivationLine] = []
            for l in 1...spec.depth {
                for j in 0..<spec.layers[l] {
                    for r in 0..<(blocks[QuantityRef(.x, 0)]?.rows ?? 0) {
                        var done: Set<String> = []
                        lines += [d.net(l, j, r)].compactMap { $0 } + d.out(l, j, r, done: &done)
                        if l < spec.depth { lines += [d.hiddenError(l, j, r, perTerm: false), d.hiddenDelta(l, j, r)].compactMap { $0 } }
                    }
                    for i in 0..<spec.layers[l - 1] { lines += [d.gradient(l, i, j), d.update(l, i, j)].compactMap { $0 } }
                }
            }
            lines += [d.total(), d.cost()].compactMap { $0 }
            var checked = 0
            for line in lines {
                guard let c = line.computes else { continue }
                let m = try #require(blocks[c.ref])
                #expect(line.value == m[c.row, c.col], "\(preset): \(line.lhs)")
                #expect(!line.reads.isEmpty, "\(preset): \(line.lhs) reads nothing")
                checked += 1
            }
            #expect(checked > 20, "\(preset): \(checked) lines")
        }
    }

    @Test("the net input line is the catalogue's formula in the post's order: w·i + b·1")
    func netLine() throws {
        let (spec, blocks) = try Self.step("mazur-2015")
        let line = try #require(Self.derivation(spec, blocks).net(1, 0, 0))
        #expect(line.symbolic == ["w_{1} \\cdot i_{1} + w_{2} \\cdot i_{2} + b_{1} \\cdot 1"])
        #expect(line.substituted == "0.15 \\cdot 0.05 + 0.2 \\cdot 0.1 + 0.35 \\cdot 1")
        #expect(line.reads.map(\.ref.quantity) == [.x, .W, .x, .W, .b])   // the catalogue's order
        #expect(line.stage == .hiddenInput)
    }

    @Test("a zero target's cross-entropy term shows 0·ln(out), the general form, not a bare 0")
    func crossEntropyZeroTarget() throws {
        let (spec, blocks) = try Self.step("tanh-relu-softmax")
        let d = Self.derivation(spec, blocks)
        let y = try #require(blocks[QuantityRef(.y, spec.depth)])
        let j = try #require((0..<y.cols).first { y[0, $0] == 0 })
        let line = try #require(d.errorTerm(j, 0))
        #expect(line.substituted?.contains("0 \\cdot \\ln") == true, "\(line.substituted ?? "")")
        #expect(line.value == 0)
    }

    @Test("the loss after an update, computed from the catalogue, is the next step's traced loss (full batch)")
    func lossAfterUpdate() throws {
        for preset in ["mazur-2015", "xor"] {
            let (spec, one) = try Self.step(preset, 1)
            let (_, two) = try Self.step(preset, 2)
            let after = try #require(CatalogueForward.afterUpdate(spec: spec, blocks: one))
            #expect(after.loss == two[QuantityRef(.loss, spec.depth)]?[0, 0], "\(preset)")
            #expect(after.outputs == two[QuantityRef(.a, spec.depth)], "\(preset)")
        }
    }

    @Test("the Markdown writer has no arithmetic of its own: no exp, log, tanh, 1 - x or η· in its source")
    func noArithmeticInMarkdownWriter() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BPTraceRenderers/Markdown")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 4)
        let pattern = try NSRegularExpression(pattern: #"exp\(|log\(|tanh\(|1 ?- ?[^0-9]|learningRate \*"#)
        for f in files {
            let text = try String(contentsOf: folder.appendingPathComponent(f), encoding: .utf8)
            for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let s = String(line)
                if s.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }   // comments may say 1-3
                let hit = pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
                #expect(!hit, "\(f):\(k + 1): \(s)")
            }
        }
    }

    @Test("the title block is YAML: a name with quotes, a colon, # and a backslash survives pandoc -s without a warning")
    func yamlTitle() throws {
        var spec = try Presets.spec(named: "mazur-2015")
        spec.name = "my \"net\": #1 \\ a_b*"
        let folder = try HandoutSupport.freshFolder("yaml")
        let path = folder + "/net.md"
        let sink = try MarkdownHandoutWriter(destination: path, overwrite: false, options: HandoutSupport.options())
        try TraceRunner.run(spec: spec, steps: 1, sinks: [sink])
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("---\ntitle: \"Backpropagation step by step: "))
        let r = try HandoutSupport.run("pandoc", ["-s", "-f", "markdown", "-t", "html", "--mathml", "--fail-if-warnings", "-o", "net.html", "net.md"], in: folder)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let html = try String(contentsOfFile: folder + "/net.html", encoding: .utf8)
        #expect(html.contains("<title>Backpropagation step by step: my &quot;net&quot;: #1 \\ a_b*</title>")
                || html.contains("<title>Backpropagation step by step: my “net”: #1 \\ a_b*</title>"), "\(html.prefix(600))")
    }

    @Test("YAML escaping of control characters and line breaks")
    func yamlEscape() {
        #expect(HandoutEscape.yamlString("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(HandoutEscape.yamlString("x\ny\u{1}") == "\"x\\ny\\u0001\"")
    }
}
