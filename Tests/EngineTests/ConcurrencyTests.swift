import Dispatch
import Testing
@testable import Engine

/// Parallel trials build separate models and train them on separate threads at the same time;
/// the oneDNN engine is shared, plans and streams are per layer.
@Suite struct ConcurrencyTests {
    /// One training step of a small conv model built from `seed`: the output and the kernel gradient.
    static func step(seed: UInt64) -> [Float] {
        let conv = Conv2D.keras(filters: 4, kernelSize: 3, strides: 2, padding: .same, activation: .relu)
        let pool = MaxPooling2D.keras(poolSize: 2, padding: .same)
        var rng = RandomGenerator(seed: seed)
        try! conv.build(inputShape: [9, 9, 3], rng: &rng)
        try! pool.build(inputShape: conv.outputShape, rng: &rng)
        var out: [Float] = []
        for i in 0..<4 {
            let x = randomTensor([3 + i, 9, 9, 3], seed: seed &+ UInt64(i))
            let y = pool.forward(conv.forward(x, training: true), training: true)
            _ = conv.backward(pool.backward(y))
            out += y.array
        }
        return out + conv.kernel.grad.array
    }

    struct Results: @unchecked Sendable { let p: UnsafeMutablePointer<[Float]> }

    @Test func modelsOnDifferentThreadsMatchSequentialRuns() {
        let seeds: [UInt64] = [1, 2, 3, 4]
        let sequential = seeds.map { Self.step(seed: $0) }
        let results = Results(p: .allocate(capacity: seeds.count))
        results.p.initialize(repeating: [], count: seeds.count)
        defer { results.p.deinitialize(count: seeds.count); results.p.deallocate() }
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            results.p[i] = Self.step(seed: seeds[i])
        }
        // oneDNN may split reductions differently from run to run; allow Float32 rounding.
        for i in seeds.indices {
            #expect(results.p[i].count == sequential[i].count)
            #expect(maxAbsDiff(results.p[i], sequential[i]) < 1e-4, "seed \(seeds[i])")
        }
    }
}
