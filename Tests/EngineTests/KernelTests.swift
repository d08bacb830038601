import Testing
@testable import Engine

@Suite struct GemmTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesNaive(transA: Bool, transB: Bool) {
        var rng = RandomGenerator(seed: 42)
        for _ in 0..<6 {
            let m = 1 + rng.nextInt(below: 37), n = 1 + rng.nextInt(below: 29), k = 1 + rng.nextInt(below: 41)
            let a = randomTensor([m * k], seed: rng.next()), b = randomTensor([k * n], seed: rng.next())
            let c0 = randomTensor([m * n], seed: rng.next())
            let fast = Tensor(shape: [m * n]), slow = Tensor(shape: [m * n])
            fast.copy(from: c0); slow.copy(from: c0)
            Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a.data, b: b.data,
                       beta: 0.3, c: fast.data)
            Gemm.naive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: a.data, b: b.data,
                       beta: 0.3, c: slow.data)
            // Float32 sums of ≤ 41 products of N(0,1) values: errors near 1e-5.
            #expect(maxAbsDiff(fast.array, slow.array) < 1e-4, "m \(m) n \(n) k \(k)")
        }
    }

    /// oneDNN's matmul (the dense layers' products) against the textbook loop, for every
    /// transposition, with and without accumulation, on a column slice of a wider matrix (the
    /// dense kernel gradient's case: lda larger than the packed one).
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaive(transA: Bool, transB: Bool) {
        var rng = RandomGenerator(seed: 43)
        for accumulate in [false, true] { for _ in 0..<4 {
            let m = 1 + rng.nextInt(below: 37), n = 1 + rng.nextInt(below: 29), k = 1 + rng.nextInt(below: 41)
            let extra = rng.nextInt(below: 5)
            let lda = (transA ? m : k) + extra, ldb = (transB ? k : n) + extra
            let a = randomTensor([(transA ? k : m) * lda], seed: rng.next())
            let b = randomTensor([(transB ? n : k) * ldb], seed: rng.next())
            let c0 = randomTensor([m * n], seed: rng.next())
            let fast = Tensor(shape: [m * n]), slow = Tensor(shape: [m * n])
            fast.copy(from: c0); slow.copy(from: c0)
            MatmulPlan(.init(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, accumulate: accumulate))
                .run(a: a.data, b: b.data, c: fast.data)
            Gemm.naive(transA: transA, transB: transB, m: m, n: n, k: k, a: a.data, lda: lda, b: b.data, ldb: ldb,
                       beta: accumulate ? 1 : 0, c: slow.data)
            #expect(maxAbsDiff(fast.array, slow.array) < 1e-4, "m \(m) n \(n) k \(k) accumulate \(accumulate)")
        } }
    }

    /// Splitting the rows of a product (the engine's chunks): on oneDNN's `brg` kernels (AVX-512)
    /// the same bits as one product; on its AVX2 `gemm:jit` (the portable kernels, AVX2 CPUs)
    /// the row count picks the kernel's blocking, and the last bits may move (within 1e-5 of the
    /// largest value here). The engine's chunks are fixed by the batch size, so either way a
    /// split gives the same bits every time, whatever the threads.
    @Test func matmulRowsAndTheSplit() {
        let m = 64, n = 300, k = 784
        let a = randomTensor([m * k], seed: 1), b = randomTensor([k * n], seed: 2)
        let whole = Tensor(shape: [m * n]), parts = Tensor(shape: [m * n]), again = Tensor(shape: [m * n])
        MatmulPlan(.init(m: m, n: n, k: k)).run(a: a.data, b: b.data, c: whole.data)
        for c in [parts, again] {
            for r in [0..<5, 5..<32, 32..<64] {
                MatmulPlan(.init(m: r.count, n: n, k: k)).run(a: a.data + r.lowerBound * k, b: b.data, c: c.data + r.lowerBound * n)
            }
        }
        #expect(parts.array.map(\.bitPattern) == again.array.map(\.bitPattern), "the same split, the same bits")
        if Kernels.dnnlISA.hasPrefix("avx512") {
            #expect(whole.array.map(\.bitPattern) == parts.array.map(\.bitPattern), "on \(Kernels.dnnlISA)")
        } else {
            let largest = whole.array.map { abs($0) }.max()!
            #expect(maxAbsDiff(whole.array, parts.array) <= 1e-5 * largest, "on \(Kernels.dnnlISA)")
        }
    }

    @Test func biasAndColumnSums() {
        let c = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3], values: [10, 20, 30])
        Gemm.addBias(rows: 2, cols: 3, c.data, bias: b.data)
        #expect(c.array == [11, 22, 33, 14, 25, 36])
        let sums = Tensor(shape: [3], values: [1, 1, 1])
        Gemm.addColumnSums(rows: 2, cols: 3, of: c.data, into: sums.data)
        #expect(sums.array == [26, 48, 70])
    }
}
