import Foundation
import Testing
@testable import Runner

/// `runner run` end to end on tiny synthetic data, as a user runs it: the binary, files on disk.
@Suite(.serialized) struct EndToEndTests {
    let dir = freshFolder("e2e")

    init() { write(tinySpec, "tiny.yaml", in: dir) }

    func run(_ args: [String]) throws -> RunnerProcess.Result {
        try RunnerProcess.run(args, in: dir)
    }

    func outputs(_ out: String) -> [String: [[String]]] { resultFiles(dir + "/" + out) }

    @Test func leaderboardHasTheColumnsAndRanks() throws {
        let r = try run(["tiny.yaml", "--out", "a", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let board = readCSV(dir + "/a/leaderboard.csv")
        #expect(board.first == ["rank", "trial", "param_depth", "param_lr", "param_units", "mean_test_accuracy", "std_test_accuracy",
                                "split0_test_accuracy", "split1_test_accuracy", "split2_test_accuracy",
                                "epochs", "seconds", "status", "reason"])
        #expect(board.count == 5)
        let means = board.dropFirst().map { Double($0[5])! }
        #expect(means == means.sorted(by: >))
        #expect(board.dropFirst().map { $0[0] } == ["1", "2", "3", "4"] || Set(means).count < means.count)
        #expect(Set(board.dropFirst().map { $0[1] }) == ["0", "1", "2", "3"])
        // Each mean is the mean of the fold scores.
        for row in board.dropFirst() {
            let folds = row[7...9].map { Double($0)! }
            #expect(abs(folds.reduce(0, +) / 3 - Double(row[5])!) < 1e-12)
        }
        let trials = readCSV(dir + "/a/trials.csv")
        #expect(trials.count == 1 + 4 * 3)
        for name in ["resolved.yaml", "best.safetensors", "test.csv", "history/trial-000-fold-0.csv", "history/final.csv"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/a/" + name), "\(name)")
        }
        // resolved.yaml is an experiment file that validates.
        let v = try run(["validate", "a/resolved.yaml"])
        #expect(v.status == 0, "\(v.err)")
    }

    @Test func twoRunsAndAnyJobsGiveTheSameFiles() throws {
        #expect(try run(["tiny.yaml", "--out", "one", "--jobs", "1", "--quiet"]).status == 0)
        #expect(try run(["tiny.yaml", "--out", "two", "--jobs", "2", "--quiet"]).status == 0)
        #expect(try run(["tiny.yaml", "--out", "three", "--jobs", "3", "--quiet"]).status == 0)
        let one = outputs("one")
        #expect(one.count >= 3 + 13)
        #expect(one == outputs("two"))
        #expect(one == outputs("three"))
    }

    @Test func aKilledRunResumesToTheSameLeaderboard() throws {
        #expect(try run(["tiny.yaml", "--out", "whole", "--jobs", "1", "--quiet", "--set", "fit.epochs=40"]).status == 0)
        let p = try RunnerProcess.start(["tiny.yaml", "--out", "cut", "--jobs", "1", "--quiet", "--set", "fit.epochs=40"], in: dir)
        let journal = dir + "/cut/journal/shard-0-of-1.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while lineCount(journal) < 4 && Date() < deadline && p.process.isRunning { usleep(2000) }
        kill(p.process.processIdentifier, SIGKILL)
        _ = p.wait()
        let saved = lineCount(journal) - 1
        #expect(saved >= 3 && saved < 12, "the kill should land mid-search; \(saved) units were saved")
        let resumed = try run(["tiny.yaml", "--out", "cut", "--jobs", "2", "--set", "fit.epochs=40"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.err.contains("already done (resuming)"))
        #expect(outputs("cut") == outputs("whole"))
    }

    /// Ctrl-C, SIGTERM and Slurm's SIGUSR1 all stop after the current epoch, keep what is done,
    /// and the same command then finishes the run.
    @Test(arguments: [SIGINT, SIGTERM, SIGUSR1])
    func aStopSignalSavesTheWorkAndTheRerunFinishes(signal: Int32) throws {
        #expect(try run(["tiny.yaml", "--out", "whole", "--quiet", "--set", "fit.epochs=60"]).status == 0)
        let p = try RunnerProcess.start(["tiny.yaml", "--out", "int", "--set", "fit.epochs=60"], in: dir)
        let journal = dir + "/int/journal/shard-0-of-1.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while lineCount(journal) < 3 && Date() < deadline && p.process.isRunning { usleep(2000) }
        kill(p.process.processIdentifier, signal)
        let r = p.wait()
        #expect(r.status == 1)
        #expect(r.err.contains("run the same command again to resume"), "\(r.err)")
        #expect(try run(["tiny.yaml", "--out", "int", "--quiet", "--set", "fit.epochs=60"]).status == 0)
        #expect(outputs("int") == outputs("whole"))
    }

    @Test func aTrialThatCannotBeBuiltFailsAndTheSearchGoesOn() throws {
        let spec = tinySpec.replacingOccurrences(of: "- Dense: {units: 3, activation: softmax}", with: "- Dense: {units: $out, activation: softmax}")
            .replacingOccurrences(of: "    lr: {loguniform", with: "    out: {choice: [3, 5]}\n    lr: {loguniform")
        write(spec, "mixed.yaml", in: dir)
        let r = try run(["mixed.yaml", "--out", "mixed", "--trials", "6", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let board = readCSV(dir + "/mixed/leaderboard.csv")
        let status = board.first!.firstIndex(of: "status")!, reason = board.first!.firstIndex(of: "reason")!
        let failed = board.dropFirst().filter { $0[status] == "failed" }
        let ok = board.dropFirst().filter { $0[status] == "ok" }
        #expect(!failed.isEmpty && !ok.isEmpty, "expected both outcomes among 6 trials: \(board)")
        #expect(failed.allSatisfy { $0[reason].contains("5 units but the data has 3 classes") })
        // Failed trials rank last.
        #expect(board.dropFirst().map { $0[status] } == ok.map { _ in "ok" } + failed.map { _ in "failed" })
    }

    @Test func aJournalOfAnotherSeedIsRefused() throws {
        #expect(try run(["tiny.yaml", "--out", "s", "--quiet"]).status == 0)
        let r = try run(["tiny.yaml", "--out", "s", "--seed", "4"])
        #expect(r.status == 2)
        #expect(r.err.contains("was written for seed 3, not 4"), "\(r.err)")
        #expect(try run(["tiny.yaml", "--out", "s", "--seed", "4", "--fresh", "--quiet"]).status == 0)
    }

    @Test func aSecondRunnerOnTheSameFolderIsRefused() throws {
        try FileManager.default.createDirectory(atPath: dir + "/locked", withIntermediateDirectories: true)
        let lock = try FolderLock(folder: dir + "/locked")
        let r = try run(["tiny.yaml", "--out", "locked"])
        #expect(r.status == 1)
        #expect(r.err.contains("in use by another runner"), "\(r.err)")
        withExtendedLifetime(lock) {}
    }

    /// The saved model predicts new inputs as the run's final model did: same preprocessing
    /// (stored in best.safetensors), same probabilities.
    @Test func predictWithTheSavedModelMatchesTheRun() throws {
        let points: [[Float]] = [[0.5, -1], [3, 2], [-2, 1.5]]
        write(tinySpec + "\npredict: [[0.5, -1], [3, 2], [-2, 1.5]]\n", "p.yaml", in: dir)
        let r = try run(["p.yaml", "--out", "p"])
        #expect(r.status == 0, "\(r.err)")
        let printed = r.out.split(separator: "\n").filter { $0.hasPrefix("predict [") }.map { line in
            line.split(separator: "→")[1].split(separator: "]")[0].dropFirst(2).split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        }
        #expect(printed.count == 3, "\(r.out)")
        writeNPY(points.flatMap { $0 }, shape: [3, 2], to: dir + "/points.npy")
        let p = try run(["predict", "p", "points.npy", "--out", "predictions.csv"])
        #expect(p.status == 0, "\(p.err)")
        let csv = readCSV(dir + "/predictions.csv")
        #expect(csv.first == ["sample", "class", "p_0", "p_1", "p_2"])
        for (i, row) in csv.dropFirst().enumerated() {
            let probabilities = row[2...].map { Double($0)! }
            #expect(zip(probabilities, printed[i]).allSatisfy { abs($0 - $1) < 1e-4 }, "\(row) vs \(printed[i])")
            #expect(Int(row[1]) == probabilities.indices.max { probabilities[$0] < probabilities[$1] })
        }
        let bad = try run(["predict", "p", "tiny.yaml"])
        #expect(bad.status == 2)
    }

    @Test func aFileWithoutSearchTrainsOneModel() throws {
        let spec = """
        name: line
        seed: 0
        data: {source: linear, weights: [0.5], bias: 0.8, samples: 1000}
        model:
          input_shape: [1]
          layers: [{Dense: {units: 1}}]
        compile: {loss: mae, optimizer: rmsprop}
        fit: {epochs: 50, batch_size: 10}
        """
        write(spec, "line.yaml", in: dir)
        let r = try run(["line.yaml", "--out", "line"])
        #expect(r.status == 0, "\(r.err)")
        // The seed notebook prints the fitted weight and bias: so does runner.
        func printed(_ prefix: String) -> Double? {
            guard let line = r.out.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
            return Double(line.split(separator: "[").last!.dropLast())
        }
        #expect(abs((printed("dense/kernel [1, 1]: ") ?? 0) - 0.5) < 0.01, "\(r.out)")
        #expect(abs((printed("dense/bias [1]: ") ?? 0) - 0.8) < 0.01, "\(r.out)")
        let board = readCSV(dir + "/line/leaderboard.csv")
        #expect(board.count == 2)
        #expect(board[0].contains("mean_test_loss"))
        #expect(FileManager.default.fileExists(atPath: dir + "/line/best.safetensors"))
    }

    /// 0 success, 1 a failure while running, 2 bad input: never a trace.
    @Test func exitStatusesFollowTheContract() throws {
        #expect(try run(["--help"]).status == 0)
        #expect(try run(["--version"]).status == 0)
        #expect(try run(["run"]).status == 2)
        #expect(try run(["tiny.yaml", "--jobs", "0"]).status == 2)
        write("a,b,y\n1,2,x\n3,,y\n", "holes.csv", in: dir)
        write("""
        data: {source: csv, path: holes.csv, target: y}
        model: {layers: [{Dense: {units: 2, activation: softmax}}]}
        compile: {loss: sparse_categorical_crossentropy}
        """, "holes.yaml", in: dir)
        let r = try run(["holes.yaml", "--out", "holes"])
        #expect(r.status == 2)
        #expect(r.err == "error: \(dir)/holes.csv:3: missing value in column 'b' (2)\n", "\(r.err)")
        let missing = try run(["nothing.yaml"])
        #expect(missing.status == 2)
        #expect(missing.err.hasPrefix("nothing.yaml: error: cannot read"))
    }

    @Test func aShapeErrorInAFileWithoutSearchIsLocated() throws {
        let spec = """
        name: bad
        data: {source: blobs, classes: 3, samples: 60}
        model:
          input_shape: [2]
          layers:
            - Dense: {units: 8, activation: relu}
            - Dense: {units: 4, activation: softmax}
        compile: {loss: sparse_categorical_crossentropy, optimizer: adam, metrics: [accuracy]}
        fit: {epochs: 1}
        """
        write(spec, "bad.yaml", in: dir)
        let r = try run(["bad.yaml", "--out", "bad"])
        #expect(r.status == 2)
        #expect(r.err == "bad.yaml:7:7: error: the output layer has 4 units but the data has 3 classes; use units: 3\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad/leaderboard.csv"))
    }
}

/// `source: idx` reads a folder with MNIST's file names, raw or gzip, and uses the t10k pair
/// as the test split.
@Suite struct IDXFolderTests {
    /// An IDX file of unsigned bytes: magic 00 00 08 rank, big-endian sizes, values.
    func idx(_ dims: [Int], _ values: [UInt8]) -> Data {
        var d = Data([0, 0, 8, UInt8(dims.count)])
        for n in dims { d += [UInt8(n >> 24 & 255), UInt8(n >> 16 & 255), UInt8(n >> 8 & 255), UInt8(n & 255)] }
        return d + values
    }

    @Test func aFolderOfRawIDXFilesTrainsAndTests() throws {
        let dir = freshFolder("idx")
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        // 4×4 images, two classes: bright top half (0) or bright bottom half (1).
        func images(_ labels: [UInt8]) -> [UInt8] {
            labels.flatMap { l in (0..<16).map { i in (i < 8) == (l == 0) ? 200 : 10 } }
        }
        let train: [UInt8] = (0..<40).map { UInt8($0 % 2) }, test: [UInt8] = [0, 1, 1, 0]
        _ = FileManager.default.createFile(atPath: dir + "/data/train-images-idx3-ubyte", contents: idx([40, 4, 4], images(train)))
        _ = FileManager.default.createFile(atPath: dir + "/data/train-labels-idx1-ubyte", contents: idx([40], train))
        _ = FileManager.default.createFile(atPath: dir + "/data/t10k-images-idx3-ubyte", contents: idx([4, 4, 4], images(test)))
        _ = FileManager.default.createFile(atPath: dir + "/data/t10k-labels-idx1-ubyte", contents: idx([4], test))
        write("""
        name: idx
        data: {source: idx, path: data, preprocess: scale}
        model:
          layers: [Flatten, {Dense: {units: 2, activation: softmax}}]
        compile: {loss: sparse_categorical_crossentropy, optimizer: {name: adam, learning_rate: 0.05}, metrics: [accuracy]}
        fit: {epochs: 30, batch_size: 8}
        """, "idx.yaml", in: dir)
        let r = try RunnerProcess.run(["idx.yaml", "--out", "out"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let scores = readCSV(dir + "/out/test.csv")
        let accuracy = scores.first.flatMap { $0.firstIndex(of: "test_accuracy") }.map { Double(scores[1][$0])! }
        #expect(accuracy == 1, "\(scores)")
    }
}
