import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// Fixtures end to end in the library: the shipped fixtures pass, an altered digit fails with a
/// readable line, errata and convention values are confirmed, --explain names the convention a
/// published number follows, and bad fixtures name the file and the entry.
@Suite struct CheckFixtureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixturesDir = root.appendingPathComponent("Fixtures").path

    static var shipped: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixturesDir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: (fixturesDir as NSString).appendingPathComponent(name), encoding: .utf8)
    }

    static func check(_ text: String, file: String = "test.json", explain: Bool = false) throws -> FixtureCheck {
        Checker.check(try FixtureParser.parse(text: text, file: file, baseDirectory: fixturesDir), explain: explain)
    }

    /// The errors of a bad fixture, or [] when it loads.
    static func errors(_ text: String, file: String = "bad.json") -> [FixtureError] {
        do { _ = try FixtureParser.parse(text: text, file: file, baseDirectory: fixturesDir); return [] } catch let e as FixtureErrors {
            return e.errors
        } catch { return [FixtureError(file: file, path: "", message: "unexpected \(error)")] }
    }

    @Test func everyShippedFixturePasses() throws {
        #expect(Self.shipped.count >= 8, "\(Self.shipped)")
        for name in Self.shipped {
            let fixture = try FixtureParser.load(path: (Self.fixturesDir as NSString).appendingPathComponent(name))
            let result = Checker.check(fixture)
            #expect(result.failed == 0, "\(name): \(result.values.filter { $0.outcome == .fail }.map { "\($0.entry.label) \($0.reason ?? "")" })")
            #expect(result.passed > 0, "\(name)")
            #expect(fixture.source?.title != nil, "\(name) names its source")
        }
    }

    @Test func shippedFixturesCoverTheReferences() throws {
        let mazur = try Self.check(Self.text("mazur-2015.json"))
        #expect(mazur.passed >= 40)
        #expect(mazur.erratumConfirmed == 1)
        let slip = try #require(mazur.values.first { $0.entry.label == "dE_o2/dout_h1" })
        #expect(slip.outcome == .erratumConfirmed)
        #expect(abs(slip.computed! - -0.019049118258) < 1e-12)
        // The three later numbers, checked under the immediate order.
        for label in ["E_total@2", "E_total@10001", "out_o1@10001", "out_o2@10001"] {
            let v = try #require(mazur.values.first { $0.entry.label == label })
            #expect(v.outcome == .pass && v.entry.variant.key == "update=immediate", "\(label)")
        }
        let av = try Self.check(Self.text("analytics-vidhya.json"))
        #expect(av.conventionConfirmed == 4 && av.failed == 0)
        let softmax = try Self.check(Self.text("cs231n-softmax.json"))
        #expect(softmax.erratumConfirmed == 1)
        let numpy = try Self.check(Self.text("analytics-vidhya-numpy-seed2.json"))
        #expect(numpy.passed >= 100)
        // The starting draws of np.random.seed(2): numpy's first uniform(0, 1) values.
        let first = try #require(numpy.values.first { $0.entry.label == "wh[1,1]" })
        #expect(first.entry.expected.text == "0.435994902142" && first.outcome == .pass)
    }

    @Test func oneAlteredDigitFailsWithAReadableLine() throws {
        let original = try Self.text("mazur-2015.json")
        let altered = original.replacingOccurrences(of: "{\"name\": \"out_o1\", \"value\": \"0.75136507\"}",
                                                    with: "{\"name\": \"out_o1\", \"value\": \"0.75136517\"}")
        #expect(altered != original)
        let result = try Self.check(altered, file: "altered.json")
        #expect(result.failed == 1)
        let bad = try #require(result.values.first { $0.outcome == .fail })
        #expect(bad.entry.label == "out_o1")
        #expect(abs(bad.difference! - -1.0044768e-7) < 1e-12)
        let report = CheckReport(checks: [result]).text()
        let line = try #require(report.split(separator: "\n").first { $0.contains("FAIL") })
        #expect(line.contains("out_o1") && line.contains("expected 0.75136517") && line.contains("computed 0.75136507")
                && line.contains("= 0.7513650695523157") && line.contains("values[18]") && line.contains("tol ±5e-09"), "\(line)")
        #expect(report.hasSuffix("\(result.passed) passed, 1 failed\n"))
    }

    @Test func errataMustStillDiffer() throws {
        // Written correctly, the value now holds: an erratum that holds is a failure.
        let corrected = try Self.text("mazur-2015.json").replacingOccurrences(of: "\"value\": \"-0.019049119\"", with: "\"value\": \"-0.019049118\"")
        let result = try Self.check(corrected)
        let v = try #require(result.values.first { $0.entry.label == "dE_o2/dout_h1" })
        #expect(v.outcome == .fail)
        #expect(v.reason?.contains("now holds") == true)
        // The erratum's exact value is checked too: a wrong one fails.
        let wrongExact = try Self.text("mazur-2015.json").replacingOccurrences(of: "\"exact\": \"-0.019049118258\"", with: "\"exact\": \"-0.019049118358\"")
        let r2 = try Self.check(wrongExact)
        let w = try #require(r2.values.first { $0.entry.label == "dE_o2/dout_h1" })
        #expect(w.outcome == .fail && w.reason?.contains("does not hold either") == true)
        #expect(Self.errors(Self.bad("{\"name\": \"out_o1\", \"value\": \"0.7\", \"exact\": \"0.75\"}")).first?.path == "values[3].exact")
    }

    @Test func conventionValuesMustFailUnderTheSpecAndHoldUnderTheConvention() throws {
        let base = try Self.text("analytics-vidhya.json")
        // The code's number marked as lr_folded: it holds under the spec, so the status is wrong.
        let wrong = base.replacingOccurrences(of: "{\"name\": \"wout+[1,1]\", \"value\": \"0.295145773\"}",
                                              with: "{\"name\": \"wout+[1,1]\", \"value\": \"0.295145773\", \"status\": \"convention\", \"convention\": \"lr_folded\"}")
        let r1 = try Self.check(wrong)
        #expect(r1.failed == 1)
        // The Excel number attributed to the wrong convention.
        let misattributed = base.replacingOccurrences(of: "\"value\": \"0.299514577\", \"status\": \"convention\", \"convention\": \"lr_folded\"",
                                                      with: "\"value\": \"0.299514577\", \"status\": \"convention\", \"convention\": \"update=immediate\"")
        let r2 = try Self.check(misattributed)
        #expect(r2.failed == 1 && r2.conventionConfirmed == 3)
    }

    /// The three post-update numbers checked under the simultaneous order (no `with`).
    static func mazurWithoutOverrides() throws -> String {
        try text("mazur-2015.json").replacingOccurrences(of: ", \"with\": {\"update\": \"immediate\"}", with: "")
    }

    @Test func explainNamesTheImmediateOrderForThePostsLaterNumbers() throws {
        let result = try Self.check(Self.mazurWithoutOverrides(), explain: true)
        #expect(result.failed == 4)
        for v in result.values where v.outcome == .fail {
            let x = try #require(v.explanation)
            #expect(x.matches.map(\.convention.description) == ["update=immediate"], "\(v.entry.label)")
            let m = x.matches[0]
            // The step-1 forward numbers hold under both orders ...
            for label in ["net_h1", "out_h1", "out_o1", "out_o2", "E_total", "dE_total/dw5", "w5+", "w8+"] {
                #expect(m.alsoHold.contains(label), "\(label)")
            }
            // ... the hidden layer's numbers only under the simultaneous one the post's text describes.
            #expect(Set(m.wouldFail) == ["dE_o1/dout_h1", "dE_total/dout_h1", "dE_total/dw1", "w1+", "w2+", "w3+", "w4+"])
        }
        let e2 = try #require(result.values.first { $0.entry.label == "E_total@2" })
        #expect(abs(e2.explanation!.matches[0].computed - 0.2910279239) < 5e-11)
        let text = CheckReport(checks: [result]).text()
        #expect(text.contains("explain: 0.291027924 follows update=immediate"))
        #expect(text.contains("hold under both (step 1: 37 of 44)"))
    }

    @Test func explainNamesTheLearningRateFoldedIntoTheDelta() throws {
        // The Excel sheet's numbers written as plain published values.
        let text = try Self.text("analytics-vidhya.json").replacingOccurrences(of: ", \"status\": \"convention\", \"convention\": \"lr_folded\"", with: "")
        let result = try Self.check(text, explain: true)
        #expect(result.failed == 4)
        for v in result.values where v.outcome == .fail {
            #expect(v.explanation?.matches.map(\.convention.description) == ["lr_folded"], "\(v.entry.label)")
        }
        let report = CheckReport(checks: [result]).text()
        #expect(report.contains("follows lr_folded — the learning rate folded into the delta"))
    }

    @Test func learningRateFoldedRulesReproduceTheExcelSheet() throws {
        // reference/analytics-vidhya.md: Excel-sheet convention wout+ and bout+.
        var t = Trainer(spec: try Presets.spec(named: "analytics-vidhya"), rules: .learningRateFolded)
        let r = t.step(1)
        CheckNameTests.close(r.WNew[2]![0, 0], "0.299514577")
        CheckNameTests.close(r.WNew[2]![1, 0], "0.249497878")
        CheckNameTests.close(r.WNew[2]![2, 0], "0.229507513")
        CheckNameTests.close(r.bNew[2]![0, 0], "0.689363224")
        // The sheet's d_output = E·slope·lr, in the contract's sign lr·delta.
        CheckNameTests.close(-r.delta[2]![0, 0], "0.0035033638")
        #expect(t.parameters.weights[1] == r.WNew[2]!)
    }

    @Test func explainNamesTheSignTheLossAndBiasTraining() throws {
        func fixture(_ spec: String, _ values: String) -> String {
            "{\"source\": {\"title\": \"test\"}, \"preset\": \"\(spec)\", \"values\": [\(values)]}"
        }
        func conventions(_ text: String) throws -> [String] {
            let r = try Self.check(text, explain: true)
            let v = try #require(r.values.first { $0.outcome == .fail })
            return v.explanation?.matches.map(\.convention.description) ?? []
        }
        // The contract's delta written with the tutorial's sign (o - t vs t - o).
        #expect(try conventions(fixture("analytics-vidhya", "{\"name\": \"dE_total/dnet_o1[1]\", \"value\": \"0.035033638\"}")) == ["negated"])
        // The AV loss as a mean (scripts/independent_mlp.py with loss mse: 0.23607087441227717).
        #expect(try conventions(fixture("analytics-vidhya", "{\"name\": \"E_total\", \"value\": \"0.236070874\"}")) == ["loss=mse"])
        // Mazur with biases trained (independent_mlp.py: b2_2+ = 0.6190491182582781, E_total@2 = 0.28047144679143016).
        #expect(try conventions(fixture("mazur-2015", "{\"name\": \"b2_2+\", \"value\": \"0.619049118\"}")) == ["update_biases=true"])
        #expect(try conventions(fixture("mazur-2015", "{\"name\": \"E_total@2\", \"value\": \"0.280471447\"}")) == ["update_biases=true"])
        // Nothing reproduces a made-up number: the closest alternative is named.
        let r = try Self.check(fixture("mazur-2015", "{\"name\": \"out_o1\", \"value\": \"0.5\"}"), explain: true)
        let x = try #require(r.values[0].explanation)
        #expect(x.matches.isEmpty && x.closest != nil && x.tried > 5)
        #expect(CheckReport(checks: [r]).text().contains("no convention tried"))
    }

    @Test func pairsOfConventionsAreTriedWhenNoSingleOneFits() throws {
        // The Excel sheet's d_output (lr folded, tutorial sign) written against the contract's delta.
        let text = "{\"source\": \"test\", \"preset\": \"analytics-vidhya\", \"values\": [{\"name\": \"dE_total/dnet_o1[1]\", \"value\": \"0.0035033638\"}]}"
        let r = try Self.check(text, explain: true)
        #expect(r.values[0].explanation?.matches.map(\.convention.description) == ["negated + lr_folded"])
    }

    @Test func coordinatesAndNamesAgree() throws {
        let text = """
        {"source": {"title": "coordinates"}, "preset": "mazur-2015", "steps": 2,
         "values": [
          {"step": 1, "layer": 2, "quantity": "a", "row": 1, "col": 1, "value": "0.75136507"},
          {"layer": 1, "quantity": "z", "col": 1, "value": "0.3775"},
          {"step": 2, "layer": 2, "quantity": "loss", "value": "0.2910277737"},
          {"name": "out_o1", "step": 1, "value": 0.75136507},
          {"name": "w5+", "value": "0.358916480", "tolerance": "1e-9"},
          {"name": "w5+", "value": "0.36", "tolerance": 0.01},
          {"name": "dE_o2 / dout_h1", "expected": "\u{2212}0.019049118", "note": "spaces, the alias expected, a typographic minus"}
         ]}
        """
        let r = try Self.check(text)
        #expect(r.failed == 0 && r.passed == 7)
        #expect(r.values.map(\.entry.label) == ["a(2)[1,1]", "z(1)[1,1]", "loss(2)[1,1]@2", "out_o1", "w5+", "w5+", "dE_o2/dout_h1"])
        #expect(r.values[6].entry.expected.text == "\u{2212}0.019049118" && r.values[6].entry.expected.value == -0.019049118)
        #expect(r.values[4].entry.tolerance == 1e-9 && r.values[5].entry.tolerance == 0.01)
        #expect(r.values[3].entry.expected.text == "0.75136507")
    }

    @Test func fixtureLevelToleranceAndSpecByPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bptrace-fixture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Presets.preset(named: "xor")!.json.write(to: dir.appendingPathComponent("xor.json"), atomically: true, encoding: .utf8)
        let fixture = """
        {"source": {"title": "by path"}, "spec": "xor.json", "tolerance": "0.01",
         "values": [{"name": "out_o1[1]", "value": "0.7"}, {"name": "E_total", "value": "0.5", "tolerance": "0.5"}]}
        """
        try fixture.write(to: dir.appendingPathComponent("f.json"), atomically: true, encoding: .utf8)
        let f = try FixtureParser.load(path: dir.appendingPathComponent("f.json").path)
        #expect(f.entries[0].tolerance == 0.01 && f.entries[1].tolerance == 0.5)
        #expect(f.spec.name == "xor")
    }

    // MARK: Bad fixtures

    static let mazurSpec = """
    "spec": {"layers": [2, 2, 2], "learning_rate": 0.5, "update_biases": false,
             "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
             "biases": [[0.35, 0.35], [0.60, 0.60]],
             "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}}
    """

    static func bad(_ fourth: String) -> String {
        """
        {"source": {"title": "bad"}, \(mazurSpec), "values": [
          {"name": "net_h1", "value": "0.3775"}, {"name": "out_o1", "value": "0.75136507"}, {"name": "E_total", "value": "0.298371109"},
          \(fourth)]}
        """
    }

    @Test(arguments: [
        ("{\"name\": \"outt_o1\", \"value\": \"0.75\"}", "values[3].name", "unknown name \"outt_o1\""),
        ("{\"name\": \"w9\", \"value\": \"0.1\"}", "values[3].name", "\"w9\" is not a weight of this network: it has w1..w8"),
        ("{\"name\": \"dE_total/dw9\", \"value\": \"0.1\"}", "values[3].name", "w1..w8"),
        ("{\"name\": \"out_h3\", \"value\": \"0.1\"}", "values[3].name", "\"h3\" is not a neuron of this network"),
        ("{\"name\": \"out_o1\", \"value\": \"0.75a\"}", "values[3].value", "\"0.75a\" is not a number"),
        ("{\"name\": \"out_o1\", \"value\": \"0,75\"}", "values[3].value", "is not a number"),
        ("{\"name\": \"out_o1\", \"value\": null}", "values[3].value", "expected the number as text"),
        ("{\"name\": \"out_o1\"}", "values[3].value", "required"),
        ("{\"name\": \"out_o1\", \"value\": \"0.7\", \"tolerance\": \"-1\"}", "values[3].tolerance", "tolerance >= 0"),
        ("{\"name\": \"out_o1\", \"value\": \"0.7\", \"status\": \"wrong\"}", "values[3].status", "unknown status"),
        ("{\"name\": \"out_o1\", \"value\": \"0.7\", \"status\": \"convention\", \"convention\": \"sideways\"}", "values[3].convention", "unknown convention"),
        ("{\"name\": \"out_o1\", \"value\": \"0.7\", \"with\": {\"layers\": [2, 2]}}", "values[3].with.weights", "not valid"),
        ("{\"layer\": 2, \"quantity\": \"alpha\", \"row\": 1, \"col\": 1, \"value\": \"1\"}", "values[3].quantity", "unknown quantity \"alpha\""),
        ("{\"layer\": 3, \"quantity\": \"a\", \"row\": 1, \"col\": 1, \"value\": \"1\"}", "values[3].quantity", "no a in layer 3"),
        ("{\"value\": \"1\"}", "values[3]", "give a \"name\""),
        ("{\"name\": \"out_o1\", \"value\": \"1\", \"colour\": \"red\"}", "values[3].colour", "unknown key"),
    ])
    func badEntriesNameTheFileAndTheEntry(entry: String, path: String, message: String) {
        let errors = Self.errors(Self.bad(entry), file: "homework.json")
        #expect(errors.count == 1, "\(errors)")
        let e = errors.first
        #expect(e?.path == path, "\(String(describing: e))")
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
        #expect(e?.description.hasPrefix("homework.json: \(path): ") == true)
        #expect(e?.kind == .invalid)
    }

    @Test func aSpecThatFailsValidationIsNamed() {
        let text = Self.bad("{\"name\": \"out_o1\", \"value\": \"0.7\"}").replacingOccurrences(of: "\"learning_rate\": 0.5", with: "\"learning_rate\": -0.5")
        let errors = Self.errors(text)
        #expect(errors.map(\.path) == ["spec.learning_rate"])
        #expect(errors.first?.message.contains("expected a number > 0") == true)
        let shapes = Self.errors(Self.bad("{\"name\": \"out_o1\", \"value\": \"0.7\"}").replacingOccurrences(of: "\"layers\": [2, 2, 2]", with: "\"layers\": [2, 3, 2]"))
        #expect(shapes.first?.path == "spec.weights[0][0]")
    }

    @Test func everyBadEntryIsReported() {
        let text = Self.bad("{\"name\": \"w9\", \"value\": \"1\"}, {\"name\": \"out_o1\", \"value\": \"x\"}")
        #expect(Self.errors(text).map(\.path) == ["values[3].name", "values[4].value"])
    }

    @Test func wholeFileProblems() {
        #expect(Self.errors("{\"values\": [").first?.message.contains("not valid JSON") == true)
        #expect(Self.errors("{\"preset\": \"mazur-2015\"}").first?.path == "values")
        #expect(Self.errors("{\"values\": [{\"name\": \"out_o1\", \"value\": \"1\"}]}").first?.path == "spec")
        #expect(Self.errors("{\"preset\": \"mazur-2105\", \"values\": [{\"name\": \"out_o1\", \"value\": \"1\"}]}").first?.message.contains("did you mean \"mazur-2015\"") == true)
        #expect(Self.errors("{\"spec\": \"no-such-spec.json\", \"values\": [{\"name\": \"out_o1\", \"value\": \"1\"}]}").first?.kind == .missingFile)
        #expect(Self.errors("{\"preset\": \"mazur-2015\", \"steps\": 1, \"values\": [{\"name\": \"E_total@2\", \"value\": \"1\"}]}").first?.message.contains("needs step 2") == true)
        #expect(throws: FixtureErrors.self) { try FixtureParser.load(path: "/no/such/fixture.json") }
    }
}
