import Engine
import Foundation
import Spec

/// The rungs of a halving or Hyperband search for one data set: its brackets, what each
/// rung trains, and the budget in epoch·samples against a random search of the same trials.
struct RungPlan: Sendable, Equatable {
    var resource: HalvingResource
    var brackets: [Bracket]
    /// `fit.epochs`: what every rung trains with `resource: samples`, and what a random search's trial trains.
    var epochs: Int
    /// The size of each fold's training part (what a random search trains on).
    var foldTrainSizes: [Int]
    /// `max_resources`, resolved: what a random search's trial gets with `resource: epochs`.
    var maxResources: Int

    /// The schedule of `search` (strategy halving or hyperband) for a cross-validation over
    /// `foldTrainSizes`; nil for random and grid. `candidates` overrides the file's (`--trials`).
    static func make(_ search: SearchConfig?, foldTrainSizes: [Int], classes: Int?, candidates: Int?) throws(Rungs.Failure) -> RungPlan? {
        guard let search, let h = search.halving else { return nil }
        let smallestFold = foldTrainSizes.min() ?? 0
        // scikit-learn's 'smallest': 1 for any resource but samples, where it is 2 · cv · classes.
        let smallest = h.resource == .epochs ? 1 : 2 * search.cv * max(classes ?? 1, 1)
        let maximum: Int
        switch h.maxResources {
        case .count(let n): maximum = n
        default: maximum = h.resource == .epochs ? h.epochs : smallestFold
        }
        if h.resource == .samples, maximum > smallestFold {
            throw Rungs.Failure(message: Say.maxResourcesBeyondFold(maximum, fold: smallestFold))
        }
        let brackets: [Bracket]
        switch search.strategy {
        case .hyperband:
            if candidates != nil {
                throw Rungs.Failure(message: Say.trialsWithHyperband)
            }
            let minimum: Int
            if case .count(let n) = h.minResources { minimum = n } else { minimum = smallest }
            guard minimum <= maximum else { throw Rungs.Failure(message: Say.minAboveMax(minimum, maximum)) }
            brackets = Rungs.hyperband(maxResources: maximum, factor: h.factor, minResources: minimum)
        default:
            let rungs = try Rungs.halving(candidates: candidates.map { .count($0) } ?? h.candidates, factor: h.factor,
                                          minResources: h.minResources, maxResources: maximum, smallest: smallest)
            brackets = [Bracket(index: 0, firstTrial: 0, rungs: rungs)]
        }
        return RungPlan(resource: h.resource, brackets: brackets, epochs: h.epochs, foldTrainSizes: foldTrainSizes, maxResources: maximum)
    }

    /// Every trial the search starts: the random strategy's trials 0..<count.
    var trialCount: Int { brackets.last?.trials.upperBound ?? 0 }

    /// The epochs a rung's unit trains and the training samples it sees per epoch, on a fold
    /// whose training part holds `foldSize`; with epochs, a promoted unit trains only the
    /// epochs its rung adds (it continues from the previous rung).
    func work(_ bracket: Bracket, _ iter: Int, foldSize: Int) -> (epochs: Int, samples: Int) {
        let r = bracket.rungs[iter]
        switch resource {
        case .epochs: return (r.resources - (iter > 0 ? bracket.rungs[iter - 1].resources : 0), foldSize)
        case .samples: return (epochs, min(r.resources, foldSize))
        }
    }

    /// The whole search's training, in epoch·samples summed over folds.
    var budget: Double {
        var total = 0.0
        for b in brackets {
            for i in b.rungs.indices {
                for size in foldTrainSizes {
                    let w = work(b, i, foldSize: size)
                    total += Double(b.rungs[i].candidates) * Double(w.epochs) * Double(w.samples)
                }
            }
        }
        return total
    }

    /// A random search of the same trials, each trained to the full resource on every fold:
    /// `max_resources` epochs on the whole training part, or `fit.epochs` on it.
    var randomBudget: Double {
        let full = resource == .epochs ? maxResources : epochs
        return Double(trialCount) * Double(full) * Double(foldTrainSizes.reduce(0, +))
    }

    /// The schedule as `runner plan` prints it: one row per rung, then the budgets.
    func text() -> String {
        var rows = [["bracket", "iter", "n_candidates", "n_resources", "trials", "epoch·samples"]]
        for b in brackets {
            for (i, r) in b.rungs.enumerated() {
                let cost = foldTrainSizes.reduce(0.0) { t, size in
                    let w = work(b, i, foldSize: size)
                    return t + Double(r.candidates) * Double(w.epochs) * Double(w.samples)
                }
                let trials = i == 0 ? "\(b.trials.lowerBound)-\(b.trials.upperBound - 1)" : Say.bestCandidates(r.candidates)
                rows.append([String(b.index), String(r.iter), String(r.candidates), "\(r.resources) \(resource.rawValue)", trials, Self.number(cost)])
            }
        }
        let share = randomBudget > 0 ? budget / randomBudget : 0
        return alignedTable(rows) + "\n" + Say.budget(Self.number(budget), folds: foldTrainSizes.count, trials: trialCount,
                                                  random: Self.number(randomBudget), percent: share * 100)
    }

    static func number(_ x: Double) -> String { x < 1e15 ? String(Int(x)) : String(format: "%.3g", x) }
}

/// Which units each rung trains, from the journal's records: rung 0 of a bracket trains its
/// trials; rung i + 1 the best of rung i (`Rungs.promoted`), known only once every unit of
/// rung i is journaled (the barrier). The same records give the same rungs in any process.
extension RungPlan {
    /// A rung in the order the search runs them: bracket by bracket, iter by iter.
    struct Stage: Sendable, Hashable {
        var bracket: Int
        var iter: Int
    }

    var stages: [Stage] {
        brackets.indices.flatMap { b in brackets[b].rungs.indices.map { Stage(bracket: b, iter: $0) } }
    }

    /// The trials of `stage`, or nil while a unit of an earlier rung of its bracket is missing.
    func candidates(_ stage: Stage, records: [UnitRecord], folds: Int, higherIsBetter: Bool) -> [Int]? {
        let bracket = brackets[stage.bracket]
        var current = Array(bracket.trials)
        guard stage.iter > 0 else { return current }
        var byUnit: [[Int]: UnitRecord] = [:]
        for r in records where bracket.trials.contains(r.trial) { byUnit[[r.trial, r.iter ?? 0, r.fold]] = r }
        for iter in 1...stage.iter {
            var scores: [(trial: Int, score: Double?)] = []
            for t in current {
                let rs = (0..<folds).compactMap { byUnit[[t, iter - 1, $0]] }
                guard rs.count == folds else { return nil }
                let ok = rs.allSatisfy { $0.status == .ok && $0.score != nil }
                scores.append((t, ok ? rs.compactMap(\.score).reduce(0, +) / Double(folds) : nil))
            }
            current = Rungs.promoted(scores, keep: min(bracket.rungs[iter].candidates, current.count), higherIsBetter: higherIsBetter)
        }
        return current
    }

    /// The units of `stage` (its candidates × folds), numbered within the rung for the shards.
    func work(_ stage: Stage, candidates: [Int], folds: Int) -> [Scheduler.Work] {
        let rung = brackets[stage.bracket].rungs[stage.iter]
        let what = Scheduler.RungWork(iter: stage.iter, resources: rung.resources, resource: resource, epochs: epochs)
        return candidates.enumerated().flatMap { position, t in
            (0..<folds).map { f in Scheduler.Work(trial: t, fold: f, number: position * folds + f, rung: what) }
        }
    }

    /// Every unit still owed, with the stage it belongs to: the whole schedule once the
    /// records decide it; for a stage whose candidates are not known yet, nothing beyond it.
    func missing(records: [UnitRecord], folds: Int, higherIsBetter: Bool) -> (units: [Scheduler.Work], undecided: Bool) {
        let have = Set(records.map { [$0.trial, $0.iter ?? 0, $0.fold] })
        var owed: [Scheduler.Work] = []
        for stage in stages {
            guard let c = candidates(stage, records: records, folds: folds, higherIsBetter: higherIsBetter) else { return (owed, true) }
            owed += work(stage, candidates: c, folds: folds).filter { !have.contains([$0.trial, $0.rung?.iter ?? 0, $0.fold]) }
        }
        return (owed, false)
    }
}

extension RungPlan {
    /// The records the rungs decide on: a record of a rung its trial was not promoted to (left
    /// by an earlier run with other candidates, `--trials`) is not part of this search.
    func decided(_ records: [UnitRecord], folds: Int, higherIsBetter: Bool) -> [UnitRecord] {
        var keep = Set<[Int]>()
        for stage in stages {
            guard let c = candidates(stage, records: records, folds: folds, higherIsBetter: higherIsBetter) else { continue }
            for t in c { keep.insert([t, stage.iter]) }
        }
        return records.filter { keep.contains([$0.trial, $0.iter ?? 0]) }
    }
}
