import Testing
@testable import Engine

/// Activations kept in oneDNN's blocked layout (`Blocked`) between Winograd convolutions and
/// their pooling or Winograd neighbours: reorders are copies, so leaving them out changes no bit.
@Suite struct BlockedLayoutTests {
    private func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    private func blocked(_ t: Tensor) -> [Float] {
        var b = t.array
        Blocked.fromNHWC(t.data, into: &b, batch: t.shape[0], height: t.shape[1], width: t.shape[2], channels: t.shape[3])
        return b
    }

    private func nhwc(_ v: [Float], _ shape: [Int]) -> [Float] {
        var x = v
        Blocked.toNHWC(v, into: &x, batch: shape[0], height: shape[1], width: shape[2], channels: shape[3])
        return x
    }

    /// A Winograd plan reading and writing the caller's blocked buffers (input side, output side,
    /// both) gives the NHWC plan's y, dw, db and dx at the blocked places, bit for bit, on a
    /// ragged 7×5 image: the forward pass, then the weight gradient, then the input gradient, as
    /// Conv2D calls them. With 32 input channels (valid padding) the input gradient runs on the
    /// direct kernel over NHWC copies of the blocked sides.
    @Test(arguments: [(64, Padding.same), (32, Padding.valid)])
    func blockedPlanMatchesTheNHWCPlan(channels: Int, padding: Padding) {
        let g = WindowGeometry(batch: 3, height: 7, width: 5, channels: channels, kernel: (3, 3), strides: (1, 1), padding: padding)!
        let x = randomTensor([3, 7, 5, channels], seed: 71), dy = randomTensor([3, g.outHeight, g.outWidth, 64], seed: 72)
        let w = randomTensor([3, 3, channels, 64], scale: 0.1, seed: 73), b = randomTensor([64], seed: 74)
        func run(_ plan: ConvolutionPlan, x: [Float], dy: [Float]) -> (y: [Float], dw: [Float], db: [Float], dx: [Float]) {
            var y = [Float](repeating: .nan, count: dy.count), dx = [Float](repeating: .nan, count: x.count)
            var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: 64)
            plan.forward(x: x, weights: w.data, bias: b.data, y: &y)
            plan.backwardWeights(x: x, dy: dy, dw: &dw, db: &db)
            plan.backwardData(dy: dy, weights: w.data, dx: &dx)
            return (y, dw, db, dx)
        }
        let plain = run(ConvolutionPlan(geometry: g, filters: 64, bias: true, relu: true), x: x.array, dy: dy.array)
        for (bi, bo) in [(true, false), (false, true), (true, true)] {
            let plan = ConvolutionPlan(geometry: g, filters: 64, bias: true, relu: true, blockedInput: bi, blockedOutput: bo)
            #expect((plan.algorithm == "winograd") == Kernels.dnnlISA.hasPrefix("avx512"), "\(plan.algorithm) on \(Kernels.dnnlISA)")
            #expect(plan.winogradBackwardData == (plan.algorithm == "winograd" && channels >= 64))
            guard plan.algorithm == "winograd" else { continue }   // direct kernels on blocked data sum otherwise
            let r = run(plan, x: bi ? blocked(x) : x.array, dy: bo ? blocked(dy) : dy.array)
            let label = "input blocked \(bi), output blocked \(bo)"
            #expect(sameBits(bo ? nhwc(r.y, dy.shape) : r.y, plain.y), "y, \(label)")
            #expect(sameBits(r.dw, plain.dw), "dw, \(label)")
            #expect(sameBits(r.db, plain.db), "db, \(label)")
            #expect(sameBits(bi ? nhwc(r.dx, x.shape) : r.dx, plain.dx), "dx, \(label)")
        }
    }

    private func layers() -> [Layer] {
        [Conv2D.keras(filters: 64, kernelSize: 3, padding: .same, activation: .relu),
         MaxPooling2D.keras(poolSize: 2, padding: .same),
         Conv2D.keras(filters: 64, kernelSize: 3, padding: .same, activation: .relu),
         Conv2D.keras(filters: 64, kernelSize: 3, padding: .same),
         MaxPooling2D.keras(poolSize: 2),
         Flatten(),
         Dense.keras(units: 3)]
    }

    /// small_cnn's shape: a first layer on one channel (patch products, NHWC), then a Winograd
    /// layer of 32 input channels (direct input gradient) between two pools.
    private func smallCNN() -> [Layer] {
        [Conv2D.keras(filters: 32, kernelSize: 3, padding: .same, activation: .relu), MaxPooling2D.keras(poolSize: 2),
         Conv2D.keras(filters: 64, kernelSize: 3, activation: .relu), MaxPooling2D.keras(poolSize: 2),
         Flatten(), Dense.keras(units: 10)]
    }

    private func run(_ layers: [Layer], input: [Int], blocked: Bool) throws -> (model: Sequential, y: [Float], dx: [Float]) {
        let m = Sequential(layers)
        m.blockedActivations = blocked
        // Layouts alone: a conv before a pool would take its input gradient from the pool's in
        // the NHWC model only (`PooledConvolution.backwardData`, other bits).
        m.fusesPooling = false
        try m.build(inputShape: input, seed: 4)
        (m.layers[0] as! Conv2D).backwardSkipsActivation = true
        (m.layers[1] as! MaxPooling2D).backwardAppliesReLU = true
        m.zeroGradients()
        let y = m.forward(randomTensor([40] + input, seed: 81), training: true)
        return (m, y.array, m.backward(randomTensor(y.shape, seed: 82)).array)
    }

    private func expectSameBits(_ on: (model: Sequential, y: [Float], dx: [Float]), _ off: (model: Sequential, y: [Float], dx: [Float])) {
        #expect(off.model.layers.allSatisfy { ($0 as? Conv2D)?.outputBlocked != true && ($0 as? MaxPooling2D)?.inputBlocked != true })
        #expect(sameBits(on.y, off.y), "output")
        #expect(sameBits(on.dx, off.dx), "input gradient")
        for (p, q) in zip(on.model.parameters, off.model.parameters) {
            #expect(sameBits(p.grad.array, q.grad.array), "\(p.name) gradient")
        }
    }

    /// conv → pool → conv → conv → pool → flatten with every activation between them blocked
    /// (on AVX-512, where the convolutions run Winograd) gives the all-NHWC model's output, input
    /// gradient and parameter gradients bit for bit, chunks on two threads, with training's
    /// ReLU folded into the first pool's backward pass; and the layouts are the ones described.
    @Test func blockedModelMatchesTheNHWCModel() throws {
        let saved = Threads.budget
        Threads.budget = 2
        defer { Threads.budget = saved }
        let on = try run(layers(), input: [9, 7, 64], blocked: true), off = try run(layers(), input: [9, 7, 64], blocked: false)
        let winograd = Kernels.dnnlISA.hasPrefix("avx512")
        let convs = on.model.layers.compactMap { $0 as? Conv2D }, pools = on.model.layers.compactMap { $0 as? MaxPooling2D }
        #expect(convs.map(\.inputBlocked) == [false, winograd, winograd], "conv inputs")
        #expect(convs.map(\.outputBlocked) == [winograd, winograd, winograd], "conv outputs")
        #expect(pools.map(\.inputBlocked) == [winograd, winograd] && pools.map(\.outputBlocked) == [winograd, false], "pools")
        expectSameBits(on, off)

        let small = try run(smallCNN(), input: [12, 12, 1], blocked: true)
        let conv = small.model.layers[2] as! Conv2D
        #expect(conv.winogradPasses.winograd == winograd && !conv.winogradPasses.backwardData)
        #expect(conv.inputBlocked == winograd && conv.outputBlocked == winograd, "small CNN's second layer")
        #expect(!(small.model.layers[0] as! Conv2D).outputBlocked && !(small.model.layers[3] as! MaxPooling2D).outputBlocked)
        expectSameBits(small, try run(smallCNN(), input: [12, 12, 1], blocked: false))
    }
}

/// Plain loops between NHWC and the blocked layout: the tests' reference for oneDNN's reorders
/// (the engine itself never converts by hand).
extension Blocked {
    /// Copies an NHWC batch (n, h, w, c) into the blocked layout (c a multiple of 16).
    static func fromNHWC(_ x: UnsafePointer<Float>, into b: UnsafeMutablePointer<Float>, batch n: Int, height h: Int,
                         width w: Int, channels c: Int) {
        precondition(c % 16 == 0, "Blocked: channels \(c) not a multiple of 16")
        let to = Index(h, w, c, blocked: true)
        for i in 0..<n { for p in 0..<(h * w) { for k0 in stride(from: 0, to: c, by: 16) {
            (b + to(i, 0, p, k0)).update(from: x + (i * h * w + p) * c + k0, count: 16)
        } } }
    }

    /// Copies a blocked batch back into NHWC.
    static func toNHWC(_ b: UnsafePointer<Float>, into x: UnsafeMutablePointer<Float>, batch n: Int, height h: Int,
                       width w: Int, channels c: Int) {
        precondition(c % 16 == 0, "Blocked: channels \(c) not a multiple of 16")
        let from = Index(h, w, c, blocked: true)
        for i in 0..<n { for p in 0..<(h * w) { for k0 in stride(from: 0, to: c, by: 16) {
            (x + (i * h * w + p) * c + k0).update(from: b + from(i, 0, p, k0), count: 16)
        } } }
    }
}
