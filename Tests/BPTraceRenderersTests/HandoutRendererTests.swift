import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// The handout writer on every activation, loss, batch mode and detail level: each derived line
/// is arithmetically right, pandoc reads every formula, output is deterministic and bounded.
@Suite struct HandoutRendererTests {
    /// A small spec in JSON (the contract's format), with explicit weights so the numbers are fixed.
    static func spec(_ extra: String, layers: [Int] = [2, 2, 2], activations: [String] = ["sigmoid", "sigmoid"],
                     loss: String = "half_sse", inputs: String = "[[0.05, 0.1]]", targets: String = "[[0.01, 0.99]]",
                     name: String = "case") throws -> NetworkSpec {
        let acts = activations.map { "\"\($0)\"" }.joined(separator: ", ")
        let json = """
        {"name": "\(name)", "layers": \(layers), "activations": [\(acts)], "loss": "\(loss)", "learning_rate": 0.5,
         "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 3}\(extra.isEmpty ? "" : ", " + extra),
         "data": {"inputs": \(inputs), "targets": \(targets)}}
        """
        return try SpecParser.parse(text: json)
    }

    /// Every network shape the contract allows, in small.
    static func cases() throws -> [(String, NetworkSpec)] {
        var out: [(String, NetworkSpec)] = []
        for f in ["sigmoid", "tanh", "relu", "linear"] {
            for loss in ["half_sse", "mse", "sum"] {
                out.append(("\(f)-\(loss)", try spec("", activations: [f, f], loss: loss, name: "\(f)-\(loss)")))
            }
        }
        out.append(("softmax-ce", try spec("", layers: [2, 3, 3], activations: ["tanh", "softmax"], loss: "cross_entropy",
                                           targets: "[[0, 1, 0]]", name: "softmax-ce")))
        out.append(("sigmoid-ce", try spec("", activations: ["relu", "sigmoid"], loss: "cross_entropy",
                                           targets: "[[0, 1]]", name: "sigmoid-ce")))
        out.append(("no-bias", try spec("\"bias\": false", name: "no-bias")))
        out.append(("fixed-bias", try spec("\"update_biases\": false, \"biases\": [[0.35, 0.35], [0.6, 0.6]]", name: "fixed-bias")))
        out.append(("l2", try spec("\"l2\": 0.01", name: "l2")))
        out.append(("immediate", try spec("\"update\": \"immediate\"", name: "immediate")))
        out.append(("deep", try spec("", layers: [2, 3, 2, 2], activations: ["tanh", "relu", "sigmoid"], name: "deep")))
        out.append(("single-layer", try spec("", layers: [2, 2], activations: ["sigmoid"], name: "single-layer")))
        let two = "[[0.05, 0.1], [0.3, -0.2], [0.9, 0.4]]", twoT = "[[0.01, 0.99], [0.5, 0.5], [1, 0]]"
        out.append(("full-batch", try spec("", inputs: two, targets: twoT, name: "full-batch")))
        out.append(("tanh-batch", try spec("", activations: ["tanh", "tanh"], inputs: two, targets: twoT, name: "tanh-batch")))
        out.append(("mini-batch", try spec("\"batch\": 2, \"l2\": 0.001", loss: "mse", inputs: two, targets: twoT, name: "mini-batch")))
        out.append(("sample-batch", try spec("\"batch\": \"sample\"", inputs: two, targets: twoT, name: "sample-batch")))
        out.append(("softmax-batch", try spec("\"batch\": 2", layers: [2, 3, 3], activations: ["relu", "softmax"], loss: "cross_entropy",
                                              inputs: two, targets: "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]", name: "softmax-batch")))
        return out
    }

    /// Each formula whose last two parts are numbers put in and a result: the numbers must give
    /// the result (to the rounding of the printed operands). Returns how many lines were checked.
    func checkArithmetic(_ text: String, decimals: Int, _ label: String) -> Int {
        var checked = 0
        for eq in HandoutSupport.equations(text) where eq.parts.count >= 2 {
            guard let result = NumericTeX.evaluate(eq.parts[eq.parts.count - 1]),
                  let computed = NumericTeX.evaluate(eq.parts[eq.parts.count - 2]) else { continue }
            let tolerance = 2e-6 * max(1, abs(result)) * pow(10, Double(9 - decimals))
            #expect(abs(computed - result) <= tolerance, "\(label): \(eq.line) computes \(computed), not \(result)")
            checked += 1
        }
        return checked
    }

    /// All handouts of `folder` in one document, then through pdflatex: LaTeX checks what
    /// texmath lets pass (a double superscript, say).
    func combinedPDF(_ folder: String, _ paths: [String], _ label: String) throws {
        let all = try paths.map { try String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n\n")
        let combined = folder + "/all-\(label).md"
        try all.write(toFile: combined, atomically: true, encoding: .utf8)
        let (r, isPDF) = try HandoutSupport.pdf(combined)
        #expect(r.status == 0 && isPDF, "\(label): \(r.stderr)")
    }

    @Test("every case, full detail: each line's numbers give its result; pandoc and LaTeX read every formula")
    func fullDetailAllCases() throws {
        let folder = try HandoutSupport.freshFolder("full")
        var paths: [String] = []
        for (label, spec) in try Self.cases() {
            let path = try HandoutSupport.write(spec: spec, steps: 2, folder: folder,
                                                options: HandoutSupport.options(detail: .full, steps: [1, 2]))
            paths.append(path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let checked = checkArithmetic(text, decimals: 9, label)
            #expect(checked >= 8, "\(label): only \(checked) lines checked")
            let r = try HandoutSupport.html(path)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(label): \(r.stderr)")
            // Every weight is derived and updated.
            let names = NetworkNames(spec: spec, parameters: spec.initialParameters())
            for l in 1...spec.depth {
                for i in 0..<spec.layers[l - 1] {
                    for j in 0..<spec.layers[l] {
                        let w = names.weight(layer: l, source: i, target: j).latex
                        #expect(text.contains("$${\(w)}^{+} = ") || text.contains("$$\\begin{aligned}{\(w)}^{+} &= "), "\(label): no update line for \(w)")
                    }
                }
            }
        }
        try combinedPDF(folder, paths, "full")
    }

    @Test("every case, matrix and summary detail: pandoc and LaTeX read every formula", arguments: [HandoutDetail.matrix, .summary])
    func matrixAndSummaryAllCases(detail: HandoutDetail) throws {
        let folder = try HandoutSupport.freshFolder(detail.rawValue)
        var paths: [String] = []
        for (label, spec) in try Self.cases() {
            let path = try HandoutSupport.write(spec: spec, steps: 3, folder: folder,
                                                options: HandoutSupport.options(detail: detail, steps: [1, 3]))
            paths.append(path)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let r = try HandoutSupport.html(path)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(label) \(detail): \(r.stderr)")
            #expect(text.contains("## Step 1") && text.contains("## Step 3") && !text.contains("## Step 2"))
            if detail == .matrix { #expect(text.contains("\\begin{bmatrix}")) }
            if detail == .summary { #expect(!text.contains("\\begin{bmatrix}") && !text.contains("### The forward pass")) }
        }
        try combinedPDF(folder, paths, detail.rawValue)
    }

    @Test("the statements of update order and bias training appear where they matter")
    func statements() throws {
        let cases = Dictionary(uniqueKeysWithValues: try Self.cases())
        func text(_ label: String) throws -> String {
            let folder = try HandoutSupport.freshFolder(label)
            return try String(contentsOfFile: HandoutSupport.write(spec: cases[label]!, steps: 1, folder: folder), encoding: .utf8)
        }
        #expect(try text("sigmoid-half_sse").contains("Update order: simultaneous"))
        #expect(try text("immediate").contains("Update order: immediate"))
        #expect(!(try text("single-layer")).contains("Update order"))
        #expect(try text("sigmoid-half_sse").contains("The biases are trained"))
        #expect(try text("fixed-bias").contains("The biases are not trained"))
        let noBias = try text("no-bias")
        #expect(noBias.contains("no bias terms") && !noBias.contains("b_{1}") && !noBias.contains("b^{("))
        #expect(try text("l2").contains("\\frac{\\partial C}{\\partial w_{1}}"))
    }

    @Test("the automatic detail: full for small one-sample nets, matrix for wide layers or batches")
    func automaticDetail() throws {
        #expect(HandoutDetail.automatic(for: try Presets.spec(named: "mazur-2015")) == .full)
        #expect(HandoutDetail.automatic(for: try Presets.spec(named: "analytics-vidhya")) == .matrix)   // 3 samples a step
        #expect(HandoutDetail.automatic(for: try Presets.spec(named: "tanh-relu-softmax")) == .matrix)  // 5 neurons
        let (matrix, _) = try HandoutSupport.handout(preset: "analytics-vidhya")
        // The catalogue's formula of one element.
        #expect(matrix.contains("z^{(1)}_{i,j} = \\sum_{k} x_{i,k} \\cdot W^{(1)}_{k,j} + b^{(1)}_{j}") || matrix.contains("z^{(1)}_{i,j} &= \\sum_{k} x_{i,k} \\cdot W^{(1)}_{k,j} + b^{(1)}_{j}"))
        #expect(matrix.contains("rounded to 6 decimals"))
    }

    @Test("numbers: rounded to N decimals, trailing zeros trimmed, never -0")
    func numberFormat() {
        let f = HandoutNumberFormat(decimals: 9)
        #expect(f.plain(0.7513650695523157) == "0.75136507")
        #expect(f.plain(0.35) == "0.35")
        #expect(f.plain(1) == "1")
        #expect(f.plain(-1e-12) == "0")
        #expect(f.plain(-0.019049118258) == "-0.019049118")
        #expect(f.operand(-0.5) == "(-0.5)")
        #expect(f.tex(2.5e16) == "2.5 \\times 10^{16}")
        #expect(HandoutNumberFormat(decimals: 3).plain(0.0004) == "0")
    }

    @Test("escaping of spec text for Markdown and for LaTeX text")
    func escaping() {
        #expect(HandoutEscape.markdown("a_b*c$d") == "a\\_b\\*c\\$d")
        #expect(HandoutEscape.markdown("x|y<z>") == "x\\|y\\<z\\>")
        #expect(HandoutEscape.latexText("50% & $5_a {#}") == "50\\% \\& \\$5\\_a \\{\\#\\}")
    }

    @Test("--handout-steps lists and ranges")
    func stepList() throws {
        #expect(try HandoutStepList.parse("1,2,10") == [1, 2, 10])
        #expect(try HandoutStepList.parse("3-5, 1") == [1, 3, 4, 5])
        #expect(throws: HandoutStepList.ParseError.self) { try HandoutStepList.parse("0") }
        #expect(throws: HandoutStepList.ParseError.self) { try HandoutStepList.parse("2-1") }
        #expect(throws: HandoutStepList.ParseError.self) { try HandoutStepList.parse("a") }
    }

    @Test("the same run writes byte-identical files")
    func deterministic() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        var files: [[String: Data]] = []
        for _ in 0..<2 {
            let folder = try HandoutSupport.freshFolder("det")
            try HandoutSupport.write(spec: spec, steps: 12, folder: folder, options: HandoutSupport.options(steps: [1, 5]))
            var f: [String: Data] = [:]
            let fm = FileManager.default
            for name in try fm.subpathsOfDirectory(atPath: folder) {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: folder + "/" + name, isDirectory: &isDir), !isDir.boolValue {
                    f[name] = fm.contents(atPath: folder + "/" + name)
                }
            }
            files.append(f)
        }
        #expect(Set(files[0].keys) == ["mazur-2015.md", "mazur-2015-figures/network.svg", "mazur-2015-figures/network-step-5.svg", "mazur-2015-figures/loss.svg",
                                       "mazur-2015-figures/.bptrace-manifest"])
        #expect(files[0] == files[1])
    }

    @Test("pictures: named neurons, each edge labelled before → after, linked with relative paths")
    func pictures() throws {
        let (text, path) = try HandoutSupport.handout(preset: "mazur-2015", steps: 12)
        let figures = (path as NSString).deletingLastPathComponent + "/mazur-2015-figures"
        let net = try String(contentsOfFile: figures + "/network.svg", encoding: .utf8)
        for label in ["w1 0.15 → 0.1498", "w5 0.4 → 0.3589", "w8 0.55 → 0.5614", "b1 = 0.35", "b2 = 0.6", ">i1<", ">h2<", ">o1<"] {
            #expect(net.contains(label), "network.svg lacks \(label)")
        }
        let loss = try String(contentsOfFile: figures + "/loss.svg", encoding: .utf8)
        let points = try #require(loss.split(separator: "\"").firstIndex { $0.hasSuffix("points=") }.map { loss.split(separator: "\"")[$0 + 1] })
        #expect(points.split(separator: " ").count == 12)
        #expect(text.contains("](mazur-2015-figures/network.svg)") && text.contains("](mazur-2015-figures/loss.svg)"))
        // rsvg-convert (what pandoc uses for PDF) reads both pictures.
        for svg in ["network.svg", "loss.svg"] {
            let r = try HandoutSupport.run("rsvg-convert", ["-f", "png", "-o", svg + ".png", svg], in: figures)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(svg): \(r.stderr)")
        }
    }

    @Test("1,000 steps with 3 derived: the handout stays small and the loss table sampled")
    func longRunStaysSmall() throws {
        let folder = try HandoutSupport.freshFolder("long")
        let path = try HandoutSupport.write(spec: try Presets.spec(named: "mazur-2015"), steps: 1000, folder: folder,
                                            options: HandoutSupport.options(detail: .summary, steps: [1, 2, 3]))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(size < 20_000, "the handout is \(size) bytes")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && $0.split(separator: "|").count == 2 && Int($0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces)) != nil }
        #expect(rows.count == 28 - 3, "loss table rows: \(rows.count)")   // 1-10, 20..100, 200..1000, less the 3 derived rows (bold)
        #expect(text.contains("| 1000 | "))
        #expect(text.contains("**3** (derived)"))
    }

    @Test("output is refused when it exists, replaced with overwrite, and no temporary file is left")
    func overwrite() throws {
        let folder = try HandoutSupport.freshFolder("force")
        let spec = try Presets.spec(named: "mazur-2015")
        try HandoutSupport.write(spec: spec, steps: 1, folder: folder)
        #expect(throws: OutputError.self) { try HandoutSupport.write(spec: spec, steps: 1, folder: folder) }
        // The figures folder alone also blocks.
        try FileManager.default.removeItem(atPath: folder + "/mazur-2015.md")
        #expect(throws: OutputError.self) { try HandoutSupport.write(spec: spec, steps: 1, folder: folder) }
        // A folder of the user's in the figures folder is not bptrace's (not in its manifest): kept.
        try FileManager.default.createDirectory(atPath: folder + "/mazur-2015-figures/mine", withIntermediateDirectories: true)
        try HandoutSupport.write(spec: spec, steps: 3, folder: folder, overwrite: true)
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(entries == ["mazur-2015-figures", "mazur-2015.md"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/mazur-2015-figures").sorted() == [".bptrace-manifest", "loss.svg", "mine", "network.svg"])
    }

    @Test("a sink dropped before finish leaves nothing behind")
    func abandoned() throws {
        let folder = try HandoutSupport.freshFolder("abandon")
        do {
            let sink = try MarkdownHandoutWriter(destination: folder + "/x.md", overwrite: false, options: RenderOptions())
            try sink.begin(TraceRun(spec: try Presets.spec(named: "mazur-2015"), steps: 1,
                                    initialParameters: try Presets.spec(named: "mazur-2015").initialParameters()))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [])
    }

    @Test("a run stopped by a non-finite value still writes a complete handout that says so")
    func stoppedRun() throws {
        let spec = try Self.spec("\"weights\": [[[300, 0], [0, 300]], [[300, 0], [0, 300]]]", activations: ["linear", "linear"],
                                 inputs: "[[5, 5]]", targets: "[[0, 1]]", name: "blowup")
        let folder = try HandoutSupport.freshFolder("stop")
        let path = folder + "/blowup.md"
        let sink = try MarkdownHandoutWriter(destination: path, overwrite: false, options: HandoutSupport.options(steps: [1, 2]))
        let outcome = try TraceRunner.run(spec: spec, steps: 50, sinks: [sink])
        #expect(outcome.stoppedBy != nil)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("Training stopped at step"))
        let r = try HandoutSupport.html(path)
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test("12 steps of the default network are written well under a second")
    func speed() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let folder = try HandoutSupport.freshFolder("speed")
        let start = Date()
        try HandoutSupport.write(spec: spec, steps: 12, folder: folder)
        #expect(Date().timeIntervalSince(start) < 1.0, "debug build, tests running in parallel; a release build takes about 0.06 s")
    }
}
