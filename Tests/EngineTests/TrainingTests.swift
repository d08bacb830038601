import Foundation
import Testing
@testable import Engine

/// y = w·x + b for x ~ U[0, 1)^d, drawn from the engine's generator.
func linearData(weights: [Float], bias: Float, samples: Int, seed: UInt64) -> Dataset {
    var rng = RandomGenerator(seed: seed)
    let d = weights.count
    var x: [Float] = [], y: [Float] = []
    for _ in 0..<samples {
        var s = bias
        for j in 0..<d {
            let v = Float(rng.nextDouble())
            x.append(v)
            s += weights[j] * v
        }
        y.append(s)
    }
    return Dataset(sampleShape: [d], x: x, y: y, task: .regression(outputs: 1))
}

func builtModel(_ layers: [Layer], input: [Int], seed: UInt64 = 1) throws -> Sequential {
    let m = Sequential(layers)
    try m.build(inputShape: input, seed: seed)
    return m
}

/// Three Gaussian blobs in 2-D, classes 0, 1, 2.
func blobs(samples: Int, seed: UInt64) -> Dataset {
    var rng = RandomGenerator(seed: seed)
    let centers: [(Double, Double)] = [(-1, -1), (1, -0.5), (0, 1.2)]
    var x: [Float] = [], y: [Float] = []
    for i in 0..<samples {
        let c = i % 3
        x.append(Float(centers[c].0 + 0.3 * rng.normal()))
        x.append(Float(centers[c].1 + 0.3 * rng.normal()))
        y.append(Float(c))
    }
    return Dataset(sampleShape: [2], x: x, y: y, task: .classification(classes: 3, names: nil))
}

@Suite struct TrainingTests {
    // MARK: - The seeds' demos

    @Test func linearNeuronWithMAERecoversWeightAndBias() throws {
        // Notebook 000: Dense.keras(1, linear), compile(loss="mae") → Keras's default optimizer
        // rmsprop (lr 0.001); 1000 samples x ~ U[0, 1), 50 epochs, batch 10.
        let data = linearData(weights: [0.5], bias: 0.8, samples: 1000, seed: 3)
        let dense = Dense.keras(units: 1)
        let model = try builtModel([dense], input: [1])
        let r = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanAbsoluteError), optimizer: Optimizer.named("rmsprop")!,
                                                             epochs: 50, batchSize: 10, seed: 4))
        #expect(r.outcome == .completed)
        #expect(r.history["loss"]!.count == 50)
        #expect(abs(dense.kernel.value[0] - 0.5) < 0.01, "w = \(dense.kernel.value[0])")
        #expect(abs(dense.bias!.value[0] - 0.8) < 0.01, "b = \(dense.bias!.value[0])")
    }

    @Test func linearNeuronWithFourWeights() throws {
        // Notebook 000's second demo: weights [0.5, 0.8, −0.4, −0.2], bias 0.3, 100 epochs.
        let w: [Float] = [0.5, 0.8, -0.4, -0.2]
        let data = linearData(weights: w, bias: 0.3, samples: 1000, seed: 5)
        let dense = Dense.keras(units: 1)
        let model = try builtModel([dense], input: [4])
        _ = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanAbsoluteError), optimizer: Optimizer.named("rmsprop")!,
                                                          epochs: 100, batchSize: 10, seed: 6))
        for j in 0..<4 { #expect(abs(dense.kernel.value[j] - w[j]) < 0.01, "w = \(dense.kernel.value.array)") }
        #expect(abs(dense.bias!.value[0] - 0.3) < 0.01, "b = \(dense.bias!.value[0])")
    }

    @Test func sigmoidPerceptronLearnsTheTruthTable() throws {
        // Notebook 002: inputs [[0,0,1],[1,1,1],[1,0,1],[0,1,1]] → [0,1,1,0] (the first input);
        // Dense.keras(1, sigmoid) with binary cross-entropy (fused gradient p − y).
        let data = Dataset(sampleShape: [3], x: [0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1], y: [0, 1, 1, 0],
                           task: .classification(classes: 2, names: nil))
        let dense = Dense.keras(units: 1, activation: .sigmoid)
        let model = try builtModel([dense], input: [3])
        let r = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.binaryCrossentropy), optimizer: Optimizer.named("adam", learningRate: .constant(0.1))!,
                                                             metrics: [.accuracy], epochs: 200, batchSize: 4, seed: 1))
        #expect(r.history["accuracy"]!.last == 1)
        #expect(r.history["loss"]!.last! < 0.05)
        #expect(!dense.backwardSkipsActivation, "fit puts the flag back")
        let p = predict(model, x: [1, 0, 0])
        #expect(p[0] > 0.9, "p([1,0,0]) = \(p[0])")
    }

    @Test func reluNetFitsTheBumpFunction() throws {
        // Notebook 004: f(x, y) = exp(−5(x² + y²))·|x + y| on [−0.5, 0.5]², one hidden ReLU layer of 100.
        var rng = RandomGenerator(seed: 11)
        var x: [Float] = [], y: [Float] = []
        for _ in 0..<1000 {
            let a = rng.uniform(-0.5, 0.5), b = rng.uniform(-0.5, 0.5)
            x += [Float(a), Float(b)]
            y.append(Float(exp(-5 * (a * a + b * b)) * abs(a + b)))
        }
        let data = Dataset(sampleShape: [2], x: x, y: y, task: .regression(outputs: 1))
        let model = try builtModel([Dense.keras(units: 100, activation: .relu), Dense.keras(units: 1)], input: [2], seed: 2)
        let before = try evaluate(model, data: data, loss: .keras(.meanSquaredError))["loss"]!
        let r = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanSquaredError), optimizer: Optimizer.named("adam", learningRate: .constant(0.01))!,
                                                             epochs: 60, batchSize: 32, seed: 3))
        let after = try evaluate(model, data: data, loss: .keras(.meanSquaredError))["loss"]!
        #expect(before / after >= 10, "MSE \(before) → \(after), history \(r.history["loss"]!.suffix(3))")
    }

    @Test func softmaxClassifierWithSparseAndCategoricalLabels() throws {
        let train = blobs(samples: 300, seed: 1), valid = blobs(samples: 90, seed: 2)
        for loss in [Loss.keras(.sparseCategoricalCrossentropy), .keras(.categoricalCrossentropy)] {
            let model = try builtModel([Dense.keras(units: 16, activation: .tanh), Dense.keras(units: 3, activation: .softmax)], input: [2])
            let r = try fit(model, train: train, validation: valid,
                            config: FitConfig.keras(loss: loss, optimizer: Optimizer.named("adam", learningRate: .constant(0.05))!,
                                              metrics: [.accuracy], epochs: 15, batchSize: 16, seed: 9))
            #expect(r.history.keys == ["loss", "accuracy", "val_loss", "val_accuracy"])
            #expect(r.history["val_accuracy"]!.last! > 0.9, "\(loss): \(r.history["val_accuracy"]!)")
            #expect(r.history["loss"]!.last! < r.history["loss"]!.first!)
        }
    }

    // MARK: - Outcomes and errors

    @Test func hugeLearningRateDiverges() throws {
        let data = linearData(weights: [0.5, 0.8], bias: 0.3, samples: 200, seed: 1)
        let model = try builtModel([Dense.keras(units: 8, activation: .relu), Dense.keras(units: 1)], input: [2])
        let r = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanSquaredError), optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .constant(1e12)),
                                                             epochs: 5, batchSize: 10))
        #expect(r.outcome == .diverged(epoch: 1))
        #expect(r.history.epochs == 0)
    }

    @Test func binaryActivationIsRefused() throws {
        let data = linearData(weights: [0.5], bias: 0, samples: 10, seed: 1)
        let model = try builtModel([Dense.keras(units: 1, activation: .binary)], input: [1])
        #expect(throws: TrainingError.nonDifferentiable(layer: "dense", activation: "binary")) {
            try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanSquaredError), optimizer: Optimizer.named("sgd")!))
        }
    }

    @Test func incompatibleTargetsAreRefused() throws {
        let data = linearData(weights: [0.5], bias: 0, samples: 10, seed: 1)
        let model = try builtModel([Dense.keras(units: 3, activation: .softmax)], input: [1])
        #expect(throws: TrainingError.self) {
            try fit(model, train: data, config: FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named("sgd")!))
        }
    }

    @Test func shouldStopInterruptsAfterTheEpoch() throws {
        let data = linearData(weights: [0.5], bias: 0, samples: 50, seed: 1)
        let model = try builtModel([Dense.keras(units: 1)], input: [1])
        var epochsSeen = 0, batchesSeen = 0
        let r = try fit(model, train: data, config: FitConfig.keras(
            loss: .keras(.meanSquaredError), optimizer: Optimizer.named("sgd")!, epochs: 10, batchSize: 20,
            onBatch: { _ in batchesSeen += 1 }, onEpoch: { _ in epochsSeen += 1 }, shouldStop: { epochsSeen >= 2 }))
        #expect(r.outcome == .interrupted(epoch: 2))
        #expect(r.history.epochs == 2 && epochsSeen == 2 && batchesSeen == 6)
    }

    @Test func earlyStoppingEndsFit() throws {
        // Learning rate 0: the loss never improves after the first epoch, so with patience 1 the
        // second epoch stops training.
        let data = linearData(weights: [0.5], bias: 0, samples: 30, seed: 1)
        let model = try builtModel([Dense.keras(units: 1)], input: [1])
        let r = try fit(model, train: data, config: FitConfig.keras(
            loss: .keras(.meanSquaredError), optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .constant(0)), epochs: 10,
            callbacks: [EarlyStopping.keras(monitor: "loss", patience: 1)]))
        #expect(r.outcome == .stoppedEarly(epoch: 2))
        #expect(r.history["loss"]!.count == 2)
    }

    @Test func regularizationPenaltyIsInTheReportedLoss() throws {
        let data = linearData(weights: [0.5], bias: 0, samples: 20, seed: 1)
        let dense = Dense.keras(units: 1, kernelL2: 0.1)
        let model = try builtModel([dense], input: [1])
        dense.kernel.value[0] = 2
        let p = predict(model, x: data.x)
        let mse = zip(p, data.y).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(data.count)
        // Keras adds l2·Σw² = 0.1·2² to the loss it reports, in evaluate and in fit.
        let evaluated = try evaluate(model, data: data, loss: .keras(.meanSquaredError))["loss"]!
        #expect(abs(evaluated - (mse + 0.4)) < 1e-5)
        // With learning rate 0 the weights stay put, so fit reports the same.
        let r = try fit(model, train: data, config: FitConfig.keras(loss: .keras(.meanSquaredError), optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .constant(0))))
        #expect(abs(r.history["loss"]![0] - evaluated) < 1e-5)
    }

    // MARK: - Determinism

    @Test func sameSeedGivesBitIdenticalTraining() throws {
        func run(_ seed: UInt64) throws -> (History, [[Float]]) {
            let train = blobs(samples: 120, seed: 1)
            let model = try builtModel([Dense.keras(units: 8, activation: .relu), Dense.keras(units: 3, activation: .softmax)], input: [2], seed: seed)
            let r = try fit(model, train: train, validation: blobs(samples: 30, seed: 2),
                            config: FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named("nadam")!,
                                              metrics: [.accuracy], epochs: 3, batchSize: 7, seed: seed))
            return (r.history, model.weights())
        }
        let (h1, w1) = try run(42), (h2, w2) = try run(42), (_, w3) = try run(43)
        #expect(h1 == h2)
        #expect(w1 == w2)
        #expect(w1 != w3)
    }

    // MARK: - Metrics

    @Test func metricsOverAWholeEpoch() {
        // Two batches: RMSE over the epoch is √(Σe²/n), not the mean of the batches' RMSEs.
        var rmse = MetricAccumulator(Metric(name: "rmse", kind: .rootMeanSquaredError))
        var mae = MetricAccumulator(Metric(name: "mae", kind: .meanAbsoluteError))
        var r2 = MetricAccumulator(Metric(name: "r2", kind: .r2))
        let batches: [([Float], [Float])] = [([1, 2], [1, 1]), ([3], [5])]   // errors 0, 1, −2
        for (p, y) in batches {
            let pt = Tensor(shape: [p.count, 1], values: p), yt = Tensor(shape: [y.count, 1], values: y)
            rmse.add(output: pt, target: yt); mae.add(output: pt, target: yt); r2.add(output: pt, target: yt)
        }
        #expect(abs(rmse.result - (5.0 / 3).squareRoot()) < 1e-12)
        #expect(abs(mae.result - 1) < 1e-12)
        // y = [1, 1, 5]: mean 7/3, SS_tot = 2·(4/3)² + (8/3)² = 32/3; SS_res = 5 → R² = 1 − 15/32
        #expect(abs(r2.result - (1 - 15.0 / 32)) < 1e-12)
    }

    @Test func r2OfTwoOutputsAveragesThemAsScikitLearn() {
        // scikit-learn 1.2.1 (Debian python3-sklearn), its r2_score docstring's example:
        //   from sklearn.metrics import r2_score
        //   r2_score([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]])
        //   → 0.9368005266622779 (raw_values: 0.96543779, 0.90816327)
        // Fed in two batches, as an epoch would.
        var r2 = MetricAccumulator(Metric(name: "r2", kind: .r2))
        r2.add(output: Tensor(shape: [2, 2], values: [0, 2, -1, 2]), target: Tensor(shape: [2, 2], values: [0.5, 1, -1, 1]))
        r2.add(output: Tensor(shape: [1, 2], values: [8, -5]), target: Tensor(shape: [1, 2], values: [7, -6]))
        #expect(abs(r2.result - 0.9368005266622779) < 1e-12)
    }

    @Test func accuracyResolvesAsKeras() {
        #expect(Metric.Kind.accuracy(outputWidth: 1, targetWidth: 1) == .binaryAccuracy)
        #expect(Metric.Kind.accuracy(outputWidth: 3, targetWidth: 1) == .sparseCategoricalAccuracy)
        #expect(Metric.Kind.accuracy(outputWidth: 3, targetWidth: 3) == .categoricalAccuracy)
        var b = MetricAccumulator(.accuracy)
        b.add(output: Tensor(shape: [4, 1], values: [0.2, 0.6, 0.5, 0.9]), target: Tensor(shape: [4, 1], values: [0, 1, 1, 0]))
        #expect(b.result == 0.5)   // 0.5 is not above the threshold
        var s = MetricAccumulator(.accuracy)   // sparse: targets of width 1
        s.add(output: Tensor(shape: [2, 3], values: [0.1, 0.7, 0.2, 0.5, 0.3, 0.2]), target: Tensor(shape: [2, 1], values: [1, 2]))
        #expect(s.result == 0.5)
        var c = MetricAccumulator(.accuracy)   // categorical: one-hot targets
        c.add(output: Tensor(shape: [1, 3], values: [0.1, 0.7, 0.2]), target: Tensor(shape: [1, 3], values: [0, 1, 0]))
        #expect(c.result == 1)
    }
}

extension Dataset {
    /// The same targets with each sample's features replaced by `n` zeros (for shape tests).
    func withFeatures(_ n: Int) -> Dataset {
        Dataset(sampleShape: [n], x: Array(repeating: 0, count: n * count), y: y, task: task)
    }
}
