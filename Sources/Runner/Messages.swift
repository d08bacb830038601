import Foundation

/// Every sentence the Runner module says to its user, in one place (Spec's are in
/// Spec/Messages.swift): the errors a command ends with, warnings and notes on standard error,
/// the progress lines, what a command prints, and the reasons a trial failed (the journal
/// keeps those, so they are data too: change one and old journals say the old words).
/// Lowercase, naming what was expected and what was found, and what to do about it.
///
/// Not here: documents runner writes, whose words are their layout (the help of each option
/// beside its declaration, the report page, the Slurm scripts' comments, CSV headers).
enum Say {
    /// `path: message`, a problem with a file or folder as a whole.
    static func at(_ path: String, _ message: String) -> String { "\(path): \(message)" }
    /// `file: error: message`, a bad experiment file with no better place than the file.
    static func inFile(_ file: String, _ message: String) -> String { "\(file): error: \(message)" }
    /// `file:line:column: error: message`.
    static func located(_ file: String, line: Int, column: Int, _ message: String) -> String {
        "\(file):\(line):\(column): error: \(message)"
    }
    /// What `main` prints for an error that has no `error` in it yet.
    static func error(_ message: String) -> String { "error: " + message }
    static func cannotWriteStandardOutput(_ reason: String) -> String { "error: cannot write to standard output: \(reason)\n" }

    // MARK: Command-line arguments

    static func expectsPositive(_ option: String, _ got: Int) -> String { "\(option) expects an integer > 0, got \(got)" }
    static func expectsNonNegative(_ option: String, _ got: Int) -> String { "\(option) expects an integer ≥ 0, got \(got)" }
    static func expectsAtLeastTwo(_ option: String, _ got: Int) -> String { "\(option) expects an integer ≥ 2, got \(got)" }
    static func badShard(_ got: String) -> String { "--shard expects I/N with 0 ≤ I < N (e.g. 0/4) or 'auto', got '\(got)'" }
    static func noSuchRung(_ rung: Int, count: Int) -> String {
        "--rung \(rung): the search has rungs 0 to \(count - 1) ('runner plan' lists them)"
    }
    static let rungWithoutRungs = "--rung is for search.strategy halving or hyperband"
    static func noSuchTrial(_ trial: Int, count: Int) -> String { "--trial \(trial): the search has only \(count) trials" }
    /// `--trials N: why not`, `--jobs N: why not`.
    static func option(_ option: String, _ value: Int, _ message: String) -> String { "\(option) \(value): " + message }
    static let noShardInSlurm =
        "--shard auto needs a Slurm array task (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT are not set)"
    static func slurmNotContiguous(id: Int, min: Int, max: Int, count: Int) -> String {
        "this Slurm array is not contiguous from its minimum (task \(id), min \(min), max \(max), \(count) tasks): shards cannot be derived from it; give --shard I/N explicitly (e.g. when resubmitting single failed indices)"
    }

    // MARK: Kernels

    static func portableNeedsX86(_ arch: String) -> String {
        "--kernels portable is defined for x86-64 machines, and this one is \(arch); use --kernels native (its numbers are this machine's own)"
    }
    static func portableNeedsFlags(_ lacking: [String]) -> String {
        "this CPU lacks \(lacking.map { $0.uppercased() }.joined(separator: " and ")), which the portable kernels (the same numbers on every x86-64 machine) need: run on a CPU from 2013 or later (Intel Haswell, AMD Excavator/Zen), or pass --kernels native, whose numbers are this machine's own"
    }
    static func openBLASNotPinned(_ core: String) -> String {
        "OpenBLAS runs its \(core) kernel even with OPENBLAS_CORETYPE=Haswell: this OpenBLAS cannot be pinned (a build without DYNAMIC_ARCH?); install Debian's libopenblas0-pthread or pass --kernels native"
    }
    static func cannotRestart(_ reason: String) -> String {
        "could not start runner again with OPENBLAS_CORETYPE=Haswell (\(reason)); set it yourself or pass --kernels native"
    }
    static let oneDNNNotCapped = "oneDNN refused to be capped at AVX2 (dnnl_set_max_cpu_isa); pass --kernels native"
    static func oneDNNDispatch(_ isa: String) -> String { "oneDNN dispatches to \(isa), not avx2, after being capped; pass --kernels native" }
    static let unrecordedKernels = "unrecorded kernels (a journal of an older runner)"
    /// resolved.yaml's line naming the kernels and what their mode promises.
    static func kernelSetting(mode: String, kernels: String, portable: Bool) -> String {
        "kernels: \(mode) (\(kernels))" + (portable ? ", the same numbers on every x86-64 CPU with AVX2+FMA" : ", this CPU's own: other CPU generations differ in the last bits")
    }
    static let kernelsUnrecorded = "kernels: unrecorded"
    static func mixedKernels(_ kernels: [String]) -> String {
        "warning: the units were computed with \(kernels.count) different kernels (\(kernels.joined(separator: "; "))): the leaderboard's `kernels` column says which"
    }

    // MARK: Output folder and journal

    static let noSuchFolder = "no such folder"
    static func folderInUse(_ folder: String, holder: String) -> String {
        let who = holder.isEmpty ? "another runner (a shard of a sharded run)" : "another runner (\(holder))"
        return "\(folder) is in use by \(who); wait for it to finish or choose another --out"
    }
    /// What an exclusive holder writes into the lock file, for `folderInUse` to name it.
    static func lockHolder(pid: Int32, host: String) -> String { "pid \(pid) on \(host)" }
    static func cannotWrite(_ path: String, _ reason: String) -> String { "cannot write \(path): \(reason)" }
    static let cannotCreateFolder = "cannot create the folder"
    static func notFinalFacts(_ error: Error) -> String { "not a runner final.json (\(error)); run the experiment again" }
    static func journalMismatch(_ path: String, file: (found: String, expected: String)?, seed: (found: UInt64, expected: UInt64)?) -> String {
        var what: [String] = []
        if let file { what.append("file \(file.found), not \(file.expected)") }
        if let seed { what.append("seed \(seed.found), not \(seed.expected)") }
        if what.isEmpty { what.append("a different experiment (the file, its overrides or --cv changed)") }
        return "\(path) was written for \(what.joined(separator: "; ")): refusing to mix results; use --fresh to start over or --out for another folder"
    }
    static func kernelMismatch(_ path: String, found: String, expected: String, merging: Bool) -> String {
        "\(path) was computed with \(found), and \(merging ? "the other journals" : "this process") with \(expected): their numbers differ in the last bits; refusing to mix them (pass --mix-kernels to mix them anyway, and the leaderboard will say which units came from which)"
    }
    static func corruptJournal(_ path: String, line: Int) -> String {
        "\(path):\(line): not a runner journal line; move the file away or use --fresh"
    }
    static func notUnitState(_ path: String) -> String { "\(path): not a runner unit state" }
    static func noRun(_ folder: String, journal: String) -> String {
        "\(folder): no run found (expected \(journal)/ or resolved.yaml)"
    }

    // MARK: Data and the file's trials

    static func crossValidation(_ problem: String) -> String { "error: cross-validation: \(problem)" }
    static func search(_ problem: String) -> String { "search: \(problem)" }
    static func predictRowWidth(_ width: Int, shape: [Int], got: Int) -> String {
        "predict: each row needs \(width) numbers (the model's input \(shape)), got \(got)"
    }
    static func inTrial(_ trial: Int, _ message: String) -> String { "trial \(trial): \(message)" }
    static func trialValues(_ trial: Int, _ values: [String]) -> String { "trial \(trial): " + values.joined(separator: ", ") }
    static func valid(_ file: String) -> String { "\(file): ok" }
    static func dataNeeds(_ source: String, _ what: String) -> String { "data: \(source) needs \(what)" }

    // MARK: Memory

    static func modelTooLarge(total: String, parts: [String], jobs: Int, machine: String, limit: String) -> String {
        let units = jobs > 1 ? ", \(jobs) units at once" : ""
        return "the model needs about \(total) (\(parts.joined(separator: ", "))\(units)), more than half of this machine's "
            + "\(machine) (\(limit)); use fewer units or a smaller batch"
    }
    static func weightCount(_ n: String) -> String { "\(n) weights" }
    static func activations(_ n: String, batch: String) -> String { "\(n) values per sample × batch \(batch)" }
    static func data(_ bytes: String) -> String { "data \(bytes)" }
    static let beyondInt64 = "more than 9.2e18"
    static let beyondEiB = "more than 1024 EiB"
    static func tooManyTrials(_ count: Int, total: String, each: String, folds: Int, machine: String, limit: String, fit: Int) -> String {
        "\(count) trials would hold about \(total) of results in memory (about \(each) each: its values, "
            + "scores and per-epoch history for each of its \(folds) folds), more than half of this "
            + "machine's \(machine) (\(limit)); at most \(fit) fit (runner plan prints any number)"
    }
    static func jobsNeed(_ jobs: Int, total: String, machine: String, limit: String, fit: Int) -> String {
        "\(jobs) units at once need about \(total), more than half of this machine's \(machine) (\(limit)); \(fit) fit"
    }
    static func useJobs(_ fit: Int) -> String { "; use --jobs \(fit)" }
    static func jobsLowered(_ fit: Int, _ need: String) -> String { "\(fit) unit\(fit == 1 ? "" : "s") at a time: " + need }

    // MARK: A trial's model

    static func outputNotFlat(_ shape: [Int]) -> String {
        "the model's output has shape \(shape); add Flatten or GlobalAveragePooling2D and a Dense output layer"
    }
    static func outputUnitsForClasses(_ units: Int, classes: Int) -> String {
        "the output layer has \(units) unit\(units == 1 ? "" : "s") but the data has \(classes) classes; use units: \(classes)"
    }
    static func binaryCrossentropyShape(_ units: Int, classes: Int) -> String {
        "binary_crossentropy needs one sigmoid output and two classes; this model has \(units) outputs for \(classes) classes (use sparse_categorical_crossentropy)"
    }
    static func oneOutputForLabels(_ loss: String, units: Int) -> String {
        "\(loss) on class labels needs one output unit, the model has \(units)"
    }
    static func crossentropyOnRegression(_ loss: String) -> String {
        "\(loss) needs class labels but the data is a regression target; use mean_squared_error or mean_absolute_error"
    }
    static func outputUnitsForTargets(_ units: Int, outputs: Int) -> String {
        "the output layer has \(units) units but the data has \(outputs) target value\(outputs == 1 ? "" : "s") per sample"
    }
    static let accuracyOnRegression = "the accuracy metric needs class labels but the data is a regression target; use mae, mse, rmse or r2"
    static func inputShapeMismatch(_ inputShape: [Int], data: [Int]) -> String {
        "model.input_shape \(inputShape) does not fit the data's samples of shape \(data)"
    }
    static func diverged(epoch: Int) -> String { "the loss became NaN or infinite in epoch \(epoch)" }
    static let heldOutDiverged = "the held-out loss is NaN or infinite"

    // Binding: Spec resolves every argument and checks every name, so these say that Spec and
    // Binding disagree (a bug), not that the file is wrong.
    static func argumentUnresolved(_ owner: String, _ key: String) -> String { "\(owner): the argument \(key) was not resolved by Spec" }
    static func argumentType(_ owner: String, _ key: String, _ value: String, _ expected: String) -> String {
        "\(owner): the argument \(key) is \(value), not \(expected)"
    }
    static func argumentsUnread(_ owner: String, _ keys: [String]) -> String {
        "\(owner): the argument\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", ")) reach\(keys.count == 1 ? "es" : "") no Engine value"
    }
    static let anInteger = "an integer", aNumber = "a number", aBool = "true or false", aString = "a string"
    static let aNumberOrNull = "a number or null", aMapping = "a mapping", aPair = "[height, width]"
    static func argumentMissing(_ owner: String, _ key: String) -> String { "\(owner): \(key) is missing" }
    static func oneOf(_ names: [String]) -> String { "one of " + names.joined(separator: ", ") }

    // MARK: Halving and Hyperband

    static func maxResourcesBeyondFold(_ maximum: Int, fold: Int) -> String {
        "max_resources (\(maximum)) is more samples than a fold's training part holds (\(fold))"
    }
    static let trialsWithHyperband = "--trials is not read by strategy hyperband: its brackets decide the number of trials (max_resources, factor)"
    static func minAboveMax(_ minimum: Int, _ maximum: Int) -> String {
        "min_resources (\(minimum)) is greater than max_resources (\(maximum))"
    }
    static let minResourcesZero = "min_resources is 0: there are not enough samples for the smallest rung"
    static func noCandidates(_ maximum: Int, _ minimum: Int) -> String {
        "no candidates: max_resources (\(maximum)) // min_resources (\(minimum)) is 0"
    }
    static func budget(_ budget: String, folds: Int, trials: Int, random: String, percent: Double) -> String {
        "budget: \(budget) epoch·samples over \(folds) folds; "
            + "a random search of the same \(trials) trials: \(random) (\(String(format: "%.1f", percent))%)\n"
    }
    static func bestCandidates(_ n: Int) -> String { "best \(n)" }

    // MARK: A run's progress

    static func searchStart(_ name: String, trials: Int, folds: Int, shard: String?, owned: Int, done: Int, atOnce: Int) -> String {
        "\(name): \(trials) trial\(trials == 1 ? "" : "s") × \(folds) folds"
            + (shard.map { ", shard \($0): \(owned) units" } ?? "")
            + (done > 0 ? ", \(done) already done (resuming)" : "")
            + ", \(atOnce) at a time"
    }
    static func rungsStart(_ name: String, strategy: String, trials: Int, rungs: Int, folds: Int, shard: String?, jobs: Int) -> String {
        "\(name): \(strategy) over \(trials) trials, "
            + "\(rungs) rung\(rungs == 1 ? "" : "s") × \(folds) folds" + (shard.map { ", shard \($0)" } ?? "")
            + ", \(jobs) at a time"
    }
    static func rungStart(_ index: Int, bracket: Int, iter: Int, candidates: Int, folds: Int, resources: Int, resource: String,
                          done: Int) -> String {
        "rung \(index) (bracket \(bracket), iter \(iter)): \(candidates) candidate\(candidates == 1 ? "" : "s") "
            + "× \(folds) folds at \(resources) \(resource)" + (done > 0 ? ", \(done) already done (resuming)" : "")
    }
    static func rungDone(_ rung: Int) -> String { "rung \(rung) done" }
    static func rungWaits(_ rung: Int) -> String { "rung \(rung) waits for the other shards' units of the rung before it" }
    static func rungNeedsPrevious(_ rung: Int, missing: Int, trial: Int, iter: Int, fold: Int) -> String {
        "rung \(rung) needs every unit of the rung before it; \(missing) are missing "
            + "(e.g. trial \(trial) iter \(iter) fold \(fold)): run that rung first"
    }
    static func shardDone(_ out: String) -> String { "done; `runner merge \(out)` joins the shards when all are done" }
    static func shardTag(_ shard: String) -> String { "shard \(shard) " }
    /// A unit's label: ids as in the leaderboard (0-based) / totals.
    static func unit(trial: Int, of trials: Int, rung: (iter: Int, resources: Int, resource: String)?, fold: Int, of folds: Int) -> String {
        let rungText = rung.map { " iter \($0.iter) (\($0.resources) \($0.resource))" } ?? ""
        return "trial \(trial)/\(trials)\(rungText) fold \(fold)/\(folds)"
    }
    static func unitFailed(_ label: String, _ reason: String) -> String { "\(label): failed: \(reason)" }
    static func unitDone(_ label: String, score: String, epochs: Int, seconds: String) -> String {
        "\(label): \(score), \(epochs) epoch\(epochs == 1 ? "" : "s"), \(seconds) s"
    }
    static func score(_ name: String, _ value: String) -> String { "\(name) \(value)" }
    static func unitEpoch(_ label: String, epoch: Int, of epochs: Int, loss: String, score: (name: String, value: String)?) -> String {
        "\(label) epoch \(epoch)/\(epochs) loss \(loss)" + (score.map { " val_\($0.name) \($0.value)" } ?? "")
    }
    static func unitsSaved(_ count: Int, of total: Int) -> String { "\(count) of \(total) units are" }
    static func unitsSaved(_ count: Int) -> String { "\(count) units are" }
    static func progress(done: Int, units: Int, elapsed: String, eta: String?) -> String {
        "\(done)/\(units) units, \(elapsed)" + (eta.map { ", ETA \($0)" } ?? "")
    }

    // MARK: Stopping

    static func stoppedSaved(_ signal: String, saved: String, journal: String) -> String {
        "stopped by \(signal): \(saved) saved in \(journal); run the same command again to resume"
    }
    static func stoppedFinal(_ signal: String) -> String {
        "stopped by \(signal) during the final training; the cross-validation results are saved; run the same command again to finish"
    }
    static func stoppedMerge(_ signal: String, folder: String) -> String {
        "stopped by \(signal) during the final training; run `runner merge \(folder)` again"
    }
    static func stoppedVerify(_ signal: String, unit: String) -> String { "stopped by \(signal) while re-executing \(unit)" }
    static let sigint = "interrupt (Ctrl-C)"
    static let sigusr1 = "SIGUSR1 (time limit near)"
    static func signal(_ n: Int32) -> String { "signal \(n)" }

    // MARK: The final model and the summary

    static let training = "training"
    static func refit(trial: Int, samples: Int) -> String { "refit of trial \(trial) on all \(samples) training samples" }
    static func started(_ label: String) -> String { label + "..." }
    static func epoch(_ epoch: Int, of epochs: Int, logs: [(String, String)], seconds: Double) -> String {
        // The epoch's seconds end the line (bench/race reads them to time training alone).
        "epoch \(epoch)/\(epochs): \(logs.map { "\($0.0) \($0.1)" }.joined(separator: ", ")), \(String(format: "%.3f", seconds)) s"
    }
    static func finalModel(_ status: String, _ reason: String?) -> String { "the final model \(status): \(reason ?? "")" }
    static let noReason = "no reason recorded"
    static func modelFailed(_ status: String, _ reason: String?) -> String { "the model \(status): \(reason ?? noReason)" }
    /// "no trial succeeded", then each distinct reason (`status: reason`) with the trials that gave it.
    static func noTrialSucceeded(_ reasons: [(reason: String, trials: [Int])]) -> String {
        let lines = reasons.map { r, ts -> String in
            let list = ts.prefix(10).map(String.init).joined(separator: ", ") + (ts.count > 10 ? ", …" : "")
            return "  \(ts.count) trial\(ts.count == 1 ? "" : "s") (\(list)): \(r)"
        }
        return "no trial succeeded; the reasons:\n" + lines.joined(separator: "\n")
    }
    static func reason(_ status: String, _ reason: String?) -> String { "\(status): " + (reason ?? noReason) }
    static func weights(_ name: String, shape: [Int], values: [String]) -> String { "\(name) \(shape): [\(values.joined(separator: ", "))]" }
    static func prediction(_ row: [String], _ out: [String]) -> String {
        "predict [\(row.joined(separator: ", "))] → [\(out.joined(separator: ", "))]"
    }
    static func predictedClass(_ c: Int, name: String?) -> String { "  class \(c)" + (name.map { " (\($0))" } ?? "") }
    static func leaderboard(top: Int, of count: Int, folds: Int) -> String {
        "\nleaderboard (top \(top) of \(count), mean over \(folds) folds):"
    }
    static func test(_ metrics: [(String, String)]) -> String { "test: " + metrics.map { "\($0.0) \($0.1)" }.joined(separator: ", ") }
    static func wrote(_ paths: [String]) -> String { "wrote \(paths.joined(separator: ", "))" }
    static func report(_ path: String) -> String { "report: \(path)" }
    static func resolvedHeader(version: String, file: String, seed: UInt64) -> String {
        "# The experiment as run by runner \(version); `runner \(file)` with these\n"
            + "# settings repeats it. Seed \(seed).\n"
    }
    static func runSettings(trials: Int?, jobs: Int) -> String {
        "trials: \(trials.map(String.init) ?? "from the file"), jobs: \(jobs) (the cores split between the units at once), final model threads: all cores"
    }
    static func overrides(_ overrides: [String]) -> String { "overrides: " + overrides.map { "--set \($0)" }.joined(separator: " ") }
    static func mergedFrom(_ shards: Int) -> String { "merged from \(shards) shards" }
    static func unitsComputedWith(_ kernels: [String]) -> String { "units computed with " + kernels.joined(separator: "; ") }
    static func refitWith(_ kernelSetting: String) -> String { "refit " + kernelSetting }

    // MARK: merge

    static func noJournal(_ folder: String, journal: String) -> String {
        "\(folder): no journal found (expected \(journal)/shard-*.jsonl)"
    }
    static func journalsOfAnotherVersion(_ folder: String) -> String {
        "\(folder): the journals were written by another version of the experiment; rerun the shards"
    }
    static func rungUnitsMissing(_ folder: String, count: Int, undecided: Bool) -> String {
        "\(folder): \(count) unit\(count == 1 ? " is" : "s are") missing"
            + (undecided ? " (and the rungs after them, which they decide)" : "") + ":"
    }
    static func unitsMissing(_ folder: String, count: Int, of total: Int) -> String { "\(folder): \(count) of \(total) units are missing:" }
    static func owedRungUnit(trial: Int, iter: Int, fold: Int, shard: Int, of shards: Int) -> String {
        "  trial \(trial) iter \(iter) fold \(fold): owed by shard \(shard)/\(shards)"
    }
    static func owedUnit(trial: Int, fold: Int, shard: Int, of shards: Int) -> String {
        "  trial \(trial) fold \(fold): owed by shard \(shard)/\(shards)"
    }
    static let more = "  ..."
    static func rerunRungShards(_ shards: Int) -> String {
        "rerun the shards (`runner run FILE --shard I/\(shards)`), or the rung's array, then merge again"
    }
    static func rerunShards(_ shards: Int, indices: [Int]) -> String {
        "rerun those shards (`runner run FILE --shard I/\(shards)`, or resubmit their array indices: \(indices.map(String.init).joined(separator: ","))), then merge again"
    }

    // MARK: verify

    static func notCrossValidated(_ folder: String, journal: String) -> String {
        "\(folder) is not a run with cross-validation units: no journaled unit in \(journal)/"
    }
    static func notFinished(_ folder: String) -> String {
        "\(folder) is not a finished run: no resolved.yaml (a run or merge writes it when it finishes)"
    }
    static func resolvedEdited(_ path: String) -> String { "\(path) does not describe the run its journal recorded (edited since?)" }
    static func verifyHalving(_ folder: String) -> String {
        "\(folder) is a halving or Hyperband run: verify re-executes plain cross-validation units only, for now"
    }
    static func otherKernels(_ recorded: [String], now: String) -> String {
        "note: the units were computed with \(recorded.joined(separator: "; ")), and this process computes with \(now): the last bits are not expected to agree"
    }
    static func reexecuting(_ folder: String, chosen: Int, of total: Int, seed: UInt64, mode: String, kernels: String) -> String {
        "\(folder): re-executing \(chosen) of \(total) units (draw seed \(seed)) with \(mode) kernels (\(kernels))"
    }
    static func unitName(trial: Int, fold: Int) -> String { "trial \(trial) fold \(fold)" }
    static func identical(_ unit: String, values: Int) -> String { "\(unit): \(values) values identical" }
    static func differ(_ unit: String, count: Int) -> String {
        "\(unit): " + (count == 1 ? "1 value differs:" : "\(count) values differ:")
    }
    static func difference(_ d: String) -> String { "  " + d }
    static func moreDifferences(_ n: Int) -> String { "  … \(n) more" }
    /// One value that differs: `what: journal X, now Y`.
    static func differs(_ what: String, journal: String, now: String) -> String { "\(what): journal \(journal), now \(now)" }
    static func historyValue(epoch: Int, _ name: String) -> String { "history epoch \(epoch) \(name)" }
    static let none = "none"
    static func digest(_ sha: String, folder: String, units: Int) -> String {
        "sha256 \(sha)  \(folder) (resolved.yaml and \(units) units' results)"
    }
    static func unitsDiffer(_ failures: Int, of chosen: Int) -> String { "\(failures) of \(chosen) re-executed units differ from the journal" }
    static func allMatch(_ chosen: Int) -> String { "all \(chosen) re-executed units match the journal bit for bit" }

    // MARK: slurm

    static let theOutputFolder = "the output folder"
    static let theFilePath = "the experiment file's path"
    static let theExperimentName = "the experiment's name"
    static let aSetOrRunOption = "a --set or run option"
    static func lineBreak(_ what: String, _ quoted: String) -> String {
        "\(what) contains a line break, which cannot go into a batch script: \(quoted)"
    }
    static func spacesInOut(_ folder: String) -> String { "the output folder must not contain spaces for #SBATCH lines: \(folder)" }
    static func wroteScripts(_ arrays: [String], merge: String) -> String { "wrote \(arrays.joined(separator: ", ")) and \(merge)" }
    static func submitWith(_ chain: String) -> String { "submit with: \(chain)" }
    static func submittedArray(_ id: String, tasks: Int, rung: Int?, after: String?) -> String {
        "submitted array job \(id) (\(tasks) tasks)" + (rung.map { ", rung \($0)" } ?? "") + (after.map { " (after \($0))" } ?? "")
    }
    static func submittedMerge(_ id: String, after: String) -> String { "submitted merge job \(id) (after \(after))" }
    static func cannotRunSbatch(_ error: Error) -> String { "cannot run sbatch: \(error)" }
    static func sbatchFailed(_ status: Int32, _ text: String) -> String { "sbatch failed (status \(status)): \(text)" }

    // MARK: predict and model files

    static func samplesDoNotFit(_ input: String, shape: [Int], model: [Int]) -> String {
        "\(input): samples of shape \(shape) do not fit the model's input \(model)"
    }
    static func badPreprocess(_ path: String, width: Int) -> String {
        "\(path): preprocess/shift and preprocess/divisor must hold \(width) values each, the divisors nonzero"
    }
    static let noModelSection = "no model section in its metadata (a file written before runner stored one): run its experiment again"
    static func modelSectionInvalid(_ error: Error) -> String { "its model section is not valid:\n\(error)" }
    static func modelSectionBuild(_ error: Error) -> String { "its model section does not build: \(error)" }
}
