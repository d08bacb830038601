import Testing
import CWide
@testable import Engine

/// A first Conv2D and the 2×2 MaxPooling2D after it run as one pass (`PooledConvolution`):
/// the same values as the two layers apart (up to the order of the sums), the same choices of
/// maxima, gradients that match finite differences, and the pair split again wherever the
/// convolution's own output or input gradient is needed.
@Suite(.enabled(if: cwide_avx2(), "PooledConvolution runs on AVX2"))
struct PooledConvolutionTests {
    /// |a − b| ≤ 1e-5·(1 + |b|) everywhere.
    private func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * (1 + abs($1)) }
    }

    /// The kernel against the plain loops: ConvolutionReference, then the ReLU, then
    /// Pooling.maxForward (whose argmax the fused pass must reproduce exactly), and for the
    /// weight gradient Pooling.maxBackward into the full-size gradient, then
    /// ConvolutionReference.backwardWeights. One 3×3 one-channel layer with `same` padding and
    /// odd sizes (the last row and column fall outside the pool's windows), and one on three
    /// channels at stride 2 with a 2×3 kernel (the general loop).
    @Test(arguments: [(7, 9, 1, (3, 3), (1, 1), Padding.same, 16, true),
                      (11, 10, 3, (2, 3), (2, 1), Padding.valid, 8, false)])
    func kernelMatchesThePlainLoops(height: Int, width: Int, channels: Int, kernel: (Int, Int), strides: (Int, Int),
                                    padding: Padding, filters: Int, relu: Bool) {
        let g = WindowGeometry(batch: 3, height: height, width: width, channels: channels, kernel: kernel, strides: strides,
                               padding: padding)!
        let pool = WindowGeometry(batch: 3, height: g.outHeight, width: g.outWidth, channels: filters, kernel: (2, 2),
                                  strides: (2, 2), padding: .valid)!
        #expect(PooledConvolution.suits(g, filters: filters, activation: relu ? .relu : .linear, pool: pool))
        let x = randomTensor([3, height, width, channels], seed: 31)
        let w = randomTensor([kernel.0, kernel.1, channels, filters], scale: 0.5, seed: 32), b = randomTensor([filters], seed: 33)
        let pooledCount = 3 * pool.outHeight * pool.outWidth * filters

        var z = [Float](repeating: 0, count: 3 * g.outHeight * g.outWidth * filters)
        ConvolutionReference.forward(g, filters: filters, x: x.data, weights: w.data, bias: b.data, y: &z)
        if relu { z = z.map { max($0, 0) } }
        var yRef = [Float](repeating: .nan, count: pooledCount), argRef = yRef
        Pooling.maxForward(pool, x: z, y: &yRef, argmax: &argRef)

        var y = [Float](repeating: .nan, count: pooledCount), arg = y
        PooledConvolution.forward(g, filters: filters, pooled: (pool.outHeight, pool.outWidth), x: x.data, kernel: w.data,
                                  bias: b.data, relu: relu, y: &y, argmax: &arg)
        #expect(close(y, yRef), "y")
        #expect(arg == argRef, "argmax")

        let dy = randomTensor([pooledCount], seed: 34)
        var dz = z
        Pooling.maxBackward(pool, argmax: argRef, y: yRef, dy: dy.data, dx: &dz, relu: relu)
        var dwRef = [Float](repeating: 0, count: w.count), dbRef = [Float](repeating: 0, count: filters)
        ConvolutionReference.backwardWeights(g, filters: filters, x: x.data, dy: dz, dw: &dwRef, db: &dbRef)
        var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: filters)
        PooledConvolution.backwardWeights(g, filters: filters, pooled: (pool.outHeight, pool.outWidth), x: x.data, argmax: arg,
                                          y: y, dy: dy.data, relu: relu, dKernel: &dw, dBias: &db)
        #expect(close(dw, dwRef, 1e-4), "kernel gradient")
        #expect(close(db, dbRef, 1e-4), "bias gradient")
    }

    /// small_cnn's head, built twice: with the pair fused and with it apart.
    private func model(fused: Bool) throws -> Sequential {
        let m = Sequential([Conv2D.keras(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu),
                            MaxPooling2D.keras(poolSize: 2), Flatten(), Dense.keras(units: 3)])
        m.fusesPooling = fused
        try m.build(inputShape: [9, 7, 1], seed: 5)
        return m
    }

    /// A training step as `fit` runs it on the first layer (no input gradient, the ReLU's
    /// derivative taken by the pool), on 40 samples in chunks over two threads, and an
    /// inference pass: the fused model's outputs and gradients are the separate layers' up to
    /// rounding. A training pass that asks for the input gradient runs the two layers apart:
    /// then every bit is the unfused model's.
    @Test func fusedModelMatchesTheSeparateLayers() throws {
        let saved = Threads.budget
        Threads.budget = 2
        defer { Threads.budget = saved }
        let on = try model(fused: true), off = try model(fused: false)
        let conv = on.layers[0] as! Conv2D
        #expect(conv.pooled === on.layers[1] && (off.layers[0] as! Conv2D).pooled == nil)
        let x = randomTensor([40, 9, 7, 1], seed: 41), dy = randomTensor([40, 3], seed: 42)
        for m in [on, off] {
            let c = m.layers[0] as! Conv2D, p = m.layers[1] as! MaxPooling2D
            c.computesInputGradient = false
            c.backwardSkipsActivation = true
            p.backwardAppliesReLU = true
        }
        func step(_ m: Sequential) -> (y: [Float], grads: [[Float]]) {
            m.zeroGradients()
            let y = m.forward(x, training: true).array
            m.backward(dy)
            return (y, m.parameters.map(\.grad.array))
        }
        let a = step(on), b = step(off)
        #expect(conv.poolsThisPass)
        #expect(close(a.y, b.y), "training output")
        for (i, (ga, gb)) in zip(a.grads, b.grads).enumerated() { #expect(close(ga, gb, 1e-4), "gradient \(i)") }
        #expect(close(on.forward(x, training: false).array, off.forward(x, training: false).array), "inference output")

        for m in [on, off] { (m.layers[0] as! Conv2D).computesInputGradient = true }
        let c = step(on), d = step(off)
        #expect(!conv.poolsThisPass)
        #expect(c.y.map(\.bitPattern) == d.y.map(\.bitPattern), "output with the input gradient")
        #expect(c.grads.map { $0.map(\.bitPattern) } == d.grads.map { $0.map(\.bitPattern) }, "gradients with the input gradient")
    }

    /// The fused pass's kernel and bias gradients against finite differences of the model's
    /// loss (its first layer's input gradient is not computed, so not checked), where neither
    /// the ReLU nor a window's maximum can change under a step of h = 0.01: one 6×8 image of
    /// distinct values 2/47 apart (`permutationTensor`), each filter 1 at the kernel's centre
    /// and under 0.001 elsewhere, bias 3. Every output is then its centre pixel within 0.008
    /// and above 1.9, so a window's two largest outputs stay 0.027 apart, more than a step moves them.
    @Test func fusedGradientMatchesFiniteDifferences() throws {
        let m = Sequential([Conv2D.keras(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu),
                            MaxPooling2D.keras(poolSize: 2), Flatten(), Dense.keras(units: 3)])
        try m.build(inputShape: [6, 8, 1], seed: 5)
        let conv = m.layers[0] as! Conv2D
        conv.computesInputGradient = false
        let small = randomTensor([9 * 16], scale: 0.0003, seed: 43).array
        for i in 0..<(9 * 16) { conv.kernel.value[i] = i / 16 == 4 ? 1 : max(-0.001, min(0.001, small[i])) }
        conv.bias!.value.fill(3)
        let report = gradientCheck(ModelLayer(m), input: permutationTensor([1, 6, 8, 1]), checkInput: false)
        #expect(conv.poolsThisPass)
        #expect(report.passed, "\(report)")
    }

    /// A Conv2D on channels in 8s before a 2×2 pool takes its input gradient from the pool's
    /// gradient (`PooledConvolution.backwardData`): on 24 samples in chunks over two threads,
    /// the input gradient and every parameter gradient are the separate layers' (oneDNN's or
    /// Winograd's input gradient) up to rounding, for `same` and `valid` padding, strides 1 and 2,
    /// ReLU or none, with the ReLU's derivative taken by the conv or by the pool.
    @Test(arguments: [(Padding.same, 1, Activation.relu, false), (.valid, 1, .relu, true), (.valid, 2, .linear, false),
                      (.same, 1, .linear, true)])
    func inputGradientFromThePoolMatchesTheSeparateLayers(padding: Padding, stride: Int, activation: Activation, poolReLU: Bool) throws {
        let saved = Threads.budget
        Threads.budget = 2
        defer { Threads.budget = saved }
        func model(_ on: Bool) throws -> Sequential {
            let m = Sequential([Conv2D.keras(filters: 16, kernelSize: (3, 3), strides: (stride, stride), padding: padding,
                                             activation: activation),
                                MaxPooling2D.keras(poolSize: 2), Flatten(), Dense.keras(units: 3)])
            m.fusesPooling = on
            try m.build(inputShape: [10, 9, 8], seed: 7)
            let c = m.layers[0] as! Conv2D, p = m.layers[1] as! MaxPooling2D
            c.backwardSkipsActivation = poolReLU && activation == .relu
            p.backwardAppliesReLU = poolReLU && activation == .relu
            return m
        }
        let on = try model(true), off = try model(false)
        #expect((on.layers[0] as! Conv2D).gradientPool === on.layers[1] && (off.layers[0] as! Conv2D).gradientPool == nil)
        let x = randomTensor([24, 10, 9, 8], seed: 44), dy = randomTensor([24, 3], seed: 45)
        func step(_ m: Sequential) -> (dx: [Float], grads: [[Float]]) {
            m.zeroGradients()
            _ = m.forward(x, training: true)
            let dx = m.backward(dy).array
            return (dx, m.parameters.map(\.grad.array))
        }
        let a = step(on), b = step(off)
        #expect(a.dx.contains { $0 != 0 }, "some input gradient")
        #expect(close(a.dx, b.dx, 1e-5), "input gradient")
        for (i, (ga, gb)) in zip(a.grads, b.grads).enumerated() { #expect(close(ga, gb, 1e-4), "gradient \(i)") }
    }

    /// A Conv2D on many channels, with another activation, or a pool of other windows stays apart.
    @Test func pairsOnlyWhatSuits() throws {
        /// The first layer, a Conv2D, of the model of `layers` built for `input`.
        func conv(_ layers: [Layer], _ input: [Int]) throws -> Conv2D {
            let m = Sequential(layers)
            try m.build(inputShape: input, seed: 1)
            return m.layers[0] as! Conv2D
        }
        func paired(_ layers: [Layer], _ input: [Int]) throws -> Bool { try conv(layers, input).pooled != nil }
        #expect(try paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 3]))
        #expect(try !paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 4]))
        #expect(try !paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .tanh), MaxPooling2D.keras(poolSize: 2)], [8, 8, 1]))
        #expect(try !paired([Conv2D.keras(filters: 12, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 1]))
        #expect(try !paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 3)], [9, 9, 1]))
        #expect(try !paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu),
                             MaxPooling2D.keras(poolSize: 2, padding: .same)], [9, 9, 1]))
        #expect(try !paired([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), Flatten()], [8, 8, 1]))
        // The input gradient from the pool: channels in 8s up to 32, at most 9 taps, ReLU or none.
        func fromPool(_ layers: [Layer], _ input: [Int]) throws -> Bool { try conv(layers, input).gradientPool != nil }
        #expect(try fromPool([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 16]))
        #expect(try !fromPool([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 12]))
        #expect(try !fromPool([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 64]))
        #expect(try !fromPool([Conv2D.keras(filters: 8, kernelSize: (5, 5), activation: .relu), MaxPooling2D.keras(poolSize: 2)], [8, 8, 8]))
        #expect(try !fromPool([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .tanh), MaxPooling2D.keras(poolSize: 2)], [8, 8, 8]))
        #expect(try !fromPool([Conv2D.keras(filters: 8, kernelSize: (3, 3), activation: .relu), MaxPooling2D.keras(poolSize: 3)], [9, 9, 8]))
    }
}

/// A built Sequential as one layer, for `gradientCheck`.
final class ModelLayer: Layer {
    let model: Sequential
    init(_ model: Sequential) { self.model = model }
    var kind: String { "Model" }
    var name = "model"
    func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {}
    var outputShape: [Int] { model.outputShape }
    var parameters: [Parameter] { model.parameters }
    func forward(_ x: Tensor, training: Bool) -> Tensor { model.forward(x, training: training) }
    func backward(_ dy: Tensor) -> Tensor { model.backward(dy) }
}
