import ArgumentParser
import Engine
import Foundation
import Spec

/// `runner summary FILE`: a trial's model as Keras's `model.summary()` prints it.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Print a trial's model as Keras's model.summary() does: layers, output shapes, parameter counts."
    )

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(help: "The trial whose parameters fill the model (default 0).")
    var trial: Int = 0

    @Option(name: .customLong("set"), help: "Override a key of the file (repeatable).")
    var overrides: [String] = []

    func validate() throws {
        if trial < 0 { throw ValidationError(Say.expectsNonNegative("--trial", trial)) }
    }

    func run() throws {
        guard let experiment = loadExperiment(file, overrides: overrides) else { throw RunnerError.diagnosticsPrinted }
        let proposals = Search.proposals(experiment.search, seed: experiment.seed, count: trial == Int.max ? trial : trial + 1)
        guard trial < proposals.count else {
            throw RunnerError.badInput(Say.noSuchTrial(trial, count: proposals.count))
        }
        let config: TrialConfig
        do { config = try experiment.resolve(proposals[trial].values) } catch {
            printDiagnostics(error.diagnostics)
            throw RunnerError.diagnosticsPrinted
        }
        // The input shape is the file's; without one, the data's (which means loading it).
        var inputShape = config.model.inputShape
        var task: Engine.Task?
        if inputShape == nil {
            let session = try Session(file: file, overrides: overrides, trialCount: trial + 1, out: nil)
            inputShape = session.inputShape
            task = session.data.train.task
        }
        do {
            let model: Sequential
            if let task {
                model = try Trainer.model(config, inputShape: inputShape!, task: task, seed: experiment.seed)
            } else {
                let layers = try Binding.layers(config.model)
                model = Sequential(layers)
                do { try model.build(inputShape: inputShape!, seed: experiment.seed) } catch {
                    let at = error.layerIndex.map { config.model.layers[$0] }
                    throw TrialFailure(message: error.message, line: at?.line, column: at?.column)
                }
            }
            if !proposals[trial].values.isEmpty {
                let values = proposals[trial].values.keys.sorted().map { "\($0)=\(Search.format(proposals[trial].values[$0]!))" }
                print(Say.trialValues(trial, values))
            }
            let text = model.summary()
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        } catch let f as TrialFailure {
            throw RunnerError.badInput(f.line.map { Say.located(file, line: $0, column: f.column ?? 1, f.message) } ?? Say.inFile(file, f.message))
        } catch {
            throw RunnerError.badInput(Say.inFile(file, "\(error)"))
        }
    }
}
