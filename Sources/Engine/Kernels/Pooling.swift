/// Max and average pooling over NHWC tensors: hand-written loops whose innermost loop runs over
/// the contiguous channels. Windows follow `WindowGeometry` (TensorFlow's padding rule); padded
/// cells never take part: max pooling ignores them, and `same` average pooling divides by the
/// number of real cells in each window (TensorFlow's `avg_pool`, which Keras uses).
import CWide

public enum Pooling {
    /// The lanes of the C max-pooling loops on this CPU (16 with AVX-512, 8 with AVX2), 0 for
    /// none: the Swift loops below then run. Swift's SIMD16 compiles to four SSE registers
    /// shuffling masks through general registers; the C loops take about a third of the time
    /// for the same bits (max pooling is exact: compares and selects, no arithmetic but the
    /// overlapping windows' sums, done in the same order).
    public static let wideLanes = Int(cwide_pool_lanes())

    @inline(__always)
    static func cWindow(_ g: WindowGeometry) -> cwide_window {
        cwide_window(batch: g.batch, height: g.height, width: g.width, channels: g.channels,
                     kernelH: g.kernelH, kernelW: g.kernelW, strideH: g.strideH, strideW: g.strideW,
                     outHeight: g.outHeight, outWidth: g.outWidth, padTop: g.padTop, padLeft: g.padLeft)
    }

    /// The clipped input rows/columns covered by output (oh, ow).
    @inline(__always)
    static func window(_ g: WindowGeometry, _ oh: Int, _ ow: Int) -> (h0: Int, h1: Int, w0: Int, w1: Int) {
        let h = oh * g.strideH - g.padTop, w = ow * g.strideW - g.padLeft
        return (max(h, 0), min(h + g.kernelH, g.height), max(w, 0), min(w + g.kernelW, g.width))
    }

    /// y = the window maximum per channel (padded cells never take part). A NaN wins only as a
    /// window's first real cell (later cells replace the maximum only when strictly greater).
    /// With `argmax`, also each maximum's place in its window, (ih − h0)·kernelW + (iw − w0) from
    /// the window's first real cell (h0, w0), as a Float (exact below 2²⁴; the same lanes and
    /// masks as the values, so no conversions): the backward pass then reads one number where
    /// it would read the whole window of x. `lanes` picks the C loop (`wideLanes`) or, 0, this one.
    ///
    /// x (with `xBlocked`) and y and argmax (with `yBlocked`) may be in oneDNN's nChw16c instead
    /// of NHWC (`Blocked`): the same values at other places, so the same bits.
    public static func maxForward(_ g: WindowGeometry, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                                  argmax: UnsafeMutablePointer<Float>? = nil, xBlocked: Bool = false, yBlocked: Bool = false,
                                  lanes: Int = wideLanes) {
        precondition(!(xBlocked || yBlocked) || g.channels % 16 == 0, "Pooling: a blocked layout needs channels in 16s, got \(g.channels)")
        var cg = cWindow(g)
        if lanes > 0, cwide_maxpool_forward(Int32(lanes), &cg, x, xBlocked, y, yBlocked, argmax) { return }
        let c = g.channels
        let xi = Blocked.Index(g.height, g.width, c, blocked: xBlocked), yi = Blocked.Index(g.outHeight, g.outWidth, c, blocked: yBlocked)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let win = window(g, oh, ow)
            // Sixteen channels at a time, branch-free (a select vectorizes, a branch does not).
            var k0 = 0
            while k0 + 16 <= c {
                var best = load16(x + xi(n, win.h0, win.w0, k0))
                var at = F16(repeating: 0)
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let v = load16(x + xi(n, ih, iw, k0))
                    let better = v .> best
                    best.replace(with: v, where: better)
                    at.replace(with: Float((ih - win.h0) * g.kernelW + iw - win.w0), where: better)
                } }
                store16(best, y + yi(n, oh, ow, k0))
                if let argmax { store16(at, argmax + yi(n, oh, ow, k0)) }
                k0 += 16
            }
            for k in k0..<c {
                var best = x[xi(n, win.h0, win.w0, k)], at = 0
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let v = x[xi(n, ih, iw, k)]
                    if v > best { best = v; at = (ih - win.h0) * g.kernelW + iw - win.w0 }
                } }
                y[yi(n, oh, ow, k)] = best
                argmax?[yi(n, oh, ow, k)] = Float(at)
            }
        } } }
    }

    /// The gradient of max pooling: each dy goes to its window's maximum, the cell `argmax`
    /// marked in the forward pass (the first real cell in row-major window order holding the
    /// maximum, or the first cell when it is NaN, as TensorFlow's `MaxPoolGrad`). With `relu`
    /// (x is a ReLU's output), only maxima above 0 receive it, read from y: the ReLU's backward
    /// pass done at once (dy·f′, f′ = [y > 0]), the same bits as two passes.
    ///
    /// Windows that tile the input (strides equal to the pool size: Keras's default) write every
    /// input cell once, with no zeroing pass and no scatter; overlapping windows zero dx, then
    /// add each dy into its cell in output order. argmax, y and dy are in the forward pass's
    /// layout of y (`yBlocked`), dx in that of x (`xBlocked`).
    public static func maxBackward(_ g: WindowGeometry, argmax: UnsafePointer<Float>, y: UnsafePointer<Float>,
                                   dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, relu: Bool = false,
                                   xBlocked: Bool = false, yBlocked: Bool = false, lanes: Int = wideLanes) {
        precondition(!(xBlocked || yBlocked) || g.channels % 16 == 0, "Pooling: a blocked layout needs channels in 16s, got \(g.channels)")
        let c = g.channels
        let tiles = g.strideH == g.kernelH && g.strideW == g.kernelW
        if tiles {
            // nChw16c is NHWC with 16 channels over batch·C/16 images, as far as rows go.
            var planes = g.with(batch: g.batch * c / 16)
            planes.channels = 16
            zeroUncovered(xBlocked ? planes : g, dx)
        } else {
            dx.update(repeating: 0, count: g.inputCount)
        }
        var cg = cWindow(g)
        if lanes > 0, cwide_maxpool_backward(Int32(lanes), &cg, argmax, y, dy, yBlocked, dx, xBlocked, relu) { return }
        let zero = F16(repeating: 0)
        let xi = Blocked.Index(g.height, g.width, c, blocked: xBlocked), yi = Blocked.Index(g.outHeight, g.outWidth, c, blocked: yBlocked)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let win = window(g, oh, ow)
            var k0 = 0
            while k0 + 16 <= c {
                let o = yi(n, oh, ow, k0)
                var d = load16(dy + o)
                if relu { d.replace(with: zero, where: .!(load16(y + o) .> zero)) }
                let at = load16(argmax + o)
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let i = xi(n, ih, iw, k0)
                    let hit = at .== Float((ih - win.h0) * g.kernelW + iw - win.w0)
                    if tiles {
                        store16(zero.replacing(with: d, where: hit), dx + i)
                    } else {
                        store16(load16(dx + i) + zero.replacing(with: d, where: hit), dx + i)
                    }
                } }
                k0 += 16
            }
            for k in k0..<c {
                let o = yi(n, oh, ow, k)
                let d = relu && !(y[o] > 0) ? 0 : dy[o], at = Int(argmax[o])
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let i = xi(n, ih, iw, k)
                    let hit = at == (ih - win.h0) * g.kernelW + iw - win.w0
                    if tiles { dx[i] = hit ? d : 0 } else if hit { dx[i] += d }
                } }
            }
        } } }
    }

    /// Zeroes the input cells no window covers (the rows and columns past the last window
    /// with valid padding), which `maxBackward`'s tiling path would otherwise never write.
    private static func zeroUncovered(_ g: WindowGeometry, _ dx: UnsafeMutablePointer<Float>) {
        let c = g.channels
        let h0 = max(0, -g.padTop), h1 = min(g.height, g.outHeight * g.strideH - g.padTop)
        let w0 = max(0, -g.padLeft), w1 = min(g.width, g.outWidth * g.strideW - g.padLeft)
        if h0 == 0, h1 == g.height, w0 == 0, w1 == g.width { return }
        for n in 0..<g.batch { for ih in 0..<g.height {
            let row = dx + (n * g.height + ih) * g.width * c
            if ih < h0 || ih >= h1 {
                row.update(repeating: 0, count: g.width * c)
            } else {
                if w0 > 0 { row.update(repeating: 0, count: w0 * c) }
                if w1 < g.width { (row + w1 * c).update(repeating: 0, count: (g.width - w1) * c) }
            }
        } }
    }

    /// The plain-loop reference for `maxBackward`: the maximum's cell found by a strict `>`
    /// scan seeded with the window's first real cell (the forward pass's rule), dx zeroed, then
    /// dy added there in output order.
    public static func maxBackwardReference(_ g: WindowGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                            dx: UnsafeMutablePointer<Float>, relu: Bool = false) {
        let c = g.channels
        dx.update(repeating: 0, count: g.inputCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let win = window(g, oh, ow)
            for k in 0..<c {
                var at = ((n * g.height + win.h0) * g.width + win.w0) * c + k
                for ih in win.h0..<win.h1 { for iw in win.w0..<win.w1 {
                    let i = ((n * g.height + ih) * g.width + iw) * c + k
                    if x[i] > x[at] { at = i }
                } }
                if !relu || x[at] > 0 { dx[at] += dy[((n * g.outHeight + oh) * g.outWidth + ow) * c + k] }
            }
        } } }
    }

    typealias F16 = SIMD16<Float>
    @inline(__always) static func load16(_ p: UnsafePointer<Float>) -> F16 { UnsafeRawPointer(p).loadUnaligned(as: F16.self) }
    @inline(__always) static func store16(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
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
