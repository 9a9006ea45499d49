import Foundation

/// The loss surface over two parameters: the loss of the whole data set at every point of an
/// N×N grid centred on the two parameters' start values (± span), every other parameter at its
/// start value, computed by the engine's own forward pass (`Trainer.forward`); and the path the
/// two parameters take over K training steps of the engine (the trace's W at the start of each
/// step, then the parameters after the last update).
public struct Landscape: Sendable {
    public let a: ParameterRef
    public let b: ParameterRef
    /// The grid's coordinates (N values each, increasing).
    public let aValues: [Double]
    public let bValues: [Double]
    /// loss[i][j] at (aValues[i], bValues[j]).
    public let loss: [[Double]]
    /// The start values (the grid's centre).
    public let start: (a: Double, b: Double)
    /// (a, b, loss of that step's batch) at the start of steps 1...K, then (a, b, nan) after step K.
    public let path: [(a: Double, b: Double, loss: Double)]

    public static let maximumGrid = 401
    /// Grid points × traced values of one forward pass over the data set.
    public static let maximumWork = 200_000_000
    public static let maximumSteps = 1_000_000

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case usage(String), tooLarge(String)
        public var description: String { switch self { case .usage(let s), .tooLarge(let s): s } }
    }

    /// Why the work is refused, or nil.
    public static func refusal(spec: NetworkSpec, grid: Int, steps: Int) -> Failure? {
        guard (2...maximumGrid).contains(grid) else { return .usage("--grid must be from 2 to \(maximumGrid), found \(grid)") }
        guard (0...maximumSteps).contains(steps) else { return .usage("--steps must be from 0 to \(maximumSteps), found \(steps)") }
        let perPass = SpecLimits.tracedValuesPerStep(layers: spec.layers, batch: spec.data.count)
        let work = Double(grid * grid) * Double(perPass) + Double(steps) * Double(perPass)
        if work > Double(maximumWork) {
            return .tooLarge("a \(grid)×\(grid) grid over \(SpecLimits.grouped(spec.data.count)) samples (\(SpecLimits.grouped(perPass)) values a pass) is about \(String(format: "%.1e", work)) operations; landscape does at most \(String(format: "%.0e", Double(maximumWork))) (use a smaller --grid or network)")
        }
        return nil
    }

    /// The loss of the whole data set at `parameters` (the engine's forward pass, batch "full").
    public static func loss(spec: NetworkSpec, parameters: Parameters) -> Double {
        var full = spec
        full.batch = .full
        return Trainer(spec: full, parameters: parameters).forward(1).loss
    }

    public init(spec: NetworkSpec, a: ParameterRef, b: ParameterRef, span: Double, grid: Int, steps: Int) {
        var trainer = Trainer(spec: spec)
        var points: [(a: Double, b: Double, loss: Double)] = []
        for s in 0..<steps {
            let r = trainer.step(s + 1)
            points.append((a.value(in: r), b.value(in: r), r.loss))
        }
        points.append((a.value(in: trainer.parameters), b.value(in: trainer.parameters), .nan))
        self.init(spec: spec, a: a, b: b, span: span, grid: grid, path: points)
    }

    /// The grid as above, with a path given by the caller (e.g. read from a run's trace: the
    /// handout's `--landscape`).
    public init(spec: NetworkSpec, a: ParameterRef, b: ParameterRef, span: Double, grid: Int,
                path: [(a: Double, b: Double, loss: Double)]) {
        self.a = a; self.b = b
        let p0 = spec.initialParameters()
        let a0 = a.value(in: p0), b0 = b.value(in: p0)
        start = (a0, b0)
        func axis(_ c: Double) -> [Double] {
            (0..<grid).map { k in c - span + 2 * span * Double(k) / Double(grid - 1) }
        }
        aValues = axis(a0); bValues = axis(b0)
        var full = spec
        full.batch = .full
        var rows: [[Double]] = []
        rows.reserveCapacity(grid)
        for va in aValues {
            var row: [Double] = []
            row.reserveCapacity(grid)
            for vb in bValues {
                var p = p0
                a.set(va, in: &p); b.set(vb, in: &p)
                row.append(Trainer(spec: full, parameters: p).forward(1).loss)
            }
            rows.append(row)
        }
        loss = rows
        self.path = path
    }

    /// The grid as CSV: a header `<a name>,<b name>,loss` and one row per point (a outer, b
    /// inner), numbers in the shortest form that reads back exactly.
    public func csv() -> String {
        var out = "\(a.name),\(b.name),loss\n"
        for (i, va) in aValues.enumerated() {
            for (j, vb) in bValues.enumerated() {
                out += "\(Landscape.number(va)),\(Landscape.number(vb)),\(Landscape.number(loss[i][j]))\n"
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }
}
