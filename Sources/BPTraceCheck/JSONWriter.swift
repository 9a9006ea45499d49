import BPTrace
/// Writes a `JSONValue` as JSON text. Numbers keep their text exactly; strings are escaped
/// per RFC 8259. Pretty output indents by two spaces, and puts an array of scalars or of flat
/// objects on one line per element, so fixture files diff well.
public enum JSONWriter {
    public static func write(_ v: JSONValue, pretty: Bool = true) -> String {
        var out = ""
        emit(v, pretty: pretty, indent: 0, into: &out)
        return out
    }

    public static func quote(_ s: String) -> String { JSONValue.quoted(s) }

    static func isFlat(_ v: JSONValue) -> Bool {
        switch v {
        case .array(let items): return items.allSatisfy(isScalar) || items.allSatisfy { if case .array(let inner) = $0 { return inner.allSatisfy(isScalar) } else { return false } }
        case .object(let members): return members.allSatisfy { isScalar($0.value) }
        default: return true
        }
    }

    static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .array, .object: return false
        default: return true
        }
    }

    static func emit(_ v: JSONValue, pretty: Bool, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1), closePad = String(repeating: "  ", count: indent)
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let s): out += s
        case .string(let s): out += quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if !pretty || isFlat(v) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += ", " }
                    emit(item, pretty: false, indent: 0, into: &out)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                emit(item, pretty: !isFlat(item), indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            if !pretty {
                out += "{"
                for (i, m) in members.enumerated() {
                    if i > 0 { out += ", " }
                    out += quote(m.key) + ": "
                    emit(m.value, pretty: false, indent: 0, into: &out)
                }
                out += "}"
                return
            }
            out += "{\n"
            for (i, m) in members.enumerated() {
                out += pad + quote(m.key) + ": "
                emit(m.value, pretty: true, indent: indent + 1, into: &out)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }
}
