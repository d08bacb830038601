#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Eight Float lanes: the optimizers' update loops run on these so that each elementwise rule
/// is written once and compiles to vector instructions (plain +, −, ×, ÷ and √; no fused
/// multiply-add, which is a library call without a `-target-cpu` flag). Each lane computes
/// exactly what the scalar formula would, so results do not depend on the chunking.
typealias Lanes = SIMD8<Float>

extension SIMD8 where Scalar == Float {
    /// Lanes `i..<i + valid` of `p` (valid ≤ 8), the rest zero.
    @inline(__always)
    init(_ p: UnsafeMutablePointer<Float>, _ i: Int, valid: Int) {
        if valid == 8 {
            self = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
        } else {
            self = .zero
            for l in 0..<valid { self[l] = p[i + l] }
        }
    }

    /// The correctly rounded square root of each lane. `squareRoot()` on SIMD types and on
    /// Float calls libm's `sqrtf` lane by lane on Linux (it may set errno, so the compiler
    /// cannot vectorize it); SSE's `sqrtps` gives the same IEEE results four lanes at a time.
    @inline(__always)
    func sqrt() -> SIMD8<Float> {
        #if arch(x86_64)
        SIMD8(lowHalf: _mm_sqrt_ps(lowHalf), highHalf: _mm_sqrt_ps(highHalf))
        #else
        squareRoot()
        #endif
    }

    /// Writes the first `valid` lanes to `p[i...]`.
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>, _ i: Int, valid: Int) {
        if valid == 8 {
            UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: SIMD8<Float>.self)
        } else {
            for l in 0..<valid { p[i + l] = self[l] }
        }
    }
}

/// Calls `body(i, valid)` for each chunk of up to 8 elements of `0..<count`.
@inline(__always)
func forEachChunk(_ count: Int, _ body: (Int, Int) -> Void) {
    forEachSlice(count) { range in forEachChunk(in: range, body) }
}

/// Calls `body(i, valid)` for each chunk of up to 8 elements of `range`.
@inline(__always)
func forEachChunk(in range: Range<Int>, _ body: (Int, Int) -> Void) {
    for i in stride(from: range.lowerBound, to: range.upperBound, by: 8) { body(i, min(8, range.upperBound - i)) }
}

/// Adam's and Nadam's moments for the chunk at i: m += (g − m)·b1 and v += (g² − v)·b2, with
/// b = 1 − β, stored back; returns the chunk's g and the new m and v.
@inline(__always)
func updateMoments(g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                   _ i: Int, valid k: Int, b1: Float, b2: Float) -> (g: Lanes, m: Lanes, v: Lanes) {
    let gi = Lanes(g, i, valid: k)
    var mi = Lanes(m, i, valid: k), vi = Lanes(v, i, valid: k)
    mi += (gi - mi) * b1
    vi += (gi * gi - vi) * b2
    mi.store(m, i, valid: k)
    vi.store(v, i, valid: k)
    return (gi, mi, vi)
}

/// Calls `body(range)` for fixed ranges of whole groups of 8 covering `0..<count`.
@inline(__always)
func forEachSlice(_ count: Int, _ body: (Range<Int>) -> Void) {
    // Large parameters run in fixed slices of whole groups, in parallel when the thread budget
    // allows; the update is elementwise, so the bits never depend on the thread count.
    let groups = (count + 7) / 8
    let slices = Threads.split(groups, minimum: 4096)
    Threads.forEach(slices.count) { s in
        body((slices[s].lowerBound * 8)..<min(count, slices[s].upperBound * 8))
    }
}
