/// Keras `BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True)`.
///
/// Shapes: any input (N, …, C); the output has the same shape. Statistics are per channel C
/// (the last axis) over the M = N·(all other axes) values of the batch.
/// Parameters, in Keras's order: `gamma` (C, ones, if scale), `beta` (C, zeros, if center),
/// `moving_mean` (C, zeros) and `moving_variance` (C, ones), the last two non-trainable.
///
/// Training: y = gamma·(x − μ)/√(σ² + ε) + beta with the batch mean μ and the *biased* batch
/// variance σ² (divide by M), and moving = momentum·moving + (1 − momentum)·batch statistic
/// (Keras: momentum weighs the old value). Inference uses the moving statistics.
public final class BatchNormalization: Layer {
    public let kind = "BatchNormalization"
    public var name: String
    public let momentum: Float
    public let epsilon: Float
    public let center: Bool
    public let scale: Bool
    public private(set) var outputShape: [Int] = []

    public private(set) var gamma: Parameter?
    public private(set) var beta: Parameter?
    public private(set) var movingMean: Parameter!
    public private(set) var movingVariance: Parameter!
    private var channels = 0

    // What backward needs: x̂ = (x − μ)/√(σ² + ε) and 1/√(σ² + ε) per channel.
    private let normalized = Tensor(shape: [0])
    private let inverseStd = Tensor(shape: [0])
    private var lastTraining = false
    /// Per-channel Double accumulators (raw buffers: no array copy-on-write or exclusivity checks in the hot loops).
    private var sums = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var sums2 = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    /// gamma's values, or ones when `scale` is false; beta's, or zeros when `center` is false.
    /// Per-channel Float copies of the batch mean (forward) and of mean(dy), mean(dy·x̂) (backward).
    private let channelA = Tensor(shape: [0]), channelB = Tensor(shape: [0])
    private var gammaOrOne = Tensor(shape: [0]), betaOrZero = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    /// No defaults here: Keras's (above) are Spec's, in its table (`Catalog.layers`).
    public init(momentum: Float, epsilon: Float, center: Bool, scale: Bool, name: String = "batch_normalization") {
        precondition(momentum >= 0 && momentum <= 1, "BatchNormalization: momentum must be in [0, 1], got \(momentum)")
        precondition(epsilon > 0, "BatchNormalization: epsilon must be positive, got \(epsilon)")
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.name = name
    }

    deinit { sums.deallocate(); sums2.deallocate() }

    public var parameters: [Parameter] { [gamma, beta].compactMap { $0 } + [movingMean, movingVariance] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard let c = inputShape.last, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsPositiveShape(kind, inputShape))
        }
        channels = c
        outputShape = inputShape
        if scale { let g = Parameter(name: "gamma", shape: [c]); g.value.fill(1); gamma = g }
        if center { beta = Parameter(name: "beta", shape: [c]) }
        movingMean = Parameter(name: "moving_mean", shape: [c], trainable: false)
        movingVariance = Parameter(name: "moving_variance", shape: [c], trainable: false)
        movingVariance.value.fill(1)
        gammaOrOne = gamma?.value ?? Tensor(shape: [c], values: Array(repeating: 1, count: c))
        betaOrZero = beta?.value ?? Tensor(shape: [c])
        inverseStd.resize([c])
        channelA.resize([c])
        channelB.resize([c])
        sums.deallocate(); sums2.deallocate()
        sums = .allocate(capacity: c); sums2 = .allocate(capacity: c)
        sums.initialize(repeating: 0, count: c); sums2.initialize(repeating: 0, count: c)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let c = channels, m = x.count / c
        precondition(x.shape.last == c, "\(name): input \(x.shape), expected last axis \(c)")
        output.resize(x.shape)
        normalized.resize(x.shape)
        lastTraining = training
        let istd = inverseStd.data, sums = sums, sums2 = sums2
        if training {
            // Two passes in Double (mean, then squared deviations): exact enough for any batch size.
            for k in 0..<c { sums[k] = 0; sums2[k] = 0 }
            for r in 0..<m { let xr = x.data + r * c; for k in 0..<c { sums[k] += Double(xr[k]) } }
            for k in 0..<c { sums[k] /= Double(m) }
            for r in 0..<m { let xr = x.data + r * c; for k in 0..<c { let d = Double(xr[k]) - sums[k]; sums2[k] += d * d } }
            let mm = movingMean.value.data, mv = movingVariance.value.data
            for k in 0..<c {
                let variance = sums2[k] / Double(m)   // biased, as Keras
                istd[k] = Float(1 / (variance + Double(epsilon)).squareRoot())
                mm[k] = momentum * mm[k] + (1 - momentum) * Float(sums[k])
                mv[k] = momentum * mv[k] + (1 - momentum) * Float(variance)
            }
        } else {
            let mm = movingMean.value.data, mv = movingVariance.value.data
            for k in 0..<c {
                sums[k] = Double(mm[k])
                istd[k] = 1 / (mv[k] + epsilon).squareRoot()
            }
        }
        let g = gammaOrOne.data, b = betaOrZero.data
        let mean = channelA.data
        for k in 0..<c { mean[k] = Float(sums[k]) }
        for r in 0..<m {
            let xr = x.data + r * c, nr = normalized.data + r * c, yr = output.data + r * c
            for k in 0..<c {
                let v = (xr[k] - mean[k]) * istd[k]
                nr[k] = v
                yr[k] = g[k] * v + b[k]
            }
        }
        return output
    }

    /// dbeta += Σ dy; dgamma += Σ dy·x̂. In training, with dx̂ = gamma·dy,
    /// dx = (1/√(σ²+ε))·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) (the batch statistics depend on x);
    /// at inference dx = gamma·dy/√(moving σ² + ε).
    public func backward(_ dy: Tensor) -> Tensor {
        let c = channels, m = dy.count / c
        precondition(dy.count == output.count, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        dInput.resize(dy.shape)
        let sums = sums, sums2 = sums2
        for k in 0..<c { sums[k] = 0; sums2[k] = 0 }
        for r in 0..<m {
            let d = dy.data + r * c, nr = normalized.data + r * c
            for k in 0..<c { sums[k] += Double(d[k]); sums2[k] += Double(d[k]) * Double(nr[k]) }
        }
        if let beta { for k in 0..<c { beta.grad[k] += Float(sums[k]) } }
        if let gamma { for k in 0..<c { gamma.grad[k] += Float(sums2[k]) } }
        let g = gammaOrOne.data, istd = inverseStd.data
        if lastTraining {
            // Σ dx̂ = gamma·Σ dy and Σ dx̂·x̂ = gamma·Σ dy·x̂, so the means below are of dy.
            let meanDy = channelA.data, meanDyX = channelB.data
            for k in 0..<c { meanDy[k] = Float(sums[k] / Double(m)); meanDyX[k] = Float(sums2[k] / Double(m)) }
            for r in 0..<m {
                let d = dy.data + r * c, nr = normalized.data + r * c, dx = dInput.data + r * c
                for k in 0..<c { dx[k] = g[k] * istd[k] * (d[k] - meanDy[k] - nr[k] * meanDyX[k]) }
            }
        } else {
            for r in 0..<m {
                let d = dy.data + r * c, dx = dInput.data + r * c
                for k in 0..<c { dx[k] = g[k] * istd[k] * d[k] }
            }
        }
        return dInput
    }
}
