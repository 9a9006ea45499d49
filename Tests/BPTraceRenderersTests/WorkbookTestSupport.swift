import Foundation
import Testing
import BPTrace
@testable import BPTraceRenderers

/// Shared pieces of the workbook tests: writing a workbook through the real sink, running the
/// Python helpers (LibreOffice through UNO, openpyxl) as subprocesses, and the specs that cover
/// every activation, loss, batch mode and formula shape. A helper that is missing makes a test
/// fail with a message saying what to install; nothing is skipped.
enum WorkbookTestSupport {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func script(_ name: String) -> String { repoRoot.appendingPathComponent("scripts").appendingPathComponent(name).path }

    /// A fresh folder under the system's temporary folder.
    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/bptrace-wb-test-XXXXXX").utf8CString)
        guard let p = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestFailure("cannot create a temporary folder")
        }
        return String(cString: p)
    }

    struct Written {
        let path: String
        let formulas: Int
        let outcome: TraceOutcome
        let notes: [String]
    }

    /// Runs `spec` for `steps` steps through a `WorkbookWriter` into `dir/<name>.xlsx`.
    static func writeWorkbook(_ spec: NetworkSpec, steps: Int, options: RenderOptions = RenderOptions(),
                              in dir: String, name: String? = nil) throws -> Written {
        let path = dir + "/" + (name ?? spec.name) + ".xlsx"
        let writer = try WorkbookWriter(destination: path, overwrite: true, options: options)
        let outcome = try TraceRunner.run(spec: spec, steps: steps, sinks: [writer])
        return Written(path: path, formulas: writer.formulaCount, outcome: outcome, notes: writer.notes)
    }

    struct ProcessResult {
        let status: Int32
        let stdout: Data
        let stderr: String
    }

    /// Runs a program and waits; stdout is captured, stderr goes through a file (no pipe deadlock).
    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let out = Pipe()
        let errPath = NSTemporaryDirectory() + "/bptrace-wb-stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = out
        p.standardError = errHandle
        do { try p.run() } catch {
            throw TestFailure("cannot run \(executable): \(error)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try errHandle.close()
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: errPath)
        return ProcessResult(status: p.terminationStatus, stdout: data, stderr: err)
    }

    // MARK: LibreOffice

    /// A cell value as LibreOffice reports it; `error` for a cell whose formula failed (#NAME?, #NUM!).
    enum Value: Decodable, Equatable {
        case number(Double)
        case text(String)
        case error
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .error }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .text(try c.decode(String.self)) }
        }
        var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    }

    struct RecalcReport: Decodable {
        struct Mismatch: Decodable, CustomStringConvertible {
            let sheet: String
            let cell: String
            let formula: String
            let cached: Value
            let recalculated: Value
            var description: String { "\(sheet)!\(cell) \(formula): cached \(cached), LibreOffice \(recalculated)" }
        }
        struct File: Decodable {
            let path: String
            let sheets: [String]
            let formulaCells: Int
            let mismatchCount: Int
            let mismatches: [Mismatch]
            let dump: [String: [[Value]]]?
        }
        let files: [File]
    }

    /// `scripts/xlsx_recalc.py` under the system Python (LibreOffice's `uno` module).
    static func recalculate(_ paths: [String], edits: [String] = [], dump: [String] = []) throws -> RecalcReport {
        var args = [script("xlsx_recalc.py")] + paths
        for e in edits { args += ["--set", e] }
        for d in dump { args += ["--dump", d] }
        let r = try run("/usr/bin/python3", args)
        guard r.status == 0 else {
            throw TestFailure("xlsx_recalc.py failed (status \(r.status)); it needs libreoffice-calc-nogui and python3-uno: \(r.stderr)")
        }
        do { return try JSONDecoder().decode(RecalcReport.self, from: r.stdout) } catch {
            throw TestFailure("cannot read xlsx_recalc.py's output: \(error); stderr: \(r.stderr)")
        }
    }

    // MARK: Gnumeric

    /// `scripts/xlsx_recalc_gnumeric.py`: `ssconvert --recalc`, then every formula cell's
    /// Gnumeric value against the cached one (same report shape as `recalculate`).
    static func recalculateInGnumeric(_ paths: [String]) throws -> GnumericReport {
        let python = try pythonWithOpenpyxl()
        let args = (python == "/usr/bin/env" ? ["python3"] : []) + [script("xlsx_recalc_gnumeric.py")] + paths
        let r = try run(python, args)
        guard r.status == 0 else {
            throw TestFailure("xlsx_recalc_gnumeric.py failed (status \(r.status)); it needs gnumeric (ssconvert) and openpyxl: \(r.stderr)")
        }
        do { return try JSONDecoder().decode(GnumericReport.self, from: r.stdout) } catch {
            throw TestFailure("cannot read xlsx_recalc_gnumeric.py's output: \(error); stderr: \(r.stderr)")
        }
    }

    struct GnumericReport: Decodable {
        struct Mismatch: Decodable, CustomStringConvertible {
            let sheet: String
            let cell: String
            let formula: String
            let cached: Double?
            let recalculated: Double?
            let error: String?
            var description: String {
                "\(sheet)!\(cell) \(formula): cached \(cached.map { "\($0)" } ?? "-"), Gnumeric \(recalculated.map { "\($0)" } ?? error ?? "-")"
            }
        }
        struct File: Decodable {
            let path: String
            let sheets: [String]
            let formulaCells: Int
            let recalculatedFormulaCells: Int
            let mismatchCount: Int
            let mismatches: [Mismatch]
        }
        let files: [File]
    }

    // MARK: openpyxl

    struct FillDump: Decodable {
        struct Sheet: Decodable {
            let fills: [String: String]
            let formulas: [String: String]
            let texts: [String: String]
            let numbers: [String: Double]
            let formats: [String: String]
        }
        let sheets: [String]
        let dump: [String: Sheet]
    }

    /// A Python that has openpyxl: `python3` on the PATH, else the system one.
    static func pythonWithOpenpyxl() throws -> String {
        for candidate in ["/usr/bin/env", "/usr/bin/python3"] {
            let args = candidate == "/usr/bin/env" ? ["python3", "-c", "import openpyxl"] : ["-c", "import openpyxl"]
            if let r = try? run(candidate, args), r.status == 0 { return candidate }
        }
        throw TestFailure("openpyxl is not installed for python3 (pip install openpyxl)")
    }

    static func readFills(_ path: String, sheets: [String] = [], prefixes: [String] = []) throws -> FillDump {
        let python = try pythonWithOpenpyxl()
        var args = (python == "/usr/bin/env" ? ["python3"] : []) + [script("xlsx_fills.py"), path]
        for s in sheets { args += ["--sheet", s] }
        for p in prefixes { args += ["--prefix", p] }
        let r = try run(python, args)
        guard r.status == 0 else { throw TestFailure("xlsx_fills.py failed: \(r.stderr)") }
        return try JSONDecoder().decode(FillDump.self, from: r.stdout)
    }

    // MARK: Comparing numbers

    /// The tolerance of the recalculation check: relative 1e-9, absolute 1e-12 near zero.
    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-12) -> Bool {
        let d = abs(a - b)
        return d <= absolute || d <= relative * max(abs(a), abs(b))
    }

    // MARK: Specs

    static func preset(_ name: String) throws -> NetworkSpec { try Presets.spec(named: name) }

    static func spec(_ json: String) throws -> NetworkSpec { try SpecParser.parse(text: json) }

    /// A preset or one of `customSpecs()`, by name (test arguments are names, readable in reports).
    static func spec(named name: String) throws -> NetworkSpec {
        if let p = Presets.preset(named: name) { return try SpecParser.parse(text: p.json) }
        guard let s = try (customSpecs() + extremeSpecs() + optimizerSpecs()).first(where: { $0.name == name }) else { throw TestFailure("no spec named \(name)") }
        return s
    }

    static let customNames = ["relu-linear-mse", "tanh-sigmoid-ce", "nobias-sum", "wide-relu-softmax", "wide-tanh-sse",
                              "wide-linear-sum", "deep-mse-l2", "hinge-relu-k2-l2", "wide-hinge"]

    /// Deterministic sample values in [-1, 1].
    static func wave(_ i: Int, _ j: Int) -> Double {
        (sin(Double(i * 7 + j * 3) * 0.37) * 1000).rounded() / 1000
    }

    static func rows(_ n: Int, _ m: Int, _ f: (Int, Int) -> Double) -> String {
        "[" + (0..<n).map { i in "[" + (0..<m).map { j in String(f(i, j)) }.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }

    /// Specs beyond the presets, together covering every activation, every loss (hinge with
    /// and without its helper terms, and
    /// cross-entropy on softmax and on sigmoid), bias off, fixed biases with L2, the immediate
    /// order, batch modes sample and k, and the long-sum forms (MMULT, SUMPRODUCT, SUMXMY2, SUM)
    /// that sums of more than `StepSheetLayout.explicitTerms` terms use.
    static func customSpecs() throws -> [NetworkSpec] {
        let oneHot13 = rows(13, 13) { i, j in i == j ? 1 : 0 }
        return [
            try spec("""
            {"name": "relu-linear-mse", "layers": [3, 4, 2], "activations": ["relu", "linear"], "loss": "mse",
             "learning_rate": 0.05, "batch": 2, "init": {"distribution": "uniform", "low": -1, "high": 1, "seed": 3},
             "data": {"inputs": \(rows(5, 3, wave)), "targets": \(rows(5, 2) { wave($0 + 9, $1) })}}
            """),
            try spec("""
            {"name": "tanh-sigmoid-ce", "layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "loss": "cross_entropy",
             "learning_rate": 0.3, "batch": "sample", "l2": 0.01, "update": "immediate", "update_biases": false,
             "init": {"distribution": "normal", "mean": 0, "std": 0.8, "seed": 11},
             "data": {"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]]}}
            """),
            try spec("""
            {"name": "nobias-sum", "layers": [2, 2, 2], "activations": ["sigmoid", "linear"], "loss": "sum",
             "learning_rate": 0.1, "bias": false, "init": {"distribution": "uniform", "seed": 5},
             "data": {"inputs": [[0.5, -0.2], [0.1, 0.9]], "targets": [[0, 0], [0, 0]]}}
            """),
            try spec("""
            {"name": "wide-relu-softmax", "layers": [14, 13, 13], "activations": ["relu", "softmax"], "loss": "cross_entropy",
             "learning_rate": 0.2, "init": {"distribution": "he_normal", "seed": 1},
             "data": {"inputs": \(rows(13, 14, wave)), "targets": \(oneHot13)}}
            """),
            try spec("""
            {"name": "wide-tanh-sse", "layers": [13, 2, 7], "activations": ["tanh", "sigmoid"], "loss": "half_sse",
             "learning_rate": 0.5, "update": "immediate", "init": {"distribution": "xavier_uniform", "seed": 4},
             "data": {"inputs": \(rows(13, 13, wave)), "targets": \(rows(13, 7) { (wave($0, $1) + 1) / 2 })}}
            """),
            try spec("""
            {"name": "wide-linear-sum", "layers": [2, 3, 13], "activations": ["sigmoid", "linear"], "loss": "sum",
             "learning_rate": 0.01, "batch": 1, "init": {"distribution": "uniform", "low": -0.5, "high": 0.5, "seed": 8},
             "data": {"inputs": [[0.3, 0.7], [0.9, 0.1]], "targets": \(rows(2, 13) { _, _ in 0 })}}
            """),
            try spec("""
            {"name": "deep-mse-l2", "layers": [3, 4, 3, 2], "activations": ["sigmoid", "tanh", "sigmoid"], "loss": "mse",
             "learning_rate": 0.4, "batch": "full", "l2": 0.05, "init": {"distribution": "uniform", "seed": 9},
             "data": {"inputs": \(rows(4, 3, wave)), "targets": \(rows(4, 2) { (wave($0 + 2, $1) + 1) / 2 })}}
            """),
            try spec("""
            {"name": "hinge-relu-k2-l2", "layers": [3, 4, 3], "activations": ["relu", "linear"], "loss": "hinge",
             "learning_rate": 0.3, "batch": 2, "l2": 0.02, "init": {"distribution": "uniform", "low": -1.5, "high": 1.5, "seed": 6},
             "data": {"inputs": \(rows(5, 3, wave)), "targets": \(rows(5, 3) { i, j in (i % 3) == j ? 1 : 0 })}}
            """),
            try spec("""
            {"name": "wide-hinge", "layers": [14, 3, 13], "activations": ["relu", "linear"], "loss": "hinge",
             "learning_rate": 0.2, "init": {"distribution": "normal", "std": 0.7, "seed": 2},
             "data": {"inputs": \(rows(13, 14, wave)), "targets": \(oneHot13)}}
            """),
        ]
    }
}

extension WorkbookTestSupport {
    static let extremeNames = ["saturated-sigmoid-sse", "saturated-tanh-softmax-ce", "saturated-relu-sigmoid-ce", "diverging-sigmoid-mse"]

    /// Networks at the edge of Float64, where a naive spreadsheet formula overflows although the
    /// engine's value is finite: sigmoids of z ≈ ±800 (exp(−z) overflows to +∞ in the engine,
    /// whose 1/(1+∞) is 0), z just above and below −709.78 (where exp(−z) overflows), a
    /// softmax of z ≈ ±900 whose probabilities are exactly 0 and 1 or 3.6e-305 (ln ≈ −700),
    /// sigmoid cross-entropy on outputs of exactly 0 and 1 (14 terms: helper cells), and a network whose learning rate
    /// makes it diverge until its values (and MSE loss) are near 1e304 and the engine stops
    /// it at the first non-finite value.
    static func extremeSpecs() throws -> [NetworkSpec] {
        [
            try spec("""
            {"name": "saturated-sigmoid-sse", "layers": [2, 3, 2], "activations": ["sigmoid", "sigmoid"], "loss": "half_sse",
             "learning_rate": 0.5, "update_biases": true,
             "weights": [[[400, -360, 1], [400, 354.9, -0.5]], [[300, -300], [-800, 800], [2, 1]]],
             "biases": [[0, 0, 0], [0, -0.5]],
             "data": {"inputs": [[1, 1], [1, -1], [-1, 0.5], [-1, -1], [0.1, -1.87375], [-0.9, -0.9]],
                      "targets": [[1, 0], [0, 1], [0.5, 0.5], [0, 0], [1, 1], [0.2, 0.8]]}}
            """),
            try spec("""
            {"name": "saturated-tanh-softmax-ce", "layers": [2, 3, 3], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
             "learning_rate": 0.5,
             "weights": [[[500, -500, 3], [300, 400, -2]], [[400, -400, 0], [-300, 500, 1], [1, 1, 1]]],
             "biases": [[0, 0, 0], [0, 0, 0]],
             "data": {"inputs": [[1, 1], [1, -1], [-1, 0.5]], "targets": [[1, 0, 0], [0, 0, 1], [0, 1, 0]]}}
            """),
            try spec("""
            {"name": "saturated-relu-sigmoid-ce", "layers": [2, 2, 2], "activations": ["relu", "sigmoid"], "loss": "cross_entropy",
             "learning_rate": 0.1,
             "weights": [[[400, -400], [300, 350]], [[1, -1], [-2, 2]]],
             "biases": [[0, 0], [0, 0]],
             "data": {"inputs": [[1, 1], [1, -1], [-1, 0.5], [0.5, 0.5], [-1, -1], [0.01, 0.02], [2, -2]],
                      "targets": [[1, 0], [1, 0], [0, 1], [1, 0], [0, 1], [0, 1], [1, 0]]}}
            """),
            try spec("""
            {"name": "diverging-sigmoid-mse", "layers": [2, 3, 2], "activations": ["sigmoid", "linear"], "loss": "mse",
             "learning_rate": 5000, "update_biases": true,
             "weights": [[[0.5, -0.4, 0.3], [0.2, 0.6, -0.1]], [[0.7, -0.3], [0.4, 0.9], [-0.6, 0.2]]],
             "biases": [[0.1, -0.1, 0.2], [0.05, -0.05]],
             "data": {"inputs": [[1, 2], [-1, 0.5], [2, -1]], "targets": [[3, -2], [-1, 4], [2, 2]]}}
            """),
        ]
    }

    /// Steps to run an extreme spec for: the diverging one until the engine stops it.
    static func extremeSteps(_ spec: NetworkSpec) -> Int { spec.name.hasPrefix("diverging") ? 60 : 4 }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
