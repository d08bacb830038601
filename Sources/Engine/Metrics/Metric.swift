/// What a metric computes. `accuracy` as a Keras string resolves to one of the three
/// accuracies by the shapes of the output and the target (see `Metric.resolve`).
public enum MetricKind: String, Sendable, CaseIterable {
    case binaryAccuracy = "binary_accuracy"
    case categoricalAccuracy = "categorical_accuracy"
    case sparseCategoricalAccuracy = "sparse_categorical_accuracy"
    case meanSquaredError = "mean_squared_error"
    case meanAbsoluteError = "mean_absolute_error"
    case rootMeanSquaredError = "root_mean_squared_error"
    case r2 = "r2_score"

    /// True when larger is better (EarlyStopping's "auto" mode picks max for these).
    public var higherIsBetter: Bool {
        switch self {
        case .binaryAccuracy, .categoricalAccuracy, .sparseCategoricalAccuracy, .r2: true
        default: false
        }
    }
}

/// A metric as named in `compile(metrics=[...])`: the name is its key in the history.
public struct Metric: Sendable, Equatable {
    public var name: String
    public var kind: MetricKind

    public init(name: String, kind: MetricKind) {
        self.name = name
        self.kind = kind
    }

    /// The metric for a Keras name, given the width of the model's output and of the target
    /// rows the loss takes. Keras's rule for "accuracy"/"acc": an output of width 1 → binary
    /// accuracy (threshold 0.5); a target of width 1 with a wider output → sparse categorical;
    /// otherwise categorical (argmax against argmax). Returns nil for an unknown name.
    public static func resolve(_ name: String, outputWidth: Int, targetWidth: Int) -> Metric? {
        let kind: MetricKind
        switch name.lowercased() {
        case "accuracy", "acc":
            if outputWidth == 1 { kind = .binaryAccuracy }
            else if targetWidth == 1 { kind = .sparseCategoricalAccuracy }
            else { kind = .categoricalAccuracy }
        case "binary_accuracy": kind = .binaryAccuracy
        case "categorical_accuracy": kind = .categoricalAccuracy
        case "sparse_categorical_accuracy": kind = .sparseCategoricalAccuracy
        case "mse", "mean_squared_error": kind = .meanSquaredError
        case "mae", "mean_absolute_error": kind = .meanAbsoluteError
        case "rmse", "root_mean_squared_error": kind = .rootMeanSquaredError
        case "r2", "r2_score": kind = .r2
        default: return nil
        }
        return Metric(name: name, kind: kind)
    }
}

/// A metric accumulated over a whole epoch or evaluation, as Keras's stateful metrics:
/// every value is a total over all samples seen since `reset`, not a mean of per-batch values.
/// (For accuracy, MSE and MAE the two agree up to a short last batch; for RMSE and R² they
/// differ: RMSE is √(Σe²/n) over the epoch and R² uses the epoch's totals, per output, then
/// averages the outputs as Keras's `R2Score(class_aggregation="uniform_average")`.)
///
/// The training loop feeds it the outputs of the forward pass of each batch, before that
/// batch's update, as Keras does.
public struct MetricAccumulator: Sendable {
    public let metric: Metric
    private var count = 0.0
    private var total = 0.0
    // R²: per output Σy, Σy², Σ(y − p)².
    private var sumY: [Double] = []
    private var sumY2: [Double] = []
    private var sumRes: [Double] = []

    public init(_ metric: Metric) { self.metric = metric }

    public mutating func reset() {
        count = 0
        total = 0
        for i in sumY.indices { sumY[i] = 0; sumY2[i] = 0; sumRes[i] = 0 }
    }

    /// Adds a batch: `output` (N, K); `target` (N, K), or (N, 1) class indices for the
    /// sparse accuracy.
    public mutating func add(output: Tensor, target: Tensor) {
        let n = output.batch, k = output.sampleCount
        let p = output.data, y = target.data
        switch metric.kind {
        case .binaryAccuracy:
            // Keras: mean(equal(y_true, y_pred > 0.5)) over the last axis, then over samples.
            for i in 0..<(n * k) where (p[i] > 0.5 ? 1 : 0) == y[i] { total += 1 }
            count += Double(n * k)
        case .categoricalAccuracy:
            for r in 0..<n where argmax(p + r * k, k) == argmax(y + r * k, k) { total += 1 }
            count += Double(n)
        case .sparseCategoricalAccuracy:
            for r in 0..<n where argmax(p + r * k, k) == Int(y[r]) { total += 1 }
            count += Double(n)
        case .meanSquaredError, .rootMeanSquaredError:
            for i in 0..<(n * k) { let e = Double(p[i] - y[i]); total += e * e }
            count += Double(n * k)
        case .meanAbsoluteError:
            for i in 0..<(n * k) { total += Double(abs(p[i] - y[i])) }
            count += Double(n * k)
        case .r2:
            if sumY.count != k {
                sumY = Array(repeating: 0, count: k)
                sumY2 = sumY
                sumRes = sumY
            }
            for r in 0..<n {
                for j in 0..<k {
                    let t = Double(y[r * k + j]), e = t - Double(p[r * k + j])
                    sumY[j] += t
                    sumY2[j] += t * t
                    sumRes[j] += e * e
                }
            }
            count += Double(n)
        }
    }

    /// The metric over everything added since `reset` (NaN before any batch).
    public var result: Double {
        guard count > 0 else { return .nan }
        switch metric.kind {
        case .rootMeanSquaredError:
            return (total / count).squareRoot()
        case .r2:
            // R² = 1 − SS_res / SS_tot per output, SS_tot = Σy² − (Σy)²/n; averaged.
            var sum = 0.0
            for j in sumY.indices {
                let ssTot = sumY2[j] - sumY[j] * sumY[j] / count
                sum += 1 - sumRes[j] / ssTot
            }
            return sum / Double(max(sumY.count, 1))
        default:
            return total / count
        }
    }

    private func argmax(_ row: UnsafeMutablePointer<Float>, _ k: Int) -> Int {
        var best = 0
        for j in 1..<max(k, 1) where row[j] > row[best] { best = j }
        return best
    }
}
