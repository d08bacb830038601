// Validation: one pass over the node tree that collects every diagnostic and builds the typed
// values. The same code builds a trial's configuration once references are substituted.

/// The name of a `$reference`: a plain (unquoted) scalar `$name`.
func referenceName(_ node: Node) -> String? {
    guard case .scalar(let text, .string, false) = node.kind, text.hasPrefix("$"), text.count > 1 else { return nil }
    return String(text.dropFirst())
}

struct Validator {
    var sink: DiagnosticSink
    /// The search space by name, for `$references` (with the node of each distribution).
    var space: [String: SearchParameter] = [:]
    var used: Set<String> = []
    /// True while checking model, compile and fit, where references are allowed.
    var refsAllowed = false
    /// Expected and received text of the last bad value, for reference messages.
    var lastMismatch: (expected: String, got: String)?

    init(file: String) { sink = DiagnosticSink(file: file) }

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
        let top = keys(root, Catalog.topKeys, context: "the file")
        requireKeys(top, Catalog.topKeys, in: root, context: "the file")

        let search = top["search"].flatMap { searchSection($0.value) }
        let name = top["name"].flatMap { arg($0.value, spec("name", Catalog.topKeys))?.string } ?? defaultName
        let seed = top["seed"].flatMap { arg($0.value, spec("seed", Catalog.topKeys))?.int } ?? 0
        let threads = top["threads"].flatMap { arg($0.value, spec("threads", Catalog.topKeys))?.int }
        let output = top["output"].flatMap { arg($0.value, spec("output", Catalog.topKeys))?.string } ?? "runs/\(name)"
        let predict = top["predict"].flatMap { arg($0.value, spec("predict", Catalog.topKeys))?.list }?
            .map { ($0.list ?? []).compactMap(\.double) } ?? []
        let data = top["data"].flatMap { dataSection($0.value) }

        // The templates: checked with references, discarded; resolve() builds them per trial.
        refsAllowed = true
        _ = trialSections(root, top: top, values: nil)
        refsAllowed = false
        let metrics = (top["compile"]?.value["metrics"]?.items ?? []).compactMap { $0.string.flatMap { Catalog.find($0, in: Catalog.metrics)?.name } }

        var searchConfig = search
        halvingFit(&searchConfig, top: top, searchNode: top["search"]?.value)
        if var s = searchConfig {
            for p in s.space where !used.contains(p.name) {
                sink.warning(Mark(line: p.line, column: p.column), Messages.unusedParameter(p.name))
            }
            if s.scoring.isEmpty { s.scoring = metrics.contains("accuracy") ? "accuracy" : metrics.first ?? "loss" }
            searchConfig = s
        }
        guard !sink.hasErrors, let data else { return nil }
        return Experiment(name: name, seed: UInt64(seed), threads: threads, output: output, data: data,
                          search: searchConfig, predict: predict, canonicalText: emit(root), root: root, file: sink.file)
    }

    /// Builds a trial from the document with `values` substituted for references.
    mutating func trial(_ root: Node, values: [String: Value]) -> TrialConfig? {
        let top = keys(root, Catalog.topKeys, context: "the file")
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

    /// Replaces every `$name` with the value given for it (reporting ones with no value).
    private mutating func substitute(_ node: Node, _ values: [String: Value]) -> Node {
        if let name = referenceName(node) {
            guard let v = values[name] else {
                sink.error(node.mark, Messages.unknownParameterValue(name))
                return node
            }
            return Validator.node(from: v, mark: node.mark)
        }
        switch node.kind {
        case .scalar: return node
        case .sequence(let items): return Node(.sequence(items.map { substitute($0, values) }), mark: node.mark)
        case .mapping(let pairs):
            return Node(.mapping(pairs.map { Pair(key: $0.key, value: substitute($0.value, values)) }), mark: node.mark)
        }
    }

    static func node(from value: Value, mark: Mark) -> Node {
        switch value {
        case .string(let s): return Node(.scalar(text: s, value: .string(s), quoted: true), mark: mark)
        case .list(let l): return Node(.sequence(l.map { node(from: $0, mark: mark) }), mark: mark)
        case .map(let m):
            return Node(.mapping(m.keys.sorted().map {
                Pair(key: .scalar($0, quoted: true, mark: mark), value: node(from: m[$0] ?? .null, mark: mark))
            }), mark: mark)
        default: return Node.scalar(value.description, mark: mark)
        }
    }

    // MARK: - Mappings and keys

    private func spec(_ name: String, _ specs: [ArgSpec]) -> ArgSpec {
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
            else if context == "the file", k.hasPrefix("x-") { continue }   // a place for anchors, as in Compose files
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

    private mutating func defaultValue(_ v: Value, _ s: ArgSpec) -> Value? {
        if v == .null { return .null }
        var scratch = Validator(file: sink.file)
        return scratch.arg(Validator.node(from: v, mark: Mark(line: 0, column: 0)), s)
    }

    // MARK: - One value against its spec

    private mutating func bad(_ node: Node, _ s: ArgSpec, expected: String, hint: String? = nil) {
        let got = describe(node)
        lastMismatch = (expected, got)
        sink.error(node.mark, Messages.badValue(s.name, expected: expected, got: got), hint: hint)
    }

    private func expectation(_ s: ArgSpec, _ base: String) -> String {
        s.range.map { "\(base) \($0.text)" } ?? base
    }

    /// Checks `node` against `s`; returns the normalized value, or nil after reporting.
    /// A `$reference` is checked against every kind of value its distribution can give.
    mutating func arg(_ node: Node, _ s: ArgSpec) -> Value? {
        if let name = referenceName(node) { return reference(name, node, s) }
        if case .scalar(_, .null, _) = node.kind, s.defaultValue == .null { return .null }
        switch s.type {
        case .int:
            guard case .int(let i)? = node.scalar else { bad(node, s, expected: expectation(s, "an integer")); return nil }
            if let r = s.range, !r.contains(Double(i)) { bad(node, s, expected: expectation(s, "an integer")); return nil }
            return .int(i)
        case .number:
            guard let d = Value(node.scalar ?? .null).double, let sv = node.scalar, sv != .null else {
                bad(node, s, expected: expectation(s, "a number")); return nil
            }
            if let r = s.range, !r.contains(d) { bad(node, s, expected: expectation(s, "a number")); return nil }
            return .double(d)
        case .bool:
            guard case .bool(let b)? = node.scalar else { bad(node, s, expected: "true or false"); return nil }
            return .bool(b)
        case .string:
            guard let str = node.string else { bad(node, s, expected: "a string"); return nil }
            return .string(str)
        case .oneOf(let words):
            return word(node, s, words, kind: nil)
        case .activation:
            return word(node, s, Catalog.names(Catalog.activations), kind: "activation")
        case .initializer:
            return named(node, key: s.name, table: Catalog.initializers, kind: "initializer").map { e, args in
                .map(args.merging(["name": .string(e.name)]) { a, _ in a })
            }
        case .regularizer:
            return regularizer(node, s)
        case .intOrPair:
            let r = s.range ?? .positive
            if case .int(let i)? = node.scalar, r.contains(Double(i)) { return .list([.int(i), .int(i)]) }
            if let items = node.items, items.count == 2,
               case .int(let a)? = items[0].scalar, case .int(let b)? = items[1].scalar,
               r.contains(Double(a)), r.contains(Double(b)) {
                return .list([.int(a), .int(b)])
            }
            bad(node, s, expected: "an integer \(r.text) or [height, width] of such integers")
            return nil
        case .shape:
            if let items = node.items, !items.isEmpty {
                var out: [Value] = []
                for it in items {
                    guard case .int(let i)? = it.scalar, i > 0 else { break }
                    out.append(.int(i))
                }
                if out.count == items.count { return .list(out) }
            }
            bad(node, s, expected: "a non-empty list of integers > 0")
            return nil
        case .numberList:
            if let items = node.items, !items.isEmpty {
                let ds = items.compactMap { it -> Double? in it.scalar == .null ? nil : Value(it.scalar ?? .null).double }
                if ds.count == items.count { return .list(ds.map { .double($0) }) }
            }
            bad(node, s, expected: "a non-empty list of numbers")
            return nil
        case .stringList:
            if let items = node.items {
                let ss = items.compactMap(\.string)
                if ss.count == items.count { return .list(ss.map { .string($0) }) }
            }
            bad(node, s, expected: "a list of strings")
            return nil
        case .learningRate:
            if node.pairs != nil {
                return named(node, key: s.name, table: Catalog.schedules, kind: "schedule").map { e, args in
                    .map(args.merging(["name": .string(e.name)]) { a, _ in a })
                }
            }
            guard let d = Value(node.scalar ?? .null).double, node.scalar != .null, d > 0, d.isFinite else {
                bad(node, s, expected: "a number > 0 or a schedule like {name: exponential_decay, ...}")
                return nil
            }
            return .double(d)
        case .table:
            if let name = node.string {
                if let t = Validator.namedTables[name] { return .list(t.map { .list($0.map { .double($0) }) }) }
                bad(node, s, expected: "xor, and, or, or a list of rows", hint: suggestion(name, Array(Validator.namedTables.keys).sorted()))
                return nil
            }
            if let rows = node.items, !rows.isEmpty {
                var out: [[Double]] = []
                for r in rows {
                    guard let cells = r.items else { break }
                    let ds = cells.compactMap { c -> Double? in c.scalar == .null ? nil : Value(c.scalar ?? .null).double }
                    guard ds.count == cells.count else { break }
                    out.append(ds)
                }
                if out.count == rows.count {
                    let n = out[0].count
                    if n >= 2, out.allSatisfy({ $0.count == n }) { return .list(out.map { .list($0.map { .double($0) }) }) }
                    sink.error(node.mark, Messages.tableRows)
                    return nil
                }
            }
            bad(node, s, expected: "a list of rows of numbers, or xor, and, or")
            return nil
        case .rows:
            if let rows = node.items, !rows.isEmpty {
                let out = rows.map { r in (r.items ?? []).compactMap { c in c.scalar == .null ? nil : Value(c.scalar ?? .null).double } }
                if zip(rows, out).allSatisfy({ ($0.items?.count ?? -1) == $1.count }), let n = out.first?.count, n > 0,
                   out.allSatisfy({ $0.count == n }) {
                    return .list(out.map { .list($0.map { .double($0) }) })
                }
            }
            bad(node, s, expected: "a list of equally long rows of numbers, e.g. [[1, 0, 0]]")
            return nil
        case .interval:
            if let items = node.items, items.count == 2,
               let a = Value(items[0].scalar ?? .null).double, let b = Value(items[1].scalar ?? .null).double, a < b,
               s.range.map({ $0.contains(a) && $0.contains(b) }) ?? true {
                return .list([.double(a), .double(b)])
            }
            bad(node, s, expected: "[low, high] with low < high" + (s.range.map { ", both \($0.text)" } ?? ""))
            return nil
        case .countOrWord(let words):
            let r = s.range ?? .positive
            if case .int(let i)? = node.scalar, i > 0, r.contains(Double(i)) { return .int(i) }
            if let w = node.string, words.contains(w) { return .string(w) }
            bad(node, s, expected: "an integer \(r.text) or " + words.joined(separator: ", "),
                hint: node.string.flatMap { suggestion($0, words) })
            return nil
        case .structure(let what):
            bad(node, s, expected: what)
            return nil
        }
    }

    static let namedTables: [String: [[Double]]] = [
        "xor": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]],
        "and": [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]],
        "or": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
    ]

    private mutating func word(_ node: Node, _ s: ArgSpec, _ words: [String], kind: String?) -> Value? {
        guard let w = node.string else {
            bad(node, s, expected: kind.map { "an \($0) name" } ?? "one of \(words.joined(separator: ", "))")
            return nil
        }
        if words.contains(w) {
            if kind == "activation", let e = Catalog.find(w, in: Catalog.activations) { return .string(e.name) }
            return .string(w)
        }
        if let kind {
            lastMismatch = ("an \(kind) name", "'\(w)'")
            sink.error(node.mark, Messages.unknownName(kind, w), hint: suggestion(w, words) ?? Messages.validNames(words))
        } else {
            bad(node, s, expected: "one of \(words.joined(separator: ", "))", hint: suggestion(w, words))
        }
        return nil
    }

    private mutating func regularizer(_ node: Node, _ s: ArgSpec) -> Value? {
        let factor = ArgSpec("l1", .number, .double(0.01), .nonNegative, "")
        if let name = node.string {
            guard let e = Catalog.find(name, in: Catalog.regularizers) else {
                lastMismatch = ("a regularizer", "'\(name)'")
                sink.error(node.mark, Messages.unknownName("regularizer", name), hint: suggestion(name, Catalog.names(Catalog.regularizers)))
                return nil
            }
            let l1 = e.arg("l1") != nil ? 0.01 : 0, l2 = e.arg("l2") != nil ? 0.01 : 0
            return .map(["l1": .double(l1), "l2": .double(l2)])
        }
        guard node.pairs != nil else { bad(node, s, expected: "l1, l2, l1_l2 or a mapping like {l2: 0.01}"); return nil }
        let specs = [factor, ArgSpec("l2", .number, .double(0.01), .nonNegative, "")]
        let found = keys(node, specs, context: "'\(s.name)'")
        if found.isEmpty {
            if node.pairs?.isEmpty ?? true { sink.error(node.mark, Messages.emptyRegularizer) }
            return nil
        }
        let l1 = found["l1"].flatMap { arg($0.value, specs[0]) }
        let l2 = found["l2"].flatMap { arg($0.value, specs[1]) }
        if (found["l1"] != nil && l1 == nil) || (found["l2"] != nil && l2 == nil) { return nil }
        return .map(["l1": l1 ?? .double(0), "l2": l2 ?? .double(0)])
    }

    /// A reference: defined in the space, used, and every kind of value it can give fits `s`.
    private mutating func reference(_ name: String, _ node: Node, _ s: ArgSpec) -> Value? {
        guard refsAllowed else { sink.error(node.mark, Messages.refOutsideTemplate); return nil }
        guard let p = space[name] else {
            if space.isEmpty { sink.error(node.mark, Messages.undefinedRef(name), hint: Messages.noSpaceForRefs) }
            else { sink.error(node.mark, Messages.undefinedRef(name), hint: closest(to: name, in: space.keys.sorted()).map { Messages.didYouMean("$" + $0) }) }
            return nil
        }
        used.insert(name)
        for r in Validator.representatives(p.distribution, mark: node.mark) {
            var scratch = Validator(file: sink.file)
            if scratch.arg(r, s) == nil {
                if let m = scratch.lastMismatch {
                    sink.error(node.mark, Messages.refMismatch(s.name, name, p.distribution.name, expected: m.expected, got: m.got))
                } else {
                    sink.error(node.mark, Messages.refInvalid(s.name, name, p.distribution.name, scratch.sink.items.first?.message ?? ""))
                }
                return nil
            }
        }
        return .null
    }

    /// Values standing for everything a distribution gives: each choice, and the bounds otherwise.
    static func representatives(_ d: Distribution, mark: Mark) -> [Node] {
        switch d {
        case .choice(let vs): return vs.map { node(from: $0, mark: mark) }
        case .randint(let lo, let hi): return [node(from: .int(lo), mark: mark), node(from: .int(hi - 1), mark: mark)]
        case .uniform(let lo, let hi), .loguniform(let lo, let hi):
            return [node(from: .double(lo), mark: mark), node(from: .double(hi), mark: mark)]
        }
    }

    /// A name from `table`, or a mapping `{name: ..., arg: ...}`; returns the entry and its
    /// arguments with defaults filled.
    mutating func named(_ node: Node, key: String, table: [CatalogEntry], kind: String) -> (CatalogEntry, [String: Value])? {
        let names = Catalog.names(table)
        if let ref = referenceName(node) {
            _ = reference(ref, node, ArgSpec(key, .oneOf(names), nil, nil, ""))
            return nil
        }
        if let name = node.string {
            guard let e = Catalog.find(name, in: table) else {
                lastMismatch = ("a known \(kind)", "'\(name)'")
                sink.error(node.mark, Messages.unknownName(kind, name), hint: suggestion(name, names) ?? Messages.validNames(table.map(\.name)))
                return nil
            }
            return args(Node(.mapping([]), mark: node.mark), e, owner: e.name, at: node.mark)
        }
        guard let pairs = node.pairs else { bad(node, ArgSpec(key, .string, nil, nil, ""), expected: "a \(kind) name or a mapping with 'name'"); return nil }
        guard let namePair = pairs.first(where: { $0.key.keyText == "name" }) else {
            sink.error(node.mark, Messages.namedNeedsName("'\(key)'"))
            return nil
        }
        let rest = Node(.mapping(pairs.filter { $0.key.keyText != "name" }), mark: node.mark)
        if let ref = referenceName(namePair.value) {
            // The name itself is a parameter: the other arguments must suit every candidate.
            _ = reference(ref, namePair.value, ArgSpec("name", .oneOf(names), nil, nil, ""))
            if let p = space[ref] {
                for r in Validator.representatives(p.distribution, mark: namePair.value.mark) {
                    var sub = pairs
                    if let i = sub.firstIndex(where: { $0.key.keyText == "name" }) { sub[i].value = r }
                    var scratch = self
                    scratch.sink = DiagnosticSink(file: sink.file)
                    _ = scratch.named(Node(.mapping(sub), mark: node.mark), key: key, table: table, kind: kind)
                    used.formUnion(scratch.used)
                    if let first = scratch.sink.items.first {
                        sink.error(namePair.value.mark, Messages.refInvalid("name", ref, p.distribution.name, first.message))
                        break
                    }
                }
            }
            return nil
        }
        guard let name = namePair.value.string else {
            bad(namePair.value, ArgSpec("name", .string, nil, nil, ""), expected: "a \(kind) name")
            return nil
        }
        guard let e = Catalog.find(name, in: table) else {
            sink.error(namePair.value.mark, Messages.unknownName(kind, name), hint: suggestion(name, names) ?? Messages.validNames(table.map(\.name)))
            return nil
        }
        return args(rest, e, owner: e.name, at: namePair.value.mark)
    }

    /// The arguments of `entry` given in the mapping `node` (or none for null), defaults filled.
    mutating func args(_ node: Node, _ entry: CatalogEntry, owner: String, at mark: Mark) -> (CatalogEntry, [String: Value])? {
        if node.pairs == nil, !(node.scalar == .null) {
            sink.error(node.mark, Messages.layerArgs(owner, describe(node)))
            return nil
        }
        let found = keys(node, entry.args, context: owner)
        let meant = Validator.meantKeys(node, entry.args)
        var out: [String: Value] = [:]
        var ok = true
        for s in entry.args {
            if let p = found[s.name] {
                if let v = arg(p.value, s) { out[s.name] = v } else { ok = false }
            } else if let d = s.defaultValue {
                out[s.name] = defaultValue(d, s) ?? d
            } else {
                if !meant.contains(s.name) { sink.error(mark, Messages.missingArg(s.name, of: owner)) }
                ok = false
            }
        }
        return ok ? (entry, out) : nil
    }

    // MARK: - Sections

    mutating func searchSection(_ node: Node) -> SearchConfig? {
        guard node.pairs != nil else {
            if node.scalar != .null { sink.error(node.mark, Messages.notMapping("search", describe(node))) }
            return node.scalar == .null ? SearchConfig(strategy: .random, trials: 10, cv: 5, scoring: "", refit: true, space: []) : nil
        }
        let specs = Catalog.searchKeys
        let found = keys(node, specs, context: "search")
        let strategy = SearchStrategy(rawValue: value(found, specs, "strategy")?.string ?? "random") ?? .random
        var trials = found["trials"].flatMap { arg($0.value, spec("trials", specs))?.int }
        if found["trials"] == nil, strategy == .random { trials = 10 }
        let cv = value(found, specs, "cv")?.int ?? 5
        let scoring = found["scoring"].flatMap { arg($0.value, spec("scoring", specs))?.string } ?? ""
        let refit = value(found, specs, "refit")?.bool ?? true
        var params: [SearchParameter] = []
        if let sp = found["space"]?.value {
            if let pairs = sp.pairs {
                for p in pairs {
                    guard let name = p.key.string else { sink.error(p.key.mark, Messages.keyNotString(describe(p.key))); continue }
                    if let d = distribution(p.value, name: name, strategy: strategy) {
                        let param = SearchParameter(name: name, distribution: d, line: p.key.mark.line, column: p.key.mark.column)
                        params.append(param)
                        space[name] = param
                    }
                }
            } else if sp.scalar != .null {
                sink.error(sp.mark, Messages.notMapping("space", describe(sp)))
            }
        }
        // Names stay in the space even when their distribution is bad, so references to
        // them are not also reported as undefined.
        if let pairs = found["space"]?.value.pairs {
            for p in pairs { if let n = p.key.string, space[n] == nil { space[n] = SearchParameter(name: n, distribution: .choice([]), line: 0, column: 0); used.insert(n) } }
        }
        var config = SearchConfig(strategy: strategy, trials: trials, cv: cv, scoring: scoring, refit: refit,
                                  space: params.sorted { $0.name < $1.name })
        config.halving = halvingSettings(found, strategy: strategy)
        return config
    }

    private mutating func distribution(_ node: Node, name: String, strategy: SearchStrategy) -> Distribution? {
        let dnames = Catalog.names(Catalog.distributions)
        guard let pairs = node.pairs, pairs.count == 1, let dkey = pairs[0].key.string else {
            sink.error(node.mark, Messages.distributionForm(name, describe(node)))
            return nil
        }
        let keyMark = pairs[0].key.mark
        guard let e = Catalog.find(dkey, in: Catalog.distributions) else {
            sink.error(keyMark, Messages.unknownName("distribution", dkey), hint: suggestion(dkey, dnames) ?? Messages.validNames(dnames))
            return nil
        }
        let v = pairs[0].value
        if strategy == .grid, e.name == "uniform" || e.name == "loguniform" {
            sink.error(keyMark, Messages.gridContinuous(name, dkey))
            return nil
        }
        if e.name == "choice" {
            guard let items = v.items else { sink.error(v.mark, Messages.choiceNotList(describe(v))); return nil }
            guard !items.isEmpty else { sink.error(v.mark, Messages.emptyChoice); return nil }
            return .choice(items.map(Value.init))
        }
        guard let items = v.items, items.count == 2,
              let lo = Value(items[0].scalar ?? .null).double, let hi = Value(items[1].scalar ?? .null).double,
              items[0].scalar != .null, items[1].scalar != .null else {
            sink.error(v.mark, Messages.distributionBounds(dkey, describe(v)))
            return nil
        }
        if e.name == "randint" {
            guard case .int(let a)? = items[0].scalar, case .int(let b)? = items[1].scalar else {
                sink.error(v.mark, Messages.distributionIntegers(Value(v).description))
                return nil
            }
            guard a < b else { sink.error(v.mark, Messages.lowNotBelowHigh(dkey, String(a), String(b))); return nil }
            return .randint(low: a, high: b)
        }
        if e.name == "loguniform" {
            for it in items where (Value(it.scalar ?? .null).double ?? 0) <= 0 {
                sink.error(it.mark, Messages.logBoundNotPositive(dkey, describe(it)))
                return nil
            }
        }
        guard lo < hi, lo.isFinite, hi.isFinite else {
            sink.error(v.mark, Messages.lowNotBelowHigh(dkey, describe(items[0]), describe(items[1])))
            return nil
        }
        return e.name == "uniform" ? .uniform(low: lo, high: hi) : .loguniform(low: lo, high: hi)
    }

    mutating func dataSection(_ node: Node) -> DataConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("data", describe(node))); return nil }
        let specs = Catalog.dataKeys
        let found = keys(node, specs, context: "data")
        requireKeys(found, specs, in: node, context: "data")
        var values: [String: Value] = [:]
        var ok = true
        for s in specs {
            if let p = found[s.name] {
                if let v = arg(p.value, s) { values[s.name] = v } else { ok = false }
            } else if let d = s.defaultValue {
                values[s.name] = d
            }
        }
        guard let source = values["source"]?.string,
              let entry = Catalog.dataSources.first(where: { $0.name == source }),
              let sourcePair = found["source"] else { return nil }
        for p in node.pairs ?? [] {
            if let k = p.key.string, k != "source", found[k] != nil, !entry.keys.contains(k) {
                sink.warning(p.key.mark, Messages.keyNotUsedBySource(k, source))
            }
        }
        for k in entry.required where found[k] == nil {
            sink.error(sourcePair.value.mark, Messages.sourceNeedsKey(source, k))
            ok = false
        }
        guard ok else { return nil }
        func d(_ k: String) -> Double? { values[k]?.double }
        func s(_ k: String) -> String? { values[k]?.string }
        return DataConfig(
            source: entry.kind, path: s("path"), features: values["features"]?.list?.compactMap(\.string), target: s("target"),
            task: s("task").flatMap(TaskKind.init(rawValue:)), dropInvalid: values["drop_invalid"]?.bool ?? false, x: s("x"), y: s("y"),
            weights: values["weights"]?.list?.compactMap(\.double), bias: d("bias") ?? 0,
            samples: values["samples"]?.int ?? 1000, noise: d("noise") ?? 0,
            table: values["table"]?.list?.map { $0.list?.compactMap(\.double) ?? [] },
            function: s("function").flatMap(Function2DKind.init(rawValue:)), range: values["range"]?.list?.compactMap(\.double) ?? [-0.5, 0.5],
            classes: values["classes"]?.int ?? 2, inputs: values["inputs"]?.int ?? 10,
            quantity: s("quantity").flatMap(StellarQuantityKind.init(rawValue:)) ?? .logLuminosity,
            massRange: values["mass_range"]?.list?.compactMap(\.double) ?? [0.1, 100],
            metallicityRange: values["metallicity_range"]?.list?.compactMap(\.double) ?? [0.0001, 0.03], limit: values["limit"]?.int, preprocess: s("preprocess").flatMap(PreprocessMethod.init(rawValue:)) ?? .none,
            testFraction: d("test_fraction") ?? 0.2, test: values["test"]?.bool ?? true)
    }

    mutating func modelSection(_ node: Node) -> ModelConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("model", describe(node))); return nil }
        let specs = Catalog.modelKeys
        let found = keys(node, specs, context: "model")
        requireKeys(found, specs, in: node, context: "model")
        let shape = found["input_shape"].map { arg($0.value, spec("input_shape", specs)) }
        guard let layersNode = found["layers"]?.value else { return nil }
        guard layersNode.items != nil else { sink.error(layersNode.mark, Messages.notList("layers", describe(layersNode))); return nil }
        if layersNode.items?.isEmpty == true { sink.error(layersNode.mark, Messages.emptyLayers); return nil }
        let layers = layerList(layersNode)
        if case .some(.none) = shape { return nil }
        guard let layers else { return nil }
        return ModelConfig(inputShape: shape??.list?.compactMap(\.int), layers: layers)
    }

    private mutating func layerList(_ node: Node) -> [LayerConfig]? {
        var out: [LayerConfig] = []
        var ok = true
        let layerNames = Catalog.layers.map(\.name)
        for item in node.items ?? [] {
            // `- Flatten` is short for `- Flatten: {}`.
            if let name = item.string, let e = Catalog.find(name, in: Catalog.layers) {
                if let (_, a) = args(Node(.mapping([]), mark: item.mark), e, owner: e.name, at: item.mark) {
                    out.append(layer(e.kind(), a, item.mark))
                } else { ok = false }
                continue
            }
            guard let pairs = item.pairs, !pairs.isEmpty else {
                if let name = item.string {
                    sink.error(item.mark, Messages.unknownName("layer", name), hint: suggestion(name, layerNames + ["repeat"]))
                } else {
                    sink.error(item.mark, Messages.layerForm(describe(item)))
                }
                ok = false
                continue
            }
            if pairs.contains(where: { $0.key.keyText == "repeat" }) {
                if let block = repeatBlock(item) { out.append(contentsOf: block) } else { ok = false }
                continue
            }
            guard pairs.count == 1 else {
                sink.error(pairs[1].key.mark, Messages.layerTooManyKeys(pairs.compactMap(\.key.keyText)))
                ok = false
                continue
            }
            let key = pairs[0].key
            guard let name = key.string, let e = Catalog.find(name, in: Catalog.layers) else {
                let name = key.keyText ?? ""
                sink.error(key.mark, Messages.unknownName("layer", name), hint: suggestion(name, layerNames + ["repeat"]))
                ok = false
                continue
            }
            if let (_, a) = args(pairs[0].value, e, owner: e.name, at: key.mark) {
                out.append(layer(e.kind(), a, key.mark))
            } else { ok = false }
        }
        return ok ? out : nil
    }

    private func layer(_ kind: LayerKind, _ args: [String: Value], _ mark: Mark) -> LayerConfig {
        var args = args
        if args["strides"] == .null, let pool = args["pool_size"] { args["strides"] = pool }
        return LayerConfig(kind: kind, args: args, line: mark.line, column: mark.column)
    }

    private mutating func repeatBlock(_ item: Node) -> [LayerConfig]? {
        let specs = [ArgSpec("repeat", .int, nil, .nonNegative, "how many times the block repeats"),
                     ArgSpec("layers", .structure("a list of layers"), nil, nil, "the block")]
        let found = keys(item, specs, context: "a repeat block")
        let count = found["repeat"].flatMap { arg($0.value, specs[0]) }
        guard let layersNode = found["layers"]?.value else { sink.error(item.mark, Messages.repeatNeedsLayers); return nil }
        guard layersNode.items != nil else { sink.error(layersNode.mark, Messages.notList("layers", describe(layersNode))); return nil }
        if layersNode.items?.isEmpty == true { sink.error(layersNode.mark, Messages.emptyLayers); return nil }
        guard let block = layerList(layersNode), let count else { return nil }
        let n = count.int ?? 1   // a reference checks as .null: keep one copy for validation
        return Array(repeating: block, count: max(n, 0)).flatMap { $0 }
    }

    mutating func compileSection(_ node: Node) -> CompileConfig? {
        guard node.pairs != nil else { sink.error(node.mark, Messages.notMapping("compile", describe(node))); return nil }
        let specs = Catalog.compileKeys
        let found = keys(node, specs, context: "compile")
        requireKeys(found, specs, in: node, context: "compile")
        let loss = found["loss"].flatMap { named($0.value, key: "loss", table: Catalog.losses, kind: "loss") }
        let optNode = found["optimizer"]?.value ?? Node.scalar("rmsprop", mark: node.mark)
        let opt = named(optNode, key: "optimizer", table: Catalog.optimizers, kind: "optimizer")
        var metrics: [String] = []
        var ok = true
        if let m = found["metrics"]?.value {
            if let items = m.items {
                let names = Catalog.names(Catalog.metrics)
                for it in items {
                    if let v = arg(it, ArgSpec("metrics", .oneOf(names), nil, nil, "")) {
                        if let s = v.string, let e = Catalog.find(s, in: Catalog.metrics) { metrics.append(e.name) }
                    } else { ok = false }
                }
            } else if let one = m.string, Catalog.find(one, in: Catalog.metrics) != nil {
                metrics = [Catalog.find(one, in: Catalog.metrics)!.name]
            } else {
                sink.error(m.mark, Messages.notList("metrics", describe(m)))
                ok = false
            }
        }
        guard ok, let (lossEntry, lossArgs) = loss, let (optEntry, optArgs) = opt else { return nil }
        var rest = optArgs
        let lrValue = rest.removeValue(forKey: "learning_rate") ?? .double(0.001)
        let lr: LearningRateSetting
        if let m = lrValue.map, let kind = m["name"]?.string.flatMap(ScheduleKind.init(rawValue:)) {
            let initial = m["initial_learning_rate"]?.double ?? 0.01
            let steps = m["decay_steps"]?.int ?? 1
            switch kind {
            case .exponentialDecay:
                lr = .exponentialDecay(initial: initial, decaySteps: steps, decayRate: m["decay_rate"]?.double ?? 1,
                                       staircase: m["staircase"]?.bool ?? false)
            case .cosineDecay:
                lr = .cosineDecay(initial: initial, decaySteps: steps, alpha: m["alpha"]?.double ?? 0)
            }
        } else {
            lr = .constant(lrValue.double ?? 0.001)
        }
        return CompileConfig(loss: LossConfig(kind: lossEntry.kind(), args: lossArgs),
                             optimizer: OptimizerConfig(kind: optEntry.kind(), learningRate: lr, args: rest),
                             metrics: metrics)
    }

    mutating func fitSection(_ node: Node) -> FitArguments {
        let specs = Catalog.fitKeys
        if node.pairs == nil, node.scalar != .null { sink.error(node.mark, Messages.notMapping("fit", describe(node))) }
        let found = keys(node, specs, context: "fit")
        let epochs = value(found, specs, "epochs")?.int ?? 1
        let batch = value(found, specs, "batch_size")?.int ?? 32
        let split = value(found, specs, "validation_split")?.double ?? 0
        let shuffle = value(found, specs, "shuffle")?.bool ?? true
        var callbacks: [CallbackConfig] = []
        if let c = found["callbacks"]?.value {
            if let items = c.items {
                let names = Catalog.callbacks.map(\.name)
                for it in items {
                    var name: String?, argNode = Node(.mapping([]), mark: it.mark), keyMark = it.mark
                    if let s = it.string { name = s }
                    else if let pairs = it.pairs, pairs.count == 1, let k = pairs[0].key.string {
                        name = k; argNode = pairs[0].value; keyMark = pairs[0].key.mark
                    } else {
                        sink.error(it.mark, Messages.callbackForm(describe(it)))
                        continue
                    }
                    guard let name, let e = Catalog.find(name, in: Catalog.callbacks) else {
                        sink.error(keyMark, Messages.unknownName("callback", name ?? ""), hint: suggestion(name ?? "", names) ?? Messages.validNames(names))
                        continue
                    }
                    if let (_, a) = args(argNode, e, owner: e.name, at: keyMark) {
                        callbacks.append(CallbackConfig(kind: e.kind(), args: a, line: keyMark.line, column: keyMark.column))
                        // Keras warns and ignores a callback watching val_ metrics without validation data.
                        if let monitor = a["monitor"]?.string, monitor.hasPrefix("val_"), split == 0 {
                            sink.warning(keyMark, Messages.monitorWithoutValidation(e.name, monitor))
                        }
                    }
                }
            } else if c.scalar != .null {
                sink.error(c.mark, Messages.notList("callbacks", describe(c)))
            }
        }
        return FitArguments(epochs: epochs, batchSize: batch, validationSplit: split, shuffle: shuffle, callbacks: callbacks)
    }
}
