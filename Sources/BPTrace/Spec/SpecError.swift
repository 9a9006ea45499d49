/// A spec (or its data file) that breaks a rule of docs/SPEC.md.
///
/// `path` names where, as a key path (`weights[1][0]`, `data.csv`), or is empty for the whole
/// document; `message` says what was expected and what was found.
public struct SpecError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The spec breaks a rule (shape, name, range, unknown key, JSON syntax).
        case invalid
        /// A file the spec names (its data CSV) cannot be read.
        case missingFile
    }
    public let path: String
    public let message: String
    public let kind: Kind

    public init(_ path: String, _ message: String, kind: Kind = .invalid) {
        self.path = path; self.message = message; self.kind = kind
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Levenshtein distance, for "did you mean" hints on misspelt keys and names.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    for i in 1...a.count {
        var cur = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        prev = cur
    }
    return prev[b.count]
}

/// " (did you mean "x"?)" when a candidate is close to `word`, else "".
public func suggestion(for word: String, among candidates: [String]) -> String {
    let best = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let (name, d) = best, d <= max(2, word.count / 3) else { return "" }
    return " (did you mean \"\(name)\"?)"
}
