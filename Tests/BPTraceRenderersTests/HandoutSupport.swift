import BPTrace
import BPTraceRenderers
import Foundation
import Testing

/// Helpers of the handout tests: write a handout into a fresh folder, run pandoc and LaTeX as
/// subprocesses, read a formula's numbers back.
enum HandoutSupport {
    /// A new empty folder under the system's temporary folder.
    static func freshFolder(_ tag: String) throws -> String {
        let path = NSTemporaryDirectory() + "bptrace-handout-\(tag)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes the handout of `spec` trained for `steps` steps into `folder`; returns the Markdown path.
    @discardableResult
    static func write(spec: NetworkSpec, steps: Int, folder: String, options: RenderOptions = RenderOptions(),
                      overwrite: Bool = false) throws -> String {
        let path = folder + "/\(spec.name).md"
        let sink = try MarkdownHandoutWriter(destination: path, overwrite: overwrite, options: options)
        try TraceRunner.run(spec: spec, steps: steps, sinks: [sink])
        return path
    }

    /// The handout text of a preset.
    static func handout(preset: String, steps: Int = 1, options: RenderOptions = RenderOptions()) throws -> (text: String, path: String) {
        let folder = try freshFolder(preset)
        let path = try write(spec: try Presets.spec(named: preset), steps: steps, folder: folder, options: options)
        return (try String(contentsOfFile: path, encoding: .utf8), path)
    }

    static func options(decimals: Int? = nil, detail: HandoutDetail? = nil, steps: [Int] = [1]) -> RenderOptions {
        var o = RenderOptions()
        o.handoutDecimals = decimals
        o.detail = detail
        o.handoutSteps = steps
        return o
    }

    // MARK: subprocesses

    /// The full path of `tool` on PATH, or nil.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    struct Result { let status: Int32; let stdout: String; let stderr: String }

    /// Runs `tool` with `arguments` in `folder`. A missing tool is a test failure, never a skip:
    /// the handout's promise is that pandoc and LaTeX accept it.
    static func run(_ tool: String, _ arguments: [String], in folder: String) throws -> Result {
        guard let exe = which(tool) else {
            throw MissingTool(tool: tool)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        // Output goes to files, so a chatty tool never blocks on a full pipe.
        let base = NSTemporaryDirectory() + "bptrace-run-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try out.close(); try err.close()
        let outData = FileManager.default.contents(atPath: base + ".out") ?? Data()
        let errData = FileManager.default.contents(atPath: base + ".err") ?? Data()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    struct MissingTool: Error, CustomStringConvertible {
        let tool: String
        var description: String {
            "\(tool) is not installed; the handout tests need Debian's pandoc, texlive-latex-base, texlive-latex-recommended, lmodern and librsvg2-bin (scripts/handout_deps.sh installs them)"
        }
    }

    /// pandoc to HTML with MathML: texmath parses every formula and warns on one it cannot
    /// read; `--fail-if-warnings` turns the warning into a failure. Returns pandoc's result.
    static func html(_ mdPath: String) throws -> Result {
        let folder = (mdPath as NSString).deletingLastPathComponent, name = (mdPath as NSString).lastPathComponent
        return try run("pandoc", ["-f", "markdown", "-t", "html", "--mathml", "--fail-if-warnings", "-o", name + ".html", name], in: folder)
    }

    /// pandoc to PDF through pdflatex (SVG pictures converted by rsvg-convert). Returns pandoc's
    /// result and whether a PDF came out.
    static func pdf(_ mdPath: String) throws -> (Result, Bool) {
        let folder = (mdPath as NSString).deletingLastPathComponent, name = (mdPath as NSString).lastPathComponent
        let out = name + ".pdf"
        try? FileManager.default.removeItem(atPath: folder + "/" + out)
        let r = try run("pandoc", ["-f", "markdown", "--pdf-engine=pdflatex", "-o", out, name], in: folder)
        let data = FileManager.default.contents(atPath: folder + "/" + out) ?? Data()
        return (r, data.starts(with: Array("%PDF".utf8)))
    }

    /// pandoc's AST of the handout (`-t native`).
    static func native(_ mdPath: String) throws -> Result {
        let folder = (mdPath as NSString).deletingLastPathComponent, name = (mdPath as NSString).lastPathComponent
        return try run("pandoc", ["-f", "markdown", "-t", "native", name], in: folder)
    }

    // MARK: reading formulas

    /// The display formulas of a handout, one per source line, as (left-hand side, parts after
    /// each `=`), with the aligned wrapper, `&` and `\\` removed.
    static func equations(_ text: String) -> [(line: String, lhs: String, parts: [String])] {
        var out: [(String, String, [String])] = []
        for line in text.split(separator: "\n") where line.hasPrefix("$$") && line.hasSuffix("$$") && line.count > 4 {
            var body = String(line.dropFirst(2).dropLast(2))
            body = body.replacingOccurrences(of: "\\begin{aligned}", with: "")
                .replacingOccurrences(of: "\\end{aligned}", with: "")
                .replacingOccurrences(of: "\\\\", with: " ")
                .replacingOccurrences(of: "&", with: "")
                .replacingOccurrences(of: "\\quad", with: " ")
            let sides = splitTopLevel(body, on: "=")
            guard sides.count >= 2 else { continue }
            out.append((String(line), sides[0].trimmingCharacters(in: .whitespaces),
                        sides.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        return out
    }

    /// Splits at `sep` outside braces, brackets and parentheses.
    static func splitTopLevel(_ s: String, on sep: Character) -> [String] {
        var parts: [String] = [], cur = "", depth = 0
        for ch in s {
            if ch == "{" || ch == "(" || ch == "[" { depth += 1 }
            if ch == "}" || ch == ")" || ch == "]" { depth -= 1 }
            if ch == sep && depth == 0 { parts.append(cur); cur = "" } else { cur.append(ch) }
        }
        parts.append(cur)
        return parts
    }
}

/// Evaluates the numeric side of a handout formula: numbers, `+ - \cdot \times`, implicit
/// products, parentheses, `\frac{}{}`, `e^{}`, `^{}`, `\tanh()`, `\max(,)`, `\ln`. Anything else
/// (a symbol) makes it return nil: the part is not purely numeric.
struct NumericTeX {
    private let c: [Character]
    private var i = 0

    static func evaluate(_ s: String) -> Double? {
        // `\left(` and `\right)` are parentheses.
        let plain = s.replacingOccurrences(of: "\\left(", with: "(").replacingOccurrences(of: "\\right)", with: ")")
        var p = NumericTeX(c: Array(plain.filter { $0 != " " }))
        guard let v = p.expr(), p.i == p.c.count else { return nil }
        return v
    }

    private init(c: [Character]) { self.c = c }

    private func peek(_ s: String) -> Bool {
        let a = Array(s)
        return i + a.count <= c.count && Array(c[i..<(i + a.count)]) == a
    }
    private mutating func eat(_ s: String) -> Bool {
        if peek(s) { i += s.count; return true }
        return false
    }

    private mutating func expr() -> Double? {
        guard var v = term() else { return nil }
        while true {
            if eat("+") { guard let t = term() else { return nil }; v += t }
            else if eat("-") { guard let t = term() else { return nil }; v -= t }
            else { return v }
        }
    }

    private mutating func term() -> Double? {
        guard var v = power() else { return nil }
        while true {
            if eat("\\cdot") || eat("\\times") { guard let f = power() else { return nil }; v *= f; continue }
            // Implicit product: `0.75(1 - 0.75)`, `\frac{1}{2}(...)`.
            if i < c.count, c[i] == "(" || peek("\\frac") || peek("\\ln") { guard let f = power() else { return nil }; v *= f; continue }
            return v
        }
    }

    private mutating func power() -> Double? {
        guard let base = unary() else { return nil }
        if eat("^{") {
            guard let e = expr(), eat("}") else { return nil }
            return pow(base, e)
        }
        return base
    }

    private mutating func unary() -> Double? {
        if eat("-") { guard let v = power() else { return nil }; return -v }
        return primary()
    }

    private mutating func primary() -> Double? {
        if eat("(") { guard let v = expr(), eat(")") else { return nil }; return v }
        if eat("{") { guard let v = expr(), eat("}") else { return nil }; return v }
        if eat("\\frac{") {
            guard let a = expr(), eat("}{"), let b = expr(), eat("}") else { return nil }
            return a / b
        }
        if eat("e^{") { guard let v = expr(), eat("}") else { return nil }; return exp(v) }
        if eat("\\tanh(") { guard let v = expr(), eat(")") else { return nil }; return tanh(v) }
        if eat("\\max(") {
            guard var m = expr() else { return nil }
            while eat(",") { guard let b = expr() else { return nil }; m = max(m, b) }
            return eat(")") ? m : nil
        }
        if eat("\\ln") { guard let v = power() else { return nil }; return log(v) }
        var s = ""
        while i < c.count, c[i].isNumber || c[i] == "." { s.append(c[i]); i += 1 }
        return Double(s)
    }
}
