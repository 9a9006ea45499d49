import BPTrace

/// One way of computing a step other than the engine's: a convention a tutorial follows or a
/// classic mistake (a bug model). The diagnosis re-runs a step under each alternative and names
/// those that reproduce a student's wrong numbers (`bptrace check --trace --explain`).
public struct Alternative: Sendable, CustomStringConvertible {
    /// The spelling users read and write (`slope_missing`, `update=immediate`, `lr_folded`).
    public let spelling: String
    /// What it means, for a reader.
    public let meaning: String
    /// The spec the step is run under (the fixture's, or with one key changed).
    public let spec: NetworkSpec
    /// The trainer's rules under it.
    public let rules: BackpropRules
    /// Whether the student's values are the negation of what the run gives (`negated`).
    public let negated: Bool
    /// The step plan of `spec`, made once for every re-run under this alternative.
    public let plan: [StepPlanEntry]

    public init(spelling: String, meaning: String, spec: NetworkSpec, rules: BackpropRules, negated: Bool = false) {
        self.spelling = spelling; self.meaning = meaning; self.spec = spec; self.rules = rules; self.negated = negated
        plan = Catalogue(spec: spec).stepPlan
    }

    public var description: String { spelling }

    /// Today's conventions that apply to `spec` (`Convention.singles`), as alternatives.
    public static func conventions(for spec: NetworkSpec) -> [Alternative] {
        Convention.singles(for: spec).compactMap { c in
            guard let changed = c.apply(to: spec) else { return nil }
            return Alternative(spelling: c.description, meaning: c.meaning, spec: changed, rules: c.rules, negated: c.negated)
        }
    }

    /// Every alternative the diagnosis tries on `spec`: the conventions, then the bug models
    /// that apply to it (`BugModel.all`'s order).
    public static func candidates(for spec: NetworkSpec) -> [Alternative] {
        conventions(for: spec) + BugModel.alternatives(for: spec)
    }
}
