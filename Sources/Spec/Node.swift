/// A place in a source: 1-based line and column. `commandLine` marks text that came from a
/// `--set` option rather than the file (line = the option's position, 1 for the first).
public struct Mark: Sendable, Hashable, Comparable {
    public var line: Int
    public var column: Int
    public var commandLine: Bool

    public init(line: Int, column: Int, commandLine: Bool = false) {
        self.line = line
        self.column = column
        self.commandLine = commandLine
    }

    public static func < (a: Mark, b: Mark) -> Bool {
        if a.commandLine != b.commandLine { return a.commandLine }
        return (a.line, a.column) < (b.line, b.column)
    }
}

/// A scalar's value typed by the YAML 1.2 core schema.
public enum ScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
}

/// One YAML node: a scalar, a sequence or a mapping (pairs kept in file order), with the
/// mark where it starts. Keys are nodes too, so they carry their own marks.
public struct Node: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case scalar(text: String, value: ScalarValue, quoted: Bool)
        case sequence([Node])
        case mapping([Pair])
    }

    public var kind: Kind
    public var mark: Mark

    public init(_ kind: Kind, mark: Mark) {
        self.kind = kind
        self.mark = mark
    }

    /// A plain or quoted scalar typed by the core schema (a quoted one is always a string).
    public static func scalar(_ text: String, quoted: Bool = false, mark: Mark) -> Node {
        Node(.scalar(text: text, value: quoted ? .string(text) : typeScalar(text), quoted: quoted), mark: mark)
    }

    /// The scalar value, or nil for a sequence or mapping.
    public var scalar: ScalarValue? {
        if case .scalar(_, let v, _) = kind { return v }
        return nil
    }

    /// The text of a string scalar.
    public var string: String? {
        if case .string(let s)? = scalar { return s }
        return nil
    }

    /// The pairs of a mapping.
    public var pairs: [Pair]? {
        if case .mapping(let p) = kind { return p }
        return nil
    }

    /// The items of a sequence.
    public var items: [Node]? {
        if case .sequence(let s) = kind { return s }
        return nil
    }

    /// The value under the string key `key` in a mapping.
    public subscript(key: String) -> Node? {
        pairs?.first(where: { $0.key.keyText == key })?.value
    }

    /// The text of a scalar used as a key (any scalar's source text).
    public var keyText: String? {
        if case .scalar(let t, _, _) = kind { return t }
        return nil
    }
}

/// One key-value pair of a mapping.
public struct Pair: Sendable, Hashable {
    public var key: Node
    public var value: Node

    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}

/// Types a plain scalar by the YAML 1.2 core schema: null (`~`, `null`, empty), bool
/// (`true`/`false` in three casings), int (decimal, `0o`, `0x`), float (decimal with dot or
/// exponent, `.inf`, `.nan`); anything else, `yes`/`no`/`on`/`off` included, is a string.
public func typeScalar(_ text: String) -> ScalarValue {
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    let u = Array(text.utf8)
    func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
    if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "o") {
        if u[2...].allSatisfy({ $0 >= 48 && $0 <= 55 }), let v = Int(text.dropFirst(2), radix: 8) { return .int(v) }
        return .string(text)
    }
    if u.count > 2, u[0] == 48, u[1] == UInt8(ascii: "x") {
        if let v = Int(text.dropFirst(2), radix: 16), u[2...].allSatisfy({ $0.isHexDigit }) { return .int(v) }
        return .string(text)
    }
    // [-+]? [0-9]+
    var i = 0
    if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
    let intStart = i
    while i < u.count, isDigit(u[i]) { i += 1 }
    let intDigits = i - intStart
    if intDigits > 0, i == u.count {
        if let v = Int(text) { return .int(v) }
        return Double(text).map { .double($0) } ?? .string(text)
    }
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    var fracDigits = 0
    if i < u.count, u[i] == UInt8(ascii: ".") {
        i += 1
        while i < u.count, isDigit(u[i]) { i += 1; fracDigits += 1 }
    }
    guard intDigits + fracDigits > 0 else { return .string(text) }
    if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
        i += 1
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        let expStart = i
        while i < u.count, isDigit(u[i]) { i += 1 }
        if i == expStart { return .string(text) }
    }
    guard i == u.count, let v = Double(text) else { return .string(text) }
    return .double(v)
}

private extension UInt8 {
    var isHexDigit: Bool { (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self) }
}
