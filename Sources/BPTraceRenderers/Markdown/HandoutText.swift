import Foundation

/// How the handout prints a number: rounded to `decimals` places, then trailing zeros (and a
/// trailing point) stripped, as the post prints them (0.751365070 → 0.75136507, 0.350 → 0.35).
/// A value that rounds to zero prints `0`, never `-0`. Magnitudes of 10^15 and above print in
/// scientific form (`1.5 \times 10^{16}`) so a line never holds a 20-digit integer.
public struct HandoutNumberFormat: Sendable {
    public let decimals: Int
    public init(decimals: Int) { self.decimals = max(0, min(decimals, 15)) }

    /// The number as plain text (`0.3775`, `-0.019049118`), fit for tables and inline math.
    public func plain(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if abs(v) >= 1e15 {
            let s = String(format: "%.\(min(decimals, 6))e", v)   // 1.500000e+16
            let parts = s.split(separator: "e")
            return "\(HandoutNumberFormat.trim(String(parts[0])))e\(Int(parts[1]) ?? 0)"
        }
        var s = HandoutNumberFormat.trim(String(format: "%.\(decimals)f", v))
        if s == "-0" { s = "0" }
        return s
    }

    /// The number as LaTeX math: like `plain`, scientific form as `1.5 \times 10^{16}`.
    public func tex(_ v: Double) -> String {
        if v.isNaN { return "\\mathrm{NaN}" }
        if v.isInfinite { return v > 0 ? "\\infty" : "-\\infty" }
        let p = plain(v)
        if let e = p.firstIndex(of: "e") {
            return "\(p[..<e]) \\times 10^{\(p[p.index(after: e)...])}"
        }
        return p
    }

    /// A factor in a product or after a minus sign: negative numbers in parentheses, `(-0.5)`.
    public func operand(_ v: Double) -> String {
        let t = tex(v)
        return t.hasPrefix("-") ? "(\(t))" : t
    }

    static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = Substring(s)
        while t.hasSuffix("0") { t = t.dropLast() }
        if t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }
}

/// Escaping of text that comes from the spec (its name, CSV column names).
public enum HandoutEscape {
    /// Markdown text: every ASCII punctuation character is backslash-escaped (CommonMark and
    /// pandoc both allow it), so `_`, `*`, `$`, `#`, `|`, `<`, `[` ... stay literal text; pandoc
    /// then escapes the characters again for LaTeX itself. Line breaks become spaces.
    public static func markdown(_ s: String) -> String {
        var out = ""
        for ch in typesettable(s) {
            if ch == "\n" || ch == "\r" || ch == "\t" { out.append(" "); continue }
            if ch.isASCII, let a = ch.asciiValue, (33...47).contains(a) || (58...64).contains(a) || (91...96).contains(a) || (123...126).contains(a) {
                out.append("\\")
            }
            out.append(ch)
        }
        return out
    }

    /// Text inside LaTeX math's `\text{...}`: the ten special characters of LaTeX replaced by
    /// their text commands.
    public static func latexText(_ s: String) -> String {
        var out = ""
        for ch in typesettable(s) {
            switch ch {
            case "\\": out += "\\textbackslash{}"
            case "{": out += "\\{"
            case "}": out += "\\}"
            case "$": out += "\\$"
            case "&": out += "\\&"
            case "#": out += "\\#"
            case "%": out += "\\%"
            case "_": out += "\\_"
            case "^": out += "\\textasciicircum{}"
            case "~": out += "\\textasciitilde{}"
            case "\n", "\r", "\t": out += " "
            default: out.append(ch)
            }
        }
        return out
    }

    /// Text pdflatex can typeset with the default fonts: composed (NFC) so that `e` + a
    /// combining accent becomes `é`; printable ASCII and Latin-1 kept; every other character —
    /// controls (C0, DEL, C1), bidi overrides such as U+202E, CJK, emoji, lone combining marks —
    /// written as `[U+XXXX]`, so the handout builds and shows which character it was.
    public static func typesettable(_ s: String) -> String {
        var out = ""
        for u in s.precomposedStringWithCanonicalMapping.unicodeScalars {
            switch u.value {
            case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0xA0...0xFF: out.unicodeScalars.append(u)
            default:
                let h = String(u.value, radix: 16, uppercase: true)
                out += "[U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h + "]"
            }
        }
        return out
    }

    /// A double-quoted YAML string holding `markdown` (already escaped for Markdown: pandoc reads
    /// a metadata value as Markdown): backslashes and quotes escaped for YAML, line breaks and
    /// other control characters written as YAML escapes, so a title can hold `:`, `#`, `"`.
    public static func yamlString(_ markdown: String) -> String {
        var out = "\""
        for u in markdown.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F || (0x80...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029 {
                    out += String(format: "\\u%04X", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A table cell: Markdown escaping (which covers `|`).
    public static func cell(_ s: String) -> String { markdown(s) }
}

/// Display equations: `lhs = part1 = part2 = ...` on one source line, wrapped into an amsmath
/// `aligned` block (still one source line) when it would be wider than a printed page.
public struct EquationLayout: Sendable {
    /// The widest row, in estimated characters of rendered math (a 10pt page holds about 60).
    public var maxWidth: Double = 66

    public init(maxWidth: Double = 66) { self.maxWidth = maxWidth }

    /// `$$lhs = p1 = p2$$`, or `$$\begin{aligned} lhs &= p1 \\ &= p2 \end{aligned}$$` when too wide.
    /// Parts are packed greedily: a part joins the current row when the row stays narrow enough;
    /// a part wider than a row by itself is broken before its top-level `+` signs, its later rows
    /// starting `\quad +`.
    public func display(_ lhs: String, _ parts: [String]) -> String {
        let ws = parts.map(MathWidth.estimate)
        let lw = MathWidth.estimate(lhs)
        if parts.count == 1 && lw + 2 + ws[0] <= maxWidth || lw + ws.reduce(0, +) + Double(parts.count) * 2 <= maxWidth {
            return "$$" + ([lhs] + parts).joined(separator: " = ") + "$$"
        }
        var rows: [String] = []
        var row = "", width = 0.0
        func start(_ text: String, _ w: Double) {
            if !row.isEmpty { rows.append(row) }
            row = text; width = w
        }
        for (k, part) in parts.enumerated() {
            let w = ws[k]
            if k > 0 && width + 2 + w <= maxWidth { row += " = " + part; width += 2 + w; continue }
            if lw + 2 + w <= maxWidth || k == 0 && lw + 2 + w <= maxWidth { start("&= " + part, lw + 2 + w); continue }
            // Too wide for a row of its own: break it into its terms.
            let terms = EquationLayout.terms(part)
            for (t, term) in terms.enumerated() {
                let tw = MathWidth.estimate(term)
                if t == 0 {
                    if k > 0 && width + 2 + tw <= maxWidth { row += " = " + term; width += 2 + tw } else { start("&= " + term, lw + 2 + tw) }
                } else if width + 2 + tw <= maxWidth {
                    row += " + " + term; width += 2 + tw
                } else {
                    start("&\\quad + " + term, lw + 4 + tw)
                }
            }
        }
        rows.append(row)
        return "$$\\begin{aligned}" + lhs + " " + rows.joined(separator: " \\\\ ") + "\\end{aligned}$$"
    }

    /// The terms of a sum: `part` split at its top-level ` + ` (outside braces and parentheses).
    static func terms(_ part: String) -> [String] {
        var out: [String] = [], cur = "", depth = 0
        let c = Array(part)
        var i = 0
        while i < c.count {
            let ch = c[i]
            if ch == "{" || ch == "(" || ch == "[" { depth += 1 }
            if ch == "}" || ch == ")" || ch == "]" { depth -= 1 }
            if depth == 0 && ch == " " && i + 2 < c.count && c[i + 1] == "+" && c[i + 2] == " " {
                out.append(cur); cur = ""; i += 3; continue
            }
            cur.append(ch); i += 1
        }
        out.append(cur)
        return out
    }
}

/// A rough width of rendered LaTeX math in characters: enough to decide where to break a line.
enum MathWidth {
    static func estimate(_ s: String) -> Double {
        var p = Parser(chars: Array(s))
        return p.sequence(until: nil)
    }

    private struct Parser {
        let chars: [Character]
        var i = 0

        mutating func sequence(until end: Character?) -> Double {
            var w = 0.0
            while i < chars.count {
                let c = chars[i]
                if let end, c == end { i += 1; return w }
                w += item()
            }
            return w
        }

        mutating func group() -> Double {
            guard i < chars.count else { return 0 }
            if chars[i] == "{" { i += 1; return sequence(until: "}") }
            return item()
        }

        mutating func item() -> Double {
            let c = chars[i]
            switch c {
            case "{": i += 1; return sequence(until: "}")
            case "}": i += 1; return 0
            case "^", "_": i += 1; return 0.7 * group()
            case " ", "&": i += 1; return 0
            case "\\": return command()
            case "=", "+", "-", "<", ">": i += 1; return 2
            default: i += 1; return 1
            }
        }

        mutating func command() -> Double {
            i += 1
            var name = ""
            while i < chars.count, chars[i].isLetter { name.append(chars[i]); i += 1 }
            if name.isEmpty { if i < chars.count { i += 1 }; return 1 }   // \\, \{, \,
            switch name {
            case "frac":
                let a = group(), b = group()
                return max(a, b) + 0.5
            case "mathrm", "text", "mathit", "mathbf":
                return group()
            case "begin":
                let env = groupText()
                if env == "bmatrix" { return matrix() }
                return 0
            case "end": _ = groupText(); return 0
            case "left", "right": return 0
            case "cdot", "times", "odot": return 2
            case "quad": return 2
            case "qquad": return 4
            case "tanh", "max": return 4
            case "ln", "le", "ge", "to": return 2
            case "sum": return 2
            default: return 1
            }
        }

        mutating func groupText() -> String {
            guard i < chars.count, chars[i] == "{" else { return "" }
            i += 1
            var t = ""
            while i < chars.count, chars[i] != "}" { t.append(chars[i]); i += 1 }
            i += 1
            return t
        }

        /// A bmatrix: the widest row, cells separated by `&`, rows by `\\`.
        mutating func matrix() -> Double {
            var widest = 0.0, row = 0.0, cell = 0.0
            while i < chars.count {
                if chars[i] == "\\", i + 4 < chars.count, String(chars[(i + 1)...(i + 3)]) == "end" {
                    _ = command()
                    return max(widest, row + cell) + 2
                }
                if chars[i] == "&" { row += cell + 1.5; cell = 0; i += 1; continue }
                if chars[i] == "\\", i + 1 < chars.count, chars[i + 1] == "\\" {
                    widest = max(widest, row + cell); row = 0; cell = 0; i += 2; continue
                }
                cell += item()
            }
            return max(widest, row + cell) + 2
        }
    }
}
