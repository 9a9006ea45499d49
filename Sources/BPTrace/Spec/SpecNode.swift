import Foundation

/// A JSON value with the key path that led to it, and typed accessors that throw `SpecError`s.
/// The pieces of the JSON reading that other modules (the checker's fixtures) use are public
/// here, in one place: `Node`, `JSONParser` (JSON.swift), `InputFile` and `suggestion(for:among:)`.
public struct Node {
    public let value: JSONValue
    public let path: String

    public init(value: JSONValue, path: String) { self.value = value; self.path = path }

    public var text: String {
        if case .number(let s) = value { return SafeText.truncated(s) }
        if case .string(let s) = value { return SafeText.quoted(s) }
        return value.kindDescription
    }

    public func object(allowed: [String], what: String) throws -> [String: Node] {
        guard case .object(let members) = value else { throw SpecError(path, "expected an object (the \(what)), found \(value.kindDescription)") }
        var out: [String: Node] = [:]
        for (key, v) in members {
            guard allowed.contains(key) else {
                let shown = SafeText.truncated(key)
                let p = path.isEmpty ? shown : "\(path).\(shown)"
                throw SpecError(p, "unknown key\(suggestion(for: key, among: allowed)); the \(what) takes \(allowed.joined(separator: ", "))")
            }
            out[key] = Node(value: v, path: path.isEmpty ? key : "\(path).\(key)")
        }
        return out
    }

    public func array() throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array, found \(value.kindDescription)") }
        return items.enumerated().map { Node(value: $1, path: "\(path)[\($0)]") }
    }

    public func array(count: Int, what: String) throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array of \(what), found \(value.kindDescription)") }
        guard items.count == count else { throw SpecError(path, "expected \(count) \(what), found \(items.count)") }
        return try array()
    }

    public func array(minCount: Int, what: String) throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array of \(what), found \(value.kindDescription)") }
        guard items.count >= minCount else { throw SpecError(path, "expected at least \(minCount) \(what), found \(items.count)") }
        return try array()
    }

    public func matrix(rows: Int, cols: Int, rowWhat: String, colWhat: String) throws -> Matrix {
        let rowNodes = try array(count: rows, what: rowWhat)
        var values: [Double] = []
        for r in rowNodes { values += try r.array(count: cols, what: colWhat).map { try $0.number() } }
        return Matrix(rows: rows, cols: cols, values: values)
    }

    public func number() throws -> Double {
        guard case .number(let s) = value else { throw SpecError(path, "expected a number, found \(value.kindDescription)\(stringHint)") }
        guard let v = Double(s), v.isFinite else { throw SpecError(path, "expected a finite number, found \(SafeText.truncated(s)) (outside the range of Float64)") }
        return v
    }

    public func integer() throws -> Int {
        guard case .number(let s) = value else { throw SpecError(path, "expected an integer, found \(value.kindDescription)\(stringHint)") }
        guard let v = Int(s) else {
            let big = s.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-") }
            throw SpecError(path, "expected an integer, found \(SafeText.truncated(s))" + (big ? " (too large)" : ""))
        }
        return v
    }

    public func string() throws -> String {
        guard case .string(let s) = value else { throw SpecError(path, "expected a string, found \(value.kindDescription)") }
        return s
    }

    public func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw SpecError(path, "expected true or false, found \(text)") }
        return b
    }

    public func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, what: String) throws -> E where E.RawValue == String {
        let s = try string()
        let names = E.allCases.map(\.rawValue)
        guard let e = E(rawValue: s) else {
            throw SpecError(path, "unknown \(what) \(SafeText.quoted(s))\(suggestion(for: s, among: names)); expected one of \(names.joined(separator: ", "))")
        }
        return e
    }

    private var stringHint: String {
        if case .string(let s) = value, Double(s) != nil { return " (\(SafeText.quoted(s)): write the number without quotes)" }
        return ""
    }
}
