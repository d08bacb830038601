/// Keras `Dropout(rate, seed=None)`: inverted dropout.
///
/// Shapes: any input (N, …); the output has the same shape. No parameters.
/// Training: each value is kept with probability 1 − rate and scaled by 1/(1 − rate), else
/// set to 0 (as `tf.nn.dropout`), so inference is the identity with no rescaling.
/// Randomness: the layer owns its mask generator. `build` seeds it from `seed` when given,
/// else from one draw of the model's build generator, so a model built from the same seed drops
/// the same units batch after batch, on any machine.
public final class Dropout: RandomLayer {
    public let kind = "Dropout"
    public var name: String
    public let rate: Float
    public let seed: UInt64?
    public private(set) var outputShape: [Int] = []

    private var maskGenerator = RandomGenerator(seed: 0)
    /// The last training mask: 0 or 1/(1 − rate) per value; backward multiplies by it.
    let mask = Tensor(shape: [0])
    /// Test hook: reuse the last mask instead of drawing a new one (for gradient checks).
    var freezesMask = false
    private var lastTraining = false
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    public init(rate: Float, seed: UInt64? = nil, name: String = "dropout") {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.seed = seed
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    /// The mask generator's position, saved and restored when a training run continues.
    public var randomState: [UInt64] {
        get { maskGenerator.state }
        set { maskGenerator = RandomGenerator(state: newValue) }
    }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsPositiveShape(kind, inputShape))
        }
        outputShape = inputShape
        maskGenerator = seed.map { RandomGenerator(seed: $0, stream: "dropout") } ?? RandomGenerator(seed: rng.next())
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.resize(x.shape)
        lastTraining = training && rate > 0
        guard lastTraining else {
            output.data.update(from: x.data, count: x.count)
            return output
        }
        if !(freezesMask && mask.count == x.count) {
            mask.resize(x.shape)
            let keep = 1 / (1 - rate), r = Double(rate), m = mask.data
            for i in 0..<x.count { m[i] = maskGenerator.nextDouble() >= r ? keep : 0 }
        }
        let m = mask.data, xp = x.data, y = output.data
        for i in 0..<x.count { y[i] = xp[i] * m[i] }
        return output
    }

    /// dInput = dy ⊙ mask in training, dy at inference.
    public func backward(_ dy: Tensor) -> Tensor {
        dInput.resize(dy.shape)
        if lastTraining {
            let m = mask.data, d = dy.data, dx = dInput.data
            for i in 0..<dy.count { dx[i] = d[i] * m[i] }
        } else {
            dInput.data.update(from: dy.data, count: dy.count)
        }
        return dInput
    }
}
