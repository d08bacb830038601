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
            let diagnostics = Self.buildTrials(experiment, file: file)
            printDiagnostics(diagnostics)
            if diagnostics.contains(where: { $0.severity == .error }) { allValid = false } else { print("\(file): ok") }
        }
        if !allValid { throw RunnerError.diagnosticsPrinted }
    }

    /// Builds the model of every trial the search proposes (the file's one model without a
    /// search) for the file's `input_shape`, else the data's shape (synthetic data is made;
    /// files are read only then). Without a search a model that cannot be built is an error,
    /// as `run` reports it; in a search it is a warning, once per cause: `run` records such a
    /// trial as failed and goes on.
    static func buildTrials(_ experiment: Experiment, file: String) -> [Diagnostic] {
        let proposals = Search.trials(experiment.search, seed: experiment.seed, count: nil)
        var dataShape: [Int]?? = .none   // loaded once, when a trial first needs it
        var seen: Set<String> = []
        var out: [Diagnostic] = []
        for p in proposals {
            let config: TrialConfig
            do { config = try experiment.resolve(p.values) } catch {
                for d in error.diagnostics where seen.insert(d.description).inserted { out.append(d) }
                continue
            }
            if config.model.inputShape == nil, case .none = dataShape { dataShape = .some(Self.dataShape(experiment, file: file)) }
            guard let shape = config.model.inputShape ?? dataShape ?? nil else { continue }
            do {
                let model = Sequential(try Binding.layers(config.model))
                do { try model.build(inputShape: shape, seed: 0) } catch {
                    let at = error.layerIndex.map { config.model.layers[$0] }
                    throw TrialFailure(message: error.message, line: at?.line, column: at?.column)
                }
            } catch {
                let f = error as? TrialFailure ?? TrialFailure(message: "\(error)")
                let searched = experiment.search != nil
                let message = searched ? "trial \(p.index): \(f.message)" : f.message
                let d = Diagnostic(severity: searched ? .warning : .error, file: file, line: f.line ?? 1, column: f.column ?? 1,
                                   message: message)
                if seen.insert(f.message + "\(f.line ?? 0):\(f.column ?? 0)").inserted { out.append(d) }
            }
        }
        return out
    }

    /// The shape of one sample of the file's data, or nil when it cannot be read here (`run`
    /// reports that).
    static func dataShape(_ experiment: Experiment, file: String) -> [Int]? {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().path
        guard let source = try? Binding.dataSource(experiment.data) else { return nil }
        return try? prepareData(Session.relative(source, to: base), limit: nil, testFraction: nil, seed: experiment.seed).train.sampleShape
    }
}
