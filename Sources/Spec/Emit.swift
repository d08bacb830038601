/// The canonical YAML text of a node tree, written through libyaml's emitter (YAML.swift):
/// block style, two-space indents, short mappings and lists of scalars in flow style. Every
/// scalar reads back as the same value, and emitting what is read back gives the same text:
/// a string the core schema would type as something else is double-quoted, any other is left
/// to libyaml (plain where it may stand, else single-quoted); numbers, booleans and null are
/// written in a form that types back the same.
/// Used for `resolved.yaml` and the journal header.
func emit(_ node: Node) -> String {
    var events: [EmitEvent] = []
    appendEvents(node, into: &events)
    // libyaml accepts every event sequence this makes; nil would be a bug in this file.
    guard let text = emitDocument(events) else { preconditionFailure("libyaml refused to emit a node tree") }
    // libyaml ends an open-ended document with a "..." line; the text is one document anyway.
    return text.hasSuffix("\n...\n") ? String(text.dropLast(4)) : text
}

/// The text and quoting that make `node`'s value read back unchanged.
func scalarForm(_ text: String, _ value: ScalarValue) -> (text: String, quoted: Bool) {
    switch value {
    case .string(let s):
        // Whether the source quoted it does not matter: quoting only what needs it (here, or
        // libyaml where plain text cannot stand) makes emitting the read-back text give the
        // same text again, which the journal's fingerprint relies on.
        return (s, typeScalar(s) != .string(s))
    case .null:
        return ("null", false)
    case .bool(let b):
        return (b ? "true" : "false", false)
    case .int(let i):
        return (typeScalar(text) == .int(i) ? text : String(i), false)
    case .double(let d):
        if case .double(let again) = typeScalar(text), again == d || (again.isNaN && d.isNaN) { return (text, false) }
        if d.isNaN { return (".nan", false) }
        if d.isInfinite { return (d > 0 ? ".inf" : "-.inf", false) }
        return ("\(d)", false)   // Swift's shortest round-trip form, always with '.' or 'e'
    }
}

private func isFlat(_ node: Node) -> Bool {
    switch node.kind {
    case .scalar: return true
    case .sequence(let items): return items.allSatisfy { $0.scalar != nil } && items.count <= 16
    case .mapping(let pairs): return pairs.count <= 6 && pairs.allSatisfy { $0.value.scalar != nil || ($0.value.items.map { $0.allSatisfy { $0.scalar != nil } } ?? false) }
    }
}

private func appendEvents(_ node: Node, flowParent: Bool = false, top: Bool = true, into events: inout [EmitEvent]) {
    switch node.kind {
    case .scalar(let text, let value, _):
        let form = scalarForm(text, value)
        events.append(EmitEvent(kind: .scalar(text: form.text, quoted: form.quoted)))
    case .sequence(let items):
        let flow = flowParent || (!top && (isFlat(node) || items.isEmpty))
        events.append(EmitEvent(kind: .sequenceStart(flow: flow)))
        for item in items { appendEvents(item, flowParent: flow, top: false, into: &events) }
        events.append(EmitEvent(kind: .sequenceEnd))
    case .mapping(let pairs):
        let flow = flowParent || (!top && (isFlat(node) || pairs.isEmpty))
        events.append(EmitEvent(kind: .mappingStart(flow: flow)))
        for p in pairs {
            appendEvents(p.key, flowParent: flow, top: false, into: &events)
            appendEvents(p.value, flowParent: flow, top: false, into: &events)
        }
        events.append(EmitEvent(kind: .mappingEnd))
    }
}
