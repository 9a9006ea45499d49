import Foundation

/// Reads a spec from JSON and checks every rule of CONTRACT.md §1, naming the key path of the
/// first broken rule. Nothing about files is written here; a data CSV is only read.
public enum SpecParser {
    /// The keys a spec may have, in the contract's order.
    public static let topLevelKeys = ["name", "description", "layers", "activations", "loss", "learning_rate", "batch",
                                      "bias", "update_biases", "update", "l2", "weights", "biases", "init", "data"]

    /// Loads and validates the spec file at `path`; a data CSV is read relative to its folder.
    public static func load(path: String) throws -> NetworkSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw SpecError("", exists ? "cannot read the spec file \(path)" : "the spec file \(path) does not exist", kind: .missingFile)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw SpecError("", "the spec file \(path) is not UTF-8 text") }
        let dir = (path as NSString).deletingLastPathComponent
        return try parse(text: text, baseDirectory: dir.isEmpty ? "." : dir)
    }

    /// Parses and validates spec JSON text. A data CSV path is resolved against `baseDirectory`.
    public static func parse(text: String, baseDirectory: String = ".") throws -> NetworkSpec {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch let e as JSONSyntaxError {
            throw SpecError("", "not valid JSON at \(e)")
        }
        return try parse(json: json, baseDirectory: baseDirectory)
    }

    /// Validates an already parsed JSON document.
    public static func parse(json: JSONValue, baseDirectory: String = ".") throws -> NetworkSpec {
        let root = Node(value: json, path: "")
        let members = try root.object(allowed: topLevelKeys, what: "spec")

        let name = try members["name"].map { try $0.string() } ?? "network"
        if name.isEmpty || name.count > 100 || !name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }) {
            throw SpecError("name", "expected 1 to 100 ASCII letters, digits, '-', '_' or '.', found \"\(name)\"")
        }
        if let d = members["description"] { _ = try d.string() }

        guard let layersNode = members["layers"] else { throw SpecError("layers", "required key is missing: give the neuron counts, input layer first, e.g. [2, 2, 2]") }
        let layerNodes = try layersNode.array()
        guard layerNodes.count >= 2 else { throw SpecError("layers", "expected at least 2 counts (an input layer and an output layer), found \(layerNodes.count)") }
        let layers = try layerNodes.map { node -> Int in
            let n = try node.integer()
            guard n >= 1, n <= 4096 else { throw SpecError(node.path, "expected a neuron count from 1 to 4096, found \(n)") }
            return n
        }
        let depth = layers.count - 1

        var activations = Array(repeating: Activation.sigmoid, count: depth)
        if let node = members["activations"] {
            let items = try node.array(count: depth, what: "activation names (one per non-input layer: \(depth))")
            activations = try items.map { try $0.enumValue(Activation.self, what: "activation") }
            for (i, a) in activations.enumerated() where a == .softmax && i != depth - 1 {
                throw SpecError("activations[\(i)]", "softmax is allowed in the output layer only (layer \(depth)), found it in layer \(i + 1)")
            }
            if activations[depth - 1] == .softmax, layers[depth] < 2 {
                throw SpecError("activations[\(depth - 1)]", "softmax needs at least 2 output neurons, found \(layers[depth])")
            }
        }
        let loss = try members["loss"].map { try $0.enumValue(Loss.self, what: "loss") } ?? .halfSSE
        let outAct = activations[depth - 1]
        if outAct == .softmax, loss != .crossEntropy {
            throw SpecError("loss", "the output layer is softmax, which needs \"cross_entropy\", found \"\(loss.rawValue)\"")
        }
        if loss == .crossEntropy, outAct != .softmax, outAct != .sigmoid {
            throw SpecError("loss", "\"cross_entropy\" needs a softmax or sigmoid output layer, found \"\(outAct.rawValue)\" (activations[\(depth - 1)])")
        }

        guard let lrNode = members["learning_rate"] else { throw SpecError("learning_rate", "required key is missing: give a number > 0, e.g. 0.5") }
        let learningRate = try lrNode.number()
        guard learningRate > 0 else { throw SpecError("learning_rate", "expected a number > 0, found \(lrNode.text)") }

        var batch = BatchMode.full
        if let node = members["batch"] {
            switch node.value {
            case .string("full"): batch = .full
            case .string("sample"): batch = .sample
            case .string(let s): throw SpecError(node.path, "expected \"full\", \"sample\" or an integer k >= 1, found \"\(s)\"")
            case .number:
                let k = try node.integer()
                guard k >= 1 else { throw SpecError(node.path, "expected a batch size k >= 1, found \(k)") }
                batch = .size(k)
            default: throw SpecError(node.path, "expected \"full\", \"sample\" or an integer k >= 1, found \(node.value.kindDescription)")
            }
        }
        let bias = try members["bias"].map { try $0.bool() } ?? true
        let updateBiases = try members["update_biases"].map { try $0.bool() } ?? true
        let update = try members["update"].map { try $0.enumValue(UpdateOrder.self, what: "update order") } ?? .simultaneous
        let l2 = try members["l2"].map { node -> Double in
            let v = try node.number()
            guard v >= 0 else { throw SpecError(node.path, "expected lambda >= 0, found \(node.text)") }
            return v
        } ?? 0

        var weights: [Matrix?] = Array(repeating: nil, count: depth)
        if let node = members["weights"] {
            let items = try node.array(count: depth, what: "weight matrices (one per non-input layer: \(depth); null to draw one)")
            for (i, item) in items.enumerated() where item.value != .null {
                weights[i] = try item.matrix(rows: layers[i], cols: layers[i + 1],
                                             rowWhat: "rows (one per source neuron in layer \(i): \(layers[i]))",
                                             colWhat: "numbers (one per target neuron in layer \(i + 1): \(layers[i + 1]))")
            }
        }
        var biases: [[Double]?] = Array(repeating: nil, count: depth)
        if let node = members["biases"] {
            guard bias else { throw SpecError(node.path, "the spec says \"bias\": false, so it cannot give biases") }
            let items = try node.array(count: depth, what: "bias vectors (one per non-input layer: \(depth); null to draw one)")
            for (i, item) in items.enumerated() where item.value != .null {
                biases[i] = try item.array(count: layers[i + 1], what: "numbers (one per neuron in layer \(i + 1): \(layers[i + 1]))").map { try $0.number() }
            }
        }
        let initSpec = try members["init"].map { try parseInit($0) } ?? InitSpec()
        guard let dataNode = members["data"] else { throw SpecError("data", "required key is missing: give {\"inputs\": [[...]], \"targets\": [[...]]} or {\"csv\": \"file.csv\", \"inputs\": [columns], \"targets\": [columns]}") }
        let data = try parseData(dataNode, inputs: layers[0], outputs: layers[depth], baseDirectory: baseDirectory)
        if loss == .crossEntropy, outAct == .softmax || outAct == .sigmoid {
            for (i, t) in data.targets.values.enumerated() where t < 0 || t > 1 {
                let r = i / data.targets.cols, c = i % data.targets.cols
                throw SpecError(data.csvPath == nil ? "data.targets[\(r)][\(c)]" : "data.csv", "cross_entropy needs targets between 0 and 1, found \(t) (sample \(r + 1), output \(c + 1))")
            }
        }

        return NetworkSpec(name: name, layers: layers, activations: activations, loss: loss, learningRate: learningRate,
                           batch: batch, bias: bias, updateBiases: updateBiases, update: update, l2: l2,
                           weights: weights, biases: biases, initSpec: initSpec, data: data)
    }

    static func parseInit(_ node: Node) throws -> InitSpec {
        let m = try node.object(allowed: ["distribution", "low", "high", "mean", "std", "seed", "rng"], what: "init")
        let dist = try m["distribution"].map { try $0.string() } ?? "uniform"
        let takes: [String: [String]] = ["uniform": ["low", "high"], "normal": ["mean", "std"], "xavier_uniform": [], "he_normal": []]
        guard let params = takes[dist] else {
            throw SpecError("init.distribution", "unknown distribution \"\(dist)\"\(suggestion(for: dist, among: Array(takes.keys).sorted())); expected one of uniform, normal, xavier_uniform, he_normal")
        }
        for key in ["low", "high", "mean", "std"] where m[key] != nil && !params.contains(key) {
            throw SpecError("init.\(key)", "the \(dist) distribution does not take \"\(key)\"" + (params.isEmpty ? "" : " (it takes \(params.joined(separator: ", ")))"))
        }
        var spec = InitSpec()
        switch dist {
        case "uniform":
            let low = try m["low"].map { try $0.number() } ?? 0, high = try m["high"].map { try $0.number() } ?? 1
            guard low <= high else { throw SpecError("init.high", "expected high >= low (\(low)), found \(high)") }
            spec.distribution = .uniform(low: low, high: high)
        case "normal":
            let mean = try m["mean"].map { try $0.number() } ?? 0, std = try m["std"].map { try $0.number() } ?? 1
            guard std >= 0 else { throw SpecError("init.std", "expected std >= 0, found \(std)") }
            spec.distribution = .normal(mean: mean, std: std)
        case "xavier_uniform": spec.distribution = .xavierUniform
        default: spec.distribution = .heNormal
        }
        if let s = m["seed"] {
            let seed = try s.integer()
            guard seed >= 0, seed <= Int(UInt32.max) else { throw SpecError(s.path, "expected a seed from 0 to 4294967295 (as numpy.random.seed takes), found \(seed)") }
            spec.seed = UInt32(seed)
        }
        if let r = m["rng"] {
            let rng = try r.string()
            guard rng == "numpy" else { throw SpecError(r.path, "unknown rng \"\(rng)\"; the only stream is \"numpy\" (numpy's legacy MT19937)") }
        }
        return spec
    }

    static func parseData(_ node: Node, inputs n0: Int, outputs nL: Int, baseDirectory: String) throws -> Dataset {
        let m = try node.object(allowed: ["inputs", "targets", "csv"], what: "data")
        guard let inNode = m["inputs"] else { throw SpecError("data.inputs", "required key is missing") }
        guard let tNode = m["targets"] else { throw SpecError("data.targets", "required key is missing") }
        if let csvNode = m["csv"] {
            let file = try csvNode.string()
            let inNames = try inNode.array(count: n0, what: "column names (one per input neuron: \(n0))").map { try $0.string() }
            let tNames = try tNode.array(count: nL, what: "column names (one per output neuron: \(nL))").map { try $0.string() }
            let full = file.hasPrefix("/") ? file : (baseDirectory as NSString).appendingPathComponent(file)
            let table = try CSVTable.load(path: full, shownAs: file)
            func column(_ name: String, _ path: String) throws -> Int {
                guard let i = table.header.firstIndex(of: name) else {
                    throw SpecError(path, "column \"\(name)\" is not in \(file)'s header (\(table.header.joined(separator: ", ")))\(suggestion(for: name, among: table.header))")
                }
                return i
            }
            let inCols = try inNames.enumerated().map { try column($1, "data.inputs[\($0)]") }
            let tCols = try tNames.enumerated().map { try column($1, "data.targets[\($0)]") }
            guard !table.rows.isEmpty else { throw SpecError("data.csv", "\(file) has a header but no data rows") }
            func matrix(_ cols: [Int]) throws -> Matrix {
                var values: [Double] = []
                for (r, row) in table.rows.enumerated() {
                    for c in cols {
                        let text = row[c].trimmingCharacters(in: .whitespaces)
                        guard let v = Double(text), v.isFinite else {
                            throw SpecError("data.csv", "\(file) line \(table.lineNumbers[r]), column \"\(table.header[c])\": expected a finite number, found \"\(row[c])\"")
                        }
                        values.append(v)
                    }
                }
                return Matrix(rows: table.rows.count, cols: cols.count, values: values)
            }
            return Dataset(inputs: try matrix(inCols), targets: try matrix(tCols), inputNames: inNames, targetNames: tNames, csvPath: file)
        }
        let inputs = try inNode.array(minCount: 1, what: "samples (rows)")
        let targets = try tNode.array(count: inputs.count, what: "target rows (one per input row: \(inputs.count))")
        let x = try inNode.matrix(rows: inputs.count, cols: n0, rowWhat: "samples", colWhat: "numbers (one per input neuron: \(n0))")
        let t = try tNode.matrix(rows: targets.count, cols: nL, rowWhat: "rows", colWhat: "numbers (one per output neuron: \(nL))")
        return Dataset(inputs: x, targets: t)
    }
}

/// A JSON value with the key path that led to it, and typed accessors that throw `SpecError`s.
struct Node {
    let value: JSONValue
    let path: String

    var text: String {
        if case .number(let s) = value { return s }
        if case .string(let s) = value { return "\"\(s)\"" }
        return value.kindDescription
    }

    func object(allowed: [String], what: String) throws -> [String: Node] {
        guard case .object(let members) = value else { throw SpecError(path, "expected an object (the \(what)), found \(value.kindDescription)") }
        var out: [String: Node] = [:]
        for (key, v) in members {
            let p = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                throw SpecError(p, "unknown key\(suggestion(for: key, among: allowed)); the \(what) takes \(allowed.joined(separator: ", "))")
            }
            out[key] = Node(value: v, path: p)
        }
        return out
    }

    func array() throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array, found \(value.kindDescription)") }
        return items.enumerated().map { Node(value: $1, path: "\(path)[\($0)]") }
    }

    func array(count: Int, what: String) throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array of \(what), found \(value.kindDescription)") }
        guard items.count == count else { throw SpecError(path, "expected \(count) \(what), found \(items.count)") }
        return try array()
    }

    func array(minCount: Int, what: String) throws -> [Node] {
        guard case .array(let items) = value else { throw SpecError(path, "expected an array of \(what), found \(value.kindDescription)") }
        guard items.count >= minCount else { throw SpecError(path, "expected at least \(minCount) \(what), found \(items.count)") }
        return try array()
    }

    func matrix(rows: Int, cols: Int, rowWhat: String, colWhat: String) throws -> Matrix {
        let rowNodes = try array(count: rows, what: rowWhat)
        var values: [Double] = []
        for r in rowNodes { values += try r.array(count: cols, what: colWhat).map { try $0.number() } }
        return Matrix(rows: rows, cols: cols, values: values)
    }

    func number() throws -> Double {
        guard case .number(let s) = value else { throw SpecError(path, "expected a number, found \(value.kindDescription)\(stringHint)") }
        guard let v = Double(s), v.isFinite else { throw SpecError(path, "expected a finite number, found \(s) (outside the range of Float64)") }
        return v
    }

    func integer() throws -> Int {
        guard case .number(let s) = value else { throw SpecError(path, "expected an integer, found \(value.kindDescription)\(stringHint)") }
        guard let v = Int(s) else { throw SpecError(path, "expected an integer, found \(s)") }
        return v
    }

    func string() throws -> String {
        guard case .string(let s) = value else { throw SpecError(path, "expected a string, found \(value.kindDescription)") }
        return s
    }

    func bool() throws -> Bool {
        guard case .bool(let b) = value else { throw SpecError(path, "expected true or false, found \(text)") }
        return b
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ type: E.Type, what: String) throws -> E where E.RawValue == String {
        let s = try string()
        let names = E.allCases.map(\.rawValue)
        guard let e = E(rawValue: s) else {
            throw SpecError(path, "unknown \(what) \"\(s)\"\(suggestion(for: s, among: names)); expected one of \(names.joined(separator: ", "))")
        }
        return e
    }

    private var stringHint: String {
        if case .string(let s) = value, Double(s) != nil { return " (\"\(s)\": write the number without quotes)" }
        return ""
    }
}
