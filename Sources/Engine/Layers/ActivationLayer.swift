/// Keras `Activation(activation)`: applies an activation function on its own.
///
/// Shapes: any input (N, …); the output has the same shape. Softmax acts on the last axis.
public final class ActivationLayer: ActivatedLayer {
    public let kind = "Activation"
    public var name: String
    public let activation: Activation
    public var backwardSkipsActivation = false
    public private(set) var outputShape: [Int] = []

    private var input: Tensor?
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    public init(activation: Activation, name: String = "activation") {
        self.activation = activation
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsPositiveShape(kind, inputShape))
        }
        outputShape = inputShape
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        output.resize(x.shape)
        output.data.update(from: x.data, count: x.count)
        let cols = x.shape.last ?? 1
        activation.forward(output.data, rows: x.count / max(cols, 1), cols: cols, output: output.data)
        return output
    }

    /// dInput = dy ⊙ f′(x) (or dy itself when the loss already gave dL/dz).
    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("\(name): backward before forward") }
        dInput.resize(x.shape)
        if backwardSkipsActivation {
            dInput.data.update(from: dy.data, count: dy.count)
        } else {
            let cols = x.shape.last ?? 1
            activation.backward(dy.data, preactivation: x.data, output: output.data,
                                rows: x.count / max(cols, 1), cols: cols, into: dInput.data)
        }
        return dInput
    }
}
