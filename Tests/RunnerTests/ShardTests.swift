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
