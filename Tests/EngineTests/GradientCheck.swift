import Testing
@testable import Engine

/// The result of one gradient check: the worst entry, measured against the tolerance.
struct GradientCheckReport: CustomStringConvertible {
    /// max over checked entries of |numeric − analytic| / (atol + rtol·max(|numeric|, |analytic|)):
    /// the check passes when it is at most 1.
    var worstRatio = 0.0
    var worstEntry = "none"
    var checked = 0
    var passed: Bool { worstRatio <= 1 }
    var description: String { "worst ratio \(worstRatio) at \(worstEntry) over \(checked) entries" }
}

/// The one gradient check for every layer and activation (PyTorch gradcheck's method, in
/// Float32 as the engine is Float-only).
///
/// The scalar loss is L = Σᵢ rᵢ·yᵢ for a fixed random r, so `backward(r)` must return dL/dx and
/// add dL/dθ into each trainable parameter's grad. Each input and parameter entry is moved by
/// ±h and (L₊ − L₋) / (x₊ − x₋) is compared with the analytic value; L is summed in Double.
///
/// Tolerances: Float32 outputs carry a relative error near 6e-8, so with L of order 10 and
/// h = 1e-2 the rounding noise in the quotient is about 1e-4, and the O(h²) truncation error
/// for smooth functions of O(1) inputs is of the same order; atol 2e-3 and rtol 2e-2 leave an
/// order of magnitude of headroom while a wrong term (a factor, a missing sum) is caught.
/// Measured: every correct layer here stays below ratio 0.015; the broken ones reach 13–14.
/// Inputs must be small, well scaled, and away from kinks (ReLU at 0, pooling ties).
func gradientCheck(_ layer: any Layer, input: Tensor, training: Bool = true, h: Float = 1e-2,
                   rtol: Double = 2e-2, atol: Double = 2e-3, seed: UInt64 = 7,
                   checkParameters: Bool = true, checkInput: Bool = true) -> GradientCheckReport {
    var rng = RandomGenerator(seed: seed)
    let y0 = layer.forward(input, training: training)
    let r = (0..<y0.count).map { _ in Float(rng.normal()) }
    func loss() -> Double {
        let y = layer.forward(input, training: training)
        var s = 0.0
        for i in 0..<y.count { s += Double(r[i]) * Double(y[i]) }
        return s
    }
    let trainable = checkParameters ? layer.parameters.filter(\.trainable) : []
    for p in trainable { p.grad.fill(0) }
    _ = layer.forward(input, training: training)
    let dInput = layer.backward(Tensor(shape: y0.shape, values: r)).array
    let dParams = trainable.map { $0.grad.array }

    var report = GradientCheckReport()
    func check(_ t: Tensor, _ analytic: [Float], _ label: String) {
        for i in 0..<t.count {
            let old = t[i]
            t[i] = old + h; let xp = t[i]; let lp = loss()
            t[i] = old - h; let xm = t[i]; let lm = loss()
            t[i] = old
            let numeric = (lp - lm) / (Double(xp) - Double(xm))
            let a = Double(analytic[i])
            let ratio = abs(numeric - a) / (atol + rtol * max(abs(numeric), abs(a)))
            report.checked += 1
            if ratio > report.worstRatio {
                report.worstRatio = ratio
                report.worstEntry = "\(label)[\(i)] numeric \(numeric) analytic \(a)"
            }
        }
    }
    if checkInput { check(input, dInput, "input") }
    for (p, g) in zip(trainable, dParams) { check(p.value, g, p.name) }
    return report
}

/// A tensor of the given shape with entries drawn uniformly from ±[low, high]: well scaled and at
/// least `low` away from 0 (the ReLU family's kink).
func awayFromZero(_ shape: [Int], low: Float = 0.2, high: Float = 2, seed: UInt64 = 3) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let v = (0..<n).map { _ -> Float in
        let m = Float(rng.uniform(Double(low), Double(high)))
        return rng.next() & 1 == 0 ? m : -m
    }
    return Tensor(shape: shape, values: v)
}

/// A tensor of distinct values: a random permutation of 0..<n mapped into [−1, 1] (tie-free inputs
/// for max pooling).
func permutationTensor(_ shape: [Int], seed: UInt64 = 5) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let p = rng.permutation(n)
    return Tensor(shape: shape, values: p.map { Float($0) / Float(max(n - 1, 1)) * 2 - 1 })
}

/// Standard normal entries times `scale`.
func randomTensor(_ shape: [Int], scale: Float = 1, seed: UInt64 = 11) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, values: (0..<n).map { _ in Float(rng.normal()) * scale })
}

/// Builds a layer for a per-sample input shape with a fixed seed.
func built<L: Layer>(_ layer: L, _ inputShape: [Int], seed: UInt64 = 1) throws -> L {
    var rng = RandomGenerator(seed: seed)
    try layer.build(inputShape: inputShape, rng: &rng)
    return layer
}

/// The largest |a − b| over two equally long arrays.
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "maxAbsDiff: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A layer whose backward is wrong on purpose (one input-gradient entry doubled), to show that
/// `gradientCheck` can fail.
final class BrokenBackward: Layer {
    let inner: any Layer
    init(_ inner: any Layer) { self.inner = inner }
    var kind: String { "Broken" }
    var name = "broken"
    func build(inputShape: [Int], rng: inout RandomGenerator) throws(ShapeError) { try inner.build(inputShape: inputShape, rng: &rng) }
    var outputShape: [Int] { inner.outputShape }
    var parameters: [Parameter] { inner.parameters }
    func forward(_ x: Tensor, training: Bool) -> Tensor { inner.forward(x, training: training) }
    func backward(_ dy: Tensor) -> Tensor {
        let d = inner.backward(dy)
        d[0] *= 2
        return d
    }
    var config: [String: String] { [:] }
}
