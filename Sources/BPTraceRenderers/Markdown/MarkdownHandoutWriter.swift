#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BPTrace
import Foundation

/// The handout: `DIR/<name>.md`, a worked example that derives every number of the chosen steps
/// the way the classic step-by-step post does, and its pictures in `DIR/<name>-figures/`
/// (`network.svg` at the top, `network-step-K.svg` for later derived steps, `loss.svg`).
///
/// Streams: it keeps the blocks of the step being received only when that step is derived,
/// plus a bounded sample of the per-step losses (at most about 1,000 points for the curve and
/// the loss table's rows), so a run of millions of steps costs no more memory than a short one.
/// Both the Markdown file and the figures folder are written under fresh temporary names beside
/// their destinations (figures created O_EXCL|O_NOFOLLOW inside a new folder) and go into place
/// together in `finish`, both or neither, through an `OutputTransaction` (the run's, or one of
/// the writer's own). The figures folder gets a manifest (`.bptrace-manifest`) of the files
/// bptrace wrote; files of the user's in an existing figures folder are kept on `--force`.
public final class MarkdownHandoutWriter: TraceSink, RunNotes {
    public let destination: String
    public let figuresDestination: String
    private let file: OutputFile
    private let figuresTemporary: String
    private let overwrite: Bool
    private let options: RenderOptions
    private let transaction: OutputTransaction?
    private var figureNames: Set<String> = []
    private var committed = false

    private(set) var spec: NetworkSpec!
    private(set) var names: NetworkNames!
    private(set) var detail: HandoutDetail = .full
    private(set) var derived: Set<Int> = []
    private var totalSteps = 0
    private var curveStride = 1
    private(set) var fmt = HandoutNumberFormat(decimals: 9)
    private let layout = EquationLayout()

    private var current: StepBlocks? = nil
    private var currentDerived = false
    private var firstPictureWritten = false
    private(set) var firstDerivedStep: Int? = nil
    private var losses: [(step: Int, loss: Double, cost: Double?)] = []
    private var pendingLoss: (Double, Double?)? = nil
    private var lastBatch: (x: Matrix, y: Matrix)? = nil
    private var lastParametersAfter: [QuantityRef: Matrix] = [:]
    private var deltaSizes: HandoutDeltaSizes? = nil
    private var landscape: HandoutLandscape? = nil
    public private(set) var notes: [String] = []

    /// The figures folder of a handout at `destination` (`out/net.md` → `out/net-figures`).
    public static func figuresFolder(for destination: String) -> String {
        let base = destination.hasSuffix(".md") ? String(destination.dropLast(3)) : destination
        return base + "-figures"
    }

    /// Throws when the figures folder may not be written: it exists (a folder or a link) and
    /// `overwrite` is false, or a file is in its place.
    static func checkFiguresDestination(_ path: String, overwrite: Bool) throws {
        switch FileSystem.kind(path) {
        case .none: break
        case .directory, .link:
            if !overwrite { throw OutputError(.exists, "\(path) exists; add --force to overwrite it") }
        default: throw OutputError(.exists, "\(path) is a file; the handout's figures folder goes there")
        }
    }

    /// Opens the temporary Markdown file and figures folder. Fails if either destination exists
    /// and `overwrite` is false, or the folder cannot be written.
    public init(destination: String, overwrite: Bool, options: RenderOptions, transaction: OutputTransaction? = nil) throws {
        self.destination = destination
        self.overwrite = overwrite
        self.options = options
        self.transaction = transaction
        figuresDestination = MarkdownHandoutWriter.figuresFolder(for: destination)
        try MarkdownHandoutWriter.checkFiguresDestination(figuresDestination, overwrite: overwrite)
        let f = try OutputFile(destination: destination, overwrite: overwrite)
        do {
            figuresTemporary = try TemporaryName.createDirectory(beside: figuresDestination, mode: 0o755)
        } catch {
            f.abort()
            throw error
        }
        file = f
    }

    deinit {
        if !committed { file.abort(); removeFigures() }
    }

    private func removeFigures() {
        for name in figureNames { CleanupRegistry.unregister(figuresTemporary + "/" + name) }
        FileSystem.removeTree(figuresTemporary)
        CleanupRegistry.unregister(figuresTemporary)
    }

    var figuresName: String { (figuresDestination as NSString).lastPathComponent }

    private func writeFigure(_ name: String, _ svg: String) throws {
        try TemporaryName.writeNewFile(figuresTemporary + "/" + name, Array(svg.utf8), shownAs: "\(figuresDestination)/\(name)")
        figureNames.insert(name)
    }

    // MARK: TraceSink

    public func begin(_ run: TraceRun) throws {
        spec = run.spec
        names = NetworkNames(spec: run.spec, parameters: run.initialParameters)
        detail = options.detail ?? HandoutDetail.automatic(for: run.spec)
        fmt = HandoutNumberFormat(decimals: options.handoutDecimals ?? (detail == .full ? 9 : 6))
        totalSteps = run.steps
        deltaSizes = HandoutDeltaSizes(spec: run.spec)
        landscape = options.handoutLandscape.map(HandoutLandscape.init(request:))
        let asked = options.handoutSteps
        derived = Set(asked.filter { $0 <= run.steps })
        let beyond = asked.filter { $0 > run.steps }
        if !beyond.isEmpty {
            let list = beyond.prefix(5).map(String.init).joined(separator: ", ") + (beyond.count > 5 ? ", …" : "")
            notes.append("handout: step\(beyond.count > 1 ? "s" : "") \(list) beyond --steps \(run.steps) not derived")
        }
        firstDerivedStep = derived.min()
        curveStride = max(1, (run.steps + 999) / 1000)
        try file.write(header(run))
    }

    public func receive(_ block: TraceBlock) throws {
        if current?.step != block.step {
            if let c = current { try finishStep(c) }
            current = StepBlocks(step: block.step)
            currentDerived = derived.contains(block.step)
            pendingLoss = nil
        }
        deltaSizes?.receive(block)
        landscape?.receive(block)
        switch block.quantity {
        case .loss: pendingLoss = (block.matrix[0, 0], pendingLoss?.1)
        case .cost: pendingLoss = (pendingLoss?.0 ?? .nan, block.matrix[0, 0])
        default: break
        }
        // The optimizer's state is kept from every step: the next step's derivation reads it.
        let keepForEnd = block.quantity == .x || block.quantity == .y || block.quantity == .WNew || block.quantity == .bNew
            || block.quantity.optimizerStateOfWeights != nil
        if currentDerived || keepForEnd {
            current!.blocks[QuantityRef(block.quantity, block.layer)] = block.matrix
        }
    }

    public func finish(_ outcome: TraceOutcome) throws {
        if let c = current, c.step <= outcome.completedSteps { try finishStep(c) }
        current = nil
        if !firstPictureWritten {
            // No derived step completed: the top picture shows the starting weights.
            try writeFigure("network.svg", NetworkDiagram(spec: spec, names: names, before: startParameters ?? initial,
                                                          after: nil, sample: nil,
                                                          title: "\(spec.name): the network", decimals: fmt.decimals).render())
        }
        try file.write(lossSection(outcome))
        if let d = deltaSizes { try file.write(d.section(figures: figuresName, writeFigure: writeFigure)) }
        if let l = landscape {
            try file.write(l.section(spec: spec, final: finalParameters, figures: figuresName, writeFigure: writeFigure))
        }
        try commit()
    }

    private var initial: Parameters { Trainer(spec: spec).parameters }
    /// The parameters after the last completed step's update (nil before any step).
    private var finalParameters: Parameters? {
        let L = spec.depth
        var w: [Matrix] = [], b: [Matrix] = []
        for l in 1...L {
            guard let m = lastParametersAfter[QuantityRef(.WNew, l)] else { return nil }
            w.append(m)
            if spec.bias { guard let v = lastParametersAfter[QuantityRef(.bNew, l)] else { return nil }; b.append(v) }
        }
        return Parameters(weights: w, biases: b)
    }
    private var startParameters: Parameters? = nil

    /// Finishes the Markdown file and the figures folder (with its manifest) and moves both
    /// into place together: the figures first, so the Markdown never links a missing picture,
    /// and on any failure neither (a replaced handout comes back as it was).
    private func commit() throws {
        try TemporaryName.writeNewFile(figuresTemporary + "/" + ManifestFolder.manifestName,
                                       Array(ManifestFolder.manifest(figureNames).utf8), shownAs: "\(figuresDestination)/\(ManifestFolder.manifestName)")
        figureNames.insert(ManifestFolder.manifestName)
        let t = transaction ?? OutputTransaction(overwrite: overwrite)
        t.stageFolder(figuresTemporary, as: figuresDestination, written: figureNames)
        committed = true
        do { try file.commit(into: t) } catch { t.abort(); throw error }
        if transaction == nil {
            try t.commit()
            notes += t.notes
        }
    }

    // MARK: steps

    private func finishStep(_ c: StepBlocks) throws {
        if let (loss, cost) = pendingLoss, keepLoss(c.step) { losses.append((c.step, loss, cost)) }
        deltaSizes?.finishStep(c.step, keep: keepLoss(c.step))
        landscape?.finishStep(c.step, keep: keepLoss(c.step))
        if let x = c[.x, 0], let y = c[.y, spec.depth] { lastBatch = (x, y) }
        lastParametersAfter = c.blocks.filter { $0.key.quantity == .WNew || $0.key.quantity == .bNew }
        lastStepNumber = c.step
        let previousState = lastState
        lastState = c.blocks.filter { $0.key.quantity.optimizerStateOfWeights != nil }
        guard derived.contains(c.step) else { return }
        let L = spec.depth
        let rows = spec.batch.indices(step: c.step, count: spec.data.count)
        let before = c.parameters(after: false, depth: L, bias: spec.bias)
        let after = c.parameters(after: true, depth: L, bias: spec.bias)
        var sample: (x: [Double], out: [Double], target: [Double])? = nil
        if rows.count == 1 { sample = (c.matrix(.x, 0).row(0), c.matrix(.a, L).row(0), c.matrix(.y, L).row(0)) }
        let isFirst = c.step == firstDerivedStep
        let figure = isFirst ? "network.svg" : "network-step-\(c.step).svg"
        try writeFigure(figure, NetworkDiagram(spec: spec, names: names, before: before, after: after, sample: sample,
                                               title: NetworkDiagram.labelsEdges(spec) ? "\(spec.name): weights before → after step \(c.step)" : "\(spec.name): weights at the start of step \(c.step)", decimals: fmt.decimals).render())
        if isFirst { firstPictureWritten = true; startParameters = before }
        var writer = HandoutStepWriter(spec: spec, names: names, fmt: fmt, layout: layout, detail: detail, blocks: c, rows: rows,
                                       picture: isFirst ? nil : "\(figuresName)/\(figure)", previousState: previousState)
        try file.write(writer.render(firstPictureNote: isFirst) + "\n")
        if isFirst, let cell = options.handoutGraph {
            do {
                let g = try HandoutGraph.section(cell, spec: spec, blocks: c.blocks, step: c.step, figuresFolder: figuresName, digits: min(fmt.decimals, 6))
                try writeFigure(cell.figureName, g.svg)
                try file.write(g.markdown)
            } catch let e as GraphBuilder.BuildError {
                notes.append("handout: the graph of \(cell.label) is not drawn: \(e.message)")
            }
        }
    }

    private var lastStepNumber = 0
    /// The optimizer's state after the last finished step (`Expr.previous` of the next one).
    private var lastState: [QuantityRef: Matrix] = [:]

    /// Steps whose loss is kept: every step of short runs; otherwise a curve sample every
    /// `curveStride` steps and the table's steps.
    private func keepLoss(_ s: Int) -> Bool {
        (s - 1) % curveStride == 0 || tableStep(s)
    }

    /// The loss table lists every step of runs up to 100 steps; longer runs list steps 1–10, then
    /// 20, 30, … 100, 200, … (one significant digit), the derived steps and the last step.
    private func tableStep(_ s: Int) -> Bool {
        if totalSteps <= 100 || s <= 10 || derived.contains(s) || s == totalSteps { return true }
        var m = s
        while m % 10 == 0 { m /= 10 }
        return m < 10
    }

    // MARK: text

    private func lossSection(_ outcome: TraceOutcome) throws -> String {
        var out: [String] = ["## The loss over the steps", ""]
        let label = spec.l2 > 0 ? "cost" : "loss"
        if let bad = outcome.stoppedBy {
            out.append("Training stopped at step \(bad.step): the value of \(bad.quantity.rawValue) in layer \(bad.layer) (row \(bad.row), column \(bad.col)) is not a finite number. The steps before it are shown.")
            out.append("")
        }
        let curve = losses.map { (step: $0.step, loss: $0.cost ?? $0.loss) }
        if !curve.isEmpty {
            try writeFigure("loss.svg", LossCurve(points: curve, marked: derived,
                                                  title: "\(spec.name): \(label) of each step's batch, before its update",
                                                  yLabel: label).render())
            out.append("![The \(label) of each step's batch before its update; orange dots mark the derived steps.](\(figuresName)/loss.svg)")
            out.append("")
        }
        let rows = losses.filter { tableStep($0.step) }
        if outcome.completedSteps > rows.count {
            out.append("The table lists \(rows.count) of the \(outcome.completedSteps) steps (steps 1 to 10, then one significant digit: 20, 30, …, 100, 200, …, the derived steps and the last); the curve samples every \(curveStride == 1 ? "" : "\(curveStride)th ")step. Every step's loss is in the CSV trace (`--format csv`).")
            out.append("")
        }
        out.append(spec.l2 > 0 ? "| step | loss $E_{\\mathrm{total}}$ | cost $C$ |" : "| step | loss $E_{\\mathrm{total}}$ |")
        out.append(spec.l2 > 0 ? "|---:|---:|---:|" : "|---:|---:|")
        for r in rows {
            let step = derived.contains(r.step) ? "**\(r.step)** (derived)" : "\(r.step)"
            out.append("| \(step) | \(fmt.plain(r.loss)) |" + (r.cost.map { " \(fmt.plain($0)) |" } ?? ""))
        }
        out.append("")
        out.append("The loss of a step is measured on the step's batch with the weights at the start of the step.")
        if let batch = lastBatch, lastStepNumber >= 1, outcome.stoppedBy == nil || lastStepNumber <= outcome.completedSteps {
            let L = spec.depth
            var blocks = lastParametersAfter
            blocks[QuantityRef(.x, 0)] = batch.x
            blocks[QuantityRef(.y, L)] = batch.y
            if let after = CatalogueForward.afterUpdate(spec: spec, blocks: blocks) {
                out.append(" After the last update (step \(lastStepNumber)) the loss on that step's batch is $E_{\\mathrm{total}} = \(fmt.tex(after.loss))$" + (after.cost.map { " (cost $C = \(fmt.tex($0))$)" } ?? "") + ".")
                if batch.x.rows <= 4 {
                    let outs = (0..<batch.x.rows).map { r in
                        (0..<spec.layers[L]).map { "$\\mathrm{out}_{\(names.neuron(layer: L, $0).latex)} = \(fmt.tex(after.outputs[r, $0]))$" }.joined(separator: ", ")
                    }.joined(separator: "; ")
                    out.append(" The outputs are then \(outs).")
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
