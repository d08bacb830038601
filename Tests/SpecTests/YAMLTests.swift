import XCTest
@testable import Spec

final class YAMLTests: XCTestCase {
    func compose(_ text: String) -> (Node?, [Diagnostic]) { Composer.compose(text, file: "t.yaml") }

    func testCoreSchemaScalars() {
        let cases: [(String, ScalarValue)] = [
            ("", .null), ("~", .null), ("null", .null), ("NULL", .null),
            ("true", .bool(true)), ("True", .bool(true)), ("FALSE", .bool(false)),
            ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("off", .string("off")),
            ("42", .int(42)), ("-7", .int(-7)), ("+3", .int(3)), ("0x1F", .int(31)), ("0o17", .int(15)),
            ("1e-3", .double(0.001)), (".5", .double(0.5)), ("1.", .double(1)), ("-2.5E2", .double(-250)),
            (".inf", .double(.infinity)), ("-.Inf", .double(-.infinity)),
            ("0x", .string("0x")), ("1e", .string("1e")), ("1_000", .string("1_000")), ("relu", .string("relu")),
        ]
        for (text, expected) in cases { XCTAssertEqual(typeScalar(text), expected, text) }
        if case .double(let d) = typeScalar(".nan") { XCTAssertTrue(d.isNaN) } else { XCTFail(".nan") }
    }

    func testQuotedScalarIsString() {
        let (root, d) = compose("a: '5'\nb: \"true\"\nc: 5\nd: !!str 7\n")
        XCTAssertEqual(d, [])
        XCTAssertEqual(root?["a"]?.scalar, .string("5"))
        XCTAssertEqual(root?["b"]?.scalar, .string("true"))
        XCTAssertEqual(root?["c"]?.scalar, .int(5))
        XCTAssertEqual(root?["d"]?.scalar, .string("7"))
    }

    func testMarksAreOneBasedOnKeysAndValues() throws {
        let (root, _) = compose("top:\n  key: value\n")
        let pair = try XCTUnwrap(root?["top"]?.pairs?.first)
        XCTAssertEqual(pair.key.mark, Mark(line: 2, column: 3))
        XCTAssertEqual(pair.value.mark, Mark(line: 2, column: 8))
    }

    func testMappingKeepsOrder() {
        let (root, _) = compose("z: 1\na: 2\nm: 3\n")
        XCTAssertEqual(root?.pairs?.compactMap(\.key.keyText), ["z", "a", "m"])
    }

    func testAnchorsAliasesAndMerge() {
        let text = """
        a: &a {x: 1, y: 2}
        b: &b {y: 20, z: 30}
        c:
          <<: [*a, *b]
          x: 100
        d: *a
        """
        let (root, d) = compose(text)
        XCTAssertEqual(d, [])
        XCTAssertEqual(root?["c"]?["x"]?.scalar, .int(100))   // explicit key wins
        XCTAssertEqual(root?["c"]?["y"]?.scalar, .int(2))     // earlier merged mapping wins
        XCTAssertEqual(root?["c"]?["z"]?.scalar, .int(30))
        XCTAssertEqual(root?["d"]?["y"]?.scalar, .int(2))
    }

    func testOneLocatedErrorFromEachStage() {
        // scanner (tab), parser (bad indentation), our passes (duplicate, alias, documents)
        XCTAssertEqual(compose("a:\n\tb: 1\n").1.first.map { ($0.line, $0.column) }.map { [$0.0, $0.1] }, [2, 1])
        XCTAssertEqual(compose("a: 1\n b: 2\n").1.first?.line, 2)
        XCTAssertEqual(compose("a: 1\na: 2\n").1.first.map { [$0.line, $0.column] }, [2, 1])
        XCTAssertEqual(compose("a: *nope\n").1.first.map { [$0.line, $0.column] }, [1, 4])
        XCTAssertEqual(compose("a: 1\n---\nb: 2\n").1.first?.line, 2)
    }

    func testDidYouMean() {
        XCTAssertEqual(closest(to: "activaton", in: ["activation", "units"]), "activation")
        XCTAssertEqual(closest(to: "rleu", in: Catalog.names(Catalog.activations)), "relu")
        XCTAssertEqual(closest(to: "Dens", in: Catalog.layers.map(\.name)), "Dense")
        XCTAssertNil(closest(to: "banana", in: ["relu", "tanh"]))
    }

    func testRendererSortsAndFormats() {
        let ds = [
            Diagnostic(severity: .warning, file: "f.yaml", line: 9, column: 2, message: "late"),
            Diagnostic(severity: .error, file: "f.yaml", line: 3, column: 5, message: "early", hint: "did you mean 'x'?"),
        ]
        XCTAssertEqual(DiagnosticRenderer.render(ds), "f.yaml:3:5: error: early; did you mean 'x'?\nf.yaml:9:2: warning: late\n")
    }
}
