import ArgumentParser
import BPTrace
import BPTraceCheck
import BPTraceRenderers
import Foundation

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw an expression or a traced quantity as a computational graph, with forward and reverse mode.",
        discussion: """
        Either a typed expression and the values of its variables,

          bptrace graph --expr "1/(1+exp(-(w0*x0+w1*x1+w2)))" --at w0=2,x0=-1,w1=-3,x1=-2,w2=-3

        or one cell of a traced quantity, expanded from the catalogue's formulas through the layers below it down to the inputs and parameters, with the values of step --step:

          bptrace graph --preset mazur-2015 --cell out_o1 --format svg,md,json

        The expression language: numbers, variables, + - * /, unary minus, ^2, parentheses and exp, log or ln (natural), sqrt, tanh, sigmoid, relu, max(a, b), square. --expand splits sigmoid and tanh into the primitive gates ×−1, exp, +1, 1/x.

        Files: DIR/<name>-graph.svg (the circuit: value above each wire, gradient below), .md (every gate's formula → numbers → result, the backward pass as local derivative · upstream gradient, forward mode's tangents per input, each mode's cost) and .json (nodes with value and grad, forward_mode tangents). See docs/GRAPH.md.

        Exit codes: 64 a bad expression (its column is shown), --at, --cell or option; 65 an invalid spec; 66 a missing spec; 73 an output file exists (use --force) or cannot be created; 74 an I/O error.
        """
    )

    @Option(name: .long, help: ArgumentHelp("An expression to draw, e.g. \"1/(1+exp(-(w*x+b)))\".", valueName: "text"))
    var expr: String?

    @Option(name: .long, help: ArgumentHelp("The values of the expression's variables, e.g. w=0,x=1,b=0.", valueName: "list"))
    var at: String?

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: ArgumentHelp("A traced value to draw, by its post-style name (out_o1, net_h1, E_total; [k] for sample k).", valueName: "name"))
    var cell: String?

    @Option(name: .long, help: ArgumentHelp("The training step whose values --cell uses (1 = the start values).", valueName: "n"))
    var step: Int = 1

    @Flag(name: .long, help: "Split sigmoid and tanh into primitive gates (×−1, exp, +1, 1/x).")
    var expand = false

    @Option(name: .long, help: ArgumentHelp("Comma-separated formats: svg, md, json (default svg,md,json).", valueName: "list"))
    var format: String = "svg,md,json"

    @Option(name: .long, help: ArgumentHelp("Output folder (created if missing).", valueName: "dir"))
    var out: String = "."

    @Option(name: .long, help: ArgumentHelp("Files are <name>-graph.<ext>. Default: expr for --expr, <spec name>-<cell> for --cell.", valueName: "name"))
    var name: String?

    @Option(name: .long, help: "Decimals shown in the picture and the Markdown (JSON has full precision).")
    var digits: Int = 2

    @Flag(name: .long, help: "Overwrite existing output files.")
    var force = false

    static let formats = ["svg", "md", "json"]

    func validate() throws {
        if expr == nil && cell == nil { throw ValidationError("give --expr TEXT (with --at) or --cell NAME (with --preset or --spec)") }
        if expr != nil && cell != nil { throw ValidationError("give either --expr or --cell, not both") }
        if expr != nil && (source.preset != nil || source.spec != nil) { throw ValidationError("--preset and --spec go with --cell, not --expr") }
        if cell != nil && at != nil { throw ValidationError("--at goes with --expr; --cell takes its values from the trace") }
        guard (1...100_000).contains(step) else { throw ValidationError("--step must be from 1 to 100000, found \(step)") }
        guard (0...12).contains(digits) else { throw ValidationError("--digits must be from 0 to 12, found \(digits)") }
        guard !out.isEmpty else { throw ValidationError("--out: expected a folder, found an empty string (use --out . for the current folder)") }
        _ = try formatList()
        if let name { try Self.checkName(name) }
    }

    func formatList() throws -> [String] {
        var list: [String] = []
        for f in format.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard Self.formats.contains(f) else { throw ValidationError("--format: unknown format \"\(f)\" (known: svg, md, json)") }
            if !list.contains(f) { list.append(f) }
        }
        return list
    }

    static func checkName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 100, !name.hasPrefix("."),
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }) else {
            throw ValidationError("--name: use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'; found \"\(name)\"")
        }
    }

    func run() throws {
        let (graph, title, source, base) = try makeGraph()
        try write(graph, title: title, source: source, base: name ?? base)
    }

    /// The graph, its title, a line saying where it comes from, and the default file name.
    func makeGraph() throws -> (ComputationalGraph, String, String, String) {
        if let expr {
            let e: Expr
            do { e = try ExpressionParser.parse(expr) } catch let err as ExpressionParser.ParseError {
                printError("--expr: \(err.description)")
                FileHandle.standardError.write(Data(("  " + err.pointing(at: expr).replacingOccurrences(of: "\n", with: "\n  ") + "\n").utf8))
                throw Exit.usage
            }
            let values = try GraphBindings.parse(at ?? "", variables: GraphVariable.variables(in: e))
            var builder = GraphBuilder(expand: expand, bindings: values)
            let g = try built { try builder.build(e) }
            let at = GraphVariable.variables(in: e).map { "\($0) = \(GraphNumber.plain(values[$0]!))" }.joined(separator: ", ")
            return (g, "f = \(expr)", "f = \(expr)" + (at.isEmpty ? "" : " at \(at)"), "expr")
        }
        let spec = try source.load()
        let names = ValueNames(spec: spec)
        let resolved: ResolvedName
        do { resolved = try names.resolve(cell!, step: step) } catch let e as NameError {
            printError("--cell: \(e.message)"); throw Exit.usage
        }
        guard case .cell(let q, let layer, let row, let col) = resolved.target else {
            printError("--cell: \(resolved.label) is not a cell of a traced quantity (try out_o1, net_h1 or E_total)")
            throw Exit.usage
        }
        var trainer = Trainer(spec: spec)
        var result = trainer.step(1)
        if resolved.step > 1 { for s in 2...resolved.step { result = trainer.step(s) } }
        let g = try built { try CellGraph.build(spec: spec, step: result, ref: QuantityRef(q, layer), row: row - 1, col: col - 1, expand: expand) }
        let base = "\(spec.name)-" + resolved.label.map { $0.isLetter || $0.isNumber || $0 == "_" ? String($0) : "_" }.joined()
        return (g, "\(resolved.label) of \(spec.name), step \(resolved.step)",
                "\(resolved.label) of \(spec.name) at step \(resolved.step), from the catalogue's formulas down to the inputs and parameters", base)
    }

    private func built(_ body: () throws -> ComputationalGraph) throws -> ComputationalGraph {
        do { return try body() } catch let e as GraphBuilder.BuildError { printError(e.message); throw Exit.usage }
    }

    func write(_ g: ComputationalGraph, title: String, source: String, base: String) throws {
        let formats = try formatList()
        let files = formats.map { "\(base)-graph.\($0)" }
        let destinations = files.map { (out as NSString).appendingPathComponent($0) }
        CleanupRegistry.installSignalHandlers()
        let folder: OutputFolder
        do { folder = try OutputFolder(out) } catch let e as OutputError { printError("--out: \(e.message)"); throw Exit.cannotCreate }
        TemporaryName.removeStale(in: out, bases: files)
        let transaction = OutputTransaction(overwrite: force)
        do {
            for d in destinations { try OutputFile.checkDestination(d, overwrite: force) }
            for (f, d) in zip(formats, destinations) {
                let text: String
                switch f {
                case "svg": text = GraphSVG.render(g, title: title, digits: digits)
                case "md": text = GraphMarkdown.render(g, title: title, source: source, digits: digits, picture: formats.contains("svg") ? "\(base)-graph.svg" : nil)
                default: text = GraphJSON.render(g, title: title)
                }
                let file = try OutputFile(destination: d, overwrite: force, transaction: transaction)
                try file.write(text)
                try file.commit()
            }
            try transaction.commit()
            folder.keep()
        } catch let e as OutputError {
            transaction.abort()
            folder.removeCreated()
            printError(e.message)
            throw e.kind == .io ? Exit.io : Exit.cannotCreate
        }
        try StandardOutput.write(destinations.joined(separator: "\n"))
    }
}

extension GraphCommand {
    /// `run --graph NAME`: the traced cell the handout's graph shows (exit 64 for a name the
    /// network does not have or that is not a cell, or without md among the formats).
    static func handoutCell(_ text: String, spec: NetworkSpec, formats: [OutputFormat]) throws -> HandoutGraphCell {
        guard formats.contains(.md) else { printError("--graph: the graph goes into the handout; add md to --format"); throw Exit.usage }
        let resolved: ResolvedName
        do { resolved = try ValueNames(spec: spec).resolve(text) } catch let e as NameError { printError("--graph: \(e.message)"); throw Exit.usage }
        guard case .cell(let q, let layer, let row, let col) = resolved.target, !text.contains("@") else {
            printError("--graph: \(text) is not a cell of a traced quantity at the derived step (try out_o1, net_h1 or E_total, without @)")
            throw Exit.usage
        }
        return HandoutGraphCell(ref: QuantityRef(q, layer), row: row - 1, col: col - 1, label: resolved.label)
    }
}

/// `--at w0=2,x0=-1`: the values of an expression's variables.
enum GraphBindings {
    static func parse(_ text: String, variables: [String]) throws -> [String: Double] {
        var values: [String: Double] = [:]
        let items = text.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        for item in items where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { printError("--at: expected name=value, found \"\(item)\""); throw Exit.usage }
            guard let v = Double(parts[1]), v.isFinite else { printError("--at: \(parts[0]) = \"\(parts[1])\" is not a finite number"); throw Exit.usage }
            guard variables.contains(parts[0]) else {
                printError("--at: the expression has no variable \"\(parts[0])\"" + (variables.isEmpty ? "" : " (its variables: \(variables.joined(separator: ", ")))")); throw Exit.usage
            }
            guard values[parts[0]] == nil else { printError("--at: \(parts[0]) is given twice"); throw Exit.usage }
            values[parts[0]] = v
        }
        let missing = variables.filter { values[$0] == nil }
        guard missing.isEmpty else { printError("--at: no value for \(missing.joined(separator: ", ")) (give e.g. --at \(missing.map { "\($0)=1" }.joined(separator: ",")))"); throw Exit.usage }
        return values
    }
}
