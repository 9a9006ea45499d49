import ArgumentParser
import BPTrace
import BPTraceCheck
import BPTraceRenderers
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Compare backprop gradients with central finite differences of the cost.",
        discussion: """
        For every weight and bias θ, at the start of each step 1..N (along the
        engine's own training run), the numeric derivative of the cost f (loss +
        λ/2·ΣW² of the step's batch)

            g_fd = (f(θ + ε) − f(θ − ε)) / 2ε

        is compared with the backprop gradient g_bp (grad_W, grad_b). It checks
        gradients, which come before any optimizer: the spec's "optimizer" only
        decides where the run goes from step to step. The
        truncation error of the central difference is O(ε²) (ε²/6·f'''), its
        rounding error O(u/ε) (u ≈ 1.1e-16, times the size of f, lost when
        f(θ+ε) and f(θ−ε) are subtracted): too large an ε measures curvature, too
        small an ε measures rounding noise. Their sum is smallest near
        ε ≈ u^(1/3) ≈ 5e-6; the default ε = 1e-5 is there (expect errors around
        1e-10 to 1e-8).

        The error shown is relative,

            |g_bp − g_fd| / max(|g_bp|, |g_fd|, 1e-3·max(1, |f|)),

        so gradients much smaller than the cost are compared absolutely (rounding
        noise, about u·|f|/ε, is not divided by a tiny number). The check fails
        when any error exceeds the threshold, 1e-6 by default: correct gradients
        on the presets and fixtures stay below 1e-7, a wrong derivative gives 1e-2
        or more. A ReLU kink within ±ε of a parameter makes its difference
        quotient meaningless: such parameters are shown and not counted.

        Under "update": "immediate" the engine's hidden-layer gradients are by
        design not the gradient of the cost (the error is sent back through the
        already-updated weights). The check then tests the cost's true gradient —
        the engine's backprop with the simultaneous order at the same parameters —
        and reports the immediate order's deviation apart.

        Examples:
          bptrace gradcheck                                  # mazur-2015, step 1
          bptrace gradcheck --preset tanh-relu-softmax --steps 5
          bptrace gradcheck --spec net.json --eps 1e-6 --top 20
          bptrace gradcheck --eps-sweep --param w5 --plot v.svg

        --eps-sweep: for one parameter (--param, default the first weight into the output layer, w5 in mazur-2015) at the start of
        step 1, the error |finite difference − backprop| of the one-sided
        (f(θ+ε) − f(θ))/ε and the central difference for ε = 1e-1 … 1e-12, as
        a table; --plot FILE.svg (or --out DIR: DIR/<spec>-eps-sweep.svg) draws
        the log-log "V" with the slopes 1, 2 (truncation) and −1 (rounding).
        See docs/NUMERICAL.md.

        Exit codes:
          0   every relative error is within the threshold
          1   a relative error exceeds the threshold
          64  bad command-line usage
          65  invalid spec or data, or a network too large to check
              (more than 100,000 weights and biases, or more than 1e10
              parameters x traced values per step x steps)
          66  a spec or data file does not exist or cannot be read
        """
    )

    @OptionGroup var source: SpecSource

    @Option(name: .long, help: "Check at the start of steps 1..N.")
    var steps: Int = 1

    @Option(name: .long, help: "The finite-difference step ε (default 1e-5 ≈ the optimum u^(1/3) for Float64).")
    var eps: Double = 1e-5

    @Option(name: .long, help: "The largest relative error that passes.")
    var threshold: Double = 1e-6

    @Option(name: .long, help: "Rows in the table of worst relative errors.")
    var top: Int = 10

    @Flag(name: .customLong("eps-sweep"), help: "Sweep ε = 1e-1 … 1e-12 for one parameter: one-sided and central errors against backprop.")
    var epsSweep = false

    @Option(name: .long, help: ArgumentHelp("--eps-sweep: the parameter (post-style name, e.g. w5, b1_2). Default: the first weight into the output layer (w5 in mazur-2015).", valueName: "name"))
    var param: String?

    @Option(name: .long, help: ArgumentHelp("--eps-sweep: write the log-log plot to this SVG file.", valueName: "file"))
    var plot: String?

    @Option(name: .long, help: ArgumentHelp("--eps-sweep: write the plot as DIR/<spec name>-eps-sweep.svg.", valueName: "dir"))
    var out: String?

    @Flag(name: .long, help: "--eps-sweep: overwrite an existing plot file.")
    var force = false

    func validate() throws {
        if epsSweep, steps != 1 || eps != 1e-5 || threshold != 1e-6 || top != 10 {
            throw ValidationError("--steps, --eps, --threshold and --top do not apply to --eps-sweep (it sweeps ε = 1e-1 … 1e-12 at the start of step 1)")
        }
        if !epsSweep, param != nil || plot != nil || out != nil || force {
            throw ValidationError("--param, --plot, --out and --force go with --eps-sweep")
        }
        if plot != nil && out != nil { throw ValidationError("give either --plot or --out, not both") }
        if let plot, plot.isEmpty || plot.hasSuffix("/") { throw ValidationError("--plot: expected a file name, found \"\(plot)\"") }
        if let out, out.isEmpty { throw ValidationError("--out: expected a folder, found an empty string") }
        guard steps >= 1, steps <= 100_000 else { throw ValidationError("--steps must be from 1 to 100000, found \(steps)") }
        guard eps > 0, eps < 1, eps.isFinite else { throw ValidationError("--eps must be between 0 and 1, found \(eps)") }
        guard threshold > 0, threshold.isFinite else { throw ValidationError("--threshold must be > 0, found \(threshold)") }
        guard top >= 0 else { throw ValidationError("--top must be >= 0, found \(top)") }
    }

    func run() throws {
        let netSpec = try source.load()
        if epsSweep { return try sweep(netSpec) }
        if let why = GradientCheck.refusal(spec: netSpec, steps: steps) {
            printError((source.spec.map { "\($0): " } ?? "") + "layers: " + why)
            throw Exit.invalidSpec
        }
        let bar = GradcheckProgress()
        let report = GradientCheck.run(spec: netSpec, steps: steps, options: GradientCheck.Options(eps: eps, threshold: threshold),
                                       progress: bar.update)
        bar.clear()
        try StandardOutput.write(report.text(top: top), terminator: "")
        if !report.passed { throw ExitCode(1) }
    }
}

extension GradcheckCommand {
    func sweep(_ netSpec: NetworkSpec) throws {
        let parameter: ParameterRef
        do { parameter = try ParameterRef(named: param ?? EpsSweep.defaultParameter(in: netSpec), in: netSpec, option: "--param") } catch {
            printError(error.description); throw Exit.usage
        }
        let result = EpsSweep(spec: netSpec, parameter: parameter)
        var destination = plot
        if let out { destination = (out as NSString).appendingPathComponent("\(netSpec.name)-eps-sweep.svg") }
        if let destination {
            let svg = EpsSweepPlot(eps: result.rows.map(\.eps), oneSided: result.rows.map(\.oneSidedError), central: result.rows.map(\.centralError),
                                   title: "\(netSpec.name): error of d(cost)/d\(parameter.name) against backprop").render()
            let folder = out ?? (destination as NSString).deletingLastPathComponent
            try writeOutputFiles([(destination, svg)], folder: folder.isEmpty ? "." : folder, force: force)
        }
        try StandardOutput.write(result.text() + (destination.map { "plot: \($0)\n" } ?? ""), terminator: "")
        if !result.backprop.isFinite || !result.cost.isFinite {
            printError("the cost (\(result.cost)) or its backprop gradient (\(result.backprop)) is not finite at the start of step 1: nothing to compare")
            throw Exit.nonFinite
        }
    }
}

/// "checked 1200/4000 parameters" on stderr, only when stderr is a terminal and the check has
/// taken more than a second; redrawn at most ten times a second.
final class GradcheckProgress {
    private let start = Date()
    private var last = Date.distantPast
    private var drawn = false
    private let enabled = isatty(STDERR_FILENO) == 1

    func update(_ done: Int, _ total: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(start) > 1, now.timeIntervalSince(last) > 0.1 || done == total else { return }
        last = now
        var e = StandardError(); e.write("\rgradcheck: \(done)/\(total) parameters (central differences)")
        drawn = true
    }

    func clear() {
        if drawn { var e = StandardError(); e.write("\r\u{1B}[K"); drawn = false }
    }
}
