import Testing
@testable import Engine

@Suite("Cross-validation splits")
struct SplitsTests {
    /// Every index in exactly one test fold; train is the complement; sizes as scikit-learn.
    func checkPartition(_ folds: [Fold], n: Int, k: Int) {
        #expect(folds.count == k)
        var seen = [Int](repeating: 0, count: n)
        for f in folds {
            for i in f.test { seen[i] += 1 }
            #expect(Set(f.train).isDisjoint(with: f.test))
            #expect(f.train.count + f.test.count == n)
            #expect(f.train == f.train.sorted() && f.test == f.test.sorted())
        }
        #expect(seen.allSatisfy { $0 == 1 })
        let sizes = folds.map(\.test.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(sizes == (0..<k).map { n / k + ($0 < n % k ? 1 : 0) })
    }

    @Test("KFold partitions, first n mod k folds one larger", arguments: [(10, 3), (7, 7), (100, 5), (23, 4), (2, 2)])
    func kfold(n: Int, k: Int) throws {
        for shuffle in [false, true] {
            checkPartition(try KFold(k: k, shuffle: shuffle, seed: 1).split(count: n), n: n, k: k)
        }
        let plain = try KFold(k: 3).split(count: 10)
        #expect(plain.map(\.test) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]])
    }

    @Test("KFold: same seed same folds, different seed different folds")
    func kfoldSeeds() throws {
        let a = try KFold(k: 5, shuffle: true, seed: 42).split(count: 50)
        #expect(a == (try KFold(k: 5, shuffle: true, seed: 42).split(count: 50)))
        #expect(a != (try KFold(k: 5, shuffle: true, seed: 43).split(count: 50)))
    }

    @Test("StratifiedKFold: each class within one of its share per fold", arguments: [3, 5, 10])
    func stratified(k: Int) throws {
        // Imbalanced classes in a scrambled order: 50, 31, 12 and 7 members.
        var rng = RandomGenerator(seed: 5)
        var labels = [Int](repeating: 0, count: 50) + [Int](repeating: 1, count: 31) + [Int](repeating: 2, count: 12) + [Int](repeating: 3, count: 7)
        rng.shuffle(&labels)
        for shuffle in [false, true] {
            let (folds, warnings) = try StratifiedKFold(k: k, shuffle: shuffle, seed: 3).split(labels: labels)
            checkPartition(folds, n: labels.count, k: k)
            for c in 0..<4 {
                let size = labels.filter { $0 == c }.count
                for f in folds {
                    let inFold = f.test.filter { labels[$0] == c }.count
                    #expect(inFold == size / k || inFold == (size + k - 1) / k, "class \(c) fold size \(inFold)")
                }
            }
            #expect(warnings.isEmpty == (k <= 7))
        }
    }

    @Test("StratifiedKFold without shuffle matches scikit-learn's allocation")
    func stratifiedReference() throws {
        // sklearn StratifiedKFold(3).split(X, [0]*4 + [1]*6): the sorted classes are dealt
        // round-robin (fold i counts positions i, i+3, …), then each class's samples take
        // their fold numbers in index order.
        let (folds, _) = try StratifiedKFold(k: 3).split(labels: [0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
        #expect(folds.map(\.test) == [[0, 1, 4, 5], [2, 6, 7], [3, 8, 9]])
    }

    @Test("StratifiedKFold seeds")
    func stratifiedSeeds() throws {
        let labels = (0..<60).map { $0 % 3 }
        let a = try StratifiedKFold(k: 4, shuffle: true, seed: 1).split(labels: labels).folds
        #expect(a == (try StratifiedKFold(k: 4, shuffle: true, seed: 1).split(labels: labels).folds))
        #expect(a != (try StratifiedKFold(k: 4, shuffle: true, seed: 2).split(labels: labels).folds))
    }

    @Test("errors: k < 2, k > n, no class with k members; a warning for one small class")
    func errors() throws {
        #expect(dataError { () throws(DataError) in try KFold(k: 1).split(count: 10) } == .invalidParameter("cross-validation needs k ≥ 2 folds, got 1"))
        #expect(dataError { () throws(DataError) in try KFold(k: 11).split(count: 10) } != nil)
        #expect(dataError { () throws(DataError) in try StratifiedKFold(k: 4).split(labels: [0, 0, 0, 1, 1, 1]) } != nil)
        let (_, warnings) = try StratifiedKFold(k: 3).split(labels: [0, 0, 0, 0, 1, 1])
        #expect(warnings.count == 1 && warnings[0].contains("class 1 has only 2"))
    }

    @Test("crossValidationFolds: stratified for classification, plain for regression")
    func chooser() throws {
        let c = try Synthetic.generate(.blobs(classes: 3, samples: 90, features: 2, spread: 1, noise: 0), seed: 1)
        let (folds, _) = try crossValidationFolds(for: c, k: 3, seed: 4)
        for f in folds { #expect(counts(f.test.map { c.labels[$0] }, 3) == [10, 10, 10]) }
        let r = try Synthetic.generate(.random(samples: 10, features: 2, outputs: 1, classes: nil, noise: 0), seed: 1)
        checkPartition(try crossValidationFolds(for: r, k: 3, seed: 4).folds, n: 10, k: 3)
    }

    @Test("validation split as Keras: the last fraction, no shuffle")
    func kerasValidation() throws {
        let (train, val) = try ValidationSplit.last(count: 10, fraction: 0.2)
        #expect(train == Array(0..<8) && val == [8, 9])
        #expect(try ValidationSplit.last(count: 10, fraction: 0.3).train.count == 7)
        #expect(try ValidationSplit.last(count: 55_000, fraction: 0.1).validation.count == 5_500)
        #expect(dataError { () throws(DataError) in try ValidationSplit.last(count: 3, fraction: 0.9) } != nil)   // ⌊0.3⌋ = 0 to train
        #expect(dataError { () throws(DataError) in try ValidationSplit.last(count: 1, fraction: 0.5) } != nil)
        #expect(dataError { () throws(DataError) in try ValidationSplit.last(count: 3, fraction: 1) } != nil)
    }

    @Test("shuffled stratified validation keeps class shares")
    func shuffledValidation() throws {
        let labels = (0..<100).map { $0 < 80 ? 0 : 1 }
        let d = Dataset(sampleShape: [1], x: (0..<100).map(Float.init), y: labels.map(Float.init), task: .classification(classes: 2, names: nil))
        let (train, val) = try ValidationSplit.shuffled(d, fraction: 0.1, seed: 2)
        #expect(val.count == 10 && train.count == 90)
        #expect(counts(val.map { labels[$0] }, 2) == [8, 2])
        #expect(Set(train).isDisjoint(with: val))
        #expect(val != Array(90..<100))
    }
}
