import BPTrace
import BPTraceCheck
import Foundation
import Testing

/// `bptrace run --format csv --decimals D`: every value rounded to D fixed decimals, the rows
/// the same as the full-precision CSV; the result reads back as a student's trace.
@Suite struct RoundedExportTests {
    /// Python reads both CSVs with pandas and rounds the full values itself (the built-in
    /// `round`, correctly rounded from the binary value), independently of bptrace.
    static let compare = #"""
    import re, sys
    import pandas as pd
    full_path, rounded_path, d = sys.argv[1], sys.argv[2], int(sys.argv[3])
    full = pd.read_csv(full_path, dtype={"value": str})
    rnd = pd.read_csv(rounded_path, dtype={"value": str})
    keys = ["step", "layer", "quantity", "row", "col", "stage"]
    assert list(full.columns) == list(rnd.columns), (list(full.columns), list(rnd.columns))
    assert len(full) == len(rnd) and len(full) > 0, (len(full), len(rnd))
    assert (full[keys].values == rnd[keys].values).all(), "rows differ"
    pattern = re.compile(r"-?[0-9]+" + (r"\.[0-9]{%d}" % d if d > 0 else "") + r"\Z")
    bad = []
    for f, r in zip(full["value"], rnd["value"]):
        expected = round(float(f), d)
        if not pattern.match(r) or float(r) != expected or re.fullmatch(r"-0\.?0*", r):
            bad.append((f, r, expected))
    assert not bad, bad[:5]
    print(len(rnd))
    """#

    static func export(_ preset: String, decimals: Int?, steps: Int, in dir: String, tag: String = "") throws -> String {
        let out = dir + "/" + (decimals.map { "d\($0)" } ?? "full") + tag
        let r = try CLI.run(["run", "--preset", preset, "--steps", String(steps), "--format", "csv", "--out", out]
                            + (decimals.map { ["--decimals", String($0)] } ?? []), in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        return out + "/\(preset).csv"
    }

    @Test(arguments: [("mazur-2015", [0, 4, 9]), ("tanh-relu-softmax", [4, 6]), ("xor-adam", [3, 15])])
    func roundedEqualsTheFullCSVRoundedInPython(preset: String, decimals: [Int]) throws {
        let dir = try CLI.scratch("rounded")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = try Self.export(preset, decimals: nil, steps: 3, in: dir)
        for d in decimals {
            let rounded = try Self.export(preset, decimals: d, steps: 3, in: dir)
            let r = try Subprocess.run("python3", ["-c", Self.compare, full, rounded, String(d)])
            #expect(r.status == 0, "\(preset) --decimals \(d): \(r.stderr)")
            // The same run, rounded again: byte-identical.
            let again = try Self.export(preset, decimals: d, steps: 3, in: dir, tag: "-again")
            #expect(FileManager.default.contentsEqual(atPath: rounded, andPath: again))
        }
    }

    /// A rounded answer key is a student's trace: no problem, every value with D decimals,
    /// each within its own tolerance (half a unit of the D-th decimal) of the full value.
    @Test func aRoundedExportReadsBackAsATrace() throws {
        let dir = try CLI.scratch("rounded-read")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = try Presets.spec(named: "analytics-vidhya")
        let full = try StudentTraceReader.read(file: try Self.export("analytics-vidhya", decimals: nil, steps: 2, in: dir), spec: spec)
        let rounded = try StudentTraceReader.read(file: try Self.export("analytics-vidhya", decimals: 5, steps: 2, in: dir), spec: spec)
        #expect(full.problems.isEmpty && rounded.problems.isEmpty, "\(rounded.problems.prefix(3))")
        #expect(rounded.values.count == full.values.count && rounded.values.count > 100)
        for (f, r) in zip(full.values, rounded.values) {
            #expect(f.key == r.key && r.written.decimals == 5)
            #expect(abs(f.written.value - r.written.value) <= r.written.halfUnit * (1 + 1e-9), "\(r.key): \(f.written) vs \(r.written)")
        }
    }

    @Test func negativeZeroIsWrittenAsZeroAndHelpSaysTheCSVIsRounded() throws {
        let dir = try CLI.scratch("rounded-zero")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // xor's first step: small negative gradients round to zero at 2 decimals.
        let full = try String(contentsOfFile: try Self.export("xor", decimals: nil, steps: 1, in: dir), encoding: .utf8)
        let rounded = try String(contentsOfFile: try Self.export("xor", decimals: 2, steps: 1, in: dir), encoding: .utf8)
        let tinyNegatives = full.split(separator: "\n").dropFirst().filter {
            let v = Double($0.split(separator: ",")[5])!
            return v < 0 && v > -0.005
        }
        #expect(!tinyNegatives.isEmpty, "the test needs a value in (-0.005, 0)")
        #expect(!rounded.contains(",-0.00,") && rounded.contains(",0.00,"))
        let help = try CLI.run(["run", "--help"], in: dir)
        let words = help.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(words.contains("Also rounds every value of the CSV to this many decimals"), "\(help.stdout)")
        #expect(try CLI.run(["run", "--format", "csv", "--decimals", "16", "--out", "x"], in: dir).status == 64)
    }
}
