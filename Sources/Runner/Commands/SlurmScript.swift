/// The two sbatch scripts of a sharded run: an array job whose task `i` runs shard `i/N`,
/// and a merge job that runs after it. Pure text, so it can be tested without Slurm.
struct SlurmScript {
    var runner: String
    var file: String
    var out: String
    var shards: Int
    var name: String
    var partition: String?
    var account: String?
    var time: String?
    var cpusPerTask: Int
    var memory: String?
    var extraLines: [String]
    /// Extra `runner run` arguments (overrides, --seed, --trials, --cv), already split.
    var runArguments: [String]
    /// Extra `runner merge` arguments (--kernels, --mix-kernels).
    var mergeArguments: [String] = []
    /// Seconds before the time limit at which Slurm sends SIGUSR1.
    var signalSeconds: Int
    /// Halving and Hyperband: the rung this array runs (`--rung`), one array per rung.
    var rung: Int? = nil

    var logFolder: String { out + "/slurm" }

    private func common(jobName: String) -> [String] {
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(jobName)"]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let account { lines.append("#SBATCH --account=\(account)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        if let memory { lines.append("#SBATCH --mem=\(memory)") }
        return lines
    }

    var arrayScript: String {
        var lines = common(jobName: name + (rung.map { "-rung\($0)" } ?? ""))
        lines += [
            "#SBATCH --array=0-\(shards - 1)",
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --output=\(logFolder)/%A_%a.log",
            "#SBATCH --open-mode=append",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@\(signalSeconds)",
        ]
        lines += extraLines.map { $0.hasPrefix("#SBATCH") ? $0 : "#SBATCH " + $0 }
        let command = ([runner, "run", file, "--out", out, "--shard", "${SLURM_ARRAY_TASK_ID}/\(shards)",
                        "--jobs", "\(cpusPerTask)"].map(Self.shellWord) + (rung.map { ["--rung", String($0)] } ?? [])
                        + runArguments.map(Self.shellQuote))
            .joined(separator: " ")
        lines += [""]
        if let rung {
            lines += [
                "# Rung \(rung) of the halving search, submitted after the previous rung's array (afterany).",
                "# Each task decides the rung's candidates itself from the journals (the same records give",
                "# the same promotion in any process): no coordinator. If a unit of the rung before is",
                "# missing, it lists it and exits 1: rerun that rung's task, then this one.",
            ]
        }
        lines += [
            "# Task i runs shard i/\(shards) of the units; N is written here, not taken",
            "# from Slurm, so resubmitting one index (sbatch --array=2 ...) reruns exactly that shard.",
            "# Slurm sends USR1 \(signalSeconds) s before the time limit: runner stops after its current",
            "# epoch with every finished unit journaled; the task then requeues itself and resumes.",
            "set -u",
            "requeue=0",
            "trap 'requeue=1; kill -USR1 \"$pid\" 2>/dev/null' USR1",
            "\(command) &",
            "pid=$!",
            "wait \"$pid\"; status=$?",
            "while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; status=$?; done",
            "if [ \"$requeue\" = 1 ]; then",
            "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"",
            "fi",
            "exit \"$status\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    var mergeScript: String {
        var lines = common(jobName: name + "-merge")
        lines += [
            "#SBATCH --cpus-per-task=\(cpusPerTask)",
            "#SBATCH --output=\(logFolder)/merge_%j.log",
        ]
        lines += extraLines.map { $0.hasPrefix("#SBATCH") ? $0 : "#SBATCH " + $0 }
        lines += [
            "",
            "# Runs after every array task has ended (afterany): merges the shards' journals into",
            "# the leaderboard, then refits the best trial and tests it. Units still missing are",
            "# listed with the shard that owes them, and the job fails (exit 1).",
            ([runner, "merge", out, "--threads", "\(cpusPerTask)"].map(Self.shellWord) + mergeArguments.map(Self.shellQuote)).joined(separator: " "),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A word for the shell, quoted unless it is plain (the shard keeps its `${...}`).
    static func shellWord(_ s: String) -> String {
        if s.contains("${SLURM_ARRAY_TASK_ID}") { return "\"" + s + "\"" }
        return shellQuote(s)
    }

    static func shellQuote(_ s: String) -> String {
        let plain = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        if plain && !s.isEmpty { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
