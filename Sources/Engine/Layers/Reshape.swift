/// Keras `Reshape(target_shape)`: the same values per sample under a new shape; at most one
/// axis may be −1 and is then inferred (as Keras).
///
/// Shapes: input (N, …), output (N, target_shape…) with the same count per sample. No parameters.
/// Like Flatten, nothing is copied: the output is a view of the input and the input gradient a
/// view of the output's gradient (`Tensor.view`), taken again at every call.
public final class Reshape: Layer {
    public let kind = "Reshape"
    public var name: String
    public let targetShape: [Int]
    public private(set) var outputShape: [Int] = []
    private var inputShape: [Int] = []
    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    public init(targetShape: [Int], name: String = "reshape") {
        self.targetShape = targetShape
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        let count = inputShape.reduce(1, *)
        let unknown = targetShape.filter { $0 == -1 }.count
        guard !targetShape.isEmpty, unknown <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw ShapeError(EngineSay.badTargetShape(targetShape))
        }
        // A model file's target shape is user input: its product may not fit in an Int.
        guard let known = checkedProduct(targetShape.filter { $0 != -1 }) else {
            throw ShapeError(EngineSay.targetShapeTooLarge(targetShape))
        }
        var shape = targetShape
        if unknown == 1 {
            guard count % known == 0 else {
                throw ShapeError(EngineSay.reshapeCannotFit(count, inputShape, targetShape))
            }
            shape[shape.firstIndex(of: -1)!] = count / known
        } else if known != count {
            throw ShapeError(EngineSay.reshapeCountDiffers(targetShape, known: known, inputShape, count: count))
        }
        self.inputShape = inputShape
        outputShape = shape
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.view(of: x, shape: [x.batch] + outputShape)
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        dInput.view(of: dy, shape: [dy.batch] + inputShape)
        return dInput
    }
}
