/// The words each loss and output activation is explained in, declared once beside the
/// catalogue's formulas, so the handout (and later the explorer page) print them without
/// branching on the loss or the activation. LaTeX symbols are the handout's ($B$, $s_y$, ...).
extension Catalogue {
    private var outputActivation: Activation { spec.activations[spec.depth - 1] }

    /// What the loss is called: "half the sum of squared errors", "cross-entropy of the softmax output".
    public var lossTitle: String {
        switch spec.loss {
        case .halfSSE: return "half the sum of squared errors"
        case .mse: return "the mean squared error"
        case .sum: return "the sum of the outputs (the targets are ignored)"
        case .hinge: return "the multiclass SVM (hinge) loss with margin 1"
        case .crossEntropy:
            return outputActivation.isElementwise ? "cross-entropy of the \(outputActivation.rawValue) outputs" : "cross-entropy of the \(outputActivation.rawValue) output"
        }
    }

    /// The symbols of the loss's formula that need a word beyond the targets and outputs
    /// (empty, or text starting with ", ").
    public var lossSymbols: String {
        let L = spec.depth
        switch spec.loss {
        case .halfSSE, .sum: return ""
        case .mse: return ", $B$ the batch size and $n_{\(L)}$ the number of outputs"
        case .hinge:
            return ", $B$ the batch size; $\\sum_{k} y_{r,k} \\cdot a^{(\(L))}_{r,k}$ is $s_y$, the score of the sample's own class (its target row is one-hot), and that class adds 0"
        case .crossEntropy: return ", $B$ the batch size (a term whose factor is 0 counts 0)"
        }
    }

    /// The paragraph that introduces the total error of a step of `B` samples; `term` is the
    /// general cross-entropy term in LaTeX, when the handout has one.
    public func lossExplanation(batchSize B: Int, term: String?) -> String {
        let nL = spec.layers[spec.depth]
        switch spec.loss {
        case .halfSSE:
            return "The error of each output is half its squared difference from the target (the squared error function); the total error is their sum\(B > 1 ? " over the outputs and the samples" : "")."
        case .mse:
            return "The mean squared error: each output's squared difference from its target, divided by the number of terms (\(B) sample\(B > 1 ? "s" : "") × \(nL) outputs = \(B * nL)); the total error is their sum."
        case .sum:
            return "The loss is the sum of the outputs (the targets are ignored): the gradients are those of the network's output itself."
        case .hinge:
            return "The multiclass SVM (hinge) loss: the outputs are class scores, and each class other than the sample's own (its target's 1) whose score comes within 1 of the target class's score $s_y$ adds $\\max(0, a - s_y + 1)$; the total is divided by the batch size $B = \(B)$. Its gradient counts the violated margins: +1 for each such class, minus their number for the sample's class (a margin of exactly 0 counts as not violated)."
        case .crossEntropy:
            return "The cross-entropy of a \(outputActivation.rawValue) output: each output contributes \(term.map { "$\($0)$" } ?? "its term"), $B = \(B)$ being the batch size (a term whose factor is 0 counts 0)."
        }
    }
}
