import Foundation
import Spec

/// Everything the report shows, read from a run's folder alone: the journal (the experiment
/// as run, every unit with its history), `journal/final.json`, `history/final.csv`,
/// `predictions.csv` and `resolved.yaml`. Nothing is trained or loaded again.
struct ReportInput {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var folder: String
    var experiment: Experiment
    /// resolved.yaml as written (or the journal's copy of the experiment).
    var resolvedText: String
    var scoring: Scoring
    /// Cross-validation folds, 0 for a file without a search.
    var folds: Int
    var trialCount: Int
    var parameters: [SearchParameter]
    var records: [UnitRecord]
    var ranked: [Reports.RankedTrial]
    var facts: RunFacts?
    var finalHistory: (columns: [String], rows: [[Double]])?
    var predictions: (truth: [[Double]], predicted: [[Double]])?

    static func load(_ folder: String) throws -> ReportInput {
        let journal = try Journal.readAll(out: folder, expected: nil, mixKernels: true)  // shows what is there
        let resolved = try? String(contentsOfFile: folder + "/resolved.yaml", encoding: .utf8)
        guard let text = journal.header?.experiment ?? resolved else {
            throw Failure(description: Say.noRun(folder, journal: Journal.folder(folder)))
        }
        let (loaded, diagnostics) = Experiment.load(text: text, file: folder + "/resolved.yaml")
        guard let experiment = loaded else {
            throw Failure(description: DiagnosticRenderer.render(diagnostics).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let folds = experiment.search?.cv ?? 0
        let trialCount = journal.header?.trials ?? 1
        let scoring = Scoring(experiment.search?.scoring ?? Session.defaultScoring(experiment))
        let parameters = experiment.parameters.sorted { $0.name < $1.name }
        let records = Reports.latestRung(journal.records.filter { $0.trial < trialCount })
        let reports = Reports(parameters: parameters.map(\.name), folds: max(folds, 1), scoring: scoring.name,
                              higherIsBetter: scoring.higherIsBetter)
        return ReportInput(
            folder: folder, experiment: experiment, resolvedText: resolved ?? text, scoring: scoring, folds: folds,
            trialCount: trialCount, parameters: parameters, records: records,
            ranked: folds > 0 ? reports.rank(records) : [], facts: try RunFacts.read(folder),
            finalHistory: readHistory(folder + "/history/final.csv"),
            predictions: Predictions.read(folder + "/predictions.csv"))
    }

    /// A history CSV (`epoch` then one column per quantity), nil if absent.
    static func readHistory(_ path: String) -> (columns: [String], rows: [[Double]])? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",").map(String.init), header.first == "epoch" else { return nil }
        let rows = lines.dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { Double($0) ?? .nan }
        }
        return (Array(header.dropFirst()), rows)
    }
}
