import Foundation
import Testing

/// Against a real Slurm (slurmctld + slurmd + munged on this machine, started by
/// `scripts/slurm-local`; `.ci/run` starts one and sets SLURM_CONF). Without one the tests are
/// skipped, and say so.
@Suite(.serialized, .enabled(if: SlurmCluster.available, "no Slurm cluster: start one with `eval \"$(scripts/slurm-local start /tmp/slurm)\"` (needs `scripts/setup --slurm`)"))
struct SlurmClusterTests {
    let dir = freshFolder("slurm")

    init() {
        // Slow enough (no early stopping, 300 epochs: about a second a unit) that a task can be
        // cancelled or signalled mid-run.
        let slow = tinySpec.replacingOccurrences(of: "epochs: 4", with: "epochs: 300")
            .replacingOccurrences(of: "callbacks: [{EarlyStopping: {patience: 1}}]", with: "callbacks: []")
        write(slow, "tiny.yaml", in: dir)
    }

    func board(_ out: String) -> [String: [[String]]] { resultFiles(dir + "/" + out) }

    /// Runs the spec in one local process (the reference, in `local`), then submits it as a
    /// 3-task array plus merge job writing to `out`; returns the array's and the merge's ids.
    func runLocallyAndSubmit(out: String) throws -> [String] {
        #expect(try RunnerProcess.run(["tiny.yaml", "--out", "local", "--quiet"], in: dir).status == 0)
        let r = try RunnerProcess.run(["slurm", "tiny.yaml", "--array", "3", "--out", out, "--submit"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let ids = SlurmCluster.jobIDs(r.out)
        try #require(ids.count == 2, "\(r.out)")
        return ids
    }

    /// Waits (at most 2 minutes) until a shard's journal holds a finished unit.
    func waitForAUnit(in journal: String) {
        let deadline = Date().addingTimeInterval(120)
        while lineCount(journal) < 2 && Date() < deadline { usleep(20_000) }
    }

    @Test func anArrayAndItsMergeJobGiveTheLocalLeaderboard() throws {
        let ids = try runLocallyAndSubmit(out: "cluster")
        for id in ids { try SlurmCluster.waitForJob(id, timeout: 240) }
        #expect(SlurmCluster.state(ids[1]) == "COMPLETED", "merge job: \(SlurmCluster.state(ids[1]))")
        #expect(board("cluster") == board("local"))
        #expect(FileManager.default.fileExists(atPath: dir + "/cluster/best.safetensors"))
    }

    /// Slurm's warning before a time limit (USR1 to the batch shell, as `--signal=B:USR1@…`
    /// sends it): the task stops after its epoch, requeues itself, resumes and completes.
    @Test func aSignalledTaskRequeuesItselfAndResumes() throws {
        let ids = try runLocallyAndSubmit(out: "warned")
        let task = "\(ids[0])_2"
        let journal = dir + "/warned/journal/shard-2-of-3.jsonl"
        waitForAUnit(in: journal)
        let saved = lineCount(journal) - 1
        _ = SlurmCluster.run(["scancel", "--batch", "--signal=USR1", task])
        for id in ids { try SlurmCluster.waitForJob(id, timeout: 300) }
        let job = SlurmCluster.run(["scontrol", "show", "job", task])
        #expect(job.contains("Restarts=1"), "\(job)")
        #expect(SlurmCluster.state(task) == "COMPLETED", "task 2: \(SlurmCluster.state(task))")
        #expect(saved >= 1 && saved < 4, "the signal should land mid-shard; \(saved) units were saved")
        let log = (try? String(contentsOfFile: dir + "/warned/slurm/\(ids[0])_2.log", encoding: .utf8)) ?? ""
        #expect(log.contains("stopped by SIGUSR1"), "\(log)")
        #expect(log.contains("already done (resuming)"), "\(log)")
        #expect(SlurmCluster.state(ids[1]) == "COMPLETED", "merge job: \(SlurmCluster.state(ids[1]))")
        #expect(board("warned") == board("local"))
    }

    @Test func aCancelledTaskIsResubmittedAndTheMergeIsComplete() throws {
        let ids = try runLocallyAndSubmit(out: "cut")
        let task = "\(ids[0])_1"
        // Cancel task 1 once it has journaled at least one unit (mid-run).
        let journal = dir + "/cut/journal/shard-1-of-3.jsonl"
        waitForAUnit(in: journal)
        _ = SlurmCluster.run(["scancel", task])
        for id in ids { try SlurmCluster.waitForJob(id, timeout: 240) }
        #expect(SlurmCluster.state(task) == "CANCELLED", "task 1: \(SlurmCluster.state(task))")
        // The merge job ran (afterany) and found units missing: it failed, naming shard 1.
        #expect(SlurmCluster.state(ids[1]) == "FAILED", "merge job: \(SlurmCluster.state(ids[1]))")
        // Resubmit index 1 alone: it resumes its shard; then merge.
        let again = SlurmCluster.run(["sbatch", "--parsable", "--array=1", dir + "/cut/slurm/array.sbatch"])
        let id = again.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
        #expect(!id.isEmpty, "sbatch: \(again)")
        try SlurmCluster.waitForJob(id, timeout: 240)
        let m = try RunnerProcess.run(["merge", "cut", "--quiet"], in: dir)
        #expect(m.status == 0, "\(m.err)")
        #expect(board("cut") == board("local"))
    }

    /// Halving: one array per rung, each submitted after the previous (afterany), each task
    /// deciding its rung's candidates from the journals; the merge after the last rung gives
    /// the leaderboard of one local process.
    @Test func halvingRunsOneArrayPerRungChained() throws {
        write(HalvingTests.spec, "h.yaml", in: dir)
        #expect(try RunnerProcess.run(["h.yaml", "--out", "hlocal", "--quiet"], in: dir).status == 0)
        let r = try RunnerProcess.run(["slurm", "h.yaml", "--array", "2", "--out", "hcluster", "--submit"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let ids = SlurmCluster.jobIDs(r.out)
        try #require(ids.count == 4, "three rungs and the merge: \(r.out)")
        // Unchained, a later rung's tasks would start at once, find the rung before it
        // incomplete and fail: every job COMPLETED shows the chain held.
        for id in ids { try SlurmCluster.waitForJob(id, timeout: 300) }
        for id in ids { #expect(SlurmCluster.state(id) == "COMPLETED", "job \(id): \(SlurmCluster.state(id))") }
        #expect(FileManager.default.fileExists(atPath: dir + "/hcluster/slurm/array-rung-2.sbatch"))
        #expect(board("hcluster") == board("hlocal"))
    }
}

enum SlurmCluster {
    static var available: Bool {
        guard ProcessInfo.processInfo.environment["SLURM_CONF"] != nil else { return false }
        return run(["sinfo", "-h", "-o", "%a"]).contains("up")
    }

    /// Runs a Slurm client command and returns its standard output ("" if it cannot run).
    @discardableResult
    static func run(_ args: [String]) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        let path = NSTemporaryDirectory() + "slurm-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: path)
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return "" }
        p.waitUntilExit()
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// The ids in `runner slurm --submit`'s output ("submitted array job 12 ...").
    static func jobIDs(_ out: String) -> [String] {
        out.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard line.hasPrefix("submitted"), let i = words.firstIndex(of: "job"), i + 1 < words.count else { return nil }
            return String(words[i + 1])
        }
    }

    /// Polls until no task of `id` is pending or running (bounded).
    static func waitForJob(_ id: String, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let active = run(["squeue", "-h", "-j", id, "-o", "%T"]).split(separator: "\n")
            if active.isEmpty { return }
            usleep(250_000)
        }
        throw TimeoutError(job: id)
    }

    struct TimeoutError: Error { var job: String }

    /// JobState of a finished job or task, from `scontrol show job` (kept for MinJobAge).
    static func state(_ id: String) -> String {
        let text = run(["scontrol", "show", "job", id])
        guard let r = text.range(of: "JobState=") else { return "unknown" }
        return String(text[r.upperBound...].prefix { !$0.isWhitespace })
    }
}
