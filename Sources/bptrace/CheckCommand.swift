import ArgumentParser
import BPTrace
import BPTraceCheck
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check hand-computed or published numbers (fixtures) against the engine.",
        discussion: """
        A fixture is a JSON file: a spec (inline, a path relative to the fixture, or
        a preset) and the numbers an author wrote, each addressed by a post-style
        name (out_o1, E_total, dE_total/dw5, w5+, E_total@2 for step 2, out_o1[3]
        for sample 3; the optimizer's state vel_w5, sq_w5, m_w5, v_w5, m_hat_w5,
        v_hat_w5, m_b1) or by the trace's coordinates (step, layer, quantity, row,
        col). See docs/CHECKING.md.

        Each value is read as written and holds within half a unit in its last
        written decimal (0.593269992 → ±5e-10, 0.3775 → ±5e-5) unless the fixture
        gives a tolerance. Statuses: published (must hold), erratum (must still
        differ: a known slip), convention (must fail under the spec and hold under
        the convention it names).

        One line per value: outcome, name, expected, computed to the same decimals =
        full precision, difference, tolerance. The last line is `N passed, M
        failed`; confirmed errata and convention values are counted apart on the
        line before it.

        --explain re-runs each failing value under the tutorials' other conventions
        (update order simultaneous/immediate, biases trained or not, half_sse/mse,
        the error sign t−o vs o−t, the learning rate folded into the delta as in the
        Excel sheet; for the spec's optimizer: eps_inside_sqrt, momentum_ema,
        momentum_lr_inside, adam_no_bias_correction, adamw_as_l2) and pairs of
        them, and says which reproduce the written number and which of the passing
        values still hold under it.

        A FIXTURE may be a folder: every *.json file in it is checked.

        A fixture is often someone else's file, so a check is bounded: at most
        1,000,000 steps and 100,000,000 traced values a run, and a spec's data
        CSV is read only from inside the spec's folder unless
        --allow-outside-data is given (limits: docs/SPEC.md).

        Grading a student's trace (docs/CHECKING.md, "Grading a student's trace"):
        --trace FILE.csv with --spec S or --preset P reads a CSV in the trace's
        schema (step,layer,quantity,row,col,value; any subset of cells, values as
        written) and judges each value against bptrace's step, by default run
        from the student's own start-of-step values wherever they differ from
        bptrace's beyond their written decimals (--no-reanchor: bptrace's own
        run). Each value holds within half a unit of its last written decimal,
        widened by the rounding its operands carry. Root causes (wrong values
        computed from right ones) come first; --explain names the conventions
        and bug models (slope_missing, update_sign, ...) that reproduce them.
        Several --trace options or a folder of *.csv files: one summary line per
        file (--format csv: a table).

        Examples:
          bptrace check Fixtures/*
          bptrace check --preset mazur-2015 --trace student.csv --explain
          bptrace check --spec net.json --trace submissions/ --explain --format csv
          bptrace check my-homework.json --explain
          bptrace check Fixtures/mazur-2015.json --format json

        Exit codes:
          0   every value passed (errata and convention values confirmed)
          1   a value failed
          65  a fixture is invalid (unknown name, malformed number, invalid
              spec); the message names the file and the entry (values[3]);
              a trace has a bad header or no usable row
          66  a fixture or a file it names does not exist or cannot be read
        """
    )

    @Argument(help: ArgumentHelp("Fixture files (or folders of *.json fixtures).", valueName: "fixture"))
    var fixtures: [String] = []

    @Option(name: .long, help: ArgumentHelp("A student's trace (CSV: step,layer,quantity,row,col,value) or a folder of *.csv traces; repeat for a class.", valueName: "file"))
    var trace: [String] = []

    @Option(name: .long, help: ArgumentHelp("With --trace: a built-in network the trace is of.", valueName: "name"))
    var preset: PresetName?

    @Option(name: .long, help: ArgumentHelp("With --trace: the spec file the trace is of.", valueName: "file"))
    var spec: String?

    @Flag(name: .customLong("no-reanchor"), help: "With --trace: compare with bptrace's own run instead of re-running each step from the student's own start-of-step values.")
    var noReanchor = false

    @Option(name: .long, help: ArgumentHelp("How the report is written.", valueName: "format"))
    var format: ReportFormat = .text

    @Flag(name: .long, help: "For each failing value, name the conventions that reproduce the written number.")
    var explain = false

    @Flag(name: .customLong("allow-outside-data"), help: "Let a fixture's spec read a data CSV outside the spec's folder (by default refused: a fixture may be someone else's file).")
    var allowOutsideData = false

    func validate() throws {
        if trace.isEmpty {
            guard !fixtures.isEmpty else { throw ValidationError("give at least one fixture file, or --trace FILE with --spec or --preset") }
            if preset != nil || spec != nil { throw ValidationError("--spec and --preset go with --trace (a fixture names its own spec)") }
            if format == .csv { throw ValidationError("--format csv goes with --trace (fixtures: text or json)") }
        } else {
            guard fixtures.isEmpty else { throw ValidationError("give fixtures or --trace, not both") }
            if preset != nil && spec != nil { throw ValidationError("give either --preset or --spec, not both") }
            if preset == nil && spec == nil { throw ValidationError("--trace needs the network: --spec FILE or --preset NAME") }
        }
    }

    /// Folders become their *.json files, sorted (`inFolder`: found in a folder, so it must be a
    /// regular file: a pipe there is refused instead of blocking the check).
    func files() -> [(path: String, inFolder: Bool)] {
        var out: [(path: String, inFolder: Bool)] = []
        for f in fixtures {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue {
                let items = (try? FileManager.default.contentsOfDirectory(atPath: f)) ?? []
                out += items.filter { $0.hasSuffix(".json") }.sorted().map { ((f as NSString).appendingPathComponent($0), true) }
            } else {
                out.append((f, false))
            }
        }
        return out
    }

    func run() throws {
        if !trace.isEmpty { return try runTraces() }
        var checks: [FixtureCheck] = []
        var errors: [FixtureError] = []
        var traces: [DiagnosisReport] = []
        let paths = files()
        if paths.isEmpty { printError("no *.json fixture files in \(fixtures.joined(separator: ", "))"); throw Exit.missingInput }
        for (path, inFolder) in paths {
            do {
                let fixture = try FixtureParser.load(path: path, dataAccess: allowOutsideData ? .anywhere : .specFolderOnly, regularOnly: inFolder)
                checks.append(Checker.check(fixture, explain: explain))
                if let t = fixture.trace {
                    let d = Diagnoser.diagnose(spec: fixture.spec, trace: t, reanchor: !noReanchor, explain: explain)
                    traces.append(DiagnosisReport(d, specName: fixture.spec.name))
                }
            } catch let e as FixtureErrors {
                for err in e.errors { printError(err.description) }
                errors += e.errors
            }
        }
        let report = CheckReport(checks: checks, errors: errors, traces: traces)
        try StandardOutput.write(format == .json ? report.json() : report.text(), terminator: "")
        if errors.contains(where: { $0.kind == .missingFile }) { throw Exit.missingInput }
        if !errors.isEmpty { throw Exit.invalidSpec }
        if report.failed > 0 { throw ExitCode(1) }
    }
}
