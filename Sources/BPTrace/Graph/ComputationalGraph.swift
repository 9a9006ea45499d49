import Foundation

/// What a gate of a computational graph does. A gate with one constant operand (`+1`, `×−1`,
/// `1/x`) is a one-input gate that keeps its constant, as cs231n draws them.
public enum GateKind: Equatable, Sendable {
    case input, constant
    case add, sub, mul, div, max
    case neg, exp, log, tanh, sigmoid, relu, square, sqrt
    /// x + c, x·c, x − c, c − x, x / c, c / x
    case addConst(Double), mulConst(Double), subConst(Double), constSub(Double), divConst(Double), constDiv(Double)

    /// The JSON `op`: input, const, add, sub, mul, div, max, neg, exp, log, tanh, sigmoid, relu,
    /// square, sqrt (gates with a constant operand have the op of their operation).
    public var op: String {
        switch self {
        case .input: return "input"
        case .constant: return "const"
        case .add, .addConst: return "add"
        case .sub, .subConst, .constSub: return "sub"
        case .mul, .mulConst: return "mul"
        case .div, .divConst, .constDiv: return "div"
        case .max: return "max"
        case .neg: return "neg"
        case .exp: return "exp"
        case .log: return "log"
        case .tanh: return "tanh"
        case .sigmoid: return "sigmoid"
        case .relu: return "relu"
        case .square: return "square"
        case .sqrt: return "sqrt"
        }
    }

    /// The gate's constant operand, if any.
    public var constant: Double? {
        switch self {
        case .addConst(let c), .mulConst(let c), .subConst(let c), .constSub(let c), .divConst(let c), .constDiv(let c): return c
        default: return nil
        }
    }

    /// The gate's picture label ("+1", "×−1", "1/x", "exp").
    public var symbol: String {
        let n = { (v: Double) in GraphNumber.plain(v).replacingOccurrences(of: "-", with: "−") }
        switch self {
        case .input: return "input"
        case .constant: return "const"
        case .add: return "+"
        case .sub: return "−"
        case .mul: return "×"
        case .div: return "÷"
        case .max: return "max"
        case .neg: return "×−1"
        case .exp: return "exp"
        case .log: return "log"
        case .tanh: return "tanh"
        case .sigmoid: return "σ"
        case .relu: return "relu"
        case .square: return "x²"
        case .sqrt: return "√"
        case .addConst(let c): return c < 0 ? "−\(n(-c))" : "+\(n(c))"
        case .mulConst(let c): return "×\(n(c))"
        case .subConst(let c): return "−\(n(c))"
        case .constSub(let c): return "\(n(c))−x"
        case .divConst(let c): return "÷\(n(c))"
        case .constDiv(let c): return "\(n(c))/x"
        }
    }
}

/// One node of a computational graph: an input variable, a constant or a gate, with its
/// forward value and (after `backward()`) the gradient of the output with respect to it.
public struct GraphNode: Sendable, Equatable {
    public let id: Int
    public let kind: GateKind
    /// Inputs: the variable's name; gates: their symbol; a traced cell's gate also has `name`.
    public let label: String
    public let inputs: [Int]
    public let value: Double
    public internal(set) var grad: Double = .nan
    /// The traced quantity this node computes or reads (out_o1, w5), if any.
    public internal(set) var name: String?
}

/// A computational graph: nodes in topological order (every input before the gate that reads
/// it), the last node the output. Built from an `Expr` by `GraphBuilder`.
public struct ComputationalGraph: Sendable {
    public internal(set) var nodes: [GraphNode]

    public var output: Int { nodes.count - 1 }

    /// The input variables (op input), in order of first appearance.
    public var inputIDs: [Int] { nodes.filter { $0.kind == .input }.map(\.id) }

    /// The gates (neither input nor constant).
    public var gateIDs: [Int] { nodes.filter { $0.kind != .input && $0.kind != .constant }.map(\.id) }

    /// Number of wires into gates (a multiply-add each in either mode).
    public var edgeCount: Int { nodes.reduce(0) { $0 + $1.inputs.count } }
}
