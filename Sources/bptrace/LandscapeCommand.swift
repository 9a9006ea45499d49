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
    var span: Double = 2

    @Option(name: .long, help: "Grid points per axis (2 to 401).")
    var grid: Int = 61

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
        guard span > 0, span.isFinite, span <= 1e6 else { throw ValidationError("--span must be > 0 and at most 1e6, found \(span)") }
        guard (2...Landscape.maximumGrid).contains(grid) else { throw ValidationError("--grid must be from 2 to \(Landscape.maximumGrid), found \(grid)") }
        guard (0...Landscape.maximumSteps).contains(steps) else { throw ValidationError("--steps must be from 0 to \(Landscape.maximumSteps), found \(steps)") }
        for f in formats where f != "svg" && f != "csv" {
            throw ValidationError("--format: unknown format \"\(f)\"; landscape writes svg and csv")
        }
        guard Set(formats).count == formats.count else { throw ValidationError("--format: a format is named twice") }
        let names = weights.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count == 2, names.allSatisfy({ !$0.isEmpty }), names[0] != names[1] else {
            throw ValidationError("--weights: expected two different parameter names, e.g. w5,w6; found \"\(weights)\"")
        }
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, found an empty string") }
    }

    func run() throws {
        let netSpec = try source.load()
        let names = weights.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let a: ParameterRef, b: ParameterRef
        do {
            a = try ParameterRef(named: names[0], in: netSpec)
            b = try ParameterRef(named: names[1], in: netSpec)
        } catch {
            printError(error.description); throw Exit.usage
        }
        if a.isBias == b.isBias, a.layer == b.layer, a.row == b.row, a.col == nil || b.col == nil || a.col == b.col {
            printError("--weights: \(a.name) and \(b.name) are the same parameter"); throw Exit.usage
        }
        let start = netSpec.initialParameters()
        for r in [a, b] {
            let v = r.value(in: start)
            guard v.isFinite, (v + span) - (v - span) > 0, (v + span).isFinite, (v - span).isFinite else {
                printError("--span \(span) does not give distinct grid values around \(r.name) = \(v) in Float64 (use a larger --span)"); throw Exit.usage
            }
        }
        if let why = Landscape.refusal(spec: netSpec, grid: grid, steps: steps) {
            printError(why.description); throw Exit.invalidSpec
        }
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
