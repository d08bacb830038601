import Foundation
import Testing

/// Sizes a file may ask for that this machine cannot hold: refused where the file says them,
/// with the estimate and the limit (`Footprint`), by `validate`, `plan` and `run` alike, and
/// never by allocating first. Every file here is tiny; nothing large is ever allocated.
@Suite struct ResourceTests {
    static let header = """
        data: {source: blobs, classes: 2, samples: 40}

        """

    /// bash runs the pipeline; the status of `runner` (its PIPESTATUS) is printed last.
    static func pipeline(_ command: String, in dir: String) throws -> (lines: [String], status: Int) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", command + "; echo \"runner: ${PIPESTATUS[0]}\""]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ProcessInfo.processInfo.environment.merging(["RUNNER": RunnerProcess.executable.path]) { _, b in b }
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let status = Int(lines.last?.split(separator: " ").last ?? "") ?? -1
        return (Array(lines.dropLast()), status)
    }

    @Test func aModelTooLargeIsRefusedWithItsEstimateByValidatePlanAndRun() throws {
        let dir = freshFolder("huge-units")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 1000000000, activation: relu}}, {Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy}
            """, "e.yaml", in: dir)
        for args in [["validate", "e.yaml"], ["plan", "e.yaml"], ["run", "e.yaml", "--out", "o", "--quiet"]] {
            let r = try RunnerProcess.run(args, in: dir)
            #expect(r.status == 2, "\(args): \(r.err)")
            // 2 features × 10⁹ units + 10⁹ × 2 weights, 16 bytes each: about 30 GiB, whatever the machine.
            #expect(r.err.hasPrefix("e.yaml:2:19: error: the model needs about 30 GiB (2000000000 weights, "), "\(args): \(r.err)")
            #expect(r.err.contains("more than half of this machine's"), "\(args): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/o/leaderboard.csv"))
        }
    }

    @Test func layerSizesBeyondAnyMemoryAreRefusedNotOverflowed() throws {
        let dir = freshFolder("overflow-units")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 9223372036854775807}}, {Dense: {units: 9223372036854775807}}, {Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy}
            """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["validate", "e.yaml"], in: dir)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.hasPrefix("e.yaml:2:19: error: the model needs about "), "\(r.err)")
        #expect(r.err.contains("more than 9.2e18 weights"), "\(r.err)")
    }

    @Test func aSearchWhoseResultsCannotBeHeldIsRefusedAtTrials() throws {
        let dir = freshFolder("huge-trials")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy, optimizer: {name: sgd, learning_rate: $lr}}
            search: {trials: 1000000000000, cv: 2, space: {lr: {loguniform: [0.001, 0.1]}}}
            """, "e.yaml", in: dir)
        for args in [["validate", "e.yaml"], ["run", "e.yaml", "--out", "o", "--quiet"]] {
            let r = try RunnerProcess.run(args, in: dir)
            #expect(r.status == 2, "\(args): \(r.err)")
            #expect(r.err.hasPrefix("e.yaml:4:18: error: 1000000000000 trials would hold about "), "\(args): \(r.err)")
            #expect(r.err.contains("more than half of this machine's") && r.err.contains("runner plan prints any number"), "\(args): \(r.err)")
        }
        let more = try RunnerProcess.run(["run", "e.yaml", "--out", "o", "--trials", "100000000000", "--quiet"], in: dir)
        #expect(more.status == 2)
        #expect(more.err.hasPrefix("error: --trials 100000000000: 100000000000 trials would hold about "), "\(more.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/o/journal"))
    }

    /// `plan` makes and writes one row at a time: a plan of 10¹² trials starts at once, and a
    /// reader that stops early (`| head`) ends it as it ends any Unix filter, by SIGPIPE (status
    /// 128 + 13 in a shell), quietly, whether SIGPIPE reaches it or was ignored (EPIPE).
    @Test(arguments: ["", "trap '' PIPE; "])
    func planStreamsAndEndsQuietlyWhenItsReaderStops(_ prefix: String) throws {
        let dir = freshFolder("plan-pipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: $u, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy, optimizer: {name: sgd, learning_rate: $lr}}
            search: {trials: 1000000000000, cv: 2, space: {lr: {loguniform: [0.001, 0.1]}, u: {choice: [2]}}}
            """, "e.yaml", in: dir)
        // `timeout` only keeps a regression (a plan built whole first) from hanging the suite.
        let r = try Self.pipeline(prefix + "timeout 120 \"$RUNNER\" plan e.yaml 2>err.txt | head -n 3", in: dir)
        #expect(r.status == 128 + 13, "status \(r.status), lines \(r.lines)")
        #expect(r.lines.count == 3)
        #expect(r.lines.first?.split(separator: " ") == ["trial", "lr", "u"])
        #expect(r.lines.dropFirst().first?.hasPrefix("0 ") == true)
        let err = (try? String(contentsOfFile: dir + "/err.txt", encoding: .utf8)) ?? "?"
        #expect(err.isEmpty, "\(err)")
    }

    /// The first rows of a streamed plan are those of a short one (trial i depends on i alone).
    @Test func aLongPlanBeginsAsAShortOne() throws {
        let dir = freshFolder("plan-prefix")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy, optimizer: {name: sgd, learning_rate: $lr}}
            search: {trials: 5, cv: 2, space: {lr: {loguniform: [0.001, 0.1]}}}
            """, "e.yaml", in: dir)
        let short = try RunnerProcess.run(["plan", "e.yaml"], in: dir)
        let long = try Self.pipeline("\"$RUNNER\" plan e.yaml --trials 10000000 | head -n 6", in: dir)
        #expect(short.status == 0)
        let words = { (s: String) in s.split(separator: " ").map(String.init) }
        #expect(short.out.split(separator: "\n").map { words(String($0)) } == long.lines.map(words))
    }

    /// A grid over a huge integer range, or whose size overflows 64 bits, is never made whole.
    @Test func aHugeGridIsPlannedWithoutBeingMade() throws {
        let dir = freshFolder("plan-grid")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy}
            fit: {epochs: $e}
            search: {strategy: grid, trials: 3, cv: 2, space: {e: {randint: [1, 4000000000000000000]}, f: {randint: [1, 4000000000000000000]}}}
            """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["plan", "e.yaml"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) } == [["trial", "e", "f"], ["0", "1", "1"], ["1", "1", "2"], ["2", "1", "3"]])
    }

    @Test func moreUnitsAtOnceThanFitAreRefused() throws {
        let dir = freshFolder("jobs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // About 40 MiB a unit (its batches of 30,000 activations): a million of them fit on no machine.
        write(Self.header + """
            model: {layers: [{Dense: {units: $u, activation: relu}}, {Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy}
            fit: {epochs: 1}
            search: {trials: 1, cv: 2, space: {u: {choice: [30000]}}}
            """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["e.yaml", "--out", "o", "--jobs", "1000000", "--quiet"], in: dir)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.hasPrefix("error: --jobs 1000000: 1000000 units at once need about "), "\(r.err)")
        #expect(r.err.contains("; use --jobs "), "\(r.err)")
    }

    @Test func summaryOfATrialBeyondAnySearch() throws {
        let dir = freshFolder("summary-trial")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(Self.header + """
            model: {layers: [{Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy}
            fit: {epochs: $e}
            search: {strategy: grid, space: {e: {randint: [1, 3]}}}
            """, "e.yaml", in: dir)
        let r = try RunnerProcess.run(["summary", "e.yaml", "--trial", "9223372036854775807"], in: dir)
        #expect(r.status == 2, "\(r.err)")
        #expect(r.err.contains("the search has only 2 trials"), "\(r.err)")
    }
}
