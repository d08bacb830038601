/// Keras `Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
/// bias_initializer="zeros", kernel_regularizer=None)`.
///
/// Shapes: input (N, …, F), output (N, …, units); like Keras, the layer acts on the last axis,
/// so a (N, F) input is the usual case and any leading axes are treated as more rows.
/// Parameters: `kernel` (F, units) as Keras stores it, `bias` (units).
/// The kernel regularizer is l1·Σ|w| + l2·Σw² (Keras `L1L2`), carried on the kernel parameter.
public final class Dense: ActivatedLayer, ChunkedLayer, InputGradientOptional, LogitsKeeping, BiasRegularized, GradientWriting {
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

    // The pass in progress: the batch's row chunks, the incoming gradient, and the plans of
    // the current shapes (looked up again only when a shape changes, not every step).
    private var chunks: [Range<Int>] = []
    private var dOutput: Tensor?
    private var forwardPlans = PlanCache(), inputPlans = PlanCache(), gradientPlans = PlanCache()
    /// How many leading values of `dInput` are known to be zeros (written by a backward that
    /// skipped the input gradient), so the next such backward need not write them again.
    private var zeroedInput = 0
    private var fillsInput = false

    /// y = f(x·W + b), chunk by chunk over the batch (`Threads.chunks`): one single-threaded
    /// oneDNN matmul (`MatmulPlan`) with the bias (and ReLU) as post-ops into z (or straight
    /// into y), then the activation pass while the chunk is in cache. As a `ChunkedLayer`, a chain such as
    /// Flatten → Dense → Dense → Dense runs each chunk through every layer with one meeting of
    /// the threads (`Sequential`).
    public func beginForward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.last == inputFeatures, "\(name): input \(x.shape), expected last axis \(inputFeatures)")
        input = x
        let rows = x.count / inputFeatures
        let shape = Array(x.shape.dropLast()) + [units]
        output.resize(shape)
        // Softmax and sigmoid keep z too: the loss then comes from the logits (LogitsKeeping).
        if keepsPreactivation { preactivation.resize(shape) }
        chunks = rowChunks(rows: rows, batch: x.batch)
        let k = inputFeatures, n = units
        forwardPlans.update(products, chunks.map {
            MatmulPlan.Shape(m: max(1, $0.count), n: n, k: k, bias: useBias, relu: activation == .relu)
        })
        return output
    }

    public func forward(chunk c: Int) {
        guard c < chunks.count, !chunks[c].isEmpty, let x = input else { return }
        let r = chunks[c], k = inputFeatures, n = units
        let z = (keepsPreactivation ? preactivation : output).data + r.lowerBound * n
        // The bias (and a ReLU) are the product's post-ops: z = x·W, then z + b, then max(·, 0),
        // each rounded as the separate pass rounds it, so the same bits with one pass less.
        forwardPlans.plans[c].run(a: x.data + r.lowerBound * k, b: kernel.value.data, c: z, bias: bias?.value.data)
        if activation != .relu { activation.forward(z, rows: r.count, cols: n, output: output.data + r.lowerBound * n) }
    }

    private var keepsPreactivation: Bool {
        activation.needsPreactivation || activation == .softmax || activation == .sigmoid
    }

    /// Per chunk of the batch (`backward(chunk:)`): dZ = dy ⊙ f′ (or dy itself when the loss
    /// already gave dL/dz) and dInput = dZ·Wᵀ. Then (`endBackward`) per slice of the input
    /// features (a fixed split of W's rows): dW[slice] += x[:, slice]ᵀ·dZ over the whole batch,
    /// straight into `grad`; db += Σ_rows dZ (= instead of += with `backwardWritesGradients`,
    /// each slice then handed to `gradientReady`).
    public func beginBackward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        precondition(dy.count == output.count, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        if !skipsActivation { dPreactivation.resize(output.shape) }
        dInput.resize(x.shape)
        dOutput = dy
        let k = inputFeatures, n = units
        if computesInputGradient {
            inputPlans.update(products, chunks.map { MatmulPlan.Shape(transB: true, m: max(1, $0.count), n: k, k: n) })
            zeroedInput = 0
        } else {
            fillsInput = zeroedInput < dInput.count
        }
        return dInput
    }

    public func backward(chunk c: Int) {
        guard c < chunks.count, !chunks[c].isEmpty, let dy = dOutput else { return }
        let r = chunks[c], k = inputFeatures, n = units, o = r.lowerBound * n
        let dz = (skipsActivation ? dy : dPreactivation).data
        if !skipsActivation {
            activation.backward(dy.data + o, preactivation: activation.needsPreactivation ? preactivation.data + o : nil,
                                output: output.data + o, rows: r.count, cols: n, into: dz + o)
        }
        if computesInputGradient {
            inputPlans.plans[c].run(a: dz + o, b: kernel.value.data, c: dInput.data + r.lowerBound * k)
        } else if fillsInput {
            (dInput.data + r.lowerBound * k).update(repeating: 0, count: r.count * k)
        }
    }

    /// The slices of W's rows, then the bias (its column sums in row order) as one more task.
    public func endBackwardTasks() -> Int {
        guard let x = input, dOutput != nil else { return 0 }
        if !computesInputGradient { zeroedInput = max(zeroedInput, dInput.count) }
        let rows = x.count / inputFeatures
        guard rows > 0 else { return 0 }
        slices = Threads.split(inputFeatures, minimum: 64)
        let write = backwardWritesGradients, n = units, k = inputFeatures
        gradientPlans.update(products, slices.map {
            MatmulPlan.Shape(transA: true, m: $0.count, n: n, k: rows, lda: k, accumulate: !write)
        })
        return slices.count + (bias == nil ? 0 : 1)
    }

    public func endBackward(task c: Int) {
        guard let x = input, let dy = dOutput else { return }
        let rows = x.count / inputFeatures, n = units
        let dz = (skipsActivation ? dy : dPreactivation).data
        let ready = backwardWritesGradients ? gradientReady : nil
        guard c < slices.count else {
            let bias = bias!
            if backwardWritesGradients { bias.grad.fill(0) }
            Gemm.addColumnSums(rows: rows, cols: n, of: dz, into: bias.grad.data)
            ready?(bias, 0..<n)
            return
        }
        let s = slices[c]
        gradientPlans.plans[c].run(a: x.data + s.lowerBound, b: dz, c: kernel.grad.data + s.lowerBound * n)
        ready?(kernel, (s.lowerBound * n)..<(s.upperBound * n))
    }

    /// The fixed split of W's rows for the weight gradient (`Threads.split`, at least 64 each).
    private var slices: [Range<Int>] = []

    private var skipsActivation: Bool { backwardSkipsActivation || activation == .linear }

    /// The batch's chunks as row ranges (a sample has rows / batch rows when the input has
    /// more axes than (batch, features)).
    private func rowChunks(rows: Int, batch: Int) -> [Range<Int>] {
        let per = batch > 0 ? rows / batch : 0
        guard per > 0, per * batch == rows else { return [0..<rows] }
        return Threads.chunks(of: batch).map { ($0.lowerBound * per)..<($0.upperBound * per) }
    }
}

/// The plans of one pass's products, kept while the shapes stay the same.
private struct PlanCache {
    private var shapes: [MatmulPlan.Shape] = []
    private(set) var plans: [MatmulPlan] = []

    mutating func update(_ source: MatmulPlans, _ wanted: [MatmulPlan.Shape]) {
        guard wanted != shapes else { return }
        plans = source.plans(for: wanted)
        shapes = wanted
    }
}
