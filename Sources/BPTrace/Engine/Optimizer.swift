/// The update of one parameter (W(l) or b(l)) from its gradient: the piece of the step that
/// differs between optimizers. The trainer calls it once per trained parameter per step, layer
/// L first, W before b; an optimizer keeps whatever state it needs per parameter (momentum's
/// velocity, Adam's moments) keyed by the parameter's `QuantityRef`.
public protocol Optimizer: Sendable {
    /// The parameter's new value, and the quantities the update traces besides it (keyed by
    /// block; each must be a quantity of the catalogue so the trace carries it). SGD traces none.
    mutating func update(parameter: QuantityRef, value: Matrix, gradient: Matrix) -> OptimizerStep
}

/// What one call of `Optimizer.update` returns.
public struct OptimizerStep: Sendable {
    public let newValue: Matrix
    public let traced: [QuantityRef: Matrix]
    public init(newValue: Matrix, traced: [QuantityRef: Matrix] = [:]) { self.newValue = newValue; self.traced = traced }
}

/// Plain gradient descent, the contract's update: new = value − η·gradient. No state.
public struct SGD: Optimizer {
    public let learningRate: Double
    public init(learningRate: Double) { self.learningRate = learningRate }

    public mutating func update(parameter: QuantityRef, value: Matrix, gradient: Matrix) -> OptimizerStep {
        OptimizerStep(newValue: value.zipWith(gradient) { $0 - learningRate * $1 })   // W_new = W - eta·grad_W
    }
}
