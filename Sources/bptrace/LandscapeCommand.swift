import ArgumentParser
import BPTrace
import BPTraceRenderers
import Foundation

struct LandscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landscape",
        abstract: "Draw the loss over two weights, with the path training took across it.",
        discussion: """
        The loss of the whole data set (the spec's loss, without the l2 term) is computed by the engine's forward pass at every point of a GRID×GRID grid centred on the two parameters' start values, each ± SPAN; every other parameter stays at its start value. The path is where the two parameters were at the start of each of the first STEPS training steps (the trace's W), then after the last update; the other parameters move along it too, so the path need not follow this slice's valleys.

        Output: DIR/<spec name>-landscape.svg (a heat map with a colour bar, the axes named after the parameters, the path) and DIR/<spec name>-landscape.csv (`<a>,<b>,loss`, one row per grid point). Files are written under temporary names and moved into place together; existing files are kept unless --force.

        Examples:
          bptrace landscape --preset nndl-nonconvex --span 5 --steps 200
          bptrace landscape --preset mazur-2015 --weights w5,w6 --format svg,csv --out out/

        Exit codes: 0 success; 64 bad usage (unknown parameter name, --grid outside 2..401, --span <= 0); 65 invalid spec or too much work; 66 missing spec; 73 output exists or cannot be created; 74 I/O error.
        """
    )

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: ArgumentHelp("The two parameters, post-style names (w1, w5, b1_2). Default: w1,w2.", valueName: "a,b"))
    var weights: String = "w1,w2"

    @Option(name: .long, help: "Half the width of the grid around each start value.")
    var span: Double = LandscapeOptions.defaultSpan

    @Option(name: .long, help: "Grid points per axis (2 to 401).")
    var grid: Int = LandscapeOptions.defaultGrid

    @Option(name: .long, help: "Training steps whose path is drawn (0 for none).")
    var steps: Int = 20

    @Option(name: .long, help: ArgumentHelp("Comma-separated: svg, csv.", valueName: "list"))
    var format: String = "svg,csv"

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "."

    @Flag(name: .long, help: "Overwrite existing output files.")
    var force = false

    var formats: [String] { format.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }

    func validate() throws {
        try LandscapeOptions.validate(span: span, grid: grid, spanOption: "--span", gridOption: "--grid")
        guard (0...Landscape.maximumSteps).contains(steps) else { throw ValidationError("--steps must be from 0 to \(Landscape.maximumSteps), found \(steps)") }
        for f in formats where f != "svg" && f != "csv" {
            throw ValidationError("--format: unknown format \"\(f)\"; landscape writes svg and csv")
        }
        guard Set(formats).count == formats.count else { throw ValidationError("--format: a format is named twice") }
        _ = try LandscapeOptions.names(weights, option: "--weights")
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, found an empty string") }
    }

    func run() throws {
        let netSpec = try source.load()
        let (a, b) = try LandscapeOptions.resolve(try LandscapeOptions.names(weights, option: "--weights"), in: netSpec,
                                                  span: span, grid: grid, steps: steps,
                                                  option: "--weights", spanOption: "--span", gridOption: "--grid")
        let land = Landscape(spec: netSpec, a: a, b: b, span: span, grid: grid, steps: steps)
        var files: [(String, String)] = []
        for f in formats {
            let path = (out as NSString).appendingPathComponent("\(netSpec.name)-landscape.\(f)")
            if f == "csv" { files.append((path, land.csv())) }
            else {
                let plot = LandscapePlot(aName: a.name, bName: b.name, aValues: land.aValues, bValues: land.bValues, loss: land.loss,
                                         path: land.path.map { ($0.a, $0.b) }, title: "\(netSpec.name): loss over \(a.name) and \(b.name)")
                files.append((path, plot.render()))
            }
        }
        try writeOutputFiles(files, folder: out, force: force)
        try StandardOutput.write(files.map(\.0).joined(separator: "\n"))
    }
}

/// Writes every (path, text) through the project's atomic output machinery: temporary names
/// beside the destinations, moved into place together or not at all; `--out` created if missing.
func writeOutputFiles(_ files: [(String, String)], folder out: String, force: Bool) throws {
    CleanupRegistry.installSignalHandlers()
    let folder: OutputFolder
    do { folder = try OutputFolder(out) } catch let e as OutputError {
        printError("--out: \(e.message)"); throw Exit.cannotCreate
    }
    let transaction = OutputTransaction(overwrite: force)
    var opened: [OutputFile] = []
    do {
        for (d, _) in files { try OutputFile.checkDestination(d, overwrite: force) }
        for (d, text) in files {
            let f = try OutputFile(destination: d, overwrite: force, transaction: transaction)
            opened.append(f)
            try f.write(text)
            try f.commit()
        }
        try transaction.commit()
        folder.keep()
    } catch let e as OutputError {
        transaction.abort()
        opened.forEach { $0.abort() }
        folder.removeCreated()
        printError(e.message)
        throw e.kind == .io ? Exit.io : Exit.cannotCreate
    }
    for note in transaction.notes { printNote(note) }
}
