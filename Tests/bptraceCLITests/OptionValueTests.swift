import Foundation
import Testing

/// The typed option values (`--format`, `--detail`, check's `--format`): their values are
/// listed in `--help`, and a value outside them is a usage error (exit 64) naming the option.
@Suite struct OptionValueTests {
    @Test func helpListsTheValuesAndPointsToTheSpecReference() throws {
        let run = try CLI.run(["run", "--help"])
        #expect(run.status == 0)
        let flat = run.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(flat.contains("(values: xlsx, csv, md, html; default: xlsx)"), "\(run.stdout)")
        #expect(flat.contains("(values: full, matrix, summary)"), "\(run.stdout)")
        #expect(flat.contains("docs/SPEC.md") && flat.contains("docs/FORMULAS.md"))
        #expect(flat.contains("(values: mazur-2015, mazur-2015-immediate, analytics-vidhya, tanh-relu-softmax, xor, nndl-nonconvex, deep-sigmoid, deep-relu, xor-adam, xor-momentum)"), "\(run.stdout)")
        let check = try CLI.run(["check", "--help"])
        #expect(check.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("(values: text, json, csv; default: text)"), "\(check.stdout)")
        let presets = try CLI.run(["presets", "--help"])
        #expect(presets.stdout.contains("docs/SPEC.md"))
        #expect(presets.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("(values: mazur-2015, mazur-2015-immediate,"))
        #expect(!(run.stdout + check.stdout + presets.stdout).contains("CONTRACT"))
    }

    @Test func aValueOutsideTheSetIsAUsageError() throws {
        let dir = try CLI.scratch("options")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let detail = try CLI.run(["run", "--format", "md", "--detail", "verbose"], in: dir)
        #expect(detail.status == 64)
        #expect(detail.stderr.contains("'verbose' is invalid for '--detail <level>'") && detail.stderr.contains("'full', 'matrix' or 'summary'"), "\(detail.stderr)")
        let report = try CLI.run(["check", "--format", "xml", "Fixtures/mazur-2015.json"])
        #expect(report.status == 64)
        #expect(report.stderr.contains("'xml' is invalid for '--format <format>'") && report.stderr.contains("'text', 'json' or 'csv'"), "\(report.stderr)")
        let format = try CLI.run(["run", "--format", "csv,pdf", "--out", "o"], in: dir)
        #expect(format.status == 64)
        #expect(format.stderr.contains("--format: unknown format \"pdf\"; expected a comma-separated list of xlsx, csv, md, html"), "\(format.stderr)")
        // An unknown preset keeps bptrace's own message, with its hint.
        let preset = try CLI.run(["presets", "--show", "xr"], in: dir)
        #expect(preset.status == 64 && preset.stderr.contains("--preset: unknown preset \"xr\" (did you mean \"xor\"?)"), "\(preset.stderr)")
        let empty = try CLI.run(["run", "--format", "", "--out", "o"], in: dir)
        #expect(empty.status == 64 && empty.stderr.contains("unknown format \"\""), "\(empty.stderr)")
        #expect(CLI.files(in: dir).isEmpty)
    }

    /// A format list ignores case and spaces around a name and counts a repeat once.
    @Test func aFormatListIsReadLeniently() throws {
        let dir = try CLI.scratch("options")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CLI.run(["run", "--format", " CSV , md,csv", "--out", "o", "--detail", "summary"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "o/mazur-2015.csv\no/mazur-2015.md\n")
        let md = try String(contentsOfFile: dir + "/o/mazur-2015.md", encoding: .utf8)
        let full = try CLI.run(["run", "--format", "md", "--out", "full"], in: dir)
        #expect(full.status == 0)
        #expect(md != (try String(contentsOfFile: dir + "/full/mazur-2015.md", encoding: .utf8)), "--detail summary made no difference")
    }
}
