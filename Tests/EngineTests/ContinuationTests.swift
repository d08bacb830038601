import Foundation
import Testing
@testable import Engine

/// A run trained in parts, with its state carried through JSON into fresh objects, must give
/// the bits of the same run trained in one go: weights, history, optimizer slots and step,
/// dropout masks, shuffles and the callbacks' counters all continue.
@Suite struct ContinuationTests {
    struct Setup {
        var model: Sequential
        var config: FitConfig
    }

    func make(_ rule: String, callbacks: () -> [Callback], epochs: Int) throws -> Setup {
        let model = try builtModel([Dense.keras(units: 16, activation: .relu), Dropout(rate: 0.3),
                                    Dense.keras(units: 3, activation: .softmax)], input: [2], seed: 11)
        var config = FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named(rule, learningRate: .constant(0.05))!,
                               metrics: [.accuracy], epochs: epochs, batchSize: 16, seed: 5)
        config.callbacks = callbacks()
        return Setup(model: model, config: config)
    }

    /// JSON with non-finite numbers as strings, as the runner's state files keep them.
    func roundTrip(_ s: TrainingState) throws -> TrainingState {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try d.decode(TrainingState.self, from: e.encode(s))
    }

    @Test(arguments: ["adam", "nadam", "sgd", "rmsprop"])
    func partsEqualOneGo(rule: String) throws {
        let train = blobs(samples: 150, seed: 1), validation = blobs(samples: 30, seed: 2)
        let callbacks: () -> [Callback] = {
            [ReduceLROnPlateau.keras(monitor: "val_loss", factor: 0.5, patience: 1, minDelta: 0.5),
             EarlyStopping.keras(monitor: "val_loss", patience: 50, restoreBestWeights: true)]
        }
        let whole = try make(rule, callbacks: callbacks, epochs: 9)
        let one = try FitRun(whole.model, train: train, validation: validation, config: whole.config)
        one.train(toEpoch: 9)
        let oneState = one.state

        // 1 epoch, then 3, then 9: each part in fresh objects restored from the last state.
        var state: TrainingState?
        for last in [1, 3, 9] {
            let part = try make(rule, callbacks: callbacks, epochs: 9)
            let run = try FitRun(part.model, train: train, validation: validation, config: part.config)
            if let state { try run.restore(try roundTrip(state)) }
            run.train(toEpoch: last)
            #expect(run.epoch == last)
            state = run.state
        }
        let parts = try #require(state)
        #expect(parts.weights == oneState.weights)
        #expect(parts.optimizer == oneState.optimizer)
        #expect(parts.layers == oneState.layers)
        #expect(parts.callbacks == oneState.callbacks)
        #expect(parts.history == oneState.history)
        #expect(parts == oneState)
        // ReduceLROnPlateau did act, so its state mattered.
        #expect(oneState.optimizer.learningRate != 0.05)
    }

    @Test func aStoppedRunStaysStopped() throws {
        let train = blobs(samples: 90, seed: 3), validation = blobs(samples: 30, seed: 4)
        let s = try make("adam", callbacks: { [EarlyStopping.keras(monitor: "val_loss", minDelta: 10, patience: 1)] }, epochs: 20)
        let run = try FitRun(s.model, train: train, validation: validation, config: s.config)
        run.train(toEpoch: 5)
        #expect(run.isOver)
        let stopped = run.state
        #expect(stopped.stopped && stopped.epoch == 2)
        let again = try make("adam", callbacks: { [EarlyStopping.keras(monitor: "val_loss", minDelta: 10, patience: 1)] }, epochs: 20)
        let next = try FitRun(again.model, train: train, validation: validation, config: again.config)
        try next.restore(stopped)
        next.train(toEpoch: 20)
        #expect(next.state == stopped)
    }

    @Test func aStateOfAnotherModelIsRefused() throws {
        let a = try make("adam", callbacks: { [] }, epochs: 2)
        let run = try FitRun(a.model, train: blobs(samples: 30, seed: 1), config: a.config)
        run.train(toEpoch: 1)
        let other = try builtModel([Dense.keras(units: 3, activation: .softmax)], input: [2])
        let b = FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named("adam")!)
        let wrong = try FitRun(other, train: blobs(samples: 30, seed: 1), config: b)
        #expect(throws: TrainingError.self) { try wrong.restore(run.state) }
    }
}
