import Testing
@testable import Engine

/// Callbacks driven by scripted per-epoch values, without training.
@Suite struct CallbackTests {
    private func context(lr: Float = 0.1, metrics: [String: Bool] = ["accuracy": true, "mae": false]) throws -> TrainingContext {
        let model = try builtModel([Dense.keras(units: 1)], input: [1])
        return TrainingContext(model: model, optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .constant(lr)), higherIsBetter: metrics)
    }

    /// Feeds `values` as `key` epoch by epoch; returns the 0-based epoch at which the
    /// callback asked to stop, if any. Before each epoch the model's single weight is set to
    /// the epoch index, so restored weights tell which epoch they came from.
    private func script(_ cb: Callback, _ key: String, _ values: [Double], _ ctx: TrainingContext) throws -> Int? {
        try cb.trainBegin(ctx)
        for (epoch, v) in values.enumerated() {
            ctx.model.parameters[0].value[0] = Float(epoch)
            var logs = Logs()
            logs[key] = v
            cb.epochEnd(epoch, logs: &logs, context: ctx)
            if ctx.stopTraining { cb.trainEnd(ctx); return epoch }
        }
        cb.trainEnd(ctx)
        return nil
    }

    @Test func earlyStoppingPatience() throws {
        // best 0.9 at epoch 1; epochs 2, 3 do not improve → wait 2 = patience at epoch 3.
        #expect(try script(EarlyStopping.keras(patience: 2), "val_loss", [1.0, 0.9, 0.95, 0.92, 0.91], context()) == 3)
        // patience 0 still never stops at the first epoch, and stops at the first non-improvement.
        #expect(try script(EarlyStopping.keras(), "val_loss", [1.0, 0.8, 0.8], context()) == 2)
        #expect(try script(EarlyStopping.keras(patience: 5), "val_loss", [1, 0.9, 0.8, 0.7], context()) == nil)
    }

    @Test func earlyStoppingMinDelta() throws {
        // Improvements smaller than min_delta do not reset wait: 1.0 → 0.995 → 0.99 is no progress.
        #expect(try script(EarlyStopping.keras(minDelta: 0.01, patience: 2), "val_loss", [1.0, 0.995, 0.99, 0.5], context()) == 2)
    }

    @Test func earlyStoppingAutoModeMaximizesAccuracy() throws {
        #expect(try script(EarlyStopping.keras(monitor: "val_accuracy", patience: 1), "val_accuracy", [0.5, 0.6, 0.7, 0.65], context()) == 3)
        #expect(try script(EarlyStopping.keras(monitor: "val_mae", patience: 1), "val_mae", [0.5, 0.6], context()) == 1)
        #expect(try script(EarlyStopping.keras(monitor: "val_mae", patience: 1, mode: .max), "val_mae", [0.5, 0.6, 0.7], context()) == nil)
        #expect(throws: TrainingError.self) { try EarlyStopping.keras(monitor: "val_f1").trainBegin(try context()) }
    }

    @Test func earlyStoppingRestoresBestWeights() throws {
        let ctx = try context()
        let cb = EarlyStopping.keras(patience: 2, restoreBestWeights: true)
        #expect(try script(cb, "val_loss", [1.0, 0.7, 0.8, 0.9], ctx) == 3)
        #expect(ctx.model.parameters[0].value[0] == 1)   // the weights of epoch 1
        #expect(cb.bestEpoch == 1 && cb.best == 0.7)
        // Keras 3 restores at the end of training even without stopping.
        let ctx2 = try context()
        #expect(try script(EarlyStopping.keras(patience: 9, restoreBestWeights: true), "val_loss", [1.0, 0.5, 0.8], ctx2) == nil)
        #expect(ctx2.model.parameters[0].value[0] == 1)
    }

    @Test func earlyStoppingIgnoresAMissingMonitor() throws {
        #expect(try script(EarlyStopping.keras(), "loss", [1, 2, 3], context()) == nil)
    }

    @Test func reduceLROnPlateau() throws {
        let ctx = try context(lr: 0.1)
        let cb = ReduceLROnPlateau.keras(factor: 0.5, patience: 2, cooldown: 1, minLR: 0.02)
        try cb.trainBegin(ctx)
        var rates: [Double] = []
        // epoch: 0 best; 1,2 no improvement → reduce to 0.05 at 2 (cooldown 1);
        // 3 cooldown (wait stays 0, counter → 0, and this epoch counts: wait 1); 4 → wait 2 → 0.025;
        // 5 cooldown → wait 1; 6 → wait 2 → max(0.0125, 0.02) = 0.02; later: lr = min_lr, no change.
        for (epoch, v) in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0].enumerated() {
            var logs = Logs()
            logs["val_loss"] = v
            cb.epochEnd(epoch, logs: &logs, context: ctx)
            rates.append(logs["learning_rate"]!)
        }
        let want: [Float] = [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02]
        for (r, w) in zip(rates, want) { #expect(abs(r - Double(w)) < 1e-7, "\(rates)") }
        #expect(ctx.optimizer.currentLearningRate == 0.02)
    }

    @Test func reduceLROnPlateauResetsOnImprovement() throws {
        let ctx = try context(lr: 1)
        let cb = ReduceLROnPlateau.keras(patience: 2)   // min_delta 1e-4
        try cb.trainBegin(ctx)
        for (epoch, v) in [1.0, 0.99995, 0.9, 0.9, 0.9].enumerated() {
            var logs = Logs()
            logs["val_loss"] = v
            cb.epochEnd(epoch, logs: &logs, context: ctx)
        }
        // 0.99995 is within min_delta (wait 1); 0.9 improves (wait 0); two flat epochs → ×0.1
        #expect(abs(ctx.optimizer.currentLearningRate - 0.1) < 1e-7)
    }

    @Test func reduceLROnPlateauRefusesSchedules() throws {
        let model = try builtModel([Dense.keras(units: 1)], input: [1])
        let ctx = TrainingContext(model: model, optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .cosineDecay(initial: 0.1, decaySteps: 10, alpha: 0)),
                                  higherIsBetter: [:])
        #expect(throws: TrainingError.self) { try ReduceLROnPlateau.keras().trainBegin(ctx) }
    }
}
