// Validation: one pass over the node tree that collects every diagnostic and builds the typed
// values; the same code builds a trial's configuration once its references are substituted.
// Its parts: this file (the whole file, mappings and their keys), ValidateArguments.swift (one
// value against its argument), ValidateReferences.swift (`$references`), ValidateSections.swift
// (each section) and ValidateHalving.swift (successive halving's keys).

struct Validator {
    var sink: DiagnosticSink
    /// The parameters `$references` may name, while model, compile and fit are checked as
    /// templates; nil elsewhere, where a reference is an error.
    var references: References?

    init(file: String, references: References? = nil) {
        sink = DiagnosticSink(file: file)
        self.references = references
    }

    // MARK: - The whole file

    mutating func experiment(_ root: Node?, defaultName: String) -> Experiment? {
        guard let root else {
            if !sink.hasErrors { sink.error(Mark(line: 1, column: 1), Messages.emptyFile) }
            return nil
        }
        guard root.pairs != nil else {
            if case .scalar(_, .null, _) = root.kind { sink.error(root.mark, Messages.emptyFile) }
            else { sink.error(root.mark, Messages.rootNotMapping(describe(root))) }
            return nil
        }
        let top = keys(root, Catalog.topKeys, context: Messages.Context.file)
        requireKeys(top, Catalog.topKeys, in: root, context: Messages.Context.file)

        let (search, references) = top["search"].map { searchSection($0.value) } ?? (nil, References(space: [:], used: []))
        let values = sectionValues(top, Catalog.topKeys, only: ["name", "seed", "threads", "output", "predict"])
        let name = values.optional("name", \.string) ?? defaultName
        let seed = values.get("seed", \.int)
        let threads = values.optional("threads", \.int)
        let output = values.optional("output", \.string) ?? "runs/\(name)"
        let predict = values.optional("predict", \.list)?.map { ($0.list ?? []).compactMap(\.double) } ?? []
        let data = top["data"].flatMap { dataSection($0.value) }

        // The templates: checked with references to the space, discarded; resolve() builds
        // them per trial.
        var templates = Validator(file: sink.file, references: references)
        _ = templates.trialSections(root, top: top, values: nil)
        sink.append(templates.sink)
        let used = templates.references?.used ?? []
        let metrics = (top["compile"]?.value["metrics"]?.items ?? []).compactMap { $0.string.flatMap { Catalog.find($0, in: Catalog.metrics)?.name } }

        var searchConfig = search
        halvingFit(&searchConfig, top: top, searchNode: top["search"]?.value)
        if var s = searchConfig {
            for p in s.space where !used.contains(p.name) {
                sink.warning(Mark(line: p.line, column: p.column), Messages.unusedParameter(p.name))
            }
            if s.scoring.isEmpty {
                let accuracy = MetricKind.accuracy.rawValue
                s.scoring = metrics.contains(accuracy) ? accuracy : metrics.first ?? "loss"
            }
            searchConfig = s
        }
        guard !sink.hasErrors, let data else { return nil }
        return Experiment(name: name, seed: UInt64(seed), threads: threads, output: output, data: data,
                          search: searchConfig, predict: predict, canonicalText: emit(root), root: root, file: sink.file)
    }

    /// Builds a trial from the document with `values` substituted for references.
    mutating func trial(_ root: Node, values: [String: Value]) -> TrialConfig? {
        let top = keys(root, Catalog.topKeys, context: Messages.Context.file)
        return trialSections(root, top: top, values: values)
    }

    /// model, compile and fit. With `values` nil, references are checked against the space;
    /// otherwise they are substituted first.
    private mutating func trialSections(_ root: Node, top: [String: Pair], values: [String: Value]?) -> TrialConfig? {
        func prepared(_ key: String) -> Node? {
            guard let n = top[key]?.value else { return nil }
            guard let values else { return n }
            return substitute(n, values)
        }
        let model = prepared("model").flatMap { modelSection($0) }
        let compile = prepared("compile").flatMap { compileSection($0) }
        let fit = prepared("fit").map { fitSection($0) } ?? fitSection(Node(.mapping([]), mark: root.mark))
        guard let model, let compile else { return nil }
        return TrialConfig(parameters: values ?? [:], model: model, compile: compile, fit: fit)
    }

    // MARK: - Mappings and keys

    func spec(_ name: String, _ specs: [ArgSpec]) -> ArgSpec {
        specs.first { $0.name == name } ?? ArgSpec(name, .string, .null, nil, "")
    }

    /// The known keys of a mapping (unknown ones reported at the key, with a did-you-mean).
    mutating func keys(_ node: Node, _ specs: [ArgSpec], context: String) -> [String: Pair] {
        guard let pairs = node.pairs else { return [:] }
        var known: [String: Pair] = [:]
        let names = specs.map(\.name)
        for p in pairs {
            guard let k = p.key.string ?? p.key.keyText, p.key.pairs == nil, p.key.items == nil else {
                sink.error(p.key.mark, Messages.keyNotString(describe(p.key)))
                continue
            }
            if names.contains(k) { known[k] = p }
            else if context == Messages.Context.file, k.hasPrefix("x-") { continue }   // a place for anchors, as in Compose files
            else { sink.error(p.key.mark, Messages.unknownKey(k, in: context), hint: suggestion(k, names)) }
        }
        return known
    }

    mutating func requireKeys(_ found: [String: Pair], _ specs: [ArgSpec], in node: Node, context: String) {
        let meant = Validator.meantKeys(node, specs)
        for s in specs where s.isRequired && found[s.name] == nil && !meant.contains(s.name) {
            sink.error(node.mark, Messages.missingKey(s.name, in: context))
        }
    }

    /// The known names that unknown keys of `node` are a did-you-mean away from: a missing
    /// required key that a misspelt key names is reported once, as the misspelling.
    static func meantKeys(_ node: Node, _ specs: [ArgSpec]) -> Set<String> {
        let names = specs.map(\.name)
        var meant: Set<String> = []
        for p in node.pairs ?? [] {
            guard let k = p.key.string ?? p.key.keyText, !names.contains(k), let c = closest(to: k, in: names) else { continue }
            meant.insert(c)
        }
        return meant
    }

    /// The value of `key` checked against `spec`, or the spec's default, normalized.
    mutating func value(_ found: [String: Pair], _ specs: [ArgSpec], _ key: String) -> Value? {
        let s = spec(key, specs)
        if let p = found[key] { return arg(p.value, s) }
        return s.defaultValue.flatMap { defaultValue($0, s) }
    }

    mutating func defaultValue(_ v: Value, _ s: ArgSpec) -> Value? {
        if v == .null { return .null }
        var scratch = Validator(file: sink.file)
        return scratch.arg(Validator.node(from: v, mark: Mark(line: 0, column: 0)), s)
    }

    /// The values of a section's keys (`only` those, when given): each one given is checked,
    /// each one absent, or given but bad (reported), is its table default, so that the checks
    /// after it still run; so is a `$reference` in a template, whose value is not known yet.
    /// Sections and lists (`.structure`) are read by their own code.
    mutating func sectionValues(_ found: [String: Pair], _ specs: [ArgSpec], only: Set<String>? = nil) -> SectionValues {
        var out = SectionValues()
        for s in specs where only?.contains(s.name) ?? true {
            if case .structure = s.type { continue }
            if let p = found[s.name] {
                switch check(p.value, s) {
                case .ok(.null) where s.defaultValue != .null: break   // a reference, in a template
                case .ok(let v): out.values[s.name] = v; continue
                case .failed: out.failed = true
                }
            }
            if let d = s.defaultValue { out.values[s.name] = defaultValue(d, s) ?? d }
        }
        return out
    }
}

/// A section's values by key name, each given or its table default (`Validator.sectionValues`).
struct SectionValues {
    var values: [String: Value] = [:]
    /// Whether a given value was bad (and reported).
    var failed = false

    /// The value of `key` read by `read`. Every key read so has a default in its table; one
    /// that does not read is a mistake in the tables, not in the file.
    func get<T>(_ key: String, _ read: (Value) -> T?) -> T {
        guard let v = values[key], let t = read(v) else { preconditionFailure("Catalog: '\(key)' has no value \(T.self) reads") }
        return t
    }

    /// The value of a key whose default is none (`.null`), nil when none is given.
    func optional<T>(_ key: String, _ read: (Value) -> T?) -> T? {
        guard let v = values[key], v != .null else { return nil }
        return get(key, read)
    }
}
