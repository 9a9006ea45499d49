import Foundation
import Testing

/// Optimizers through the command line: CSV and the workbook trace the state and the handout
/// derives it; a bad optimizer exits 65 with its key.
@Suite struct OptimizerCLITests {
    static func write(_ optimizer: String, in dir: String) throws {
        try """
        {"name": "opt", "layers": [2, 2, 1], "learning_rate": 0.1, "optimizer": \(optimizer),
         "weights": [[[0.1, 0.2], [0.3, -0.4]], [[0.5], [-0.6]]], "biases": [[0.1, -0.1], [0.2]],
         "data": {"inputs": [[0, 1], [1, 0]], "targets": [[1], [0]]}}
        """.write(toFile: dir + "/opt.json", atomically: true, encoding: .utf8)
    }

    @Test func csvTracesTheState() throws {
        let dir = try CLI.scratch("optimizer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("\"adam\"", in: dir)
        let r = try CLI.run(["run", "--spec", "opt.json", "--format", "csv", "--steps", "2", "--out", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOfFile: dir + "/opt.csv", encoding: .utf8)
        for q in ["m_W", "v_W", "m_hat_W", "v_hat_W"] { #expect(csv.contains("\n2,1,\(q),1,1,") && csv.contains(",\(q),1,1,"), "\(q)") }
        #expect(csv.contains("\n1,2,m_b,1,1,") && csv.contains(",12\n"))
        // The first step moves w by η·sign(g): W(2)[1,1] = 0.5 has g < 0 there (the output is below 1 on sample 1).
        let line = try #require(csv.split(separator: "\n").first { $0.hasPrefix("1,2,W_new,1,1,") })
        let value = try #require(Double(line.split(separator: ",")[5]))
        #expect(abs(abs(value - 0.5) - 0.1) < 1e-6, "\(line)")
    }

    /// An implementation written apart from the engine (plain Python, from the definitions)
    /// recomputes every traced quantity of 63 optimizer specs from bptrace's CSV.
    @Test func independentImplementationAgrees() throws {
        let r = try Subprocess.run("python3", [CLI.repoRoot + "/scripts/crosscheck_optimizers.py", CLI.binary], in: CLI.repoRoot)
        #expect(r.status == 0, "\(r.stdout.suffix(2000))\(r.stderr.suffix(2000))")
        let summary = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.hasSuffix(" 0 failed") && (Int(summary.split(separator: " ")[0]) ?? 0) >= 60, "\(summary)")
    }

    /// The workbook renders every optimizer, alone or with the CSV and the handout.
    @Test(arguments: ["xlsx", "csv,xlsx", "csv,xlsx,md"])
    func workbookRendersOtherOptimizers(_ format: String) throws {
        let dir = try CLI.scratch("optimizer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("{\"name\": \"adamw\", \"decay_biases\": true}", in: dir)
        let r = try CLI.run(["run", "--spec", "opt.json", "--format", format, "--steps", "3", "--out", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        let expected = ["opt.json"] + format.split(separator: ",").flatMap { $0 == "md" ? ["opt-figures", "opt.md"] : ["opt.\($0)"] }
        #expect(files == expected.sorted())
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/opt.xlsx")[.size] as? Int) ?? 0
        #expect(size > 10_000)
    }

    /// The handout derives every optimizer (it refused them before the handout increment).
    @Test(arguments: ["momentum", "adam"])
    func handoutDerivesOtherOptimizers(_ name: String) throws {
        let dir = try CLI.scratch("optimizer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("\"\(name)\"", in: dir)
        let r = try CLI.run(["run", "--spec", "opt.json", "--format", "md", "--steps", "2", "--handout-steps", "2", "--detail", "full", "--out", "."], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: dir + "/opt.md", encoding: .utf8)
        let state = name == "adam" ? "\\hat{m}_{w_{5}}" : "\\mathrm{vel}_{w_{5}}"
        #expect(md.contains("$$\(state) = ") || md.contains("$$\\begin{aligned}\(state) &= "), "the state line of w5")
        #expect(md.contains("^{(t-1)}") && md.contains("**The optimizer's symbols.**"))
    }

    @Test func badOptimizerExits65WithTheKeyPath() throws {
        let dir = try CLI.scratch("optimizer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write("{\"name\": \"adam\", \"beta1\": 1.2}", in: dir)
        let r = try CLI.run(["run", "--spec", "opt.json", "--format", "csv", "--out", "."], in: dir)
        #expect(r.status == 65)
        #expect(r.stderr.contains("optimizer.beta1") && r.stderr.contains("[0, 1)"), "\(r.stderr)")
        try Self.write("\"nesterof\"", in: dir)
        let s = try CLI.run(["run", "--spec", "opt.json", "--format", "csv", "--out", "."], in: dir)
        #expect(s.status == 65)
        #expect(s.stderr.contains("did you mean \"nesterov\""), "\(s.stderr)")
    }
}
