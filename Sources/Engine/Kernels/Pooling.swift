/// Max and average pooling over NHWC tensors: hand-written loops whose innermost loop runs over
/// the contiguous channels. Windows follow `WindowGeometry` (TensorFlow's padding rule); padded
/// cells never take part: max pooling ignores them, and `same` average pooling divides by the
/// number of real cells in each window (TensorFlow's `avg_pool`, which Keras uses).
public enum Pooling {
    /// The clipped input rows/columns covered by output (oh, ow).
    @inline(__always)
    static func window(_ g: WindowGeometry, _ oh: Int, _ ow: Int) -> (h0: Int, h1: Int, w0: Int, w1: Int) {
        let h = oh * g.strideH - g.padTop, w = ow * g.strideW - g.padLeft
        return (max(h, 0), min(h + g.kernelH, g.height), max(w, 0), min(w + g.kernelW, g.width))
    }

    /// y = the window maximum per channel; `argmax` gets the flat input index of each maximum
    /// (the first one in row-major window order on ties) for the backward pass.
    public static func maxForward(_ g: WindowGeometry, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                  argmax: UnsafeMutablePointer<Int32>) {
        precondition(g.inputCount < Int(Int32.max), "Pooling: input too large for 32-bit indices")
        let c = g.channels, lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let o = ((n * g.outHeight + oh) * g.outWidth + ow) * c
            let win = window(g, oh, ow)
            // Seed with the window's first real cell, then compare branch-free (selects vectorize;
            // a data-dependent branch per channel does not). Strict > keeps the first maximum.
            let first = ((n * g.height + win.h0) * g.width + win.w0) * c
            // Eight channels at a time (the same comparisons as the scalar loop below).
            var k0 = 0
            while k0 + 8 <= c {
                var best = UnsafeRawPointer(x + first + k0).loadUnaligned(as: SIMD8<Float>.self)
                var index = SIMD8<Int32>(repeating: Int32(first + k0)) &+ lanes
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let i = ((n * g.height + ih) * g.width + iw) * c + k0
                    let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                    let better = v .> best
                    best.replace(with: v, where: better)
                    index.replace(with: SIMD8<Int32>(repeating: Int32(i)) &+ lanes, where: better)
                } }
                UnsafeMutableRawPointer(y + o + k0).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(argmax + o + k0).storeBytes(of: index, as: SIMD8<Int32>.self)
                k0 += 8
            }
            for k in k0..<c { y[o + k] = x[first + k]; argmax[o + k] = Int32(first + k) }
            for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                let i = ((n * g.height + ih) * g.width + iw) * c
                let base = Int32(i)
                for k in k0..<c {
                    let v = x[i + k], better = v > y[o + k]
                    y[o + k] = better ? v : y[o + k]
                    argmax[o + k] = better ? base + Int32(k) : argmax[o + k]
                }
            } }
        } } }
    }

    /// dx = 0, then each dy goes to the input cell that was its window's maximum. With
    /// `reluOf` (the input, when it is a ReLU's output), only to maxima above 0: the ReLU's
    /// backward pass done at once (dy·f′ with f′ = [y > 0]), the same bits as the two passes.
    public static func maxBackward(_ g: WindowGeometry, dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                                   outputCount: Int, dx: UnsafeMutablePointer<Float>, reluOf x: UnsafePointer<Float>? = nil) {
        dx.update(repeating: 0, count: g.inputCount)
        if let x {
            for k in 0..<outputCount { let i = Int(argmax[k]); if x[i] > 0 { dx[i] += dy[k] } }
        } else {
            for k in 0..<outputCount { dx[Int(argmax[k])] += dy[k] }
        }
    }

    /// y = the mean of each window's real cells, per channel.
    public static func averageForward(_ g: WindowGeometry, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        let c = g.channels
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let o = ((n * g.outHeight + oh) * g.outWidth + ow) * c
            let win = window(g, oh, ow)
            for k in 0..<c { y[o + k] = 0 }
            for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                let i = ((n * g.height + ih) * g.width + iw) * c
                for k in 0..<c { y[o + k] += x[i + k] }
            } }
            let inv = 1 / Float((win.h1 - win.h0) * (win.w1 - win.w0))
            for k in 0..<c { y[o + k] *= inv }
        } } }
    }

    /// dx = 0, then each dy is shared equally among its window's real cells.
    public static func averageBackward(_ g: WindowGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        let c = g.channels
        dx.update(repeating: 0, count: g.inputCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let o = ((n * g.outHeight + oh) * g.outWidth + ow) * c
            let win = window(g, oh, ow)
            let inv = 1 / Float((win.h1 - win.h0) * (win.w1 - win.w0))
            for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                let i = ((n * g.height + ih) * g.width + iw) * c
                for k in 0..<c { dx[i + k] += dy[o + k] * inv }
            } }
        } } }
    }
}
