/// The spec's `optimizer` key (docs/SPEC.md, "Optimizers"): which update turns each trained
/// parameter and its gradient into the new value, and its hyper-parameters.
public enum OptimizerSpec: Equatable, Sendable {
    case sgd
    case momentum(mu: Double)
    case nesterov(mu: Double)
    case rmsprop(rho: Double, eps: Double)
    case adam(beta1: Double, beta2: Double, eps: Double)
    case adamw(beta1: Double, beta2: Double, eps: Double, weightDecay: Double, decayBiases: Bool)

    /// The names the spec accepts, in docs/SPEC.md's order.
    public static let names = ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"]

    /// The optimizer's name in the spec.
    public var name: String {
        switch self {
        case .sgd: return "sgd"
        case .momentum: return "momentum"
        case .nesterov: return "nesterov"
        case .rmsprop: return "rmsprop"
        case .adam: return "adam"
        case .adamw: return "adamw"
        }
    }

    public var isSGD: Bool { self == .sgd }

    /// The state quantities the optimizer traces for a weight (true) or bias (false) parameter.
    public func stateQuantities(weights: Bool) -> [Quantity] {
        switch self {
        case .sgd: return []
        case .momentum, .nesterov: return weights ? [.velW] : [.velB]
        case .rmsprop: return weights ? [.sqW] : [.sqB]
        case .adam, .adamw: return weights ? [.mW, .vW, .mHatW, .vHatW] : [.mB, .vB, .mHatB, .vHatB]
        }
    }

    /// The hyper-parameter keys each optimizer takes (besides `name`).
    static func keys(of name: String) -> [String] {
        switch name {
        case "momentum", "nesterov": return ["momentum"]
        case "rmsprop": return ["rho", "eps"]
        case "adam": return ["beta1", "beta2", "eps"]
        case "adamw": return ["beta1", "beta2", "eps", "weight_decay", "decay_biases"]
        default: return []
        }
    }

    /// Reads the `optimizer` key: a name (`"adam"`) or an object `{"name": "adam", "beta1": 0.8}`.
    static func parse(_ node: Node) throws -> OptimizerSpec {
        let nameNode: Node
        var members: [String: Node] = [:]
        switch node.value {
        case .string:
            nameNode = node
        case .object:
            let all = try node.object(allowed: ["name"] + Set(names.flatMap(keys(of:))).sorted(), what: "optimizer")
            guard let n = all["name"] else {
                throw SpecError(node.path, "the optimizer object needs a \"name\": one of \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            nameNode = n
            members = all
        default:
            throw SpecError(node.path, "expected an optimizer name (\(names.map { "\"\($0)\"" }.joined(separator: ", "))) or an object with \"name\" and hyper-parameters, found \(node.value.kindDescription)")
        }
        let name = try nameNode.string()
        guard names.contains(name) else {
            throw SpecError(nameNode.path, "unknown optimizer \(SafeText.quoted(name))\(suggestion(for: name, among: names)); expected one of \(names.joined(separator: ", "))")
        }
        let allowed = keys(of: name)
        for key in members.keys.sorted() where key != "name" && !allowed.contains(key) {
            let takes = allowed.isEmpty ? "no hyper-parameters" : allowed.joined(separator: ", ")
            throw SpecError(members[key]!.path, "\"\(name)\" has no hyper-parameter \"\(key)\"\(suggestion(for: key, among: allowed)); it takes \(takes)")
        }
        func unit(_ key: String, _ fallback: Double) throws -> Double {
            guard let n = members[key] else { return fallback }
            let v = try n.number()
            guard v >= 0, v < 1 else { throw SpecError(n.path, "expected a number in [0, 1), found \(n.text)") }
            return v
        }
        func eps() throws -> Double {
            guard let n = members["eps"] else { return 1e-8 }
            let v = try n.number()
            guard v > 0 else { throw SpecError(n.path, "expected eps > 0, found \(n.text)") }
            return v
        }
        switch name {
        case "momentum": return .momentum(mu: try unit("momentum", 0.9))
        case "nesterov": return .nesterov(mu: try unit("momentum", 0.9))
        case "rmsprop": return .rmsprop(rho: try unit("rho", 0.9), eps: try eps())
        case "adam": return .adam(beta1: try unit("beta1", 0.9), beta2: try unit("beta2", 0.999), eps: try eps())
        case "adamw":
            var wd = 0.01
            if let n = members["weight_decay"] {
                wd = try n.number()
                guard wd >= 0 else { throw SpecError(n.path, "expected weight_decay >= 0, found \(n.text)") }
            }
            let db = try members["decay_biases"].map { try $0.bool() } ?? false
            return .adamw(beta1: try unit("beta1", 0.9), beta2: try unit("beta2", 0.999), eps: try eps(), weightDecay: wd, decayBiases: db)
        default: return .sgd
        }
    }
}
