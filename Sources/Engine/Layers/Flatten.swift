/// Keras `Flatten()`: one feature axis per sample, in NHWC (row-major, channels-last) order.
///
/// Shapes: input (N, d1, …, dk), output (N, d1·…·dk). No parameters. The data is copied into
/// the layer's own buffer (layers never hand out views of another layer's memory).
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

    private var input: Tensor?
    private var dOutput: Tensor?
    private var chunks: [Range<Int>] = []

    public func beginForward(_ x: Tensor, training: Bool) -> Tensor {
        output.resize([x.batch, x.sampleCount])
        input = x
        chunks = Threads.chunks(of: x.batch)
        return output
    }

    public func forward(chunk c: Int) {
        let r = chunks[c], per = output.sampleCount
        (output.data + r.lowerBound * per).update(from: input!.data + r.lowerBound * per, count: r.count * per)
    }

    public func beginBackward(_ dy: Tensor) -> Tensor {
        dInput.resize([dy.batch] + inputShape)
        dOutput = dy
        return dInput
    }

    public func backward(chunk c: Int) {
        let r = chunks[c], per = output.sampleCount
        (dInput.data + r.lowerBound * per).update(from: dOutput!.data + r.lowerBound * per, count: r.count * per)
    }
}
