import Foundation
import XCTest
@testable import Spec

/// Each `Fixtures/bad_*.yaml` has a `.expected` beside it with the exact diagnostics, as
/// `runner validate` prints them to stderr. Lines `# set: key=value` at the top of a fixture
/// are passed as overrides. `UPDATE_GOLDEN=1 swift test` rewrites the expected files and fails.
final class GoldenTests: XCTestCase {
    static let sourceFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func fixtures(_ prefix: String) throws -> [URL] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix(prefix) && $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func overrides(_ text: String) -> [String] {
        text.split(separator: "\n").prefix { $0.hasPrefix("# set: ") }.map { String($0.dropFirst(7)) }
    }

    func testBadFixturesMatchGoldens() throws {
        let files = try fixtures("bad_")
        XCTAssertGreaterThanOrEqual(files.count, 60)
        let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"
        for url in files {
            let name = url.lastPathComponent
            let text = try String(contentsOf: url, encoding: .utf8)
            let (experiment, diagnostics) = Experiment.load(path: url.path, displayPath: name, overrides: Self.overrides(text))
            let rendered = DiagnosticRenderer.render(diagnostics)
            let expectedURL = Self.sourceFixtures.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
            if update {
                try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOf: expectedURL, encoding: .utf8)) ?? "<missing \(expectedURL.lastPathComponent)>"
            XCTAssertEqual(rendered, expected, name)
            XCTAssertFalse(diagnostics.isEmpty, "\(name) gives no diagnostics")
            if diagnostics.contains(where: { $0.severity == .error }) { XCTAssertNil(experiment, name) }
        }
        if update { XCTFail("UPDATE_GOLDEN=1: rewrote \(files.count) expected files; run again without it") }
    }

    func testGoodFixturesHaveNoDiagnostics() throws {
        let files = try fixtures("good_")
        XCTAssertFalse(files.isEmpty)
        for url in files {
            let (experiment, diagnostics) = Experiment.load(path: url.path, displayPath: url.lastPathComponent)
            XCTAssertEqual(DiagnosticRenderer.render(diagnostics), "", url.lastPathComponent)
            XCTAssertNotNil(experiment)
        }
    }

    func testExperimentsValidateCleanly() throws {
        let dir = Self.repoRoot.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil).filter { $0.pathExtension == "yaml" }
        XCTAssertGreaterThanOrEqual(files.count, 6)
        for url in files {
            let (experiment, diagnostics) = Experiment.load(path: url.path)
            XCTAssertEqual(diagnostics, [], url.lastPathComponent)
            guard let experiment else { XCTFail(url.lastPathComponent); continue }
            // Every experiment resolves with values at its distributions' bounds.
            var values: [String: Value] = [:]
            for p in experiment.parameters {
                values[p.name] = Validator.representatives(p.distribution, mark: Mark(line: 1, column: 1)).last.map { Value($0) }
            }
            XCTAssertNoThrow(try experiment.resolve(values), url.lastPathComponent)
        }
    }
}

/// docs/format.md ends with the reference generated from the tables; UPDATE_GOLDEN=1 rewrites it.
final class FormatDocTests: XCTestCase {
    func testFormatDocMatchesTables() throws {
        let url = GoldenTests.repoRoot.appendingPathComponent("docs/format.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let marker = "<!-- generated below; UPDATE_GOLDEN=1 swift test rewrites it -->\n"
        let head = try XCTUnwrap(text.range(of: marker)).upperBound
        let generated = Reference.markdown()
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try (String(text[..<head]) + generated).write(to: url, atomically: true, encoding: .utf8)
            XCTFail("UPDATE_GOLDEN=1: rewrote docs/format.md")
            return
        }
        XCTAssertEqual(String(text[head...]), generated)
    }
}
