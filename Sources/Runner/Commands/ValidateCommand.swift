import ArgumentParser
import Foundation
import Spec

/// `runner validate FILE...`: checks experiment files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check experiment files and report every problem, located, without running anything.",
        discussion: "Prints 'FILE: ok' for each valid file; diagnostics go to standard error. Exit 0 if all are valid (warnings allowed), 2 otherwise."
    )

    @Argument(help: "Experiment files (YAML).")
    var files: [String]

    @Option(name: .customLong("set"), help: "Override a key before validation, e.g. --set fit.epochs=1 (repeatable).")
    var overrides: [String] = []

    func run() throws {
        var allValid = true
        for file in files {
            if loadExperiment(file, overrides: overrides) != nil {
                print("\(file): ok")
            } else {
                allValid = false
            }
        }
        if !allValid { throw RunnerError.diagnosticsPrinted }
    }
}
