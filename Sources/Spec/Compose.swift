/// Builds the node tree from libyaml's events, as pure Swift passes: aliases are replaced by
/// copies of their anchored nodes, merge keys (`<<`) are applied (explicit keys win), and
/// duplicate keys and extra documents are reported.
struct Composer {
    private var events: [YAMLEvent]
    private var index = 0
    private var anchors: [String: Node] = [:]
    /// Each anchor's node count, for the alias budget.
    private var anchorSizes: [String: Int] = [:]
    /// Nodes composed so far, every alias counted as the whole node it copies.
    private(set) var expanded = 0
    private var reportedBudget = false
    private(set) var sink: DiagnosticSink

    /// Parses and composes `text`; returns the root node of the single document (nil for an
    /// empty file or a syntax error) and the diagnostics found.
    static func compose(_ text: String, file: String, rebase: ((Mark) -> Mark)? = nil) -> (Node?, [Diagnostic]) {
        let (events, error) = parseEvents(text)
        var sink = DiagnosticSink(file: file)
        if let error {
            let mark = rebase?(error.mark) ?? error.mark
            // libyaml reports a tab as "a character that cannot start any token"; say why.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = error.mark.line - 1 < lines.count ? Array(lines[error.mark.line - 1]) : []
            let tab = error.mark.column - 1 < line.count && line[error.mark.column - 1] == "\t"
            sink.error(mark, Messages.syntax(error.problem, context: error.context), hint: tab ? Messages.tabHint : nil)
            return (nil, sink.items)
        }
        let rebased = events.map { e in
            var e = e
            if let rebase { e.mark = rebase(e.mark) }
            return e
        }
        // Checked before any recursion: the composer and every later pass recurse once per level.
        if let deep = firstTooDeep(rebased) {
            sink.error(deep.mark, Messages.tooDeep(maxDepth))
            return (nil, sink.items)
        }
        var c = Composer(events: rebased, sink: sink)
        let root = c.document()
        if c.expanded > maxNodes {
            return (nil, c.sink.items)
        }
        return (root, c.sink.items)
    }

    /// The deepest nesting of sequences and mappings a file may have.
    static let maxDepth = 64
    /// The most nodes a file may have once its aliases are expanded (a "billion laughs" file
    /// of a few lines would otherwise expand until memory runs out), as libyaml-based loaders
    /// with alias limits do.
    static let maxNodes = 100_000

    /// The first event that opens a collection deeper than `maxDepth`, found without recursion.
    private static func firstTooDeep(_ events: [YAMLEvent]) -> YAMLEvent? {
        var depth = 0
        for e in events {
            switch e.kind {
            case .sequenceStart, .mappingStart:
                depth += 1
                if depth > maxDepth { return e }
            case .sequenceEnd, .mappingEnd:
                depth -= 1
            default:
                break
            }
        }
        return nil
    }

    private init(events: [YAMLEvent], sink: DiagnosticSink) {
        self.events = events
        self.sink = sink
    }

    private mutating func document() -> Node? {
        var root: Node?
        var documents = 0
        while index < events.count {
            let e = events[index]
            switch e.kind {
            case .documentStart:
                documents += 1
                index += 1
                if documents == 2 {
                    sink.error(e.mark, Messages.multipleDocuments)
                }
                let node = self.node()
                if documents == 1 { root = node }
            default:
                index += 1
            }
        }
        return root
    }

    /// Counts `n` nodes against the budget; past it, reports once and says to stop expanding.
    /// The count stops just past the budget, so an anchor built from aliases of aliases (sizes
    /// growing tenfold a level) can never overflow it.
    private mutating func spend(_ n: Int, at mark: Mark) -> Bool {
        expanded = min(expanded + min(n, Self.maxNodes + 1), Self.maxNodes + 1)
        guard expanded > Self.maxNodes else { return true }
        if !reportedBudget {
            sink.error(mark, Messages.aliasBudget(Self.maxNodes))
            reportedBudget = true
        }
        return false
    }

    private mutating func node() -> Node {
        let e = events[index]
        index += 1
        let start = expanded
        switch e.kind {
        case .alias(let name):
            if let n = anchors[name] {
                // Past the budget the alias stays unexpanded: the file is refused anyway.
                return spend(anchorSizes[name] ?? 1, at: e.mark) ? n : Node.scalar("", mark: e.mark)
            }
            sink.error(e.mark, Messages.undefinedAlias(name))
            return Node.scalar("", mark: e.mark)
        case .scalar(let text, let anchor, let tag, let quoted):
            _ = spend(1, at: e.mark)
            let n = scalar(text, tag: tag, quoted: quoted, mark: e.mark)
            if let anchor { anchors[anchor] = n; anchorSizes[anchor] = 1 }
            return n
        case .sequenceStart(let anchor, let tag):
            _ = spend(1, at: e.mark)
            checkCollectionTag(tag, expected: "tag:yaml.org,2002:seq", mark: e.mark)
            var items: [Node] = []
            while index < events.count {
                if case .sequenceEnd = events[index].kind { index += 1; break }
                items.append(node())
            }
            let n = Node(.sequence(items), mark: e.mark)
            if let anchor { anchors[anchor] = n; anchorSizes[anchor] = expanded - start }
            return n
        case .mappingStart(let anchor, let tag):
            _ = spend(1, at: e.mark)
            checkCollectionTag(tag, expected: "tag:yaml.org,2002:map", mark: e.mark)
            var pairs: [Pair] = []
            while index < events.count {
                if case .mappingEnd = events[index].kind { index += 1; break }
                let k = node()
                guard index < events.count else { break }
                let v = node()
                pairs.append(Pair(key: k, value: v))
            }
            let n = Node(.mapping(merge(pairs)), mark: e.mark)
            if let anchor { anchors[anchor] = n; anchorSizes[anchor] = expanded - start }
            return n
        default:
            return Node.scalar("", mark: e.mark)
        }
    }

    /// A scalar typed by its tag when it has one (the YAML 1.2 core tags `!!str`, `!!int`,
    /// `!!float`, `!!bool`, `!!null`; `!` alone means a string), else by the core schema (a
    /// quoted scalar is a string). A value its tag cannot hold, another tag, or an integer
    /// beyond 64 bits is a located error.
    private mutating func scalar(_ text: String, tag: String?, quoted: Bool, mark: Mark) -> Node {
        let core = "tag:yaml.org,2002:"
        guard let tag, tag != "?" else {
            if !quoted, isIntegerText(text), typeScalar(text).isNotInt { sink.error(mark, Messages.integerTooLarge(text)) }
            return Node.scalar(text, quoted: quoted, mark: mark)
        }
        func typed(_ v: ScalarValue) -> Node { Node(.scalar(text: text, value: v, quoted: quoted), mark: mark) }
        let plain = typeScalar(text)
        switch tag {
        case "!", core + "str":
            return typed(.string(text))
        case core + "int":
            if case .int = plain { return typed(plain) }
            sink.error(mark, isIntegerText(text) ? Messages.integerTooLarge(text) : Messages.badTagged(text, "!!int", Messages.Expected.integer))
        case core + "float":
            switch plain {
            case .double: return typed(plain)
            case .int(let v): return typed(.double(Double(v)))
            default:
                if isIntegerText(text), let v = Double(text) { return typed(.double(v)) }
                sink.error(mark, Messages.badTagged(text, "!!float", Messages.Expected.number))
            }
        case core + "bool":
            if case .bool = plain { return typed(plain) }
            sink.error(mark, Messages.badTagged(text, "!!bool", Messages.Expected.bool))
        case core + "null":
            if plain == .null { return typed(.null) }
            sink.error(mark, Messages.badTagged(text, "!!null", Messages.Expected.null))
        case core + "seq", core + "map":
            sink.error(mark, Messages.tagMismatch(shortTag(tag), Messages.Described.scalar))
        default:
            sink.error(mark, Messages.unknownTag(shortTag(tag)))
        }
        return typed(.string(text))
    }

    /// Only `!!seq` on a sequence and `!!map` on a mapping (or no tag) are accepted.
    private mutating func checkCollectionTag(_ tag: String?, expected: String, mark: Mark) {
        guard let tag, tag != expected, tag != "!" else { return }
        let core = ["tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int",
                    "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"]
        let what = expected.hasSuffix("seq") ? Messages.Described.list : Messages.Described.mapping
        sink.error(mark, core.contains(tag) ? Messages.tagMismatch(shortTag(tag), what) : Messages.unknownTag(shortTag(tag)))
    }

    private func shortTag(_ tag: String) -> String {
        tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
    }

    /// Applies merge keys and reports duplicate keys. Explicit keys win over merged ones; among
    /// several merged mappings the earlier one wins, as in the YAML merge-key spec.
    private mutating func merge(_ pairs: [Pair]) -> [Pair] {
        var explicit: [Pair] = []
        var seen: [String: Mark] = [:]
        var merged: [Pair] = []
        for p in pairs {
            if p.key.keyText == "<<", case .scalar(_, _, false) = p.key.kind {
                switch p.value.kind {
                case .mapping(let m): merged.append(contentsOf: m)
                case .sequence(let items):
                    for item in items {
                        if let m = item.pairs { merged.append(contentsOf: m) }
                        else { sink.error(item.mark, Messages.badMerge(describe(item))) }
                    }
                default: sink.error(p.value.mark, Messages.badMerge(describe(p.value)))
                }
                continue
            }
            if let text = p.key.keyText {
                if let first = seen[text] {
                    sink.error(p.key.mark, Messages.duplicateKey(text, first: first))
                    continue
                }
                seen[text] = p.key.mark
            }
            explicit.append(p)
        }
        for p in merged {
            guard let text = p.key.keyText, seen[text] == nil else { continue }
            seen[text] = p.key.mark
            explicit.append(p)
        }
        return explicit
    }
}

/// A short description of a node for messages: `'text'` for a string, the text for other
/// scalars, "a list" or "a mapping" otherwise.
func describe(_ node: Node) -> String {
    switch node.kind {
    case .scalar(let text, let value, _):
        switch value {
        case .string: return "'\(text)'"
        case .null: return Messages.Described.nothing
        default: return text
        }
    case .sequence(let items):
        if items.count <= 8, items.allSatisfy({ $0.scalar != nil }) { return Value(node).description }
        return Messages.Described.list
    case .mapping: return Messages.Described.mapping
    }
}

/// Whether `text` is a decimal, octal (`0o`) or hexadecimal (`0x`) integer in the core
/// schema's notation, whatever its size.
func isIntegerText(_ text: String) -> Bool {
    let u = Array(text.utf8)
    func all(_ from: Int, _ ok: (UInt8) -> Bool) -> Bool { u.count > from && u[from...].allSatisfy(ok) }
    if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "o") { return all(2) { (48...55).contains($0) } }
    if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "x") { return all(2) { (48...57).contains($0) || (65...70).contains($0) || (97...102).contains($0) } }
    let sign = u.first == UInt8(ascii: "-") || u.first == UInt8(ascii: "+") ? 1 : 0
    return all(sign) { (48...57).contains($0) }
}

private extension ScalarValue {
    var isNotInt: Bool {
        if case .int = self { return false }
        return true
    }
}
