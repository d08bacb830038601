import ArgumentParser
import Foundation
import Spec

/// `runner slurm FILE --array N`: writes (and with --submit submits) the sbatch scripts of a
/// sharded run: an array of N shards, then a merge job after it.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write sbatch scripts that run an experiment as a Slurm job array of shards plus a merge job.",
        discussion: "The scripts go to OUT/slurm/; logs to OUT/slurm/%A_%a.log. With --submit they are submitted with sbatch."
    )

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @Option(help: "Number of array tasks (shards).")
    var array: Int

    @Option(help: "Output folder shared by every task (default: the file's `output`).")
    var out: String?

    @Option(help: "Slurm partition.") var partition: String?
    @Option(help: "Slurm account.") var account: String?
    @Option(help: "Time limit per task, e.g. 01:00:00.") var time: String?
    @Option(help: "CPUs per task; runner trains that many units at once in each task.") var cpusPerTask: Int = 1
    @Option(help: "Memory per task, e.g. 4G.") var mem: String?
    @Option(name: .customLong("sbatch"), help: "An extra #SBATCH line, e.g. --sbatch=--qos=short (repeatable).") var extra: [String] = []
    @Option(help: "Seconds before the time limit at which a task stops after its epoch and requeues.") var signalSeconds: Int = 120

    @OptionGroup var options: ExperimentOptions

    @OptionGroup var kernelOptions: KernelOptions

    @Flag(help: "Submit the scripts with sbatch and print the job ids.")
    var submit = false

    func validate() throws {
        if array < 1 { throw ValidationError(Say.expectsPositive("--array", array)) }
        if cpusPerTask < 1 { throw ValidationError(Say.expectsPositive("--cpus-per-task", cpusPerTask)) }
    }

    func run() throws {
        guard let experiment = loadExperiment(file, overrides: options.allOverrides) else { throw RunnerError.diagnosticsPrinted }
        // Halving: one array per rung (the rungs depend on the data, so it is read).
        var rungs: Int?
        if experiment.search?.strategy.isSuccessive == true {
            rungs = try Session(file: file, overrides: options.allOverrides, trialCount: options.trials, out: nil).rungPlan?.stages.count
        }
        let outFolder = Self.absolute(out ?? experiment.output)
        // Every value lands in a script line: a line break would start a new shell command.
        let texts: [(String, String)] = [(Say.theOutputFolder, outFolder), (Say.theFilePath, Self.absolute(file)),
                                         (Say.theExperimentName, experiment.name), ("--partition", partition ?? ""),
                                         ("--account", account ?? ""), ("--time", time ?? ""), ("--mem", mem ?? "")]
            + extra.map { ("--sbatch", $0) } + options.arguments.map { (Say.aSetOrRunOption, $0) }
        if let (what, value) = texts.first(where: { $0.1.contains(where: \.isNewline) }) {
            throw RunnerError.badInput(Say.lineBreak(what, SlurmScript.shellQuote(value)))
        }
        if outFolder.contains(" ") { throw RunnerError.badInput(Say.spacesInOut(outFolder)) }
        let script = SlurmScript(runner: Self.executable(), file: Self.absolute(file), out: outFolder, shards: array,
                                 name: "runner-" + experiment.name, partition: partition, account: account, time: time,
                                 cpusPerTask: cpusPerTask, memory: mem, extraLines: extra, runArguments: options.arguments + kernelOptions.arguments,
                                 mergeArguments: kernelOptions.arguments, signalSeconds: signalSeconds)
        let folder = script.logFolder
        let mergePath = folder + "/merge.sbatch"
        // One array for a random or grid search; one per rung for halving, in order.
        let arrays: [(path: String, script: SlurmScript)] = rungs.map { count in
            (0..<count).map { r in
                var s = script
                s.rung = r
                return (folder + "/array-rung-\(r).sbatch", s)
            }
        } ?? [(folder + "/array.sbatch", script)]
        do {
            try AtomicFile.makeDirectory(folder)
            for a in arrays { try AtomicFile.write(a.script.arrayScript, to: a.path) }
            try AtomicFile.write(script.mergeScript, to: mergePath)
        } catch {
            throw RunnerError("\(error)", status: ExitStatus.failure)
        }
        guard submit else {
            print(Say.wroteScripts(arrays.map(\.path), merge: mergePath))
            var chain = "id=$(sbatch --parsable \(SlurmScript.shellQuote(arrays[0].path)))"
            for a in arrays.dropFirst() { chain += " && id=$(sbatch --parsable --dependency=afterany:$id \(SlurmScript.shellQuote(a.path)))" }
            print(Say.submitWith(chain + " && sbatch --dependency=afterany:$id \(SlurmScript.shellQuote(mergePath))"))
            return
        }
        var previous: String?
        for (i, a) in arrays.enumerated() {
            let id = try Self.sbatch((previous.map { ["--dependency=afterany:\($0)"] } ?? []) + [a.path])
            print(Say.submittedArray(id, tasks: array, rung: rungs != nil ? i : nil, after: previous))
            previous = id
        }
        let mergeID = try Self.sbatch(["--dependency=afterany:\(previous!)", mergePath])
        print(Say.submittedMerge(mergeID, after: previous!))
    }

    /// Runs `sbatch --parsable ARGS` and returns the job id.
    static func sbatch(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", "--parsable"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        do { try p.run() } catch { throw RunnerError.failure(Say.cannotRunSbatch(error)) }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0, let id = text.split(separator: ";").first, !id.isEmpty else {
            throw RunnerError.failure(Say.sbatchFailed(p.terminationStatus, text))
        }
        return String(id)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// This binary's absolute path, so the batch scripts run the same runner.
    static func executable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? absolute(CommandLine.arguments[0])
    }
}
