import ArgumentParser
import Engine
import Foundation
import Spec

/// `runner merge DIR`: joins the shards' journals into the leaderboards, then refits and
/// tests the best trial once.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the journals of a sharded run into its leaderboards, then refit and test the best trial.",
        discussion: "Exit status 1 lists the units still missing and the shard that owes each."
    )

    @Argument(help: "The output folder the shards wrote to.")
    var folder: String

    @Flag(help: "Skip the refit and test of the best trial.")
    var noRefit = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Option(help: "Threads for the refit (default: the file's `threads`, else every core).")
    var threads: Int?

    @OptionGroup var kernelOptions: KernelOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError(Say.expectsPositive("--threads", threads)) }
    }

    func run() throws {
        try Provenance.enter(kernelOptions.mode)
        StopRequest.install()
        // The whole folder, exclusively, before reading a journal: no shard may still be
        // writing one (a shard holds the folder's lock shared).
        var lock: FolderLock?
        if FileManager.default.fileExists(atPath: folder) {
            do { lock = try FolderLock(folder: folder) } catch { throw RunnerError("\(error)", status: ExitStatus.failure) }
        }
        defer { withExtendedLifetime(lock) {} }
        let found: (header: JournalHeader?, records: [UnitRecord])
        do { found = try Journal.readAll(out: folder, expected: nil, mixKernels: kernelOptions.mixKernels) } catch {
            throw RunnerError("\(error)", status: ExitStatus.badInput)
        }
        guard let header = found.header else {
            throw RunnerError.badInput(Say.noJournal(folder, journal: Journal.folder(folder)))
        }
        let session = try Session(file: header.file, base: header.base, text: header.experiment, overrides: [],
                                  trialCount: header.trials, out: folder)
        // Every journal must belong to this experiment (readAll checked them against the first).
        if session.header.fingerprint != header.fingerprint {
            throw RunnerError.badInput(Say.journalsOfAnotherVersion(folder))
        }
        let shardCount = Int(header.shard.split(separator: "/").last ?? "1") ?? 1
        if let plan = session.rungPlan {
            // Halving: the units owed follow the rungs the journals decide.
            let owed = plan.missing(records: found.records, folds: session.foldCount, higherIsBetter: session.scoring.higherIsBetter)
            if !owed.units.isEmpty || owed.undecided {
                var lines = [Say.rungUnitsMissing(folder, count: owed.units.count, undecided: owed.undecided)]
                for w in owed.units.prefix(20) {
                    lines.append(Say.owedRungUnit(trial: w.trial, iter: w.rung?.iter ?? 0, fold: w.fold,
                                                  shard: Shard.owner(ofUnit: w.number, count: shardCount), of: shardCount))
                }
                if owed.units.count > 20 { lines.append(Say.more) }
                lines.append(Say.rerunRungShards(shardCount))
                throw RunnerError(lines.joined(separator: "\n"), status: ExitStatus.failure)
            }
        }
        let have = Set(found.records.map { $0.trial * session.foldCount + $0.fold })
        let missing = session.rungPlan != nil ? [] : (0..<session.unitCount).filter { !have.contains($0) }
        if !missing.isEmpty {
            var lines = [Say.unitsMissing(folder, count: missing.count, of: session.unitCount)]
            for u in missing.prefix(20) {
                lines.append(Say.owedUnit(trial: u / session.foldCount, fold: u % session.foldCount,
                                          shard: Shard.owner(ofUnit: u, count: shardCount), of: shardCount))
            }
            if missing.count > 20 { lines.append(Say.more) }
            let shards = Set(missing.map { Shard.owner(ofUnit: $0, count: shardCount) }).sorted()
            lines.append(Say.rerunShards(shardCount, indices: shards))
            throw RunnerError(lines.joined(separator: "\n"), status: ExitStatus.failure)
        }
        let progress = Progress(quiet: quiet)
        AtomicFile.removeStaleTemporaries(in: [folder, folder + "/history", UnitState.folder(folder)])
        let refit = !noRefit && (session.experiment.search?.refit ?? true)
        let kernels = found.records.compactMap(\.kernels).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if kernels.count > 1 {
            progress.log(Say.mixedKernels(kernels))
        }
        var finish = Finish(session: session, progress: progress,
                            settings: [Say.mergedFrom(shardCount), Say.unitsComputedWith(kernels), Say.refitWith(kernelSetting(Provenance.current))])
        finish.threads = threads
        switch try finish.run(records: found.records, refit: refit) {
        case .done: break
        case .noSuccess(let reasons): throw RunnerError.failure(reasons)
        case .interrupted:
            throw RunnerError.failure(Say.stoppedMerge(StopRequest.name, folder: folder))
        }
    }
}
