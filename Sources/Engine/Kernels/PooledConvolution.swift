import CWide

/// A convolution on few input channels (a first layer on grayscale or RGB images) with its bias
/// and ReLU, then Keras's default `MaxPooling2D(2)` (2×2 windows, stride 2, valid), computed as
/// one pass by CWide's `cwide_convpool_*` (AVX2): each pooled window's four convolution outputs
/// are computed in registers and only their maximum and its place are written. The full-size
/// convolution output (28×28×32 floats an image in small_cnn, four times its pooled output) is
/// never written nor read back, nor is its gradient: the weight gradient takes each window's
/// gradient straight to the patch of its maximum.
///
/// The pair runs so (`Sequential.fusesPooling`, `Conv2D.pooled`) when nothing else needs the
/// convolution's output: its input gradient is not asked for (the model's first layer in
/// training, which is where such a convolution sits) and its activation is ReLU or none.
/// Its values are the unfused pair's up to the order of the sums: each output sums its patch's
/// products in the kernel's order then adds the bias (oneDNN's matmul sums in blocks), and the
/// weight gradient sums the windows' shares in order, image by image. Like every pass of the
/// engine, the bits depend on the batch's chunks alone, not on threads or the CPU (no fused
/// multiply-add).
enum PooledConvolution {
    /// Whether a convolution `conv` of `filters` with `activation`, followed by a max pool of
    /// geometry `pool` (at batch 1), runs as one pass on this CPU.
    static func suits(_ conv: WindowGeometry, filters: Int, activation: Activation, pool: WindowGeometry) -> Bool {
        conv.kernelH * conv.kernelW * conv.channels <= 32 && pairs(conv, filters: filters, activation: activation, pool: pool)
    }

    /// What both uses ask of the pair: ReLU or no activation, filters in 8s, Keras's default
    /// 2×2 pool of stride 2 (valid) inside the convolution's output, and AVX2.
    private static func pairs(_ conv: WindowGeometry, filters: Int, activation: Activation, pool: WindowGeometry) -> Bool {
        (activation == .relu || activation == .linear) && filters % 8 == 0
            && pool.kernelH == 2 && pool.kernelW == 2 && pool.strideH == 2 && pool.strideW == 2
            && pool.padTop == 0 && pool.padLeft == 0
            && 2 * pool.outHeight <= conv.outHeight && 2 * pool.outWidth <= conv.outWidth
            && cwide_avx2()
    }

    /// Whether the input gradient of a convolution `conv` of `filters` with `activation`,
    /// followed by a max pool of geometry `pool` (at batch 1), can come from the pool's gradient
    /// on this CPU (`backwardData`): up to 3×3, any stride and padding, filters in 8s, channels in
    /// 8s up to 32. On more channels the Winograd or oneDNN input gradient is faster: with this
    /// on the notebook CNN's layers of 128 and 256 channels, an epoch took 164.8–175.4 s against
    /// 131.9–137.5 s, where small_cnn's 32-channel layer gained.
    static func suitsInputGradient(_ conv: WindowGeometry, filters: Int, activation: Activation, pool: WindowGeometry) -> Bool {
        conv.channels % 8 == 0 && conv.channels <= 32 && conv.kernelH * conv.kernelW <= 9
            && pairs(conv, filters: filters, activation: activation, pool: pool)
    }

    /// The kernel (kh, kw, C, filters) by filter, (filters, kh, kw, C), as `backwardData` reads it.
    static func kernelByFilter(_ kernel: UnsafePointer<Float>, _ g: WindowGeometry, filters: Int,
                               into wt: UnsafeMutablePointer<Float>) {
        let taps = g.kernelH * g.kernelW, c = g.channels
        for t in 0..<taps {
            for i in 0..<c {
                let row = kernel + (t * c + i) * filters
                for f in 0..<filters { wt[(f * taps + t) * c + i] = row[f] }
            }
        }
    }

    /// dx (N, H, W, C), overwritten: the input gradient of the convolution from the pool's
    /// gradient dy, its output y and argmax (`Pooling.maxForward`'s), with `relu` the ReLU's
    /// derivative (y > 0). Only each window's maximum has a gradient, so this adds one output's
    /// taps per window and filter, a quarter of a full input gradient's, fewer where the ReLU
    /// is off; the full-size gradient is not read. `wt` is `kernelByFilter`'s. Its sums run
    /// window by window in a fixed order per image: other bits than oneDNN's or Winograd's, the
    /// same on any CPU and thread.
    static func backwardData(_ g: WindowGeometry, filters: Int, pooled: (height: Int, width: Int), wt: UnsafePointer<Float>,
                             argmax: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, relu: Bool,
                             dx: UnsafeMutablePointer<Float>) {
        var cg = Pooling.cWindow(g)
        let done = cwide_convpool_backward_data(&cg, filters, wt, argmax, y, dy, relu, pooled.height, pooled.width, dx)
        precondition(done, "PooledConvolution: unsuited geometry \(g) or no AVX2")
    }

    /// y (N, PH, PW, filters) = the 2×2 max pool of f(conv(x, kernel) + bias), f the ReLU with
    /// `relu`; with `argmax`, each maximum's place in its window (0...3, row-major) as a Float,
    /// as `Pooling.maxForward` writes it.
    static func forward(_ g: WindowGeometry, filters: Int, pooled: (height: Int, width: Int), x: UnsafePointer<Float>,
                        kernel: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool, y: UnsafeMutablePointer<Float>,
                        argmax: UnsafeMutablePointer<Float>?) {
        var cg = Pooling.cWindow(g)
        // Called outside the precondition: -Ounchecked drops a precondition's whole expression.
        let done = cwide_convpool_forward(&cg, filters, x, kernel, bias, relu, pooled.height, pooled.width, y, argmax)
        precondition(done, "PooledConvolution: unsuited geometry \(g) or no AVX2")
    }

    /// dKernel (kh, kw, C, filters) and dBias (if not nil), overwritten, from the pooled
    /// gradient dy and the forward pass's y and argmax: each window's dy (with `relu`, only where
    /// y > 0) times the patch of the output it came from.
    static func backwardWeights(_ g: WindowGeometry, filters: Int, pooled: (height: Int, width: Int), x: UnsafePointer<Float>,
                                argmax: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, relu: Bool,
                                dKernel: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?) {
        var cg = Pooling.cWindow(g)
        let done = cwide_convpool_backward(&cg, filters, x, argmax, y, dy, relu, pooled.height, pooled.width, dKernel, dBias)
        precondition(done, "PooledConvolution: unsuited geometry \(g) or no AVX2")
    }
}
