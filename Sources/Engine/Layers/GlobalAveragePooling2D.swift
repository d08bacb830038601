/// Keras `GlobalAveragePooling2D()` (keepdims=False): the mean over height and width.
///
/// Shapes (NHWC): input (N, H, W, C), output (N, C). No parameters.
public final class GlobalAveragePooling2D: Layer {
    public let kind = "GlobalAveragePooling2D"
    public var name: String
    public private(set) var outputShape: [Int] = []
    private var cells = 0, channels = 0

    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    public init(name: String = "global_average_pooling2d") { self.name = name }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError(EngineSay.needsImage(kind, inputShape))
        }
        cells = inputShape[0] * inputShape[1]
        channels = inputShape[2]
        outputShape = [channels]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.sampleCount == cells * channels, "\(name): input \(x.shape) does not match the built shape")
        let n = x.batch, c = channels
        output.resize([n, c])
        output.fill(0)
        let inv = 1 / Float(cells)
        for s in 0..<n {
            let y = output.data + s * c
            for p in 0..<cells {
                let xr = x.data + (s * cells + p) * c
                for k in 0..<c { y[k] += xr[k] }
            }
            for k in 0..<c { y[k] *= inv }
        }
        dInput.resize(x.shape)
        return output
    }

    /// Every cell of a sample's channel k receives dy[k] / (H·W).
    public func backward(_ dy: Tensor) -> Tensor {
        let c = channels, inv = 1 / Float(cells)
        for s in 0..<dy.batch {
            let d = dy.data + s * c
            for p in 0..<cells {
                let dx = dInput.data + (s * cells + p) * c
                for k in 0..<c { dx[k] = d[k] * inv }
            }
        }
        return dInput
    }
}
