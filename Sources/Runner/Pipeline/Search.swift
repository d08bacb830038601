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

    /// Trials 0..<count (count defaults to the search's own `trials`; a grid stops at its size).
    static func trials(_ search: SearchConfig?, seed: UInt64, count: Int? = nil) -> [Trial] {
        guard let search, !search.space.isEmpty else { return [Trial(index: 0, values: [:])] }
        let space = search.space.sorted { $0.name < $1.name }
        switch search.strategy {
        case .random, .halving, .hyperband:
            // Halving and Hyperband's candidates are the random strategy's trials; their
            // count comes from the rungs (RungPlan), passed as `count`.
            let n = count ?? search.trials ?? 10
            return (0..<max(n, 0)).map { randomTrial(space, seed: seed, index: $0) }
        case .grid:
            let axes = space.map { $0.distribution.gridValues ?? [] }
            let size = axes.reduce(1) { $0 * max($1.count, 1) }
            let n = min(count ?? search.trials ?? size, size)
            return (0..<max(n, 0)).map { i in
                var rest = i
                var values: [String: Value] = [:]
                for (p, axis) in zip(space, axes).reversed() where !axis.isEmpty {
                    values[p.name] = axis[rest % axis.count]
                    rest /= axis.count
                }
                return Trial(index: i, values: values)
            }
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
