/// Keras `MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")`; strides default to
/// the pool size.
///
/// Shapes (NHWC): input (N, H, W, C), output (N, OH, OW, C) with OH from `Padding`'s rule
/// (valid: ⌊(H − ph)/sh⌋ + 1; same: ⌈H/sh⌉). No parameters. Padded cells never win.
public final class MaxPooling2D: ChunkedLayer {
    public let kind = "MaxPooling2D"
    public var name: String
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public private(set) var outputShape: [Int] = []
    private var geometry: WindowGeometry!
    /// The built geometry at batch size 1 (nil before `build`).
    var windowGeometry: WindowGeometry? { geometry }

    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])
    private var input: Tensor?
    /// Each training output's place in its window (`Pooling.maxForward`'s argmax).
    private var argmax = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    private var training = false
    /// When true, the input is a ReLU's output and `backward` applies the ReLU's derivative
    /// too (gradient only to maxima above 0); the training loop sets it together with the
    /// previous layer's `backwardSkipsActivation`, saving a pass over the largest activation.
    public var backwardAppliesReLU = false
    /// The input (and dInput) or the output (and dy) in oneDNN's blocked layout instead of NHWC
    /// (`Blocked`): `Sequential` sets them beside a Winograd Conv2D, whose reorders they save.
    /// The loops read and write either layout in the same order, so the bits do not change.
    public var inputBlocked = false, outputBlocked = false
    /// The Conv2D before this layer when the two run as one pass (`Conv2D.pooled`,
    /// `PooledConvolution`): while its pass pools, it writes this layer's output and argmax and
    /// reads its gradient, and this layer's chunks do nothing.
    weak var fusedConvolution: Conv2D?
    private var fused: Bool { fusedConvolution?.poolsThisPass == true }
    /// The buffers the fused Conv2D writes and reads: the output, the argmax (a training pass's),
    /// and dy (after `beginBackward`).
    var fusedBuffers: (y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Float>?, dy: UnsafePointer<Float>?) {
        (output.data, training ? argmax.baseAddress : nil, dOutput.map { UnsafePointer($0.data) })
    }

    /// Every Keras argument is given (`strides` nil: the pool size), their defaults being the catalog's.
    public init(poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding, name: String = "max_pooling2d") {
        precondition(poolSize.0 > 0 && poolSize.1 > 0, "MaxPooling2D: pool_size must be positive, got \(poolSize)")
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        precondition(self.strides.0 > 0 && self.strides.1 > 0, "MaxPooling2D: strides must be positive")
        self.padding = padding
        self.name = name
    }

    deinit { argmax.deallocate() }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        geometry = try poolingGeometry(kind, inputShape, poolSize, strides, padding)
        outputShape = [geometry.outHeight, geometry.outWidth, geometry.channels]
    }

    private var dOutput: Tensor?
    private var chunks: [Range<Int>] = []

    public func beginForward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.count == geometry.with(batch: x.batch).inputCount, "\(name): input \(x.shape) does not match the built shape")
        output.resize([x.batch] + outputShape)
        input = x
        self.training = training
        if training && argmax.count < output.count {
            argmax.deallocate()
            argmax = .allocate(capacity: output.count)
        }
        chunks = Threads.chunks(of: x.batch)
        return output
    }

    public func forward(chunk c: Int) {
        if fused { return }
        let g = geometry!, r = chunks[c]
        let inPer = g.height * g.width * g.channels, outPer = g.outHeight * g.outWidth * g.channels
        let y = output.data + r.lowerBound * outPer, x = input!.data + r.lowerBound * inPer
        if training {
            Pooling.maxForward(g.with(batch: r.count), x: x, y: y, argmax: argmax.baseAddress! + r.lowerBound * outPer,
                               xBlocked: inputBlocked, yBlocked: outputBlocked)
        } else {
            Pooling.maxForward(g.with(batch: r.count), x: x, y: y, xBlocked: inputBlocked, yBlocked: outputBlocked)
        }
    }

    public func beginBackward(_ dy: Tensor) -> Tensor {
        guard let x = input, training else { preconditionFailure("\(name): backward without a training forward pass") }
        precondition(dy.count == output.count, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        dInput.resize(x.shape)
        dOutput = dy
        return dInput
    }

    /// dInput is zero except at each window's maximum, which receives that window's dy (the
    /// cell the forward pass marked: `Pooling.maxBackward`).
    public func backward(chunk c: Int) {
        if fused { return }
        let g = geometry!, r = chunks[c]
        let inPer = g.height * g.width * g.channels, outPer = g.outHeight * g.outWidth * g.channels
        let i = r.lowerBound * inPer, o = r.lowerBound * outPer
        Pooling.maxBackward(g.with(batch: r.count), argmax: argmax.baseAddress! + o, y: output.data + o,
                            dy: dOutput!.data + o, dx: dInput.data + i, relu: backwardAppliesReLU,
                            xBlocked: inputBlocked, yBlocked: outputBlocked)
    }
}

/// The geometry of a pooling layer, or a `ShapeError` naming the layer when it cannot apply.
func poolingGeometry(_ kind: String, _ inputShape: [Int], _ pool: (Int, Int), _ strides: (Int, Int),
                     _ padding: Padding) throws(ShapeError) -> WindowGeometry {
    guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
        throw ShapeError(EngineSay.needsImage(kind, inputShape, afterFlat: EngineSay.poolingAfterFlat))
    }
    guard let g = WindowGeometry(batch: 1, height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                 kernel: pool, strides: strides, padding: padding) else {
        throw ShapeError(EngineSay.poolTooLarge(kind, pool, height: inputShape[0], width: inputShape[1]))
    }
    return g
}
