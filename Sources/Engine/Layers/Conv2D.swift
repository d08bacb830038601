/// Keras `Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", activation=None,
/// use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
/// kernel_regularizer=None)`.
///
/// Shapes (NHWC: N batch, H height, W width, C channels): input (N, H, W, C), output
/// (N, OH, OW, filters), where `valid` gives OH = ⌊(H − kh)/sh⌋ + 1 and `same` gives
/// OH = ⌈H/sh⌉ (TensorFlow's rule; see `Padding`). Parameters: `kernel` (kh, kw, C, filters)
/// as Keras stores it, `bias` (filters). The passes run on oneDNN (`ConvolutionPlan`), one
/// plan per batch size met, created on first use and kept.
public final class Conv2D: ActivatedLayer, ChunkedLayer, InputGradientOptional, BiasRegularized, GradientWriting {
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
    /// The input and dInput (`inputBlocked`), the output and dy (`outputBlocked`) in oneDNN's
    /// blocked layout (`Blocked`) instead of NHWC: `Sequential` sets them between Winograd layers
    /// and their pooling or Winograd neighbours, so no pass reorders them. Reorders copy values,
    /// and the activation is elementwise: the same bits.
    public var inputBlocked = false { didSet { if inputBlocked != oldValue { plans = [:]; wholePlans = [:] } } }
    public var outputBlocked = false { didSet { if outputBlocked != oldValue { plans = [:]; wholePlans = [:] } } }
    /// A layer whose input gradient runs on Winograd kernels computes it, and its weight
    /// gradient, on the whole batch at once (`backwardMeeting`), the two passes side by side on
    /// two threads, instead of both per chunk: see `beginBackward`. Off to compare.
    public var splitsBackward = true
    /// The MaxPooling2D after this layer when the two run as one pass (`PooledConvolution`):
    /// set by `Sequential` (`fusesPooling`) where the pair suits it. A pass that needs this
    /// layer's own output (a training pass with `computesInputGradient`) runs them apart.
    weak var pooled: MaxPooling2D?
    /// The current pass writes `pooled`'s output and takes its gradient (`beginForward`): this
    /// layer's output stays unwritten, and the pool's chunks do nothing.
    private(set) var poolsThisPass = false
    /// The 2×2 MaxPooling2D after this layer when the input gradient comes from its pooled
    /// gradient (`PooledConvolution.backwardData`: one output per window has a gradient, so a
    /// quarter of the work or less): set by `Sequential` (`fusesPooling`) where the pair suits it.
    weak var gradientPool: MaxPooling2D?
    /// The current backward pass takes its input gradient from `gradientPool` (`beginBackward`).
    private var scattersThisPass = false
    /// The kernel by filter (filters, kh, kw, C) for `PooledConvolution.backwardData`.
    private let kernelByFilter = Tensor(shape: [0])

    public private(set) var kernel: Parameter!
    public private(set) var bias: Parameter?
    public private(set) var outputShape: [Int] = []
    /// The geometry at batch size 1; plans copy it with the batch they serve.
    private var geometry: WindowGeometry!
    /// The built geometry at batch size 1 (nil before `build`).
    var windowGeometry: WindowGeometry? { geometry }
    /// oneDNN plans by chunk size: as many of each size as a batch has chunks of that size, so
    /// that chunks running at once never share a plan (a plan is not thread-safe).
    private var plans: [Int: [ConvolutionPlan]] = [:]
    /// Whole-batch plans by batch size for the split backward pass: one for the input gradient,
    /// one for the weight gradient (they run at the same time).
    private var wholePlans: [Int: (data: ConvolutionPlan, weights: ConvolutionPlan)] = [:]
    /// The current backward pass is split (`beginBackward`).
    private var split: (data: ConvolutionPlan, weights: ConvolutionPlan)?
    /// The kernel in the plans' layouts, made once per forward pass for all chunks.
    private var sharedKernel = SharedKernel()
    /// The current forward pass is a training one (its backward pass will need the kernel too).
    private var training = false

    private var input: Tensor?
    private let preactivation = Tensor(shape: [0])
    private let output = Tensor(shape: [0])
    private let dPreactivation = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])
    /// oneDNN overwrites its weight gradients: each chunk's land in its own tensor here, then
    /// are added into `grad` in chunk order.
    private var dKernels: [Tensor] = []
    private var dBiases: [Tensor] = []

    /// Every Keras argument is given: their defaults are the catalog's (Spec's tables).
    public init(filters: Int, kernelSize: (Int, Int), strides: (Int, Int), padding: Padding, activation: Activation, useBias: Bool,
                kernelInitializer: Initializer, biasInitializer: Initializer, kernelL1: Float, kernelL2: Float,
                name: String = "conv2d") {
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


    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsImage(kind, inputShape, afterFlat: EngineSay.convAfterFlat))
        }
        guard let g = WindowGeometry(batch: 1, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                     kernel: kernelSize, strides: strides, padding: padding) else {
            throw ShapeError(EngineSay.kernelTooLarge(kernelSize, height: inputShape[0], width: inputShape[1]))
        }
        geometry = g
        plans = [:]
        wholePlans = [:]
        winogradKnown = nil
        sharedKernel = SharedKernel()
        outputShape = [g.outHeight, g.outWidth, filters]
        let k = Parameter(name: "kernel", shape: [kernelSize.0, kernelSize.1, inputShape[2], filters])
        k.l1 = kernelL1
        k.l2 = kernelL2
        kernelInitializer.fill(k.value, rng: &rng)
        kernel = k
        if useBias {
            let b = Parameter(name: "bias", shape: [filters])
            b.l1 = biasL1
            b.l2 = biasL2
            biasInitializer.fill(b.value, rng: &rng)
            bias = b
        }
    }

    public var parameters: [Parameter] { [kernel] + (bias.map { [$0] } ?? []) }

    private func plan(batch n: Int) -> ConvolutionPlan {
        ConvolutionPlan(geometry: geometry.with(batch: n), filters: filters, bias: useBias,
                        relu: activation == .relu, shared: sharedKernel,
                        finalOutput: activation == .relu || activation == .linear,
                        blockedInput: inputBlocked, blockedOutput: outputBlocked)
    }

    /// The batch's chunks (`Threads.chunks`), each with a plan of its own.
    private func chunkPlans(batch n: Int) -> [(range: Range<Int>, plan: ConvolutionPlan)] {
        var used: [Int: Int] = [:]
        return Threads.chunks(of: n).map { r in
            let k = used[r.count, default: 0]
            used[r.count] = k + 1
            var list = plans[r.count, default: []]
            if list.count <= k {
                list.append(plan(batch: r.count))
                plans[r.count] = list
            }
            return (r, list[k])
        }
    }

    /// Whether oneDNN runs this built layer on its Winograd kernels on this CPU (`winograd`), its
    /// input gradient too (`backwardData`): the layers whose passes compute in the blocked layout.
    /// Asked of a plan for one image, made once.
    public var winogradPasses: (winograd: Bool, backwardData: Bool) {
        if let known = winogradKnown { return known }
        let p = ConvolutionPlan(geometry: geometry.with(batch: 1), filters: filters, bias: useBias, relu: activation == .relu)
        winogradKnown = (p.algorithm == "winograd", p.winogradBackwardData)
        return winogradKnown!
    }
    private var winogradKnown: (winograd: Bool, backwardData: Bool)?

    /// The current batch's chunks and their plans, set by `beginForward`.
    private var chunks: [(range: Range<Int>, plan: ConvolutionPlan)] = []
    private var dOutput: Tensor?

    /// Sizes the output for `x`: y = f(conv(x, kernel) + bias), computed by `forward(chunk:)`.
    public func beginForward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry!
        precondition(x.shape.count == 4 && x.shape[1] == g.height && x.shape[2] == g.width && x.shape[3] == g.channels,
                     "\(name): input \(x.shape), expected (N, \(g.height), \(g.width), \(g.channels))")
        input = x
        let shape = [x.batch] + outputShape
        output.resize(shape)
        if activation.needsPreactivation { preactivation.resize(shape) }
        poolsThisPass = pooled != nil && !(training && computesInputGradient)
        chunks = poolsThisPass ? [] : chunkPlans(batch: x.batch)
        pooledChunks = poolsThisPass ? Threads.chunks(of: x.batch) : []
        sharedKernel.invalidate()
        self.training = training
        return output
    }

    /// The chunks of a pass that pools (`poolsThisPass`), which needs no oneDNN plans.
    private var pooledChunks: [Range<Int>] = []

    /// One chunk of the pass with the pool (`PooledConvolution.forward`): the pool's output, and
    /// in training its argmax, from this layer's input.
    private func forwardPooled(chunk c: Int, into pool: MaxPooling2D) {
        let g = geometry!, r = pooledChunks[c], out = pool.outputShape
        let inPer = g.height * g.width * g.channels, outPer = out[0] * out[1] * filters
        let buffers = pool.fusedBuffers
        PooledConvolution.forward(g.with(batch: r.count), filters: filters, pooled: (out[0], out[1]),
                                  x: input!.data + r.lowerBound * inPer, kernel: kernel.value.data, bias: bias?.value.data,
                                  relu: activation == .relu, y: buffers.y + r.lowerBound * outPer,
                                  argmax: buffers.argmax.map { $0 + r.lowerBound * outPer })
    }

    /// One chunk's weight gradient in the pass with the pool (`PooledConvolution.backwardWeights`),
    /// from the pool's gradient; the input gradient zeros (a pooled pass is one that needs none).
    private func backwardPooled(chunk c: Int, from pool: MaxPooling2D) {
        let g = geometry!, r = pooledChunks[c], out = pool.outputShape
        let inPer = g.height * g.width * g.channels, outPer = out[0] * out[1] * filters, o = r.lowerBound * outPer
        let buffers = pool.fusedBuffers
        guard let argmax = buffers.argmax, let dy = buffers.dy else { preconditionFailure("\(name): pooled backward without a training pass") }
        PooledConvolution.backwardWeights(g.with(batch: r.count), filters: filters, pooled: (out[0], out[1]),
                                          x: input!.data + r.lowerBound * inPer, argmax: argmax + o, y: buffers.y + o, dy: dy + o,
                                          relu: activation == .relu, dKernel: dKernels[c].data, dBias: useBias ? dBiases[c].data : nil)
        (dInput.data + r.lowerBound * inPer).update(repeating: 0, count: r.count * inPer)
    }

    /// One chunk: one oneDNN convolution (bias included, and a ReLU as its post-op), then any
    /// other activation while the chunk is in cache. The chunks share the kernel's reorders,
    /// chunk c beginning with the cth (the forward pass's, the input gradient's when training).
    public func forward(chunk c: Int) {
        if poolsThisPass, let pool = pooled { return forwardPooled(chunk: c, into: pool) }
        let g = geometry!, (r, p) = chunks[c]
        let inPer = g.height * g.width * g.channels, outPer = g.outHeight * g.outWidth * filters
        let z = (activation.needsPreactivation ? preactivation : output).data + r.lowerBound * outPer
        p.prepareKernel(kernel.value.data, backward: training && computesInputGradient, first: c)
        p.forward(x: input!.data + r.lowerBound * inPer, weights: kernel.value.data, bias: bias?.value.data, y: z, training: training)
        if activation != .linear && !p.appliesReLU {
            activation.forward(z, rows: r.count * g.outHeight * g.outWidth, cols: filters,
                               output: output.data + r.lowerBound * outPer)
        }
    }

    /// Sizes dInput and the chunks' gradient buffers for `dy`.
    ///
    /// With Winograd kernels for the input gradient (`winogradPasses`) and two chunks or more,
    /// the pass is split (`splitsBackward`): the chunks compute dZ alone, then the input
    /// gradient and the weight gradient each run once over the whole batch, side by side
    /// (`backwardMeeting`). A Winograd pass pays a fixed cost per call (the kernel's transforms),
    /// and two threads running the two different passes slow each other less than two running
    /// the same one (on the notebook CNN's four such layers, their backward passes' oneDNN time
    /// fell 8.6%). `Sequential` runs the two with other layers' work around them (`Threads.run`).
    /// The input gradient has the chunks' bits (oneDNN's Winograd backward-data
    /// computes each image alike whatever the batch); the weight gradient is one sum over the
    /// batch instead of per-chunk sums added in chunk order: other bits, fixed by the batch size
    /// alone, whatever the threads.
    public func beginBackward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        precondition(dy.shape == output.shape, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        if !(backwardSkipsActivation || activation == .linear || poolsThisPass) { dPreactivation.resize(output.shape) }
        while dKernels.count < max(chunks.count, pooledChunks.count) {
            dKernels.append(Tensor(shape: kernel.shape))
            dBiases.append(Tensor(shape: [filters]))
        }
        dInput.resize(x.shape)
        dOutput = dy
        scattersThisPass = computesInputGradient && !poolsThisPass && gradientPool?.fusedBuffers.argmax != nil
        if scattersThisPass {
            kernelByFilter.resize([kernel.count])
            PooledConvolution.kernelByFilter(kernel.value.data, geometry, filters: filters, into: kernelByFilter.data)
        }
        split = nil
        if splitsBackward && computesInputGradient && chunks.count >= 2 && winogradPasses.backwardData {
            if wholePlans[dy.batch] == nil { wholePlans[dy.batch] = (plan(batch: dy.batch), plan(batch: dy.batch)) }
            split = wholePlans[dy.batch]
        }
        return dInput
    }

    public func backwardMeetingTasks() -> Int { split == nil ? 0 : 2 }

    /// The backward pass begun last is split (`beginBackward`).
    var splitsThisPass: Bool { split != nil }

    /// The split pass's two whole-batch tasks: 0 the input gradient, 1 the weight gradient.
    public func backwardMeeting(task t: Int) {
        guard let (data, weights) = split else { return }
        let dz = (backwardSkipsActivation || activation == .linear ? dOutput! : dPreactivation).data
        if t == 0 {
            if scattersThisPass { return backwardDataFromPool(0..<dOutput!.batch) }
            data.backwardData(dy: dz, weights: kernel.value.data, dx: dInput.data)
        } else {
            weights.backwardWeights(x: input!.data, dy: dz, dw: dKernels[0].data, db: useBias ? dBiases[0].data : nil,
                                    blocked: leavesBlocked(0))
        }
    }

    /// One chunk: dZ = dy ⊙ f′ (or dy when the loss gave dL/dz); the chunk's kernel and bias
    /// gradients from oneDNN backward-weights(x, dZ); dInput = oneDNN backward-data(dZ, kernel)
    /// (zeros when `computesInputGradient` is off).
    public func backward(chunk c: Int) {
        if poolsThisPass, let pool = pooled { return backwardPooled(chunk: c, from: pool) }
        let g = geometry!, (r, p) = chunks[c]
        let inPer = g.height * g.width * g.channels, outPer = g.outHeight * g.outWidth * filters
        let o = r.lowerBound * outPer, i = r.lowerBound * inPer
        let skip = backwardSkipsActivation || activation == .linear
        let dz = (skip ? dOutput! : dPreactivation).data
        if !skip {
            activation.backward(dOutput!.data + o, preactivation: activation.needsPreactivation ? preactivation.data + o : nil,
                                output: output.data + o, rows: r.count * g.outHeight * g.outWidth, cols: filters, into: dz + o)
        }
        if split != nil { return }
        p.backwardWeights(x: input!.data + i, dy: dz + o, dw: dKernels[c].data, db: useBias ? dBiases[c].data : nil,
                          blocked: leavesBlocked(c))
        if scattersThisPass {
            backwardDataFromPool(r)
        } else if computesInputGradient {
            p.backwardData(dy: dz + o, weights: kernel.value.data, dx: dInput.data + i)
        } else {
            (dInput.data + i).update(repeating: 0, count: r.count * inPer)
        }
    }

    /// The input gradient of images `r` from the pool's gradient, output and argmax
    /// (`scattersThisPass`).
    private func backwardDataFromPool(_ r: Range<Int>) {
        let g = geometry!, out = gradientPool!.outputShape, b = gradientPool!.fusedBuffers
        let inPer = g.height * g.width * g.channels, outPer = out[0] * out[1] * filters, o = r.lowerBound * outPer
        guard let argmax = b.argmax, let dy = b.dy else { preconditionFailure("\(name): pooled input gradient without a training pass") }
        PooledConvolution.backwardData(g.with(batch: r.count), filters: filters, pooled: (out[0], out[1]), wt: kernelByFilter.data,
                                       argmax: argmax + o, y: b.y + o, dy: dy + o, relu: activation == .relu,
                                       dx: dInput.data + r.lowerBound * inPer)
    }

    /// The kernel's rows (i, j, c) in slices, summed by `endBackward(task:)`.
    private var slices: [Range<Int>] = []
    /// Chunks leave their kernel gradient in oneDNN's blocked layout where their plan can, and
    /// the closing tasks reorder it while adding: two chunks' reorders to Keras's layout, and
    /// the passes over their copies, cost 1.3% of the notebook CNN's step. Off to compare.
    var blockedKernelGradients = true

    private func leavesBlocked(_ c: Int) -> Bool {
        !poolsThisPass && blockedKernelGradients && (split?.weights ?? chunks[c].plan).writesBlockedGradient
    }

    /// The buffers holding weight-gradient parts: one per chunk, or the split pass's one.
    private var parts: Range<Int> { 0..<(poolsThisPass ? pooledChunks.count : split == nil ? chunks.count : 1) }

    /// The kernel's slices, then the bias as one more task: zeroing, summing and updating the
    /// gradients on the main thread alone had the other one wait (2% of the notebook CNN's step).
    public func endBackwardTasks() -> Int {
        guard dOutput != nil else { return 0 }
        slices = Threads.split(kernel.count / filters, minimum: max(1, 16_384 / filters))
        return slices.count + (bias == nil ? 0 : 1)
    }

    /// grad += each chunk's gradient in chunk order, over a zeroed grad when writing: the bits
    /// of the training loop's zeroing then adding.
    public func endBackward(task t: Int) {
        let ready = backwardWritesGradients ? gradientReady : nil
        guard t < slices.count else {
            let g = bias!.grad.data
            if backwardWritesGradients { g.update(repeating: 0, count: filters) }
            for c in parts { Gemm.add(count: filters, dBiases[c].data, into: g) }
            ready?(bias!, 0..<filters)
            return
        }
        let rows = slices[t], range = (rows.lowerBound * filters)..<(rows.upperBound * filters)
        let g = kernel.grad.data
        if backwardWritesGradients { (g + range.lowerBound).update(repeating: 0, count: range.count) }
        for c in parts {
            if leavesBlocked(c) {
                ConvolutionPlan.addBlockedKernel(dKernels[c].data, geometry, filters: filters, rows: rows, into: g)
            } else {
                Gemm.add(count: range.count, dKernels[c].data + range.lowerBound, into: g + range.lowerBound)
            }
        }
        ready?(kernel, range)
    }
}
