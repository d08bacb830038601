// `$references` to search parameters: where they may stand (under model, compile and fit, when
// the file is checked as a template), whether every value a parameter's distribution can give
// fits the argument, and their substitution when a trial is resolved.

/// The name of a `$reference`: a plain (unquoted) scalar `$name`.
func referenceName(_ node: Node) -> String? {
    guard case .scalar(let text, .string, false) = node.kind, text.hasPrefix("$"), text.count > 1 else { return nil }
    return String(text.dropFirst())
}

/// The parameters a template may refer to, and those it has referred to so far. A validator
/// has these only while checking model, compile and fit as templates; anywhere else a
/// reference is an error.
struct References {
    /// The search space by name (a parameter whose distribution is bad is here too, with no
    /// values, so that references to it are not also reported as undefined).
    var space: [String: SearchParameter]
    var used: Set<String>
}

extension Validator {
    /// A reference where `s` is expected: defined in the space, marked used, and every kind of
    /// value its distribution can give fits `s`. A template's value is not known: `.null`.
    mutating func reference(_ name: String, _ node: Node, _ s: ArgSpec) -> Checked<Value> {
        guard var refs = references else { sink.error(node.mark, Messages.refOutsideTemplate); return .failed(nil) }
        guard let p = refs.space[name] else {
            if refs.space.isEmpty { sink.error(node.mark, Messages.undefinedRef(name), hint: Messages.noSpaceForRefs) }
            else { sink.error(node.mark, Messages.undefinedRef(name), hint: closest(to: name, in: refs.space.keys.sorted()).map { Messages.didYouMean("$" + $0) }) }
            return .failed(nil)
        }
        refs.used.insert(name)
        references = refs
        for r in Validator.representatives(p.distribution, mark: node.mark) {
            var scratch = Validator(file: sink.file)
            switch scratch.check(r, s) {
            case .ok: continue
            case .failed(let m?):
                sink.error(node.mark, Messages.refMismatch(s.name, name, p.distribution.name, expected: m.expected, got: m.got))
            case .failed(nil):
                sink.error(node.mark, Messages.refInvalid(s.name, name, p.distribution.name, scratch.sink.items.first?.message ?? ""))
            }
            return .failed(nil)
        }
        return .ok(.null)
    }

    /// A `{name: $p, ...}` mapping whose name is a parameter: the other arguments must suit
    /// every name the parameter can give.
    mutating func namedByReference(_ ref: String, _ nameNode: Node, pairs: [Pair], at mark: Mark,
                                   key: String, table: [CatalogEntry], kind: String) {
        _ = reference(ref, nameNode, ArgSpec("name", .oneOf(Catalog.names(table)), nil, nil, ""))
        guard let p = references?.space[ref] else { return }
        for r in Validator.representatives(p.distribution, mark: nameNode.mark) {
            var sub = pairs
            if let i = sub.firstIndex(where: { $0.key.keyText == "name" }) { sub[i].value = r }
            var scratch = self
            scratch.sink = DiagnosticSink(file: sink.file)
            _ = scratch.named(Node(.mapping(sub), mark: mark), key: key, table: table, kind: kind)
            references?.used.formUnion(scratch.references?.used ?? [])
            if let first = scratch.sink.items.first {
                sink.error(nameNode.mark, Messages.refInvalid("name", ref, p.distribution.name, first.message))
                break
            }
        }
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

    /// Replaces every `$name` with the value given for it (reporting ones with no value).
    mutating func substitute(_ node: Node, _ values: [String: Value]) -> Node {
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

    /// A value as a node at `mark` (strings quoted, so a substituted "$x" is not a reference).
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
}
