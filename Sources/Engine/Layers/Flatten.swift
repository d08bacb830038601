/// Keras `Flatten()`: one feature axis per sample, in NHWC (row-major, channels-last) order.
///
/// Shapes: input (N, d1, …, dk), output (N, d1·…·dk). No parameters. The data is copied into
/// the layer's own buffer (layers never hand out views of another layer's memory).
public final class Flatten: Layer {
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
            throw ShapeError("Flatten needs an input shape of positive sizes, got \(inputShape)")
        }
        self.inputShape = inputShape
        outputShape = [inputShape.reduce(1, *)]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.resize([x.batch, x.sampleCount])
        output.data.update(from: x.data, count: x.count)
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        dInput.resize([dy.batch] + inputShape)
        dInput.data.update(from: dy.data, count: dy.count)
        return dInput
    }
}
