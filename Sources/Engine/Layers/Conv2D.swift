/// Keras `Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", activation=None,
/// use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
/// kernel_regularizer=None)`.
///
/// Shapes (NHWC: N batch, H height, W width, C channels): input (N, H, W, C), output
/// (N, OH, OW, filters), where `valid` gives OH = ⌊(H − kh)/sh⌋ + 1 and `same` gives
/// OH = ⌈H/sh⌉ (TensorFlow's rule; see `Padding`). Parameters: `kernel` (kh, kw, C, filters)
/// as Keras stores it, `bias` (filters). The passes run on oneDNN (`ConvolutionPlan`), one
/// plan per batch size met, created on first use and kept.
public final class Conv2D: ActivatedLayer, InputGradientOptional {
    public let kind = "Conv2D"
    public var name: String
    public let filters: Int
    public let kernelSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public let activation: Activation
    public let useBias: Bool
    public let kernelInitializer: Initializer
    public let biasInitializer: Initializer
    public let kernelL1: Float
    public let kernelL2: Float
    public var backwardSkipsActivation = false
    /// When false, `backward` skips the input gradient and returns zeros: the model sets it on
    /// its first layer, whose input gradient nobody reads (Keras/TensorFlow never compute it).
    /// For a first Conv2D on one channel this is the most expensive of the three passes.
    public var computesInputGradient = true

    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    public private(set) var outputShape: [Int] = []
    /// The geometry at batch size 1; plans copy it with the batch they serve.
    private var geometry: WindowGeometry!
    private var plans: [Int: ConvolutionPlan] = [:]

    private var input: Tensor?
    private let preactivation = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let dPreactivation = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])
    /// oneDNN overwrites its weight gradients; they land here and are then added into `grad`.
    private let dKernel = Tensor(shape: [0])
    private let dBias = Tensor(shape: [0])

    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                kernelL1: Float = 0, kernelL2: Float = 0, name: String = "conv2d") {
        precondition(filters > 0, "Conv2D: filters must be positive, got \(filters)")
        precondition(kernelSize.0 > 0 && kernelSize.1 > 0, "Conv2D: kernel_size must be positive, got \(kernelSize)")
        precondition(strides.0 > 0 && strides.1 > 0, "Conv2D: strides must be positive, got \(strides)")
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelL1 = kernelL1
        self.kernelL2 = kernelL2
        self.name = name
    }

    /// Keras's square shorthand: `kernel_size=3` means (3, 3), `strides=2` means (2, 2).
    public convenience init(filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid,
                            activation: Activation = .linear, useBias: Bool = true,
                            kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                            kernelL1: Float = 0, kernelL2: Float = 0, name: String = "conv2d") {
        self.init(filters: filters, kernelSize: (kernelSize, kernelSize), strides: (strides, strides), padding: padding,
                  activation: activation, useBias: useBias, kernelInitializer: kernelInitializer,
                  biasInitializer: biasInitializer, kernelL1: kernelL1, kernelL2: kernelL2, name: name)
    }

    public var activationName: String { activation.name }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("Conv2D needs a per-sample input of shape (height, width, channels), got \(inputShape)"
                + (inputShape.count == 1 ? " (a flat vector: Conv2D cannot follow Flatten or Dense; use Reshape)" : ""))
        }
        guard let g = WindowGeometry(batch: 1, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                     kernel: kernelSize, strides: strides, padding: padding) else {
            throw ShapeError("Conv2D kernel_size \(kernelSize) is larger than its input \(inputShape[0])x\(inputShape[1]) "
                + "with padding \"valid\"; use a smaller kernel or padding \"same\"")
        }
        geometry = g
        plans = [:]
        outputShape = [g.outHeight, g.outWidth, filters]
        let k = Parameter(name: "kernel", shape: [kernelSize.0, kernelSize.1, inputShape[2], filters])
        k.l1 = kernelL1
        k.l2 = kernelL2
        kernelInitializer.fill(k.value, rng: &rng)
        kernel = k
        if useBias {
            let b = Parameter(name: "bias", shape: [filters])
            biasInitializer.fill(b.value, rng: &rng)
            bias = b
        }
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    public var config: [String: String] {
        ["filters": "\(filters)", "kernel_size": "(\(kernelSize.0), \(kernelSize.1))",
         "strides": "(\(strides.0), \(strides.1))", "padding": padding.rawValue,
         "activation": activation.description, "use_bias": useBias ? "True" : "False",
         "kernel_initializer": kernelInitializer.description, "bias_initializer": biasInitializer.description,
         "kernel_regularizer": regularizerDescription(l1: kernelL1, l2: kernelL2)]
    }

    private func plan(batch n: Int) -> ConvolutionPlan {
        if let p = plans[n] { return p }
        let p = ConvolutionPlan(geometry: geometry.with(batch: n), filters: filters, bias: useBias)
        plans[n] = p
        return p
    }

    /// y = f(conv(x, kernel) + bias): one oneDNN convolution (bias included), then one activation pass.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry!
        precondition(x.shape.count == 4 && x.shape[1] == g.height && x.shape[2] == g.width && x.shape[3] == g.channels,
                     "\(name): input \(x.shape), expected (N, \(g.height), \(g.width), \(g.channels))")
        input = x
        let n = x.batch
        let shape = [n] + outputShape
        output.resize(shape)
        let keepZ = activation.needsPreactivation
        if keepZ { preactivation.resize(shape) }
        let z = keepZ ? preactivation : output
        plan(batch: n).forward(x: x.data, weights: kernel.value.data, bias: bias?.value.data, y: z.data)
        if activation != .linear {
            activation.forward(z.data, rows: n * g.outHeight * g.outWidth, cols: filters, output: output.data)
        }
        return output
    }

    /// dZ = dy ⊙ f′ (or dy when the loss gave dL/dz); dKernel += oneDNN backward-weights(x, dZ);
    /// dBias += Σ dZ; dInput = oneDNN backward-data(dZ, kernel).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        precondition(dy.shape == output.shape, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        let n = x.batch, p = plan(batch: n)
        var dz = dy
        if !backwardSkipsActivation && activation != .linear {
            dPreactivation.resize(output.shape)
            activation.backward(dy.data, preactivation: activation.needsPreactivation ? preactivation.data : nil,
                                output: output.data, rows: dy.count / filters, cols: filters, into: dPreactivation.data)
            dz = dPreactivation
        }
        dKernel.resize(kernel.shape)
        if useBias { dBias.resize([filters]) }
        p.backwardWeights(x: x.data, dy: dz.data, dw: dKernel.data, db: useBias ? dBias.data : nil)
        Gemm.add(count: dKernel.count, dKernel.data, into: kernel.grad.data)
        if let bias { Gemm.add(count: filters, dBias.data, into: bias.grad.data) }
        dInput.resize(x.shape)
        if computesInputGradient {
            p.backwardData(dy: dz.data, weights: kernel.value.data, dx: dInput.data)
        } else {
            dInput.fill(0)
        }
        return dInput
    }
}
