import ArgumentParser
import BPTrace
import Foundation

/// What `bptrace landscape` and `bptrace run --landscape` share: the defaults, the checks of
/// the options, and the resolution of the two parameter names in a spec (exit 64 on a bad name
/// or span, 65 on too much work), so both commands accept and refuse the same things.
enum LandscapeOptions {
    static let defaultSpan = 2.0
    static let defaultGrid = 61

    /// The two names of `--weights w5,w6`, or a usage error naming `option`.
    static func names(_ text: String, option: String) throws -> (String, String) {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard names.count == 2, names.allSatisfy({ !$0.isEmpty }), names[0] != names[1] else {
            throw ValidationError("\(option): expected two different parameter names, e.g. w5,w6; found \"\(text)\"")
        }
        return (names[0], names[1])
    }

    /// Checks the span and grid (ValidationError, exit 64), naming the options as given.
    static func validate(span: Double, grid: Int, spanOption: String, gridOption: String) throws {
        guard span > 0, span.isFinite, span <= 1e6 else { throw ValidationError("\(spanOption) must be > 0 and at most 1e6, found \(span)") }
        guard (2...Landscape.maximumGrid).contains(grid) else { throw ValidationError("\(gridOption) must be from 2 to \(Landscape.maximumGrid), found \(grid)") }
    }

    /// Resolves the two names in `spec` and checks the span gives distinct grid values and the
    /// work is within the landscape's limit (`steps` training steps traced besides the grid).
    /// Prints the reason and throws Exit.usage (names, span) or Exit.invalidSpec (work).
    static func resolve(_ names: (String, String), in spec: NetworkSpec, span: Double, grid: Int, steps: Int,
                        option: String, spanOption: String, gridOption: String) throws -> (ParameterRef, ParameterRef) {
        let a: ParameterRef, b: ParameterRef
        do {
            a = try ParameterRef(named: names.0, in: spec, option: option)
            b = try ParameterRef(named: names.1, in: spec, option: option)
        } catch {
            printError(error.description); throw Exit.usage
        }
        if a.isBias == b.isBias, a.layer == b.layer, a.row == b.row, a.col == nil || b.col == nil || a.col == b.col {
            printError("\(option): \(a.name) and \(b.name) are the same parameter"); throw Exit.usage
        }
        let start = spec.initialParameters()
        for r in [a, b] {
            let v = r.value(in: start)
            guard v.isFinite, (v + span) - (v - span) > 0, (v + span).isFinite, (v - span).isFinite else {
                printError("\(spanOption) \(span) does not give distinct grid values around \(r.name) = \(v) in Float64 (use a larger \(spanOption))"); throw Exit.usage
            }
        }
        if let why = Landscape.refusal(spec: spec, grid: grid, steps: steps) {
            let text = why.description.replacingOccurrences(of: "--grid", with: gridOption)
            printError(text); throw Exit.invalidSpec
        }
        return (a, b)
    }
}
