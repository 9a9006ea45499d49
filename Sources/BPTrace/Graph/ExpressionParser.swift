import Foundation

/// The expression language of `bptrace graph --expr` (docs/GRAPH.md), parsed INTO the
/// catalogue's `Expr`, so a typed expression and a traced quantity's formula become a graph
/// through one code path (`GraphBuilder`).
///
///     expr    := term (("+" | "-") term)*
///     term    := unary (("*" | "/") unary)*
///     unary   := "-" unary | power
///     power   := primary ("^" unary)?          (right-associative; exponent must be 2)
///     primary := number | name | name "(" args ")" | "(" expr ")"
///
/// Functions: exp, log or ln (natural), sqrt, tanh, sigmoid, relu, max(a, b), square. A variable is a
/// name (letters, digits, `_`, starting with a letter or `_`), written into the `Expr` as
/// `GraphVariable.expr(name)`. sigmoid(x) is the catalogue's 1/(1 + exp(−x)) named "sigmoid"
/// (one gate, split by --expand); max(a, b) is `a > b ? a : b`.
public struct ExpressionParser {
    public struct ParseError: Error, Equatable, CustomStringConvertible, Sendable {
        /// 1-based column (in characters) where the error is.
        public let column: Int
        public let message: String
        public var description: String { "column \(column): \(message)" }
        /// The expression with a caret under the column (for the terminal).
        /// A long expression is shown as the 60 characters either side of the column.
        public func pointing(at text: String) -> String {
            let chars = Array(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
            let from = max(0, column - 1 - 60), to = min(chars.count, column - 1 + 60)
            let head = from > 0 ? "…" : "", tail = to < chars.count ? "…" : ""
            let shown = head + SafeText.escaped(String(chars[from..<max(from, to)])) + tail
            return "\(shown)\n\(String(repeating: " ", count: max(0, column - 1 - from + head.count)))^ \(message)"
        }
    }

    /// Longest expression accepted (characters) and deepest nesting.
    public static let maximumLength = 10_000, maximumDepth = 200
    /// Deepest expression tree accepted (operations from the output to the farthest leaf).
    public static let maximumHeight = 400

    /// The height of `e`'s tree, counted without recursion (a long chain must not exhaust the stack).
    static func height(_ e: Expr) -> Int {
        var stack: [(Expr, Int)] = [(e, 1)]
        var best = 0
        while let (x, d) = stack.popLast() {
            best = max(best, d)
            if d > maximumHeight { return d }
            if GraphVariable.name(of: x) != nil { continue }   // a variable is one leaf
            for c in x.children { stack.append((c, d + 1)) }
        }
        return best
    }

    public static let functions = ["exp", "log", "ln", "sqrt", "tanh", "sigmoid", "relu", "max", "square"]

    private let chars: [Character]
    private var pos = 0
    private var depth = 0

    private init(_ text: String) { chars = Array(text) }

    /// Parses `text`; the variables it uses are `GraphVariable`s (see `variables(in:)`).
    public static func parse(_ text: String) throws -> Expr {
        var p = ExpressionParser(text)
        guard p.chars.count <= maximumLength else { throw ParseError(column: maximumLength + 1, message: "expression longer than \(maximumLength) characters") }
        p.skipSpace()
        guard p.pos < p.chars.count else { throw ParseError(column: 1, message: "empty expression") }
        let e = try p.expression()
        p.skipSpace()
        if p.pos < p.chars.count { throw p.error("unexpected '\(p.chars[p.pos])' after a complete expression") }
        let h = height(e)
        if h > maximumHeight {
            throw ParseError(column: 1, message: "the expression is more than \(maximumHeight) operations deep (a chain like a+b+c+… counts one level per operator)")
        }
        return e
    }

    private func error(_ message: String, at column: Int? = nil) -> ParseError {
        ParseError(column: column ?? pos + 1, message: message)
    }

    private mutating func skipSpace() { while pos < chars.count, chars[pos].isWhitespace { pos += 1 } }

    private mutating func peek() -> Character? { skipSpace(); return pos < chars.count ? chars[pos] : nil }

    private mutating func nested<T>(_ body: (inout ExpressionParser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maximumDepth { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        return try body(&self)
    }

    private mutating func expression() throws -> Expr {
        try nested { p in
            var e = try p.term()
            while let c = p.peek(), c == "+" || c == "-" || c == "−" {
                p.pos += 1
                let r = try p.term()
                e = c == "+" ? .add(e, r) : .sub(e, r)
            }
            return e
        }
    }

    private mutating func term() throws -> Expr {
        var e = try unary()
        while let c = peek(), c == "*" || c == "/" || c == "×" || c == "·" {
            pos += 1
            let r = try unary()
            e = c == "/" ? .div(e, r) : .mul(e, r)
        }
        return e
    }

    private mutating func unary() throws -> Expr {
        if let c = peek(), c == "-" || c == "−" {
            pos += 1
            return try nested { p in .neg(try p.unary()) }
        }
        if let c = peek(), c == "+" { pos += 1; return try nested { p in try p.unary() } }
        return try power()
    }

    private mutating func power() throws -> Expr {
        let base = try primary()
        guard let c = peek(), c == "^" else { return base }
        pos += 1
        skipSpace()
        let exponentColumn = pos + 1
        let exponent = try nested { p in try p.unary() }
        guard case .constant(let n) = exponent else { throw error("the exponent of ^ must be the number 2 (use square(x) or x*x)", at: exponentColumn) }
        guard n == 2 else { throw error("only ^2 is supported, found ^\(GraphNumber.plain(n)) (write powers as products)", at: exponentColumn) }
        return .square(base)
    }

    private mutating func primary() throws -> Expr {
        guard let c = peek() else { throw error("expression ends where a number, name or '(' was expected") }
        let start = pos
        if c == "(" {
            pos += 1
            let e = try expression()
            guard peek() == ")" else { throw error(pos < chars.count ? "expected ')' to close the '(' at column \(start + 1), found '\(chars[pos])'" : "missing ')' to close the '(' at column \(start + 1)") }
            pos += 1
            return e
        }
        if c.isASCII && (c.isNumber || c == ".") { return try number() }
        if c.isASCII && (c.isLetter || c == "_") {
            while pos < chars.count, chars[pos].isASCII, chars[pos].isLetter || chars[pos].isNumber || chars[pos] == "_" { pos += 1 }
            let name = String(chars[start..<pos])
            if peek() == "(" { return try call(name, column: start + 1) }
            if Self.functions.contains(name) { throw error("\(name) is a function: write \(name)(...)", at: start + 1) }
            guard name.count <= 64 else { throw error("variable name longer than 64 characters", at: start + 1) }
            return GraphVariable.expr(name)
        }
        throw error("unexpected '\(c)' where a number, name or '(' was expected")
    }

    private mutating func number() throws -> Expr {
        let start = pos
        while pos < chars.count, chars[pos].isASCII, chars[pos].isNumber || chars[pos] == "." { pos += 1 }
        if pos < chars.count, chars[pos] == "e" || chars[pos] == "E" {
            var q = pos + 1
            if q < chars.count, chars[q] == "+" || chars[q] == "-" { q += 1 }
            if q < chars.count, chars[q].isASCII, chars[q].isNumber {
                pos = q
                while pos < chars.count, chars[pos].isASCII, chars[pos].isNumber { pos += 1 }
            }
        }
        let text = String(chars[start..<pos])
        guard let v = Double(text), v.isFinite else { throw error("'\(text)' is not a number", at: start + 1) }
        return .constant(v)
    }

    private mutating func call(_ name: String, column: Int) throws -> Expr {
        pos += 1   // "("
        var args: [Expr] = []
        if peek() != ")" {
            args.append(try expression())
            while peek() == "," { pos += 1; args.append(try expression()) }
        }
        guard peek() == ")" else { throw error(pos < chars.count ? "expected ',' or ')' in the arguments of \(name), found '\(chars[pos])'" : "missing ')' to close \(name)(") }
        pos += 1
        let want = name == "max" ? 2 : 1
        guard Self.functions.contains(name) else {
            throw error("unknown function '\(name)' (known: \(Self.functions.joined(separator: ", ")))", at: column)
        }
        guard args.count == want else { throw error("\(name) takes \(want) argument\(want == 1 ? "" : "s"), found \(args.count)", at: column) }
        let x = args[0]
        switch name {
        case "exp": return .apply(.exp, x)
        case "log", "ln": return .apply(.ln, x)
        case "sqrt": return .apply(.sqrt, x)
        case "tanh": return .apply(.tanh, x)
        case "relu": return .apply(.relu, x)
        case "square": return .square(x)
        case "sigmoid": return GraphVariable.sigmoid(x)
        default: return .when(args[0], .greater, args[1], then: args[0], else: args[1])
        }
    }
}

/// How the graph's own leaves and gates are written into an `Expr`.
public enum GraphVariable {
    /// The step name that marks a variable of a typed expression.
    static let marker = "graph.variable"
    /// The step name that marks a sigmoid gate.
    public static let sigmoidName = "sigmoid"

    /// A variable: a step named `marker` whose one index carries the variable's name. Its body
    /// (0) is never read: the graph takes the value from `--at`. (Not NaN: NaN ≠ NaN would make
    /// two mentions of one variable unequal, and max(a, b) is recognised by equal branches.)
    public static func expr(_ name: String) -> Expr { .named(marker, [.bound(name)], .constant(0)) }

    /// The variable's name if `e` is a variable.
    public static func name(of e: Expr) -> String? {
        if case .named(marker, let idx, _) = e, idx.count == 1, case .bound(let n) = idx[0] { return n }
        return nil
    }

    /// σ(x) = 1/(1 + exp(−x)), the catalogue's sigmoid, named so the graph can draw it as one gate.
    public static func sigmoid(_ x: Expr) -> Expr { .named(sigmoidName, [], .c(1) / (.c(1) + .exp(-x))) }

    /// The variables of `e`, in order of first appearance.
    public static func variables(in e: Expr) -> [String] {
        var out: [String] = []
        func walk(_ e: Expr) {
            if let n = name(of: e) { if !out.contains(n) { out.append(n) }; return }
            e.children.forEach(walk)
        }
        walk(e)
        return out
    }
}

/// Number text for messages and labels.
public enum GraphNumber {
    /// Shortest round-trip text ("2", "0.5", "1e-05").
    public static func plain(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// `v` with `digits` decimals and a typographic minus ("−0.53").
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "∞" : "−∞" }
        var s = String(format: "%.\(digits)f", v)
        if s.hasPrefix("-") {
            // −0.00 shows as 0.00
            if Double(s) == 0 { s.removeFirst() } else { s = "−" + s.dropFirst() }
        }
        return s
    }
}
