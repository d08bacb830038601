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
