/// The 12 stages of one training step, after the 12 screenshots of the classic
/// "neural network in Excel" tutorial. Deeper nets repeat stages 3–4 and 9–10 per hidden layer.
public enum Stage: Int, CaseIterable, Sendable, Comparable {
    case readInputs = 1, weightsAndBiases, hiddenInput, hiddenActivation, output, error,
         slopes, outputDelta, hiddenError, hiddenDelta, updateWeights, updateBiases

    /// A short title, fit for a sheet name ("1.3 Hidden input").
    public var title: String {
        switch self {
        case .readInputs: return "Read inputs"
        case .weightsAndBiases: return "Weights and biases"
        case .hiddenInput: return "Hidden input"
        case .hiddenActivation: return "Hidden activation"
        case .output: return "Output"
        case .error: return "Error"
        case .slopes: return "Slopes"
        case .outputDelta: return "Output delta"
        case .hiddenError: return "Error at hidden"
        case .hiddenDelta: return "Hidden delta"
        case .updateWeights: return "Update weights"
        case .updateBiases: return "Update biases"
        }
    }

    public static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
}
