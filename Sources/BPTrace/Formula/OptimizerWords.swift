/// The words each optimizer is explained in (docs/SPEC.md, "Optimizers"), declared once beside
/// the catalogue's formulas (`OptimizerFormulas.swift`), so the handout (and later other pages)
/// print them without branching on the optimizer. LaTeX symbols are the handout's: a weight
/// `w`, its state `m_{w}`, the previous step's state `m_{w}^{(t-1)}`.
extension Catalogue {
    /// What the optimizer is called: "Adam", "SGD with momentum".
    public var optimizerTitle: String {
        switch spec.optimizer {
        case .sgd: return "plain gradient descent (SGD)"
        case .momentum: return "SGD with momentum"
        case .nesterov: return "SGD with Nesterov momentum"
        case .rmsprop: return "RMSProp"
        case .adam: return "Adam"
        case .adamw: return "AdamW (Adam with decoupled weight decay)"
        }
    }

    /// The hyper-parameters of the optimizer besides η, in the order the settings list them.
    public var optimizerHypers: [Hyper] {
        switch spec.optimizer {
        case .sgd: return []
        case .momentum, .nesterov: return [.momentum]
        case .rmsprop: return [.rho, .eps]
        case .adam: return [.beta1, .beta2, .eps]
        case .adamw: return [.beta1, .beta2, .eps, .weightDecay]
        }
    }

    /// The paragraph that explains the optimizer's state symbols and why they are computed as
    /// they are, LaTeX in `$...$`; nil for SGD, which has no state.
    public var optimizerExplanation: String? {
        let previous = " The superscript $(t-1)$ marks the value after the previous step; every state is 0 before step 1, and $t$ is the step number, counted from 1."
        let each = " Each weight\(spec.bias && spec.updateBiases ? " and each trained bias" : "") has its own state, computed element by element."
        switch spec.optimizer {
        case .sgd:
            return nil
        case .momentum:
            return "$\\mathrm{vel}_{w}$ is the weight's velocity: each step shrinks it by the momentum $\\mu$ and adds the new gradient, so it is a sum of the past gradients in which older ones count less. Where the gradients keep their sign the steps build up speed (up to $1 / (1 - \\mu)$ times a plain step); where they flip sign they cancel out. At $t = 1$ the velocity is the gradient itself, so the first step is plain gradient descent." + each + previous
        case .nesterov:
            return "$\\mathrm{vel}_{w}$ is the weight's velocity, as in momentum: each step shrinks it by $\\mu$ and adds the new gradient. Nesterov's update looks one step ahead: it moves by the gradient plus $\\mu$ times the new velocity (PyTorch's form), so at $t = 1$, where the velocity is the gradient itself, the first step is $(1 + \\mu)$ times a plain one." + each + previous
        case .rmsprop:
            return "$\\mathrm{sq}_{w}$ is a running average of the weight's squared gradient, each step keeping the fraction $\\rho$ of it. Dividing the gradient by $\\sqrt{\\mathrm{sq}_{w}}$ gives every weight a step size of its own: larger where the gradients have been small, smaller where they have been large; $\\epsilon$ (outside the root) keeps the division finite. The average starts at 0, so at $t = 1$ it is $(1 - \\rho) \\cdot g^{2}$ and the first step moves each weight by about $\\eta / \\sqrt{1 - \\rho}$ against the sign of its gradient $g$." + each + previous
        case .adam, .adamw:
            var s = "$m_{w}$ (the first moment) is a running average of the weight's gradient and $v_{w}$ (the second moment) one of its squared gradient, keeping the fractions $\\beta_1$ and $\\beta_2$ each step. Both start at 0, so early on they are biased towards 0: at $t = 1$, $m_{w}$ is only $(1 - \\beta_1)$ times the gradient. The bias correction divides by $1 - \\beta^{t}$, the total weight the average has given its terms so far, which undoes that and fades as $t$ grows: $\\hat{m}_{w}$ and $\\hat{v}_{w}$ are the corrected averages. At $t = 1$, $\\hat{m}_{w} = g$ and $\\hat{v}_{w} = g^{2}$, so the first step moves each weight by $\\eta \\cdot g / (|g| + \\epsilon)$: about $\\eta$, against the sign of its gradient $g$, whatever the gradient's size. Later, dividing by $\\sqrt{\\hat{v}_{w}}$ keeps the steps near $\\eta$ where the gradient is steady and smaller where it flips sign; $\\epsilon$ keeps the division finite."
            if case .adamw(_, _, _, _, let decayBiases) = spec.optimizer {
                s += " AdamW also shrinks the weight itself by the fraction $\\eta \\cdot w_d$ before the Adam step (decoupled weight decay: the decay is not part of the gradient, so it does not enter $m$ and $v$); biases are \(decayBiases ? "" : "not ")decayed (`decay_biases` is \(decayBiases))."
            }
            return s + each + previous
        }
    }
}
