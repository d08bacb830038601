/// How a parameter's first values are drawn, with Keras's names and defaults.
///
/// The variance-scaling family follows Keras's `VarianceScaling`: with n the fan in, the fan
/// out or their mean, scale s (1 for Glorot and LeCun, 2 for He) and σ² = s / max(1, n):
/// the uniform ones draw from [−√(3σ²), √(3σ²)]; the normal ones draw from a normal truncated
/// at two standard deviations whose stddev is σ / 0.87962566103423978 (the stddev of a
/// standard normal truncated to [−2, 2]), so the truncated draw keeps variance σ².
/// Every draw comes from the caller's `RandomGenerator`.
public enum Initializer: Equatable, Sendable, CustomStringConvertible {
    case glorotUniform, glorotNormal
    case heUniform, heNormal
    case lecunUniform, lecunNormal
    case zeros, ones
    /// Uniform in [minval, maxval) (Keras's defaults, ±0.05, are in Spec's table).
    case randomUniform(minval: Float, maxval: Float)
    /// Normal(mean, stddev) (Keras's defaults, 0 and 0.05, are in Spec's table).
    case randomNormal(mean: Float, stddev: Float)

    /// The Keras name, for messages (the names the file format accepts are Spec's
    /// `InitializerKind`, bound in the Runner).
    public var name: String {
        switch self {
        case .glorotUniform: "glorot_uniform"
        case .glorotNormal: "glorot_normal"
        case .heUniform: "he_uniform"
        case .heNormal: "he_normal"
        case .lecunUniform: "lecun_uniform"
        case .lecunNormal: "lecun_normal"
        case .zeros: "zeros"
        case .ones: "ones"
        case .randomUniform: "random_uniform"
        case .randomNormal: "random_normal"
        }
    }

    public var description: String {
        switch self {
        case .randomUniform(let lo, let hi): "random_uniform(minval=\(lo), maxval=\(hi))"
        case .randomNormal(let m, let s): "random_normal(mean=\(m), stddev=\(s))"
        default: name
        }
    }

    /// Keras's `compute_fans`: a vector has fan_in = fan_out = its length; a matrix (in, out);
    /// a convolution kernel (kh, kw, in, out) multiplies both by the receptive field kh·kw.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (shape[shape.count - 2] * receptive, shape[shape.count - 1] * receptive)
        }
    }

    /// The standard deviation of a standard normal truncated to [−2, 2] (Keras's constant).
    static let truncatedStddev = 0.87962566103423978

    /// Fills `tensor` (whose shape gives the fans) with fresh draws from `rng`.
    public func fill(_ tensor: Tensor, rng: inout RandomGenerator) {
        let (fanIn, fanOut) = Self.fans(tensor.shape)
        let p = tensor.data, n = tensor.count
        func uniform(_ lo: Double, _ hi: Double) { for i in 0..<n { p[i] = Float(rng.uniform(lo, hi)) } }
        func truncated(_ stddev: Double) {
            // Rejection, as TensorFlow's truncated_normal: redraw anything beyond 2σ.
            for i in 0..<n {
                var v = rng.normal()
                while abs(v) > 2 { v = rng.normal() }
                p[i] = Float(v * stddev)
            }
        }
        func scaling(_ scale: Double, _ fan: Double, normal: Bool) {
            let variance = scale / max(1, fan)
            if normal {
                truncated(variance.squareRoot() / Self.truncatedStddev)
            } else {
                let limit = (3 * variance).squareRoot()
                uniform(-limit, limit)
            }
        }
        // Keras's fan_avg is (fan_in + fan_out) / 2 as a real number (an odd sum is not rounded).
        let fin = Double(fanIn), favg = Double(fanIn + fanOut) / 2
        switch self {
        case .glorotUniform: scaling(1, favg, normal: false)
        case .glorotNormal: scaling(1, favg, normal: true)
        case .heUniform: scaling(2, fin, normal: false)
        case .heNormal: scaling(2, fin, normal: true)
        case .lecunUniform: scaling(1, fin, normal: false)
        case .lecunNormal: scaling(1, fin, normal: true)
        case .zeros: tensor.fill(0)
        case .ones: tensor.fill(1)
        case .randomUniform(let lo, let hi): uniform(Double(lo), Double(hi))
        case .randomNormal(let m, let s): for i in 0..<n { p[i] = Float(Double(m) + Double(s) * rng.normal()) }
        }
    }
}
