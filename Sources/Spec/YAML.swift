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
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR: self.problem = "out of memory"
        case YAML_READER_ERROR: self.problem = "cannot read the text (\(problem))"
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
        return ([], YAMLSyntaxError(problem: "cannot start the yaml parser", context: nil, mark: Mark(line: 1, column: 1)))
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
