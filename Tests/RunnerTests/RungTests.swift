import Foundation
import Spec
import Testing
@testable import Runner

/// The rung arithmetic against scikit-learn's documented examples and KerasTuner's formulas.
struct RungTests {
    func pairs(_ rungs: [Rung]) -> [[Int]] { rungs.map { [$0.candidates, $0.resources] } }

    /// scikit-learn's "Successive Halving Iterations" example: 400 samples, 2 classes, cv=5,
    /// factor=2, candidates and min_resources left to their defaults ('exhaust', 'smallest'
    /// = 2 · 5 · 2 = 20): n_candidates_ [20, 10, 5, 3, 2], n_resources_ [20, 40, 80, 160, 320].
    @Test func exhaustCandidatesFromTheSmallestRung() throws {
        let rungs = try Rungs.halving(candidates: .exhaust, factor: 2, minResources: .smallest, maxResources: 400, smallest: 20)
        #expect(pairs(rungs) == [[20, 20], [10, 40], [5, 80], [3, 160], [2, 320]])
        #expect(rungs.map(\.iter) == [0, 1, 2, 3, 4])
    }

    /// The user guide's "Choosing min_resources": 6 candidates (a 2 × 3 grid), 1000 samples,
    /// factor=2: min_resources=20 gives n_resources_ [20, 40, 80]; 'exhaust' gives
    /// [250, 500, 1000]; max_resources=40 stops at [20, 40] with n_candidates_ [6, 3].
    @Test func userGuideMinResources() throws {
        let fixed = try Rungs.halving(candidates: .count(6), factor: 2, minResources: .count(20), maxResources: 1000, smallest: 20)
        #expect(pairs(fixed) == [[6, 20], [3, 40], [2, 80]])
        let exhaust = try Rungs.halving(candidates: .count(6), factor: 2, minResources: .exhaust, maxResources: 1000, smallest: 20)
        #expect(exhaust.map(\.resources) == [250, 500, 1000])
        let capped = try Rungs.halving(candidates: .count(6), factor: 2, minResources: .smallest, maxResources: 40, smallest: 20)
        #expect(pairs(capped) == [[6, 20], [3, 40]])
    }

    /// The defaults with epochs: factor 3, 1 epoch at first, fit.epochs 20 as max: 20 // 1 = 20
    /// candidates, rungs 1 + ⌊log₃ 20⌋ = 3: [20, 7, 3] candidates at [1, 3, 9] epochs (the
    /// last rung need not reach max_resources, as in scikit-learn).
    @Test func epochsDefaults() throws {
        let rungs = try Rungs.halving(candidates: .exhaust, factor: 3, minResources: .smallest, maxResources: 20, smallest: 1)
        #expect(pairs(rungs) == [[20, 1], [7, 3], [3, 9]])
        // 27 epochs: 27 candidates, log₃ 27 is exactly 3 in doubles: 4 rungs, the last at 27.
        let exact = try Rungs.halving(candidates: .exhaust, factor: 3, minResources: .smallest, maxResources: 27, smallest: 1)
        #expect(pairs(exact) == [[27, 1], [9, 3], [3, 9], [1, 27]])
        // 243 candidates: Python's math.log(243, 3) is 4.999999999999999, so scikit-learn
        // needs 1 + 4 = 5 rungs, not 6; so do we.
        let edge = try Rungs.halving(candidates: .count(243), factor: 3, minResources: .count(1), maxResources: 1000, smallest: 1)
        #expect(pairs(edge) == [[243, 1], [81, 3], [27, 9], [9, 27], [3, 81]])
    }

    @Test func fractionalFactorAndRefusals() throws {
        let rungs = try Rungs.halving(candidates: .count(10), factor: 1.5, minResources: .count(2), maxResources: 10, smallest: 1)
        // possible = 1 + ⌊log₁.₅ 5⌋ = 4; required = 1 + ⌊log₁.₅ 10⌋ = 6; int(1.5^i · 2) capped at 10.
        #expect(pairs(rungs) == [[10, 2], [7, 3], [5, 4], [4, 6]])
        #expect(throws: Rungs.Failure.self) {
            try Rungs.halving(candidates: .exhaust, factor: 3, minResources: .count(30), maxResources: 20, smallest: 1)
        }
        #expect(throws: Rungs.Failure.self) {
            try Rungs.halving(candidates: .exhaust, factor: 3, minResources: .smallest, maxResources: 20, smallest: 0)
        }
    }

    /// KerasTuner's Hyperband(max_epochs=81, factor=3): 5 brackets; ⌈1 + log₃ 81⌉ = 5, so
    /// bracket s starts with ⌈5/(s+1) · 3^s⌉ trials: 81, 34, 15, 8, 5 (Li et al.'s table for
    /// R = 81, η = 3 has 81, 34, 15, 8, 5 too), trained to ⌈81/3^(s−r)⌉ epochs.
    @Test func hyperbandBrackets() {
        let b = Rungs.hyperband(maxResources: 81, factor: 3, minResources: 1)
        #expect(b.map(\.index) == [4, 3, 2, 1, 0])
        #expect(pairs(b[0].rungs) == [[81, 1], [27, 3], [9, 9], [3, 27], [1, 81]])
        #expect(pairs(b[1].rungs) == [[34, 3], [12, 9], [4, 27], [2, 81]])
        #expect(pairs(b[2].rungs) == [[15, 9], [5, 27], [2, 81]])
        #expect(pairs(b[3].rungs) == [[8, 27], [3, 81]])
        #expect(pairs(b[4].rungs) == [[5, 81]])
        // Trials are numbered on, bracket after bracket.
        #expect(b.map(\.firstTrial) == [0, 81, 115, 130, 138])
        // max_epochs 100: ⌈1 + log₃ 100⌉ = 6; bracket 4 starts with ⌈6/5 · 81⌉ = 98 at ⌈100/81⌉ = 2 epochs.
        let h = Rungs.hyperband(maxResources: 100, factor: 3, minResources: 1)
        #expect(h.count == 5)
        #expect(pairs(h[0].rungs) == [[98, 2], [33, 4], [11, 12], [4, 34], [2, 100]])
        #expect(pairs(h[4].rungs) == [[6, 100]])
    }

    @Test func promotionKeepsTheBestLowerIndexOnTies() {
        let scores: [(trial: Int, score: Double?)] = [(0, 0.5), (1, 0.9), (2, nil), (3, 0.9), (4, 0.7)]
        #expect(Rungs.promoted(scores, keep: 2, higherIsBetter: true) == [1, 3])
        #expect(Rungs.promoted(scores, keep: 3, higherIsBetter: true) == [1, 3, 4])
        #expect(Rungs.promoted(scores, keep: 1, higherIsBetter: false) == [0])
        // A failed or diverged candidate never goes on, even with room left.
        #expect(Rungs.promoted(scores, keep: 5, higherIsBetter: false) == [0, 1, 3, 4])
    }
}
