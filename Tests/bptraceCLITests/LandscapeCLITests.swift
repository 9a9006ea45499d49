import Foundation
import Testing

/// `bptrace landscape` and `bptrace gradcheck --eps-sweep` as a user runs them.
@Suite struct LandscapeCLITests {
    static func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }

    @Test func csvGridEqualsAnIndependentLoss() throws {
        let dir = try CLI.scratch("landscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["landscape", "--preset", "nndl-nonconvex", "--span", "3", "--grid", "9", "--steps", "5", "--format", "csv"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "./nndl-nonconvex-landscape.csv\n")
        let lines = try String(contentsOfFile: dir + "/nndl-nonconvex-landscape.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "w1,w2,loss" && lines.count == 82)
        let data: [(Double, Double)] = [(2.1, 0.21), (-2.8, 0.83), (1.4, 0.54)]
        for line in lines.dropFirst() {
            let c = line.split(separator: ",").map { Double($0)! }
            let want = data.reduce(0.0) { s, d in let o = Self.sigmoid(c[1] * Self.sigmoid(c[0] * d.0)); return s + 0.5 * (o - d.1) * (o - d.1) }
            #expect(abs(c[2] - want) <= 1e-14, "\(line) vs \(want)")
        }
        #expect(CLI.files(in: dir) == ["nndl-nonconvex-landscape.csv"])
    }

    @Test func svgHasTheNamesAColourBarAndThePath() throws {
        let dir = try CLI.scratch("landscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["landscape", "--preset", "mazur-2015", "--weights", "w5,w6", "--grid", "21", "--steps", "10", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let svg = try String(contentsOfFile: dir + "/o/mazur-2015-landscape.svg", encoding: .utf8)
        #expect(svg.contains(">w5</text>") && svg.contains(">w6</text>") && svg.contains(">loss</text>"))
        #expect(svg.contains("<polyline") && svg.contains("after 10 training steps"))
        #expect(FileManager.default.fileExists(atPath: dir + "/o/mazur-2015-landscape.csv"))
        // Same command, same bytes; without --force the files are kept.
        let again = try CLI.run(["landscape", "--preset", "mazur-2015", "--weights", "w5,w6", "--grid", "21", "--steps", "10", "--out", "o"], in: dir)
        #expect(again.status == 73 && again.stderr.contains("--force"))
        let forced = try CLI.run(["landscape", "--preset", "mazur-2015", "--weights", "w5,w6", "--grid", "21", "--steps", "10", "--out", "o", "--force"], in: dir)
        #expect(forced.status == 0)
        #expect(try String(contentsOfFile: dir + "/o/mazur-2015-landscape.svg", encoding: .utf8) == svg)
        #expect(CLI.files(in: dir + "/o") == ["mazur-2015-landscape.csv", "mazur-2015-landscape.svg"])
    }

    @Test func overflowingNetworkIsRefusedNotDrawnWithNaN() throws {
        let dir = try CLI.scratch("landscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "big", "layers": [1, 1], "activations": ["linear"], "learning_rate": 0.1, "weights": [[[1e200]]], "biases": [[0]],
         "data": {"inputs": [[1e100]], "targets": [[0]]}}
        """.write(toFile: dir + "/big.json", atomically: true, encoding: .utf8)
        // ±2 around 1e200 is no change in Float64: the grid would have one value.
        let land = try CLI.run(["landscape", "--spec", "big.json", "--weights", "w1,b1"], in: dir)
        #expect(land.status == 64 && land.stderr.contains("--span") && land.stderr.contains("w1"), "\(land.stderr)")
        // The cost overflows: the sweep says so and exits 1.
        let sweep = try CLI.run(["gradcheck", "--spec", "big.json", "--eps-sweep", "--param", "w1"], in: dir)
        #expect(sweep.status == 1 && sweep.stderr.contains("not finite"), "\(sweep.stderr)")
        #expect(CLI.files(in: dir) == ["big.json"])
    }

    @Test func tooMuchWorkIsRefusedWithTheSizes() throws {
        let dir = try CLI.scratch("landscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        {"name": "wide", "layers": [200, 200, 10], "learning_rate": 0.1, "init": {"seed": 1},
         "data": {"inputs": [\(Array(repeating: "[" + Array(repeating: "0.5", count: 200).joined(separator: ",") + "]", count: 20).joined(separator: ","))],
                  "targets": [\(Array(repeating: "[" + Array(repeating: "0", count: 10).joined(separator: ",") + "]", count: 20).joined(separator: ","))]}}
        """.write(toFile: dir + "/wide.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["landscape", "--spec", "wide.json", "--grid", "401"], in: dir)
        #expect(r.status == 65 && r.stderr.contains("401×401") && r.stderr.contains("--grid"), "\(r.stderr)")
        #expect(CLI.files(in: dir) == ["wide.json"])
    }

    @Test(arguments: [
        (["--weights", "w5,w99"], "w99"), (["--weights", "w5"], "--weights"), (["--weights", "w5,w5"], "--weights"),
        (["--grid", "0"], "--grid"), (["--grid", "402"], "--grid"), (["--span", "0"], "--span"), (["--span", "-1"], "--span"),
        (["--span", "nan"], "--span"), (["--steps", "-1"], "--steps"), (["--format", "png"], "--format"), (["--weights", "b1,b1_1"], "same parameter"),
    ])
    func badFlagsExit64(args: [String], mentions: String) throws {
        let dir = try CLI.scratch("landscape")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["landscape", "--preset", "mazur-2015"] + args, in: dir)
        #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
        #expect(r.stderr.contains(mentions), "\(r.stderr)")
        #expect(CLI.files(in: dir).isEmpty)
    }

    @Test func epsSweepPrintsTheTableAndDrawsTheV() throws {
        let dir = try CLI.scratch("sweep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["gradcheck", "--eps-sweep", "--param", "w5", "--plot", "v.svg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("1e-05 ") } && lines.contains { $0.hasPrefix("1e-12 ") })
        #expect(r.stdout.contains("backprop 8.21670405"))
        let svg = try String(contentsOfFile: dir + "/v.svg", encoding: .utf8)
        #expect(svg.contains(">slope 1</text>") && svg.contains(">slope 2</text>") && svg.contains(">slope −1</text>"))
        let out = try CLI.run(["gradcheck", "--eps-sweep", "--out", "plots"], in: dir)
        #expect(out.status == 0 && FileManager.default.fileExists(atPath: dir + "/plots/mazur-2015-eps-sweep.svg"))
        let kept = try CLI.run(["gradcheck", "--eps-sweep", "--plot", "v.svg"], in: dir)
        #expect(kept.status == 73)
        let bad = try CLI.run(["gradcheck", "--eps-sweep", "--param", "w42"], in: dir)
        #expect(bad.status == 64 && bad.stderr.contains("w42") && bad.stderr.contains("w1..w8"))
        let mixed = try CLI.run(["gradcheck", "--eps-sweep", "--eps", "1e-3"], in: dir)
        #expect(mixed.status == 64 && mixed.stderr.contains("do not apply to --eps-sweep"))
        let stray = try CLI.run(["gradcheck", "--param", "w5"], in: dir)
        #expect(stray.status == 64 && stray.stderr.contains("--eps-sweep"))
    }
}
