import Foundation
import Testing
@testable import Runner

/// Halving and Hyperband end to end, with the built binary on tiny blobs: a promoted unit
/// continues to the numbers of one longer fit, and the files are the same whatever the jobs,
/// a kill -9 and resume, or shards and merge.
@Suite(.serialized) struct HalvingTests {
    let dir = freshFolder("halving")

    /// 9 epochs, factor 3: 9 candidates at 1 epoch, 3 at 3, 1 at 9. Dropout, an inner
    /// validation split, EarlyStopping and ReduceLROnPlateau all carry state across rungs.
    static let spec = """
    name: halving
    seed: 5
    data: {source: blobs, classes: 3, samples: 240, test_fraction: 0.2, preprocess: standardize}
    model:
      layers:
        - Dense: {units: $units, activation: relu}
        - Dropout: {rate: 0.2}
        - Dense: {units: 3, activation: softmax}
    compile:
      loss: sparse_categorical_crossentropy
      optimizer: {name: adam, learning_rate: $lr}
      metrics: [accuracy]
    fit:
      epochs: 9
      batch_size: 16
      validation_split: 0.2
      callbacks: [{EarlyStopping: {patience: 4}}, {ReduceLROnPlateau: {patience: 1, factor: 0.5}}]
    search:
      strategy: halving
      cv: 3
      space:
        units: {randint: [2, 17]}
        lr: {loguniform: [1.0e-3, 1.0e-1]}
    """

    init() { write(Self.spec, "h.yaml", in: dir) }

    func run(_ args: [String]) throws -> RunnerProcess.Result { try RunnerProcess.run(args, in: dir) }
    func outputs(_ out: String) -> [String: [[String]]] { resultFiles(dir + "/" + out) }

    @Test func theLeaderboardRanksByRungThenScore() throws {
        let r = try run(["h.yaml", "--out", "a", "--quiet"])
        #expect(r.status == 0, "\(r.err)")
        let board = readCSV(dir + "/a/leaderboard.csv")
        #expect(Array(board[0].prefix(6)) == ["rank", "trial", "iter", "n_resources", "param_lr", "param_units"])
        #expect(board.count == 1 + 9)
        #expect(board.dropFirst().map { $0[2] } == ["2"] + Array(repeating: "1", count: 2) + Array(repeating: "0", count: 6))
        #expect(board.dropFirst().map { $0[3] } == ["9", "3", "3"] + Array(repeating: "1", count: 6))
        // Within a rung, best mean first.
        let mean = board[0].firstIndex(of: "mean_test_accuracy")!
        let rung0 = board.suffix(6).map { Double($0[mean])! }
        #expect(rung0 == rung0.sorted(by: >))
        // One trials.csv row per (trial, rung, fold): 9 + 3 + 1 candidates × 3 folds.
        let trials = readCSV(dir + "/a/trials.csv")
        #expect(Array(trials[0].prefix(4)) == ["trial", "iter", "n_resources", "fold"])
        #expect(trials.count == 1 + (9 + 3 + 1) * 3)
        // The promoted are the best of their rung: rung 1's trials are rung 0's top three.
        let rung0Trials = board.suffix(6).map { $0[1] }
        let promoted = Set(trials.dropFirst().filter { $0[1] == "1" }.map { $0[0] })
        #expect(promoted.count == 3 && promoted.isDisjoint(with: rung0Trials))
        // The refit trains the best trial's 9 epochs.
        let test = readCSV(dir + "/a/test.csv")
        #expect(test[1][test[0].firstIndex(of: "epochs")!] == "9" || test[1][test[0].firstIndex(of: "status")!] != "ok")
        #expect(try run(["validate", "a/resolved.yaml"]).status == 0)
    }

    /// The winner's 9 epochs, trained 1 + 2 + 6 across three rungs from saved states, give the
    /// scores, losses and history of a random search training that trial 9 epochs in one go.
    @Test func continuationEqualsOneGo() throws {
        #expect(try run(["h.yaml", "--out", "h", "--quiet", "--no-refit"]).status == 0)
        let board = readCSV(dir + "/h/leaderboard.csv")
        let best = try #require(Int(board[1][1]))
        #expect(board[1][2] == "2")
        #expect(try run(["h.yaml", "--out", "r", "--quiet", "--no-refit", "--set", "search.strategy=random", "--trials", String(best + 1)]).status == 0)
        let halving = withoutTiming(readCSV(dir + "/h/trials.csv")).filter { $0[0] == String(best) && $0[1] == "2" }.map { Array($0.dropFirst(3)) }
        let random = withoutTiming(readCSV(dir + "/r/trials.csv")).filter { $0[0] == String(best) }.map { Array($0.dropFirst(1)) }
        #expect(halving.count == 3)
        #expect(halving == random)
        for f in 0..<3 {
            let name = "/history/" + Reports.historyName(trial: best, fold: f)
            let h = readCSV(dir + "/h" + name)
            #expect(h.count == 1 + 9 || h.count < 10)
            #expect(h == readCSV(dir + "/r" + name))
        }
    }

    @Test func jobsKillAndResumeAndShardsGiveTheSameFiles() throws {
        #expect(try run(["h.yaml", "--out", "one", "--jobs", "1", "--quiet"]).status == 0)
        #expect(try run(["h.yaml", "--out", "two", "--jobs", "2", "--quiet"]).status == 0)
        let one = outputs("one")
        #expect(one.count >= 4 + 9 * 3)
        #expect(outputs("two") == one)

        // kill -9 in the middle of the search, then the same command.
        let p = try RunnerProcess.start(["h.yaml", "--out", "cut", "--jobs", "1", "--quiet"], in: dir)
        let journal = dir + "/cut/journal/shard-0-of-1.jsonl"
        let deadline = Date().addingTimeInterval(60)
        while lineCount(journal) < 8 && Date() < deadline && p.process.isRunning { usleep(1000) }
        kill(p.process.processIdentifier, SIGKILL)
        _ = p.wait()
        let saved = lineCount(journal) - 1
        #expect(saved >= 7 && saved < 39, "the kill should land mid-search; \(saved) units were saved")
        let resumed = try run(["h.yaml", "--out", "cut", "--jobs", "2"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(outputs("cut") == one)

        // Two shards at once (each waits for the other at the barriers), then merge.
        let a = try RunnerProcess.start(["h.yaml", "--out", "sh", "--shard", "0/2", "--quiet"], in: dir)
        let b = try RunnerProcess.start(["h.yaml", "--out", "sh", "--shard", "1/2", "--quiet"], in: dir)
        #expect(a.wait().status == 0)
        #expect(b.wait().status == 0)
        let merged = try run(["merge", "sh", "--quiet"])
        #expect(merged.status == 0, "\(merged.err)")
        #expect(outputs("sh") == one)
    }

    /// `--rung R` runs one rung and stops, as runner slurm's per-rung arrays do; a rung before
    /// its predecessor is refused, and merge lists what the rungs still owe.
    @Test func rungByRungAsSlurmRunsIt() throws {
        let early = try run(["h.yaml", "--out", "byrung", "--rung", "1", "--shard", "1/2", "--quiet"])
        #expect(early.status == 1)
        #expect(early.err.contains("rung 1 needs every unit of the rung before it"), "\(early.err)")
        #expect(try run(["h.yaml", "--out", "byrung", "--rung", "0", "--shard", "0/2", "--quiet"]).status == 0)
        let owed = try run(["merge", "byrung", "--quiet"])
        #expect(owed.status == 1)
        #expect(owed.err.contains("owed by shard 1/2"), "\(owed.err)")
        #expect(owed.err.contains("and the rungs after them"), "\(owed.err)")
        #expect(try run(["h.yaml", "--out", "byrung", "--rung", "0", "--shard", "1/2", "--quiet"]).status == 0)
        for rung in 1...2 {
            for s in 0..<2 { #expect(try run(["h.yaml", "--out", "byrung", "--rung", String(rung), "--shard", "\(s)/2", "--quiet"]).status == 0) }
        }
        #expect(try run(["merge", "byrung", "--quiet"]).status == 0)
        #expect(try run(["h.yaml", "--out", "whole", "--quiet"]).status == 0)
        #expect(outputs("byrung") == outputs("whole"))
        let bad = try run(["h.yaml", "--out", "x", "--rung", "3"])
        #expect(bad.status == 2)
        #expect(bad.err.contains("the search has rungs 0 to 2"), "\(bad.err)")
    }

    /// More candidates on a finished folder (`--trials 12` after 9): the journaled units are
    /// reused, the rungs decided anew, and the files are a fresh 12-candidate run's (records of
    /// rungs a trial is no longer promoted to are left out).
    @Test func moreCandidatesExtendAFinishedSearch() throws {
        #expect(try run(["h.yaml", "--out", "grow", "--quiet"]).status == 0)
        let grown = try run(["h.yaml", "--out", "grow", "--trials", "12", "--quiet"])
        #expect(grown.status == 0, "\(grown.err)")
        #expect(try run(["h.yaml", "--out", "twelve", "--trials", "12", "--quiet"]).status == 0)
        #expect(outputs("grow") == outputs("twelve"))
    }

    @Test func samplesAndHyperband() throws {
        // 192 training samples, 128 per fold of 3; smallest 2·3·3 = 18; factor 2: 7 candidates
        // at 18, 36, 72 samples (possible 1 + ⌊log₂ 7⌋ = 3 rungs).
        let s = try run(["h.yaml", "--out", "s", "--quiet", "--set", "search.resource=samples", "--set", "search.factor=2"])
        #expect(s.status == 0, "\(s.err)")
        let board = readCSV(dir + "/s/leaderboard.csv")
        #expect(board.count == 1 + 7)
        #expect(Set(board.dropFirst().map { $0[3] }) == ["18", "36", "72"])
        #expect(board[1][3] == "72")

        // Hyperband over 9 epochs, factor 3: brackets of 9, 5 and 3 trials (17 in all).
        let h = try run(["h.yaml", "--out", "hb", "--quiet", "--set", "search.strategy=hyperband"])
        #expect(h.status == 0, "\(h.err)")
        let hb = readCSV(dir + "/hb/leaderboard.csv")
        #expect(hb.count == 1 + 17)
        #expect(hb[1][3] == "9")
        #expect(hb.dropFirst().filter { $0[3] == "9" }.count == 1 + 2 + 3)
    }
}
