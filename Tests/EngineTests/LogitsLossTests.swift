import Testing
@testable import Engine

/// Keras computes a softmax output's cross-entropy from the logits it carries
/// (`_keras_logits`), so a confidently wrong prediction costs its full margin, not the
/// −log(1e-7) ≈ 16.1 that clipping probabilities would cap it at.
@Suite struct LogitsLossTests {
    @Test func aConfidentlyWrongSoftmaxCostsItsMargin() throws {
        let model = Sequential([Dense.keras(units: 2, activation: .softmax)])
        try model.build(inputShape: [1], seed: 0)
        // z = x·[0, 40] + [0, 0]: for x = 1 the logits are [0, 40]; the target is class 0.
        model.setWeights([[0, 40], [0, 0]])
        let data = Dataset(sampleShape: [1], x: [1], y: [0], task: .classification(classes: 2, names: nil))
        let logs = try evaluate(model, data: data, loss: .keras(.sparseCategoricalCrossentropy))
        // −log softmax(z)[0] = log(1 + e^40) = 40 + log(1 + e^−40) ≈ 40.
        #expect(abs(logs["loss"]! - 40) < 1e-3)
        let clipped = Loss.keras(.sparseCategoricalCrossentropy).value(output: model.forward(Tensor(shape: [1, 1], values: [1]), training: false),
                                                               target: Tensor(shape: [1, 1], values: [0]))
        #expect(abs(Double(clipped) - 16.118) < 1e-2, "from probabilities the loss is capped by the 1e-7 clip")
    }
}
