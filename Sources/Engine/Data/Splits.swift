/// One cross-validation fold: indices into the data set, each list ascending.
public struct Fold: Sendable, Equatable {
    public var train: [Int]
    public var test: [Int]

    public init(train: [Int], test: [Int]) {
        self.train = train
        self.test = test
    }
}

/// k-fold cross-validation as scikit-learn's `KFold`: the indices 0..<n (shuffled first
/// when `shuffle`) are cut into k consecutive test folds, the first n mod k of them one
/// sample larger; each fold trains on all the others. Every index is in exactly one test
/// fold.
public struct KFold: Sendable, Equatable {
    public var k: Int
    public var shuffle: Bool
    /// Used only when `shuffle` (stream "data.kfold").
    public var seed: UInt64

    public init(k: Int, shuffle: Bool = false, seed: UInt64 = 0) {
        self.k = k
        self.shuffle = shuffle
        self.seed = seed
    }

    /// The k folds of `n` samples; an error when k < 2 or k > n.
    public func split(count n: Int) throws(DataError) -> [Fold] {
        try checkFoldCount(k, n)
        var order = Array(0..<n)
        if shuffle {
            var rng = RandomGenerator(seed: seed, stream: "data.kfold")
            rng.shuffle(&order)
        }
        var testFold = [Int](repeating: 0, count: n)
        var start = 0
        for f in 0..<k {
            let size = n / k + (f < n % k ? 1 : 0)
            for i in order[start..<(start + size)] { testFold[i] = f }
            start += size
        }
        return folds(from: testFold, k: k)
    }
}

/// Stratified k-fold cross-validation as scikit-learn's `StratifiedKFold` (0.22 and later):
/// each class's samples are dealt across the folds so that each fold holds within one of
/// the class's proportional share, and fold sizes differ by at most one.
///
/// The allocation follows scikit-learn: classes are numbered by first appearance, the
/// samples sorted by that number, and the i-th of them counted to fold i mod k; within a
/// class the samples, in index order, take the class's fold numbers in order (0, 0, 1, …),
/// or shuffled with the seed when `shuffle`.
///
/// A class with fewer than k members cannot appear in every test fold: as scikit-learn, that
/// is a warning (returned with the folds) when some class has at least k members, and an
/// error when none has.
public struct StratifiedKFold: Sendable, Equatable {
    public var k: Int
    public var shuffle: Bool
    /// Used only when `shuffle` (stream "data.stratified-kfold", one stream per class).
    public var seed: UInt64

    public init(k: Int, shuffle: Bool = false, seed: UInt64 = 0) {
        self.k = k
        self.shuffle = shuffle
        self.seed = seed
    }

    /// The k folds for samples with these class `labels`, and any warnings.
    public func split(labels: [Int]) throws(DataError) -> (folds: [Fold], warnings: [String]) {
        let n = labels.count
        try checkFoldCount(k, n)

        // Classes numbered by first appearance, and their sizes.
        var code = [Int: Int]()
        var encoded = [Int](repeating: 0, count: n)
        var sizes = [Int]()
        var names = [Int]()
        for (i, label) in labels.enumerated() {
            if code[label] == nil { code[label] = sizes.count; sizes.append(0); names.append(label) }
            encoded[i] = code[label]!
            sizes[encoded[i]] += 1
        }
        var warnings = [String]()
        if sizes.allSatisfy({ $0 < k }) {
            throw .invalidParameter(EngineSay.noClassFillsFolds(k, largest: sizes.max() ?? 0))
        }
        if let smallest = sizes.indices.min(by: { sizes[$0] < sizes[$1] }), sizes[smallest] < k {
            warnings.append(EngineSay.smallClass(k, names[smallest], members: sizes[smallest]))
        }

        // Position p of the samples sorted by class goes to fold p mod k.
        var testFold = [Int](repeating: 0, count: n)
        var start = 0
        var membersOf = [[Int]](repeating: [], count: sizes.count)
        for (i, c) in encoded.enumerated() { membersOf[c].append(i) }
        for c in 0..<sizes.count {
            var foldsForClass = [Int]()
            foldsForClass.reserveCapacity(sizes[c])
            for f in 0..<k {
                // Positions start..<start+size with p % k == f.
                let first = start + ((f - start % k) + k) % k
                let count = first < start + sizes[c] ? (start + sizes[c] - 1 - first) / k + 1 : 0
                foldsForClass += repeatElement(f, count: count)
            }
            if shuffle {
                var rng = RandomGenerator(seed: seed, stream: "data.stratified-kfold", index: c)
                rng.shuffle(&foldsForClass)
            }
            for (i, f) in zip(membersOf[c], foldsForClass) { testFold[i] = f }
            start += sizes[c]
        }
        return (folds(from: testFold, k: k), warnings)
    }
}

/// Hold-out validation sets carved from a training part.
public enum ValidationSplit {
    /// Keras's `validation_split`: the LAST ⌊n·fraction⌋-ish samples, without shuffling —
    /// exactly, training is the first ⌊n·(1 − fraction)⌋ samples (Keras 3
    /// `train_validation_split`) and validation the rest. Shuffle the data first if its order
    /// means something (sorted by class, by time); Keras does not.
    public static func last(count n: Int, fraction: Double) throws(DataError) -> (train: [Int], validation: [Int]) {
        guard fraction > 0 && fraction < 1 else {
            throw .invalidParameter(EngineSay.fractionOutside("validation_split", fraction))
        }
        let splitAt = Int((Double(n) * (1 - fraction)).rounded(.down))
        guard splitAt >= 1 && splitAt < n else {
            throw .invalidParameter(EngineSay.fractionLeavesEmpty("validation_split", fraction, of: n, train: splitAt, "validation", held: n - splitAt))
        }
        return (Array(0..<splitAt), Array(splitAt..<n))
    }

    /// A seeded shuffled split of ⌈n·fraction⌉ validation samples, stratified by class for
    /// classification (each class keeps its share); both lists ascending. An alternative to
    /// `last` for inner validation when the order of the data is not random.
    public static func shuffled(_ data: Dataset, fraction: Double, seed: UInt64) throws(DataError) -> (train: [Int], validation: [Int]) {
        guard fraction > 0 && fraction < 1 else {
            throw .invalidParameter(EngineSay.fractionOutside("validation fraction", fraction))
        }
        let n = data.count
        let nVal = Int((Double(n) * fraction).rounded(.up))
        guard nVal >= 1 && nVal < n else {
            throw .invalidParameter(EngineSay.fractionLeavesEmpty("validation fraction", fraction, of: n, train: n - nVal, "validation", held: nVal))
        }
        var rng = RandomGenerator(seed: seed, stream: "data.validation")
        let validation = Sampling.pick(nVal, from: data, &rng)
        return (Sampling.complement(validation, n), validation)
    }
}

/// The cross-validation folds the runner uses for `data`: stratified k-fold for
/// classification, k-fold otherwise, shuffled with `seed` unless `shuffle` is false.
public func crossValidationFolds(for data: Dataset, k: Int, shuffle: Bool = true, seed: UInt64) throws(DataError) -> (folds: [Fold], warnings: [String]) {
    if case .classification = data.task {
        return try StratifiedKFold(k: k, shuffle: shuffle, seed: seed).split(labels: data.labels)
    }
    return (try KFold(k: k, shuffle: shuffle, seed: seed).split(count: data.count), [])
}

private func checkFoldCount(_ k: Int, _ n: Int) throws(DataError) {
    guard k >= 2 else { throw .invalidParameter(EngineSay.foldsBelowTwo(k)) }
    guard k <= n else { throw .invalidParameter(EngineSay.tooManyFolds(k, samples: n)) }
}

/// Folds from each sample's test-fold number: fold f tests on the samples numbered f and
/// trains on the rest, both ascending.
private func folds(from testFold: [Int], k: Int) -> [Fold] {
    var folds = [Fold](repeating: Fold(train: [], test: []), count: k)
    for (i, f) in testFold.enumerated() {
        for g in 0..<k where g != f { folds[g].train.append(i) }
        folds[f].test.append(i)
    }
    return folds
}
