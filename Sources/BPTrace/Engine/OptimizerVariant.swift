/// The ways tutorials write the stateful optimizers differently from docs/SPEC.md,
/// "Optimizers": named variants of the one `StatefulOptimizer`, carried in `BackpropRules`
/// (the checker's conventions `eps_inside_sqrt`, `momentum_ema`, `momentum_lr_inside`,
/// `adam_no_bias_correction`, `adamw_as_l2`; docs/CHECKING.md). `bptrace run` always uses
/// `.standard`. What the trace holds under each variant:
///
/// - `epsInsideSqrt`: sq, m, v, m̂, v̂ unchanged; P − η·g/√(sq + ε) (RMSProp),
///   P − η·m̂/√(v̂ + ε) (Adam, AdamW).
/// - `momentum == .ema`: vel = μ·vel_prev + (1 − μ)·g; the update reads vel as usual.
/// - `momentum == .lrInside`: vel = μ·vel_prev + η·g (η times the standard velocity);
///   momentum P − vel, Nesterov P − (η·g + μ·vel): the same weights up to rounding.
/// - `biasCorrection == false`: m̂ = m and v̂ = v (traced so), P − η·m/(√v + ε).
/// - `decoupledDecay == false` (AdamW as Adam with L2): the moments are built from
///   g + wd·P (biases only with decay_biases), P − η·m̂/(√v̂ + ε) with no separate decay;
///   grad_W and grad_b stay the loss's gradient.
public struct OptimizerVariant: Hashable, Sendable, CustomStringConvertible {
    /// How the velocity of momentum and Nesterov accumulates.
    public enum MomentumForm: Hashable, Sendable {
        /// vel = μ·vel_prev + g (docs/SPEC.md).
        case standard
        /// vel = μ·vel_prev + (1 − μ)·g, an exponential moving average.
        case ema
        /// vel = μ·vel_prev + η·g, P − vel (Sutskever et al. 2013).
        case lrInside
    }

    public var epsInsideSqrt: Bool
    public var momentum: MomentumForm
    public var biasCorrection: Bool
    public var decoupledDecay: Bool

    public init(epsInsideSqrt: Bool = false, momentum: MomentumForm = .standard, biasCorrection: Bool = true, decoupledDecay: Bool = true) {
        self.epsInsideSqrt = epsInsideSqrt; self.momentum = momentum
        self.biasCorrection = biasCorrection; self.decoupledDecay = decoupledDecay
    }

    /// docs/SPEC.md's optimizers.
    public static let standard = OptimizerVariant()

    public var isStandard: Bool { self == .standard }

    public var description: String {
        var parts: [String] = []
        if epsInsideSqrt { parts.append("eps_inside_sqrt") }
        if momentum == .ema { parts.append("momentum_ema") }
        if momentum == .lrInside { parts.append("momentum_lr_inside") }
        if !biasCorrection { parts.append("adam_no_bias_correction") }
        if !decoupledDecay { parts.append("adamw_as_l2") }
        return parts.isEmpty ? "standard" : parts.joined(separator: " + ")
    }
}
