import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// `run --format md --landscape w5,w6`: the handout's section "The loss landscape".
@Suite struct HandoutLandscapeTests {
    static func options(_ a: String, _ b: String, spec: NetworkSpec, span: Double = 2, grid: Int = 11) throws -> RenderOptions {
        var o = RenderOptions()
        o.handoutLandscape = HandoutLandscapeRequest(a: try ParameterRef(named: a, in: spec), b: try ParameterRef(named: b, in: spec),
                                                     span: span, grid: grid)
        return o
    }

    static func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// The polyline's points (pixels) of an SVG: the first `<polyline points="…">`.
    static func polyline(_ svg: String) -> [(Double, Double)] {
        guard let r = svg.range(of: "<polyline points=\"") else { return [] }
        let rest = svg[r.upperBound...]
        let text = rest[..<rest.firstIndex(of: "\"")!]
        return text.split(separator: " ").map { p in
            let c = p.split(separator: ",").map { Double($0)! }
            return (c[0], c[1])
        }
    }

    @Test func sectionAndFigureOnlyWhenAsked() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let plain = try HandoutSupport.handout(preset: "mazur-2015", steps: 2)
        #expect(!plain.text.contains("## The loss landscape"))
        let plainFigures = MarkdownHandoutWriter.figuresFolder(for: plain.path)
        #expect(!FileManager.default.fileExists(atPath: plainFigures + "/landscape.svg"))

        let asked = try HandoutSupport.handout(preset: "mazur-2015", steps: 2, options: try Self.options("w5", "w6", spec: spec))
        #expect(asked.text.contains("## The loss landscape"))
        #expect(asked.text.contains("](mazur-2015-figures/landscape.svg)"))
        #expect(asked.text.contains("The path starts at (w5, w6) = (0.4, 0.45), where the loss is 0.298371"), "\(asked.text)")
        #expect(asked.text.contains("ends after step 2 at"))
        let figures = MarkdownHandoutWriter.figuresFolder(for: asked.path)
        let svg = try Self.read(figures + "/landscape.svg")
        #expect(svg.contains("<svg") && svg.contains("mazur-2015: loss over w5 and w6") && svg.contains("<polyline"))
        #expect(try Self.read(figures + "/.bptrace-manifest").contains("landscape.svg"))
    }

    /// The figure's path is the trace's W(2) entries for w5 (row 0) and w6 (row 1) at the start
    /// of each step, then W_new after the last step: read back from the SVG's pixels.
    @Test func pathPointsAreTheTracesWeights() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let steps = 6, span = 2.0
        let (_, path) = try HandoutSupport.handout(preset: "mazur-2015", steps: steps, options: try Self.options("w5", "w6", spec: spec, span: span))
        let svg = try Self.read(MarkdownHandoutWriter.figuresFolder(for: path) + "/landscape.svg")
        var want: [(Double, Double)] = []
        var trainer = Trainer(spec: spec)
        for s in 1...steps {
            let r = trainer.step(s)
            let w = try #require(r[.W, 2])
            want.append((w[0, 0], w[1, 0]))
        }
        want.append((trainer.parameters.weights[1][0, 0], trainer.parameters.weights[1][1, 0]))
        let pixels = Self.polyline(svg)
        try #require(pixels.count == want.count)
        // The plot's map: 440 px square at (78, 46), start value ± span on each axis.
        let (a0, b0) = (0.4 - span, 0.45 - span)
        for (p, w) in zip(pixels, want) {
            let a = a0 + (p.0 - 78) / 440 * 2 * span
            let b = b0 + (46 + 440 - p.1) / 440 * 2 * span
            #expect(abs(a - w.0) < 1e-4 && abs(b - w.1) < 1e-4, "\(p) → (\(a), \(b)) vs \(w)")
        }
        // And the figure is the landscape command's picture of the same run, byte for byte.
        let land = Landscape(spec: spec, a: try ParameterRef(named: "w5", in: spec), b: try ParameterRef(named: "w6", in: spec),
                             span: span, grid: 11, steps: steps)
        let plot = LandscapePlot(aName: "w5", bName: "w6", aValues: land.aValues, bValues: land.bValues, loss: land.loss,
                                 path: land.path.map { ($0.a, $0.b) }, title: "mazur-2015: loss over w5 and w6")
        #expect(plot.render() == svg)
    }

    @Test func twoParameterNetworkSaysThePathIsOnTheSurface() throws {
        let spec = try Presets.spec(named: "nndl-nonconvex")
        let (text, _) = try HandoutSupport.handout(preset: "nndl-nonconvex", steps: 3, options: try Self.options("w1", "w2", spec: spec, span: 5))
        #expect(text.contains("the network has no other parameters"))
        #expect(!text.contains("the other parameters moved too"))
    }

    @Test func handoutWithLandscapeGoesThroughPandoc() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let (_, path) = try HandoutSupport.handout(preset: "mazur-2015", steps: 3, options: try Self.options("w1", "b1", spec: spec))
        let r = try HandoutSupport.html(path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "pandoc warned: \(r.stderr)")
        let html = try Self.read(path + ".html")
        #expect(html.contains("The loss landscape") && html.contains("landscape.svg"))
    }

    @Test func sameOptionsSameBytes() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        let o = try Self.options("w5", "w6", spec: spec)
        let one = try HandoutSupport.handout(preset: "mazur-2015", steps: 4, options: o)
        let two = try HandoutSupport.handout(preset: "mazur-2015", steps: 4, options: o)
        #expect(one.text == two.text)
        let f1 = MarkdownHandoutWriter.figuresFolder(for: one.path), f2 = MarkdownHandoutWriter.figuresFolder(for: two.path)
        #expect(try Self.read(f1 + "/landscape.svg") == Self.read(f2 + "/landscape.svg"))
    }
}
