/// Keras `AveragePooling2D(pool_size, strides=None, padding="valid")`; Keras 3 requires
/// `pool_size`, strides default to it.
///
/// Shapes (NHWC): input (N, H, W, C), output (N, OH, OW, C) (see `Padding`). No parameters.
/// With `same` padding each output is the mean of the real cells of its window only.
public final class AveragePooling2D: Layer {
    public let kind = "AveragePooling2D"
    public var name: String
    public let poolSize: (Int, Int)
    public let strides: (Int, Int)
    public let padding: Padding
    public private(set) var outputShape: [Int] = []
    private var geometry: WindowGeometry!

    private let output = Tensor(shape: [0])
    private let dInput = Tensor(shape: [0])

    /// Every Keras argument is given (`strides` nil: the pool size), their defaults being the catalog's.
    public init(poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding, name: String = "average_pooling2d") {
        precondition(poolSize.0 > 0 && poolSize.1 > 0, "AveragePooling2D: pool_size must be positive, got \(poolSize)")
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        precondition(self.strides.0 > 0 && self.strides.1 > 0, "AveragePooling2D: strides must be positive")
        self.padding = padding
        self.name = name
    }

    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) {
        geometry = try poolingGeometry(kind, inputShape, poolSize, strides, padding)
        outputShape = [geometry.outHeight, geometry.outWidth, geometry.channels]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry.with(batch: x.batch)
        precondition(x.count == g.inputCount, "\(name): input \(x.shape) does not match the built shape")
        output.resize([x.batch] + outputShape)
        Pooling.averageForward(g, x: x.data, y: output.data)
        dInput.resize(x.shape)
        return output
    }

    /// Each dy is divided equally among its window's real cells.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.count == output.count, "\(name): dy \(dy.shape) does not match output \(output.shape)")
        Pooling.averageBackward(geometry.with(batch: dy.batch), dy: dy.data, dx: dInput.data)
        return dInput
    }
}
