#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keras `Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)`,
/// also the rule of `AdamW` (the optimizer adds the decoupled weight decay).
///
/// Keras 3's form, which folds both bias corrections into the step size and adds epsilon to
/// √v rather than to √v̂ (Kingma & Ba 2015, the "epsilon hat" variant at the end of §2):
///
///     α = lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ)
///     m ← m + (g − m)(1 − β₁)
///     v ← v + (g² − v)(1 − β₂)
///     amsgrad: v̂ ← max(v̂, v), and v̂ replaces v below
///     w ← w − α·m / (√v + ε)
public final class Adam: UpdateRule {

    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let amsgrad: Bool

    public init(beta1: Float, beta2: Float, epsilon: Float, amsgrad: Bool) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
    }

    /// m, v, and v̂ with amsgrad.
    public var slotInitialValues: [Float] { amsgrad ? [0, 0, 0] : [0, 0] }

    public func update(_ variable: Variable, learningRate lr: Float, step: Int) {
        let t = Float(step)
        let alpha = lr * (1 - powf(beta2, t)).squareRoot() / (1 - powf(beta1, t))
        let w = variable.value, g = variable.grad, m = variable.slots[0], v = variable.slots[1]
        let b1 = 1 - beta1, b2 = 1 - beta2, eps = epsilon
        let vh = amsgrad ? variable.slots[2] : v
        forEachSlice(variable.count) { r in
            forEachChunk(in: r) { i, k in
                let moments = updateMoments(g: g, m: m, v: v, i, valid: k, b1: b1, b2: b2)
                var vi = moments.v
                if amsgrad {
                    vi = pointwiseMax(Lanes(vh, i, valid: k), vi)
                    vi.store(vh, i, valid: k)
                }
                let wi = Lanes(w, i, valid: k) - moments.m * alpha / (vi.sqrt() + eps)
                wi.store(w, i, valid: k)
            }
        }
    }
}
