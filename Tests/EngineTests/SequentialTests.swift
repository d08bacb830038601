import Foundation
import Testing
@testable import Engine

@Suite struct SequentialTests {
    @Test func snakeCaseAsKeras() {
        #expect(Sequential.snakeCase("Dense") == "dense")
        #expect(Sequential.snakeCase("Conv2D") == "conv2d")
        #expect(Sequential.snakeCase("MaxPooling2D") == "max_pooling2d")
        #expect(Sequential.snakeCase("BatchNormalization") == "batch_normalization")
    }

    @Test func mlpNamesCountsAndSummary() throws {
        // Notebook 001's MLP on flattened 28×28 inputs: 784·300+300, 300·100+100, 100·10+10.
        let model = try builtModel([Dense.keras(units: 300, activation: .relu), Dense.keras(units: 100, activation: .relu),
                                    Dense.keras(units: 10, activation: .softmax)], input: [784])
        #expect(model.layers.map(\.name) == ["dense", "dense_1", "dense_2"])
        #expect(model.parameterCount == 266_610)
        #expect(model.trainableParameterCount == 266_610)
        let s = model.summary()
        #expect(s.contains("dense_1 (Dense)"))
        #expect(s.contains("(None, 300)"))
        #expect(s.contains("235,500"))
        #expect(s.contains("Total params: 266,610 (1.02 MB)"))
        #expect(s.contains("Trainable params: 266,610 (1.02 MB)"))
        #expect(s.contains("Non-trainable params: 0 (0.00 B)"))
        let lines = s.split(separator: "\n")
        #expect(Set(lines.dropFirst().prefix(9).map { $0.count }).count == 1, "table rows have one width:\n\(s)")
    }

    @Test func callerChosenNamesAreKept() throws {
        let model = try builtModel([Dense.keras(units: 2), Dense.keras(units: 2, name: "dense_1"), Dense.keras(units: 2, name: "head"), Dense.keras(units: 1)], input: [3])
        #expect(model.layers.map(\.name) == ["dense", "dense_1", "head", "dense_2"])
        #expect(throws: ShapeError.self) { try builtModel([Dense.keras(units: 2, name: "a"), Dense.keras(units: 2, name: "a")], input: [3]) }
    }

    @Test func grouping() {
        #expect(Sequential.grouped(0) == "0")
        #expect(Sequential.grouped(999) == "999")
        #expect(Sequential.grouped(1_413_834) == "1,413,834")
    }

    @Test func sameSeedSameWeights() throws {
        let a = try builtModel([Dense.keras(units: 5, activation: .relu), Dense.keras(units: 2)], input: [3], seed: 7)
        let b = try builtModel([Dense.keras(units: 5, activation: .relu), Dense.keras(units: 2)], input: [3], seed: 7)
        let c = try builtModel([Dense.keras(units: 5, activation: .relu), Dense.keras(units: 2)], input: [3], seed: 8)
        #expect(a.weights() == b.weights())
        #expect(a.weights() != c.weights())
    }

    @Test func forwardBackwardThroughLayers() throws {
        // The model's backward equals the chain of its layers' backward: check dInput by
        // central differences of L = Σ r·y.
        let model = try builtModel([Dense.keras(units: 4, activation: .tanh), Dense.keras(units: 2, activation: .sigmoid)], input: [3])
        let x = Tensor(shape: [2, 3], values: [0.1, -0.4, 0.3, 0.7, 0.2, -0.5])
        let r: [Float] = [0.3, -1.2, 0.8, 0.5]
        let y = model.forward(x, training: true)
        model.zeroGradients()
        let dx = model.backward(Tensor(shape: y.shape, values: r)).array
        let check = lossGradientCheck(x, analytic: dx) {
            let y = model.forward(x, training: true)
            return (0..<y.count).reduce(Float(0)) { $0 + r[$1] * y[$1] }
        }
        #expect(check.ok, "\(check.worst)")
    }
}

/// The notebook's CNN (seed 001), and the layers beyond Dense through the model.
@Suite struct SequentialCNNTests {
    static func notebookCNN() -> [Layer] {
        [Conv2D.keras(filters: 64, kernelSize: 7, padding: .same, activation: .relu), MaxPooling2D.keras(poolSize: 2),
         Conv2D.keras(filters: 128, kernelSize: 3, padding: .same, activation: .relu),
         Conv2D.keras(filters: 128, kernelSize: 3, padding: .same, activation: .relu), MaxPooling2D.keras(poolSize: 2),
         Conv2D.keras(filters: 256, kernelSize: 3, padding: .same, activation: .relu),
         Conv2D.keras(filters: 256, kernelSize: 3, padding: .same, activation: .relu), MaxPooling2D.keras(poolSize: 2),
         Flatten(), Dense.keras(units: 128, activation: .relu), Dropout(rate: 0.5),
         Dense.keras(units: 64, activation: .relu), Dropout(rate: 0.5), Dense.keras(units: 10, activation: .softmax)]
    }

    @Test func notebookCNNCountsAndSummary() throws {
        let model = try builtModel(Self.notebookCNN(), input: [28, 28, 1])
        #expect(model.parameterCount == 1_413_834)
        let perLayer = model.layers.map { $0.parameters.reduce(0) { $0 + $1.count } }.filter { $0 > 0 }
        #expect(perLayer == [3_200, 73_856, 147_584, 295_168, 590_080, 295_040, 8_256, 650])
        #expect(model.layers.map(\.name) == ["conv2d", "max_pooling2d", "conv2d_1", "conv2d_2", "max_pooling2d_1",
                                             "conv2d_3", "conv2d_4", "max_pooling2d_2", "flatten", "dense", "dropout",
                                             "dense_1", "dropout_1", "dense_2"])
        let s = model.summary()
        #expect(s.contains("conv2d (Conv2D)") && s.contains("(None, 28, 28, 64)") && s.contains("(None, 3, 3, 256)"))
        #expect(s.contains("(None, 2304)"))
        #expect(s.contains("Total params: 1,413,834 (5.39 MB)"))
    }

    static func smallCNN() -> [Layer] {
        [Conv2D.keras(filters: 4, kernelSize: 3, padding: .same, activation: .relu), BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true),
         MaxPooling2D.keras(poolSize: 2), Flatten(), Dropout(rate: 0.25), Dense.keras(units: 3, activation: .softmax)]
    }

    static func images(_ n: Int, seed: UInt64) -> Dataset {
        var rng = RandomGenerator(seed: seed)
        var x: [Float] = [], y: [Float] = []
        for i in 0..<n {
            let c = i % 3
            for r in 0..<8 { for col in 0..<8 {
                let stripe: Float = (c == 0 ? r < 4 : c == 1 ? col < 4 : (r + col) % 2 == 0) ? 1 : 0
                x.append(stripe + Float(0.2 * rng.normal()))
            } }
            y.append(Float(c))
        }
        return Dataset(sampleShape: [8, 8, 1], x: x, y: y, task: .classification(classes: 3, names: nil))
    }

    @Test func smallCNNTrainsDeterministically() throws {
        func run() throws -> (History, [[Float]]) {
            let model = try builtModel(Self.smallCNN(), input: [8, 8, 1], seed: 5)
            let r = try fit(model, train: Self.images(60, seed: 1), validation: Self.images(30, seed: 2),
                            config: FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy), optimizer: Optimizer.named("adam", learningRate: .constant(0.01))!,
                                              metrics: [.accuracy], epochs: 4, batchSize: 8, seed: 3))
            return (r.history, model.weights())
        }
        let (h1, w1) = try run(), (h2, w2) = try run()
        #expect(h1 == h2 && w1 == w2)
        #expect(h1["val_accuracy"]!.last! > 0.8, "\(h1["val_accuracy"]!)")
    }

    @Test func smallCNNSaveLoadPredictsIdentically() throws {
        let model = try builtModel(Self.smallCNN(), input: [8, 8, 1], seed: 5)
        _ = try fit(model, train: Self.images(30, seed: 1), config: FitConfig.keras(loss: .keras(.sparseCategoricalCrossentropy),
                    optimizer: Optimizer.named("sgd")!, epochs: 1, batchSize: 10))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cnn-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.save(to: path)
        let x = Self.images(5, seed: 9).x
        let (tensors, metadata) = try SafeTensors.read(path)
        let loaded = try Sequential.load(tensors: tensors, metadata: metadata, layers: Self.smallCNN())
        #expect(loaded.layers.map(\.kind) == model.layers.map(\.kind))
        #expect(loaded.parameters.map(\.trainable) == model.parameters.map(\.trainable))
        #expect(predict(loaded, x: x) == predict(model, x: x))
        let names = try SafeTensors.read(path).tensors.map(\.name)
        #expect(names.contains("batch_normalization/moving_variance") && names.contains("conv2d/kernel"))
    }
}
