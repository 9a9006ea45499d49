import BPTrace
import Foundation

/// What a comparison keeps of each run: its loss per step (the loss table, the only thing that
/// grows with the steps) and how it ended. Runs arrive in order; `results[i]` is run i + 1.
public struct CompareRunResult: Sendable {
    public let run: CompareRun
    /// The trace's `loss` at steps 1, 2, ... (start-of-step loss), as far as the run went.
    public var losses: [Double] = []
    public var outcome: TraceOutcome? = nil

    public init(run: CompareRun) { self.run = run }

    public var stepsRun: Int { outcome?.completedSteps ?? losses.count }
    public var diverged: Bool { outcome?.stoppedBy != nil }
    /// The step whose values overflowed (the run stopped there; its blocks before the bad value were kept).
    public var divergedAtStep: Int? { outcome?.stoppedBy?.step }
    /// The loss of the last completed step.
    public var finalLoss: Double? { stepsRun >= 1 && losses.count >= stepsRun ? losses[stepsRun - 1] : nil }
    public func firstStepBelow(_ target: Double?) -> Int? {
        guard let target else { return nil }
        return losses.prefix(stepsRun).firstIndex { $0 < target }.map { $0 + 1 }
    }
}

/// Collects each run's loss table and outcome (shared by the compare CSV and handout sinks).
struct CompareLossTable {
    let plan: ComparePlan
    var results: [CompareRunResult]
    init(plan: ComparePlan) { self.plan = plan; results = plan.runs.map(CompareRunResult.init) }

    func index(of id: RunID) -> Int? { plan.runs.firstIndex { $0.id == id } }

    mutating func receive(_ block: TraceBlock) {
        guard block.quantity == .loss, let i = index(of: block.run), let v = block.matrix.values.first else { return }
        if block.step == results[i].losses.count + 1 { results[i].losses.append(v) }
    }

    /// Records the outcome; true when it was the last run's.
    mutating func finish(_ outcome: TraceOutcome) -> Bool {
        guard let i = index(of: outcome.run) else { return false }
        results[i].outcome = outcome
        return i == plan.runs.count - 1
    }
}

/// `bptrace compare --format csv`: `<name>-compare.csv`, every run's trace with a leading `run`
/// column (the run's 1-based index), and `<name>-compare-runs.csv`, one row per run with its
/// varied values and how it went. Both go into place when the last run finishes.
public final class CompareCSVWriter: TraceSink {
    public static let header = "run," + CSVTraceWriter.header
    private let trace: OutputFile
    private let runsFile: OutputFile
    private var table: CompareLossTable
    private var runPrefix: [UInt8] = []
    private let rows: TraceRowEncoder
    private let out = CSVBytes()

    public init(trace: OutputFile, runs: OutputFile, plan: ComparePlan, decimals: Int? = nil) throws {
        self.trace = trace; self.runsFile = runs
        table = CompareLossTable(plan: plan)
        rows = TraceRowEncoder(decimals: decimals)
        try trace.write(Self.header)
    }

    public func begin(_ run: TraceRun) throws {
        runPrefix = Array("\(table.index(of: run.id).map { $0 + 1 } ?? 0),".utf8)
    }

    public func receive(_ block: TraceBlock) throws {
        table.receive(block)
        rows.append(block, leading: runPrefix, to: out)
        if out.count >= CSVTraceWriter.flushSize { try trace.write(out.bytes); out.removeAll() }
    }

    public func finish(_ outcome: TraceOutcome) throws {
        try trace.write(out.bytes)
        out.removeAll()
        guard table.finish(outcome) else { return }
        try runsFile.write(Self.runsTable(table.results, plan: table.plan))
        try trace.commit()
        try runsFile.commit()
    }

    /// The runs CSV: run, each varied key, final_loss, steps_run, diverged, diverged_at_step,
    /// first_step_below_target (empty cells where there is nothing to say).
    public static func runsTable(_ results: [CompareRunResult], plan: ComparePlan) -> String {
        var s = (["run"] + plan.axes.map { csvField($0.key) } + ["final_loss", "steps_run", "diverged", "diverged_at_step", "first_step_below_target"])
            .joined(separator: ",") + "\n"
        for r in results {
            var row = [String(r.run.index)] + r.run.settings.map { csvField($0.value) }
            row.append(r.finalLoss.map(CSVTraceWriter.format) ?? "")
            row.append(String(r.stepsRun))
            row.append(r.diverged ? "true" : "false")
            row.append(r.divergedAtStep.map(String.init) ?? "")
            row.append(r.firstStepBelow(plan.target).map(String.init) ?? "")
            s += row.joined(separator: ",") + "\n"
        }
        return s
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
