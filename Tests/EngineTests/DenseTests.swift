import Testing
@testable import Engine

@Suite struct DenseTests {
    @Test(arguments: [Activation.linear, .relu, .tanh, .softmax, .gelu])
    func gradient(_ activation: Activation) throws {
        let layer = try built(Dense.keras(units: 4, activation: activation, biasInitializer: .randomNormal(mean: 0, stddev: 0.3)), [5])
        let report = gradientCheck(layer, input: awayFromZero([3, 5], low: 0.1, high: 1))
        #expect(report.passed, "\(activation): \(report)")
    }

    /// The forward pass adds the bias (and applies a ReLU) as the product's oneDNN post-ops: the
    /// same bits as the product alone followed by the separate bias + activation pass, on
    /// ragged shapes (rows not a multiple of a chunk, odd feature and unit counts), with and
    /// without a bias, with exact zeros and negative zeros among the inputs.
    @Test(arguments: [Activation.relu, .linear, .softmax, .tanh])
    func fusedBiasAndActivationMatchSeparatePass(_ activation: Activation) throws {
        for (rows, features, units) in [(1, 5, 3), (37, 29, 17), (70, 13, 9), (130, 70, 33)] {
            for useBias in [true, false] {
                let dense = Dense.keras(units: units, activation: activation, useBias: useBias,
                                        biasInitializer: .randomNormal(mean: 0, stddev: 0.5))
                var rng = RandomGenerator(seed: UInt64(rows))
                try dense.build(inputShape: [features], rng: &rng)
                let x = randomTensor([rows, features], seed: UInt64(features))
                for i in stride(from: 0, to: x.count, by: 7) { x[i] = i % 2 == 0 ? 0 : -0.0 }
                let y = dense.forward(x, training: true).array
                let z = Tensor(shape: [rows, units]), reference = Tensor(shape: [rows, units])
                // The product chunk by chunk, as the layer computes it (`Threads.chunks`): on
                // oneDNN's AVX2 `gemm:jit` a row's last bits depend on the product's row count.
                for r in Threads.chunks(of: rows) {
                    MatmulPlan(.init(m: r.count, n: units, k: features))
                        .run(a: x.data + r.lowerBound * features, b: dense.kernel.value.data, c: z.data + r.lowerBound * units)
                }
                activation.forward(z.data, rows: rows, cols: units, bias: dense.bias?.value.data, output: reference.data)
                #expect(y.map(\.bitPattern) == reference.array.map(\.bitPattern),
                        "\(activation) \(rows)×\(features)→\(units) bias \(useBias)")
            }
        }
    }

    @Test func gradientOnLastAxisOfHigherRankInput() throws {
        let layer = try built(Dense.keras(units: 3, activation: .sigmoid), [2, 4])
        #expect(layer.outputShape == [2, 3])
        #expect(gradientCheck(layer, input: awayFromZero([2, 2, 4], low: 0.1, high: 1)).passed)
    }

    @Test func knownForward() throws {
        let layer = try built(Dense.keras(units: 2, activation: .relu), [3])
        layer.kernel.value.copy(from: [1, -1, 2, 0, 0, 1])   // (in 3, units 2)
        layer.bias!.value.copy(from: [0.5, -10])
        let y = layer.forward(Tensor(shape: [1, 3], values: [1, 2, 3]), training: false)
        // x·W = [1 + 4 + 0, −1 + 0 + 3] = [5, 2]; + b = [5.5, −8]; relu → [5.5, 0]
        #expect(y.array == [5.5, 0])
    }

    @Test func backwardAddsIntoGradients() throws {
        let layer = try built(Dense.keras(units: 3), [2])
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let dy = Tensor(shape: [2, 3], values: [1, 0, 0, 0, 1, 0])
        _ = layer.forward(x, training: true); _ = layer.backward(dy)
        let once = layer.kernel.grad.array
        _ = layer.forward(x, training: true); _ = layer.backward(dy)
        #expect(layer.kernel.grad.array == once.map { 2 * $0 })
        #expect(once == [1, 3, 0, 2, 4, 0])   // xᵀ·dy
        #expect(layer.bias!.grad.array == [2, 2, 0])
    }

    @Test func skipsActivationWhenAsked() throws {
        let soft = try built(Dense.keras(units: 3, activation: .softmax), [4], seed: 2)
        let lin = try built(Dense.keras(units: 3), [4], seed: 2)
        soft.backwardSkipsActivation = true
        let x = awayFromZero([2, 4]), dz = randomTensor([2, 3])
        _ = soft.forward(x, training: true); _ = lin.forward(x, training: true)
        #expect(soft.backward(dz).array == lin.backward(dz).array)
        #expect(soft.kernel.grad.array == lin.kernel.grad.array)
    }

    @Test func parameterCount() throws {
        let layer = try built(Dense.keras(units: 300), [784])
        #expect(layer.parameters.map(\.count).reduce(0, +) == 235_500)
        let noBias = try built(Dense.keras(units: 10, useBias: false), [100])
        #expect(noBias.parameters.map(\.count).reduce(0, +) == 1000)
    }

    @Test func regularizerReachesTheKernel() throws {
        let layer = try built(Dense.keras(units: 2, activation: .leakyRelu(alpha: 0.1), kernelL2: 0.01), [3])
        #expect(layer.kernel.l2 == 0.01 && layer.kernel.l1 == 0)
    }
}
