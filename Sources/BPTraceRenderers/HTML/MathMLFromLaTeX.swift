/// The explorer's formulas: the LaTeX of a derivation line (`DerivationLine`, printed from the
/// catalogue by `LaTeXPrinter` and `PostSymbols`) turned into presentation MathML, which
/// Chromium and Firefox render natively, with no script, font or network. It reads exactly the
/// subset those printers write (`\frac`, `\mathrm`, sub- and superscripts, `\left( \right)`,
/// `\sqrt`, `\hat`, Greek letters, `\cdot`, …), so the page shows the handout's lines, not a
/// second copy of the maths. Anything else becomes visible text (`unknown` lists it; the tests
/// check every preset's lines have none). All text is XML-escaped: no input can make markup.
public struct MathMLFromLaTeX {
    /// A parsed formula.
    indirect enum Node {
        case ident(String, word: Bool)
        case number(String)
        case op(String)
        case text(String)
        case space(String)
        case row([Node])
        case frac(Node, Node)
        case sqrt(Node)
        case hat(Node)
        case scripts(Node, sub: Node?, sup: Node?)
        case script(String)
        /// `\begin{cases} a & b \\ c & d \end{cases}`: rows of cells after a brace.
        case cases([[Node]])
    }

    /// Commands the converter did not know, in order (empty for the printers' LaTeX).
    public private(set) var unknown: [String] = []

    public init() {}

    /// The MathML of `latex` without the `<math>` element (its children, one `mrow`).
    public mutating func mathML(_ latex: String) -> String {
        var p = Parser(Array(latex))
        let node = p.sequence(closing: nil)
        unknown += p.unknown
        return MathMLFromLaTeX.render(node)
    }

    /// A name in plain text from its LaTeX (`\mathrm{out}_{h_{1}}` → `out_h1`,
    /// `\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}` → `dE_total/dw5`, `{w_{5}}^{+}` → `w5+`).
    public static func plain(_ latex: String) -> String {
        var p = Parser(Array(latex))
        return plainText(p.sequence(closing: nil))
    }

    // MARK: rendering

    /// Element text, escaped as everywhere on the page (`HTMLText.escape`).
    static func escape(_ s: String) -> String { HTMLText.escape(s) }

    static func render(_ n: Node) -> String {
        switch n {
        case .ident(let s, let word):
            return word && s.count > 1 ? "<mi>\(escape(s))</mi>" : (word ? "<mi mathvariant=\"normal\">\(escape(s))</mi>" : "<mi>\(escape(s))</mi>")
        case .number(let s): return "<mn>\(escape(s))</mn>"
        case .op(let s): return "<mo>\(escape(s))</mo>"
        case .text(let s): return "<mtext>\(escape(s))</mtext>"
        case .space(let w): return "<mspace width=\"\(w)\"/>"
        case .row(let xs): return xs.count == 1 ? render(xs[0]) : "<mrow>" + xs.map(render).joined() + "</mrow>"
        case .frac(let a, let b): return "<mfrac>\(wrapped(a))\(wrapped(b))</mfrac>"
        case .sqrt(let a): return "<msqrt>\(render(a))</msqrt>"
        case .hat(let a): return "<mover accent=\"true\">\(wrapped(a))<mo>^</mo></mover>"
        case .scripts(let base, let sub, let sup):
            switch (sub, sup) {
            case (let b?, let p?): return "<msubsup>\(wrapped(base))\(wrapped(b))\(wrapped(p))</msubsup>"
            case (let b?, nil): return "<msub>\(wrapped(base))\(wrapped(b))</msub>"
            case (nil, let p?): return "<msup>\(wrapped(base))\(wrapped(p))</msup>"
            default: return render(base)
            }
        case .script(let s): return "<mi mathvariant=\"script\">\(escape(s))</mi>"
        case .cases(let rows):
            let body = rows.map { "<mtr>" + $0.map { "<mtd>" + render($0) + "</mtd>" }.joined() + "</mtr>" }.joined()
            return "<mrow><mo>{</mo><mtable columnalign=\"left\">\(body)</mtable></mrow>"
        }
    }

    /// One element (a row when there are several), as fractions and scripts need.
    static func wrapped(_ n: Node) -> String {
        if case .row(let xs) = n, xs.count != 1 { return "<mrow>" + xs.map(render).joined() + "</mrow>" }
        return render(n)
    }

    static func plainText(_ n: Node) -> String {
        switch n {
        case .ident(let s, _): return s == "∂" ? "d" : s == "δ" ? "delta" : s
        case .number(let s), .text(let s), .script(let s): return s
        case .cases(let rows): return rows.map { $0.map(plainText).joined(separator: " ") }.joined(separator: "; ")
        case .op(let s): return s == "\u{2212}" ? "-" : s == "\u{22C5}" ? "*" : s
        case .space: return ""
        case .row(let xs): return xs.map(plainText).joined()
        case .frac(let a, let b): return plainText(a) + "/" + plainText(b)
        case .sqrt(let a): return "sqrt(" + plainText(a) + ")"
        case .hat(let a): return plainText(a) + "_hat"
        case .scripts(let base, let sub, let sup):
            var s = plainText(base)
            if let sub {
                let t = plainText(sub)
                let baseIsLetter = s.count == 1 && s.first!.isLetter
                s += (baseIsLetter && t.allSatisfy(\.isNumber)) ? t : "_" + t
            }
            if let sup {
                let t = plainText(sup)
                s += (t == "+" || t.hasPrefix("[") || t.hasPrefix("(")) ? t : "^" + t
            }
            return s
        }
    }

    // MARK: parsing

    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "lambda": "λ",
        "mu": "μ", "rho": "ρ", "sigma": "σ", "theta": "θ", "Sigma": "Σ", "Delta": "Δ",
    ]
    static let symbols: [String: String] = [
        "cdot": "\u{22C5}", "times": "×", "le": "≤", "ge": "≥", "ne": "≠", "infty": "∞", "sum": "∑", "nabla": "∇",
    ]
    static let functions: Set<String> = ["ln", "tanh", "max", "min", "exp", "log"]

    struct Parser {
        let s: [Character]
        var i = 0
        var unknown: [String] = []
        init(_ s: [Character]) { self.s = s }

        var atEnd: Bool { i >= s.count }

        mutating func skipSpaces() { while i < s.count, s[i] == " " { i += 1 } }

        /// Whether the text at the cursor starts with `t`.
        func at(_ t: String) -> Bool {
            let c = Array(t)
            return i + c.count <= s.count && Array(s[i..<(i + c.count)]) == c
        }

        /// Nodes until `closing` (consumed) or the end; in `cells`, also until `&`, `\\` or
        /// `\end` (not consumed).
        mutating func sequence(closing: Character?, cells: Bool = false) -> Node {
            var out: [Node] = []
            while true {
                skipSpaces()
                if atEnd { break }
                if cells && (s[i] == "&" || at("\\\\") || at("\\end")) { break }
                if let closing, s[i] == closing { i += 1; break }
                guard var atom = atom() else { continue }
                // Scripts after the atom.
                var sub: Node? = nil, sup: Node? = nil
                while true {
                    skipSpaces()
                    guard !atEnd, s[i] == "_" || s[i] == "^" else { break }
                    let isSub = s[i] == "_"
                    i += 1
                    let arg = argument()
                    if isSub { sub = arg } else { sup = arg }
                }
                if sub != nil || sup != nil { atom = .scripts(atom, sub: sub, sup: sup) }
                out.append(atom)
            }
            return .row(out)
        }

        /// A script's or command's argument: a braced group or one atom.
        mutating func argument() -> Node {
            skipSpaces()
            guard !atEnd else { return .row([]) }
            if s[i] == "{" { i += 1; return sequence(closing: "}") }
            return atom() ?? .row([])
        }

        /// The raw text of a braced group (`\mathrm{total}` → `total`).
        mutating func rawGroup() -> String {
            skipSpaces()
            guard !atEnd, s[i] == "{" else { return "" }
            i += 1
            var depth = 1, out = ""
            while i < s.count {
                let c = s[i]; i += 1
                if c == "{" { depth += 1 } else if c == "}" { depth -= 1; if depth == 0 { break } }
                out.append(c)
            }
            return out
        }

        mutating func atom() -> Node? {
            let c = s[i]
            if c == "{" { i += 1; return sequence(closing: "}") }
            if c == "}" { i += 1; return nil }
            if c == "\\" { return command() }
            if c.isNumber || (c == "." && i + 1 < s.count && s[i + 1].isNumber) {
                var t = ""
                while i < s.count, s[i].isNumber || s[i] == "." { t.append(s[i]); i += 1 }
                return .number(t)
            }
            i += 1
            if c.isLetter { return .ident(String(c), word: false) }
            if c == "'" { return .op("′") }
            if c == "-" { return .op("\u{2212}") }
            return .op(String(c))
        }

        mutating func command() -> Node? {
            i += 1
            guard !atEnd else { return nil }
            var name = ""
            while i < s.count, s[i].isLetter { name.append(s[i]); i += 1 }
            if name.isEmpty {
                let c = s[i]; i += 1
                switch c {
                case ",": return .space("0.17em")
                case ";", ":": return .space("0.25em")
                case "\\": return nil
                default: return .op(String(c))
                }
            }
            switch name {
            case "frac":
                let a = argument(), b = argument()
                return .frac(a, b)
            case "sqrt": return .sqrt(argument())
            case "hat": return .hat(argument())
            case "mathrm", "operatorname": return .ident(rawGroup(), word: true)
            case "text": return .text(rawGroup())
            case "mathcal": return .script(rawGroup())
            case "partial": return .ident("∂", word: true)
            case "quad": return .space("1em")
            case "qquad": return .space("2em")
            case "begin":
                let env = rawGroup()
                guard env == "cases" else { unknown.append("\\begin{\(env)}"); return .text(env) }
                var rows: [[Node]] = [], row: [Node] = []
                while true {
                    row.append(sequence(closing: nil, cells: true))
                    if atEnd { rows.append(row); break }
                    if s[i] == "&" { i += 1; continue }
                    if at("\\\\") { i += 2; rows.append(row); row = []; continue }
                    // \end{cases}
                    i += 4; _ = rawGroup()
                    rows.append(row)
                    break
                }
                return .cases(rows)
            case "left", "right":
                skipSpaces()
                guard !atEnd else { return nil }
                let d = s[i]; i += 1
                return d == "." ? nil : .op(String(d))
            default:
                if let g = MathMLFromLaTeX.greek[name] { return .ident(g, word: name.first!.isUppercase) }
                if let sym = MathMLFromLaTeX.symbols[name] { return .op(sym) }
                if MathMLFromLaTeX.functions.contains(name) { return .ident(name, word: true) }
                unknown.append("\\" + name)
                return .text("\\" + name)
            }
        }
    }
}
