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

    public func update(value: Tensor, grad: Tensor, slots: [Tensor], learningRate lr: Float, step: Int) {
        let w = value.data, g = grad.data, n = value.count
        if momentum == 0 {
            for i in 0..<n { w[i] -= lr * g[i] }
            return
        }
        let m = slots[0].data, mu = momentum
        for i in 0..<n {
            m[i] = mu * m[i] - lr * g[i]
            w[i] += nesterov ? mu * m[i] - lr * g[i] : m[i]
        }
    }
}
