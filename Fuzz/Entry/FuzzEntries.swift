// The fuzz targets' entry logic, shared by the libFuzzer binary (compiled with the sources of
// BPTrace and BPTraceCheck into one module BPTrace, with -D BPTRACE_FUZZ_TARGET, see scripts/fuzz.sh) and by the CI replay
// (Tests/BPTraceTests/FuzzCorpusReplayTests.swift, through the symlink
// Tests/BPTraceTests/FuzzEntries.swift). One function per target; each takes the raw input
// bytes, never throws and never writes outside its sandbox folder. A trap is the finding.
import Foundation
#if !BPTRACE_FUZZ_TARGET
@testable import BPTrace
@testable import BPTraceCheck
#endif

enum FuzzEntry {
    /// The targets, in the order scripts/fuzz.sh runs them.
    static let targets = ["spec", "fixture", "csv", "names", "trace"]

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "spec": spec(bytes)
        case "fixture": fixture(bytes)
        case "csv": csv(bytes)
        case "names": names(bytes)
        case "trace": trace(bytes)
        default: fatalError("unknown fuzz target \(target)")
        }
    }

    /// A folder of this process for relative paths in specs and fixtures: `spec.json` (the
    /// mazur-2015 preset), `data.csv` (two inputs, two targets) and the csv target's input file.
    static let sandbox: String = {
        // Memory-backed where there is /dev/shm (the csv target writes its input once per run).
        let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/bptrace-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/spec.json", contents: Data(Presets.preset(named: "mazur-2015")!.json.utf8))
        _ = FileManager.default.createFile(atPath: dir + "/data.csv", contents: Data("x1,x2,y1,y2\n0.05,0.1,0.01,0.99\n".utf8))
        atexit { try? FileManager.default.removeItem(atPath: FuzzEntry.sandbox) }
        return dir
    }()

    /// Harness guard, not a parser fix: a path into /dev, /proc or /sys (or out of the sandbox
    /// with .., which from /dev/shm/x reaches /dev) would make the parser read a device such as
    /// /dev/zero or /dev/stdin forever.
    /// That is recorded as a CLI finding (docs/FUZZING.md); here it would only stall the fuzzer.
    static func touchesDevices(_ text: String) -> Bool {
        guard let json = try? JSONParser.parse(text) else { return false }
        func bad(_ v: JSONValue) -> Bool {
            switch v {
            case .string(let s): return s.contains("..") || s.contains("/dev") || s.contains("/proc") || s.contains("/sys")
            case .array(let a): return a.contains(where: bad)
            case .object(let m): return m.contains { bad($0.value) }
            default: return false
            }
        }
        return bad(json)
    }

    /// The spec parser: JSON syntax, then every validation rule (no training, no parameter draws).
    static func spec(_ bytes: [UInt8]) {
        guard let text = String(bytes: bytes, encoding: .utf8), !touchesDevices(text) else { return }
        _ = try? SpecParser.parse(text: text, baseDirectory: sandbox)
    }

    /// The fixture parser: header, the spec (inline, a path, a preset, `with` variants) and every
    /// entry's name, coordinates, written number, tolerance, status and convention.
    static func fixture(_ bytes: [UInt8]) {
        guard let text = String(bytes: bytes, encoding: .utf8), !touchesDevices(text) else { return }
        _ = try? FixtureParser.parse(text: text, file: "fuzz.json", baseDirectory: sandbox)
    }

    static let csvSpecs = [
        #"{"layers": [2, 2, 2], "learning_rate": 0.5, "data": {"csv": "fuzz.csv", "inputs": ["x1", "x2"], "targets": ["y1", "y2"]}}"#,
        #"{"layers": [1, 1], "loss": "cross_entropy", "learning_rate": 0.5, "data": {"csv": "fuzz.csv", "inputs": ["x1"], "targets": ["y1"]}}"#,
    ]

    /// The columns the csv entry asks the reader for (the sandbox specs' names).
    static let csvColumns = ["x1", "x2", "y1", "y2"].enumerated().map { CSVTable.Wanted(name: $1, keyPath: "data.inputs[\($0)]") }

    /// The data CSV reader (CSVTable loads from a path, so the input is written to the sandbox),
    /// then the spec's column lookup and number reading over that file.
    static func csv(_ bytes: [UInt8]) {
        let path = sandbox + "/fuzz.csv"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        _ = try? CSVTable.load(path: path, shownAs: "fuzz.csv", wanted: csvColumns, maximumRows: 1_000_000)
        for spec in csvSpecs { _ = try? SpecParser.parse(text: spec, baseDirectory: sandbox) }
    }

    /// Networks for the name grammar: every preset, parsed once.
    static let nameSpecs: [ValueNames] = Presets.all.map { ValueNames(spec: try! SpecParser.parse(text: $0.json)) }

    /// The name grammar: byte 0 picks a preset, byte 1 the entry's sample/step fields, the rest
    /// is the name (`net_h1`, `dE_total/dw5`, `w5+`, `E_total@2`, `a(2)[1,1]`, ...). The same
    /// text is also read as a written number and as a convention.
    static func names(_ bytes: [UInt8]) {
        guard bytes.count >= 2, let text = String(bytes: bytes[2...], encoding: .utf8) else { return }
        let names = nameSpecs[Int(bytes[0]) % nameSpecs.count]
        let sample: Int? = bytes[1] & 1 == 0 ? nil : Int(bytes[1] >> 4)
        let step: Int? = bytes[1] & 2 == 0 ? nil : Int(bytes[1] >> 2 & 3) + 1
        _ = try? ValueNames.splitSelectors(text)
        _ = try? names.resolve(text, sample: sample, step: step)
        _ = WrittenNumber(text)
        _ = Convention.parse(text.split(separator: "+").map(String.init))
    }

    /// Networks for the trace reader: every preset, parsed once.
    static let traceSpecs: [NetworkSpec] = Presets.all.map { try! SpecParser.parse(text: $0.json) }

    /// A student's trace CSV (`StudentTraceReader`): byte 0 picks the preset the trace is read
    /// for, the rest is the file (header, quoting, line ends, every line's cell and number).
    static func trace(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let spec = traceSpecs[Int(first) % traceSpecs.count]
        _ = try? StudentTraceReader.read(bytes: Array(bytes.dropFirst()), file: "fuzz.csv", spec: spec)
    }
}
