/// Keras `Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)`.
///
/// Keras 3's form (epsilon inside the square root, accumulator starting at 0.1):
///
///     a ← a + g²
///     w ← w − lr·g / √(a + ε)
public final class Adagrad: UpdateRule {
    public let initialAccumulatorValue: Float
    public let epsilon: Float

    public init(initialAccumulatorValue: Float, epsilon: Float) {
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    public var slotInitialValues: [Float] { [initialAccumulatorValue] }

    public func update(_ variable: Variable, learningRate lr: Float, step: Int) {
        let w = variable.value, g = variable.grad, a = variable.slots[0]
        let eps = epsilon
        forEachChunk(variable.count) { i, k in
            let gi = Lanes(g, i, valid: k)
            let ai = Lanes(a, i, valid: k) + gi * gi
            ai.store(a, i, valid: k)
            let wi = Lanes(w, i, valid: k) - lr * gi / (ai + eps).sqrt()
            wi.store(w, i, valid: k)
        }
    }
}
