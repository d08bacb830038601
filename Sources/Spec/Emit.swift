/// The canonical YAML text of a node tree: block style, two-space indents, short mappings and
/// lists of scalars in flow style, quoted strings kept quoted. Used for `resolved.yaml`.
func emit(_ node: Node) -> String {
    var lines: [String] = []
    emitBlock(node, indent: "", into: &lines)
    return lines.joined(separator: "\n") + "\n"
}

private func scalarText(_ node: Node) -> String {
    guard case .scalar(let text, let value, let quoted) = node.kind else { return flow(node) }
    if quoted { return yamlQuoted(text) }
    if value == .null { return "null" }
    return text
}

private func isFlat(_ node: Node) -> Bool {
    switch node.kind {
    case .scalar: return true
    case .sequence(let items): return items.allSatisfy { $0.scalar != nil } && items.count <= 16
    case .mapping(let pairs): return pairs.count <= 6 && pairs.allSatisfy { $0.value.scalar != nil || ($0.value.items.map { $0.allSatisfy { $0.scalar != nil } } ?? false) }
    }
}

private func flow(_ node: Node) -> String {
    switch node.kind {
    case .scalar: return scalarText(node)
    case .sequence(let items): return "[" + items.map(flow).joined(separator: ", ") + "]"
    case .mapping(let pairs): return "{" + pairs.map { "\(scalarText($0.key)): \(flow($0.value))" }.joined(separator: ", ") + "}"
    }
}

private func emitBlock(_ node: Node, indent: String, into lines: inout [String]) {
    switch node.kind {
    case .scalar:
        lines.append(indent + scalarText(node))
    case .sequence(let items):
        for item in items {
            if item.scalar != nil || isFlat(item) {
                lines.append(indent + "- " + flow(item))
            } else {
                var sub: [String] = []
                emitBlock(item, indent: indent + "  ", into: &sub)
                if var first = sub.first {
                    first = indent + "- " + first.dropFirst(indent.count + 2)
                    lines.append(first)
                    lines.append(contentsOf: sub.dropFirst())
                }
            }
        }
    case .mapping(let pairs):
        for p in pairs {
            let key = indent + scalarText(p.key) + ":"
            if p.value.scalar != nil || isFlat(p.value) || (p.value.pairs?.isEmpty ?? false) || (p.value.items?.isEmpty ?? false) {
                lines.append(key + " " + flow(p.value))
            } else {
                lines.append(key)
                emitBlock(p.value, indent: indent + "  ", into: &lines)
            }
        }
    }
}
