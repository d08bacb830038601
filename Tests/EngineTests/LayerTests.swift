import Testing
@testable import Engine

@Suite struct ShapeLayerTests {
    @Test func flattenAndReshape() throws {
        let f = try built(Flatten(), [2, 3, 4])
        #expect(f.outputShape == [24])
        let x = randomTensor([2, 2, 3, 4])
        #expect(f.forward(x, training: false).array == x.array)
        #expect(f.backward(x).shape == [2, 2, 3, 4])
        let r = try built(Reshape(targetShape: [4, -1]), [24])
        #expect(r.outputShape == [4, 6])
        #expect(try built(Reshape(targetShape: [2, 3, 4]), [24]).outputShape == [2, 3, 4])
        #expect(throws: ShapeError.self) { try built(Reshape(targetShape: [5, 5]), [24]) }
        #expect(throws: ShapeError.self) { try built(Reshape(targetShape: [5, -1]), [24]) }
        #expect(throws: ShapeError.self) { try built(Reshape(targetShape: [-1, -1]), [24]) }
        #expect(gradientCheck(r, input: randomTensor([2, 24])).passed)
    }

    /// Flatten and Reshape copy nothing: their output is their input's memory in the new shape,
    /// their input gradient dy's; taken again at every call, so a new or grown input is followed.
    @Test func flattenAndReshapeAreViews() throws {
        let f = try built(Flatten(), [2, 3, 4])
        let x = randomTensor([5, 2, 3, 4])
        let y = f.forward(x, training: true)
        #expect(y.shape == [5, 24] && y.array == x.array && y.sharesMemory(with: x))
        let dy = randomTensor([5, 24], seed: 4)
        let dx = f.backward(dy)
        #expect(dx.shape == [5, 2, 3, 4] && dx.array == dy.array && dx.sharesMemory(with: dy))
        // The input grows (new memory): the next call views the new values.
        x.resize([9, 2, 3, 4])
        for i in 0..<x.count { x[i] = Float(i) }
        let y2 = f.forward(x, training: true)
        #expect(y2.shape == [9, 24] && y2.array == x.array)
        let r = try built(Reshape(targetShape: [4, -1]), [24])
        let z = r.forward(y2, training: true)
        #expect(z.shape == [9, 4, 6] && z.array == x.array && z.sharesMemory(with: x))
        let dz = randomTensor([9, 4, 6], seed: 5)
        #expect(r.backward(dz).array == dz.array && r.backward(dz).shape == [9, 24])
    }

    /// A view keeps the viewed memory alive: the viewed tensor may be freed or grow, the view
    /// still reads the values it was taken of.
    @Test func aViewOutlivesItsTensor() {
        let v = Tensor(shape: [0])
        do {
            let t = Tensor(shape: [3], values: [1, 2, 3])
            v.view(of: t, shape: [1, 3])
            t.resize([1000])
            for i in 0..<t.count { t[i] = -1 }
        }
        #expect(v.array == [1, 2, 3] && v.shape == [1, 3])
        v.resize([2, 3])   // grows past the view: memory of its own
        v.fill(7)
        #expect(v.array == Array(repeating: 7, count: 6))
    }

    /// Training through Flatten (a view) gives the same bits as the same Dense layers fed the
    /// flat samples directly: forward values, the first Dense's weight gradients and the
    /// updates all read the batch through the view.
    @Test func trainingThroughFlattenEqualsFlatInput() throws {
        func dense() -> [Layer] {
            [Dense.keras(units: 20, activation: .relu), Dense.keras(units: 3, activation: .softmax)]
        }
        let flat = try builtModel(dense(), input: [12], seed: 3)
        let shaped = try builtModel([Flatten()] + dense(), input: [3, 4], seed: 3)
        let initial = flat.weights()
        shaped.setWeights(initial)
        var rng = RandomGenerator(seed: 9)
        let n = 70
        let x = (0..<(n * 12)).map { _ in Float(rng.normal()) }
        let y = (0..<n).map { Float($0 % 3) }
        let task = Task.classification(classes: 3, names: nil)
        func train(_ m: Sequential, _ shape: [Int]) throws -> [[Float]] {
            let data = Dataset(sampleShape: shape, x: x, y: y, task: task)
            _ = try fit(m, train: data, config: .keras(loss: .keras(.sparseCategoricalCrossentropy),
                                                      optimizer: .keras(rule: SGD.keras(momentum: 0.9)), epochs: 3, batchSize: 16))
            return m.weights()
        }
        let a = try train(flat, [12]), b = try train(shaped, [3, 4])
        #expect(a == b)
        #expect(a != initial, "the weights moved")
    }
}

@Suite struct DropoutTests {
    @Test func inferenceIsIdentityAndTrainingScales() throws {
        let d = try built(Dropout(rate: 0.25), [1000])
        let x = Tensor(shape: [4, 1000]); x.fill(1)
        #expect(d.forward(x, training: false).array == x.array)
        let y = d.forward(x, training: true).array
        #expect(y.allSatisfy { $0 == 0 || $0 == Float(1) / 0.75 })
        let kept = Double(y.filter { $0 != 0 }.count) / 4000
        #expect(abs(kept - 0.75) < 0.03)   // binomial sd √(0.75·0.25/4000) ≈ 0.007
        // A second batch draws a new mask.
        #expect(d.forward(x, training: true).array != y)
    }

    @Test func sameSeedSameMask() throws {
        let a = try built(Dropout(rate: 0.5), [50], seed: 3), b = try built(Dropout(rate: 0.5), [50], seed: 3)
        let x = randomTensor([2, 50])
        #expect(a.forward(x, training: true).array == b.forward(x, training: true).array)
        let c = try built(Dropout(rate: 0.5, seed: 8), [50], seed: 1), e = try built(Dropout(rate: 0.5, seed: 8), [50], seed: 2)
        #expect(c.forward(x, training: true).array == e.forward(x, training: true).array)
    }

    @Test func gradientWithFixedMask() throws {
        let d = try built(Dropout(rate: 0.4), [6])
        _ = d.forward(randomTensor([3, 6]), training: true)
        d.freezesMask = true
        #expect(d.mask.array.contains(0))
        #expect(gradientCheck(d, input: randomTensor([3, 6])).passed)
    }
}

@Suite struct BatchNormalizationTests {
    @Test func trainingGradient() throws {
        for shape in [[4, 3], [2, 3, 3, 2]] {
            let bn = try built(BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true), Array(shape.dropFirst()))
            var rng = RandomGenerator(seed: 4)
            for k in 0..<bn.gamma!.count { bn.gamma!.value[k] = Float(rng.uniform(0.5, 1.5)); bn.beta!.value[k] = Float(rng.normal()) }
            let r = gradientCheck(bn, input: randomTensor(shape, seed: 12), training: true)
            #expect(r.passed, "\(shape): \(r)")
        }
    }

    @Test func inferenceGradient() throws {
        let bn = try built(BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true), [3])
        bn.movingVariance.value.copy(from: [0.5, 2, 1])
        #expect(gradientCheck(bn, input: randomTensor([2, 3]), training: false).passed)
    }

    @Test func statisticsFollowKeras() throws {
        let bn = try built(BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true), [1])
        #expect(bn.parameters.map(\.name) == ["gamma", "beta", "moving_mean", "moving_variance"])
        #expect(bn.parameters.map(\.trainable) == [true, true, false, false])
        let x = Tensor(shape: [4, 1], values: [1, 2, 3, 4])
        let y = bn.forward(x, training: true).array
        // Batch mean 2.5, biased variance 1.25: y = (x − 2.5)/√(1.25 + 0.001).
        let s = (Float(1.25) + 0.001).squareRoot()
        #expect(maxAbsDiff(y, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]) < 1e-6)
        // moving = 0.99·old + 0.01·batch: mean 0.025, variance 0.99 + 0.0125 = 1.0025.
        #expect(abs(bn.movingMean.value[0] - 0.025) < 1e-7)
        #expect(abs(bn.movingVariance.value[0] - 1.0025) < 1e-6)
        let z = bn.forward(x, training: false).array
        let t = (Float(1.0025) + 0.001).squareRoot()
        #expect(maxAbsDiff(z, [(1 - 0.025) / t, (2 - 0.025) / t, (3 - 0.025) / t, (4 - 0.025) / t]) < 1e-5)
    }
}

/// Several layers run as one, so that the gradient check covers a whole small model.
final class Chain: Layer {
    let layers: [any Layer]
    init(_ layers: [any Layer]) { self.layers = layers }
    var kind: String { "Chain" }
    var name = "chain"
    func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        var shape = inputShape
        for l in layers { try l.build(inputShape: shape, rng: &rng); shape = l.outputShape }
    }
    var outputShape: [Int] { layers.last!.outputShape }
    var parameters: [Parameter] { layers.flatMap(\.parameters) }
    func forward(_ x: Tensor, training: Bool) -> Tensor { layers.reduce(x) { $1.forward($0, training: training) } }
    func backward(_ dy: Tensor) -> Tensor { layers.reversed().reduce(dy) { $1.backward($0) } }
    var config: [String: String] { [:] }
}

@Suite struct ChainTests {
    @Test func smallConvNetGradient() throws {
        let dropout = Dropout(rate: 0.3)
        let net = try built(Chain([
            Conv2D.keras(filters: 3, kernelSize: 3, padding: .same, activation: .tanh),
            BatchNormalization(momentum: 0.99, epsilon: 1e-3, center: true, scale: true),
            AveragePooling2D.keras(poolSize: 2, padding: .same),
            Conv2D.keras(filters: 2, kernelSize: 2, strides: 2, activation: .elu(alpha: 1)),
            Flatten(), dropout,
            Dense.keras(units: 3, activation: .softmax),
        ]), [6, 5, 2])
        #expect(net.outputShape == [3])
        let x = randomTensor([2, 6, 5, 2], scale: 0.5)
        _ = net.forward(x, training: true)
        dropout.freezesMask = true
        let r = gradientCheck(net, input: x)
        #expect(r.passed, "\(r)")
    }

    @Test func convAfterFlattenIsAShapeError() {
        #expect(throws: ShapeError.self) {
            try built(Chain([Flatten(), Conv2D.keras(filters: 2, kernelSize: 3)]), [28, 28, 1])
        }
    }
}
