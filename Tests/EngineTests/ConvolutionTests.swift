import Synchronization
import Testing
@testable import Engine

@Suite struct ConvolutionTests {
    /// The oneDNN plan against the plain loops on random shapes: odd sizes, non-square kernels,
    /// strides 1 and 2, both paddings, with and without bias.
    @Test(arguments: Padding.allCases)
    func oneDNNMatchesReference(padding: Padding) {
        var rng = RandomGenerator(seed: padding == .same ? 21 : 22)
        var cases = 0
        while cases < 8 {
            let n = 1 + rng.nextInt(below: 3), h = 3 + rng.nextInt(below: 7), w = 3 + rng.nextInt(below: 7)
            let c = 1 + rng.nextInt(below: 4), f = 1 + rng.nextInt(below: 5)
            let kernel = (1 + rng.nextInt(below: 4), 1 + rng.nextInt(below: 4))
            let strides = (1 + rng.nextInt(below: 2), 1 + rng.nextInt(below: 2))
            let withBias = rng.next() & 1 == 0
            guard let g = WindowGeometry(batch: n, height: h, width: w, channels: c, kernel: kernel, strides: strides,
                                         padding: padding) else { continue }
            cases += 1
            let label = "N\(n) \(h)x\(w)x\(c) -> \(f), k \(kernel) s \(strides) \(padding) bias \(withBias)"
            let outCount = n * g.outHeight * g.outWidth * f
            let x = randomTensor([g.inputCount], seed: rng.next())
            let wt = randomTensor([kernel.0 * kernel.1 * c * f], seed: rng.next())
            let b = randomTensor([f], seed: rng.next())
            let dy = randomTensor([outCount], seed: rng.next())
            let plan = ConvolutionPlan(geometry: g, filters: f, bias: withBias)

            let y1 = Tensor(shape: [outCount]), y2 = Tensor(shape: [outCount])
            plan.forward(x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)
            ConvolutionReference.forward(g, filters: f, x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y2.data)
            // Sums of at most 4·4·4 products of N(0, 1) values in Float32: errors near 1e-5.
            #expect(maxAbsDiff(y1.array, y2.array) < 1e-4, "forward \(label)")
            // The ReLU post-op gives the bits of the separate pass over the plain output.
            let yRelu = Tensor(shape: [outCount])
            ConvolutionPlan(geometry: g, filters: f, bias: withBias, relu: true)
                .forward(x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: yRelu.data)
            Vector.relu(y1.data, y1.data, outCount)
            #expect(yRelu.array.map(\.bitPattern) == y1.array.map(\.bitPattern), "forward relu \(label)")
            plan.forward(x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)

            let dx1 = Tensor(shape: [g.inputCount]), dx2 = Tensor(shape: [g.inputCount])
            dx1.fill(.nan)
            plan.backwardData(dy: dy.data, weights: wt.data, dx: dx1.data)
            ConvolutionReference.backwardData(g, filters: f, dy: dy.data, weights: wt.data, dx: dx2.data)
            #expect(maxAbsDiff(dx1.array, dx2.array) < 1e-4, "backward data \(label)")

            let dw1 = Tensor(shape: [wt.count]), dw2 = Tensor(shape: [wt.count])
            let db1 = Tensor(shape: [f]), db2 = Tensor(shape: [f])
            plan.backwardWeights(x: x.data, dy: dy.data, dw: dw1.data, db: withBias ? db1.data : nil)
            ConvolutionReference.backwardWeights(g, filters: f, x: x.data, dy: dy.data, dw: dw2.data, db: withBias ? db2.data : nil)
            // Sums over up to 3·9·9 positions: errors near 1e-5 · √243.
            #expect(maxAbsDiff(dw1.array, dw2.array) < 5e-4, "backward weights \(label)")
            #expect(maxAbsDiff(db1.array, db2.array) < 5e-4, "backward bias \(label)")
        }
    }

    /// The same at the small CNN's shapes, where oneDNN picks its production kernels.
    @Test(arguments: [(28, 1, 32, Padding.same), (14, 32, 64, .valid)])
    func reluPostOpIsExactAtRealShapes(side: Int, channels: Int, filters: Int, padding: Padding) {
        let g = WindowGeometry(batch: 16, height: side, width: side, channels: channels, kernel: (3, 3), strides: (1, 1),
                               padding: padding)!
        let outCount = 16 * g.outHeight * g.outWidth * filters
        let x = randomTensor([g.inputCount], seed: 5), wt = randomTensor([9 * channels * filters], seed: 6)
        let b = randomTensor([filters], seed: 7)
        let plain = Tensor(shape: [outCount]), fused = Tensor(shape: [outCount])
        ConvolutionPlan(geometry: g, filters: filters, bias: true).forward(x: x.data, weights: wt.data, bias: b.data, y: plain.data)
        ConvolutionPlan(geometry: g, filters: filters, bias: true, relu: true)
            .forward(x: x.data, weights: wt.data, bias: b.data, y: fused.data)
        Vector.relu(plain.data, plain.data, outCount)
        #expect(fused.array.map(\.bitPattern) == plain.array.map(\.bitPattern))
    }

    /// A 3x3 kernel over the 4x4 input 1…16 (row-major), worked out by hand.
    @Test func knownValues() throws {
        let x = Tensor(shape: [1, 4, 4, 1], values: (1...16).map(Float.init))
        func run(_ padding: Padding, stride: Int, kernel: [Float]) throws -> [Float] {
            let conv = try built(Conv2D.keras(filters: 1, kernelSize: 3, strides: stride, padding: padding), [4, 4, 1])
            conv.kernel.value.copy(from: kernel)
            return conv.forward(x, training: false).array
        }
        let ones = [Float](repeating: 1, count: 9)
        // Window sums: rows 0–2 × cols 0–2 = 1+2+3+5+6+7+9+10+11 = 54, then 63, 90, 99.
        #expect(try run(.valid, stride: 1, kernel: ones) == [54, 63, 90, 99])
        // Cross-correlation as Keras (no kernel flip): only w[0, 0] set picks the window's top-left cell.
        var topLeft = [Float](repeating: 0, count: 9); topLeft[0] = 1
        #expect(try run(.valid, stride: 1, kernel: topLeft) == [1, 2, 5, 6])
        // Same, stride 1: one cell of zeros around; corner (0,0) = 1+2+5+6 = 14, (0,1) = 1+2+3+5+6+7 = 24.
        let same = try run(.same, stride: 1, kernel: ones)
        #expect(same.count == 16 && same[0] == 14 && same[1] == 24 && same[5] == 54 && same[15] == 54)  // (3,3): 11+12+15+16
        // Same, stride 2: out 2x2, total padding (2−1)·2 + 3 − 4 = 1 goes to the bottom/right (TensorFlow):
        // rows 0–2 × cols 0–2 = 54; rows 0–2 × cols 2–3 = 3+4+7+8+11+12 = 45;
        // rows 2–3 × cols 0–2 = 9+10+11+13+14+15 = 72; rows 2–3 × cols 2–3 = 11+12+15+16 = 54.
        #expect(try run(.same, stride: 2, kernel: ones) == [54, 45, 72, 54])
    }

    @Test(arguments: [(Padding.same, 1), (.valid, 1), (.same, 2), (.valid, 2)])
    func gradient(padding: Padding, stride: Int) throws {
        let conv = try built(Conv2D.keras(filters: 3, kernelSize: (3, 2), strides: (stride, stride), padding: padding,
                                    activation: .tanh, biasInitializer: .randomNormal(mean: 0, stddev: 0.3)), [5, 6, 2])
        let report = gradientCheck(conv, input: awayFromZero([2, 5, 6, 2], low: 0.1, high: 1))
        #expect(report.passed, "\(padding) stride \(stride): \(report)")
    }

    @Test func gradientWithoutBiasAndWithPreactivationActivation() throws {
        let conv = try built(Conv2D.keras(filters: 2, kernelSize: 3, padding: .same, activation: .gelu, useBias: false), [4, 3, 3])
        #expect(conv.parameters.count == 1)
        #expect(gradientCheck(conv, input: awayFromZero([2, 4, 3, 3], low: 0.1, high: 1)).passed)
    }

    @Test func firstLayerCanSkipTheInputGradient() throws {
        let a = try built(Conv2D.keras(filters: 2, kernelSize: 3, activation: .relu), [5, 5, 1])
        let b = try built(Conv2D.keras(filters: 2, kernelSize: 3, activation: .relu), [5, 5, 1])
        b.computesInputGradient = false
        let x = randomTensor([2, 5, 5, 1]), dy = randomTensor([2, 3, 3, 2], seed: 6)
        _ = a.forward(x, training: true); _ = b.forward(x, training: true)
        _ = a.backward(dy)
        #expect(b.backward(dy).array.allSatisfy { $0 == 0 })
        #expect(a.kernel.grad.array == b.kernel.grad.array && a.bias!.grad.array == b.bias!.grad.array)
    }

    @Test func skipsActivationWhenAsked() throws {
        let sig = try built(Conv2D.keras(filters: 2, kernelSize: 3, padding: .same, activation: .sigmoid), [4, 4, 2], seed: 3)
        let lin = try built(Conv2D.keras(filters: 2, kernelSize: 3, padding: .same), [4, 4, 2], seed: 3)
        sig.backwardSkipsActivation = true
        let x = randomTensor([2, 4, 4, 2]), dz = randomTensor([2, 4, 4, 2], seed: 9)
        _ = sig.forward(x, training: true); _ = lin.forward(x, training: true)
        #expect(sig.backward(dz).array == lin.backward(dz).array)
        #expect(sig.kernel.grad.array == lin.kernel.grad.array)
    }

    /// 3×3 stride-1 layers of 16k channels run on oneDNN's Winograd kernels where the CPU has
    /// them (AVX-512, not under the portable cap): all three passes against the plain loops,
    /// the blocked copies a thread keeps between passes taken from the right buffers (a weight
    /// gradient for another input than the last forward pass's, another plan's pass in between,
    /// a new dy), and the input gradient's own Winograd pass from 64 input channels.
    @Test(arguments: [(8, 16, 32, Padding.same, true), (9, 32, 16, .valid, false), (7, 64, 16, .same, true)])
    func winogradMatchesReference(side: Int, channels: Int, filters: Int, padding: Padding, withBias: Bool) {
        let g = WindowGeometry(batch: 3, height: side, width: side, channels: channels, kernel: (3, 3), strides: (1, 1),
                               padding: padding)!
        let outCount = 3 * g.outHeight * g.outWidth * filters
        let plan = ConvolutionPlan(geometry: g, filters: filters, bias: withBias)
        #expect(plan.algorithm == (Kernels.dnnlISA.hasPrefix("avx512") ? "winograd" : "winograd4x4"), "\(plan.algorithm) on \(Kernels.dnnlISA)")
        let x = randomTensor([g.inputCount], seed: 31), other = randomTensor([g.inputCount], seed: 32)
        let wt = randomTensor([9 * channels * filters], seed: 33), b = randomTensor([filters], seed: 34)
        let dy = randomTensor([outCount], seed: 35)
        // Sums of 9·C products of N(0, 1) values (C ≤ 64: about ±24); Winograd's transforms
        // lose a few more bits than a direct sum.
        let tolerance: Float = 2e-3

        let y1 = Tensor(shape: [outCount]), y2 = Tensor(shape: [outCount])
        ConvolutionReference.forward(g, filters: filters, x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y2.data)
        plan.forward(x: other.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)
        plan.forward(x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)
        #expect(maxAbsDiff(y1.array, y2.array) < tolerance, "forward")

        // The weight gradient of `other` right after a forward pass on x.
        let dw1 = Tensor(shape: [wt.count]), dw2 = Tensor(shape: [wt.count]), db1 = Tensor(shape: [filters])
        let db2 = Tensor(shape: [filters])
        ConvolutionReference.backwardWeights(g, filters: filters, x: other.data, dy: dy.data, dw: dw2.data, db: withBias ? db2.data : nil)
        plan.backwardWeights(x: other.data, dy: dy.data, dw: dw1.data, db: withBias ? db1.data : nil)
        #expect(maxAbsDiff(dw1.array, dw2.array) < tolerance * 10, "backward weights")
        #expect(maxAbsDiff(db1.array, db2.array) < tolerance * 10, "backward bias")

        // Another plan's forward pass on this thread between a forward pass and its weight
        // gradient: the thread's blocked copy is then the other plan's, and must not be used.
        let second = ConvolutionPlan(geometry: g, filters: filters, bias: withBias)
        plan.forward(x: x.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)
        second.forward(x: other.data, weights: wt.data, bias: withBias ? b.data : nil, y: y1.data)
        ConvolutionReference.backwardWeights(g, filters: filters, x: x.data, dy: dy.data, dw: dw2.data, db: withBias ? db2.data : nil)
        plan.backwardWeights(x: x.data, dy: dy.data, dw: dw1.data, db: withBias ? db1.data : nil)
        #expect(maxAbsDiff(dw1.array, dw2.array) < tolerance * 10, "backward weights after another plan's pass")

        // A new dy for both backward passes, in the layer's order (the input gradient reuses
        // the weight gradient's blocked dy).
        for i in 0..<outCount { dy.data[i] *= -0.5 }
        let dx1 = Tensor(shape: [g.inputCount]), dx2 = Tensor(shape: [g.inputCount])
        dx1.fill(.nan)
        ConvolutionReference.backwardData(g, filters: filters, dy: dy.data, weights: wt.data, dx: dx2.data)
        plan.backwardWeights(x: x.data, dy: dy.data, dw: dw1.data, db: withBias ? db1.data : nil)
        plan.backwardData(dy: dy.data, weights: wt.data, dx: dx1.data)
        #expect(maxAbsDiff(dx1.array, dx2.array) < tolerance, "backward data")
        // And on its own, with no pass before it on this plan.
        dx1.fill(.nan)
        ConvolutionPlan(geometry: g, filters: filters, bias: withBias).backwardData(dy: dy.data, weights: wt.data, dx: dx1.data)
        #expect(maxAbsDiff(dx1.array, dx2.array) < tolerance, "backward data, fresh plan")
    }

    /// A layer's chunks share its kernel's reorders (`SharedKernel`), remade at each forward
    /// pass: after the kernel changes in place (as an optimizer step changes it), a step gives
    /// the bits of a fresh layer that never saw the old kernel, on 1 and 2 threads; at
    /// Winograd shapes (16 and 64 channels in, the latter with a Winograd input gradient too)
    /// and a direct one (8 channels in).
    @Test(arguments: [16, 64, 8])
    func sharedKernelFollowsWeightChanges(channels: Int) throws {
        typealias Step = (y: [Float], dx: [Float], dk: [Float], db: [Float])
        func step(_ conv: Conv2D, _ x: Tensor, _ dy: Tensor) -> Step {
            let y = conv.forward(x, training: true).array
            conv.kernel.grad.fill(0); conv.bias!.grad.fill(0)
            let dx = conv.backward(dy).array
            return (y, dx, conv.kernel.grad.array, conv.bias!.grad.array)
        }
        for threads in [1, 2] {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let x = randomTensor([40, 6, 6, channels], seed: 41), dy = randomTensor([40, 6, 6, 16], seed: 42)
            let conv = try built(Conv2D.keras(filters: 16, kernelSize: 3, padding: .same, activation: .relu), [6, 6, channels])
            let first = step(conv, x, dy)
            // An SGD step in place, then the same step on the changed kernel.
            let k = conv.kernel!
            for i in 0..<k.count { k.value.data[i] -= 0.5 * k.grad.data[i] + 0.01 }
            let second = step(conv, x, dy)
            let fresh = try built(Conv2D.keras(filters: 16, kernelSize: 3, padding: .same, activation: .relu), [6, 6, channels])
            fresh.kernel.value.copy(from: k.value.array)
            fresh.bias!.value.copy(from: conv.bias!.value.array)
            let expected = step(fresh, x, dy)
            #expect(!sameBits(first.y, second.y), "\(threads) thread(s): the kernel change shows")
            #expect(sameBits(second.y, expected.y), "forward, \(threads) thread(s)")
            #expect(sameBits(second.dx, expected.dx), "input gradient, \(threads) thread(s)")
            #expect(sameBits(second.dk, expected.dk), "kernel gradient, \(threads) thread(s)")
            #expect(sameBits(second.db, expected.db), "bias gradient, \(threads) thread(s)")
        }
    }

    /// Winograd layers in a row: the second takes the first's blocked output as its blocked
    /// input when the first leaves its output as written (ReLU as the post-op, or linear), and
    /// not after a sigmoid applied over it in place. The model's forward and backward passes
    /// (each chunk through all four layers, so the blocked copies meet) give the bits of the
    /// layers run one by one on copies of their inputs (where no blocked copy can be reused).
    @Test func winogradLayersInARowMatchLayerByLayer() throws {
        func layers() -> [Conv2D] {
            [Conv2D.keras(filters: 32, kernelSize: 3, padding: .same, activation: .relu),
             Conv2D.keras(filters: 32, kernelSize: 3, padding: .same, activation: .sigmoid),
             Conv2D.keras(filters: 16, kernelSize: 3, padding: .same),
             Conv2D.keras(filters: 16, kernelSize: 3, padding: .same, activation: .relu)]
        }
        let saved = Threads.budget
        Threads.budget = 2
        defer { Threads.budget = saved }
        let x = randomTensor([40, 7, 7, 16], seed: 51), dy = randomTensor([40, 7, 7, 16], seed: 52)
        let model = try builtModel(layers(), input: [7, 7, 16], seed: 3)
        model.zeroGradients()
        let y = model.forward(x, training: true).array
        let dx = model.backward(dy).array

        let one = try builtModel(layers(), input: [7, 7, 16], seed: 3)
        one.zeroGradients()
        var h = x
        for layer in one.layers { h = layer.forward(Tensor(shape: h.shape, values: h.array), training: true) }
        var d = dy
        for layer in one.layers.reversed() { d = layer.backward(Tensor(shape: d.shape, values: d.array)) }
        #expect(sameBits(y, h.array), "forward")
        #expect(sameBits(dx, d.array), "input gradient")
        for (p, q) in zip(model.parameters, one.parameters) {
            #expect(sameBits(p.grad.array, q.grad.array), "\(p.name) gradient")
        }
    }

    /// Training has Conv2D write its gradients (`GradientWriting`): the kernel's slices and the
    /// bias summed over the chunks as closing tasks on both threads. Over a grad full of garbage
    /// they give the bits of adding into a zeroed grad; each range is handed over once, the
    /// ranges cover every parameter, and the sum over the chunks matches the plain loops on the
    /// whole batch (a chunk left out would not). On AVX-512 (Winograd) the chunks leave their
    /// kernel gradients blocked and the tasks reorder them while adding: the bits of the chunks
    /// reordering them to Keras's layout first.
    @Test func writtenGradientsMatchAddedOnes() throws {
        let saved = Threads.budget
        Threads.budget = 2
        defer { Threads.budget = saved }
        let x = randomTensor([40, 6, 6, 64], seed: 61), dy = randomTensor([40, 6, 6, 64], seed: 62)
        func layer() throws -> Conv2D { try built(Conv2D.keras(filters: 64, kernelSize: 3, padding: .same), [6, 6, 64], seed: 5) }
        let added = try layer(), written = try layer()
        added.kernel.grad.fill(0); added.bias!.grad.fill(0)
        _ = added.forward(x, training: true); _ = added.backward(dy)

        written.kernel.grad.fill(7); written.bias!.grad.fill(7)
        written.backwardWritesGradients = true
        let handed = Mutex<[(String, Range<Int>)]>([])
        written.gradientReady = { p, range in handed.withLock { $0.append((p.name, range)) } }
        _ = written.forward(x, training: true); _ = written.backward(dy)
        #expect(sameBits(written.kernel.grad.array, added.kernel.grad.array), "kernel gradient")
        #expect(sameBits(written.bias!.grad.array, added.bias!.grad.array), "bias gradient")
        let ranges = handed.withLock { $0 }
        for p in written.parameters {
            let mine = ranges.filter { $0.0 == p.name }.map(\.1).sorted { $0.lowerBound < $1.lowerBound }
            #expect(mine.first?.lowerBound == 0 && mine.last?.upperBound == p.count, "\(p.name) covered")
            #expect(zip(mine, mine.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "\(p.name) ranges disjoint, no gap")
        }
        #expect(ranges.filter { $0.0 == "kernel" }.count >= 2, "the kernel in several slices")

        let plain = try layer()
        plain.blockedKernelGradients = false
        plain.backwardWritesGradients = true
        _ = plain.forward(x, training: true); _ = plain.backward(dy)
        #expect(sameBits(written.kernel.grad.array, plain.kernel.grad.array), "kernel gradient, reordered by the chunks")
        let plan = ConvolutionPlan(geometry: WindowGeometry(batch: 20, height: 6, width: 6, channels: 64, kernel: (3, 3),
                                                            strides: (1, 1), padding: .same)!, filters: 64, bias: true)
        #expect(plan.writesBlockedGradient == Kernels.dnnlISA.hasPrefix("avx512"), "blocked gradient on \(Kernels.dnnlISA)")

        let g = WindowGeometry(batch: 40, height: 6, width: 6, channels: 64, kernel: (3, 3), strides: (1, 1), padding: .same)!
        let dw = Tensor(shape: added.kernel.shape), db = Tensor(shape: [64])
        ConvolutionReference.backwardWeights(g, filters: 64, x: x.data, dy: dy.data, dw: dw.data, db: db.data)
        #expect(maxAbsDiff(written.kernel.grad.array, dw.array) < 5e-2, "kernel gradient against the plain loops")
        #expect(maxAbsDiff(written.bias!.grad.array, db.array) < 1e-2, "bias gradient against the plain loops")
    }

    @Test func batchSizesGetTheirOwnPlans() throws {
        let conv = try built(Conv2D.keras(filters: 2, kernelSize: 3, padding: .same), [5, 5, 1])
        let big = randomTensor([3, 5, 5, 1]), small = randomTensor([1, 5, 5, 1], seed: 4)
        let yBig = conv.forward(big, training: false).array
        let ySmall = conv.forward(small, training: false).array
        #expect(yBig.count == 3 * 25 * 2 && ySmall.count == 25 * 2)
        #expect(conv.forward(big, training: false).array == yBig)
    }

    @Test func parameterCountsAndShapes() throws {
        let c = try built(Conv2D.keras(filters: 64, kernelSize: 7, padding: .same), [28, 28, 1])
        #expect(c.parameters.map(\.count).reduce(0, +) == 3_200)
        #expect(c.outputShape == [28, 28, 64])
        #expect(c.kernel.shape == [7, 7, 1, 64])
        let c2 = try built(Conv2D.keras(filters: 128, kernelSize: 3, padding: .same), [14, 14, 64])
        #expect(c2.parameters.map(\.count).reduce(0, +) == 73_856)
        #expect(try built(Conv2D.keras(filters: 1, kernelSize: 3, strides: 2), [7, 8, 1]).outputShape == [3, 3, 1])
        #expect(try built(Conv2D.keras(filters: 1, kernelSize: 3, strides: 2, padding: .same), [7, 8, 1]).outputShape == [4, 4, 1])
    }

    @Test func impossibleShapesThrow() {
        #expect(throws: ShapeError.self) { try built(Conv2D.keras(filters: 4, kernelSize: 3), [784]) }
        #expect(throws: ShapeError.self) { try built(Conv2D.keras(filters: 4, kernelSize: 5), [4, 4, 1]) }
        #expect(throws: Never.self) { try built(Conv2D.keras(filters: 4, kernelSize: 5, padding: .same), [4, 4, 1]) }
        do {
            _ = try built(Conv2D.keras(filters: 4, kernelSize: 3), [784])
        } catch let error as ShapeError {
            #expect(error.message.contains("Flatten"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

/// Whether two arrays hold the same floats bit for bit (a Bool, so a failure does not print them).
private func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }
