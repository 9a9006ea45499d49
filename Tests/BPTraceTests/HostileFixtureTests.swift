import Foundation
import Testing
@testable import BPTrace
@testable import BPTraceCheck

/// Hostile fixtures: `check` stays bounded (steps, work, variants, kept results, --explain) and
/// never reads a data file outside the spec's folder or echoes its content.
@Suite struct HostileFixtureTests {
    static func errors(_ text: String, in dir: String = ".", access: DataAccess = .specFolderOnly) -> [FixtureError] {
        do { _ = try FixtureParser.parse(text: text, file: "f.json", baseDirectory: dir, dataAccess: access); return [] } catch let e as FixtureErrors {
            return e.errors
        } catch { return [FixtureError(file: "f.json", path: "", message: "unexpected \(error)")] }
    }

    static func fixture(_ values: String, header: String = "\"preset\": \"mazur-2015\"") -> String {
        "{\(header), \"values\": [\(values)]}"
    }

    @Test("steps beyond the check's limit are refused before anything runs", arguments: [
        ("{\"name\": \"E_total@9223372036854775807\", \"value\": \"0.1\"}", "values[0].name", "a check trains at most 1000000 steps"),
        ("{\"name\": \"E_total@9223372036854775808\", \"value\": \"0.1\"}", "values[0].name", "must be a step number >= 1"),
        ("{\"name\": \"E_total@1000000000\", \"value\": \"0.1\"}", "values[0].name", "a check trains at most 1000000 steps"),
        ("{\"name\": \"E_total\", \"step\": 1000000000, \"value\": \"0.1\"}", "values[0].step", "from 1 to 1000000"),
        ("{\"name\": \"E_total\", \"step\": 1e9, \"value\": \"0.1\"}", "values[0].step", "expected an integer"),
        ("{\"step\": 9223372036854775807, \"layer\": 2, \"quantity\": \"a\", \"row\": 1, \"col\": 1, \"value\": \"0.1\"}", "values[0].step", "from 1 to 1000000"),
    ])
    func stepBounds(value: String, path: String, says: String) throws {
        let start = Date()
        let e = Self.errors(Self.fixture(value))
        #expect(e.count == 1 && e[0].path == path && e[0].message.contains(says), "\(e)")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func fixtureStepsAndWorkAreBounded() throws {
        let steps = Self.errors(Self.fixture("{\"name\": \"E_total\", \"value\": \"0.3\"}", header: "\"preset\": \"mazur-2015\", \"steps\": 10000000"))
        #expect(steps.first?.path == "steps" && steps.first?.message.contains("from 1 to 1000000") == true, "\(steps)")
        // A wide network: fewer steps fit in the check's work bound.
        let wide = "\"spec\": {\"layers\": [2, 2000, 2000, 2], \"learning_rate\": 0.1, \"data\": {\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01, 0.99]]}}"
        let work = Self.errors(Self.fixture("{\"name\": \"E_total@100\", \"value\": \"0.3\"}", header: wide))
        #expect(work.first?.path == "values[0]" && work.first?.message.contains("a check trains at most 100,000,000 values") == true, "\(work)")
    }

    @Test func variantsAndKeptResultsAreBounded() throws {
        let many = (1...20).map { "{\"name\": \"E_total\", \"value\": \"0.3\", \"with\": {\"learning_rate\": 0.\($0)}}" }.joined(separator: ", ")
        let e = Self.errors(Self.fixture(many))
        #expect(e.count == 4 && e.allSatisfy { $0.message.contains("at most 16 different \"with\" variants") }, "\(e)")
        let wide = "\"spec\": {\"layers\": [2, 1000, 1000, 2], \"learning_rate\": 0.1, \"data\": {\"inputs\": [[0.05, 0.1]], \"targets\": [[0.01, 0.99]]}}"
        let values = (1...20).map { "{\"name\": \"E_total@\($0)\", \"value\": \"0.3\"}" }.joined(separator: ", ")
        let kept = Self.errors(Self.fixture(values, header: wide))
        #expect(kept.first?.path == "values" && kept.first?.message.contains("keeps at most 20,000,000") == true, "\(kept)")
    }

    @Test func explainIsBounded() throws {
        // 60 failing values: the first 50 are explained, the report says the rest are not.
        let values = (1...60).map { "{\"name\": \"E_total@\($0)\", \"value\": \"9.5\"}" }.joined(separator: ", ")
        let fixture = try FixtureParser.parse(text: Self.fixture(values), file: "f.json")
        let result = Checker.check(fixture, explain: true)
        #expect(result.failed == 60)
        #expect(result.values.filter { $0.explanation != nil }.count == CheckLimits.maximumExplained)
        #expect(result.unexplained == 10)
        #expect(CheckReport(checks: [result]).text().contains("10 more are not explained"))
    }

    @Test func longOrHostileTokensAreCutAndEscaped() throws {
        let longName = Self.errors(Self.fixture("{\"name\": \"" + String(repeating: "w", count: 10_000) + "\", \"value\": \"1\"}"))
        #expect(longName.first?.message.contains("at most 100 characters") == true && (longName.first?.message.count ?? 0) < 300, "\(longName)")
        let longValue = Self.errors(Self.fixture("{\"name\": \"E_total\", \"value\": \"0." + String(repeating: "1", count: 100_000) + "\"}"))
        #expect(longValue.first?.path == "values[0].value" && (longValue.first?.message.count ?? 0) < 300, "\(longValue)")
        let esc = Self.errors(Self.fixture("{\"name\": \"E_total\", \"value\": \"1\", \"status\": \"\\u001b[2J\\u202e\"}"))
        #expect(esc.first.map { !$0.description.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E } } == true, "\(esc)")
        // The text report escapes the fixture's own text (title, notes) too.
        let titled = "{\"title\": \"T\\u001b[31m\\u202e\", \"preset\": \"mazur-2015\", \"values\": [{\"name\": \"E_total\", \"value\": \"9\", \"note\": \"n\\u001b\"}]}"
        let report = CheckReport(checks: [Checker.check(try FixtureParser.parse(text: titled, file: "f\u{1B}.json"))]).text()
        #expect(!report.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E } && report.contains("\\u{001B}"), "\(report)")
    }

    @Test func aFixturesSpecReadsDataOnlyInsideItsFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bptrace-hostile-fx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/specs", withIntermediateDirectories: true)
        try "a,b,c,d\n0.05,0.1,0.01,0.99\n".write(toFile: dir + "/d.csv", atomically: true, encoding: .utf8)
        let inline = "\"spec\": {\"layers\": [2, 2, 2], \"learning_rate\": 0.5, \"data\": {\"csv\": \"%@\", \"inputs\": [\"a\", \"b\"], \"targets\": [\"c\", \"d\"]}}"
        let value = "{\"name\": \"E_total\", \"value\": \"0.3\", \"tolerance\": \"1\"}"
        for csv in ["/etc/shadow", "/proc/self/environ", "../d.csv"] {
            let e = Self.errors(Self.fixture(value, header: inline.replacingOccurrences(of: "%@", with: csv)), in: dir + "/specs")
            #expect(e.first?.path == "spec.data.csv" && e.first?.message.contains("--allow-outside-data") == true, "\(csv): \(e)")
        }
        // A spec file by path: its data is relative to the spec's folder, which it may not leave.
        try Self.fixture(value, header: inline.replacingOccurrences(of: "%@", with: "../d.csv")).write(toFile: dir + "/specs/x.json", atomically: true, encoding: .utf8)
        try "{\"layers\": [2, 2, 2], \"learning_rate\": 0.5, \"data\": {\"csv\": \"../d.csv\", \"inputs\": [\"a\", \"b\"], \"targets\": [\"c\", \"d\"]}}".write(toFile: dir + "/specs/net.json", atomically: true, encoding: .utf8)
        let byPath = Self.errors(Self.fixture(value, header: "\"spec\": \"specs/net.json\""), in: dir)
        #expect(byPath.first?.path == "spec" && byPath.first?.message.contains("goes up a folder") == true, "\(byPath)")
        #expect(Self.errors(Self.fixture(value, header: "\"spec\": \"specs/net.json\""), in: dir, access: .anywhere).isEmpty)
    }
}

extension HostileFixtureTests {
    @Test func theJSONReportEscapesControlAndBidiCharacters() throws {
        let titled = "{\"title\": \"T\\u001b\\u0085\\u202e\\u007f\", \"preset\": \"mazur-2015\", \"values\": [{\"name\": \"E_total\", \"value\": \"9\"}]}"
        let json = CheckReport(checks: [Checker.check(try FixtureParser.parse(text: titled, file: "f.json"))]).json()
        #expect(!json.unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" }, "\(json)")
        // Still the same string when read back.
        guard case .object(let root) = try JSONParser.parse(json), case .array(let fixtures)? = root.first(where: { $0.key == "fixtures" })?.value,
              case .object(let first)? = fixtures.first, case .string(let title)? = first.first(where: { $0.key == "title" })?.value else {
            Issue.record("no fixtures[0].title in \(json)"); return
        }
        #expect(title == "T\u{1B}\u{85}\u{202E}\u{7F}")
    }
}
