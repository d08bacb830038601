/// Keras `SGD(learning_rate=0.01, momentum=0.0, nesterov=False)`.
///
/// Keras 3's form (velocity holds −lr·g terms, not Sutskever's v):
/// - momentum 0:      w ← w − lr·g
/// - momentum μ:      m ← μ·m − lr·g;  w ← w + m
/// - nesterov:        m ← μ·m − lr·g;  w ← w + μ·m − lr·g
public final class SGD: UpdateRule {
    public let momentum: Float
    public let nesterov: Bool

    public init(momentum: Float, nesterov: Bool) {
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var slotInitialValues: [Float] { momentum != 0 ? [0] : [] }

    public func update(_ variable: Variable, learningRate lr: Float, step: Int) {
        let w = variable.value, g = variable.grad
        if momentum == 0 {
            forEachChunk(variable.count) { i, k in
                (Lanes(w, i, valid: k) - lr * Lanes(g, i, valid: k)).store(w, i, valid: k)
            }
            return
        }
        let m = variable.slots[0], mu = momentum, nesterov = nesterov
        forEachChunk(variable.count) { i, k in
            let gi = Lanes(g, i, valid: k)
            let mi = mu * Lanes(m, i, valid: k) - lr * gi
            mi.store(m, i, valid: k)
            let step = nesterov ? mu * mi - lr * gi : mi
            (Lanes(w, i, valid: k) + step).store(w, i, valid: k)
        }
    }
}
