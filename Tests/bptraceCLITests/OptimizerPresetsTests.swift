import Foundation
import Testing

/// The optimizer presets: xor-adam and xor-momentum are the xor preset with another optimizer,
/// they learn XOR where xor's plain SGD does not in the same number of steps, and
/// `presets --show` prints the optimizer with its hyper-parameters.
@Suite struct OptimizerPresetsTests {
    /// Step `steps + 1`'s loss (the loss after `steps` updates) and outputs, from the CSV.
    static func after(_ steps: Int, preset: String) throws -> (loss: Double, outputs: [Double]) {
        let dir = try CLI.scratch("opt-preset")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", "--preset", preset, "--steps", String(steps + 1), "--format", "csv", "--out", "."], in: dir)
        try #require(r.status == 0, "\(preset): \(r.stderr)")
        let rows = try String(contentsOfFile: dir + "/\(preset).csv", encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",").map(String.init) }
            .filter { $0[0] == String(steps + 1) && $0[1] == "2" }
        let loss = try #require(rows.first { $0[2] == "loss" }.flatMap { Double($0[5]) })
        let outputs = rows.filter { $0[2] == "a" }.compactMap { Double($0[5]) }
        return (loss, outputs)
    }

    /// Measured: after 300 updates xor-adam's loss is 0.0251 and xor-momentum's 0.00619, with
    /// every output on the right side of 0.5; xor (SGD, η = 0.5) is still at 0.4996.
    @Test func theOptimizerPresetsLearnXORWhereSGDDoesNot() throws {
        let sgd = try Self.after(300, preset: "xor")
        #expect(sgd.loss > 0.499 && sgd.outputs.allSatisfy { abs($0 - 0.5) < 0.01 }, "\(sgd)")
        for (preset, below) in [("xor-adam", 0.03), ("xor-momentum", 0.01)] {
            let r = try Self.after(300, preset: preset)
            #expect(r.loss < below, "\(preset): \(r)")
            #expect(r.outputs.count == 4, "\(preset): \(r)")
            if r.outputs.count == 4 {
                #expect(r.outputs[0] < 0.15 && r.outputs[1] > 0.85 && r.outputs[2] > 0.85 && r.outputs[3] < 0.15, "\(preset): \(r)")
            }
        }
        // 300 steps are needed: after 100 Adam is still on its way (0.4499).
        let early = try Self.after(100, preset: "xor-adam")
        #expect(early.loss > 0.4 && early.loss < 0.46, "\(early)")
    }

    @Test func showPrintsTheOptimizerAndItsHyperParameters() throws {
        let adam = try CLI.run(["presets", "--show", "xor-adam"])
        #expect(adam.status == 0)
        #expect(adam.stdout.contains(#""optimizer": {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}"#), "\(adam.stdout)")
        #expect(adam.stdout.contains(#""learning_rate": 0.03"#))
        let momentum = try CLI.run(["presets", "--show", "xor-momentum"])
        #expect(momentum.stdout.contains(#""optimizer": {"name": "momentum", "momentum": 0.9}"#), "\(momentum.stdout)")
        // The list names both, with their optimizer, and the SGD presets' entries are as before.
        let list = try CLI.run(["presets"])
        #expect(list.stdout.contains("xor-adam\n    the xor net and data trained with Adam"))
        #expect(list.stdout.contains("xor-momentum\n    the xor net, data and η = 0.5 trained with momentum 0.9"))
        #expect(list.stdout.hasPrefix("mazur-2015 (default)\n"))
        let sgd = try CLI.run(["presets", "--show", "xor"])
        #expect(!sgd.stdout.contains("optimizer"))
        let help = try CLI.run(["presets", "--help"])
        #expect(help.stdout.contains("bptrace presets --show xor-adam"), "\(help.stdout)")
    }

    /// Apart from the optimizer, the learning rate, name and description, each is the xor
    /// preset: the comparison is fair. A shown preset runs as a spec file unchanged.
    @Test(arguments: ["xor-adam", "xor-momentum"])
    func theyAreTheXorPresetWithAnotherOptimizer(_ preset: String) throws {
        func object(_ name: String) throws -> [String: Any] {
            let r = try CLI.run(["presets", "--show", name])
            return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        }
        var mine = try object(preset), xor = try object("xor")
        #expect(mine["description"] as? String != nil)
        for key in ["name", "description", "optimizer", "learning_rate"] { mine[key] = nil; xor[key] = nil }
        #expect(NSDictionary(dictionary: mine).isEqual(to: xor), "\(mine) vs \(xor)")
        let dir = try CLI.scratch("opt-preset")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try CLI.run(["presets", "--show", preset]).stdout.write(toFile: dir + "/p.json", atomically: true, encoding: .utf8)
        let fromFile = try CLI.run(["run", "--spec", "p.json", "--steps", "3", "--format", "csv", "--out", "a"], in: dir)
        let builtIn = try CLI.run(["run", "--preset", preset, "--steps", "3", "--format", "csv", "--out", "b"], in: dir)
        #expect(fromFile.status == 0 && builtIn.status == 0, "\(fromFile.stderr)\(builtIn.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: dir + "/a/\(preset).csv", andPath: dir + "/b/\(preset).csv"))
    }
}
