import Testing
@testable import Engine

@Suite struct InitializerTests {
    func stats(_ t: Tensor) -> (mean: Double, variance: Double, maxAbs: Float) {
        let v = t.array.map(Double.init)
        let m = v.reduce(0, +) / Double(v.count)
        let s = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
        return (m, s, t.array.map(abs).max()!)
    }

    @Test func fansFollowKeras() {
        #expect(Initializer.fans([784, 300]) == (784, 300))
        #expect(Initializer.fans([3, 3, 16, 32]) == (144, 288))   // receptive field × channels
        #expect(Initializer.fans([10]) == (10, 10))
    }

    /// Expected variance and bound for a (fanIn, fanOut) = (400, 300) matrix, 120,000 draws: the
    /// sample variance is within about 1% (its relative sd is √(2/n) ≈ 0.4%), the mean within 5 sd/√n.
    @Test(arguments: [
        (Initializer.glorotUniform, 2.0 / 700, 3), (.glorotNormal, 2.0 / 700, 2),
        (.heUniform, 2.0 / 400, 3), (.heNormal, 2.0 / 400, 2),
        (.lecunUniform, 1.0 / 400, 3), (.lecunNormal, 1.0 / 400, 2),
        (.randomUniform(minval: -0.05, maxval: 0.05), 0.1 * 0.1 / 12, 3), (.randomNormal(mean: 0, stddev: 0.05), 0.05 * 0.05, 0),
    ] as [(Initializer, Double, Int)])
    func statistics(initializer: Initializer, variance: Double, bound: Int) throws {
        let name = initializer.description
        let t = Tensor(shape: [400, 300])
        var rng = RandomGenerator(seed: 9)
        initializer.fill(t, rng: &rng)
        let s = stats(t)
        #expect(abs(s.mean) < 5 * variance.squareRoot() / Double(t.count).squareRoot(), "\(name) mean \(s.mean)")
        #expect(abs(s.variance / variance - 1) < 0.02, "\(name) variance \(s.variance) vs \(variance)")
        if bound == 3 {
            // Uniform on [−√(3σ²), √(3σ²)].
            #expect(Double(s.maxAbs) <= (3 * variance).squareRoot() + 1e-7)
            #expect(Double(s.maxAbs) > 0.99 * (3 * variance).squareRoot())
        } else if bound == 2 {
            // Truncated at 2 of the *untruncated* stddev σ/0.8796…
            let limit = 2 * variance.squareRoot() / 0.87962566103423978
            #expect(Double(s.maxAbs) <= limit * (1 + 1e-6))
            #expect(Double(s.maxAbs) > 0.98 * limit)
        }
    }

    @Test func constantsAndDeterminism() {
        let t = Tensor(shape: [3, 4])
        var rng = RandomGenerator(seed: 1)
        Initializer.ones.fill(t, rng: &rng)
        #expect(t.array.allSatisfy { $0 == 1 })
        Initializer.zeros.fill(t, rng: &rng)
        #expect(t.array.allSatisfy { $0 == 0 })
        var r1 = RandomGenerator(seed: 5), r2 = RandomGenerator(seed: 5)
        let a = Tensor(shape: [5, 5]), b = Tensor(shape: [5, 5])
        Initializer.glorotNormal.fill(a, rng: &r1)
        Initializer.glorotNormal.fill(b, rng: &r2)
        #expect(a.array == b.array)
    }
}
