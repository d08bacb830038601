import Foundation
import Testing

/// A sweep split over processes: shards as separate processes, then `runner merge`.
@Suite(.serialized) struct ShardedRunTests {
    let dir = freshFolder("shards")

    init() { write(tinySpec, "tiny.yaml", in: dir) }

    func files(_ out: String) -> [String: [[String]]] { resultFiles(dir + "/" + out) }

    @Test func threeShardsMergeToTheOneProcessRun() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "single", "--quiet"], in: dir).status == 0)
        let shards = try (0..<3).map { try RunnerProcess.start(["run", "tiny.yaml", "--out", "sharded", "--shard", "\($0)/3"], in: dir) }
        for s in shards {
            let r = s.wait()
            #expect(r.status == 0, "\(r.err)")
            #expect(!r.err.contains("\u{1B}"), "batch logs carry no terminal control characters")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/sharded/leaderboard.csv"), "shards leave the leaderboard to merge")
        let m = try RunnerProcess.run(["merge", "sharded", "--quiet"], in: dir)
        #expect(m.status == 0, "\(m.err)")
        let merged = files("sharded"), single = files("single")
        #expect(merged.count >= 3 + 13)
        #expect(merged == single)
        #expect(FileManager.default.fileExists(atPath: dir + "/sharded/report.html"), "merge writes the report")
    }

    @Test func mergeNamesTheMissingUnitsAndTheirShard() throws {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "part", "--shard", "0/2", "--quiet"], in: dir).status == 0)
        let m = try RunnerProcess.run(["merge", "part"], in: dir)
        #expect(m.status == 1)
        #expect(m.err.contains("6 of 12 units are missing"), "\(m.err)")
        #expect(m.err.contains("trial 0 fold 1: owed by shard 1/2"), "\(m.err)")
        // A requeued shard that runs again adds nothing twice.
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "part", "--shard", "1/2", "--quiet"], in: dir).status == 0)
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "part", "--shard", "1/2", "--quiet"], in: dir).status == 0)
        #expect(try RunnerProcess.run(["merge", "part", "--quiet"], in: dir).status == 0)
        #expect(readCSV(dir + "/part/trials.csv").count == 13)
    }

    @Test func slurmArraysMustBeContiguous() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_MAX": "12", "SLURM_ARRAY_TASK_COUNT": "3"]
        let r = try RunnerProcess.run(["tiny.yaml", "--out", "gaps", "--shard", "auto"], in: dir, environment: env)
        #expect(r.status == 2)
        #expect(r.err.contains("not contiguous"), "\(r.err)")
    }

    @Test func slurmWritesTheArrayAndMergeScripts() throws {
        let r = try RunnerProcess.run(["slurm", "tiny.yaml", "--array", "3", "--out", "cluster", "--time", "00:10:00",
                                       "--cpus-per-task", "2", "--partition", "debug", "--sbatch=--qos=short"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let array = try String(contentsOfFile: dir + "/cluster/slurm/array.sbatch", encoding: .utf8)
        for line in ["#SBATCH --array=0-2", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120", "#SBATCH --cpus-per-task=2",
                     "#SBATCH --partition=debug", "#SBATCH --time=00:10:00", "#SBATCH --qos=short", "%A_%a.log",
                     "--shard \"${SLURM_ARRAY_TASK_ID}/3\"", "--jobs 2", "scontrol requeue"] {
            #expect(array.contains(line), "array.sbatch lacks \(line)")
        }
        let merge = try String(contentsOfFile: dir + "/cluster/slurm/merge.sbatch", encoding: .utf8)
        #expect(merge.contains(" merge ") && merge.contains("/cluster --threads 2"), "\(merge)")
    }
}

/// One writer per folder: a live shard's journal survives `--fresh`, an unsharded run and a
/// merge beside it; shards run together; the lock goes with the process.
@Suite(.serialized) struct FolderLockTests {
    let dir = freshFolder("locks")

    init() {
        write(tinySpec, "tiny.yaml", in: dir)
        // Minutes of training per unit in a debug build: the shards are still running when
        // the other commands try the folder (they are killed at the end).
        write("""
            data: {source: blobs, classes: 2, samples: 4000}
            model: {layers: [{Dense: {units: 64, activation: relu}}, {Dense: {units: 2, activation: softmax}}]}
            compile: {loss: sparse_categorical_crossentropy, optimizer: {name: sgd, learning_rate: $lr}}
            fit: {epochs: 100000, batch_size: 8}
            search: {trials: 2, cv: 2, space: {lr: {choice: [0.01, 0.02]}}}
            """, "slow.yaml", in: dir)
    }

    func started(_ p: RunnerProcess.Running, _ journal: String) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while lineCount(journal) < 1 && Date() < deadline && p.process.isRunning { usleep(2000) }
        return p.process.isRunning && lineCount(journal) >= 1
    }

    @Test func freshBesideALiveShardIsRefusedAndTheShardKeepsItsJournal() throws {
        let shard = try RunnerProcess.start(["slow.yaml", "--out", "o", "--shard", "0/2", "--jobs", "1", "--quiet"], in: dir)
        let journal = dir + "/o/journal/shard-0-of-2.jsonl"
        #expect(started(shard, journal), "the shard should be running with its journal started")

        for args in [["slow.yaml", "--out", "o", "--fresh"], ["slow.yaml", "--out", "o"], ["merge", "o"],
                     ["slow.yaml", "--out", "o", "--shard", "0/2", "--fresh"]] {
            let r = try RunnerProcess.run(args + ["--quiet"], in: dir)
            #expect(r.status == 1, "\(args): \(r.err)")
            #expect(r.err.contains("is in use by another runner"), "\(args): \(r.err)")
            #expect(FileManager.default.fileExists(atPath: journal), "\(args) removed the live shard's journal")
        }
        // Another shard of the same run is welcome.
        let other = try RunnerProcess.start(["slow.yaml", "--out", "o", "--shard", "1/2", "--jobs", "1", "--quiet"], in: dir)
        #expect(started(other, dir + "/o/journal/shard-1-of-2.jsonl"), "a second shard should run beside the first")
        for p in [shard, other] { kill(p.process.processIdentifier, SIGKILL); _ = p.wait() }
        // The kernel released the dead shards' locks: a whole --fresh run now goes ahead.
        let fresh = try RunnerProcess.run(["slow.yaml", "--out", "o", "--fresh", "--quiet", "--trials", "1", "--set", "fit.epochs=1"], in: dir)
        #expect(fresh.status == 0, "\(fresh.err)")
        #expect(!FileManager.default.fileExists(atPath: journal))
    }

    /// What `runner slurm` prints and writes is shell-safe; a line break anywhere is refused.
    @Test func slurmTextIsQuotedAndLineBreaksAreRefused() throws {
        // No spaces (refused for #SBATCH lines), but a shell turns ${IFS} into one.
        let out = dir + "/$(touch${IFS}pwned)x'y"
        let r = try RunnerProcess.run(["slurm", "tiny.yaml", "--array", "2", "--out", out], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let line = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("submit with: ") })
        let quoted = SlurmQuoting.quote(out + "/slurm/array.sbatch")
        #expect(line.contains("--parsable " + quoted + ")"), "\(line)")
        // The printed line, run by a shell with a fake sbatch, executes nothing it should not.
        let fake = dir + "/bin"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
        write("#!/bin/sh\necho 42\n", "bin/sbatch", in: dir)
        chmod(fake + "/sbatch", 0o755)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", String(line.dropFirst("submit with: ".count))]
        shell.currentDirectoryURL = URL(fileURLWithPath: dir)
        shell.environment = ["PATH": fake + ":/usr/bin:/bin"]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/pwned"), "the pasted line ran $(...)")

        for args in [["--sbatch=--qos=short\necho pwned"], ["--partition", "debug\nrm -rf x"], ["--set", "name=x\necho pwned"]] {
            let bad = try RunnerProcess.run(["slurm", "tiny.yaml", "--array", "2", "--out", "nl"] + args, in: dir)
            #expect(bad.status == 2, "\(args): \(bad.err)")
            #expect(bad.err.contains("contains a line break"), "\(args): \(bad.err)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/nl/slurm/array.sbatch"))
        }
    }
}

/// POSIX single quotes, as `runner slurm` writes them (kept here to check its output).
enum SlurmQuoting {
    static func quote(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        if plain && !s.isEmpty { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
