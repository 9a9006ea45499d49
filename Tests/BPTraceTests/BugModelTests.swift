import Foundation
import Testing
import BPTrace
import BPTraceCheck

/// The eleven bug models of issue 12 (`BugModel`), each a named variant of the engine's one
/// step. On every network of `BugNets.all` where a model applies, the step run under it differs
/// from the contract's first in the model's own quantities (everything before is unchanged),
/// and those cells equal the model's formula computed here, from the contract's trace. Where
/// a model does not apply, its run is the contract's bit for bit.
@Suite struct BugModelTests {
    typealias N = BugNets

    @Test func theModelsAreIssue12sNamesInItsOrder() {
        #expect(BugModel.spellings == ["slope_from_net", "slope_missing", "slope_twice", "weights_not_transposed", "update_sign",
                                       "lr_twice", "sse_without_half", "batch_mean", "bias_grad_first_sample",
                                       "softmax_extra_slope", "bias_missing_in_forward"])
        #expect(BugModel.all.allSatisfy { BugModel.named(" \($0.spelling.uppercased()) ")?.spelling == $0.spelling })
        #expect(BugModel.named("slope") == nil)
        // None of them is the contract's step, and none has a catalogue formula.
        let spec = N.all[1]
        for m in BugModel.all {
            #expect(m.rules.name == m.spelling)
            #expect(Catalogue(spec: spec).expression(of: QuantityRef(.delta, 1), under: m.rules) == nil, "\(m)")
        }
    }

    /// The diagnosis tries today's conventions, then the models that apply, in `BugModel.all`'s order.
    @Test func candidatesAreTheConventionsThenTheApplicableModels() {
        for spec in N.all {
            let got = Alternative.candidates(for: spec).map(\.spelling)
            let want = Alternative.conventions(for: spec).map(\.spelling) + BugModel.all.filter { $0.applies(to: spec) }.map(\.spelling)
            #expect(got == want, "\(spec.name)")
            for alt in Alternative.candidates(for: spec) where BugModel.named(alt.spelling) != nil {
                #expect(!alt.negated && alt.spec.layers == spec.layers && alt.spec.loss == spec.loss && alt.rules.name == alt.spelling)
            }
        }
        // Mazur's network (2-2-2 sigmoid, biases, one sample, half_sse, SGD at η = 0.5).
        let mazur = N.all[0]
        #expect(BugModel.applicable(to: mazur).map(\.spelling) == ["slope_from_net", "slope_missing", "slope_twice", "weights_not_transposed",
                                                                    "update_sign", "lr_twice", "sse_without_half", "bias_missing_in_forward"])
    }

    /// Where a model applies, the first block that differs from the contract's is one of the
    /// model's first-changed quantities; where it does not, the run is the contract's, on the
    /// test networks and 240 random ones (2 steps each, so state carried over counts too).
    @Test func aModelChangesItsOwnQuantitiesFirstAndNothingWhereItDoesNotApply() {
        var applied = [String: Int]()
        let specs = N.all + (0..<CatalogueEngineTests.randomCount).map(CatalogueEngineTests.randomSpec)
        for spec in specs {
            for m in BugModel.all {
                let (std, bug) = N.steps(spec, m.rules, upTo: 2)
                let (std1, bug1) = N.steps(spec, m.rules, upTo: 1)
                if m.applies(to: spec) {
                    applied[m.spelling, default: 0] += 1
                    if let first = N.firstDifference(std1, bug1) {
                        #expect(m.firstChanged(in: spec).contains(first.quantity), "\(m) on \(spec.name): first difference \(first)")
                    }
                } else {
                    #expect(N.firstDifference(std1, bug1) == nil && N.firstDifference(std, bug) == nil, "\(m) on \(spec.name)")
                }
            }
        }
        // On the hand-made networks every applicable model really changes step 1.
        for spec in N.all {
            for m in BugModel.applicable(to: spec) {
                let (std, bug) = N.steps(spec, m.rules)
                #expect(N.firstDifference(std, bug) != nil, "\(m) applies to \(spec.name) but changes nothing")
            }
        }
        for m in BugModel.all { #expect(applied[m.spelling, default: 0] >= 3, "\(m) applied to only \(applied[m.spelling, default: 0]) specs") }
    }

    /// `applies` is false exactly where the model cannot change a number.
    @Test func whereTheModelsDoNotApply() {
        func applies(_ name: String, _ spec: NetworkSpec) -> Bool { BugModel.named(name)!.applies(to: spec) }
        let reluLinear = N.all[6], noBias = N.all[3], batchOne = N.all[0], softmax = N.all[2], sigmoidCE = N.all[5]
        let linear = N.net("linear", [2, 2, 2], [.linear, .linear], samples: 2)
        #expect(!applies("slope_from_net", reluLinear) && !applies("slope_twice", reluLinear))
        #expect(applies("slope_missing", reluLinear) && !applies("slope_missing", linear))
        #expect(!applies("weights_not_transposed", reluLinear) && !applies("weights_not_transposed", noBias))
        #expect(!applies("weights_not_transposed", N.net("one", [2, 1, 1, 1], [.sigmoid, .sigmoid, .sigmoid], samples: 1)))
        #expect(!applies("sse_without_half", reluLinear) && !applies("sse_without_half", softmax))
        #expect(!applies("batch_mean", batchOne) && !applies("batch_mean", reluLinear) && !applies("batch_mean", sigmoidCE))
        #expect(applies("batch_mean", N.all[7]))
        #expect(!applies("bias_grad_first_sample", batchOne) && !applies("bias_grad_first_sample", noBias))
        #expect(!applies("softmax_extra_slope", sigmoidCE) && applies("softmax_extra_slope", softmax))
        #expect(!applies("bias_missing_in_forward", noBias) && !applies("bias_missing_in_forward", N.all[4]))
        #expect(!applies("lr_twice", N.net("eta1", [2, 2, 2], [.sigmoid, .sigmoid], samples: 1, learningRate: 1)))
        #expect(applies("update_sign", reluLinear) && applies("lr_twice", reluLinear))
    }

    /// `--explain` on an ordinary fixture tries the conventions only: Mazur's w5+ written as
    /// update_sign leaves it (0.441083520) is not explained, and no model is named.
    @Test func fixtureExplainDoesNotTryTheBugModels() throws {
        let mazur = try Presets.spec(named: "mazur-2015")
        let (_, bug) = N.steps(mazur, BugModel.updateSign.rules)
        #expect(abs(bug[.WNew, 2]![0, 0] - 0.441083520) < 5e-10)    // the model does reproduce it
        let text = "{\"source\": \"test\", \"preset\": \"mazur-2015\", \"values\": [{\"name\": \"w5+\", \"value\": \"0.441083520\"}]}"
        let r = Checker.check(try FixtureParser.parse(text: text, file: "t.json", baseDirectory: CheckFixtureTests.fixturesDir), explain: true)
        let x = try #require(r.values.first?.explanation)
        #expect(r.failed == 1 && x.matches.isEmpty)
        let report = CheckReport(checks: [r]).text()
        #expect(BugModel.spellings.allSatisfy { !report.contains($0) }, "\(report)")
    }

    /// docs/CHECKING.md, "Bug models", lists every model, and the Mazur numbers it quotes are
    /// the models' runs (to the 9 decimals written there).
    @Test func theDocsTableListsEveryModelWithItsMazurNumbers() throws {
        let docs = try String(contentsOfFile: CatalogueEngineTests.root + "/docs/CHECKING.md", encoding: .utf8)
        let section = try #require(docs.components(separatedBy: "## Bug models").last)
        for m in BugModel.all { #expect(section.contains("| `\(m.spelling)` |"), "\(m) is not in the table") }
        let mazur = try Presets.spec(named: "mazur-2015")
        let quoted: [(String, Quantity, Int, String)] = [
            ("slope_from_net", .slope, 2, "−0.117122041"), ("slope_missing", .delta, 2, "0.741365070"),
            ("slope_twice", .slope, 2, "0.217788341"), ("update_sign", .WNew, 2, "0.441083520"), ("lr_twice", .WNew, 2, "0.379458240"),
            ("sse_without_half", .gradW, 2, "0.164334081"), ("bias_missing_in_forward", .z, 1, "0.0275"),
        ]
        for (name, q, l, text) in quoted {
            #expect(section.contains(text), "\(text) not in the docs")
            let (_, bug) = N.steps(mazur, BugModel.named(name)!.rules)
            let written = Double(text.replacingOccurrences(of: "−", with: "-"))!
            #expect(abs(bug[q, l]![0, 0] - written) <= 5e-10, "\(name): \(bug[q, l]![0, 0]) vs \(text)")
        }
    }

    /// Each model's first changed cells equal its formula, computed here from the contract's
    /// trace (and the cells the model leaves alone are the contract's).
    @Test(arguments: BugModel.all.map(\.spelling))
    func theFirstChangedCellsFollowTheModelsFormula(_ spelling: String) throws {
        let m = try #require(BugModel.named(spelling))
        var checked = 0
        for spec in N.all where m.applies(to: spec) {
            let (std, bug) = N.steps(spec, m.rules)
            let failures = Self.formulaFailures(m.spelling, spec, std, bug)
            #expect(failures.isEmpty, "\(m) on \(spec.name): \(failures.joined(separator: "; "))")
            checked += 1
        }
        #expect(checked >= 2, "\(m) checked on \(checked) networks")
    }

    /// The model's formula, computed from the standard step `s` and the bug step `b`: the
    /// names of the blocks that do not follow it.
    static func formulaFailures(_ model: String, _ spec: NetworkSpec, _ s: StepResult, _ b: StepResult) -> [String] {
        let L = spec.depth, eta = spec.learningRate, B = Double(s.x.rows)
        var bad: [String] = []
        func want(_ q: Quantity, _ l: Int, _ m: Matrix?, _ what: String = "") {
            if !N.close(b[q, l], m) { bad.append("\(QuantityRef(q, l))\(what.isEmpty ? "" : " " + what)") }
        }
        func same(_ qs: [Quantity]) { for q in qs { for l in 0...L where s[q, l] != b[q, l] { bad.append("\(QuantityRef(q, l)) changed") } } }
        let o = s[.a, L]!, t = s[.y, L]!
        let f = [Activation.linear] + spec.activations
        switch model {
        case "slope_from_net", "slope_twice":
            same([.z, .a, .E, .loss])
            for l in 1...L where f[l] != .softmax {
                let z = s[.z, l]!, a = s[.a, l]!
                let at = model == "slope_from_net" ? z : a          // where the student took the derivative
                let expected: Matrix
                switch f[l] {
                case .sigmoid: expected = model == "slope_from_net" ? at.map { $0 * (1 - $0) } : at.map { 1 / (1 + exp(-$0)) }.map { $0 * (1 - $0) }
                case .tanh: expected = model == "slope_from_net" ? at.map { 1 - $0 * $0 } : at.map { 1 - tanh($0) * tanh($0) }
                default: expected = s[.slope, l]!
                }
                want(.slope, l, expected)
            }
            if spec.loss == .halfSSE { want(.delta, L, N.elementwise(N.elementwise(o, t, -), b[.slope, L]!, *), "= (o − t)⊙slope") }
            for l in 1..<L { want(.delta, l, N.elementwise(b[.err, l]!, b[.slope, l]!, *), "= err⊙slope") }
        case "slope_missing":
            same([.z, .a, .E, .loss, .slope])
            switch spec.loss {
            case .halfSSE: want(.delta, L, s[.E, L]!.map { -$0 }, "= o − t")
            case .mse: want(.delta, L, N.elementwise(o, t) { 2 * ($0 - $1) / (B * Double(o.cols)) }, "= 2(o − t)/(B·n)")
            case .sum: want(.delta, L, o.map { _ in 1 }, "= 1")
            default: want(.delta, L, s[.delta, L]!, "= the contract's")
            }
            for l in 1..<L {
                want(.err, l, N.product(b[.delta, l + 1]!, s[.W, l + 1]!, transposeB: true), "= delta·Wᵀ")
                want(.delta, l, b[.err, l]!, "= err")
            }
        case "weights_not_transposed":
            same([.z, .a, .E, .loss, .slope])
            want(.delta, L, s[.delta, L]!)
            for l in 1..<L {
                let W = s[.W, l + 1]!, d = b[.delta, l + 1]!
                let square = W.rows == W.cols && W.rows > 1
                want(.err, l, N.product(d, W, transposeB: !square), square ? "= delta·W" : "= delta·Wᵀ")
                if l == L - 1 && square && N.close(b[.err, l], s[.err, l]) { bad.append("err(\(l)) is the contract's") }
            }
        case "update_sign", "lr_twice":
            same([.z, .a, .E, .loss, .slope, .delta, .err, .gradW, .gradB, .mW, .vW, .mHatW, .vHatW, .velW])
            let rate = model == "update_sign" ? -eta : eta * eta
            for l in 1...L {
                let step: Matrix
                switch spec.optimizer {
                case .sgd: step = s[.gradW, l]!
                case .momentum: step = s[.velW, l]!
                default: step = N.elementwise(s[.mHatW, l]!, s[.vHatW, l]!) { $0 / ($1.squareRoot() + 1e-8) }
                }
                want(.WNew, l, N.elementwise(s[.W, l]!, step) { $0 - rate * $1 }, model == "update_sign" ? "= W + η·step" : "= W − η²·step")
                if spec.bias && spec.optimizer.isSGD {
                    want(.bNew, l, N.elementwise(s[.b, l]!, s[.gradB, l]!) { $0 - rate * $1 }, "= b ∓ rate·grad_b")
                }
            }
        case "sse_without_half", "batch_mean":
            same([.z, .a, .E, .slope])
            let k = model == "sse_without_half" ? 2.0 : 1 / B
            want(.loss, L, s[.loss, L]!.map { $0 * k }, "= \(k)·loss")
            want(.delta, L, s[.delta, L]!.map { $0 * k })
            for l in 1...L {
                want(.gradW, l, s[.gradW, l]!.map { $0 * k }, "= \(k)·grad_W")
                if spec.bias { want(.gradB, l, s[.gradB, l]!.map { $0 * k }) }
                if l < L { want(.err, l, s[.err, l]!.map { $0 * k }); want(.delta, l, s[.delta, l]!.map { $0 * k }) }
            }
        case "bias_grad_first_sample":
            same([.z, .a, .E, .loss, .slope, .delta, .err, .gradW])
            for l in 1...L {
                want(.gradB, l, Matrix(row: s[.delta, l]!.row(0)), "= delta's first row")
                if N.close(b[.gradB, l], s[.gradB, l]) { bad.append("grad_b(\(l)) is the contract's") }
                if spec.updateBiases && spec.optimizer.isSGD { want(.bNew, l, N.elementwise(s[.b, l]!, b[.gradB, l]!) { $0 - eta * $1 }, "= b − η·grad_b") }
            }
        case "softmax_extra_slope":
            same([.z, .a, .E, .loss, .slope])
            want(.delta, L, N.elementwise(s[.delta, L]!, o) { $0 * $1 * (1 - $1) }, "= (o − t)/B ⊙ o(1 − o)")
            for l in 1...L { want(.gradW, l, N.product(N.transpose(b[.a, l - 1] ?? s.x), b[.delta, l]!), "= aᵀ·delta") }
        case "bias_missing_in_forward":
            same([.x, .y, .W, .b])
            want(.z, 1, N.product(s.x, s[.W, 1]!), "= x·W")
            for l in 2...max(L, 2) where l <= L { want(.z, l, N.product(b[.a, l - 1]!, s[.W, l]!), "= a·W") }
            for l in 1...L {
                want(.gradB, l, N.columnSums(b[.delta, l]!), "= Σ delta")
                if N.close(b[.z, l], s[.z, l]) { bad.append("z(\(l)) is the contract's") }
            }
        default:
            bad.append("no formula for \(model) in the test")
        }
        return bad
    }
}
