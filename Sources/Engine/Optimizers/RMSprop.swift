/// Keras `RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)`.
///
/// Keras 3's form (epsilon *inside* the square root):
///
///     v ← ρ·v + (1 − ρ)·g²
///     centered: ḡ ← ρ·ḡ + (1 − ρ)·g;  d = v − ḡ² + ε,  else d = v + ε
///     Δ = lr·g / √d
///     momentum μ > 0: s ← μ·s + Δ;  w ← w − s,  else w ← w − Δ
public final class RMSprop: UpdateRule {
    public let rho: Float
    public let momentum: Float
    public let epsilon: Float
    public let centered: Bool

    public init(rho: Float, momentum: Float, epsilon: Float, centered: Bool) {
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
    }

    /// v, then s (with momentum), then ḡ (centered).
    public var slotInitialValues: [Float] { [0] + (momentum > 0 ? [0] : []) + (centered ? [0] : []) }

    public func update(_ variable: Variable, learningRate lr: Float, step: Int) {
        let w = variable.value, g = variable.grad, v = variable.slots[0]
        let s = momentum > 0 ? variable.slots[1] : nil
        let avg = centered ? variable.slots[momentum > 0 ? 2 : 1] : nil
        let r = rho, r1 = 1 - rho
        let eps = epsilon, mu = momentum
        forEachChunk(variable.count) { i, k in
            let gi = Lanes(g, i, valid: k)
            let vi = r * Lanes(v, i, valid: k) + r1 * (gi * gi)
            vi.store(v, i, valid: k)
            var d = vi
            if let avg {
                let ai = r * Lanes(avg, i, valid: k) + r1 * gi
                ai.store(avg, i, valid: k)
                d -= ai * ai
            }
            let delta = lr * gi / (d + eps).sqrt()
            if let s {
                let si = mu * Lanes(s, i, valid: k) + delta
                si.store(s, i, valid: k)
                (Lanes(w, i, valid: k) - si).store(w, i, valid: k)
            } else {
                (Lanes(w, i, valid: k) - delta).store(w, i, valid: k)
            }
        }
    }
}
