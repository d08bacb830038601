import Foundation
import Testing
@testable import Engine

/// Keras's loss options: `from_logits`, `label_smoothing` and Huber's `delta`, against values
/// computed with Keras itself (keras 3.12.0 on jax 0.10.2, CPU; the script is
/// `Tests/EngineTests/keras_losses.py`, run as `KERAS_BACKEND=jax python keras_losses.py`). The
/// gradients are jax's gradients of the Keras loss with respect to `y_pred`. One of each is
/// worked by hand in the comments.
@Suite struct LossOptionTests {
    /// Compares a loss's value and gradient on one batch with Keras's.
    func check(_ loss: Loss, target: [[Float]], output: [[Float]], value: Double, gradient: [Double],
               tolerance: Double = 2e-6, sourceLocation: SourceLocation = #_sourceLocation) {
        let n = output.count, k = output[0].count
        let p = Tensor(shape: [n, k], values: output.flatMap { $0 })
        let y = Tensor(shape: [n, target[0].count], values: target.flatMap { $0 })
        let v = Double(loss.value(output: p, target: y))
        #expect(abs(v - value) <= tolerance * max(1, abs(value)), "\(loss) value \(v), Keras \(value)", sourceLocation: sourceLocation)
        let g = Tensor(shape: [1])
        loss.gradient(output: p, target: y, into: g)
        for (i, (ours, keras)) in zip(g.array, gradient).enumerated() {
            #expect(abs(Double(ours) - keras) <= 1e-5, "\(loss) gradient[\(i)] \(ours), Keras \(keras)", sourceLocation: sourceLocation)
        }
    }

    @Test func binaryFromLogits() {
        // By hand: mean over samples of mean over outputs of max(z,0) − z·y + log(1 + e^−|z|):
        // [log(1+e^−2) + log(1+e^−1)]/2 = 0.220095; [0.5 + log(1+e^−0.5) + log(1+e^−3)]/2 = 0.511332;
        // mean 0.365713.
        check(Loss.keras(.binaryCrossentropy, fromLogits: true), target: [[1, 0], [0, 1]], output: [[2, -1], [0.5, 3]],
              value: 0.365713507, gradient: [-0.02980072796344757, 0.06723535060882568, 0.15561483800411224, -0.01185646839439869])
        // Finite for huge logits: a wrong 1000 costs 1000.
        check(Loss.keras(.binaryCrossentropy, fromLogits: true), target: [[1], [0]], output: [[-1000], [1000]],
              value: 1000, gradient: [-0.5, 0.5])
    }

    @Test func binaryLabelSmoothing() {
        check(Loss.keras(.binaryCrossentropy, fromLogits: true, labelSmoothing: 0.1), target: [[1, 0], [0, 1]], output: [[2, -1], [0.5, 3]],
              value: 0.434463531, gradient: [-0.01730072684586048, 0.054735347628593445, 0.14311483502388, 0.0006435345858335495])
        // From probabilities: targets 1 → 0.9, 0 → 0.1 (s = 0.2).
        check(Loss.keras(.binaryCrossentropy, labelSmoothing: 0.2), target: [[1, 0], [0, 1]], output: [[0.8, 0.3], [0.4, 0.9]],
              value: 0.419908166, gradient: [-0.1562500298023224, 0.2380952388048172, 0.3124999701976776, -1.7881393432617188e-07])
    }

    @Test func categoricalFromLogits() {
        check(Loss.keras(.categoricalCrossentropy, fromLogits: true), target: [[0, 1, 0], [1, 0, 0]], output: [[1, 2, 0.5], [0.2, -0.3, 1.5]],
              value: 1.06375217, gradient: [0.11561194807291031, -0.18573415279388428, 0.07012218981981277,
                                            -0.4052281379699707, 0.0574820451438427, 0.3477461040019989])
        check(Loss.keras(.categoricalCrossentropy, fromLogits: true), target: [[1, 0]], output: [[0, 1000]], value: 1000, gradient: [-1, 1])
        // The sparse form gives the same numbers for the same classes.
        check(Loss.keras(.sparseCategoricalCrossentropy, fromLogits: true), target: [[1], [0]], output: [[1, 2, 0.5], [0.2, -0.3, 1.5]],
              value: 1.06375217, gradient: [0.11561194807291031, -0.18573415279388428, 0.07012218981981277,
                                            -0.4052281379699707, 0.0574820451438427, 0.3477461040019989])
    }

    @Test func categoricalLabelSmoothing() {
        check(Loss.keras(.categoricalCrossentropy, fromLogits: true, labelSmoothing: 0.1), target: [[0, 1, 0], [1, 0, 0]],
              output: [[1, 2, 0.5], [0.2, -0.3, 1.5]],
              value: 1.09208548, gradient: [0.09894528239965439, -0.15240082144737244, 0.053455524146556854,
                                            -0.37189480662345886, 0.04081537947058678, 0.3310794234275818])
        // By hand (s = 0.3, K = 3): targets [0.1, 0.8, 0.1] and [0.8, 0.1, 0.1];
        // −(0.1 log 0.2 + 0.8 log 0.7 + 0.1 log 0.1) = 0.676543, −(0.8 log 0.5 + 0.2 log 0.25) = 0.831777; mean 0.754160.
        check(Loss.keras(.categoricalCrossentropy, labelSmoothing: 0.3), target: [[0, 1, 0], [1, 0, 0]],
              output: [[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]], value: 0.754159451,
              gradient: [0.25, -0.07142859697341919, 0, -0.30000001192092896, 0.30000001192092896, 0.30000001192092896])
    }

    @Test func huberDelta() {
        // By hand (δ = 0.5): errors 0.5 → 0.125, 2 → 0.5·2 − 0.125 = 0.875, −1 → 0.375, 0 → 0;
        // per-sample means 0.5 and 0.1875; mean 0.34375.
        check(Loss.keras(.huber, delta: 0.5), target: [[1, 0], [0, 0]], output: [[0.5, 2], [-1, 0]],
              value: 0.34375, gradient: [-0.125, 0.125, -0.125, 0])
        check(Loss.keras(.huber, delta: 2.5), target: [[1, 0], [0, 0]], output: [[0.5, 4], [-1, 0]],
              value: 1.875, gradient: [-0.125, 0.625, -0.25, 0])
    }

    /// Off by default: the options at their defaults give exactly the plain loss.
    @Test func defaultsChangeNothing() {
        let p = Tensor(shape: [2, 3], values: [0.2, 0.7, 0.1, 0.5, 0.25, 0.25]), y = Tensor(shape: [2, 3], values: [0, 1, 0, 1, 0, 0])
        #expect(Loss.keras(.categoricalCrossentropy, labelSmoothing: 0).value(output: p, target: y) == Loss.keras(.categoricalCrossentropy).value(output: p, target: y))
        #expect(Loss.keras(.huber, delta: 1).value(output: p, target: y) == Loss.keras(.huber).value(output: p, target: y))
    }

    /// `from_logits` in training: a linear output with `from_logits` learns what a softmax
    /// output learns; both models start from the same weights, so their losses agree epoch by
    /// epoch (the softmax is applied in the loss instead of the layer).
    @Test func fromLogitsTrainsLikeASoftmaxOutput() throws {
        var rng = RandomGenerator(seed: 3)
        let n = 40
        let x = (0..<(n * 2)).map { _ in Float(rng.uniform(-1, 1)) }
        let y = (0..<n).map { i in Float(x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0) }
        let data = Dataset(sampleShape: [2], x: x, y: y, task: .classification(classes: 2, names: nil))
        func run(_ activation: Activation, _ loss: Loss) throws -> [Double] {
            let model = Sequential([Dense.keras(units: 2, activation: activation)])
            try model.build(inputShape: [2], seed: 7)
            let config = FitConfig.keras(loss: loss, optimizer: Optimizer.keras(rule: SGD.keras(), learningRate: .constant(0.5)),
                                   epochs: 3, batchSize: 8, shuffle: false)
            return try Engine.fit(model, train: data, config: config).history["loss"] ?? []
        }
        let softmax = try run(.softmax, .keras(.sparseCategoricalCrossentropy))
        let logits = try run(.linear, Loss.keras(.sparseCategoricalCrossentropy, fromLogits: true))
        #expect(softmax.count == 3)
        for (a, b) in zip(softmax, logits) { #expect(abs(a - b) < 1e-5, "\(softmax) vs \(logits)") }
        #expect(logits.last! < logits.first!)
    }
}
