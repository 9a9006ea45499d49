import BPTrace
import Foundation

/// `bptrace run --format md --landscape w5,w6`: the two parameters whose loss landscape the
/// handout shows, with the grid's half-width and points per axis (as `bptrace landscape`).
public struct HandoutLandscapeRequest: Sendable, Equatable {
    public let a: ParameterRef, b: ParameterRef
    public let span: Double
    public let grid: Int
    public init(a: ParameterRef, b: ParameterRef, span: Double, grid: Int) {
        self.a = a; self.b = b; self.span = span; self.grid = grid
    }
    public static let figureName = "landscape.svg"
}

/// The handout's section "The loss landscape": the surface of `Landscape` (the engine's loss of
/// the whole data set over the two parameters, every other one at its start value) with the path
/// the run took, read from the trace as it streams by (W or b at the start of each step, then
/// W_new or b_new of the last step). Long runs keep the steps the handout's loss curve keeps.
struct HandoutLandscape {
    let request: HandoutLandscapeRequest
    /// (a, b) at the start of each kept step.
    private(set) var points: [(step: Int, a: Double, b: Double)] = []
    private var pending: (a: Double?, b: Double?) = (nil, nil)
    private var after: (a: Double?, b: Double?) = (nil, nil)
    private var stepAfter: (a: Double?, b: Double?) = (nil, nil)
    private var lastStep = 0

    init(request: HandoutLandscapeRequest) { self.request = request }

    mutating func receive(_ block: TraceBlock) {
        if let v = request.a.value(in: block) { pending.a = v }
        if let v = request.b.value(in: block) { pending.b = v }
        if let v = request.a.value(in: block, after: true) { stepAfter.a = v }
        if let v = request.b.value(in: block, after: true) { stepAfter.b = v }
    }

    /// A step has ended (it was completed); `keep` says whether the path samples its start.
    mutating func finishStep(_ step: Int, keep: Bool) {
        if keep, let a = pending.a, let b = pending.b { points.append((step, a, b)) }
        if stepAfter.a != nil, stepAfter.b != nil { after = stepAfter; lastStep = step }
        pending = (nil, nil)
        stepAfter = (nil, nil)
    }

    /// The path drawn: the kept steps' start values, then the values after the last update.
    var path: [(a: Double, b: Double, loss: Double)] {
        var out = points.map { (a: $0.a, b: $0.b, loss: Double.nan) }
        if let a = after.a, let b = after.b { out.append((a, b, .nan)) }
        return out
    }

    /// The Markdown of the section after writing its figure through `writeFigure`. `final` is
    /// the network's parameters after the last update (nil if no step completed).
    func section(spec: NetworkSpec, final: Parameters?, figures: String, writeFigure: (String, String) throws -> Void) throws -> String {
        let r = request
        let land = Landscape(spec: spec, a: r.a, b: r.b, span: r.span, grid: r.grid, path: path)
        let title = "\(spec.name): loss over \(r.a.name) and \(r.b.name)"
        try writeFigure(HandoutLandscapeRequest.figureName,
                        LandscapePlot(aName: r.a.name, bName: r.b.name, aValues: land.aValues, bValues: land.bValues,
                                      loss: land.loss, path: land.path.map { ($0.a, $0.b) }, title: title).render())
        let (a, b) = (HandoutEscape.markdown(r.a.name), HandoutEscape.markdown(r.b.name))
        func n(_ v: Double) -> String { HandoutDeltaSizes.number(v) }
        let startLoss = Landscape.loss(spec: spec, parameters: spec.initialParameters())
        var out: [String] = ["## The loss landscape", ""]
        out.append("![The loss of the whole data set over \(a) and \(b), each ± \(n(r.span)) around its start value, every other parameter at its start value (dark = low); the white line is the path the two took in training, from the circle to the square.](\(figures)/\(HandoutLandscapeRequest.figureName))")
        out.append("")
        var text = "The picture is the loss of the whole data set (without any l2 term) on a \(r.grid)×\(r.grid) grid of values of \(a) and \(b), every other parameter held at its start value, as `bptrace landscape` draws it (a cross marks each local minimum of the grid, if it has a few). "
        text += "The path starts at (\(a), \(b)) = (\(n(land.start.a)), \(n(land.start.b))), where the loss is \(n(startLoss))"
        if let final, lastStep > 0, let ea = after.a, let eb = after.b {
            let endLoss = Landscape.loss(spec: spec, parameters: final)
            if SpecLimits.parameterCount(layers: spec.layers, bias: spec.bias) > 2 {
                text += ", and ends after step \(lastStep) at (\(n(ea)), \(n(eb))), where the loss with every parameter as trained is \(n(endLoss)); the other parameters moved too, so the path need not follow this picture's valleys."
            } else {
                text += ", and ends after step \(lastStep) at (\(n(ea)), \(n(eb))), where the loss is \(n(endLoss)); the network has no other parameters, so the path runs over this very surface."
            }
        } else {
            text += "; no step completed, so there is no path."
        }
        out.append(text)
        out.append("")
        return out.joined(separator: "\n") + "\n"
    }
}
