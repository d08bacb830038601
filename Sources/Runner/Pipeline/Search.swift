import Engine
import Foundation
import Spec

/// Proposes trials from a search space; it never trains or scores (the CV evaluator does).
///
/// Random strategy: trial i's values come from `RandomGenerator(seed: seed, stream: "trial",
/// index: i)`, drawing once per parameter in sorted name order, as scipy.stats would sample:
/// choice uniform over the list, randint uniform over [low, high), uniform in [low, high),
/// loguniform exp(uniform(log low, log high)). Trial i depends only on the seed and i.
///
/// Grid strategy: the Cartesian product of every parameter's values (choices in file order,
/// randint as low, low+1, ..., high-1), parameters in sorted name order with the LAST name
/// varying fastest (as scikit-learn's ParameterGrid); `trials` caps the count.
enum Search {
    /// One proposed trial: its index and a value for every parameter.
    struct Trial: Sendable, Hashable {
        var index: Int
        var values: [String: Value]
    }

    /// How many trials: `count`, else the search's `trials` (10 by default); a grid stops at its
    /// size. One for a file without a search (its one model).
    static func count(_ search: SearchConfig?, count: Int? = nil) -> Int {
        guard let search, !search.space.isEmpty else { return 1 }
        switch search.strategy {
        case .random, .halving, .hyperband:
            // Halving and Hyperband's candidates are the random strategy's trials; their
            // count comes from the rungs (RungPlan), passed as `count`.
            return max(count ?? search.trials ?? 10, 0)
        case .grid:
            let size = Grid(search.space).size
            return max(min(count ?? search.trials ?? size, size), 0)
        }
    }

    /// Trials 0..<count (count defaults to the search's own `trials`; a grid stops at its size),
    /// each made when it is read: nothing is held per trial, whatever the count.
    static func proposals(_ search: SearchConfig?, seed: UInt64, count: Int? = nil) -> LazyMapSequence<Range<Int>, Trial> {
        let n = Self.count(search, count: count)
        guard let search, !search.space.isEmpty else { return (0..<n).lazy.map { Trial(index: $0, values: [:]) } }
        let space = search.space.sorted { $0.name < $1.name }
        switch search.strategy {
        case .random, .halving, .hyperband:
            return (0..<n).lazy.map { randomTrial(space, seed: seed, index: $0) }
        case .grid:
            let grid = Grid(space)
            return (0..<n).lazy.map { grid.trial($0) }
        }
    }

    /// Trials 0..<count as an array (for the few callers that keep them all).
    static func trials(_ search: SearchConfig?, seed: UInt64, count: Int? = nil) -> [Trial] {
        Array(proposals(search, seed: seed, count: count))
    }

    /// The grid strategy's Cartesian product, never materialised: point i from i alone.
    struct Grid {
        /// Each parameter's values: a list (choice) or the integers low..<high (randint).
        enum Axis {
            case list([Value])
            case integers(Int, Int)
            var count: Int {
                switch self {
                case .list(let v): return v.count
                case .integers(let lo, let hi): return hi > lo ? (hi.subtractingReportingOverflow(lo).overflow ? Int.max : hi - lo) : 0
                }
            }
            func value(_ i: Int) -> Value {
                switch self {
                case .list(let v): return v[i]
                case .integers(let lo, _): return .int(lo + i)
                }
            }
        }
        let axes: [(name: String, axis: Axis)]
        /// The number of points, Int.max when larger.
        let size: Int

        init(_ space: [SearchParameter]) {
            axes = space.sorted { $0.name < $1.name }.compactMap { p in
                switch p.distribution {
                case .choice(let v): return v.isEmpty ? nil : (p.name, .list(v))
                case .randint(let lo, let hi): return hi > lo ? (p.name, .integers(lo, hi)) : nil
                default: return nil
                }
            }
            size = axes.reduce(1) { n, a in
                let (p, o) = n.multipliedReportingOverflow(by: max(a.axis.count, 1))
                return o ? Int.max : p
            }
        }

        /// Point `i`, the LAST name varying fastest (as scikit-learn's ParameterGrid).
        func trial(_ i: Int) -> Trial {
            var rest = i
            var values: [String: Value] = [:]
            for a in axes.reversed() {
                let c = a.axis.count
                values[a.name] = a.axis.value(rest % c)
                rest /= c
            }
            return Trial(index: i, values: values)
        }
    }

    /// Trial `index` of the random strategy.
    static func randomTrial(_ space: [SearchParameter], seed: UInt64, index: Int) -> Trial {
        var g = RandomGenerator(seed: seed, stream: "trial", index: index)
        var values: [String: Value] = [:]
        for p in space.sorted(by: { $0.name < $1.name }) {
            values[p.name] = sample(p.distribution, &g)
        }
        return Trial(index: index, values: values)
    }

    static func sample(_ d: Distribution, _ g: inout RandomGenerator) -> Value {
        switch d {
        case .choice(let vs): return vs.isEmpty ? .null : vs[g.nextInt(below: vs.count)]
        case .randint(let lo, let hi): return .int(lo + g.nextInt(below: max(hi - lo, 1)))
        case .uniform(let lo, let hi): return .double(g.uniform(lo, hi))
        case .loguniform(let lo, let hi): return .double(Foundation.exp(g.uniform(Foundation.log(lo), Foundation.log(hi))))
        }
    }

    /// The widest text `format` gives a value of `d` (a bound for the uniform ones).
    static func widest(_ d: Distribution) -> Int {
        switch d {
        case .choice(let vs): return vs.map { format($0).count }.max() ?? 0
        case .randint(let lo, let hi): return max(String(lo).count, String(hi > lo ? hi - 1 : lo).count)
        case .uniform, .loguniform: return "-1.23457e-123".count
        }
    }

    /// A value as plan prints it: numbers with `%.6g`, strings bare, lists in flow style.
    static func format(_ v: Value) -> String {
        switch v {
        case .double(let d) where d.isFinite: return String(format: "%.6g", d)
        case .string(let s): return s
        case .list(let l): return "[" + l.map(format).joined(separator: ", ") + "]"
        default: return v.description
        }
    }
}
