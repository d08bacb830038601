/// Keras `Flatten()`: one feature axis per sample, in NHWC (row-major, channels-last) order.
///
/// Shapes: input (N, d1, …, dk), output (N, d1·…·dk). No parameters. NHWC is already that
/// order, so nothing is copied: the output is a view of the input (`Tensor.view`), taken again
/// at every call, and the input gradient a view of the output's gradient. A view is as valid as
/// the tensor it shows, and the caller keeps the input unchanged until `backward` anyway (the
/// next layer reads it then through the view). Copying cost the race's MLP two passes of
/// 800 KB per step of batch 256, one of them over the zeros of a gradient nobody reads.
public final class Flatten: ChunkedLayer {
    public let kind = "Flatten"
    public var name: String
    public private(set) var outputShape: [Int] = []
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    public init(name: String = "flatten") { self.name = name }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsPositiveShape(kind, inputShape))
        }
        self.inputShape = inputShape
        outputShape = [inputShape.reduce(1, *)]
    }

    public func beginForward(_ x: Tensor, training: Bool) -> Tensor {
        output.view(of: x, shape: [x.batch, x.sampleCount])
        return output
    }

    /// Nothing to do: the output is the input's memory.
    public func forward(chunk c: Int) {}

    public func beginBackward(_ dy: Tensor) -> Tensor {
        dInput.view(of: dy, shape: [dy.batch] + inputShape)
        return dInput
    }

    /// Nothing to do: the input gradient is the output gradient's memory.
    public func backward(chunk c: Int) {}
}
