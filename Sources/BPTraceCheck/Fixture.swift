import BPTrace
import Foundation

/// A fixture: a network spec and the numbers an author wrote for it, each to be checked
/// against the engine (docs/CHECKING.md describes the file format).
///
/// ```json
/// {
///   "title": "Mazur 2015, first step",
///   "source": {"title": "A Step by Step Backpropagation Example", "author": "Matt Mazur", "year": 2015,
///              "url": "https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/"},
///   "spec": { ... a spec, inline ... }  or  "spec": "path/relative/to/the/fixture.json"  or  "preset": "mazur-2015",
///   "steps": 1,
///   "trace": "student.csv",       (optional: a student's trace CSV, relative to the fixture)
///   "values": [
///     {"name": "out_o1", "value": "0.75136507"},
///     {"step": 1, "layer": 2, "quantity": "a", "row": 1, "col": 2, "value": "0.772928465"},
///     {"name": "dE_o2/dout_h1", "value": "-0.019049119", "status": "erratum", "note": "rounding slip"},
///     {"name": "E_total@2", "value": "0.291027924", "with": {"update": "immediate"}},
///     {"name": "wout+[1,1]", "value": "0.299514577", "status": "convention", "convention": "lr_folded"}
///   ]
/// }
/// ```
public struct Fixture: Sendable {
    /// Where a fixture's numbers come from.
    public struct Source: Equatable, Sendable {
        public var title: String?
        public var author: String?
        public var year: String?
        public var url: String?
        public var note: String?

        public init(title: String? = nil, author: String? = nil, year: String? = nil, url: String? = nil, note: String? = nil) {
            self.title = title; self.author = author; self.year = year; self.url = url; self.note = note
        }

        /// "title, author, year, url" with the parts that exist.
        public var summary: String {
            [title.map { "\"\($0)\"" }, author, year, url].compactMap { $0 }.joined(separator: ", ")
        }
    }

    /// What the author's number is meant to be.
    public enum Status: String, Sendable, CaseIterable {
        /// The author's number, which must hold (the default).
        case published
        /// A number known to be wrong: it must still differ from the engine by more than its tolerance.
        case erratum
        /// A number that follows another convention: it must fail under the fixture's spec and
        /// hold under the convention the entry names.
        case convention
    }

    /// One expected value.
    public struct Entry: Sendable {
        /// Its position in the fixture's `values` array (0-based, as in `values[3]`).
        public let index: Int
        /// The canonical name with selectors (`out_o1`, `E_total@2`, `a(2)[1,2]`).
        public let label: String
        public let target: ValueTarget
        public let step: Int
        public let expected: WrittenNumber
        /// The tolerance used: explicit, the fixture's default, or half a unit in the last written decimal.
        public let tolerance: Double
        /// The explicit tolerance's text when one was given (entry or fixture).
        public let toleranceText: String?
        public let status: Status
        public let note: String?
        /// For `convention` values: the convention the number follows.
        public let convention: Convention?
        /// For errata: the correct value, when the fixture gives it (it must hold to its own precision).
        public let exact: WrittenNumber?
        /// The spec this value is checked against (the fixture's, or a `with` variant).
        public let variant: Variant

        /// `values[3]`.
        public var path: String { "values[\(index)]" }
    }

    /// A spec a fixture's values run against: the fixture's own, or it with some keys replaced.
    public struct Variant: Sendable {
        /// "" for the fixture's spec; else the replaced keys, e.g. `update=immediate`.
        public let key: String
        public let spec: NetworkSpec
    }

    /// The fixture file as named on the command line.
    public let file: String
    public let title: String?
    public let note: String?
    public let source: Source?
    /// The fixture's spec (its JSON object), and the folder its relative paths start from.
    public let specJSON: JSONValue
    public let baseDirectory: String
    public let spec: NetworkSpec
    /// `steps` as written (at least the largest step a value needs), else nil.
    public let steps: Int?
    public let entries: [Entry]
    /// The student's trace the fixture names (`"trace"`), with its bad lines as problems.
    public let trace: StudentTrace?

    /// The steps each variant must run.
    public var stepsNeeded: Int { max(steps ?? 1, entries.map(\.step).max() ?? 1) }
}

/// Reads fixture files (the format of `Fixture`).
public enum FixtureParser {
    public static let topLevelKeys = ["title", "description", "note", "comment", "source", "spec", "preset", "steps", "tolerance", "values", "trace"]
    public static let entryKeys = ["name", "step", "sample", "layer", "quantity", "row", "col", "value", "expected", "tolerance",
                                   "status", "note", "comment", "convention", "exact", "with"]
    public static let sourceKeys = ["title", "author", "year", "url", "address", "note", "license"]

    /// Parses fixture text; `file` names it in messages, `baseDirectory` resolves a spec path.
    public static func parse(text: String, file: String, baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly) throws -> Fixture {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch let e as JSONSyntaxError {
            throw FixtureErrors(errors: [FixtureError(file: file, path: "", message: "not valid JSON at \(e)")])
        }
        return try parse(json: json, file: file, baseDirectory: baseDirectory, dataAccess: dataAccess)
    }

    public static func parse(json: JSONValue, file: String, baseDirectory: String = ".", dataAccess: DataAccess = .specFolderOnly) throws -> Fixture {
        func fail(_ e: SpecError) -> FixtureErrors {
            FixtureErrors(errors: [FixtureError(file: file, path: e.path, message: e.message, kind: e.kind == .missingFile ? .missingFile : .invalid)])
        }
        let root = Node(value: json, path: "")
        let m: [String: Node]
        do { m = try root.object(allowed: topLevelKeys, what: "fixture") } catch let e as SpecError { throw fail(e) }

        // The header: title, source, steps, default tolerance.
        let title: String?, note: String?, source: Fixture.Source?, steps: Int?, defaultTolerance: (Double, String)?
        let specJSON: JSONValue, specBase: String, spec: NetworkSpec
        do {
            title = try m["title"].map { try $0.string() }
            note = try (m["note"] ?? m["description"]).map { try $0.string() }
            if let c = m["comment"] { _ = try c.string() }
            source = try m["source"].map { try parseSource($0) }
            steps = try m["steps"].map { node -> Int in
                let s = try node.integer()
                guard s >= 1, s <= CheckLimits.maximumSteps else {
                    throw SpecError(node.path, "expected a number of steps from 1 to \(CheckLimits.maximumSteps) (the most a check trains), found \(s)")
                }
                return s
            }
            defaultTolerance = try m["tolerance"].map { try tolerance($0) }
            guard m["values"] != nil || m["trace"] != nil else { throw SpecError("values", "required key is missing: give the expected values, e.g. [{\"name\": \"out_o1\", \"value\": \"0.75136507\"}], or a \"trace\" file") }
            (specJSON, specBase, spec) = try loadSpec(m, baseDirectory: baseDirectory, dataAccess: dataAccess)
            if let steps, let node = m["steps"] { try CheckLimits.checkWork(spec, steps: steps, path: node.path, what: "\"steps\": \(steps)") }
        } catch let e as SpecError { throw fail(e) }
        let trace: StudentTrace?
        do { trace = try m["trace"].map { try FixtureTrace.load($0, baseDirectory: baseDirectory, spec: spec, dataAccess: dataAccess) } } catch let e as SpecError { throw fail(e) }

        let baseVariant = Fixture.Variant(key: "", spec: spec)
        let baseNames = ValueNames(spec: spec)
        var variants: [String: (Fixture.Variant, ValueNames)] = [:]
        var entries: [Fixture.Entry] = []
        var errors: [FixtureError] = []
        let items: [Node]
        do {
            items = try m["values"].map { try $0.array(minCount: 1, what: "expected values") } ?? []
            guard items.count <= CheckLimits.maximumValues else {
                throw SpecError("values", "expected at most \(SpecLimits.grouped(CheckLimits.maximumValues)) values in one fixture, found \(SpecLimits.grouped(items.count))")
            }
        } catch let e as SpecError { throw fail(e) }
        for (i, item) in items.enumerated() {
            do {
                let e = try parseEntry(item, index: i, baseJSON: specJSON, specBase: specBase, baseVariant: baseVariant,
                                       baseNames: baseNames, variants: &variants, defaultTolerance: defaultTolerance, steps: steps,
                                       dataAccess: dataAccess)
                try CheckLimits.checkWork(e.variant.spec, steps: e.step, path: item.path, what: SafeText.truncated(e.label, limit: 100))
                entries.append(e)
            } catch let e as SpecError {
                errors.append(FixtureError(file: file, path: e.path, message: e.message, kind: e.kind == .missingFile ? .missingFile : .invalid))
            }
        }
        if !errors.isEmpty { throw FixtureErrors(errors: errors) }
        do { try CheckLimits.checkKept(entries, file: file) } catch let e as SpecError { throw fail(e) }
        return Fixture(file: file, title: title, note: note, source: source, specJSON: specJSON, baseDirectory: specBase,
                       spec: spec, steps: steps, entries: entries, trace: trace)
    }

    static func parseSource(_ node: Node) throws -> Fixture.Source {
        if case .string(let s) = node.value { return Fixture.Source(title: s) }
        let m = try node.object(allowed: sourceKeys, what: "source")
        func text(_ k: String) throws -> String? {
            guard let n = m[k] else { return nil }
            if case .number(let s) = n.value { return s }
            return try n.string()
        }
        return Fixture.Source(title: try text("title"), author: try text("author"), year: try text("year"),
                              url: try text("url") ?? text("address"), note: try text("note"))
    }

    /// An explicit tolerance: a non-negative number, as a string or a JSON number.
    static func tolerance(_ node: Node) throws -> (Double, String) {
        let text: String
        switch node.value {
        case .string(let s): text = s
        case .number(let s): text = s
        default: throw SpecError(node.path, "expected a tolerance such as \"1e-6\", found \(node.value.kindDescription)")
        }
        guard text.utf8.count <= 60, let w = WrittenNumber(text), w.value >= 0 else {
            throw SpecError(node.path, "expected a tolerance >= 0 such as \"1e-6\", found \(SafeText.quoted(text))")
        }
        return (w.value, text)
    }

    /// The fixture's spec: inline, a path relative to the fixture, or a preset.
    static func loadSpec(_ m: [String: Node], baseDirectory: String, dataAccess: DataAccess) throws -> (JSONValue, String, NetworkSpec) {
        switch (m["spec"], m["preset"]) {
        case (nil, nil): throw SpecError("spec", "required key is missing: give the spec inline ({...}), as a path relative to the fixture (\"net.json\"), or name a \"preset\"")
        case (.some, .some): throw SpecError("preset", "give either \"spec\" or \"preset\", not both")
        case (nil, .some(let p)):
            let name = try p.string()
            guard let preset = Presets.preset(named: name) else {
                throw SpecError(p.path, "unknown preset \(SafeText.quoted(name))\(suggestion(for: name, among: Presets.names)); the presets are \(Presets.names.joined(separator: ", "))")
            }
            let json = try JSONParser.parse(preset.json)
            return (json, baseDirectory, try SpecParser.parse(json: json, baseDirectory: baseDirectory))
        case (.some(let s), nil):
            if case .string(let rel) = s.value {
                let full = rel.hasPrefix("/") ? rel : (baseDirectory as NSString).appendingPathComponent(rel)
                let shown = SafeText.truncated(rel, limit: 200)
                let bytes: [UInt8]
                do { bytes = try InputFile.bytes(path: full, shownAs: rel, what: "spec file", keyPath: "spec", regularOnly: true) } catch let e as SpecError {
                    throw SpecError("spec", "\(e.message) (relative to the fixture: \(SafeText.truncated(full, limit: 200)))", kind: e.kind)
                }
                let json: JSONValue
                do {
                    let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes[3...]) : bytes
                    json = try JSONParser.parse(bytes: body)
                } catch let e as JSONSyntaxError {
                    throw SpecError("spec", "\(shown) is not valid JSON at \(e)")
                }
                let dir = (full as NSString).deletingLastPathComponent
                do { return (json, dir, try SpecParser.parse(json: json, baseDirectory: dir.isEmpty ? "." : dir, dataAccess: dataAccess)) } catch let e as SpecError {
                    throw SpecError("spec", "\(shown) is not a valid spec: \(e.description)", kind: e.kind)
                }
            }
            guard case .object = s.value else { throw SpecError("spec", "expected the spec inline (an object) or a path (a string), found \(s.value.kindDescription)") }
            do { return (s.value, baseDirectory, try SpecParser.parse(json: s.value, baseDirectory: baseDirectory, dataAccess: dataAccess)) } catch let e as SpecError {
                throw SpecError(e.path.isEmpty ? "spec" : "spec.\(e.path)", e.message, kind: e.kind)
            }
        }
    }

    static func parseEntry(_ node: Node, index i: Int, baseJSON: JSONValue, specBase: String, baseVariant: Fixture.Variant,
                           baseNames: ValueNames, variants: inout [String: (Fixture.Variant, ValueNames)],
                           defaultTolerance: (Double, String)?, steps: Int?, dataAccess: DataAccess) throws -> Fixture.Entry {
        let m = try node.object(allowed: entryKeys, what: "expected value")
        let path = node.path

        // The spec it runs against: the fixture's, or with some keys replaced.
        var variant = baseVariant, names = baseNames
        if let w = m["with"] {
            guard case .object(let overrides) = w.value, !overrides.isEmpty else {
                throw SpecError(w.path, "expected an object of spec keys to replace, e.g. {\"update\": \"immediate\"}")
            }
            let key = overrides.map { o -> String in
                if case .string(let s) = o.value { return "\(o.key)=\(s)" }
                return "\(o.key)=\(compactJSON(o.value))"
            }.joined(separator: ", ")
            if let known = variants[key] {
                (variant, names) = known
            } else {
                guard variants.count < CheckLimits.maximumVariants else {
                    throw SpecError(w.path, "a fixture may use at most \(CheckLimits.maximumVariants) different \"with\" variants (each is trained apart)")
                }
                guard case .object(var members) = baseJSON else { throw SpecError(w.path, "the fixture's spec is not an object") }
                for (k, v) in overrides {
                    if let j = members.firstIndex(where: { $0.key == k }) { members[j].value = v } else { members.append((k, v)) }
                }
                let spec: NetworkSpec
                do { spec = try SpecParser.parse(json: .object(members), baseDirectory: specBase, dataAccess: dataAccess) } catch let e as SpecError {
                    throw SpecError(e.path.isEmpty ? w.path : "\(w.path).\(e.path)", "the spec with these keys replaced is not valid: \(e.message)", kind: e.kind)
                }
                variant = Fixture.Variant(key: key, spec: spec)
                names = ValueNames(spec: spec)
                variants[key] = (variant, names)
            }
        }

        // The address: a name, or the contract's coordinates.
        let stepField = try m["step"].map { n -> Int in
            let s = try n.integer()
            guard s >= 1, s <= CheckLimits.maximumSteps else {
                throw SpecError(n.path, "expected a step from 1 to \(CheckLimits.maximumSteps) (the most a check trains), found \(s)")
            }
            return s
        }
        let resolved: ResolvedName
        if let nameNode = m["name"] {
            for k in ["layer", "quantity", "row", "col"] where m[k] != nil {
                throw SpecError("\(path).\(k)", "an entry gives either a \"name\" or the coordinates (step, layer, quantity, row, col), not both")
            }
            let name = try nameNode.string()
            guard name.count <= 100 else {
                throw SpecError(nameNode.path, "expected a name of at most 100 characters, found \(name.count) (\(SafeText.quoted(name)))")
            }
            let sample = try m["sample"].map { try $0.integer() }
            do { resolved = try names.resolve(name, sample: sample, step: stepField) } catch let e as NameError {
                throw SpecError(nameNode.path, e.message)
            }
            guard resolved.step <= CheckLimits.maximumSteps else {
                throw SpecError(nameNode.path, "\(SafeText.quoted(name)) names step \(resolved.step); a check trains at most \(CheckLimits.maximumSteps) steps")
            }
        } else if let qNode = m["quantity"] {
            if let s = m["sample"] { throw SpecError(s.path, "with coordinates the sample is the \"row\"") }
            let qText = try qNode.string()
            guard let q = Quantity(rawValue: qText) else {
                let all = Quantity.allCases.map(\.rawValue)
                throw SpecError(qNode.path, "unknown quantity \(SafeText.quoted(qText))\(suggestion(for: qText, among: all)); expected one of \(all.joined(separator: ", "))")
            }
            guard let lNode = m["layer"] else { throw SpecError("\(path).layer", "required with \"quantity\": the layer (0 = inputs, 1..L)") }
            let l = try lNode.integer()
            let shape = names.shape(q, layer: l)
            func coordinate(_ k: String, _ count: Int?) throws -> Int {
                guard let n = m[k] else {
                    guard let count else { return 1 }   // no such block: cell() below says so
                    guard count == 1 else { throw SpecError("\(path).\(k)", "required: \(q.rawValue)(\(l)) has \(count) \(k)s in each step") }
                    return 1
                }
                return try n.integer()
            }
            let r = try coordinate("row", shape?.rows), c = try coordinate("col", shape?.cols)
            let step = stepField ?? 1
            do {
                let target = try names.cell(q, layer: l, row: r, col: c, what: "\(q.rawValue)(\(l))[\(r),\(c)]")
                resolved = ResolvedName(label: "\(q.rawValue)(\(l))[\(r),\(c)]" + (step == 1 ? "" : "@\(step)"), target: target, step: step)
            } catch let e as NameError { throw SpecError(qNode.path, e.message) }
        } else {
            throw SpecError(path, "give a \"name\" (e.g. \"out_o1\") or the coordinates (\"step\", \"layer\", \"quantity\", \"row\", \"col\")")
        }
        if let steps, resolved.step > steps {
            throw SpecError(path, "\(resolved.label) needs step \(resolved.step) but the fixture's \"steps\" is \(steps)")
        }

        // The number as written.
        if m["value"] != nil, m["expected"] != nil { throw SpecError("\(path).expected", "give \"value\" or its alias \"expected\", not both") }
        guard let vNode = m["value"] ?? m["expected"] else { throw SpecError("\(path).value", "required: the number as the author wrote it, e.g. \"0.75136507\"") }
        let text: String
        switch vNode.value {
        case .string(let s): text = s
        case .number(let s): text = s
        default: throw SpecError(vNode.path, "expected the number as text, e.g. \"0.75136507\", found \(vNode.value.kindDescription)")
        }
        guard text.utf8.count <= 60 else {
            throw SpecError(vNode.path, "expected a number of at most 60 characters, found \(text.utf8.count) (\(SafeText.quoted(text)))")
        }
        guard let written = WrittenNumber(text) else {
            throw SpecError(vNode.path, "\(SafeText.quoted(text)) is not a number; write digits with an optional sign, decimal point and exponent, e.g. \"0.593269992\", \"-3.001\" or \"1e-05\"")
        }
        let explicit = try m["tolerance"].map { try tolerance($0) } ?? defaultTolerance

        let statusText = try m["status"].map { try $0.string() } ?? "published"
        guard let status = Fixture.Status(rawValue: statusText) else {
            let all = Fixture.Status.allCases.map(\.rawValue)
            throw SpecError("\(path).status", "unknown status \(SafeText.quoted(statusText))\(suggestion(for: statusText, among: all)); expected one of \(all.joined(separator: ", "))")
        }
        var convention: Convention? = nil
        if let cNode = m["convention"] {
            guard status == .convention else { throw SpecError(cNode.path, "\"convention\" goes with \"status\": \"convention\"") }
            let parts: [String]
            if case .array = cNode.value { parts = try cNode.array().map { try $0.string() } } else { parts = [try cNode.string()] }
            guard let c = Convention.parse(parts) else {
                throw SpecError(cNode.path, "unknown convention \(SafeText.quoted(parts.joined(separator: " + "))); expected one or more of \(Convention.Switch.spellings.joined(separator: ", ")) joined by +")
            }
            if let sw = c.switches.first(where: { !$0.applies(to: variant.spec.optimizer) }) {
                throw SpecError(cNode.path, "the convention \(sw) is a choice of another optimizer; this spec's optimizer is \(variant.spec.optimizer.name) (\(Convention.Switch.appliesTo(sw)))")
            }
            guard c.apply(to: variant.spec) != nil else {
                throw SpecError(cNode.path, "the convention \(c) does not apply to this spec (it is the spec's own setting, or the network has no such choice)")
            }
            convention = c
        } else if status == .convention {
            throw SpecError("\(path).convention", "required with \"status\": \"convention\": name the convention the number follows, e.g. \"lr_folded\" or \"update=immediate\"")
        }
        let note = try m["note"].map { try $0.string() }
        if let c = m["comment"] { _ = try c.string() }
        var exact: WrittenNumber? = nil
        if let xNode = m["exact"] {
            guard status == .erratum else { throw SpecError(xNode.path, "\"exact\" goes with \"status\": \"erratum\" (the correct value of a wrong number)") }
            let t: String
            switch xNode.value {
            case .string(let s): t = s
            case .number(let s): t = s
            default: throw SpecError(xNode.path, "expected the correct value as text, e.g. \"-0.019049118\", found \(xNode.value.kindDescription)")
            }
            guard t.utf8.count <= 60, let w = WrittenNumber(t) else { throw SpecError(xNode.path, "\(SafeText.quoted(t)) is not a number") }
            exact = w
        }

        return Fixture.Entry(index: i, label: resolved.label, target: resolved.target, step: resolved.step, expected: written,
                             tolerance: explicit?.0 ?? written.defaultTolerance, toleranceText: explicit?.1, status: status, note: note,
                             convention: convention, exact: exact, variant: variant)
    }
}

/// JSON text on one line (for variant keys and snapshot files).
func compactJSON(_ v: JSONValue) -> String { JSONWriter.write(v, pretty: false) }
