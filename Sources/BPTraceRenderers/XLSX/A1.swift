import Foundation

/// A1-style cell references.
enum A1 {
    /// Column letters of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA.
    static func column(_ col: Int) -> String {
        var n = col + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(UnicodeScalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }

    /// `B5` for (row 4, col 1), 0-based.
    static func cell(_ row: Int, _ col: Int) -> String { column(col) + String(row + 1) }

    /// `$B$5`.
    static func absolute(_ row: Int, _ col: Int) -> String { "$" + column(col) + "$" + String(row + 1) }

    /// A sheet name as it appears in a reference: quoted unless it is plain letters and digits.
    static func quotedSheet(_ name: String) -> String {
        // Plain: an ASCII letter, then ASCII letters and digits (byte by byte; any non-ASCII
        // byte makes the name quoted, as a non-ASCII character did).
        var plain = !name.isEmpty
        var hasQuote = false
        for (i, byte) in name.utf8.enumerated() {
            let letter = (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            if !(letter || (i > 0 && byte >= 48 && byte <= 57)) { plain = false }
            if byte == 39 { hasQuote = true }
        }
        if plain { return name }
        return "'" + (hasQuote ? name.replacingOccurrences(of: "'", with: "''") : name) + "'"
    }
}
