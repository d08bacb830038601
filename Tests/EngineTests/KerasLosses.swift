@testable import Engine

extension Loss {
    /// The tests' shorthand for a loss with Keras's default options unless given, named as
    /// Keras names it. The Engine declares neither (the runner binds the catalog's names and
    /// defaults, `Binding.loss`).
    static func keras(_ kind: Kind, fromLogits: Bool = false, labelSmoothing: Float = 0, delta: Float = 1) -> Loss {
        switch kind {
        case .meanSquaredError: .meanSquaredError(name: "mean_squared_error")
        case .meanAbsoluteError: .meanAbsoluteError(name: "mean_absolute_error")
        case .huber: .huber(name: "huber", delta: delta)
        case .binaryCrossentropy: .binaryCrossentropy(name: "binary_crossentropy", fromLogits: fromLogits, labelSmoothing: labelSmoothing)
        case .categoricalCrossentropy:
            .categoricalCrossentropy(name: "categorical_crossentropy", fromLogits: fromLogits, labelSmoothing: labelSmoothing)
        case .sparseCategoricalCrossentropy: .sparseCategoricalCrossentropy(name: "sparse_categorical_crossentropy", fromLogits: fromLogits)
        }
    }
}

extension Metric {
    /// The tests' shorthand for Keras's `"accuracy"`.
    static let accuracy = Metric(name: "accuracy", kind: .accuracy)
}
