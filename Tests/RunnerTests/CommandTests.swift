import Foundation
import XCTest

/// Runs the built `runner` binary (next to the test bundle) and checks output and status.
final class CommandTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func runner(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let bundleDir = Bundle(for: CommandTests.self).bundleURL.deletingLastPathComponent()
        var exe = bundleDir.appendingPathComponent("runner")
        if !FileManager.default.fileExists(atPath: exe.path) { exe = Self.root.appendingPathComponent(".build/debug/runner") }
        let p = Process()
        p.executableURL = exe
        p.arguments = args
        p.currentDirectoryURL = Self.root
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// `validate` builds every trial's model: a Conv2D after Flatten is located at the Conv2D,
    /// as `run` reports it (an error without a search; a warning per cause in a search).
    func testValidateBuildsEveryTrialsModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-validate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = dir + "/one.yaml", search = dir + "/search.yaml"
        try """
        data: {source: blobs, samples: 40}
        model:
          input_shape: [4, 4, 1]
          layers:
            - Flatten
            - Conv2D: {filters: 2, kernel_size: 3}
            - Dense: {units: 2, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy}
        """.write(toFile: one, atomically: true, encoding: .utf8)
        let r = try runner(["validate", one])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.out, "")
        XCTAssertTrue(r.err.hasPrefix(one + ":6:7: error: "), r.err)
        XCTAssertEqual(r.err.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 1, r.err)

        try """
        data: {source: blobs, samples: 40}
        model:
          input_shape: [4, 4, 1]
          layers:
            - Conv2D: {filters: 2, kernel_size: $k}
            - Flatten
            - Dense: {units: 2, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy}
        search: {strategy: grid, space: {k: {choice: [3, 5]}}}
        """.write(toFile: search, atomically: true, encoding: .utf8)
        let s = try runner(["validate", search])
        XCTAssertEqual(s.status, 0, s.err)
        XCTAssertEqual(s.out, search + ": ok\n")
        XCTAssertTrue(s.err.hasPrefix(search + ":5:7: warning: trial 1: "), s.err)
    }

    func testValidateStatuses() throws {
        let good = try runner(["validate", "experiments/fashion_cnn.yaml", "experiments/linear_fit.yaml"])
        XCTAssertEqual(good.status, 0)
        XCTAssertEqual(good.out, "experiments/fashion_cnn.yaml: ok\nexperiments/linear_fit.yaml: ok\n")
        XCTAssertEqual(good.err, "")

        let bad = try runner(["validate", "experiments/fashion_mlp.yaml", "Tests/SpecTests/Fixtures/bad_unknown_layer.yaml"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(bad.out, "experiments/fashion_mlp.yaml: ok\n")
        XCTAssertEqual(bad.err, "Tests/SpecTests/Fixtures/bad_unknown_layer.yaml:7:7: error: unknown layer 'Dens'; did you mean 'Dense'?\n")

        let warn = try runner(["validate", "Tests/SpecTests/Fixtures/bad_unused_param.yaml", "--set", "search.cv=3"])
        XCTAssertEqual(warn.status, 0)
        XCTAssertTrue(warn.err.contains("warning: search parameter 'depth' is never used"))

        let missing = try runner(["validate", "no/such.yaml"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.err.hasPrefix("no/such.yaml: error: cannot read: "), missing.err)

        let override = try runner(["validate", "experiments/fashion_cnn.yaml", "--set", "fit.epochs=0"])
        XCTAssertEqual(override.status, 2)
        XCTAssertEqual(override.err, "<command line>:1:12: error: 'epochs' expects an integer > 0, got 0\n")
    }

    func testPlanIsStableAndPrefixConsistent() throws {
        let five = try runner(["plan", "experiments/fashion_search.yaml", "--trials", "5"])
        let fifty = try runner(["plan", "experiments/fashion_search.yaml", "--trials", "50"])
        XCTAssertEqual(five.status, 0)
        let fiveLines = five.out.split(separator: "\n")
        let fiftyLines = fifty.out.split(separator: "\n")
        XCTAssertEqual(fiveLines.count, 6)
        XCTAssertEqual(fiftyLines.count, 51)
        XCTAssertEqual(fiveLines[0].split(separator: " ", omittingEmptySubsequences: true), ["trial", "learning_rate", "n_hidden", "n_neurons"])
        // Same values (column widths may differ with more rows).
        for (a, b) in zip(fiveLines.dropFirst(), fiftyLines.dropFirst()) {
            XCTAssertEqual(a.split(separator: " "), b.split(separator: " "))
        }
        let again = try runner(["plan", "experiments/fashion_search.yaml", "--trials", "5"])
        XCTAssertEqual(again.out, five.out)
        let reseeded = try runner(["plan", "experiments/fashion_search.yaml", "--trials", "5", "--seed", "7"])
        XCTAssertNotEqual(reseeded.out, five.out)
    }
}
