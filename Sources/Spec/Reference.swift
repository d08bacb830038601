/// The argument tables as Markdown, for docs/format.md (a test keeps the two in step).
public enum Reference {
    private static func def(_ s: ArgSpec) -> String {
        guard let d = s.defaultValue else { return "required" }
        return d == .null ? "none" : "`\(d.description)`"
    }

    private static func argTable(_ specs: [ArgSpec]) -> String {
        var out = "| key | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n"
        for s in specs {
            let type = s.type.text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
            out += "| `\(s.name)` | \(type) | \(def(s)) | \(s.range?.text ?? "") | \(s.doc) |\n"
        }
        return out
    }

    private static func entries(_ title: String, _ es: [CatalogEntry]) -> String {
        var out = "### \(title)\n\n"
        let simple = es.filter { $0.args.isEmpty }
        if !simple.isEmpty {
            out += "| name | meaning |\n| --- | --- |\n"
            for e in simple {
                let names = ([e.name] + e.aliases).map { "`\($0)`" }.joined(separator: ", ")
                out += "| \(names) | \(e.doc) |\n"
            }
            out += "\n"
        }
        for e in es where !e.args.isEmpty {
            let names = ([e.name] + e.aliases).map { "`\($0)`" }.joined(separator: ", ")
            out += "#### \(names)\n\n\(e.doc).\n\n" + argTable(e.args) + "\n"
        }
        return out
    }

    /// Every section's keys and every table, in Markdown.
    public static func markdown() -> String {
        var out = "## Reference (generated from Sources/Spec/Tables.swift)\n\n"
        out += "### Top level\n\n" + argTable(Catalog.topKeys) + "\n"
        out += "### `data`\n\n" + argTable(Catalog.dataKeys) + "\n"
        out += "Data sources, the keys each reads (others give a warning) and the ones it requires:\n\n"
        out += "| source | keys | required | meaning |\n| --- | --- | --- | --- |\n"
        for s in Catalog.dataSources {
            out += "| `\(s.name)` | \(s.keys.joined(separator: ", ")) | \(s.required.joined(separator: ", ")) | \(s.doc) |\n"
        }
        out += "\n" + entries("`function2d` functions", Catalog.functions2D)
        out += entries("`stellar` quantities", Catalog.stellarQuantities)
        out += "### `model`\n\n" + argTable(Catalog.modelKeys) + "\n"
        out += entries("Layers", Catalog.layers)
        out += entries("Activations", Catalog.activations)
        out += entries("Initializers", Catalog.initializers)
        out += entries("Regularizers", Catalog.regularizers)
        out += "### `compile`\n\n" + argTable(Catalog.compileKeys) + "\n"
        out += entries("Losses", Catalog.losses)
        out += entries("Optimizers", Catalog.optimizers)
        out += entries("Learning-rate schedules", Catalog.schedules)
        out += entries("Metrics", Catalog.metrics)
        out += "### `fit`\n\n" + argTable(Catalog.fitKeys) + "\n"
        out += entries("Callbacks", Catalog.callbacks)
        out += "### `search`\n\n" + argTable(Catalog.searchKeys) + "\n"
        out += entries("Distributions", Catalog.distributions)
        return out
    }
}
