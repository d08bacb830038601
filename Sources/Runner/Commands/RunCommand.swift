import ArgumentParser
import Engine
import Foundation
import Spec

/// `runner run FILE` (or `runner FILE`): the whole experiment, resuming by default.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: search, k-fold cross-validation, refit, test and leaderboards.",
        discussion: """
        Finished (trial, fold) units are journaled in OUT/journal/; running the same command again \
        after a crash or Ctrl-C resumes where it stopped. --fresh starts over.
        """
    )

    @Argument(help: "The experiment file (YAML).")
    var file: String

    @OptionGroup var options: ExperimentOptions

    @Option(help: "Output folder (default: the file's `output`, else runs/NAME).")
    var out: String?

    @Option(help: "Units trained at once, the cores split between them; the last ones take the cores of finished workers (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Discard the journal and results in the output folder and start over.")
    var fresh = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(help: "Run only shard I of N of the units (I/N, or 'auto' inside a Slurm array); `runner merge` joins the shards.")
    var shard: String?

    @Option(help: "Halving and Hyperband: run only this rung (0-based, as 'runner plan' lists them) and stop; the rung before it must be complete. What runner slurm's per-rung arrays run.")
    var rung: Int?

    @Flag(help: "Skip the refit and test of the best trial.")
    var noRefit = false

    @OptionGroup var kernelOptions: KernelOptions

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError(Say.expectsPositive("--jobs", jobs)) }
        if let shard, shard != "auto", Shard(parsing: shard) == nil {
            throw ValidationError(Say.badShard(shard))
        }
    }

    /// The shard of this process: --shard, or a Slurm array task's when run inside one.
    func resolvedShard() throws -> Shard {
        let env = ProcessInfo.processInfo.environment
        switch shard {
        case "auto"?:
            return try Shard.fromSlurm(env)
        case let text?:
            return Shard(parsing: text)!
        case nil:
            return env["SLURM_ARRAY_TASK_ID"] != nil ? try Shard.fromSlurm(env) : .whole
        }
    }

    func run() throws {
        // First: a portable run may start itself again to pin OpenBLAS's kernel.
        try Provenance.enter(kernelOptions.mode)
        let shard: Shard
        do { shard = try resolvedShard() } catch {
            throw RunnerError("\(error)", status: ExitStatus.badInput)
        }
        StopRequest.install()
        let session = try Session(file: file, overrides: options.allOverrides, trialCount: options.trials, out: out)
        if let r = rung, !(session.rungPlan?.stages.indices.contains(r) ?? false) {
            throw RunnerError.badInput(session.rungPlan.map { Say.noSuchRung(r, count: $0.stages.count) } ?? Say.rungWithoutRungs)
        }
        let progress = Progress(quiet: quiet, tag: shard.count > 1 ? Say.shardTag(shard.description) : "")
        try execute(session, shard: shard, progress: progress)
    }

    func execute(_ session: Session, shard: Shard, progress: Progress) throws {
        for note in session.data.notes { progress.log(note) }
        if session.foldCount == 0, case .failure(let f) = session.configs[0] {
            throw RunnerError(session.located(f), status: ExitStatus.badInput)
        }
        let out = session.out
        let locks: [FolderLock]
        do {
            try AtomicFile.makeDirectory(out)
            // The folder's lock, shared among shards, then the shard's own (see FolderLock).
            locks = shard.count == 1
                ? [try FolderLock(folder: out)]
                : [try FolderLock(folder: out, mode: .shared), try FolderLock(folder: out, name: ".lock-shard-\(shard.index)-of-\(shard.count)")]
        } catch {
            throw RunnerError("\(error)", status: ExitStatus.failure)
        }
        defer { withExtendedLifetime(locks) {} }
        // A run killed mid-write leaves its temporary files: the one process that writes the
        // reports (not a shard of many) clears them, so the folder holds only whole files.
        if shard.count == 1 { AtomicFile.removeStaleTemporaries(in: [out, out + "/history", UnitState.folder(out)]) }
        if fresh {
            // A shard starts over alone: the other shards' journals are theirs.
            if shard.count == 1 { Self.clear(out) } else { try? FileManager.default.removeItem(atPath: Journal.path(out, shard: shard)) }
        }

        var header = session.header
        header.shard = shard.description
        let jobs = try Self.jobs(requested: self.jobs, largest: session.largestUnit, progress: progress)
        var records: [UnitRecord] = []
        if session.unitCount > 0 {
            let done: [UnitRecord]
            let journal: Journal
            do {
                done = try Journal.readAll(out: out, expected: header, mixKernels: kernelOptions.mixKernels).records
                journal = try Journal(out: out, shard: shard, header: header)
            } catch let e as Journal.Mismatch {
                throw RunnerError("\(e)", status: ExitStatus.badInput)
            } catch let e as Journal.KernelMismatch {
                throw RunnerError("\(e)", status: ExitStatus.badInput)
            } catch let e as Journal.Corrupt {
                throw RunnerError("\(e)", status: ExitStatus.badInput)
            } catch {
                throw RunnerError("\(error)", status: ExitStatus.failure)
            }
            if let plan = session.rungPlan {
                records = try runRungs(plan, session: session, journal: journal, header: header, shard: shard, progress: progress,
                                       done: done, jobs: jobs)
                if rung != nil, rung != plan.stages.count - 1 || shard.count > 1 {
                    progress.log(Say.rungDone(rung!))
                    return
                }
            } else {
                let scheduler = Scheduler(session: session, journal: journal, progress: progress, shard: shard, done: done)
                let pending = scheduler.pendingCount
                let owned = (0..<session.unitCount).filter { shard.owns(unit: $0) }.count
                progress.log(Say.searchStart(session.experiment.name, trials: session.trials.count, folds: session.foldCount,
                                             shard: shard.count > 1 ? shard.description : nil, owned: owned, done: owned - pending,
                                             atOnce: min(jobs, max(pending, 1))))
                records = try runUnits(scheduler, owned: owned, pending: pending, jobs: jobs, session: session, shard: shard,
                                       progress: progress) { Say.unitsSaved($0, of: session.unitCount) }
            }
        }
        if shard.count > 1 {
            progress.log(Say.shardDone(out))
            return
        }
        let refit = !noRefit && (session.experiment.search?.refit ?? true)
        let finish = Finish(session: session, progress: progress, settings: settings(jobs: jobs))
        switch try finish.run(records: records, refit: refit) {
        case .done: break
        case .noSuccess(let reasons): throw RunnerError.failure(reasons)
        case .interrupted:
            throw RunnerError.failure(Say.stoppedFinal(StopRequest.name))
        }
    }

    /// Units trained at once: `--jobs`, else one per core, never more than fit in memory beside
    /// the data (`Footprint`, with the search's largest trial): a `--jobs` that does not fit is
    /// refused (2), the default is lowered, saying so.
    static func jobs(requested: Int?, largest: Footprint, progress: Progress) throws(RunnerError) -> Int {
        let fit = max(largest.jobsThatFit, 1)
        var wanted = largest
        wanted.jobs = requested ?? ProcessInfo.processInfo.activeProcessorCount
        guard wanted.jobs > fit else { return wanted.jobs }
        let need = Say.jobsNeed(wanted.jobs, total: Footprint.bytes(wanted.total), machine: Footprint.bytes(Footprint.limit * 2),
                                limit: Footprint.bytes(Footprint.limit), fit: fit)
        if requested != nil { throw RunnerError.badInput(Say.option("--jobs", wanted.jobs, need + Say.useJobs(fit))) }
        progress.log(Say.jobsLowered(fit, need))
        return fit
    }

    func settings(jobs: Int) -> [String] {
        var s = [Say.runSettings(trials: options.trials, jobs: jobs)]
        s.append(kernelSetting(Provenance.current))
        if !options.overrides.isEmpty { s.append(Say.overrides(options.overrides)) }
        return s
    }

    /// Removes what a run writes in `out` (never anything else).
    static func clear(_ out: String) {
        let fm = FileManager.default
        for name in ["journal", "state", "history", "leaderboard.csv", "trials.csv", "test.csv", "predictions.csv", "best.safetensors", "resolved.yaml", "report.html"] {
            try? fm.removeItem(atPath: out + "/" + name)
        }
    }

    /// Runs the scheduler's pending units under a progress bar over the shard's `owned` ones and
    /// returns every record. A unit's failure ends the run with it; so does a stop request, after
    /// an unsharded run writes its reports (`saved` words the count of records kept).
    func runUnits(_ scheduler: Scheduler, owned: Int, pending: Int, jobs: Int, session: Session, shard: Shard,
                  progress: Progress, saved: (Int) -> String) throws -> [UnitRecord] {
        progress.begin(units: owned, done: owned - pending)
        if let failure = scheduler.run(jobs: jobs) {
            progress.end()
            throw RunnerError(failure, status: ExitStatus.failure)
        }
        progress.end()
        let records = scheduler.records
        if StopRequest.requested {
            if shard.count == 1 { _ = try? Reports(session).write(records, to: session.out) }
            throw RunnerError.failure(Say.stoppedSaved(StopRequest.name, saved: saved(records.count), journal: Journal.folder(session.out)))
        }
        return records
    }

    /// Halving and Hyperband: the rungs one after the other (or only `--rung`), each a barrier:
    /// a rung's candidates are decided from the journal once every unit of the rung before it
    /// is there. A shard of many waits for the others' units at each barrier (reading their
    /// journals every two seconds); with `--rung` it refuses to start instead.
    func runRungs(_ plan: RungPlan, session: Session, journal: Journal, header: JournalHeader, shard: Shard, progress: Progress,
                  done: [UnitRecord], jobs: Int) throws -> [UnitRecord] {
        let k = session.foldCount, out = session.out
        let scoring = session.scoring
        var records = done
        let stages = plan.stages
        let selected = rung.map { [$0] } ?? Array(stages.indices)
        progress.log(Say.rungsStart(session.experiment.name, strategy: session.experiment.search?.strategy.rawValue ?? "",
                                    trials: plan.trialCount, rungs: stages.count, folds: k,
                                    shard: shard.count > 1 ? shard.description : nil, jobs: jobs))
        func reread() throws -> [UnitRecord] {
            do { return try Journal.readAll(out: out, expected: header).records } catch {
                throw RunnerError("\(error)", status: ExitStatus.failure)
            }
        }
        for index in selected {
            let stage = stages[index]
            var candidates = plan.candidates(stage, records: records, folds: k, higherIsBetter: scoring.higherIsBetter)
            if candidates == nil, shard.count > 1 || rung != nil {
                records = try reread()
                candidates = plan.candidates(stage, records: records, folds: k, higherIsBetter: scoring.higherIsBetter)
            }
            if candidates == nil {
                if rung != nil || shard.count == 1 {
                    let owed = plan.missing(records: records, folds: k, higherIsBetter: scoring.higherIsBetter).units
                    throw RunnerError.failure(Say.rungNeedsPrevious(index, missing: owed.count, trial: owed.first?.trial ?? 0,
                                                                   iter: owed.first?.rung?.iter ?? 0, fold: owed.first?.fold ?? 0))
                }
                progress.log(Say.rungWaits(index))
                while candidates == nil, !StopRequest.requested {
                    Thread.sleep(forTimeInterval: 2)
                    records = try reread()
                    candidates = plan.candidates(stage, records: records, folds: k, higherIsBetter: scoring.higherIsBetter)
                }
            }
            guard let trials = candidates else { break }
            let work = plan.work(stage, candidates: trials, folds: k)
            let scheduler = Scheduler(session: session, journal: journal, progress: progress, shard: shard, done: records, work: work)
            let owned = work.filter { shard.owns(unit: $0.number) }.count
            let pending = scheduler.pendingCount
            let r = plan.brackets[stage.bracket].rungs[stage.iter]
            progress.log(Say.rungStart(index, bracket: plan.brackets[stage.bracket].index, iter: stage.iter, candidates: trials.count,
                                       folds: k, resources: r.resources, resource: plan.resource.rawValue, done: owned - pending))
            records = try runUnits(scheduler, owned: owned, pending: pending, jobs: jobs, session: session, shard: shard,
                                   progress: progress) { Say.unitsSaved($0) }
        }
        return records
    }
}

/// resolved.yaml's line naming the kernels: which ones, and what the mode promises.
func kernelSetting(_ p: Provenance?) -> String {
    guard let p else { return Say.kernelsUnrecorded }
    return Say.kernelSetting(mode: p.mode.rawValue, kernels: p.kernels, portable: p.mode == .portable)
}
