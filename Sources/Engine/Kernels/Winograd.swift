import CWide

/// A 3×3 stride-1 convolution's three passes by Winograd's F(4×4, 3×3), for the CPUs and kernel
/// modes where oneDNN has no Winograd kernels of its own (AVX2: the portable kernels, and CPUs
/// without AVX-512). oneDNN's direct AVX2 kernels do 144 multiplications per 4×4 outputs and
/// channel pair; this does 36, as 36 matrix products in one oneDNN batched matmul, between
/// transforms that only multiply by constants and add (CWide's `cwide_w43_*`, 8 channels at a time).
///
/// - forward: V = Bᵀ d B for each 6×6 input tile d (36 planes of tiles × C), M_p = V_p·U_p with U
///   the kernel's transform (36 planes of C × F, `transformKernel`, once per step for all
///   chunks), then y = Aᵀ M A + b, and max(·, 0) with a ReLU;
/// - weight gradient: dM = A dy Aᵀ per tile, dU_p = V_pᵀ·dM_p (V kept from the forward pass),
///   dw = Gᵀ dU G; db = the column sums of dy;
/// - input gradient: the convolution of dy (padding 2 − p) by the kernel turned 180° with its
///   channels swapped: that kernel's transform is `transformKernel(rotate: true)`'s planes,
///   which the products take transposed.
///
/// Its sums differ from the direct kernels' in the last bits (F(4×4, 3×3) rounds more than a
/// direct sum: about 1e-5 of the largest value on the notebook CNN's layers, `WinogradTests`),
/// as oneDNN's own Winograd kernels do on AVX-512, and are as deterministic: the transforms have
/// a fixed order, the products are oneDNN's, and nothing depends on the thread.
final class Winograd4x4 {
    let g: WindowGeometry
    let filters: Int
    private var forwardTiles: cwide_w43, dataTiles: cwide_w43
    private let forwardProduct: MatmulPlan, dataProduct: MatmulPlan, weightsProduct: MatmulPlan
    /// Floats of the input's transform, the products (forward pass, weight gradient, input
    /// gradient: the largest of those) and the kernel gradient's planes.
    private let inputCount: Int, productCount: Int, dataInputCount: Int, kernelCount: Int
    /// A training forward pass's input transform, kept for its weight gradient (made on the
    /// first training pass: a plan that only infers never holds one), and the input it is of.
    private var kept: UnsafeMutablePointer<Float>?
    private var keptFrom: UnsafePointer<Float>?

    /// 3×3, stride 1, the same padding of 0 or 1 on every side (`valid`, or `same` at stride 1),
    /// channels and filters in 8s, and a CPU with AVX2.
    static func suits(_ g: WindowGeometry, filters: Int) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1
            && g.padTop <= 1 && [g.padBottom, g.padLeft, g.padRight].allSatisfy { $0 == g.padTop }
            && g.channels % 8 == 0 && filters % 8 == 0 && cwide_avx2()
    }

    /// The kernel's transform: 36 planes of C × F.
    static func kernelCount(_ g: WindowGeometry, filters: Int) -> Int { 36 * g.channels * filters }

    /// U = G w Gᵀ for the kernel w in Keras's layout (3, 3, C, F), or with `rotate` for w turned
    /// 180° (the input gradient's).
    static func transformKernel(_ w: UnsafePointer<Float>, _ g: WindowGeometry, filters: Int, rotate: Bool,
                                into u: UnsafeMutablePointer<Float>) {
        // Called outside the precondition: -Ounchecked drops a precondition's whole expression.
        let done = cwide_w43_kernel(w, g.channels, filters, rotate, u)
        precondition(done, "Winograd4x4: no AVX2")
    }

    init(_ g: WindowGeometry, filters: Int) {
        precondition(Self.suits(g, filters: filters), "Winograd4x4: unsuited geometry \(g), \(filters) filters")
        self.g = g
        self.filters = filters
        let c = g.channels, f = filters, p = g.padTop
        forwardTiles = cwide_w43(batch: g.batch, height: g.height, width: g.width, channels: c, pad: p,
                                 outHeight: g.outHeight, outWidth: g.outWidth,
                                 tilesH: (g.outHeight + 3) / 4, tilesW: (g.outWidth + 3) / 4)
        dataTiles = cwide_w43(batch: g.batch, height: g.outHeight, width: g.outWidth, channels: f, pad: 2 - p,
                              outHeight: g.height, outWidth: g.width, tilesH: (g.height + 3) / 4, tilesW: (g.width + 3) / 4)
        let t = g.batch * forwardTiles.tilesH * forwardTiles.tilesW, td = g.batch * dataTiles.tilesH * dataTiles.tilesW
        forwardProduct = MatmulPlan(.init(m: t, n: f, k: c, batch: 36))
        weightsProduct = MatmulPlan(.init(transA: true, m: c, n: f, k: t, batch: 36))
        dataProduct = MatmulPlan(.init(transB: true, m: td, n: c, k: f, batch: 36))
        inputCount = 36 * t * c
        productCount = 36 * max(t * f, td * c)
        dataInputCount = 36 * td * f
        kernelCount = 36 * c * f
    }

    deinit { kept?.deallocate() }

    /// The calling thread's working buffers (`Workspace`): every other buffer of a pass is the
    /// thread's, shared by all plans on it (a pass holds nothing between calls), so memory grows
    /// with the threads, not with the plans (the evaluation's larger batches have plans of
    /// their own).
    private func buffer(_ i: Int, _ count: Int) -> UnsafeMutablePointer<Float> {
        Workspace.current.winograd[i].atLeast(count * MemoryLayout<Float>.size).assumingMemoryBound(to: Float.self)
    }

    /// y = conv(x, w) + b, then max(·, 0) with `relu`; `u` is w's `transformKernel`. A
    /// `training` pass keeps its input's transform for the weight gradient.
    func forward(x: UnsafePointer<Float>, u: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                 y: UnsafeMutablePointer<Float>, training: Bool = true) {
        let v: UnsafeMutablePointer<Float>
        if training {
            if kept == nil { kept = .allocate(capacity: inputCount) }
            v = kept!
            keptFrom = x
        } else {
            v = buffer(0, inputCount)
            keptFrom = nil
        }
        _ = cwide_w43_input(&forwardTiles, x, v)
        let m = buffer(1, productCount)
        forwardProduct.run(a: v, b: u, c: m)
        _ = cwide_w43_output(&forwardTiles, filters, m, bias, relu, y)
    }

    /// dw (3, 3, C, F) and db, overwritten, from x and dy (the input's transform is the last
    /// forward pass's when x is its input: a backward pass follows its forward pass on the plan).
    func backwardWeights(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                         db: UnsafeMutablePointer<Float>?) {
        let v: UnsafeMutablePointer<Float>
        if let kept, keptFrom == x {
            v = kept
        } else {
            v = buffer(0, inputCount)
            _ = cwide_w43_input(&forwardTiles, x, v)
        }
        let m = buffer(1, productCount), dU = buffer(2, kernelCount)
        _ = cwide_w43_output_backward(&forwardTiles, filters, dy, m)
        weightsProduct.run(a: v, b: m, c: dU)
        _ = cwide_w43_kernel_backward(dU, g.channels, filters, dw)
        if let db {
            db.update(repeating: 0, count: filters)
            Gemm.addColumnSums(rows: g.batch * g.outHeight * g.outWidth, cols: filters, of: dy, into: db)
        }
    }

    /// dx, overwritten, from dy and the rotated kernel's transform `u` (`transformKernel(rotate: true)`).
    func backwardData(dy: UnsafePointer<Float>, u: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let v = buffer(0, dataInputCount), m = buffer(1, productCount)
        _ = cwide_w43_input(&dataTiles, dy, v)
        dataProduct.run(a: v, b: u, c: m)
        _ = cwide_w43_output(&dataTiles, g.channels, m, nil, false, dx)
    }
}
