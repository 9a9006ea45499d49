import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// `bptrace fixture`: a snapshot of a run is a fixture that `bptrace check` passes, with the
/// values picked and written to the decimals asked for.
@Suite struct FixtureSnapshotTests {
    static func snapshot(_ preset: String, _ options: FixtureSnapshot.Options) throws -> (String, Fixture) {
        let spec = try Presets.spec(named: preset)
        let text = try FixtureSnapshot.make(spec: spec, reference: .inline(try JSONParser.parse(Presets.preset(named: preset)!.json)), options: options)
        return (text, try FixtureParser.parse(text: text, file: "\(preset)-snapshot.json"))
    }

    @Test(arguments: Presets.names)
    func snapshotsOfEveryPresetCheck(preset: String) throws {
        let (_, fixture) = try Self.snapshot(preset, FixtureSnapshot.Options(steps: 3))
        let result = Checker.check(fixture)
        #expect(result.failed == 0 && result.passed == fixture.entries.count && result.passed > 20)
        // Every step's names are there: three steps, as many names each.
        let perStep = ValueNames(spec: try Presets.spec(named: preset)).canonicalNames().count
        #expect(fixture.entries.count == 3 * perStep)
    }

    @Test func snapshotOfMazurHasThePostsNumbers() throws {
        let (text, fixture) = try Self.snapshot("mazur-2015", FixtureSnapshot.Options(steps: 1))
        // Written to 9 decimals, the engine's run gives the post's numbers (reference/mazur-2015.md).
        #expect(text.contains("{\"name\": \"out_h1\", \"value\": \"0.593269992\"}"))
        #expect(text.contains("{\"name\": \"w7+\", \"value\": \"0.511301270\"}"))
        #expect(text.contains("{\"name\": \"dE_total/dw1\", \"value\": \"0.000438568\"}"))
        #expect(fixture.entries.allSatisfy { $0.tolerance == 5e-10 })
    }

    @Test func pickAndDecimals() throws {
        let options = FixtureSnapshot.Options(steps: 2, pick: ["out_*", "E_total@2", "W_new(1)", "dnet_o1/dw5"], decimals: 4)
        let (text, fixture) = try Self.snapshot("mazur-2015", options)
        let labels = fixture.entries.map(\.label)
        #expect(labels == ["out_h1", "out_h2", "out_o1", "out_o2",
                           "W_new(1)[1,1]", "W_new(1)[1,2]", "W_new(1)[2,1]", "W_new(1)[2,2]", "dnet_o1/dw5",
                           "out_h1@2", "out_h2@2", "out_o1@2", "out_o2@2", "E_total@2",
                           "W_new(1)[1,1]@2", "W_new(1)[1,2]@2", "W_new(1)[2,1]@2", "W_new(1)[2,2]@2", "dnet_o1/dw5@2"])
        #expect(text.contains("{\"name\": \"out_o1\", \"value\": \"0.7514\"}"))
        #expect(fixture.entries.allSatisfy { $0.expected.decimals == 4 && $0.tolerance == 5e-5 })
        #expect(Checker.check(fixture).failed == 0)
        // Samples of a batch: a glob over out_o1[k].
        let (_, av) = try Self.snapshot("analytics-vidhya", FixtureSnapshot.Options(pick: ["out_o1[*]"]))
        #expect(av.entries.map(\.label) == ["out_o1[1]", "out_o1[2]", "out_o1[3]"])
    }

    @Test func badPicksAreNamed() throws {
        let spec = try Presets.spec(named: "mazur-2015")
        for pick in ["w9", "nothing_*", "a(7)", "out_o1@3"] {
            #expect(throws: NameError.self, "\(pick)") {
                try FixtureSnapshot.make(spec: spec, reference: .inline(.object([])), options: FixtureSnapshot.Options(steps: 2, pick: [pick]))
            }
        }
    }
}
