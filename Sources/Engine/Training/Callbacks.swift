/// What a callback sees of a running `fit`: the model, the optimizer, and the flag that ends
/// training after the current epoch (Keras's `model.stop_training`).
public final class TrainingContext {
    public let model: Sequential
    public let optimizer: Optimizer
    /// For each metric name in the logs (without "val_"), whether larger is better.
    public let higherIsBetter: [String: Bool]
    public var stopTraining = false

    init(model: Sequential, optimizer: Optimizer, higherIsBetter: [String: Bool]) {
        self.model = model
        self.optimizer = optimizer
        self.higherIsBetter = higherIsBetter
    }
}

/// A Keras callback. `epoch` is 0-based, as Keras passes it; `logs` holds the epoch's
/// values by name (loss, metrics, val_ forms) and a callback may add to them
/// (ReduceLROnPlateau adds learning_rate, as Keras does).
public protocol Callback: AnyObject {
    /// Checks its settings against the run and resets its state (callbacks are reusable).
    func trainBegin(_ context: TrainingContext) throws(TrainingError)
    func epochEnd(_ epoch: Int, logs: inout Logs, context: TrainingContext)
    func trainEnd(_ context: TrainingContext)
}

/// A callback's state between two parts of one training run: its counters and, for
/// EarlyStopping's `restore_best_weights`, the best weights so far.
public struct CallbackState: Codable, Sendable, Equatable {
    public var numbers: [Double]
    public var weights: [[Float]]?

    public init(numbers: [Double] = [], weights: [[Float]]? = nil) {
        self.numbers = numbers
        self.weights = weights
    }
}

/// A callback whose state a continued run must carry (after `trainBegin` set it up).
public protocol StatefulCallback: Callback {
    func saveState() -> CallbackState
    func restoreState(_ state: CallbackState)
}

extension Callback {
    public func trainBegin(_ context: TrainingContext) throws(TrainingError) {}
    public func epochEnd(_ epoch: Int, logs: inout Logs, context: TrainingContext) {}
    public func trainEnd(_ context: TrainingContext) {}
}

/// Whether a monitored quantity should fall or rise.
public enum MonitorMode: Sendable {
    case auto, min, max
}

/// Keras `EarlyStopping(monitor="val_loss", min_delta=0, patience=0, mode="auto",
/// baseline=None, restore_best_weights=False, start_from_epoch=0)`, with Keras 3 semantics:
///
/// - "auto" minimizes the loss and maximizes a metric whose direction is up (the
///   accuracies, R²), minimizes the others;
/// - an epoch improves when current − |min_delta| > best (max) or current + |min_delta| < best
///   (min); `wait` counts epochs since the last improvement and training stops once
///   wait ≥ patience, never at the first epoch;
/// - with `restore_best_weights`, the weights of the best epoch are put back when training
///   ends, whether or not it stopped early (the first monitored epoch counts as best if none
///   improves).
public final class EarlyStopping: StatefulCallback {
    public let monitor: String
    public let minDelta: Double
    public let patience: Int
    public let mode: MonitorMode
    public let baseline: Double?
    public let restoreBestWeights: Bool
    public let startFromEpoch: Int

    public private(set) var wait = 0
    /// 0-based epoch at which training was stopped; nil if it was not.
    public private(set) var stoppedEpoch: Int?
    public private(set) var best = Double.infinity
    public private(set) var bestEpoch = 0
    private var maximize = false
    private var bestWeights: [[Float]]?

    /// Every Keras argument is given (`baseline` nil: none): their defaults are the catalog's.
    public init(monitor: String, minDelta: Double, patience: Int, mode: MonitorMode, baseline: Double?,
                restoreBestWeights: Bool, startFromEpoch: Int) {
        self.monitor = monitor
        self.minDelta = abs(minDelta)
        self.patience = patience
        self.mode = mode
        self.baseline = baseline
        self.restoreBestWeights = restoreBestWeights
        self.startFromEpoch = startFromEpoch
    }

    public func trainBegin(_ context: TrainingContext) throws(TrainingError) {
        switch mode {
        case .min: maximize = false
        case .max: maximize = true
        case .auto:
            let base = monitor.hasPrefix("val_") ? String(monitor.dropFirst(4)) : monitor
            if base == "loss" {
                maximize = false
            } else if let up = context.higherIsBetter[base] {
                maximize = up
            } else {
                throw .invalidCallback(EngineSay.unknownDirection(monitor))
            }
        }
        wait = 0
        stoppedEpoch = nil
        bestWeights = nil
        bestEpoch = 0
        best = maximize ? -.infinity : .infinity
    }

    private func isImprovement(_ value: Double, over reference: Double) -> Bool {
        maximize ? value - minDelta > reference : value + minDelta < reference
    }

    public func epochEnd(_ epoch: Int, logs: inout Logs, context: TrainingContext) {
        guard let current = logs[monitor], epoch >= startFromEpoch else { return }
        if restoreBestWeights && bestWeights == nil {
            bestWeights = context.model.weights()
            bestEpoch = epoch
        }
        wait += 1
        if isImprovement(current, over: best) {
            best = current
            bestEpoch = epoch
            if restoreBestWeights { context.model.copyWeights(into: &bestWeights!) }
            if baseline.map({ isImprovement(current, over: $0) }) ?? true { wait = 0 }
            return
        }
        if wait >= patience && epoch > 0 {
            stoppedEpoch = epoch
            context.stopTraining = true
        }
    }

    public func trainEnd(_ context: TrainingContext) {
        if restoreBestWeights, let w = bestWeights { context.model.setWeights(w) }
    }

    public func saveState() -> CallbackState {
        CallbackState(numbers: [Double(wait), Double(stoppedEpoch ?? -1), best, Double(bestEpoch)], weights: bestWeights)
    }

    public func restoreState(_ state: CallbackState) {
        guard state.numbers.count == 4 else { return }
        wait = Int(state.numbers[0])
        stoppedEpoch = state.numbers[1] < 0 ? nil : Int(state.numbers[1])
        best = state.numbers[2]
        bestEpoch = Int(state.numbers[3])
        bestWeights = state.weights
    }
}

/// Keras `ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10, mode="auto",
/// min_delta=1e-4, cooldown=0, min_lr=0)`, with Keras 3 semantics:
///
/// - "auto" maximizes when the monitor's name contains "acc", else minimizes (Keras's rule);
/// - improvement: current < best − min_delta (min) or current > best + min_delta (max);
/// - during cooldown `wait` stays 0 (the epoch that ends the cooldown already counts); otherwise each epoch without improvement adds 1, and at
///   `patience` the rate becomes max(lr·factor, min_lr) if lr > min_lr, and cooldown starts;
/// - each epoch's logs get "learning_rate": the rate used during that epoch.
///
/// It needs a constant learning rate (Keras cannot set the rate of a schedule either).
public final class ReduceLROnPlateau: StatefulCallback {
    public let monitor: String
    public let factor: Float
    public let patience: Int
    public let mode: MonitorMode
    public let minDelta: Double
    public let cooldown: Int
    public let minLR: Float

    public private(set) var wait = 0
    public private(set) var cooldownCounter = 0
    public private(set) var best = Double.infinity
    private var maximize = false

    /// Every Keras argument is given: their defaults are the catalog's.
    public init(monitor: String, factor: Float, patience: Int, mode: MonitorMode, minDelta: Double, cooldown: Int, minLR: Float) {
        precondition(factor < 1, "ReduceLROnPlateau: factor must be below 1")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.mode = mode
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minLR = minLR
    }

    public func trainBegin(_ context: TrainingContext) throws(TrainingError) {
        if context.optimizer.learningRate.isSchedule {
            throw .invalidCallback(EngineSay.plateauNeedsConstantRate)
        }
        maximize = mode == .max || (mode == .auto && monitor.contains("acc"))
        best = maximize ? -.infinity : .infinity
        wait = 0
        cooldownCounter = 0
    }

    public func epochEnd(_ epoch: Int, logs: inout Logs, context: TrainingContext) {
        let lr = context.optimizer.currentLearningRate
        logs["learning_rate"] = Double(lr)
        guard let current = logs[monitor] else { return }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            wait = 0
        }
        if maximize ? current > best + minDelta : current < best - minDelta {
            best = current
            wait = 0
        } else if cooldownCounter == 0 {   // Keras checks the cooldown again after counting it down
            wait += 1
            if wait >= patience && lr > minLR {
                context.optimizer.learningRate = .constant(max(lr * factor, minLR))
                cooldownCounter = cooldown
                wait = 0
            }
        }
    }
}

extension ReduceLROnPlateau {
    public func saveState() -> CallbackState {
        CallbackState(numbers: [Double(wait), Double(cooldownCounter), best])
    }

    public func restoreState(_ state: CallbackState) {
        guard state.numbers.count == 3 else { return }
        wait = Int(state.numbers[0])
        cooldownCounter = Int(state.numbers[1])
        best = state.numbers[2]
    }
}
