// A resolved `model` section as text and back: what a model file stores beside its weights, so
// that a saved model's layers are rebuilt from the catalog's own names, defaults and ranges,
// through the same validation and the same binding as a run.

extension ModelConfig {
    /// The layers as the YAML text of a `model` section, `{layers: [{Kind: {argument: value}}]}`,
    /// every argument resolved (defaults filled, sizes as `[h, w]`), which `init(text:file:)`
    /// reads back to the same layers.
    public var text: String {
        let mark = Mark(line: 0, column: 0)
        let layers = self.layers.map { l in
            Node(.mapping([Pair(key: .scalar(l.kind.rawValue, mark: mark), value: Validator.node(from: .map(l.args), mark: mark))]), mark: mark)
        }
        return emit(Node(.mapping([Pair(key: .scalar("layers", mark: mark), value: Node(.sequence(layers), mark: mark))]), mark: mark))
    }

    /// A `model` section read from `text` and validated as in an experiment file (`file` names
    /// it in diagnostics); references are refused, as there is no search to give them values.
    public init(text: String, file: String) throws(ResolutionError) {
        let (root, composed) = Composer.compose(text, file: file)
        var v = Validator(file: file)
        if !composed.contains(where: { $0.severity == .error }),
           let model = v.modelSection(root ?? Node.scalar("null", mark: Mark(line: 1, column: 1))), !v.sink.hasErrors {
            self = model
            return
        }
        throw ResolutionError(diagnostics: DiagnosticRenderer.sorted(composed + v.sink.items))
    }
}
