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
        let model = try builtModel([Dense(units: 300, activation: .relu), Dense(units: 100, activation: .relu),
                                    Dense(units: 10, activation: .softmax)], input: [784])
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

    @Test func grouping() {
        #expect(Sequential.grouped(0) == "0")
        #expect(Sequential.grouped(999) == "999")
        #expect(Sequential.grouped(1_413_834) == "1,413,834")
    }

    @Test func sameSeedSameWeights() throws {
        let a = try builtModel([Dense(units: 5, activation: .relu), Dense(units: 2)], input: [3], seed: 7)
        let b = try builtModel([Dense(units: 5, activation: .relu), Dense(units: 2)], input: [3], seed: 7)
        let c = try builtModel([Dense(units: 5, activation: .relu), Dense(units: 2)], input: [3], seed: 8)
        #expect(a.weights() == b.weights())
        #expect(a.weights() != c.weights())
    }

    @Test func forwardBackwardThroughLayers() throws {
        // The model's backward equals the chain of its layers' backward: check dInput by
        // central differences of L = Σ r·y.
        let model = try builtModel([Dense(units: 4, activation: .tanh), Dense(units: 2, activation: .sigmoid)], input: [3])
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
