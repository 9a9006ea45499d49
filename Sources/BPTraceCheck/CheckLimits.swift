import BPTrace
/// How much work `bptrace check` does at most, so that a fixture (often someone else's file)
/// cannot make it train for hours: checked when the fixture is read, before anything runs
/// (docs/SPEC.md, "Limits").
public enum CheckLimits {
    /// The largest step a fixture value may name (`E_total@N`, `"step"`, `"steps"`).
    public static let maximumSteps = 1_000_000
    /// Steps × traced values per step of one run (each `with` variant and each convention
    /// `--explain` tries is one run).
    public static let maximumTracedValues = 100_000_000
    /// The re-runs `--explain` makes for one fixture, in traced values (steps × values per step).
    public static let maximumExplainWork = 300_000_000
    /// Distinct steps named × traced values per step, per variant: the step results a check keeps.
    public static let maximumKeptValues = 20_000_000
    /// Distinct `with` variants in one fixture (each is a spec of its own, trained apart).
    public static let maximumVariants = 16
    /// Entries in a fixture's `values`.
    public static let maximumValues = 100_000
    /// `--explain` explains at most this many values per fixture; the report says when more failed.
    public static let maximumExplained = 50

    /// Throws when the step results a check keeps for its values grow beyond `maximumKeptValues`.
    static func checkKept(_ entries: [Fixture.Entry], file: String) throws {
        var steps: [String: Set<Int>] = [:]
        var specs: [String: NetworkSpec] = [:]
        for e in entries { steps[e.variant.key, default: []].insert(e.step); specs[e.variant.key] = e.variant.spec }
        for (key, set) in steps {
            let spec = specs[key]!
            let perStep = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
            guard Double(set.count) * Double(perStep) > Double(maximumKeptValues) else { continue }
            throw SpecError("values", "the values name \(SpecLimits.grouped(set.count)) different steps\(key.isEmpty ? "" : " (with \(SafeText.truncated(key, limit: 80)))") of \(SpecLimits.grouped(perStep)) traced values each; a check keeps at most \(SpecLimits.grouped(maximumKeptValues)) values")
        }
    }

    /// Throws when training `spec` for `steps` steps goes beyond `maximumTracedValues`.
    static func checkWork(_ spec: NetworkSpec, steps: Int, path: String, what: String) throws {
        let perStep = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
        let (total, overflow) = perStep.multipliedReportingOverflow(by: steps)
        guard overflow || total > maximumTracedValues else { return }
        let most = max(1, maximumTracedValues / max(1, perStep))
        throw SpecError(path, "\(what) needs \(SpecLimits.grouped(steps)) steps of \(SpecLimits.grouped(perStep)) traced values each; a check trains at most \(SpecLimits.grouped(maximumTracedValues)) values (\(SpecLimits.grouped(most)) steps of this network)")
    }
}
