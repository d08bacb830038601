import ArgumentParser
import Engine
import Foundation
import Spec

/// `runner validate FILE...`: checks experiment files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check experiment files and report every problem, located, without running anything.",
        discussion: """
        Builds every trial's model (no training), so a shape that cannot work is reported at its layer, as `run` would. \
        Prints 'FILE: ok' for each valid file; diagnostics go to standard error. Exit 0 if all are valid (warnings allowed), 2 otherwise.
        """
    )

    @Argument(help: "Experiment files (YAML).")
    var files: [String]

    @Option(name: .customLong("set"), help: "Override a key before validation, e.g. --set fit.epochs=1 (repeatable).")
    var overrides: [String] = []

    func run() throws {
        var allValid = true
        for file in files {
            guard let experiment = loadExperiment(file, overrides: overrides) else {
                allValid = false
                continue
            }
            // Too many trials to hold: said first, and then only the first trials' models are built.
            let tooMany = Footprint.trialsDiagnostic(experiment, count: Search.count(experiment.search), file: file)
            let diagnostics = Self.buildTrials(experiment, file: file, limit: tooMany == nil ? nil : 1000) + [tooMany].compactMap { $0 }
            printDiagnostics(diagnostics)
            if diagnostics.contains(where: { $0.severity == .error }) { allValid = false } else { print(Say.valid(file)) }
        }
        if !allValid { throw RunnerError.diagnosticsPrinted }
    }

    /// Builds the model of every trial the search proposes (the file's one model without a
    /// search) for the file's `input_shape`, else the data's shape (synthetic data is made;
    /// files are read only then), and checks that it fits in memory (`Footprint`, with the data
    /// when it was read). Without a search a model that cannot be built or cannot fit is an
    /// error, as `run` reports it; in a search it is a warning, once per cause: `run` records
    /// such a trial as failed and goes on. Each distinct model (layers and batch size) is built
    /// once, and `limit` caps the trials looked at (`plan` looks at the first ones).
    static func buildTrials(_ experiment: Experiment, file: String, limit: Int? = nil) -> [Diagnostic] {
        let count = Search.count(experiment.search)
        let proposals = Search.proposals(experiment.search, seed: experiment.seed).prefix(limit ?? count)
        var data: LoadedData?? = .none   // loaded once, when a trial first needs it
        var built: Set<ModelKey> = []
        var seen: Set<String> = []
        var out: [Diagnostic] = []
        for p in proposals {
            let config: TrialConfig
            do { config = try experiment.resolve(p.values) } catch {
                for d in error.diagnostics where seen.insert(d.description).inserted { out.append(d) }
                continue
            }
            guard built.insert(ModelKey(model: config.model, batch: config.fit.batchSize)).inserted else { continue }
            if config.model.inputShape == nil, case .none = data { data = .some(Self.data(experiment, file: file)) }
            guard let shape = config.model.inputShape ?? (data ?? nil)?.train.sampleShape else { continue }
            let memory = (data ?? nil).map { Footprint.sharing($0, unitData: $0.train) } ?? Footprint()
            do throws(TrialFailure) {
                _ = try Trainer.sized(config, inputShape: shape, task: nil, seed: 0, memory: memory)
            } catch {
                let searched = experiment.search != nil
                let message = searched ? Say.inTrial(p.index, error.message) : error.message
                let d = Diagnostic(severity: searched ? .warning : .error, file: file, line: error.line ?? 1, column: error.column ?? 1,
                                   message: message)
                if seen.insert(error.message + "\(error.line ?? 0):\(error.column ?? 0)").inserted { out.append(d) }
            }
        }
        return out
    }

    /// What makes two trials' models the same for building: the layers and the batch size.
    struct ModelKey: Hashable {
        var model: ModelConfig
        var batch: Int
    }

    /// The file's data, or nil when it cannot be read here (`run` reports that).
    static func data(_ experiment: Experiment, file: String) -> LoadedData? {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        guard let source = try? Binding.dataSource(experiment.data) else { return nil }
        return try? prepareData(Session.relative(source, to: base), limit: nil, testFraction: nil, seed: experiment.seed)
    }
}
