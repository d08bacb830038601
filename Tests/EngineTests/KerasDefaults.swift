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

// The tests' shorthands for the update rules and the optimizer with Keras's defaults unless
// given (the Engine takes every argument; the runner binds the catalog's defaults).

extension SGD {
    static func keras(momentum: Float = 0, nesterov: Bool = false) -> SGD { SGD(momentum: momentum, nesterov: nesterov) }
}

extension Adam {
    static func keras(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, amsgrad: Bool = false) -> Adam {
        Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad)
    }
}

extension Nadam {
    static func keras(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) -> Nadam {
        Nadam(beta1: beta1, beta2: beta2, epsilon: epsilon)
    }
}

extension RMSprop {
    static func keras(rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7, centered: Bool = false) -> RMSprop {
        RMSprop(rho: rho, momentum: momentum, epsilon: epsilon, centered: centered)
    }
}

extension Adagrad {
    static func keras(initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7) -> Adagrad {
        Adagrad(initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon)
    }
}

extension GradientClipping {
    static func keras(clipnorm: Float? = nil, clipvalue: Float? = nil, globalClipnorm: Float? = nil) -> GradientClipping {
        GradientClipping(clipnorm: clipnorm, clipvalue: clipvalue, globalClipnorm: globalClipnorm)
    }
}

extension Optimizer {
    /// Keras's default learning rate (0.01 for SGD, 0.001 for the others), no clipping and no
    /// weight decay, unless given.
    static func keras(rule: UpdateRule, learningRate: LearningRate? = nil, clipping: GradientClipping = .keras(),
                      weightDecay: Float = 0) -> Optimizer {
        Optimizer(rule: rule, learningRate: learningRate ?? .constant(rule is SGD ? 0.01 : 0.001), clipping: clipping,
                  weightDecay: weightDecay)
    }
}
