import ArgumentParser
import BPTrace
import BPTraceCheck
import BPTraceRenderers
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train a network for some steps and write its trace (workbook, CSV, handout, explorer page).",
        discussion: """
        Output goes to DIR/<spec name>.<ext> for each format. Existing files are kept unless --force is given; each file is written under a temporary name and all are moved into place together only when complete, so an error, Ctrl-C or a kill never leaves a half-written file.

        A spec is a JSON file: the network, its training settings and its data. Its keys, the traced quantities and the conventions are in docs/SPEC.md, every formula in docs/FORMULAS.md; `bptrace presets --show NAME` prints a preset as a spec to start from.

        Examples:
          # the default network (mazur-2015), 12 steps -> ./mazur-2015.xlsx
          bptrace run --steps 12
          bptrace run --preset analytics-vidhya --format csv --out out/
          bptrace run --spec net.json --steps 1000 --format csv,xlsx --force
          # an answer key in the schema students submit, rounded to 4 decimals
          bptrace run --steps 2 --format csv --decimals 4
          # the handout: ./mazur-2015.md + ./mazur-2015-figures/
          bptrace run --format md --steps 12
          bptrace run --format md --steps 1000 --handout-steps 1-3 --detail summary
          # ... with the loss over w5 and w6 and the path the run took (docs/NUMERICAL.md)
          bptrace run --format md --steps 50 --landscape w5,w6
          # the explorer: one self-contained page, ./mazur-2015.html
          bptrace run --format html --steps 12
        """
    )

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: "Training steps to trace (one parameter update each).")
    var steps: Int = 1

    @Option(name: .long, help: ArgumentHelp("Comma-separated formats, e.g. xlsx,csv,md.", valueName: "list"))
    var format: FormatList = FormatList([.xlsx])

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "."

    @Flag(name: .long, help: "Overwrite existing output files.")
    var force = false

    @Option(name: .long, help: "Decimals shown in the workbook and the explorer page (full precision is stored; default 3) and in the handout (default 9 as in the post; 6 with --detail matrix or summary). Also rounds every value of the CSV to this many decimals, written %.Nf style (0.7514 at 4; a value that rounds to zero is 0.0000): a template or answer key in the schema students submit. Without it the CSV has full precision.")
    var decimals: Int?

    @Option(name: .long, help: ArgumentHelp("Handout (md): how its steps are derived: full (every neuron and weight, symbols → numbers → result), matrix (bmatrix per layer) or summary (tables only). Default: full when every layer has at most 4 neurons and a step trains on 1 sample, else matrix.", valueName: "level"))
    var detail: HandoutDetail?

    @Option(name: .customLong("handout-steps"), help: ArgumentHelp("Handout (md): the steps derived in detail, e.g. 1,2,10 or 1-3; the other steps appear in the loss table.", valueName: "list"))
    var handoutSteps: String = "1"

    @Option(name: .long, help: ArgumentHelp("The step whose 12 walkthrough sheets the workbook gets.", valueName: "step"))
    var walkthrough: Int = 1

    @Option(name: .customLong("sheets-limit"), help: "At most this many step sheets in a workbook (up to 10000); later steps appear in the Overview table only.")
    var sheetsLimit: Int = 200

    @Option(name: .long, help: ArgumentHelp("Handout (md): add the computational graph of this traced value at the first derived step, e.g. out_o1 (see docs/GRAPH.md).", valueName: "name"))
    var graph: String?

    @Option(name: .long, help: ArgumentHelp("Handout (md): add the loss landscape over these two parameters with the path of the run's steps, e.g. w5,w6 (as `bptrace landscape`).", valueName: "a,b"))
    var landscape: String?

    @Option(name: .customLong("html-steps"), help: "Explorer (html): the first this many steps can be stepped through (1 to 1000, default 50); later steps appear in its loss curve only.")
    var htmlSteps: Int = HTMLExplorerWriter.defaultSteps

    @Option(name: .customLong("landscape-span"), help: "Handout (md) with --landscape: half the width of the grid around each start value (default 2).")
    var landscapeSpan: Double?

    @Option(name: .customLong("landscape-grid"), help: "Handout (md) with --landscape: grid points per axis (2 to 401, default 61).")
    var landscapeGrid: Int?

    func validate() throws {
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, found an empty string (use --out . for the current folder)") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, found \(steps)") }
        guard steps <= 10_000_000 else { throw ValidationError("--steps must be at most 10000000, found \(steps)") }
        if let decimals, !(0...15).contains(decimals) { throw ValidationError("--decimals must be from 0 to 15, found \(decimals)") }
        do { _ = try HandoutStepList.parse(handoutSteps, upTo: steps) } catch let e as HandoutStepList.ParseError { throw ValidationError(e.description) }
        guard walkthrough >= 1 else { throw ValidationError("--walkthrough must be a step >= 1, found \(walkthrough)") }
        guard (0...WorkbookWriter.maximumSheetsLimit).contains(sheetsLimit) else {
            throw ValidationError("--sheets-limit must be from 0 to \(WorkbookWriter.maximumSheetsLimit), found \(sheetsLimit)")
        }
        try format.validate()
        guard (1...HTMLExplorerWriter.maximumSteps).contains(htmlSteps) else {
            throw ValidationError("--html-steps must be from 1 to \(HTMLExplorerWriter.maximumSteps), found \(htmlSteps)")
        }
        if let landscape {
            _ = try LandscapeOptions.names(landscape, option: "--landscape")
            try LandscapeOptions.validate(span: landscapeSpan ?? LandscapeOptions.defaultSpan, grid: landscapeGrid ?? LandscapeOptions.defaultGrid,
                                          spanOption: "--landscape-span", gridOption: "--landscape-grid")
            guard format.formats.contains(.md) else { throw ValidationError("--landscape: the landscape goes into the handout; add md to --format") }
        } else if landscapeSpan != nil || landscapeGrid != nil {
            throw ValidationError("--landscape-span and --landscape-grid need --landscape a,b")
        }
    }

    func run() throws {
        let netSpec = try source.load()
        let formats = format.formats
        var options = RenderOptions()
        options.decimals = decimals ?? 3
        options.handoutDecimals = decimals
        options.csvDecimals = decimals
        options.detail = detail
        options.handoutSteps = (try? HandoutStepList.parse(handoutSteps, upTo: steps)) ?? [1]
        options.walkthroughStep = walkthrough
        options.sheetsLimit = sheetsLimit
        options.htmlSteps = htmlSteps
        if let graph { options.handoutGraph = try GraphCommand.handoutCell(graph, spec: netSpec, formats: formats) }
        if let landscape {
            let span = landscapeSpan ?? LandscapeOptions.defaultSpan, grid = landscapeGrid ?? LandscapeOptions.defaultGrid
            // The run traces its own steps; the landscape adds its grid's forward passes.
            let (a, b) = try LandscapeOptions.resolve(try LandscapeOptions.names(landscape, option: "--landscape"), in: netSpec,
                                                      span: span, grid: grid, steps: 0, option: "--landscape",
                                                      spanOption: "--landscape-span", gridOption: "--landscape-grid")
            options.handoutLandscape = HandoutLandscapeRequest(a: a, b: b, span: span, grid: grid)
        }

        CleanupRegistry.installSignalHandlers()
        // The output folder: created if missing (and removed again if this run fails).
        let folder: OutputFolder
        do { folder = try OutputFolder(out) } catch let e as OutputError {
            printError("--out: \(e.message)"); throw Exit.cannotCreate
        }
        do {
            try write(netSpec, formats, options, into: folder)
            folder.keep()
        } catch {
            folder.removeCreated()
            throw error
        }
    }

    private func write(_ netSpec: NetworkSpec, _ formats: [OutputFormat], _ options: RenderOptions, into folder: OutputFolder) throws {
        let destinations = formats.map { (out as NSString).appendingPathComponent("\(netSpec.name).\($0.fileExtension)") }
        // Leftovers of earlier runs into this folder that were killed (SIGKILL cannot be caught).
        TemporaryName.removeStale(in: out, bases: formats.flatMap { $0.outputNames(specName: netSpec.name) })

        let transaction = OutputTransaction(overwrite: force)
        var sinks: [TraceSink] = []
        do {
            // Check every destination before opening any, so nothing is started in vain.
            for d in destinations { try OutputFile.checkDestination(d, overwrite: force) }
            for (f, d) in zip(formats, destinations) {
                sinks.append(try f.makeSink(destination: d, overwrite: force, options: options, transaction: transaction))
            }
        } catch let e as OutputError {
            printError(e.message)
            throw Exit.cannotCreate
        }

        let bar = ProgressBar()
        let outcome: TraceOutcome
        do {
            outcome = try TraceRunner.run(spec: netSpec, steps: steps, sinks: sinks, progress: bar.update)
            bar.clear()
            // Every file is complete: move them all into place, or none.
            try transaction.commit()
        } catch let e as OutputError {
            bar.clear()
            transaction.abort()
            sinks.removeAll()   // deinit removes the temporary files
            printError(e.message)
            throw e.kind == .io ? Exit.io : Exit.cannotCreate
        }
        for note in sinks.compactMap({ ($0 as? RunNotes)?.notes }).joined() { printNote(note) }
        for note in transaction.notes { printNote(note) }
        try StandardOutput.write(destinations.joined(separator: "\n"))
        if let bad = outcome.stoppedBy {
            printError(bad.description)
            throw Exit.nonFinite
        }
    }
}
