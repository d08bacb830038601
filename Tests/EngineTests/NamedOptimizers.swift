@testable import Engine

extension Optimizer {
    /// The tests' shorthand for an optimizer with its rule's Keras defaults (the names the file
    /// format accepts are Spec's; the Runner binds them). AdamW is Adam with decoupled weight
    /// decay 0.004, Keras's default.
    static func named(_ name: String, learningRate: LearningRate? = nil) -> Optimizer? {
        switch name {
        case "sgd": Optimizer(rule: SGD(), learningRate: learningRate)
        case "adam": Optimizer(rule: Adam(), learningRate: learningRate)
        case "adamw": Optimizer(rule: Adam(), learningRate: learningRate, weightDecay: 0.004)
        case "nadam": Optimizer(rule: Nadam(), learningRate: learningRate)
        case "rmsprop": Optimizer(rule: RMSprop(), learningRate: learningRate)
        case "adagrad": Optimizer(rule: Adagrad(), learningRate: learningRate)
        default: nil
        }
    }
}
