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

    /// `plan` of a halving search: the random strategy's first trials, then the rungs and the
    /// budget. 300 blobs samples keep 240 for training (test_fraction 0.2), 160 per fold of 3;
    /// 9 epochs and factor 3 give 9 // 1 = 9 candidates at 1, 3 and 9 epochs; a promoted unit
    /// trains only the epochs its rung adds: 9·1 + 3·2 + 1·6 = 21 unit-epochs per fold, against
    /// 9 · 9 = 81 for a random search of the same 9 trials.
    func testPlanPrintsTheRungsAndTheBudget() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runner-plan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/h.yaml"
        try """
        seed: 1
        data: {source: blobs, samples: 300, classes: 3}
        model:
          layers:
            - Dense: {units: $units, activation: relu}
            - Dense: {units: 3, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy, optimizer: {name: adam, learning_rate: $lr}, metrics: [accuracy]}
        fit: {epochs: 9}
        search:
          strategy: halving
          cv: 3
          space:
            units: {randint: [2, 32]}
            lr: {loguniform: [1.0e-3, 1.0e-1]}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let halving = try runner(["plan", file])
        XCTAssertEqual(halving.status, 0, halving.err)
        let random = try runner(["plan", file, "--set", "search.strategy=random", "--trials", "9"])
        let parts = halving.out.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.count, 2, halving.out)
        XCTAssertEqual(parts[0] + "\n", random.out)
        let rungs = parts[1].split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(rungs.count, 5, parts[1])
        XCTAssertEqual(rungs[0], ["bracket", "iter", "n_candidates", "n_resources", "trials", "epoch·samples"])
        XCTAssertEqual(rungs[1], ["0", "0", "9", "1", "epochs", "0-8", "4320"])
        XCTAssertEqual(rungs[2], ["0", "1", "3", "3", "epochs", "best", "3", "2880"])
        XCTAssertEqual(rungs[3], ["0", "2", "1", "9", "epochs", "best", "1", "2880"])
        XCTAssertEqual(rungs[4].joined(separator: " "),
                       "budget: 10080 epoch·samples over 3 folds; a random search of the same 9 trials: 38880 (25.9%)")
        // --trials sets the candidates; hyperband numbers its brackets' trials on.
        let twelve = try runner(["plan", file, "--trials", "12"])
        XCTAssertTrue(twelve.out.contains("\n0        0     12            1 epochs"), twelve.out)
        let hyperband = try runner(["plan", file, "--set", "search.strategy=hyperband"])
        XCTAssertEqual(hyperband.status, 0, hyperband.err)
        XCTAssertTrue(hyperband.out.contains("a random search of the same 17 trials"), hyperband.out)
        let counted = try runner(["plan", file, "--set", "search.strategy=hyperband", "--trials", "5"])
        XCTAssertEqual(counted.status, 2)
        XCTAssertTrue(counted.err.contains("--trials is not read by strategy hyperband"), counted.err)
        let bad = try runner(["plan", file, "--set", "search.resource=samples", "--set", "search.max_resources=500"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.err.contains("max_resources (500) is more samples than a fold's training part holds (160)"), bad.err)
    }
}
