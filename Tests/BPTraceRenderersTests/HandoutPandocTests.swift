import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// The handouts through pandoc's own parsers: HTML with MathML (texmath parses every formula;
/// `--fail-if-warnings` fails on one it cannot read) and PDF through pdflatex. Missing tools
/// fail these tests; they are never skipped.
@Suite struct HandoutPandocTests {
    static let presets = ["mazur-2015", "analytics-vidhya", "tanh-relu-softmax"]

    @Test("pandoc converts the handout to HTML without a warning", arguments: presets)
    func html(preset: String) throws {
        let (_, path) = try HandoutSupport.handout(preset: preset, steps: 3, options: HandoutSupport.options(steps: [1, 3]))
        let r = try HandoutSupport.html(path)
        #expect(r.status == 0, "pandoc failed on \(preset): \(r.stderr)")
        #expect(r.stderr.isEmpty, "pandoc warned on \(preset): \(r.stderr)")
        let html = try String(contentsOfFile: path + ".html", encoding: .utf8)
        #expect(html.contains("<math"), "no MathML in \(preset)'s HTML")
        #expect(!html.contains("class=\"math"), "a formula was left as TeX in \(preset)'s HTML")
    }

    @Test("pandoc converts the handout to PDF through LaTeX without an error", arguments: presets)
    func pdf(preset: String) throws {
        let (_, path) = try HandoutSupport.handout(preset: preset, steps: 3, options: HandoutSupport.options(steps: [1, 3]))
        let (r, isPDF) = try HandoutSupport.pdf(path)
        #expect(r.status == 0, "pandoc/pdflatex failed on \(preset): \(r.stderr)")
        #expect(isPDF)
    }

    @Test("the handout is plain Markdown: no raw HTML or raw TeX reaches pandoc's document tree", arguments: presets)
    func noRawBlocks(preset: String) throws {
        let (_, path) = try HandoutSupport.handout(preset: preset)
        let r = try HandoutSupport.native(path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stdout.contains("RawInline") && !r.stdout.contains("RawBlock"))
        #expect(r.stdout.contains("DisplayMath") && r.stdout.contains("InlineMath"))
        #expect(r.stdout.contains("Image"))
    }

    @Test("a malformed formula makes both checks fail")
    func malformedFormulaFails() throws {
        let (text, path) = try HandoutSupport.handout(preset: "mazur-2015")
        let bad = (path as NSString).deletingLastPathComponent + "/broken.md"
        // An unbalanced \frac, as a renderer bug would write it.
        let broken = text.replacingOccurrences(of: "$$\\mathrm{out}_{h_{1}} = \\frac{1}{1 + e^{-\\mathrm{net}_{h_{1}}}}",
                                               with: "$$\\mathrm{out}_{h_{1}} = \\frac{1}{1 + e^{-\\mathrm{net}_{h_{1}}}")
        #expect(broken != text)
        try broken.write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try HandoutSupport.html(bad)
        #expect(r.status != 0, "pandoc accepted a malformed formula")
        #expect(r.stderr.contains("Could not convert TeX math"))
        let (p, isPDF) = try HandoutSupport.pdf(bad)
        #expect(p.status != 0 && !isPDF, "LaTeX accepted a malformed formula")
        // And an unknown command, which LaTeX rejects as undefined.
        let unknown = (path as NSString).deletingLastPathComponent + "/unknown.md"
        try (text + "\n$$x = \\notacommand{1}$$\n").write(toFile: unknown, atomically: true, encoding: .utf8)
        let (u, uPDF) = try HandoutSupport.pdf(unknown)
        #expect(u.status != 0 && !uPDF, "LaTeX accepted an undefined command")
    }

    @Test("text from the spec is escaped: a CSV's column names with Markdown and LaTeX specials")
    func escapedSpecText() throws {
        let folder = try HandoutSupport.freshFolder("escape")
        let columns = ["x_1 $cost$", "50% *off*", "a&b #c", "{d} e|f", "g\\h ~i^j", "<k> `l`"]
        let header = columns.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
        try (header + "\n0.1,0.2,0.3,0.4,0.9,0.1\n0.5,0.6,0.7,0.8,0.2,0.8\n").write(toFile: folder + "/data.csv", atomically: true, encoding: .utf8)
        let json = """
        {"name": "odd_name.v1-2", "layers": [4, 2, 2], "learning_rate": 0.5, "batch": "sample",
         "data": {"csv": "data.csv", "inputs": ["x_1 $cost$", "50% *off*", "a&b #c", "{d} e|f"], "targets": ["g\\\\h ~i^j", "<k> `l`"]}}
        """
        try json.write(toFile: folder + "/spec.json", atomically: true, encoding: .utf8)
        let spec = try SpecParser.load(path: folder + "/spec.json")
        let path = try HandoutSupport.write(spec: spec, steps: 2, folder: folder)
        let h = try HandoutSupport.html(path)
        #expect(h.status == 0 && h.stderr.isEmpty, "\(h.stderr)")
        let html = try String(contentsOfFile: path + ".html", encoding: .utf8)
        // Each name comes out as literal text (HTML-escaped by pandoc), not as markup.
        for literal in ["x_1 $cost$", "50% *off*", "a&amp;b #c", "{d} e|f", "g\\h ~i^j", "&lt;k&gt; `l`", "odd_name.v1-2"] {
            #expect(html.contains(literal), "\(literal) is not literal text in the HTML")
        }
        let (p, isPDF) = try HandoutSupport.pdf(path)
        #expect(p.status == 0 && isPDF, "\(p.stderr)")
    }

    @Test("column names outside Latin-1 (emoji, CJK, U+202E, combining accents, ESC) still give a PDF")
    func unicodeColumnNames() throws {
        let folder = try HandoutSupport.freshFolder("unicode")
        let columns = ["x\u{1F600}", "温度", "r\u{202E}tl", "e\u{301}t\u{E9}", "t\u{1B}[31m", "\u{C5}ngstr\u{F6}m"]
        let header = columns.map { "\"" + $0 + "\"" }.joined(separator: ",")
        try (header + "\n0.1,0.2,0.3,0.4,0.9,0.1\n0.5,0.6,0.7,0.8,0.2,0.8\n").write(toFile: folder + "/data.csv", atomically: true, encoding: .utf8)
        func json(_ s: String) -> String { "\"" + s.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined() + "\"" }
        let spec = """
        {"name": "unicode", "layers": [4, 2, 2], "learning_rate": 0.5, "batch": "sample",
         "data": {"csv": "data.csv", "inputs": [\(columns[0..<4].map(json).joined(separator: ", "))], "targets": [\(columns[4...].map(json).joined(separator: ", "))]}}
        """
        try spec.write(toFile: folder + "/spec.json", atomically: true, encoding: .utf8)
        let path = try HandoutSupport.write(spec: try SpecParser.load(path: folder + "/spec.json"), steps: 1, folder: folder)
        let md = try String(contentsOfFile: path, encoding: .utf8)
        for shown in ["[U+1F600]", "[U+6E29][U+5EA6]", "[U+202E]", "\u{E9}t\u{E9}", "[U+001B]", "\u{C5}ngstr\u{F6}m"] {
            #expect(md.contains(HandoutEscape.markdown(shown)), "\(shown) is not in the handout")
        }
        #expect(!md.unicodeScalars.contains { [0x1B, 0x202E, 0x301, 0x1F600, 0x6E29].contains($0.value) })
        let (p, isPDF) = try HandoutSupport.pdf(path)
        #expect(p.status == 0 && isPDF, "\(p.stderr)")
    }
}
