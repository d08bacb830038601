/// A trainable array of a layer (a kernel, a bias, gamma, beta) and its gradient.
public final class Parameter: @unchecked Sendable {
    /// Keras's variable name within the layer: "kernel", "bias", "gamma", "beta",
    /// "moving_mean", "moving_variance".
    public let name: String
    public let shape: [Int]
    public let value: Tensor
    public let grad: Tensor
    /// False for statistics updated by the forward pass (BatchNormalization's moving ones):
    /// saved with the model, never touched by an optimizer.
    public let trainable: Bool
    /// L1 and L2 factors added to the loss as l1·Σ|w| + l2·Σw² (Keras's regularizers).
    public var l1: Float = 0
    public var l2: Float = 0

    public init(name: String, shape: [Int], trainable: Bool = true) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        value = Tensor(shape: shape)
        grad = Tensor(shape: shape)
    }

    public var count: Int { value.count }
}

/// The error for a model that cannot be built: a layer that cannot take its input's shape.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
    /// The index of the layer in the model, when known.
    public var layerIndex: Int?
    public var message: String
    public init(layerIndex: Int? = nil, _ message: String) {
        self.layerIndex = layerIndex
        self.message = message
    }
    public var description: String { message }
}

/// One layer of a sequential model: a forward pass that keeps what its backward pass needs.
///
/// Shapes given to `build` and returned by `outputShape` are per sample (no batch axis);
/// tensors given to `forward` and `backward` carry the batch as their first axis.
/// `forward` returns the layer's own output buffer and `backward` its own input-gradient
/// buffer: both stay valid until the layer's next call, and are reused across batches. A layer
/// whose output is its input's values in another shape (Flatten, Reshape) returns a view of its
/// input instead (`Tensor.view`), and of `dy` from `backward`: valid as long as that tensor is,
/// which the caller keeps unchanged until `backward` in any case. No layer writes into its
/// input or into `dy`, so such a view never changes another layer's values.
public protocol Layer: AnyObject {
    /// The Keras class name: "Dense", "Conv2D", ...
    var kind: String { get }
    /// The layer's name in the model, e.g. "dense_1" (Keras's naming).
    var name: String { get set }
    /// Fixes the input shape, checks it, and creates and initializes the parameters.
    func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError)
    var outputShape: [Int] { get }
    var parameters: [Parameter] { get }
    /// Training mode applies dropout and batch statistics; inference mode does not.
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// Adds this batch's gradient into each parameter's `grad` (the training loop zeroes them
    /// before each step), and returns the gradient of the loss with respect to the input of the
    /// last `forward` (`dInput`). `dy` is the gradient with respect to the output.
    func backward(_ dy: Tensor) -> Tensor
}

/// A layer that ends in an activation function (Dense, Conv2D, Activation).
///
/// When `backwardSkipsActivation` is true, `backward` takes `dy` as the gradient with respect
/// to the values *before* the activation. The model sets it on its last layer when the loss
/// and the activation fuse into a simple gradient: softmax with categorical or sparse
/// categorical cross-entropy, sigmoid with binary cross-entropy, where dLoss/dz = p − y.
public protocol ActivatedLayer: Layer {
    var activation: Activation { get }
    var backwardSkipsActivation: Bool { get set }
}

/// A layer with a bias a regularizer may penalize (Keras `bias_regularizer`): Dense, Conv2D.
public protocol BiasRegularized: AnyObject {
    var biasL1: Float { get set }
    var biasL2: Float { get set }
}

/// A layer whose input gradient can be skipped. Nobody reads the gradient with respect to the
/// model's input, so training turns it off on the first layer: for a Conv2D on a 1-channel
/// image it is the most expensive of the three passes.
public protocol InputGradientOptional: Layer {
    var computesInputGradient: Bool { get set }
}

/// A layer whose backward can *write* its parameters' gradients rather than add into them, so
/// the training loop need not zero them first, and hand each range of a gradient over as soon as
/// it is final. Training sets both; the optimizer then updates that range while it is still in
/// the core's cache (a Dense kernel: the slice of rows a thread has just computed).
public protocol GradientWriting: Layer {
    /// When true, `backward` overwrites each parameter's `grad` with this batch's gradient.
    var backwardWritesGradients: Bool { get set }
    /// Called by `backward` (with `backwardWritesGradients`) once per range of each parameter,
    /// as soon as that range of its gradient is final; ranges are disjoint and cover the
    /// parameter, and calls may come from several threads at once.
    var gradientReady: ((Parameter, Range<Int>) -> Void)? { get set }
}

/// A layer whose passes split into independent sample chunks (`Threads.chunks` of the batch):
/// Conv2D, the pooling layers, Flatten, Dense. `Sequential` runs a run of such layers chunk by chunk
/// through all of them (conv → pool → conv → pool for one chunk, then the next chunk), so a
/// chunk's activations are still in the core's cache when the next layer reads them, and the
/// threads meet once per run instead of once per layer. Each chunk computes exactly what the
/// layer-by-layer order computes: the same bits.
///
/// `forward` and `backward` of such a layer are `begin…`, every chunk, then `endBackward`.
public protocol ChunkedLayer: Layer {
    /// Sizes the output buffer for input `x` (the whole batch) and returns it, unfilled.
    func beginForward(_ x: Tensor, training: Bool) -> Tensor
    /// Computes the output rows of chunk `c` of `Threads.chunks(of: batch)`.
    func forward(chunk c: Int)
    /// Sizes the input-gradient buffer for `dy` (which may not be filled yet: it is the next
    /// layer's input gradient, computed chunk by chunk too) and returns it, unfilled.
    func beginBackward(_ dy: Tensor) -> Tensor
    /// Computes the input-gradient rows of chunk `c`, and that chunk's share of the parameters'
    /// gradients.
    func backward(chunk c: Int)
    /// Adds the chunks' parameter gradients into the parameters' `grad`, in chunk order.
    func endBackward()
    /// Prepares what finishes the backward pass after every chunk (and `backwardMeeting`) as
    /// independent tasks (`endBackward(task:)`, in any order and on any thread, also beside
    /// other layers' tasks) and returns their number; called after `beginBackward`, before the
    /// chunks run, so it must not read their results. `Sequential` schedules the tasks of a
    /// whole run in one graph (`Threads.run`). By default: returns 0.
    func endBackwardTasks() -> Int
    /// Task `t` of the last `endBackwardTasks()`.
    func endBackward(task t: Int)
    /// Passes that run on the whole batch after the chunks, as independent tasks
    /// (`backwardMeeting(task:)`, any order, any thread): task 0 writes the input gradient (the
    /// layer below starts after it), the others parameters' gradients (read by the closing
    /// tasks). Their number for the pass begun by `beginBackward`: 0 (the default) when the
    /// chunks compute everything.
    func backwardMeetingTasks() -> Int
    /// Task `t` of the last `backwardMeetingTasks()`.
    func backwardMeeting(task t: Int)
}

extension ChunkedLayer {
    /// The closing tasks (`endBackwardTasks`) in one meeting of the threads.
    public func endBackward() { Threads.forEach(endBackwardTasks()) { endBackward(task: $0) } }
    public func endBackwardTasks() -> Int { 0 }
    public func endBackward(task t: Int) {}
    public func backwardMeetingTasks() -> Int { 0 }
    public func backwardMeeting(task t: Int) {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = beginForward(x, training: training)
        Threads.forEach(Threads.chunks(of: x.batch).count) { c in forward(chunk: c) }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let dx = beginBackward(dy)
        Threads.forEach(Threads.chunks(of: dy.batch).count) { c in backward(chunk: c) }
        Threads.forEach(backwardMeetingTasks()) { backwardMeeting(task: $0) }
        endBackward()
        return dx
    }
}
