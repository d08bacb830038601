import Engine
import Foundation
import Spec

/// The report's sections, each a piece of HTML built from a `ReportInput`.
enum ReportSections {
    static func section(_ id: String, _ content: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(ReportPage.titles[id]!)</h2>\n" + content + "\n</section>\n"
    }

    static func note(_ text: String) -> String { "<p class=\"note\">\(SVG.escape(text))</p>" }

    static func row(_ cells: [String], header: Bool = false, textColumns: Set<Int> = [], cls: String? = nil) -> String {
        let tag = header ? "th" : "td"
        let inner = cells.enumerated().map { i, c in
            "<\(tag)\(textColumns.contains(i) ? " class=\"text\"" : "")>\(SVG.escape(c))</\(tag)>"
        }.joined()
        return "<tr\(cls.map { " class=\"\($0)\"" } ?? "")>" + inner + "</tr>"
    }

    // MARK: Experiment

    static func experiment(_ r: ReportInput) -> String {
        var facts: [(String, String)] = [("name", r.experiment.name), ("seed", String(r.experiment.seed))]
        if let d = r.facts?.data {
            facts.append(("data", d.source))
            facts.append(("training samples", Sequential.grouped(d.train)))
            facts.append(("test samples", d.test.map(Sequential.grouped) ?? "none"))
            if let s = d.searched { facts.append(("samples the search uses", Sequential.grouped(s))) }
            facts.append(("sample shape", "[" + d.sampleShape.map(String.init).joined(separator: ", ") + "]"))
            if d.task == "classification" {
                let names = d.classNames.map { ": " + $0.joined(separator: ", ") } ?? ""
                facts.append(("task", "classification, \(d.classes ?? 0) classes" + names))
            } else {
                facts.append(("task", "regression, \(d.outputs ?? 1) output\(d.outputs == 1 ? "" : "s")"))
            }
            facts.append(("preprocessing", d.preprocess))
            for n in d.notes { facts.append(("note", n)) }
        } else {
            facts.append(("data", r.experiment.data.source.rawValue))
        }
        if let s = r.experiment.search {
            facts.append(("search", "\(s.strategy.rawValue), \(r.trialCount) trials, \(s.cv)-fold cross-validation, scoring \(s.scoring)"))
            for p in r.parameters { facts.append(("param " + p.name, describe(p.distribution))) }
        }
        var html = "<div class=\"cols\"><table class=\"facts\"><tbody>"
        html += facts.map { row([$0.0, $0.1]) }.joined()
        html += "</tbody></table>"
        if let summary = r.facts?.summary {
            let which = r.facts?.finalTrial.map { r.folds > 0 ? "the final model (trial \($0))" : "the model" } ?? "the best trial's model"
            html += "<div><h3>Summary of \(which)</h3><pre>\(SVG.escape(summary))</pre></div>"
        }
        html += "</div><details><summary>resolved.yaml: the file as run</summary><pre>\(SVG.escape(r.resolvedText))</pre></details>"
        return section("experiment", html)
    }

    static func describe(_ d: Distribution) -> String {
        switch d {
        case .choice(let v): return "choice of " + v.map(\.description).joined(separator: ", ")
        case .randint(let lo, let hi): return "integers \(lo) to \(hi - 1) (randint [\(lo), \(hi)))"
        case .uniform(let lo, let hi): return "uniform in [\(Ticks.trimmed(lo)), \(Ticks.trimmed(hi))]"
        case .loguniform(let lo, let hi): return "log-uniform in [\(Ticks.label(lo)), \(Ticks.label(hi))]"
        }
    }

    // MARK: Leaderboard

    static func leaderboard(_ r: ReportInput) -> String {
        guard r.folds > 0 else {
            return section("leaderboard", note("A file without a search trains one model: its scores are under Test split."))
        }
        guard !r.ranked.isEmpty else { return section("leaderboard", note("No trial has finished all its folds yet.")) }
        let hasReason = r.ranked.contains { $0.reason != nil }
        var header = ["rank", "trial"] + r.parameters.map(\.name) + ["mean " + r.scoring.name, "std"]
        header += (0..<r.folds).map { "fold \($0)" } + ["epochs", "seconds", "status"] + (hasReason ? ["reason"] : [])
        let text = Set([header.count - 1 - (hasReason ? 1 : 0)])
        var html = "<div class=\"scroll\"><table class=\"sortable\"><thead>" + row(header, header: true, textColumns: text) + "</thead><tbody>"
        var rank = 0
        var previous: Double?
        for (i, t) in r.ranked.enumerated() {
            if t.mean == nil || t.mean != previous { rank = i + 1 }
            previous = t.mean
            var cells = [String(rank), String(t.trial)] + r.parameters.map { shortValue(t.params[$0.name] ?? "") }
            cells += [t.mean.map { NumberText.short($0) } ?? "", t.std.map { NumberText.short($0) } ?? ""]
            cells += t.scores.map { $0.map { NumberText.short($0) } ?? "" }
            cells += [t.epochs.map(String.init).joined(separator: " "), NumberText.short(t.seconds, digits: 1), t.status.rawValue]
            var line = row(cells, textColumns: text, cls: t.status == .ok ? nil : "bad")
            if hasReason { line = String(line.dropLast(5)) + "<td class=\"reason\">\(SVG.escape(t.reason ?? ""))</td></tr>" }
            html += line
        }
        html += "</tbody></table></div>"
        let bad = r.ranked.filter { $0.status != .ok }.count
        var caption = "\(r.ranked.count) trials, best first; click a column to sort."
        if bad > 0 { caption += " \(bad) failed or diverged (in red, with the reason)." }
        if r.ranked.count < r.trialCount { caption += " \(r.trialCount - r.ranked.count) trials have not finished all their folds." }
        return section("leaderboard", note(caption) + html)
    }

    // MARK: Learning curves

    /// The quantities of a history (loss, accuracy, ...), each with its training column and the
    /// matching `val_` column when there is one.
    static func quantities(_ columns: [String]) -> [(name: String, train: Int, val: Int?)] {
        columns.indices.filter { !columns[$0].hasPrefix("val_") }.map { i in
            (columns[i], i, columns.firstIndex(of: "val_" + columns[i]))
        }
    }

    static let curveLegend = [Axes.LegendEntry(label: "training", cls: "train bold"), Axes.LegendEntry(label: "validation", cls: "val bold")]

    static func curves(_ r: ReportInput) -> String {
        var html = ""
        if let h = r.finalHistory, !h.rows.isEmpty {
            let trial = r.facts?.finalTrial.map { r.folds > 0 ? " (trial \($0), all training data)" : "" } ?? ""
            html += "<h3>Final model\(SVG.escape(trial))</h3><div class=\"plots\">"
            for q in quantities(h.columns) {
                var curves = [LineChart.Curve(points: h.rows.enumerated().map { (Double($0.offset + 1), $0.element[q.train]) }, cls: "train bold")]
                if let v = q.val { curves.append(LineChart.Curve(points: h.rows.enumerated().map { (Double($0.offset + 1), $0.element[v]) }, cls: "val bold")) }
                html += LineChart.svg(title: q.name, xLabel: "epoch", yLabel: q.name, curves: curves,
                                      legend: q.val == nil ? [curveLegend[0]] : curveLegend)
            }
            html += "</div>"
        }
        let best = r.ranked.filter { $0.status == .ok }.prefix(3)
        for (i, t) in best.enumerated() {
            let units = r.records.filter { $0.trial == t.trial && !$0.history.isEmpty }
            guard let columns = units.first?.historyColumns else { continue }
            let params = r.parameters.map { "\($0.name)=\(shortValue(t.params[$0.name] ?? ""))" }.joined(separator: ", ")
            html += "<h3>Trial \(t.trial), rank \(i + 1)\(params.isEmpty ? "" : ": " + SVG.escape(params))</h3><div class=\"plots\">"
            for q in quantities(columns) {
                var curves: [LineChart.Curve] = []
                for (column, cls) in [(q.train, "train"), (q.val, "val")] {
                    guard let c = column else { continue }
                    let series = units.map { u in u.history.map { c < $0.count ? $0[c] : .nan } }
                    for s in series { curves.append(LineChart.Curve(points: s.enumerated().map { (Double($0.offset + 1), $0.element) }, cls: cls + " faint")) }
                    curves.append(LineChart.Curve(points: meanByEpoch(series).enumerated().map { (Double($0.offset + 1), $0.element) }, cls: cls + " bold"))
                }
                let legend = (q.val == nil ? [curveLegend[0]] : curveLegend).map { Axes.LegendEntry(label: $0.label + " (mean)", cls: $0.cls) }
                    + [Axes.LegendEntry(label: "a fold", cls: "faint")]
                html += LineChart.svg(title: "\(q.name), \(units.count) folds", xLabel: "epoch", yLabel: q.name, curves: curves, legend: legend)
            }
            html += "</div>"
        }
        if html.isEmpty { html = note("No histories yet.") }
        else if !best.isEmpty { html += note("The best trials: each fold faint, their mean bold (over the folds still training at that epoch). Validation is the inner validation_split of the training folds.") }
        return section("curves", html)
    }

    /// The mean over the series at each index, over the series that reach it (early stopping
    /// ends some sooner).
    static func meanByEpoch(_ series: [[Double]]) -> [Double] {
        let length = series.map(\.count).max() ?? 0
        return (0..<length).map { e in
            let v = series.compactMap { e < $0.count && $0[e].isFinite ? $0[e] : nil }
            return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
        }
    }

    // MARK: Search

    /// A parameter value as a reader wants it: numbers to 4 significant digits (the CSV files
    /// keep every digit), anything else as it is.
    static func shortValue(_ text: String) -> String {
        guard let x = Double(text), !text.allSatisfy({ $0.isNumber || $0 == "-" }) else { return text }
        return String(format: "%.4g", x)
    }

    /// Integer ranges this small are drawn as categories, jittered like choices.
    static let fewIntegers = 12

    /// A parameter's axis: categories for `choice`, log for loguniform, linear otherwise; and
    /// each trial's position on it.
    static func axis(_ p: SearchParameter, _ texts: [String]) -> (ScatterChart.XAxis, [Double]) {
        switch p.distribution {
        case .choice(let values):
            let names = values.map(\.description)
            return (.categories(names), texts.map { t in names.firstIndex(of: t).map(Double.init) ?? .nan })
        case .loguniform:
            return (.numeric(.log), texts.map { Double($0) ?? .nan })
        case .randint(let lo, let hi) where hi - lo <= fewIntegers:
            return (.categories((lo..<hi).map(String.init)), texts.map { Int($0).map { Double($0 - lo) } ?? .nan })
        case .uniform, .randint:
            return (.numeric(.linear), texts.map { Double($0) ?? .nan })
        }
    }

    static func search(_ r: ReportInput) -> String {
        let ok = r.ranked.filter { $0.status == .ok && $0.mean != nil }
        let score = r.scoring.name
        let bestTrial = ok.first?.trial
        var html = ""
        let failed = r.ranked.count - ok.count
        html += note("\(ok.count) finished trials" + (failed > 0 ? "; \(failed) failed or diverged, not plotted." : ".")
            + " The best is marked; hover over a point for its trial.")
        // Hover titles cost bytes: past 300 trials the leaderboard answers "which trial?".
        let tips = ok.count <= 300
        html += "<div class=\"plots\">"
        for p in r.parameters {
            let (kind, xs) = axis(p, ok.map { $0.params[p.name] ?? "" })
            let points = zip(ok, xs).map { t, x in
                ScatterChart.Point(x: x, y: t.mean!, cls: t.trial == bestTrial ? "best" : "pt",
                                   tip: tips ? "trial \(t.trial): \(p.name) \(shortValue(t.params[p.name] ?? "")), \(score) \(NumberText.short(t.mean!))" : nil)
            }
            // The best on top.
            let ordered = points.filter { $0.cls != "best" } + points.filter { $0.cls == "best" }
            let scale: String = if case .numeric(.log) = kind { " (log scale)" } else { "" }
            html += ScatterChart.svg(title: "\(score) vs \(p.name)", xLabel: p.name + scale, yLabel: "mean " + score, x: kind,
                                     points: ordered, radius: ok.count > 300 ? 2 : 3)
        }
        // Score in the order trials were proposed, with the best so far.
        let byTrial = ok.sorted { $0.trial < $1.trial }
        var running: [(Double, Double)] = []
        var bestSoFar: Double?
        for t in byTrial {
            let m = t.mean!
            if let b = bestSoFar { running.append((Double(t.trial), b)) }
            if bestSoFar == nil || (r.scoring.higherIsBetter ? m > bestSoFar! : m < bestSoFar!) { bestSoFar = m }
            running.append((Double(t.trial), bestSoFar!))
        }
        if let last = byTrial.last, let b = bestSoFar { running.append((Double(last.trial), b)) }
        html += ScatterChart.svg(title: "\(score) by trial", xLabel: "trial", yLabel: "mean " + score, x: .numeric(.linear),
                                 points: byTrial.map { ScatterChart.Point(x: Double($0.trial), y: $0.mean!, cls: "pt", tip: tips ? "trial \($0.trial): \(NumberText.short($0.mean!))" : nil) },
                                 lines: [LineChart.Curve(points: running, cls: "runbest")],
                                 legend: [Axes.LegendEntry(label: "trial", cls: "pt", dot: true), Axes.LegendEntry(label: "best so far", cls: "runbest")],
                                 radius: ok.count > 300 ? 2 : 3)
        html += "</div><div class=\"plots\">"
        if !r.parameters.isEmpty {
            var axes = r.parameters.map { p -> ParallelChart.Axis in
                let (kind, values) = axis(p, ok.map { $0.params[p.name] ?? "" })
                return ParallelChart.Axis(name: p.name, kind: kind, values: values)
            }
            let means = ok.map { $0.mean! }
            axes.append(ParallelChart.Axis(name: "mean " + score, kind: .numeric(.linear), values: means))
            let lo = means.min() ?? 0, hi = means.max() ?? 1
            let colour = means.map { m in hi > lo ? (r.scoring.higherIsBetter ? (m - lo) / (hi - lo) : (hi - m) / (hi - lo)) : 1 }
            let order = ok.indices.sorted { colour[$0] < colour[$1] }
            let lineTips = tips ? ok.map { t in "trial \(t.trial): " + r.parameters.map { "\($0.name)=\(shortValue(t.params[$0.name] ?? ""))" }.joined(separator: ", ") + " → \(NumberText.short(t.mean!))" } : nil
            html += ParallelChart.svg(title: "All trials across the parameters (colour: \(score), brighter is better)", axes: axes,
                                      colour: colour, order: order, tips: lineTips)
        }
        html += FoldSpreadChart.svg(title: "\(score) on each fold, trials by rank", yLabel: score,
                                    trials: ok.map { FoldSpreadChart.Column(label: String($0.trial), folds: $0.scores.compactMap { $0 }, mean: $0.mean!) })
        html += "</div>"
        return section("search", html)
    }

    // MARK: Test split

    static func test(_ r: ReportInput) -> String {
        guard let facts = r.facts else { return section("test", note("The run has not finished: no final model yet.")) }
        guard facts.finalTrial != nil else {
            return section("test", note("No final model: the run skipped the refit (--no-refit or refit: false), or no trial finished."))
        }
        var html = ""
        if let status = facts.status, status != .ok { html += note("The final model \(status.rawValue): \(facts.reason ?? "")") }
        guard !facts.testMetrics.isEmpty else {
            return section("test", html + note("The data has no test split (data.test: false): nothing to score the final model on."))
        }
        html += "<div class=\"cols\"><table class=\"facts\"><tbody>"
        html += facts.testMetrics.keys.sorted().map { row(["test " + $0, NumberText.short(facts.testMetrics[$0]!)]) }.joined()
        if let n = facts.data.test { html += row(["samples", Sequential.grouped(n)]) }
        html += "</tbody></table>"
        if let p = r.predictions, let truth = p.truth.first, let predicted = p.predicted.first {
            if facts.data.task == "classification" {
                let k = max(facts.data.classes ?? 0, Int((truth + predicted).filter(\.isFinite).max() ?? 0) + 1)
                let names = (0..<k).map { i in facts.data.classNames.flatMap { i < $0.count ? $0[i] : nil } ?? String(i) }
                let counts = ConfusionChart.counts(truth: truth.map { $0.isFinite ? Int($0) : -1 }, predicted: predicted.map { $0.isFinite ? Int($0) : -1 }, classes: k)
                html += "<div>" + ConfusionChart.svg(title: "Confusion matrix", counts: counts, names: names)
                    + note("Rows: the true class; columns: the predicted one. Shade: the cell's share of its row.") + "</div>"
            } else {
                for j in p.truth.indices.prefix(4) {
                    let t = p.truth[j], q = p.predicted[j]
                    // Up to 2,000 points, every n-th sample: the cloud keeps its shape and the file stays small.
                    let every = max(1, (t.count + 1999) / 2000)
                    let shown = stride(from: 0, to: t.count, by: every).map { ScatterChart.Point(x: t[$0], y: q[$0], cls: "pt", tip: nil) }
                    let which = p.truth.count > 1 ? " \(j)" : ""
                    html += ScatterChart.svg(title: "Predicted vs true\(which)" + (every > 1 ? " (\(Sequential.grouped(shown.count)) of \(Sequential.grouped(t.count)) samples)" : " (\(Sequential.grouped(t.count)) samples)"),
                                             xLabel: "true value", yLabel: "predicted", x: .numeric(.linear), points: shown, diagonal: true,
                                             legend: [Axes.LegendEntry(label: "y = x", cls: "diagonal")], radius: 2)
                }
            }
        }
        html += "</div>"
        return section("test", html)
    }
}
