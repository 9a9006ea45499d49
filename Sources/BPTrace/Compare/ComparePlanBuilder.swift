/// A `--vary` option or a grid that cannot be run: `usage` (exit 64: the option's syntax, an
/// unknown or repeated key, too many runs) or `invalid` (exit 65: a value the spec refuses).
public struct CompareError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case usage, invalid }
    public let kind: Kind
    public let message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }
}

extension ComparePlan {
    /// The keys `--vary` takes besides `optimizer.<hyper-parameter>`.
    public static let plainKeys = ["learning_rate", "optimizer", "batch", "update", "l2", "init.seed"]
    /// The keys whose values are numbers.
    static let numericKeys: Set<String> = ["learning_rate", "l2", "init.seed", "optimizer.momentum", "optimizer.rho", "optimizer.eps",
                                           "optimizer.beta1", "optimizer.beta2", "optimizer.weight_decay"]
    /// The optimizer hyper-parameters `--vary optimizer.KEY` takes (every optimizer's keys).
    public static let optimizerKeys = ["momentum", "rho", "eps", "beta1", "beta2", "weight_decay", "decay_biases"]

    /// Builds the grid of runs: the base spec's JSON edited by each combination of the `--vary`
    /// options (the first option varies slowest) and validated by the ordinary `SpecParser`,
    /// every run before any runs. Throws `CompareError` naming the option and value.
    public static func make(baseJSON: JSONValue, baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly,
                            vary: [String], steps: Int, target: Double?) throws -> ComparePlan {
        let base: NetworkSpec
        do { base = try SpecParser.parse(json: baseJSON, baseDirectory: baseDirectory, dataAccess: dataAccess) } catch let e as SpecError {
            throw CompareError(.invalid, e.description)
        }
        guard !vary.isEmpty else { throw CompareError(.usage, "--vary: give at least one KEY=V1,V2,... (e.g. --vary learning_rate=0.1,0.5)") }
        var axes: [(key: String, values: [String])] = []
        for option in vary {
            guard let eq = option.firstIndex(of: "=") else {
                throw CompareError(.usage, "--vary \(SafeText.quoted(option)): expected KEY=V1,V2,... (e.g. learning_rate=0.1,0.5)")
            }
            let key = String(option[..<eq]).trimmingSpaces, list = String(option[option.index(after: eq)...])
            guard !key.isEmpty else { throw CompareError(.usage, "--vary \(SafeText.quoted(option)): the key before '=' is empty (e.g. learning_rate=0.1,0.5)") }
            try checkKey(key)
            if axes.contains(where: { $0.key == key }) {
                throw CompareError(.usage, "--vary \(key) is given twice; put all its values in one option (\(key)=V1,V2,...)")
            }
            let values = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            guard !list.trimmingSpaces.isEmpty else { throw CompareError(.usage, "--vary \(key)=: the list of values is empty") }
            if let i = values.firstIndex(of: "") {
                throw CompareError(.usage, "--vary \(key)=\(list): value \(i + 1) is empty")
            }
            if numericKeys.contains(key), let v = values.first(where: { if case .number = jsonValue($0) { return false } else { return true } }) {
                throw CompareError(.invalid, "--vary \(key)=\(v): expected a number (e.g. 0.5 or 1e-3), found \(SafeText.quoted(v))")
            }
            var seen = Set<String>()
            for v in values where !seen.insert(v).inserted {
                throw CompareError(.usage, "--vary \(key)=\(list): the value \(SafeText.quoted(v)) is given twice")
            }
            if key == "init.seed", base.weights.allSatisfy({ $0 != nil }), !base.bias || base.biases.allSatisfy({ $0 != nil }) {
                throw CompareError(.invalid, "--vary init.seed: the spec gives every starting weight and bias, so the seed draws nothing and changes nothing; vary something else, or leave weights out (null) to draw them")
            }
            axes.append((key, values))
        }
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= maxRuns else {
            let sizes = axes.map { String($0.values.count) }.joined(separator: " × ")
            throw CompareError(.usage, "--vary asks for \(count) runs (\(sizes)), more than the limit of \(maxRuns); give fewer values")
        }
        var runs: [CompareRun] = []
        for n in 0..<count {
            // The first axis varies slowest.
            var rest = n, settings: [CompareSetting] = []
            for axis in axes.reversed() {
                settings.insert(CompareSetting(key: axis.key, value: axis.values[rest % axis.values.count]), at: 0)
                rest /= axis.values.count
            }
            var json = baseJSON
            // The optimizer's name first, so its hyper-parameters are set on the run's optimizer.
            for s in settings.sorted(by: { ($0.key == "optimizer" ? 0 : 1) < ($1.key == "optimizer" ? 0 : 1) }) {
                json = apply(s, to: json)
            }
            do {
                let spec = try SpecParser.parse(json: json, baseDirectory: baseDirectory, dataAccess: dataAccess)
                runs.append(CompareRun(index: n + 1, settings: settings, spec: spec))
            } catch let e as SpecError {
                let culprit = culpritSetting(e, settings)
                throw CompareError(.invalid, "--vary \(culprit): \(e.description)" + (settings.count > 1 ? " (in the run \(settings.map(\.description).joined(separator: ", ")))" : ""))
            }
        }
        return ComparePlan(base: base, axes: axes, runs: runs, steps: steps, target: target)
    }

    static func checkKey(_ key: String) throws {
        if plainKeys.contains(key) { return }
        if key.hasPrefix("optimizer.") {
            let k = String(key.dropFirst("optimizer.".count))
            if optimizerKeys.contains(k) { return }
            throw CompareError(.usage, "--vary \(SafeText.quoted(key)): no optimizer takes \(SafeText.quoted(k))\(suggestion(for: k, among: optimizerKeys)); the hyper-parameters are \(optimizerKeys.joined(separator: ", "))")
        }
        let all = plainKeys + optimizerKeys.map { "optimizer.\($0)" }
        throw CompareError(.usage, "--vary \(SafeText.quoted(key)): unknown key\(suggestion(for: key, among: all)); the keys are \(plainKeys.joined(separator: ", ")) and optimizer.KEY (\(optimizerKeys.joined(separator: ", ")))")
    }

    /// The setting a spec error is about (its key path), else the first one.
    static func culpritSetting(_ e: SpecError, _ settings: [CompareSetting]) -> CompareSetting {
        if let s = settings.first(where: { $0.key == e.path }) { return s }
        let head = e.path.split(separator: "[").first.map(String.init) ?? e.path
        if let s = settings.first(where: { $0.key == head || ($0.key.hasPrefix("optimizer") && head.hasPrefix("optimizer")) || ($0.key == "init.seed" && head.hasPrefix("init")) }) { return s }
        return settings.first!
    }

    /// A value as JSON: a number where it reads as one, `true`/`false`, else a string.
    static func jsonValue(_ text: String) -> JSONValue {
        if let v = try? JSONParser.parse(text) {
            switch v {
            case .number, .bool: return v
            default: break
            }
        }
        return .string(text)
    }

    /// The spec's JSON with one setting applied.
    static func apply(_ s: CompareSetting, to json: JSONValue) -> JSONValue {
        guard case .object(var members) = json else { return json }
        func set(_ key: String, _ value: JSONValue) {
            if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append((key, value)) }
        }
        func get(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        switch s.key {
        case "optimizer":
            // A new optimizer starts from its defaults; the base's hyper-parameters stay only when
            // it is the same optimizer.
            if case .object(let o)? = get("optimizer"), o.first(where: { $0.key == "name" })?.value == .string(s.value) { break }
            set("optimizer", .string(s.value))
        case "init.seed":
            var o: [(key: String, value: JSONValue)] = []
            if case .object(let existing)? = get("init") { o = existing }
            if let i = o.firstIndex(where: { $0.key == "seed" }) { o[i].value = jsonValue(s.value) } else { o.append(("seed", jsonValue(s.value))) }
            set("init", .object(o))
        case let k where k.hasPrefix("optimizer."):
            let hk = String(k.dropFirst("optimizer.".count))
            var o: [(key: String, value: JSONValue)]
            switch get("optimizer") {
            case .object(let existing)?: o = existing
            case .string(let name)?: o = [("name", .string(name))]
            default: o = [("name", .string("sgd"))]
            }
            if let i = o.firstIndex(where: { $0.key == hk }) { o[i].value = jsonValue(s.value) } else { o.append((hk, jsonValue(s.value))) }
            set("optimizer", .object(o))
        default:
            set(s.key, jsonValue(s.value))
        }
        return .object(members)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
