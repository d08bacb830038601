import Foundation
import Spec

/// One rung of successive halving: scikit-learn's `iter`, `n_candidates_[iter]` and
/// `n_resources_[iter]`.
struct Rung: Sendable, Hashable {
    var iter: Int
    var candidates: Int
    var resources: Int
}

/// A bracket of successive halving: its rungs, and the trial indices its first rung starts
/// with (`firstTrial ..< firstTrial + rungs[0].candidates`). Halving is one bracket.
struct Bracket: Sendable, Hashable {
    var index: Int
    var firstTrial: Int
    var rungs: [Rung]

    var trials: Range<Int> { firstTrial ..< firstTrial + (rungs.first?.candidates ?? 0) }
}

/// The rung arithmetic of halving and Hyperband: pure functions of the settings, no data.
enum Rungs {
    /// A schedule that cannot be made (scikit-learn's ValueError), in its words.
    struct Failure: Error, Equatable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// scikit-learn's `HalvingRandomSearchCV` (`_run_search` and `_generate_candidate_params`):
    ///
    /// - min_resources `smallest` is `smallest` (1 epoch, or 2 · cv · classes samples);
    ///   `exhaust` starts from it and raises it to `max // factor^(required - 1)`, so the last
    ///   rung gets as much as possible;
    /// - candidates `exhaust` is `max // min`;
    /// - rungs: `min(required, possible)`, where required = 1 + ⌊log_factor(candidates)⌋ (the
    ///   rungs needed to get down to fewer than `factor`) and possible = 1 + ⌊log_factor(max // min)⌋;
    /// - rung i: resources `min(int(factor^i · min), max)`; candidates ⌈previous / factor⌉.
    ///
    /// Logarithms are `log(x) / log(factor)` in doubles, as Python's `math.log(x, base)`, so
    /// the rung counts are scikit-learn's to the last edge case.
    static func halving(candidates: ResourceSetting, factor: Double, minResources: ResourceSetting,
                        maxResources: Int, smallest: Int) throws(Failure) -> [Rung] {
        var minimum: Int
        switch minResources {
        case .count(let n): minimum = n
        default: minimum = smallest
        }
        guard minimum > 0 else { throw Failure(message: Say.minResourcesZero) }
        guard maxResources >= minimum else {
            throw Failure(message: Say.minAboveMax(minimum, maxResources))
        }
        let n: Int
        switch candidates {
        case .count(let c): n = c
        default: n = maxResources / minimum
        }
        guard n > 0 else { throw Failure(message: Say.noCandidates(maxResources, minimum)) }
        let required = 1 + Int(floor(log(Double(n), base: factor)))
        if minResources == .exhaust {
            minimum = max(minimum, Int(floor(Double(maxResources) / pow(factor, Double(required - 1)))))
        }
        let possible = 1 + Int(floor(log(Double(maxResources / minimum), base: factor)))
        let count = min(required, possible)
        var rungs: [Rung] = []
        var left = n
        for i in 0..<count {
            rungs.append(Rung(iter: i, candidates: left, resources: min(Int(pow(factor, Double(i)) * Double(minimum)), maxResources)))
            left = Int((Double(left) / factor).rounded(.up))
        }
        return rungs
    }

    /// KerasTuner's `Hyperband(max_epochs, factor)` oracle, one iteration: brackets
    /// `s = B-1, ..., 0` where B counts how often `max` can be divided by `factor` before it
    /// falls below `min` (KerasTuner's min_epochs, 1); bracket s has rounds `r = 0...s`, each
    /// with ⌈⌈1 + log_factor(max)⌉ / (s + 1) · factor^(s−r)⌉ candidates trained to
    /// ⌈max / factor^(s−r)⌉. Bracket s = 0 is a random search at the full resource. Trials are
    /// numbered on, bracket after bracket.
    static func hyperband(maxResources: Int, factor: Double, minResources: Int) -> [Bracket] {
        var count = 0
        var r = Double(maxResources)
        while r >= Double(max(minResources, 1)) {
            r /= factor
            count += 1
        }
        let endSize = (1 + log(Double(maxResources), base: factor)).rounded(.up)
        var brackets: [Bracket] = []
        var first = 0
        for s in stride(from: count - 1, through: 0, by: -1) {
            var rungs: [Rung] = []
            for round in 0...s {
                let shrink = pow(factor, Double(s - round))
                let size = Int((endSize / Double(s + 1) * shrink).rounded(.up))
                let resources = Int((Double(maxResources) / shrink).rounded(.up))
                rungs.append(Rung(iter: round, candidates: size, resources: resources))
            }
            brackets.append(Bracket(index: s, firstTrial: first, rungs: rungs))
            first += rungs[0].candidates
        }
        return brackets
    }

    /// Python's `math.log(x, base)`.
    static func log(_ x: Double, base: Double) -> Double { Foundation.log(x) / Foundation.log(base) }

    /// The best `keep` of `scores` (trial → mean CV score; nil: failed or diverged, which
    /// never go on), ties to the lower trial index: who goes on to the next rung, in trial order.
    static func promoted(_ scores: [(trial: Int, score: Double?)], keep: Int, higherIsBetter: Bool) -> [Int] {
        var valid: [(trial: Int, score: Double)] = []
        for s in scores { if let v = s.score { valid.append((s.trial, v)) } }
        valid.sort { a, b in
            if a.score != b.score { return higherIsBetter ? a.score > b.score : a.score < b.score }
            return a.trial < b.trial
        }
        return valid.prefix(max(keep, 0)).map { $0.trial }.sorted()
    }
}
