/// Builds the node tree from libyaml's events, as pure Swift passes: aliases are replaced by
/// copies of their anchored nodes, merge keys (`<<`) are applied (explicit keys win), and
/// duplicate keys and extra documents are reported.
struct Composer {
    private var events: [YAMLEvent]
    private var index = 0
    private var anchors: [String: Node] = [:]
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
        var c = Composer(events: events.map { e in
            var e = e
            if let rebase { e.mark = rebase(e.mark) }
            return e
        }, sink: sink)
        let root = c.document()
        return (root, c.sink.items)
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

    private mutating func node() -> Node {
        let e = events[index]
        index += 1
        switch e.kind {
        case .alias(let name):
            if let n = anchors[name] { return n }
            sink.error(e.mark, Messages.undefinedAlias(name))
            return Node.scalar("", mark: e.mark)
        case .scalar(let text, let anchor, let tag, let quoted):
            let forceString = quoted || tag == "tag:yaml.org,2002:str"
            var n = Node.scalar(text, quoted: forceString, mark: e.mark)
            if forceString, case .scalar = n.kind { n.kind = .scalar(text: text, value: .string(text), quoted: quoted) }
            if let anchor { anchors[anchor] = n }
            return n
        case .sequenceStart(let anchor, _):
            var items: [Node] = []
            while index < events.count {
                if case .sequenceEnd = events[index].kind { index += 1; break }
                items.append(node())
            }
            let n = Node(.sequence(items), mark: e.mark)
            if let anchor { anchors[anchor] = n }
            return n
        case .mappingStart(let anchor, _):
            var pairs: [Pair] = []
            while index < events.count {
                if case .mappingEnd = events[index].kind { index += 1; break }
                let k = node()
                guard index < events.count else { break }
                let v = node()
                pairs.append(Pair(key: k, value: v))
            }
            let n = Node(.mapping(merge(pairs)), mark: e.mark)
            if let anchor { anchors[anchor] = n }
            return n
        default:
            return Node.scalar("", mark: e.mark)
        }
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
        case .null: return "nothing"
        default: return text
        }
    case .sequence(let items):
        if items.count <= 8, items.allSatisfy({ $0.scalar != nil }) { return Value(node).description }
        return "a list"
    case .mapping: return "a mapping"
    }
}
