/// Text from users' files (spec names, CSV headers, fixture names, file names) made safe to show
/// in a terminal or a report: control characters (C0, DEL, C1) and the invisible Unicode
/// formatting characters that reorder or hide text (bidi overrides and isolates, zero-width
/// characters, BOM) are written as `\u{XXXX}` escapes, so nothing a file contains can move the
/// cursor, recolour the terminal or make a message read differently than it is.
public enum SafeText {
    /// True for the scalars `escaped` rewrites.
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0x061C, 0xFEFF, 0xFFF9...0xFFFB: return true
        case 0xD800...0xDFFF: return true
        default: return false
        }
    }

    /// `s` with every unsafe scalar written as `\u{XXXX}` (a backslash is left alone).
    /// `keepNewlines` keeps "\n" (for multi-line messages built by bptrace itself).
    public static func escaped(_ s: String, keepNewlines: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: isUnsafe) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if keepNewlines && u == "\n" { out.append(u); continue }
            if isUnsafe(u) {
                out.append(contentsOf: "\\u{\(hex(u.value))}".unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// A short token for a message: escaped, at most `limit` characters (then "…"), in quotes.
    /// Messages quote file content only through this (or `list`), never raw.
    public static func quoted(_ s: String, limit: Int = 40) -> String {
        "\"" + truncated(s, limit: limit) + "\""
    }

    /// Escaped and cut to `limit` characters, with "…" and the full length when cut.
    /// `limit` counts the text's own characters (Unicode scalars), before escaping.
    public static func truncated(_ s: String, limit: Int = 40) -> String {
        let scalars = s.unicodeScalars
        guard scalars.count > limit else { return escaped(s) }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: scalars.prefix(limit))
        return escaped(String(head)) + "…(\(s.utf8.count) bytes)"
    }

    /// At most `count` names, each quoted and truncated, with "and N more" after them.
    public static func list(_ names: [String], count: Int = 20, limit: Int = 40, quote: Bool = true) -> String {
        var parts = names.prefix(count).map { quote ? quoted($0, limit: limit) : truncated($0, limit: limit) }
        if names.count > count { parts.append("and \(names.count - count) more") }
        return parts.joined(separator: ", ")
    }

    static func hex(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
