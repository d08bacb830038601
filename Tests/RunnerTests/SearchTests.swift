import Foundation
import XCTest
@testable import Runner
import Spec

final class SearchTests: XCTestCase {
    func experiment(_ space: String, strategy: String = "random", trials: Int = 10) throws -> Experiment {
        let text = """
        data: {source: moons}
        model:
          layers:
            - Dense: {units: $a, activation: $c}
            - Dropout: {rate: $b}
            - Dense: {units: 1, kernel_regularizer: {l2: $d}}
        compile: {loss: mse}
        search:
          strategy: \(strategy)
          trials: \(trials)
          space:
        \(space)
        """
        let (e, d) = Experiment.load(text: text, file: "s.yaml")
        XCTAssertEqual(d.filter { $0.severity == .error }, [])
        return try XCTUnwrap(e)
    }

    func testTrialIDependsOnlyOnSeedAndI() throws {
        let e = try experiment("""
            a: {randint: [1, 100]}
            b: {uniform: [0.0, 0.5]}
            c: {choice: [relu, tanh, elu]}
            d: {loguniform: [1.0e-4, 1.0e-1]}
        """)
        let five = Search.trials(e.search, seed: 42, count: 5)
        let fifty = Search.trials(e.search, seed: 42, count: 50)
        XCTAssertEqual(five, Array(fifty.prefix(5)))
        XCTAssertEqual(Search.randomTrial(e.parameters, seed: 42, index: 37), fifty[37])
        XCTAssertNotEqual(Search.trials(e.search, seed: 43, count: 5), five)
        for t in fifty {
            let a = try XCTUnwrap(t.values["a"]?.int); XCTAssert((1..<100).contains(a))
            let b = try XCTUnwrap(t.values["b"]?.double); XCTAssert(b >= 0 && b <= 0.5)
            let d = try XCTUnwrap(t.values["d"]?.double); XCTAssert(d >= 1e-4 && d <= 0.1)
            XCTAssertNoThrow(try e.resolve(t.values))
        }
        // Every trial resolves; the distributions' ranges are covered.
        XCTAssertEqual(Set(fifty.compactMap { $0.values["c"]?.string }), ["relu", "tanh", "elu"])
    }

    func testGridOrderLastNameFastestAndCap() throws {
        let e = try experiment("""
            a: {choice: [1, 2]}
            b: {choice: [0.0, 0.5]}
            c: {choice: [relu]}
            d: {randint: [0, 3]}
        """, strategy: "grid", trials: 100)
        let grid = Search.trials(e.search, seed: 0)
        XCTAssertEqual(grid.count, 2 * 2 * 1 * 3)
        let rows = grid.map { t in ["a", "b", "d"].map { t.values[$0]?.description ?? "" } }
        XCTAssertEqual(rows.prefix(4), [["1", "0.0", "0"], ["1", "0.0", "1"], ["1", "0.0", "2"], ["1", "0.5", "0"]])
        XCTAssertEqual(rows.last, ["2", "0.5", "2"])
        XCTAssertEqual(Search.trials(e.search, seed: 0, count: 5).count, 5)
    }

    func testNoSearchIsOneTrial() {
        XCTAssertEqual(Search.trials(nil, seed: 1), [Search.Trial(index: 0, values: [:])])
    }
}
