import ArgumentParser
import Foundation
import Spec

/// `runner plan FILE`: prints the trials a search would run, without running them.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the table of trials (index and parameter values) a search would run.",
        discussion: "The first N rows of '--trials 50' are the same as '--trials N': trial i depends only on the seed and i. "
            + "With strategy halving or hyperband the data is read and the rung schedule follows the trials: candidates and "
            + "resource per rung, and the budget in epoch·samples against a random search of the same trials."
    )

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @OptionGroup var options: ExperimentOptions

    func run() throws {
        guard let experiment = loadExperiment(file, overrides: options.allOverrides) else { throw RunnerError.diagnosticsPrinted }
        // The models `run` would build first are checked as `validate` checks them (shapes,
        // memory), so a plan is not printed for a file that cannot run.
        let diagnostics = ValidateCommand.buildTrials(experiment, file: file, limit: 1000)
        printDiagnostics(diagnostics)
        if diagnostics.contains(where: { $0.severity == .error }) { throw RunnerError.diagnosticsPrinted }
        var out = StandardOutput()
        guard experiment.search?.strategy.isSuccessive == true else {
            Self.write(experiment, trials: options.trials, to: &out)
            out.flush()
            return
        }
        // The rungs depend on the data (a fold's size, the classes): read it as a run would.
        let session = try Session(file: file, overrides: options.allOverrides, trialCount: options.trials, out: nil)
        Self.write(experiment, trials: session.trials.count, to: &out)
        if let plan = session.rungPlan { out.write("\n" + plan.text()) }
        out.flush()
    }

    /// The plan as aligned text: a header `trial` + parameter names (sorted), one row per trial.
    static func table(_ experiment: Experiment, trials: Int?) -> String {
        var text = ""
        write(experiment, trials: trials) { text += $0 }
        return text
    }

    static func write(_ experiment: Experiment, trials: Int?, to out: inout StandardOutput) {
        write(experiment, trials: trials) { out.write($0) }
    }

    /// The rows are made and written one at a time, never held: a plan of 10⁷ trials prints its
    /// first rows at once and in constant memory. Columns are as wide as the header and the
    /// first 1,000 rows need (the whole table, for a plan that short); past those, as wide as a
    /// parameter's values can be, and a wider cell only pushes its row to the right.
    static func write(_ experiment: Experiment, trials: Int?, _ emit: (String) -> Void) {
        let names = experiment.parameters.map(\.name).sorted()
        let count = Search.count(experiment.search, count: trials)
        let proposals = Search.proposals(experiment.search, seed: experiment.seed, count: trials)
        func row(_ t: Search.Trial) -> [String] { [String(t.index)] + names.map { t.values[$0].map(Search.format) ?? "" } }
        let first = proposals.prefix(1000).map(row)
        var widths = ([["trial"] + names] + first).reduce(into: [Int](repeating: 0, count: names.count + 1)) { w, r in
            for (c, cell) in r.enumerated() { w[c] = max(w[c], cell.count) }
        }
        if count > first.count {
            widths[0] = max(widths[0], String(count - 1).count)
            let distributions = Dictionary(experiment.parameters.map { ($0.name, $0.distribution) }, uniquingKeysWith: { a, _ in a })
            for (c, name) in names.enumerated() {
                widths[c + 1] = max(widths[c + 1], distributions[name].map(Search.widest) ?? 0)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, cell in
                c == cells.count - 1 || cell.count >= widths[c] ? cell : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ") + "\n"
        }
        emit(line(["trial"] + names))
        for r in first { emit(line(r)) }
        for t in proposals.dropFirst(first.count) { emit(line(row(t))) }
    }
}
