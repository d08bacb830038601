/// A share of the (trial, fold) units: shard `index` of `count` runs the units whose number
/// `u = trial · folds + fold` satisfies `u mod count == index`. The rule depends on nothing
/// but the two numbers, so independent processes never need to talk to agree on it.
struct Shard: Equatable, CustomStringConvertible {
    var index: Int
    var count: Int

    static let whole = Shard(index: 0, count: 1)

    func owns(unit: Int) -> Bool { unit % count == index }

    /// The shard that owns a unit.
    static func owner(ofUnit unit: Int, count: Int) -> Int { unit % count }

    var description: String { "\(index)/\(count)" }

    /// Parses `I/N` with 0 ≤ I < N.
    init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    enum SlurmError: Error, CustomStringConvertible {
        case notInArray
        case notContiguous(id: Int, min: Int, max: Int, count: Int)
        var description: String {
            switch self {
            case .notInArray:
                Say.noShardInSlurm
            case let .notContiguous(id, min, max, count):
                Say.slurmNotContiguous(id: id, min: min, max: max, count: count)
            }
        }
    }

    /// The shard of a Slurm array task: I = task id − min, N = task count; refused when the
    /// array has gaps (max − min + 1 ≠ count), as after resubmitting single indices.
    static func fromSlurm(_ env: [String: String]) throws(SlurmError) -> Shard {
        guard let id = env["SLURM_ARRAY_TASK_ID"].flatMap({ Int($0) }),
              let min = env["SLURM_ARRAY_TASK_MIN"].flatMap({ Int($0) }),
              let count = env["SLURM_ARRAY_TASK_COUNT"].flatMap({ Int($0) }) else { throw .notInArray }
        let max = env["SLURM_ARRAY_TASK_MAX"].flatMap { Int($0) } ?? (min + count - 1)
        guard max - min + 1 == count, id >= min, id <= max else {
            throw .notContiguous(id: id, min: min, max: max, count: count)
        }
        return Shard(index: id - min, count: count)
    }
}
