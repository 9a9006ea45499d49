import Foundation

/// Reads a spec from JSON and checks every rule of docs/SPEC.md, naming the key path of the
/// first broken rule. Nothing about files is written here; a data CSV is only read.
public enum SpecParser {
    /// The keys a spec may have, in the order docs/SPEC.md lists them.
    public static let topLevelKeys = ["name", "description", "layers", "activations", "loss", "learning_rate", "batch",
                                      "bias", "update_biases", "update", "l2", "optimizer", "weights", "biases", "init", "data"]

    /// Loads and validates the spec file at `path` (at most 64 MiB); a data CSV is read relative
    /// to its folder, and by default only from inside it (`dataAccess`).
    public static func load(path: String, dataAccess: DataAccess = .specFolderOnly) throws -> NetworkSpec {
        let bytes = try InputFile.bytes(path: path, shownAs: path, what: "spec file", keyPath: "")
        let dir = (path as NSString).deletingLastPathComponent
        return try parse(bytes: bytes, baseDirectory: dir.isEmpty ? "." : dir, dataAccess: dataAccess)
    }

    /// Parses and validates spec JSON text. A data CSV path is resolved against `baseDirectory`.
    public static func parse(text: String, baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly) throws -> NetworkSpec {
        try parse(bytes: Array(text.utf8), baseDirectory: baseDirectory, dataAccess: dataAccess)
    }

    /// Parses and validates spec JSON given as UTF-8 bytes.
    public static func parse(bytes: [UInt8], baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly) throws -> NetworkSpec {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes: bytes) } catch let e as JSONSyntaxError {
            throw SpecError("", "not valid JSON at \(e)")
        }
        return try parse(json: json, baseDirectory: baseDirectory, dataAccess: dataAccess)
    }

    /// Validates an already parsed JSON document.
    public static func parse(json: JSONValue, baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly) throws -> NetworkSpec {
        let root = Node(value: json, path: "")
        let members = try root.object(allowed: topLevelKeys, what: "spec")

        let name = try members["name"].map { try $0.string() } ?? "network"
        if name.isEmpty || name.count > 100 || !name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }) {
            throw SpecError("name", "expected 1 to 100 ASCII letters, digits, '-', '_' or '.', found \(SafeText.quoted(name))")
        }
        if let d = members["description"] { _ = try d.string() }

        guard let layersNode = members["layers"] else { throw SpecError("layers", "required key is missing: give the neuron counts, input layer first, e.g. [2, 2, 2]") }
        let layerNodes = try layersNode.array()
        guard layerNodes.count >= 2 else { throw SpecError("layers", "expected at least 2 counts (an input layer and an output layer), found \(layerNodes.count)") }
        guard layerNodes.count <= SpecLimits.maximumLayerCounts else {
            throw SpecError("layers", "expected at most \(SpecLimits.maximumLayerCounts) counts (100 layers after the input layer), found \(layerNodes.count)")
        }
        let layers = try layerNodes.map { node -> Int in
            let n = try node.integer()
            guard n >= 1, n <= 4096 else { throw SpecError(node.path, "expected a neuron count from 1 to 4096, found \(n)") }
            return n
        }
        let depth = layers.count - 1
        let bias = try members["bias"].map { try $0.bool() } ?? true
        let parameters = SpecLimits.parameterCount(layers: layers, bias: bias)
        guard parameters <= SpecLimits.maximumParameters else {
            throw SpecError("layers", "the network has \(SpecLimits.grouped(parameters)) weights and biases, more than the limit of \(SpecLimits.grouped(SpecLimits.maximumParameters))")
        }

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
        if loss == .hinge, outAct != .linear {
            throw SpecError("activations[\(depth - 1)]", "\"hinge\" needs a linear output layer (the class scores), found \"\(outAct.rawValue)\"")
        }
        if loss == .hinge, layers[depth] < 2 {
            throw SpecError("layers[\(depth)]", "\"hinge\" needs at least 2 output neurons (one score per class), found \(layers[depth])")
        }

        guard let lrNode = members["learning_rate"] else { throw SpecError("learning_rate", "required key is missing: give a number > 0, e.g. 0.5") }
        let learningRate = try lrNode.number()
        guard learningRate > 0 else { throw SpecError("learning_rate", "expected a number > 0, found \(lrNode.text)") }

        var batch = BatchMode.full
        if let node = members["batch"] {
            switch node.value {
            case .string("full"): batch = .full
            case .string("sample"): batch = .sample
            case .string(let s): throw SpecError(node.path, "expected \"full\", \"sample\" or an integer k >= 1, found \(SafeText.quoted(s))")
            case .number:
                let k = try node.integer()
                guard k >= 1 else { throw SpecError(node.path, "expected a batch size k >= 1, found \(k)") }
                batch = .size(k)
            default: throw SpecError(node.path, "expected \"full\", \"sample\" or an integer k >= 1, found \(node.value.kindDescription)")
            }
        }
        let updateBiases = try members["update_biases"].map { try $0.bool() } ?? true
        let update = try members["update"].map { try $0.enumValue(UpdateOrder.self, what: "update order") } ?? .simultaneous
        let l2 = try members["l2"].map { node -> Double in
            let v = try node.number()
            guard v >= 0 else { throw SpecError(node.path, "expected lambda >= 0, found \(node.text)") }
            return v
        } ?? 0

        let optimizer = try members["optimizer"].map { try OptimizerSpec.parse($0) } ?? .sgd

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
        let data = try parseData(dataNode, inputs: layers[0], outputs: layers[depth], baseDirectory: baseDirectory, access: dataAccess)
        if case .size(let k) = batch, let node = members["batch"], k > data.count {
            throw SpecError(node.path, "expected a batch size from 1 to the number of samples (\(data.count)), found \(k)")
        }
        let states = optimizer.stateQuantities(weights: true).count
        let perStep = SpecLimits.tracedValuesPerStep(layers: layers, batch: SpecLimits.batchSize(batch, samples: data.count), optimizerStates: states)
        guard perStep <= SpecLimits.maximumTracedValuesPerStep else {
            let tooWideAlone = SpecLimits.tracedValuesPerStep(layers: layers, batch: 1, optimizerStates: states) > SpecLimits.maximumTracedValuesPerStep
            throw SpecError(tooWideAlone ? "layers" : "batch", "a training step would trace \(SpecLimits.grouped(perStep)) values, more than the limit of \(SpecLimits.grouped(SpecLimits.maximumTracedValuesPerStep))" + (tooWideAlone ? "" : "; train on fewer samples a step (\"batch\": \"sample\" or a smaller k)"))
        }
        if loss == .crossEntropy, outAct == .softmax || outAct == .sigmoid {
            for (i, t) in data.targets.values.enumerated() where t < 0 || t > 1 {
                let r = i / data.targets.cols, c = i % data.targets.cols
                throw SpecError(data.csvPath == nil ? "data.targets[\(r)][\(c)]" : "data.csv", "cross_entropy needs targets between 0 and 1, found \(t) (sample \(r + 1), output \(c + 1))")
            }
        }

        if loss == .hinge { try checkOneHot(data) }

        let spec = NetworkSpec(name: name, layers: layers, activations: activations, loss: loss, learningRate: learningRate,
                               batch: batch, bias: bias, updateBiases: updateBiases, update: update, l2: l2,
                               weights: weights, biases: biases, initSpec: initSpec, data: data, optimizer: optimizer)
        try checkDrawnParameters(spec)
        return spec
    }

    /// The hinge loss's targets: each row one-hot (exactly one 1, the rest 0), the class y_i.
    static func checkOneHot(_ data: Dataset) throws {
        let t = data.targets
        for r in 0..<t.rows {
            var ones = 0
            for c in 0..<t.cols {
                let v = t[r, c]
                if v == 1 { ones += 1; continue }
                if v != 0 {
                    throw SpecError(data.csvPath == nil ? "data.targets[\(r)][\(c)]" : "data.csv", "\"hinge\" needs one-hot targets (exactly one 1 and the rest 0 per sample), found \(v) (sample \(r + 1), output \(c + 1))")
                }
            }
            if ones != 1 {
                throw SpecError(data.csvPath == nil ? "data.targets[\(r)]" : "data.csv", "\"hinge\" needs one-hot targets (exactly one 1 and the rest 0 per sample), found \(ones) ones (sample \(r + 1))")
            }
        }
    }

    static func parseInit(_ node: Node) throws -> InitSpec {
        let m = try node.object(allowed: ["distribution", "low", "high", "mean", "std", "seed", "rng"], what: "init")
        let dist = try m["distribution"].map { try $0.string() } ?? "uniform"
        let takes: [String: [String]] = ["uniform": ["low", "high"], "normal": ["mean", "std"], "xavier_uniform": [], "he_normal": []]
        guard let params = takes[dist] else {
            throw SpecError("init.distribution", "unknown distribution \(SafeText.quoted(dist))\(suggestion(for: dist, among: Array(takes.keys).sorted())); expected one of uniform, normal, xavier_uniform, he_normal")
        }
        for key in ["low", "high", "mean", "std"] where m[key] != nil && !params.contains(key) {
            throw SpecError("init.\(key)", "the \(dist) distribution does not take \"\(key)\"" + (params.isEmpty ? "" : " (it takes \(params.joined(separator: ", ")))"))
        }
        var spec = InitSpec()
        switch dist {
        case "uniform":
            let low = try m["low"].map { try $0.number() } ?? 0, high = try m["high"].map { try $0.number() } ?? 1
            guard low <= high else { throw SpecError("init.high", "expected high >= low (\(low)), found \(high)") }
            guard (high - low).isFinite else {
                throw SpecError("init.high", "high - low overflows to infinity (low \(low), high \(high)): every drawn weight must be finite, so choose bounds whose difference is below 1.8e308")
            }
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
            let name = try r.string()
            guard let rng = InitSpec.RandomStream(rawValue: name) else {
                throw SpecError(r.path, "unknown rng \(SafeText.quoted(name)); the only stream is \"numpy\" (numpy's legacy MT19937)")
            }
            spec.rng = rng
        }
        return spec
    }

    /// The most samples a data set with `valuesPerSample` inputs and targets may have.
    static func maximumRows(valuesPerSample: Int) -> Int {
        min(SpecLimits.maximumSamples, SpecLimits.maximumDataValues / max(1, valuesPerSample))
    }

    static func parseData(_ node: Node, inputs n0: Int, outputs nL: Int, baseDirectory: String, access: DataAccess) throws -> Dataset {
        let m = try node.object(allowed: ["inputs", "targets", "csv"], what: "data")
        guard let inNode = m["inputs"] else { throw SpecError("data.inputs", "required key is missing") }
        guard let tNode = m["targets"] else { throw SpecError("data.targets", "required key is missing") }
        let rowLimit = maximumRows(valuesPerSample: n0 + nL)
        if let csvNode = m["csv"] {
            let file = try csvNode.string()
            func names(_ node: Node, _ count: Int, _ what: String) throws -> [String] {
                try node.array(count: count, what: what).map { n in
                    let s = try n.string()
                    guard !s.isEmpty, s.count <= SpecLimits.maximumColumnNameLength else {
                        throw SpecError(n.path, "expected a column name of 1 to \(SpecLimits.maximumColumnNameLength) characters, found \(s.count) characters (\(SafeText.quoted(s)))")
                    }
                    return s
                }
            }
            let inNames = try names(inNode, n0, "column names (one per input neuron: \(n0))")
            let tNames = try names(tNode, nL, "column names (one per output neuron: \(nL))")
            let full = try DataPath.resolve(file, baseDirectory: baseDirectory, access: access)
            let wanted = inNames.enumerated().map { CSVTable.Wanted(name: $1, keyPath: "data.inputs[\($0)]") }
                + tNames.enumerated().map { CSVTable.Wanted(name: $1, keyPath: "data.targets[\($0)]") }
            let table = try CSVTable.load(path: full, shownAs: file, wanted: wanted, maximumRows: rowLimit)
            guard table.rowCount > 0 else { throw SpecError("data.csv", "\(SafeText.truncated(file, limit: 200)) has a header but no data rows") }
            let w = n0 + nL
            var x: [Double] = [], t: [Double] = []
            x.reserveCapacity(table.rowCount * n0); t.reserveCapacity(table.rowCount * nL)
            for r in 0..<table.rowCount {
                x += table.values[(r * w)..<(r * w + n0)]
                t += table.values[(r * w + n0)..<(r * w + w)]
            }
            return Dataset(inputs: Matrix(rows: table.rowCount, cols: n0, values: x), targets: Matrix(rows: table.rowCount, cols: nL, values: t),
                           inputNames: inNames, targetNames: tNames, csvPath: file)
        }
        let inputs = try inNode.array(minCount: 1, what: "samples (rows)")
        guard inputs.count <= rowLimit else {
            throw SpecError(inNode.path, "expected at most \(SpecLimits.grouped(rowLimit)) samples (at most \(SpecLimits.grouped(SpecLimits.maximumSamples)) samples and \(SpecLimits.grouped(SpecLimits.maximumDataValues)) input and target values), found \(SpecLimits.grouped(inputs.count))")
        }
        let targets = try tNode.array(count: inputs.count, what: "target rows (one per input row: \(inputs.count))")
        let x = try inNode.matrix(rows: inputs.count, cols: n0, rowWhat: "samples", colWhat: "numbers (one per input neuron: \(n0))")
        let t = try tNode.matrix(rows: targets.count, cols: nL, rowWhat: "rows", colWhat: "numbers (one per output neuron: \(nL))")
        return Dataset(inputs: x, targets: t)
    }

    /// Every starting weight and bias must be finite: drawn ones can overflow (uniform bounds
    /// whose difference is infinite, a huge normal std), which would fail only at step 1.
    static func checkDrawnParameters(_ spec: NetworkSpec) throws {
        let drawsSomething = spec.weights.contains { $0 == nil } || (spec.bias && spec.biases.contains { $0 == nil })
        guard drawsSomething else { return }
        let p = spec.initialParameters()
        for (l, w) in p.weights.enumerated() {
            if let i = w.values.firstIndex(where: { !$0.isFinite }) {
                throw drawError(spec, "W(\(l + 1))[\(i / w.cols + 1),\(i % w.cols + 1)]", w.values[i])
            }
        }
        for (l, b) in p.biases.enumerated() {
            if let i = b.values.firstIndex(where: { !$0.isFinite }) { throw drawError(spec, "b(\(l + 1))[1,\(i + 1)]", b.values[i]) }
        }
    }

    static func drawError(_ spec: NetworkSpec, _ cell: String, _ v: Double) -> SpecError {
        switch spec.initSpec.distribution {
        case .uniform: return SpecError("init.high", "the drawn starting value \(cell) is \(v): choose low and high whose difference is finite")
        case .normal: return SpecError("init.std", "the drawn starting value \(cell) is \(v): choose a smaller std (and mean)")
        default: return SpecError("init", "the drawn starting value \(cell) is \(v)")
        }
    }
}
