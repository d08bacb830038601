import Foundation

/// Loading an experiment file: read, parse, apply overrides, validate, type.
extension Experiment {
    /// The version of the file format.
    public static let formatVersion = 1

    /// Reads and validates the file at `path`. Diagnostics name the file `displayPath`
    /// (default: `path` as given). A file that cannot be read gives one diagnostic at line 0,
    /// printed `FILE: error: cannot read: ...`.
    public static func load(path: String, displayPath: String? = nil, overrides: [String] = []) -> (Experiment?, [Diagnostic]) {
        let shown = displayPath ?? path
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            text = String(decoding: data, as: UTF8.self)
        } catch {
            let reason = (error as NSError).localizedDescription
            return (nil, [Diagnostic(severity: .error, file: shown, line: 0, column: 0, message: Messages.cannotRead(reason))])
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return load(text: text, file: shown, defaultName: stem, overrides: overrides)
    }

    /// Validates YAML text as an experiment; `file` names it in diagnostics.
    public static func load(text: String, file: String, defaultName: String = "experiment", overrides: [String] = []) -> (Experiment?, [Diagnostic]) {
        var (root, diagnostics) = Composer.compose(text, file: file)
        if diagnostics.contains(where: { $0.severity == .error }) { return (nil, DiagnosticRenderer.sorted(diagnostics)) }
        if !overrides.isEmpty {
            let (updated, overrideDiags) = Overrides.apply(overrides, to: root)
            root = updated
            diagnostics += overrideDiags
            if !overrideDiags.isEmpty { return (nil, DiagnosticRenderer.sorted(diagnostics)) }
        }
        var v = Validator(file: file)
        let experiment = v.experiment(root, defaultName: defaultName)
        diagnostics += v.sink.items
        return (experiment, DiagnosticRenderer.sorted(diagnostics))
    }
}
