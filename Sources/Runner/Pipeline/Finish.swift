import Engine
import Foundation
import Spec

/// The end of a run (or of a merge): the leaderboards from the journal, the final model —
/// the best trial retrained on all training data (scikit-learn's `refit`), or the one
/// configuration of a file without a search — scored on the test split, and the files a
/// student opens.
struct Finish {
    let session: Session
    let progress: Progress
    /// Extra lines for resolved.yaml: the command-line settings of this run.
    let settings: [String]
    /// Threads for the final model (nil: the file's `threads`, else every core).
    var threads: Int?

    enum Outcome {
        case done
        case interrupted
        /// Nothing succeeded (every trial failed or diverged, or the one model did): the
        /// reasons, grouped, for an exit status of 1.
        case noSuccess(String)
    }

    /// "no trial succeeded", then each distinct reason once with the trials that gave it.
    static func noSuccessReport(_ ranked: [Reports.RankedTrial]) -> String {
        var order: [String] = [], trials: [String: [Int]] = [:]
        for t in ranked.sorted(by: { $0.trial < $1.trial }) {
            let reason = Say.reason(t.status.rawValue, t.reason)
            if trials[reason] == nil { order.append(reason) }
            trials[reason, default: []].append(t.trial)
        }
        return Say.noTrialSucceeded(order.map { ($0, trials[$0]!) })
    }

    func run(records: [UnitRecord], refit: Bool) throws -> Outcome {
        let out = session.out
        var written: [String] = []
        try writeResolved()
        written.append("resolved.yaml")
        var ranked: [Reports.RankedTrial] = []
        var reports = Reports(session)
        reports.crossValidated = session.foldCount > 0
        var inRange = records.filter { $0.trial < session.trials.count }
        if let plan = session.rungPlan {
            inRange = plan.decided(inRange, folds: session.foldCount, higherIsBetter: session.scoring.higherIsBetter)
        }
        if session.foldCount > 0 {
            ranked = try reports.write(inRange, to: out)
            written += ["leaderboard.csv", "trials.csv", "history/"]
        }

        // The final model: the best trial (CV), or trial 0 of a file without a search.
        let finalTrial: Int?
        if session.foldCount == 0 {
            finalTrial = 0
        } else if refit, let best = ranked.first, best.status == .ok {
            finalTrial = best.trial
        } else {
            finalTrial = nil
        }
        var testMetrics: [String: Double] = [:]
        var facts = RunFacts(session, bestTrial: ranked.first?.trial)
        if let t = finalTrial {
            guard case .success(var config) = session.configs[t] else {
                if case .failure(let f) = session.configs[t] { throw RunnerError.badInput(session.located(f)) }
                return .done
            }
            // Halving over epochs refits with the epochs of the best trial's last rung (as
            // scikit-learn's best_params_ hold the resource); over samples, on all of them.
            if session.rungPlan?.resource == .epochs, let epochs = ranked.first?.resources { config.fit.epochs = epochs }
            let label = session.foldCount == 0 ? Say.training : Say.refit(trial: t, samples: session.data.train.count)
            progress.log(Say.started(label))
            Threads.set(threads ?? session.experiment.threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let train = session.data.train, test = session.data.test
            let epochs = config.fit.epochs
            let fitted = try Trainer.fitAndScore(
                config, train: train, heldOut: test, inputShape: session.inputShape, preprocess: session.experiment.data.preprocess,
                seeds: Trainer.Seeds(session.experiment.seed, unit: t, final: true),
                onEpoch: { [progress] e in
                    // At most about 20 lines for a long fit.
                    guard e.epoch == epochs || e.epoch % max(1, epochs / 20) == 0 else { return }
                    let logs = zip(e.logs.names, e.logs.values).map { ($0, NumberText.short($1)) }
                    progress.log(Say.epoch(e.epoch, of: epochs, logs: logs, seconds: e.seconds))
                }, onBatch: nil)
            let (model, outcome, preprocessor) = (fitted.model, fitted.outcome, fitted.preprocessor)
            if outcome.interrupted { return .interrupted }
            testMetrics = outcome.metrics
            let history = outcome.history
            try AtomicFile.makeDirectory(out + "/history")
            try AtomicFile.write(Reports.historyTable(columns: history.keys, rows: history.rows).text, to: out + "/history/final.csv")
            written.append("history/final.csv")
            facts.final(trial: t, outcome, model: model)
            if outcome.status == .ok, let test {
                let shaped = try Trainer.shaped(test, session.inputShape)
                try AtomicFile.write(Predictions.table(model: model, data: preprocessor.map { $0.apply(to: shaped) } ?? shaped).text,
                                     to: out + "/predictions.csv")
                written.append("predictions.csv")
            }
            if outcome.status == .ok {
                try saveModel(model, config: config.model, trial: t, preprocessor: preprocessor, task: train.task)
                written.append("best.safetensors")
            } else {
                progress.log(Say.finalModel(outcome.status.rawValue, outcome.reason))
            }
            let metricNames = testMetrics.keys.sorted()
            var table = CSVTable(header: ["trial"] + reports.parameterColumns + metricNames.map { "test_" + $0 } + ["epochs", "seconds", "status"])
            table.append([String(t)] + session.parameterNames.map { session.parameterText(t)[$0] ?? "" }
                + metricNames.map { NumberText.exact(testMetrics[$0]!) }
                + [String(history.epochs), NumberText.short(outcome.seconds, digits: 2), outcome.status.rawValue])
            if test != nil {
                try AtomicFile.write(table.text, to: out + "/test.csv")
                written.append("test.csv")
            }
            if session.foldCount == 0 {
                // A file without a search still gets a one-row leaderboard: its score is the
                // test split's (or, without one, the last epoch's validation or training value).
                let lastLogs = history.keys.reduce(into: [String: Double]()) { $0[$1] = history[$1]?.last }
                let name = session.scoring.name
                let score = test != nil ? testMetrics[name] : (lastLogs["val_" + name] ?? lastLogs[name])
                let record = UnitRecord(trial: 0, fold: 0, params: session.parameterText(0), status: outcome.status, reason: outcome.reason,
                                        score: outcome.status == .ok ? score : nil, metrics: testMetrics, epochs: history.epochs,
                                        seconds: outcome.seconds, historyColumns: history.keys, history: [])
                ranked = reports.rank([record])
                try AtomicFile.write(reports.leaderboard(ranked).text, to: out + "/leaderboard.csv")
                written.append("leaderboard.csv")
            }
            printWeightsIfSmall(model)
            printPredictions(model, preprocessor: preprocessor, task: train.task)
            if outcome.status != .ok {
                try summarize(facts, ranked, test: testMetrics, written: written)
                return .noSuccess(Say.modelFailed(outcome.status.rawValue, outcome.reason))
            }
        }
        try summarize(facts, ranked, test: testMetrics, written: written)
        if session.foldCount > 0, !ranked.isEmpty, !ranked.contains(where: { $0.status == .ok }) {
            return .noSuccess(Self.noSuccessReport(ranked))
        }
        return .done
    }

    /// journal/final.json, then report.html made from the folder (as `runner report` makes it),
    /// then the printed summary, which ends with the report's path.
    private func summarize(_ facts: RunFacts, _ ranked: [Reports.RankedTrial], test: [String: Double], written: [String]) throws {
        try facts.write(to: session.out)
        let report = try ReportPage.write(folder: session.out)
        printSummary(ranked, test: test, written: written + ["report.html"])
        if progress.mode != .quiet { print(Say.report(report)) }
    }

    /// best.safetensors: the weights, the architecture, and what `runner predict` needs to
    /// treat new inputs as the training data was treated (the fitted preprocessing, as tensors
    /// `preprocess/shift` and `preprocess/divisor`, and the class names).
    private func saveModel(_ model: Sequential, config: ModelConfig, trial: Int, preprocessor: Preprocessor?, task: Engine.Task) throws {
        let params = session.parameterText(trial)
        var metadata = ["runner_version": RunnerCommand.version, "experiment": session.experiment.name,
                        "seed": String(session.experiment.seed), "trial": String(trial)]
        for (k, v) in params { metadata["param." + k] = v }
        var extra: [SafeTensors.Entry] = []
        if let p = preprocessor, p.method != .none {
            metadata["preprocess"] = p.method.rawValue
            extra.append(SafeTensors.Entry(name: "preprocess/shift", shape: [p.shift.count], values: p.shift))
            extra.append(SafeTensors.Entry(name: "preprocess/divisor", shape: [p.divisor.count], values: p.divisor))
        }
        switch task {
        case .classification(let classes, let names):
            metadata["task"] = "classification"
            metadata["classes"] = String(classes)
            if let names, let json = try? JSONEncoder().encode(names) { metadata["class_names"] = String(decoding: json, as: UTF8.self) }
        case .regression:
            metadata["task"] = "regression"
        }
        // Write beside, then rename: the model file is never half-written.
        let path = session.out + "/best.safetensors"
        let tmp = session.out + "/.best.safetensors.tmp-\(getpid())"
        try ModelFile.write(model, config: config, to: tmp, metadata: metadata, extra: extra)
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else { throw AtomicFile.WriteError(path: path, reason: AtomicFile.errnoText()) }
        AtomicFile.syncDirectory(session.out)
    }

    private func writeResolved() throws {
        var text = Say.resolvedHeader(version: RunnerCommand.version, file: session.header.file, seed: session.experiment.seed)
        for s in settings { text += "# \(s)\n" }
        text += session.experiment.canonicalText
        try AtomicFile.write(text, to: session.out + "/resolved.yaml")
    }

    /// The seed notebooks print a single neuron's weight and bias: so does runner, for any
    /// model small enough to read (at most 32 parameters).
    private func printWeightsIfSmall(_ model: Sequential) {
        guard progress.mode != .quiet, model.parameterCount <= 32 else { return }
        for layer in model.layers {
            for p in layer.parameters {
                print(Say.weights(layer.name + "/" + p.name, shape: p.shape, values: p.value.array.map { NumberText.short(Double($0)) }))
            }
        }
    }

    /// The file's `predict:` rows through the final model (preprocessed as its training data
    /// was), as the perceptron notebook asks what the net says for a new input.
    private func printPredictions(_ model: Sequential, preprocessor: Preprocessor?, task: Engine.Task) {
        let rows = session.experiment.predict
        guard progress.mode != .quiet, !rows.isEmpty else { return }
        var x = rows.flatMap { $0.map(Float.init) }
        preprocessor?.apply(to: &x)
        let y = Engine.predict(model, x: x, batchSize: 256)
        let k = model.outputShape.reduce(1, *)
        for (i, row) in rows.enumerated() {
            let out = Array(y[(i * k)..<((i + 1) * k)])
            var text = Say.prediction(row.map { NumberText.exact($0) }, out.map { NumberText.short(Double($0)) })
            if case .classification(let classes, let names) = task {
                let c = k == 1 ? (out[0] >= 0.5 ? 1 : 0) : out.indices.max { out[$0] < out[$1] }!
                text += Say.predictedClass(c, name: names.flatMap { c < $0.count && c < classes ? $0[c] : nil })
            }
            print(text)
        }
    }

    private func printSummary(_ ranked: [Reports.RankedTrial], test: [String: Double], written: [String]) {
        guard progress.mode != .quiet else { return }
        if session.foldCount > 0 && !ranked.isEmpty {
            let top = Array(ranked.prefix(5))
            var rows = [["rank", "trial"] + session.parameterNames + [session.scoring.name, "std", "status"]]
            for (i, t) in top.enumerated() {
                rows.append([String(i + 1), String(t.trial)] + session.parameterNames.map { Search.format(session.trials[t.trial].values[$0] ?? .null) }
                    + [t.mean.map { NumberText.short($0) } ?? "", t.std.map { NumberText.short($0) } ?? "", t.status.rawValue])
            }
            print(Say.leaderboard(top: top.count, of: ranked.count, folds: session.foldCount))
            print(alignedTable(rows))
        }
        if !test.isEmpty {
            print(Say.test(test.keys.sorted().map { ($0, NumberText.short(test[$0]!)) }))
        }
        print(Say.wrote(written.map { session.out + "/" + $0 }))
    }
}

/// Rows of cells as columns aligned with two spaces.
func alignedTable(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
        row.enumerated().map { c, cell in
            c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }.joined(separator: "\n")
}
