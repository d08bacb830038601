/// How features are rescaled before training. Targets are never touched.
public enum Preprocessing: String, Sendable, Equatable, CaseIterable {
    /// Features as loaded.
    case none
    /// x / 255, for 8-bit pixel values (applied as is to any source).
    case scale
    /// (x − mean) / std per feature — per pixel for images — with the population standard
    /// deviation, as scikit-learn's `StandardScaler`; a feature with std 0 is divided by 1.
    case standardize
    /// (x − min) / (max − min) per feature, to [0, 1] on the data it was fitted on (other
    /// parts may fall outside); a constant feature is divided by 1, as `MinMaxScaler`.
    case minmax
}

/// A preprocessing fitted on one part of the data and applied to any part.
///
/// Statistics come only from the data given to `init(fitting:on:)`: in cross-validation fit
/// on the training folds and apply to the training and test folds, so nothing of the test
/// fold leaks into training. Every method is the per-feature map x′ = (x − shift) / divisor,
/// a division as scikit-learn's scalers and Keras's `x / 255` do (so `scale` gives the
/// same floats as the notebooks).
public struct Preprocessor: Sendable, Equatable {
    public let method: Preprocessing
    /// Per feature (one entry per feature of a sample), or empty for `none`.
    public let shift: [Float]
    /// Per feature (255, the standard deviation, the range, or 1), or empty for `none`.
    public let divisor: [Float]

    /// A preprocessor with known statistics (e.g. read back from a model file).
    public init(method: Preprocessing, shift: [Float], divisor: [Float]) {
        self.method = method
        self.shift = shift
        self.divisor = divisor
    }

    /// Fits `method` on `data` (the training part only).
    public init(fitting method: Preprocessing, on data: Dataset) {
        self.method = method
        let f = data.featuresPerSample, n = data.count
        switch method {
        case .none:
            shift = []; divisor = []
        case .scale:
            shift = [Float](repeating: 0, count: f)
            divisor = [Float](repeating: 255, count: f)
        case .standardize:
            // Two passes in Double: the mean, then the mean squared deviation.
            var mean = [Double](repeating: 0, count: f), sq = [Double](repeating: 0, count: f)
            data.forEachBlock { x, rows in
                for i in 0..<rows { for j in 0..<f { mean[j] += Double(x[i * f + j]) } }
            }
            for j in 0..<f { mean[j] /= Double(max(n, 1)) }
            data.forEachBlock { x, rows in
                for i in 0..<rows { for j in 0..<f { let d = Double(x[i * f + j]) - mean[j]; sq[j] += d * d } }
            }
            shift = mean.map { Float($0) }
            divisor = sq.map { s in
                let std = Float((s / Double(max(n, 1))).squareRoot())
                return std > 0 ? std : 1
            }
        case .minmax:
            var lo = [Float](repeating: .infinity, count: f), hi = [Float](repeating: -.infinity, count: f)
            data.forEachBlock { x, rows in
                for i in 0..<rows { for j in 0..<f { lo[j] = Swift.min(lo[j], x[i * f + j]); hi[j] = Swift.max(hi[j], x[i * f + j]) } }
            }
            if n == 0 { lo = [Float](repeating: 0, count: f); hi = lo }
            shift = lo
            divisor = zip(lo, hi).map { $1 > $0 ? $1 - $0 : 1 }
        }
    }

    /// Applies the fitted map to features laid out `shift.count` per sample.
    public func apply(to x: inout [Float]) {
        guard method != .none else { return }
        let f = shift.count
        precondition(f > 0 && x.count % f == 0, "Preprocessor: features are not a whole number of samples of \(f)")
        shift.withUnsafeBufferPointer { s in
            divisor.withUnsafeBufferPointer { k in
                x.withUnsafeMutableBufferPointer { x in
                    for i in 0..<(x.count / f) {
                        let base = i * f
                        for j in 0..<f { x[base + j] = (x[base + j] - s[j]) / k[j] }
                    }
                }
            }
        }
    }

    /// `data` with the fitted map applied to its features: kept beside them as the data set's
    /// `map` and applied as batches are read, so no preprocessed copy is made.
    public func apply(to data: Dataset) -> Dataset {
        guard method != .none else { return data }
        precondition(data.featuresPerSample == shift.count,
                     "Preprocessor fitted on \(shift.count) features applied to \(data.featuresPerSample)")
        return data.mapped(by: self)
    }
}

extension Dataset {
    /// Calls `body` with the features (as read: `map` applied) of consecutive blocks of
    /// samples, in order, and the number of samples in each block.
    func forEachBlock(_ body: (UnsafePointer<Float>, Int) -> Void) {
        let f = featuresPerSample, n = count, block = 256
        guard f > 0 else { return }
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: block * f)
        defer { buffer.deallocate() }
        var start = 0
        while start < n {
            let rows = Swift.min(block, n - start)
            copyFeatures(rows: start..<(start + rows), into: buffer)
            body(buffer, rows)
            start += rows
        }
    }

    /// A seeded random subset of `count` samples, in their original order; stratified for
    /// classification (each class keeps its share, rounded by largest remainder). The whole
    /// set when it has no more than `count` samples.
    public func limited(to count: Int, seed: UInt64) throws(DataError) -> Dataset {
        guard count >= 1 else { throw .invalidParameter(EngineSay.limitBelowOne(count)) }
        guard count < self.count else { return self }
        var rng = RandomGenerator(seed: seed, stream: "data.limit")
        return subset(Sampling.pick(count, from: self, &rng))
    }

    /// Splits off a test part of ⌈fraction · n⌉ samples (as scikit-learn's
    /// `train_test_split`), seeded and stratified for classification; both parts keep the
    /// original order. For sources without their own test split.
    public func holdingOut(testFraction fraction: Double, seed: UInt64) throws(DataError) -> (train: Dataset, test: Dataset) {
        guard fraction > 0 && fraction < 1 else {
            throw .invalidParameter(EngineSay.fractionOutside("test_fraction", fraction))
        }
        let n = count
        let nTest = Int((Double(n) * fraction).rounded(.up))
        guard nTest >= 1 && nTest < n else {
            throw .invalidParameter(EngineSay.fractionLeavesEmpty("test_fraction", fraction, of: n, train: n - nTest, "test", held: nTest))
        }
        var rng = RandomGenerator(seed: seed, stream: "data.holdout")
        let test = Sampling.pick(nTest, from: self, &rng)
        return (subset(Sampling.complement(test, n)), subset(test))
    }
}

/// Seeded picking of samples, stratified when there are classes.
enum Sampling {
    /// `count` indices of `data` in ascending order: per class by largest remainder for
    /// classification, else uniformly.
    static func pick(_ count: Int, from data: Dataset, _ rng: inout RandomGenerator) -> [Int] {
        if case .classification = data.task {
            return stratifiedPick(count, labels: data.labels, &rng)
        }
        return Array(rng.permutation(data.count).prefix(count)).sorted()
    }

    /// How many of `count` to take from each class so that each keeps its share: the floor
    /// of count·nᶜ/n, then one more to the classes with the largest remainders (ties to the
    /// larger class, then the first). Exact integer arithmetic. Keys are the labels present.
    static func allocate(_ count: Int, classSizes: [Int: Int]) -> [Int: Int] {
        let n = classSizes.values.reduce(0, +)
        var take = [Int: Int](), remainders = [(label: Int, remainder: Int, size: Int)]()
        for (label, size) in classSizes {
            take[label] = count * size / n
            remainders.append((label, count * size % n, size))
        }
        var left = count - take.values.reduce(0, +)
        remainders.sort { ($0.remainder, $0.size, -$0.label) > ($1.remainder, $1.size, -$1.label) }
        for r in remainders where left > 0 && r.remainder > 0 {
            take[r.label]! += 1
            left -= 1
        }
        return take
    }

    /// `count` indices, each class represented by its share, chosen at random within classes.
    static func stratifiedPick(_ count: Int, labels: [Int], _ rng: inout RandomGenerator) -> [Int] {
        var members = [Int: [Int]]()
        for (i, label) in labels.enumerated() { members[label, default: []].append(i) }
        let take = allocate(count, classSizes: members.mapValues(\.count))
        var picked = [Int]()
        for label in members.keys.sorted() {
            var m = members[label]!
            rng.shuffle(&m)
            picked += m.prefix(take[label]!)
        }
        return picked.sorted()
    }

    /// 0..<n without `indices` (which must be sorted ascending).
    static func complement(_ indices: [Int], _ n: Int) -> [Int] {
        var keep = [Bool](repeating: true, count: n)
        for i in indices { keep[i] = false }
        return (0..<n).filter { keep[$0] }
    }
}
