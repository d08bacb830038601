import Engine
import Foundation
import Spec

/// The scoring rule of a run: which metric ranks trials, and in which direction.
struct Scoring: Sendable {
    var name: String
    var higherIsBetter: Bool

    init(_ name: String) {
        self.name = name
        // The Engine's metric knows its direction; the loss is minimised.
        higherIsBetter = MetricKind(rawValue: name).map { Binding.metric($0).kind.higherIsBetter } ?? false
    }
}

/// A trial that cannot be trained: a shape that does not fit, a loss that does not suit the
/// data. Located at the layer (or the file) it comes from.
struct TrialFailure: Error, CustomStringConvertible {
    var message: String
    var line: Int?
    var column: Int?
    var description: String { message }
}

/// What training one model produced.
struct TrainingOutcome {
    var status: UnitStatus
    var reason: String?
    /// Metrics on the held-out part (empty when diverged).
    var metrics: [String: Double]
    var history: History
    var seconds: Double
    var interrupted: Bool
    /// With `Continuation`: the state to continue from in the next rung (nil when interrupted).
    var state: TrainingState? = nil
}

/// A halving rung's training of one unit: up to `toEpoch` epochs in all, continuing from
/// `state` (the previous rung's) when given.
struct Continuation {
    var toEpoch: Int
    var state: TrainingState?
}

/// A derived seed for one purpose and index, so each model, shuffle and split has its own
/// stream, fixed by the experiment's seed alone.
func derivedSeed(_ seed: UInt64, _ stream: String, _ index: Int) -> UInt64 {
    var g = RandomGenerator(seed: seed, stream: stream, index: index)
    return g.next()
}

/// Trains one configuration on one training part and scores it on one held-out part: the
/// work of a cross-validation unit and of the final refit alike.
enum Trainer {
    /// The model of a trial, built for samples of `inputShape`, checked against the data's task
    /// and the loss, and against the machine's memory (`Footprint`: the model with `memory`'s
    /// data and units at once must fit, checked before each layer allocates, or the trial fails
    /// here with the layer named instead of the process being killed later).
    static func model(_ trial: TrialConfig, inputShape: [Int], task: Engine.Task, seed: UInt64,
                      memory: Footprint = Footprint()) throws(TrialFailure) -> Sequential {
        try sized(trial, inputShape: inputShape, task: task, seed: seed, memory: memory).model
    }

    /// `model`, and its footprint.
    static func sized(_ trial: TrialConfig, inputShape: [Int], task: Engine.Task?, seed: UInt64,
                      memory: Footprint = Footprint()) throws(TrialFailure) -> (model: Sequential, footprint: Footprint) {
        let layers: [Layer]
        do { layers = try Binding.layers(trial.model) } catch { throw TrialFailure(message: error.message) }
        let model = Sequential(layers)
        let footprint: Footprint
        do {
            footprint = try memory.build(model, inputShape: inputShape, seed: seed, batch: trial.fit.batchSize)
        } catch {
            let at = error.layerIndex.flatMap { $0 < trial.model.layers.count ? trial.model.layers[$0] : nil }
            throw TrialFailure(message: error.message, line: at?.line, column: at?.column)
        }
        if let task { try check(model, trial, task: task) }
        return (model, footprint)
    }

    /// Errors a shape check alone cannot see: an output layer that does not match the data's
    /// classes or targets, a cross-entropy on a regression target.
    static func check(_ model: Sequential, _ trial: TrialConfig, task: Engine.Task) throws(TrialFailure) {
        let last = trial.model.layers.last
        let units = model.outputShape.reduce(1, *)
        func fail(_ m: String) -> TrialFailure { TrialFailure(message: m, line: last?.line, column: last?.column) }
        guard model.outputShape.count == 1 else {
            throw fail(Say.outputNotFlat(model.outputShape))
        }
        let loss = trial.compile.loss.kind.rawValue
        let kind = Binding.lossKind(trial.compile.loss.kind)
        switch task {
        case .classification(let classes, _):
            switch kind.outputActivation {
            case .softmax?:
                if units != classes {
                    throw fail(Say.outputUnitsForClasses(units, classes: classes))
                }
            case .sigmoid?:
                if units != 1 || classes > 2 {
                    throw fail(Say.binaryCrossentropyShape(units, classes: classes))
                }
            default:
                if units != 1 {
                    throw fail(Say.oneOutputForLabels(loss, units: units))
                }
            }
        case .regression(let outputs):
            if kind.isCrossentropy {
                throw fail(Say.crossentropyOnRegression(loss))
            }
            if units != outputs {
                throw fail(Say.outputUnitsForTargets(units, outputs: outputs))
            }
            if trial.compile.metrics.contains(.accuracy) {
                throw TrialFailure(message: Say.accuracyOnRegression)
            }
        }
    }

    /// Gives `data` the model's input shape when only the axes differ (e.g. 28×28 images for
    /// `input_shape: [28, 28, 1]`); the values are already laid out that way.
    static func shaped(_ data: Dataset, _ inputShape: [Int]) throws(TrialFailure) -> Dataset {
        guard data.sampleShape != inputShape else { return data }
        guard data.featuresPerSample == inputShape.reduce(1, *) else {
            throw TrialFailure(message: Say.inputShapeMismatch(inputShape, data: data.sampleShape))
        }
        var d = data
        d.sampleShape = inputShape
        return d
    }

    struct Parts {
        var train: Dataset
        var validation: Dataset?
        var heldOut: Dataset?
        /// The preprocessing fitted on `train`, for anything else the model is shown.
        var preprocessor: Preprocessor?
    }

    /// Splits off the inner validation part (for val_ metrics and callbacks) from `train`, fits
    /// the preprocessing on what remains, and applies it to every part: nothing of the
    /// validation or held-out parts leaks into the statistics.
    static func parts(train: Dataset, heldOut: Dataset?, validationSplit: Double, preprocess: PreprocessMethod, seed: UInt64) throws -> Parts {
        var trainPart = train
        var validation: Dataset?
        if validationSplit > 0 {
            let split = try ValidationSplit.shuffled(train, fraction: validationSplit, seed: seed)
            validation = train.subset(split.validation)
            trainPart = train.subset(split.train)
        }
        let method = Binding.preprocessing(preprocess)
        guard method != .none else { return Parts(train: trainPart, validation: validation, heldOut: heldOut, preprocessor: nil) }
        let p = Preprocessor(fitting: method, on: trainPart)
        return Parts(train: p.apply(to: trainPart), validation: validation.map { p.apply(to: $0) },
                     heldOut: heldOut.map { p.apply(to: $0) }, preprocessor: p)
    }

    /// The seeds of one unit of work: its initial weights, its shuffles and its inner
    /// validation split, each from its own stream of the experiment's seed.
    struct Seeds {
        var model: UInt64
        var shuffleSeed: UInt64
        var validation: UInt64

        /// A cross-validation unit's seeds (streams `model`, `shuffle`, `validation`, index =
        /// the unit), or the final model's (streams `model.final`, ..., index = the trial).
        init(_ seed: UInt64, unit: Int, final: Bool) {
            let suffix = final ? ".final" : ""
            model = derivedSeed(seed, "model" + suffix, unit)
            shuffleSeed = derivedSeed(seed, "shuffle" + suffix, unit)
            validation = derivedSeed(seed, "validation" + suffix, unit)
        }
    }

    /// A trained model, the preprocessing fitted for it, and how training went.
    struct Fitted {
        var model: Sequential
        var preprocessor: Preprocessor?
        var outcome: TrainingOutcome
    }

    /// scikit-learn's `_fit_and_score`: builds the trial's model, trains it on `train` (minus
    /// its inner validation split, with preprocessing fitted on what is left) and scores it on
    /// `heldOut`. The one recipe of a cross-validation unit and of the final model alike.
    static func fitAndScore(_ trial: TrialConfig, train: Dataset, heldOut: Dataset?, inputShape: [Int], preprocess: PreprocessMethod,
                            seeds: Seeds, continuation: Continuation? = nil,
                            onEpoch: ((EpochProgress) -> Void)?, onBatch: ((BatchProgress) -> Void)?) throws -> Fitted {
        let train = try shaped(train, inputShape)
        let heldOut = try heldOut.map { d throws in try shaped(d, inputShape) }
        let parts = try parts(train: train, heldOut: heldOut, validationSplit: trial.fit.validationSplit,
                              preprocess: preprocess, seed: seeds.validation)
        let model = try model(trial, inputShape: inputShape, task: train.task, seed: seeds.model)
        let outcome = try self.train(model, trial, parts: parts, seed: seeds.shuffleSeed, continuation: continuation,
                                     onEpoch: onEpoch, onBatch: onBatch)
        return Fitted(model: model, preprocessor: parts.preprocessor, outcome: outcome)
    }

    /// Trains `model` with the trial's compile and fit settings and scores it on `heldOut`.
    static func train(_ model: Sequential, _ trial: TrialConfig, parts: Parts, seed: UInt64, continuation: Continuation? = nil,
                      onEpoch: ((EpochProgress) -> Void)?, onBatch: ((BatchProgress) -> Void)?) throws -> TrainingOutcome {
        let start = ContinuousClock.now
        let loss = try Binding.loss(trial.compile.loss)
        let optimizer = try Binding.optimizer(trial.compile.optimizer)
        let metrics = trial.compile.metrics.map(Binding.metric)
        var config = Engine.FitConfig(loss: loss, optimizer: optimizer, metrics: metrics, epochs: trial.fit.epochs,
                                      batchSize: trial.fit.batchSize, shuffle: trial.fit.shuffle, seed: seed,
                                      callbacks: try Binding.callbacks(trial.fit))
        config.onEpoch = onEpoch
        config.onBatch = onBatch
        config.shouldStop = { StopRequest.requested }
        if let c = continuation { config.epochs = c.toEpoch }
        let run = try FitRun(model, train: parts.train, validation: parts.validation, config: config)
        if let saved = continuation?.state { try run.restore(saved) }
        run.train(toEpoch: config.epochs)
        // Taken before `finish`, which may put EarlyStopping's best weights back: the next
        // rung goes on from where this one stopped, as one longer fit would.
        let state = continuation != nil ? run.state : nil
        let result = run.finish()
        var outcome = TrainingOutcome(status: .ok, reason: nil, metrics: [:], history: result.history,
                                      seconds: 0, interrupted: false, state: state)
        switch result.outcome {
        case .diverged(let epoch):
            outcome.status = .diverged
            outcome.reason = Say.diverged(epoch: epoch)
        case .interrupted:
            outcome.interrupted = true
            outcome.state = nil
        case .completed, .stoppedEarly:
            if let heldOut = parts.heldOut {
                let logs = try evaluate(model, data: heldOut, loss: loss, metrics: metrics,
                                        batchSize: max(trial.fit.batchSize, 256))
                for (k, v) in zip(logs.names, logs.values) { outcome.metrics[k] = v }
                if outcome.metrics.values.contains(where: { !$0.isFinite }) {
                    outcome.status = .diverged
                    outcome.reason = Say.heldOutDiverged
                }
            }
        }
        let d = ContinuousClock.now - start
        outcome.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return outcome
    }
}
