/// Keras's `padding` argument for convolution and pooling, with TensorFlow's size rule.
public enum Padding: Sendable, CaseIterable {
    /// No padding: only windows that fit entirely inside the input.
    case valid
    /// Output size ceil(n / stride); the total padding max((out − 1)·stride + k − n, 0) is split
    /// with the odd extra at the bottom/right (TensorFlow's rule, which Keras follows).
    case same

    /// The output length along one axis and the padding before and after it, or nil when no
    /// window fits (valid padding with a kernel longer than the input).
    public func output(input n: Int, kernel k: Int, stride s: Int) -> (size: Int, before: Int, after: Int)? {
        precondition(k > 0 && s > 0, "Padding: kernel \(k) and stride \(s) must be positive")
        guard n > 0 else { return nil }
        switch self {
        case .valid:
            guard n >= k else { return nil }
            return ((n - k) / s + 1, 0, 0)
        case .same:
            let out = (n + s - 1) / s
            let total = max((out - 1) * s + k - n, 0)
            return (out, total / 2, total - total / 2)
        }
    }
}

/// The sizes of one 2-D window operation (convolution or pooling) over an NHWC batch.
public struct WindowGeometry: Hashable, Sendable {
    public var batch: Int
    public var height: Int, width: Int, channels: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var outHeight: Int, outWidth: Int
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int

    /// nil when the window does not fit the input (valid padding and a kernel larger than it).
    public init?(batch: Int, height: Int, width: Int, channels: Int, kernel: (Int, Int), strides: (Int, Int),
                 padding: Padding) {
        guard let h = padding.output(input: height, kernel: kernel.0, stride: strides.0),
              let w = padding.output(input: width, kernel: kernel.1, stride: strides.1) else { return nil }
        self.batch = batch
        self.height = height; self.width = width; self.channels = channels
        kernelH = kernel.0; kernelW = kernel.1
        strideH = strides.0; strideW = strides.1
        outHeight = h.size; outWidth = w.size
        padTop = h.before; padBottom = h.after; padLeft = w.before; padRight = w.after
    }

    public var inputCount: Int { batch * height * width * channels }
    /// The batch with a new size, the rest unchanged.
    public func with(batch n: Int) -> WindowGeometry { var g = self; g.batch = n; return g }
}
