internal import CYAML

// Every libyaml call in the project lives in this file. libyaml turns text into a stream of
// parser events; everything after that (building nodes, anchors, merge keys, duplicate keys,
// documents) is pure Swift in Compose.swift.

/// One libyaml parser event, copied out of C memory, with its 1-based start mark.
struct YAMLEvent: Sendable {
    enum Kind: Sendable {
        case streamStart, streamEnd
        case documentStart, documentEnd
        case alias(anchor: String)
        case scalar(text: String, anchor: String?, tag: String?, quoted: Bool)
        case sequenceStart(anchor: String?, tag: String?)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?)
        case mappingEnd
    }
    var kind: Kind
    var mark: Mark
}

/// A syntax error reported by libyaml: its problem, the context it arose in, and where.
struct YAMLSyntaxError: Error, Sendable {
    var problem: String
    var context: String?
    var mark: Mark

    init(problem: String, context: String?, mark: Mark) {
        self.problem = problem
        self.context = context
        self.mark = mark
    }

    /// Translates the parser's error fields (`error`, `problem`, `problem_mark`, `context`).
    fileprivate init(_ parser: yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? Messages.YAMLProblem.unknown
        switch parser.error {
        case YAML_MEMORY_ERROR: self.problem = Messages.YAMLProblem.memory
        case YAML_READER_ERROR: self.problem = Messages.YAMLProblem.reader(problem)
        default: self.problem = problem
        }
        context = parser.context.map { String(cString: $0) }
        // Reader errors carry no problem_mark line; the byte offset is the best we have.
        mark = oneBased(parser.problem_mark)
    }
}

/// Converts a libyaml mark (lines and columns counted from 0) to ours (counted from 1).
/// The only place where that conversion happens.
private func oneBased(_ mark: yaml_mark_t) -> Mark {
    Mark(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
}

private func string(_ bytes: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
    guard let bytes else { return nil }
    guard let length else { return String(cString: UnsafePointer(bytes)) }
    return String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
}

/// Owns a `yaml_parser_t` and the input buffer it reads, for the parser's whole life;
/// `deinit` calls `yaml_parser_delete` and frees the buffer.
private final class ParserOwner {
    var parser = yaml_parser_t()
    let buffer: UnsafeMutableBufferPointer<UInt8>
    let ready: Bool

    /// Wraps `yaml_parser_initialize` and `yaml_parser_set_input_string` over a private copy of `text`.
    init(text: String) {
        let bytes = Array(text.utf8)
        buffer = .allocate(capacity: max(bytes.count, 1))
        _ = buffer.initialize(from: bytes)
        ready = yaml_parser_initialize(&parser) == 1
        if ready, let base = buffer.baseAddress {
            yaml_parser_set_input_string(&parser, base, bytes.count)
        }
    }

    deinit {
        if ready { yaml_parser_delete(&parser) }
        buffer.deallocate()
    }
}

/// Owns one `yaml_event_t`; `deinit` calls `yaml_event_delete`.
private final class EventOwner {
    var event = yaml_event_t()
    deinit { yaml_event_delete(&event) }
}

/// Parses `text` with libyaml (`yaml_parser_parse`) into events. On a syntax error, returns
/// the events read so far and the error.
func parseEvents(_ text: String) -> (events: [YAMLEvent], error: YAMLSyntaxError?) {
    let owner = ParserOwner(text: text)
    guard owner.ready else {
        return ([], YAMLSyntaxError(problem: Messages.YAMLProblem.parserStart, context: nil, mark: Mark(line: 1, column: 1)))
    }
    var events: [YAMLEvent] = []
    while true {
        let box = EventOwner()
        guard yaml_parser_parse(&owner.parser, &box.event) == 1 else {
            return (events, YAMLSyntaxError(owner.parser))
        }
        let e = box.event
        let mark = oneBased(e.start_mark)
        let kind: YAMLEvent.Kind
        switch e.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT: kind = .alias(anchor: string(e.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            kind = .scalar(
                text: string(s.value, length: Int(s.length)) ?? "",
                anchor: string(s.anchor), tag: string(s.tag),
                quoted: s.style != YAML_PLAIN_SCALAR_STYLE)
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart(anchor: string(e.data.sequence_start.anchor), tag: string(e.data.sequence_start.tag))
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart(anchor: string(e.data.mapping_start.anchor), tag: string(e.data.mapping_start.tag))
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: continue
        }
        events.append(YAMLEvent(kind: kind, mark: mark))
        if case .streamEnd = kind { return (events, nil) }
    }
}

// MARK: - Emitting

/// How one node is written: a scalar's text and whether it must be quoted, or a collection
/// in flow (`[a, b]`, `{k: v}`) or block style.
struct EmitEvent {
    enum Kind {
        case scalar(text: String, quoted: Bool)
        case sequenceStart(flow: Bool)
        case sequenceEnd
        case mappingStart(flow: Bool)
        case mappingEnd
    }
    var kind: Kind
}

/// Owns a `yaml_emitter_t` and the bytes it writes; `deinit` calls `yaml_emitter_delete`.
private final class EmitterOwner {
    var emitter = yaml_emitter_t()
    var output: [UInt8] = []
    let ready: Bool

    /// Wraps `yaml_emitter_initialize` and `yaml_emitter_set_output` (into `output`), with
    /// two-space indents, no line wrapping and UTF-8 left unescaped.
    init() {
        ready = yaml_emitter_initialize(&emitter) == 1
        guard ready else { return }
        yaml_emitter_set_output(&emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            let owner = Unmanaged<EmitterOwner>.fromOpaque(data).takeUnretainedValue()
            owner.output.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(self).toOpaque())
        yaml_emitter_set_indent(&emitter, 2)
        yaml_emitter_set_width(&emitter, -1)
        yaml_emitter_set_unicode(&emitter, 1)
    }

    deinit { if ready { yaml_emitter_delete(&emitter) } }

    /// Passes one initialized event to `yaml_emitter_emit`, which takes ownership of it.
    func emit(_ initialize: (UnsafeMutablePointer<yaml_event_t>) -> Int32) -> Bool {
        var event = yaml_event_t()
        guard initialize(&event) == 1 else { return false }
        return yaml_emitter_emit(&emitter, &event) == 1
    }
}

/// Writes one YAML document from `events` with libyaml's emitter, which quotes and escapes
/// whatever a scalar needs; nil if libyaml refuses (it never should for our events).
func emitDocument(_ events: [EmitEvent]) -> String? {
    let owner = EmitterOwner()
    guard owner.ready else { return nil }
    var ok = owner.emit { yaml_stream_start_event_initialize($0, YAML_UTF8_ENCODING) }
        && owner.emit { yaml_document_start_event_initialize($0, nil, nil, nil, 1) }
    for e in events where ok {
        switch e.kind {
        case .scalar(let text, let quoted):
            var bytes = Array(text.utf8)
            let n = Int32(bytes.count)
            ok = bytes.withUnsafeMutableBufferPointer { b in
                owner.emit {
                    yaml_scalar_event_initialize($0, nil, nil, b.baseAddress, n, quoted ? 0 : 1, 1,
                                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE)
                }
            }
        case .sequenceStart(let flow):
            ok = owner.emit { yaml_sequence_start_event_initialize($0, nil, nil, 1, flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE) }
        case .sequenceEnd:
            ok = owner.emit { yaml_sequence_end_event_initialize($0) }
        case .mappingStart(let flow):
            ok = owner.emit { yaml_mapping_start_event_initialize($0, nil, nil, 1, flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE) }
        case .mappingEnd:
            ok = owner.emit { yaml_mapping_end_event_initialize($0) }
        }
    }
    ok = ok && owner.emit { yaml_document_end_event_initialize($0, 1) }
        && owner.emit { yaml_stream_end_event_initialize($0) }
        && yaml_emitter_flush(&owner.emitter) == 1
    return ok ? String(decoding: owner.output, as: UTF8.self) : nil
}
