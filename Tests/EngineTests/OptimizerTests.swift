import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Engine

/// Each optimizer's first three updates of one variable w₀ = 1 under the scripted gradients
/// g = 0.5, −0.3, 0.2 (whatever w is). The expected values were worked out in double
/// precision from the update rule written above each case (Keras 3's `update_step`), with
/// these inputs; Float32 tolerance 2e-6.
@Suite struct OptimizerTests {
    private func run(_ optimizer: Optimizer, gradients: [Float] = [0.5, -0.3, 0.2], start: Float = 1) -> [Float] {
        let p = Parameter(name: "kernel", shape: [1])
        p.value[0] = start
        var out: [Float] = []
        for g in gradients {
            p.grad[0] = g
            optimizer.apply(to: [p])
            out.append(p.value[0])
        }
        return out
    }

    private func expectClose(_ got: [Float], _ want: [Double], tol: Double = 2e-6,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.count == want.count, sourceLocation: sourceLocation)
        for (g, w) in zip(got, want) {
            #expect(abs(Double(g) - w) < tol, "got \(got), want \(want)", sourceLocation: sourceLocation)
        }
    }

    @Test func sgd() {
        // w ← w − lr·g, lr 0.01: 1 − 0.005, + 0.003, − 0.002
        expectClose(run(Optimizer.named("sgd")!), [0.995, 0.998, 0.996])
    }

    @Test func sgdMomentum() {
        // m ← μm − lr·g; w ← w + m (μ 0.9): m = −0.005, −0.0015, −0.00335
        expectClose(run(Optimizer.keras(rule: SGD.keras(momentum: 0.9))), [0.995, 0.9935, 0.99015])
    }

    @Test func sgdNesterov() {
        // m ← μm − lr·g; w ← w + μm − lr·g
        expectClose(run(Optimizer.keras(rule: SGD.keras(momentum: 0.9, nesterov: true))), [0.9905, 0.99215, 0.987135])
    }

    @Test func adam() {
        // α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m ← m + (g−m)(1−β₁); v ← v + (g²−v)(1−β₂); w ← w − α·m/(√v + ε)
        expectClose(run(Optimizer.named("adam")!), [0.999000006, 0.998808509, 0.998461083])
        expectClose(run(Optimizer.named("adam", learningRate: .constant(0.1))!), [0.900000632, 0.880850933, 0.846108342], tol: 1e-5)
    }

    /// Adam's vector loop (8 Swift lanes) against the scalar rule, bit for bit, over a length that is no multiple of 16 and values that
    /// reach the subnormal range (where a fused or reordered operation would round differently).
    @Test func adamVectorLoopIsTheScalarRule() {
        // IEEE arithmetic on this thread (an earlier test on it may have set flushing).
        let flushing = Threads.flushesSubnormals
        Threads.flushesSubnormals = false
        defer { Threads.flushesSubnormals = flushing }
        let n = 1_003, rule = Adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false)
        let p = Parameter(name: "kernel", shape: [n])
        let m = Tensor(shape: [n]), v = Tensor(shape: [n])
        var w = [Float](repeating: 0, count: n), sm = w, sv = w
        var rng = RandomGenerator(seed: 3)
        for i in 0..<n {
            w[i] = Float(rng.normal()); sm[i] = Float(rng.normal()) * 1e-36; sv[i] = abs(Float(rng.normal())) * 1e-30
        }
        p.value.copy(from: w); m.copy(from: sm); v.copy(from: sv)
        for step in 1...3 {
            for i in 0..<n { p.grad[i] = i % 3 == 0 ? 0 : Float(rng.normal()) * (i % 2 == 0 ? 1e-20 : 1e-3) }
            rule.update(value: p.value, grad: p.grad, slots: [m, v], learningRate: 0.001, step: step)
            let t = Float(step)
            let alpha = 0.001 * (1 - powf(0.999, t)).squareRoot() / (1 - powf(0.9, t))
            let b1: Float = 1 - 0.9, b2: Float = 1 - 0.999, eps: Float = 1e-7
            for i in 0..<n {
                let g = p.grad[i]
                sm[i] = sm[i] + (g - sm[i]) * b1
                sv[i] = sv[i] + (g * g - sv[i]) * b2
                w[i] = w[i] - sm[i] * alpha / (sv[i].squareRoot() + eps)
            }
            #expect(p.value.array.map(\.bitPattern) == w.map(\.bitPattern), "w after step \(step)")
            #expect(m.array.map(\.bitPattern) == sm.map(\.bitPattern), "m after step \(step)")
            #expect(v.array.map(\.bitPattern) == sv.map(\.bitPattern), "v after step \(step)")
        }
        #expect(sm.contains { $0 != 0 && !$0.isNormal }, "no subnormal moment: the case is not covered")
    }

    @Test func amsgrad() {
        // As Adam with v̂ ← max(v̂, v) in the denominator; gradients 0.5, 0.01, 0.01 make v fall.
        let g: [Float] = [0.5, 0.01, 0.01]
        expectClose(run(Optimizer.keras(rule: Adam.keras(amsgrad: true), learningRate: .constant(0.1)), gradients: g),
                    [0.900000632, 0.831540478, 0.777369427], tol: 1e-5)
        expectClose(run(Optimizer.keras(rule: Adam.keras(), learningRate: .constant(0.1)), gradients: g),
                    [0.900000632, 0.831519931, 0.777316364], tol: 1e-5)
    }

    @Test func adamW() {
        // w ← w − w·wd·lr (wd 0.004) before Adam's step
        let o = Optimizer.named("adamw", learningRate: .constant(0.1))!
        #expect(o.weightDecay == 0.004 && o.rule is Adam)
        expectClose(run(o), [0.899600632, 0.880091093, 0.844996465], tol: 1e-5)
    }

    @Test func nadam() {
        // u_t = β₁(1 − ½·0.96ᵗ); Π_t = Π_{t−1}u_t; m̂ = u_{t+1}m/(1 − Π_t u_{t+1}) + (1 − u_t)g/(1 − Π_t);
        // v̂ = v/(1 − β₂ᵗ); w ← w − lr·m̂/(√v̂ + ε). Step 1 by hand: u₁ = 0.468, u₂ = 0.48528,
        // m̂ = 0.48528·0.05/0.772889 + 0.532·0.5/0.532 = 0.531394, v̂ = 0.25 → 1 − 0.1·1.062788.
        expectClose(run(Optimizer.named("nadam", learningRate: .constant(0.1))!), [0.893721241, 0.940122352, 0.903339081], tol: 1e-5)
    }

    @Test func rmsprop() {
        // v ← ρv + (1−ρ)g²; w ← w − lr·g/√(v + ε)   (ρ 0.9, ε inside the root)
        expectClose(run(Optimizer.named("rmsprop", learningRate: .constant(0.1))!), [0.683772866, 0.852803449, 0.741606677], tol: 1e-5)
        // centered, momentum 0.5: ḡ ← ρḡ + (1−ρ)g; Δ = lr·g/√(v − ḡ² + ε); s ← μs + Δ; w ← w − s
        expectClose(run(Optimizer.keras(rule: RMSprop.keras(momentum: 0.5, centered: true), learningRate: .constant(0.1))),
                    [0.666667407, 0.669638626, 0.557947033], tol: 1e-4)
    }

    @Test func adagrad() {
        // a ← a + g² (a₀ 0.1); w ← w − lr·g/√(a + ε)
        expectClose(run(Optimizer.named("adagrad", learningRate: .constant(0.1))!), [0.915484587, 0.960711283, 0.931843773], tol: 1e-5)
    }

    @Test func clipnormIsPerVariable() {
        // g = [3, 4] has norm 5 → scaled to norm 1: [0.6, 0.8]; the other variable (norm 0.5) is untouched.
        let a = Parameter(name: "kernel", shape: [2]), b = Parameter(name: "bias", shape: [1])
        a.grad.copy(from: [3, 4]); b.grad[0] = 0.5
        Optimizer.keras(rule: SGD.keras(), learningRate: .constant(1), clipping: .keras(clipnorm: 1)).apply(to: [a, b])
        #expect(abs(a.value[0] + 0.6) < 1e-6 && abs(a.value[1] + 0.8) < 1e-6)
        #expect(abs(b.value[0] + 0.5) < 1e-6)
    }

    @Test func globalClipnormScalesAllTogether() {
        // joint norm √(3² + 4²) = 5 → everything × 1/5
        let a = Parameter(name: "kernel", shape: [1]), b = Parameter(name: "bias", shape: [1])
        a.grad[0] = 3; b.grad[0] = 4
        Optimizer.keras(rule: SGD.keras(), learningRate: .constant(1), clipping: .keras(globalClipnorm: 1)).apply(to: [a, b])
        #expect(abs(a.value[0] + 0.6) < 1e-6 && abs(b.value[0] + 0.8) < 1e-6)
    }

    @Test func clipvalueIsElementwise() {
        let a = Parameter(name: "kernel", shape: [3])
        a.grad.copy(from: [3, -0.2, -4])
        Optimizer.keras(rule: SGD.keras(), learningRate: .constant(1), clipping: .keras(clipvalue: 0.5)).apply(to: [a])
        #expect(a.value.array == [-0.5, 0.2, 0.5])
    }

    @Test func nonTrainableParametersAreLeftAlone() {
        let p = Parameter(name: "moving_mean", shape: [1], trainable: false)
        p.grad[0] = 1
        Optimizer.named("sgd")!.apply(to: [p])
        #expect(p.value[0] == 0)
    }

    @Test func schedules() {
        // ExponentialDecay: 0.1·0.5^(step/10), floored exponent when staircase
        let e = LearningRate.exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: false)
        let s = LearningRate.exponentialDecay(initial: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true)
        for (step, a, b) in [(0, 0.1, 0.1), (5, 0.0707106781, 0.1), (10, 0.05, 0.05), (25, 0.0176776695, 0.025)] {
            #expect(abs(Double(e.value(atStep: step)) - a) < 1e-7)
            #expect(abs(Double(s.value(atStep: step)) - b) < 1e-7)
        }
        // CosineDecay: 0.1·((1 − α)·½(1 + cos(π·min(step, 100)/100)) + α), α = 0.1
        let c = LearningRate.cosineDecay(initial: 0.1, decaySteps: 100, alpha: 0.1)
        for (step, want) in [(0, 0.1), (50, 0.055), (100, 0.01), (150, 0.01)] {
            #expect(abs(Double(c.value(atStep: step)) - want) < 1e-7)
        }
        // The optimizer evaluates the schedule at `iterations` before counting the step.
        let o = Optimizer.keras(rule: SGD.keras(), learningRate: s)
        let p = Parameter(name: "kernel", shape: [1])
        for _ in 0..<10 { p.grad[0] = 1; o.apply(to: [p]) }
        #expect(abs(p.value[0] + 1.0) < 1e-5)        // ten steps at 0.1
        #expect(o.currentLearningRate == 0.05)
    }

    @Test func regularization() {
        // penalty l1·Σ|w| + l2·Σw²; gradient l1·sign(w) + 2·l2·w
        let p = Parameter(name: "kernel", shape: [3])
        p.value.copy(from: [0.5, -2, 0])
        p.l1 = 0.1; p.l2 = 0.01
        #expect(abs(Regularization.penalty([p]) - Float(0.1 * 2.5 + 0.01 * 4.25)) < 1e-6)
        Regularization.addGradient([p])
        let g = p.grad.array
        #expect(abs(g[0] - 0.11) < 1e-6 && abs(g[1] + 0.14) < 1e-6 && g[2] == 0)
    }

    @Test(arguments: ["sgd", "adam", "adamw", "nadam", "rmsprop", "adagrad"])
    func vectorChunksMatchOneElementAtATime(_ name: String) {
        // 13 elements: one full chunk of 8 lanes and a zero-padded tail of 5. Each element must
        // follow exactly the path it would alone.
        var rng = RandomGenerator(seed: 4)
        let g = (0..<(3 * 13)).map { _ in Float(rng.normal()) }
        let w0 = (0..<13).map { _ in Float(rng.normal()) }
        let all = Parameter(name: "kernel", shape: [13])
        all.value.copy(from: w0)
        let o = Optimizer.named(name)!
        for s in 0..<3 {
            all.grad.copy(from: Array(g[(s * 13)..<((s + 1) * 13)]))
            o.apply(to: [all])
        }
        for j in 0..<13 {
            let one = Optimizer.named(name)!
            #expect(run(one, gradients: [g[j], g[13 + j], g[26 + j]], start: w0[j]).last == all.value[j], "\(name)[\(j)]")
        }
    }
}
