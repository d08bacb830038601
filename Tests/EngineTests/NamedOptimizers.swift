@testable import Engine

extension Optimizer {
    /// The tests' shorthand for an optimizer with its rule's Keras defaults (the names the file
    /// format accepts are Spec's; the Runner binds them). AdamW is Adam with decoupled weight
    /// decay 0.004, Keras's default.
    static func named(_ name: String, learningRate: LearningRate? = nil) -> Optimizer? {
        switch name {
        case "sgd": Optimizer.keras(rule: SGD.keras(), learningRate: learningRate)
        case "adam": Optimizer.keras(rule: Adam.keras(), learningRate: learningRate)
        case "adamw": Optimizer.keras(rule: Adam.keras(), learningRate: learningRate, weightDecay: 0.004)
        case "nadam": Optimizer.keras(rule: Nadam.keras(), learningRate: learningRate)
        case "rmsprop": Optimizer.keras(rule: RMSprop.keras(), learningRate: learningRate)
        case "adagrad": Optimizer.keras(rule: Adagrad.keras(), learningRate: learningRate)
        default: nil
        }
    }
}
