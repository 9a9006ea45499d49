import Foundation
import Testing
import BPTrace

/// `bptrace check` and `bptrace fixture` with optimizers, as a user runs them: the D2L RMSProp
/// value is confirmed as eps_inside_sqrt, written as a plain number it fails and --explain names
/// the convention, state names are listed by `bptrace fixture`, and a state of another optimizer
/// is refused with exit 65 and a message naming the optimizer's own state.
@Suite struct CheckOptimizerCLITests {
    @Test func d2lRMSPropIsConfirmedAndExplainedAsEpsInsideSqrt() throws {
        let ok = try CLI.run(["check", "Fixtures/d2l-rmsprop-2d.json", "Fixtures/d2l-momentum-2d.json", "Fixtures/d2l-gd-2d.json",
                              "Fixtures/adam-first-step-by-hand.json", "Fixtures/optimizer-conventions-independent.json"])
        #expect(ok.status == 0, "\(ok.stderr)\n\(ok.stdout)")
        #expect(ok.stdout.contains("convention-confirmed  w1+@20  expected -0.010599  computed -0.010598"))
        #expect(ok.stdout.contains("follows eps_inside_sqrt"))

        let dir = try CLI.scratch("check-optimizer")
        let plain = try CLI.fixtureText("d2l-rmsprop-2d.json")
            .replacingOccurrences(of: "\"status\": \"convention\",", with: "").replacingOccurrences(of: "\"convention\": \"eps_inside_sqrt\",", with: "")
        try plain.write(toFile: dir + "/d2l-rmsprop-plain.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "--explain", "d2l-rmsprop-plain.json"], in: dir)
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL  w1+@20"))
        #expect(r.stdout.contains("explain: -0.010599 follows eps_inside_sqrt — eps under the square root"), "\(r.stdout)")
        #expect(r.stdout.hasSuffix("1 passed, 1 failed\n"))
    }

    @Test func fixtureSnapshotsTheStateAndCheckRefusesAnotherOptimizersState() throws {
        let dir = try CLI.scratch("check-optimizer")
        try """
        {"name": "adam-net", "layers": [2, 1], "activations": ["linear"], "learning_rate": 0.1, "batch": "full", "optimizer": "adam",
         "weights": [[[-5], [-2]]], "biases": [[0.5]], "data": {"inputs": [[0.4472135954999579, 0], [0, 2]], "targets": [[0], [0]]}}
        """.write(toFile: dir + "/adam.json", atomically: true, encoding: .utf8)
        let snap = try CLI.run(["fixture", "--spec", "adam.json", "--steps", "2", "--pick", "m_hat_*,v_w2", "--out", "snap.json"], in: dir)
        #expect(snap.status == 0, "\(snap.stderr)")
        let text = try String(contentsOfFile: dir + "/snap.json", encoding: .utf8)
        for name in ["m_hat_w1", "m_hat_w2", "m_hat_b1", "v_w2", "m_hat_w1@2", "v_w2@2"] { #expect(text.contains("\"name\": \"\(name)\""), "\(name)") }
        let check = try CLI.run(["check", "snap.json"], in: dir)
        #expect(check.status == 0 && check.stdout.hasSuffix("8 passed, 0 failed\n"), "\(check.stdout)")

        // --list-names: the names of one step, the state last; no fixture written.
        let list = try CLI.run(["fixture", "--spec", "adam.json", "--list-names"], in: dir)
        #expect(list.status == 0 && list.stdout.hasPrefix("net_o1[1]\n") && list.stdout.hasSuffix("m_hat_b1\nv_hat_b1\n"), "\(list.stdout)")
        #expect(list.stdout.contains("\nm_w1\nm_w2\nv_w1\n"))
        let bad = text.replacingOccurrences(of: "\"name\": \"v_w2\"", with: "\"name\": \"vel_w2\"")
        try bad.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["check", "bad.json"], in: dir)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("\"vel_w2\": this network's optimizer is adam; its state is m_w1, v_w1, m_hat_w1, v_hat_w1 (m_W, v_W, m_hat_W, v_hat_W)"), "\(refused.stderr)")
    }
}

/// Values written to 16 digits by another program (the independent Python implementation)
/// pass under the default tolerance, which never asks for more than 1e-10 of a value; with
/// half a unit of the 16th digit (an explicit tolerance as tight) the same values fail on
/// their last bits, which is why the floor exists.
@Suite struct FullPrecisionFixtureTests {
    @Test func sixteenDigitsFromAnotherProgramPass() throws {
        let dir = try CLI.scratch("full-precision")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let g = try Subprocess.run("python3", [CLI.repoRoot + "/scripts/full_precision_fixtures.py", dir], in: CLI.repoRoot)
        #expect(g.status == 0, "\(g.stderr)")
        let names = ["momentum", "nesterov", "adam", "adamw", "rmsprop"]
        let r = try CLI.run(["check"] + names.map { dir + "/\($0).json" })
        #expect(r.status == 0, "\(r.stdout.suffix(3000))")
        // 20 steps: 127 values a step, 178 with Adam's four state blocks.
        #expect(r.stdout.hasSuffix("\(20 * (3 * 127 + 2 * 178)) passed, 0 failed\n"), "\(r.stdout.suffix(300))")
        // The same numbers held to half a unit of their 16th digit: some fail on the last bits.
        let adam = dir + "/adam.json"
        var fixture = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: adam))) as? [String: Any])
        fixture["tolerance"] = "1e-18"
        try JSONSerialization.data(withJSONObject: fixture).write(to: URL(fileURLWithPath: adam))
        let tight = try CLI.run(["check", adam])
        #expect(tight.status == 1, "\(tight.stdout.suffix(300))")
    }
}
