import Testing
@testable import Spec

/// Whatever `emit` writes reads back equal: random trees of strings holding every YAML
/// indicator, quotes, escapes, control and non-ASCII characters, and numbers at the edges,
/// emitted with libyaml and composed again.
@Suite struct EmitRoundTripTests {
    /// SplitMix64: a fixed sequence for a fixed seed, whatever the Swift version.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
    }

    static let pieces: [String] = [
        "[", "]", "{", "}", ",", ":", ": ", " #", "#", "&a", "*a", "!", "!!int", "|", ">", "'", "\"", "%", "@", "`",
        "- ", "-", "? ", "?", "~", " ", "  ", "\t", "\n", "\r\n", "\\", "\\n", "---", "...", "<<",
        "a", "Dense", "units", "x", "0", "1", "42", "-7", "0x1F", "0o17", "1.5", "1e3", ".inf", "-.inf", ".nan",
        "null", "Null", "true", "False", "yes", "no", "on", "ü", "é", "日本", "😀", "€", "\u{7}", "\u{1B}",
        "\u{85}", "\u{A0}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}",
    ]

    static let edgeNumbers: [ScalarValue] = [
        .int(0), .int(-1), .int(Int.max), .int(Int.min), .int(1 << 53 + 1),
        .double(0), .double(-0.0), .double(1.5), .double(-2.5e-300), .double(Double.greatestFiniteMagnitude),
        .double(-Double.greatestFiniteMagnitude), .double(Double.leastNonzeroMagnitude), .double(Double.leastNormalMagnitude),
        .double(.infinity), .double(-.infinity), .double(.nan), .double(0.1), .double(1e22), .double(123456789012345680),
        .bool(true), .bool(false), .null,
    ]

    static func string(_ g: inout Generator) -> String {
        (0..<g.below(5)).map { _ in g.pick(pieces) }.joined()
    }

    static func scalar(_ g: inout Generator) -> Node {
        let mark = Mark(line: 1, column: 1)
        if g.below(3) == 0 {
            let v = g.pick(edgeNumbers)
            let text: String = switch v {
            case .int(let i): String(i)
            case .double(let d): "\(d)"
            case .bool(let b): String(b)
            case .null: "~"
            case .string(let s): s
            }
            return Node(.scalar(text: text, value: v, quoted: false), mark: mark)
        }
        let s = string(&g)
        return Node(.scalar(text: s, value: .string(s), quoted: g.below(2) == 0), mark: mark)
    }

    static func node(_ g: inout Generator, depth: Int) -> Node {
        let mark = Mark(line: 1, column: 1)
        switch depth > 3 ? 0 : g.below(3) {
        case 1:
            return Node(.sequence((0..<g.below(5)).map { _ in node(&g, depth: depth + 1) }), mark: mark)
        case 2:
            var pairs: [Pair] = [], keys = Set<String>()
            for _ in 0..<g.below(5) {
                let k = string(&g)
                guard keys.insert(k).inserted, k != "<<" else { continue }
                pairs.append(Pair(key: Node(.scalar(text: k, value: .string(k), quoted: true), mark: mark), value: node(&g, depth: depth + 1)))
            }
            return Node(.mapping(pairs), mark: mark)
        default:
            return scalar(&g)
        }
    }

    /// Values equal, ignoring source text, marks and quoting (NaN equals NaN).
    static func same(_ a: Node, _ b: Node) -> Bool {
        switch (a.kind, b.kind) {
        case let (.scalar(_, x, _), .scalar(_, y, _)):
            if case .double(let p) = x, case .double(let q) = y { return p == q || (p.isNaN && q.isNaN) }
            return x == y
        case let (.sequence(x), .sequence(y)):
            return x.count == y.count && zip(x, y).allSatisfy(same)
        case let (.mapping(x), .mapping(y)):
            return x.count == y.count && zip(x, y).allSatisfy { same($0.key, $1.key) && same($0.value, $1.value) }
        default:
            return false
        }
    }

    @Test func randomTreesReadBackEqual() {
        var g = Generator(state: 20261130)
        for i in 0..<3000 {
            // The root of an experiment file is a mapping; any node may sit under a key.
            let k = Node(.scalar(text: "k", value: .string("k"), quoted: false), mark: Mark(line: 1, column: 1))
            let tree = Node(.mapping([Pair(key: k, value: Self.node(&g, depth: 0))]), mark: Mark(line: 1, column: 1))
            let text = emit(tree)
            let (back, diagnostics) = Composer.compose(text, file: "emitted.yaml")
            #expect(diagnostics.isEmpty, "case \(i): \(diagnostics) in\n\(text)")
            guard let back else { Issue.record("case \(i): nothing read back from\n\(text)"); continue }
            #expect(Self.same(tree, back), "case \(i):\n\(text)")
            // The canonical text is a fixed point: the journal's fingerprint is taken from it.
            #expect(emit(back) == text, "case \(i): emitted again differently:\n\(text)")
        }
    }

    /// The issue's example: a CSV column name with ']' in a flow list.
    @Test func bracketsInFlowValuesAreQuoted() {
        let (node, _) = Composer.compose("data: {features: [a, b], target: c}\nname: x]y\n", file: "f.yaml")
        var tree = node!
        guard case .mapping(var pairs) = tree.kind else { Issue.record("not a mapping"); return }
        pairs[0].value = Node(.mapping([Pair(key: Node.scalar("features", mark: Mark(line: 1, column: 1)),
                                             value: Node(.sequence([Node.scalar("a]b", mark: Mark(line: 1, column: 1))]), mark: Mark(line: 1, column: 1)))]),
                              mark: Mark(line: 1, column: 1))
        tree.kind = .mapping(pairs)
        let text = emit(tree)
        #expect(text == "data: {features: ['a]b']}\nname: x]y\n")
        #expect(emit(Composer.compose(text, file: "again.yaml").0!) == text)
        let (back, d) = Composer.compose(text, file: "again.yaml")
        #expect(d.isEmpty)
        #expect(back.map { Self.same(tree, $0) } == true)
    }
}
