import Foundation
import Testing

/// Bad input: each case gets one clear message naming the key path or argument, a non-zero
/// exit code, and no output file (not even a temporary one).
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        /// Spec JSON written to spec.json (nil: no spec file is written).
        let spec: String?
        let args: [String]
        let exit: Int32
        let message: String
        var files: [String: String] = [:]
        var testDescription: String { label }
    }

    /// A valid 2-2-2 spec as ordered members; cases replace or drop members.
    static let base: [(String, String)] = [
        ("name", "\"net\""), ("layers", "[2, 2, 2]"), ("activations", "[\"sigmoid\", \"sigmoid\"]"),
        ("loss", "\"half_sse\""), ("learning_rate", "0.5"),
        ("weights", "[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]]"),
        ("biases", "[[0.35, 0.35], [0.6, 0.6]]"),
        ("data", "{\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01, 0.99]]}"),
    ]

    static func spec(_ changes: [String: String] = [:], removing: Set<String> = [], adding extra: [(String, String)] = []) -> String {
        var members: [String] = []
        for (k, v) in base where !removing.contains(k) { members.append("\"\(k)\": \(changes[k] ?? v)") }
        for (k, v) in extra { members.append("\"\(k)\": \(v)") }
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}\n"
    }

    static let run = ["run", "--spec", "spec.json", "--format", "csv", "--out", "out"]

    static let cases: [Case] = [
        Case(label: "layers missing", spec: spec(removing: ["layers"]), args: run, exit: 65, message: "layers: required key is missing"),
        Case(label: "one layer", spec: spec(["layers": "[2]"]), args: run, exit: 65, message: "layers: expected at least 2 counts"),
        Case(label: "zero neurons", spec: spec(["layers": "[2, 0, 2]"]), args: run, exit: 65, message: "layers[1]: expected a neuron count from 1 to 4096, found 0"),
        Case(label: "fractional neurons", spec: spec(["layers": "[2, 2.5, 2]"]), args: run, exit: 65, message: "layers[1]: expected an integer, found 2.5"),
        Case(label: "misspelt key", spec: spec(adding: [("learning_rat", "0.1")]), args: run, exit: 65, message: "learning_rat: unknown key (did you mean \"learning_rate\"?)"),
        Case(label: "activation count", spec: spec(["activations": "[\"sigmoid\"]"]), args: run, exit: 65, message: "activations: expected 2 activation names"),
        Case(label: "unknown activation", spec: spec(["activations": "[\"sigmod\", \"sigmoid\"]"]), args: run, exit: 65, message: "activations[0]: unknown activation \"sigmod\" (did you mean \"sigmoid\"?)"),
        Case(label: "hidden softmax", spec: spec(["activations": "[\"softmax\", \"sigmoid\"]"]), args: run, exit: 65, message: "activations[0]: softmax is allowed in the output layer only"),
        Case(label: "softmax without cross_entropy", spec: spec(["activations": "[\"sigmoid\", \"softmax\"]"]), args: run, exit: 65, message: "loss: the output layer is softmax, which needs \"cross_entropy\", found \"half_sse\""),
        Case(label: "cross_entropy on tanh", spec: spec(["activations": "[\"sigmoid\", \"tanh\"]", "loss": "\"cross_entropy\""]), args: run, exit: 65, message: "loss: \"cross_entropy\" needs a softmax or sigmoid output layer"),
        Case(label: "unknown loss", spec: spec(["loss": "\"sse\""]), args: run, exit: 65, message: "loss: unknown loss \"sse\""),
        Case(label: "learning rate zero", spec: spec(["learning_rate": "0"]), args: run, exit: 65, message: "learning_rate: expected a number > 0, found 0"),
        Case(label: "learning rate negative", spec: spec(["learning_rate": "-0.5"]), args: run, exit: 65, message: "learning_rate: expected a number > 0, found -0.5"),
        Case(label: "learning rate quoted", spec: spec(["learning_rate": "\"0.5\""]), args: run, exit: 65, message: "learning_rate: expected a number, found a string (\"0.5\": write the number without quotes)"),
        Case(label: "learning rate missing", spec: spec(removing: ["learning_rate"]), args: run, exit: 65, message: "learning_rate: required key is missing"),
        Case(label: "weights rows", spec: spec(["weights": "[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55], [1, 1]]]"]), args: run, exit: 65, message: "weights[1]: expected 2 rows (one per source neuron in layer 1: 2), found 3"),
        Case(label: "weights columns", spec: spec(["weights": "[[[0.15, 0.25], [0.2, 0.3]], [[0.4, 0.5, 0.6], [0.45, 0.55]]]"]), args: run, exit: 65, message: "weights[1][0]: expected 2 numbers (one per target neuron in layer 2: 2), found 3"),
        Case(label: "weight not a number", spec: spec(["weights": "[[[0.15, 0.25], [\"abc\", 0.3]], [[0.4, 0.5], [0.45, 0.55]]]"]), args: run, exit: 65, message: "weights[0][1][0]: expected a number, found a string"),
        Case(label: "weight overflows", spec: spec(["weights": "[[[1e999, 0.25], [0.2, 0.3]], [[0.4, 0.5], [0.45, 0.55]]]"]), args: run, exit: 65, message: "weights[0][0][0]: expected a finite number, found 1e999"),
        Case(label: "NaN literal", spec: spec(["learning_rate": "NaN"]), args: run, exit: 65, message: "not valid JSON at line 6, column 20: expected a value, found 'NaN"),
        Case(label: "trailing comma", spec: "{\"layers\": [2, 2,], \"learning_rate\": 1}", args: run, exit: 65, message: "not valid JSON at line 1, column 18"),
        Case(label: "duplicate key", spec: "{\"layers\": [2, 2], \"layers\": [2, 2]}", args: run, exit: 65, message: "duplicate key \"layers\""),
        Case(label: "bias length", spec: spec(["biases": "[[0.35, 0.35], [0.6]]"]), args: run, exit: 65, message: "biases[1]: expected 2 numbers (one per neuron in layer 2: 2), found 1"),
        Case(label: "biases without bias", spec: spec(adding: [("bias", "false")]), args: run, exit: 65, message: "biases: the spec says \"bias\": false, so it cannot give biases"),
        Case(label: "bias not boolean", spec: spec(adding: [("update_biases", "\"yes\"")]), args: run, exit: 65, message: "update_biases: expected true or false, found \"yes\""),
        Case(label: "batch zero", spec: spec(adding: [("batch", "0")]), args: run, exit: 65, message: "batch: expected a batch size k >= 1, found 0"),
        Case(label: "batch unknown", spec: spec(adding: [("batch", "\"mini\"")]), args: run, exit: 65, message: "batch: expected \"full\", \"sample\" or an integer k >= 1, found \"mini\""),
        Case(label: "update unknown", spec: spec(adding: [("update", "\"later\"")]), args: run, exit: 65, message: "update: unknown update order \"later\"; expected one of simultaneous, immediate"),
        Case(label: "negative l2", spec: spec(adding: [("l2", "-1")]), args: run, exit: 65, message: "l2: expected lambda >= 0, found -1"),
        Case(label: "unknown distribution", spec: spec(removing: ["weights"], adding: [("init", "{\"distribution\": \"gaussian\"}")]), args: run, exit: 65, message: "init.distribution: unknown distribution \"gaussian\""),
        Case(label: "negative seed", spec: spec(removing: ["weights"], adding: [("init", "{\"seed\": -1}")]), args: run, exit: 65, message: "init.seed: expected a seed from 0 to 4294967295"),
        Case(label: "low for normal", spec: spec(adding: [("init", "{\"distribution\": \"normal\", \"low\": 0}")]), args: run, exit: 65, message: "init.low: the normal distribution does not take \"low\""),
        Case(label: "unknown rng", spec: spec(adding: [("init", "{\"rng\": \"pcg64\"}")]), args: run, exit: 65, message: "init.rng: unknown rng \"pcg64\""),
        Case(label: "data missing", spec: spec(removing: ["data"]), args: run, exit: 65, message: "data: required key is missing"),
        Case(label: "input width", spec: spec(["data": "{\"inputs\": [[0.05, 0.1, 1]], \"targets\": [[0.01, 0.99]]}"]), args: run, exit: 65, message: "data.inputs[0]: expected 2 numbers (one per input neuron: 2), found 3"),
        Case(label: "target rows", spec: spec(["data": "{\"inputs\": [[0.05, 0.1], [1, 1]], \"targets\": [[0.01, 0.99]]}"]), args: run, exit: 65, message: "data.targets: expected 2 target rows (one per input row: 2), found 1"),
        Case(label: "bad name", spec: spec(["name": "\"../evil\""]), args: run, exit: 65, message: "name: expected 1 to 100 ASCII letters, digits, '-', '_' or '.', found \"../evil\""),
        Case(label: "missing data file", spec: spec(["data": "{\"csv\": \"nope.csv\", \"inputs\": [\"a\", \"b\"], \"targets\": [\"c\", \"d\"]}"]), args: run, exit: 66, message: "data.csv: the data file nope.csv does not exist"),
        Case(label: "missing column", spec: spec(["data": "{\"csv\": \"d.csv\", \"inputs\": [\"x1\", \"x3\"], \"targets\": [\"t1\", \"t2\"]}"]), args: run, exit: 65,
             message: "data.inputs[1]: column \"x3\" is not in d.csv's header (x1, x2, t1, t2)", files: ["d.csv": "x1,x2,t1,t2\n0.05,0.1,0.01,0.99\n"]),
        Case(label: "non-numeric cell", spec: spec(["data": "{\"csv\": \"d.csv\", \"inputs\": [\"x1\", \"x2\"], \"targets\": [\"t1\", \"t2\"]}"]), args: run, exit: 65,
             message: "data.csv: d.csv line 3, column \"x2\": expected a finite number, found \"abc\"", files: ["d.csv": "x1,x2,t1,t2\n0.05,0.1,0.01,0.99\n1,abc,0,1\n"]),
        Case(label: "nan cell", spec: spec(["data": "{\"csv\": \"d.csv\", \"inputs\": [\"x1\", \"x2\"], \"targets\": [\"t1\", \"t2\"]}"]), args: run, exit: 65,
             message: "data.csv: d.csv line 2, column \"t1\": expected a finite number, found \"nan\"", files: ["d.csv": "x1,x2,t1,t2\n0.05,0.1,nan,0.99\n"]),
        Case(label: "spec file missing", spec: nil, args: run, exit: 66, message: "spec.json: the spec file spec.json does not exist"),
        Case(label: "steps zero", spec: spec(), args: run + ["--steps", "0"], exit: 64, message: "--steps must be at least 1, found 0"),
        Case(label: "unknown format", spec: spec(), args: ["run", "--spec", "spec.json", "--format", "csv,pdf", "--out", "out"], exit: 64, message: "--format: unknown format \"pdf\""),
        Case(label: "unknown preset", spec: nil, args: ["run", "--preset", "mazur", "--format", "csv", "--out", "out"], exit: 64, message: "--preset: unknown preset \"mazur\""),
        Case(label: "preset and spec", spec: spec(), args: run + ["--preset", "xor"], exit: 64, message: "give either --preset or --spec, not both"),
        Case(label: "unwritable output folder", spec: spec(), args: ["run", "--spec", "spec.json", "--format", "csv", "--out", "/proc"], exit: 73, message: "cannot write to the folder /proc"),
        Case(label: "output folder is a file", spec: spec(), args: ["run", "--spec", "spec.json", "--format", "csv", "--out", "spec.json"], exit: 73, message: "--out: spec.json is a file, not a folder"),
    ]

    @Test(arguments: cases)
    func rejected(_ c: Case) throws {
        let dir = try CLI.scratch("bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if let spec = c.spec { try spec.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8) }
        for (name, text) in c.files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        let before = CLI.files(in: dir)
        let r = try CLI.run(c.args, in: dir)
        #expect(r.status == c.exit, "exit code; stderr: \(r.stderr)")
        #expect(r.stderr.contains(c.message), "stderr was: \(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See ") && !$0.isEmpty }
        #expect(lines.count == 1, "one message, found: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(CLI.files(in: dir) == before, "no output file (not even a temporary one)")
    }

    @Test func existingOutputIsKeptWithoutForce() throws {
        let dir = try CLI.scratch("exists")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.spec().write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try "keep me".write(toFile: dir + "/out/net.csv", atomically: true, encoding: .utf8)
        let r = try CLI.run(Self.run, in: dir)
        #expect(r.status == 73)
        #expect(r.stderr.contains("out/net.csv exists; add --force to overwrite it"))
        #expect(try String(contentsOfFile: dir + "/out/net.csv", encoding: .utf8) == "keep me")
        let forced = try CLI.run(Self.run + ["--force"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: dir + "/out/net.csv", encoding: .utf8).hasPrefix("step,layer,quantity,row,col,value"))
        #expect(CLI.files(in: dir + "/out") == ["net.csv"])
    }

    @Test func nonFiniteValueStopsTheRunAndKeepsTheTrace() throws {
        // A linear network with a huge learning rate diverges: squares overflow to inf.
        let dir = try CLI.scratch("nonfinite")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "diverge", "layers": [1, 1], "activations": ["linear"], "learning_rate": 100,
         "weights": [[[1]]], "biases": [[0]], "data": {"inputs": [[3]], "targets": [[1]]}}
        """.write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "spec.json", "--format", "csv", "--steps", "500", "--out", "."], in: dir)
        #expect(r.status == 1)
        let message = try #require(r.stderr.split(separator: "\n").last.map(String.init))
        #expect(message.contains("training stopped: step "), "\(r.stderr)")
        #expect(message.contains(", layer 1, quantity "))
        #expect(message.contains("cell (row 1, col 1) is "))
        let csv = try String(contentsOfFile: dir + "/diverge.csv", encoding: .utf8)
        let rows = csv.split(separator: "\n").dropFirst()
        #expect(rows.count > 100)
        #expect(rows.allSatisfy { Double($0.split(separator: ",")[5])!.isFinite })
        #expect(csv.hasSuffix("\n"))
        // Everything traced before the first non-finite value is kept: the trace ends inside the
        // step the message names, and the steps before it are complete.
        let lastStep = rows.last!.split(separator: ",")[0]
        #expect(message.contains("training stopped: step \(lastStep), "), "\(message)")
        let previous = rows.filter { $0.split(separator: ",")[0] == "\(Int(lastStep)! - 1)" }
        #expect(previous.last?.split(separator: ",")[2] == "b_new")
    }
}
