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
