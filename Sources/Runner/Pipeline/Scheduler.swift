import Engine
import Foundation
import Spec
import Synchronization

/// Runs the pending (trial, fold) units of a session, `jobs` at a time, each on one thread,
/// so that a unit's numbers never depend on `--jobs`. Each finished unit is journaled
/// (fsynced) before it counts; the leaderboard is rewritten as trials complete.
final class Scheduler: @unchecked Sendable {
    let session: Session
    /// Where finished units go (nil: `runner verify`, which only recomputes).
    let journal: Journal?
    let progress: Progress
    let shard: Shard
    /// Whether this process writes the leaderboard as trials finish (not a shard of many).
    let writesReports: Bool
    private let state: Mutex<State>

    /// One unit to train: a (trial, fold), and for halving its rung. `number` decides the
    /// shard that owns it (`trial · folds + fold`, or the unit's place in its rung).
    struct Work: Sendable, Hashable {
        var trial: Int
        var fold: Int
        var number: Int
        var rung: RungWork? = nil
    }

    /// What a halving unit trains: its rung, the rung's resource, and (with epochs) whether it
    /// continues the previous rung's state.
    struct RungWork: Sendable, Hashable {
        var iter: Int
        var resources: Int
        var resource: Spec.HalvingResource
        var epochs: Int
    }

    struct State {
        var pending: [Work]
        var next = 0
        var records: [UnitRecord]
        var failure: String?
    }

    init(session: Session, journal: Journal?, progress: Progress, shard: Shard, done: [UnitRecord], work: [Work]? = nil) {
        self.session = session
        self.journal = journal
        self.progress = progress
        self.shard = shard
        writesReports = shard.count == 1
        let k = max(session.foldCount, 1)
        let all = work ?? (0..<session.unitCount).map { Work(trial: $0 / k, fold: $0 % k, number: $0) }
        let finished = Set(done.map { [$0.trial, $0.fold, $0.iter ?? -1] })
        let pending = all.filter { shard.owns(unit: $0.number) && !finished.contains([$0.trial, $0.fold, $0.rung?.iter ?? -1]) }
        state = Mutex(State(pending: pending, records: done))
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
    var records: [UnitRecord] { state.withLock { $0.records } }

    /// Runs every pending unit; returns the first journal write failure, if any.
    func run(jobs: Int) -> String? {
        let total = state.withLock { $0.pending.count }
        let workers = max(1, min(jobs, total))
        let group = DispatchGroup()
        // A worker with no unit left lends its cores to those still training (the last unit
        // of an odd count would otherwise leave a core idle); the numbers do not depend on it.
        let spare = SpareCores()
        for _ in 0..<workers { spare.start() }
        for w in 0..<workers {
            group.enter()
            // The cores split between the workers: the numbers do not depend on it (Threads).
            let budget = max(1, ProcessInfo.processInfo.activeProcessorCount / workers)
            let thread = Thread { [self] in
                Threads.set(budget, sharing: spare)
                while !StopRequest.requested, let unit = take() {
                    guard var finished = runUnit(unit, worker: w) else { break }
                    finished.kernels = session.header.kernelText
                    guard journaled(finished) else { break }
                    progress.finished(key: Self.key(w))
                }
                spare.finish(lending: budget)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return state.withLock { $0.failure }
    }

    private func take() -> Work? {
        state.withLock { s in
            guard s.failure == nil, s.next < s.pending.count else { return nil }
            defer { s.next += 1 }
            return s.pending[s.next]
        }
    }

    /// Journals a record, then counts it; false if the journal cannot be written.
    private func journaled(_ r: UnitRecord) -> Bool {
        state.withLock { s in
            do {
                try journal?.append(r)
            } catch {
                s.failure = "\(error)"
                return false
            }
            s.records.append(r)
            let k = session.foldCount
            if writesReports, s.records.filter({ $0.trial == r.trial && $0.iter == r.iter }).count == k {
                _ = try? Reports(session).write(s.records, to: session.out, onlyTrial: r.trial)
            }
            return true
        }
    }

    /// The progress line's slot for a worker.
    static func key(_ worker: Int) -> String { String(format: "%02d", worker) }

    /// Trains and scores one unit; nil when interrupted (the unit will run again on resume).
    func runUnit(_ work: Work, worker: Int) -> UnitRecord? {
        let k = session.foldCount
        let t = work.trial, f = work.fold, unit = t * k + f
        let key = Self.key(worker)
        let label = Say.unit(trial: t, of: session.trials.count, rung: work.rung.map { ($0.iter, $0.resources, $0.resource.rawValue) },
                             fold: f, of: k)
        let params = session.parameterText(t)
        func failed(_ reason: String) -> UnitRecord {
            UnitRecord(trial: t, fold: f, iter: work.rung?.iter, resources: work.rung?.resources, params: params, status: .failed,
                       reason: reason, score: nil, metrics: [:], epochs: 0, seconds: 0, historyColumns: [], history: [])
        }
        let config: TrialConfig
        switch session.configs[t] {
        case .failure(let e):
            progress.log(Say.unitFailed(label, e.message))
            return failed(e.message)
        case .success(let c): config = c
        }
        progress.update(key: key, label)
        do {
            let fold = session.folds[f]
            var trainPart = session.cvData.subset(fold.train)
            var continuation: Continuation?
            if let rung = work.rung {
                switch rung.resource {
                case .epochs:
                    // Continue the previous rung's state (journaled, so on disk).
                    let previous = rung.iter > 0 ? try UnitState.read(UnitState.path(session.out, trial: t, fold: f, iter: rung.iter - 1)) : nil
                    continuation = Continuation(toEpoch: rung.resources, state: previous)
                case .samples:
                    // A seeded (stratified) subset of the fold's training part, drawn afresh for the rung's size.
                    if rung.resources < trainPart.count {
                        trainPart = try trainPart.limited(to: rung.resources, seed: derivedSeed(session.experiment.seed, "samples", unit))
                    }
                }
            }
            let epochs = continuation?.toEpoch ?? config.fit.epochs
            let live = progress.mode == .live
            let outcome = try Trainer.fitAndScore(
                config, train: trainPart, heldOut: session.cvData.subset(fold.test),
                inputShape: session.inputShape, preprocess: session.experiment.data.preprocess,
                seeds: Trainer.Seeds(session.experiment.seed, unit: unit, final: false), continuation: continuation,
                onEpoch: { [progress, scoring = session.scoring.name] e in
                    let loss = e.logs["loss"].map { NumberText.short($0) } ?? "?"
                    let score = e.logs["val_" + scoring].map { (scoring, NumberText.short($0)) }
                    progress.update(key: key, Say.unitEpoch(label, epoch: e.epoch, of: epochs, loss: loss, score: score))
                },
                onBatch: live ? { [progress] b in
                    progress.update(key: key, Say.unitEpoch(label, epoch: b.epoch, of: epochs, loss: NumberText.short(b.loss), score: nil))
                } : nil).outcome
            if outcome.interrupted { return nil }
            if let rung = work.rung, let state = outcome.state {
                // Saved before the record is journaled: a journaled rung always has its state.
                try AtomicFile.makeDirectory(UnitState.folder(session.out))
                try UnitState.write(state, to: UnitState.path(session.out, trial: t, fold: f, iter: rung.iter))
            }
            let score = outcome.status == .ok ? outcome.metrics[session.scoring.name] : nil
            let history = outcome.history
            let r = UnitRecord(trial: t, fold: f, iter: work.rung?.iter, resources: work.rung?.resources,
                               params: params, status: outcome.status, reason: outcome.reason, score: score,
                               metrics: outcome.metrics, epochs: history.epochs, seconds: outcome.seconds,
                               historyColumns: history.keys, history: history.rows)
            let scoreText = score.map { Say.score(session.scoring.name, NumberText.short($0)) } ?? outcome.status.rawValue
            progress.log(Say.unitDone(label, score: scoreText, epochs: history.epochs, seconds: NumberText.short(outcome.seconds, digits: 1)))
            return r
        } catch {
            progress.log(Say.unitFailed(label, "\(error)"))
            return failed("\(error)")
        }
    }
}

extension Reports {
    init(_ session: Session) {
        self.init(parameters: session.parameterNames, folds: max(session.foldCount, 1),
                  scoring: session.scoring.name, higherIsBetter: session.scoring.higherIsBetter)
    }
}
