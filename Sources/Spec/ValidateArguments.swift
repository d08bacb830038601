// Validation of one value against its argument (ArgSpec): type, range, names from a table, and
// the `{name: ..., argument: ...}` mappings of initializers, schedules, losses and optimizers.
// Each check returns what it found, the normalized value or why it failed; the diagnostics go
// to the sink.

/// What a bad value was expected to be, and what it was, for a `$reference`'s message
/// ("'units' expects an integer > 0, but parameter 'u' (choice) can give 0").
struct Mismatch {
    var expected: String
    var got: String
}

/// The outcome of a check: the normalized value, or a failure (already reported) with the
/// mismatch behind it when the value was of the wrong kind (the last one, in a mapping).
enum Checked<T> {
    case ok(T)
    case failed(Mismatch?)

    var value: T? {
        if case .ok(let v) = self { return v }
        return nil
    }

    var mismatch: Mismatch? {
        if case .failed(let m) = self { return m }
        return nil
    }

    func map<U>(_ transform: (T) -> U) -> Checked<U> {
        switch self {
        case .ok(let v): .ok(transform(v))
        case .failed(let m): .failed(m)
        }
    }
}

extension Validator {
    /// Reports `node` as not what `s` expects; returns the mismatch.
    mutating func bad<T>(_ node: Node, _ s: ArgSpec, expected: String, hint: String? = nil) -> Checked<T> {
        let got = describe(node)
        sink.error(node.mark, Messages.badValue(s.name, expected: expected, got: got), hint: hint)
        return .failed(Mismatch(expected: expected, got: got))
    }

    private func expectation(_ s: ArgSpec, _ base: String) -> String {
        s.range.map { "\(base) \($0.text)" } ?? base
    }

    /// The normalized value of `node` for `s`, or nil after reporting.
    mutating func arg(_ node: Node, _ s: ArgSpec) -> Value? { check(node, s).value }

    /// Checks `node` against `s`. A `$reference` is checked against every kind of value its
    /// distribution can give (ValidateReferences.swift).
    mutating func check(_ node: Node, _ s: ArgSpec) -> Checked<Value> {
        if let name = referenceName(node) { return reference(name, node, s) }
        if case .scalar(_, .null, _) = node.kind, s.defaultValue == .null { return .ok(.null) }
        switch s.type {
        case .int:
            guard case .int(let i)? = node.scalar else { return bad(node, s, expected: expectation(s, Messages.Expected.integer)) }
            if let r = s.range, !r.contains(Double(i)) { return bad(node, s, expected: expectation(s, Messages.Expected.integer)) }
            return .ok(.int(i))
        case .number:
            guard let d = Value(node.scalar ?? .null).double, let sv = node.scalar, sv != .null else {
                return bad(node, s, expected: expectation(s, Messages.Expected.number))
            }
            if let r = s.range, !r.contains(d) { return bad(node, s, expected: expectation(s, Messages.Expected.number)) }
            return .ok(.double(d))
        case .bool:
            guard case .bool(let b)? = node.scalar else { return bad(node, s, expected: Messages.Expected.bool) }
            return .ok(.bool(b))
        case .string:
            guard let str = node.string else { return bad(node, s, expected: Messages.Expected.string) }
            return .ok(.string(str))
        case .oneOf(let words):
            return word(node, s, words)
        case .activation:
            return word(node, s, Catalog.names(Catalog.activations), activation: true)
        case .initializer:
            return named(node, key: s.name, table: Catalog.initializers, kind: "initializer").map { e, args in
                .map(args.merging(["name": .string(e.name)]) { a, _ in a })
            }
        case .regularizer:
            return regularizer(node, s)
        case .intOrPair:
            let r = s.range ?? .positive
            if case .int(let i)? = node.scalar, r.contains(Double(i)) { return .ok(.list([.int(i), .int(i)])) }
            if let items = node.items, items.count == 2,
               case .int(let a)? = items[0].scalar, case .int(let b)? = items[1].scalar,
               r.contains(Double(a)), r.contains(Double(b)) {
                return .ok(.list([.int(a), .int(b)]))
            }
            return bad(node, s, expected: Messages.Expected.intOrPair(r.text))
        case .shape:
            if let items = node.items, !items.isEmpty {
                var out: [Value] = []
                for it in items {
                    guard case .int(let i)? = it.scalar, i > 0 else { break }
                    out.append(.int(i))
                }
                if out.count == items.count { return .ok(.list(out)) }
            }
            return bad(node, s, expected: Messages.Expected.shape)
        case .numberList:
            if let items = node.items, !items.isEmpty {
                let ds = items.compactMap { it -> Double? in it.scalar == .null ? nil : Value(it.scalar ?? .null).double }
                if ds.count == items.count { return .ok(.list(ds.map { .double($0) })) }
            }
            return bad(node, s, expected: Messages.Expected.numberList)
        case .stringList:
            if let items = node.items {
                let ss = items.compactMap(\.string)
                if ss.count == items.count { return .ok(.list(ss.map { .string($0) })) }
            }
            return bad(node, s, expected: Messages.Expected.stringList)
        case .learningRate:
            if node.pairs != nil {
                return named(node, key: s.name, table: Catalog.schedules, kind: "schedule").map { e, args in
                    .map(args.merging(["name": .string(e.name)]) { a, _ in a })
                }
            }
            guard let d = Value(node.scalar ?? .null).double, node.scalar != .null, d > 0, d.isFinite else {
                return bad(node, s, expected: Messages.Expected.learningRate)
            }
            return .ok(.double(d))
        case .table:
            if let name = node.string {
                if let t = Validator.namedTables[name] { return .ok(.list(t.map { .list($0.map { .double($0) }) })) }
                return bad(node, s, expected: Messages.Expected.tableName, hint: suggestion(name, Array(Validator.namedTables.keys).sorted()))
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
                    if n >= 2, out.allSatisfy({ $0.count == n }) { return .ok(.list(out.map { .list($0.map { .double($0) }) })) }
                    sink.error(node.mark, Messages.tableRows)
                    return .failed(nil)
                }
            }
            return bad(node, s, expected: Messages.Expected.table)
        case .rows:
            if let rows = node.items, !rows.isEmpty {
                let out = rows.map { r in (r.items ?? []).compactMap { c in c.scalar == .null ? nil : Value(c.scalar ?? .null).double } }
                if zip(rows, out).allSatisfy({ ($0.items?.count ?? -1) == $1.count }), let n = out.first?.count, n > 0,
                   out.allSatisfy({ $0.count == n }) {
                    return .ok(.list(out.map { .list($0.map { .double($0) }) }))
                }
            }
            return bad(node, s, expected: Messages.Expected.rows)
        case .interval:
            if let items = node.items, items.count == 2,
               let a = Value(items[0].scalar ?? .null).double, let b = Value(items[1].scalar ?? .null).double, a < b,
               s.range.map({ $0.contains(a) && $0.contains(b) }) ?? true {
                return .ok(.list([.double(a), .double(b)]))
            }
            return bad(node, s, expected: Messages.Expected.interval(within: s.range?.text))
        case .countOrWord(let words):
            let r = s.range ?? .positive
            if case .int(let i)? = node.scalar, i > 0, r.contains(Double(i)) { return .ok(.int(i)) }
            if let w = node.string, words.contains(w) { return .ok(.string(w)) }
            return bad(node, s, expected: Messages.Expected.countOrWord(r.text, words),
                       hint: node.string.flatMap { suggestion($0, words) })
        case .structure(let what):
            return bad(node, s, expected: what)
        }
    }

    static let namedTables: [String: [[Double]]] = [
        "xor": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]],
        "and": [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]],
        "or": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]],
    ]

    /// One of `words`; for activations (`activation`), a name of the table, made canonical.
    private mutating func word(_ node: Node, _ s: ArgSpec, _ words: [String], activation: Bool = false) -> Checked<Value> {
        guard let w = node.string else {
            return bad(node, s, expected: activation ? Messages.Expected.activationName : Messages.Expected.oneOf(words))
        }
        if words.contains(w) {
            if activation, let e = Catalog.find(w, in: Catalog.activations) { return .ok(.string(e.name)) }
            return .ok(.string(w))
        }
        if activation {
            sink.error(node.mark, Messages.unknownName("activation", w), hint: suggestion(w, words) ?? Messages.validNames(words))
            return .failed(Mismatch(expected: Messages.Expected.activationName, got: "'\(w)'"))
        }
        return bad(node, s, expected: Messages.Expected.oneOf(words), hint: suggestion(w, words))
    }

    /// A regularizer: a name from the table (its factors at their defaults) or a mapping of
    /// the factors `{l1: a, l2: b}` (the table's `l1_l2` arguments), one of them at least.
    private mutating func regularizer(_ node: Node, _ s: ArgSpec) -> Checked<Value> {
        if let name = node.string {
            guard let e = Catalog.find(name, in: Catalog.regularizers) else {
                sink.error(node.mark, Messages.unknownName("regularizer", name), hint: suggestion(name, Catalog.names(Catalog.regularizers)))
                return .failed(Mismatch(expected: Messages.Expected.regularizerName, got: "'\(name)'"))
            }
            // A factor the entry does not take is 0 (`l2` sets no l1 penalty).
            var factors: [String: Value] = [:]
            for f in Catalog.regularizerFactors { factors[f.name] = e.arg(f.name)?.defaultValue ?? .double(0) }
            return .ok(.map(factors))
        }
        guard node.pairs != nil else { return bad(node, s, expected: Messages.Expected.regularizer) }
        let specs = Catalog.regularizerFactors
        let found = keys(node, specs, context: Messages.Context.quoted(s.name))
        if found.isEmpty {
            if node.pairs?.isEmpty ?? true { sink.error(node.mark, Messages.emptyRegularizer) }
            return .failed(nil)
        }
        var factors: [String: Value] = [:]
        var mismatch: Mismatch?, ok = true
        for f in specs {
            guard let p = found[f.name] else { factors[f.name] = .double(0); continue }
            switch check(p.value, f) {
            case .ok(let v): factors[f.name] = v
            case .failed(let m): ok = false; mismatch = m ?? mismatch
            }
        }
        return ok ? .ok(.map(factors)) : .failed(mismatch)
    }

    /// A name from `table`, or a mapping `{name: ..., arg: ...}`; the entry and its arguments
    /// with defaults filled.
    mutating func named(_ node: Node, key: String, table: [CatalogEntry], kind: String) -> Checked<(CatalogEntry, [String: Value])> {
        let names = Catalog.names(table)
        if let ref = referenceName(node) {
            _ = reference(ref, node, ArgSpec(key, .oneOf(names), nil, nil, ""))
            return .failed(nil)
        }
        if let name = node.string {
            guard let e = Catalog.find(name, in: table) else {
                sink.error(node.mark, Messages.unknownName(kind, name), hint: suggestion(name, names) ?? Messages.validNames(table.map(\.name)))
                return .failed(Mismatch(expected: Messages.Expected.known(kind), got: "'\(name)'"))
            }
            return args(Node(.mapping([]), mark: node.mark), e, owner: e.name, at: node.mark)
        }
        guard let pairs = node.pairs else {
            return bad(node, ArgSpec(key, .string, nil, nil, ""), expected: Messages.Expected.nameOrMapping(kind))
        }
        guard let namePair = pairs.first(where: { $0.key.keyText == "name" }) else {
            sink.error(node.mark, Messages.namedNeedsName(Messages.Context.quoted(key)))
            return .failed(nil)
        }
        let rest = Node(.mapping(pairs.filter { $0.key.keyText != "name" }), mark: node.mark)
        if let ref = referenceName(namePair.value) {
            namedByReference(ref, namePair.value, pairs: pairs, at: node.mark, key: key, table: table, kind: kind)
            return .failed(nil)
        }
        guard let name = namePair.value.string else {
            return bad(namePair.value, ArgSpec("name", .string, nil, nil, ""), expected: Messages.Expected.name(kind))
        }
        guard let e = Catalog.find(name, in: table) else {
            sink.error(namePair.value.mark, Messages.unknownName(kind, name), hint: suggestion(name, names) ?? Messages.validNames(table.map(\.name)))
            return .failed(nil)
        }
        return args(rest, e, owner: e.name, at: namePair.value.mark)
    }

    /// The arguments of `entry` given in the mapping `node` (or none for null), defaults filled.
    mutating func args(_ node: Node, _ entry: CatalogEntry, owner: String, at mark: Mark) -> Checked<(CatalogEntry, [String: Value])> {
        if node.pairs == nil, !(node.scalar == .null) {
            sink.error(node.mark, Messages.layerArgs(owner, describe(node)))
            return .failed(nil)
        }
        let found = keys(node, entry.args, context: owner)
        let meant = Validator.meantKeys(node, entry.args)
        var out: [String: Value] = [:]
        var ok = true
        var mismatch: Mismatch?
        for s in entry.args {
            if let p = found[s.name] {
                switch check(p.value, s) {
                case .ok(let v): out[s.name] = v
                case .failed(let m): ok = false; mismatch = m ?? mismatch
                }
            } else if let d = s.defaultValue {
                out[s.name] = defaultValue(d, s) ?? d
            } else {
                if !meant.contains(s.name) { sink.error(mark, Messages.missingArg(s.name, of: owner)) }
                ok = false
            }
        }
        return ok ? .ok((entry, out)) : .failed(mismatch)
    }
}
