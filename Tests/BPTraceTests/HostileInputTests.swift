import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// Hostile specs and data files in the library: data paths confined to the spec's folder, a
/// strict CSV reader, sizes bounded before anything is allocated, starting weights finite, and
/// messages that quote file content only as short escaped tokens.
@Suite struct HostileInputTests {
    static func folder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bptrace-hostile-\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func csvSpec(_ csv: String, inputs: [String] = ["a", "b"], targets: [String] = ["c", "d"], extra: String = "") -> String {
        func list(_ xs: [String]) -> String { "[" + xs.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        return "{\"layers\": [\(inputs.count), 2, \(targets.count)], \"learning_rate\": 0.5\(extra), \"data\": {\"csv\": \"\(csv)\", \"inputs\": \(list(inputs)), \"targets\": \(list(targets))}}"
    }

    static func inline(_ extra: String, layers: String = "[2, 2, 2]") -> String {
        "{\"layers\": \(layers), \"learning_rate\": 0.5\(extra), \"data\": {\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01, 0.99]]}}"
    }

    /// The SpecError `text` (in folder `dir`) is rejected with.
    static func error(_ text: String, in dir: String = ".", access: DataAccess = .specFolderOnly) -> SpecError? {
        do { _ = try SpecParser.parse(text: text, baseDirectory: dir, dataAccess: access); return nil } catch let e as SpecError { return e } catch { return SpecError("", "\(error)") }
    }

    // MARK: Issue 3: data paths

    @Test func dataPathsOutsideTheSpecFolderAreRefused() throws {
        let dir = try Self.folder("paths")
        let outside = try Self.folder("secret")
        try "root:SECRET-HASH:0:0\n".write(toFile: outside + "/secret.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: outside + "/secret.csv")
        try FileManager.default.createSymbolicLink(atPath: dir + "/env.csv", withDestinationPath: "/proc/self/environ")
        for (file, says) in [(outside + "/secret.csv", "is an absolute path"), ("../" + (outside as NSString).lastPathComponent + "/secret.csv", "goes up a folder"),
                             ("link.csv", "through a symbolic link"), ("env.csv", "through a symbolic link"), ("/etc/passwd", "is an absolute path")] {
            let e = try #require(Self.error(Self.csvSpec(file), in: dir), "\(file) was read")
            #expect(e.path == "data.csv" && e.kind == .invalid, "\(file): \(e)")
            #expect(e.message.contains(says) && e.message.contains("--allow-outside-data"), "\(file): \(e)")
            #expect(!e.message.contains("SECRET") && !e.message.contains("root:"), "\(e)")
        }
        // Allowed on request: then the header is listed, never the file's other lines.
        let allowed = try #require(Self.error(Self.csvSpec("link.csv"), in: dir, access: .anywhere))
        #expect(allowed.path == "data.inputs[0]" && allowed.message.contains("is not in link.csv's header"), "\(allowed)")
        // A file inside the folder, also through a subfolder, is read.
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try "a,b,c,d\n0.05,0.1,0.01,0.99\n".write(toFile: dir + "/sub/d.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/inside.csv", withDestinationPath: dir + "/sub/d.csv")
        for file in ["sub/d.csv", "./sub/d.csv", "inside.csv"] {
            let spec = try SpecParser.parse(text: Self.csvSpec(file), baseDirectory: dir)
            #expect(spec.data.inputs.values == [0.05, 0.1], "\(file)")
        }
    }

    @Test func aDeviceOrFolderAsDataIsRefused() throws {
        let dir = try Self.folder("device")
        try FileManager.default.createSymbolicLink(atPath: dir + "/zero.csv", withDestinationPath: "/dev/zero")
        let e = try #require(Self.error(Self.csvSpec("zero.csv"), in: dir, access: .anywhere))
        #expect(e.message.contains("not a regular file"), "\(e)")
        try FileManager.default.createDirectory(atPath: dir + "/d.csv", withIntermediateDirectories: true)
        #expect(Self.error(Self.csvSpec("d.csv"), in: dir)?.message.contains("is a folder") == true)
    }

    @Test func theHeaderListIsShortAndEscaped() throws {
        let dir = try Self.folder("header")
        let names = (1...30).map { "col\($0)" } + [String(repeating: "y", count: 500), "esc\u{1B}[2Jx\u{202E}"]
        try (names.joined(separator: ",") + "\n" + Array(repeating: "1", count: names.count).joined(separator: ",") + "\n").write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let e = try #require(Self.error(Self.csvSpec("d.csv", inputs: ["nope", "col1"]), in: dir))
        #expect(e.path == "data.inputs[0]")
        #expect(e.message.contains("col20") && !e.message.contains("col21,") && e.message.contains("and 12 more"), "\(e)")
        #expect(!e.message.contains(String(repeating: "y", count: 41)))
        #expect(!e.message.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E })
    }

    // MARK: Issue 11: the CSV reader

    @Test("CSV cells must be JSON numbers", arguments: [
        ("0.05\u{0}junk", "NUL"), ("0x1p-4", "\"0x1p-4\""), ("inf", "\"inf\""), ("nan", "\"nan\""), ("Infinity", "\"Infinity\""),
        ("+1", "\"+1\""), ("1.", "\"1.\""), (".5", "\".5\""), ("1e400", "\"1e400\""), ("1,5", "expected 4 fields"), ("0.1abc", "\"0.1abc\""),
    ])
    func strictNumbers(cell: String, says: String) throws {
        let dir = try Self.folder("numbers")
        try "a,b,c,d\n0.05,0.1,0.01,0.99\n0.2,\(cell),0.5,0.5\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let e = try #require(Self.error(Self.csvSpec("d.csv"), in: dir), "\(cell) was accepted")
        #expect(e.path == "data.csv" && e.message.contains("line 3") && e.message.contains(says), "\(e)")
        #expect(e.message.contains("column \"b\"") || e.message.contains("column 2") || says.hasPrefix("expected"), "\(e)")
    }

    @Test func numbersInJSONSyntaxWithSpacesAreRead() throws {
        let dir = try Self.folder("good")
        try "a, b ,c,d\r\n -0.5 ,1e-3,0,1E+2\r\n\r\n\"2.5\",0,1,0\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let spec = try SpecParser.parse(text: Self.csvSpec("d.csv"), baseDirectory: dir)
        #expect(spec.data.inputs.values == [-0.5, 0.001, 2.5, 0])
        #expect(spec.data.targets.values == [0, 100, 1, 0])
    }

    @Test func duplicateColumnNamesAreRefused() throws {
        let dir = try Self.folder("dup")
        try "a,b,a,d\n1,2,3,4\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let e = try #require(Self.error(Self.csvSpec("d.csv", inputs: ["a", "b"], targets: ["d", "b"]), in: dir))
        #expect(e.path == "data.csv" && e.message.contains("line 1") && e.message.contains("\"a\" appears twice (columns 1 and 3)"), "\(e)")
    }

    // MARK: Issues 5 and 13: sizes and starting weights

    @Test("sizes are bounded before anything is allocated", arguments: [
        (inline(", \"batch\": 9223372036854775807"), "batch", "from 1 to the number of samples (1)"),
        (inline(", \"batch\": 100000000"), "batch", "found 100000000"),
        (inline("", layers: "[4096, 4096, 4096, 50]"), "layers", "more than the limit of 10,000,000"),
        (inline("", layers: "[2" + String(repeating: ", 1", count: 101) + "]"), "layers", "at most 101 counts"),
        (inline(", \"init\": {\"seed\": 99999999999999999999}"), "init.seed", "too large"),
        (inline(", \"init\": {\"seed\": -1}"), "init.seed", "from 0 to 4294967295"),
    ])
    func sizes(text: String, path: String, says: String) throws {
        let e = try #require(Self.error(text))
        #expect(e.path == path && e.message.contains(says), "\(e)")
    }

    @Test func tracedValuesPerStepIsBounded() throws {
        // 1000-4096-1000 with 2000 samples a step: 8.2M parameters (allowed), 57M values a step.
        let layers = [1000, 4096, 1000]
        #expect(SpecLimits.parameterCount(layers: layers, bias: true) <= SpecLimits.maximumParameters)
        #expect(SpecLimits.tracedValuesPerStep(layers: layers, batch: 2000) > SpecLimits.maximumTracedValuesPerStep)
        #expect(SpecLimits.tracedValuesPerStep(layers: layers, batch: 1) < SpecLimits.maximumTracedValuesPerStep)
        #expect(SpecLimits.parameterCount(layers: [Int.max, 2], bias: true) == Int.max)
        #expect(SpecLimits.tracedValuesPerStep(layers: [4096, 4096], batch: Int.max) == Int.max)
        // The bound is an upper bound of what a step really traces.
        let spec = try Presets.spec(named: "tanh-relu-softmax")
        var t = Trainer(spec: spec)
        let traced = t.step(1).blocks().reduce(0) { $0 + $1.matrix.values.count }
        let bound = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
        #expect(traced <= bound && bound < 2 * traced, "traced \(traced), bound \(bound)")
    }

    @Test func drawnWeightsMustBeFinite() throws {
        let u = try #require(Self.error(Self.inline(", \"weights\": [null, null], \"init\": {\"low\": -1e308, \"high\": 1e308}")))
        #expect(u.path == "init.high" && u.message.contains("overflows"), "\(u)")
        let n = try #require(Self.error(Self.inline(", \"init\": {\"distribution\": \"normal\", \"std\": 1e308}")))
        #expect(n.path == "init.std" && (n.message.contains("is inf") || n.message.contains("is -inf")), "\(n)")
        // Explicit weights draw nothing, so a huge std does not matter then.
        let explicit = ", \"weights\": [[[0.1, 0.2], [0.3, 0.4]], [[0.1, 0.2], [0.3, 0.4]]], \"biases\": [[0, 0], [0, 0]], \"init\": {\"distribution\": \"normal\", \"std\": 1e308}"
        #expect(Self.error(Self.inline(explicit)) == nil)
    }

    @Test func longColumnNamesAreRefusedAtTheirKeyPath() throws {
        let dir = try Self.folder("long")
        let long = String(repeating: "x", count: 40_000)
        try "a,\(long),c,d\n1,1,1,1\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let e = try #require(Self.error(Self.csvSpec("d.csv", inputs: ["a", long]), in: dir))
        #expect(e.path == "data.inputs[1]" && e.message.contains("1 to 100 characters, found 40000"), "\(e)")
        #expect(e.message.count < 300)
    }

    // MARK: Issue 12: input files

    @Test func inputFilesAreSizeLimitedAndReadQuickly() throws {
        let dir = try Self.folder("big")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/big.json"
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: 177 << 20)   // sparse: 177 MB that take no disk
        try h.close()
        let start = Date()
        #expect(throws: SpecError.self) { try SpecParser.load(path: path) }
        do { _ = try SpecParser.load(path: path) } catch let e as SpecError { #expect(e.message.contains("larger than 64 MiB"), "\(e)") }
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(InputFile.read(path: "/dev/zero", limit: 1 << 20) == .failure(.tooLarge))
        do { _ = try FixtureParser.load(path: path) } catch let e as FixtureErrors { #expect(e.description.contains("larger than 64 MiB"), "\(e)") }
    }

    @Test func deepOrHugeJSONIsRefused() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(Self.error(deep)?.message.contains("nesting deeper than 256 levels") == true)
        let many = Array("[" + String(repeating: "0,", count: 1000) + "0]").map { $0.asciiValue! }
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(bytes: many, maximumValues: 1000) }
        #expect((try? JSONParser.parse(bytes: many, maximumValues: 1002)) != nil)
    }

    // MARK: Issue 14: escaping

    @Test func safeTextEscapesControlAndBidiCharacters() {
        #expect(SafeText.escaped("a\u{1B}[31mb\u{7F}c\u{85}d\u{202E}e\u{2066}f\u{200B}\n") == "a\\u{001B}[31mb\\u{007F}c\\u{0085}d\\u{202E}e\\u{2066}f\\u{200B}\\u{000A}")
        #expect(SafeText.escaped("x\ny", keepNewlines: true) == "x\ny")
        #expect(SafeText.escaped("été 温度 😀") == "été 温度 😀")
        #expect(SafeText.quoted(String(repeating: "z", count: 100)) == "\"" + String(repeating: "z", count: 40) + "…(100 bytes)\"")
        #expect(SafeText.list(["a", "b", "c"], count: 2) == "\"a\", \"b\", and 1 more")
    }

    @Test func specMessagesQuoteShortEscapedTokens() throws {
        let name = try #require(Self.error(Self.inline(", \"name\": \"\\u001b]0;pwned\\u0007" + String(repeating: "n", count: 5000) + "\"")))
        #expect(name.path == "name" && !name.message.unicodeScalars.contains { $0.value < 0x20 } && name.message.count < 300, "\(name)")
        let key = try #require(Self.error(Self.inline(", \"\\u202e" + String(repeating: "k", count: 5000) + "\": 1")))
        #expect(!key.description.unicodeScalars.contains { $0.value == 0x202E } && key.description.count < 500, "\(key.description.prefix(300))")
        let json = try #require(Self.error("{\"layers\": \u{1B}[2J}"))
        #expect(!json.message.unicodeScalars.contains { $0.value == 0x1B }, "\(json)")
    }
}
