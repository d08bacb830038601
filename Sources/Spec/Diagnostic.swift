/// How bad a diagnostic is: an error makes the file invalid, a warning does not.
public enum Severity: String, Sendable, Hashable {
    case error
    case warning
}

/// One located finding about an experiment file: severity, place, message and an optional hint.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var severity: Severity
    /// The file as the user named it, or `<command line>` for a `--set` option.
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// A fix-it, such as "did you mean 'relu'?".
    public var hint: String?

    public init(severity: Severity, file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    /// The name used as `file` for diagnostics about `--set` options.
    public static let commandLine = "<command line>"

    /// `path:LINE:COLUMN: error: message; hint`.
    public var description: String {
        if line == 0 { return "\(file): \(severity.rawValue): \(message)" }
        return "\(file):\(line):\(column): \(severity.rawValue): \(message)" + (hint.map { "; \($0)" } ?? "")
    }
}

/// Prints diagnostics the way compilers do, one per line, sorted by place.
public enum DiagnosticRenderer {
    /// Diagnostics sorted: command-line ones first, then by line and column (stable otherwise).
    public static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            let ka = (a.element.file == Diagnostic.commandLine ? 0 : 1, a.element.line, a.element.column, a.offset)
            let kb = (b.element.file == Diagnostic.commandLine ? 0 : 1, b.element.line, b.element.column, b.offset)
            return ka < kb
        }.map(\.element)
    }

    /// The text to print on standard error: one `path:LINE:COLUMN: severity: message` line each.
    public static func render(_ diagnostics: [Diagnostic]) -> String {
        sorted(diagnostics).map { $0.description + "\n" }.joined()
    }
}

/// Collects diagnostics for one file; validation never stops at the first.
struct DiagnosticSink {
    let file: String
    private(set) var items: [Diagnostic] = []

    init(file: String) { self.file = file }

    var hasErrors: Bool { items.contains { $0.severity == .error } }

    mutating func error(_ mark: Mark, _ message: String, hint: String? = nil) {
        add(.error, mark, message, hint)
    }

    mutating func warning(_ mark: Mark, _ message: String, hint: String? = nil) {
        add(.warning, mark, message, hint)
    }

    /// Adds another sink's diagnostics (of the same file), in their order.
    mutating func append(_ other: DiagnosticSink) {
        for d in other.items where !items.contains(d) { items.append(d) }
    }

    private mutating func add(_ severity: Severity, _ mark: Mark, _ message: String, _ hint: String?) {
        let d = Diagnostic(severity: severity, file: mark.commandLine ? Diagnostic.commandLine : file,
                           line: mark.line, column: mark.column, message: message, hint: hint)
        if !items.contains(d) { items.append(d) }
    }
}
