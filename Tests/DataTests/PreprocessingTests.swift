import Testing
@testable import Engine

@Suite("Preprocessing, limit and hold-out")
struct PreprocessingTests {
    /// 3 features: a ramp, a constant, and a scaled ramp.
    func data(_ n: Int) -> Dataset {
        Dataset(sampleShape: [3], x: (0..<n).flatMap { [Float($0), 7, Float($0) * 10 + 5] },
                y: (0..<n).map { Float($0 % 2) }, task: .classification(classes: 2, names: nil))
    }

    @Test("standardize: zero mean, unit population std; a constant feature divided by 1")
    func standardize() {
        let d = data(11)
        let p = Preprocessor(fitting: .standardize, on: d)
        let out = p.apply(to: d)
        for j in 0..<3 {
            let col = (0..<11).map { Double(out.x[$0 * 3 + j]) }
            let mean = col.reduce(0, +) / 11
            let std = (col.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 11).squareRoot()
            #expect(abs(mean) < 1e-6)
            #expect(j == 1 ? std == 0 : abs(std - 1) < 1e-5)
        }
        #expect(p.divisor[1] == 1 && p.shift[1] == 7)
        #expect(out.y == d.y)
    }

    @Test("minmax to [0, 1], scale x/255, none")
    func others() {
        let d = data(5)
        let m = Preprocessor(fitting: .minmax, on: d).apply(to: d)
        #expect(m.x[0] == 0 && m.x[12] == 1 && m.x[2] == 0 && m.x[14] == 1 && m.x[1] == 0)
        let img = Dataset(sampleShape: [2, 1, 1], x: [0, 255, 51, 102], y: [0, 1], task: .classification(classes: 2, names: nil))
        #expect(Preprocessor(fitting: .scale, on: img).apply(to: img).x == img.x.map { $0 / 255 })
        #expect(Preprocessor(fitting: .none, on: img).apply(to: img).x == img.x)
    }

    @Test("per pixel for images: each pixel position has its own statistics")
    func perPixel() {
        let img = Dataset(sampleShape: [1, 2, 1], x: [0, 100, 2, 300], y: [0, 1], task: .classification(classes: 2, names: nil))
        let p = Preprocessor(fitting: .standardize, on: img)
        #expect(p.shift == [1, 200])
        #expect(p.divisor == [1, 100])
    }

    @Test("inside CV the statistics come from the training folds only")
    func noLeakage() throws {
        let base = Dataset(sampleShape: [2], x: (0..<30).flatMap { [Float($0), Float($0 % 5)] },
                           y: (0..<30).map { Float($0) }, task: .regression(outputs: 1))
        let folds = try KFold(k: 3, shuffle: true, seed: 11).split(count: 30)
        for fold in folds {
            // Make the test fold extreme: the fitted statistics must not move.
            var poisoned = base
            for i in fold.test { poisoned.x[2 * i] = 1e6; poisoned.x[2 * i + 1] = -1e6 }
            for method in [Preprocessing.standardize, .minmax] {
                let clean = Preprocessor(fitting: method, on: base.subset(fold.train))
                let fitted = Preprocessor(fitting: method, on: poisoned.subset(fold.train))
                #expect(clean == fitted)
            }
            let p = Preprocessor(fitting: .standardize, on: poisoned.subset(fold.train))
            let trainMean = fold.train.map { Double($0) }.reduce(0, +) / Double(fold.train.count)
            #expect(abs(Double(p.shift[0]) - trainMean) < 1e-4)
            // Applied to the test fold it uses the training statistics.
            let test = p.apply(to: poisoned.subset(fold.test))
            #expect(test.x[0] == (1e6 - p.shift[0]) / p.divisor[0])
        }
    }

    @Test("limit: seeded, stratified, original order")
    func limit() throws {
        let labels = (0..<1000).map { $0 < 600 ? 0 : $0 < 900 ? 1 : 2 }
        let d = Dataset(sampleShape: [1], x: (0..<1000).map(Float.init), y: labels.map(Float.init),
                        task: .classification(classes: 3, names: nil))
        let a = try d.limited(to: 100, seed: 1), b = try d.limited(to: 100, seed: 1), c = try d.limited(to: 100, seed: 2)
        #expect(a.count == 100)
        #expect(counts(a.labels, 3) == [60, 30, 10])
        #expect(a.x == b.x && a.x != c.x)
        #expect(a.x == a.x.sorted())
        #expect(try d.limited(to: 5000, seed: 1).count == 1000)
        let odd = try d.limited(to: 7, seed: 3)
        #expect(counts(odd.labels, 3) == [4, 2, 1])   // 4.2, 2.1, 0.7 → largest remainder gives class 2 its one
        let r = Dataset(sampleShape: [1], x: (0..<50).map(Float.init), y: (0..<50).map(Float.init), task: .regression(outputs: 1))
        #expect(try r.limited(to: 10, seed: 4).count == 10)
        #expect(dataError { () throws(DataError) in try d.limited(to: 0, seed: 1) } != nil)
    }

    @Test("hold-out: ⌈fraction·n⌉ test samples, stratified, disjoint, seeded")
    func holdOut() throws {
        let labels = (0..<100).map { $0 % 4 == 0 ? 1 : 0 }
        let d = Dataset(sampleShape: [1], x: (0..<100).map(Float.init), y: labels.map(Float.init),
                        task: .classification(classes: 2, names: nil))
        let (train, test) = try d.holdingOut(testFraction: 0.2, seed: 9)
        #expect(test.count == 20 && train.count == 80)
        #expect(counts(test.labels, 2) == [15, 5])
        #expect(Set(train.x).isDisjoint(with: test.x) && Set(train.x + test.x).count == 100)
        #expect(try d.holdingOut(testFraction: 0.2, seed: 9).test.x == test.x)
        #expect(try d.holdingOut(testFraction: 0.2, seed: 10).test.x != test.x)
        #expect(try d.holdingOut(testFraction: 0.333, seed: 9).test.count == 34)
        for bad in [0.0, 1.0, -0.1, 0.999] {
            #expect(dataError { () throws(DataError) in try d.holdingOut(testFraction: bad, seed: 1) } != nil, "\(bad)")
        }
    }

    @Test("prepareData holds out first, then limits the training part")
    func prepare() throws {
        let data = try prepareData(.synthetic(.blobs(classes: 2, samples: 200, features: 2, spread: 1, noise: 0)), limit: 50, testFraction: 0.25, seed: 3)
        #expect(data.test?.count == 50)
        #expect(data.train.count == 50)
        let fashionLike = try prepareData(.synthetic(.xor), seed: 1)
        #expect(fashionLike.test == nil && fashionLike.train.count == 4)
    }
}
