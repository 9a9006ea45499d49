import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// The optimizer conventions (`eps_inside_sqrt`, `momentum_ema`, `momentum_lr_inside`,
/// `adam_no_bias_correction`, `adamw_as_l2`): independent values confirm each as a `status:
/// convention` value, the same values without the status fail and `--explain` names the
/// convention, each applies only to its optimizers, and the variants are the one optimizer's.
@Suite struct CheckOptimizerConventionTests {
    static let spellings = ["eps_inside_sqrt", "momentum_ema", "momentum_lr_inside", "adam_no_bias_correction", "adamw_as_l2"]

    static func fixture(_ name: String) throws -> String { try CheckFixtureTests.text(name) }

    /// The fixture's `convention` values written as plain published numbers.
    static func withoutStatus(_ text: String) throws -> String {
        guard case .object(var root) = try JSONParser.parse(text), let i = root.firstIndex(where: { $0.key == "values" }),
              case .array(let values) = root[i].value else { throw NameError("not a fixture") }
        root[i].value = .array(values.map { v in
            guard case .object(let members) = v else { return v }
            return .object(members.filter { $0.key != "status" && $0.key != "convention" })
        })
        return JSONWriter.write(.object(root), pretty: true)
    }

    @Test func independentValuesConfirmEveryConvention() throws {
        let result = try CheckFixtureTests.check(Self.fixture("optimizer-conventions-independent.json"))
        #expect(result.failed == 0 && result.conventionConfirmed >= 20 && result.passed >= 1)
        #expect(result.conventionConfirmed + result.passed == result.values.count)
        let named = Set(result.values.compactMap { $0.entry.convention?.description })
        #expect(named == Set(Self.spellings))
    }

    @Test func withoutTheStatusTheValuesFailAndExplainNamesTheConvention() throws {
        let original = try CheckFixtureTests.check(Self.fixture("optimizer-conventions-independent.json"))
        let plain = try CheckFixtureTests.check(Self.withoutStatus(Self.fixture("optimizer-conventions-independent.json")), explain: true)
        #expect(plain.failed == original.conventionConfirmed && plain.passed == original.passed)
        for (before, after) in zip(original.values, plain.values) where before.entry.status == .convention {
            let convention = try #require(before.entry.convention).description
            #expect(after.outcome == .fail)
            let matches = after.explanation?.matches.map(\.convention.description) ?? []
            #expect(matches.contains(convention), "\(after.entry.label): \(matches)")
        }
        let report = CheckReport(checks: [plain]).text()
        #expect(report.contains("follows momentum_lr_inside — the learning rate inside the velocity"))
        #expect(report.contains("follows adamw_as_l2 — AdamW's decay added to the gradient before the moments"))
    }

    @Test func d2lRMSPropFollowsEpsInsideSqrt() throws {
        let text = try Self.fixture("d2l-rmsprop-2d.json")
        let result = try CheckFixtureTests.check(text)
        let x1 = try #require(result.values.first { $0.entry.label == "w1+@20" })
        #expect(x1.outcome == .conventionConfirmed)
        #expect(x1.entry.expected.formatLike(x1.computed!) == "-0.010598")   // the spec's eps outside the root
        let plain = try CheckFixtureTests.check(Self.withoutStatus(text), explain: true)
        let failed = try #require(plain.values.first { $0.entry.label == "w1+@20" })
        #expect(failed.outcome == .fail)
        // The one explanation (lr_folded, which scales g by eta and so moves eps, is tried for sgd only).
        #expect(failed.explanation?.matches.map(\.convention.description) == ["eps_inside_sqrt"])
    }

    @Test func d2lTrajectoriesAndTheHandWorkedAdamStepsPass() throws {
        for (name, count) in [("d2l-gd-2d.json", 5), ("d2l-momentum-2d.json", 4), ("adam-first-step-by-hand.json", 13)] {
            let r = try CheckFixtureTests.check(Self.fixture(name))
            #expect(r.passed == count && r.failed == 0, "\(name)")
        }
        // One altered digit of a published trajectory fails.
        let altered = try Self.fixture("d2l-momentum-2d.json").replacingOccurrences(of: "\"0.007188\"", with: "\"0.007189\"")
        #expect(try CheckFixtureTests.check(altered).failed == 1)
    }

    static func spec(_ optimizer: String) throws -> NetworkSpec { try CheckOptimizerNameTests.spec(optimizer) }

    @Test func eachConventionAppliesOnlyToItsOptimizers() throws {
        func optimizerSingles(_ optimizer: String) throws -> [String] {
            Convention.singles(for: try Self.spec(optimizer)).map(\.description).filter { Self.spellings.contains($0) }
        }
        #expect(try optimizerSingles("\"sgd\"") == [])
        #expect(try optimizerSingles("\"momentum\"") == ["momentum_ema", "momentum_lr_inside"])
        #expect(try optimizerSingles("\"nesterov\"") == ["momentum_ema", "momentum_lr_inside"])
        #expect(try optimizerSingles("\"rmsprop\"") == ["eps_inside_sqrt"])
        #expect(try optimizerSingles("\"adam\"") == ["eps_inside_sqrt", "adam_no_bias_correction"])
        #expect(try optimizerSingles("\"adamw\"") == ["eps_inside_sqrt", "adam_no_bias_correction", "adamw_as_l2"])
        #expect(try optimizerSingles("{\"name\": \"adamw\", \"weight_decay\": 0}") == ["eps_inside_sqrt", "adam_no_bias_correction"])
        for s in Self.spellings { #expect(Convention.Switch(s)?.description == s) }
        // A fixture naming another optimizer's convention is refused with the reason.
        let bad = try Self.fixture("d2l-rmsprop-2d.json").replacingOccurrences(of: "\"convention\": \"eps_inside_sqrt\"", with: "\"convention\": \"momentum_ema\"")
        let errors = CheckFixtureTests.errors(bad).map(\.description).joined()
        #expect(errors.contains("the convention momentum_ema is a choice of another optimizer; this spec's optimizer is rmsprop (momentum_ema applies to momentum and nesterov)"), "\(errors)")
    }

    /// Runs `optimizer` under `convention` and returns step `step` (2 by default).
    static func step2(_ optimizer: String, _ convention: String?, step: Int = 2) throws -> StepResult {
        let rules = convention.map { Convention.parse([$0])!.rules } ?? .standard
        return try #require(ConventionRunner.run(spec: Self.spec(optimizer), rules: rules, steps: [step])[step])
    }

    @Test func theVariantsAreTheOneOptimizerWithTheDocumentedTraces() throws {
        // momentum_lr_inside: the velocity is eta times the spec's, the weights the same.
        for name in ["momentum", "nesterov"] {
            let opt = "{\"name\": \"\(name)\", \"momentum\": 0.5}"
            let std = try Self.step2(opt, nil), lr = try Self.step2(opt, "momentum_lr_inside")
            for (a, b) in zip(std[.velW, 1]!.values, lr[.velW, 1]!.values) { #expect(abs(0.1 * a - b) < 1e-14) }
            for (a, b) in zip(std[.WNew, 1]!.values, lr[.WNew, 1]!.values) { #expect(abs(a - b) < 1e-14) }
            #expect(std[.velW, 1]!.values != lr[.velW, 1]!.values)
        }
        // adamw_as_l2: grad_W stays the loss gradient; the moments and weights change.
        let std = try Self.step2("{\"name\": \"adamw\", \"weight_decay\": 0.1}", nil, step: 1)
        let l2 = try Self.step2("{\"name\": \"adamw\", \"weight_decay\": 0.1}", "adamw_as_l2", step: 1)
        #expect(std[.gradW, 1]!.values == l2[.gradW, 1]!.values && std[.gradB, 1]!.values == l2[.gradB, 1]!.values)
        #expect(std[.mW, 1]!.values != l2[.mW, 1]!.values && std[.WNew, 1]!.values != l2[.WNew, 1]!.values)
        // adam_no_bias_correction: m_hat and v_hat are m and v.
        let raw = try Self.step2("\"adam\"", "adam_no_bias_correction")
        #expect(raw[.mHatW, 1]!.values == raw[.mW, 1]!.values && raw[.vHatB, 1]!.values == raw[.vB, 1]!.values)
        // The standard rules give the spec's optimizer bit for bit (the Trainer's default).
        var trainer = Trainer(spec: try Self.spec("\"adamw\""))
        _ = trainer.step(1)
        let direct = trainer.step(2)
        #expect(direct[.WNew, 1]!.values == (try Self.step2("\"adamw\"", nil))[.WNew, 1]!.values)
        #expect(BackpropRules.standard.optimizer.isStandard)
        #expect(Convention.parse(["eps_inside_sqrt + adam_no_bias_correction"])!.rules.name == "eps_inside_sqrt + adam_no_bias_correction")
    }
}
