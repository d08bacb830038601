#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Keras loss with its options: its value is the mean over the batch of a per-sample loss,
/// where the per-sample loss is itself the mean over the output's last axis (Keras's
/// `reduction="sum_over_batch_size"` with the `mean(..., axis=-1)` each Keras loss function
/// applies).
///
/// Shapes: `output` is (N, K). `target` is (N, K) for every loss except the sparse form,
/// whose target is (N, 1) holding class indices as Float.
///
/// Options, as Keras's loss classes:
/// - `fromLogits`: the cross-entropies read the output as logits (no softmax or sigmoid in
///   the model), and apply the log-sum-exp form, finite for any logits;
/// - `labelSmoothing` (binary and categorical): targets become y·(1 − s) + s/2 (binary) or
///   y·(1 − s) + s/K (categorical, K = the output's width);
/// - `delta` (Huber): where the loss turns from quadratic to linear.
public struct Loss: Sendable, Hashable, CustomStringConvertible {
    /// The loss functions (their names, aliases and defaults are Spec's table).
    public enum Kind: Sendable, CaseIterable {
        case meanSquaredError
        case meanAbsoluteError
        case huber
        case binaryCrossentropy
        case categoricalCrossentropy
        case sparseCategoricalCrossentropy

        /// The activation that turns logits into what this loss reads as probabilities:
        /// softmax for the categorical forms, sigmoid for the binary one; nil for the
        /// regression losses.
        public var outputActivation: Activation? {
            switch self {
            case .categoricalCrossentropy, .sparseCategoricalCrossentropy: .softmax
            case .binaryCrossentropy: .sigmoid
            case .meanSquaredError, .meanAbsoluteError, .huber: nil
            }
        }

        /// True for the cross-entropies (targets are classes or probabilities).
        public var isCrossentropy: Bool { outputActivation != nil }
    }

    public var kind: Kind
    /// The name the Engine's messages call it by: the caller's (the runner passes the
    /// catalog's), as Keras names a loss by its string.
    public var name: String
    /// Cross-entropies: the output holds logits, not probabilities (Keras `from_logits`).
    public var fromLogits: Bool
    /// Binary and categorical cross-entropy: Keras `label_smoothing`, in [0, 1].
    public var labelSmoothing: Float
    /// Huber: Keras `delta` (> 0).
    public var delta: Float

    /// Use the function of the kind, which takes the options that kind reads, each given (their
    /// defaults are the catalog's); the others are set here to values no computation reads.
    private init(_ kind: Kind, name: String, fromLogits: Bool = false, labelSmoothing: Float = 0, delta: Float = 0) {
        self.kind = kind
        self.name = name
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
        self.delta = delta
    }

    public static func meanSquaredError(name: String) -> Loss { Loss(.meanSquaredError, name: name) }
    public static func meanAbsoluteError(name: String) -> Loss { Loss(.meanAbsoluteError, name: name) }
    public static func huber(name: String, delta: Float) -> Loss { Loss(.huber, name: name, delta: delta) }
    public static func binaryCrossentropy(name: String, fromLogits: Bool, labelSmoothing: Float) -> Loss {
        Loss(.binaryCrossentropy, name: name, fromLogits: fromLogits, labelSmoothing: labelSmoothing)
    }
    public static func categoricalCrossentropy(name: String, fromLogits: Bool, labelSmoothing: Float) -> Loss {
        Loss(.categoricalCrossentropy, name: name, fromLogits: fromLogits, labelSmoothing: labelSmoothing)
    }
    public static func sparseCategoricalCrossentropy(name: String, fromLogits: Bool) -> Loss {
        Loss(.sparseCategoricalCrossentropy, name: name, fromLogits: fromLogits)
    }

    /// Keras's fuzz factor, `keras.backend.epsilon()`: cross-entropies clip probabilities to
    /// [epsilon, 1 − epsilon].
    public static let epsilon: Float = 1e-7

    public var description: String { name }

    /// The kind's `outputActivation`: a last layer with it fuses with the loss, so that
    /// dLoss/dz = (p − y)/N.
    public var outputActivation: Activation? { kind.outputActivation }
    public var isCrossentropy: Bool { kind.isCrossentropy }

    // MARK: - From the model's output (probabilities for the cross-entropies)

    /// The loss of a batch: mean over the batch of the per-sample loss.
    public func value(output: Tensor, target: Tensor) -> Float {
        if fromLogits && isCrossentropy { return fusedValue(logits: output, target: target) }
        let n = output.batch, k = output.sampleCount
        precondition(n > 0, "Loss.value: empty batch")
        checkTarget(target, n: n, k: k)
        let p = output.data, y = target.data
        var total = 0.0   // accumulated in Double; each term is a Float as Keras computes it
        switch kind {
        case .meanSquaredError:
            // Keras: mean(square(y_pred - y_true), axis=-1)
            for i in 0..<(n * k) { let e = p[i] - y[i]; total += Double(e * e) }
            total /= Double(k)
        case .meanAbsoluteError:
            // Keras: mean(abs(y_pred - y_true), axis=-1)
            for i in 0..<(n * k) { total += Double(abs(p[i] - y[i])) }
            total /= Double(k)
        case .huber:
            // Keras: 0.5·e² where |e| ≤ δ, else δ·|e| − 0.5·δ²; mean over the last axis.
            let d = delta
            for i in 0..<(n * k) {
                let e = abs(p[i] - y[i])
                total += Double(e <= d ? 0.5 * e * e : d * e - 0.5 * d * d)
            }
            total /= Double(k)
        case .binaryCrossentropy:
            // Keras (from probabilities): p ← clip(p, ε, 1 − ε);
            // −(y·log p + (1 − y)·log(1 − p)), mean over the last axis.
            for i in 0..<(n * k) {
                let q = clip(p[i]), t = smoothed(y[i], k)
                total -= Double(t * log(q) + (1 - t) * log(1 - q))
            }
            total /= Double(k)
        case .categoricalCrossentropy:
            // Keras (from probabilities): p ← p / Σp (per row), then clip to [ε, 1 − ε];
            // −Σ y·log p over the row.
            for r in 0..<n {
                let row = p + r * k, t = y + r * k
                var s: Float = 0
                for j in 0..<k { s += row[j] }
                for j in 0..<k {
                    let tj = smoothed(t[j], k)
                    if tj != 0 { total -= Double(tj * log(clip(row[j] / s))) }
                }
            }
        case .sparseCategoricalCrossentropy:
            // Keras (from probabilities): p ← clip(p, ε, 1 − ε), then p / Σp; −log p[target].
            for r in 0..<n {
                let row = p + r * k
                let c = classIndex(y[r], k)
                var s: Float = 0
                for j in 0..<k { s += clip(row[j]) }
                total -= Double(log(clip(row[c]) / s))
            }
        }
        return Float(total / Double(n))
    }

    /// The gradient of `value(output:target:)` with respect to `output`, written into
    /// `dOutput` (resized to the output's shape; no allocation once it has grown).
    public func gradient(output: Tensor, target: Tensor, into dOutput: Tensor) {
        if fromLogits && isCrossentropy {
            // d/dz of the log-sum-exp form: the probabilities minus the targets.
            activate(logits: output, into: dOutput)
            fusedGradient(probabilities: dOutput, target: target, into: dOutput)
            return
        }
        let n = output.batch, k = output.sampleCount
        checkTarget(target, n: n, k: k)
        dOutput.resize(output.shape)
        let p = output.data, y = target.data, g = dOutput.data
        let scale = 1 / Float(n * k)
        switch kind {
        case .meanSquaredError:
            for i in 0..<(n * k) { g[i] = 2 * (p[i] - y[i]) * scale }
        case .meanAbsoluteError:
            // d|e|/de = sign(e), with sign(0) = 0 as TensorFlow's gradient of abs.
            for i in 0..<(n * k) { g[i] = sign(p[i] - y[i]) * scale }
        case .huber:
            let d = delta
            for i in 0..<(n * k) {
                let e = p[i] - y[i]
                g[i] = (abs(e) <= d ? e : d * sign(e)) * scale
            }
        case .binaryCrossentropy:
            // d/dp of −(y log p + (1−y) log(1−p)) = −y/p + (1−y)/(1−p); zero where the
            // clip is active (the gradient of clip_by_value outside its range).
            for i in 0..<(n * k) {
                let q = p[i], t = smoothed(y[i], k)
                g[i] = isClipped(q) ? 0 : (-t / q + (1 - t) / (1 - q)) * scale
            }
        case .categoricalCrossentropy:
            // L = −Σ y_i log c_i with c = clip(q), q = p / s, s = Σp.
            // With a_i = ∂L/∂q_i = −y_i/q_i (0 where clipped), ∂q_i/∂p_j = (δ_ij − q_i)/s, so
            // ∂L/∂p_j = (a_j − Σ_i a_i q_i) / s.
            let rowScale = 1 / Float(n)
            for r in 0..<n {
                let row = p + r * k, t = y + r * k, gr = g + r * k
                var s: Float = 0
                for j in 0..<k { s += row[j] }
                var dot: Float = 0
                for j in 0..<k {
                    let q = row[j] / s
                    let tj = smoothed(t[j], k)
                    let a: Float = (isClipped(q) || tj == 0) ? 0 : -tj / q
                    gr[j] = a
                    dot += a * q
                }
                for j in 0..<k { gr[j] = (gr[j] - dot) / s * rowScale }
            }
        case .sparseCategoricalCrossentropy:
            // L = −log c_t + log Σc with c = clip(p): ∂L/∂c_i = −δ_it/c_t + 1/Σc, times the
            // clip's mask.
            let rowScale = 1 / Float(n)
            for r in 0..<n {
                let row = p + r * k, gr = g + r * k
                let c = classIndex(y[r], k)
                var s: Float = 0
                for j in 0..<k { s += clip(row[j]) }
                for j in 0..<k {
                    if isClipped(row[j]) { gr[j] = 0; continue }
                    var a = 1 / s
                    if j == c { a -= 1 / row[j] }
                    gr[j] = a * rowScale
                }
            }
        }
    }

    // MARK: - Fused with the last layer's softmax or sigmoid

    /// The loss of a batch computed from the values before the last activation (`logits`),
    /// as Keras does with `from_logits=True` (or from a softmax or sigmoid output's kept
    /// logits): finite and accurate for logits of any size. Targets are smoothed first.
    ///
    /// - softmax + categorical: Σ_i y_i·(LSE(z) − z_i), with LSE(z) = m + log Σ exp(z − m),
    ///   m = max z (the log-sum-exp trick, so exp never overflows);
    /// - softmax + sparse: LSE(z) − z_target;
    /// - sigmoid + binary: max(z, 0) − z·y + log(1 + exp(−|z|)) (TensorFlow's
    ///   `sigmoid_cross_entropy_with_logits`), mean over the last axis.
    public func fusedValue(logits: Tensor, target: Tensor) -> Float {
        let n = logits.batch, k = logits.sampleCount
        precondition(n > 0, "Loss.fusedValue: empty batch")
        checkTarget(target, n: n, k: k)
        let z = logits.data, y = target.data
        var total = 0.0
        switch kind {
        case .binaryCrossentropy:
            for i in 0..<(n * k) {
                let v = z[i]
                total += Double(max(v, 0) - v * smoothed(y[i], k) + log1p(exp(-abs(v))))
            }
            total /= Double(k)
        case .categoricalCrossentropy, .sparseCategoricalCrossentropy:
            for r in 0..<n {
                let row = z + r * k
                var m = row[0]
                for j in 1..<max(k, 1) { m = max(m, row[j]) }
                var s: Float = 0
                for j in 0..<k { s += exp(row[j] - m) }
                let lse = m + log(s)
                if kind == .sparseCategoricalCrossentropy {
                    total += Double(lse - row[classIndex(y[r], k)])
                } else {
                    let t = y + r * k
                    for j in 0..<k {
                        let tj = smoothed(t[j], k)
                        if tj != 0 { total += Double(tj * (lse - row[j])) }
                    }
                }
            }
        default:
            preconditionFailure("Loss.fusedValue: \(name) has no fused form")
        }
        return Float(total / Double(n))
    }

    /// The gradient with respect to the logits of `fusedValue`, from the activated output
    /// `probabilities` (softmax or sigmoid of the logits): (p − y)/N for the categorical forms
    /// (y one-hot for the sparse one), (p − y)/(N·K) for the binary form, whose per-sample loss
    /// is a mean over the K outputs.
    public func fusedGradient(probabilities: Tensor, target: Tensor, into dLogits: Tensor) {
        let n = probabilities.batch, k = probabilities.sampleCount
        checkTarget(target, n: n, k: k)
        dLogits.resize(probabilities.shape)
        let p = probabilities.data, y = target.data, g = dLogits.data
        switch kind {
        case .binaryCrossentropy, .categoricalCrossentropy:
            let scale = kind == .binaryCrossentropy ? 1 / Float(n * k) : 1 / Float(n)
            for i in 0..<(n * k) { g[i] = (p[i] - smoothed(y[i], k)) * scale }
        case .sparseCategoricalCrossentropy:
            let scale = 1 / Float(n)
            for r in 0..<n {
                let c = classIndex(y[r], k)
                for j in 0..<k { g[r * k + j] = (p[r * k + j] - (j == c ? 1 : 0)) * scale }
            }
        default:
            preconditionFailure("Loss.fusedGradient: \(name) has no fused form")
        }
    }

    // MARK: - Helpers

    /// Softmax (per row) or sigmoid of `logits`, written into `p` (resized): what the output
    /// layer would have computed without `from_logits`.
    private func activate(logits: Tensor, into p: Tensor) {
        let n = logits.batch, k = logits.sampleCount
        p.resize(logits.shape)
        let z = logits.data, q = p.data
        if kind == .binaryCrossentropy {
            for i in 0..<(n * k) { q[i] = 1 / (1 + exp(-z[i])) }
            return
        }
        for r in 0..<n {
            let row = z + r * k, out = q + r * k
            var m = row[0]
            for j in 1..<max(k, 1) { m = max(m, row[j]) }
            var s: Float = 0
            for j in 0..<k { out[j] = exp(row[j] - m); s += out[j] }
            for j in 0..<k { out[j] /= s }
        }
    }

    /// Keras's label smoothing of one target value: toward 0.5 (binary) or 1/K (categorical).
    /// Exactly `y` when smoothing is off.
    @inline(__always) private func smoothed(_ y: Float, _ k: Int) -> Float {
        guard labelSmoothing != 0 else { return y }
        let uniform: Float = kind == .binaryCrossentropy ? 0.5 : 1 / Float(k)
        return y * (1 - labelSmoothing) + labelSmoothing * uniform
    }

    private func checkTarget(_ target: Tensor, n: Int, k: Int) {
        let width = kind == .sparseCategoricalCrossentropy ? 1 : k
        precondition(target.count == n * width,
                     "\(name): target has \(target.count) values, expected \(n)×\(width)")
    }

    @inline(__always) private func clip(_ p: Float) -> Float {
        min(max(p, Self.epsilon), 1 - Self.epsilon)
    }

    @inline(__always) private func isClipped(_ p: Float) -> Bool {
        p < Self.epsilon || p > 1 - Self.epsilon
    }

    @inline(__always) private func sign(_ e: Float) -> Float { e > 0 ? 1 : (e < 0 ? -1 : 0) }

    @inline(__always) private func classIndex(_ v: Float, _ k: Int) -> Int {
        let c = Int(v)
        precondition(c >= 0 && c < k, "\(name): class \(v) outside 0..<\(k)")
        return c
    }
}
