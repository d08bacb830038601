import Engine
import Foundation

/// The CSV files of a run, made only from journal records, so a resumed, parallel or merged
/// run writes the same bytes as an uninterrupted one (the `seconds` columns aside).
struct Reports {
    /// Search parameter names, sorted (the leaderboard's column order).
    var parameters: [String]
    var folds: Int
    /// The scoring metric, e.g. "accuracy" or "loss".
    var scoring: String
    /// True when a higher score is better (accuracy, r2); false for loss-like scores.
    var higherIsBetter: Bool
    /// False for a run without cross-validation: no per-fold columns and no deviation.
    var crossValidated = true

    /// One trial's row of the leaderboard, folds gathered (for halving, its highest rung's).
    struct RankedTrial {
        var trial: Int
        /// Halving and Hyperband: the highest rung the trial reached and its resource.
        var iter: Int? = nil
        var resources: Int? = nil
        var params: [String: String]
        var scores: [Double?]
        var epochs: [Int]
        var seconds: Double
        var status: UnitStatus
        var reason: String?
        /// The kernels that computed its folds, each once, in fold order.
        var kernels: [String] = []

        var mean: Double? {
            let s = scores.compactMap { $0 }
            guard status == .ok, s.count == scores.count, !s.isEmpty else { return nil }
            return s.reduce(0, +) / Double(s.count)
        }
        /// Population standard deviation (ddof 0), as scikit-learn's `std_test_score`.
        var std: Double? {
            guard let m = mean else { return nil }
            let s = scores.compactMap { $0 }
            return (s.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(s.count)).squareRoot()
        }
    }

    /// Gathers records into trials that have all their folds; ranked best first (failed and
    /// diverged trials last, ties broken by trial index). With rungs, a trial counts at the
    /// highest rung it completed, and trials that got more of the resource rank first
    /// (scikit-learn ranks the last iteration's candidates first).
    func rank(_ records: [UnitRecord]) -> [RankedTrial] {
        var byTrial: [Int: [UnitRecord]] = [:]
        for r in records { byTrial[r.trial, default: []].append(r) }
        var trials: [RankedTrial] = []
        for (t, all) in byTrial {
            let iters = Set(all.map { $0.iter ?? 0 }).sorted(by: >)
            guard let iter = iters.first(where: { i in all.filter { ($0.iter ?? 0) == i }.count == folds }) else { continue }
            let sorted = all.filter { ($0.iter ?? 0) == iter }.sorted { $0.fold < $1.fold }
            let status: UnitStatus = sorted.contains { $0.status == .failed } ? .failed
                : sorted.contains { $0.status == .diverged } ? .diverged : .ok
            trials.append(RankedTrial(
                trial: t, iter: sorted[0].iter, resources: sorted[0].resources, params: sorted[0].params, scores: sorted.map(\.score),
                epochs: sorted.map(\.epochs), seconds: all.map(\.seconds).reduce(0, +), status: status,
                reason: sorted.compactMap(\.reason).first,
                kernels: sorted.compactMap(\.kernels).reduce(into: []) { if !$0.contains($1) { $0.append($1) } }))
        }
        return trials.sorted { a, b in
            if (a.resources ?? 0) != (b.resources ?? 0) { return (a.resources ?? 0) > (b.resources ?? 0) }
            switch (a.mean, b.mean) {
            case let (x?, y?) where x != y: return higherIsBetter ? x > y : x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.trial < b.trial
            }
        }
    }

    /// Whether the records come from rungs (halving, Hyperband): the tables gain `iter` and `n_resources`.
    static func hasRungs(_ records: [UnitRecord]) -> Bool { records.contains { $0.iter != nil } }

    /// Each (trial, fold)'s record of its highest rung (all records without rungs): its
    /// history holds every epoch, continued rung after rung.
    static func latestRung(_ records: [UnitRecord]) -> [UnitRecord] {
        var latest: [[Int]: UnitRecord] = [:]
        for r in records where (latest[[r.trial, r.fold]]?.iter ?? -1) < (r.iter ?? 0) { latest[[r.trial, r.fold]] = r }
        return latest.values.sorted { ($0.trial, $0.fold) < ($1.trial, $1.fold) }
    }

    var scoreName: String { "test_" + scoring }

    /// Parameter columns are named as scikit-learn's `cv_results_` names them (`param_units`),
    /// so no parameter can clash with a fixed column.
    var parameterColumns: [String] { parameters.map { "param_" + $0 } }

    func leaderboard(_ ranked: [RankedTrial]) -> CSVTable {
        let rungs = ranked.contains { $0.iter != nil }
        var header = ["rank", "trial"] + (rungs ? ["iter", "n_resources"] : []) + parameterColumns
        header += ["mean_" + scoreName, "std_" + scoreName]
        header += (0..<(crossValidated ? folds : 0)).map { "split\($0)_" + scoreName }
        header += ["epochs", "seconds", "status", "reason"]
        // Units computed by different kernels (merged or resumed with --mix-kernels): say which.
        let mixed = Set(ranked.flatMap(\.kernels)).count > 1
        if mixed { header.append("kernels") }
        var table = CSVTable(header: header)
        var rank = 0
        var previous: Double?
        for (i, t) in ranked.enumerated() {
            // Equal scores share the better rank (scikit-learn's rank_test_score, method "min").
            if t.mean == nil || t.mean != previous { rank = i + 1 }
            previous = t.mean
            var row = [String(rank), String(t.trial)]
            if rungs { row += [t.iter.map(String.init) ?? "", t.resources.map(String.init) ?? ""] }
            row += parameters.map { t.params[$0] ?? "" }
            row.append(t.mean.map(NumberText.exact) ?? "")
            row.append(crossValidated ? t.std.map(NumberText.exact) ?? "" : "")
            if crossValidated { row += t.scores.map { $0.map(NumberText.exact) ?? "" } }
            row.append(t.epochs.map(String.init).joined(separator: " "))
            row.append(NumberText.short(t.seconds, digits: 2))
            row.append(t.status.rawValue)
            row.append(t.reason ?? "")
            if mixed { row.append(t.kernels.joined(separator: " + ")) }
            table.append(row)
        }
        return table
    }

    /// One row per trial and fold (and rung: `iter`, `n_resources`) with every metric
    /// measured on the held-out fold.
    func trialsTable(_ records: [UnitRecord]) -> CSVTable {
        let metricNames = Set(records.flatMap { $0.metrics.keys }).sorted()
        let mixed = Set(records.compactMap(\.kernels)).count > 1
        let rungs = Self.hasRungs(records)
        var table = CSVTable(header: ["trial"] + (rungs ? ["iter", "n_resources"] : []) + ["fold"] + parameterColumns
            + metricNames.map { "test_" + $0 } + ["epochs", "seconds", "status", "reason"] + (mixed ? ["kernels"] : []))
        for r in records.sorted(by: { ($0.trial, $0.iter ?? 0, $0.fold) < ($1.trial, $1.iter ?? 0, $1.fold) }) {
            var row = [String(r.trial)] + (rungs ? [r.iter.map(String.init) ?? "", r.resources.map(String.init) ?? ""] : [])
            row += [String(r.fold)] + parameters.map { r.params[$0] ?? "" }
            row += metricNames.map { r.metrics[$0].map(NumberText.exact) ?? "" }
            row += [String(r.epochs), NumberText.short(r.seconds, digits: 2), r.status.rawValue, r.reason ?? ""]
            if mixed { row.append(r.kernels ?? "") }
            table.append(row)
        }
        return table
    }

    static func historyName(trial: Int, fold: Int) -> String {
        String(format: "trial-%03d-fold-%d.csv", trial, fold)
    }

    static func historyTable(_ r: UnitRecord) -> CSVTable {
        historyTable(columns: r.historyColumns, rows: r.history)
    }

    /// Per-epoch values as CSV: `epoch` (1-based), then one column per logged quantity.
    static func historyTable(columns: [String], rows: [[Double]]) -> CSVTable {
        var table = CSVTable(header: ["epoch"] + columns)
        for (e, row) in rows.enumerated() {
            table.append([String(e + 1)] + row.map(NumberText.exact))
        }
        return table
    }

    /// Writes leaderboard.csv, trials.csv and history/ atomically into `out`; with `onlyTrial`, only that
    /// trial's history files (the others are already there: a history depends on its record
    /// alone), so a search that rewrites its reports as each trial completes does not rewrite
    /// every earlier history each time.
    func write(_ records: [UnitRecord], to out: String, onlyTrial: Int? = nil) throws -> [RankedTrial] {
        let ranked = rank(records)
        try AtomicFile.write(leaderboard(ranked).text, to: out + "/leaderboard.csv")
        try AtomicFile.write(trialsTable(records).text, to: out + "/trials.csv")
        try AtomicFile.makeDirectory(out + "/history")
        for r in Self.latestRung(records) where !r.history.isEmpty && (onlyTrial == nil || r.trial == onlyTrial) {
            try AtomicFile.write(Self.historyTable(r).text, to: out + "/history/" + Self.historyName(trial: r.trial, fold: r.fold))
        }
        return ranked
    }
}

extension History {
    /// The history as rows, one per epoch, in the order of `keys`.
    var rows: [[Double]] { (0..<epochs).map { e in keys.map { self[$0]?[e] ?? .nan } } }
}
