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

// Layers, callbacks and fit with Keras's defaults unless given (`kernelSize` and `poolSize` may
// be one number, Keras's square shorthand).

extension Dense {
    static func keras(units: Int, activation: Activation = .linear, useBias: Bool = true,
                      kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                      kernelL1: Float = 0, kernelL2: Float = 0, name: String? = nil) -> Dense {
        let d = Dense(units: units, activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                      biasInitializer: biasInitializer, kernelL1: kernelL1, kernelL2: kernelL2)
        if let name { d.name = name }
        return d
    }
}

extension Conv2D {
    static func keras(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                      activation: Activation = .linear, useBias: Bool = true,
                      kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                      kernelL1: Float = 0, kernelL2: Float = 0, name: String? = nil) -> Conv2D {
        let c = Conv2D(filters: filters, kernelSize: kernelSize, strides: strides, padding: padding, activation: activation,
                       useBias: useBias, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
                       kernelL1: kernelL1, kernelL2: kernelL2)
        if let name { c.name = name }
        return c
    }

    static func keras(filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                      activation: Activation = .linear, useBias: Bool = true,
                      kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                      kernelL1: Float = 0, kernelL2: Float = 0, name: String? = nil) -> Conv2D {
        keras(filters: filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
              activation: activation, useBias: useBias, kernelInitializer: kernelInitializer, biasInitializer: biasInitializer,
              kernelL1: kernelL1, kernelL2: kernelL2, name: name)
    }
}

extension MaxPooling2D {
    static func keras(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) -> MaxPooling2D {
        MaxPooling2D(poolSize: poolSize, strides: strides, padding: padding)
    }

    static func keras(poolSize: Int, strides: Int? = nil, padding: Padding = .valid) -> MaxPooling2D {
        MaxPooling2D(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding)
    }
}

extension AveragePooling2D {
    static func keras(poolSize: (Int, Int), strides: (Int, Int)? = nil, padding: Padding = .valid) -> AveragePooling2D {
        AveragePooling2D(poolSize: poolSize, strides: strides, padding: padding)
    }

    static func keras(poolSize: Int, strides: Int? = nil, padding: Padding = .valid) -> AveragePooling2D {
        AveragePooling2D(poolSize: (poolSize, poolSize), strides: strides.map { ($0, $0) }, padding: padding)
    }
}

extension EarlyStopping {
    static func keras(monitor: String = "val_loss", minDelta: Double = 0, patience: Int = 0, mode: MonitorMode = .auto,
                      baseline: Double? = nil, restoreBestWeights: Bool = false, startFromEpoch: Int = 0) -> EarlyStopping {
        EarlyStopping(monitor: monitor, minDelta: minDelta, patience: patience, mode: mode, baseline: baseline,
                      restoreBestWeights: restoreBestWeights, startFromEpoch: startFromEpoch)
    }
}

extension ReduceLROnPlateau {
    static func keras(monitor: String = "val_loss", factor: Float = 0.1, patience: Int = 10, mode: MonitorMode = .auto,
                      minDelta: Double = 1e-4, cooldown: Int = 0, minLR: Float = 0) -> ReduceLROnPlateau {
        ReduceLROnPlateau(monitor: monitor, factor: factor, patience: patience, mode: mode, minDelta: minDelta,
                          cooldown: cooldown, minLR: minLR)
    }
}

extension FitConfig {
    /// Keras's `fit` defaults (1 epoch, batches of 32, shuffled), seed 0, unless given.
    static func keras(loss: Loss, optimizer: Optimizer, metrics: [Metric] = [], epochs: Int = 1, batchSize: Int = 32,
                      shuffle: Bool = true, seed: UInt64 = 0, callbacks: [Callback] = [],
                      onBatch: ((BatchProgress) -> Void)? = nil, onEpoch: ((EpochProgress) -> Void)? = nil,
                      shouldStop: @escaping () -> Bool = { false }) -> FitConfig {
        FitConfig(loss: loss, optimizer: optimizer, metrics: metrics, epochs: epochs, batchSize: batchSize, shuffle: shuffle,
                  seed: seed, callbacks: callbacks, onBatch: onBatch, onEpoch: onEpoch, shouldStop: shouldStop)
    }
}
