/// A plain configuration value handed to the runner: what an argument resolved to.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    case map([String: Value])

    /// An integer, or a double that holds an exact integer.
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    /// A number as a double (integers convert).
    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var list: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }

    public var map: [String: Value]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The value as YAML flow text; doubles in the shortest form that reads back exactly.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            return String(d)
        case .string(let s): return typeScalar(s) == .string(s) && !s.isEmpty && !s.contains(where: { ":#,[]{}'\"\n".contains($0) }) ? s : yamlQuoted(s)
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }

    /// Converts a scalar typed by the core schema.
    init(_ scalar: ScalarValue) {
        switch scalar {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        }
    }

    /// Converts a whole node (mappings lose their order).
    init(_ node: Node) {
        switch node.kind {
        case .scalar(_, let v, _): self.init(v)
        case .sequence(let items): self = .list(items.map(Value.init))
        case .mapping(let pairs):
            var m: [String: Value] = [:]
            for p in pairs { m[p.key.keyText ?? ""] = Value(p.value) }
            self = .map(m)
        }
    }
}

func yamlQuoted(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}
