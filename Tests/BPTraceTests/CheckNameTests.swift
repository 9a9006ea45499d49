import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// The written-number rules (default tolerance, formatting like the author) and the name
/// grammar of docs/CHECKING.md, against the Mazur post's published numbers and hand-checked
/// identities.
@Suite struct CheckNameTests {
    // MARK: Written numbers

    @Test(arguments: [
        ("0.593269992", 5e-10), ("0.3775", 5e-5), ("0.75136507", 5e-9), ("6", 0.5), ("-3.001", 5e-4),
        ("0.2", 0.05), ("1e-05", 5e-6), ("1.25e-3", 5e-6), ("2.5E+3", 50), ("-0.019049119", 5e-10), ("0.000035085", 5e-10),
    ])
    func defaultToleranceIsHalfAUnitInTheLastWrittenDecimal(text: String, tolerance: Double) throws {
        let w = try #require(WrittenNumber(text))
        #expect(abs(w.halfUnit - tolerance) <= tolerance * 1e-12, "\(text): \(w.halfUnit)")
        #expect(w.value == Double(text)!)
    }

    @Test(arguments: ["", ".5", "1.", "0x1p3", "NaN", "inf", "1,5", " 1", "1 ", "--1", "1e", "1e-", "abc", "0.5.1"])
    func malformedNumbersAreRejected(text: String) {
        #expect(WrittenNumber(text) == nil, "\(text)")
    }

    @Test func computedValuesAreShownLikeTheWrittenOnes() throws {
        #expect(try #require(WrittenNumber("0.75136507")).formatLike(0.7513650695523157) == "0.75136507")
        #expect(try #require(WrittenNumber("0.2")).formatLike(0.19661193324148185) == "0.2")
        #expect(try #require(WrittenNumber("1e-05")).formatLike(1.04e-5) == "1e-05")
        #expect(try #require(WrittenNumber("3.51e-05")).formatLike(3.5084786296312774e-05) == "3.51e-05")
        #expect(try #require(WrittenNumber("-0.131254680")).formatLike(-0.13125468041924263) == "-0.131254680")
        #expect(shortestText(0.3775) == "0.3775")
        #expect(shortestText(1e-05) == "1e-05")
        #expect(shortestText(6) == "6")
    }

    @Test func holdsIsInclusiveAtTheHalfUnit() {
        // 0.0190491185 is exactly half way at 9 decimals: both neighbours hold.
        #expect(WrittenNumber.holds(0.0190491185, expected: 0.019049118, tolerance: 5e-10))
        #expect(WrittenNumber.holds(0.0190491185, expected: 0.019049119, tolerance: 5e-10))
        // The Mazur slip: -0.019049118258 is 7.4e-10 away from the printed -0.019049119.
        #expect(!WrittenNumber.holds(-0.019049118258278114, expected: -0.019049119, tolerance: 5e-10))
        #expect(!WrittenNumber.holds(.nan, expected: 0, tolerance: 1))
    }

    // MARK: Names on the Mazur network

    static let mazur = try! Presets.spec(named: "mazur-2015")

    /// Reads `name` on the first step(s) of a spec with the engine.
    static func read(_ name: String, _ spec: NetworkSpec = mazur, sample: Int? = nil, step: Int? = nil) throws -> Double {
        let r = try ValueNames(spec: spec).resolve(name, sample: sample, step: step)
        let results = ConventionRunner.run(spec: spec, steps: [r.step])
        return try #require(r.target.read(results[r.step]!, spec: spec))
    }

    static func close(_ v: Double, _ published: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let w = WrittenNumber(published)!
        #expect(WrittenNumber.holds(v, expected: w.value, tolerance: w.halfUnit), "computed \(v), published \(published)", sourceLocation: sourceLocation)
    }

    @Test func postNamesReadThePostsNumbers() throws {
        // reference/mazur-2015.md
        Self.close(try Self.read("net_h1"), "0.3775")
        Self.close(try Self.read("out_h2"), "0.596884378")
        Self.close(try Self.read("net_o1"), "1.105905967")
        Self.close(try Self.read("out_o2"), "0.772928465")
        Self.close(try Self.read("E_o1"), "0.274811083")
        Self.close(try Self.read("E_o2"), "0.023560026")
        Self.close(try Self.read("E_total"), "0.298371109")
        Self.close(try Self.read("dE_total/dout_o1"), "0.74136507")
        Self.close(try Self.read("dE_o1/dout_o1"), "0.74136507")
        Self.close(try Self.read("dout_o1/dnet_o1"), "0.186815602")
        Self.close(try Self.read("dE_total/dw5"), "0.082167041")
        Self.close(try Self.read("dE/dw5"), "0.082167041")
        Self.close(try Self.read("∂E_total/∂w5"), "0.082167041")
        Self.close(try Self.read("w6+"), "0.408666186")
        Self.close(try Self.read("dE_o1/dnet_o1"), "0.138498562")
        Self.close(try Self.read("dE_o1/dout_h1"), "0.055399425")
        Self.close(try Self.read("dE_o2/dout_h1"), "-0.019049118")
        Self.close(try Self.read("dE_total/dout_h1"), "0.036350306")
        Self.close(try Self.read("dout_h1/dnet_h1"), "0.241300709")
        Self.close(try Self.read("dE_total/dw1"), "0.000438568")
        Self.close(try Self.read("w4+"), "0.29950229")
        // The post's chain-rule identities.
        #expect(try Self.read("dnet_o1/dw5") == Self.read("out_h1"))
        #expect(try Self.read("dnet_o1/dout_h1") == 0.40)
        #expect(try Self.read("dnet_h1/dw1") == 0.05)
        #expect(try Self.read("dnet_h1/db1") == 1)
        #expect(try Self.read("i2") == 0.10)
        #expect(try Self.read("out_i1") == 0.05)
        #expect(try Self.read("t_o2") == 0.99)
        // err is the sum of the post's two products.
        let sum = try Self.read("dE_o1/dout_h1") + Self.read("dE_o2/dout_h1")
        #expect(abs(sum - (try Self.read("dE_total/dout_h1"))) < 1e-17)
    }

    @Test func stepSelectorReadsLaterSteps() throws {
        // reference/mazur-2015.md: the simultaneous order gives 0.2910277737 after one update.
        Self.close(try Self.read("E_total@2"), "0.2910277737")
        #expect(try Self.read("E_total@2") == Self.read("E_total", step: 2))
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve("E_total@2", step: 3) }
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve("E_total@0") }
        #expect(try ValueNames(spec: Self.mazur).resolve("out_o1@3").label == "out_o1@3")
    }

    @Test func biasNamesSharedAndPerNeuron() throws {
        // Mazur's biases are fixed and shared: b1 and b1_2 are both accepted.
        #expect(try Self.read("b1") == 0.35)
        #expect(try Self.read("b1_2") == 0.35)
        #expect(try Self.read("b2+") == 0.60)
        // dE/db1 of the shared bias: the sum of both hidden neurons' deltas.
        let d1 = try Self.read("dE_total/dnet_h1"), d2 = try Self.read("dE_total/dnet_h2")
        #expect(try Self.read("dE_total/db1") == d1 + d2)
        #expect(try Self.read("dE_total/db1_1") == d1)
        // With biases trained (hand-checked with scripts/independent_mlp.py): b1_1+ = 0.35 - 0.5·0.008771354.
        var trained = Self.mazur
        trained.updateBiases = true
        Self.close(try Self.read("b1_1+", trained), "0.345614323")
        #expect(throws: NameError.self) { try ValueNames(spec: trained).resolve("b1") }
    }

    @Test func samplesOfABatch() throws {
        let av = try Presets.spec(named: "analytics-vidhya")
        // reference/analytics-vidhya.md
        Self.close(try Self.read("out_o1[2]", av), "0.798064318")
        Self.close(try Self.read("out_o1", av, sample: 3), "0.789335322")
        Self.close(try Self.read("out_o1@1[3]", av), "0.789335322")
        Self.close(try Self.read("out_h2[1]", av), "0.855696866")
        let names = ValueNames(spec: av)
        #expect(names.batchSize == 3)
        #expect(try names.resolve("out_o1[2]").label == "out_o1[2]")
        #expect(throws: NameError.self) { try names.resolve("out_o1") }          // which sample?
        #expect(throws: NameError.self) { try names.resolve("out_o1[4]") }       // not in the batch
        #expect(throws: NameError.self) { try names.resolve("out_o1[2]", sample: 1) }
        #expect(throws: NameError.self) { try names.resolve("E_total[1]") }      // one number per step
    }

    @Test func tutorialNamesCarryTheTutorialsSign() throws {
        let av = try Presets.spec(named: "analytics-vidhya")
        Self.close(try Self.read("hidden_layer_input[2,1]", av), "2.40")
        Self.close(try Self.read("d_output[1,1]", av), "0.035033638")
        Self.close(try Self.read("d_output[3,1]", av), "-0.131254680")
        Self.close(try Self.read("wout+[2,1]", av), "0.244978776")
        Self.close(try Self.read("bout+", av), "0.683632244")
        Self.close(try Self.read("bh+[2]", av), "0.71973006")
        #expect(try Self.read("d_output[1,1]", av) == -(try Self.read("dE_total/dnet_o1[1]", av)))
        #expect(try Self.read("Error_at_hidden_layer[2,3]", av) == -(try Self.read("dE_total/dout_h3[2]", av)))
        #expect(try Self.read("d_hiddenlayer[2,3]", av) == -(try Self.read("dE_total/dnet_h3[2]", av)))
        #expect(throws: NameError.self) { try ValueNames(spec: av).resolve("output") }   // a 3 x 1 matrix: which cell?
    }

    @Test func coordinateNames() throws {
        #expect(try Self.read("a(2)[1,1]") == Self.read("out_o1"))
        #expect(try Self.read("W_new(1)[2,1]") == Self.read("w2+"))
        #expect(try Self.read("grad_W(2)[1,2]") == Self.read("dE_total/dw7"))
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve("a(3)[1,1]") }
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve("a(2)[1,3]") }
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve("err(2)[1,1]") }   // no err at the output
    }

    @Test func deeperNetworksNameHiddenLayersByNumber() throws {
        let deep = try Presets.spec(named: "tanh-relu-softmax")
        let names = ValueNames(spec: deep)
        #expect(try names.resolve("out_h2_4[2]").target == .cell(.a, layer: 2, row: 2, col: 4))
        #expect(try names.resolve("net_h1_5[1]").target == .cell(.z, layer: 1, row: 1, col: 5))
        // Weights are numbered layer by layer (20 in layer 1, 20 in layer 2, 12 in layer 3).
        #expect(try names.resolve("w21").target == .cell(.W, layer: 2, row: 1, col: 1))
        #expect(try names.resolve("w52+").target == .cell(.WNew, layer: 3, row: 4, col: 3))
        #expect(throws: NameError.self) { try names.resolve("w53") }
        #expect(throws: NameError.self) { try names.resolve("out_h1[1]") }       // h1 needs its layer here
        #expect(throws: NameError.self) { try names.resolve("dout_o1/dnet_o1[1]") } // softmax has no slope
        #expect(throws: NameError.self) { try names.resolve("dE_o1/dnet_o1[1]") }
        // With l2 > 0 the cost is a traced quantity; "cost" reads it.
        #expect(try Self.read("cost", deep) == Self.read("cost(3)[1,1]", deep))
        #expect(try Self.read("cost", deep) > Self.read("E_total", deep))
        #expect(try Self.read("cost") == Self.read("E_total"))   // l2 = 0: the cost is the loss
    }

    @Test(arguments: [
        "w9", "w9+", "dE_total/dw9", "out_h3", "net_i1", "b3", "E_h1", "t_h1", "outt_o1", "dE_o1/dout_o2", "dout_o1/dnet_o2",
        "dnet_o1/dw1", "dnet_o1/dout_i1", "dE_total", "d/dw5", "dfoo/dw5", "out_o1[x]", "out_o1@x", "bout+[1]@", "",
    ])
    func namesThatDoNotExistInThe222Network(name: String) {
        #expect(throws: NameError.self) { try ValueNames(spec: Self.mazur).resolve(name) }
    }

    @Test func messagesSayWhatExists() {
        let names = ValueNames(spec: Self.mazur)
        func message(_ n: String) -> String {
            do { _ = try names.resolve(n); return "" } catch { return "\(error)" }
        }
        #expect(message("w9").contains("w1..w8"))
        #expect(message("out_h3").contains("h1..h2"))
        #expect(message("outt_o1").contains("did you mean \"out_o1\""))
        #expect(message("out_o1[2]").contains("1 sample"))
    }

    @Test func canonicalNamesAllResolveAndMatchTheCatalogueSize() throws {
        for preset in Presets.all {
            let spec = try Presets.spec(named: preset.name)
            let names = ValueNames(spec: spec)
            let all = names.canonicalNames()
            #expect(Set(all).count == all.count, "\(preset.name): duplicate names")
            for n in all { _ = try names.resolve(n) }
        }
        let mazurNames = ValueNames(spec: Self.mazur).canonicalNames()
        #expect(mazurNames.contains("dE_total/dw5") && mazurNames.contains("w8+") && mazurNames.contains("b1+"))
        #expect(!mazurNames.contains("b1_1+"))
    }
}
