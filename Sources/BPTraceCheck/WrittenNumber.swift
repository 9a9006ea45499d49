import BPTrace
import Foundation

/// A number exactly as an author wrote it (`0.593269992`, `-0.019049119`, `1e-05`, `6`), with
/// the precision the writing implies.
///
/// The default tolerance is half a unit in the last written decimal place: `0.593269992` →
/// ±5e-10, `0.3775` → ±5e-5, `6` → ±0.5, `1e-05` → ±5e-6, `1.25e-3` → ±5e-6. A number within it
/// is what the author would have printed when rounding the exact value correctly.
public struct WrittenNumber: Equatable, Sendable, CustomStringConvertible {
    /// The text as written.
    public let text: String
    /// `Double(text)`, correctly rounded.
    public let value: Double
    /// Digits written after the decimal point of the mantissa.
    public let decimals: Int
    /// The written exponent (`e-05` → -5), or nil when there is none.
    public let exponent: Int?
    /// The exponent's text as written (`e-05`), to format other numbers the same way.
    let exponentText: String

    /// Parses a plain decimal (`-12.50`) or one with an exponent (`1e-05`, `2.5E+3`); nil when
    /// `text` is anything else (`.5`, `1.`, `0x1p3`, `NaN`, `1,5`, spaces).
    public init?(_ text: String) {
        // A typographic minus (U+2212), as copied from a web page, reads as "-"; the text is kept.
        // (Foundation's replacement only where the text has a byte of it: it costs about a
        // microsecond a call, a tenth of grading a class.)
        let plain = text.utf8.contains(0xE2) ? text.replacingOccurrences(of: "\u{2212}", with: "-") : text
        let chars = Array(plain.utf8)
        var i = 0
        func digits() -> Int { let s = i; while i < chars.count, (0x30...0x39).contains(chars[i]) { i += 1 }; return i - s }
        if i < chars.count, chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "+") { i += 1 }
        guard digits() > 0 else { return nil }
        var decimals = 0
        if i < chars.count, chars[i] == UInt8(ascii: ".") {
            i += 1
            decimals = digits()
            guard decimals > 0 else { return nil }
        }
        var exponent: Int? = nil
        var exponentText = ""
        if i < chars.count, chars[i] == UInt8(ascii: "e") || chars[i] == UInt8(ascii: "E") {
            let start = i
            i += 1
            if i < chars.count, chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "+") { i += 1 }
            let expStart = i
            guard digits() > 0, i - expStart <= 4 else { return nil }
            exponentText = String(decoding: chars[start..<i], as: UTF8.self)
            exponent = Int(String(decoding: chars[(start + 1)..<i], as: UTF8.self).replacingOccurrences(of: "+", with: ""))
        }
        guard i == chars.count, let v = Double(plain), v.isFinite else { return nil }
        self.text = text; self.value = v; self.decimals = decimals; self.exponent = exponent; self.exponentText = exponentText
    }

    /// Half a unit in the last written decimal place: 0.5 · 10^(exponent - decimals).
    public var halfUnit: Double { 0.5 * WrittenNumber.power10((exponent ?? 0) - decimals) }

    /// How closely two Float64 programs that sum in different orders can be asked to agree:
    /// 1e-10 of the value. Measured between bptrace and an independent implementation of the
    /// same formulas: up to 1.2e-12 after 20 steps and 2.8e-11 after 100 steps of Adam
    /// (docs/CHECKING.md, "Tolerance").
    public static let float64Agreement = 1e-10

    /// The tolerance a value written this way gets when none is given: half a unit in the last
    /// written decimal, but never less than `float64Agreement` of the value, so a number written
    /// to 16 or 17 digits by another program is not failed on its last bits.
    public var defaultTolerance: Double { max(halfUnit, WrittenNumber.float64Agreement * value.magnitude) }

    /// `x` written the way this number is written: the same count of decimals and the same
    /// exponent (`0.75136507` → `0.75136507`; `1e-05` → `1e-05`; `0.2` → `0.2`).
    public func formatLike(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        if let e = exponent {
            let mantissa = x / WrittenNumber.power10(e)
            return String(format: "%.\(decimals)f", mantissa) + exponentText
        }
        // Far beyond the written magnitude (a diverged run), digits would only be noise.
        if x.magnitude >= 1e16 { return shortestText(x) }
        return String(format: "%.\(decimals)f", x)
    }

    /// Whether `x` lies within `tolerance` of the written value, allowing for the rounding of
    /// the subtraction itself (a few units in the last place of the operands).
    public static func holds(_ x: Double, expected: Double, tolerance: Double) -> Bool {
        guard x.isFinite else { return false }
        let slack = 4 * max(x.magnitude, expected.magnitude).ulp + tolerance * 1e-9
        return (x - expected).magnitude <= tolerance + slack
    }

    /// 10^e, exact for the integer powers Double holds exactly and correctly rounded otherwise.
    static func power10(_ e: Int) -> Double {
        Double("1e\(e)") ?? Foundation.pow(10, Double(e))
    }

    public var description: String { text }
}

/// The shortest decimal text that reads back to exactly `x` (`0.3775`, `1e-05`): how full
/// precision is shown.
public func shortestText(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x < 0 ? "-inf" : "inf" }
    let s = "\(x)"
    return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
}
