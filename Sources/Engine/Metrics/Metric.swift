/// A metric as `compile(metrics=[...])` asks for it: what it computes, and its name, the key
/// of its value in the logs and the history. The name is the caller's (the runner passes the
/// catalog's): the Engine names no metric.
public struct Metric: Sendable, Equatable {
    /// What a metric computes.
    public enum Kind: Sendable, Equatable, CaseIterable {
        /// Keras's `"accuracy"`: one of the three accuracies below, as the shapes of the output
        /// and the target decide (`accuracy(outputWidth:targetWidth:)`).
        case accuracy
        case binaryAccuracy
        case categoricalAccuracy
        case sparseCategoricalAccuracy
        case meanSquaredError
        case meanAbsoluteError
        case rootMeanSquaredError
        case r2

        /// True when larger is better (EarlyStopping's "auto" mode picks max for these).
        public var higherIsBetter: Bool {
            switch self {
            case .accuracy, .binaryAccuracy, .categoricalAccuracy, .sparseCategoricalAccuracy, .r2: true
            case .meanSquaredError, .meanAbsoluteError, .rootMeanSquaredError: false
            }
        }

        /// Keras's rule for `"accuracy"`: an output of width 1 → binary accuracy (threshold
        /// 0.5); a target of width 1 with a wider output → sparse categorical; otherwise
        /// categorical (argmax against argmax).
        public static func accuracy(outputWidth: Int, targetWidth: Int) -> Kind {
            if outputWidth == 1 { return .binaryAccuracy }
            return targetWidth == 1 ? .sparseCategoricalAccuracy : .categoricalAccuracy
        }
    }

    public var name: String
    public var kind: Kind

    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
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
        var kind = metric.kind
        if kind == .accuracy { kind = .accuracy(outputWidth: k, targetWidth: target.sampleCount) }
        switch kind {
        case .accuracy: preconditionFailure("accuracy is one of the three accuracies once the shapes are known")
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
