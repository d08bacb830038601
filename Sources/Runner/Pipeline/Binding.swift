import Engine
import Foundation
import Spec

/// Turns the typed values of an experiment file (Spec) into Engine values: the one place that
/// knows both vocabularies. Spec has checked every name and filled every argument from its
/// tables, so Binding restates no default: it reads each argument by name through
/// `Arguments`, which records what was read, and an argument nobody read is an error (the
/// catalog test walks every table entry through here to prove none is left unread). What can
/// still fail is a trial that cannot be built (a shape that does not fit), reported with its line.
enum Binding {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// One entry's resolved arguments, read by name. `finish()` throws if any was not read:
    /// an option the file accepts must reach the Engine.
    struct Arguments {
        let owner: String
        let values: [String: Value]
        private(set) var read: Set<String> = []

        init(_ owner: String, _ values: [String: Value]) {
            self.owner = owner
            self.values = values
        }

        mutating func value(_ key: String) throws(Failure) -> Value {
            read.insert(key)
            guard let v = values[key] else { throw Failure(message: Say.argumentUnresolved(owner, key)) }
            return v
        }

        private func wrong(_ key: String, _ v: Value, _ what: String) -> Failure {
            Failure(message: Say.argumentType(owner, key, "\(v)", what))
        }

        /// The value of `key` as `T`, or an error naming `what` was expected.
        private mutating func typed<T>(_ key: String, _ what: String, _ get: (Value) -> T?) throws(Failure) -> T {
            let v = try value(key)
            guard let t = get(v) else { throw wrong(key, v, what) }
            return t
        }

        mutating func int(_ key: String) throws(Failure) -> Int { try typed(key, Say.anInteger, \.int) }
        mutating func double(_ key: String) throws(Failure) -> Double { try typed(key, Say.aNumber, \.double) }
        mutating func float(_ key: String) throws(Failure) -> Float { Float(try double(key)) }
        mutating func bool(_ key: String) throws(Failure) -> Bool { try typed(key, Say.aBool, \.bool) }
        mutating func string(_ key: String) throws(Failure) -> String { try typed(key, Say.aString, \.string) }

        /// A name Spec checked against its table, as the Spec kind that declares it.
        mutating func kind<K: RawRepresentable & CaseIterable>(_ key: String, _: K.Type = K.self) throws(Failure) -> K
        where K.RawValue == String {
            try typed(key, Say.oneOf(K.allCases.map(\.rawValue))) { $0.string.flatMap(K.init(rawValue:)) }
        }

        /// A number, or nil where the file (or the default) says none.
        mutating func optionalFloat(_ key: String) throws(Failure) -> Float? {
            try typed(key, Say.aNumberOrNull) { v in v == .null ? .some(nil) : v.double.map { .some(Float($0)) } }
        }

        /// Spec normalizes `kernel_size`, `strides` and `pool_size` to `[h, w]`; nil for null.
        mutating func optionalPair(_ key: String) throws(Failure) -> (Int, Int)? {
            let v = try value(key)
            if v == .null { return nil }
            guard let l = v.list, l.count == 2, let h = l[0].int, let w = l[1].int else { throw wrong(key, v, Say.aPair) }
            return (h, w)
        }

        mutating func pair(_ key: String) throws(Failure) -> (Int, Int) {
            guard let p = try optionalPair(key) else { throw wrong(key, .null, Say.aPair) }
            return p
        }

        /// A mapping argument (an initializer, a regularizer, a schedule) as arguments of its own.
        mutating func nested(_ key: String) throws(Failure) -> Arguments? {
            let v = try value(key)
            if v == .null { return nil }
            guard let m = v.map else { throw wrong(key, v, Say.aMapping) }
            return Arguments("\(owner).\(key)", m)
        }

        /// Throws if an argument was never read.
        func finish() throws(Failure) {
            let unread = values.keys.filter { !read.contains($0) }.sorted()
            guard unread.isEmpty else {
                throw Failure(message: Say.argumentsUnread(owner, unread))
            }
        }
    }

    // MARK: Data

    static func dataSource(_ d: DataConfig) throws(Failure) -> DataSource {
        let task = d.task.map(targetKind)
        switch d.source {
        case .fashionMNIST: return .fashionMNIST(folder: d.path)
        case .mnist: return .mnist(folder: d.path)
        case .diabetes: return .diabetes(folder: d.path)
        case .idx:
            // A folder with MNIST's file names, each raw or .gz; the t10k pair is the test split
            // when both files are there.
            guard let folder = d.path else { throw Failure(message: Say.dataNeeds("idx", "a path")) }
            func file(_ stem: String) -> String? {
                [stem, stem + ".gz"].map { folder + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
            }
            let testImages = file("t10k-images-idx3-ubyte"), testLabels = file("t10k-labels-idx1-ubyte")
            let hasTest = testImages != nil && testLabels != nil
            return .idx(images: file("train-images-idx3-ubyte") ?? folder + "/train-images-idx3-ubyte.gz",
                        labels: file("train-labels-idx1-ubyte") ?? folder + "/train-labels-idx1-ubyte.gz",
                        testImages: hasTest ? testImages : nil, testLabels: hasTest ? testLabels : nil, classNames: nil)
        case .csv:
            guard let path = d.path, let target = d.target else { throw Failure(message: Say.dataNeeds("csv", "path and target")) }
            return .csv(CSVSource(path: path, target: [target], features: d.features, task: task, dropInvalid: d.dropInvalid))
        case .npy:
            guard let x = d.x, let y = d.y else { throw Failure(message: Say.dataNeeds("npy", "x and y")) }
            return .npy(NPYSource(x: x, y: y, task: task))
        case .linear:
            guard let weights = d.weights else { throw Failure(message: Say.dataNeeds("linear", "weights")) }
            return .synthetic(.linear(weights: weights, bias: d.bias, samples: d.samples, noise: d.noise))
        case .logic:
            guard let table = d.table else { throw Failure(message: Say.dataNeeds("logic", "a table")) }
            return .synthetic(.logic(table: table))
        case .function2d:
            guard let f = d.function else { throw Failure(message: Say.dataNeeds("function2d", "a function")) }
            guard d.range.count == 2 else { throw Failure(message: Say.dataNeeds("function2d", "a two-number range")) }
            return .synthetic(.function2d(function2D(f), low: d.range[0], high: d.range[1], samples: d.samples, noise: d.noise))
        case .blobs:
            return .synthetic(.blobs(classes: d.classes, samples: d.samples, features: Catalog.blobsFeatures,
                                     spread: Catalog.blobsSpread, noise: d.noise))
        case .moons: return .synthetic(.moons(samples: d.samples, noise: d.noise))
        case .spirals: return .synthetic(.spirals(classes: d.classes, samples: d.samples, noise: d.noise))
        case .random:
            // Regression targets unless the file asks for classes (`classes`, or task: classification).
            return .synthetic(.random(samples: d.samples, features: d.inputs, outputs: Catalog.randomOutputs,
                                      classes: d.task == .classification ? d.classes : nil, noise: d.noise))
        case .stellar:
            guard d.massRange.count == 2, d.metallicityRange.count == 2 else { throw Failure(message: Say.dataNeeds("stellar", "two-number ranges")) }
            return .synthetic(.stellar(stellarQuantity(d.quantity), samples: d.samples, mass: d.massRange[0]...d.massRange[1],
                                       metallicity: d.metallicityRange[0]...d.metallicityRange[1]))
        }
    }

    static func targetKind(_ t: TaskKind) -> TargetKind {
        switch t {
        case .classification: .classification
        case .regression: .regression
        }
    }

    static func preprocessing(_ p: PreprocessMethod) -> Preprocessing {
        switch p {
        case .none: .none
        case .scale: .scale
        case .standardize: .standardize
        case .minmax: .minmax
        }
    }

    static func function2D(_ f: Function2DKind) -> Function2D {
        switch f {
        case .gaussianAbs: .gaussianAbs
        case .sinCos: .sinCos
        case .saddle: .saddle
        case .ripple: .ripple
        }
    }

    static func stellarQuantity(_ q: StellarQuantityKind) -> StellarQuantity {
        switch q {
        case .logLuminosity: .logLuminosity
        case .logRadius: .logRadius
        case .logMSLifetime: .logLifetime
        case .all: .all
        }
    }

    // MARK: Model

    /// The layers of a trial, unbuilt, in file order (repeat blocks already expanded by Spec).
    static func layers(_ model: ModelConfig) throws(Failure) -> [Layer] {
        var out: [Layer] = []
        for l in model.layers { out.append(try layer(l)) }
        return out
    }

    static func layer(_ l: LayerConfig) throws(Failure) -> Layer {
        var a = Arguments(l.kind.rawValue, l.args)
        let layer = try layer(l.kind, &a)
        try a.finish()
        return layer
    }

    private static func layer(_ kind: LayerKind, _ a: inout Arguments) throws(Failure) -> Layer {
        func padding(_ a: inout Arguments) throws(Failure) -> Padding {
            switch try a.kind("padding", PaddingKind.self) {
            case .valid: .valid
            case .same: .same
            }
        }
        switch kind {
        case .dense:
            let kernel = try regularizer(&a, "kernel_regularizer"), bias = try regularizer(&a, "bias_regularizer")
            let layer = Dense(units: try a.int("units"), activation: try activation(&a, "activation"), useBias: try a.bool("use_bias"),
                              kernelInitializer: try initializer(&a, "kernel_initializer"),
                              biasInitializer: try initializer(&a, "bias_initializer"), kernelL1: kernel.l1, kernelL2: kernel.l2)
            (layer.biasL1, layer.biasL2) = (bias.l1, bias.l2)
            return layer
        case .conv2D:
            let kernel = try regularizer(&a, "kernel_regularizer"), bias = try regularizer(&a, "bias_regularizer")
            let layer = Conv2D(filters: try a.int("filters"), kernelSize: try a.pair("kernel_size"), strides: try a.pair("strides"),
                               padding: try padding(&a), activation: try activation(&a, "activation"), useBias: try a.bool("use_bias"),
                               kernelInitializer: try initializer(&a, "kernel_initializer"),
                               biasInitializer: try initializer(&a, "bias_initializer"), kernelL1: kernel.l1, kernelL2: kernel.l2)
            (layer.biasL1, layer.biasL2) = (bias.l1, bias.l2)
            return layer
        case .maxPooling2D:
            return MaxPooling2D(poolSize: try a.pair("pool_size"), strides: try a.optionalPair("strides"), padding: try padding(&a))
        case .averagePooling2D:
            return AveragePooling2D(poolSize: try a.pair("pool_size"), strides: try a.optionalPair("strides"), padding: try padding(&a))
        case .globalAveragePooling2D: return GlobalAveragePooling2D()
        case .flatten: return Flatten()
        case .reshape:
            let v = try a.value("target_shape")
            return Reshape(targetShape: (v.list ?? []).compactMap(\.int))
        case .dropout: return Dropout(rate: try a.float("rate"))
        case .batchNormalization:
            return BatchNormalization(momentum: try a.float("momentum"), epsilon: try a.float("epsilon"),
                                      center: try a.bool("center"), scale: try a.bool("scale"))
        case .activation: return ActivationLayer(activation: try activation(&a, "activation"))
        }
    }

    private static func activation(_ a: inout Arguments, _ key: String) throws(Failure) -> Activation {
        activation(try a.kind(key, ActivationKind.self))
    }

    /// Keras's activations; leaky_relu and elu with the constants of Keras's activation functions.
    static func activation(_ k: ActivationKind) -> Activation {
        switch k {
        case .linear: .linear
        case .relu: .relu
        case .leakyRelu: .leakyRelu(alpha: Float(Catalog.leakyReluSlope))
        case .elu: .elu(alpha: Float(Catalog.eluAlpha))
        case .selu: .selu
        case .gelu: .gelu
        case .swish, .silu: .swish
        case .sigmoid: .sigmoid
        case .hardSigmoid: .hardSigmoid
        case .tanh: .tanh
        case .softplus: .softplus
        case .softsign: .softsign
        case .softmax: .softmax
        case .binary: .binary
        }
    }

    private static func initializer(_ a: inout Arguments, _ key: String) throws(Failure) -> Initializer {
        guard var m = try a.nested(key) else { throw Failure(message: Say.argumentMissing(a.owner, key)) }
        let made: Initializer
        switch try m.kind("name", InitializerKind.self) {
        case .glorotUniform: made = .glorotUniform
        case .glorotNormal: made = .glorotNormal
        case .heNormal: made = .heNormal
        case .heUniform: made = .heUniform
        case .lecunNormal: made = .lecunNormal
        case .lecunUniform: made = .lecunUniform
        case .zeros: made = .zeros
        case .ones: made = .ones
        case .randomUniform: made = .randomUniform(minval: try m.float("minval"), maxval: try m.float("maxval"))
        case .randomNormal: made = .randomNormal(mean: try m.float("mean"), stddev: try m.float("stddev"))
        }
        try m.finish()
        return made
    }

    /// A regularizer's factors (Spec gives null or `{l1: a, l2: b}`).
    private static func regularizer(_ a: inout Arguments, _ key: String) throws(Failure) -> (l1: Float, l2: Float) {
        guard var m = try a.nested(key) else { return (0, 0) }
        let factors = (try m.float("l1"), try m.float("l2"))
        try m.finish()
        return factors
    }

    // MARK: Compile

    /// The loss, named as the catalog names it (the Engine's messages say that name).
    static func loss(_ c: LossConfig) throws(Failure) -> Loss {
        let name = c.kind.rawValue
        var a = Arguments(name, c.args)
        let loss: Loss
        switch c.kind {
        case .meanSquaredError: loss = .meanSquaredError(name: name)
        case .meanAbsoluteError: loss = .meanAbsoluteError(name: name)
        case .huber: loss = .huber(name: name, delta: try a.float("delta"))
        case .binaryCrossentropy:
            loss = .binaryCrossentropy(name: name, fromLogits: try a.bool("from_logits"), labelSmoothing: try a.float("label_smoothing"))
        case .categoricalCrossentropy:
            loss = .categoricalCrossentropy(name: name, fromLogits: try a.bool("from_logits"),
                                            labelSmoothing: try a.float("label_smoothing"))
        case .sparseCategoricalCrossentropy:
            loss = .sparseCategoricalCrossentropy(name: name, fromLogits: try a.bool("from_logits"))
        }
        try a.finish()
        return loss
    }

    static func lossKind(_ k: LossKind) -> Loss.Kind {
        switch k {
        case .meanSquaredError: .meanSquaredError
        case .meanAbsoluteError: .meanAbsoluteError
        case .huber: .huber
        case .binaryCrossentropy: .binaryCrossentropy
        case .categoricalCrossentropy: .categoricalCrossentropy
        case .sparseCategoricalCrossentropy: .sparseCategoricalCrossentropy
        }
    }

    /// A metric, named as the catalog names it: its key in the logs and the history.
    static func metric(_ m: MetricKind) -> Metric {
        let kind: Metric.Kind = switch m {
        case .accuracy: .accuracy
        case .mse: .meanSquaredError
        case .mae: .meanAbsoluteError
        case .rmse: .rootMeanSquaredError
        case .r2: .r2
        }
        return Metric(name: m.rawValue, kind: kind)
    }

    static func optimizer(_ c: OptimizerConfig) throws(Failure) -> Optimizer {
        var a = Arguments(c.kind.rawValue, c.args)
        let rule: UpdateRule
        switch c.kind {
        case .sgd: rule = SGD(momentum: try a.float("momentum"), nesterov: try a.bool("nesterov"))
        case .adam, .adamw:
            rule = Adam(beta1: try a.float("beta_1"), beta2: try a.float("beta_2"), epsilon: try a.float("epsilon"), amsgrad: try a.bool("amsgrad"))
        case .nadam: rule = Nadam(beta1: try a.float("beta_1"), beta2: try a.float("beta_2"), epsilon: try a.float("epsilon"))
        case .rmsprop:
            rule = RMSprop(rho: try a.float("rho"), momentum: try a.float("momentum"), epsilon: try a.float("epsilon"), centered: try a.bool("centered"))
        case .adagrad: rule = Adagrad(initialAccumulatorValue: try a.float("initial_accumulator_value"), epsilon: try a.float("epsilon"))
        }
        // The format offers no global_clipnorm (the Engine has it).
        let clipping = GradientClipping(clipnorm: try a.optionalFloat("clipnorm"), clipvalue: try a.optionalFloat("clipvalue"), globalClipnorm: nil)
        // Keras: weight_decay is None for every optimizer but AdamW, whose table default is 0.004.
        let decay = try a.optionalFloat("weight_decay") ?? 0
        try a.finish()
        return Optimizer(rule: rule, learningRate: learningRate(c.learningRate), clipping: clipping, weightDecay: decay)
    }

    static func learningRate(_ r: Spec.LearningRateSetting) -> Engine.LearningRate {
        switch r {
        case .constant(let v): .constant(Float(v))
        case let .exponentialDecay(initial, steps, rate, staircase):
            .exponentialDecay(initial: Float(initial), decaySteps: steps, decayRate: Float(rate), staircase: staircase)
        case let .cosineDecay(initial, steps, alpha):
            .cosineDecay(initial: Float(initial), decaySteps: steps, alpha: Float(alpha))
        }
    }

    static func callbacks(_ fit: Spec.FitArguments) throws(Failure) -> [Callback] {
        var out: [Callback] = []
        for c in fit.callbacks { out.append(try callback(c)) }
        return out
    }

    static func callback(_ c: CallbackConfig) throws(Failure) -> Callback {
        var a = Arguments(c.kind.rawValue, c.args)
        let mode: MonitorMode = switch try a.kind("mode", MonitorModeKind.self) {
        case .auto: .auto
        case .min: .min
        case .max: .max
        }
        let monitor = try a.string("monitor")
        let made: Callback
        switch c.kind {
        case .earlyStopping:
            // The format offers no baseline (the Engine has it).
            made = EarlyStopping(monitor: monitor, minDelta: try a.double("min_delta"), patience: try a.int("patience"), mode: mode,
                                 baseline: nil, restoreBestWeights: try a.bool("restore_best_weights"), startFromEpoch: try a.int("start_from_epoch"))
        case .reduceLROnPlateau:
            made = ReduceLROnPlateau(monitor: monitor, factor: try a.float("factor"), patience: try a.int("patience"), mode: mode,
                                     minDelta: try a.double("min_delta"), cooldown: try a.int("cooldown"), minLR: try a.float("min_lr"))
        }
        try a.finish()
        return made
    }
}
