import BPTrace
import Foundation

/// How much of a handout step is derived (`--detail`).
public enum HandoutDetail: String, CaseIterable, Sendable {
    /// Every neuron and every weight, the post's way: symbols, numbers, result.
    case full
    /// Each layer as bmatrix equations, `z^{(1)} = a^{(0)} W^{(1)} + b^{(1)}`, matrices written out.
    case matrix
    /// Tables only: old and new weights and biases, loss before and after.
    case summary

    /// The default for a spec: `full` when every layer has at most 4 neurons and a step trains
    /// on one sample, else `matrix` (per-neuron lines would run to pages).
    public static func automatic(for spec: NetworkSpec) -> HandoutDetail {
        spec.layers.allSatisfy { $0 <= 4 } && HandoutDetail.batchSize(spec) == 1 ? .full : .matrix
    }

    /// Samples per step.
    public static func batchSize(_ spec: NetworkSpec) -> Int {
        switch spec.batch {
        case .full: return spec.data.count
        case .sample: return 1
        case .size(let k): return k
        }
    }
}

/// `--handout-steps`: a comma-separated list of steps and ranges (`1,2,10`, `1-3,100`).
public enum HandoutStepList {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The most steps a handout derives in detail (each takes a page or more).
    public static let maximumDerivedSteps = 1000

    /// The steps, sorted and without repeats. Throws on anything but positive integers and
    /// ranges, and when more than `maximumDerivedSteps` steps would be derived. With `upTo`
    /// (the run's --steps), ranges are clipped to it before they are expanded; a range that
    /// goes beyond keeps one step past the end, so the handout can say it was not derived.
    public static func parse(_ text: String, upTo last: Int? = nil) throws -> [Int] {
        var steps = Set<Int>()
        var beyond: Int? = nil
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmingCharacters(in: .whitespaces)
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let a = Int(bounds[0]), let b = Int(bounds[bounds.count - 1]), a >= 1, b >= a else {
                throw ParseError(description: "--handout-steps: expected steps >= 1 and ranges like 1,2,10 or 1-3,100, found \(SafeText.quoted(part))")
            }
            var end = b
            if let last, b > last {
                let first = max(a, last + 1)
                beyond = min(beyond ?? first, first)
                end = last
            }
            guard a <= end else { continue }
            guard end - a < maximumDerivedSteps else { throw tooMany(last) }
            for s in a...end {
                steps.insert(s)
                if steps.count > maximumDerivedSteps { throw tooMany(last) }
            }
        }
        if let beyond { steps.insert(beyond) }
        return steps.sorted()
    }

    static func tooMany(_ last: Int?) -> ParseError {
        ParseError(description: "--handout-steps: more than \(maximumDerivedSteps) steps to derive in detail\(last.map { " (within --steps \($0))" } ?? ""); a handout derives at most \(maximumDerivedSteps), the others appear in its loss table")
    }
}
