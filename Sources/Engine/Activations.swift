/// An elementwise (or, for softmax, row-wise) activation function, with Keras's names and
/// constants.
///
/// Kernels work on a rows×cols matrix (rows = every axis but the last, cols = the last axis;
/// only softmax cares). `forward` optionally adds a per-column bias first, so a layer's bias
/// add and activation are one pass over memory. `backward` multiplies `dy` by f′, reading the
/// output `y` and, for the functions that need it (`needsPreactivation`), the pre-activation `z`.
public enum Activation: Equatable, Sendable, CustomStringConvertible {
    /// f(z) = z.
    case linear
    /// max(z, 0); f′(0) = 0 as in TensorFlow.
    case relu
    /// z for z > 0, alpha·z otherwise (the constant is the caller's: the runner binds Spec's
    /// `Catalog.leakyReluSlope`).
    case leakyRelu(alpha: Float)
    /// z for z > 0, alpha·(eᶻ − 1) otherwise (the runner binds Spec's `Catalog.eluAlpha`).
    case elu(alpha: Float)
    /// scale·elu(z, alpha) with Klambauer et al.'s constants (as Keras).
    case selu
    /// The exact form z·Φ(z) = z/2·(1 + erf(z/√2)) (Keras's default, approximate=False).
    case gelu
    /// z·sigmoid(z) (Keras `swish`, alias `silu`).
    case swish
    /// 1 / (1 + e⁻ᶻ).
    case sigmoid
    /// relu6(z + 3) / 6 (Keras 3; Keras 2 used 0.2z + 0.5).
    case hardSigmoid
    /// tanh(z).
    case tanh
    /// log(1 + eᶻ).
    case softplus
    /// z / (1 + |z|).
    case softsign
    /// Row-wise over the last axis: e^(zᵢ − max z) / Σⱼ e^(zⱼ − max z).
    case softmax
    /// The step function of the course notebooks: 0 for z < 0, 1 otherwise. Not differentiable:
    /// forward only (`isDifferentiable` is false; a model must refuse to train with it).
    case binary

    /// SELU's constants (Klambauer et al. 2017, as in Keras's `selu`).
    static let seluAlpha: Float = 1.6732632423543772848170429916717
    static let seluScale: Float = 1.0507009873554804934193349852946

    /// The Keras name, for messages (the names the file format accepts, and which activation
    /// each means, are Spec's: its `ActivationKind`, bound in the Runner).
    public var name: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .leakyRelu: "leaky_relu"
        case .elu: "elu"
        case .selu: "selu"
        case .gelu: "gelu"
        case .swish: "swish"
        case .sigmoid: "sigmoid"
        case .hardSigmoid: "hard_sigmoid"
        case .tanh: "tanh"
        case .softplus: "softplus"
        case .softsign: "softsign"
        case .softmax: "softmax"
        case .binary: "binary"
        }
    }

    /// The name, with the constant when there is one: "leaky_relu(alpha=0.2)".
    public var description: String {
        switch self {
        case .leakyRelu(let a): "leaky_relu(alpha=\(a))"
        case .elu(let a): "elu(alpha=\(a))"
        default: name
        }
    }

    /// False only for `binary`, whose derivative is zero almost everywhere.
    public var isDifferentiable: Bool { self != .binary }

    /// Whether `backward` reads the pre-activation values `z` (the others need only `y`).
    public var needsPreactivation: Bool {
        switch self {
        case .leakyRelu, .elu, .selu, .gelu, .swish, .softplus: true
        default: false
        }
    }

    /// For each row i and column j: z[i,j] += bias[j] (when a bias is given), then
    /// y[i,j] = f(z[i,j]). `y` may be the same buffer as `z` (in place); otherwise `z` keeps the
    /// biased pre-activation values for `backward`.
    public func forward(_ z: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                        bias: UnsafePointer<Float>? = nil, output y: UnsafeMutablePointer<Float>) {
        if let bias {
            for i in 0..<rows {
                let zr = z + i * cols, yr = y + i * cols
                if case .softmax = self {
                    for j in 0..<cols { zr[j] += bias[j] }
                    Self.softmaxRow(zr, yr, cols)
                } else {
                    for j in 0..<cols { zr[j] += bias[j] }
                    apply(zr, yr, cols)
                }
            }
        } else if case .softmax = self {
            for i in 0..<rows { Self.softmaxRow(z + i * cols, y + i * cols, cols) }
        } else {
            apply(z, y, rows * cols)
        }
    }

    /// Applies f to `n` contiguous values (not softmax).
    @inline(__always)
    private func apply(_ z: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .linear:
            if z != y { y.update(from: z, count: n) }
        case .relu:
            Vector.relu(z, y, n)
        case .leakyRelu(let a):
            for i in 0..<n { let v = z[i]; y[i] = v > 0 ? v : a * v }
        case .elu(let a):
            for i in 0..<n { let v = z[i]; y[i] = v > 0 ? v : a * (fexp(v) - 1) }
        case .selu:
            let a = Self.seluAlpha, s = Self.seluScale
            for i in 0..<n { let v = z[i]; y[i] = v > 0 ? s * v : s * a * (fexp(v) - 1) }
        case .gelu:
            let r: Float = 0.70710678118654752440  // 1/√2
            for i in 0..<n { let v = z[i]; y[i] = 0.5 * v * (1 + ferf(v * r)) }
        case .swish:
            for i in 0..<n { let v = z[i]; y[i] = v * Self.sigmoid(v) }
        case .sigmoid:
            for i in 0..<n { y[i] = Self.sigmoid(z[i]) }
        case .hardSigmoid:
            for i in 0..<n { y[i] = min(max(z[i] + 3, 0), 6) * (1 / 6 as Float) }
        case .tanh:
            for i in 0..<n { y[i] = ftanh(z[i]) }
        case .softplus:
            // log(1 + eᶻ) = max(z, 0) + log1p(e^−|z|): no overflow for large z, no loss for small.
            for i in 0..<n { let v = z[i]; y[i] = max(v, 0) + flog1p(fexp(-abs(v))) }
        case .softsign:
            for i in 0..<n { let v = z[i]; y[i] = v / (1 + abs(v)) }
        case .binary:
            // The notebook's step: np.where(z < 0, 0, 1).
            for i in 0..<n { y[i] = z[i] < 0 ? 0 : 1 }
        case .softmax:
            Self.softmaxRow(z, y, n)
        }
    }

    /// A sigmoid that never overflows: for z < 0 it is eᶻ / (1 + eᶻ).
    @inline(__always)
    static func sigmoid(_ v: Float) -> Float {
        if v >= 0 { return 1 / (1 + fexp(-v)) }
        let e = fexp(v)
        return e / (1 + e)
    }

    /// Softmax of one row, shifted by its maximum so that exp never overflows (logits like
    /// [1000, 1001, 1002] give finite probabilities).
    @inline(__always)
    static func softmaxRow(_ z: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        guard n > 0 else { return }
        var m = z[0]
        for j in 1..<max(n, 1) where z[j] > m { m = z[j] }
        var s: Float = 0
        for j in 0..<n { let e = fexp(z[j] - m); y[j] = e; s += e }
        let inv = 1 / s
        for j in 0..<n { y[j] *= inv }
    }

    /// dz = dy ⊙ f′(z), read from the output `y` and, when `needsPreactivation`, from `z`.
    /// For softmax, row-wise: dzᵢ = yᵢ·(dyᵢ − Σⱼ dyⱼ·yⱼ). `dz` may be the same buffer as `dy`.
    public func backward(_ dy: UnsafePointer<Float>, preactivation z: UnsafePointer<Float>?,
                         output y: UnsafePointer<Float>, rows: Int, cols: Int,
                         into dz: UnsafeMutablePointer<Float>) {
        let n = rows * cols
        precondition(!needsPreactivation || z != nil, "Activation \(name): backward needs the pre-activation values")
        switch self {
        case .linear:
            if UnsafePointer(dz) != dy { dz.update(from: dy, count: n) }
        case .relu:
            Vector.reluBackward(dy, y, dz, n)
        case .leakyRelu(let a):
            let z = z!
            for i in 0..<n { dz[i] = z[i] > 0 ? dy[i] : a * dy[i] }
        case .elu(let a):
            // For z ≤ 0, d/dz a(eᶻ − 1) = a·eᶻ = y + a.
            let z = z!
            for i in 0..<n { dz[i] = z[i] > 0 ? dy[i] : dy[i] * (y[i] + a) }
        case .selu:
            // For z ≤ 0, d/dz s·a(eᶻ − 1) = s·a·eᶻ = y + s·a.
            let z = z!, s = Self.seluScale, sa = Self.seluScale * Self.seluAlpha
            for i in 0..<n { dz[i] = z[i] > 0 ? s * dy[i] : dy[i] * (y[i] + sa) }
        case .gelu:
            // d/dz z·Φ(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π).
            let z = z!, r: Float = 0.70710678118654752440, c: Float = 0.39894228040143267794
            for i in 0..<n {
                let v = z[i]
                dz[i] = dy[i] * (0.5 * (1 + ferf(v * r)) + v * c * fexp(-0.5 * v * v))
            }
        case .swish:
            // d/dz z·σ(z) = σ + z·σ(1 − σ) = σ·(1 + z(1 − σ)).
            let z = z!
            for i in 0..<n { let v = z[i], s = Self.sigmoid(v); dz[i] = dy[i] * s * (1 + v * (1 - s)) }
        case .sigmoid:
            for i in 0..<n { dz[i] = dy[i] * y[i] * (1 - y[i]) }
        case .hardSigmoid:
            // Slope 1/6 strictly inside (−3, 3), i.e. where 0 < y < 1.
            for i in 0..<n { dz[i] = (y[i] > 0 && y[i] < 1) ? dy[i] * (1 / 6 as Float) : 0 }
        case .tanh:
            for i in 0..<n { dz[i] = dy[i] * (1 - y[i] * y[i]) }
        case .softplus:
            let z = z!
            for i in 0..<n { dz[i] = dy[i] * Self.sigmoid(z[i]) }
        case .softsign:
            // 1/(1 + |z|)² = (1 − |y|)².
            for i in 0..<n { let t = 1 - abs(y[i]); dz[i] = dy[i] * t * t }
        case .softmax:
            for r in 0..<rows {
                let o = r * cols
                var dot: Float = 0
                for j in 0..<cols { dot += dy[o + j] * y[o + j] }
                for j in 0..<cols { dz[o + j] = y[o + j] * (dy[o + j] - dot) }
            }
        case .binary:
            preconditionFailure("Activation binary is not differentiable; a model with it cannot be trained")
        }
    }
}
