import ArgumentParser
import Dispatch
import Engine
import Foundation

/// `runner verify DIR`: re-executes a few units of a finished run from its `resolved.yaml` and
/// compares every number with the journal, bit for bit; prints a digest two people can compare.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-execute some units of a finished run and compare every number with its journal, bit for bit.",
        discussion: """
        The units are drawn with --seed from those the journal holds. The digest is SHA-256 over \
        resolved.yaml (its comment lines aside) and every journaled unit's results (seconds aside). \
        Exit status 0: every number matches; 1: some differ (each printed); 2: DIR is not a finished run.
        """
    )

    @Argument(help: "The output folder of a finished run (or merge).")
    var folder: String

    @Option(help: "Units to re-execute, drawn at random (0: all).")
    var units: Int = 3

    @Option(help: "Seed of the draw of units.")
    var seed: UInt64 = 0

    @Option(help: "Kernels to recompute with (default: the ones the journal records).")
    var kernels: KernelMode?

    @Flag(help: "Print only the differences and the digest.")
    var quiet = false

    func validate() throws {
        if units < 0 { throw ValidationError(Say.expectsNonNegative("--units", units)) }
    }

    func run() throws {
        let resolvedPath = folder + "/resolved.yaml"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RunnerError.badInput(Say.at(folder, Say.noSuchFolder))
        }
        let found: (header: JournalHeader?, records: [UnitRecord])
        do { found = try Journal.readAll(out: folder, expected: nil, mixKernels: true) } catch {
            throw RunnerError.badInput("\(error)")
        }
        guard let header = found.header, !found.records.isEmpty else {
            throw RunnerError.badInput(Say.notCrossValidated(folder, journal: Journal.folder(folder)))
        }
        guard let resolvedData = FileManager.default.contents(atPath: resolvedPath) else {
            throw RunnerError.badInput(Say.notFinished(folder))
        }
        // Recompute with the kernels the journal records (a portable run: portable here too).
        let mode = kernels ?? header.kernels.flatMap(KernelMode.init(rawValue:)) ?? .standard
        let provenance = try Provenance.enter(mode)
        StopRequest.install()

        let text = String(decoding: resolvedData, as: UTF8.self)
        let trialCount = max(header.trials, (found.records.map(\.trial).max() ?? 0) + 1)
        let session = try Session(file: resolvedPath, base: header.base, text: text, overrides: [], trialCount: trialCount, out: folder)
        guard session.header.fingerprint == header.fingerprint, session.foldCount > 0 else {
            throw RunnerError.badInput(Say.resolvedEdited(resolvedPath))
        }

        let records = found.records
        // A halving rung continues the state the previous rung saved in the folder, which
        // re-executing would overwrite: only plain cross-validation units are re-executed.
        let plain = records.filter { $0.iter == nil }
        guard !plain.isEmpty else {
            throw RunnerError.badInput(Say.verifyHalving(folder))
        }
        let recorded = Set(records.compactMap(\.kernels))
        if recorded != [provenance.kernels] {
            standardError(Say.otherKernels(recorded.sorted(), now: provenance.kernels))
        }
        var rng = RandomGenerator(seed: seed, stream: "verify")
        let drawn = units == 0 || units >= plain.count ? Array(plain.indices) : Array(rng.permutation(plain.count).prefix(units)).sorted()
        let chosen = drawn.map { plain[$0] }
        let progress = Progress(quiet: true)
        if !quiet {
            print(Say.reexecuting(folder, chosen: chosen.count, of: records.count, seed: seed, mode: provenance.mode.rawValue,
                                  kernels: provenance.kernels))
        }

        let scheduler = Scheduler(session: session, journal: nil, progress: progress, shard: .whole, done: [])
        var failures = 0
        for r in chosen {
            let name = Say.unitName(trial: r.trial, fold: r.fold)
            let work = Scheduler.Work(trial: r.trial, fold: r.fold, number: r.trial * session.foldCount + r.fold)
            guard let again = Self.onWorker({ scheduler.runUnit(work, worker: 0) }) else {
                throw RunnerError.failure(Say.stoppedVerify(StopRequest.name, unit: name))
            }
            let differences = Self.differences(journal: r, again: again)
            if differences.isEmpty {
                if !quiet { print(Say.identical(name, values: Self.countValues(r))) }
            } else {
                failures += 1
                print(Say.differ(name, count: differences.count))
                for d in differences.prefix(20) { print(Say.difference(d)) }
                if differences.count > 20 { print(Say.moreDifferences(differences.count - 20)) }
            }
        }
        print(Say.digest(Self.digest(resolved: text, records: records), folder: folder, units: records.count))
        if failures > 0 {
            throw RunnerError.failure(Say.unitsDiffer(failures, of: chosen.count))
        }
        if !quiet { print(Say.allMatch(chosen.count)) }
    }

    /// Runs `body` on a thread with a large stack and every core as its budget, as a unit runs.
    static func onWorker(_ body: @escaping () -> UnitRecord?) -> UnitRecord? {
        final class Job: @unchecked Sendable {
            let body: () -> UnitRecord?
            var result: UnitRecord?
            let done = DispatchSemaphore(value: 0)
            init(_ body: @escaping () -> UnitRecord?) { self.body = body }
        }
        let job = Job(body)
        let thread = Thread {
            Threads.set(ProcessInfo.processInfo.activeProcessorCount)
            job.result = job.body()
            job.done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        job.done.wait()
        return job.result
    }

    /// A number as the comparison shows it: its shortest exact form and its bits.
    static func show(_ x: Double?) -> String {
        guard let x else { return Say.none }
        return "\(NumberText.exact(x)) (0x\(String(x.bitPattern, radix: 16)))"
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool { a?.bitPattern == b?.bitPattern }

    /// Every value of `again` that is not bit for bit the journal's, named as trials.csv and
    /// history/ name it. Seconds are not compared.
    static func differences(journal r: UnitRecord, again a: UnitRecord) -> [String] {
        var d: [String] = []
        if r.status != a.status { d.append(Say.differs("status", journal: r.status.rawValue, now: a.status.rawValue)) }
        if r.reason != a.reason { d.append(Say.differs("reason", journal: r.reason ?? Say.none, now: a.reason ?? Say.none)) }
        if r.params != a.params { d.append(Say.differs("parameters", journal: "\(r.params)", now: "\(a.params)")) }
        if !same(r.score, a.score) { d.append(Say.differs("score", journal: show(r.score), now: show(a.score))) }
        for k in Set(r.metrics.keys).union(a.metrics.keys).sorted() where !same(r.metrics[k], a.metrics[k]) {
            d.append(Say.differs("test_" + k, journal: show(r.metrics[k]), now: show(a.metrics[k])))
        }
        if r.epochs != a.epochs { d.append(Say.differs("epochs", journal: String(r.epochs), now: String(a.epochs))) }
        if r.historyColumns != a.historyColumns {
            d.append(Say.differs("history columns", journal: r.historyColumns.joined(separator: " "), now: a.historyColumns.joined(separator: " ")))
        } else {
            for e in 0..<max(r.history.count, a.history.count) {
                for (c, name) in r.historyColumns.enumerated() {
                    let x = e < r.history.count && c < r.history[e].count ? r.history[e][c] : nil
                    let y = e < a.history.count && c < a.history[e].count ? a.history[e][c] : nil
                    if !same(x, y) { d.append(Say.differs(Say.historyValue(epoch: e + 1, name), journal: show(x), now: show(y))) }
                }
            }
        }
        return d
    }

    static func countValues(_ r: UnitRecord) -> Int {
        (r.score == nil ? 0 : 1) + r.metrics.count + r.history.reduce(0) { $0 + $1.count }
    }

    /// SHA-256 over resolved.yaml without its leading comment lines (they name settings that
    /// change no number, such as --jobs) and every unit's results in (trial, fold) order, each
    /// number by its bits; seconds and kernels are left out.
    static func digest(resolved: String, records: [UnitRecord]) -> String {
        var sha = SHA256()
        let lines = resolved.split(separator: "\n", omittingEmptySubsequences: false)
        sha.update(lines.drop { $0.hasPrefix("#") }.joined(separator: "\n"))
        func bits(_ x: Double?) -> String { x.map { String($0.bitPattern, radix: 16) } ?? "-" }
        for r in records.sorted(by: { ($0.trial, $0.iter ?? 0, $0.fold) < ($1.trial, $1.iter ?? 0, $1.fold) }) {
            var line = "\u{1E}\(r.trial) \(r.fold) \(r.iter.map(String.init) ?? "-") \(r.resources.map(String.init) ?? "-") \(r.status.rawValue) \(r.reason ?? "-") \(r.epochs) \(bits(r.score))"
            for (k, v) in r.params.sorted(by: { $0.key < $1.key }) { line += " p:\(k)=\(v)" }
            for (k, v) in r.metrics.sorted(by: { $0.key < $1.key }) { line += " m:\(k)=\(bits(v))" }
            line += " h:" + r.historyColumns.joined(separator: ",")
            for row in r.history { line += ";" + row.map { bits($0) }.joined(separator: ",") }
            sha.update(line)
        }
        return sha.hexDigest()
    }
}
