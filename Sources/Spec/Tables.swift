// The argument tables: every layer, optimizer, loss, activation, initializer, regularizer,
// callback, schedule, distribution and data source, described once. Validation, did-you-mean,
// defaults and docs/format.md all read from here. YAML keys are Keras snake_case; the mapping
// to Swift names happens only in this module.

/// What kind of value an argument takes.
public enum ArgType: Sendable, Hashable {
    case int
    case number
    case bool
    case string
    /// One of a fixed list of words.
    case oneOf([String])
    case activation
    case initializer
    case regularizer
    /// An integer or a `[height, width]` pair of integers.
    case intOrPair
    /// A non-empty list of positive integers.
    case shape
    case numberList
    case stringList
    /// A number or a schedule mapping such as `{exponential_decay: {...}}`.
    case learningRate
    /// A truth table (rows of numbers, inputs then output) or the name `xor`, `and`, `or`.
    case table
    /// A `[low, high]` pair of numbers with low < high.
    case interval
    /// A non-empty list of equally long, non-empty rows of numbers (inputs to predict).
    case rows
    /// A positive integer or one of a few words (`min_resources: smallest`).
    case countOrWord([String])
    /// A section or list with its own rules (layers, callbacks, space...).
    case structure(String)

    /// The type in words, for messages and docs.
    public var text: String {
        switch self {
        case .int: return "an integer"
        case .number: return "a number"
        case .bool: return "true or false"
        case .string: return "a string"
        case .oneOf(let words): return "one of " + words.joined(separator: ", ")
        case .activation: return "an activation name"
        case .initializer: return "an initializer name or mapping"
        case .regularizer: return "l1, l2, l1_l2 or a mapping like {l2: 0.01}"
        case .intOrPair: return "an integer or [height, width]"
        case .shape: return "a list of positive integers"
        case .numberList: return "a list of numbers"
        case .stringList: return "a list of strings"
        case .learningRate: return "a number or a schedule mapping"
        case .table: return "a truth table (rows of numbers) or xor, and, or"
        case .rows: return "a list of rows of numbers"
        case .interval: return "[low, high] with low < high"
        case .countOrWord(let words): return "an integer > 0 or " + words.joined(separator: ", ")
        case .structure(let s): return s
        }
    }
}

/// An allowed interval for a number, with its text for messages (e.g. "> 0", "in [0, 1)").
public struct ValueRange: Sendable, Hashable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool

    public func contains(_ x: Double) -> Bool {
        if x.isNaN { return false }
        if let l = lower, lowerInclusive ? x < l : x <= l { return false }
        if let u = upper, upperInclusive ? x > u : x >= u { return false }
        return true
    }

    public var text: String {
        func f(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        switch (lower, upper) {
        case (let l?, let u?): return "in \(lowerInclusive ? "[" : "(")\(f(l)), \(f(u))\(upperInclusive ? "]" : ")")"
        case (let l?, nil): return (lowerInclusive ? ">= " : "> ") + f(l)
        case (nil, let u?): return (upperInclusive ? "<= " : "< ") + f(u)
        case (nil, nil): return "any"
        }
    }

    public static let positive = ValueRange(lower: 0, lowerInclusive: false, upper: nil, upperInclusive: false)
    public static let nonNegative = ValueRange(lower: 0, lowerInclusive: true, upper: nil, upperInclusive: false)
    /// [0, 1): a dropout rate, a validation split, a momentum.
    public static let unitHalfOpen = ValueRange(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: false)
    /// (0, 1): a fraction that must leave something on both sides.
    public static let unitOpen = ValueRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
    public static let unitClosed = ValueRange(lower: 0, lowerInclusive: true, upper: 1, upperInclusive: true)
    /// (0, 2²⁴]: a window or stride, a batch: anything larger cannot be allocated, so it is
    /// refused where the file says it. (Units and filters are only positive: what the model
    /// needs is checked against the machine's memory by the runner, with its estimate.)
    public static let size = ValueRange(lower: 0, lowerInclusive: false, upper: Double(1 << 24), upperInclusive: true)
    /// (0, 10⁶]: synthetic samples (a run holds each) and halving's candidates. (Trials are only
    /// positive: they are proposed one at a time, and what a run holds for each is checked
    /// against the machine's memory by the runner, with its estimate.)
    public static let count = ValueRange(lower: 0, lowerInclusive: false, upper: 1_000_000, upperInclusive: true)
    public static func atLeast(_ x: Double) -> ValueRange { ValueRange(lower: x, lowerInclusive: true, upper: nil, upperInclusive: false) }
}

/// One argument or key: Keras name, type, Keras default (nil = required; `.null` = none),
/// allowed range and a one-line doc.
public struct ArgSpec: Sendable, Hashable {
    public var name: String
    public var type: ArgType
    public var defaultValue: Value?
    public var range: ValueRange?
    public var doc: String

    public var isRequired: Bool { defaultValue == nil }

    init(_ name: String, _ type: ArgType, _ defaultValue: Value?, _ range: ValueRange? = nil, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.range = range
        self.doc = doc
    }
}

/// A named thing with arguments: a layer, an optimizer, a loss, a callback...
public struct CatalogEntry: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var args: [ArgSpec]
    public var doc: String

    init(_ name: String, aliases: [String] = [], _ args: [ArgSpec], _ doc: String) {
        self.name = name
        self.aliases = aliases
        self.args = args
        self.doc = doc
    }

    /// The entry of a case of a kind (Kinds.swift): its name is the case's raw value.
    init<K: RawRepresentable>(_ kind: K, aliases: [String] = [], _ args: [ArgSpec], _ doc: String) where K.RawValue == String {
        self.init(kind.rawValue, aliases: aliases, args, doc)
    }

    public func arg(_ name: String) -> ArgSpec? { args.first { $0.name == name } }
}

/// A data source: the `data` keys it reads and the ones it requires.
public struct DataSourceEntry: Sendable, Hashable {
    public var kind: DataSourceKind
    public var name: String { kind.rawValue }
    public var keys: [String]
    public var required: [String]
    public var hasTestSplit: Bool
    public var doc: String
}

/// The tables. Everything the format accepts by name is listed here.
public enum Catalog {
    static let activationDefault = Value.string(ActivationKind.linear.rawValue)

    private static func initializerArg(_ name: String, _ def: InitializerKind, _ doc: String) -> ArgSpec {
        ArgSpec(name, .initializer, .string(def.rawValue), nil, doc)
    }

    private static let dense2DCommon: [ArgSpec] = [
        ArgSpec("activation", .activation, activationDefault, nil, "activation applied to the output"),
        ArgSpec("use_bias", .bool, .bool(true), nil, "whether the layer adds a bias vector"),
        initializerArg("kernel_initializer", .glorotUniform, "initializer of the kernel weights"),
        initializerArg("bias_initializer", .zeros, "initializer of the bias"),
        ArgSpec("kernel_regularizer", .regularizer, .null, nil, "penalty on the kernel added to the loss"),
        ArgSpec("bias_regularizer", .regularizer, .null, nil, "penalty on the bias added to the loss"),
    ]

    private static let padding = ArgSpec("padding", .oneOf(PaddingKind.allCases.map(\.rawValue)), .string(PaddingKind.valid.rawValue), nil,
                                         "valid: no padding; same: pad so the output is ceil(input / stride)")

    /// Keras layers, by their Keras class names.
    public static let layers: [CatalogEntry] = [
        CatalogEntry(LayerKind.dense, [ArgSpec("units", .int, nil, .positive, "number of output units")] + dense2DCommon,
              "fully connected layer: activation(x · kernel + bias)"),
        CatalogEntry(LayerKind.conv2D, [
            ArgSpec("filters", .int, nil, .positive, "number of output channels"),
            ArgSpec("kernel_size", .intOrPair, nil, .size, "height and width of the convolution window"),
            ArgSpec("strides", .intOrPair, .int(1), .size, "step of the window"),
            padding,
        ] + dense2DCommon, "2-D convolution over NHWC images, kernel (h, w, in, out)"),
        CatalogEntry(LayerKind.maxPooling2D, [
            ArgSpec("pool_size", .intOrPair, .int(2), .size, "window size"),
            ArgSpec("strides", .intOrPair, .null, .size, "step of the window; defaults to pool_size"),
            padding,
        ], "maximum over each window"),
        CatalogEntry(LayerKind.averagePooling2D, [
            ArgSpec("pool_size", .intOrPair, nil, .size, "window size (required in Keras 3)"),
            ArgSpec("strides", .intOrPair, .null, .size, "step of the window; defaults to pool_size"),
            padding,
        ], "mean over each window (same padding averages real cells only)"),
        CatalogEntry(LayerKind.globalAveragePooling2D, [], "mean over height and width: (N, H, W, C) to (N, C)"),
        CatalogEntry(LayerKind.flatten, [], "reshape to (N, features)"),
        CatalogEntry(LayerKind.reshape, [ArgSpec("target_shape", .shape, nil, nil, "output shape without the batch dimension")],
              "reshape to a fixed shape"),
        CatalogEntry(LayerKind.dropout, [ArgSpec("rate", .number, nil, .unitHalfOpen, "fraction of inputs set to 0 while training")],
              "random zeroing while training, scaled by 1 / (1 - rate)"),
        CatalogEntry(LayerKind.batchNormalization, [
            ArgSpec("momentum", .number, .double(0.99), .unitHalfOpen, "weight of the old moving statistics"),
            ArgSpec("epsilon", .number, .double(0.001), .positive, "added to the variance"),
            ArgSpec("center", .bool, .bool(true), nil, "learn an offset beta"),
            ArgSpec("scale", .bool, .bool(true), nil, "learn a scale gamma"),
        ], "normalize by batch statistics while training, moving ones otherwise"),
        CatalogEntry(LayerKind.activation, [ArgSpec("activation", .activation, nil, nil, "the activation to apply")],
              "applies an activation"),
    ]

    /// Activation names (Keras's `keras.activations`).
    public static let activations: [CatalogEntry] = [
        CatalogEntry(ActivationKind.linear, [], "identity"),
        CatalogEntry(ActivationKind.relu, [], "max(x, 0)"),
        CatalogEntry(ActivationKind.leakyRelu, [], "x if x > 0 else 0.2x (the Keras activation's slope)"),
        CatalogEntry(ActivationKind.elu, [], "x if x > 0 else exp(x) - 1"),
        CatalogEntry(ActivationKind.selu, [], "scaled elu (Klambauer et al., 2017)"),
        CatalogEntry(ActivationKind.gelu, [], "x · Φ(x), exact erf form"),
        CatalogEntry(ActivationKind.swish, [], "x · sigmoid(x)"),
        CatalogEntry(ActivationKind.silu, [], "x · sigmoid(x) (same as swish)"),
        CatalogEntry(ActivationKind.sigmoid, [], "1 / (1 + exp(-x))"),
        CatalogEntry(ActivationKind.hardSigmoid, [], "relu6(x + 3) / 6"),
        CatalogEntry(ActivationKind.tanh, [], "hyperbolic tangent"),
        CatalogEntry(ActivationKind.softplus, [], "log(1 + exp(x))"),
        CatalogEntry(ActivationKind.softsign, [], "x / (1 + |x|)"),
        CatalogEntry(ActivationKind.softmax, [], "exp(x) / sum(exp(x)) over the last axis"),
        CatalogEntry(ActivationKind.binary, [], "step: 1 if x > 0 else 0 (zero gradient; for perceptrons)"),
    ]

    /// The constants of the activations that have one, which the file cannot set: Keras's
    /// activation functions' defaults (`keras.activations.leaky_relu(negative_slope=0.2)`,
    /// `elu(alpha=1.0)`; the `LeakyReLU` layer's 0.3 is another thing).
    public static let leakyReluSlope = 0.2
    public static let eluAlpha = 1.0

    /// Initializers; a bare name uses the defaults, a mapping `{name: ..., arg: ...}` sets them.
    public static let initializers: [CatalogEntry] = [
        CatalogEntry(InitializerKind.glorotUniform, [], "uniform in ±sqrt(6 / (fan_in + fan_out))"),
        CatalogEntry(InitializerKind.glorotNormal, [], "truncated normal, stddev sqrt(2 / (fan_in + fan_out))"),
        CatalogEntry(InitializerKind.heNormal, [], "truncated normal, stddev sqrt(2 / fan_in)"),
        CatalogEntry(InitializerKind.heUniform, [], "uniform in ±sqrt(6 / fan_in)"),
        CatalogEntry(InitializerKind.lecunNormal, [], "truncated normal, stddev sqrt(1 / fan_in)"),
        CatalogEntry(InitializerKind.lecunUniform, [], "uniform in ±sqrt(3 / fan_in)"),
        CatalogEntry(InitializerKind.zeros, [], "all 0"),
        CatalogEntry(InitializerKind.ones, [], "all 1"),
        CatalogEntry(InitializerKind.randomUniform, [
            ArgSpec("minval", .number, .double(-0.05), nil, "lower bound"),
            ArgSpec("maxval", .number, .double(0.05), nil, "upper bound"),
        ], "uniform in [minval, maxval)"),
        CatalogEntry(InitializerKind.randomNormal, [
            ArgSpec("mean", .number, .double(0.0), nil, "mean"),
            ArgSpec("stddev", .number, .double(0.05), .positive, "standard deviation"),
        ], "normal(mean, stddev)"),
    ]

    /// The factors of a regularizer, as a mapping `{l1: a, l2: b}` gives them (one left out is 0).
    static let regularizerFactors: [ArgSpec] = [
        ArgSpec("l1", .number, .double(0.01), .nonNegative, "factor of sum |w|"),
        ArgSpec("l2", .number, .double(0.01), .nonNegative, "factor of sum w²"),
    ]

    /// Regularizers; a bare name uses factor 0.01, a mapping `{l1: a, l2: b}` sets the factors.
    public static let regularizers: [CatalogEntry] = [
        CatalogEntry("l1", [regularizerFactors[0]], "l1 · sum |w|"),
        CatalogEntry("l2", [regularizerFactors[1]], "l2 · sum w²"),
        CatalogEntry("l1_l2", regularizerFactors, "both penalties"),
    ]

    private static let optimizerCommon: [ArgSpec] = [
        ArgSpec("weight_decay", .number, .null, .nonNegative, "decoupled weight decay (none by default)"),
        ArgSpec("clipnorm", .number, .null, .positive, "clip each variable's gradient to this norm"),
        ArgSpec("clipvalue", .number, .null, .positive, "clip each gradient element to ±clipvalue"),
    ]

    private static func lr(_ d: Double) -> ArgSpec {
        ArgSpec("learning_rate", .learningRate, .double(d), .positive, "step size, or a schedule")
    }

    private static let betas: [ArgSpec] = [
        ArgSpec("beta_1", .number, .double(0.9), .unitHalfOpen, "decay of the first moment"),
        ArgSpec("beta_2", .number, .double(0.999), .unitHalfOpen, "decay of the second moment"),
        ArgSpec("epsilon", .number, .double(1e-7), .positive, "added to sqrt(v) (Keras's epsilon-hat form)"),
    ]

    /// Optimizers, by Keras's string names, with Keras 3 defaults.
    public static let optimizers: [CatalogEntry] = [
        CatalogEntry(OptimizerKind.sgd, [lr(0.01),
                      ArgSpec("momentum", .number, .double(0.0), .unitHalfOpen, "velocity decay"),
                      ArgSpec("nesterov", .bool, .bool(false), nil, "Nesterov momentum")] + optimizerCommon,
              "stochastic gradient descent"),
        CatalogEntry(OptimizerKind.adam, [lr(0.001)] + betas + [ArgSpec("amsgrad", .bool, .bool(false), nil, "AMSGrad variant")] + optimizerCommon,
              "Adam (Kingma and Ba, 2014)"),
        CatalogEntry(OptimizerKind.adamw, [lr(0.001)] + betas + [ArgSpec("amsgrad", .bool, .bool(false), nil, "AMSGrad variant"),
                                              ArgSpec("weight_decay", .number, .double(0.004), .nonNegative, "decoupled weight decay"),
                                              optimizerCommon[1], optimizerCommon[2]],
              "Adam with decoupled weight decay (Loshchilov and Hutter, 2017)"),
        CatalogEntry(OptimizerKind.nadam, [lr(0.001)] + betas + optimizerCommon, "Adam with Nesterov momentum (Dozat, 2016)"),
        CatalogEntry(OptimizerKind.rmsprop, [lr(0.001),
                          ArgSpec("rho", .number, .double(0.9), .unitHalfOpen, "decay of the squared-gradient average"),
                          ArgSpec("momentum", .number, .double(0.0), .unitHalfOpen, "velocity decay"),
                          ArgSpec("epsilon", .number, .double(1e-7), .positive, "inside the square root"),
                          ArgSpec("centered", .bool, .bool(false), nil, "divide by the variance estimate")] + optimizerCommon,
              "RMSprop (Hinton); Keras's default optimizer"),
        CatalogEntry(OptimizerKind.adagrad, [lr(0.001),
                          ArgSpec("initial_accumulator_value", .number, .double(0.1), .nonNegative, "start of the accumulator"),
                          ArgSpec("epsilon", .number, .double(1e-7), .positive, "inside the square root")] + optimizerCommon,
              "Adagrad (Duchi et al., 2011)"),
    ]

    /// Learning-rate schedules, written `learning_rate: {exponential_decay: {...}}`.
    public static let schedules: [CatalogEntry] = [
        CatalogEntry(ScheduleKind.exponentialDecay, [
            ArgSpec("initial_learning_rate", .number, nil, .positive, "rate at step 0"),
            ArgSpec("decay_steps", .int, nil, .positive, "steps per decay period"),
            ArgSpec("decay_rate", .number, nil, .positive, "factor per period"),
            ArgSpec("staircase", .bool, .bool(false), nil, "decay in whole periods"),
        ], "initial · decay_rate^(step / decay_steps)"),
        CatalogEntry(ScheduleKind.cosineDecay, [
            ArgSpec("initial_learning_rate", .number, nil, .positive, "rate at step 0"),
            ArgSpec("decay_steps", .int, nil, .positive, "steps to decay over"),
            ArgSpec("alpha", .number, .double(0.0), .unitClosed, "final rate as a fraction of the initial one"),
        ], "cosine from initial to alpha · initial over decay_steps"),
    ]

    /// Losses, by Keras's string names; `mse` and `mae` are aliases.
    public static let losses: [CatalogEntry] = [
        CatalogEntry(LossKind.meanSquaredError, aliases: ["mse"], [], "mean of (y - ŷ)²"),
        CatalogEntry(LossKind.meanAbsoluteError, aliases: ["mae"], [], "mean of |y - ŷ|"),
        CatalogEntry(LossKind.huber, [ArgSpec("delta", .number, .double(1.0), .positive, "where the loss turns linear")], "Huber loss"),
        CatalogEntry(LossKind.binaryCrossentropy, [
            ArgSpec("from_logits", .bool, .bool(false), nil, "predictions are logits, not probabilities"),
            ArgSpec("label_smoothing", .number, .double(0.0), .unitClosed, "squeeze targets toward 0.5"),
        ], "for 0/1 targets and a sigmoid output"),
        CatalogEntry(LossKind.categoricalCrossentropy, [
            ArgSpec("from_logits", .bool, .bool(false), nil, "predictions are logits, not probabilities"),
            ArgSpec("label_smoothing", .number, .double(0.0), .unitClosed, "squeeze targets toward uniform"),
        ], "for one-hot targets and a softmax output"),
        CatalogEntry(LossKind.sparseCategoricalCrossentropy, [
            ArgSpec("from_logits", .bool, .bool(false), nil, "predictions are logits, not probabilities"),
        ], "for integer class targets and a softmax output"),
    ]

    /// Metrics reported per epoch and usable as `search.scoring`.
    public static let metrics: [CatalogEntry] = [
        CatalogEntry(MetricKind.accuracy, [], "share of correct predictions (higher is better)"),
        CatalogEntry(MetricKind.mse, aliases: ["mean_squared_error"], [], "mean squared error (lower is better)"),
        CatalogEntry(MetricKind.mae, aliases: ["mean_absolute_error"], [], "mean absolute error (lower is better)"),
        CatalogEntry(MetricKind.rmse, [], "root mean squared error (lower is better)"),
        CatalogEntry(MetricKind.r2, [], "coefficient of determination (higher is better)"),
    ]

    private static let monitor = ArgSpec("monitor", .string, .string("val_loss"), nil, "quantity watched, e.g. val_loss, val_accuracy, loss")
    private static let mode = ArgSpec("mode", .oneOf(MonitorModeKind.allCases.map(\.rawValue)), .string(MonitorModeKind.auto.rawValue), nil,
                                      "whether the quantity should fall or rise; auto guesses from its name")

    /// Callbacks, by Keras class names.
    public static let callbacks: [CatalogEntry] = [
        CatalogEntry(CallbackKind.earlyStopping, [
            monitor,
            ArgSpec("min_delta", .number, .double(0.0), .nonNegative, "smallest change that counts as progress"),
            ArgSpec("patience", .int, .int(0), .nonNegative, "epochs without progress before stopping"),
            mode,
            ArgSpec("restore_best_weights", .bool, .bool(false), nil, "end with the best epoch's weights"),
            ArgSpec("start_from_epoch", .int, .int(0), .nonNegative, "epochs to wait before watching"),
        ], "stop when the monitored quantity stops improving"),
        CatalogEntry(CallbackKind.reduceLROnPlateau, [
            monitor,
            ArgSpec("factor", .number, .double(0.1), .unitOpen, "new rate = rate · factor"),
            ArgSpec("patience", .int, .int(10), .nonNegative, "epochs without progress before reducing"),
            mode,
            ArgSpec("min_delta", .number, .double(1e-4), .nonNegative, "smallest change that counts as progress"),
            ArgSpec("cooldown", .int, .int(0), .nonNegative, "epochs to wait after a reduction"),
            ArgSpec("min_lr", .number, .double(0.0), .nonNegative, "lower bound on the rate"),
        ], "reduce the learning rate when the monitored quantity stops improving"),
    ]

    /// Distributions of search parameters (scipy.stats meanings).
    public static let distributions: [CatalogEntry] = [
        CatalogEntry("choice", [], "uniform over a non-empty list of values"),
        CatalogEntry("randint", [], "integers in [low, high): high is exclusive, as in scipy.stats.randint"),
        CatalogEntry("uniform", [], "real numbers uniform in [low, high]"),
        CatalogEntry("loguniform", aliases: ["reciprocal"], [], "exp(uniform(log a, log b)), 0 < a < b"),
    ]

    /// Named functions of the `function2d` source, on the square `range`².
    public static let functions2D: [CatalogEntry] = [
        CatalogEntry(Function2DKind.gaussianAbs, [], "exp(-5 (x² + y²)) · |x + y| (the notebook's target)"),
        CatalogEntry(Function2DKind.sinCos, [], "sin(2π x) · cos(2π y)"),
        CatalogEntry(Function2DKind.saddle, [], "x² − y²"),
        CatalogEntry(Function2DKind.ripple, [], "cos(4π sqrt(x² + y²))"),
    ]

    /// What the `stellar` source predicts (Engine's `StellarQuantity`).
    public static let stellarQuantities: [CatalogEntry] = [
        CatalogEntry(StellarQuantityKind.logLuminosity, [], "log10 of the zero-age main-sequence luminosity in L☉ (Tout et al. 1996, MNRAS 281, 257, eq. 1)"),
        CatalogEntry(StellarQuantityKind.logRadius, [], "log10 of the zero-age main-sequence radius in R☉ (Tout et al. 1996, eq. 2)"),
        CatalogEntry(StellarQuantityKind.logMSLifetime, [], "log10 of the main-sequence lifetime in Myr (Hurley, Pols & Tout 2000, MNRAS 315, 543, eqs. 4–7)"),
        CatalogEntry(StellarQuantityKind.all, [], "the three above, in that order, as three outputs"),
    ]

    /// The synthetic sources' parameters the file does not set (the Engine's `SyntheticSource`
    /// takes every one): blobs has scikit-learn `make_blobs`' 2 features and `cluster_std` 1
    /// (`noise` adds to that); random's regression targets are one value per sample.
    public static let blobsFeatures = 2
    public static let blobsSpread = 1.0
    public static let randomOutputs = 1

    static let images = ["path", "limit", "preprocess", "test"]
    static let synthetic = ["samples", "noise", "limit", "preprocess", "test", "test_fraction"]

    /// Data sources: what `data.source` may name.
    public static let dataSources: [DataSourceEntry] = [
        DataSourceEntry(kind: .fashionMNIST, keys: images, required: [], hasTestSplit: true,
                        doc: "Fashion-MNIST IDX files (.gz or raw): 60000 train, 10000 test, 28×28×1, 10 classes"),
        DataSourceEntry(kind: .mnist, keys: images, required: ["path"], hasTestSplit: true,
                        doc: "MNIST digits, same layout as fashion_mnist"),
        DataSourceEntry(kind: .idx, keys: images, required: ["path"], hasTestSplit: true,
                        doc: "any IDX image/label files in the folder `path` with the MNIST file names"),
        DataSourceEntry(kind: .diabetes, keys: ["path", "limit", "preprocess", "test", "test_fraction"], required: [], hasTestSplit: false,
                        doc: "scikit-learn's diabetes regression data (442 patients, 10 features, disease progression), read from the files of the Debian package python3-sklearn (`path`: another datasets/data folder)"),
        DataSourceEntry(kind: .csv, keys: ["path", "features", "target", "task", "drop_invalid", "limit", "preprocess", "test", "test_fraction"],
                        required: ["path", "target"], hasTestSplit: false,
                        doc: "a CSV file with a header row; `target` names the label column"),
        DataSourceEntry(kind: .npy, keys: ["x", "y", "task", "limit", "preprocess", "test", "test_fraction"],
                        required: ["x", "y"], hasTestSplit: false, doc: "two NumPy .npy files, features and targets"),
        DataSourceEntry(kind: .linear, keys: ["weights", "bias"] + synthetic, required: ["weights"], hasTestSplit: false,
                        doc: "x uniform in [0, 1)^d, y = w·x + b (+ normal noise · noise)"),
        DataSourceEntry(kind: .logic, keys: ["table", "limit", "preprocess", "test", "test_fraction"], required: ["table"], hasTestSplit: false,
                        doc: "a truth table: each row is inputs then the 0/1 output"),
        DataSourceEntry(kind: .function2d, keys: ["function", "range"] + synthetic, required: ["function"], hasTestSplit: false,
                        doc: "a named function sampled uniformly on the square range²"),
        DataSourceEntry(kind: .blobs, keys: ["classes"] + synthetic, required: [], hasTestSplit: false,
                        doc: "Gaussian blobs in 2-D, one per class (make_blobs with cluster_std 1), plus Gaussian `noise` on both coordinates"),
        DataSourceEntry(kind: .moons, keys: synthetic, required: [], hasTestSplit: false,
                        doc: "two interleaving half circles (2 classes)"),
        DataSourceEntry(kind: .spirals, keys: ["classes"] + synthetic, required: [], hasTestSplit: false,
                        doc: "interleaved spirals, one arm per class"),
        DataSourceEntry(kind: .random, keys: ["classes", "inputs", "task"] + synthetic, required: [], hasTestSplit: false,
                        doc: "random N(0, 1) features and targets: nothing to learn (a loss that must not fall); `classes` or `task: classification` make the targets class labels; `noise` adds to the targets, or to the features for labels"),
        DataSourceEntry(kind: .stellar, keys: ["quantity", "mass_range", "metallicity_range"] + synthetic.filter { $0 != "noise" }, required: [], hasTestSplit: false,
                        doc: "stars with log-uniform mass and metallicity; features [log10 M, log10 Z], target a published fit (see `stellar` quantities)"),
    ]

    /// The keys of `data`.
    public static let dataKeys: [ArgSpec] = [
        ArgSpec("source", .oneOf(dataSources.map(\.name)), nil, nil, "where the data comes from"),
        ArgSpec("path", .string, .null, nil, "IDX folder (default /usr/share/datasets/fashion-mnist for fashion_mnist) or CSV file"),
        ArgSpec("features", .stringList, .null, nil, "CSV feature columns (default: every column but the target)"),
        ArgSpec("target", .string, .null, nil, "CSV label column"),
        ArgSpec("task", .oneOf(TaskKind.allCases.map(\.rawValue)), .null, nil,
                "csv, npy: when the target's type does not say; random: classification for class labels"),
        ArgSpec("drop_invalid", .bool, .bool(false), nil, "CSV: drop rows with missing or non-numeric cells instead of failing"),
        ArgSpec("x", .string, .null, nil, "npy features file"),
        ArgSpec("y", .string, .null, nil, "npy targets file"),
        ArgSpec("weights", .numberList, .null, nil, "linear: w, one per input feature"),
        ArgSpec("bias", .number, .double(0.0), nil, "linear: b"),
        ArgSpec("samples", .int, .int(1000), .count, "synthetic sources: number of examples"),
        ArgSpec("noise", .number, .double(0.0), .nonNegative, "synthetic sources: standard deviation of added noise"),
        ArgSpec("table", .table, .null, nil, "logic: rows of inputs followed by the output, or xor, and, or"),
        ArgSpec("function", .oneOf(functions2D.map(\.name)), .null, nil, "function2d: the function sampled"),
        ArgSpec("range", .interval, .list([.double(-0.5), .double(0.5)]), nil, "function2d: both coordinates uniform in [low, high]"),
        ArgSpec("classes", .int, .int(2), .atLeast(2), "blobs, spirals, random: number of classes (random: setting it makes class labels)"),
        ArgSpec("inputs", .int, .int(10), .positive, "random: number of input features"),
        ArgSpec("quantity", .oneOf(stellarQuantities.map(\.name)), .string(StellarQuantityKind.logLuminosity.rawValue), nil, "stellar: the target"),
        ArgSpec("mass_range", .interval, .list([.double(0.1), .double(100)]), ValueRange(lower: 0.1, lowerInclusive: true, upper: 100, upperInclusive: true),
                "stellar: masses log-uniform in [low, high] solar masses"),
        ArgSpec("metallicity_range", .interval, .list([.double(0.0001), .double(0.03)]),
                ValueRange(lower: 0.0001, lowerInclusive: true, upper: 0.03, upperInclusive: true),
                "stellar: metallicities Z log-uniform in [low, high]"),
        ArgSpec("limit", .int, .null, .positive, "a seeded (stratified) subset of the training part for the cross-validated search; the final model trains on all training data"),
        ArgSpec("preprocess", .oneOf(PreprocessMethod.allCases.map(\.rawValue)), .string(PreprocessMethod.none.rawValue), nil,
                "scale: x/255 for images; standardize: zero mean, unit variance; minmax: to [0, 1]; statistics from training data only"),
        ArgSpec("test_fraction", .number, .double(0.2), .unitOpen, "sources without a test split: the share held out as test"),
        ArgSpec("test", .bool, .bool(true), nil, "score the final model on the test split"),
    ]

    /// The top-level keys.
    public static let topKeys: [ArgSpec] = [
        ArgSpec("name", .string, .null, nil, "the experiment's name (default: the file name without .yaml)"),
        ArgSpec("seed", .int, .int(0), .nonNegative, "fixes data subsets, splits, folds, initial weights and trials"),
        ArgSpec("threads", .int, .null, .positive, "threads of the final model (default: all cores; CV units use one each)"),
        ArgSpec("data", .structure("a mapping"), nil, nil, "the data section"),
        ArgSpec("model", .structure("a mapping"), nil, nil, "the model section"),
        ArgSpec("compile", .structure("a mapping"), nil, nil, "the compile section"),
        ArgSpec("fit", .structure("a mapping"), .null, nil, "the fit section"),
        ArgSpec("search", .structure("a mapping"), .null, nil, "the search section (none: train one model)"),
        ArgSpec("output", .string, .null, nil, "folder for results (default runs/<name>)"),
        ArgSpec("predict", .rows, .null, nil, "inputs (one row of numbers each) the final model predicts, printed after training"),
    ]

    /// The keys of a `repeat` block in `layers`.
    public static let repeatKeys: [ArgSpec] = [
        ArgSpec("repeat", .int, nil, .nonNegative, "how many times the block repeats"),
        ArgSpec("layers", .structure("a list of layers"), nil, nil, "the block"),
    ]

    public static let modelKeys: [ArgSpec] = [
        ArgSpec("input_shape", .shape, .null, nil, "shape of one example, e.g. [28, 28, 1] (default: from the data)"),
        ArgSpec("layers", .structure("a list of layers"), nil, nil, "the layers, in order"),
    ]

    public static let compileKeys: [ArgSpec] = [
        ArgSpec("loss", .structure("a loss name or mapping"), nil, nil, "the loss minimised"),
        ArgSpec("optimizer", .structure("an optimizer name or mapping"), .string(OptimizerKind.rmsprop.rawValue), nil, "the optimizer (Keras's default: rmsprop)"),
        ArgSpec("metrics", .structure("a list of metric names"), .list([]), nil, "metrics reported per epoch"),
    ]

    public static let fitKeys: [ArgSpec] = [
        ArgSpec("epochs", .int, .int(1), .positive, "passes over the training data"),
        ArgSpec("batch_size", .int, .int(32), .size, "examples per gradient step"),
        ArgSpec("validation_split", .number, .double(0.0), .unitHalfOpen, "share of the training data held out for val_ metrics and callbacks"),
        ArgSpec("shuffle", .bool, .bool(true), nil, "reshuffle the training data every epoch"),
        ArgSpec("callbacks", .structure("a list of callbacks"), .list([]), nil, "EarlyStopping, ReduceLROnPlateau"),
    ]

    private static func words(_ settings: ResourceSetting...) -> [String] { settings.compactMap(\.word) }

    public static let searchKeys: [ArgSpec] = [
        ArgSpec("strategy", .oneOf(SearchStrategy.allCases.map(\.rawValue)), .string(SearchStrategy.random.rawValue), nil,
                "random: RandomizedSearchCV; grid: GridSearchCV; halving: HalvingRandomSearchCV; hyperband: KerasTuner's Hyperband"),
        ArgSpec("trials", .int, .int(10), .positive, "random: number of trials (n_iter); grid: a cap on the grid"),
        ArgSpec("factor", .number, .int(3), ValueRange(lower: 1, lowerInclusive: false, upper: nil, upperInclusive: false),
                "halving, hyperband: each rung keeps ⌈n/factor⌉ candidates and gives them factor times the resource"),
        ArgSpec("resource", .oneOf(HalvingResource.allCases.map(\.rawValue)), .string(HalvingResource.epochs.rawValue), nil,
                "halving, hyperband: what a rung gives more of: epochs (continued, never restarted) or training samples per fold"),
        ArgSpec("min_resources", .countOrWord(words(.smallest, .exhaust)), .string(ResourceSetting.smallest.word!), nil,
                "halving, hyperband: the first rung's resource; smallest: 1 epoch or 2·cv·classes samples; exhaust: as large as the rungs allow"),
        ArgSpec("max_resources", .countOrWord(words(.auto)), .string(ResourceSetting.auto.word!), nil,
                "halving, hyperband: the most a candidate gets; auto: fit.epochs, or the size of a fold's training part"),
        ArgSpec("candidates", .countOrWord(words(.exhaust)), .string(ResourceSetting.exhaust.word!), .count,
                "halving: the first rung's candidates (n_candidates); exhaust: as many as the rungs can hold"),
        ArgSpec("cv", .int, .int(5), .atLeast(2), "number of cross-validation folds (stratified for classification)"),
        ArgSpec("scoring", .oneOf(["loss"] + metrics.map(\.name)), .null, nil, "the score ranking trials (default: the first metric, else loss)"),
        ArgSpec("refit", .bool, .bool(true), nil, "retrain the best configuration on all training data, then test it"),
        ArgSpec("space", .structure("a mapping of parameters"), .map([:]), nil, "parameter name: {distribution: arguments}"),
    ]

    /// An entry by name or alias.
    static func find(_ name: String, in entries: [CatalogEntry]) -> CatalogEntry? {
        entries.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Every name and alias of a table, for did-you-mean.
    static func names(_ entries: [CatalogEntry]) -> [String] {
        entries.flatMap { [$0.name] + $0.aliases }
    }
}
