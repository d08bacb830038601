import Synchronization
import Testing
@testable import Engine

/// The backward pass as a graph of tasks (`Threads.run`), and Conv2D's split backward pass:
/// whole-batch input and weight gradients side by side where the input gradient runs on
/// Winograd kernels.
@Suite struct SplitBackwardTests {
    private func sameBits(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    /// Every task runs once, after all its dependencies have finished, on 1, 2 and 4 threads;
    /// on one thread in their numbered order.
    @Test func runKeepsDependencies() {
        let saved = Threads.budget
        defer { Threads.budget = saved }
        var rng = RandomGenerator(seed: 5)
        let count = 60
        let after: [[Int]] = (0..<count).map { t in
            t == 0 ? [] : (0..<Int(rng.next() % 3)).map { _ in Int(rng.next() % UInt64(t)) }
        }
        for budget in [1, 2, 4] {
            Threads.budget = budget
            let clock = Atomic<Int>(0)
            var started = [Int](repeating: -1, count: count), finished = [Int](repeating: -1, count: count)
            var runs = [Int](repeating: 0, count: count)
            started.withUnsafeMutableBufferPointer { s in
                finished.withUnsafeMutableBufferPointer { f in
                    runs.withUnsafeMutableBufferPointer { r in
                        let s = s.baseAddress!, f = f.baseAddress!, r = r.baseAddress!
                        Threads.run(count, after: after) { t in
                            s[t] = clock.add(1, ordering: .sequentiallyConsistent).oldValue
                            r[t] += 1
                            var x: Float = 1   // some work, so that tasks overlap
                            for i in 0..<(t % 7) * 2_000 { x = x * 1.000001 + Float(i & 1) }
                            if x.isNaN { r[t] += 100 }
                            f[t] = clock.add(1, ordering: .sequentiallyConsistent).oldValue
                        }
                    }
                }
            }
            #expect(runs.allSatisfy { $0 == 1 }, "budget \(budget): each task once")
            for t in 0..<count {
                for d in after[t] {
                    #expect(finished[d] < started[t], "budget \(budget): task \(t) started before its dependency \(d) finished")
                }
            }
            if budget == 1 { #expect(started == started.sorted(), "one thread: in order") }
            #expect(Threads.budget == budget)
        }
    }

    /// A Winograd layer of 64 input channels in a model: split (two chunks or more) or not, the
    /// same output and input gradient bit for bit, and weight gradients equal up to rounding (one
    /// sum over the batch instead of per-chunk sums); split, the same bits on one thread and on
    /// two. Where oneDNN has no Winograd kernels (no AVX-512) the pass is never split.
    @Test func splitBackwardMatchesChunks() throws {
        func run(split: Bool, threads: Int, batch: Int = 40) throws -> (y: [Float], dx: [Float], grads: [[Float]], conv: Conv2D) {
            let saved = Threads.budget
            Threads.budget = threads
            defer { Threads.budget = saved }
            let m = Sequential([Conv2D.keras(filters: 64, kernelSize: 3, padding: .same, activation: .relu),
                                Conv2D.keras(filters: 64, kernelSize: 3, padding: .same, activation: .relu),
                                MaxPooling2D.keras(poolSize: 2), Flatten(), Dense.keras(units: 3)])
            try m.build(inputShape: [7, 7, 64], seed: 6)
            let conv = m.layers[1] as! Conv2D
            conv.splitsBackward = split
            m.zeroGradients()
            let y = m.forward(randomTensor([batch, 7, 7, 64], seed: 91), training: true)
            let dx = m.backward(randomTensor(y.shape, seed: 92)).array
            return (y.array, dx, m.parameters.map(\.grad.array), conv)
        }
        let winograd = Kernels.dnnlISA.hasPrefix("avx512")
        let on = try run(split: true, threads: 2), off = try run(split: false, threads: 2)
        #expect(on.conv.winogradPasses.backwardData == winograd)
        #expect(on.conv.splitsThisPass == winograd && !off.conv.splitsThisPass)
        #expect(sameBits(on.y, off.y), "output")
        #expect(sameBits(on.dx, off.dx), "input gradient")
        for (i, (a, b)) in zip(on.grads, off.grads).enumerated() {
            let scale = b.map(abs).max() ?? 0
            #expect(scale > 0, "gradient \(i) is not all zeros")
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-5 * scale, "gradient \(i): differs by \(worst) at scale \(scale)")
        }
        let one = try run(split: true, threads: 1)
        #expect(sameBits(one.y, on.y) && sameBits(one.dx, on.dx), "one thread: output, input gradient")
        for (a, b) in zip(one.grads, on.grads) { #expect(sameBits(a, b), "one thread: parameter gradients") }
        // One chunk (a batch under 32): nothing to split.
        #expect(!(try run(split: true, threads: 2, batch: 20)).conv.splitsThisPass)
    }
}
