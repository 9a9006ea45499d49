import Foundation
import Testing

/// The hinge loss through the command line: refused specs exit 65 naming the key, and the
/// cs231n fixtures pass `bptrace check` (with `--explain` too).
@Suite struct HingeCLITests {
    @Test func nonOneHotTargetIsRefusedWithTheKeyPath() throws {
        let dir = try CLI.scratch("hinge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "bad", "layers": [2, 3], "activations": ["linear"], "loss": "hinge", "learning_rate": 0.1,
         "data": {"inputs": [[1, 2], [3, 4]], "targets": [[0, 1, 0], [0.2, 0.8, 0]]}}
        """.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "bad.json", "--format", "csv,xlsx,md", "--out", "."], in: dir)
        #expect(r.status == 65)
        #expect(r.stderr.contains("data.targets[1][0]") && r.stderr.contains("one-hot"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bad.json"], "no output is written")
    }

    @Test func nonLinearOutputIsRefusedWithTheKeyPath() throws {
        let dir = try CLI.scratch("hinge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "bad", "layers": [2, 2, 3], "activations": ["tanh", "sigmoid"], "loss": "hinge", "learning_rate": 0.1,
         "data": {"inputs": [[1, 2]], "targets": [[0, 1, 0]]}}
        """.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", "--spec", "bad.json", "--format", "csv"], in: dir)
        #expect(r.status == 65)
        #expect(r.stderr.contains("activations[1]") && r.stderr.contains("linear output layer"), "\(r.stderr)")
    }

    @Test(arguments: ["cs231n-hinge.json", "cs231n-hinge-softmax.json"])
    func cs231nFixturesPass(_ file: String) throws {
        let r = try CLI.run(["check", "Fixtures/" + file])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains(" 0 failed"))
        let e = try CLI.run(["check", "--explain", "Fixtures/" + file])
        #expect(e.status == 0, "\(e.stdout)\(e.stderr)")
    }

    /// Finite differences agree with backprop on a deep hinge network (batch 2, l2) whose
    /// margins stay away from 0, and a frozen fixture of a hinge run checks back.
    @Test func gradcheckAndFixtureOfAHingeNetwork() throws {
        let dir = try CLI.scratch("hinge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "deep-hinge", "layers": [2, 4, 3, 4], "activations": ["tanh", "relu", "linear"], "loss": "hinge",
         "learning_rate": 0.2, "batch": 2, "l2": 0.01, "init": {"distribution": "normal", "std": 0.9, "seed": 7},
         "data": {"inputs": [[1, 0.5], [0.2, -1], [-0.7, 0.3], [0.9, 0.9], [-1.2, -0.4]],
                  "targets": [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]}}
        """.write(toFile: dir + "/net.json", atomically: true, encoding: .utf8)
        let g = try CLI.run(["gradcheck", "--spec", "net.json"], in: dir)
        #expect(g.status == 0, "\(g.stdout)\(g.stderr)")
        #expect(g.stdout.contains("PASS"))
        let f = try CLI.run(["fixture", "--spec", "net.json", "--steps", "2"], in: dir)
        #expect(f.status == 0, "\(f.stderr)")
        try f.stdout.write(toFile: dir + "/fx.json", atomically: true, encoding: .utf8)
        let c = try CLI.run(["check", "fx.json"], in: dir)
        #expect(c.status == 0 && c.stdout.contains(" 0 failed"), "\(c.stdout)")
    }

    @Test func aWrongPerImageLossFails() throws {
        let dir = try CLI.scratch("hinge")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let text = try String(contentsOfFile: root + "/Fixtures/cs231n-hinge.json", encoding: .utf8)
        try text.replacingOccurrences(of: "\"value\": \"12.9\"", with: "\"value\": \"13.0\"").write(toFile: dir + "/f.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "f.json"], in: dir)
        #expect(r.status != 0)
        #expect(r.stdout.contains("1 failed"), "\(r.stdout)")
    }
}
