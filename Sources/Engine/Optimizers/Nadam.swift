#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keras `Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`: Adam with
/// Nesterov momentum (Dozat 2016) on Keras's momentum schedule.
///
/// Keras 3's form, with t the 1-based step:
///
///     u_t   = β₁·(1 − ½·0.96ᵗ),  u_{t+1} = β₁·(1 − ½·0.96ᵗ⁺¹)
///     Π_t   = Π_{t−1}·u_t        (a running product kept by the optimizer, Π₀ = 1)
///     m ← m + (g − m)(1 − β₁);  v ← v + (g² − v)(1 − β₂)
///     m̂ = u_{t+1}·m / (1 − Π_t·u_{t+1}) + (1 − u_t)·g / (1 − Π_t)
///     v̂ = v / (1 − β₂ᵗ)
///     w ← w − lr·m̂ / (√v̂ + ε)       (epsilon outside the root of the *corrected* v)
public final class Nadam: StatefulUpdateRule {
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Π_t, updated once per optimizer step in `beginStep`, shared by all variables.
    public private(set) var uProduct: Float = 1

    public init(beta1: Float, beta2: Float, epsilon: Float) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var slotInitialValues: [Float] { [0, 0] }

    /// Π_t: what a continued run needs beyond the slots and the step count.
    public var ruleState: [Float] {
        get { [uProduct] }
        set { if let u = newValue.first { uProduct = u } }
    }

    public func beginStep(_ step: Int) {
        if step == 1 { uProduct = 1 }
        uProduct = uProduct * beta1 * (1 - 0.5 * powf(0.96, Float(step)))
    }

    public func update(_ variable: Variable, learningRate lr: Float, step: Int) {
        let t = Float(step)
        let ut = beta1 * (1 - 0.5 * powf(0.96, t))
        let ut1 = beta1 * (1 - 0.5 * powf(0.96, t + 1))
        let prodT = uProduct, prodT1 = uProduct * ut1
        let b2t = powf(beta2, t)
        let w = variable.value, g = variable.grad, m = variable.slots[0], v = variable.slots[1]
        let b1 = 1 - beta1, b2 = 1 - beta2, eps = epsilon
        forEachChunk(variable.count) { i, k in
            let (gi, mi, vi) = updateMoments(g: g, m: m, v: v, i, valid: k, b1: b1, b2: b2)
            let mHat = mi * ut1 / (1 - prodT1) + gi * (1 - ut) / (1 - prodT)
            let vHat = vi / (1 - b2t)
            let wi = Lanes(w, i, valid: k) - mHat * lr / (vHat.sqrt() + eps)
            wi.store(w, i, valid: k)
        }
    }
}
