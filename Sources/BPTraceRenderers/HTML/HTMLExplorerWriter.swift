import BPTrace
import Foundation

/// The explorer: `DIR/<name>.html`, one self-contained page to step through training and click
/// any number to see how it was computed (docs/EXPLORER.md). Streams: it formats each step up
/// to `RenderOptions.htmlSteps` into its JSON as the step ends and keeps only that text (and a
/// sample of at most about 1,000 losses for the curve), so long runs cost no more memory than
/// the explorable steps. The file is written under a temporary name and goes into place with
/// the run's other outputs (`OutputTransaction`), or not at all.
public final class HTMLExplorerWriter: TraceSink, RunNotes {
    public static let maximumSteps = 1000
    public static let defaultSteps = 50
    private let file: OutputFile
    private let options: RenderOptions
    public private(set) var notes: [String] = []

    private var spec: NetworkSpec!
    private var names: NetworkNames!
    private var fmt = HTMLNumberFormat(decimals: 3)
    private var limit = HTMLExplorerWriter.defaultSteps
    private var totalSteps = 0
    private var curveStride = 1

    /// Blocks in the order of the first step, with their stage.
    private var order: [QuantityRef] = []
    private var stages: [QuantityRef: Stage] = [:]
    private var current: [QuantityRef: Matrix] = [:]
    private var currentStep = 0
    private var previousState: [QuantityRef: Matrix] = [:]
    private var stepJSON: [(step: Int, json: String)] = []
    private var firstStepValues: [QuantityRef: Matrix] = [:]
    private var losses: [(step: Int, loss: Double)] = []
    private var table = HTMLStringTable()
    /// Each computed cell's name and the cells it reads (`[name,[cells]]`), in first-seen order.
    private var cells: [(String, String)] = []
    private var knownCells: Set<String> = []
    /// Bytes of step data so far; past `byteBudget` no further step is made explorable.
    private var dataBytes = 0
    /// About 8 MB of step data at most: a page a browser opens at once, whatever the network.
    public static let byteBudget = 8_000_000
    private var budgetStop: Int? = nil

    public init(destination: String, overwrite: Bool, options: RenderOptions, transaction: OutputTransaction? = nil) throws {
        guard (1...HTMLExplorerWriter.maximumSteps).contains(options.htmlSteps) else {
            throw OutputError(.cannotCreate, "--html-steps must be from 1 to \(HTMLExplorerWriter.maximumSteps), found \(options.htmlSteps)")
        }
        self.options = options
        file = try OutputFile(destination: destination, overwrite: overwrite, transaction: transaction)
    }

    public func begin(_ run: TraceRun) throws {
        spec = run.spec
        names = NetworkNames(spec: run.spec, parameters: run.initialParameters)
        fmt = HTMLNumberFormat(decimals: options.decimals)
        limit = options.htmlSteps
        totalSteps = run.steps
        curveStride = max(1, (run.steps + 999) / 1000)
    }

    public func receive(_ block: TraceBlock) throws {
        if block.step != currentStep {
            try finishStep()
            currentStep = block.step
        }
        let ref = QuantityRef(block.quantity, block.layer)
        if block.quantity == (spec.l2 > 0 ? .cost : .loss), (block.step - 1) % curveStride == 0 || block.step <= limit || block.step == totalSteps {
            losses.append((block.step, block.matrix[0, 0]))
        }
        if stages[ref] == nil { order.append(ref); stages[ref] = block.stage }
        if block.step <= limit || block.quantity.optimizerStateOfWeights != nil { current[ref] = block.matrix }
    }

    /// The finished step's JSON (explorable steps), and its optimizer state for the next step.
    private func finishStep() throws {
        guard currentStep > 0 else { return }
        defer { current = [:] }
        guard currentStep <= limit else { return }
        if currentStep == 1 { firstStepValues = current }
        let data = HTMLStepData(spec: spec, names: names, fmt: fmt)
        let before = table.bytes
        let json = data.json(step: currentStep, blocks: current, order: order, previous: previousState, table: &table,
                             cells: &cells, known: &knownCells)
        dataBytes += json.utf8.count + table.bytes - before
        stepJSON.append((currentStep, json))
        previousState = current.filter { $0.key.quantity.optimizerStateOfWeights != nil }
        if dataBytes > HTMLExplorerWriter.byteBudget && currentStep < limit && currentStep < totalSteps {
            budgetStop = currentStep
            limit = currentStep
        }
    }

    public func finish(_ outcome: TraceOutcome) throws {
        if currentStep <= outcome.completedSteps { try finishStep() } else { current = [:] }
        let explorable = stepJSON.map(\.step)
        if outcome.completedSteps > limit {
            let why = budgetStop != nil ? "the page's data reached about \(HTMLExplorerWriter.byteBudget / 1_000_000) MB at step \(limit)" : "--html-steps \(limit)"
            notes.append("html: steps \(limit + 1)–\(outcome.completedSteps) appear in the loss curve only (\(why))")
        }
        // Each block's formula in general form (`z^{(1)}_{i,j} = \sum_{k} ...`), once.
        let catalogue = Catalogue(spec: spec)
        var general: [QuantityRef: Int] = [:]
        for ref in order {
            guard let e = catalogue.expression(of: ref) else { continue }
            let at = [.b, .gradB, .bNew].contains(ref.quantity) || ref.quantity.optimizerStateOfWeights == false ? "j"
                : (ref.quantity == .loss || ref.quantity == .cost ? nil : "i,j")
            general[ref] = table.math(LaTeXPrinter.element(ref, at) + " = " + LaTeXPrinter().latex(StepDerivation.squares(e)))
        }
        if !table.converter.unknown.isEmpty {
            notes.append("html: formula commands shown as text: \(Set(table.converter.unknown).sorted().joined(separator: ", "))")
        }
        let page = HTMLPage(spec: spec, names: names, fmt: fmt, limit: limit, budgetStop: budgetStop != nil, completed: outcome.completedSteps,
                            stoppedBy: outcome.stoppedBy, order: order, stages: stages, explorable: explorable, general: general)
        let curve = HTMLLossCurve(points: losses, label: spec.l2 > 0 ? "cost" : "loss").render(explorable: explorable)
        let first = firstStepValues
        let diagram = HTMLDiagram(spec: spec, names: names, step: explorable.first ?? 1) { [fmt] ref, r, c in
            guard let m = first[ref], r < m.rows, c < m.cols else { return nil }
            return fmt.plain(m[r, c])
        }.render()
        try page.write(to: file, diagram: diagram, curve: curve, steps: stepJSON, strings: table.strings, cells: cells)
        try file.commit()
    }
}
