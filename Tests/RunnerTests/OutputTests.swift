import Foundation
import Testing
@testable import Runner

@Suite struct ShardTests {
    @Test func everyUnitHasExactlyOneShard() {
        for n in 1...8 {
            for unit in 0..<200 {
                let owners = (0..<n).filter { Shard(index: $0, count: n).owns(unit: unit) }
                #expect(owners == [Shard.owner(ofUnit: unit, count: n)], "unit \(unit) of \(n) shards")
            }
        }
    }

    @Test func parsesAndRefusesShardText() {
        #expect(Shard(parsing: "1/3") == Shard(index: 1, count: 3))
        for bad in ["3/3", "-1/2", "1/0", "1", "a/b", "1/2/3", ""] {
            #expect(Shard(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func slurmArrayGivesTheShard() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_MAX": "6", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(try Shard.fromSlurm(env) == Shard(index: 1, count: 3))
        // --array=4,6,12: three tasks but not contiguous.
        let gaps = ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_MAX": "12", "SLURM_ARRAY_TASK_COUNT": "3"]
        #expect(throws: Shard.SlurmError.self) { try Shard.fromSlurm(gaps) }
        #expect(throws: Shard.SlurmError.self) { try Shard.fromSlurm([:]) }
    }
}

@Suite struct CSVTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVTable.escape("plain") == "plain")
        #expect(CSVTable.escape("a,b") == "\"a,b\"")
        #expect(CSVTable.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.escape("two\nlines") == "\"two\nlines\"")
    }

    @Test func numbersReadBackExactly() {
        for x in [0.1, 1.0 / 3.0, 0.87654321, 1e-9, 123456.0, -2.5] {
            #expect(Double(NumberText.exact(x)) == x)
        }
        #expect(NumberText.exact(3) == "3")
        #expect(NumberText.exact(.nan) == "nan")
    }
}

func temporaryFolder() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("runner-test-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite struct JournalTests {
    /// A record computed with the header's kernels: stored without them, read back with them.
    func record(_ t: Int, _ f: Int, score: Double?, status: UnitStatus = .ok) -> UnitRecord {
        UnitRecord(trial: t, fold: f, params: ["units": "\(t * 10)"], status: status, reason: status == .ok ? nil : "why",
                   score: score, metrics: ["accuracy": score ?? .nan, "loss": 0.5], epochs: 3, seconds: 1.25,
                   historyColumns: ["loss"], history: [[0.9], [0.7], [0.5]], kernels: header.kernelText)
    }

    let header = JournalHeader(fingerprint: "abc", file: "x.yaml", seed: 7, shard: "0/1", version: "test", experiment: "name: x\n", base: "/tmp", trials: 2)

    @Test func recordsSurviveAndATornLineIsIgnored() throws {
        let out = temporaryFolder()
        do {
            let j = try Journal(out: out, shard: .whole, header: header)
            try j.append(record(0, 0, score: 0.5))
            try j.append(record(0, 1, score: 0.75))
        }
        // A crash mid-write leaves half a line.
        let path = Journal.path(out, shard: .whole)
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile()
        h.write(Data("{\"trial\":1,\"fo".utf8))
        try h.close()
        let (found, records) = try Journal.readAll(out: out, expected: header)
        #expect(found == header)
        #expect(records == [record(0, 0, score: 0.5), record(0, 1, score: 0.75)])
        // The resumed run cuts the torn line off and appends after it.
        try Journal(out: out, shard: .whole, header: header).append(record(1, 0, score: 0.25))
        #expect(try Journal.readAll(out: out, expected: header).records == [record(0, 0, score: 0.5), record(0, 1, score: 0.75), record(1, 0, score: 0.25)])
    }

    @Test func aTornHeaderIsWrittenAgain() throws {
        let out = temporaryFolder()
        try FileManager.default.createDirectory(atPath: Journal.folder(out), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: Journal.path(out, shard: .whole), contents: Data("{\"journal\":1,\"finger".utf8))
        try Journal(out: out, shard: .whole, header: header).append(record(0, 0, score: 0.5))
        let (found, records) = try Journal.readAll(out: out, expected: header)
        #expect(found == header)
        #expect(records == [record(0, 0, score: 0.5)])
    }

    @Test func aUnitOfOtherKernelsSaysSoAndIsRefusedUnlessMixed() throws {
        let out = temporaryFolder()
        var other = record(0, 1, score: 0.75)
        other.kernels = "x86_64, OpenBLAS 0.3.21 Sandybridge, oneDNN 2.6.3 avx2"
        do {
            let j = try Journal(out: out, shard: .whole, header: header)
            try j.append(record(0, 0, score: 0.5))
            try j.append(other)
        }
        let lines = try String(contentsOfFile: Journal.path(out, shard: .whole), encoding: .utf8).split(separator: "\n")
        #expect(!lines[1].contains("kernels") && lines[2].contains("Sandybridge"), "only the unit that differs carries its kernels")
        #expect(throws: Journal.KernelMismatch.self) { try Journal.readAll(out: out, expected: header) }
        #expect(try Journal.readAll(out: out, expected: header, mixKernels: true).records == [record(0, 0, score: 0.5), other])
    }

    @Test func aJournalOfAnotherRunIsRefused() throws {
        let out = temporaryFolder()
        _ = try Journal(out: out, shard: .whole, header: header)
        var other = header
        other.seed = 8
        #expect(throws: Journal.Mismatch.self) { try Journal.readAll(out: out, expected: other) }
    }

    @Test func aUnitRecordedTwiceCountsOnce() throws {
        let out = temporaryFolder()
        for shard in [Shard(index: 0, count: 2), Shard(index: 1, count: 2)] {
            let j = try Journal(out: out, shard: shard, header: header)
            try j.append(record(0, 0, score: 0.5))
        }
        #expect(try Journal.readAll(out: out, expected: nil).records.count == 1)
    }

    @Test func leaderboardRanksBestFirstAndFailedLast() {
        let reports = Reports(parameters: ["units"], folds: 2, scoring: "accuracy", higherIsBetter: true)
        let records = [
            record(0, 0, score: 0.5), record(0, 1, score: 0.7),
            record(1, 0, score: nil, status: .failed), record(1, 1, score: nil, status: .failed),
            record(2, 0, score: 0.8), record(2, 1, score: 0.8),
            record(3, 0, score: 0.6), // fold 1 missing: not on the board yet
        ]
        let ranked = reports.rank(records)
        #expect(ranked.map(\.trial) == [2, 0, 1])
        #expect(ranked[1].mean == 0.6)
        #expect(abs(ranked[1].std! - 0.1) < 1e-12)
        let text = reports.leaderboard(ranked).text
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "rank,trial,param_units,mean_test_accuracy,std_test_accuracy,split0_test_accuracy,split1_test_accuracy,epochs,seconds,status,reason")
        #expect(lines[1].hasPrefix("1,2,20,0.8,0,0.8,0.8,3 3,"))
        #expect(lines[3].hasPrefix("3,1,10,,,,,3 3,") && lines[3].hasSuffix(",failed,why"))
    }
}
