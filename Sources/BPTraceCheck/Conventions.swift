import BPTrace
import Foundation

/// A convention the tutorials differ in, relative to a fixture's spec: what `--explain` tries
/// when a written number does not hold, and what a value with status `convention` names.
///
/// | switch | spelling | what changes |
/// |---|---|---|
/// | update order | `update=immediate`, `update=simultaneous` | spec `update` |
/// | bias training | `update_biases=true`, `update_biases=false` | spec `update_biases` |
/// | loss | `loss=half_sse`, `loss=mse` | spec `loss` |
/// | error sign | `negated` (also `sign`, `sign=o-t`) | the value's negation: o − t written where the contract has t − o, or the reverse |
/// | learning rate folded into the delta | `lr_folded` | the Excel sheet's step 8, d_output = E·slope·lr, then lr applied again in the update (`BackpropRules.learningRateFolded`) |
/// | ε under the root | `eps_inside_sqrt` | RMSProp/Adam/AdamW: g/√(s + ε) (D2L) instead of g/(√s + ε) (`OptimizerVariant`) |
/// | momentum as an average | `momentum_ema` | momentum/Nesterov: vel = μ·vel + (1 − μ)·g |
/// | η inside the velocity | `momentum_lr_inside` | momentum/Nesterov: vel = μ·vel + η·g, P − vel (Sutskever et al.) |
/// | no bias correction | `adam_no_bias_correction` | Adam/AdamW: m and v used without dividing by 1 − β^t |
/// | AdamW as L2 | `adamw_as_l2` | AdamW: wd·P added to the gradient before the moments instead of decoupled |
public struct Convention: Hashable, Sendable, CustomStringConvertible {
    public enum Switch: Hashable, Sendable, CustomStringConvertible {
        case update(UpdateOrder)
        case updateBiases(Bool)
        case loss(Loss)
        case negated
        case lrFolded
        case epsInsideSqrt
        case momentum(OptimizerVariant.MomentumForm)
        case adamNoBiasCorrection
        case adamwAsL2

        public var description: String {
            switch self {
            case .update(let u): return "update=\(u.rawValue)"
            case .updateBiases(let b): return "update_biases=\(b)"
            case .loss(let l): return "loss=\(l.rawValue)"
            case .negated: return "negated"
            case .lrFolded: return "lr_folded"
            case .epsInsideSqrt: return "eps_inside_sqrt"
            case .momentum(.ema): return "momentum_ema"
            case .momentum(.lrInside): return "momentum_lr_inside"
            case .momentum(.standard): return "momentum_standard"
            case .adamNoBiasCorrection: return "adam_no_bias_correction"
            case .adamwAsL2: return "adamw_as_l2"
            }
        }

        /// What the switch means, for a reader.
        public var meaning: String {
            switch self {
            case .update(.immediate): return "the immediate update order (the error sent back through the already-updated weights)"
            case .update(.simultaneous): return "the simultaneous (textbook) update order"
            case .updateBiases(true): return "biases trained"
            case .updateBiases(false): return "biases kept fixed"
            case .loss(let l): return "the \(l.rawValue) loss"
            case .negated: return "the other error sign (o − t instead of t − o): the value's negation"
            case .lrFolded: return "the learning rate folded into the delta (the Excel sheet's d_output = E·slope·lr, lr applied again in the update)"
            case .epsInsideSqrt: return "eps under the square root, g / sqrt(s + eps) (as D2L's RMSProp)"
            case .momentum(.ema): return "momentum as a moving average, vel = mu·vel + (1 − mu)·g"
            case .momentum(.lrInside): return "the learning rate inside the velocity, vel = mu·vel + eta·g, P = P − vel (Sutskever et al.; the velocity is eta times the spec's, the weights the same)"
            case .momentum(.standard): return "the spec's velocity, vel = mu·vel + g"
            case .adamNoBiasCorrection: return "Adam's m and v used without the bias correction (no division by 1 − beta^t)"
            case .adamwAsL2: return "AdamW's decay added to the gradient before the moments (Adam with L2) instead of decoupled"
            }
        }

        var kind: Int {
            switch self {
            case .update: return 0
            case .updateBiases: return 1
            case .loss: return 2
            case .negated: return 3
            case .lrFolded: return 4
            case .epsInsideSqrt: return 5
            case .momentum: return 6
            case .adamNoBiasCorrection: return 7
            case .adamwAsL2: return 8
            }
        }

        /// Reads one spelling (`update=immediate`, `lr_folded`, ...).
        public init?(_ text: String) {
            let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "−", with: "-")
            switch t {
            case "update=immediate": self = .update(.immediate)
            case "update=simultaneous": self = .update(.simultaneous)
            case "update_biases=true": self = .updateBiases(true)
            case "update_biases=false": self = .updateBiases(false)
            case "loss=half_sse": self = .loss(.halfSSE)
            case "loss=mse": self = .loss(.mse)
            case "negated", "sign", "sign=o-t", "sign=t-o": self = .negated
            case "lr_folded", "lr-folded", "lr_in_delta": self = .lrFolded
            case "eps_inside_sqrt": self = .epsInsideSqrt
            case "momentum_ema": self = .momentum(.ema)
            case "momentum_lr_inside": self = .momentum(.lrInside)
            case "adam_no_bias_correction": self = .adamNoBiasCorrection
            case "adamw_as_l2": self = .adamwAsL2
            default: return nil
            }
        }

        public static let spellings = ["update=immediate", "update=simultaneous", "update_biases=true", "update_biases=false",
                                       "loss=half_sse", "loss=mse", "negated", "lr_folded", "eps_inside_sqrt", "momentum_ema",
                                       "momentum_lr_inside", "adam_no_bias_correction", "adamw_as_l2"]

        /// Whether the switch is a choice of the spec's optimizer (each optimizer switch
        /// applies only to the optimizers that have it).
        func applies(to optimizer: OptimizerSpec) -> Bool {
            switch (self, optimizer) {
            case (.epsInsideSqrt, .rmsprop), (.epsInsideSqrt, .adam), (.epsInsideSqrt, .adamw): return true
            case (.momentum(.standard), _): return false
            case (.momentum, .momentum), (.momentum, .nesterov): return true
            case (.adamNoBiasCorrection, .adam), (.adamNoBiasCorrection, .adamw): return true
            case (.adamwAsL2, .adamw(_, _, _, let wd, _)): return wd > 0
            case (.epsInsideSqrt, _), (.momentum, _), (.adamNoBiasCorrection, _), (.adamwAsL2, _): return false
            default: return true
            }
        }

        /// Which optimizers a switch applies to, for messages.
        static func appliesTo(_ sw: Switch) -> String {
            switch sw {
            case .epsInsideSqrt: return "eps_inside_sqrt applies to rmsprop, adam and adamw"
            case .momentum: return "\(sw) applies to momentum and nesterov"
            case .adamNoBiasCorrection: return "adam_no_bias_correction applies to adam and adamw"
            case .adamwAsL2: return "adamw_as_l2 applies to adamw with weight_decay > 0"
            default: return "\(sw) applies to every optimizer"
            }
        }

        /// The optimizer switches that apply to `optimizer`, in the table's order.
        static func optimizerSwitches(for optimizer: OptimizerSpec) -> [Switch] {
            [.epsInsideSqrt, .momentum(.ema), .momentum(.lrInside), .adamNoBiasCorrection, .adamwAsL2].filter { $0.applies(to: optimizer) }
        }
    }

    /// At most one switch of each kind, in a fixed order.
    public let switches: [Switch]

    public init(_ switches: [Switch]) {
        var seen = Set<Int>()
        self.switches = switches.filter { seen.insert($0.kind).inserted }.sorted { $0.kind < $1.kind }
    }

    /// The fixture's own spec, unchanged.
    public static let none = Convention([])

    public var isNone: Bool { switches.isEmpty }
    public var negated: Bool { switches.contains(.negated) }
    public var lrFolded: Bool { switches.contains(.lrFolded) }

    public var description: String { switches.isEmpty ? "the fixture's spec" : switches.map(\.description).joined(separator: " + ") }
    public var meaning: String { switches.map(\.meaning).joined(separator: "; ") }

    /// Parses `update=immediate + lr_folded` (or the parts of an array).
    public static func parse(_ parts: [String]) -> Convention? {
        var out: [Switch] = []
        for p in parts.flatMap({ $0.split(separator: "+").map(String.init) }) {
            guard let s = Switch(p) else { return nil }
            out.append(s)
        }
        return out.isEmpty ? nil : Convention(out)
    }

    /// The spec under this convention, or nil when the convention does not apply to it (bias
    /// switches on a net without biases, `loss=mse` on a softmax output) or changes nothing.
    public func apply(to spec: NetworkSpec) -> NetworkSpec? {
        var s = spec
        for sw in switches {
            switch sw {
            case .update(let u):
                guard spec.depth >= 2, spec.update != u else { return nil }
                s.update = u
            case .updateBiases(let b):
                guard spec.bias, spec.updateBiases != b else { return nil }
                s.updateBiases = b
            case .loss(let l):
                guard spec.loss != l, spec.loss == .halfSSE || spec.loss == .mse else { return nil }
                s.loss = l
            case .negated, .lrFolded: break
            case .epsInsideSqrt, .momentum, .adamNoBiasCorrection, .adamwAsL2:
                guard sw.applies(to: spec.optimizer) else { return nil }
            }
        }
        return s
    }

    /// The alternatives `--explain` tries on a spec: each applicable switch alone, in the order
    /// of the table above.
    public static func singles(for spec: NetworkSpec) -> [Convention] {
        var out: [Switch] = []
        if spec.depth >= 2 { out.append(.update(spec.update == .simultaneous ? .immediate : .simultaneous)) }
        if spec.bias { out.append(.updateBiases(!spec.updateBiases)) }
        if spec.loss == .halfSSE { out.append(.loss(.mse)) }
        if spec.loss == .mse { out.append(.loss(.halfSSE)) }
        out.append(.negated)
        // The Excel sheet's lr_folded is a plain gradient-descent convention: tried for sgd only
        // (a fixture may still name it for another optimizer).
        if spec.optimizer.isSGD { out.append(.lrFolded) }
        out += Switch.optimizerSwitches(for: spec.optimizer)
        return out.map { Convention([$0]) }
    }

    /// Every pair of the singles (tried when no single switch reproduces a number).
    public static func pairs(for spec: NetworkSpec) -> [Convention] {
        let s = singles(for: spec).map { $0.switches[0] }
        var out: [Convention] = []
        for i in 0..<s.count { for j in (i + 1)..<s.count { out.append(Convention([s[i], s[j]])) } }
        return out
    }
}

/// Runs a spec (under a convention) and keeps the step results a check needs.
public enum ConventionRunner {
    /// The results of the given steps (all of them 1-based) of `spec` under `rules` (the
    /// learning rate folded into the delta: `BackpropRules.learningRateFolded`), streamed
    /// through `TraceRunner` as run `id` into a `StepCollector`. Runs up to the largest step;
    /// non-finite values are delivered too (the check reports them itself).
    public static func run(spec: NetworkSpec, rules: BackpropRules = .standard, steps wanted: Set<Int>, id: RunID = .main) -> [Int: StepResult] {
        guard let last = wanted.max(), last >= 1 else { return [:] }
        let collector = StepCollector(steps: wanted)
        // A StepCollector does not throw.
        guard (try? TraceRunner.run(spec: spec, steps: last, sinks: [collector], id: id, rules: rules, stopAtNonFinite: false)) != nil else { return [:] }
        return collector.results[id] ?? [:]
    }
}

extension Convention {
    /// The backward-pass rules of this convention, a named variant of the one trainer: the
    /// lr-folded rules, the update order's (`apply(to:)` sets the spec's `update` to the same
    /// order, so the catalogue's formulas follow it too), or the standard rules; the optimizer
    /// switches set the rules' `OptimizerVariant`, honoured by the one `StatefulOptimizer`.
    public var rules: BackpropRules {
        var r = lrFolded ? BackpropRules.learningRateFolded : .standard
        for case .update(let u) in switches {
            r.errorThrough = u
            r.name = lrFolded ? "\(r.name) + update=\(u.rawValue)" : "update=\(u.rawValue)"
        }
        for sw in switches {
            switch sw {
            case .epsInsideSqrt: r.optimizer.epsInsideSqrt = true
            case .momentum(let form): r.optimizer.momentum = form
            case .adamNoBiasCorrection: r.optimizer.biasCorrection = false
            case .adamwAsL2: r.optimizer.decoupledDecay = false
            default: continue
            }
        }
        if !r.optimizer.isStandard {
            r.name = r.name == "standard" ? r.optimizer.description : "\(r.name) + \(r.optimizer.description)"
        }
        return r
    }
}
