import Foundation
import Testing
import BPTrace

/// `bptrace check` as a user runs it.
/// (Moved here from BPTraceTests, a target that does not depend on the executable.)
@Suite struct CheckCLITests {
    static var fixtureArgs: [String] { CLI.shippedFixtures.map { "Fixtures/\($0)" } }

    /// Mazur's fixture with the post's later numbers checked under the spec's own
    /// (simultaneous) order: they fail, and --explain names the immediate order.
    static func mazurWithoutOverrides() throws -> String {
        try CLI.fixtureText("mazur-2015.json").replacingOccurrences(of: ", \"with\": {\"update\": \"immediate\"}", with: "")
    }

    static let mazurSpec = """
    "spec": {"layers": [2, 2, 2], "learning_rate": 0.5, "update_biases": false,
             "weights": [[[0.15, 0.25], [0.20, 0.30]], [[0.40, 0.50], [0.45, 0.55]]],
             "biases": [[0.35, 0.35], [0.60, 0.60]],
             "data": {"inputs": [[0.05, 0.10]], "targets": [[0.01, 0.99]]}}
    """

    /// A fixture of Mazur's network whose fourth value is `fourth`.
    static func bad(_ fourth: String) -> String {
        """
        {"source": {"title": "bad"}, \(mazurSpec), "values": [
          {"name": "net_h1", "value": "0.3775"}, {"name": "out_o1", "value": "0.75136507"}, {"name": "E_total", "value": "0.298371109"},
          \(fourth)]}
        """
    }

    @Test func checkAllShippedFixturesPasses() throws {
        let r = try CLI.run(["check"] + Self.fixtureArgs)
        #expect(r.status == 0, "\(r.stderr)\n\(r.stdout.suffix(2000))")
        let lines = r.stdout.split(separator: "\n")
        let last = try #require(lines.last)
        #expect(last.range(of: #"^\d+ passed, 0 failed$"#, options: .regularExpression) != nil, "\(last)")
        // Exactly one line of the `N passed, M failed` form: the summary.
        #expect(lines.filter { $0.range(of: #"\d+ passed, \d+ failed"#, options: .regularExpression) != nil }.count == 1)
        #expect(r.stdout.contains("errata confirmed") && r.stdout.contains("convention values confirmed"))
        #expect(!r.stdout.contains("FAIL"))
        // A folder argument checks the same files.
        let folder = try CLI.run(["check", "Fixtures"])
        #expect(folder.status == 0 && folder.stdout.hasSuffix(String(last) + "\n"))
    }

    @Test func oneAlteredDigitFails() throws {
        let dir = try CLI.scratch("check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = try CLI.fixtureText("mazur-2015.json").replacingOccurrences(of: "\"value\": \"0.298371109\"", with: "\"value\": \"0.298371119\"")
        try text.write(toFile: dir + "/altered.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "altered.json"], in: dir)
        #expect(r.status == 1)
        let fail = try #require(r.stdout.split(separator: "\n").first { $0.contains("FAIL") })
        #expect(fail.contains("E_total") && fail.contains("expected 0.298371119") && fail.contains("computed 0.298371109")
                && fail.contains("values[22]"), "\(fail)")
        #expect(r.stdout.hasSuffix("47 passed, 1 failed\n"), "\(r.stdout.suffix(300))")
    }

    @Test func explainNamesTheImmediateOrder() throws {
        let dir = try CLI.scratch("check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.mazurWithoutOverrides().write(toFile: dir + "/mazur-simultaneous.json", atomically: true, encoding: .utf8)
        let r = try CLI.run(["check", "--explain", "mazur-simultaneous.json"], in: dir)
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let i = try #require(lines.firstIndex { $0.contains("FAIL") && $0.contains("E_total@2 ") })
        #expect(lines[i + 1].contains("explain: 0.291027924 follows update=immediate"), "\(lines[i + 1])")
        #expect(lines[i + 2].contains("hold under both (step 1: 37 of 44)") && lines[i + 2].contains("out_o1"), "\(lines[i + 2])")
        #expect(lines[i + 3].contains("hold only under the fixture's spec") && lines[i + 3].contains("w1+"), "\(lines[i + 3])")
        #expect(r.stdout.hasSuffix("44 passed, 4 failed\n"))
        // Without --explain there is no explanation.
        let plain = try CLI.run(["check", "mazur-simultaneous.json"], in: dir)
        #expect(!plain.stdout.contains("explain:"))
    }

    @Test func jsonFormat() throws {
        let r = try CLI.run(["check", "--format", "json", "Fixtures/mazur-2015.json", "Fixtures/analytics-vidhya.json"])
        #expect(r.status == 0)
        let json = try JSONParser.parse(r.stdout)
        guard case .object(let root) = json else { Issue.record("not an object"); return }
        let fields = Dictionary(uniqueKeysWithValues: root.map { ($0.key, $0.value) })
        #expect(fields["failed"] == .number("0"))
        #expect(fields["errata_confirmed"] == .number("1"))
        #expect(fields["conventions_confirmed"] == .number("4"))
        guard case .array(let fixtures)? = fields["fixtures"], case .object(let first)? = fixtures.first,
              case .array(let values)? = first.first(where: { $0.key == "values" })?.value else { Issue.record("no values"); return }
        let slip = values.first { v in
            if case .object(let m) = v { return m.contains { $0.key == "name" && $0.value == .string("dE_o2/dout_h1") } }
            return false
        }
        guard case .object(let m)? = slip else { Issue.record("no erratum entry"); return }
        let d = Dictionary(uniqueKeysWithValues: m.map { ($0.key, $0.value) })
        #expect(d["outcome"] == .string("erratum-confirmed"))
        #expect(d["expected"] == .string("-0.019049119"))
        #expect(d["computed"] == .string("-0.019049118"))
        #expect(d["computed_full"] == .number("-0.019049118258278114"))
    }

    @Test func badFixturesExit65WithTheEntryNamed() throws {
        let dir = try CLI.scratch("check")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.bad("{\"name\": \"w9\", \"value\": \"0.1\"}").write(toFile: dir + "/w9.json", atomically: true, encoding: .utf8)
        try Self.bad("{\"name\": \"out_o1\", \"value\": \"0.7.5\"}").write(toFile: dir + "/number.json", atomically: true, encoding: .utf8)
        try Self.bad("{\"name\": \"net_h9\", \"value\": \"1\"}").write(toFile: dir + "/unknown.json", atomically: true, encoding: .utf8)
        try Self.bad("{\"name\": \"out_o1\", \"value\": \"0.7\"}").replacingOccurrences(of: "[2, 2, 2]", with: "[2, 2]")
            .write(toFile: dir + "/spec.json", atomically: true, encoding: .utf8)
        for (file, message) in [("w9.json", "w9.json: values[3].name: \"w9\" is not a weight of this network: it has w1..w8"),
                                ("number.json", "number.json: values[3].value: \"0.7.5\" is not a number"),
                                ("unknown.json", "unknown.json: values[3].name: \"h9\" is not a neuron of this network"),
                                ("spec.json", "spec.json: spec.")] {
            let r = try CLI.run(["check", file], in: dir)
            #expect(r.status == 65, "\(file): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("bptrace: error: " + message), "\(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"))
        }
        // A bad fixture among good ones: the good ones are still checked, the exit code is 65.
        let mixed = try CLI.run(["check", dir + "/w9.json", "Fixtures/nnfs-relu-neuron.json"])
        #expect(mixed.status == 65 && mixed.stdout.hasSuffix("12 passed, 0 failed\n"))
        let missing = try CLI.run(["check", "no-such.json"], in: dir)
        #expect(missing.status == 66 && missing.stderr.contains("no-such.json: the fixture file does not exist"))
        let usage = try CLI.run(["check", "--format", "xml", "Fixtures/mazur-2015.json"])
        #expect(usage.status == 64)
    }

    @Test func helpDocumentsTheFormatAndExitCodes() throws {
        let r = try CLI.run(["check", "--help"])
        #expect(r.stdout.contains("--explain") && r.stdout.contains("65") && r.stdout.contains("half a unit"))
        let top = try CLI.run(["--help"])
        #expect(top.stdout.contains("check") && top.stdout.contains("fixture") && top.stdout.contains("gradcheck"))
    }
}
