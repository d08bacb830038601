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
        guard experiment.search?.strategy.isSuccessive == true else {
            print(Self.table(experiment, trials: options.trials), terminator: "")
            return
        }
        // The rungs depend on the data (a fold's size, the classes): read it as a run would.
        let session = try Session(file: file, overrides: options.allOverrides, trialCount: options.trials, out: nil)
        print(Self.table(experiment, trials: session.trials.count), terminator: "")
        if let plan = session.rungPlan { print("\n" + plan.text(), terminator: "") }
    }

    /// The plan as aligned text: a header `trial` + parameter names (sorted), one row per trial.
    static func table(_ experiment: Experiment, trials: Int?) -> String {
        let names = experiment.parameters.map(\.name).sorted()
        let proposals = Search.trials(experiment.search, seed: experiment.seed, count: trials)
        var rows = [["trial"] + names]
        for t in proposals {
            rows.append([String(t.index)] + names.map { t.values[$0].map(Search.format) ?? "" })
        }
        return alignedTable(rows) + "\n"
    }
}
