/// Explicitly vectorized loops for the hottest elementwise passes (16 floats per step), each
/// computing exactly what its scalar form computes, element by element: the results are the
/// same bits as the plain loops', only faster.
enum Vector {
    typealias F16 = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> F16 {
        UnsafeRawPointer(p).loadUnaligned(as: F16.self)
    }
    @inline(__always) static func store(_ v: F16, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: F16.self)
    }

    /// y[i] = max(z[i], 0) (a NaN stays NaN, as `Swift.max(z, 0)`). `y` may be `z`.
    static func relu(_ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = F16(repeating: 0)
        while i + 16 <= n {
            let v = load(z + i)
            store(v.replacing(with: zero, where: v .< zero), y + i)
            i += 16
        }
        while i < n { y[i] = max(z[i], 0); i += 1 }
    }

    /// dz[i] = y[i] > 0 ? dy[i] : 0 (ReLU's derivative read from its output). `dz` may be `dy`.
    static func reluBackward(_ dy: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let zero = F16(repeating: 0)
        while i + 16 <= n {
            let d = load(dy + i), v = load(y + i)
            store(zero.replacing(with: d, where: v .> zero), dz + i)
            i += 16
        }
        while i < n { dz[i] = y[i] > 0 ? dy[i] : 0; i += 1 }
    }
}
