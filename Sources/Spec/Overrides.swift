/// `--set key.path=value` overrides, applied to the node tree before validation.
///
/// The path walks mappings by key and lists by 0-based index (`model.layers.0.Dense.units=64`);
/// missing mapping keys are created. The value is parsed as YAML (`3`, `0.1`, `relu`,
/// `[32, 64]`, `{choice: [1, 2]}`, `'$x'` for a literal string). Diagnostics about an override
/// are located at `<command line>:N:COLUMN`, where N is the override's position among the
/// `--set` options (1 for the first) and COLUMN counts characters of its `key.path=value` text.
enum Overrides {
    static func apply(_ overrides: [String], to root: Node?) -> (Node?, [Diagnostic]) {
        var sink = DiagnosticSink(file: Diagnostic.commandLine)
        var root = root
        for (i, text) in overrides.enumerated() {
            let line = i + 1
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                sink.error(Mark(line: line, column: 1, commandLine: true), Messages.overrideForm(text))
                continue
            }
            let path = String(text[..<eq])
            let valueText = String(text[text.index(after: eq)...])
            let valueColumn = path.count + 2
            let (parsed, diags) = Composer.compose(valueText, file: Diagnostic.commandLine) { m in
                Mark(line: line, column: valueColumn + m.column - 1, commandLine: true)
            }
            if !diags.isEmpty {
                for d in diags { sink.error(Mark(line: d.line, column: d.column, commandLine: true), d.message, hint: d.hint) }
                continue
            }
            let value = parsed ?? Node.scalar("", mark: Mark(line: line, column: valueColumn, commandLine: true))
            var segments: [(String, Int)] = []
            var column = 1
            for seg in path.split(separator: ".", omittingEmptySubsequences: false) {
                segments.append((String(seg), column))
                column += seg.count + 1
            }
            if segments.contains(where: { $0.0.isEmpty }) {
                sink.error(Mark(line: line, column: 1, commandLine: true), Messages.overrideForm(text))
                continue
            }
            let start = root ?? Node(.mapping([]), mark: Mark(line: 1, column: 1))
            if let updated = set(start, segments[...], value, line: line, sink: &sink) { root = updated }
        }
        return (root, sink.items)
    }

    private static func set(_ node: Node, _ path: ArraySlice<(String, Int)>, _ value: Node, line: Int, sink: inout DiagnosticSink) -> Node? {
        guard let (segment, column) = path.first else { return value }
        let rest = path.dropFirst()
        let mark = Mark(line: line, column: column, commandLine: true)
        switch node.kind {
        case .mapping(var pairs):
            if let i = pairs.firstIndex(where: { $0.key.keyText == segment }) {
                guard let v = set(pairs[i].value, rest, value, line: line, sink: &sink) else { return nil }
                pairs[i].value = v
            } else {
                guard let v = set(Node(.mapping([]), mark: mark), rest, value, line: line, sink: &sink) else { return nil }
                pairs.append(Pair(key: Node.scalar(segment, mark: mark), value: v))
            }
            return Node(.mapping(pairs), mark: node.mark)
        case .sequence(var items):
            guard let i = Int(segment), i >= 0, i < items.count else {
                sink.error(mark, Messages.overrideIndex(segment, items.count))
                return nil
            }
            guard let v = set(items[i], rest, value, line: line, sink: &sink) else { return nil }
            items[i] = v
            return Node(.sequence(items), mark: node.mark)
        case .scalar(_, .null, _):
            return set(Node(.mapping([]), mark: node.mark), path, value, line: line, sink: &sink)
        case .scalar:
            sink.error(mark, Messages.overridePath(segment, describe(node)))
            return nil
        }
    }
}
