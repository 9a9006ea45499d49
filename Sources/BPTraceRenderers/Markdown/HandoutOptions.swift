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

    /// The steps, sorted and without repeats. Throws on anything but positive integers and ranges.
    public static func parse(_ text: String) throws -> [Int] {
        var steps = Set<Int>()
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmingCharacters(in: .whitespaces)
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let a = Int(bounds[0]), let b = Int(bounds[bounds.count - 1]), a >= 1, b >= a else {
                throw ParseError(description: "--handout-steps: expected steps >= 1 and ranges like 1,2,10 or 1-3,100, found \"\(part)\"")
            }
            guard b - a < 1_000_000 else {
                throw ParseError(description: "--handout-steps: the range \(part) is too long (at most 1000000 steps)")
            }
            for s in a...b { steps.insert(s) }
        }
        return steps.sorted()
    }
}
