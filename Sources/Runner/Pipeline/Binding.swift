import Engine
import Foundation
import Spec

/// Turns the typed values of an experiment file (Spec) into Engine values. The one place that
/// knows both vocabularies; every name here was already checked by Spec's tables, so a
/// failure is a trial that cannot be built (a shape that does not fit), reported with its
/// line.
enum Binding {
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    // MARK: Data

    static func dataSource(_ d: DataConfig) throws(Failure) -> DataSource {
        let task = d.task.flatMap(TargetKind.init(rawValue:))
        switch d.source {
        case "fashion_mnist": return .fashionMNIST(folder: d.path)
        case "mnist": return .mnist(folder: d.path)
        case "idx":
            // A folder with MNIST's file names, each raw or .gz; the t10k pair is the test split
            // when both files are there.
            guard let folder = d.path else { throw Failure(message: "data: idx needs a path") }
            func file(_ stem: String) -> String? {
                [stem, stem + ".gz"].map { folder + "/" + $0 }.first { FileManager.default.fileExists(atPath: $0) }
            }
            let testImages = file("t10k-images-idx3-ubyte"), testLabels = file("t10k-labels-idx1-ubyte")
            let hasTest = testImages != nil && testLabels != nil
            return .idx(images: file("train-images-idx3-ubyte") ?? folder + "/train-images-idx3-ubyte.gz",
                        labels: file("train-labels-idx1-ubyte") ?? folder + "/train-labels-idx1-ubyte.gz",
                        testImages: hasTest ? testImages : nil, testLabels: hasTest ? testLabels : nil, classNames: nil)
        case "diabetes": return .diabetes(folder: d.path)
        case "csv":
            guard let path = d.path, let target = d.target else { throw Failure(message: "data: csv needs path and target") }
            return .csv(CSVSource(path: path, target: [target], features: d.features, task: task, dropInvalid: d.dropInvalid))
        case "npy":
            guard let x = d.x, let y = d.y else { throw Failure(message: "data: npy needs x and y") }
            return .npy(NPYSource(x: x, y: y, task: task))
        case "linear":
            return .synthetic(.linear(weights: d.weights ?? [1], bias: d.bias, samples: d.samples, noise: d.noise))
        case "logic":
            if let table = d.table { return .synthetic(.logic(table: table)) }
            return .synthetic(.xor)
        case "function2d":
            guard let f = d.function.flatMap(Function2D.init(rawValue:)) else {
                throw Failure(message: "data: unknown function2d function \(d.function ?? "")")
            }
            let lo = d.range.first ?? -0.5, hi = d.range.last ?? 0.5
            return .synthetic(.function2d(f, low: lo, high: hi, samples: d.samples, noise: d.noise))
        case "blobs": return .synthetic(.blobs(classes: d.classes, samples: d.samples))
        case "moons": return .synthetic(.moons(samples: d.samples, noise: d.noise))
        case "spirals": return .synthetic(.spirals(classes: d.classes, samples: d.samples, noise: d.noise))
        case "random":
            // Regression targets unless the file asks for classes (task: classification).
            return .synthetic(.random(samples: d.samples, features: d.inputs, classes: d.task == "classification" ? d.classes : nil))
        case "stellar":
            guard let q = StellarQuantity(rawValue: d.quantity), d.massRange.count == 2, d.metallicityRange.count == 2 else {
                throw Failure(message: "data: unknown stellar quantity \(d.quantity)")
            }
            return .synthetic(.stellar(q, samples: d.samples, mass: d.massRange[0]...d.massRange[1],
                                       metallicity: d.metallicityRange[0]...d.metallicityRange[1]))
        default: throw Failure(message: "data: unknown source \(d.source)")
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
        let a = l.args
        func int(_ k: String) -> Int { a[k]?.int ?? 0 }
        func float(_ k: String, _ d: Float) -> Float { a[k]?.double.map(Float.init) ?? d }
        func bool(_ k: String, _ d: Bool) -> Bool { a[k]?.bool ?? d }
        func pair(_ k: String) -> (Int, Int)? {
            guard let v = a[k]?.list, v.count == 2, let h = v[0].int, let w = v[1].int else { return nil }
            return (h, w)
        }
        func padding() -> Padding { a["padding"]?.string == "same" ? .same : .valid }
        func activation() throws(Failure) -> Activation {
            let name = a["activation"]?.string ?? "linear"
            guard let act = Activation(name: name) else { throw Failure(message: "unknown activation \(name)") }
            return act
        }
        func initializer(_ k: String, _ d: Initializer) throws(Failure) -> Initializer {
            guard let m = a[k]?.map, let name = m["name"]?.string else { return d }
            switch name {
            case "random_uniform":
                return .randomUniform(minval: Float(m["minval"]?.double ?? -0.05), maxval: Float(m["maxval"]?.double ?? 0.05))
            case "random_normal":
                return .randomNormal(mean: Float(m["mean"]?.double ?? 0), stddev: Float(m["stddev"]?.double ?? 0.05))
            default:
                guard let i = Initializer(name: name) else { throw Failure(message: "unknown initializer \(name)") }
                return i
            }
        }
        func regularizer() -> (Float, Float) {
            guard let m = a["kernel_regularizer"]?.map else { return (0, 0) }
            return (Float(m["l1"]?.double ?? 0), Float(m["l2"]?.double ?? 0))
        }
        switch l.kind {
        case "Dense":
            let (l1, l2) = regularizer()
            return Dense(units: int("units"), activation: try activation(), useBias: bool("use_bias", true),
                         kernelInitializer: try initializer("kernel_initializer", .glorotUniform),
                         biasInitializer: try initializer("bias_initializer", .zeros), kernelL1: l1, kernelL2: l2)
        case "Conv2D":
            let (l1, l2) = regularizer()
            return Conv2D(filters: int("filters"), kernelSize: pair("kernel_size") ?? (3, 3), strides: pair("strides") ?? (1, 1),
                          padding: padding(), activation: try activation(), useBias: bool("use_bias", true),
                          kernelInitializer: try initializer("kernel_initializer", .glorotUniform),
                          biasInitializer: try initializer("bias_initializer", .zeros), kernelL1: l1, kernelL2: l2)
        case "MaxPooling2D":
            return MaxPooling2D(poolSize: pair("pool_size") ?? (2, 2), strides: pair("strides"), padding: padding())
        case "AveragePooling2D":
            return AveragePooling2D(poolSize: pair("pool_size") ?? (2, 2), strides: pair("strides"), padding: padding())
        case "GlobalAveragePooling2D": return GlobalAveragePooling2D()
        case "Flatten": return Flatten()
        case "Reshape": return Reshape(targetShape: (a["target_shape"]?.list ?? []).compactMap(\.int))
        case "Dropout": return Dropout(rate: float("rate", 0))
        case "BatchNormalization":
            return BatchNormalization(momentum: float("momentum", 0.99), epsilon: float("epsilon", 1e-3),
                                      center: bool("center", true), scale: bool("scale", true))
        case "Activation": return ActivationLayer(activation: try activation())
        default: throw Failure(message: "unknown layer \(l.kind)")
        }
    }

    // MARK: Compile

    static func loss(_ c: LossConfig) throws(Failure) -> Loss {
        guard let loss = Loss(name: c.name) else { throw Failure(message: "unknown loss \(c.name)") }
        if loss == .huber, let delta = c.args["delta"]?.double, delta != Double(Loss.huberDelta) {
            throw Failure(message: "huber: only delta 1.0 (Keras's default) is supported by this engine")
        }
        return loss
    }

    static func optimizer(_ c: OptimizerConfig) throws(Failure) -> Optimizer {
        let a = c.args
        func f(_ k: String, _ d: Float) -> Float { a[k]?.double.map(Float.init) ?? d }
        func b(_ k: String) -> Bool { a[k]?.bool ?? false }
        let rule: UpdateRule
        switch c.name {
        case "sgd": rule = SGD(momentum: f("momentum", 0), nesterov: b("nesterov"))
        case "adam", "adamw": rule = Adam(beta1: f("beta_1", 0.9), beta2: f("beta_2", 0.999), epsilon: f("epsilon", 1e-7), amsgrad: b("amsgrad"))
        case "nadam": rule = Nadam(beta1: f("beta_1", 0.9), beta2: f("beta_2", 0.999), epsilon: f("epsilon", 1e-7))
        case "rmsprop": rule = RMSprop(rho: f("rho", 0.9), momentum: f("momentum", 0), epsilon: f("epsilon", 1e-7), centered: b("centered"))
        case "adagrad": rule = Adagrad(initialAccumulatorValue: f("initial_accumulator_value", 0.1), epsilon: f("epsilon", 1e-7))
        default: throw Failure(message: "unknown optimizer \(c.name)")
        }
        let lr: Engine.LearningRate
        switch c.learningRate {
        case .constant(let v): lr = .constant(Float(v))
        case let .exponentialDecay(initial, steps, rate, staircase):
            lr = .exponentialDecay(initial: Float(initial), decaySteps: steps, decayRate: Float(rate), staircase: staircase)
        case let .cosineDecay(initial, steps, alpha):
            lr = .cosineDecay(initial: Float(initial), decaySteps: steps, alpha: Float(alpha))
        }
        let clipping = GradientClipping(clipnorm: a["clipnorm"]?.double.map(Float.init),
                                        clipvalue: a["clipvalue"]?.double.map(Float.init),
                                        globalClipnorm: a["global_clipnorm"]?.double.map(Float.init))
        let decay = a["weight_decay"]?.double.map(Float.init) ?? (c.name == "adamw" ? Adam.adamWDefaultWeightDecay : 0)
        return Optimizer(rule: rule, learningRate: lr, clipping: clipping, weightDecay: decay)
    }

    static func callbacks(_ fit: Spec.FitConfig) throws(Failure) -> [Callback] {
        var out: [Callback] = []
        for c in fit.callbacks {
            let a = c.args
            let mode = MonitorMode(rawValue: a["mode"]?.string ?? "auto") ?? .auto
            let monitor = a["monitor"]?.string ?? "val_loss"
            switch c.kind {
            case "EarlyStopping":
                out.append(EarlyStopping(monitor: monitor, minDelta: a["min_delta"]?.double ?? 0, patience: a["patience"]?.int ?? 0,
                                         mode: mode, baseline: a["baseline"]?.double,
                                         restoreBestWeights: a["restore_best_weights"]?.bool ?? false,
                                         startFromEpoch: a["start_from_epoch"]?.int ?? 0))
            case "ReduceLROnPlateau":
                out.append(ReduceLROnPlateau(monitor: monitor, factor: Float(a["factor"]?.double ?? 0.1), patience: a["patience"]?.int ?? 10,
                                             mode: mode, minDelta: a["min_delta"]?.double ?? 1e-4, cooldown: a["cooldown"]?.int ?? 0,
                                             minLR: Float(a["min_lr"]?.double ?? 0)))
            default: throw Failure(message: "unknown callback \(c.kind)")
            }
        }
        return out
    }
}
