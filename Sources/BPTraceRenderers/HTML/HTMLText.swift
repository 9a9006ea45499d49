import Foundation

/// Text for the explorer page: HTML escaping of user text (spec names, column names) and JSON
/// strings safe inside `<script type="application/json">`: `</` is written `<\/` and `<!` as
/// `\u003c!`, so neither `</script>` nor a comment opener can end the data early, and U+2028 and
/// U+2029 are escaped. (Escaping every `<` would triple the size of the MathML.)
enum HTMLText {
    /// Text for an element's content or a quoted attribute.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{2028}": out += "&#x2028;"
            case "\u{2029}": out += "&#x2029;"
            default:
                if ch.value < 0x20 && ch != "\n" && ch != "\t" { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// A JSON string literal (with its quotes).
    static func json(_ s: String) -> String {
        var out = "\""
        var last: Unicode.Scalar = " "
        out.reserveCapacity(s.utf8.count + 2)
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "/": out += last == "<" ? "\\/" : "/"
            case "!": out += last == "<" ? "\\u0021" : "!"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if ch.value < 0x20 { out += String(format: "\\u%04x", ch.value) } else { out.unicodeScalars.append(ch) }
            }
            last = ch
        }
        return out + "\""
    }

    static func jsonArray(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
    static func jsonObject(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { json($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}

/// Numbers on the page: `decimals` fixed decimals (`0.500`, as a spreadsheet shows them),
/// scientific form from 10^15 on; the page never rounds anything itself.
struct HTMLNumberFormat: Sendable {
    let decimals: Int

    func plain(_ v: Double) -> String {
        if !v.isFinite || abs(v) >= 1e15 { return HandoutNumberFormat(decimals: decimals).plain(v) }
        return String(format: "%.\(decimals)f", v)
    }

    func tex(_ v: Double) -> String {
        if !v.isFinite || abs(v) >= 1e15 { return HandoutNumberFormat(decimals: decimals).tex(v) }
        return plain(v)
    }

    func operand(_ v: Double) -> String {
        let t = tex(v)
        return t.hasPrefix("-") ? "(\(t))" : t
    }
}
