import Engine
import Foundation
import Spec
import Synchronization

/// Runs the pending (trial, fold) units of a session, `jobs` at a time, each on one thread,
/// so that a unit's numbers never depend on `--jobs`. Each finished unit is journaled
/// (fsynced) before it counts; the leaderboard is rewritten as trials complete.
final class Scheduler: @unchecked Sendable {
    let session: Session
    let journal: Journal
    let progress: Progress
    let shard: Shard
    /// Whether this process writes the leaderboard as trials finish (not a shard of many).
    let writesReports: Bool
    private let state: Mutex<State>

    struct State {
        var pending: [Int]
        var next = 0
        var records: [UnitRecord]
        var failure: String?
    }

    init(session: Session, journal: Journal, progress: Progress, shard: Shard, done: [UnitRecord]) {
        self.session = session
        self.journal = journal
        self.progress = progress
        self.shard = shard
        writesReports = shard.count == 1
        let finished = Set(done.map { $0.trial * max(session.foldCount, 1) + $0.fold })
        let pending = (0..<session.unitCount).filter { shard.owns(unit: $0) && !finished.contains($0) }
        state = Mutex(State(pending: pending, records: done))
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
    var records: [UnitRecord] { state.withLock { $0.records } }

    /// Runs every pending unit; returns the first journal write failure, if any.
    func run(jobs: Int) -> String? {
        let total = state.withLock { $0.pending.count }
        let workers = max(1, min(jobs, total))
        let group = DispatchGroup()
        for w in 0..<workers {
            group.enter()
            // The cores split between the workers: the numbers do not depend on it (Threads).
            let budget = max(1, ProcessInfo.processInfo.activeProcessorCount / workers)
            let thread = Thread { [self] in
                Threads.set(budget)
                while !StopRequest.requested, let unit = take() {
                    guard let finished = runUnit(unit, worker: w), journaled(finished) else { break }
                    progress.finished(key: Self.key(w))
                }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return state.withLock { $0.failure }
    }

    private func take() -> Int? {
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
                try journal.append(r)
            } catch {
                s.failure = "\(error)"
                return false
            }
            s.records.append(r)
            let k = session.foldCount
            if writesReports, s.records.filter({ $0.trial == r.trial }).count == k {
                _ = try? Reports(session).write(s.records, to: session.out)
            }
            return true
        }
    }

    /// The progress line's slot for a worker.
    static func key(_ worker: Int) -> String { String(format: "%02d", worker) }

    /// Trains and scores one unit; nil when interrupted (the unit will run again on resume).
    private func runUnit(_ unit: Int, worker: Int) -> UnitRecord? {
        let k = session.foldCount
        let t = unit / k, f = unit % k
        let key = Self.key(worker)
        let label = "trial \(t)/\(session.trials.count) fold \(f)/\(k)"  // ids as in the leaderboard (0-based) / totals
        let params = session.parameterText(t)
        func failed(_ reason: String) -> UnitRecord {
            UnitRecord(trial: t, fold: f, params: params, status: .failed, reason: reason, score: nil, metrics: [:],
                       epochs: 0, seconds: 0, historyColumns: [], history: [])
        }
        let config: TrialConfig
        switch session.configs[t] {
        case .failure(let e):
            progress.log("\(label): failed: \(e.message)")
            return failed(e.message)
        case .success(let c): config = c
        }
        progress.update(key: key, label)
        do {
            let fold = session.folds[f]
            let epochs = config.fit.epochs
            let live = progress.mode == .live
            let outcome = try Trainer.fitAndScore(
                config, train: session.cvData.subset(fold.train), heldOut: session.cvData.subset(fold.test),
                inputShape: session.inputShape, preprocess: session.experiment.data.preprocess,
                seeds: Trainer.Seeds(session.experiment.seed, unit: unit, final: false),
                onEpoch: { [progress, scoring = session.scoring.name] e in
                    let loss = e.logs["loss"].map { NumberText.short($0) } ?? "?"
                    let score = e.logs["val_" + scoring].map { " val_\(scoring) \(NumberText.short($0))" } ?? ""
                    progress.update(key: key, "\(label) epoch \(e.epoch)/\(epochs) loss \(loss)\(score)")
                },
                onBatch: live ? { [progress] b in
                    progress.update(key: key, "\(label) epoch \(b.epoch)/\(epochs) loss \(NumberText.short(b.loss))")
                } : nil).outcome
            if outcome.interrupted { return nil }
            let score = outcome.status == .ok ? outcome.metrics[session.scoring.name] : nil
            let history = outcome.history
            let r = UnitRecord(trial: t, fold: f, params: params, status: outcome.status, reason: outcome.reason, score: score,
                               metrics: outcome.metrics, epochs: history.epochs, seconds: outcome.seconds,
                               historyColumns: history.keys, history: history.rows)
            let scoreText = score.map { "\(session.scoring.name) \(NumberText.short($0))" } ?? outcome.status.rawValue
            progress.log("\(label): \(scoreText), \(history.epochs) epoch\(history.epochs == 1 ? "" : "s"), \(NumberText.short(outcome.seconds, digits: 1)) s")
            return r
        } catch {
            progress.log("\(label): failed: \(error)")
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
