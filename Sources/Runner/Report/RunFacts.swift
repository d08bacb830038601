import Engine
import Foundation

/// What the report needs about a run that its journaled units do not carry: the data, the
/// model's summary and the final model's test scores. Finish writes it as
/// `journal/final.json`, so `runner report DIR` needs nothing but the folder.
struct RunFacts: Codable, Equatable {
    struct DataFacts: Codable, Equatable {
        var source: String
        /// Samples the final model trains on, and the test split's (nil: none).
        var train: Int
        var test: Int?
        /// Samples cross-validation uses (`limit`), nil without a search.
        var searched: Int?
        var sampleShape: [Int]
        /// "classification" or "regression".
        var task: String
        var classes: Int?
        var classNames: [String]?
        var outputs: Int?
        var preprocess: String
        var notes: [String]
    }

    var data: DataFacts
    /// The final model's `model.summary()` (or the best trial's model, without a refit).
    var summary: String?
    /// The trial the final model was trained from, nil when there is none (no refit).
    var finalTrial: Int?
    var status: UnitStatus?
    var reason: String?
    /// Every metric on the test split, Keras names (empty without a test split).
    var testMetrics: [String: Double]
    var epochs: Int?
    var seconds: Double?

    static func path(_ out: String) -> String { Journal.folder(out) + "/final.json" }

    func write(to out: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try AtomicFile.makeDirectory(Journal.folder(out))
        try AtomicFile.write(Array(try e.encode(self)), to: Self.path(out))
    }

    /// The facts in `out`, nil when the run has not finished (no final.json).
    static func read(_ out: String) throws -> RunFacts? {
        guard let data = FileManager.default.contents(atPath: path(out)) else { return nil }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { return try d.decode(RunFacts.self, from: data) } catch {
            throw AtomicFile.WriteError(path: path(out), reason: Say.notFinalFacts(error))
        }
    }
}

extension RunFacts.DataFacts {
    init(_ session: Session) {
        let train = session.data.train
        var classes: Int?, names: [String]?, outputs: Int?
        switch train.task {
        case .classification(let k, let n): (classes, names) = (k, n)
        case .regression(let o): outputs = o
        }
        let task: String = if case .classification = train.task { "classification" } else { "regression" }
        self.init(source: session.experiment.data.source.rawValue, train: train.count, test: session.data.test?.count,
                  searched: session.foldCount > 0 ? session.cvData.count : nil, sampleShape: train.sampleShape,
                  task: task, classes: classes, classNames: names, outputs: outputs,
                  preprocess: session.experiment.data.preprocess.rawValue, notes: session.data.notes)
    }
}

/// The final model's predictions for the test split, `predictions.csv`: the row of the test
/// split, the true value and the prediction (a class index, or one column per output), what
/// scikit-learn's `confusion_matrix(y_true, y_pred)` takes.
enum Predictions {
    /// The class of one output row: the largest output, or 1 for a single output ≥ 0.5.
    static func predictedClass(_ row: ArraySlice<Float>) -> Int {
        row.count == 1 ? (row[row.startIndex] >= 0.5 ? 1 : 0) : row.indices.max { row[$0] < row[$1] }! - row.startIndex
    }

    static func table(model: Sequential, data: Dataset) -> CSVTable {
        let y = Engine.predict(model, data: data, batchSize: 256)
        let k = model.outputShape.reduce(1, *), n = data.count, w = data.targetWidth
        switch data.task {
        case .classification:
            var table = CSVTable(header: ["sample", "y_true", "y_pred"])
            for i in 0..<n {
                table.append([String(i), String(Int(data.y[i])), String(predictedClass(y[(i * k)..<((i + 1) * k)]))])
            }
            return table
        case .regression:
            let names = w == 1 ? ["y_true"] : (0..<w).map { "y_true_\($0)" }
            var table = CSVTable(header: ["sample"] + names + names.map { $0.replacingOccurrences(of: "y_true", with: "y_pred") })
            for i in 0..<n {
                table.append([String(i)] + (0..<w).map { NumberText.exact(Double(data.y[i * w + $0])) }
                    + (0..<k).map { NumberText.exact(Double(y[i * k + $0])) })
            }
            return table
        }
    }

    /// The true and predicted values of `predictions.csv` (one array per column pair), nil if absent.
    static func read(_ path: String) -> (truth: [[Double]], predicted: [[Double]])? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",").map(String.init) else { return nil }
        let t = header.indices.filter { header[$0].hasPrefix("y_true") }, p = header.indices.filter { header[$0].hasPrefix("y_pred") }
        guard !t.isEmpty, t.count == p.count else { return nil }
        var truth = [[Double]](repeating: [], count: t.count), predicted = truth
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count else { continue }
            for j in t.indices {
                truth[j].append(Double(cells[t[j]]) ?? .nan)
                predicted[j].append(Double(cells[p[j]]) ?? .nan)
            }
        }
        return (truth, predicted)
    }
}

extension RunFacts {
    /// The facts of `session` before its final model: the data, and the summary of the best
    /// trial's model (replaced by the final model's when there is one).
    init(_ session: Session, bestTrial: Int?) {
        var summary: String?
        let t = bestTrial ?? 0
        if t < session.configs.count, case .success(let config) = session.configs[t],
           let model = try? Trainer.model(config, inputShape: session.inputShape, task: session.data.train.task, seed: 0) {
            summary = model.summary()
        }
        self.init(data: DataFacts(session), summary: summary, finalTrial: nil, status: nil, reason: nil,
                  testMetrics: [:], epochs: nil, seconds: nil)
    }

    /// Records the final model: trained from `trial`, with this outcome.
    mutating func final(trial: Int, _ outcome: TrainingOutcome, model: Sequential) {
        finalTrial = trial
        summary = model.summary()
        status = outcome.status
        reason = outcome.reason
        testMetrics = outcome.metrics
        epochs = outcome.history.epochs
        seconds = outcome.seconds
    }
}
