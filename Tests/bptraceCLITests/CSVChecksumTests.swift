import Foundation
import Testing

/// The CSV of every preset and of every fixture's spec, at 3 and 12 steps, is byte-identical to
/// what the code wrote when `Tests/Checksums/csv-sha256.txt` was recorded (before the catalogue
/// took over the formulas): moving the math must not move a single byte of the trace.
///
/// To re-record after a deliberate change of the CSV, run this suite with
/// `BPTRACE_RECORD_CSV_CHECKSUMS=1` and commit the file with the reason.
@Suite struct CSVChecksumTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let file = root + "/Tests/Checksums/csv-sha256.txt"
    static let steps = [3, 12]

    /// `sha256  <source> steps=<n>` lines, one per CSV, in a fixed order.
    static func currentChecksums() throws -> [String] {
        let dir = try CLI.scratch("csv-sum")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var sources: [(label: String, args: [String])] = []
        let list = try CLI.run(["presets"], in: dir)
        try #require(list.status == 0, "\(list.stderr)")
        // Preset lines start in column 1 (`mazur-2015 (default)`); descriptions are indented.
        let presets = list.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        for p in presets { sources.append(("preset:\(p)", ["--preset", p])) }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: root + "/Fixtures").filter { $0.hasSuffix(".json") }.sorted()
        for f in fixtures {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/Fixtures/" + f))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let spec = try #require(object["spec"], "\(f) has no spec")
            let name = "fixture-" + f.replacingOccurrences(of: ".json", with: "") + ".json"
            try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys]).write(to: URL(fileURLWithPath: dir + "/" + name))
            sources.append(("fixture:\(f)", ["--spec", name]))
        }
        var lines: [String] = []
        for (label, args) in sources {
            for n in steps {
                let out = dir + "/out-\(lines.count)"
                let r = try CLI.run(["run"] + args + ["--steps", String(n), "--format", "csv", "--out", out], in: dir)
                try #require(r.status == 0, "\(label) steps=\(n): \(r.stderr)")
                let csv = try #require(CLI.files(in: out).first { $0.hasSuffix(".csv") }, "\(label): no CSV written")
                lines.append("\(try sha256(out + "/" + csv))  \(label) steps=\(n)")
            }
        }
        return lines
    }

    static func sha256(_ path: String) throws -> String {
        let r = try Subprocess.run("sha256sum", [path])
        guard r.status == 0, let digest = r.stdout.split(separator: " ").first, digest.count == 64 else {
            throw CocoaError(.fileReadUnknown)
        }
        return String(digest)
    }

    @Test func csvOfEveryPresetAndFixtureIsUnchanged() throws {
        let lines = try Self.currentChecksums()
        #expect(lines.count >= 2 * 13, "expected every preset and fixture at \(Self.steps) steps, got \(lines.count) CSVs")
        if ProcessInfo.processInfo.environment["BPTRACE_RECORD_CSV_CHECKSUMS"] == "1" {
            try (lines.joined(separator: "\n") + "\n").write(toFile: Self.file, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOfFile: Self.file, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == recorded.count, "\(lines.count) CSVs now, \(recorded.count) recorded")
        for (now, then) in zip(lines, recorded) { #expect(now == then) }
    }

    /// The digest is the real SHA-256 (the record can be checked with `sha256sum` by hand).
    @Test func digestIsSHA256() throws {
        let dir = try CLI.scratch("sha")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "abc".write(toFile: dir + "/abc", atomically: true, encoding: .utf8)
        #expect(try Self.sha256(dir + "/abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
