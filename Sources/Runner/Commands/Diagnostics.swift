import Foundation
import Spec

/// Writes diagnostics to standard error, the one place the runner prints them.
func printDiagnostics(_ diagnostics: [Diagnostic]) {
    guard !diagnostics.isEmpty else { return }
    FileHandle.standardError.write(Data(DiagnosticRenderer.render(diagnostics).utf8))
}

/// Loads a file with overrides and prints its diagnostics; nil if it has errors.
func loadExperiment(_ path: String, overrides: [String] = []) -> Experiment? {
    let (experiment, diagnostics) = Experiment.load(path: path, overrides: overrides)
    printDiagnostics(diagnostics)
    return experiment
}
