import ArgumentParser
import BPTrace
import BPTraceRenderers
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train one spec under several settings (a learning-rate sweep, an optimizer race) and compare the runs.",
        discussion: """
        Each --vary KEY=V1,V2,... gives one setting's values; several --vary options make a grid (the first varies slowest), at most 64 runs. Keys: learning_rate, optimizer (sgd, momentum, nesterov, rmsprop, adam, adamw), batch (full, sample or an integer), update (simultaneous, immediate), l2, init.seed, and optimizer.KEY for a hyper-parameter of the run's optimizer (momentum, rho, eps, beta1, beta2, weight_decay, decay_biases). Every run's spec is checked before anything runs. A run that meets a non-finite value stops there ("diverged"); the others go on.

        Output goes to DIR/<spec name>-compare.<ext> (csv also writes <name>-compare-runs.csv; md a figures folder; html is one page with the loss curves and a run selector), all files into place together, as `run` does. See docs/COMPARE.md.

        Examples:
          # the default network, six learning rates, 50 steps -> ./mazur-2015-compare.csv + -runs.csv
          bptrace compare --steps 50 --vary learning_rate=0.1,0.2,0.5,0.8,1,2 --format csv
          bptrace compare --preset xor --steps 200 --vary optimizer=sgd,momentum,adam --format md
          bptrace compare --steps 20 --vary optimizer=sgd,adam --vary learning_rate=0.1,0.5 --target 0.01 --format csv
        """
    )

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: "Training steps of every run.")
    var steps: Int = 1

    @Option(name: .long, help: ArgumentHelp("A setting and its values, e.g. learning_rate=0.1,0.5 (repeat for a grid).", valueName: "key=v1,v2"))
    var vary: [String] = []

    @Option(name: .long, help: ArgumentHelp("Comma-separated formats: xlsx, csv, md, html.", valueName: "list"))
    var format: FormatList = FormatList([.xlsx])

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "."

    @Flag(name: .long, help: "Overwrite existing output files.")
    var force = false

    @Option(name: .long, help: ArgumentHelp("A loss: the tables give each run's first step whose loss is below it.", valueName: "loss"))
    var target: Double?

    @Option(name: .customLong("sheets-limit"), help: "Workbook: at most this many step sheets per run (default 3).")
    var sheetsLimit: Int = CompareWorkbookSink.defaultSheetsPerRun

    @Option(name: .long, help: "Decimals shown in the workbook and handout; also rounds the CSV's values (as `run --decimals`).")
    var decimals: Int?

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, found an empty string (use --out . for the current folder)") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, found \(steps)") }
        guard steps <= 10_000_000 else { throw ValidationError("--steps must be at most 10000000, found \(steps)") }
        if let decimals, !(0...15).contains(decimals) { throw ValidationError("--decimals must be from 0 to 15, found \(decimals)") }
        if let target, !target.isFinite { throw ValidationError("--target must be a finite number, found \(target)") }
        guard (0...WorkbookWriter.maximumSheetsLimit).contains(sheetsLimit) else {
            throw ValidationError("--sheets-limit must be from 0 to \(WorkbookWriter.maximumSheetsLimit), found \(sheetsLimit)")
        }
        try format.validate()
        guard !vary.isEmpty else { throw ValidationError("--vary: give at least one KEY=V1,V2,... (e.g. --vary learning_rate=0.1,0.5)") }
        for f in format.formats {
            switch f {
            case .csv, .md, .xlsx, .html: break
            }
        }
    }

    /// The base spec's JSON (a preset's text or the spec file's bytes) and its folder.
    private func baseJSON() throws -> (JSONValue, String) {
        if let path = source.spec {
            let bytes = try InputFile.bytes(path: path, shownAs: path, what: "spec file", keyPath: "")
            let dir = (path as NSString).deletingLastPathComponent
            return (try JSONParser.parse(bytes: bytes), dir.isEmpty ? "." : dir)
        }
        let p = Presets.preset(named: source.preset?.name ?? Presets.defaultName)!
        return (try JSONParser.parse(p.json), ".")
    }

    func run() throws {
        let netSpec = try source.load()   // the spec's own errors, with their exit codes
        let plan: ComparePlan
        do {
            let (json, dir) = try baseJSON()
            plan = try ComparePlan.make(baseJSON: json, baseDirectory: dir, dataAccess: source.dataAccess, vary: vary, steps: steps, target: target)
        } catch let e as CompareError {
            printError(e.message)
            throw e.kind == .usage ? Exit.usage : Exit.invalidSpec
        }
        let formats = format.formats
        CleanupRegistry.installSignalHandlers()
        let folder: OutputFolder
        do { folder = try OutputFolder(out) } catch let e as OutputError {
            printError("--out: \(e.message)"); throw Exit.cannotCreate
        }
        do {
            try write(netSpec.name, plan, formats, into: folder)
            folder.keep()
        } catch {
            folder.removeCreated()
            throw error
        }
    }

    private func write(_ name: String, _ plan: ComparePlan, _ formats: [OutputFormat], into folder: OutputFolder) throws {
        let base = "\(name)-compare"
        func path(_ file: String) -> String { (out as NSString).appendingPathComponent(file) }
        var names: [String] = []
        for f in formats {
            switch f {
            case .csv: names += ["\(base).csv", "\(base)-runs.csv"]
            case .md: names += ["\(base).md", "\(base)-figures"]
            case .xlsx: names += ["\(base).xlsx"]
            case .html: names += ["\(base).html"]
            }
        }
        TemporaryName.removeStale(in: out, bases: names)
        let transaction = OutputTransaction(overwrite: force)
        var sinks: [TraceSink] = []
        var options = RenderOptions()
        options.decimals = decimals ?? 3
        options.handoutDecimals = decimals
        options.sheetsLimit = sheetsLimit
        do {
            for n in names where !n.hasSuffix("-figures") { try OutputFile.checkDestination(path(n), overwrite: force) }
            for f in formats {
                switch f {
                case .csv:
                    sinks.append(try CompareCSVWriter(trace: try OutputFile(destination: path("\(base).csv"), overwrite: force, transaction: transaction),
                                                      runs: try OutputFile(destination: path("\(base)-runs.csv"), overwrite: force, transaction: transaction),
                                                      plan: plan, decimals: decimals))
                case .md:
                    sinks.append(try CompareHandoutWriter(destination: path("\(base).md"), overwrite: force, plan: plan, options: options, transaction: transaction))
                case .xlsx:
                    sinks.append(try CompareWorkbookSink(plan: plan, destination: path("\(base).xlsx"), overwrite: force, options: options, transaction: transaction))
                case .html:
                    sinks.append(CompareHTMLWriter(file: try OutputFile(destination: path("\(base).html"), overwrite: force, transaction: transaction),
                                                   plan: plan, decimals: decimals ?? 3))
                }
            }
        } catch let e as OutputError {
            printError(e.message)
            throw Exit.cannotCreate
        }

        let bar = ProgressBar()
        let total = plan.steps * plan.runs.count
        var diverged: [String] = []
        do {
            for (i, run) in plan.runs.enumerated() {
                let outcome = try TraceRunner.run(spec: run.spec, steps: plan.steps, sinks: sinks, id: run.id,
                                                  progress: { done, _ in bar.update(i * plan.steps + done, total) })
                if let bad = outcome.stoppedBy { diverged.append("run \(run.index) (\(run.label)) diverged: \(bad.description)") }
            }
            bar.clear()
            try transaction.commit()
        } catch let e as OutputError {
            bar.clear()
            transaction.abort()
            sinks.removeAll()
            printError(e.message)
            throw e.kind == .io ? Exit.io : Exit.cannotCreate
        }
        for note in diverged { printNote(note) }
        for case let s as CompareWorkbookSink in sinks { for note in s.notes { printNote(note) } }
        for note in transaction.notes { printNote(note) }
        try StandardOutput.write(names.map(path).joined(separator: "\n"))
    }
}
