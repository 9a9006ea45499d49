/// One varied setting of a comparison, as the user wrote it (`learning_rate`, `0.5`).
public struct CompareSetting: Hashable, Sendable, CustomStringConvertible {
    public let key: String
    public let value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
    public var description: String { "\(key)=\(value)" }
}

/// One run of a comparison: its 1-based index, the settings that make it differ from the base
/// spec, and the spec it trains (already validated).
public struct CompareRun: Sendable {
    public let index: Int
    public let settings: [CompareSetting]
    public let spec: NetworkSpec
    public init(index: Int, settings: [CompareSetting], spec: NetworkSpec) { self.index = index; self.settings = settings; self.spec = spec }

    /// `learning_rate=0.5, optimizer=adam`: the run's name in legends, tables and headings.
    public var label: String { settings.map(\.description).joined(separator: ", ") }
    /// The run's id in traces and sinks (`run3`).
    public var id: RunID { RunID("run\(index)") }
}

/// What `bptrace compare` runs: the base spec, the varied keys (in the order given) and the
/// runs of their grid (the first key varies slowest), every run `steps` steps long.
public struct ComparePlan: Sendable {
    public let base: NetworkSpec
    /// The varied keys with their values, in the order of the `--vary` options.
    public let axes: [(key: String, values: [String])]
    public let runs: [CompareRun]
    public let steps: Int
    /// `--target`: the loss the table reports each run's first step below, if given.
    public let target: Double?

    public init(base: NetworkSpec, axes: [(key: String, values: [String])], runs: [CompareRun], steps: Int, target: Double?) {
        self.base = base; self.axes = axes; self.runs = runs; self.steps = steps; self.target = target
    }

    /// At most this many runs (a grid above it is refused before anything runs).
    public static let maxRuns = 64
}
