import BPTrace
import Foundation

/// How one expected value came out.
public enum CheckOutcome: String, Sendable {
    /// A published number that holds within its tolerance.
    case pass
    /// A number that does not hold (or an erratum that now holds, or a convention value that
    /// does not follow its convention).
    case fail
    /// An erratum that still differs from the engine by more than its tolerance.
    case erratumConfirmed = "erratum-confirmed"
    /// A number that fails under the fixture's spec and holds under the convention it names.
    case conventionConfirmed = "convention-confirmed"
}

/// Which conventions reproduce a written number (`--explain`).
public struct Explanation: Sendable {
    public struct Match: Sendable {
        public let convention: Convention
        /// The value under the convention.
        public let computed: Double
        /// Values of the same spec that pass as the fixture states and also hold under this convention.
        public let alsoHold: [String]
        /// Values that pass as the fixture states but would fail under this convention.
        public let wouldFail: [String]
    }
    /// Every convention (single switches first, pairs when no single one does) that reproduces the number.
    public let matches: [Match]
    /// When nothing reproduces it: the alternative that comes closest, and its value.
    public let closest: (convention: Convention, computed: Double)?
    /// How many alternatives were tried.
    public let tried: Int
}

/// The check of one expected value.
public struct CheckedValue: Sendable {
    public let entry: Fixture.Entry
    /// The engine's value (nil when it cannot be computed, e.g. the run stopped at a non-finite value).
    public let computed: Double?
    public let outcome: CheckOutcome
    /// Why a value failed, or what a confirmed erratum/convention means; nil for a plain pass.
    public let reason: String?
    public var explanation: Explanation?

    /// computed − expected.
    public var difference: Double? { computed.map { $0 - entry.expected.value } }
    /// The computed value written like the expected one (same decimals and exponent).
    public var computedLikeWritten: String? { computed.map { entry.expected.formatLike($0) } }
}

/// The check of one fixture.
public struct FixtureCheck: Sendable {
    public let fixture: Fixture
    public let values: [CheckedValue]
    /// Values `--explain` left unexplained (beyond `CheckLimits.maximumExplained`).
    public var unexplained: Int = 0
    /// True when `--explain` stopped trying conventions at `CheckLimits.maximumExplainWork`.
    public var explainStopped: Bool = false

    public var passed: Int { values.filter { $0.outcome == .pass }.count }
    public var failed: Int { values.filter { $0.outcome == .fail }.count }
    public var erratumConfirmed: Int { values.filter { $0.outcome == .erratumConfirmed }.count }
    public var conventionConfirmed: Int { values.filter { $0.outcome == .conventionConfirmed }.count }
}

/// Checks fixtures against the engine: runs each spec (and each `with` variant) for as many
/// steps as its values need, reads every value, compares it with the written number, and on
/// request explains failures by re-running under the tutorials' other conventions.
public final class Checker {
    public let fixture: Fixture
    private var cache: [String: [Int: StepResult]] = [:]

    public init(fixture: Fixture) { self.fixture = fixture }

    /// Checks every value; `explain` adds an explanation to each failing value and each
    /// `convention` value.
    public static func check(_ fixture: Fixture, explain: Bool = false) -> FixtureCheck {
        Checker(fixture: fixture).run(explain: explain)
    }

    public func run(explain: Bool) -> FixtureCheck {
        var results = fixture.entries.map(checkOne)
        var explained = 0, unexplained = 0
        if explain {
            for i in results.indices where results[i].outcome == .fail || results[i].entry.status == .convention {
                if results[i].entry.status == .erratum { continue }
                guard explained < CheckLimits.maximumExplained else { unexplained += 1; continue }
                results[i].explanation = self.explain(results[i], all: results)
                explained += 1
            }
        }
        return FixtureCheck(fixture: fixture, values: results, unexplained: unexplained, explainStopped: explainStopped)
    }

    /// Traced values the runs of `--explain` have cost so far (bounded by `CheckLimits.maximumExplainWork`).
    private var explainWork = 0
    /// Set when `--explain` stopped trying conventions because of the bound.
    public private(set) var explainStopped = false

    /// The value of `entry` under `convention` (nil when not computable or not applicable).
    /// `exploring` runs (those of `--explain`) stop once their work bound is spent.
    public func value(_ entry: Fixture.Entry, under convention: Convention, exploring: Bool = false) -> Double? {
        guard let spec = convention.apply(to: entry.variant.spec) else { return nil }
        let key = "\(entry.variant.key)|\(Convention(convention.switches.filter { $0 != .negated }))"
        if cache[key] == nil {
            let steps = Set(fixture.entries.filter { $0.variant.key == entry.variant.key }.map(\.step))
            if exploring {
                let perStep = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: SpecLimits.batchSize(spec.batch, samples: spec.data.count))
                let cost = perStep * (steps.max() ?? 1)
                guard explainWork + cost <= CheckLimits.maximumExplainWork else { explainStopped = true; return nil }
                explainWork += cost
            }
            cache[key] = ConventionRunner.run(spec: spec, rules: convention.rules, steps: steps, id: RunID(key))
        }
        guard let r = cache[key]?[entry.step], let v = entry.target.read(r, spec: spec), v.isFinite else { return nil }
        return convention.negated ? -v : v
    }

    func holds(_ entry: Fixture.Entry, _ v: Double?) -> Bool {
        guard let v else { return false }
        return WrittenNumber.holds(v, expected: entry.expected.value, tolerance: entry.tolerance)
    }

    func checkOne(_ e: Fixture.Entry) -> CheckedValue {
        let v = value(e, under: .none)
        let ok = holds(e, v)
        let notComputable = v == nil ? "the engine's value is not finite (the run overflowed before step \(e.step)?)" : nil
        switch e.status {
        case .published:
            return CheckedValue(entry: e, computed: v, outcome: ok ? .pass : .fail, reason: ok ? nil : notComputable ?? "differs by more than the tolerance", explanation: nil)
        case .erratum:
            if ok {
                return CheckedValue(entry: e, computed: v, outcome: .fail,
                                    reason: "marked as an erratum, but the written number now holds within its tolerance: the engine changed, or the number is not an erratum", explanation: nil)
            }
            if v == nil { return CheckedValue(entry: e, computed: v, outcome: .fail, reason: notComputable, explanation: nil) }
            if let x = e.exact {
                guard WrittenNumber.holds(v!, expected: x.value, tolerance: x.defaultTolerance) else {
                    return CheckedValue(entry: e, computed: v, outcome: .fail,
                                        reason: "the erratum's \"exact\" \(x.text) does not hold either: the engine gives \(x.formatLike(v!)) = \(shortestText(v!))", explanation: nil)
                }
                return CheckedValue(entry: e, computed: v, outcome: .erratumConfirmed,
                                    reason: "erratum confirmed: the exact value is \(shortestText(v!)) (the fixture's \(x.text) holds)", explanation: nil)
            }
            return CheckedValue(entry: e, computed: v, outcome: .erratumConfirmed, reason: "erratum confirmed: the exact value is \(shortestText(v!))", explanation: nil)
        case .convention:
            let c = e.convention!
            if ok {
                return CheckedValue(entry: e, computed: v, outcome: .fail,
                                    reason: "said to follow \(c), but it holds under the fixture's own spec: make it published", explanation: nil)
            }
            let alt = value(e, under: c)
            if holds(e, alt) {
                return CheckedValue(entry: e, computed: v, outcome: .conventionConfirmed,
                                    reason: "follows \(c) (\(c.meaning)): there it is \(e.expected.formatLike(alt!)) = \(shortestText(alt!))", explanation: nil)
            }
            let shown = alt.map { "\(e.expected.formatLike($0)) = \(shortestText($0))" } ?? "not computable"
            return CheckedValue(entry: e, computed: v, outcome: .fail,
                                reason: "said to follow \(c), but under it the value is \(shown), not within the tolerance either", explanation: nil)
        }
    }

    /// Re-runs under the single conventions, then their pairs when no single one reproduces
    /// the written number.
    func explain(_ checked: CheckedValue, all: [CheckedValue]) -> Explanation {
        let e = checked.entry
        let spec = e.variant.spec
        var tried = 0
        var closest: (Convention, Double, Double)? = nil
        func attempt(_ conventions: [Convention]) -> [Explanation.Match] {
            var matches: [Explanation.Match] = []
            for c in conventions {
                guard c.apply(to: spec) != nil, let v = value(e, under: c, exploring: true) else { continue }
                tried += 1
                let d = abs(v - e.expected.value)
                if closest == nil || d < closest!.2 { closest = (c, v, d) }
                guard holds(e, v) else { continue }
                // Which of the values that pass as the fixture states still hold under c.
                var alsoHold: [String] = [], wouldFail: [String] = []
                for other in all where other.outcome == .pass && other.entry.variant.key == e.variant.key {
                    if holds(other.entry, value(other.entry, under: c, exploring: true)) { alsoHold.append(other.entry.label) } else { wouldFail.append(other.entry.label) }
                }
                matches.append(Explanation.Match(convention: c, computed: v, alsoHold: alsoHold, wouldFail: wouldFail))
            }
            return matches
        }
        var matches = attempt(Convention.singles(for: spec))
        if matches.isEmpty { matches = attempt(Convention.pairs(for: spec)) }
        return Explanation(matches: matches, closest: matches.isEmpty ? closest.map { ($0.0, $0.1) } : nil, tried: tried)
    }
}
