import Foundation
import Testing
@testable import Engine

/// Central differences of a scalar function of a tensor, compared entry by entry with an
/// analytic gradient (Float32 engine: h = 1e-3 on O(1) inputs, relative tolerance 1e-2).
func lossGradientCheck(_ x: Tensor, analytic: [Float], h: Float = 1e-3, rtol: Double = 1e-2,
                       atol: Double = 1e-4, _ f: () -> Float) -> (ok: Bool, worst: String) {
    var worst = 0.0, at = "none"
    for i in 0..<x.count {
        let old = x[i]
        x[i] = old + h; let xp = x[i]; let fp = Double(f())
        x[i] = old - h; let xm = x[i]; let fm = Double(f())
        x[i] = old
        let numeric = (fp - fm) / (Double(xp) - Double(xm))
        let a = Double(analytic[i])
        let ratio = abs(numeric - a) / (atol + rtol * max(abs(numeric), abs(a)))
        if ratio > worst { worst = ratio; at = "[\(i)] numeric \(numeric) analytic \(a)" }
    }
    return (worst <= 1, "worst ratio \(worst) at \(at)")
}

private func uniform(_ shape: [Int], _ lo: Double, _ hi: Double, seed: UInt64) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(lo, hi)) })
}

@Suite struct LossTests {
    @Test func knownValues() {
        let p = Tensor(shape: [2, 2], values: [0.5, 2, -1, 0])
        let y = Tensor(shape: [2, 2], values: [1, 0, 0, 0])
        // per-sample means of e² = [(0.25+4)/2, 1/2] → mean 1.3125
        #expect(abs(Loss.keras(.meanSquaredError).value(output: p, target: y) - 1.3125) < 1e-6)
        // |e|: [(0.5+2)/2, 1/2] → 0.875
        #expect(abs(Loss.keras(.meanAbsoluteError).value(output: p, target: y) - 0.875) < 1e-6)
        // Huber δ=1: e=0.5 → 0.125; e=2 → 2−0.5=1.5; e=−1 → 0.5; 0 → 0: [(0.125+1.5)/2, 0.5/2] → 0.53125
        #expect(abs(Loss.keras(.huber).value(output: p, target: y) - 0.53125) < 1e-6)

        // binary: −(log 0.8 + log(1−0.3))/2 per sample of width 2, one sample
        let pb = Tensor(shape: [1, 2], values: [0.8, 0.3]), yb = Tensor(shape: [1, 2], values: [1, 0])
        let expected = -(log(0.8) + log(0.7)) / 2
        #expect(abs(Double(Loss.keras(.binaryCrossentropy).value(output: pb, target: yb)) - expected) < 1e-6)

        // categorical normalizes rows first: [1, 3] → [0.25, 0.75]; target class 1 → −log 0.75
        let pc = Tensor(shape: [1, 2], values: [1, 3]), yc = Tensor(shape: [1, 2], values: [0, 1])
        #expect(abs(Double(Loss.keras(.categoricalCrossentropy).value(output: pc, target: yc)) + log(0.75)) < 1e-6)
        let ys = Tensor(shape: [1, 1], values: [1])
        let ps = Tensor(shape: [1, 2], values: [0.25, 0.75])
        #expect(abs(Double(Loss.keras(.sparseCategoricalCrossentropy).value(output: ps, target: ys)) + log(0.75)) < 1e-6)
    }

    @Test func binaryClipsAsKeras() {
        // A prediction of exactly 1 for target 1 costs −log(1 − 1e-7) ≈ 1.2e-7 (float32), not 0,
        // and the gradient there is 0 (the clip is active).
        let p = Tensor(shape: [1, 1], values: [1]), y = Tensor(shape: [1, 1], values: [1])
        let v = Loss.keras(.binaryCrossentropy).value(output: p, target: y)
        #expect(v > 5e-8 && v < 2e-7)
        let g = Tensor(shape: [1])
        Loss.keras(.binaryCrossentropy).gradient(output: p, target: y, into: g)
        #expect(g[0] == 0)
        // A prediction of 0 for target 1 is finite: −log(1e-7) ≈ 16.118
        p[0] = 0
        #expect(abs(Loss.keras(.binaryCrossentropy).value(output: p, target: y) - 16.118) < 1e-3)
    }

    @Test(arguments: Loss.Kind.allCases.map { Loss.keras($0) })
    func gradientMatchesFiniteDifferences(_ loss: Loss) {
        let n = 3, k = 4
        let output: Tensor
        let target: Tensor
        switch loss.kind {
        case .binaryCrossentropy:
            output = uniform([n, k], 0.1, 0.9, seed: 1)
            target = uniform([n, k], 0, 1, seed: 2)   // soft targets are allowed
        case .categoricalCrossentropy:
            output = uniform([n, k], 0.05, 0.6, seed: 1)  // unnormalized: the loss divides by Σp
            target = Tensor(shape: [n, k], values: [0, 1, 0, 0, 0.2, 0.3, 0.5, 0, 0, 0, 0, 1])
        case .sparseCategoricalCrossentropy:
            output = uniform([n, k], 0.05, 0.6, seed: 1)
            target = Tensor(shape: [n, 1], values: [1, 3, 0])
        default:
            output = uniform([n, k], -2, 2, seed: 1)
            // Keep every error away from the kinks of |e| (0) and Huber (±1).
            target = Tensor(shape: [n, k], values: (0..<(n * k)).map { i in
                let e: Float = [0.3, -0.6, 1.7, -2.2][i % 4]
                return output[i] - e
            })
        }
        let g = Tensor(shape: [1])
        loss.gradient(output: output, target: target, into: g)
        let r = lossGradientCheck(output, analytic: g.array) { loss.value(output: output, target: target) }
        #expect(r.ok, "\(loss.name): \(r.worst)")
    }

    private func logits(_ n: Int, _ k: Int) -> Tensor { uniform([n, k], -3, 3, seed: 5) }

    private func activate(_ loss: Loss, _ z: Tensor) -> Tensor {
        let p = Tensor(shape: z.shape)
        let k = z.sampleCount
        for r in 0..<z.batch {
            if loss.kind == .binaryCrossentropy {
                for j in 0..<k { p[r * k + j] = 1 / (1 + exp(-z[r * k + j])) }
            } else {
                let m = (0..<k).map { z[r * k + $0] }.max()!
                let e = (0..<k).map { exp(z[r * k + $0] - m) }
                let s = e.reduce(0, +)
                for j in 0..<k { p[r * k + j] = e[j] / s }
            }
        }
        return p
    }

    @Test(arguments: [Loss.keras(.binaryCrossentropy), .keras(.categoricalCrossentropy), .keras(.sparseCategoricalCrossentropy)])
    func fusedGradientMatchesFiniteDifferencesOfFusedValue(_ loss: Loss) {
        let n = 3, k = 4
        let z = logits(n, k)
        let target: Tensor = switch loss.kind {
        case .binaryCrossentropy: Tensor(shape: [n, k], values: [1, 0, 1, 1, 0, 0, 1, 0, 0.5, 1, 0, 0])
        case .categoricalCrossentropy: Tensor(shape: [n, k], values: [0, 1, 0, 0, 0.2, 0.3, 0.5, 0, 0, 0, 0, 1])
        default: Tensor(shape: [n, 1], values: [1, 3, 0])
        }
        let g = Tensor(shape: [1])
        loss.fusedGradient(probabilities: activate(loss, z), target: target, into: g)
        let r = lossGradientCheck(z, analytic: g.array) { loss.fusedValue(logits: z, target: target) }
        #expect(r.ok, "\(loss.name): \(r.worst)")
        // And the fused value agrees with the loss of the activated output where no clip binds.
        let plain = loss.value(output: activate(loss, z), target: target)
        #expect(abs(plain - loss.fusedValue(logits: z, target: target)) < 1e-4)
    }

    @Test func fusedValueIsFiniteForHugeLogits() {
        let z = Tensor(shape: [2, 3], values: [1000, -1000, 0, -1000, 1000, 500])
        let ys = Tensor(shape: [2, 1], values: [1, 1])
        // Row 1: LSE ≈ 1000, z_t = −1000 → 2000; row 2: z_t is the max → ≈ 0. Mean 1000.
        let v = Loss.keras(.sparseCategoricalCrossentropy).fusedValue(logits: z, target: ys)
        #expect(v.isFinite && abs(v - 1000) < 1e-2)
        let zb = Tensor(shape: [2, 1], values: [1000, -1000]), yb = Tensor(shape: [2, 1], values: [0, 0])
        let b = Loss.keras(.binaryCrossentropy).fusedValue(logits: zb, target: yb)
        #expect(b.isFinite && abs(b - 500) < 1e-2)
    }
}
