import Foundation
import Testing

/// The CSV trace as other tools read it: Python's csv module and pandas read it, and an
/// independent plain-Python implementation of docs/SPEC.md, "Conventions" (scripts/crosscheck_trace.py)
/// recomputes every value of every step from the trace's own x, y, W and b.
@Suite struct TraceCSVTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The cross-check's result; its report and its errors together in `stdout`.
    static func crosscheck(spec: String, csv: String) throws -> CLI.Result {
        let r = try Subprocess.run("python3", [root + "/scripts/crosscheck_trace.py", spec, csv])
        return CLI.Result(status: r.status, stdout: r.stdout + r.stderr, stderr: "")
    }

    static let variants: [(String, String)] = [
        ("no-bias-mse-sample", """
        {"name": "no-bias-mse-sample", "layers": [3, 4, 2], "activations": ["tanh", "linear"], "loss": "mse",
         "learning_rate": 0.05, "batch": "sample", "bias": false, "init": {"distribution": "normal", "std": 0.5, "seed": 11},
         "data": {"inputs": [[1, 2, 3], [0.5, -1, 2], [-2, 0, 1]], "targets": [[0.1, 0.2], [0.3, -0.4], [1, 0]]}}
        """),
        ("deep-immediate-l2-k2", """
        {"name": "deep-immediate-l2-k2", "layers": [2, 3, 3, 2], "activations": ["relu", "sigmoid", "sigmoid"],
         "loss": "cross_entropy", "learning_rate": 0.3, "batch": 2, "update": "immediate", "l2": 0.01,
         "update_biases": false, "init": {"distribution": "he_normal", "seed": 5},
         "data": {"inputs": [[1, 0.5], [0.2, -1], [-0.7, 0.3]], "targets": [[1, 0], [0, 1], [0.5, 0.5]]}}
        """),
        ("hinge-one-layer", """
        {"name": "hinge-one-layer", "layers": [3, 3], "activations": ["linear"], "loss": "hinge", "learning_rate": 0.1,
         "weights": [[[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]], "biases": [[0.1, -0.2, 0.3]],
         "data": {"inputs": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}}
        """),
        ("hinge-deep-k2-l2", """
        {"name": "hinge-deep-k2-l2", "layers": [2, 4, 3, 4], "activations": ["tanh", "relu", "linear"], "loss": "hinge",
         "learning_rate": 0.2, "batch": 2, "l2": 0.01, "init": {"distribution": "normal", "std": 0.9, "seed": 7},
         "data": {"inputs": [[1, 0.5], [0.2, -1], [-0.7, 0.3], [0.9, 0.9], [-1.2, -0.4]],
                  "targets": [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]}}
        """),
        ("hinge-sample-immediate", """
        {"name": "hinge-sample-immediate", "layers": [3, 5, 3], "activations": ["sigmoid", "linear"], "loss": "hinge",
         "learning_rate": 0.5, "batch": "sample", "update": "immediate", "init": {"distribution": "uniform", "low": -2, "high": 2, "seed": 3},
         "data": {"inputs": [[1, 2, 3], [0.5, -1, 2], [-2, 0, 1]], "targets": [[0, 1, 0], [0, 0, 1], [1, 0, 0]]}}
        """),
        ("sum-loss", """
        {"name": "sum-loss", "layers": [2, 1], "activations": ["sigmoid"], "loss": "sum", "learning_rate": 0.1,
         "weights": [[[2], [-3]]], "biases": [[-3]], "data": {"inputs": [[-1, -2]], "targets": [[0]]}}
        """),
    ]

    @Test(arguments: ["mazur-2015", "mazur-2015-immediate", "analytics-vidhya", "tanh-relu-softmax", "xor"])
    func presetTraceIsRecomputedIndependently(_ preset: String) throws {
        let dir = try CLI.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let show = try CLI.run(["presets", "--show", preset], in: dir)
        try show.stdout.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--preset", preset, "--steps", "25", "--format", "csv", "--out", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "./\(preset).csv\n")
        let check = try Self.crosscheck(spec: dir + "/spec.json", csv: dir + "/\(preset).csv")
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("crosscheck: OK: 25 steps"))
    }

    @Test(arguments: variants.map(\.0))
    func variantTraceIsRecomputedIndependently(_ name: String) throws {
        let dir = try CLI.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.variants.first { $0.0 == name }!.1.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "spec.json", "--steps", "12", "--format", "csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let check = try Self.crosscheck(spec: dir + "/spec.json", csv: dir + "/\(name).csv")
        #expect(check.status == 0, "\(check.stdout)")
    }

    /// A change of 3.4e-9 relative (docs/SPEC.md allows 1e-9 between implementations) is caught.
    @Test func crosscheckCatchesAnErrorJustAboveTheAllowedTolerance() throws {
        let dir = try CLI.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["presets", "--show", "mazur-2015"], in: dir).stdout.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        _ = try CLI.run(["run", "--steps", "2", "--format", "csv"], in: dir)
        let csv = try String(contentsOfFile: dir + "/mazur-2015.csv", encoding: .utf8)
        #expect(csv.contains("1,1,a,1,1,0.5932699921071872,4\n"))
        try csv.replacingOccurrences(of: "1,1,a,1,1,0.5932699921071872,4", with: "1,1,a,1,1,0.5932699941071872,4")
            .write(toFile: dir + "/mazur-2015.csv", atomically: true, encoding: .utf8)
        let check = try Self.crosscheck(spec: dir + "/spec.json", csv: dir + "/mazur-2015.csv")
        #expect(check.status == 1)
        #expect(check.stdout.contains("step 1 layer 1 a[1,1]"), "\(check.stdout)")
    }

    @Test func twoRunsAreByteIdentical() throws {
        let dir = try CLI.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for out in ["one", "two"] {
            let r = try CLI.run(["run", "--preset", "tanh-relu-softmax", "--steps", "40", "--format", "csv", "--out", out], in: dir)
            #expect(r.status == 0)
        }
        let one = try Data(contentsOf: URL(fileURLWithPath: dir + "/one/tanh-relu-softmax.csv"))
        let two = try Data(contentsOf: URL(fileURLWithPath: dir + "/two/tanh-relu-softmax.csv"))
        #expect(one == two)
        #expect(one.count > 10_000)
    }

    @Test func dataFromACSVFileRelativeToTheSpec() throws {
        let dir = try CLI.scratch("csv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/specs", withIntermediateDirectories: true)
        try "i1,i2,\"target, first\",t2\r\n0.05,0.10,0.01,0.99\r\n".write(toFile: dir + "/specs/data.csv", atomically: true, encoding: .utf8)
        let inline = try CLI.run(["presets", "--show", "mazur-2015"], in: dir).stdout
        let fromFile = inline.replacingOccurrences(of: #""data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}"#,
                                                   with: #""data": {"csv": "data.csv", "inputs": ["i1", "i2"], "targets": ["target, first", "t2"]}"#)
        #expect(fromFile != inline)
        try fromFile.write(toFile: dir + "/specs/net.json", atomically: true, encoding: .utf8)
        let a = try CLI.run(["run", "--spec", "specs/net.json", "--steps", "3", "--format", "csv", "--out", "file"], in: dir)
        let b = try CLI.run(["run", "--preset", "mazur-2015", "--steps", "3", "--format", "csv", "--out", "inline"], in: dir)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/file/mazur-2015.csv")) == Data(contentsOf: URL(fileURLWithPath: dir + "/inline/mazur-2015.csv")))
    }
}
