import BPTrace
import Foundation

/// `bptrace compare --format md`: `<name>-compare.md` and `<name>-compare-figures/` (the loss
/// curves as one SVG). Keeps each run's loss table and its first step; writes everything when
/// the last run finishes, and moves it into place with the command's other outputs.
public final class CompareHandoutWriter: TraceSink {
    public let destination: String
    public let figuresDestination: String
    private let file: OutputFile
    private let figuresTemporary: String
    private let transaction: OutputTransaction
    private let options: RenderOptions
    private var table: CompareLossTable
    private let firstStep = StepCollector(steps: [1])
    private var figureNames: Set<String> = []
    private var committed = false

    public init(destination: String, overwrite: Bool, plan: ComparePlan, options: RenderOptions, transaction: OutputTransaction) throws {
        self.destination = destination
        self.options = options
        self.transaction = transaction
        table = CompareLossTable(plan: plan)
        figuresDestination = MarkdownHandoutWriter.figuresFolder(for: destination)
        try MarkdownHandoutWriter.checkFiguresDestination(figuresDestination, overwrite: overwrite)
        let f = try OutputFile(destination: destination, overwrite: overwrite)
        do { figuresTemporary = try TemporaryName.createDirectory(beside: figuresDestination, mode: 0o755) } catch { f.abort(); throw error }
        file = f
    }

    deinit {
        if !committed {
            file.abort()
            for name in figureNames { CleanupRegistry.unregister(figuresTemporary + "/" + name) }
            FileSystem.removeTree(figuresTemporary)
            CleanupRegistry.unregister(figuresTemporary)
        }
    }

    private var names: [RunID: NetworkNames] = [:]
    public func begin(_ run: TraceRun) throws {
        try firstStep.begin(run)
        names[run.id] = NetworkNames(spec: run.spec, parameters: run.initialParameters)
    }
    public func receive(_ block: TraceBlock) throws {
        table.receive(block)
        try firstStep.receive(block)
    }
    public func wants(step: Int) -> Bool { true }

    public func finish(_ outcome: TraceOutcome) throws {
        guard table.finish(outcome) else { return }
        let figures = (figuresDestination as NSString).lastPathComponent
        let chart = CompareLossChart(series: table.results.map { .init(label: $0.run.label, losses: Array($0.losses.prefix($0.stepsRun)), diverged: $0.diverged) },
                                     steps: table.plan.steps, title: "Loss per step, \(table.results.count) runs")
        try writeFigure("compare-loss.svg", chart.render())
        var md = CompareHandout.text(table.results, plan: table.plan, figures: figures, firstStep: firstStep.results, names: names, options: options)
        if !md.hasSuffix("\n") { md += "\n" }
        try file.write(md)
        try TemporaryName.writeNewFile(figuresTemporary + "/" + ManifestFolder.manifestName,
                                       Array(ManifestFolder.manifest(figureNames).utf8), shownAs: "\(figuresDestination)/\(ManifestFolder.manifestName)")
        figureNames.insert(ManifestFolder.manifestName)
        transaction.stageFolder(figuresTemporary, as: figuresDestination, written: figureNames)
        committed = true
        try file.commit(into: transaction)
    }

    private func writeFigure(_ name: String, _ svg: String) throws {
        try TemporaryName.writeNewFile(figuresTemporary + "/" + name, Array(svg.utf8), shownAs: "\(figuresDestination)/\(name)")
        figureNames.insert(name)
    }
}
