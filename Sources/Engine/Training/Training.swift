/// A layer that keeps the values before its activation from its last `forward`, so the loss
/// can be computed from logits when the activation fuses with it (Keras uses the logits a
/// softmax or sigmoid output carries, `_keras_logits`, whenever they exist). A last layer
/// without it gets the loss from its probabilities, clipped as Keras's `from_logits=False`.
public protocol LogitsKeeping: ActivatedLayer {
    /// The pre-activation values of the last `forward`, shaped as its output.
    var logits: Tensor { get }
}

/// Why `fit` or `evaluate` cannot run.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    case notBuilt
    case emptyData(String)
    /// A layer whose activation has no useful gradient (e.g. "binary").
    case nonDifferentiable(layer: String, activation: String)
    /// The loss, the data's targets and the model's output do not fit together.
    case incompatible(String)
    case invalidCallback(String)

    public var description: String {
        switch self {
        case .notBuilt: EngineSay.notBuilt
        case .emptyData(let what): EngineSay.noSamples(what)
        case let .nonDifferentiable(layer, activation):
            EngineSay.nonDifferentiable(layer: layer, activation: activation)
        case .incompatible(let m): m
        case .invalidCallback(let m): m
        }
    }
}

/// Values by name in a fixed order: one epoch's logs.
public struct Logs: Sendable, Equatable {
    public private(set) var names: [String] = []
    public private(set) var values: [Double] = []

    public init() {}

    public subscript(name: String) -> Double? {
        get { names.firstIndex(of: name).map { values[$0] } }
        set {
            if let i = names.firstIndex(of: name) {
                if let v = newValue { values[i] = v } else { names.remove(at: i); values.remove(at: i) }
            } else if let v = newValue {
                names.append(name)
                values.append(v)
            }
        }
    }
}

/// Keras's `History.history`: each logged quantity per epoch, keys in first-logged order
/// (loss, the metrics, val_loss, the val_ metrics, then what callbacks add).
public struct History: Sendable, Equatable, Codable {
    public private(set) var keys: [String] = []
    public private(set) var values: [String: [Double]] = [:]
    public private(set) var epochs = 0

    public init() {}

    public subscript(key: String) -> [Double]? { values[key] }

    mutating func append(_ logs: Logs) {
        for (k, v) in zip(logs.names, logs.values) {
            if values[k] == nil {
                keys.append(k)
                values[k] = Array(repeating: .nan, count: epochs)
            }
            values[k]!.append(v)
        }
        epochs += 1
        for k in keys where values[k]!.count < epochs { values[k]!.append(.nan) }
    }
}

/// How a `fit` ended. Epochs are 1-based (as Keras prints them).
public enum FitOutcome: Sendable, Equatable {
    case completed
    /// A callback (EarlyStopping) stopped training after this epoch.
    case stoppedEarly(epoch: Int)
    /// A batch's loss was NaN or infinite during this epoch; training stopped at once and the
    /// epoch is not in the history.
    case diverged(epoch: Int)
    /// `shouldStop` returned true after this epoch.
    case interrupted(epoch: Int)
}

/// What `fit` returns.
public struct FitResult: Sendable {
    public var history: History
    public var outcome: FitOutcome
}

/// Progress after one training batch.
public struct BatchProgress: Sendable {
    public var epoch: Int           // 1-based
    public var batch: Int           // 1-based
    public var batches: Int
    /// The running mean of the epoch's loss so far (Keras's progress bar value).
    public var loss: Double
}

/// Progress after one epoch.
public struct EpochProgress: Sendable {
    public var epoch: Int           // 1-based
    public var epochs: Int
    public var logs: Logs
    /// The epoch's wall time: its batches and validation (Keras's progress bar shows it).
    public var seconds: Double = 0
}

/// The settings of `fit`: Keras's `compile` and `fit` arguments.
public struct FitConfig {
    public var loss: Loss
    public var optimizer: Optimizer
    /// Each metric's name becomes a history key, and a "val_" one with validation data.
    public var metrics: [Metric]
    public var epochs: Int
    public var batchSize: Int
    /// Reorders the training samples before each epoch, from `seed`.
    public var shuffle: Bool
    public var seed: UInt64
    public var callbacks: [Callback]
    public var onBatch: ((BatchProgress) -> Void)?
    public var onEpoch: ((EpochProgress) -> Void)?
    /// Checked after every epoch; true ends training (Ctrl-C).
    public var shouldStop: () -> Bool

    /// Keras's arguments are all given (their defaults are the catalog's); the hooks are optional.
    public init(loss: Loss, optimizer: Optimizer, metrics: [Metric], epochs: Int, batchSize: Int, shuffle: Bool, seed: UInt64,
                callbacks: [Callback], onBatch: ((BatchProgress) -> Void)? = nil,
                onEpoch: ((EpochProgress) -> Void)? = nil, shouldStop: @escaping () -> Bool = { false }) {
        self.loss = loss
        self.optimizer = optimizer
        self.metrics = metrics
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.callbacks = callbacks
        self.onBatch = onBatch
        self.onEpoch = onEpoch
        self.shouldStop = shouldStop
    }
}

/// How a data set's target rows become the target tensor the loss takes.
enum TargetEncoding: Equatable {
    /// The rows as they are (width = the data's target width).
    case copy(width: Int)
    /// A class index becomes a one-hot row of this width (categorical cross-entropy on
    /// integer labels).
    case oneHot(classes: Int)

    var width: Int {
        switch self {
        case .copy(let w): w
        case .oneHot(let k): k
        }
    }

    static func choose(loss: Loss, data: Dataset, outputWidth k: Int) throws(TrainingError) -> TargetEncoding {
        let t = data.targetWidth
        switch loss.kind {
        case .sparseCategoricalCrossentropy:
            guard case .classification(let classes, _) = data.task else {
                throw .incompatible(EngineSay.needsClassLabels(loss.name))
            }
            guard classes <= k else {
                throw .incompatible(EngineSay.tooFewOutputs(loss.name, classes: classes, outputs: k))
            }
            return .copy(width: 1)
        case .categoricalCrossentropy:
            if case .classification(let classes, _) = data.task, t == 1 {
                guard classes <= k, k > 1 else {
                    throw .incompatible(EngineSay.tooFewOutputs(loss.name, classes: classes, outputs: k))
                }
                return .oneHot(classes: k)
            }
            guard t == k else { throw .incompatible(EngineSay.targetWidthDiffers(loss.name, target: t, output: k)) }
            return .copy(width: t)
        default:
            guard t == k else {
                throw .incompatible(EngineSay.targetWidthDiffers(loss.name, target: t, output: k))
            }
            return .copy(width: t)
        }
    }

    /// Writes the targets of `rows` of `data` into `into` (resized to (rows.count, width)).
    func gather(_ data: Dataset, rows: ArraySlice<Int>, into y: Tensor) {
        let w = width, t = data.targetWidth
        if y.shape.count != 2 || y.batch != rows.count || y.sampleCount != w { y.resize([rows.count, w]) }
        let d = y.data
        data.y.withUnsafeBufferPointer { src in
            switch self {
            case .copy:
                for (r, i) in rows.enumerated() { (d + r * w).update(from: src.baseAddress! + i * t, count: t) }
            case .oneHot:
                (d).update(repeating: 0, count: rows.count * w)
                for (r, i) in rows.enumerated() { d[r * w + Int(src[i])] = 1 }
            }
        }
    }
}

/// Copies the samples `rows` of `data` into `x` (resized to (rows.count,) + sampleShape), as
/// floats with the data's preprocessing applied (`Dataset.copyFeatures`), in parts on the
/// calling thread's budget (`gatherParts`).
func gatherFeatures(_ data: Dataset, rows: ArraySlice<Int>, into x: Tensor, shape: inout [Int]) {
    // Resize only when the batch size changes: a new shape array per batch would allocate.
    if x.shape.count != shape.count || x.batch != rows.count {
        shape[0] = rows.count
        x.resize(shape)
    }
    // Each value is computed from its own byte alone, so any split gives the same bits. Serial,
    // the gather of a 256-image batch was ~4% of an MLP step with the other thread idle.
    let parts = gatherParts(rows: rows.count, features: data.featuresPerSample)
    let f = data.featuresPerSample, out = x.data, first = rows.startIndex
    Threads.forEach(parts.count) { p in
        let r = parts[p]
        data.copyFeatures(rows: rows[(first + r.lowerBound)..<(first + r.upperBound)], into: out + r.lowerBound * f)
    }
}

/// The parts of a batch gathered side by side: at least 32k values each, so a small batch
/// (32 images) stays one part and costs no meeting of the threads.
func gatherParts(rows: Int, features: Int) -> [Range<Int>] {
    Threads.split(rows, minimum: max(1, 32_768 / max(1, features)))
}

/// The loss, its gradient and the metrics of one model and data set: shared by `fit` and
/// `evaluate`, holding the buffers reused across batches.
final class LossEvaluator {
    let loss: Loss
    let encoding: TargetEncoding
    let metrics: [Metric]
    /// True when the last layer's activation fuses with the loss (softmax/sigmoid + CE).
    let fused: Bool
    let last: Layer?
    let x = Tensor(shape: [1])
    let y = Tensor(shape: [1])
    let dOutput = Tensor(shape: [1])
    var xShape: [Int]

    init(model: Sequential, loss: Loss, data: Dataset, metrics: [Metric]) throws(TrainingError) {
        guard model.isBuilt else { throw .notBuilt }
        guard data.featuresPerSample == model.inputShape.reduce(1, *) else {
            throw .incompatible(EngineSay.featuresDiffer(data.featuresPerSample, sampleShape: data.sampleShape, inputShape: model.inputShape))
        }
        let k = model.outputShape.reduce(1, *)
        self.loss = loss
        encoding = try TargetEncoding.choose(loss: loss, data: data, outputWidth: k)
        self.metrics = metrics
        last = model.layers.last
        // With `from_logits` the output already is the logits (Keras never fuses then).
        if !loss.fromLogits, let a = last as? ActivatedLayer, let f = loss.outputActivation, a.activation == f {
            fused = true
        } else {
            fused = false
        }
        xShape = [1] + model.inputShape
    }

    /// Loads the batch `rows` of `data` into `x` and `y`.
    func load(_ data: Dataset, rows: ArraySlice<Int>) {
        gatherFeatures(data, rows: rows, into: x, shape: &xShape)
        encoding.gather(data, rows: rows, into: y)
    }

    /// The loss of the batch whose output is `output`: from the logits when fused and the
    /// last layer keeps them (Keras's `_keras_logits` path), else from the output.
    func value(_ output: Tensor) -> Float {
        if fused, let l = last as? LogitsKeeping { return loss.fusedValue(logits: l.logits, target: y) }
        return loss.value(output: output, target: y)
    }

    /// dLoss/dOutput, or dLoss/dLogits when fused (the last layer then skips its activation).
    func gradient(_ output: Tensor) -> Tensor {
        if fused { loss.fusedGradient(probabilities: output, target: y, into: dOutput) }
        else { loss.gradient(output: output, target: y, into: dOutput) }
        return dOutput
    }
}

/// Keras's `model.fit`: trains `model` (built) on `train` for `config.epochs` epochs of
/// mini-batches, evaluating on `validation` after each epoch.
///
/// Per batch: gather the (shuffled) rows into batch tensors made once and reused; forward in
/// training mode; the loss (plus the L1/L2 penalty, as Keras reports it); zero the gradients
/// (those backward does not overwrite); backward; add the penalty's gradient; one optimizer
/// step (taken during backward, range by range, when nothing needs whole gradients first).
/// The epoch's loss is the mean of the batch losses weighted by batch size, and the metrics
/// accumulate over the epoch's batches (computed on each batch's output before its update), as
/// Keras's trackers.
///
/// Training is single-threaded Swift around BLAS and oneDNN: the same seed and thread setting
/// give bit-identical histories and weights.
public func fit(_ model: Sequential, train: Dataset, validation: Dataset? = nil,
                config: FitConfig) throws(TrainingError) -> FitResult {
    let run = try FitRun(model, train: train, validation: validation, config: config)
    run.train(toEpoch: config.epochs)
    return run.finish()
}

/// What a training run needs to continue exactly where it stopped, in another process:
/// the epochs done, the history, every weight (trainable or not), the optimizer's slots and
/// step count, each random layer's generator and each callback's counters. The shuffles are
/// not saved: the order after `epoch` epochs is replayed from the seed.
public struct TrainingState: Codable, Sendable, Equatable {
    public var epoch: Int
    public var stopped: Bool
    public var history: History
    public var weights: [[Float]]
    public var optimizer: OptimizerState
    public var layers: [[UInt64]]
    public var callbacks: [CallbackState]
}

/// A layer that draws random numbers while training (Dropout), whose generator a continued
/// run must put back where it was.
public protocol RandomLayer: Layer {
    var randomState: [UInt64] { get set }
}

/// One `fit`, in parts: `train(toEpoch:)` may be called again with a later epoch and goes
/// on from where it stopped (Keras's `initial_epoch`), and `state` / `restore` carry it to
/// another process: training 3 epochs, saving, restoring into a model, optimizer and callbacks
/// made alike and training to 9 gives the same bits as training 9 in one go.
public final class FitRun {
    let model: Sequential
    let train: Dataset
    let validation: Dataset?
    let config: FitConfig
    let eval: LossEvaluator
    let validator: LossEvaluator?
    let context: TrainingContext
    let parameters: [Parameter]
    let regularized: Bool
    var order: [Int]
    var shuffler: RandomGenerator
    var accumulators: [MetricAccumulator]
    public private(set) var history = History()
    public private(set) var outcome = FitOutcome.completed
    /// Epochs done.
    public private(set) var epoch = 0

    /// Checks the model and data and starts the callbacks (`trainBegin`); trains nothing.
    public init(_ model: Sequential, train: Dataset, validation: Dataset? = nil, config: FitConfig) throws(TrainingError) {
        guard model.isBuilt else { throw .notBuilt }
        guard train.count > 0 else { throw .emptyData(EngineSay.trainingData) }
        if let v = validation, v.count == 0 { throw .emptyData(EngineSay.validationData) }
        for layer in model.layers {
            if let a = layer as? ActivatedLayer, !a.activation.isDifferentiable {
                throw .nonDifferentiable(layer: layer.name, activation: a.activation.name)
            }
        }
        self.model = model
        self.train = train
        self.validation = validation
        self.config = config
        eval = try LossEvaluator(model: model, loss: config.loss, data: train, metrics: config.metrics)
        validator = try validation.map { v throws(TrainingError) in
            try LossEvaluator(model: model, loss: config.loss, data: v, metrics: config.metrics)
        }
        var directions: [String: Bool] = [:]
        for m in eval.metrics { directions[m.name] = m.kind.higherIsBetter }
        context = TrainingContext(model: model, optimizer: config.optimizer, higherIsBetter: directions)
        for c in config.callbacks { try c.trainBegin(context) }
        parameters = model.parameters
        regularized = parameters.contains { $0.trainable && ($0.l1 != 0 || $0.l2 != 0) }
        order = Array(0..<train.count)
        shuffler = RandomGenerator(seed: config.seed, stream: "shuffle")
        accumulators = eval.metrics.map(MetricAccumulator.init)
    }

    /// Whether training has ended for good: stopped early, diverged or interrupted.
    public var isOver: Bool {
        if case .completed = outcome { return false }
        return true
    }

    /// The state to continue from (take it before `finish`, which may restore best weights).
    public var state: TrainingState {
        TrainingState(epoch: epoch, stopped: isOver, history: history, weights: model.weights(),
                      optimizer: config.optimizer.state(for: parameters),
                      layers: model.layers.compactMap { ($0 as? RandomLayer)?.randomState },
                      callbacks: config.callbacks.map { ($0 as? StatefulCallback)?.saveState() ?? CallbackState() })
    }

    /// Puts this run where `state` was taken: the model, optimizer and callbacks must be made
    /// as for the run that saved it. The shuffled order is replayed for the epochs done.
    public func restore(_ state: TrainingState) throws(TrainingError) {
        let randomLayers = model.layers.compactMap { $0 as? RandomLayer }
        guard state.weights.count == parameters.count,
              zip(state.weights, parameters).allSatisfy({ $0.count == $1.count }),
              state.optimizer.slots.count == parameters.count,
              state.layers.count == randomLayers.count, state.callbacks.count == config.callbacks.count else {
            throw .incompatible(EngineSay.stateDoesNotFit)
        }
        model.setWeights(state.weights)
        config.optimizer.restore(state.optimizer, for: parameters)
        for (layer, s) in zip(randomLayers, state.layers) { layer.randomState = s }
        for (c, s) in zip(config.callbacks, state.callbacks) { (c as? StatefulCallback)?.restoreState(s) }
        history = state.history
        epoch = state.epoch
        if config.shuffle { for _ in 0..<state.epoch { shuffler.shuffle(&order) } }
        if state.stopped { outcome = .stoppedEarly(epoch: state.epoch) }
    }

    /// Trains epochs `epoch ..< last` (fewer if a callback stops it, the loss diverges or
    /// `shouldStop` says so).
    public func train(toEpoch last: Int) {
        guard !isOver, epoch < last else { return }
        let lastActivated = model.layers.last as? ActivatedLayer
        if eval.fused { lastActivated?.backwardSkipsActivation = true }
        defer { if eval.fused { lastActivated?.backwardSkipsActivation = false } }
        // A ReLU followed by max pooling: the pooling's backward applies the ReLU's derivative.
        let reluPools = zip(model.layers, model.layers.dropFirst()).compactMap { a, b -> (ActivatedLayer, MaxPooling2D)? in
            guard let a = a as? ActivatedLayer, a.activation == .relu, !a.backwardSkipsActivation,
                  let b = b as? MaxPooling2D else { return nil }
            return (a, b)
        }
        for (a, b) in reluPools { a.backwardSkipsActivation = true; b.backwardAppliesReLU = true }
        defer { for (a, b) in reluPools { a.backwardSkipsActivation = false; b.backwardAppliesReLU = false } }
        // The gradient with respect to the model's input is never read: skip it. Layers without
        // parameters before the first that has some (Flatten, Reshape) only pass that gradient
        // back, so that first layer need not compute it either (Flatten → Dense: a product as
        // large as the Dense's forward).
        let first = model.layers.first { !$0.parameters.isEmpty } as? InputGradientOptional
        let firstComputed = first?.computesInputGradient
        first?.computesInputGradient = false
        defer { if let firstComputed { first?.computesInputGradient = firstComputed } }

        let optimizer = config.optimizer
        // Layers that can write their gradients do, so only the others' are zeroed. Unless
        // something needs every gradient whole first (clipping, weight decay, the regularizers'
        // gradient), the optimizer updates each range of those gradients as soon as backward has
        // it, while it is in cache: the same arithmetic on the same values, so the same bits.
        let writers = model.layers.compactMap { $0 as? GradientWriting }
        let byRange = optimizer.updatesByRange && !regularized
        for layer in writers {
            layer.backwardWritesGradients = true
            if byRange { layer.gradientReady = { p, range in if p.trainable { optimizer.update(p, range: range) } } }
        }
        defer { for layer in writers { layer.backwardWritesGradients = false; layer.gradientReady = nil } }
        let written = Set(writers.flatMap { $0.parameters.map(ObjectIdentifier.init) })
        let zeroed = parameters.filter { !written.contains(ObjectIdentifier($0)) }
        let batchSize = max(1, config.batchSize)
        let n = train.count
        let batches = (n + batchSize - 1) / batchSize

        epochs: while epoch < last {
            let epochStart = ContinuousClock.now
            if config.shuffle { shuffler.shuffle(&order) }
            for i in accumulators.indices { accumulators[i].reset() }
            var lossSum = 0.0
            for b in 0..<batches {
                let rows = order[(b * batchSize)..<min((b + 1) * batchSize, n)]
                eval.load(train, rows: rows)
                let output = model.forward(eval.x, training: true)
                var batchLoss = eval.value(output)
                if regularized { batchLoss += Regularization.penalty(parameters) }
                guard batchLoss.isFinite else {
                    outcome = .diverged(epoch: epoch + 1)
                    break epochs
                }
                for i in accumulators.indices { accumulators[i].add(output: output, target: eval.y) }
                lossSum += Double(batchLoss) * Double(rows.count)
                for p in zeroed { p.grad.fill(0) }
                if byRange {
                    optimizer.beginStep(parameters)
                    model.backward(eval.gradient(output))
                    optimizer.endStep(rest: zeroed)
                } else {
                    model.backward(eval.gradient(output))
                    if regularized { Regularization.addGradient(parameters) }
                    optimizer.apply(to: parameters)
                }
                if let onBatch = config.onBatch {
                    onBatch(BatchProgress(epoch: epoch + 1, batch: b + 1, batches: batches,
                                          loss: lossSum / Double(min((b + 1) * batchSize, n))))
                }
            }
            var logs = Logs()
            logs["loss"] = lossSum / Double(n)
            for a in accumulators { logs[a.metric.name] = a.result }
            if let validation, let validator {
                let v = evaluate(model, validator, data: validation, batchSize: batchSize, parameters: parameters)
                for (k, value) in zip(v.names, v.values) { logs["val_" + k] = value }
            }
            for c in config.callbacks { c.epochEnd(epoch, logs: &logs, context: context) }
            history.append(logs)
            epoch += 1
            config.onEpoch?(EpochProgress(epoch: epoch, epochs: config.epochs, logs: logs,
                                          seconds: (ContinuousClock.now - epochStart) / .seconds(1)))
            if let l = logs["loss"], !l.isFinite {
                outcome = .diverged(epoch: epoch)
                break
            }
            if context.stopTraining {
                outcome = .stoppedEarly(epoch: epoch)
                break
            }
            if config.shouldStop() {
                outcome = .interrupted(epoch: epoch)
                break
            }
        }
    }

    /// Ends the run (the callbacks' `trainEnd`: EarlyStopping may restore the best weights).
    public func finish() -> FitResult {
        for c in config.callbacks { c.trainEnd(context) }
        return FitResult(history: history, outcome: outcome)
    }
}

/// Keras's `model.evaluate`: the loss (with the L1/L2 penalty, as Keras) and each metric over
/// all of `data`, in inference mode, by batches of `batchSize`. Keys: "loss", then the
/// metric names.
public func evaluate(_ model: Sequential, data: Dataset, loss: Loss, metrics: [Metric] = [],
                     batchSize: Int = 32) throws(TrainingError) -> Logs {
    guard data.count > 0 else { throw .emptyData(EngineSay.evaluationData) }
    let eval = try LossEvaluator(model: model, loss: loss, data: data, metrics: metrics)
    return evaluate(model, eval, data: data, batchSize: max(1, batchSize), parameters: model.parameters)
}

func evaluate(_ model: Sequential, _ eval: LossEvaluator, data: Dataset, batchSize: Int,
              parameters: [Parameter]) -> Logs {
    var accumulators = eval.metrics.map(MetricAccumulator.init)
    let n = data.count
    let all = Array(0..<n)
    var lossSum = 0.0
    var start = 0
    while start < n {
        let rows = all[start..<min(start + batchSize, n)]
        eval.load(data, rows: rows)
        let output = model.forward(eval.x, training: false)
        lossSum += Double(eval.value(output)) * Double(rows.count)
        for i in accumulators.indices { accumulators[i].add(output: output, target: eval.y) }
        start += batchSize
    }
    var logs = Logs()
    logs["loss"] = lossSum / Double(n) + Double(Regularization.penalty(parameters))
    for a in accumulators { logs[a.metric.name] = a.result }
    return logs
}

/// `predict` for the samples of `data`, read batch by batch with its preprocessing applied
/// (`Dataset.copyFeatures`): the same outputs as `predict(model, x: data.x)` without a float
/// copy of all its features.
public func predict(_ model: Sequential, data: Dataset, batchSize: Int = 32) -> [Float] {
    precondition(model.isBuilt, "predict: the model is not built")
    let f = model.inputShape.reduce(1, *)
    precondition(data.featuresPerSample == f, "predict: samples of \(data.featuresPerSample) values for a model of \(f)")
    return predict(model, count: data.count, batchSize: batchSize) { rows, batch in data.copyFeatures(rows: rows, into: batch) }
}

/// Keras's `model.predict`: the model's outputs for the samples in `x` (row-major, each
/// sample `model.inputShape`), in inference mode by batches of `batchSize`. The result has
/// one row of the output's size per sample.
public func predict(_ model: Sequential, x: [Float], batchSize: Int = 32) -> [Float] {
    precondition(model.isBuilt, "predict: the model is not built")
    let f = model.inputShape.reduce(1, *)
    precondition(f > 0 && x.count % f == 0, "predict: \(x.count) values is not a whole number of samples of \(f)")
    return predict(model, count: x.count / f, batchSize: batchSize) { rows, batch in
        x.withUnsafeBufferPointer { batch.update(from: $0.baseAddress! + rows.lowerBound * f, count: rows.count * f) }
    }
}

/// The outputs for `n` samples, by batches of `batchSize` that `fill` writes (the rows asked
/// for, into the batch tensor's values).
private func predict(_ model: Sequential, count n: Int, batchSize: Int,
                     fill: (Range<Int>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    let k = model.outputShape.reduce(1, *), bs = max(1, batchSize)
    var out = [Float](repeating: 0, count: n * k)
    let batch = Tensor(shape: [min(bs, max(n, 1))] + model.inputShape)
    var start = 0
    while start < n {
        let m = min(bs, n - start)
        batch.resize([m] + model.inputShape)
        fill(start..<(start + m), batch.data)
        let y = model.forward(batch, training: false)
        out.withUnsafeMutableBufferPointer { ($0.baseAddress! + start * k).update(from: y.data, count: m * k) }
        start += m
    }
    return out
}
