/// Keras `Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
/// bias_initializer="zeros", kernel_regularizer=None)`.
///
/// Shapes: input (N, …, F), output (N, …, units); like Keras, the layer acts on the last axis,
/// so a (N, F) input is the usual case and any leading axes are treated as more rows.
/// Parameters: `kernel` (F, units) as Keras stores it, `bias` (units).
/// The kernel regularizer is l1·Σ|w| + l2·Σw² (Keras `L1L2`), carried on the kernel parameter.
public final class Dense: ActivatedLayer, InputGradientOptional, LogitsKeeping, BiasRegularized, GradientWriting {
    public let kind = "Dense"
    public var name: String
    public let units: Int
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelL1: Float
    public let kernelL2: Float
    /// Keras `bias_regularizer`: l1·Σ|b| + l2·Σb², carried on the bias parameter (none by default).
    public var biasL1: Float = 0
    public var biasL2: Float = 0
    public var backwardSkipsActivation = false
    /// When false, `backward` skips the input gradient and returns zeros: the model sets it on
    /// its first layer, whose input gradient nobody reads (Keras/TensorFlow never compute it).
    /// For a first Conv2D on one channel this is the most expensive of the three passes.
    public var computesInputGradient = true

    public var backwardWritesGradients = false
    public var gradientReady: ((Parameter, Range<Int>) -> Void)?

    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    public private(set) var outputShape: [Int] = []
    private var inputFeatures = 0

    // What backward needs, kept by forward.
    private var input: Tensor?                // the caller's input, valid until our next call
    private let preactivation = Tensor(shape: [0])   // z = x·W + b, when the activation needs it
    private let output = Tensor(shape: [0])
    private let dPreactivation = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])
    /// oneDNN matmul plans of the products met so far (one per shape and concurrent use).
    private let products = MatmulPlans()

    /// Every Keras argument is given: their defaults are the catalog's (Spec's tables).
    public init(units: Int, activation: Activation, useBias: Bool, kernelInitializer: Initializer, biasInitializer: Initializer,
                kernelL1: Float, kernelL2: Float, name: String = "dense") {
        precondition(units > 0, "Dense: units must be positive, got \(units)")
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelL1 = kernelL1
        self.kernelL2 = kernelL2
        self.name = name
    }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard let f = inputShape.last, f > 0 else {
            throw ShapeError(EngineSay.denseNeedsAxis(inputShape))
        }
        inputFeatures = f
        outputShape = inputShape.dropLast() + [units]
        let k = Parameter(name: "kernel", shape: [f, units])
        k.l1 = kernelL1
        k.l2 = kernelL2
        kernelInitializer.fill(k.value, rng: &rng)
        kernel = k
        if useBias {
            let b = Parameter(name: "bias", shape: [units])
            b.l1 = biasL1
            b.l2 = biasL2
            biasInitializer.fill(b.value, rng: &rng)
            bias = b
        }
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    /// z = x·W + b of the last `forward`, kept for softmax and sigmoid outputs so that a fused
    /// cross-entropy is computed from the logits, as Keras does with `_keras_logits`.
    public var logits: Tensor { preactivation }

    /// y = f(x·W + b), chunk by chunk over the batch (`Threads.chunks`, in parallel when the
    /// thread budget allows): one single-threaded oneDNN matmul (`MatmulPlan`) into z (or straight into y), then one
    /// fused bias + activation pass while the chunk is in cache.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.last == inputFeatures, "\(name): input \(x.shape), expected last axis \(inputFeatures)")
        input = x
        let rows = x.count / inputFeatures
        let shape = Array(x.shape.dropLast()) + [units]
        output.resize(shape)
        // Softmax and sigmoid keep z too: the loss then comes from the logits (LogitsKeeping).
        let keepZ = activation.needsPreactivation || activation == .softmax || activation == .sigmoid
        if keepZ { preactivation.resize(shape) }
        let z = keepZ ? preactivation : output
        guard rows > 0 else { return output }
        let chunks = rowChunks(rows: rows, batch: x.batch)
        let xp = x.data, zp = z.data, yp = output.data, w = kernel.value.data, b = bias?.value.data
        let k = inputFeatures, n = units
        let plans = products.plans(for: chunks.map { MatmulPlan.Shape(m: $0.count, n: n, k: k) })
        Threads.forEach(chunks.count) { c in
            let r = chunks[c]
            plans[c].run(a: xp + r.lowerBound * k, b: w, c: zp + r.lowerBound * n)
            activation.forward(zp + r.lowerBound * n, rows: r.count, cols: n, bias: b, output: yp + r.lowerBound * n)
        }
        return output
    }

    /// Per chunk of the batch: dZ = dy ⊙ f′ (or dy itself when the loss already gave dL/dz)
    /// and dInput = dZ·Wᵀ. Then per slice of the input features (a fixed split of W's rows):
    /// dW[slice] += x[:, slice]ᵀ·dZ over the whole batch, straight into `grad`; db += Σ_rows dZ
    /// (= instead of += with `backwardWritesGradients`, each slice then handed to `gradientReady`).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        let rows = x.count / inputFeatures
        precondition(dy.count == rows * units, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        let skip = backwardSkipsActivation || activation == .linear
        if !skip { dPreactivation.resize(output.shape) }
        dInput.resize(x.shape)
        guard rows > 0 else { return dInput }
        let chunks = rowChunks(rows: rows, batch: x.batch)
        let k = inputFeatures, n = units, inputGradient = computesInputGradient
        let xp = x.data, dyp = dy.data, dzp = skip ? dy.data : dPreactivation.data, dxp = dInput.data
        let zp = activation.needsPreactivation ? preactivation.data : nil, yp = output.data, w = kernel.value.data
        let inputPlans = inputGradient ? products.plans(for: chunks.map { MatmulPlan.Shape(transB: true, m: $0.count, n: k, k: n) }) : []
        Threads.forEach(chunks.count) { c in
            let r = chunks[c], o = r.lowerBound * n
            if !skip {
                activation.backward(dyp + o, preactivation: zp.map { $0 + o }, output: yp + o, rows: r.count, cols: n,
                                    into: dzp + o)
            }
            if inputGradient {
                inputPlans[c].run(a: dzp + o, b: w, c: dxp + r.lowerBound * k)
            }
        }
        let slices = Threads.split(k, minimum: 64), g = kernel.grad.data
        let write = backwardWritesGradients, ready = write ? gradientReady : nil, kernel = kernel!
        let gradientPlans = products.plans(for: slices.map {
            MatmulPlan.Shape(transA: true, m: $0.count, n: n, k: rows, lda: k, accumulate: !write)
        })
        Threads.forEach(slices.count) { c in
            gradientPlans[c].run(a: xp + slices[c].lowerBound, b: dzp, c: g + slices[c].lowerBound * n)
            ready?(kernel, (slices[c].lowerBound * n)..<(slices[c].upperBound * n))
        }
        if let bias {
            if write { bias.grad.fill(0) }
            Gemm.addColumnSums(rows: rows, cols: n, of: dzp, into: bias.grad.data)
            ready?(bias, 0..<n)
        }
        if !inputGradient { dInput.fill(0) }
        return dInput
    }

    /// The batch's chunks as row ranges (a sample has rows / batch rows when the input has
    /// more axes than (batch, features)).
    private func rowChunks(rows: Int, batch: Int) -> [Range<Int>] {
        let per = batch > 0 ? rows / batch : 0
        guard per > 0, per * batch == rows else { return [0..<rows] }
        return Threads.chunks(of: batch).map { ($0.lowerBound * per)..<($0.upperBound * per) }
    }
}
