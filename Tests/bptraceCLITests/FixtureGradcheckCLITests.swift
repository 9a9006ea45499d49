import Foundation
import Testing
import BPTrace

/// `bptrace fixture` and `bptrace gradcheck` as a user runs them. (Moved here from
/// FixtureSnapshotTests and GradcheckTests in BPTraceTests, a target that does not depend on
/// the executable.)
@Suite struct FixtureGradcheckCLITests {
    @Test func fixtureCommandWritesAFileThatChecks() throws {
        let dir = try CLI.scratch("fixture")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["fixture", "--preset", "analytics-vidhya", "--steps", "2", "--pick", "d_output[1,1],out_o1[*],wout+[2,1],loss",
                             "--decimals", "6", "--title", "AV frozen", "--author", "A. Student", "--year", "2024", "--out", "av.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: dir + "/av.json", encoding: .utf8)
        // The tutorial's one-step numbers (Fixtures/analytics-vidhya.json), to 6 decimals: d_output = 0.035033638, output = 0.789324057 ...
        #expect(text.contains("{\"name\": \"d_output[1,1]\", \"value\": \"0.035034\"}"))
        #expect(text.contains("{\"name\": \"out_o1[1]\", \"value\": \"0.789324\"}"))
        #expect(text.contains("{\"name\": \"wout+[2,1]\", \"value\": \"0.244979\"}"))
        #expect(text.contains("\"author\": \"A. Student\"") && text.contains("\"year\": 2024"))
        let check = try CLI.run(["check", "av.json"], in: dir)
        #expect(check.status == 0 && check.stdout.hasSuffix("12 passed, 0 failed\n"), "\(check.stdout)")
        // Refuses to overwrite without --force.
        let again = try CLI.run(["fixture", "--preset", "analytics-vidhya", "--out", "av.json"], in: dir)
        #expect(again.status == 73)
        let bad = try CLI.run(["fixture", "--preset", "mazur-2015", "--pick", "w9"], in: dir)
        #expect(bad.status == 64 && bad.stderr.contains("w1..w8"))
    }

    @Test func specWithCSVDataIsReferencedByPath() throws {
        let dir = try CLI.scratch("fixture")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/net", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/fixtures", withIntermediateDirectories: true)
        try "a,b,t\n0.05,0.10,0.01\n".write(toFile: dir + "/net/data.csv", atomically: true, encoding: .utf8)
        try """
        {"name": "csv-net", "layers": [2, 1], "learning_rate": 0.5, "weights": [[[0.15], [0.20]]], "biases": [[0.35]],
         "data": {"csv": "data.csv", "inputs": ["a", "b"], "targets": ["t"]}}
        """.write(toFile: dir + "/net/spec.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["fixture", "--spec", "net/spec.json", "--out", "fixtures/f.json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: dir + "/fixtures/f.json", encoding: .utf8)
        #expect(text.contains("\"spec\": \"../net/spec.json\""))
        // net_o1 = 0.05·0.15 + 0.10·0.20 + 0.35 = 0.3775, as in Mazur's first hidden neuron.
        #expect(text.contains("{\"name\": \"net_o1\", \"value\": \"0.377500000\"}"))
        let check = try CLI.run(["check", "fixtures/f.json"], in: dir)
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func gradcheckCommand() throws {
        for preset in Presets.names {
            let r = try CLI.run(["gradcheck", "--preset", preset, "--steps", "2"])
            #expect(r.status == 0, "\(preset): \(r.stdout)")
            #expect(r.stdout.contains("PASS: max relative error"))
        }
        let strict = try CLI.run(["gradcheck", "--preset", "mazur-2015", "--threshold", "1e-14"])
        #expect(strict.status == 1 && strict.stdout.contains("FAIL"))
        let help = try CLI.run(["gradcheck", "--help"])
        #expect(help.stdout.contains("(f(θ + ε) − f(θ − ε)) / 2ε") && help.stdout.contains("O(ε²)") && help.stdout.contains("O(u/ε)")
                && help.stdout.contains("1e-5") && help.stdout.contains("1e-6"))
        let usage = try CLI.run(["gradcheck", "--eps", "0"])
        #expect(usage.status == 64)
    }
}
