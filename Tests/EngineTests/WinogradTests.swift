import Testing
@testable import Engine

/// Our Winograd F(4×4, 3×3) (`Winograd4x4`): its three passes against the plain loops at shapes
/// whose tiles do and do not fit the output, the plan choosing it where oneDNN has no Winograd
/// kernels, a layer on it through finite differences, and its bits whatever the threads.
@Suite(.enabled(if: Winograd4x4.suits(WindowGeometry(batch: 1, height: 4, width: 4, channels: 8, kernel: (3, 3),
                                                     strides: (1, 1), padding: .same)!, filters: 8),
                "needs AVX2"))
struct WinogradTests {
    /// Side, channels, filters, padding: 4×4 tiles that fit the output (8 same, 6 valid → 4),
    /// that do not (7 same, 9 valid → 7, 5 same), one tile smaller than the output (3 valid → 1).
    static let shapes: [(Int, Int, Int, Padding)] = [
        (8, 16, 8, .same), (6, 8, 16, .valid), (7, 24, 32, .same), (9, 8, 8, .valid), (5, 32, 24, .same), (3, 8, 8, .valid),
    ]

    /// The transforms round more than a direct sum: the error is measured against the largest
    /// value (sums of 9·C products of N(0, 1) values) and is about 1e-6 of it on these shapes
    /// (1e-5 at the notebook CNN's 256 channels, probe bench/probes/winograd.c).
    private func close(_ a: [Float], _ b: [Float], _ what: String) {
        let scale = b.map { abs($0) }.max() ?? 1
        #expect(maxAbsDiff(a, b) <= 2e-5 * scale, "\(what): \(maxAbsDiff(a, b)) against a largest value of \(scale)")
    }

    @Test(arguments: shapes)
    func passesMatchReference(side: Int, channels: Int, filters: Int, padding: Padding) {
        let g = WindowGeometry(batch: 3, height: side, width: side, channels: channels, kernel: (3, 3), strides: (1, 1),
                               padding: padding)!
        let w = Winograd4x4(g, filters: filters)
        let outCount = 3 * g.outHeight * g.outWidth * filters
        let x = randomTensor([g.inputCount], seed: 51), other = randomTensor([g.inputCount], seed: 52)
        let k = randomTensor([9 * channels * filters], seed: 53), b = randomTensor([filters], seed: 54)
        let dy = randomTensor([outCount], seed: 55)
        let u = Tensor(shape: [Winograd4x4.kernelCount(g, filters: filters)])
        let turned = Tensor(shape: [Winograd4x4.kernelCount(g, filters: filters)])
        Winograd4x4.transformKernel(k.data, g, filters: filters, rotate: false, into: u.data)
        Winograd4x4.transformKernel(k.data, g, filters: filters, rotate: true, into: turned.data)

        // Forward, with the bias, then with the bias and a ReLU.
        let y = Tensor(shape: [outCount]), expected = Tensor(shape: [outCount])
        ConvolutionReference.forward(g, filters: filters, x: x.data, weights: k.data, bias: b.data, y: expected.data)
        w.forward(x: x.data, u: u.data, bias: b.data, relu: false, y: y.data)
        close(y.array, expected.array, "forward")
        w.forward(x: x.data, u: u.data, bias: b.data, relu: true, y: y.data)
        close(y.array, expected.array.map { max($0, 0) }, "forward with ReLU")

        // The weight gradient right after the forward pass on x (its input transform kept),
        // then for another input (transformed anew).
        let dw = Tensor(shape: [k.count]), db = Tensor(shape: [filters])
        let edw = Tensor(shape: [k.count]), edb = Tensor(shape: [filters])
        dw.fill(.nan); db.fill(.nan)
        ConvolutionReference.backwardWeights(g, filters: filters, x: x.data, dy: dy.data, dw: edw.data, db: edb.data)
        w.backwardWeights(x: x.data, dy: dy.data, dw: dw.data, db: db.data)
        close(dw.array, edw.array, "kernel gradient")
        close(db.array, edb.array, "bias gradient")
        ConvolutionReference.backwardWeights(g, filters: filters, x: other.data, dy: dy.data, dw: edw.data, db: edb.data)
        w.backwardWeights(x: other.data, dy: dy.data, dw: dw.data, db: db.data)
        close(dw.array, edw.array, "kernel gradient of another input")

        // The input gradient (in the thread's buffers) between a training forward pass and its
        // weight gradient leaves the kept transform alone.
        let dx = Tensor(shape: [g.inputCount]), edx = Tensor(shape: [g.inputCount])
        dx.fill(.nan)
        ConvolutionReference.backwardData(g, filters: filters, dy: dy.data, weights: k.data, dx: edx.data)
        w.forward(x: other.data, u: u.data, bias: b.data, relu: false, y: y.data)
        w.backwardData(dy: dy.data, u: turned.data, dx: dx.data)
        close(dx.array, edx.array, "input gradient")
        w.backwardWeights(x: other.data, dy: dy.data, dw: dw.data, db: db.data)
        close(dw.array, edw.array, "kernel gradient after an input gradient")

        // An inference pass keeps nothing: a weight gradient after it transforms its input,
        // even at the address of the last training pass's input, rewritten since (`reused`
        // holds x for the training pass, then other's values for the inference pass).
        let reused = Tensor(shape: [g.inputCount])
        reused.copy(from: x.array)
        w.forward(x: reused.data, u: u.data, bias: b.data, relu: false, y: y.data)
        reused.copy(from: other.array)
        w.forward(x: reused.data, u: u.data, bias: b.data, relu: false, y: y.data, training: false)
        w.forward(x: x.data, u: u.data, bias: b.data, relu: false, y: y.data, training: false)
        close(y.array, expected.array, "inference forward")
        w.backwardWeights(x: reused.data, dy: dy.data, dw: dw.data, db: db.data)
        close(dw.array, edw.array, "kernel gradient after an inference pass")
    }

    /// A plan takes our Winograd where oneDNN has none: 24 channels (oneDNN's Winograd kernels
    /// want 16s) on any CPU with AVX2, and every 3×3 stride-1 layer of 8s under the AVX2 cap.
    /// Strides, other kernel sizes and odd channel counts stay with oneDNN.
    @Test func plansChooseIt() {
        func algorithm(_ channels: Int, _ filters: Int, kernel: Int = 3, stride: Int = 1, padding: Padding = .same) -> String {
            let g = WindowGeometry(batch: 2, height: 8, width: 8, channels: channels, kernel: (kernel, kernel),
                                   strides: (stride, stride), padding: padding)!
            return ConvolutionPlan(geometry: g, filters: filters, bias: true).algorithm
        }
        let avx512 = Kernels.dnnlISA.hasPrefix("avx512")
        #expect(algorithm(24, 16) == "winograd4x4")
        #expect(algorithm(24, 16, padding: .valid) == "winograd4x4")
        #expect(algorithm(32, 64) == (avx512 ? "winograd" : "winograd4x4"), "on \(Kernels.dnnlISA)")
        #expect(algorithm(24, 12) == "direct", "filters not in 8s")
        #expect(algorithm(24, 16, stride: 2) == "direct")
        #expect(algorithm(24, 16, kernel: 5) == "direct")
    }

    /// A layer on it (24 channels) through finite differences of its loss.
    @Test func layerGradient() throws {
        let conv = try built(Conv2D.keras(filters: 8, kernelSize: 3, padding: .same, activation: .tanh,
                                          biasInitializer: .randomNormal(mean: 0, stddev: 0.3)), [5, 6, 24])
        let report = gradientCheck(conv, input: awayFromZero([2, 5, 6, 24], low: 0.1, high: 1))
        #expect(report.passed, "\(report)")
    }

    /// A layer on it gives the same bits on 1 and 2 threads (its chunks share the kernel's two
    /// transforms, made by whichever chunk comes first), follows its kernel when an optimizer
    /// changes it in place, and matches the plain loops.
    @Test func layerBitsWhateverTheThreads() throws {
        typealias Step = (y: [Float], dx: [Float], dk: [Float], db: [Float])
        func layer() throws -> Conv2D {
            try built(Conv2D.keras(filters: 16, kernelSize: 3, padding: .same, activation: .relu), [7, 7, 24], seed: 9)
        }
        func step(_ conv: Conv2D, _ x: Tensor, _ dy: Tensor) -> Step {
            let y = conv.forward(x, training: true).array
            conv.kernel.grad.fill(0); conv.bias!.grad.fill(0)
            let dx = conv.backward(dy).array
            return (y, dx, conv.kernel.grad.array, conv.bias!.grad.array)
        }
        let x = randomTensor([40, 7, 7, 24], seed: 61), dy = randomTensor([40, 7, 7, 16], seed: 62)
        var steps: [Step] = []
        for threads in [1, 2] {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let conv = try layer()
            _ = step(conv, x, dy)
            let k = conv.kernel!
            for i in 0..<k.count { k.value.data[i] -= 0.5 * k.grad.data[i] + 0.01 }
            steps.append(step(conv, x, dy))
            if threads == 2 {
                let g = WindowGeometry(batch: 40, height: 7, width: 7, channels: 24, kernel: (3, 3), strides: (1, 1), padding: .same)!
                let y = Tensor(shape: [40 * 7 * 7 * 16])
                ConvolutionReference.forward(g, filters: 16, x: x.data, weights: k.value.data, bias: conv.bias!.value.data, y: y.data)
                close(steps[1].y, y.array.map { max($0, 0) }, "forward after the kernel changed")
            }
        }
        #expect(sameBits(steps[0].y, steps[1].y), "forward")
        #expect(sameBits(steps[0].dx, steps[1].dx), "input gradient")
        #expect(sameBits(steps[0].dk, steps[1].dk), "kernel gradient")
        #expect(sameBits(steps[0].db, steps[1].db), "bias gradient")
    }
}

private func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }
