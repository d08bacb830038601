// The names the file format gives things, each declared once, as the raw value of a case. The
// tables (Tables.swift) give each case its arguments, defaults and doc; the typed
// configuration (Experiment.swift) hands the runner these cases, never the strings, so the
// runner's switches over them are exhaustive and a name added here must be bound there.

/// A Keras layer class.
public enum LayerKind: String, Sendable, Hashable, CaseIterable {
    case dense = "Dense"
    case conv2D = "Conv2D"
    case maxPooling2D = "MaxPooling2D"
    case averagePooling2D = "AveragePooling2D"
    case globalAveragePooling2D = "GlobalAveragePooling2D"
    case flatten = "Flatten"
    case reshape = "Reshape"
    case dropout = "Dropout"
    case batchNormalization = "BatchNormalization"
    case activation = "Activation"
}

/// A Keras loss, by its canonical string name (`mse` and `mae` are aliases in the table).
public enum LossKind: String, Sendable, Hashable, CaseIterable {
    case meanSquaredError = "mean_squared_error"
    case meanAbsoluteError = "mean_absolute_error"
    case huber
    case binaryCrossentropy = "binary_crossentropy"
    case categoricalCrossentropy = "categorical_crossentropy"
    case sparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
}

/// A metric of `compile.metrics` (and a `search.scoring`), by its canonical name;
/// `mean_squared_error` and `mean_absolute_error` are aliases in the table.
public enum MetricKind: String, Sendable, Hashable, CaseIterable {
    case accuracy, mse, mae, rmse, r2
}

/// A Keras optimizer, by its string name.
public enum OptimizerKind: String, Sendable, Hashable, CaseIterable {
    case sgd, adam, adamw, nadam, rmsprop, adagrad
}

/// A Keras learning-rate schedule (`learning_rate: {name: ..., ...}`).
public enum ScheduleKind: String, Sendable, Hashable, CaseIterable {
    case exponentialDecay = "exponential_decay"
    case cosineDecay = "cosine_decay"
}

/// A Keras callback class.
public enum CallbackKind: String, Sendable, Hashable, CaseIterable {
    case earlyStopping = "EarlyStopping"
    case reduceLROnPlateau = "ReduceLROnPlateau"
}

/// `padding` of Conv2D and the pooling layers.
public enum PaddingKind: String, Sendable, Hashable, CaseIterable {
    case valid, same
}

/// `mode` of the callbacks that watch a quantity: whether it should fall or rise.
public enum MonitorModeKind: String, Sendable, Hashable, CaseIterable {
    case auto, min, max
}

/// Where the data comes from (`data.source`).
public enum DataSourceKind: String, Sendable, Hashable, CaseIterable {
    case fashionMNIST = "fashion_mnist"
    case mnist, idx, diabetes, csv, npy, linear, logic, function2d, blobs, moons, spirals, random, stellar
}

/// `data.task`: what the target is, when its type does not say.
public enum TaskKind: String, Sendable, Hashable, CaseIterable {
    case classification, regression
}

/// `data.preprocess`: how features are scaled, with statistics from the training data.
public enum PreprocessMethod: String, Sendable, Hashable, CaseIterable {
    case none, scale, standardize, minmax
}

/// The functions of the `function2d` source.
public enum Function2DKind: String, Sendable, Hashable, CaseIterable {
    case gaussianAbs = "gaussian_abs"
    case sinCos = "sin_cos"
    case saddle, ripple
}

/// What the `stellar` source predicts.
public enum StellarQuantityKind: String, Sendable, Hashable, CaseIterable {
    case logLuminosity = "log_luminosity"
    case logRadius = "log_radius"
    case logMSLifetime = "log_ms_lifetime"
    case all
}

extension CatalogEntry {
    /// The case a table entry describes: every entry of a kind's table is one of its cases
    /// (`KindTests` checks each table against its enum).
    func kind<K: RawRepresentable>(_: K.Type = K.self) -> K where K.RawValue == String {
        guard let k = K(rawValue: name) else { preconditionFailure("the table entry \(name) has no \(K.self) case") }
        return k
    }
}

/// A Keras activation, by its string name (`silu` is Keras's other name for `swish`).
public enum ActivationKind: String, Sendable, Hashable, CaseIterable {
    case linear, relu
    case leakyRelu = "leaky_relu"
    case elu, selu, gelu, swish, silu, sigmoid
    case hardSigmoid = "hard_sigmoid"
    case tanh, softplus, softsign, softmax, binary
}

/// A Keras initializer, by its string name.
public enum InitializerKind: String, Sendable, Hashable, CaseIterable {
    case glorotUniform = "glorot_uniform"
    case glorotNormal = "glorot_normal"
    case heNormal = "he_normal"
    case heUniform = "he_uniform"
    case lecunNormal = "lecun_normal"
    case lecunUniform = "lecun_uniform"
    case zeros, ones
    case randomUniform = "random_uniform"
    case randomNormal = "random_normal"
}
